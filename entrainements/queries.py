"""Read side of the practice screens: the week calendar, the slots, the entraînements to book by hand.

Each function issues a fixed number of queries whatever the number of rows (DESIGN.md section 8).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ateliers.queries import ouverture_de
from core.messagerie.depot import canal_pour
from core.models import Apprenant, Structure
from entrainements import creneaux as regles
from entrainements.creneaux import JourSaute
from entrainements.models import Creneau, Entrainement, Occurrence, PlanEntrainement, Reservation
from entrainements.occurrences import creneaux_actifs, en_regle, ouvrir_occurrences
from extensions import db

# The bookings the calendar lists under an occurrence: running, and those whose attendance is recorded.
STATUTS_AFFICHES = ("reservee", "honoree", "absente")


def lundi_de(jour: date) -> date:
    """The Monday of ``jour``'s week."""
    return jour - timedelta(days=jour.weekday())


@dataclass
class OccurrenceDeLaSemaine:
    """One occurrence of the week and the bookings it lists (by learner's name)."""

    occurrence: Occurrence
    reservations: list[Reservation] = field(default_factory=list)

    @property
    def places_libres(self) -> int:
        """Free places; 0 when cancelled."""
        if self.occurrence.annulee_at is not None:
            return 0
        return max(self.occurrence.capacite - self.occurrence.places_prises, 0)


@dataclass
class JourDeLaSemaine:
    """One day of the week shown: its occurrences, and why slots skip it (holiday, closure) if they do."""

    jour: date
    occurrences: list[OccurrenceDeLaSemaine]
    saute: JourSaute | None


def semaine(
    structure: Structure, lundi: date, aujourdhui: date, *, animateur_id: int | None = None
) -> list[JourDeLaSemaine]:
    """The six days (Monday to Saturday) of the week starting ``lundi``, with their occurrences and bookings.

    Creates the missing occurrence rows of the days from ``aujourdhui`` (the structure's local day) on
    (``ouvrir_occurrences``; flush only: the caller commits); a day already past shows the rows it has, never a
    row made afterwards. A fixed number of queries: the slots, closures and existing rows (to open them), the
    occurrences with their slots, the bookings with their learners.

    :param animateur_id: only the occurrences of the slots this account runs (a volunteer's view).
    """
    samedi = lundi + timedelta(days=5)
    sautes_liste: list[JourSaute] = []
    if lundi < aujourdhui:
        actifs = [en_regle(c) for c in creneaux_actifs(structure.id)]
        passe = regles.occurrences(actifs, lundi, min(samedi, aujourdhui - timedelta(days=1)), ouverture_de(structure))
        sautes_liste += passe.jours_sautes
    if samedi >= aujourdhui:
        sautes_liste += ouvrir_occurrences(structure, max(lundi, aujourdhui), samedi).jours_sautes
    query = (
        sa.select(Occurrence)
        .join(Occurrence.creneau)
        .options(sa.orm.contains_eager(Occurrence.creneau).joinedload(Creneau.animateur))
        .where(Occurrence.structure_id == structure.id, Occurrence.jour.between(lundi, samedi))
        .order_by(Occurrence.starts_at, Occurrence.creneau_id)
    )
    if animateur_id is not None:
        query = query.where(Creneau.animateur_id == animateur_id)
    occurrences = list(db.session.scalars(query).unique())
    par_occurrence: dict[int, list[Reservation]] = defaultdict(list)
    if occurrences:
        reservations = db.session.scalars(
            sa.select(Reservation)
            .join(Reservation.entrainement)
            .join(Entrainement.apprenant)
            .options(
                sa.orm.contains_eager(Reservation.entrainement).contains_eager(Entrainement.apprenant),
            )
            .where(
                Reservation.occurrence_id.in_([o.id for o in occurrences]),
                Reservation.statut.in_(STATUTS_AFFICHES),
            )
            .order_by(Apprenant.nom, Apprenant.prenom, Reservation.id)
        )
        for reservation in reservations:
            par_occurrence[reservation.occurrence_id].append(reservation)
    sautes = {saute.jour: saute for saute in sautes_liste}
    if animateur_id is not None:
        siens = {o.creneau_id for o in occurrences}
        sautes = {jour: s for jour, s in sautes.items() if siens & set(s.creneaux)}
    jours = []
    for decalage in range(6):
        jour = lundi + timedelta(days=decalage)
        du_jour = [OccurrenceDeLaSemaine(o, par_occurrence.get(o.id, [])) for o in occurrences if o.jour == jour]
        jours.append(JourDeLaSemaine(jour, du_jour, sautes.get(jour)))
    return jours


def creneaux_de(structure_id: int) -> list[Creneau]:
    """Every slot of the structure, active first, by weekday and start, with their animateur."""
    return list(
        db.session.scalars(
            sa.select(Creneau)
            .options(joinedload(Creneau.animateur))
            .where(Creneau.structure_id == structure_id)
            .order_by(Creneau.actif.desc(), Creneau.jour_semaine, Creneau.debut, Creneau.id)
        )
    )


@dataclass(frozen=True)
class AReserver:
    """An entraînement "à planifier" of a running plan, and whether any channel reaches its learner."""

    entrainement: Entrainement
    joignable: bool


def a_planifier(structure_id: int) -> list[AReserver]:
    """The entraînements "à planifier" of the structure's running plans, by window start then name, with their
    learner and the planner's reason. Two queries."""
    entrainements = db.session.scalars(
        sa.select(Entrainement)
        .join(Entrainement.plan)
        .join(Entrainement.apprenant)
        .options(sa.orm.contains_eager(Entrainement.apprenant))
        .where(
            Entrainement.structure_id == structure_id,
            Entrainement.statut == "a_planifier",
            PlanEntrainement.statut == "actif",
        )
        .order_by(Entrainement.debut_on, Apprenant.nom, Apprenant.prenom, Entrainement.rang)
    )
    return [AReserver(e, canal_pour(e.apprenant) is not None) for e in entrainements]


def entrainement_de(structure_id: int, entrainement_id: int) -> Entrainement | None:
    """The entraînement with its learner, plan and bookings (their occurrences), or None outside the structure."""
    return db.session.scalar(
        sa.select(Entrainement)
        .options(
            joinedload(Entrainement.apprenant),
            joinedload(Entrainement.plan),
            selectinload(Entrainement.reservations).joinedload(Reservation.occurrence).joinedload(Occurrence.creneau),
        )
        .where(Entrainement.id == entrainement_id, Entrainement.structure_id == structure_id)
    )
