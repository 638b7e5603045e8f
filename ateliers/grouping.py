"""Proposed workshop groups from the waiting list: who goes into which planned workshop.

Pure rules: plain data in, plain data out; no Flask, no database. The optimisation is a mixed-integer
linear programme solved by HiGHS, through its own Python binding ``highspy`` rather than
``scipy.optimize.milp``: each solve starts from the solution in hand (``setSolution``), which scipy cannot
pass, and that is what lets the later objectives and the large instances finish in time.

Formulation, for each connected part of the problem (workshops linked by candidates who could join either):

- ``x[c, a]`` binary, candidate ``c`` goes to workshop ``a``; only for pairs where ``a``'s half-day is in
  ``c``'s availability and ``c``'s score fits the existing members. Candidates with no such workshop are
  no variable at all;
- ``z[a, L]`` binary, workshop ``a`` uses the score window ``[L, L + ecart_max(a)]`` (each workshop its own
  largest range, ``AtelierPrevu.ecart_max``), ``L`` being one of the
  scores that could be the lowest of the group; at most one window per workshop (exactly one when it has
  members). ``x[c, a] <= sum of the windows of a that hold c's score``: the range rule without big-M;
- the size of an open workshop lies between its minimum and its capacity (``sum x = 0`` when closed);
- the score range of a group is ``r[a] >= score(c) * x[c, a] - L(a)`` where ``L(a) = sum L * z[a, L]`` is
  the chosen window's start (at the optimum, the group's lowest score);
- identical empty workshops on the same half-day are ordered by window, to cut symmetric solutions.

Solving, lexicographic: consecutive objectives are solved at once with weights that make each outweigh all
those after it (one solve instead of three for a site's list), as long as the weighted objective stays
small enough for the solver's tolerances; each solve keeps the earlier objectives at the values reached;
when a solve proves its first objectives but not the others, those are solved again on their own. Every
solve starts from the best solution in hand, a greedy one at first. Parts that share no candidate are
solved separately: that is exact, every objective being a sum over parts. A part too large for one model
(a whole network) is improved half-day by half-day from the greedy solution (see ``grouping_milp.solve_large_part``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ateliers.grouping_milp import LARGE_PART, Totals, build_parts, solve_large_part, solve_part
from ateliers.grouping_types import AtelierPrevu, Candidat
from core.disponibilites import ALL_MASK, CODES, LABELS
from core.francais import nombre

# Why someone stays waiting, the main cause first (see :func:`raisons_attente`).
RAISONS = {
    "sans_disponibilite": "Disponibilités à compléter",
    "aucun_creneau": "Aucun des ateliers choisis n'a lieu à ses demi-journées",
    "complet": "Plus de place dans les ateliers à ses demi-journées",
    "niveau_eloigne": "Score trop éloigné de celui des groupes à ses demi-journées",
    "non_ouvert": "Trop peu de personnes de niveau proche pour ouvrir un atelier à ses demi-journées",
    "place_libre": "Il reste de la place à son niveau (répartition modifiée à la main)",
}


__all__ = [
    "RAISONS",
    "AtelierPrevu",
    "Attente",
    "Candidat",
    "Probleme",
    "Proposition",
    "propose_groupes",
    "raisons_attente",
    "verifier_groupe",
]


@dataclass(frozen=True)
class Proposition:
    """The proposed groups; see :func:`propose_groupes` for the meaning of each field."""

    groupes: dict[int, tuple[int, ...]]
    en_attente: dict[int, Attente]
    places: int
    attente_totale: int
    ecarts_total: int
    is_optimal: bool
    gap: float | None
    # Which objective the gap is about: "minimum", "places", "attente" or "ecarts" (None when proven).
    objectif_non_prouve: str | None
    seconds: float


class Probleme(str):
    """A problem of a group, as the French message shown; ``bloquant`` when it breaks a hard rule (availability,
    capacity) rather than one the mediator may knowingly waive (minimum size, level range).

    A ``str``, so a list of them compares with plain messages.
    """

    bloquant: bool

    def __new__(cls, message: str, bloquant: bool = False) -> Probleme:
        probleme = super().__new__(cls, message)
        probleme.bloquant = bloquant
        return probleme

    @property
    def message(self) -> str:
        return str(self)


def propose_groupes(
    candidats: Iterable[Candidat],
    ateliers: Iterable[AtelierPrevu],
    time_limit: float = 5.0,
) -> Proposition:
    """Assign waiting candidates to planned workshops, optimally when time allows.

    :param candidats: the waiting list; ids unique.
    :param ateliers: the planned workshops; ids unique. ``membres`` are the scores of people already
        enrolled: they stay, count towards capacity and minimum, and take part in the score range;
        ``ecart_max`` is the largest score range the workshop's group accepts (each workshop its own).
    :param time_limit: seconds for the whole call; on a whole network it may run over by a few per cent.
    :return: a :class:`Proposition`:

        - ``groupes``: every workshop id -> ids of the candidates assigned to it, by score then id (maybe
          empty);
        - ``en_attente``: every candidate not placed -> why, an :class:`Attente` read from the final groups
          (see :func:`raisons_attente`);
        - ``places``, ``attente_totale`` (days waited by those placed), ``ecarts_total`` (sum of the score
          ranges of the non-empty groups, existing members included);
        - ``is_optimal``: True when every objective below (and the members' minimum rule) was proven
          optimal: all take integer values, so a solution less than 1 away from the solver's bound is
          proven; a value that reaches what no solution can beat (every place filled) is proven too;
        - ``gap``: when not proven, ``|solution - bound| / max(1, |solution|)`` for the first objective,
          in the order below, that was not proven (values and bounds summed over the independent parts);
          on a whole network the bound is the trivial one (all places, the longest waits); None when
          proven;
        - ``seconds``: wall time of the whole call.
    :raise ValueError: on invalid data (score outside 0-100, half-day outside 0-11, unknown half-day
        bits, negative waiting time, capacity below 1, minimum outside 1-capacity, duplicate ids, a
        workshop's ``ecart_max`` outside 0-100, ``time_limit`` not positive).

    Hard rules:

    - a candidate goes to at most one workshop, and only to one whose half-day is in their availability;
    - a workshop without members is either left empty or gets between ``taille_min`` and ``capacite``
      people;
    - a workshop with members is always held; it never exceeds ``capacite``; when it is below
      ``taille_min``, it must be brought up to its minimum whenever the waiting list allows it: the number
      of such workshops brought up to their minimum is maximised before anything else; the others get
      whoever fits, and may stay below their minimum;
    - within a group (members and newcomers), highest score - lowest score <= the workshop's ``ecart_max``. A workshop
      whose members alone break the capacity or the range gets nobody.

    Objectives, lexicographic, in this order:

    1. place as many candidates as possible;
    2. then maximise the total days waited by the people placed;
    3. then minimise the sum of the score ranges of the held groups.

    When ``time_limit`` runs out, the best solution found so far is returned, with ``is_optimal`` False and
    the gap reported. It is never worse than a greedy assignment (scarce workshops first, longest waits
    first), and nobody is left waiting who would fit into a held group with room.
    """
    started = time.perf_counter()
    candidats = list(candidats)
    ateliers = list(ateliers)
    if not time_limit > 0:
        raise ValueError(f"Le temps de calcul doit être positif (reçu {time_limit})")
    _check_ids("candidat", [c.id for c in candidats])
    _check_ids("atelier", [a.id for a in ateliers])
    for candidat in candidats:
        _check_candidat(candidat)
    for atelier in ateliers:
        _check_atelier(atelier)

    parts = build_parts(candidats, ateliers)
    # Keep time to stop the solver and to write the answer: a few ms, a few hundred for a whole network.
    deadline = started + time_limit - min(0.1 * time_limit, 0.01 + 1e-4 * len(candidats))
    chosen: dict[int, int] = {}  # candidate index -> workshop index
    totals = Totals()
    remaining_size = sum(part.size for part in parts)
    for part in sorted(parts, key=lambda p: p.size):
        share = part.size / remaining_size if remaining_size else 1.0
        remaining_size -= part.size
        budget = max(0.0, deadline - time.perf_counter()) * share
        if len(part.pairs) > LARGE_PART:
            solution = solve_large_part(part, candidats, ateliers, budget)
        else:
            solution = solve_part(part, budget)
        chosen.update(solution.chosen)
        totals.add(solution)

    _fill_open_groups(candidats, ateliers, chosen)
    return _proposition(candidats, ateliers, chosen, totals, time.perf_counter() - started)


def verifier_groupe(atelier: AtelierPrevu, scores_et_dispos: Sequence[tuple[int, int]]) -> list[Probleme]:
    """Check a group made by hand: ``scores_et_dispos`` holds (score, half-days bitmask) of the newcomers.

    :return: the problems, French messages (:class:`Probleme`, a ``str``), in this order: availability,
        capacity (both ``bloquant``), minimum, score range (against the workshop's ``ecart_max``); an empty
        list when the group follows every rule. An empty workshop (no members, nobody added) is fine.
    :raise ValueError: on invalid data (capacity below 1, minimum outside 1-capacity, ``ecart_max`` outside
        0-100, a score outside 0-100, a half-day outside 0-11).
    """
    _check_atelier(atelier)
    ecart_max = atelier.ecart_max
    for score, _ in scores_et_dispos:
        _check_score(score)
    problems = []
    absent = sum(1 for _, dispos in scores_et_dispos if not dispos >> atelier.demi_journee & 1)
    if absent:
        label = LABELS[CODES[atelier.demi_journee]]
        moment = label[0].lower() + label[1:]
        if absent == 1:
            problems.append(Probleme(f"Un membre n'est pas disponible le {moment}", bloquant=True))
        else:
            problems.append(Probleme(f"{absent} membres ne sont pas disponibles le {moment}", bloquant=True))
    size = len(atelier.membres) + len(scores_et_dispos)
    if size > atelier.capacite:
        places = nombre(atelier.capacite, "place")
        problems.append(Probleme(f"Capacité dépassée : {size} personnes pour {places}", bloquant=True))
    if 0 < size < atelier.taille_min:
        problems.append(Probleme(f"Groupe trop petit : {nombre(size, 'personne')}, minimum {atelier.taille_min}"))
    scores = [*atelier.membres, *(score for score, _ in scores_et_dispos)]
    if scores and max(scores) - min(scores) > ecart_max:
        spread = max(scores) - min(scores)
        problems.append(Probleme(f"Écart de niveau de {nombre(spread, 'point')}, au-delà de {ecart_max}"))
    return problems


# --- validation -------------------------------------------------------------------------------------------


def _check_ecart(ecart_max: int) -> None:
    if not 0 <= ecart_max <= 100:
        raise ValueError(f"L'écart de niveau maximal doit être compris entre 0 et 100 (reçu {ecart_max})")


def _check_score(score: int) -> None:
    if not 0 <= score <= 100:
        raise ValueError(f"Un score doit être compris entre 0 et 100 (reçu {score})")


def _check_ids(kind: str, ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"Identifiant de {kind} en double : {', '.join(map(str, doubles))}")


def _check_candidat(candidat: Candidat) -> None:
    _check_score(candidat.score)
    if not 0 <= candidat.disponibilites <= ALL_MASK:
        raise ValueError(f"Disponibilités inconnues pour le candidat {candidat.id} : {candidat.disponibilites}")
    if candidat.attente_jours < 0:
        raise ValueError(f"Attente négative pour le candidat {candidat.id} : {candidat.attente_jours} jours")


def _check_atelier(atelier: AtelierPrevu) -> None:
    if not 0 <= atelier.demi_journee < len(CODES):
        raise ValueError(f"Demi-journée inconnue pour l'atelier {atelier.id} : {atelier.demi_journee}")
    if atelier.capacite < 1:
        raise ValueError(f"La capacité de l'atelier {atelier.id} doit être d'au moins 1 place")
    if not 1 <= atelier.taille_min <= atelier.capacite:
        raise ValueError(
            f"Le minimum de l'atelier {atelier.id} ({atelier.taille_min}) doit être compris entre 1 et "
            f"sa capacité ({atelier.capacite})"
        )
    _check_ecart(atelier.ecart_max)
    for score in atelier.membres:
        _check_score(score)


# --- the answer -------------------------------------------------------------------------------------------


def _fits(atelier: AtelierPrevu, scores: list[int], score: int) -> bool:
    return len(scores) < atelier.capacite and max(*scores, score) - min(*scores, score) <= atelier.ecart_max


def _fill_open_groups(candidats: list[Candidat], ateliers: list[AtelierPrevu], chosen: dict[int, int]) -> None:
    """Add to held groups with room anyone left waiting who fits: only a solution cut short by time leaves some."""
    scores = [list(atelier.membres) for atelier in ateliers]
    for ci, ai in chosen.items():
        scores[ai].append(candidats[ci].score)
    waiting = sorted(
        (ci for ci in range(len(candidats)) if ci not in chosen), key=lambda ci: -candidats[ci].attente_jours
    )
    for ci in waiting:
        candidat = candidats[ci]
        for ai, atelier in enumerate(ateliers):
            if (
                scores[ai]
                and candidat.disponibilites >> atelier.demi_journee & 1
                and _fits(atelier, scores[ai], candidat.score)
            ):
                chosen[ci] = ai
                scores[ai].append(candidat.score)
                break


def _proposition(
    candidats: list[Candidat],
    ateliers: list[AtelierPrevu],
    chosen: dict[int, int],
    totals: Totals,
    seconds: float,
) -> Proposition:
    assigned: dict[int, list[Candidat]] = defaultdict(list)
    for ci, ai in chosen.items():
        assigned[ai].append(candidats[ci])
    groupes = {}
    ecarts_total = 0
    for ai, atelier in enumerate(ateliers):
        newcomers = sorted(assigned[ai], key=lambda c: (c.score, c.id))
        groupes[atelier.id] = tuple(c.id for c in newcomers)
        scores = [*atelier.membres, *(c.score for c in newcomers)]
        if scores:
            ecarts_total += max(scores) - min(scores)

    unproven = totals.gap()
    return Proposition(
        groupes=groupes,
        en_attente=raisons_attente(candidats, ateliers, groupes),
        places=len(chosen),
        attente_totale=sum(candidats[ci].attente_jours for ci in chosen),
        ecarts_total=ecarts_total,
        is_optimal=unproven is None,
        gap=unproven[1] if unproven else None,
        objectif_non_prouve=unproven[0] if unproven else None,
        seconds=seconds,
    )


# --- why someone stays waiting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eloigne:
    """A held group too far from the candidate: the group's score range with them, and its workshop's maximum."""

    atelier_id: int
    ecart: int
    ecart_max: int


@dataclass(frozen=True)
class NonOuvert:
    """An empty workshop: ``proches`` people waiting (the candidate included) fit with them in its score range."""

    atelier_id: int
    proches: int
    taille_min: int


@dataclass(frozen=True)
class Attente:
    """Why a candidate stays waiting, workshop by workshop at their half-days; ``code`` the main cause, a key of
    :data:`RAISONS`. Each list holds the workshops (ids) concerned; :meth:`texte` says it in French."""

    code: str
    score: int
    eloignes: tuple[Eloigne, ...] = ()
    complets: tuple[int, ...] = ()
    non_ouverts: tuple[NonOuvert, ...] = ()
    avec_place: tuple[int, ...] = ()

    def texte(self, intitules: Mapping[int, str]) -> str:
        """The reason as the proposal page shows it, with the figures; ``intitules``: workshop id -> its name.

        E.g. "Score 72 : écart de 35 points avec le groupe le plus proche (Atelier du mardi matin), maximum 20".
        """
        if self.code in {"sans_disponibilite", "aucun_creneau"}:
            return RAISONS[self.code]
        parts = []
        if self.eloignes:
            closest = min(self.eloignes, key=lambda e: (e.ecart - e.ecart_max, e.ecart))
            which = "le groupe le plus proche" if len(self.eloignes) > 1 else "le groupe"
            parts.append(
                f"score {self.score} : écart de {nombre(closest.ecart, 'point')} avec {which} "
                f"({intitules[closest.atelier_id]}), maximum {closest.ecart_max}"
            )
        if self.complets:
            names = ", ".join(intitules[i] for i in self.complets)
            parts.append(f"{'complet' if len(self.complets) == 1 else 'complets'} : {names}")
        for non_ouvert in self.non_ouverts:
            parts.append(
                f"{intitules[non_ouvert.atelier_id]} non ouvert : "
                f"{nombre(non_ouvert.proches, 'personne')} de niveau proche en attente, minimum {non_ouvert.taille_min}"
            )
        if self.avec_place:
            names = ", ".join(intitules[i] for i in self.avec_place)
            parts.append(f"il reste de la place à son niveau (répartition modifiée à la main) : {names}")
        sentence = " ; ".join(parts)
        return sentence[:1].upper() + sentence[1:]


def raisons_attente(
    candidats: Iterable[Candidat], ateliers: Iterable[AtelierPrevu], groupes: Mapping[int, Sequence[int]]
) -> dict[int, Attente]:
    """Why each candidate not in ``groupes`` (workshop id -> newcomer ids) stays waiting, read from those groups.

    For a candidate without any half-day: ``sans_disponibilite``; without any of the workshops at their
    half-days: ``aucun_creneau``. Otherwise each workshop at their half-days is, with its final group:
    full (``complets``); held but too far (``eloignes``: the group's range with them would pass the workshop's
    ``ecart_max``); empty (``non_ouverts``, with how many waiting people available then fit in one score
    window with them); or held with room at their level (``avec_place``: only when a group was made by hand).
    ``code``: ``complet`` when every such workshop is full, else the first of ``niveau_eloigne``,
    ``non_ouvert``, ``place_libre`` that applies.
    """
    candidats = list(candidats)
    ateliers = list(ateliers)
    placed = {i for ids in groupes.values() for i in ids}
    by_id = {c.id: c for c in candidats}
    scores = {
        atelier.id: [*atelier.membres, *(by_id[i].score for i in groupes.get(atelier.id, ()) if i in by_id)]
        for atelier in ateliers
    }
    waiting = [c for c in candidats if c.id not in placed]
    reasons = {}
    for candidat in waiting:
        if not candidat.disponibilites:
            reasons[candidat.id] = Attente("sans_disponibilite", candidat.score)
            continue
        at_their_times = [a for a in ateliers if candidat.disponibilites >> a.demi_journee & 1]
        if not at_their_times:
            reasons[candidat.id] = Attente("aucun_creneau", candidat.score)
            continue
        eloignes, complets, non_ouverts, avec_place = [], [], [], []
        for atelier in at_their_times:
            group = scores[atelier.id]
            if len(group) >= atelier.capacite:
                complets.append(atelier.id)
            elif group:
                ecart = max(*group, candidat.score) - min(*group, candidat.score)
                if ecart > atelier.ecart_max:
                    eloignes.append(Eloigne(atelier.id, ecart, atelier.ecart_max))
                else:
                    avec_place.append(atelier.id)
            else:
                others = [c.score for c in waiting if c.disponibilites >> atelier.demi_journee & 1]
                non_ouverts.append(
                    NonOuvert(atelier.id, _near(others, candidat.score, atelier.ecart_max), atelier.taille_min)
                )
        if len(complets) == len(at_their_times):
            code = "complet"
        else:
            code = "niveau_eloigne" if eloignes else "non_ouvert" if non_ouverts else "place_libre"
        reasons[candidat.id] = Attente(
            code, candidat.score, tuple(eloignes), tuple(complets), tuple(non_ouverts), tuple(avec_place)
        )
    return reasons


def _near(scores: list[int], score: int, ecart_max: int) -> int:
    """The most of ``scores`` (``score`` among them) that fit in one window of width ``ecart_max`` holding ``score``."""
    return max(
        sum(1 for s in scores if low <= s <= low + ecart_max) for low in range(max(0, score - ecart_max), score + 1)
    )
