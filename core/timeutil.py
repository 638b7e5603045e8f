"""Time helpers: UTC storage, Europe/Paris display in French. Pure apart from ``utcnow``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form stored in ``*_at`` columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def paris_to_utc(day: date, local_time: time) -> datetime:
    """The naive UTC datetime of a wall-clock time in Paris on ``day`` (summer time handled)."""
    return datetime.combine(day, local_time, PARIS).astimezone(UTC).replace(tzinfo=None)


def to_paris(moment: datetime) -> datetime:
    """Convert a naive UTC datetime to an aware Europe/Paris one."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS)


@lru_cache(maxsize=4096)
def date_fr(day: date | None, style: str = "full") -> str:
    """``mardi 3 mars 2026`` (style "full") or ``03/03/2026`` (style "short")."""
    if day is None:
        return ""
    if style == "short":
        return day.strftime("%d/%m/%Y")
    return format_date(day, format="EEEE d MMMM y", locale="fr_FR")


def datetime_fr(moment: datetime | None, style: str = "full") -> str:
    """``mardi 3 mars 2026, 9 h 00`` in Paris time, from a naive UTC datetime."""
    if moment is None:
        return ""
    local = to_paris(moment)
    if style == "short":
        return local.strftime("%d/%m/%Y %H:%M")
    return format_datetime(local, format="EEEE d MMMM y, H 'h' mm", locale="fr_FR", tzinfo=PARIS)


@lru_cache(maxsize=4096)
def days_fr(days: int) -> str:
    """A number of days as a French duration: ``"3 jours"``, ``"2 semaines"``, ``"4 mois"``."""
    if days <= 0:
        return "aujourd'hui"
    return format_timedelta(timedelta(days=days), locale="fr_FR", threshold=1.1, granularity="day")


def heures_fr(minutes: int) -> str:
    """Minutes as French hours with one decimal: ``1080`` -> ``"18,0 h"``."""
    return f"{format_decimal(minutes / 60, format='0.0', locale='fr_FR')} h"
