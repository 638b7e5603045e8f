"""A practice plan stopped or restarted by the mediator: the learner declines (for good), a follow-up call pauses
the plan, or resumes it.

Declining or pausing cancels the running bookings (``entrainements.reservations.liberer``, motif "plan_arrete")
and abandons the convocations and reminders still to send for them (``Message`` rows keyed
``convocation:<reservation id>`` / ``rappel:<reservation id>``, statut "a_envoyer"), so nothing reaches the
learner any more. A declined plan's remaining entraînements become "decline"; a paused plan's stay "a_planifier"
with the reason shown to the mediator, and the sweeps skip a plan that is not "actif". Who and when is kept on the
plan (``statut_on``, ``statut_par_id``) and in the journal. Flushes only; the route commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import sqlalchemy as sa

from core import journal, versions
from core.errors import DomainError
from core.models import Compte, Message
from core.timeutil import date_fr
from entrainements.constants import STATUTS_PLAN
from entrainements.models import Entrainement, PlanEntrainement, Reservation
from entrainements.reservations import liberer
from extensions import db

# The status the mediator may set -> from which statuses.
TRANSITIONS = {
    "decline": ("actif", "suspendu"),
    "suspendu": ("actif",),
    "actif": ("suspendu",),
}
ACTIONS = {
    "decline": "La personne refuse les entraînements",
    "suspendu": "Mettre les entraînements en pause",
    "actif": "Reprendre les entraînements",
}
# Why the outbox shows a convocation or reminder as not sent (``Message.derniere_erreur``).
RAISON_PLAN_ARRETE = "Pas envoyé : la personne a refusé les entraînements ou les a mis en pause."
# Entraînements that are over whatever happens to the plan.
_TERMINES = ("honore",)


class ChangementRefuse(DomainError):
    """The plan cannot go to that status (declined for good, already paused...); French message."""


def instantane_plan(plan: PlanEntrainement) -> dict[str, str]:
    """What the plan's page shows and its status forms change: the plan's status (``core.versions``)."""
    return {"statut": plan.statut}


def changer_statut(
    auteur: Compte,
    plan: PlanEntrainement,
    statut: str,
    *,
    today: date,
    now: datetime,
    vu: Mapping[str, object] | None = None,
) -> int:
    """Decline, pause or resume ``plan``.

    :param statut: "decline" (the learner refuses, by phone: for good), "suspendu" (paused by a follow-up call)
        or "actif" (resumed, from a pause only).
    :param today: the structure's day, kept as ``statut_on``.
    :param now: the present moment (naive UTC), for the bookings cancelled.
    :param vu: what the page showed (``core.versions.lire``); None skips the check. The plan's row is locked.
    :return: the number of bookings cancelled.
    :raise core.versions.ModifieEntreTemps: someone changed the plan's status since the page showed it.
    :raise ChangementRefuse: an unknown status, or one the plan cannot go to from its own (``TRANSITIONS``).
    """
    if statut not in TRANSITIONS:
        raise ChangementRefuse("Choisissez refuser, mettre en pause ou reprendre.", "statut")
    if vu is not None:
        versions.verrouiller(plan)
        versions.exiger_inchange(vu, instantane_plan(plan), versions.par_journal("plan_entrainement", plan.id))
    if plan.statut not in TRANSITIONS[statut]:
        raise ChangementRefuse(_refus(plan, statut), "statut")
    annulees = 0
    if statut in ("decline", "suspendu"):
        annulees = _arreter(auteur, plan, now)
    for entrainement in plan.entrainements:
        if entrainement.statut in _TERMINES:
            continue
        if statut == "decline":
            entrainement.statut = "decline"
            entrainement.motif_non_planifie = None
        elif statut == "suspendu":
            entrainement.motif_non_planifie = f"Entraînements en pause depuis le {date_fr(today, 'short')}."
        elif entrainement.statut == "a_planifier":
            entrainement.motif_non_planifie = None
    plan.statut, plan.statut_on, plan.statut_par_id = statut, today, auteur.id
    journal.record(
        auteur, "modification", "plan_entrainement", plan.id, f"plan : {statut} ; réservations annulées : {annulees}"
    )
    db.session.flush()
    return annulees


def _refus(plan: PlanEntrainement, statut: str) -> str:
    if plan.statut == "decline":
        return "La personne a refusé les entraînements : ce plan est arrêté pour de bon."
    if plan.statut == statut:
        return f"Les entraînements sont déjà « {STATUTS_PLAN[statut].lower()} »."
    return "Seuls des entraînements en pause peuvent reprendre."


def _arreter(auteur: Compte, plan: PlanEntrainement, now: datetime) -> int:
    """Cancel the plan's running bookings and abandon their messages still to send; the number cancelled."""
    reservations = list(
        db.session.scalars(
            sa.select(Reservation)
            .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
            .where(Entrainement.plan_id == plan.id, Reservation.statut == "reservee")
            .order_by(Reservation.id)
        )
    )
    for reservation in reservations:
        liberer(reservation, "annulee", now=now, motif="plan_arrete", compte_id=auteur.id)
    cles = [f"{genre}:{r.id}" for r in reservations for genre in ("convocation", "rappel")]
    if cles:
        db.session.execute(
            sa.update(Message)
            .where(Message.cle.in_(cles), Message.statut == "a_envoyer")
            .values(statut="abandonne", derniere_erreur=RAISON_PLAN_ARRETE)
            .execution_options(synchronize_session=False)
        )
    return len(reservations)
