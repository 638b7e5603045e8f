"""The workshop pages: planning, moving a séance, closures, calendar and attendance sheets."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from ateliers import services
from ateliers.models import Atelier
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import START, freeze_clock, make_atelier
from tests.conftest import Browser

NOW = datetime(2026, 3, 1, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def atelier(atelier_en_projet):
    return atelier_en_projet


def plan(browser, atelier, **data):
    url = f"/ateliers/{atelier.id}"
    return browser.submit(f"{url}/planifier", {"debut": START.isoformat(), "lieu": "Salle 2", **data}, form_url=url)


def test_list_page_shows_the_workshops_with_status_and_places(signed_in, atelier):
    page = signed_in.get("/ateliers/").get_data(as_text=True)
    assert "Atelier du lundi matin" in page
    assert "En projet" in page
    assert "2 / 4" in page
    assert "Ajouter une fermeture" in page


def test_planning_from_the_workshop_page(signed_in, atelier, mediatrice, benevole):
    page = signed_in.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "Josiane Martin" in page and "Planifier les six séances" in page
    assert "Henri Crozet" in page  # offered as an animateur

    response = plan(signed_in, atelier, animateurs=[str(mediatrice.id), str(benevole.id)])
    assert response.status_code == 302

    page = signed_in.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "lundi 30 mars 2026, 9 h 00 – 12 h 00" in page
    assert "lundi 13 avril 2026, 9 h 00 – 12 h 00" in page  # Easter Monday skipped
    assert (
        page.count("Animateurs : Awa Diallo, Henri Crozet") + page.count("Animateurs : Henri Crozet, Awa Diallo") == 6
    )
    assert "Planifier les six séances" not in page
    assert "Séance 6" in page


def test_bad_planning_input_comes_back_beside_the_field(signed_in, atelier):
    response = plan(signed_in, atelier, debut="2026-02-02", lieu="Salle des fêtes")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="debut-erreurs"' in page and "passé" in page
    assert 'value="Salle des fêtes"' in page
    assert 'value="2026-02-02"' in page

    page = plan(signed_in, atelier, debut="pas une date").get_data(as_text=True)
    assert "Saisissez une date au format jj/mm/aaaa, par exemple 30/03/2026." in page
    assert 'value="pas une date"' in page
    assert db.session.get(Atelier, atelier.id).seances == []


def test_planning_a_workshop_without_members_is_refused(signed_in, structure):
    empty = make_atelier(structure)
    page = plan(signed_in, empty).get_data(as_text=True)
    assert "aucun membre" in page


@pytest.fixture
def planned(signed_in, atelier, benevole):
    assert plan(signed_in, atelier, animateurs=[str(benevole.id)]).status_code == 302
    return atelier


def move(browser, atelier, numero, jour, decaler=False):
    url = f"/ateliers/{atelier.id}"
    data = {"jour": jour} | ({"decaler": "y"} if decaler else {})
    return browser.submit(f"{url}/seances/{numero}/deplacer", data, form_url=url)


def test_moving_a_seance(signed_in, planned):
    assert move(signed_in, planned, 2, "2026-04-15", decaler=True).status_code == 302
    page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "mercredi 15 avril 2026, 9 h 00 – 12 h 00" in page
    assert "mercredi 22 avril 2026" in page


def test_a_refused_move_keeps_what_was_typed_beside_the_field(signed_in, planned):
    response = move(signed_in, planned, 2, "2026-04-06", decaler=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="jour-2-erreurs"' in page
    assert "Impossible de placer la séance 2 : lundi 6 avril 2026 est férié (Lundi de Pâques)." in page
    assert 'value="2026-04-06"' in page
    assert "lundi 13 avril 2026, 9 h 00" in page  # nothing moved


def test_a_closure_added_on_the_list_page_shows_as_a_conflict(signed_in, planned):
    response = signed_in.submit("/ateliers/fermetures", {"debut_on": "2026-05-04", "motif": "Élections"}, "/ateliers/")
    assert response.status_code == 302
    assert "Élections" in signed_in.get("/ateliers/").get_data(as_text=True)
    page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "La séance 5 est à déplacer : la structure est fermée le lundi 4 mai 2026 (Élections)." in page


def test_a_bad_closure_comes_back_beside_the_field(signed_in):
    data = {"debut_on": "2026-05-04", "fin_on": "2026-05-01", "motif": "Pont"}
    page = signed_in.submit("/ateliers/fermetures", data, "/ateliers/").get_data(as_text=True)
    assert 'id="fin_on-erreurs"' in page and "doit suivre son début" in page
    assert 'value="Pont"' in page


def test_calendar_download_parses_back(signed_in, planned):
    response = signed_in.get(f"/ateliers/{planned.id}/calendrier.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert 'filename="atelier-du-lundi-matin.ics"' in response.headers["Content-Disposition"]
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 6
    assert events[0].decoded("dtstart") == datetime(2026, 3, 30, 7, 0, tzinfo=events[0].decoded("dtstart").tzinfo)
    assert str(events[0]["location"]) == "Salle 2"
    assert db.session.query(Journal).filter_by(action="export", objet_id=planned.id).count() == 1


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_attendance_sheets_carry_the_names_and_the_dates(signed_in, planned):
    response = signed_in.get(f"/ateliers/{planned.id}/emargement.pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Marcel Bernard" in text and "Josiane Martin" in text
    assert text.index("Josiane Martin") < text.index("Marcel Bernard")  # in the order of the names printed
    assert "lundi 30 mars 2026" in text and "lundi 11 mai 2026" in text

    text = pdf_text(signed_in.get(f"/ateliers/{planned.id}/seances/2/emargement.pdf").data)
    assert "lundi 13 avril 2026" in text and "lundi 30 mars 2026" not in text
    assert "Josiane Martin" in text
    assert db.session.query(Journal).filter_by(action="export", objet_id=planned.id).count() == 2


def test_a_volunteer_sees_only_the_seances_they_co_run(app, planned, benevole):
    db.session.get(Atelier, planned.id).seances[0].animateurs = []
    db.session.commit()
    volunteer = Browser(app.test_client())
    volunteer.login(benevole)
    page = volunteer.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "Josiane M." in page and "Martin" not in page  # first name and the surname's initial
    assert "Séance 1 " not in page and "Séance 2 " in page
    assert volunteer.get(f"/ateliers/{planned.id}/seances/1/emargement.pdf").status_code == 403
    sheet = pdf_text(volunteer.get(f"/ateliers/{planned.id}/seances/2/emargement.pdf").data)
    assert "Josiane M." in sheet and "Marcel B." in sheet and "Martin" not in sheet and "Bernard" not in sheet
    assert "Atelier du lundi matin" in volunteer.get("/ateliers/").get_data(as_text=True)


def test_a_volunteer_who_runs_no_seance_does_not_see_the_workshop(app, planned, make_compte):
    stranger = Browser(app.test_client())
    stranger.login(make_compte("benevole"))
    assert stranger.get(f"/ateliers/{planned.id}").status_code == 404
    assert "Atelier du lundi matin" not in stranger.get("/ateliers/").get_data(as_text=True)


def test_direction_views_the_calendar_read_only(app, planned, make_compte):
    director = Browser(app.test_client())
    director.login(make_compte("direction"))
    page = director.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "lundi 30 mars 2026, 9 h 00 – 12 h 00" in page
    assert "Déplacer" not in page and "émargement" not in page
    assert director.get(f"/ateliers/{planned.id}/calendrier.ics").status_code == 200
    assert director.get(f"/ateliers/{planned.id}/emargement.pdf").status_code == 403


def test_another_structures_workshop_is_not_found(signed_in, make_structure, make_apprenant):
    other = make_structure()
    foreign = make_atelier(other, [make_apprenant(structure=other)])
    for url in (
        f"/ateliers/{foreign.id}",
        f"/ateliers/{foreign.id}/calendrier.ics",
        f"/ateliers/{foreign.id}/emargement.pdf",
        f"/ateliers/{foreign.id}/seances/1/emargement.pdf",
    ):
        assert signed_in.get(url).status_code == 404, url
    assert "Atelier du lundi matin" not in signed_in.get("/ateliers/").get_data(as_text=True)


def test_workshop_page_queries_do_not_grow_with_members(signed_in, structure, make_apprenant, count_queries):
    counts = []
    for size in (1, 4):
        atelier = make_atelier(structure, [make_apprenant() for _ in range(size)])
        services.planifier_atelier(signed_in_compte(atelier), atelier, START, "", [], date(2026, 3, 1))
        db.session.commit()
        signed_in.get(f"/ateliers/{atelier.id}")  # the curriculum, read once per application (core.cache)
        with count_queries() as statements:
            assert signed_in.get(f"/ateliers/{atelier.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def signed_in_compte(atelier):
    from core.models import Compte

    return db.session.query(Compte).filter_by(structure_id=atelier.structure_id, role="mediateur").first()


# --- Dates typed by hand, the structure's day and zone, the calendar file -----------------------------------


def test_a_start_date_typed_the_french_way_plans_the_workshop(signed_in, atelier):
    assert plan(signed_in, atelier, debut="30/03/2026").status_code == 302
    assert db.session.get(Atelier, atelier.id).start_on == START


def test_a_move_typed_the_french_way(signed_in, planned):
    assert move(signed_in, planned, 2, "15/4/2026", decaler=True).status_code == 302
    assert "mercredi 15 avril 2026, 9 h 00 – 12 h 00" in signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)


def test_a_closure_typed_the_french_way(signed_in):
    data = {"debut_on": "01/06/2026", "fin_on": "05/06/2026", "motif": "Travaux"}
    assert signed_in.submit("/ateliers/fermetures", data, "/ateliers/").status_code == 302
    assert "Du lundi 1er juin 2026 au vendredi 5 juin 2026" in signed_in.get("/ateliers/").get_data(as_text=True)


def test_today_is_the_structures_day_not_the_utc_date(signed_in, atelier, structure, monkeypatch):
    # 02:00 UTC on Monday 30 March is still Sunday 29 March, 22:00, in Guadeloupe (UTC-4).
    structure.subdivision_feries, structure.fuseau_horaire = "971", "America/Guadeloupe"
    db.session.commit()
    freeze_clock(monkeypatch, datetime(2026, 3, 30, 2, 0))

    response = plan(signed_in, atelier, debut="29/03/2026")

    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.get(Atelier, atelier.id).start_on == START


def test_a_seance_in_la_reunion_is_at_nine_on_its_pages_and_in_its_calendar(signed_in, atelier, structure):
    structure.subdivision_feries, structure.fuseau_horaire = "974", "Indian/Reunion"
    db.session.commit()
    assert plan(signed_in, atelier).status_code == 302

    page = signed_in.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "lundi 30 mars 2026, 9 h 00 – 12 h 00" in page
    assert db.session.get(Atelier, atelier.id).seances[0].starts_at == datetime(2026, 3, 30, 5, 0)  # UTC+4
    events = Calendar.from_ical(signed_in.get(f"/ateliers/{atelier.id}/calendrier.ics").data).walk("VEVENT")
    assert events[0].start.astimezone(ZoneInfo("Indian/Reunion")).time() == time(9, 0)
    assert str(events[0]["DESCRIPTION"]).startswith("lundi 30 mars 2026, 9 h 00 – 12 h 00")
    sheet = pdf_text(signed_in.get(f"/ateliers/{atelier.id}/seances/1/emargement.pdf").data)
    assert "lundi 30 mars 2026, 9 h 00 – 12 h 00" in sheet


def test_calendar_uids_do_not_depend_on_the_host_name(signed_in, planned, app):
    app.config["ICS_UID_DOMAIN"] = "ateliers.ccas-saint-test.fr"
    session = signed_in.client.get_cookie("session").value
    uids = []
    for host in ("localhost", "ateliers.ccas-saint-test.fr", "192.168.1.20"):
        signed_in.client.set_cookie("session", session, domain=host)
        response = signed_in.client.get(f"/ateliers/{planned.id}/calendrier.ics", base_url=f"http://{host}")
        assert response.status_code == 200, host
        data = response.data
        uids.append([str(event["UID"]) for event in Calendar.from_ical(data).walk("VEVENT")])
    assert uids[0] == uids[1] == uids[2]
    assert uids[0][0] == f"structure-{planned.structure_id}-atelier-{planned.id}-seance-1@ateliers.ccas-saint-test.fr"


def test_a_title_with_a_line_break_still_exports_its_calendar(signed_in, planned):
    db.session.get(Atelier, planned.id).intitule = "Atelier du lundi\r\nmatin"
    db.session.commit()

    response = signed_in.get(f"/ateliers/{planned.id}/calendrier.ics")

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar.calendar_name == "Atelier du lundi matin"
    assert len(calendar.walk("VEVENT")) == 6
