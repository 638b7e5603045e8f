import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import disponibilites


def test_twelve_half_days_from_monday_morning():
    assert disponibilites.CODES[0] == "lun-matin"
    assert disponibilites.CODES[1] == "lun-apm"
    assert disponibilites.CODES[-1] == "sam-apm"
    assert disponibilites.ALL_MASK == 0b111111111111


@given(st.sets(st.sampled_from(disponibilites.CODES)))
def test_mask_round_trip(codes):
    mask = disponibilites.to_mask(codes)
    assert 0 <= mask <= disponibilites.ALL_MASK
    assert set(disponibilites.from_mask(mask)) == codes


def test_unknown_half_day_is_refused():
    with pytest.raises(ValueError, match="inconnue"):
        disponibilites.to_mask(["dim-matin"])


def test_describe_in_french():
    mask = disponibilites.to_mask(["jeu-apm", "lun-matin"])
    assert disponibilites.describe(mask) == "Lundi matin, Jeudi après-midi"
    assert disponibilites.describe(0) == "Non renseignées"
