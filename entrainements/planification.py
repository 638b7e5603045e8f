"""Booking planner for the entraînements: which occurrence of which practice slot each due entraînement takes.

Pure rule (no Flask, no database): the caller reads the due entraînements, the dated occurrences of the slots
with their free places and the bookings that already exist, and writes the result back.

Source: issue 10, item 3. The assignment is optimal in this lexicographic order:

1. as many entraînements as possible booked, each inside its window, on a half-day its learner is available,
   never beyond an occurrence's free places, never two bookings of one learner on the same day (existing
   bookings included);
2. then the smallest total distance, in days, between the booked dates and the target dates;
3. then lower ranks booked first (smallest sum of the ranks of the booked entraînements);
4. then the learners who finished their workshop longest ago (smallest sum of those dates, as day numbers).

It is solved as one MILP with HiGHS (``ateliers.milp_model``). Consecutive criteria are merged into one
objective with exact integer weights (:func:`ponderer`): each weight is larger than everything the criteria
after it can add up to, so no lower criterion can ever outweigh a higher one, as long as the merged objective
stays below ``PLAFOND_OBJECTIF`` (integers, far from the solver's tolerances). Criteria that would pass
it are solved one after another instead, each solve fixing the optimum of the one before with a row. The
booking sweep's instances (200 entraînements, three weeks of slots) fit in one solve. Nearest-first greedy
booking is not optimal once places are scarce, hence the solver. Between assignments equally good on all four
criteria, which one comes back is not specified; the model is built in id order, so the same input always gives
the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ateliers.milp_model import MilpModel, lexicographic_stages
from core.disponibilites import ALL_MASK, CODES, LABELS
from core.francais import nombre
from core.timeutil import periode_fr

# Seconds HiGHS may spend on each objective; the instances of one booking horizon solve in milliseconds.
SECONDES_PAR_OBJECTIF = 10.0
# The largest value a merged objective may reach (2^31): every value is an integer exactly represented in a
# double, and a difference of 1 between two solutions stays far above HiGHS's absolute tolerances (1e-7 per
# column, costs unscaled), so its optimum is proven with an absolute gap below 1. A sweep's structure (200
# entraînements) merges its four criteria into one solve (measured: 25 ms instead of 105 ms for four, the same
# optimum on 60 scarce and plentiful instances).
PLAFOND_OBJECTIF = 2**31


@dataclass(frozen=True)
class EntrainementAPlacer:
    """An entraînement due for booking.

    :param id: the entraînement's id.
    :param apprenant_id: its learner's id.
    :param rang: its rank after the workshop, 1..3.
    :param date_cible: the date it should ideally take place.
    :param debut: first date of its booking window (inclusive).
    :param fin: last date of its booking window (inclusive).
    :param disponibilites: the learner's weekday half-days, a bitmask of ``core.disponibilites.CODES``.
    :param fin_atelier: the date the learner finished their workshop.
    """

    id: int
    apprenant_id: int
    rang: int
    date_cible: date
    debut: date
    fin: date
    disponibilites: int
    fin_atelier: date


@dataclass(frozen=True)
class OccurrenceCreneau:
    """One dated occurrence of a practice slot.

    :param id: the occurrence's id.
    :param jour: its date.
    :param demi_journee: its half-day code (``core.disponibilites.CODES``), which must match ``jour``'s weekday.
    :param places_libres: places still free, existing bookings already deducted (>= 0).
    """

    id: int
    jour: date
    demi_journee: str
    places_libres: int


@dataclass(frozen=True)
class ReservationExistante:
    """A booking already made: its learner is not booked again on that occurrence's day."""

    occurrence_id: int
    apprenant_id: int


@dataclass(frozen=True)
class Planification:
    """The planner's result.

    :param affectation: entraînement id -> occurrence id, for every entraînement booked.
    :param motifs: entraînement id -> why it stays "à planifier", in French the mediator can act on.
    """

    affectation: dict[int, int] = field(default_factory=dict)
    motifs: dict[int, str] = field(default_factory=dict)


def _index_demi_journee(occurrence: OccurrenceCreneau) -> int:
    """Index of the occurrence's half-day in ``CODES``; ValueError when unknown or not ``jour``'s weekday."""
    try:
        index = CODES.index(occurrence.demi_journee)
    except ValueError:
        raise ValueError(f"demi-journée inconnue : {occurrence.demi_journee!r}") from None
    if index // 2 != occurrence.jour.weekday():
        raise ValueError(f"l'occurrence {occurrence.id} n'est pas un {LABELS[occurrence.demi_journee]}")
    return index


def possible(entrainement: EntrainementAPlacer, occurrence: OccurrenceCreneau) -> bool:
    """Whether ``occurrence`` is in the entraînement's window and on one of its learner's half-days (places and
    days already taken aside)."""
    index = _index_demi_journee(occurrence)
    return entrainement.debut <= occurrence.jour <= entrainement.fin and bool(entrainement.disponibilites >> index & 1)


def objectif(
    entrainements: list[EntrainementAPlacer], occurrences: list[OccurrenceCreneau], affectation: dict[int, int]
):
    """The tuple the planner minimises, for ``affectation``: (- number booked, total days from the targets, sum
    of the ranks booked, sum of the workshop end dates booked as day numbers)."""
    jours = {o.id: o.jour for o in occurrences}
    reserves = [e for e in entrainements if e.id in affectation]
    return (
        -len(reserves),
        sum(abs((jours[affectation[e.id]] - e.date_cible).days) for e in reserves),
        sum(e.rang for e in reserves),
        sum(e.fin_atelier.toordinal() for e in reserves),
    )


def planifier(
    entrainements: Sequence[EntrainementAPlacer],
    occurrences: Sequence[OccurrenceCreneau],
    reservations: Sequence[ReservationExistante] = (),
    secondes: float = SECONDES_PAR_OBJECTIF,
    plafond: int = PLAFOND_OBJECTIF,
) -> Planification:
    """Book the due ``entrainements`` on ``occurrences``, optimally (see the module docstring).

    :param reservations: the bookings that already exist; their occurrences must be among ``occurrences``.
    :param secondes: time HiGHS may spend on each objective solved; a solve stopped by it keeps the best
        solution it found (always feasible), so the result is then valid but maybe not optimal.
    :param plafond: the largest value of a merged objective (see :func:`ponderer`); 0 solves the four criteria
        one after another.
    :return: the assignment, and for each entraînement left unbooked the reason, in French.
    :raise ValueError: on a negative number of free places, an unknown half-day code, a half-day that is not
        its date's weekday, a booking of an unknown occurrence, or a duplicated id.
    """
    entrainements = sorted(entrainements, key=lambda e: e.id)
    occurrences = sorted(occurrences, key=lambda o: o.id)
    if len({e.id for e in entrainements}) != len(entrainements) or len({o.id for o in occurrences}) != len(occurrences):
        raise ValueError("identifiant en double")
    par_id = {o.id: o for o in occurrences}
    bits = {}  # occurrence id -> its half-day's bit in a learner's availability mask
    for occurrence in occurrences:
        bits[occurrence.id] = 1 << _index_demi_journee(occurrence)
        if occurrence.places_libres < 0:
            raise ValueError(f"places libres négatives pour l'occurrence {occurrence.id}")
    jours_pris: dict[int, set[date]] = defaultdict(set)
    for reservation in reservations:
        if reservation.occurrence_id not in par_id:
            raise ValueError(f"réservation d'une occurrence inconnue : {reservation.occurrence_id}")
        jours_pris[reservation.apprenant_id].add(par_id[reservation.occurrence_id].jour)

    # The rule of :func:`possible`, written inline: this loop sees every (entraînement, occurrence) pair, 30,000
    # for a structure of the sweep.
    libres = [o for o in occurrences if o.places_libres > 0]
    paires = [
        (e, o)
        for e in entrainements
        for o in libres
        if e.debut <= o.jour <= e.fin and e.disponibilites & bits[o.id] and o.jour not in jours_pris[e.apprenant_id]
    ]
    affectation = _resoudre(entrainements, occurrences, paires, secondes, plafond) if paires else {}
    for e in entrainements:
        if e.id in affectation:
            jours_pris[e.apprenant_id].add(par_id[affectation[e.id]].jour)
    motifs = {
        e.id: _motif(e, occurrences, jours_pris[e.apprenant_id]) for e in entrainements if e.id not in affectation
    }
    return Planification(affectation=affectation, motifs=motifs)


def _resoudre(entrainements, occurrences, paires, secondes: float, plafond: int) -> dict[int, int]:
    """Solve the MILP over the possible (entraînement, occurrence) ``paires``; one binary variable each."""
    model = MilpModel()
    x = model.variables(len(paires))
    par_entrainement: dict[int, list[int]] = defaultdict(list)
    par_occurrence: dict[int, list[int]] = defaultdict(list)
    par_apprenant_jour: dict[tuple[int, date], list[int]] = defaultdict(list)
    for col, (e, o) in zip(x, paires, strict=True):
        par_entrainement[e.id].append(col)
        par_occurrence[o.id].append(col)
        par_apprenant_jour[(e.apprenant_id, o.jour)].append(col)
    for cols in par_entrainement.values():
        model.row(cols, [1.0] * len(cols), upper=1)
    places = {o.id: o.places_libres for o in occurrences}
    for occurrence_id, cols in par_occurrence.items():
        model.row(cols, [1.0] * len(cols), upper=places[occurrence_id])
    for cols in par_apprenant_jour.values():
        if len(cols) > 1:
            model.row(cols, [1.0] * len(cols), upper=1)
    model.load()
    # HiGHS's presolve costs more than it saves on these models (an assignment with side rows, solved in a few
    # LP iterations): off, the solves of a 200-entraînement structure take 5 times less, same optimum.
    model.highs.setOptionValue("presolve", "off")

    # Criterion values are integers; the day numbers of (4) are shifted so that their sum stays small.
    origine = min(e.fin_atelier.toordinal() for e in entrainements)
    criteres = [
        [-1] * len(paires),
        [abs((o.jour - e.date_cible).days) for e, o in paires],
        [e.rang for e, _ in paires],
        [e.fin_atelier.toordinal() - origine for e, _ in paires],
    ]
    groupes = [e.id for e, _ in paires]
    solution = [0.0] * len(paires)  # booking nothing is always feasible
    for objectif_fusionne in ponderer(criteres, groupes, plafond):
        cout = [float(c) for c in objectif_fusionne]
        couts = dict(zip(x, cout, strict=True))
        # The linear relaxation first: its rounded solution, when proven optimal, spares the MILP (a structure
        # of the sweep: ~15 ms instead of ~25 ms).
        trouvee = model.solve_relaxation(couts, secondes)
        if trouvee is None:
            _, trouvee, _ = model.solve(couts, secondes, solution)
        if trouvee is not None:
            solution = [float(round(v)) for v in trouvee]
        valeur = sum(c * v for c, v in zip(cout, solution, strict=True))
        # Keep this objective at its value while the next ones are minimised.
        model.row(list(x), cout, upper=valeur + 0.5)
    return {e.id: o.id for (e, o), v in zip(paires, solution, strict=True) if v > 0.5}


def ponderer(criteres: list[list[int]], groupes: list[int], plafond: int) -> list[list[int]]:
    """Merge consecutive lexicographic criteria into weighted objectives with the same optimum
    (``ateliers.milp_model.lexicographic_stages``, as the grouping solver does).

    :param criteres: the criteria, most important first; each gives one integer cost per variable, all of one
        sign within a criterion.
    :param groupes: for each variable, its group: at most one variable of a group is 1 in any solution (here,
        an entraînement is booked once), so a criterion's total varies by at most the sum, over the groups, of
        its largest absolute cost (its span).
    :param plafond: the largest value (absolute) a merged objective may reach; a criterion that would take a
        merged objective past it goes to another solve (a criterion alone is never split).
    :return: the objectives to minimise one after another, each fixing its optimum before the next: a list of
        integer cost lists, one cost per variable.

    Pure.
    """
    etendues = {}
    for rang, critere in enumerate(criteres):
        par_groupe: dict[int, int] = {}
        for groupe, cout in zip(groupes, critere, strict=True):
            par_groupe[groupe] = max(par_groupe.get(groupe, 0), abs(cout))
        etendues[rang] = sum(par_groupe.values())
    return [
        [sum(poids * criteres[rang][col] for rang, poids in etape.items()) for col in range(len(groupes))]
        for etape in lexicographic_stages(etendues, plafond)
    ]


def _demi_journees_fr(disponibilites: int) -> str:
    """``"le mardi après-midi"``, ``"le lundi matin ou le jeudi après-midi"``, ``"le lundi matin, le mardi
    matin ou le jeudi après-midi"``."""
    noms = [f"le {LABELS[code].lower()}" for i, code in enumerate(CODES) if disponibilites >> i & 1]
    return noms[0] if len(noms) == 1 else f"{', '.join(noms[:-1])} ou {noms[-1]}"


def _motif(
    entrainement: EntrainementAPlacer,
    occurrences: list[OccurrenceCreneau],
    jours_pris: set[date],
) -> str:
    """Why ``entrainement`` stays unbooked, in words that tell the mediator what to change.

    :param jours_pris: the days its learner is already booked, before or by this plan.
    """
    if entrainement.disponibilites == 0:
        return "aucune demi-journée de disponibilité n'est renseignée : complétez ses disponibilités"
    quand = periode_fr(entrainement.debut, entrainement.fin)
    if entrainement.disponibilites != ALL_MASK:
        quand = f"{_demi_journees_fr(entrainement.disponibilites)} {quand}"
    candidates = [o for o in occurrences if possible(entrainement, o)]
    if not candidates:
        return f"aucun créneau {quand} : ouvrez un créneau à ces moments ou élargissez ses disponibilités"
    meme_jour = [o for o in candidates if o.jour in jours_pris]
    completes = [o for o in candidates if o not in meme_jour]
    detail = []
    if completes:
        detail.append(nombre(len(completes), "créneau complet", "créneaux complets"))
    if meme_jour:
        detail.append(
            f"{nombre(len(meme_jour), 'créneau tombe', 'créneaux tombent')} un jour où une séance est déjà réservée"
        )
    return f"aucun créneau libre {quand} ({', '.join(detail)}) : ajoutez des places ou proposez une autre date"


__all__ = [
    "EntrainementAPlacer",
    "OccurrenceCreneau",
    "Planification",
    "ReservationExistante",
    "objectif",
    "planifier",
]
