"""Attestations through the web (issue 11): issuing from the closed workshop's page, printing, revoking, and
the public verification page that the printed QR code leads to."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime
from urllib.parse import urlsplit

import pypdf
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from attestations.models import Attestation, ParametresAttestation
from attestations.services import AVIS_SIGNATAIRE
from core.models import Journal, Message
from extensions import db
from tests.ateliers_fixtures import inscription_of
from tests.conftest import Browser

NOW = datetime(2026, 5, 12, 10, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


def url_page(atelier) -> str:
    return f"/ateliers/{atelier.id}/attestations"


def emettre_tout(browser: Browser, atelier):
    return browser.submit(f"{url_page(atelier)}/emission", {}, form_url=url_page(atelier))


def attestation_of(atelier, nom: str) -> Attestation:
    inscription = inscription_of(atelier, nom)
    return db.session.scalar(sa.select(Attestation).where(Attestation.inscription_id == inscription.id))


def texte_pdf(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(contenu)).pages)


def qr_de_la_page(contenu: bytes, dossier) -> str:
    """The text of the QR code read from the first page, rendered at 150 dpi by pdftoppm (poppler-utils)."""
    (dossier / "attestation.pdf").write_bytes(contenu)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-singlefile", "attestation.pdf", "page"],
        cwd=dossier,
        check=True,
    )
    (lu,) = zxingcpp.read_barcodes(Image.open(dossier / "page.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    return lu.text


def test_the_closed_workshop_offers_the_attestations_and_issues_them(signed_in, atelier_clos):
    detail = signed_in.get(f"/ateliers/{atelier_clos.id}").get_data(as_text=True)
    assert f'href="{url_page(atelier_clos)}"' in detail and ">Attestations</a>" in detail
    page = signed_in.get(url_page(atelier_clos)).get_data(as_text=True)
    assert "Aucune attestation émise." in page

    response = emettre_tout(signed_in, atelier_clos)
    assert response.status_code == 302
    page = signed_in.get(url_page(atelier_clos)).get_data(as_text=True)
    martin = attestation_of(atelier_clos, "Martin")
    assert "1 attestation émise." in page and martin.numero in page and martin.code_affiche in page
    assert attestation_of(atelier_clos, "Bernard") is None  # left part-way: only on request


def test_the_printed_qr_code_leads_to_the_verification_page_of_the_same_number(
    signed_in, atelier_clos, client, tmp_path
):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    response = signed_in.get(f"/attestations/{martin.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(response.data)).pages) == 1
    texte = texte_pdf(response.data)
    assert martin.numero in texte and martin.code_affiche in texte and "Josiane Martin" in texte

    lien = qr_de_la_page(response.data, tmp_path)
    assert lien == f"http://localhost/verifier/{martin.code}"
    anonyme = Browser(client.application.test_client())
    verification = anonyme.get(urlsplit(lien).path)
    page = verification.get_data(as_text=True)
    assert verification.status_code == 200
    assert "Attestation valide" in page and martin.numero in page
    assert "Josiane M." in page and "Martin" not in page  # first name and initial only


def test_the_workshop_prints_its_attestations_in_one_pdf(signed_in, atelier_clos):
    emettre_tout(signed_in, atelier_clos)
    bernard = inscription_of(atelier_clos, "Bernard")
    signed_in.submit(
        f"/attestations/inscriptions/{bernard.id}", {"presence_seule": "y"}, form_url=url_page(atelier_clos)
    )
    response = signed_in.get(f"/ateliers/{atelier_clos.id}/attestations.pdf")
    assert response.status_code == 200
    lecteur = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(lecteur.pages) == 2
    assert "Attestation de présence" in lecteur.pages[1].extract_text()
    assert lecteur.metadata.title == "Attestations – Atelier du lundi matin"


def test_an_abandon_without_the_request_is_refused_beside_the_box(signed_in, atelier_clos):
    bernard = inscription_of(atelier_clos, "Bernard")
    response = signed_in.submit(f"/attestations/inscriptions/{bernard.id}", {}, form_url=url_page(atelier_clos))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(rf'id="presence-{bernard.id}-erreurs"><li>Cette personne a quitté', page)
    assert attestation_of(atelier_clos, "Bernard") is None


def test_revoking_prints_revoquee_and_the_public_page_says_so(signed_in, atelier_clos, client):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    refus = signed_in.submit(f"/attestations/{martin.id}/revocation", {"motif": ""}, form_url=url_page(atelier_clos))
    assert refus.status_code == 200 and "Choisissez le motif de la révocation." in refus.get_data(as_text=True)
    response = signed_in.submit(
        f"/attestations/{martin.id}/revocation", {"motif": "erreur"}, form_url=url_page(atelier_clos)
    )
    assert response.status_code == 302
    assert "RÉVOQUÉE" in texte_pdf(signed_in.get(f"/attestations/{martin.id}.pdf").data)
    page = client.get(f"/verifier/{martin.code_affiche}").get_data(as_text=True)
    assert "Attestation révoquée le mardi 12 mai 2026" in page and "Attestation valide" not in page


def test_the_public_page_needs_no_login_and_is_not_indexed_nor_keeps_the_address(client, signed_in, atelier_clos):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    anonyme = client.application.test_client()
    response = anonyme.get(f"/verifier/{martin.code}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
    ligne = db.session.scalars(sa.select(Journal).order_by(Journal.id.desc())).first()
    assert (ligne.compte_id, ligne.objet, ligne.objet_id) == (None, "attestation", martin.id)
    assert ligne.details == "vérification publique : valide" and "203.0.113" not in ligne.details


@pytest.mark.parametrize("saisie", [" 7kq2 xm9d r4tb ", "7KQ2-XM9D-R4TB", "7kq2xm9dr4tb", "7KQ2–XM9D–R4TB"])
def test_a_typed_code_is_understood_with_spaces_dashes_or_lower_case(client, saisie):
    response = client.get("/verifier", query_string={"code": saisie})
    assert response.status_code == 302 and response.headers["Location"].endswith("/verifier/7KQ2-XM9D-R4TB")


def test_unknown_and_malformed_codes_get_the_same_page(client):
    inconnu = client.get("/verifier/7KQ2-XM9D-R4TB")
    mal_forme = client.get("/verifier/pas-un-code")
    for response in (inconnu, mal_forme):
        assert response.status_code == 404
        assert "Aucune attestation ne correspond à ce code" in response.get_data(as_text=True)
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    formulaire = client.get("/verifier", query_string={"code": "O0O0-1I1L"})
    page = formulaire.get_data(as_text=True)
    assert formulaire.status_code == 200
    assert 'id="code-erreurs"><li>Ce code n&#39;a pas la forme attendue' in page and 'value="O0O0-1I1L"' in page


def test_the_public_page_is_rate_limited(make_app):
    application = make_app(VERIFICATION_RATE_LIMIT="3 per minute")
    client = application.test_client()
    statuts = [client.get(f"/verifier/7KQ2-XM9D-R4T{c}").status_code for c in "ABCD"]
    assert statuts == [404, 404, 404, 429]
    page = client.get("/verifier/7KQ2-XM9D-R4TE").get_data(as_text=True)
    assert "Trop de vérifications depuis ce poste" in page


def test_roles_and_structures(browser, make_compte, make_structure, atelier_clos, mediatrice):
    browser.login(mediatrice)
    emettre_tout(browser, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    browser.client.post("/deconnexion", data={"csrf_token": ""})
    for role, lecture, ecriture in (("benevole", 403, 403), ("direction", 200, 403)):
        client = browser.client.application.test_client()
        visiteur = Browser(client)
        visiteur.login(make_compte(role))
        assert visiteur.get(url_page(atelier_clos)).status_code == lecture
        assert visiteur.get(f"/attestations/{martin.id}.pdf").status_code == lecture
        token_page = client.get("/").get_data(as_text=True)
        jeton = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
        reponse = client.post(f"/attestations/{martin.id}/revocation", data={"motif": "erreur", "csrf_token": jeton})
        assert reponse.status_code == ecriture
    ailleurs = Browser(browser.client.application.test_client())
    ailleurs.login(make_compte("mediateur", structure=make_structure()))
    assert ailleurs.get(url_page(atelier_clos)).status_code == 404
    assert ailleurs.get(f"/attestations/{martin.id}.pdf").status_code == 404
    assert ailleurs.get(f"/ateliers/{atelier_clos.id}/attestations.pdf").status_code == 404


def test_a_post_without_csrf_token_is_refused(signed_in, atelier_clos):
    response = signed_in.client.post(f"{url_page(atelier_clos)}/emission", data={})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0


def test_the_admin_sets_code_signatory_logo_and_signature(browser, make_compte, atelier_clos, mediatrice):
    from tests.unit.test_attestation_images import image

    admin = make_compte("admin")
    browser.login(admin)
    assert "Paramètres des attestations" in browser.get("/admin/structure").get_data(as_text=True)
    refus = browser.submit(
        "/admin/attestations",
        {
            "code_structure": "ccas-demo",
            "signataire_nom": "Lucie Roy",
            "signataire_fonction": "Directrice du CCAS",
            "logo": (io.BytesIO(b"GIF89a pas une image"), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    page = refus.get_data(as_text=True)
    assert refus.status_code == 200
    assert 'id="logo-erreurs"' in page and "n&#39;est pas une image PNG ou JPEG lisible" in page
    assert 'value="CCAS-DEMO"' in page and 'value="Lucie Roy"' in page  # what was typed stays
    response = browser.submit(
        "/admin/attestations",
        {
            "code_structure": "ccas-demo",
            "signataire_nom": "Lucie Roy",
            "signataire_fonction": "Directrice du CCAS",
            "logo": (io.BytesIO(image("PNG", (400, 200))), "logo.png"),
            "signature": (io.BytesIO(image("JPEG", (300, 100), "black")), "signature.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = browser.get("/admin/attestations").get_data(as_text=True)
    assert page.count('class="apercu-image"') == 2

    mediatrice_client = Browser(browser.client.application.test_client())
    mediatrice_client.login(mediatrice)
    emettre_tout(mediatrice_client, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    assert martin.numero == "CCAS-DEMO-2026-00001"
    avant = mediatrice_client.get(f"/attestations/{martin.id}.pdf").data
    (page_pdf,) = pypdf.PdfReader(io.BytesIO(avant)).pages
    assert len(page_pdf["/Resources"]["/XObject"]) == 2
    assert "Lucie Roy" in texte_pdf(avant) and "Directrice du CCAS" in texte_pdf(avant)

    # A new logo and signatory later: the attestation already issued prints the same.
    browser.submit(
        "/admin/attestations",
        {
            "code_structure": "CCAS-DEMO",
            "signataire_nom": "Paul Nouveau",
            "signataire_fonction": "Directeur",
            "logo": (io.BytesIO(image("PNG", (200, 200), "red")), "nouveau.png"),
        },
        content_type="multipart/form-data",
    )
    assert mediatrice_client.get(f"/attestations/{martin.id}.pdf").data == avant


def test_an_image_past_the_request_size_limit_is_refused_beside_the_field(make_app, make_compte, structure):
    """A phone photo of the signature (megabytes) passes MAX_CONTENT_LENGTH: the body is never read, yet the settings
    page comes back with the reason beside the image fields, not the generic 413 page. (A 64 KB limit here: the test
    client spools a body past 500 KB to a temporary file it never closes when the body is not read.)"""
    application = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    browser = Browser(application.test_client())
    browser.login(make_compte("admin"))
    response = browser.submit(
        "/admin/attestations",
        {
            "code_structure": "CCAS-DEMO",
            "signataire_nom": "Lucie Roy",
            "signataire_fonction": "Directrice",
            "signature": (io.BytesIO(b"\xff\xd8\xff" + b"0" * 100 * 1024), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Paramètres des attestations" in page and "Envoi trop volumineux" not in page
    assert re.search(r'id="signature-erreurs">\s*<li>L&#39;image envoyée dépasse 64 Ko', page)
    assert "300 Ko au plus" in page
    assert db.session.get(ParametresAttestation, structure.id) is None  # nothing saved

    mediatrice = Browser(application.test_client())
    mediatrice.login(make_compte("mediateur"))
    refus = mediatrice.submit(
        "/admin/attestations",
        {"signature": (io.BytesIO(b"0" * 100 * 1024), "photo.jpg")},
        form_url="/",
        content_type="multipart/form-data",
    )
    assert refus.status_code == 413 and "Envoi trop volumineux" in refus.get_data(as_text=True)


def test_another_structure_cannot_take_the_same_code(browser, make_compte, make_structure):
    from attestations.models import ParametresAttestation

    autre = make_structure()
    db.session.add(ParametresAttestation(structure_id=autre.id, code_structure="CCAS-DEMO"))
    db.session.commit()
    browser.login(make_compte("admin"))
    response = browser.submit("/admin/attestations", {"code_structure": "CCAS-DEMO", "signataire_nom": ""})
    assert 'id="code_structure-erreurs"' in response.get_data(as_text=True)
    assert "Une autre structure utilise déjà ce code" in response.get_data(as_text=True)


def test_the_memo_pages_go_with_the_attestations(signed_in, atelier_clos):
    page = signed_in.get(url_page(atelier_clos)).get_data(as_text=True)
    assert f"/ateliers/{atelier_clos.id}/memos.pdf" in page
    response = signed_in.get(f"/ateliers/{atelier_clos.id}/memos.pdf")
    lecteur = pypdf.PdfReader(io.BytesIO(response.data))
    assert response.status_code == 200 and len(lecteur.pages) == 1  # Martin finished, Bernard left
    assert "Mon mémo – Josiane" in lecteur.pages[0].extract_text() and "Martin" not in lecteur.pages[0].extract_text()


def test_the_attestations_page_runs_a_flat_number_of_queries(signed_in, atelier_clos, make_apprenant, count_queries):
    from ateliers.models import Inscription

    emettre_tout(signed_in, atelier_clos)

    def compte() -> int:
        with count_queries() as statements:
            assert signed_in.get(url_page(atelier_clos)).status_code == 200
        return len(statements)

    compte()
    peu = compte()
    for _ in range(6):  # six more who finished, each with an attestation
        db.session.add(
            Inscription(
                atelier_id=atelier_clos.id,
                apprenant_id=make_apprenant().id,
                joined_at=datetime(2026, 3, 1, 9, 0),
                statut="termine",
                ended_at=datetime(2026, 5, 12, 8, 0),
            )
        )
    db.session.commit()
    emettre_tout(signed_in, atelier_clos)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 7
    assert compte() == peu


def clore_par_la_page(signed_in, atelier):
    decisions = {f"decision-{i.id}": "termine" for i in atelier.inscriptions if i.statut == "inscrit"}
    return signed_in.submit(f"/ateliers/{atelier.id}/cloture", decisions, follow_redirects=True)


def test_closing_issues_the_attestations_or_says_what_is_missing(signed_in, atelier_suivi, structure):
    page = clore_par_la_page(signed_in, atelier_suivi).get_data(as_text=True)
    avis = AVIS_SIGNATAIRE.replace("'", "&#39;")
    assert "Atelier clos" in page and avis in page  # the confirmation, shown on the workshop's page
    assert attestation_of(atelier_suivi, "Martin") is None
    assert avis in signed_in.get(f"/ateliers/{atelier_suivi.id}").get_data(as_text=True)
    assert avis in signed_in.get(url_page(atelier_suivi)).get_data(as_text=True)

    db.session.add(
        ParametresAttestation(
            structure_id=structure.id, code_structure="CCAS-T", signataire_nom="Lucie Roy", signataire_fonction="Dir."
        )
    )
    db.session.commit()
    assert emettre_tout(signed_in, atelier_suivi).status_code == 302
    assert attestation_of(atelier_suivi, "Martin").contenu["signataire"]["nom"] == "Lucie Roy"
    assert avis not in signed_in.get(f"/ateliers/{atelier_suivi.id}").get_data(as_text=True)


def test_closing_with_the_signatory_named_issues_them_at_once(signed_in, atelier_suivi, structure):
    db.session.add(
        ParametresAttestation(
            structure_id=structure.id, code_structure="CCAS-T", signataire_nom="Lucie Roy", signataire_fonction="Dir."
        )
    )
    db.session.commit()
    page = clore_par_la_page(signed_in, atelier_suivi).get_data(as_text=True)
    assert "Atelier clos" in page and "1 attestation émise." in page
    assert attestation_of(atelier_suivi, "Martin").numero.startswith("CCAS-T-")


def test_sending_from_the_page_by_email_letter_or_saying_who_has_neither(signed_in, atelier_clos):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    envoi = f"/attestations/{martin.id}/envoi"

    response = signed_in.submit(envoi, {"canal": "email"}, form_url=url_page(atelier_clos))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="envoi-{martin.id}-erreurs"' in page
    assert "Pas d&#39;adresse électronique pour cette personne" in page

    response = signed_in.submit(
        f"{url_page(atelier_clos)}/envoi", {}, form_url=url_page(atelier_clos), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "1 personne n’a ni adresse électronique ni adresse postale" in page
    assert "son attestation est à remettre en main propre" in page
    assert "Ni adresse électronique ni adresse postale : attestation à remettre en main propre" in page

    martin.inscription.apprenant.email = "josiane@exemple.fr"
    db.session.commit()
    response = signed_in.submit(
        f"{url_page(atelier_clos)}/envoi", {}, form_url=url_page(atelier_clos), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Attestations déposées dans la boîte d&#39;envoi : 1 par courriel, 0 par courrier" in page
    assert "Courriel : dans la boîte d'envoi" in page
    outbox = signed_in.get("/messages/").get_data(as_text=True)
    assert f"Votre attestation de fin d&#39;atelier (n° {martin.numero})" in outbox


def test_an_email_sent_by_hand_offers_its_pdf_in_the_outbox(signed_in, atelier_clos):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    martin.inscription.apprenant.email = "josiane@exemple.fr"
    db.session.commit()
    signed_in.submit(f"/attestations/{martin.id}/envoi", {"canal": "email"}, form_url=url_page(atelier_clos))
    message = db.session.scalar(sa.select(Message).where(Message.canal == "email"))

    outbox = signed_in.get("/messages/").get_data(as_text=True)  # no SMTP in the tests: emails go by hand

    assert f'href="/messages/{message.id}/piece-jointe">attestation-{martin.numero.lower()}.pdf</a>' in outbox
    fichier = signed_in.get(f"/messages/{message.id}/piece-jointe")
    assert fichier.mimetype == "application/pdf" and martin.numero in texte_pdf(fichier.data)


def test_revoking_says_the_pending_sending_is_withdrawn(signed_in, atelier_clos):
    emettre_tout(signed_in, atelier_clos)
    martin = attestation_of(atelier_clos, "Martin")
    martin.inscription.apprenant.email = "josiane@exemple.fr"
    db.session.commit()
    signed_in.submit(f"/attestations/{martin.id}/envoi", {"canal": "email"}, form_url=url_page(atelier_clos))
    response = signed_in.submit(
        f"/attestations/{martin.id}/revocation",
        {"motif": "erreur"},
        form_url=url_page(atelier_clos),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Attestation n° {martin.numero} révoquée. Son envoi en attente est annulé" in page
    outbox = signed_in.get("/messages/", query_string={"etat": "echec"}).get_data(as_text=True)
    assert "Pas envoyé : l&#39;attestation a été révoquée." in outbox
