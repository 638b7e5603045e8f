"""What the workshop pages show of the practice after the workshop and of the attestations, which live in
``entrainements`` and ``attestations`` (above ateliers: ateliers must not import them). ``app.register_blueprints``
plugs their read functions in here; unset (a test app without them), the pages show neither.
"""

from __future__ import annotations

from collections.abc import Callable

# apprenant id -> the learner's practice plans (``entrainements.vue_plan.PlanVu``), newest first.
PLANS_PROVIDER: Callable[[int], list] | None = None
# inscription id -> competence id -> the levels judged at the practice sessions after that workshop, oldest first
# (``entrainements.vue_plan.NiveauApres``: jour, rang, resultat).
EVOLUTION_PROVIDER: Callable[[int], dict] | None = None
# closed workshop -> what is missing to issue its attestations, in French, or None (``attestations.services``).
AVIS_ATTESTATIONS_PROVIDER: Callable[[object], str | None] | None = None


def plans_de(apprenant_id: int) -> list:
    """The learner's practice plans, or none when no provider is plugged in."""
    return PLANS_PROVIDER(apprenant_id) if PLANS_PROVIDER is not None else []


def evolution_apres_atelier(inscription_id: int) -> dict:
    """Competence id -> its levels at the practice sessions after the workshop of ``inscription_id``."""
    return EVOLUTION_PROVIDER(inscription_id) if EVOLUTION_PROVIDER is not None else {}


def avis_attestations(atelier) -> str | None:
    """What the closed ``atelier``'s page says is missing to issue its attestations; None when nothing is."""
    return AVIS_ATTESTATIONS_PROVIDER(atelier) if AVIS_ATTESTATIONS_PROVIDER is not None else None
