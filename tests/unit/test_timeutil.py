from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core import timeutil
from core.timeutil import (
    PARIS,
    date_fr,
    datetime_fr,
    get_zone,
    horaire_fr,
    local_to_utc,
    local_today,
    parse_date_fr,
    structure_today,
    to_local,
)

REUNION = ZoneInfo("Indian/Reunion")
NOUMEA = ZoneInfo("Pacific/Noumea")


def test_dates_in_french():
    assert date_fr(date(2026, 3, 3)) == "mardi 3 mars 2026"
    assert date_fr(date(2026, 3, 3), "short") == "03/03/2026"
    assert date_fr(None) == ""


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 1), "vendredi 1er mai 2026"),
        (date(2026, 12, 1), "mardi 1er décembre 2026"),
        (date(2027, 1, 1), "vendredi 1er janvier 2027"),
        (date(2026, 5, 2), "samedi 2 mai 2026"),
        (date(2026, 5, 11), "lundi 11 mai 2026"),
        (date(2026, 5, 21), "jeudi 21 mai 2026"),
        (date(2026, 5, 31), "dimanche 31 mai 2026"),
    ],
)
def test_the_first_of_the_month_is_written_1er(day, expected):
    assert date_fr(day) == expected


def test_datetimes_shown_in_paris_time_french_style():
    # 8:00 UTC in winter is 9:00 in Paris
    assert datetime_fr(datetime(2026, 3, 3, 8, 0)) == "mardi 3 mars 2026, 9 h 00"
    # 7:30 UTC in summer is 9:30 in Paris
    assert datetime_fr(datetime(2026, 7, 7, 7, 30)) == "mardi 7 juillet 2026, 9 h 30"
    assert datetime_fr(datetime(2026, 5, 1, 12, 0)) == "vendredi 1er mai 2026, 14 h 00"
    assert datetime_fr(datetime(2026, 5, 1, 12, 0), "short") == "01/05/2026 14:00"


def test_datetimes_shown_in_the_structures_zone():
    assert datetime_fr(datetime(2026, 6, 1, 5, 0), zone=REUNION) == "lundi 1er juin 2026, 9 h 00"
    assert datetime_fr(datetime(2026, 6, 1, 5, 0), "short", REUNION) == "01/06/2026 09:00"


def test_horaire_with_the_day_again_when_it_ends_the_next_day():
    assert horaire_fr(datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 12)) == "vendredi 1er mai 2026, 9 h 00 – 12 h 00"
    assert horaire_fr(datetime(2026, 5, 31, 22), datetime(2026, 6, 1, 1)) == (
        "dimanche 31 mai 2026, 22 h 00 – lundi 1er juin 2026, 1 h 00"
    )


def test_wall_clock_to_utc_handles_summer_time_and_overseas_zones():
    assert local_to_utc(date(2026, 1, 13), time(9, 0)) == datetime(2026, 1, 13, 8, 0)
    assert local_to_utc(date(2026, 6, 16), time(9, 0), PARIS) == datetime(2026, 6, 16, 7, 0)
    assert local_to_utc(date(2026, 6, 16), time(9, 0), REUNION) == datetime(2026, 6, 16, 5, 0)
    assert to_local(datetime(2026, 6, 16, 5, 0), REUNION).time() == time(9, 0)


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # 23:30 UTC on 30 April is already 1 May in Paris (UTC+2) and in La Réunion (UTC+4)...
        (datetime(2026, 4, 30, 23, 30), PARIS, date(2026, 5, 1)),
        (datetime(2026, 4, 30, 20, 30), REUNION, date(2026, 5, 1)),
        (datetime(2026, 4, 30, 20, 30), PARIS, date(2026, 4, 30)),
        # ... and 13:30 UTC is already the next day in Nouméa (UTC+11).
        (datetime(2026, 4, 30, 13, 30), NOUMEA, date(2026, 5, 1)),
    ],
)
def test_today_is_the_local_day_not_the_utc_date(now, zone, expected):
    assert local_today(now, zone) == expected


@dataclass
class _Structure:
    fuseau_horaire: str


def test_structure_today_reads_the_one_clock(monkeypatch):
    monkeypatch.setattr(timeutil, "clock", lambda: datetime(2026, 4, 30, 22, 30))

    assert timeutil.utcnow() == datetime(2026, 4, 30, 22, 30)
    assert structure_today(_Structure("Europe/Paris")) == date(2026, 5, 1)
    assert structure_today(_Structure("America/Cayenne")) == date(2026, 4, 30)
    assert structure_today(None) == date(2026, 5, 1)


def test_unknown_zone_refused_in_french():
    with pytest.raises(ValueError, match="Fuseau horaire inconnu"):
        get_zone("Europe/Nulle-Part")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/03/2026", date(2026, 3, 30)),
        ("1/5/2026", date(2026, 5, 1)),
        ("01/05/2026", date(2026, 5, 1)),
        (" 30/03/2026 ", date(2026, 3, 30)),
        ("30.03.2026", date(2026, 3, 30)),
        ("30-03-2026", date(2026, 3, 30)),
        ("2026-03-30", date(2026, 3, 30)),
        ("31/12/9999", date(9999, 12, 31)),
    ],
)
def test_dates_typed_the_french_way_or_iso(text, expected):
    assert parse_date_fr(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "30/03/26",
        "30 mars 2026",
        "2026/03/30",
        "31/02/2026",
        "00/01/2026",
        "32/01/2026",
        "01/13/2026",
        "01/01/0000",
        "01/01/99999",
        "2026-3-30",
        "9" * 400,
        "٣٠/٠٣/٢٠٢٦",
    ],
)
def test_anything_else_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date_fr(text)
