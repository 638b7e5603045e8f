"""The grouping's input data: who waits, and the workshops planned. Plain values, shared by the public
rules (``ateliers.grouping``) and the solver (``ateliers.grouping_milp``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidat:
    """A person on the waiting list: placement score 0-100, half-days bitmask, days waited so far."""

    id: int
    score: int
    disponibilites: int
    attente_jours: int


@dataclass(frozen=True)
class AtelierPrevu:
    """A planned workshop on one weekday half-day (index into ``CODES``), with the scores of its members.

    ``ecart_max`` is the largest score range its group accepts (0-100 points): the workshop's own rule
    (``Atelier.ecart_max``), set when it is planned, and the one the replacement after an abandon uses too.
    """

    id: int
    demi_journee: int
    capacite: int = 4
    taille_min: int = 3
    membres: tuple[int, ...] = ()
    ecart_max: int = 20
