"""The outbox as the mediator works it (``core.messagerie.routes``): what to send, what was sent, what failed, by
channel; marking by hand what she sent herself; resending; the letters to print. Flush only: the route commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core import journal
from core.database import run_core
from core.errors import DomainError
from core.models import Apprenant, Message, PieceJointe, Structure
from core.text import display_phone
from extensions import db

if TYPE_CHECKING:
    from core.messagerie.courrier_pdf import Courrier

# The outbox's tabs: waiting to be sent (first attempt not made, or made by hand), failed (an attempt failed and
# is tried again, or the message was dropped, with the reason), sent.
ETATS = {"a_envoyer": "À envoyer", "echec": "En échec", "envoye": "Envoyés"}
# Rows shown in a tab at most (the sent tab grows forever; the others stay short).
LIMITE = 200

TROP_TARD = "Trop tard pour le renvoyer : le moment annoncé est passé."


@dataclass(frozen=True)
class Filtres:
    """What the outbox shows: one of ``ETATS``, and one channel (``CANAUX_MESSAGE`` code) or None for all."""

    etat: str = "a_envoyer"
    canal: str | None = None


def _dans_l_etat(etat: str):
    if etat == "envoye":
        return Message.statut == "envoye"
    if etat == "echec":
        return sa.or_(
            Message.statut == "abandonne",
            sa.and_(Message.statut == "a_envoyer", Message.derniere_erreur.is_not(None)),
        )
    return sa.and_(Message.statut == "a_envoyer", Message.derniere_erreur.is_(None))


def messages(structure_id: int, filtres: Filtres, limite: int = LIMITE) -> list[Message]:
    """The messages of the structure in ``filtres``, their learner loaded with them and their attached files'
    names (two queries, the files' bytes left out): oldest first while waiting (send in order), newest first once
    sent or failed."""
    ordre = (
        (Message.prochain_essai_at, Message.id)
        if filtres.etat == "a_envoyer"
        else (sa.func.coalesce(Message.envoye_at, Message.created_at).desc(), Message.id.desc())
    )
    requete = (
        sa.select(Message)
        .options(
            joinedload(Message.apprenant),
            selectinload(Message.pieces_jointes).load_only(PieceJointe.nom_fichier, PieceJointe.type_media),
        )
        .where(Message.structure_id == structure_id, _dans_l_etat(filtres.etat))
        .order_by(*ordre)
        .limit(limite)
    )
    if filtres.canal:
        requete = requete.where(Message.canal == filtres.canal)
    return list(db.session.scalars(requete))


def compte_par_etat(structure_id: int) -> dict[str, int]:
    """How many messages of the structure are in each of ``ETATS`` (one query)."""
    cas = sa.case(
        (Message.statut == "envoye", "envoye"),
        (sa.or_(Message.statut == "abandonne", Message.derniere_erreur.is_not(None)), "echec"),
        else_="a_envoyer",
    )
    lignes = db.session.execute(
        sa.select(cas, sa.func.count()).where(Message.structure_id == structure_id).group_by(cas)
    ).all()
    return {etat: 0 for etat in ETATS} | dict(lignes)


def nombre_a_envoyer(structure_id: int) -> int:
    """Messages of the structure still to send (first attempt or a new one after a failure): the menu's count.
    Its statement is built once per process (it runs on every page of the menu)."""
    return run_core(_nombre_a_envoyer_statement(), {"structure_id": structure_id}).scalar_one()


@cache
def _nombre_a_envoyer_statement() -> sa.Select:
    return _nombre_a_envoyer(sa.bindparam("structure_id"))


def nombre_a_envoyer_de(structure_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """:func:`nombre_a_envoyer` as a scalar subquery of ``structure_id`` (a column of the outer statement): the
    signed-in account is loaded with it (core.auth), saving the menu a statement on every page."""
    return _nombre_a_envoyer(structure_id).scalar_subquery()


def _nombre_a_envoyer(structure_id: sa.ColumnElement[int]) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.structure_id == structure_id, Message.statut == "a_envoyer")
    )


def peut_renvoyer(message: Message, now: datetime) -> bool:
    """Whether ``message`` can be resent: the moment it speaks of has not passed, and it failed (an attempt
    failed and waits for the next one) or was dropped after an attempt (the server refused it for good). A
    message the domain dropped before any attempt (its session cancelled, its plan paused or declined) is not
    resent from here: what it announced no longer holds."""
    echoue = (message.statut == "a_envoyer" and message.derniere_erreur is not None) or (
        message.statut == "abandonne" and message.tentatives > 0
    )
    return echoue and (message.valable_jusqu_a is None or message.valable_jusqu_a > now)


def renvoyer(message: Message, compte, now: datetime) -> None:
    """Put a failed or dropped ``message`` back to be sent at once (by the sweep, or by hand for a manual
    channel); its error is cleared, its attempts kept.

    :raise DomainError: the message is sent, or was not failed (:func:`peut_renvoyer`), or its moment has passed
        (``TROP_TARD``).
    """
    if message.statut == "envoye":
        raise DomainError("Ce message est déjà envoyé.")
    if message.valable_jusqu_a is not None and message.valable_jusqu_a <= now:
        raise DomainError(TROP_TARD)
    if not peut_renvoyer(message, now):
        raise DomainError("Ce message n'a pas échoué : il n'y a rien à renvoyer.")
    message.statut = "a_envoyer"
    message.derniere_erreur = None
    message.prochain_essai_at = now
    journal.record(compte, "modification", "message", message.id, "remis à envoyer")
    db.session.flush()


def marquer_envoye(message: Message, compte, canaux_manuels: Collection[str], now: datetime) -> None:
    """Record that the mediator sent ``message`` herself (an SMS from the structure's phone, an email, a
    letter posted): "envoye", sent now by ``compte``.

    :raise DomainError: the channel is sent automatically, or the message is not waiting to be sent, or its
        moment has passed.
    """
    if message.canal not in canaux_manuels:
        raise DomainError("Ce message part tout seul : inutile de le marquer comme envoyé.")
    if message.statut != "a_envoyer":
        raise DomainError("Ce message n'est plus à envoyer.")
    if message.valable_jusqu_a is not None and message.valable_jusqu_a <= now:
        raise DomainError("Trop tard : le moment annoncé est passé, ce message ne sera pas envoyé.")
    message.statut = "envoye"
    message.envoye_at = now
    message.envoye_par_id = compte.id
    message.derniere_erreur = None
    journal.record(compte, "modification", "message", message.id, f"{message.canal} marqué envoyé à la main")
    db.session.flush()


def courriers_a_envoyer(structure_id: int, ids: Sequence[int] | None, now: datetime) -> list[Message]:
    """The letters of the structure still to send and not too late, oldest first, their learner and attached files
    loaded (two queries); only those of ``ids`` when given (the ones the mediator's page listed)."""
    requete = (
        sa.select(Message)
        .options(joinedload(Message.apprenant), selectinload(Message.pieces_jointes))
        .where(
            Message.structure_id == structure_id,
            Message.canal == "courrier",
            Message.statut == "a_envoyer",
            sa.or_(Message.valable_jusqu_a.is_(None), Message.valable_jusqu_a > now),
        )
        .order_by(Message.created_at, Message.id)
    )
    if ids is not None:
        requete = requete.where(Message.id.in_(list(ids)))
    return list(db.session.scalars(requete))


def adresse_postale(apprenant: Apprenant) -> tuple[str, ...]:
    """The learner's address lines as La Poste wants them: name (surname in capitals), street, postcode and
    commune (the commune in capitals)."""
    ville = " ".join(part for part in (apprenant.code_postal or "", (apprenant.commune or "").upper()) if part)
    lignes = (f"{apprenant.prenom} {apprenant.nom.upper()}", *(apprenant.adresse or "").splitlines(), ville)
    return tuple(ligne.strip() for ligne in lignes if ligne.strip())


def en_courriers(structure: Structure, lettres: Sequence[Message]) -> list[Courrier]:
    """The printable letters (``courrier_pdf.Courrier``) of ``lettres``, sent by ``structure``, each with its
    attached PDF files (an attestation) to print after it."""
    from core.messagerie.courrier_pdf import Courrier  # PDF stack loaded on first use (core/pdf.py)

    expediteur = tuple(
        ligne
        for ligne in (
            structure.nom,
            *(structure.adresse or "").splitlines(),
            structure.commune,
            f"Tél. {display_phone(structure.telephone)}" if structure.telephone else "",
        )
        if ligne and ligne.strip()
    )
    return [
        Courrier(
            expediteur=expediteur,
            destinataire=adresse_postale(m.apprenant),
            objet=m.objet,
            corps=m.corps,
            annexes=tuple(p.contenu for p in m.pieces_jointes if p.type_media == "application/pdf"),
        )
        for m in lettres
    ]


def marquer_courriers_envoyes(lettres: Sequence[Message], compte, now: datetime) -> int:
    """Mark the printed ``lettres`` sent by ``compte`` (those still to send); returns how many."""
    marques = 0
    for lettre in lettres:
        if lettre.statut == "a_envoyer":
            lettre.statut, lettre.envoye_at, lettre.envoye_par_id = "envoye", now, compte.id
            marques += 1
    if marques:
        ids = ", ".join(str(lettre.id) for lettre in lettres)
        journal.record(compte, "modification", "message", None, f"courriers marqués envoyés : {ids}")
    db.session.flush()
    return marques
