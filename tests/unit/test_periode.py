"""Who was enrolled at a séance: the span from joining to leaving, compared with the séance's start."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ateliers.periode import (
    ABSENCE_A_LA_SEANCE,
    APRES_DEPART,
    AVANT_ARRIVEE,
    INSCRIT,
    MODULE_MANQUE,
    enrolled_at,
    modules_non_notables,
    position,
)

# Séance 3 of the example: Monday 20 April 2026, 9:00-12:00 Paris (7:00 UTC).
SEANCE_3 = datetime(2026, 4, 20, 7, 0)
SEANCE_4 = datetime(2026, 4, 27, 7, 0)


@pytest.mark.parametrize(
    ("joined_at", "ended_at", "starts_at", "expected"),
    [
        # a place taken at 16:00 Paris the day of séance 3, once it is held: from séance 4
        (datetime(2026, 4, 20, 14, 0), None, SEANCE_3, AVANT_ARRIVEE),
        (datetime(2026, 4, 20, 14, 0), None, SEANCE_4, INSCRIT),
        # the same day before it starts, or the evening before: séance 3 counts
        (datetime(2026, 4, 20, 6, 59), None, SEANCE_3, INSCRIT),
        (datetime(2026, 4, 19, 18, 0), None, SEANCE_3, INSCRIT),
        # joined at the very minute it starts: too late for it
        (SEANCE_3, None, SEANCE_3, AVANT_ARRIVEE),
        # the learner who left at 16:00 after séance 3: still on séance 3, not on séance 4
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 4, 20, 14, 0), SEANCE_3, INSCRIT),
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 4, 20, 14, 0), SEANCE_4, APRES_DEPART),
        # left before séance 3 started, or at its very start: not on it
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 4, 20, 6, 0), SEANCE_3, APRES_DEPART),
        (datetime(2026, 3, 1, 9, 0), SEANCE_3, SEANCE_3, APRES_DEPART),
    ],
)
def test_position_of_a_seance_for_a_learner(joined_at, ended_at, starts_at, expected):
    assert position(joined_at, ended_at, starts_at) == expected
    assert enrolled_at(joined_at, ended_at, starts_at) is (expected == INSCRIT)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1))


@given(joined_at=moments, duree=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)), starts_at=moments)
def test_enrolled_exactly_when_the_seance_starts_inside_the_span(joined_at, duree, starts_at):
    ended_at = joined_at + duree
    assert enrolled_at(joined_at, ended_at, starts_at) is (joined_at < starts_at < ended_at)
    assert enrolled_at(joined_at, None, starts_at) is (joined_at < starts_at)
    # leaving later never removes a séance, joining later never adds one
    assert enrolled_at(joined_at, ended_at, starts_at) <= enrolled_at(joined_at, ended_at + duree, starts_at)
    assert enrolled_at(joined_at + duree, None, starts_at) <= enrolled_at(joined_at, None, starts_at)


MODULES = [11, 12, 13, 14, 15, 16]  # module ids of M1 to M6


@pytest.mark.parametrize(
    ("manques", "rattrapes", "module_de_la_seance", "modules", "expected"),
    [
        # a séance page (its own module only): absent without catch-up, or caught up since
        ({13}, set(), 13, [13], {13: ABSENCE_A_LA_SEANCE}),
        ({13}, {13}, 13, [13], {}),
        ({12}, set(), 13, [13], {}),  # missed an earlier module: this séance's module is still judged
        # the final evaluation (every module): the modules missed and not caught up, and only those
        ({13}, set(), 16, MODULES, {13: MODULE_MANQUE}),
        ({12, 13}, {12}, 16, MODULES, {13: MODULE_MANQUE}),
        (set(), set(), 16, MODULES, {}),
        # absent at the final evaluation itself: nothing judged there, unless module 6 was caught up
        ({16}, set(), 16, MODULES, dict.fromkeys(MODULES, ABSENCE_A_LA_SEANCE)),
        ({13, 16}, {16}, 16, MODULES, {13: MODULE_MANQUE}),
    ],
)
def test_a_missed_module_is_judged_only_once_caught_up_on_every_page(
    manques, rattrapes, module_de_la_seance, modules, expected
):
    assert modules_non_notables(manques, rattrapes, module_de_la_seance, modules) == expected
