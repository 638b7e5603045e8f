"""Time helpers: UTC storage, each structure's own time zone and day, French dates. Pure apart from the clock.

Moments are stored as naive UTC datetimes (``*_at`` columns); a day in the users' world is the structure's
local day, in its IANA time zone (``Structure.fuseau_horaire``, Europe/Paris unless set). Every reader of the
time goes through :func:`utcnow`, and through it the module's ``clock``: tests stop time by replacing that one
attribute (``tests.ateliers_fixtures.freeze_clock``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_timedelta
from babel.numbers import format_decimal

DEFAULT_ZONE = "Europe/Paris"
PARIS = ZoneInfo(DEFAULT_ZONE)


def system_utcnow() -> datetime:
    """The system clock as a naive UTC datetime."""
    return datetime.now(UTC).replace(tzinfo=None)


# The one clock of the application; tests replace it (and only it) to stop time.
clock: Callable[[], datetime] = system_utcnow


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form stored in ``*_at`` columns."""
    return clock()


class HasZone(Protocol):
    """Anything that names its time zone, such as ``core.models.Structure``."""

    fuseau_horaire: str


@lru_cache(maxsize=64)
def get_zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (Europe/Paris when empty).

    :raise ValueError: (French message) on a name the system's zone database does not know.
    """
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Fuseau horaire inconnu : {name!r}.") from None


def structure_zone(structure: HasZone | None) -> ZoneInfo:
    """The time zone of ``structure`` (Europe/Paris without a structure or a zone)."""
    return get_zone(getattr(structure, "fuseau_horaire", None))


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """The day it is in ``zone`` at the moment ``now`` (naive UTC, or aware in any zone)."""
    return to_local(now, zone).date()


def structure_today(structure: HasZone | None) -> date:
    """Today in ``structure``'s time zone, read from the clock: the "today" every rule on days receives."""
    return local_today(utcnow(), structure_zone(structure))


def local_to_utc(day: date, local_time: time, zone: ZoneInfo = PARIS) -> datetime:
    """The naive UTC datetime of the wall-clock time ``local_time`` on ``day`` in ``zone`` (summer time handled)."""
    return datetime.combine(day, local_time, zone).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """``moment`` as an aware datetime in ``zone``; a naive ``moment`` is taken as UTC (the stored form)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


@lru_cache(maxsize=4096)
def date_fr(day: date | None, style: str = "full") -> str:
    """``mardi 3 mars 2026``, ``vendredi 1er mai 2026`` (style "full") or ``03/03/2026`` (style "short").

    The first of the month is written "1er", as French typography wants, wherever a date is spelt out.
    """
    if day is None:
        return ""
    if style == "short":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    jour = "d'er'" if day.day == 1 else "d"
    return format_date(day, format=f"EEEE {jour} MMMM y", locale="fr_FR")


def _jour_mois(jour: date) -> str:
    return "1er" if jour.day == 1 else str(jour.day)


def periode_fr(debut: date, fin: date) -> str:
    """A window of days as a sentence says it: ``"entre le 3 et le 17 mars"``, ``"entre le 1er mars et le
    2 avril"``, ``"entre le 28 décembre 2026 et le 5 janvier 2027"``; ``"le 3 mars"`` when ``debut == fin``.
    The year is said only across two years."""
    mois_fin = format_date(fin, format="MMMM", locale="fr_FR")
    if debut == fin:
        return f"le {_jour_mois(fin)} {mois_fin}"
    if debut.year != fin.year:
        premier = f"{_jour_mois(debut)} {format_date(debut, format='MMMM y', locale='fr_FR')}"
        return f"entre le {premier} et le {_jour_mois(fin)} {mois_fin} {fin.year}"
    if (debut.year, debut.month) == (fin.year, fin.month):
        return f"entre le {_jour_mois(debut)} et le {_jour_mois(fin)} {mois_fin}"
    mois_debut = format_date(debut, format="MMMM", locale="fr_FR")
    return f"entre le {_jour_mois(debut)} {mois_debut} et le {_jour_mois(fin)} {mois_fin}"


def heure_fr(moment: datetime | time) -> str:
    """``9 h 00``: the wall-clock time of ``moment`` as written in French."""
    return f"{moment.hour} h {moment.minute:02d}"


def datetime_fr(moment: datetime | None, style: str = "full", zone: ZoneInfo = PARIS) -> str:
    """``mardi 3 mars 2026, 9 h 00`` (or ``03/03/2026 09:00``) in ``zone``, from a naive UTC datetime."""
    if moment is None:
        return ""
    local = to_local(moment, zone)
    if style == "short":
        return f"{date_fr(local.date(), 'short')} {local:%H:%M}"
    return f"{date_fr(local.date())}, {heure_fr(local)}"


def horaire_fr(debut: datetime, fin: datetime) -> str:
    """``mardi 3 mars 2026, 9 h 00 – 12 h 00`` from two wall-clock times (naive local, or aware: shown in their
    own zone); the day is spelt out again when ``fin`` falls on another day."""
    if fin.date() == debut.date():
        return f"{date_fr(debut.date())}, {heure_fr(debut)} – {heure_fr(fin)}"
    return f"{date_fr(debut.date())}, {heure_fr(debut)} – {date_fr(fin.date())}, {heure_fr(fin)}"


_DATE_FR = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_date_fr(text: str) -> date:
    """The date typed as ``jj/mm/aaaa`` (also ``j/m/aaaa``, with ``.`` or ``-`` between the parts) or as ISO
    ``aaaa-mm-jj`` (what a browser's date picker sends). Spaces around are ignored.

    :raise ValueError: for anything else, or a day that does not exist (31/02/2026, year 0).
    """
    text = (text or "").strip()
    if match := _DATE_ISO.fullmatch(text):
        annee, mois, jour = (int(part) for part in match.groups())
    elif match := _DATE_FR.fullmatch(text):
        jour, mois, annee = (int(part) for part in match.groups())
    else:
        raise ValueError(f"Not a date: {text!r}")
    return date(annee, mois, jour)


@lru_cache(maxsize=4096)
def days_fr(days: int) -> str:
    """A number of days as a French duration: ``"3 jours"``, ``"2 semaines"``, ``"4 mois"``."""
    if days <= 0:
        return "aujourd'hui"
    return format_timedelta(timedelta(days=days), locale="fr_FR", threshold=1.1, granularity="day")


def heures_fr(minutes: int) -> str:
    """Minutes as French hours with one decimal: ``1080`` -> ``"18,0 h"``."""
    return f"{format_decimal(minutes / 60, format='0.0', locale='fr_FR')} h"


def duree_fr(minutes: int) -> str:
    """Minutes as a French duration: ``1080`` -> ``"18 h"``, ``990`` -> ``"16 h 30"``, ``45`` -> ``"45 min"``."""
    heures, reste = divmod(max(0, int(minutes)), 60)
    if heures == 0:
        return f"{reste} min"
    return f"{heures} h" if reste == 0 else f"{heures} h {reste:02d}"
