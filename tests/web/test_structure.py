"""The structure's calendar settings (admin only): holiday subdivision, time zone, holidays it works."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from core.models import Journal, Structure
from extensions import db

pytestmark = pytest.mark.usefixtures("frozen_clock")
URL = "/admin/structure"
NOW = datetime(2026, 3, 1, 8, 0)


def stored(structure) -> tuple:
    return db.session.execute(
        sa.select(Structure.subdivision_feries, Structure.fuseau_horaire, Structure.feries_travailles).where(
            Structure.id == structure.id
        )
    ).one()


def html(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_the_page_shows_the_settings_and_the_years_holidays(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    page = html(browser.get(URL))
    assert "Calendrier de CCAS de Saint-Test" in page
    assert '<option selected value="">France métropolitaine (hors Alsace-Moselle)</option>' in page
    assert '<option selected value="Europe/Paris">' in page
    assert 'name="feries_travailles" type="checkbox" value="lundi_pentecote"' in page
    assert 'value="fete_travail"' not in page  # 1 May can never be worked
    assert "vendredi 1er mai 2026" in page and "Fête du Travail" in page
    assert '<a href="/admin/structure" aria-current="page">Structure</a>' in page


def test_saving_the_settings_changes_the_calendar_and_is_journaled(browser, make_compte, structure):
    admin = make_compte("admin")
    browser.login(admin)
    data = {"subdivision_feries": "6AE", "fuseau_horaire": "Europe/Paris", "feries_travailles": ["lundi_pentecote"]}

    response = browser.submit(URL, data)

    assert response.status_code == 302 and response.headers["Location"] == URL
    assert stored(structure) == ("6AE", "Europe/Paris", ["lundi_pentecote"])
    page = html(browser.get(URL))
    assert "Paramètres de la structure enregistrés." in page
    assert 'value="saint_etienne"' in page and "Vendredi saint" in page  # Alsace's own holidays are offered
    assert "lundi 25 mai 2026</td><td>Lundi de Pentecôte</td><td>ouverte (jour travaillé)" in page
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "structure"))
    assert (entry.compte_id, entry.action, entry.objet_id) == (admin.id, "modification", structure.id)
    assert entry.details == "calendrier : subdivision 6AE, fuseau Europe/Paris, fériés travaillés lundi_pentecote"


def test_an_overseas_structure_gets_its_own_zone(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    data = {"subdivision_feries": "974", "fuseau_horaire": "Europe/Paris"}

    response = browser.submit(URL, data)

    assert response.status_code == 200
    page = html(response)
    assert 'id="fuseau_horaire-erreurs"' in page
    assert "Pour La Réunion, choisissez le fuseau « La Réunion »." in page
    assert '<option selected value="974">La Réunion</option>' in page  # what was typed is kept
    assert stored(structure) == (None, "Europe/Paris", [])

    assert browser.submit(URL, {**data, "fuseau_horaire": "Indian/Reunion"}).status_code == 302
    assert stored(structure) == ("974", "Indian/Reunion", [])


def test_a_holiday_of_another_territory_is_dropped_and_may_day_cannot_be_worked(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    data = {"subdivision_feries": "", "fuseau_horaire": "Europe/Paris"}

    assert browser.submit(URL, {**data, "feries_travailles": ["saint_etienne", "ascension"]}).status_code == 302
    assert stored(structure) == (None, "Europe/Paris", ["ascension"])
    assert browser.submit(URL, {**data, "feries_travailles": ["fete_travail"]}).status_code == 302
    assert stored(structure) == (None, "Europe/Paris", [])


def test_unknown_values_are_refused_beside_their_fields(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    response = browser.submit(URL, {"subdivision_feries": "Zone A", "fuseau_horaire": "Europe/London"})
    assert response.status_code == 200
    page = html(response)
    assert "Choisissez un territoire dans la liste." in page
    assert "Choisissez un fuseau horaire dans la liste." in page
    assert stored(structure) == (None, "Europe/Paris", [])


def test_the_form_needs_its_csrf_token(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    response = browser.client.post(URL, data={"subdivision_feries": "974", "fuseau_horaire": "Indian/Reunion"})
    assert response.status_code == 400
    assert stored(structure) == (None, "Europe/Paris", [])


@pytest.mark.parametrize("role", ["mediateur", "benevole", "direction"])
def test_only_the_admin_may_see_or_change_it(browser, make_compte, role):
    browser.login(make_compte(role))
    assert browser.get(URL).status_code == 403
    assert "/admin/structure" not in browser.get("/").get_data(as_text=True)
