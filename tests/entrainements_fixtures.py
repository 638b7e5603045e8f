"""Shared pieces of the practice tests: a slot, a finished learner's plan, an entraînement due for booking.

Dates: Monday 1 June 2026 is the reference day (NOW is 10:00 Paris that day); the slot runs on Tuesday
afternoons, 14:00-16:00 Paris, so its next occurrences are 2, 9 and 16 June.
"""

from __future__ import annotations

from datetime import date, datetime, time

from entrainements.models import Creneau, Entrainement, PlanEntrainement
from extensions import db
from tests.ateliers_fixtures import make_atelier

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 8, 0)
FIN_ATELIER = date(2026, 5, 25)


def make_creneau(structure, **overrides) -> Creneau:
    """A Tuesday-afternoon slot (14:00-16:00) of ``structure`` with 2 places."""
    values = {
        "structure_id": structure.id,
        "jour_semaine": 1,
        "debut": time(14, 0),
        "fin": time(16, 0),
        "capacite": 2,
        "lieu": "Salle informatique",
        **overrides,
    }
    creneau = Creneau(**values)
    db.session.add(creneau)
    db.session.commit()
    return creneau


def make_entrainements(structure, apprenants, rangs=(1,), debut=TODAY, fin=date(2026, 6, 20), **overrides):
    """For each of ``apprenants``: a finished inscription in one closed workshop, its plan, and one entraînement
    "a_planifier" per rank in ``rangs``, all with the window ``debut``..``fin``. Returns them in order."""
    atelier = make_atelier(structure, apprenants, statut="termine", is_locked=True)
    entrainements = []
    for inscription in sorted(atelier.inscriptions, key=lambda i: i.id):
        inscription.statut = "termine"
        inscription.ended_at = datetime.combine(FIN_ATELIER, time(12, 0))
        plan = PlanEntrainement(
            structure_id=structure.id,
            inscription_id=inscription.id,
            apprenant_id=inscription.apprenant_id,
            fin_atelier_on=FIN_ATELIER,
        )
        db.session.add(plan)
        db.session.flush()
        for rang in rangs:
            entrainement = Entrainement(
                plan_id=plan.id,
                structure_id=structure.id,
                apprenant_id=inscription.apprenant_id,
                rang=rang,
                cible_on=debut,
                debut_on=debut,
                fin_on=fin,
                **overrides,
            )
            db.session.add(entrainement)
            entrainements.append(entrainement)
    db.session.commit()
    return entrainements
