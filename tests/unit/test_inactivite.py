"""The inactivity rule (core.inactivite): six calendar months since the last use, a pure function of dates."""

from datetime import datetime

from core.inactivite import derniere_utilisation, est_inactif, seuil_inactivite

NOW = datetime(2026, 12, 1, 3, 15)


def test_last_use_is_the_latest_of_creation_sign_in_and_reactivation():
    cree = datetime(2025, 1, 1)
    assert derniere_utilisation(cree, None, None) == cree
    assert derniere_utilisation(cree, datetime(2026, 3, 1), None) == datetime(2026, 3, 1)
    assert derniere_utilisation(cree, datetime(2026, 3, 1), datetime(2026, 7, 1)) == datetime(2026, 7, 1)


def test_six_calendar_months_to_the_minute():
    cree = datetime(2024, 1, 1)
    assert est_inactif(cree, datetime(2026, 6, 1, 3, 14), None, NOW)
    assert not est_inactif(cree, datetime(2026, 6, 1, 3, 15), None, NOW)
    assert not est_inactif(cree, datetime(2026, 11, 30), None, NOW)


def test_an_account_never_used_counts_from_its_creation():
    assert est_inactif(datetime(2026, 5, 1), None, None, NOW)
    assert not est_inactif(datetime(2026, 7, 1), None, None, NOW)


def test_a_reactivated_account_gets_six_months_again():
    assert not est_inactif(datetime(2024, 1, 1), datetime(2025, 1, 1), datetime(2026, 9, 1), NOW)


def test_month_ends_are_clamped():
    assert seuil_inactivite(datetime(2026, 8, 31, 12, 0)) == datetime(2026, 2, 28, 12, 0)
    assert seuil_inactivite(datetime(2028, 8, 31)) == datetime(2028, 2, 29)
