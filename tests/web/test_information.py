"""Issue 13, item 4 through the test client: the information notice printed with the structure's details and its
DPO, the admin setting the DPO (journaled without the values, a stale page refused with what was typed kept),
the register entry for admin and direction, and the links from the registration page and the learner's page."""

from __future__ import annotations

import io
import re

import pypdf
import sqlalchemy as sa

from core.models import Journal, Structure
from extensions import db
from tests.conftest import Browser

MENTION = "/apprenants/mention-information.pdf"
DPO = "/admin/protection-des-donnees"
REGISTRE = "/admin/registre-traitement"


def pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    return re.sub(r"\s+", " ", reader.pages[0].extract_text())


def html(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_the_admin_sets_the_dpo_and_the_mediator_prints_it_on_the_notice(app, browser, make_compte, structure):
    structure.adresse, structure.telephone = "2 rue de la Mairie", "02 54 12 34 56"
    db.session.commit()
    admin = make_compte("admin")
    browser.login(admin)
    page = html(browser.get(DPO))
    assert "Aucun DPO n'est indiqué" in page

    response = browser.submit(DPO, {"dpo_nom": " Service RGPD de l'agglomération ", "dpo_contact": "dpo@agglo.fr"})

    assert response.status_code == 302 and response.headers["Location"] == DPO
    assert db.session.get(Structure, structure.id).dpo_nom == "Service RGPD de l'agglomération"
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "structure"))
    assert (entry.compte_id, entry.action, entry.details) == (admin.id, "modification", "DPO : dpo_nom, dpo_contact")
    assert "Délégué à la protection des données enregistré." in html(browser.get(DPO))

    mediatrice = Browser(app.test_client())
    mediatrice.login(make_compte("mediateur"))
    response = mediatrice.get(MENTION)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    texte = pdf_text(response)
    assert "CCAS de Saint-Test, 2 rue de la Mairie, Testville, 02 54 12 34 56." in texte
    assert "Le délégué à la protection des données : Service RGPD de l'agglomération – dpo@agglo.fr." in texte
    assert "2 ans après notre dernier contact" in texte and "www.cnil.fr/plaintes" in texte


def test_a_stale_dpo_page_is_refused_with_what_was_typed_kept(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    page = browser.get(DPO).get_data(as_text=True)
    structure.dpo_nom = "Saisi entre-temps"
    db.session.commit()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)

    response = browser.client.post(
        DPO, data={"csrf_token": token, "version": version, "dpo_nom": "", "dpo_contact": "dpo@agglo.fr"}
    )

    assert response.status_code == 409
    assert 'value="dpo@agglo.fr"' in html(response)
    assert db.session.get(Structure, structure.id).dpo_contact == ""


def test_a_control_character_is_refused_beside_the_field(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    response = browser.submit(DPO, {"dpo_nom": "Service\x1bRGPD", "dpo_contact": "dpo@agglo.fr"})
    assert response.status_code == 200
    page = html(response)
    assert "caractère invisible non autorisé" in page and 'value="dpo@agglo.fr"' in page
    assert db.session.get(Structure, structure.id).dpo_nom == ""


def test_the_register_entry_is_for_admin_and_direction(browser, make_compte, structure):
    browser.login(make_compte("direction"))
    page = html(browser.get(REGISTRE))
    assert "Registre des activités de traitement" in page
    for rubrique in ("Finalités", "Catégories de personnes", "Catégories de données", "Destinataires"):
        assert f"<h2>{rubrique}</h2>" in page
    assert "Délégué à la protection des données : à désigner" in page
    assert "une par nuit, gardées 14 nuits" in page


def test_the_notice_is_offered_at_registration_and_on_the_learners_page(browser, make_compte, make_apprenant):
    browser.login(make_compte("mediateur"))
    apprenant = make_apprenant()
    for url in ("/apprenants/nouveau", f"/apprenants/{apprenant.id}"):
        assert f'href="{MENTION}"' in html(browser.get(url)), url


def test_the_notice_and_the_register_say_the_structures_own_retention_period(app, browser, make_compte, structure):
    # Set at /admin/conservation (rgpd/): what the nightly job applies is what the person is told.
    structure.conservation_mois = 36
    db.session.commit()
    browser.login(make_compte("admin"))
    assert "3 ans après notre dernier contact" in pdf_text(browser.get(MENTION))
    assert "Données des apprenants : 3 ans après le dernier contact" in html(browser.get(REGISTRE))

    structure.conservation_mois = 18
    db.session.commit()
    assert "18 mois après notre dernier contact" in pdf_text(browser.get(MENTION))
    assert "Données des apprenants : 18 mois après le dernier contact" in html(browser.get(REGISTRE))
