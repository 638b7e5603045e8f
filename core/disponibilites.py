"""Weekday half-days, stored as a bitmask (one bit per half-day, Monday morning first).

Pure helpers: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
MOMENTS = ("matin", "après-midi")

# Index i <-> (day i // 2, moment i % 2); code "lun-matin", "lun-apm", ...
DEMI_JOURNEES: tuple[tuple[str, str], ...] = tuple(
    (f"{jour[:3]}-{'matin' if m == 0 else 'apm'}", f"{jour.capitalize()} {MOMENTS[m]}")
    for jour in JOURS
    for m in range(2)
)
CODES = tuple(code for code, _ in DEMI_JOURNEES)
LABELS = dict(DEMI_JOURNEES)
ALL_MASK = (1 << len(CODES)) - 1

# Said beside the availability of a person who would wait with no half-day (core.services.SansDisponibilite).
AUCUNE_DEMI_JOURNEE = (
    "Aucune demi-journée n'est cochée : sur la liste d'attente, aucun groupe ne pourra être proposé à cette "
    "personne. Cochez ses disponibilités, ou cochez « Enregistrer sans disponibilités » pour les compléter "
    "plus tard (la liste d'attente la signalera)."
)


def to_mask(codes: Iterable[str]) -> int:
    """Return the bitmask for half-day codes such as ``"mar-matin"``.

    :raise ValueError: on an unknown code.
    """
    mask = 0
    for code in codes:
        try:
            mask |= 1 << CODES.index(code)
        except ValueError:
            raise ValueError(f"demi-journée inconnue : {code!r}") from None
    return mask


def from_mask(mask: int) -> list[str]:
    """Return the half-day codes set in ``mask``, Monday morning first."""
    return [code for i, code in enumerate(CODES) if mask >> i & 1]


@lru_cache(maxsize=4096)
def describe(mask: int) -> str:
    """Return a short French description, e.g. ``"Lundi matin, Jeudi après-midi"``."""
    codes = from_mask(mask)
    return ", ".join(LABELS[c] for c in codes) if codes else "Non renseignées"
