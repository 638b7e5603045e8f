"""Putting a message in the outbox: the channel a learner is reached through, and the one write of a Message.

The domain composes the text (``entrainements.textes`` for practice sessions) and calls :func:`deposer`; the
``envoyer`` sweep sends it later. Flush only; the caller commits with the change the message announces, so a
crash between the two leaves neither (issue 10: a booking and its convocation are written together).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import phonenumbers
import sqlalchemy as sa

from core.messagerie.transports import Piece
from core.models import Apprenant, Message, PieceJointe
from extensions import db

# Channels tried when the preferred one is missing (issue 10, item 5: no email -> SMS -> letter).
ORDRE_DE_REPLI = ("email", "sms", "courrier")


# Metropolitan France's plan (ARCEP): +33 6 and +33 7 are mobiles, +33 1 to 5 geographic fixed lines, +33 8
# special-rate and +33 9 non-geographic (VoIP) numbers. Read from the number's first digit, as libphonenumber
# reads it, without its metadata's regular expressions (the booking sweep asks for 10,000 numbers at once).
# tests/unit/test_messagerie_canaux.py checks the answer is libphonenumber's for every such prefix.
MOBILES_METROPOLE = ("+336", "+337")
NON_MOBILES_METROPOLE = ("+331", "+332", "+333", "+334", "+335", "+338", "+339")


def peut_recevoir_sms(telephone: str | None) -> bool:
    """Whether ``telephone`` (E.164, as stored) is a mobile number, which alone receives SMS (libphonenumber's
    number type: mobile, or "fixed line or mobile" where the plan does not tell them apart).

    A metropolitan number of the right length (+33 and 9 digits) is read from its first digit
    (:data:`MOBILES_METROPOLE`); any other, overseas included, through libphonenumber.
    """
    if not telephone:
        return False
    if len(telephone) == 12 and telephone[3:].isdigit():
        if telephone.startswith(MOBILES_METROPOLE):
            return True
        if telephone.startswith(NON_MOBILES_METROPOLE):
            return False
    try:
        numero = phonenumbers.parse(telephone, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(numero) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def canaux_possibles(apprenant: Apprenant) -> tuple[str, ...]:
    """The channels (``CANAUX_MESSAGE`` codes) that can reach ``apprenant``, in ``ORDRE_DE_REPLI`` order: an
    email address, a mobile number, a postal address (street and postcode or commune)."""
    possibles = []
    if apprenant.email:
        possibles.append("email")
    if peut_recevoir_sms(apprenant.telephone):
        possibles.append("sms")
    if apprenant.adresse and (apprenant.code_postal or apprenant.commune):
        possibles.append("courrier")
    return tuple(possibles)


def canal_pour(apprenant: Apprenant) -> str | None:
    """The channel a message to ``apprenant`` goes through: the preferred one when it can reach them (a
    preference for phone calls means SMS), else the first possible of ``ORDRE_DE_REPLI``; None when nothing can
    reach them (the mediator is told: no way to send a convocation)."""
    possibles = canaux_possibles(apprenant)
    prefere = {"telephone": "sms"}.get(apprenant.canal_prefere, apprenant.canal_prefere)
    if prefere in possibles:
        return prefere
    return possibles[0] if possibles else None


def deposer(
    apprenant: Apprenant,
    *,
    cle: str,
    type: str,
    canal: str,
    objet: str,
    corps: str,
    valable_jusqu_a: datetime | None,
    now: datetime,
    pieces_jointes: Sequence[Piece] = (),
) -> Message | None:
    """Put a message in the outbox once: None, and nothing written, when a message with ``cle`` already exists
    (a sweep run twice writes it once). Flush only.

    :param cle: what the message is about, unique (``"convocation:<reservation id>"``), at most 80 characters.
    :param type: a ``TYPES_MESSAGE`` code; ``canal``: a ``CANAUX_MESSAGE`` code (see :func:`canal_pour`).
    :param objet: the subject or letter title; ``corps``: the plain text composed for ``canal``.
    :param valable_jusqu_a: naive UTC moment the message speaks of; it is never sent from then on.
    :param now: the present moment (naive UTC): the first attempt may be made from it.
    :param pieces_jointes: files sent with it, already rendered (the sweep that sends renders nothing): an email
        attaches them, a letter prints them after itself.
    :return: the new message, "a_envoyer".
    """
    existe = db.session.scalar(sa.select(Message.id).where(Message.cle == cle))
    if existe is not None:
        return None
    message = Message(
        structure_id=apprenant.structure_id,
        apprenant_id=apprenant.id,
        cle=cle,
        type=type,
        canal=canal,
        objet=objet,
        corps=corps,
        valable_jusqu_a=valable_jusqu_a,
        prochain_essai_at=now,
        created_at=now,
        pieces_jointes=[
            PieceJointe(nom_fichier=piece.nom, type_media=piece.type_media, contenu=piece.contenu)
            for piece in pieces_jointes
        ],
    )
    db.session.add(message)
    db.session.flush()
    return message


def deposer_tous(messages: list[dict], *, now: datetime) -> int:
    """Put many messages in the outbox at once (a sweep's convocations): :func:`deposer` for each, with one query
    for the keys that exist and one multi-row INSERT. Flush only.

    :param messages: the keyword arguments of :func:`deposer` for each message (``apprenant``, ``cle``, ``type``,
        ``canal``, ``objet``, ``corps``, ``valable_jusqu_a``); a key that exists, or comes twice, is written once.
    :return: the number of messages written, "a_envoyer".
    """
    if not messages:
        return 0
    existantes = set(db.session.scalars(sa.select(Message.cle).where(Message.cle.in_([m["cle"] for m in messages]))))
    lignes = []
    for valeurs in messages:
        if valeurs["cle"] in existantes:
            continue
        existantes.add(valeurs["cle"])
        apprenant = valeurs["apprenant"]
        lignes.append(
            {
                "structure_id": apprenant.structure_id,
                "apprenant_id": apprenant.id,
                "cle": valeurs["cle"],
                "type": valeurs["type"],
                "canal": valeurs["canal"],
                "objet": valeurs["objet"],
                "corps": valeurs["corps"],
                "valable_jusqu_a": valeurs["valable_jusqu_a"],
                "statut": "a_envoyer",
                "tentatives": 0,
                "prochain_essai_at": now,
                "created_at": now,
            }
        )
    if lignes:
        db.session.flush()
        db.session.execute(sa.insert(Message), lignes)
    return len(lignes)
