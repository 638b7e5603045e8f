"""The practice plan of one learner who finished a workshop. Pure: no Flask, no database, no clock.

After the last séance of the workshop each learner gets one entraînement per rank, at spaced intervals:
:func:`plan_entrainements` turns the date of that séance and the structure's :class:`ReglesEntrainement` into
one :class:`EntrainementPrevu` per rank (target date and tolerance window), and :func:`competences_a_travailler`
picks the skills to practise from the final evaluation's judgements.

Source of the defaults: ``shared/reference/curriculum.md``, "Refresher practice": +7, +30 and +90 days after the
last module, configurable per structure, each targeting the skills still "avec aide" or "non acquis" at the
final evaluation, else the module 5-6 skills. The reference grounds the expanding gaps in spacing research:
Cepeda N. J. et al. (2008), "Spacing effects in learning: a temporal ridgeline of optimal retention",
Psychological Science 19(11), 1095-1102; Kang S. H. K., Lindsey R. V., Mozer M. C., Pashler H. (2014), "Retrieval
practice over the long term: should spacing be expanding or equal-interval?", Psychonomic Bulletin & Review 21(6).

Tolerance window (issue 10, item 2): the booking may fall ``max(round(part_tolerance × decalage),
tolerance_minimum)`` days either side of the target, both ends included; the rounding is half up (2.5 -> 3).
With the defaults (20 %, at least 1 day): ±1 day at +7, ±6 at +30, ±18 at +90.

The rules are stored per structure as JSON (:meth:`ReglesEntrainement.to_dict`,
:meth:`ReglesEntrainement.from_dict`), like the dropout thresholds (``ateliers.dropout.Seuils``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from itertools import pairwise
from typing import Protocol

from evaluations.constants import RESULTATS_COMPETENCE

DECALAGE_MAXIMUM = 365
# Judgements of the final evaluation that leave a skill to practise.
A_TRAVAILLER = frozenset({"avec_aide", "non_acquis"})
# Modules whose skills are practised when nothing is left "avec aide" or "non acquis".
MODULES_PAR_DEFAUT = (5, 6)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ReglesEntrainement:
    """The practice plan's rules, one set per structure; the defaults are the reference's.

    ``decalages``: days after the last séance of each rank's target (rank 1 first), strictly increasing, each
    1 to 365. ``part_tolerance``: the window's half-width as a share of the rank's offset, 0 to 1.
    ``tolerance_minimum``: the window's smallest half-width, in days, 0 to 365.

    :raise ValueError: with a French message when a value is out of range (see :meth:`from_dict`).
    """

    decalages: tuple[int, ...] = (7, 30, 90)
    part_tolerance: float = 0.20
    tolerance_minimum: int = 1

    def __post_init__(self) -> None:
        decalages = self.decalages
        if isinstance(decalages, str | bytes) or not isinstance(decalages, Iterable):
            raise ValueError("Les délais des entraînements doivent être une liste de nombres de jours.")
        decalages = tuple(decalages)
        if not decalages:
            raise ValueError("Il faut au moins un entraînement : indiquez au moins un délai en jours.")
        if not all(_is_int(jours) and 1 <= jours <= DECALAGE_MAXIMUM for jours in decalages):
            raise ValueError(
                f"Chaque délai d'entraînement doit être un nombre entier de jours de 1 à {DECALAGE_MAXIMUM}."
            )
        if any(suivant <= precedent for precedent, suivant in pairwise(decalages)):
            raise ValueError("Les délais des entraînements doivent aller en augmentant (par exemple 7, 30, 90).")
        object.__setattr__(self, "decalages", decalages)
        part = self.part_tolerance
        if isinstance(part, bool) or not isinstance(part, int | float) or not 0 <= part <= 1:
            raise ValueError("La part de tolérance doit être un nombre de 0 à 1 (0.2 pour 20 %).")
        object.__setattr__(self, "part_tolerance", float(part))
        minimum = self.tolerance_minimum
        if not _is_int(minimum) or not 0 <= minimum <= DECALAGE_MAXIMUM:
            raise ValueError(f"La tolérance minimale doit être un nombre entier de jours de 0 à {DECALAGE_MAXIMUM}.")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ReglesEntrainement:
        """Rules from their stored JSON form; a missing key takes its default.

        :raise ValueError: with a French message for an unknown key or a bad value: no offset, an offset
            outside 1-365 days or not above the previous one, a share outside 0-1, a minimum outside 0-365 days.
        """
        if not isinstance(data, Mapping):
            raise ValueError("Les règles des entraînements doivent être un objet JSON.")
        noms = {f.name for f in fields(cls)}
        inconnus = sorted(str(key) for key in data if key not in noms)
        if inconnus:
            raise ValueError("Réglage d'entraînement inconnu : " + ", ".join(inconnus) + ".")
        return cls(**data)

    def to_dict(self) -> dict[str, object]:
        """The JSON-ready form stored per structure (offsets as a list)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["decalages"] = list(self.decalages)
        return data

    def tolerance(self, decalage: int) -> int:
        """Half-width in days of the window of a rank ``decalage`` days after the last séance (rounded half up)."""
        return max(math.floor(self.part_tolerance * decalage + 0.5), self.tolerance_minimum)


@dataclass(frozen=True)
class EntrainementPrevu:
    """One planned entraînement: its rank (1 first), target day and window (``debut`` to ``fin``, included)."""

    rang: int
    cible: date
    debut: date
    fin: date


def plan_entrainements(
    derniere_seance: date, regles: ReglesEntrainement | None = None
) -> tuple[EntrainementPrevu, ...]:
    """One :class:`EntrainementPrevu` per rank of ``regles`` (default rules when None), rank 1 first.

    :param derniere_seance: the local day of the workshop's last séance.
    :return: for rank ``r`` with offset ``d`` days: target ``derniere_seance + d``, window target ± the rules'
        tolerance for ``d`` (:meth:`ReglesEntrainement.tolerance`). Windows of two ranks may overlap; the
        booking planner keeps a learner to one booking a day.
    """
    regles = regles or ReglesEntrainement()
    prevus = []
    for rang, decalage in enumerate(regles.decalages, start=1):
        cible = derniere_seance + timedelta(days=decalage)
        marge = timedelta(days=regles.tolerance(decalage))
        prevus.append(EntrainementPrevu(rang, cible, cible - marge, cible + marge))
    return tuple(prevus)


class _Competence(Protocol):
    id: int


class _Module(Protocol):
    numero: int

    @property
    def competences(self) -> Sequence[_Competence]: ...


def competences_a_travailler(modules: Iterable[_Module], resultats: Mapping[int, str]) -> tuple[_Competence, ...]:
    """The skills an entraînement practises, in curriculum order (module number, then skill order).

    :param modules: the workshop's curriculum as plain values, e.g. ``evaluations.curriculum.curriculum(version)``
        (:class:`~evaluations.curriculum.ModuleInfo`, each with its ``numero`` and its ``competences`` in order,
        each with an ``id``).
    :param resultats: the final evaluation's judgements: skill id -> a code of
        ``evaluations.constants.RESULTATS_COMPETENCE``. Skills not judged are left out of the first rule.
    :return: the skills judged "avec_aide" or "non_acquis"; when there is none, every skill of modules 5 and 6
        (``MODULES_PAR_DEFAUT``). The values given in ``modules`` are returned as they are.
    :raise ValueError: (French message) on a judgement code that is not one of ``RESULTATS_COMPETENCE``.
    """
    inconnus = sorted({str(code) for code in resultats.values() if code not in RESULTATS_COMPETENCE})
    if inconnus:
        raise ValueError("Résultat de compétence inconnu : " + ", ".join(inconnus) + ".")
    ordonnes = sorted(modules, key=lambda module: module.numero)
    a_travailler = tuple(
        competence
        for module in ordonnes
        for competence in module.competences
        if resultats.get(competence.id) in A_TRAVAILLER
    )
    if a_travailler:
        return a_travailler
    return tuple(
        competence for module in ordonnes if module.numero in MODULES_PAR_DEFAUT for competence in module.competences
    )
