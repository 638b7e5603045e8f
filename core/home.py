"""Read side for the home page and the learner's history.

The learner's history and the home page draw on evaluations (placements) and ateliers (workshops, séances,
alerts), which sit above core. Core must not import them, so ``app.py`` plugs their query functions in here
as providers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa

from core.database import run_core
from core.models import Apprenant, Compte, Structure
from extensions import db

# name -> function(apprenant_id) returning rows for the detail page; filled by app.register_blueprints.
HISTORY_PROVIDERS: dict[str, Callable[[int], list]] = {}
# The séances an account co-runs in its structure between two of its days, and the statement counting the people
# to call back in a structure on one of its days (bound parameters :structure_id and :today); set by app.py.
SEANCES_PROVIDER: Callable[[Structure, int, date, date], list] | None = None
A_RAPPELER_PROVIDER: Callable[[], sa.Select] | None = None
# The home page lists the séances of the last two days (attendance and skills still to note) and the week ahead.
JOURS_AVANT, JOURS_APRES = 2, 7


def apprenant_history(apprenant_id: int) -> dict[str, list]:
    """Everything the detail page lists about a learner, one query per provider whatever the history length."""
    return {name: provider(apprenant_id) for name, provider in HISTORY_PROVIDERS.items()}


@cache
def _apprenants_count_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return (
        sa.select(sa.func.count()).select_from(Apprenant).where(Apprenant.structure_id == sa.bindparam("structure_id"))
    )


@cache
def _comptes_actifs_statement() -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Compte)
        .where(Compte.structure_id == sa.bindparam("structure_id"), Compte.is_active.is_(True))
    )


@cache
def _counts_statement(counts: tuple[tuple[str, sa.Select], ...]) -> sa.Select:
    """One row of the ``counts`` (name, count statement), each a scalar subquery: one statement for the page."""
    return sa.select(*(statement.scalar_subquery().label(name) for name, statement in counts))


def reseau_board(compte: Compte) -> dict:
    """A coordination account's home: the network its structure heads (or None) and, for each member
    structure (head first, then by name), its name, type, commune and number of learners registered; counts
    only, never a learner (DESIGN.md section 1). Three queries whatever the network's size."""
    from core import reseaux

    reseau = reseaux.reseau_dirige(compte.structure_id)
    if reseau is None:
        return {"reseau": None, "membres": []}
    comptes = dict(
        db.session.execute(
            sa.select(Structure.id, sa.func.count(Apprenant.id))
            .join(Apprenant, Apprenant.structure_id == Structure.id)
            .where(Structure.reseau_id == reseau.id)
            .group_by(Structure.id)
        ).all()
    )
    membres = [(structure, comptes.get(structure.id, 0)) for structure in reseaux.membres(reseau.id)]
    return {"reseau": reseau, "membres": membres}


def board_for(compte: Compte, today: date) -> dict:
    """Figures shown on the home page of ``compte``'s structure (no personal data), and their séances; for a
    coordination account, its network's structures (:func:`reseau_board`).

    ``today`` is the structure's day (``core.timeutil.structure_today``).
    """
    board = {"structure": compte.structure.nom}
    if compte.role == "coordination":
        board.update(reseau_board(compte))
    if compte.role in {"mediateur", "benevole"} and SEANCES_PROVIDER is not None:
        board["seances"] = SEANCES_PROVIDER(
            compte.structure, compte.id, today - timedelta(days=JOURS_AVANT), today + timedelta(days=JOURS_APRES)
        )
    counts = []
    if compte.role in {"admin", "mediateur"} and A_RAPPELER_PROVIDER is not None:
        counts.append(("a_rappeler", A_RAPPELER_PROVIDER()))
    if compte.role in {"admin", "mediateur", "direction"}:
        counts.append(("apprenants", _apprenants_count_statement()))
    if compte.role == "admin":
        counts.append(("comptes_actifs", _comptes_actifs_statement()))
    if counts:
        # One statement for every figure (on PostgreSQL, one round trip: issue 8, item 19).
        row = run_core(_counts_statement(tuple(counts)), {"structure_id": compte.structure_id, "today": today}).one()
        board.update(row._mapping)
    return board
