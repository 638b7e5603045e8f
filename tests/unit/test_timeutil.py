from datetime import date, datetime, time

from core.timeutil import date_fr, datetime_fr, paris_to_utc


def test_dates_in_french():
    assert date_fr(date(2026, 3, 3)) == "mardi 3 mars 2026"
    assert date_fr(date(2026, 3, 3), "short") == "03/03/2026"
    assert date_fr(None) == ""


def test_datetimes_shown_in_paris_time_french_style():
    # 8:00 UTC in winter is 9:00 in Paris
    assert datetime_fr(datetime(2026, 3, 3, 8, 0)) == "mardi 3 mars 2026, 9 h 00"
    # 7:30 UTC in summer is 9:30 in Paris
    assert datetime_fr(datetime(2026, 7, 7, 7, 30)) == "mardi 7 juillet 2026, 9 h 30"


def test_paris_wall_clock_to_utc_handles_summer_time():
    assert paris_to_utc(date(2026, 1, 13), time(9, 0)) == datetime(2026, 1, 13, 8, 0)
    assert paris_to_utc(date(2026, 6, 16), time(9, 0)) == datetime(2026, 6, 16, 7, 0)
