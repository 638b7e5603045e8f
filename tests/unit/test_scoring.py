import pytest

from evaluations.scoring import niveau_for

ALL_YES = {"uses_mouse": True, "types_accents_and_at": True, "sends_attachment_alone": True}


@pytest.mark.parametrize(
    ("score", "answers", "niveau"),
    [
        (0, ALL_YES, 0),
        (25, ALL_YES, 0),
        (26, ALL_YES, 1),
        (60, ALL_YES, 1),
        (61, ALL_YES, 3),
        (100, ALL_YES, 3),
        (90, {**ALL_YES, "uses_mouse": False}, 0),
        (90, {**ALL_YES, "types_accents_and_at": False}, 1),
        (20, {**ALL_YES, "types_accents_and_at": False}, 0),
        (61, {**ALL_YES, "sends_attachment_alone": False}, 2),
        (100, {**ALL_YES, "sends_attachment_alone": False}, 2),
        (40, {**ALL_YES, "sends_attachment_alone": False}, 1),
    ],
)
def test_niveau_follows_the_reference_table(score, answers, niveau):
    assert niveau_for(score, **answers) == niveau


@pytest.mark.parametrize("score", [-1, 101])
def test_score_outside_range_is_refused(score):
    with pytest.raises(ValueError):
        niveau_for(score, **ALL_YES)
