"""Weekly practice slots (créneaux) and their dated occurrences. Pure: no Flask, no database, no clock.

A :class:`Creneau` is a structure's weekly practice slot as plain values (weekday, start and end time, capacity:
the number of practice computers, place). :func:`occurrences` turns the slots into dated :class:`Occurrence`
values between two days, both included, and skips:

- the days the structure cannot hold an appointment, as :meth:`core.ouverture.Ouverture.refus` says: public
  holidays of its subdivision (Good Friday in Alsace-Moselle, for instance) unless it declares them worked, and
  its closures. Those days come back as :class:`JourSaute` with the Ouverture's French reason, for the mediator;
- the occurrences cancelled one by one, given as ``(slot id, day)`` pairs.

Each occurrence carries its half-day code as ``core.disponibilites`` defines them (``"mar-matin"``,
``"jeu-apm"``), so the booking planner can match it with a learner's availability: the slot's weekday, and
"matin" when it starts before 12:00, "apm" (afternoon) from 12:00 on. Availability has no Sunday, so a slot
is from Monday to Saturday: a Sunday slot could never be booked for anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.disponibilites import CODES
from core.ouverture import Ouverture

CAPACITE_MAXIMUM = 30
MIDI = time(12, 0)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def demi_journee(jour_semaine: int, debut: time) -> str:
    """The ``core.disponibilites`` code of a slot on ``jour_semaine`` (0 Monday .. 5 Saturday) starting at
    ``debut``: morning when it starts before 12:00, afternoon from 12:00 on.

    :raise ValueError: on Sunday (6) or outside 0-6: no availability is kept for it.
    """
    if not 0 <= jour_semaine <= 5:
        raise ValueError("Les créneaux vont du lundi au samedi, comme les disponibilités des apprenants.")
    return CODES[2 * jour_semaine + (0 if debut < MIDI else 1)]


@dataclass(frozen=True)
class Creneau:
    """A weekly practice slot: ``jour_semaine`` 0 (Monday) to 5 (Saturday), from ``debut`` to ``fin`` (local wall
    clock of the structure), ``capacite`` places (1 to 30), at ``lieu``. ``id`` is its identifier (the row's).

    :raise ValueError: (French message) on a weekday outside 0-5 (no Sunday: learners give no Sunday
        availability), an end not after the start, a capacity outside
        1-30, or an empty place.
    """

    id: int
    jour_semaine: int
    debut: time
    fin: time
    capacite: int
    lieu: str

    def __post_init__(self) -> None:
        if not _is_int(self.jour_semaine) or not 0 <= self.jour_semaine <= 5:
            raise ValueError(
                "Le jour du créneau doit être un jour du lundi au samedi (0 pour lundi à 5 pour samedi), "
                "comme les disponibilités des apprenants."
            )
        if not isinstance(self.debut, time) or not isinstance(self.fin, time) or self.fin <= self.debut:
            raise ValueError("L'heure de fin du créneau doit être après son heure de début.")
        if not _is_int(self.capacite) or not 1 <= self.capacite <= CAPACITE_MAXIMUM:
            raise ValueError(f"La capacité du créneau doit être un nombre entier de 1 à {CAPACITE_MAXIMUM} places.")
        if not isinstance(self.lieu, str) or not self.lieu.strip():
            raise ValueError("Indiquez le lieu du créneau.")

    @property
    def demi_journee(self) -> str:
        """The slot's half-day code (see :func:`demi_journee`)."""
        return demi_journee(self.jour_semaine, self.debut)


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a :class:`Creneau` on ``jour``, with the slot's half-day code."""

    creneau: Creneau
    jour: date
    demi_journee: str

    @property
    def cle(self) -> tuple[int, date]:
        """``(slot id, day)``: what identifies the occurrence (and what a cancellation names)."""
        return (self.creneau.id, self.jour)

    @property
    def debut(self) -> datetime:
        """Start, local wall clock of the structure (naive)."""
        return datetime.combine(self.jour, self.creneau.debut)

    @property
    def fin(self) -> datetime:
        """End, local wall clock of the structure (naive)."""
        return datetime.combine(self.jour, self.creneau.fin)


@dataclass(frozen=True)
class JourSaute:
    """A day on which slots fall but the structure cannot receive: ``raison`` is the Ouverture's French clause
    (``"vendredi 26 mars 2027 est férié (Vendredi saint)"``); ``creneaux`` the ids of the slots skipped, in order.
    """

    jour: date
    raison: str
    creneaux: tuple[int, ...]


@dataclass(frozen=True)
class Calendrier:
    """What :func:`occurrences` returns: the occurrences kept, by day then start time, and the days skipped."""

    occurrences: tuple[Occurrence, ...]
    jours_sautes: tuple[JourSaute, ...]


def occurrences(
    creneaux: Iterable[Creneau],
    debut: date,
    fin: date,
    ouverture: Ouverture,
    annulees: Set[tuple[int, date]] = frozenset(),
) -> Calendrier:
    """The dated occurrences of ``creneaux`` from ``debut`` to ``fin`` (both included).

    :param ouverture: the structure's opening rule; a day it refuses (:meth:`Ouverture.refus`) holds none of
        the slots and is listed in :attr:`Calendrier.jours_sautes` with its reason.
    :param annulees: ``(slot id, day)`` of the occurrences cancelled one by one: left out, not listed as skipped.
    :return: the occurrences sorted by day, start time, then slot id.
    :raise ValueError: (French message) when ``fin`` is before ``debut`` or two slots share an id.
    """
    if fin < debut:
        raise ValueError("La fin de la période doit être le même jour que son début ou après.")
    creneaux = sorted(creneaux, key=lambda creneau: (creneau.debut, creneau.id))
    ids = [creneau.id for creneau in creneaux]
    if len(ids) != len(set(ids)):
        raise ValueError("Deux créneaux portent le même identifiant.")
    par_jour: dict[int, list[Creneau]] = {}
    for creneau in creneaux:
        par_jour.setdefault(creneau.jour_semaine, []).append(creneau)
    gardees: list[Occurrence] = []
    sautes: list[JourSaute] = []
    jour = debut
    while jour <= fin:
        du_jour = par_jour.get(jour.weekday(), [])
        if du_jour:
            raison = ouverture.refus(jour)
            if raison is not None:
                sautes.append(JourSaute(jour, raison, tuple(creneau.id for creneau in du_jour)))
            else:
                gardees.extend(
                    Occurrence(creneau, jour, creneau.demi_journee)
                    for creneau in du_jour
                    if (creneau.id, jour) not in annulees
                )
        jour += timedelta(days=1)
    return Calendrier(tuple(gardees), tuple(sautes))
