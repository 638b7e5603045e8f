"""What the workshop pages show of the practice after the workshop, which lives in ``entrainements`` (above
ateliers: ateliers must not import it). ``app.register_blueprints`` plugs its read functions in here; unset (a
test app without them), the pages show no practice.
"""

from __future__ import annotations

from collections.abc import Callable

# apprenant id -> the learner's practice plans (``entrainements.vue_plan.PlanVu``), newest first.
PLANS_PROVIDER: Callable[[int], list] | None = None
# inscription id -> competence id -> the levels judged at the practice sessions after that workshop, oldest first
# (``entrainements.vue_plan.NiveauApres``: jour, rang, resultat).
EVOLUTION_PROVIDER: Callable[[int], dict] | None = None


def plans_de(apprenant_id: int) -> list:
    """The learner's practice plans, or none when no provider is plugged in."""
    return PLANS_PROVIDER(apprenant_id) if PLANS_PROVIDER is not None else []


def evolution_apres_atelier(inscription_id: int) -> dict:
    """Competence id -> its levels at the practice sessions after the workshop of ``inscription_id``."""
    return EVOLUTION_PROVIDER(inscription_id) if EVOLUTION_PROVIDER is not None else {}
