"""Read side for the home page and the learner's history.

The learner's history draws on evaluations (placements) and ateliers (workshops), which sit above core.
Core must not import them, so ``app.py`` plugs their query functions in here as history providers.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from core.models import Apprenant, Compte
from extensions import db

# name -> function(apprenant_id) returning rows for the detail page; filled by app.register_blueprints.
HISTORY_PROVIDERS: dict[str, Callable[[int], list]] = {}


def apprenant_history(apprenant_id: int) -> dict[str, list]:
    """Everything the detail page lists about a learner, one query per provider whatever the history length."""
    return {name: provider(apprenant_id) for name, provider in HISTORY_PROVIDERS.items()}


def board_for(compte: Compte) -> dict:
    """Figures shown on the home page of ``compte``'s structure (no personal data)."""
    board = {"structure": compte.structure.nom}
    if compte.role in {"admin", "mediateur", "direction"}:
        board["apprenants"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(Apprenant).where(Apprenant.structure_id == compte.structure_id)
        )
    if compte.role == "admin":
        board["comptes_actifs"] = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Compte)
            .where(Compte.structure_id == compte.structure_id, Compte.is_active.is_(True))
        )
    return board
