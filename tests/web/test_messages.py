"""The outbox screens: by state and channel, SMS and letters sent by hand, resending, the letters PDF, access."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core.messagerie.canaux import transports
from core.messagerie.depot import deposer
from core.messagerie.envoi import envoyer
from core.models import Journal, Message
from core.timeutil import utcnow
from extensions import db
from tests.conftest import Browser, csrf_token_from
from tests.smtp_server import MOT_DE_PASSE, ServeurSmtp


@pytest.fixture
def mediatrice(browser, make_compte):
    compte = make_compte("mediateur")
    browser.login(compte)
    return compte


def deposer_message(apprenant, numero, canal="sms", **overrides) -> Message:
    maintenant = utcnow()
    values = {
        "cle": f"convocation:{apprenant.id}-{numero}",
        "type": "convocation",
        "canal": canal,
        "objet": "Entraînement mardi 2 juin à 14 h 00",
        "corps": f"Bonjour {apprenant.prenom}, entrainement informatique mardi 2 juin à 14 h 00.",
        "valable_jusqu_a": maintenant + timedelta(days=2),
        "now": maintenant,
        **overrides,
    }
    message = deposer(apprenant, **values)
    db.session.commit()
    return message


def lire(browser, url) -> str:
    """The page's HTML with its entities decoded (Jinja writes ' as &#39;)."""
    return html.unescape(browser.get(url).get_data(as_text=True))


def post(browser, url, data=None, page="/messages/"):
    token = csrf_token_from(browser.get(page).get_data(as_text=True))
    return browser.client.post(url, data={**(data or {}), "csrf_token": token})


def test_the_outbox_shows_each_state_and_channel_of_its_structure_only(
    browser, mediatrice, make_apprenant, make_structure
):
    sms = deposer_message(make_apprenant(prenom="Josiane", telephone="+33612345678"), 1)
    email = deposer_message(make_apprenant(prenom="Marc", email="marc@exemple.fr"), 2, canal="email")
    rate = deposer_message(make_apprenant(prenom="Aïcha", email="aicha@exemple.fr"), 3, canal="email")
    rate.tentatives, rate.derniere_erreur = 2, "Serveur d'envoi injoignable (ConnectionRefusedError)."
    parti = deposer_message(make_apprenant(prenom="Bernard"), 4)
    parti.statut, parti.envoye_at = "envoye", utcnow()
    ailleurs = make_structure()
    deposer_message(make_apprenant(prenom="Horsdici", structure=ailleurs), 5)
    db.session.commit()

    a_envoyer = lire(browser, "/messages/")
    assert "Josiane" in a_envoyer and "Marc" in a_envoyer
    assert "Aïcha" not in a_envoyer and "Bernard" not in a_envoyer and "Horsdici" not in a_envoyer
    assert "06 12 34 56 78" in a_envoyer and sms.corps in a_envoyer  # the number as displayed, the text to copy
    assert "à envoyer à la main à <strong>marc@exemple.fr</strong>" in a_envoyer  # no SMTP: by hand
    assert "Messages (3)" in a_envoyer  # the menu counts what is still to send, failed attempts included

    echecs = lire(browser, "/messages/?etat=echec")
    assert "Aïcha" in echecs and "2 essais ratés : Serveur d'envoi injoignable" in echecs
    assert "Josiane" not in echecs
    envoyes = lire(browser, "/messages/?etat=envoye")
    assert "Bernard" in envoyes and "Josiane" not in envoyes
    par_sms = lire(browser, "/messages/?canal=email")
    assert "Marc" in par_sms and "Josiane" not in par_sms
    assert (
        email.id
        and db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Journal)
            .where(Journal.objet == "message", Journal.action == "consultation")
        )
        == 4
    )

    mauvais = lire(browser, "/messages/?etat=tout&canal=pigeon")
    assert "Choisissez dans la liste." in mauvais and "Choisissez un moyen de la liste." in mauvais


def test_an_sms_sent_by_hand_is_marked_sent_by_the_mediator(browser, mediatrice, make_apprenant):
    sms = deposer_message(make_apprenant(telephone="+33612345678"), 1)

    refuse = browser.client.post(f"/messages/{sms.id}/envoye")  # no CSRF token
    assert refuse.status_code == 400
    reponse = post(browser, f"/messages/{sms.id}/envoye?canal=sms")

    assert reponse.status_code == 302 and reponse.headers["Location"].endswith("/messages/?canal=sms")
    db.session.refresh(sms)
    assert (sms.statut, sms.envoye_par_id) == ("envoye", mediatrice.id) and sms.envoye_at is not None
    page = lire(browser, "/messages/?etat=envoye")
    assert "à la main" in page


def test_an_email_is_not_marked_by_hand_once_smtp_sends_it(app, browser, mediatrice, make_apprenant):
    app.config.update(SMTP_HOST="relais.exemple.fr", SMTP_FROM="ateliers@exemple.fr")
    email = deposer_message(make_apprenant(email="marc@exemple.fr"), 1, canal="email")

    page = lire(browser, "/messages/")
    assert "Part tout seul" in page and "Marquer comme envoyé" not in page
    reponse = post(browser, f"/messages/{email.id}/envoye")
    assert reponse.status_code == 302
    db.session.refresh(email)
    assert email.statut == "a_envoyer"
    assert "inutile de le marquer comme envoyé" in lire(browser, "/messages/")


def test_a_failed_or_dropped_message_is_resent_only_while_its_moment_has_not_passed(
    browser, mediatrice, make_apprenant
):
    apprenant = make_apprenant(email="marc@exemple.fr")
    abandonne = deposer_message(apprenant, 1, canal="email")
    abandonne.statut, abandonne.derniere_erreur, abandonne.tentatives = "abandonne", "Adresse refusée (code 550).", 1
    trop_tard = deposer_message(apprenant, 2, canal="email", valable_jusqu_a=utcnow() + timedelta(seconds=1))
    trop_tard.statut, trop_tard.derniere_erreur, trop_tard.tentatives = "abandonne", "Serveur injoignable.", 3
    annule = deposer_message(apprenant, 3, canal="email")
    annule.statut = "abandonne"  # dropped by the domain before any attempt (its session cancelled)
    db.session.commit()
    page = lire(browser, "/messages/?etat=echec")
    assert page.count(">Renvoyer<") == 2 and f'action="/messages/{annule.id}/renvoyer' not in page
    post(browser, f"/messages/{annule.id}/renvoyer?etat=echec", page="/messages/?etat=echec")
    assert "il n'y a rien à renvoyer" in lire(browser, "/messages/?etat=echec")

    post(browser, f"/messages/{abandonne.id}/renvoyer?etat=echec", page="/messages/?etat=echec")
    db.session.refresh(abandonne)
    assert (abandonne.statut, abandonne.derniere_erreur, abandonne.tentatives) == ("a_envoyer", None, 1)

    trop_tard.valable_jusqu_a = utcnow() - timedelta(minutes=1)
    db.session.commit()
    post(browser, f"/messages/{trop_tard.id}/renvoyer?etat=echec", page="/messages/?etat=echec")
    db.session.refresh(trop_tard)
    assert trop_tard.statut == "abandonne"
    assert "Trop tard pour le renvoyer" in lire(browser, "/messages/?etat=echec")


def test_the_days_letters_print_as_one_pdf_then_are_marked_sent(browser, mediatrice, make_apprenant, structure):
    structure.adresse, structure.telephone = "2 place de la République", "+33556123456"
    lettres = [
        deposer_message(
            make_apprenant(
                prenom=prenom, nom=nom, adresse="12 rue des Lilas", code_postal="33160", commune="Saint-Médard"
            ),
            numero,
            canal="courrier",
        )
        for numero, (prenom, nom) in enumerate([("Josiane", "Lefèvre"), ("Marc", "Durand")])
    ]
    page = lire(browser, "/messages/")
    assert "2 courriers à imprimer" in page and "Imprimer les courriers à envoyer" in page
    ids = [str(m.id) for m in lettres]

    reponse = post(browser, "/messages/courriers.pdf", {"ids": ids})

    assert reponse.mimetype == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(reponse.data)).pages]
    assert len(pages) == 2
    assert "Josiane LEFÈVRE" in pages[0] and "33160 SAINT-MÉDARD" in pages[0] and "Marc DURAND" in pages[1]
    assert "Tél. 05 56 12 34 56" in pages[0]
    assert db.session.scalar(sa.select(Journal.details).where(Journal.action == "export")).startswith("courriers")
    assert {m.statut for m in db.session.scalars(sa.select(Message))} == {"a_envoyer"}  # printing marks nothing

    post(browser, "/messages/courriers/envoyes", {"ids": ids})
    assert {(m.statut, m.envoye_par_id) for m in db.session.scalars(sa.select(Message))} == {("envoye", mediatrice.id)}
    assert "2 courriers marqués comme envoyés." in lire(browser, "/messages/")


def test_only_the_structures_admin_and_mediator_reach_the_outbox(
    app, browser, make_compte, make_apprenant, make_structure
):
    ailleurs = make_structure()
    etranger = deposer_message(make_apprenant(structure=ailleurs), 1)
    for role in ("benevole", "direction"):
        autre = Browser(app.test_client())
        autre.login(make_compte(role))
        assert autre.get("/messages/").status_code == 403
        assert "/messages/" not in autre.get("/").get_data(as_text=True)  # not in their menu
    browser.login(make_compte("admin"))
    assert browser.get("/messages/").status_code == 200
    assert post(browser, f"/messages/{etranger.id}/envoye").status_code == 404
    assert post(browser, f"/messages/{etranger.id}/renvoyer").status_code == 404
    post(browser, "/messages/courriers/envoyes", {"ids": [str(etranger.id)]})
    db.session.refresh(etranger)
    assert etranger.statut == "a_envoyer"


def test_the_outbox_costs_the_same_queries_whatever_the_number_of_messages(
    browser, mediatrice, make_apprenant, count_queries
):
    for numero, canal in enumerate(("sms", "email", "courrier")):
        deposer_message(make_apprenant(email="a@exemple.fr", adresse="1 rue", commune="Ville"), numero, canal=canal)
    with count_queries() as few:
        browser.get("/messages/")
    for numero in range(3, 30):
        deposer_message(
            make_apprenant(email="a@exemple.fr", adresse="1 rue", commune="Ville"),
            numero,
            canal=("sms", "email", "courrier")[numero % 3],
        )
    with count_queries() as many:
        html = lire(browser, "/messages/")
    assert len(many) == len(few)
    assert len(re.findall(r'class="card message"', html)) == 30


def test_the_smtp_password_never_reaches_the_outbox_page(app, browser, mediatrice, make_apprenant, tmp_path, caplog):
    relais = ServeurSmtp(mode="login", dossier=tmp_path).demarrer()
    config = relais.config(SMTP_PASSWORD=MOT_DE_PASSE + "-faux")
    app.config.update(config)
    try:
        message = deposer_message(make_apprenant(email="marc@exemple.fr"), 1, canal="email")
        envoyer(utcnow(), transports(app.config))
    finally:
        relais.arreter()
    db.session.refresh(message)
    assert message.derniere_erreur.startswith("Identifiant ou mot de passe SMTP refusé")

    page = lire(browser, "/messages/?etat=echec")

    assert "Identifiant ou mot de passe SMTP refusé" in page
    assert MOT_DE_PASSE not in page and MOT_DE_PASSE not in caplog.text
