"""The rows of the practice slots' dated occurrences: created as the calendar or the booking horizon reaches them.

The pure rule (``entrainements.creneaux.occurrences``) says which days each active slot of a structure falls on,
skipping its public holidays and closures; this module writes the missing :class:`~entrainements.models.Occurrence`
rows for a period and reads them back. Creating them twice creates them once (unique slot and day; existing rows
are never changed, so their bookings and cancellations stay). Flush only.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ateliers.queries import ouverture_de
from core.models import Structure
from core.timeutil import local_to_utc, structure_zone
from entrainements import creneaux as regles
from entrainements.models import Creneau, Occurrence
from extensions import db


def creneaux_actifs(structure_id: int) -> list[Creneau]:
    """The structure's active slots, by weekday then start time."""
    return list(
        db.session.scalars(
            sa.select(Creneau)
            .where(Creneau.structure_id == structure_id, Creneau.actif.is_(True))
            .order_by(Creneau.jour_semaine, Creneau.debut, Creneau.id)
        )
    )


def en_regle(creneau: Creneau) -> regles.Creneau:
    """The slot as the pure rules take it."""
    return regles.Creneau(
        id=creneau.id,
        jour_semaine=creneau.jour_semaine,
        debut=creneau.debut,
        fin=creneau.fin,
        capacite=creneau.capacite,
        lieu=creneau.lieu,
    )


def ouvrir_occurrences(structure: Structure, debut: date, fin: date) -> regles.Calendrier:
    """Create the missing occurrence rows of ``structure``'s active slots from ``debut`` to ``fin`` (both local
    days, included); flush only. A few queries, whatever the number of days: the slots, the closures, the rows
    that exist.

    :return: the pure calendar of the period (occurrences kept and days skipped with their French reason), for
        a caller that shows why a day holds no slot.
    :raise ValueError: (French message) when ``fin`` is before ``debut``.
    """
    actifs = creneaux_actifs(structure.id)
    calendrier = regles.occurrences([en_regle(c) for c in actifs], debut, fin, ouverture_de(structure))
    if not calendrier.occurrences:
        return calendrier
    existantes = {
        (creneau_id, jour)
        for creneau_id, jour in db.session.execute(
            sa.select(Occurrence.creneau_id, Occurrence.jour).where(
                Occurrence.structure_id == structure.id, Occurrence.jour.between(debut, fin)
            )
        ).all()
    }
    zone = structure_zone(structure)
    par_id = {c.id: c for c in actifs}
    lignes = [
        {
            "creneau_id": creneau.id,
            "structure_id": structure.id,
            "jour": occurrence.jour,
            "starts_at": local_to_utc(occurrence.jour, creneau.debut, zone),
            "ends_at": local_to_utc(occurrence.jour, creneau.fin, zone),
            "capacite": creneau.capacite,
            "places_prises": 0,
        }
        for occurrence in calendrier.occurrences
        if occurrence.cle not in existantes
        for creneau in (par_id[occurrence.creneau.id],)
    ]
    if lignes:
        # One multi-row INSERT: the ORM would insert row by row (3 weeks of 10 slots are 150 rows a structure).
        db.session.flush()
        db.session.execute(sa.insert(Occurrence), lignes)
    return calendrier


def occurrences_entre(structure_id: int, debut: date, fin: date, *, annulees: bool = True) -> list[Occurrence]:
    """The structure's occurrence rows from ``debut`` to ``fin`` (local days, included), by start then slot;
    the cancelled ones too unless ``annulees`` is False. One query (their slots loaded with them)."""
    query = (
        sa.select(Occurrence)
        .join(Occurrence.creneau)
        .options(contains_eager(Occurrence.creneau))
        .where(Occurrence.structure_id == structure_id, Occurrence.jour.between(debut, fin))
        .order_by(Occurrence.starts_at, Occurrence.creneau_id)
    )
    if not annulees:
        query = query.where(Occurrence.annulee_at.is_(None))
    return list(db.session.scalars(query))
