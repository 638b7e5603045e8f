"""Read side of the practice plans for the pages of core and ateliers, which must not import this package:
``app.register_blueprints`` plugs these functions in as providers (``core.home.HISTORY_PROVIDERS["plans"]``,
``ateliers.fournisseurs``).

Each function runs a fixed number of queries, whatever the number of plans, ranks, bookings or judgements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ateliers.models import Inscription
from core.messagerie.depot import canal_pour
from core.models import Apprenant
from core.timeutil import structure_zone, to_local
from entrainements.constants import STATUTS_ENTRAINEMENT, STATUTS_PLAN
from entrainements.models import (
    Creneau,
    Entrainement,
    Occurrence,
    PlanEntrainement,
    Reservation,
    ResultatEntrainement,
)
from entrainements.textes import quand
from extensions import db


@dataclass(frozen=True)
class RangVu:
    """One rank of a plan as the pages show it: target day and window, status in words, the booked occurrence
    ("mardi 3 mars à 14 h 00", and its place) when booked, the planner's reason while "à planifier"."""

    rang: int
    cible_on: date
    debut_on: date
    fin_on: date
    statut: str
    statut_libelle: str
    reservation: str | None = None
    lieu: str | None = None
    occurrence_id: int | None = None
    motif: str | None = None
    absences: int = 0


@dataclass(frozen=True)
class PlanVu:
    """A learner's plan: its status, when it changed, the workshop it follows, whether the learner can be
    reached (``canal`` None: no way to send a convocation) and its ranks."""

    id: int
    inscription_id: int
    atelier: str
    fin_atelier_on: date
    statut: str
    statut_libelle: str
    statut_on: date | None
    canal: str | None
    rangs: list[RangVu] = field(default_factory=list)


def plans_de(apprenant_id: int) -> list[PlanVu]:
    """The practice plans of a learner, newest workshop first. Two queries (one when there is none): the plans
    with their ranks joined (four rows a plan), then the running bookings."""
    plans = list(db.session.scalars(_plans_statement(), {"apprenant": apprenant_id}).unique())
    if not plans:
        return []
    en_cours = _reservations_en_cours([e.id for p in plans for e in p.entrainements])
    return [_plan_vu(plan, en_cours) for plan in plans]


# The statements of these pages are built once per process, the request's values bound (building one and its cache
# key on every request cost more than running it: issue 8).
@cache
def _plans_statement() -> sa.Select:
    return (
        sa.select(PlanEntrainement)
        .where(PlanEntrainement.apprenant_id == sa.bindparam("apprenant"))
        .options(
            joinedload(PlanEntrainement.entrainements),
            joinedload(PlanEntrainement.apprenant).joinedload(Apprenant.structure),
            joinedload(PlanEntrainement.inscription).joinedload(Inscription.atelier),
        )
        .order_by(PlanEntrainement.fin_atelier_on.desc(), PlanEntrainement.id.desc())
    )


@cache
def _en_cours_statement() -> sa.Select:
    return (
        sa.select(Reservation, Occurrence, Creneau)
        .join(Occurrence, Occurrence.id == Reservation.occurrence_id)
        .join(Creneau, Creneau.id == Occurrence.creneau_id)
        .where(
            Reservation.entrainement_id.in_(sa.bindparam("entrainements", expanding=True)),
            Reservation.statut == "reservee",
        )
    )


def _reservations_en_cours(entrainement_ids: list[int]) -> dict[int, tuple[Reservation, Occurrence, Creneau]]:
    """Entraînement id -> its running booking with the occurrence and slot. One query."""
    if not entrainement_ids:
        return {}
    lignes = db.session.execute(_en_cours_statement(), {"entrainements": entrainement_ids})
    return {
        reservation.entrainement_id: (reservation, occurrence, creneau) for reservation, occurrence, creneau in lignes
    }


def _plan_vu(plan: PlanEntrainement, en_cours: dict[int, tuple[Reservation, Occurrence, Creneau]]) -> PlanVu:
    zone = structure_zone(plan.apprenant.structure)
    rangs = []
    for entrainement in plan.entrainements:
        reservation = en_cours.get(entrainement.id)
        occurrence, creneau = (reservation[1], reservation[2]) if reservation else (None, None)
        rangs.append(
            RangVu(
                rang=entrainement.rang,
                cible_on=entrainement.cible_on,
                debut_on=entrainement.debut_on,
                fin_on=entrainement.fin_on,
                statut=entrainement.statut,
                statut_libelle=STATUTS_ENTRAINEMENT[entrainement.statut],
                reservation=quand(to_local(occurrence.starts_at, zone)) if occurrence else None,
                lieu=creneau.lieu if creneau else None,
                occurrence_id=occurrence.id if occurrence else None,
                motif=entrainement.motif_non_planifie if entrainement.statut == "a_planifier" else None,
                absences=entrainement.absences,
            )
        )
    return PlanVu(
        id=plan.id,
        inscription_id=plan.inscription_id,
        atelier=plan.inscription.atelier.intitule,
        fin_atelier_on=plan.fin_atelier_on,
        statut=plan.statut,
        statut_libelle=STATUTS_PLAN[plan.statut],
        statut_on=plan.statut_on,
        canal=canal_pour(plan.apprenant),
        rangs=rangs,
    )


@dataclass(frozen=True)
class NiveauApres:
    """A skill's level judged at a practice session after the workshop: the session's local day, the rank."""

    jour: date
    rang: int
    resultat: str


def evolution_apres_atelier(inscription_id: int) -> dict[int, list[NiveauApres]]:
    """Competence id -> the levels judged at the practice sessions of the plan following ``inscription_id``,
    oldest first. One query."""
    lignes = db.session.execute(_evolution_statement(), {"inscription": inscription_id})
    evolution: dict[int, list[NiveauApres]] = defaultdict(list)
    for competence_id, jour, rang, resultat in lignes:
        evolution[competence_id].append(NiveauApres(jour, rang, resultat))
    return dict(evolution)


@cache
def _evolution_statement() -> sa.Select:
    return (
        sa.select(
            ResultatEntrainement.competence_id, Reservation.jour, Entrainement.rang, ResultatEntrainement.resultat
        )
        .join(Reservation, Reservation.id == ResultatEntrainement.reservation_id)
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
        .where(PlanEntrainement.inscription_id == sa.bindparam("inscription"))
        .order_by(Reservation.jour, ResultatEntrainement.id)
    )


def plan_de_structure_or_none(plan_id: int, structure_id: int) -> PlanEntrainement | None:
    """The plan ``plan_id`` if it belongs to ``structure_id``, with its learner and ranks loaded."""
    return db.session.scalar(
        sa.select(PlanEntrainement)
        .where(PlanEntrainement.id == plan_id, PlanEntrainement.structure_id == structure_id)
        .options(
            joinedload(PlanEntrainement.apprenant),
            joinedload(PlanEntrainement.inscription).joinedload(Inscription.atelier),
            selectinload(PlanEntrainement.entrainements),
        )
    )
