"""The ``envoyer`` sweep against a real SMTP server (aiosmtpd): what is received, login, TLS, a server that is
down then back, idempotence, messages too late, the password kept out of logs and errors."""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core.messagerie import envoi as sweep
from core.messagerie.canaux import transports
from core.messagerie.depot import deposer
from core.messagerie.envoi import RAISON_TROP_TARD, attente_apres, envoyer
from core.models import Message
from extensions import db
from tests.smtp_server import MOT_DE_PASSE, ServeurSmtp

NOW = datetime(2026, 6, 1, 8, 0)
CORPS = "Bonjour Josiane,\n\nQuand : mardi 2 juin à 14 h 00.\nOù : salle Émile-Zola.\nÀ apporter : votre téléphone."


@pytest.fixture
def serveur(request, tmp_path):
    mode = getattr(request, "param", "plain")
    started = ServeurSmtp(mode=mode, dossier=tmp_path).demarrer()
    yield started
    started.arreter()


def message(apprenant, cle="convocation:1", canal="email", valable=NOW + timedelta(days=1), **overrides) -> Message:
    values = {
        "cle": cle,
        "type": "convocation",
        "canal": canal,
        "objet": "Entraînement mardi 2 juin à 14 h 00",
        "corps": CORPS,
        "valable_jusqu_a": valable,
        "now": NOW,
        **overrides,
    }
    created = deposer(apprenant, **values)
    db.session.commit()
    return created


def test_the_email_reaches_the_smtp_server_with_its_text_and_french_headers(structure, make_apprenant, serveur):
    apprenant = make_apprenant(prenom="Josiane", nom="Lefèvre", email="josiane@exemple.fr")
    envoye = message(apprenant)

    bilan = envoyer(NOW, transports(serveur.config()))

    assert (bilan.envoyes, bilan.echecs) == (1, 0)
    ((expediteur, destinataires, email),) = serveur.boite.recus
    assert expediteur == "ateliers@ccas-saint-test.fr" and destinataires == ["josiane@exemple.fr"]
    assert email["Subject"] == "Entraînement mardi 2 juin à 14 h 00"
    assert email["From"].addresses[0].display_name == "CCAS de Saint-Test"
    assert email["To"].addresses[0].display_name == "Josiane Lefèvre"
    assert (email["Content-Language"], email["Auto-Submitted"]) == ("fr", "auto-generated")
    assert email["Date"] and email["Message-ID"].endswith("@ccas-saint-test.fr>")
    assert not email.is_multipart() and email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content().replace("\r\n", "\n").rstrip("\n") == CORPS
    db.session.refresh(envoye)
    assert (envoye.statut, envoye.envoye_at, envoye.tentatives, envoye.envoye_par_id) == ("envoye", NOW, 1, None)


@pytest.mark.parametrize("serveur", ["login", "starttls", "ssl"], indirect=True)
def test_login_over_each_kind_of_connection_and_the_password_never_logged(structure, make_apprenant, serveur, caplog):
    caplog.set_level(logging.DEBUG)
    envoye = message(make_apprenant(email="josiane@exemple.fr"))

    envoyer(NOW, transports(serveur.config()))

    assert len(serveur.boite.recus) == 1 and serveur.boite.connectes == ["ateliers@relais.test"]
    db.session.refresh(envoye)
    assert envoye.statut == "envoye"
    assert_password_not_logged(caplog)


def assert_password_not_logged(caplog):
    # The test server's own logger ("mail.log") is not the application's; every other record is checked.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert ours  # the sweep did log
    for forme in (MOT_DE_PASSE, base64.b64encode(MOT_DE_PASSE.encode()).decode()):
        assert forme not in ours


def test_a_refused_password_is_a_reason_without_the_password(structure, make_apprenant, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    relais = ServeurSmtp(mode="login", dossier=tmp_path).demarrer()
    try:
        envoye = message(make_apprenant(email="josiane@exemple.fr"))
        envoyer(NOW, transports(relais.config(SMTP_PASSWORD=MOT_DE_PASSE + "-faux")))
    finally:
        relais.arreter()
    db.session.refresh(envoye)
    assert relais.boite.refus_de_connexion > 0 and relais.boite.connectes == []
    assert (envoye.statut, envoye.tentatives) == ("a_envoyer", 1)
    assert envoye.derniere_erreur == "Identifiant ou mot de passe SMTP refusé par le serveur (code 535)."
    assert MOT_DE_PASSE not in caplog.text and "josiane@exemple.fr" not in caplog.text


def test_smtp_down_keeps_the_message_then_sends_it_when_the_server_is_back(structure, make_apprenant, serveur):
    envoye = message(make_apprenant(email="josiane@exemple.fr"))
    config = transports(serveur.config())
    serveur.arreter()

    bilan = envoyer(NOW, config)

    assert (bilan.envoyes, bilan.echecs) == (0, 1)
    db.session.refresh(envoye)
    assert (envoye.statut, envoye.tentatives) == ("a_envoyer", 1)
    assert envoye.derniere_erreur == "Serveur d'envoi injoignable (ConnectionRefusedError)."
    assert envoye.prochain_essai_at == NOW + timedelta(minutes=1)
    serveur.demarrer()
    assert envoyer(NOW + timedelta(seconds=30), config).envoyes == 0  # its backoff has not passed
    assert envoyer(NOW + timedelta(minutes=1), config).envoyes == 1
    db.session.refresh(envoye)
    assert (envoye.statut, envoye.tentatives, envoye.derniere_erreur) == ("envoye", 2, None)
    assert len(serveur.boite.recus) == 1


def test_the_sweep_run_twice_sends_once(structure, make_apprenant, serveur):
    for numero in range(3):
        message(make_apprenant(email=f"personne{numero}@exemple.fr"), cle=f"convocation:{numero}")
    config = transports(serveur.config())

    assert envoyer(NOW, config).envoyes == 3
    assert envoyer(NOW, config).envoyes == 0
    assert envoyer(NOW + timedelta(hours=1), config).envoyes == 0
    assert len(serveur.boite.recus) == 3


def test_a_message_claimed_by_one_run_is_not_taken_by_another(structure, make_apprenant):
    envoye = message(make_apprenant(email="josiane@exemple.fr"))

    assert sweep._reserver(envoye.id, NOW) is not None
    assert sweep._reserver(envoye.id, NOW) is None  # the other run loses the conditional UPDATE
    # A run that died holding it: another takes it once the reservation has passed.
    assert sweep._reserver(envoye.id, NOW + sweep.DUREE_RESERVATION) is not None


def test_a_message_whose_moment_has_passed_is_dropped_not_sent(structure, make_apprenant, serveur):
    apprenant = make_apprenant(email="josiane@exemple.fr")
    trop_tard = message(apprenant, cle="rappel:1", valable=NOW)
    sms = message(apprenant, cle="rappel:2", canal="sms", valable=NOW - timedelta(minutes=1))
    a_temps = message(apprenant, cle="rappel:3", valable=NOW + timedelta(minutes=1))

    bilan = envoyer(NOW, transports(serveur.config()))

    assert (bilan.envoyes, bilan.abandonnes) == (1, 2)
    assert [email["Subject"] for _, _, email in serveur.boite.recus] == [a_temps.objet]
    for abandonne in (trop_tard, sms):
        db.session.refresh(abandonne)
        assert (abandonne.statut, abandonne.derniere_erreur, abandonne.tentatives) == ("abandonne", RAISON_TROP_TARD, 0)


def test_without_smtp_emails_sms_and_letters_stay_for_the_mediator(structure, make_apprenant):
    apprenant = make_apprenant(email="josiane@exemple.fr")
    for numero, canal in enumerate(("email", "sms", "courrier")):
        message(apprenant, cle=f"convocation:{numero}", canal=canal)

    bilan = envoyer(NOW, transports({"SMTP_HOST": ""}))

    assert bilan == sweep.Bilan()
    statuts = db.session.execute(sa.select(Message.statut, Message.tentatives)).all()
    assert statuts == [("a_envoyer", 0)] * 3


def test_a_recipient_refused_for_good_is_dropped_with_the_reason(structure, make_apprenant, serveur):
    serveur.boite.refuses.add("inconnue@exemple.fr")
    refuse = message(make_apprenant(email="inconnue@exemple.fr"))

    bilan = envoyer(NOW, transports(serveur.config()))

    assert (bilan.envoyes, bilan.abandonnes) == (0, 1)
    db.session.refresh(refuse)
    assert refuse.statut == "abandonne"
    assert refuse.derniere_erreur == "Adresse du destinataire refusée par le serveur d'envoi (code 550)."


def test_a_learner_without_an_email_any_more_is_dropped_with_the_reason(structure, make_apprenant, serveur):
    apprenant = make_apprenant(email="josiane@exemple.fr")
    sans = message(apprenant)
    apprenant.email = None
    db.session.commit()

    envoyer(NOW, transports(serveur.config()))

    db.session.refresh(sans)
    assert sans.statut == "abandonne" and "Plus d'adresse électronique" in sans.derniere_erreur
    assert serveur.boite.recus == []


def test_backoff_schedule():
    attentes = [attente_apres(n) for n in range(1, 7)]
    assert attentes == [timedelta(minutes=m) for m in (1, 5, 15, 60, 120, 120)]


def test_smtp_settings_without_a_sender_are_refused():
    with pytest.raises(ValueError, match="SMTP_FROM"):
        transports({"SMTP_HOST": "relais.exemple.fr", "SMTP_FROM": ""})
    with pytest.raises(ValueError, match="SMTP_SECURITY"):
        transports({"SMTP_HOST": "relais.exemple.fr", "SMTP_FROM": "a@b.fr", "SMTP_SECURITY": "tls"})


def test_the_scheduler_job_runs_the_sweep_with_the_apps_settings(app, structure, make_apprenant):
    import scheduler

    perime = message(make_apprenant(email="josiane@exemple.fr"), valable=datetime(2000, 1, 1))

    scheduler.envoyer_messages(app)

    assert db.session.scalar(sa.select(Message.statut).where(Message.id == perime.id)) == "abandonne"


def test_a_backends_unexpected_error_is_a_failure_without_its_text(structure, make_apprenant, caplog):
    from core.messagerie.sms import FournisseurSms
    from core.messagerie.transports import Manuel

    class Fragile(FournisseurSms):
        def envoyer_sms(self, numero, texte):
            raise RuntimeError(f"refus pour {numero}")

    sms = message(make_apprenant(telephone="+33612345678"), canal="sms")

    bilan = envoyer(NOW, {"email": Manuel(), "sms": Fragile(), "courrier": Manuel()})

    assert bilan.echecs == 1
    db.session.refresh(sms)
    assert (sms.statut, sms.derniere_erreur) == ("a_envoyer", "Échec de l'envoi (RuntimeError).")
    assert "+33612345678" not in caplog.text


def test_an_sms_provider_behind_the_interface_gets_the_number_and_the_text(structure, make_apprenant, monkeypatch):
    from core.messagerie import sms as module_sms
    from core.messagerie.sms import FournisseurSms

    envoyes = []

    class Fournisseur(FournisseurSms):
        def envoyer_sms(self, numero, texte):
            envoyes.append((numero, texte))

    monkeypatch.setitem(module_sms.FOURNISSEURS, "essai", lambda _config: Fournisseur())
    sms = message(make_apprenant(telephone="+33612345678"), canal="sms", corps="Bonjour Josiane, rappel.")

    assert envoyer(NOW, transports({"SMS_PROVIDER": "essai"})).envoyes == 1

    assert envoyes == [("+33612345678", "Bonjour Josiane, rappel.")]
    db.session.refresh(sms)
    assert sms.statut == "envoye" and sms.envoye_par_id is None
    with pytest.raises(ValueError, match="SMS_PROVIDER inconnu"):
        transports({"SMS_PROVIDER": "pigeon"})
