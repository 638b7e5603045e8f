"""The reminder's timing rules of the practice sweeps (entrainements.jobs), pure."""

from datetime import datetime, timedelta

from entrainements.jobs import rappel_du, rappel_prevu

DEBUT = datetime(2026, 6, 9, 12, 0)
LONGTEMPS_AVANT = datetime(2026, 6, 1, 8, 0)


def test_a_reminder_is_due_from_48_hours_before_until_the_start():
    assert not rappel_du(DEBUT, LONGTEMPS_AVANT, DEBUT - timedelta(hours=48, minutes=1))
    assert rappel_du(DEBUT, LONGTEMPS_AVANT, DEBUT - timedelta(hours=48))
    assert rappel_du(DEBUT, LONGTEMPS_AVANT, DEBUT - timedelta(minutes=1))
    assert not rappel_du(DEBUT, LONGTEMPS_AVANT, DEBUT)  # started: never


def test_no_reminder_for_a_booking_made_less_than_48_hours_before():
    tard = DEBUT - timedelta(hours=47)
    assert not rappel_du(DEBUT, tard, DEBUT - timedelta(hours=10))
    assert not rappel_prevu(DEBUT, tard)
    assert rappel_prevu(DEBUT, DEBUT - timedelta(hours=48))
    assert rappel_du(DEBUT, DEBUT - timedelta(hours=48), DEBUT - timedelta(hours=1))
