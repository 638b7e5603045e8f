"""Anonymising a learner: erasure on request (the mediator or the admin) and the retention job (rgpd.jobs).

One function, :func:`anonymiser`, does both, in the caller's transaction (flush only, the caller commits once):
what names or reaches the person goes, what the statistics count stays (DESIGN.md section 7).

Replaced or emptied: first name and surname (``PRENOM_ANONYME`` and "effacée n° <id>", so lists stay readable),
phone, email, street address and postal code; the subject and body of every message to the person (subject
``OBJET_EFFACE``, body empty; one still to send is abandoned: nobody can be reached any more), and the files
attached to them deleted (an attestation's PDF prints the name; the outbox then offers no file); the name in the
snapshot of every attestation issued to the person (the number and the code stay valid on the public page,
which then shows no name). A person waiting for a workshop leaves the waiting list ("retire").

Kept: ids, dates, statuses of inscriptions, attendance and hours, skills, placements (scores and answers, which
are codes), calls (outcome and reason codes), practice plans and sessions, commune and age band (counted by the
statistics), the journal (ids and action codes only).

Refused (:class:`EffacementRefuse`, with the reason in French) while the person is enrolled in a workshop not
closed yet, or has practice sessions still to come (the mediator records first that the person declines them,
which cancels the bookings and frees the places), and for a person already anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ateliers.models import Inscription
from attestations.models import Attestation
from core import journal
from core.errors import DomainError
from core.francais import nombre
from core.models import Apprenant, Compte, Message, PieceJointe
from core.timeutil import date_fr, structure_zone, to_local
from entrainements.models import Entrainement, PlanEntrainement
from extensions import db

PRENOM_ANONYME = "Personne"
OBJET_EFFACE = "Message effacé"
RAISON_EFFACE = "Pas envoyé : les données de la personne ont été effacées."
# Entraînements of a running or paused plan that may still be booked.
_ENTRAINEMENTS_A_VENIR = ("a_planifier", "reserve", "manque")


def nom_anonyme(apprenant_id: int) -> str:
    """The surname an anonymised learner keeps: "effacée n° 12" (after ``PRENOM_ANONYME``: "Personne effacée
    n° 12")."""
    return f"effacée n° {apprenant_id}"


class EffacementRefuse(DomainError):
    """The learner cannot be anonymised now; ``message`` says why, in French."""


@dataclass
class Bilan:
    """What an anonymisation changed, as counts (for the journal and the page; never a name)."""

    messages: int = 0
    messages_abandonnes: int = 0
    attestations: int = 0
    pieces_jointes: int = 0

    def en_mots(self) -> str:
        return (
            f"messages effacés : {self.messages} ; non envoyés : {self.messages_abandonnes} ; "
            f"pièces jointes supprimées : {self.pieces_jointes} ; attestations sans nom : {self.attestations}"
        )


def motif_refus(apprenant: Apprenant) -> str | None:
    """Why ``apprenant`` cannot be anonymised now, in French, or None when it can.

    Refused: already anonymised; enrolled in a workshop not closed yet (an inscription "inscrit": the attendance
    sheets and the group need the name until the workshop closes); practice sessions still to come (a plan running
    or paused with an entraînement to book or booked).
    """
    if apprenant.anonymise_at is not None:
        jour = to_local(apprenant.anonymise_at, structure_zone(apprenant.structure)).date()
        return f"Les données de cette personne ont déjà été effacées le {date_fr(jour)}. Rien n'a été changé."
    en_cours = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Inscription)
        .where(Inscription.apprenant_id == apprenant.id, Inscription.statut == "inscrit")
    )
    if en_cours:
        return (
            "Cette personne est inscrite à un atelier qui n'est pas encore clos : ses données ne peuvent pas être "
            "effacées avant la clôture de l'atelier, ou avant d'avoir enregistré son abandon."
        )
    a_venir = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Entrainement)
        .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
        .where(
            PlanEntrainement.apprenant_id == apprenant.id,
            PlanEntrainement.statut.in_(("actif", "suspendu")),
            Entrainement.statut.in_(_ENTRAINEMENTS_A_VENIR),
        )
    )
    if a_venir:
        return (
            f"Cette personne a encore {nombre(a_venir, 'entraînement prévu', 'entraînements prévus')} après "
            "l'atelier : enregistrez d'abord qu'elle refuse les entraînements (sur sa page), ce qui annule ses "
            "réservations, puis effacez ses données."
        )
    return None


def effacer(auteur: Compte, apprenant: Apprenant, *, now: datetime) -> Bilan:
    """Erase ``apprenant``'s personal data on request, for ``auteur`` (a mediator or an admin of its structure).
    Flush only; journaled ("effacement", counts only).

    :param now: the present moment (naive UTC), kept as ``anonymise_at``.
    :raise EffacementRefuse: see :func:`motif_refus`; nothing is changed.
    """
    db.session.execute(sa.select(Apprenant.id).where(Apprenant.id == apprenant.id).with_for_update())
    db.session.refresh(apprenant)
    refus = motif_refus(apprenant)
    if refus:
        raise EffacementRefuse(refus)
    bilan = anonymiser(apprenant, now=now)
    journal.record(auteur, "effacement", "apprenant", apprenant.id, f"effacement à la demande ; {bilan.en_mots()}")
    return bilan


def supprimer_pieces_jointes(messages: sa.Select) -> int:
    """Delete the files attached to the messages whose ids ``messages`` selects (one SQL DELETE, flush only).

    :return: the number of files deleted.
    """
    pieces = db.session.execute(
        sa.delete(PieceJointe).where(PieceJointe.message_id.in_(messages)).execution_options(synchronize_session=False)
    ).rowcount
    # Messages loaded earlier in the session would still list the deleted files.
    for objet in db.session.identity_map.values():
        if isinstance(objet, Message):
            db.session.expire(objet, ["pieces_jointes"])
    return pieces


def anonymiser(apprenant: Apprenant, *, now: datetime) -> Bilan:
    """Anonymise ``apprenant`` as the module says, without checking :func:`motif_refus` nor journaling (the
    callers do). Flush only.

    :param now: the present moment (naive UTC), kept as ``anonymise_at``.
    """
    apprenant.prenom = PRENOM_ANONYME
    apprenant.nom = nom_anonyme(apprenant.id)
    apprenant.telephone = None
    apprenant.email = None
    apprenant.adresse = None
    apprenant.code_postal = None
    if apprenant.statut in ("en_attente", "propose"):
        apprenant.statut = "retire"
    apprenant.anonymise_at = now
    bilan = Bilan()
    bilan.messages_abandonnes = db.session.execute(
        sa.update(Message)
        .where(Message.apprenant_id == apprenant.id, Message.statut == "a_envoyer")
        .values(statut="abandonne", derniere_erreur=RAISON_EFFACE)
        .execution_options(synchronize_session=False)
    ).rowcount
    bilan.messages = db.session.execute(
        sa.update(Message)
        .where(Message.apprenant_id == apprenant.id)
        .values(objet=OBJET_EFFACE, corps="")
        .execution_options(synchronize_session=False)
    ).rowcount
    bilan.pieces_jointes = supprimer_pieces_jointes(sa.select(Message.id).where(Message.apprenant_id == apprenant.id))
    attestations = db.session.scalars(
        sa.select(Attestation)
        .join(Inscription, Inscription.id == Attestation.inscription_id)
        .where(Inscription.apprenant_id == apprenant.id)
        .order_by(Attestation.id)
    )
    for attestation in attestations:
        # A new dict: the JSON column sees a reassignment, not a change made inside the old one.
        attestation.contenu = {**attestation.contenu, "apprenant": {"prenom": "", "nom": ""}}
        bilan.attestations += 1
    db.session.flush()
    return bilan
