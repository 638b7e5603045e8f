"""Sending an attestation to its learner through the outbox (issue 11, item 5): by email with the PDF attached,
or by letter with the attestation printed after the covering letter. Services flush; the route commits.

The PDF is rendered here, when the message is deposited (in the web request), and stored with the message
(``core.models.PieceJointe``): the ``envoyer`` sweep runs in the scheduler process, which never loads the PDF stack
(``tests/services/test_lazy_pdf.py``). A message is keyed ``attestation:<id>:<channel>``: each attestation goes at
most once by email and once by letter, whatever is clicked twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ateliers.models import Atelier
from attestations import queries
from attestations.constants import CANAUX_ATTESTATION
from attestations.constants import cle_message as cle
from attestations.models import Attestation
from attestations.services import images_de
from core import journal
from core.errors import DomainError
from core.messagerie.depot import canaux_possibles, deposer
from core.messagerie.transports import Piece
from core.models import Apprenant, Compte, Message
from extensions import db

SANS_EMAIL = (
    "Pas d'adresse électronique pour cette personne : ajoutez-la sur sa fiche, ou envoyez l'attestation par courrier."
)
SANS_ADRESSE = (
    "Pas d'adresse postale complète pour cette personne (rue, et code postal ou commune) : complétez sa fiche, "
    "ou envoyez l'attestation par courriel."
)


def canal_de_remise(apprenant: Apprenant) -> str | None:
    """How an attestation reaches ``apprenant`` when the mediator sends to everyone: by email when there is an
    address, else by letter when there is a postal address, else None (hand it over in person)."""
    possibles = canaux_possibles(apprenant)
    return next((canal for canal in CANAUX_ATTESTATION if canal in possibles), None)


def envoyer(auteur: Compte, attestation: Attestation, canal: str, *, now: datetime) -> Message:
    """Deposit ``attestation`` for its learner on ``canal`` ("email" or "courrier"), its PDF rendered now and
    stored with the message; flush only. Journaled (ids, number and channel).

    :param now: the present moment (naive UTC): the message may go from then on, and never expires.
    :return: the message, "a_envoyer" (an email goes at the sweep's next run when SMTP is set; a letter is
        printed from the outbox with the attestation after it).
    :raise DomainError: beside "canal": an unknown channel, no email address (``SANS_EMAIL``), no postal address
        (``SANS_ADRESSE``); without a field: the attestation is revoked, or already deposited on that channel.
    """
    return _envoyer(auteur, attestation, canal, now=now, images=images_de([attestation.contenu]))


@dataclass
class Bilan:
    """What sending a workshop's attestations did: messages deposited by email and by letter, attestations that
    had gone already, and the learners no channel reaches (the page names them)."""

    courriels: int = 0
    courriers: int = 0
    deja: int = 0
    sans_moyen: list[Apprenant] = field(default_factory=list)


def envoyer_atelier(auteur: Compte, atelier: Atelier, *, now: datetime) -> Bilan:
    """Send each attestation of ``atelier`` not revoked and not sent yet (on any channel) to its learner: by
    email where there is an address, else by letter, else nothing (counted in ``sans_moyen``); flush only.

    :return: what was done (:class:`Bilan`).
    """
    valides = queries.valides_de_atelier(atelier.id)
    parties = deja_envoyees([a.id for a in valides])
    bilan = Bilan()
    images = images_de([a.contenu for a in valides])
    for attestation in valides:
        if attestation.id in parties:
            bilan.deja += 1
            continue
        apprenant = attestation.inscription.apprenant
        canal = canal_de_remise(apprenant)
        if canal is None:
            bilan.sans_moyen.append(apprenant)
            continue
        _envoyer(auteur, attestation, canal, now=now, images=images)
        if canal == "email":
            bilan.courriels += 1
        else:
            bilan.courriers += 1
    if bilan.courriels or bilan.courriers:
        journal.record(
            auteur,
            "creation",
            "atelier",
            atelier.id,
            f"envoi des attestations : {bilan.courriels} par courriel, {bilan.courriers} par courrier, "
            f"{len(bilan.sans_moyen)} sans moyen de les joindre",
        )
    return bilan


def deja_envoyees(attestation_ids: list[int]) -> set[int]:
    """Those of ``attestation_ids`` with a message in the outbox, on any channel and in any state (one query)."""
    if not attestation_ids:
        return set()
    cles = [cle(i, canal) for i in attestation_ids for canal in CANAUX_ATTESTATION]
    return {int(c.split(":")[1]) for c in db.session.scalars(sa.select(Message.cle).where(Message.cle.in_(cles)))}


def messages_de(attestation_ids: list[int]) -> dict[int, list[Message]]:
    """The outbox messages of ``attestation_ids``, by attestation id, oldest first (one query): the page shows
    how each went."""
    if not attestation_ids:
        return {}
    cles = [cle(i, canal) for i in attestation_ids for canal in CANAUX_ATTESTATION]
    par_attestation: dict[int, list[Message]] = {}
    for message in db.session.scalars(sa.select(Message).where(Message.cle.in_(cles)).order_by(Message.id)):
        par_attestation.setdefault(int(message.cle.split(":")[1]), []).append(message)
    return par_attestation


def _envoyer(auteur: Compte, attestation: Attestation, canal: str, *, now: datetime, images) -> Message:
    from attestations import attestation_pdf  # PDF stack loaded on first use (core/pdf.py)

    if canal not in CANAUX_ATTESTATION:
        raise DomainError("Choisissez courriel ou courrier.", "canal")
    if attestation.is_revoquee:
        raise DomainError("Cette attestation est révoquée : elle ne s'envoie plus.")
    apprenant = attestation.inscription.apprenant
    if canal not in canaux_possibles(apprenant):
        raise DomainError(SANS_EMAIL if canal == "email" else SANS_ADRESSE, "canal")
    contenu = attestation.contenu
    numero = attestation.numero
    piece = Piece(
        nom=f"attestation-{numero.lower()}.pdf",
        type_media="application/pdf",
        contenu=attestation_pdf.render(contenu, images=images),
    )
    message = deposer(
        apprenant,
        cle=cle(attestation.id, canal),
        type="attestation",
        canal=canal,
        objet=f"Votre attestation de fin d'atelier (n° {numero})",
        corps=texte(apprenant.prenom, contenu, canal),
        valable_jusqu_a=None,
        now=now,
        pieces_jointes=[piece],
    )
    if message is None:
        raise DomainError(
            f"L'attestation n° {numero} est déjà dans la boîte d'envoi {CANAUX_ATTESTATION[canal]} : "
            "voyez-y où elle en est."
        )
    journal.record(auteur, "creation", "message", message.id, f"attestation n° {numero} {CANAUX_ATTESTATION[canal]}")
    db.session.flush()
    return message


def texte(prenom: str, contenu: dict, canal: str) -> str:
    """The words of the message (email body or covering letter) for an attestation's ``contenu`` (snapshot)."""
    ou = "jointe à ce message (fichier PDF)" if canal == "email" else "sur la page suivante"
    structure = contenu["structure"]
    lignes = [
        f"Bonjour {prenom},",
        "",
        f"Vous avez suivi l'atelier « {contenu['atelier']['intitule']} » à {structure['nom']}. "
        f"Votre attestation n° {contenu['numero']} est {ou}.",
        "",
        "Gardez-la : vous pouvez la montrer à un employeur ou à un service social. Chacun peut vérifier qu'elle "
        f"est authentique avec son code {contenu['code']} à l'adresse {contenu['url_verification']}.",
        "",
        structure["nom"],
    ]
    if structure.get("telephone"):
        lignes.append(f"Tél. {structure['telephone']}")
    return "\n".join(lignes)
