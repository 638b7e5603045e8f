"""Sending an attestation to its learner (issue 11, item 5): by email with the PDF attached, received by a real
SMTP server (aiosmtpd), or by letter with the attestation printed after the covering letter; the whole workshop
at once; refusals in French."""

from __future__ import annotations

import io
from datetime import datetime

import pypdf
import pytest
import sqlalchemy as sa

from attestations import envois, services
from core.errors import DomainError
from core.messagerie import boite
from core.messagerie.canaux import transports
from core.messagerie.courrier_pdf import courriers_pdf
from core.messagerie.envoi import envoyer as envoyer_la_boite
from core.models import Journal, Message, PieceJointe
from extensions import db
from tests.ateliers_fixtures import inscription_of
from tests.attestations_fixtures import APRES_LA_FIN, BASE_URL
from tests.smtp_server import ServeurSmtp

NOW = datetime(2026, 5, 12, 9, 0)


def texte_pdf(contenu: bytes, pages: slice = slice(None)) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(contenu)).pages[pages])


@pytest.fixture
def emises(atelier_clos, mediatrice):
    """Martin's attestation (finished) and Bernard's attendance-only one (on request)."""
    martin = services.emettre(
        mediatrice, inscription_of(atelier_clos, "Martin"), today=APRES_LA_FIN, now=NOW, base_url=BASE_URL
    )
    bernard = services.emettre(
        mediatrice,
        inscription_of(atelier_clos, "Bernard"),
        presence_seule=True,
        today=APRES_LA_FIN,
        now=NOW,
        base_url=BASE_URL,
    )
    db.session.commit()
    return martin, bernard


@pytest.fixture
def serveur(tmp_path):
    started = ServeurSmtp(mode="plain", dossier=tmp_path).demarrer()
    yield started
    started.arreter()


def test_the_email_received_carries_the_attestation_pdf_with_its_number(emises, mediatrice, serveur):
    martin, _ = emises
    martin.inscription.apprenant.email = "josiane@exemple.fr"
    message = envois.envoyer(mediatrice, martin, "email", now=NOW)
    db.session.commit()
    assert (message.type, message.canal, message.valable_jusqu_a) == ("attestation", "email", None)

    bilan = envoyer_la_boite(NOW, transports(serveur.config()))

    assert bilan.envoyes == 1
    ((_expediteur, destinataires, email),) = serveur.boite.recus
    assert destinataires == ["josiane@exemple.fr"] and email.get_content_type() == "multipart/mixed"
    assert email["Content-Language"] == "fr"
    corps = email.get_body(preferencelist=("plain",)).get_content()
    assert f"Votre attestation n° {martin.numero} est jointe à ce message" in corps
    (piece,) = list(email.iter_attachments())
    assert piece.get_content_type() == "application/pdf"
    assert piece.get_filename() == f"attestation-{martin.numero.lower()}.pdf"
    pdf = piece.get_content()
    assert pdf.startswith(b"%PDF") and martin.numero in texte_pdf(pdf)
    db.session.refresh(message)
    assert message.statut == "envoye"


def test_a_letter_prints_the_attestation_after_the_covering_letter(emises, mediatrice, structure):
    martin, _ = emises
    apprenant = martin.inscription.apprenant
    apprenant.adresse, apprenant.code_postal, apprenant.commune = "12 rue des Lilas", "33160", "Saint-Médard"
    envois.envoyer(mediatrice, martin, "courrier", now=NOW)
    db.session.commit()

    lettres = boite.courriers_a_envoyer(structure.id, None, NOW)
    contenu = courriers_pdf(boite.en_courriers(structure, lettres), titre="Courriers", auteur=structure.nom)

    lettre, attestation = (" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(contenu)).pages)
    assert f"Votre attestation n° {martin.numero} est sur la page suivante" in lettre and "SAINT-MÉDARD" in lettre
    assert martin.numero in attestation and "ATTESTATION" in attestation.upper()
    assert pypdf.PdfReader(io.BytesIO(contenu)).metadata.title == "Courriers"


def test_without_email_or_address_the_refusal_says_what_to_do(emises, mediatrice):
    martin, _ = emises
    for canal, attendu in (("email", envois.SANS_EMAIL), ("courrier", envois.SANS_ADRESSE)):
        with pytest.raises(DomainError) as refus:
            envois.envoyer(mediatrice, martin, canal, now=NOW)
        assert (refus.value.message, refus.value.field) == (attendu, "canal")
    with pytest.raises(DomainError, match="courriel ou courrier"):
        envois.envoyer(mediatrice, martin, "sms", now=NOW)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_one_attestation_goes_once_per_channel_and_never_once_revoked(emises, mediatrice):
    martin, bernard = emises
    martin.inscription.apprenant.email = "josiane@exemple.fr"
    envois.envoyer(mediatrice, martin, "email", now=NOW)
    db.session.commit()
    with pytest.raises(DomainError, match="déjà dans la boîte d'envoi par courriel"):
        envois.envoyer(mediatrice, martin, "email", now=NOW)
    db.session.rollback()
    services.revoquer(mediatrice, bernard, "erreur", now=NOW)
    bernard.inscription.apprenant.email = "marcel@exemple.fr"
    with pytest.raises(DomainError, match="révoquée"):
        envois.envoyer(mediatrice, bernard, "email", now=NOW)


def test_sending_to_everyone_uses_email_else_letter_else_names_who_has_neither(
    emises, mediatrice, atelier_clos, make_apprenant
):
    martin, bernard = emises
    martin.inscription.apprenant.email = "josiane@exemple.fr"
    db.session.commit()

    bilan = envois.envoyer_atelier(mediatrice, atelier_clos, now=NOW)
    db.session.commit()

    assert (bilan.courriels, bilan.courriers, bilan.deja) == (1, 0, 0)
    assert [a.nom for a in bilan.sans_moyen] == ["Bernard"]
    bernard.inscription.apprenant.adresse, bernard.inscription.apprenant.commune = "3 allée des Pins", "Testville"
    db.session.commit()
    again = envois.envoyer_atelier(mediatrice, atelier_clos, now=NOW)
    db.session.commit()
    assert (again.courriels, again.courriers, again.deja, again.sans_moyen) == (0, 1, 1, [])
    canaux = db.session.execute(sa.select(Message.cle, Message.canal).order_by(Message.id)).all()
    assert canaux == [(f"attestation:{martin.id}:email", "email"), (f"attestation:{bernard.id}:courrier", "courrier")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PieceJointe)) == 2
    details = db.session.scalars(sa.select(Journal.details).where(Journal.objet.in_(("message", "atelier")))).all()
    assert f"attestation n° {martin.numero} par courriel" in details
    assert "envoi des attestations : 1 par courriel, 0 par courrier, 1 sans moyen de les joindre" in details
    assert not any("Josiane" in d or "Bernard" in d or "@" in d for d in details)  # ids and counts only


def test_revoking_withdraws_what_still_waits_in_the_outbox(emises, mediatrice, structure, serveur):
    """An error seen after "Envoyer à chacun": revoked, the attestation neither goes by the next sweep nor prints
    with the letters (it would reach the person without "RÉVOQUÉE"), nor can it be resent from the outbox; what
    has gone already stays as it was."""
    martin, bernard = emises
    apprenant = martin.inscription.apprenant
    apprenant.email = "josiane@exemple.fr"
    apprenant.adresse, apprenant.code_postal, apprenant.commune = "12 rue des Lilas", "33160", "Saint-Médard"
    courriel = envois.envoyer(mediatrice, martin, "email", now=NOW)
    lettre = envois.envoyer(mediatrice, martin, "courrier", now=NOW)
    courriel.tentatives, courriel.derniere_erreur = 1, "relais injoignable"  # a first try failed
    bernard.inscription.apprenant.email = "marcel@exemple.fr"
    parti = envois.envoyer(mediatrice, bernard, "email", now=NOW)
    parti.statut, parti.envoye_at = "envoye", NOW
    db.session.commit()

    services.revoquer(mediatrice, martin, "erreur", now=NOW)
    services.revoquer(mediatrice, bernard, "erreur", now=NOW)
    db.session.commit()

    assert envoyer_la_boite(NOW, transports(serveur.config())).envoyes == 0
    assert serveur.boite.recus == []
    assert boite.courriers_a_envoyer(structure.id, None, NOW) == []
    for message in (courriel, lettre):
        db.session.refresh(message)
        assert message.statut == "abandonne" and "révoquée" in message.derniere_erreur
        assert not boite.peut_renvoyer(message, NOW)
    db.session.refresh(parti)
    assert parti.statut == "envoye"
