"""The MILP helper shared by the grouping solver and the booking planner: merged lexicographic objectives and
the relaxation proven optimal."""

from ateliers.milp_model import MilpModel, lexicographic_stages


def test_objectives_merge_while_the_weighted_objective_stays_within_the_limit():
    # Spans 2, 12, 3: the last alone weighs 1; the second 4 (1 + 3); the first 52 (1 + 3 + 4 * 12).
    assert lexicographic_stages({0: 2, 1: 12, 2: 3}, 155) == [{0: 52, 1: 4, 2: 1}]
    # Up to 40, the third goes to a solve of its own; the first two merge (13 = 1 + 12).
    assert lexicographic_stages({0: 2, 1: 12, 2: 3}, 40) == [{0: 13, 1: 1}, {2: 1}]
    assert lexicographic_stages({0: 2, 1: 12, 2: 3}, 0) == [{0: 1}, {1: 1}, {2: 1}]


def _assignment() -> tuple[MilpModel, range]:
    """Two people, two places of capacity 1; person 0 prefers place 0 strongly, person 1 mildly."""
    model = MilpModel()
    x = model.variables(4)  # x[2 * person + place]
    for person in (0, 1):
        model.row([2 * person, 2 * person + 1], [1.0, 1.0], upper=1)
    for place in (0, 1):
        model.row([place, 2 + place], [1.0, 1.0], upper=1)
    model.load()
    return model, x


def test_an_integral_relaxation_is_returned_as_the_optimum():
    model, x = _assignment()
    solution = model.solve_relaxation({x[0]: -10, x[1]: -1, x[2]: -3, x[3]: -2}, 5)
    assert solution == [1.0, 0.0, 0.0, 1.0]


def test_a_fractional_relaxation_is_left_to_the_milp():
    # Three people, each pair of them shares a room of one place: the relaxation takes half of each (1.5).
    model = MilpModel()
    x = model.variables(3)
    for a, b in ((0, 1), (1, 2), (0, 2)):
        model.row([a, b], [1.0, 1.0], upper=1)
    model.load()
    cost = {col: -1.0 for col in x}
    assert model.solve_relaxation(cost, 5) is None
    optimal, solution, _ = model.solve(cost, 5, [0.0, 0.0, 0.0])
    assert optimal and sum(solution) == 1


def test_rows_added_after_loading_are_checked_too():
    model, x = _assignment()
    # Person 1 must not take place 1: the relaxation's optimum moves, and is still integral and checked.
    model.row([x[3]], [1.0], upper=0)
    solution = model.solve_relaxation({x[0]: -10, x[1]: -1, x[2]: -3, x[3]: -2}, 5)
    assert solution == [1.0, 0.0, 0.0, 0.0]
    # The integrality is back for the MILP afterwards.
    assert model.solve({x[0]: -10, x[1]: -1, x[2]: -3, x[3]: -2}, 5, [0.0] * 4)[1] == [1.0, 0.0, 0.0, 0.0]


def test_a_rounded_relaxation_that_breaks_a_row_is_left_to_the_milp():
    # 2 x <= 1.2: the relaxation takes x = 0.6, which rounds to 1, cheaper than its bound but over the row.
    model = MilpModel()
    x = model.variables(1)
    model.row([x[0]], [2.0], upper=1.2)
    model.load()
    assert model.solve_relaxation({x[0]: -1.0}, 5) is None
    assert model.solve({x[0]: -1.0}, 5, [0.0])[1] == [0.0]
