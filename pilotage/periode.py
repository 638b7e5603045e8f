"""The period a dashboard, an export or a report covers: a calendar year, a school year (1 September to
31 August, the rhythm of social centres and of most funders' conventions), a quarter, or two dates.

Pure: no Flask, no database. Both ends are local days of the structure, inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from core.timeutil import date_fr

DUREE_MAX_JOURS = 5 * 366
"""A period longer than this is refused (issue 12, "Bad input"): no report spans more than five years."""

TYPES_PERIODE = {
    "annee": "Année civile",
    "scolaire": "Année scolaire (septembre à août)",
    "trimestre": "Trimestre",
    "dates": "Entre deux dates",
}


class PeriodeRefusee(ValueError):
    """The period asked for makes no sense; ``champ`` names the field to show the French message beside."""

    def __init__(self, message: str, champ: str = "fin") -> None:
        super().__init__(message)
        self.champ = champ


@dataclass(frozen=True)
class Periode:
    """From ``debut`` to ``fin``, both included (local days)."""

    debut: date
    fin: date

    def __post_init__(self) -> None:
        if self.fin < self.debut:
            raise PeriodeRefusee(f"La fin ({date_fr(self.fin)}) est avant le début ({date_fr(self.debut)}).", "fin")
        if (self.fin - self.debut).days + 1 > DUREE_MAX_JOURS:
            raise PeriodeRefusee("Choisissez une période de cinq ans au plus.", "fin")

    @property
    def jours(self) -> int:
        """Number of days, both ends included."""
        return (self.fin - self.debut).days + 1

    @property
    def fin_exclue(self) -> date:
        """The day after ``fin``: for half-open comparisons (``moment < fin_exclue``)."""
        return self.fin + timedelta(days=1)

    def contient(self, jour: date) -> bool:
        return self.debut <= jour <= self.fin

    @property
    def libelle(self) -> str:
        """In words: "année 2026", "année scolaire 2025-2026", "1er trimestre 2026", or "du 3 mars au 17 avril 2026"."""
        if (self.debut.month, self.debut.day, self.fin.month, self.fin.day) == (1, 1, 12, 31) and (
            self.debut.year == self.fin.year
        ):
            return f"année {self.debut.year}"
        if (self.debut.month, self.debut.day, self.fin.month, self.fin.day) == (9, 1, 8, 31) and (
            self.fin.year == self.debut.year + 1
        ):
            return f"année scolaire {self.debut.year}-{self.fin.year}"
        for numero in range(1, 5):
            if self == trimestre(self.debut.year, numero):
                return f"{'1er' if numero == 1 else f'{numero}e'} trimestre {self.debut.year}"
        return f"du {_jour(self.debut)} au {_jour(self.fin)}"

    def precedente(self) -> Periode:
        """The period of the same length just before (to compare with): the year before for a year."""
        if self.libelle.startswith(("année", "1er", "2e", "3e", "4e")):
            return Periode(_annee_avant(self.debut), _annee_avant(self.fin))
        return Periode(self.debut - timedelta(days=self.jours), self.debut - timedelta(days=1))


def _jour(jour: date) -> str:
    """``3 mars 2026``, ``1er mai 2026``."""
    return f"{'1er' if jour.day == 1 else jour.day} {format_date(jour, format='MMMM y', locale='fr_FR')}"


def _annee_avant(jour: date) -> date:
    return (
        jour.replace(year=jour.year - 1, day=28)
        if (jour.month, jour.day) == (2, 29)
        else jour.replace(year=jour.year - 1)
    )


def annee_civile(annee: int) -> Periode:
    return Periode(date(annee, 1, 1), date(annee, 12, 31))


def annee_scolaire(annee_de_rentree: int) -> Periode:
    """From 1 September of ``annee_de_rentree`` to 31 August of the next year."""
    return Periode(date(annee_de_rentree, 9, 1), date(annee_de_rentree + 1, 8, 31))


def trimestre(annee: int, numero: int) -> Periode:
    """Quarter ``numero`` (1 to 4) of ``annee``.

    :raise PeriodeRefusee: ``numero`` outside 1-4.
    """
    if not 1 <= numero <= 4:
        raise PeriodeRefusee("Choisissez un trimestre de 1 à 4.", "trimestre")
    debut = date(annee, 3 * numero - 2, 1)
    fin = date(annee + 1, 1, 1) if numero == 4 else date(annee, 3 * numero + 1, 1)
    return Periode(debut, fin - timedelta(days=1))


def par_defaut(today: date) -> Periode:
    """The period a dashboard opens on: the current calendar year, up to today."""
    return Periode(date(today.year, 1, 1), today)
