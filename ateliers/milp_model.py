"""A mixed-integer linear programme for HiGHS (through its own binding ``highspy``), built row by row and
solved for one objective after another from a given starting solution, and the weights that merge
lexicographic objectives into fewer solves. Used by the grouping solver (``ateliers.grouping_milp``) and the
practice booking planner (``entrainements.planification``); it knows nothing of workshops."""

from __future__ import annotations

import math

# Below this, a solve is not worth starting: HiGHS needs a few milliseconds to read the model.
MIN_SOLVE_SECONDS = 0.02


def lexicographic_stages(spans: dict[int, int], limit: float) -> list[dict[int, int]]:
    """Group lexicographic objectives into weighted solves with the same optimum.

    Consecutive objectives are solved at once, each weighted to outweigh all those after it in its solve
    (weight = 1 + the largest amount the later ones can add up to, weighted), as long as the weighted objective
    stays within ``limit``; an objective that would pass it starts an earlier solve. An objective alone is
    never split. Pure.

    :param spans: objective index (0 the most important) -> the largest amount its value can vary by between two
        feasible solutions (an integer bound, >= 0); each objective takes integer values.
    :param limit: the largest magnitude a weighted objective may reach, for the solver's tolerances.
    :return: the solves in order, each as objective index -> integer weight, most important first.
    """
    stages: list[dict[int, int]] = []
    weights: dict[int, int] = {}
    magnitude = 0
    for k in sorted(spans, reverse=True):
        weight = magnitude + 1
        if weights and magnitude + weight * spans[k] > limit:
            stages.append(weights)
            weights, magnitude, weight = {}, 0, 1
        weights[k] = weight
        magnitude += weight * spans[k]
    stages.append(weights)
    return [dict(sorted(weights.items())) for weights in reversed(stages)]


class MilpModel:
    """A MILP for HiGHS, built row by row, then solved for one objective after another."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.starts: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.highs = None

    def variables(self, count: int, upper: float = 1.0, integer: bool = True) -> range:
        start = len(self.lower)
        self.lower += [0.0] * count
        self.upper += [upper] * count
        self.integer += [int(integer)] * count
        return range(start, start + count)

    def row(self, cols: list[int], vals: list[float], lower: float = -math.inf, upper: float = math.inf) -> None:
        if self.highs is not None:
            import numpy as np

            self.highs.addRow(lower, upper, len(cols), np.array(cols, dtype=np.int32), np.array(vals))
        # Kept after loading too: :meth:`solve_relaxation` checks a solution against every row.
        self.starts.append(len(self.cols))
        self.cols += cols
        self.vals += vals
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def load(self) -> None:
        """Hand the rows to HiGHS; rows added afterwards go straight to it."""
        # Imported here: numpy and HiGHS cost a few hundred ms to import, which only callers that solve pay.
        import highspy
        import numpy as np

        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        # Every objective takes integer values at the optimum: an absolute gap below 1 proves it.
        highs.setOptionValue("mip_abs_gap", 1 - 1e-6)
        highs.setOptionValue("mip_rel_gap", 0.0)
        n = len(self.lower)
        highs.passModel(
            n,
            len(self.row_lower),
            len(self.cols),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            np.zeros(n),
            np.array(self.lower),
            np.array(self.upper),
            np.clip(np.array(self.row_lower), -highspy.kHighsInf, highspy.kHighsInf),
            np.clip(np.array(self.row_upper), -highspy.kHighsInf, highspy.kHighsInf),
            np.array([*self.starts, len(self.cols)], dtype=np.int32),
            np.array(self.cols, dtype=np.int32),
            np.array(self.vals),
            np.array(self.integer, dtype=np.int32),
        )
        self.highs = highs

    def _set_cost(self, cost: dict[int, float], seconds: float):
        """Give HiGHS the objective ``cost`` (column -> cost, the others 0) and the time limit of the next run;
        return the cost of every column as a numpy array."""
        import numpy as np

        n = len(self.lower)
        values = np.zeros(n)
        for col, val in cost.items():
            values[col] = val
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), values)
        self.highs.setOptionValue("time_limit", max(seconds, MIN_SOLVE_SECONDS))
        return values

    def solve(
        self, cost: dict[int, float], seconds: float, start: list[float]
    ) -> tuple[bool, list[float] | None, float | None]:
        """Minimise ``cost`` from the feasible solution ``start``.

        :return: whether the solver proved its solution optimal, its solution (None when it has none), and
            its lower bound on the cost (None when it has none).
        """
        import highspy

        highs = self.highs
        self._set_cost(cost, seconds)
        solution = highspy.HighsSolution()
        solution.col_value = start
        highs.setSolution(solution)
        highs.run()
        info = highs.getInfo()
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        has_solution = info.primal_solution_status == int(highspy.SolutionStatus.kSolutionStatusFeasible)
        x = list(highs.getSolution().col_value) if has_solution else None
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        return optimal, x, bound

    def solve_relaxation(self, cost: dict[int, float], seconds: float) -> list[float] | None:
        """Minimise ``cost`` over the linear relaxation (integrality dropped) and return its solution rounded when
        that is a proven optimum of the MILP itself, else None (the caller then runs :meth:`solve`).

        The rounded solution is proven optimal when it keeps every bound and row and its cost is at most the
        relaxation's optimum + 0.5: no integer solution costs less than the relaxation, and with integer costs
        (the caller's promise) none costs less by a whole unit. Assignment models with capacities are most often
        integral already, and the relaxation solves several times faster than the MILP.

        :param cost: column -> integer cost; the columns not named cost 0.
        :param seconds: time limit of the solve.
        """
        import highspy
        import numpy as np

        highs = self.highs
        n = len(self.lower)
        columns = np.arange(n, dtype=np.int32)
        values = self._set_cost(cost, seconds)
        highs.changeColsIntegrality(n, columns, np.zeros(n, dtype=np.uint8))
        try:
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            x = np.round(np.array(highs.getSolution().col_value))
            bound = highs.getInfo().objective_function_value
        finally:
            highs.changeColsIntegrality(n, columns, np.array(self.integer, dtype=np.uint8))
        if np.any(x < np.array(self.lower)) or np.any(x > np.array(self.upper)):
            return None
        row_of_entry = np.repeat(np.arange(len(self.starts)), np.diff([*self.starts, len(self.cols)]))
        sums = np.bincount(
            row_of_entry,
            weights=np.array(self.vals) * x[np.array(self.cols, dtype=np.int64)],
            minlength=len(self.starts),
        )
        tolerance = 1e-9
        if np.any(sums < np.array(self.row_lower) - tolerance) or np.any(sums > np.array(self.row_upper) + tolerance):
            return None
        if float(values @ x) > bound + 0.5:
            return None
        return [float(v) for v in x]
