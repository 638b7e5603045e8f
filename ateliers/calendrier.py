"""A workshop's séances as an iCalendar file (RFC 5545) for the mediator's agenda.

Pure: plain data in, bytes out; no Flask, no database, no clock (``now`` is given). Built with the
``icalendar`` library. Times are written in UTC (``...Z``), so no VTIMEZONE is needed and every agenda shows
them in its own zone. UIDs are stable per workshop and séance, so importing the file again after a séance
has moved updates the event instead of adding one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Ateliers numériques//Suivi des apprenants//FR"


def calendrier_ics(
    intitule: str,
    lieu: str,
    seances: Sequence[tuple[int, str, datetime, datetime]],
    uid_prefix: str,
    now: datetime,
) -> bytes:
    """The VCALENDAR of a workshop: one VEVENT per séance, ordered by number.

    :param seances: ``(numero, module_title, starts_at, ends_at)``, times as naive UTC datetimes (the form
        stored in ``Seance``); aware datetimes are converted to UTC.
    :param uid_prefix: unique to the workshop (e.g. the host name and the workshop id); each event's UID is
        ``f"{uid_prefix}-seance-{numero}"`` and the calendar's own UID is ``uid_prefix``.
    :param now: the DTSTAMP of every event, naive UTC or aware.
    :return: the file's bytes (UTF-8, CRLF line ends); the same arguments give the same bytes.
    :raise ValueError: (French message) with no séance, two séances of the same number, or a séance that
        does not end after it starts.
    """
    if not seances:
        raise ValueError("Aucune séance à exporter : le calendrier serait vide.")
    numeros = [numero for numero, *_ in seances]
    if len(set(numeros)) != len(numeros):
        raise ValueError("Deux séances portent le même numéro.")
    evenements = []
    for numero, titre, starts_at, ends_at in sorted(seances, key=lambda s: s[0]):
        debut, fin = _utc(starts_at), _utc(ends_at)
        if fin <= debut:
            raise ValueError(f"La séance {numero} doit finir après son début.")
        evenements.append(
            Event.new(
                uid=f"{uid_prefix}-seance-{numero}",
                stamp=_utc(now),
                start=debut,
                end=fin,
                summary=f"{intitule} – séance {numero} : {titre}",
                location=lieu or None,
            )
        )
    calendrier = Calendar.new(prodid=PRODID, uid=uid_prefix, name=intitule, subcomponents=evenements)
    return calendrier.to_ical()


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime: naive ones are taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
