"""The home page: the séances a mediator or volunteer co-runs soon, and how many people to call back."""

from __future__ import annotations

from datetime import datetime

import pytest

from ateliers import services
from ateliers.models import Alerte
from extensions import db
from tests.ateliers_fixtures import START, TODAY, add_animateur, freeze_clock, ids, make_atelier

NOW = datetime(2026, 3, 28, 9, 0)  # two days before séance 1 (Monday 30 March 2026)


pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_the_volunteer_sees_the_seance_they_co_run_with_its_links(browser, benevole, atelier):
    add_animateur(atelier, 1, benevole)
    add_animateur(atelier, 2, benevole)  # 13 April: more than a week ahead
    browser.login(benevole)
    page = browser.get("/").get_data(as_text=True)
    assert "Mes séances" in page
    assert "lundi 30 mars 2026" in page and "Séance 1" in page
    assert f"/ateliers/{atelier.id}/seances/1/presences" in page
    assert f"/ateliers/{atelier.id}/seances/1/competences" in page
    assert "Séance 2" not in page
    assert "à rappeler" not in page


def test_a_volunteer_who_co_runs_nothing_is_told_so(browser, benevole, atelier):
    browser.login(benevole)
    assert "Aucune séance à animer d'ici une semaine." in browser.get("/").get_data(as_text=True)


def test_the_mediator_sees_their_seances_and_the_people_to_call(browser, mediatrice, atelier):
    db.session.add(
        Alerte(inscription_id=ids(atelier)["Martin"], regle="absence_debut", niveau_risque="risque", message="absente")
    )
    db.session.commit()
    browser.login(mediatrice)
    page = browser.get("/").get_data(as_text=True)
    assert f"/ateliers/{atelier.id}/seances/1/presences" in page
    assert '<span class="tile-figure">1</span>\n    <span>personne à rappeler</span>' in page


def test_direction_sees_no_seance_list(browser, make_compte, atelier):
    browser.login(make_compte("direction"))
    page = browser.get("/").get_data(as_text=True)
    assert "Mes séances" not in page and "à rappeler" not in page


def test_the_home_page_runs_a_flat_number_of_queries(
    browser, mediatrice, atelier, structure, make_apprenant, count_queries
):
    browser.login(mediatrice)
    with count_queries() as few:
        page = browser.get("/").get_data(as_text=True)
    assert page.count("/presences") == 1
    for _ in range(3):
        other = make_atelier(structure, [make_apprenant()])
        services.planifier_atelier(mediatrice, other, START, "Salle 3", [mediatrice.id], TODAY)
    db.session.commit()
    with count_queries() as more:
        page = browser.get("/").get_data(as_text=True)
    assert page.count("/presences") == 4
    assert len(more) == len(few)


def test_the_week_ahead_counts_from_the_structures_day_not_the_utc_date(browser, mediatrice, atelier, monkeypatch):
    # 22:30 UTC on Sunday 5 April is already Monday 6 April, 00:30, in Paris: séance 2 (Monday 13 April) is
    # within the next seven days.
    freeze_clock(monkeypatch, datetime(2026, 4, 5, 22, 30))
    browser.login(mediatrice)
    page = browser.get("/").get_data(as_text=True)
    assert "lundi 13 avril 2026, 9 h 00" in page and f"/ateliers/{atelier.id}/seances/2/presences" in page


def test_the_seances_are_shown_on_the_structures_clock(browser, mediatrice, atelier, structure):
    structure.subdivision_feries, structure.fuseau_horaire = "974", "Indian/Reunion"
    db.session.commit()
    browser.login(mediatrice)
    # Planned at 9:00 Paris time (7:00 UTC), séance 1 is at 11:00 in La Réunion.
    assert "lundi 30 mars 2026, 11 h 00" in browser.get("/").get_data(as_text=True)


def test_the_home_page_reads_its_figures_in_one_statement(browser, make_compte, atelier, count_queries):
    """An administrator's three figures (people to call back, learners, active accounts) come in one statement:
    on PostgreSQL one round trip rather than three (issue 8, item 19)."""
    db.session.add(
        Alerte(inscription_id=ids(atelier)["Martin"], regle="absence_debut", niveau_risque="risque", message="absente")
    )
    db.session.commit()
    admin = make_compte("admin")
    browser.login(admin)
    with count_queries() as statements:
        page = browser.get("/").get_data(as_text=True)
    assert '<span class="tile-figure">1</span>\n    <span>personne à rappeler</span>' in page
    counts = [s for s in statements if "count(*)" in s and "connexion" not in s]  # the account's: its messages
    assert len(counts) == 1, counts
    assert "FROM inscription" in counts[0] and "FROM apprenant" in counts[0] and "FROM compte" in counts[0]
