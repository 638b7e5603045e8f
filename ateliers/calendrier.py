"""A workshop's séances as an iCalendar file (RFC 5545) for the mediator's agenda.

Pure: plain data in, bytes out; no Flask, no database, no clock (``now`` is given). Built with the
``icalendar`` library. Times are written in UTC (``...Z``): the right instant whatever the structure's zone (a
9:00 séance in La Réunion is 05:00Z), with no VTIMEZONE to carry, and every agenda shows it in its own zone;
the description spells the séance out on the structure's wall clock. UIDs are stable per structure, workshop
and séance number under a fixed domain (never the host name the app was reached by), so importing the file
again after a séance has moved updates the event instead of adding one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from core.timeutil import PARIS, horaire_fr, to_local

PRODID = "-//Ateliers numériques//Suivi des apprenants//FR"


def calendrier_ics(
    intitule: str,
    lieu: str,
    seances: Sequence[tuple[int, str, datetime, datetime]],
    uid_prefix: str,
    now: datetime,
    domaine: str,
    fuseau: ZoneInfo = PARIS,
) -> bytes:
    """The VCALENDAR of a workshop: one VEVENT per séance, ordered by number.

    Texts typed by people (title, place, module) are put on one line: a line break or another control
    character becomes a space, so the file stays valid whatever was typed.

    :param seances: ``(numero, module_title, starts_at, ends_at)``, times as naive UTC datetimes (the form
        stored in ``Seance``); aware datetimes are converted to UTC.
    :param uid_prefix: unique to the workshop within ``domaine`` (e.g. ``structure-3-atelier-17``); each
        event's UID is ``f"{uid_prefix}-seance-{numero}@{domaine}"``, the calendar's ``f"{uid_prefix}@{domaine}"``.
    :param now: the DTSTAMP of every event, naive UTC or aware.
    :param domaine: the installation's fixed domain for UIDs (configuration ``ICS_UID_DOMAIN``).
    :param fuseau: the structure's time zone, in which the descriptions give the séances' hours.
    :return: the file's bytes (UTF-8, CRLF line ends); the same arguments give the same bytes.
    :raise ValueError: (French message) with no séance, two séances of the same number, or a séance that
        does not end after it starts.
    """
    if not seances:
        raise ValueError("Aucune séance à exporter : le calendrier serait vide.")
    numeros = [numero for numero, *_ in seances]
    if len(set(numeros)) != len(numeros):
        raise ValueError("Deux séances portent le même numéro.")
    intitule, lieu = _une_ligne(intitule), _une_ligne(lieu)
    evenements = []
    for numero, titre, starts_at, ends_at in sorted(seances, key=lambda s: s[0]):
        debut, fin = _utc(starts_at), _utc(ends_at)
        if fin <= debut:
            raise ValueError(f"La séance {numero} doit finir après son début.")
        horaire = horaire_fr(to_local(debut, fuseau), to_local(fin, fuseau))
        evenements.append(
            Event.new(
                uid=f"{uid_prefix}-seance-{numero}@{domaine}",
                stamp=_utc(now),
                start=debut,
                end=fin,
                summary=f"{intitule} – séance {numero} : {_une_ligne(titre)}",
                description=f"{horaire} (heure locale, {fuseau.key})",
                location=lieu or None,
            )
        )
    calendrier = Calendar.new(prodid=PRODID, uid=f"{uid_prefix}@{domaine}", name=intitule, subcomponents=evenements)
    return calendrier.to_ical()


def _une_ligne(texte: str) -> str:
    """``texte`` on one line: control characters (CR, LF, tab...) become spaces, runs of spaces one space."""
    sans_controle = "".join(" " if unicodedata.category(c) == "Cc" else c for c in texte or "")
    return " ".join(sans_controle.split())


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime: naive ones are taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
