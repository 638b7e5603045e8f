"""Dates of a workshop's séances: weekly on its half-day, around public holidays and the structure's closures.

Pure rules: plain data in, plain data out; no Flask, no database, no clock. Dates and wall-clock times are
Europe/Paris; ``SeancePlanifiee.starts_at`` / ``ends_at`` give the naive UTC datetimes stored in ``Seance``.

Public holidays come from the ``holidays`` library (``holidays.France``), metropolitan France by default.
Its names depend on the process locale unless a language is given, so French is always asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import holidays

from core.disponibilites import CODES
from core.timeutil import date_fr, paris_to_utc

# Paris wall-clock hours of a séance, keyed by ``demi_journee % 2`` (0 morning, 1 afternoon).
HORAIRES: Mapping[int, tuple[time, time]] = {0: (time(9), time(12)), 1: (time(14), time(17))}

# A closure of the structure: one day, or an inclusive period ``(first_day, last_day)``.
Fermeture = date | tuple[date, date]

# How far after the first possible date séances are looked for before giving up: a workshop of six weeks
# never needs a year, so going further means the closures (or a typo in one) leave no room.
_HORIZON = timedelta(weeks=52)
_SEMAINE = timedelta(weeks=1)


@dataclass(frozen=True)
class SeancePlanifiee:
    """One planned séance: its number (module 1..n), its day and its Paris wall-clock hours."""

    numero: int
    jour: date
    debut: time
    fin: time

    @property
    def starts_at(self) -> datetime:
        """Start as a naive UTC datetime (summer time handled)."""
        return paris_to_utc(self.jour, self.debut)

    @property
    def ends_at(self) -> datetime:
        """End as a naive UTC datetime (summer time handled)."""
        return paris_to_utc(self.jour, self.fin)


def jours_feries(annees: Iterable[int], subdiv: str | None = None) -> set[date]:
    """French public holidays of the given years.

    Metropolitan France by default. ``subdiv`` is passed to ``holidays.France`` for Alsace-Moselle
    (``"57"``/``"Moselle"``, ``"6AE"``/``"Alsace"``: Good Friday, St Stephen's day) or an overseas territory
    (``"974"``...); choosing it per structure is a later setting.

    :raise ValueError: on a subdivision the library does not know.
    """
    return set(_feries(subdiv, annees))


def planifier_seances(
    demi_journee: int,
    debut: date,
    fermetures: Iterable[Fermeture] = (),
    nombre: int = 6,
    horaires: Mapping[int, tuple[time, time]] = HORAIRES,
    subdiv: str | None = None,
) -> list[SeancePlanifiee]:
    """Séances 1..``nombre``, weekly on the weekday of ``demi_journee`` from ``debut``.

    The first séance is on the first such weekday on or after ``debut``. A day that is a public holiday or
    falls in a closure is skipped: that séance goes to the next week and the following ones shift, so there
    is never more than one séance a week. Hours are ``horaires[demi_journee % 2]``.

    :param demi_journee: 0 (lundi matin) to 11 (samedi après-midi), see ``core.disponibilites``.
    :param fermetures: closure days and inclusive periods ``(first_day, last_day)``.
    :raise ValueError: (French message) on a half-day outside 0-11, ``nombre`` below 1, hours that end before
        they start, an inverted closure period, an unknown subdivision, or closures that leave no room
        within a year.
    """
    if not 0 <= demi_journee < len(CODES):
        raise ValueError(f"Demi-journée invalide : {demi_journee} (attendu de 0 à {len(CODES) - 1}).")
    if nombre < 1:
        raise ValueError(f"Nombre de séances invalide : {nombre} (au moins une séance).")
    heure_debut, heure_fin = horaires[demi_journee % 2]
    if heure_fin <= heure_debut:
        raise ValueError(f"Horaires invalides : la fin ({heure_fin:%H:%M}) doit suivre le début ({heure_debut:%H:%M}).")
    indisponibles = _Indisponibilites(fermetures, subdiv)
    premier = debut + timedelta(days=(demi_journee // 2 - debut.weekday()) % 7)
    jours = indisponibles.semaines_libres(premier, nombre)
    return [SeancePlanifiee(numero, jour, heure_debut, heure_fin) for numero, jour in enumerate(jours, start=1)]


def deplacer_seance(
    seances: Sequence[SeancePlanifiee],
    numero: int,
    nouveau_jour: date,
    decaler_suivantes: bool,
    fermetures: Iterable[Fermeture] = (),
    subdiv: str | None = None,
) -> list[SeancePlanifiee]:
    """The séances, ordered by number, with séance ``numero`` moved to ``nouveau_jour`` at the same hours.

    With ``decaler_suivantes``, the later séances are planned again weekly after it, on the weekday of
    ``nouveau_jour``, skipping holidays and closures (each keeps its hours); otherwise they keep their dates.
    Earlier séances never move. A later séance that already sits on a closure is left as it is when not
    shifted: ``conflits`` reports it.

    :raise ValueError: (French message) when there is no séance ``numero``, when the new day is a public
        holiday or in a closure, when it is not strictly after the previous séance, or, without shifting,
        not strictly before the next one.
    """
    ordonnees = sorted(seances, key=lambda s: s.numero)
    rang = next((i for i, s in enumerate(ordonnees) if s.numero == numero), None)
    if rang is None:
        raise ValueError(f"Il n'y a pas de séance n° {numero} dans cet atelier.")
    indisponibles = _Indisponibilites(fermetures, subdiv)
    raison = indisponibles.raison(nouveau_jour)
    if raison:
        raise ValueError(f"Impossible de placer la séance {numero} le {date_fr(nouveau_jour)} : {raison}.")
    precedente = ordonnees[rang - 1] if rang > 0 else None
    if precedente and nouveau_jour <= precedente.jour:
        raise ValueError(
            f"La séance {numero} doit avoir lieu après la séance {precedente.numero} du {date_fr(precedente.jour)}."
        )
    suivantes = ordonnees[rang + 1 :]
    if suivantes and not decaler_suivantes and nouveau_jour >= suivantes[0].jour:
        raise ValueError(
            f"La séance {numero} doit avoir lieu avant la séance {suivantes[0].numero} "
            f"du {date_fr(suivantes[0].jour)}, ou les séances suivantes doivent être décalées."
        )
    deplacee = replace(ordonnees[rang], jour=nouveau_jour)
    if decaler_suivantes and suivantes:
        jours = indisponibles.semaines_libres(nouveau_jour + _SEMAINE, len(suivantes))
        suivantes = [replace(s, jour=jour) for s, jour in zip(suivantes, jours, strict=True)]
    return [*ordonnees[:rang], deplacee, *suivantes]


def conflits(
    seances: Iterable[SeancePlanifiee], fermetures: Iterable[Fermeture], subdiv: str | None = None
) -> list[str]:
    """French warnings, by séance number, for séances on a public holiday or in a closure.

    :raise ValueError: on an inverted closure period or an unknown subdivision.
    """
    indisponibles = _Indisponibilites(fermetures, subdiv)
    messages = []
    for seance in sorted(seances, key=lambda s: s.numero):
        raison = indisponibles.raison(seance.jour)
        if raison:
            messages.append(f"La séance {seance.numero} du {date_fr(seance.jour)} tombe {raison}.")
    return messages


class _Indisponibilites:
    """Days without séance: public holidays (years filled in as they are asked for) and closures."""

    def __init__(self, fermetures: Iterable[Fermeture], subdiv: str | None) -> None:
        self._feries = _feries(subdiv)
        self._jours: set[date] = set()
        self._periodes: list[tuple[date, date]] = []
        for fermeture in fermetures:
            if isinstance(fermeture, tuple):
                premier, dernier = fermeture
                if dernier < premier:
                    raise ValueError(f"Période de fermeture invalide : du {date_fr(premier)} au {date_fr(dernier)}.")
                self._periodes.append((premier, dernier))
            else:
                self._jours.add(fermeture)

    def raison(self, jour: date) -> str | None:
        """Why ``jour`` has no séance, as French words after "tombe": ``None`` when it is free."""
        nom = self._feries.get(jour)
        if nom:
            return f"un jour férié ({nom})"
        if jour in self._jours or any(premier <= jour <= dernier for premier, dernier in self._periodes):
            return "pendant une fermeture de la structure"
        return None

    def semaines_libres(self, premier: date, nombre: int) -> list[date]:
        """``nombre`` free days, one a week from ``premier`` on, the busy weeks skipped.

        :raise ValueError: when they do not fit within ``_HORIZON``.
        """
        jours: list[date] = []
        jour = premier
        while len(jours) < nombre:
            if jour - premier > _HORIZON:
                raise ValueError(
                    f"Impossible de placer {nombre} séances dans l'année qui suit le {date_fr(premier)} : "
                    "trop de jours fériés ou de fermetures."
                )
            if self.raison(jour) is None:
                jours.append(jour)
            jour += _SEMAINE
        return jours


def _feries(subdiv: str | None, annees: Iterable[int] | None = None) -> holidays.HolidayBase:
    """``holidays.France`` in French, expanding to new years on lookup."""
    try:
        return holidays.France(years=annees, subdiv=subdiv, language="fr")
    except NotImplementedError:
        raise ValueError(f"Subdivision inconnue pour les jours fériés : {subdiv!r}.") from None
