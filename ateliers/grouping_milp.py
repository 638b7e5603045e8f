"""The mixed-integer programme behind ``ateliers.grouping.propose_groupes``: the problem split into parts
that share no candidate, each part formulated and solved lexicographically with HiGHS (``highspy``).

Pure: plain data in, plain data out. The formulation and the solving strategy are described in the
docstring of ``ateliers.grouping``.
"""

from __future__ import annotations

import itertools
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ateliers.grouping_types import AtelierPrevu, Candidat
from ateliers.milp_model import MIN_SOLVE_SECONDS, MilpModel, lexicographic_stages
from core.disponibilites import CODES

# Share of the remaining time given to each solve, by the number of solves left; the last takes what is left.
_STAGE_SHARE = {4: 0.4, 3: 0.5, 2: 0.6, 1: 1.0}
# Share of its time that a solve of several objectives at once takes; the rest is kept to solve the later
# ones again when it proves the first.
_SHARED_STAGE_SHARE = 0.85
# Parts with more (candidate, workshop) pairs than this are improved half-day by half-day: one model of
# the whole would not even have its linear relaxation solved within the time limit.
LARGE_PART = 12_000


# --- the problem, split into independent parts ------------------------------------------------------------


@dataclass
class _Part:
    """Workshops linked through shared candidates, with everything the model needs (local indices)."""

    ateliers: list[int]  # global workshop indices
    candidats: list[int]  # global candidate indices
    scores: list[int]  # per local candidate
    waits: list[int]  # per local candidate
    pairs: list[tuple[int, int]]  # (local candidate, local workshop)
    windows: list[list[int]]  # per local workshop: possible lowest scores L, ascending
    free: list[int]  # per local workshop: places left (capacity - members)
    need: list[int]  # per local workshop: people to add to reach the minimum
    members: list[tuple[int, ...]]  # per local workshop: scores of the people already enrolled
    ecarts: list[int]  # per local workshop: its largest score range (the workshop's ``ecart_max``)
    twins: list[list[int]] = field(default_factory=list)  # classes of identical empty workshops, to order

    @property
    def size(self) -> int:
        return len(self.pairs) + sum(len(w) for w in self.windows)


def build_parts(candidats: list[Candidat], ateliers: list[AtelierPrevu]) -> list[_Part]:
    """The compatible (candidate, workshop) pairs, split into parts that share no candidate; each workshop's
    score range is its own ``ecart_max``."""
    by_half_day: dict[int, list[int]] = defaultdict(list)
    for ci, candidat in enumerate(candidats):
        for half_day in range(len(CODES)):
            if candidat.disponibilites >> half_day & 1:
                by_half_day[half_day].append(ci)

    pairs_of: dict[int, list[int]] = {}  # workshop index -> compatible candidate indices
    for ai, atelier in enumerate(ateliers):
        members, ecart_max = atelier.membres, atelier.ecart_max
        if members and (len(members) >= atelier.capacite or max(members) - min(members) > ecart_max):
            continue  # full, or already too mixed: nobody can join
        low, high = (max(members) - ecart_max, min(members) + ecart_max) if members else (0, 100)
        compatible = [ci for ci in by_half_day[atelier.demi_journee] if low <= candidats[ci].score <= high]
        if not members and _largest_window(sorted(candidats[ci].score for ci in compatible), ecart_max) < (
            atelier.taille_min
        ):
            continue  # can never be opened
        if compatible:
            pairs_of[ai] = compatible

    # Union-find over workshops, joined by each candidate's compatible workshops.
    parent = {ai: ai for ai in pairs_of}

    def root(ai: int) -> int:
        while parent[ai] != ai:
            parent[ai] = parent[parent[ai]]
            ai = parent[ai]
        return ai

    first_workshop: dict[int, int] = {}
    for ai, compatible in pairs_of.items():
        for ci in compatible:
            other = first_workshop.setdefault(ci, ai)
            parent[root(ai)] = root(other)
    groups: dict[int, list[int]] = defaultdict(list)
    for ai in pairs_of:
        groups[root(ai)].append(ai)
    return [_make_part(workshops, pairs_of, candidats, ateliers) for workshops in groups.values()]


def _largest_window(scores: list[int], ecart_max: int) -> int:
    """How many of the sorted ``scores`` fit in one window of width ``ecart_max``."""
    best, start = 0, 0
    for end, score in enumerate(scores):
        while score - scores[start] > ecart_max:
            start += 1
        best = max(best, end - start + 1)
    return best


def _make_part(
    workshops: list[int],
    pairs_of: dict[int, list[int]],
    candidats: list[Candidat],
    ateliers: list[AtelierPrevu],
) -> _Part:
    workshops = sorted(workshops, key=lambda ai: ateliers[ai].id)
    local_candidate: dict[int, int] = {}
    pairs = []
    windows = []
    for la, ai in enumerate(workshops):
        atelier = ateliers[ai]
        scores = set()
        for ci in pairs_of[ai]:
            lc = local_candidate.setdefault(ci, len(local_candidate))
            pairs.append((lc, la))
            scores.add(candidats[ci].score)
        if atelier.membres:
            low, high = max(atelier.membres) - atelier.ecart_max, min(atelier.membres)
            starts = {s for s in scores if low <= s <= high} | {high}
        else:
            starts = scores
        windows.append(sorted(starts))
    global_candidates = sorted(local_candidate, key=local_candidate.get)

    kinds: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
    for la, ai in enumerate(workshops):
        atelier = ateliers[ai]
        if not atelier.membres:
            kinds[atelier.demi_journee, atelier.capacite, atelier.taille_min, atelier.ecart_max].append(la)
    twins = [kind for kind in kinds.values() if len(kind) > 1]

    return _Part(
        ateliers=workshops,
        candidats=global_candidates,
        scores=[candidats[ci].score for ci in global_candidates],
        waits=[candidats[ci].attente_jours for ci in global_candidates],
        pairs=pairs,
        windows=windows,
        free=[ateliers[ai].capacite - len(ateliers[ai].membres) for ai in workshops],
        need=[max(0, ateliers[ai].taille_min - len(ateliers[ai].membres)) for ai in workshops],
        members=[ateliers[ai].membres for ai in workshops],
        ecarts=[ateliers[ai].ecart_max for ai in workshops],
        twins=twins,
    )


# --- solving one part -------------------------------------------------------------------------------------

# The objectives, in lexicographic order; the first is posed only when a workshop with members is below its
# minimum.
_REACHED, _PLACES, _WAITING, _RANGES = range(4)
_OBJECTIVE_NAMES = {_REACHED: "minimum", _PLACES: "places", _WAITING: "attente", _RANGES: "ecarts"}
# Consecutive objectives are solved at once, weighted so that each outweighs all those after it, as long as
# the weighted objective stays below this: beyond it, the solver's tolerances would blur its units.
_MAGNITUDE_LIMIT = 10**8


@dataclass
class _Level:
    """How one objective went in one part: the value reached, the solver's bound, whether that proves it."""

    value: int
    bound: float
    proven: bool


@dataclass
class _PartSolution:
    chosen: dict[int, int]  # global candidate index -> global workshop index
    levels: dict[int, _Level]
    improved: bool = False  # better than the solution it started from


@dataclass
class Totals:
    """Objective values and bounds over all the parts, to tell optimality and the gap."""

    levels: dict[int, list[_Level]] = field(default_factory=lambda: defaultdict(list))

    def add(self, solution: _PartSolution) -> None:
        for k, level in solution.levels.items():
            self.levels[k].append(level)

    def gap(self) -> tuple[str, float] | None:
        """The first objective not proven (its name in OBJECTIFS) and its relative gap; None when all are."""
        for k in sorted(self.levels):
            levels = self.levels[k]
            if not all(level.proven for level in levels):
                value = sum(level.value for level in levels)
                bound = sum(level.bound for level in levels)
                return _OBJECTIVE_NAMES[k], abs(value - bound) / max(1.0, abs(value))
        return None


def _groups(part: _Part, chosen: list[int]) -> list[list[int]]:
    """Per local workshop, the scores of its group (members and chosen candidates)."""
    scores: list[list[int]] = [list(members) for members in part.members]
    for p in chosen:
        lc, la = part.pairs[p]
        scores[la].append(part.scores[lc])
    return scores


def _evaluate(part: _Part, chosen: list[int]) -> dict[int, int]:
    """The four objective values of a part for the chosen pairs (ranges to minimise, the others to maximise)."""
    groups = _groups(part, chosen)
    return {
        _REACHED: sum(
            1
            for la, need in enumerate(part.need)
            if part.members[la] and 0 < need <= len(groups[la]) - len(part.members[la])
        ),
        _PLACES: len(chosen),
        _WAITING: sum(part.waits[part.pairs[p][0]] for p in chosen),
        _RANGES: sum(max(group) - min(group) for group in groups if group),
    }


def _gain(k: int, value: float) -> float:
    """The objective as a quantity to maximise."""
    return -value if k == _RANGES else value


def _ordered(values: dict[int, int]) -> tuple[float, ...]:
    """Objective values as a tuple that compares in the lexicographic order, greater is better."""
    return tuple(_gain(k, values[k]) for k in (_REACHED, _PLACES, _WAITING, _RANGES))


def _canonical(part: _Part, chosen: list[int]) -> list[int]:
    """The same groups, swapped among identical workshops so that their windows come in the model's order."""
    groups: dict[int, list[int]] = defaultdict(list)  # workshop -> candidates
    for p in chosen:
        lc, la = part.pairs[p]
        groups[la].append(lc)
    for kind in part.twins:
        starts = part.windows[kind[0]]  # the same for every workshop of the kind

        def rank(group: list[int], starts: list[int] = starts) -> int:
            # Rank of the window starting at the group's lowest score, 0 for an empty workshop.
            return starts.index(min(part.scores[lc] for lc in group)) + 1 if group else 0

        ordered = sorted((groups[la] for la in kind), key=rank, reverse=True)
        for la, group in zip(kind, ordered, strict=True):
            groups[la] = group
    pair_index = {pair: p for p, pair in enumerate(part.pairs)}
    return sorted(pair_index[lc, la] for la, group in groups.items() for lc in group)


def _greedy(part: _Part) -> list[int]:
    """A quick feasible assignment to start the solver from: scarce workshops first, each its best window."""
    by_wait: dict[int, list[int]] = defaultdict(list)  # workshop -> its pairs, longest wait first
    for p, (_, la) in enumerate(part.pairs):
        by_wait[la].append(p)
    for pairs in by_wait.values():
        pairs.sort(key=lambda p: -part.waits[part.pairs[p][0]])
    taken: set[int] = set()
    chosen: list[int] = []
    for la in sorted(range(len(part.ateliers)), key=lambda la: (not part.members[la], len(by_wait[la]))):
        best: tuple[int, int] = (-1, -1)
        best_pairs: list[int] = []
        for start in part.windows[la]:
            picked = []
            for p in by_wait[la]:
                lc = part.pairs[p][0]
                if lc not in taken and start <= part.scores[lc] <= start + part.ecarts[la]:
                    picked.append(p)
                    if len(picked) == part.free[la]:
                        break
            if part.members[la] or len(picked) >= part.need[la]:
                value = (len(picked), sum(part.waits[part.pairs[p][0]] for p in picked))
                if value > best:
                    best, best_pairs = value, picked
        taken.update(part.pairs[p][0] for p in best_pairs)
        chosen += best_pairs
    return _canonical(part, chosen)


@dataclass
class _Formulation:
    model: MilpModel
    x: range  # per pair, the column that places its candidate in its workshop
    reached: dict[int, int]  # workshop with members below its minimum -> column "brought to its minimum"
    ranges: range  # per workshop, the column of its score range
    vector: Callable[[list[int]], list[float]]  # chosen pairs -> the full solution


def _formulate(part: _Part) -> _Formulation:
    model = MilpModel()
    n_workshops = len(part.ateliers)
    x = model.variables(len(part.pairs))
    windows = [model.variables(len(starts)) for starts in part.windows]
    opened = {la: model.variables(1)[0] for la in range(n_workshops) if not part.members[la]}
    below = [la for la in range(n_workshops) if part.members[la] and part.need[la] > 0]
    reached = dict(zip(below, model.variables(len(below)), strict=True))
    ranges = range(len(model.lower), len(model.lower) + n_workshops)
    for ecart in part.ecarts:
        model.variables(1, upper=float(ecart))
    lows = model.variables(n_workshops, upper=100.0, integer=False)

    pairs_of_candidate: dict[int, list[int]] = defaultdict(list)
    pairs_of_workshop: dict[int, list[int]] = defaultdict(list)
    for p, (lc, la) in enumerate(part.pairs):
        pairs_of_candidate[lc].append(x[p])
        pairs_of_workshop[la].append(x[p])
    for cols in pairs_of_candidate.values():
        model.row(cols, [1.0] * len(cols), upper=1)
    for la in range(n_workshops):
        cols = pairs_of_workshop[la]
        ones = [1.0] * len(cols)
        window_cols = list(windows[la])
        if la in opened:
            # Closed: nobody; open: between the minimum and the capacity, in exactly one window.
            model.row([*cols, opened[la]], [*ones, -part.free[la]], upper=0)
            model.row([*cols, opened[la]], [*ones, -part.need[la]], lower=0)
            model.row([*window_cols, opened[la]], [1.0] * len(window_cols) + [-1.0], lower=0, upper=0)
        else:
            model.row(cols, ones, upper=part.free[la])
            model.row(window_cols, [1.0] * len(window_cols), lower=1, upper=1)
            if la in reached:
                model.row([*cols, reached[la]], [*ones, -part.need[la]], lower=0)
        # The window's start, which is the group's lowest score once the ranges are minimised.
        model.row([lows[la], *window_cols], [1.0, *(-float(start) for start in part.windows[la])], lower=0, upper=0)
        if part.members[la]:
            model.row([ranges[la], lows[la]], [1.0, 1.0], lower=max(part.members[la]))
    for p, (lc, la) in enumerate(part.pairs):
        # Only in a window that holds the score; the range reaches the score from the window's start.
        score = part.scores[lc]
        starts = part.windows[la]
        first, last = bisect_left(starts, score - part.ecarts[la]), bisect_right(starts, score)
        covering = [windows[la][i] for i in range(first, last)]
        model.row([x[p], *covering], [1.0] + [-1.0] * len(covering), upper=0)
        model.row([ranges[la], lows[la], x[p]], [1.0, 1.0, -float(score)], lower=0)
    for kind in part.twins:
        # Identical empty workshops are interchangeable: only their order by window is kept.
        ranks = [float(rank + 1) for rank in range(len(part.windows[kind[0]]))]
        for first, second in itertools.pairwise(kind):
            model.row([*windows[first], *windows[second]], [*ranks, *(-r for r in ranks)], lower=0)

    def vector(chosen: list[int]) -> list[float]:
        values = [0.0] * len(model.lower)
        for p in chosen:
            values[x[p]] = 1.0
        for la, group in enumerate(_groups(part, chosen)):
            if not group:
                continue
            low = min(group)
            window = part.windows[la].index(low)
            values[windows[la][window]] = 1.0
            if la in opened:
                values[opened[la]] = 1.0
            if la in reached and len(group) - len(part.members[la]) >= part.need[la]:
                values[reached[la]] = 1.0
            values[lows[la]] = float(low)
            values[ranges[la]] = float(max(group) - low)
        return values

    return _Formulation(model, x, reached, ranges, vector)


def solve_part(part: _Part, seconds: float, start: dict[int, int] | None = None) -> _PartSolution:
    """Solve the objectives one after the other, from ``start`` (candidate -> workshop) or a greedy solution."""
    started = time.perf_counter()
    formulation = _formulate(part)
    model, x = formulation.model, formulation.x
    model.load()

    # Per objective: the coefficients of what it maximises, and its span (largest absolute value).
    gains = {
        _PLACES: dict.fromkeys(x, 1.0),
        _WAITING: {x[p]: float(part.waits[lc]) for p, (lc, _) in enumerate(part.pairs)},
        _RANGES: dict.fromkeys(formulation.ranges, -1.0),
    }
    if formulation.reached:
        gains[_REACHED] = dict.fromkeys(formulation.reached.values(), 1.0)
    spans = _spans(part)
    if start is None:
        chosen = _greedy(part)
    else:
        chosen = _canonical(
            part,
            [p for p, (lc, la) in enumerate(part.pairs) if start.get(part.candidats[lc]) == part.ateliers[la]],
        )
    values = _evaluate(part, chosen)
    first_values = values
    levels: dict[int, _Level] = {}
    pending = sorted(spans)
    while pending:
        stages = lexicographic_stages({k: spans[k] for k in pending}, _MAGNITUDE_LIMIT)
        weights = stages[0]
        cost: dict[int, float] = defaultdict(float)
        for k, weight in weights.items():
            for col, gain in gains[k].items():
                cost[col] -= weight * gain
        _merge(levels, _stage_levels(weights, spans, values, optimal=False, lowest_cost=None))
        if not all(levels[k].proven for k in weights):  # else the solution in hand reaches what none can beat
            share = _STAGE_SHARE[len(stages)] * (_SHARED_STAGE_SHARE if len(weights) > 1 else 1.0)
            budget = (seconds - (time.perf_counter() - started)) * share
            optimal, solution, lowest_cost = model.solve(cost, budget, formulation.vector(chosen))
            if solution is not None:
                found = _canonical(part, [p for p in range(len(part.pairs)) if solution[x[p]] > 0.5])
                found_values = _evaluate(part, found)
                # The solver started from `chosen`: it never does worse, but keep the best all the same.
                if _ordered(found_values) >= _ordered(values):
                    chosen, values = found, found_values
            _merge(levels, _stage_levels(weights, spans, values, optimal, lowest_cost))
        # Objectives proven so far are kept; when the first is proven but not all, the others are solved
        # again on their own, free of the weight of the first.
        done = list(itertools.takewhile(lambda k: levels[k].proven, weights))
        if not done or seconds - (time.perf_counter() - started) < MIN_SOLVE_SECONDS:
            done = list(weights)
        for k in done:
            if k != _RANGES:
                # The later objectives keep this one at least as good as the solution in hand.
                model.row(list(gains[k]), list(gains[k].values()), lower=values[k])
        pending = [k for k in pending if k not in done]

    return _PartSolution(
        chosen={part.candidats[part.pairs[p][0]]: part.ateliers[part.pairs[p][1]] for p in chosen},
        levels=levels,
        improved=_ordered(values) > _ordered(first_values),
    )


def _spans(part: _Part) -> dict[int, int]:
    """Per objective posed, the largest value it can take: what no solution can beat (0 for the ranges)."""
    places_max = min(len(part.candidats), sum(part.free))
    spans = {
        _PLACES: places_max,
        _WAITING: sum(sorted(part.waits, reverse=True)[:places_max]),
        _RANGES: sum(part.ecarts),
    }
    below = sum(1 for la, members in enumerate(part.members) if members and part.need[la] > 0)
    if below:
        spans[_REACHED] = below
    return spans


def solve_large_part(
    part: _Part, candidats: list[Candidat], ateliers: list[AtelierPrevu], seconds: float
) -> _PartSolution:
    """Improve a greedy solution one half-day at a time, when the whole part is too large for one model.

    Each step solves the workshops of one half-day, with the candidates who are waiting or already in them;
    everyone placed elsewhere stays. Every objective is a sum over workshops or candidates, so a step never
    makes the whole worse. Bounds are the trivial ones: the gap is reported against them.
    """
    started = time.perf_counter()
    chosen = _greedy(part)
    assignment = {part.candidats[part.pairs[p][0]]: part.ateliers[part.pairs[p][1]] for p in chosen}
    compatible: dict[int, list[int]] = defaultdict(list)  # global workshop -> global candidates
    for lc, la in part.pairs:
        compatible[part.ateliers[la]].append(part.candidats[lc])
    half_days = sorted({ateliers[ai].demi_journee for ai in part.ateliers})
    improved = True
    while improved and time.perf_counter() - started < seconds:
        improved = False
        for position, half_day in enumerate(half_days):
            left = seconds - (time.perf_counter() - started)
            if left < MIN_SOLVE_SECONDS:
                break
            workshops = {ai for ai in part.ateliers if ateliers[ai].demi_journee == half_day}
            pairs_of = {ai: [ci for ci in compatible[ai] if assignment.get(ci, ai) in workshops] for ai in workshops}
            sub = _make_part([ai for ai in workshops if pairs_of[ai]], pairs_of, candidats, ateliers)
            before = {ci: ai for ci, ai in assignment.items() if ai in workshops}
            solution = solve_part(sub, left / (len(half_days) - position), start=before)
            if solution.improved:
                improved = True
                for ci in before:
                    del assignment[ci]
                assignment.update(solution.chosen)

    local_candidate = {ci: lc for lc, ci in enumerate(part.candidats)}
    local_workshop = {ai: la for la, ai in enumerate(part.ateliers)}
    pair_index = {pair: p for p, pair in enumerate(part.pairs)}
    chosen = [pair_index[local_candidate[ci], local_workshop[ai]] for ci, ai in assignment.items()]
    values = _evaluate(part, chosen)
    levels = {}
    for k, span in _spans(part).items():
        levels.update(_stage_levels({k: 1}, {k: span}, values, optimal=False, lowest_cost=None))
    return _PartSolution(chosen=assignment, levels=levels)


def _merge(levels: dict[int, _Level], new: dict[int, _Level]) -> None:
    """Record the objectives' new values, each keeping the tighter of its bounds when solved again."""
    for k, level in new.items():
        earlier = levels.get(k)
        if earlier is not None:
            best = min(_gain(k, earlier.bound), _gain(k, level.bound))
            bound = -best if k == _RANGES else best
            proven = level.proven or earlier.proven or best - _gain(k, level.value) < 1 - 1e-6
            level = _Level(value=level.value, bound=bound, proven=proven)
        levels[k] = level


def _stage_levels(
    weights: dict[int, int], spans: dict[int, int], values: dict[int, int], optimal: bool, lowest_cost: float | None
) -> dict[int, _Level]:
    """Each objective's bound, read from the bound on the weighted objective given the values before it."""
    levels = {}
    for k, weight in weights.items():
        best = _gain(k, spans[k]) if k != _RANGES else 0.0  # what no solution can beat
        if lowest_cost is not None:
            # Upper bound of the weighted gain, less what the objectives before it got and the least the ones
            # after it can add.
            rest = -lowest_cost
            for j, other in weights.items():
                if j < k:
                    rest -= other * _gain(j, values[j])
                elif j > k:
                    rest -= other * _gain(j, spans[j] if j == _RANGES else 0)
            best = min(best, rest / weight)
        bound = -best if k == _RANGES else best
        # Values are integers: a bound less than 1 away proves the value.
        proven = optimal or best - _gain(k, values[k]) < 1 - 1e-6
        levels[k] = _Level(value=values[k], bound=bound, proven=proven)
    return levels
