"""A workshop's séances as an iCalendar file, read back with the icalendar library."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from ateliers.calendrier import PRODID, calendrier_ics
from ateliers.planning import planifier_seances
from core.ouverture import Ouverture

TITRES = {
    1: "L'ordinateur, la souris, le clavier",
    2: "Écrire et se repérer dans Windows",
    3: "Naviguer et rechercher sur internet",
    4: "Écrire un document et l'enregistrer",
    5: "La messagerie en sécurité",
    6: "Envoyer et recevoir des fichiers par courriel, évaluation finale",
}
NOW = datetime(2026, 2, 20, 16, 45, 12)
INTITULE = "Atelier du mardi matin"
DOMAINE = "ateliers.ccas-montreuil-bellay.fr"
LIEU = "CCAS de Montreuil-Bellay, salle informatique"


def seances_ics(seances):
    return [(s.numero, TITRES[s.numero], s.starts_at, s.ends_at) for s in seances]


def ics(seances, **overrides):
    arguments = {
        "intitule": INTITULE,
        "lieu": LIEU,
        "uid_prefix": "structure-3-atelier-17",
        "now": NOW,
        "domaine": DOMAINE,
        **overrides,
    }
    return calendrier_ics(seances=seances, **arguments)


def events(data):
    return Calendar.from_ical(data).walk("VEVENT")


# Tuesday mornings 9:00-12:00 in Paris, 10 March to 14 April 2026: summer time starts on Sunday 29 March.
MARS = seances_ics(planifier_seances(2, date(2026, 3, 10)))


def test_one_event_per_seance_with_title_place_and_stable_uid():
    found = events(ics(MARS))

    assert [str(e["SUMMARY"]) for e in found] == [f"{INTITULE} – séance {n} : {TITRES[n]}" for n in range(1, 7)]
    assert [str(e["UID"]) for e in found] == [f"structure-3-atelier-17-seance-{n}@{DOMAINE}" for n in range(1, 7)]
    assert {str(e["LOCATION"]) for e in found} == {LIEU}
    assert {e.DTSTAMP for e in found} == {NOW.replace(tzinfo=UTC)}


@pytest.mark.parametrize(
    ("numero", "dtstart", "dtend"),
    [
        pytest.param(1, b"DTSTART:20260310T080000Z", b"DTEND:20260310T110000Z", id="winter-9h-paris-is-8h-utc"),
        pytest.param(3, b"DTSTART:20260324T080000Z", b"DTEND:20260324T110000Z", id="last-week-of-winter-time"),
        pytest.param(4, b"DTSTART:20260331T070000Z", b"DTEND:20260331T100000Z", id="summer-9h-paris-is-7h-utc"),
    ],
)
def test_times_written_in_utc(numero, dtstart, dtend):
    data = ics(MARS)
    event = events(data)[numero - 1]

    assert (event.start, event.end) == (
        MARS[numero - 1][2].replace(tzinfo=UTC),
        MARS[numero - 1][3].replace(tzinfo=UTC),
    )
    assert event.start.utcoffset() == timedelta(0)
    assert dtstart in data and dtend in data


def test_calendar_header():
    calendar = Calendar.from_ical(ics(MARS))

    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar.calendar_name == INTITULE
    assert b"DTSTAMP:20260220T164512Z" in ics(MARS)


def test_same_input_same_bytes_whatever_the_order():
    assert ics(MARS) == ics(MARS) == ics(list(reversed(MARS)))
    assert ics(MARS) != ics(MARS, now=NOW + timedelta(seconds=1))


def test_aware_datetimes_converted_to_utc():
    paris_hiver = timezone(timedelta(hours=1))
    aware = [
        (1, TITRES[1], datetime(2026, 1, 13, 9, tzinfo=paris_hiver), datetime(2026, 1, 13, 12, tzinfo=paris_hiver))
    ]

    data = ics(aware, now=datetime(2026, 1, 2, 11, tzinfo=paris_hiver))

    assert b"DTSTART:20260113T080000Z" in data and b"DTEND:20260113T110000Z" in data
    assert b"DTSTAMP:20260102T100000Z" in data


def test_no_location_when_place_unknown():
    assert "LOCATION" not in events(ics(MARS, lieu=""))[0]


def test_long_french_titles_survive_line_folding():
    intitule = "Atelier d'initiation au numérique – groupe débutants du mardi matin, à la Maison France Services"

    data = ics(MARS[:2], intitule=intitule)

    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert str(events(data)[1]["SUMMARY"]) == f"{intitule} – séance 2 : Écrire et se repérer dans Windows"


@pytest.mark.parametrize(
    ("seances", "message"),
    [
        pytest.param([], "Aucune séance", id="empty"),
        pytest.param([MARS[0], (1, TITRES[1], MARS[1][2], MARS[1][3])], "même numéro", id="duplicate-number"),
        pytest.param([(1, TITRES[1], MARS[0][3], MARS[0][2])], "doit finir après son début", id="end-before-start"),
        pytest.param([(1, TITRES[1], MARS[0][2], MARS[0][2])], "doit finir après son début", id="no-duration"),
    ],
)
def test_bad_input_refused_in_french(seances, message):
    with pytest.raises(ValueError, match=message):
        ics(seances)


def test_line_breaks_typed_in_titles_still_give_a_valid_file():
    # A title saved with CR/LF used to make every export of the workshop fail (NAME and X-WR-CALNAME are
    # written unescaped by the library).
    data = ics(
        [(1, "Le clavier\r\net la souris", *MARS[0][2:])],
        intitule="Atelier du mardi\r\nmatin\t(groupe 2)\x00",
        lieu="Salle 2\n1er étage",
    )

    assert all(b"\n" not in line and b"\r" not in line for line in data.split(b"\r\n"))
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert calendar.calendar_name == "Atelier du mardi matin (groupe 2)"
    assert str(event["SUMMARY"]) == "Atelier du mardi matin (groupe 2) – séance 1 : Le clavier et la souris"
    assert str(event["LOCATION"]) == "Salle 2 1er étage"


def test_a_seance_in_la_reunion_is_at_its_own_nine_o_clock():
    reunion = ZoneInfo("Indian/Reunion")
    (seance,) = planifier_seances(0, date(2026, 6, 1), Ouverture(subdivision="974", fuseau="Indian/Reunion"), nombre=1)

    (event,) = events(ics(seances_ics([seance]), fuseau=reunion))

    # 9:00 in La Réunion (UTC+4, no summer time) is 05:00 UTC: the same instant in every agenda.
    assert event.start == datetime(2026, 6, 1, 9, tzinfo=reunion)
    assert event.start == datetime(2026, 6, 1, 5, tzinfo=UTC)
    assert str(event["DESCRIPTION"]) == "lundi 1er juin 2026, 9 h 00 – 12 h 00 (heure locale, Indian/Reunion)"
