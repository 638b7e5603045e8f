"""Placement levels (niveau) from the placement score. Pure: no Flask, no database.

Rules from shared/reference/curriculum.md, "Levels (niveau) from the score".
"""

from __future__ import annotations


def niveau_for(score: int, *, uses_mouse: bool, types_accents_and_at: bool, sends_attachment_alone: bool) -> int:
    """Return the niveau 0-3 for a score 0-100 and three decisive answers.

    0 débutant complet: never used a mouse, or score <= 25.
    1 débutant: score <= 60, or cannot type @ or accents (whatever the score).
    2 débutant autonome: score > 60 but cannot send an attachment alone.
    3 intermédiaire: score > 60 and sends an email with an attachment alone (oriented elsewhere).

    :raise ValueError: when ``score`` is outside 0-100.
    """
    if not 0 <= score <= 100:
        raise ValueError(f"score hors de 0-100 : {score}")
    if not uses_mouse or score <= 25:
        return 0
    if score <= 60 or not types_accents_and_at:
        return 1
    if not sends_attachment_alone:
        return 2
    return 3
