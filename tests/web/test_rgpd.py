"""Issue 13 items 1-3 through the browser's eyes: export and erasure from the learner's page (admin and mediator
only, journaled), the confirmation step, the refusal, the public check of an erased person's attestation, and the
``retention`` command."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from attestations.models import Attestation
from core.models import Apprenant, Journal
from core.timeutil import utcnow
from entrainements import suivi_plan
from extensions import db
from rgpd import reglages
from tests.attestations_fixtures import APRES_LA_FIN
from tests.rgpd_fixtures import CORPS


def _texte_pdf(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _exports() -> list[tuple[int, str]]:
    return [
        (j.objet_id, j.details)
        for j in db.session.scalars(sa.select(Journal).where(Journal.action == "export").order_by(Journal.id))
    ]


def test_the_mediator_prints_the_persons_data_from_the_learners_page(signed_in, dossier_complet):
    apprenant = dossier_complet.apprenant
    page = signed_in.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)
    assert f'href="/apprenants/{apprenant.id}/donnees.pdf"' in page

    response = signed_in.get(f"/apprenants/{apprenant.id}/donnees.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="donnees-apprenant-{apprenant.id}.pdf"'
    texte = _texte_pdf(response.data)
    for attendu in (
        "Vos données personnelles",
        "Josiane Martin",
        "Téléphone : 06 12 34 56 78",
        "Adresse postale : 12 rue des Lilas, 33000 Testville",
        "Vos positionnements et vos réponses",
        "Vos présences",
        "Vos compétences",
        "Les appels de suivi",
        "Vos entraînements",
        CORPS,
        "Attestation de fin de parcours n°",
    ):
        assert attendu in texte, attendu
    assert _exports() == [(apprenant.id, "données de la personne : pdf")]


def test_the_json_copy_is_machine_readable_and_journaled(signed_in, dossier_complet):
    apprenant = dossier_complet.apprenant
    response = signed_in.get(f"/apprenants/{apprenant.id}/donnees.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    donnees = json.loads(response.data)
    assert donnees["tables"]["apprenant"][0]["nom"] == "Martin"
    assert len(donnees["tables"]["presence"]) == 6
    assert _exports() == [(apprenant.id, "données de la personne : json")]


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_only_admin_and_mediator_export_or_erase(browser, make_compte, make_apprenant, role):
    apprenant = make_apprenant()
    browser.login(make_compte(role))
    for suffixe in ("donnees.pdf", "donnees.json", "effacer"):
        assert browser.get(f"/apprenants/{apprenant.id}/{suffixe}").status_code == 403
    assert "donnees.pdf" not in browser.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)


def test_erasure_asks_for_the_typed_word_then_anonymises_and_the_attestation_stays_valid_without_name(
    browser, make_compte, dossier_complet, mediatrice, client
):
    suivi_plan.changer_statut(mediatrice, dossier_complet.plan, "decline", today=APRES_LA_FIN, now=utcnow())
    db.session.commit()
    browser.login(make_compte("admin"))
    apprenant_id = dossier_complet.apprenant.id
    url = f"/apprenants/{apprenant_id}/effacer"
    assert f'href="{url}"' in browser.get(f"/apprenants/{apprenant_id}").get_data(as_text=True)

    refuse = browser.submit(url, {"confirmation": "oui"})
    page = refuse.get_data(as_text=True)
    assert refuse.status_code == 200
    assert "Tapez exactement le mot « effacer » pour confirmer" in page
    assert 'value="oui"' in page  # what was typed stays
    assert db.session.get(Apprenant, apprenant_id).anonymise_at is None

    fait = browser.submit(url, {"confirmation": " Effacer "})
    assert fait.status_code == 302 and fait.headers["Location"] == f"/apprenants/{apprenant_id}"
    fiche = browser.get(f"/apprenants/{apprenant_id}").get_data(as_text=True)
    assert "Les données de la personne ont été effacées." in fiche
    assert "Martin" not in fiche and f"Personne effacée n° {apprenant_id}" in fiche

    code = db.session.scalar(sa.select(Attestation.code))
    verification = client.get(f"/verifier/{code}").get_data(as_text=True)
    assert "Attestation valide" in verification
    assert "Nom retiré : les données personnelles de la personne ont été effacées" in verification
    assert "Josiane" not in verification

    again = browser.get(url).get_data(as_text=True)
    assert "ont déjà été effacées le" in again and 'name="confirmation"' not in again


def test_erasure_is_refused_with_the_reason_while_the_workshop_runs(signed_in, atelier):
    apprenant = atelier.inscriptions[0].apprenant
    url = f"/apprenants/{apprenant.id}/effacer"
    page = signed_in.get(url).get_data(as_text=True)
    assert "inscrite à un atelier qui n&#39;est pas encore clos" in page and 'name="confirmation"' not in page

    response = signed_in.client.post(url, data={"confirmation": "effacer", "csrf_token": _csrf(signed_in, apprenant)})
    assert response.status_code == 409
    assert "inscrite à un atelier qui n&#39;est pas encore clos" in response.get_data(as_text=True)
    assert db.session.get(Apprenant, apprenant.id).anonymise_at is None


def _csrf(browser, apprenant) -> str:
    page = browser.get(f"/apprenants/{apprenant.id}/modifier").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_retention_command_dry_run_lists_ids_and_changes_nothing(app, make_apprenant, structure):
    ancienne = make_apprenant(prenom="Odette", nom="Ancienne", created_at=datetime(2022, 1, 3, 9, 0))
    runner = app.test_cli_runner()

    simulation = runner.invoke(args=["retention", "--dry-run"])

    assert simulation.exit_code == 0, simulation.output
    assert "Simulation : rien n'a été changé." in simulation.output
    assert f"structure {structure.id} : personnes à anonymiser : 1" in simulation.output
    assert f"personnes (identifiants) : {ancienne.id}" in simulation.output
    assert "Odette" not in simulation.output and "Ancienne" not in simulation.output
    assert db.session.get(Apprenant, ancienne.id).anonymise_at is None

    applique = runner.invoke(args=["retention"])
    assert applique.exit_code == 0, applique.output
    assert f"structure {structure.id} : personnes anonymisées : 1" in applique.output
    db.session.expire_all()
    assert db.session.get(Apprenant, ancienne.id).anonymise_at is not None


def test_the_admin_sets_the_retention_period_with_the_reason_beside_a_wrong_value(browser, make_compte, structure):
    admin = make_compte("admin")
    browser.login(admin)
    assert 'href="/admin/conservation"' in browser.get("/admin/structure").get_data(as_text=True)
    for saisie, message in (("6", "Choisissez entre 12 et 120 mois"), ("deux ans", "Saisissez un nombre entier.")):
        page = browser.submit("/admin/conservation", {"conservation_mois": saisie}).get_data(as_text=True)
        assert message in page and f'value="{saisie}"' in page
    assert db.session.get(type(structure), structure.id).conservation_mois == 24

    response = browser.submit("/admin/conservation", {"conservation_mois": "36"})

    assert response.status_code == 302
    db.session.expire_all()
    assert structure.conservation_mois == 36
    entree = db.session.scalars(sa.select(Journal).where(Journal.objet == "structure")).one()
    assert (entree.compte_id, entree.details) == (admin.id, "conservation : 36 mois")


def test_a_retention_period_changed_meanwhile_is_refused_and_shown(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    page = browser.get("/admin/conservation").get_data(as_text=True)
    version = html.unescape(re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1))
    reglages.regler_conservation(make_compte("admin"), structure, 48)
    db.session.commit()

    response = browser.submit("/admin/conservation", {"conservation_mois": "36", "version": version})

    assert response.status_code == 409
    assert "48" in response.get_data(as_text=True)
    db.session.expire_all()
    assert structure.conservation_mois == 48


def test_the_mediator_cannot_set_the_retention_period(signed_in):
    assert signed_in.get("/admin/conservation").status_code == 403
