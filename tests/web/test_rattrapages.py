"""The catch-up page of one learner: missed modules, planning, done, refusals beside the fields, access."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from ateliers.models import Alerte, Rattrapage
from ateliers.presences import Saisie, enregistrer_presences
from ateliers.rattrapages import planifier_rattrapage
from extensions import db
from tests.ateliers_fixtures import ids
from tests.conftest import csrf_token_from, version_from

NOW = datetime(2026, 4, 14, 8, 0)  # séances 1 (30 March) and 2 (13 April) are held
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def atelier(atelier, mediatrice):
    """Martin absent at séance 1 and excused at séance 2; Bernard present at both."""
    martin, bernard = ids(atelier)["Martin"], ids(atelier)["Bernard"]
    for seance, statut in ((atelier.seances[0], "absent"), (atelier.seances[1], "absent_excuse")):
        saisies = {martin: Saisie(statut), bernard: Saisie("present")}
        enregistrer_presences(mediatrice, atelier, seance, saisies, NOW.date())
    db.session.commit()
    return atelier


def url(inscription_id: int) -> str:
    return f"/ateliers/inscriptions/{inscription_id}/rattrapages"


def module_id(atelier, numero: int) -> int:
    return atelier.seances[numero - 1].module_id


def html(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def planned(browser, atelier, numero=1, jour="2026-04-16") -> Rattrapage:
    martin = ids(atelier)["Martin"]
    response = browser.submit(url(martin), {"module": module_id(atelier, numero), "jour": jour, "heure": "14:00"})
    assert response.status_code == 302
    return db.session.scalar(sa.select(Rattrapage).where(Rattrapage.module_id == module_id(atelier, numero)))


def submit_done(browser, atelier, rattrapage, fait_on: str):
    """Post the "Fait le" form of ``rattrapage`` as the browser does (its own prefixed CSRF field, the page's
    version)."""
    page = browser.get(url(rattrapage.inscription_id)).get_data(as_text=True)
    token = csrf_token_from(page)
    prefix = f"r{rattrapage.id}"
    action = f"/ateliers/rattrapages/{rattrapage.id}/fait"
    return browser.client.post(
        action,
        data={
            "csrf_token": token,
            f"{prefix}-csrf_token": token,
            f"{prefix}-fait_on": fait_on,
            "version": version_from(page, action, False),
        },
    )


def test_the_page_lists_the_missed_modules_and_offers_only_them(browser, mediatrice, atelier):
    browser.login(mediatrice)
    page = html(browser.get(url(ids(atelier)["Martin"])))
    assert "Rattrapages : Josiane Martin" in page
    assert "Séance 1" in page and "Séance 2" in page and "Séance 3" not in page
    assert "Absent excusé" in page and "À prévoir" in page
    assert f'value="{module_id(atelier, 1)}"' in page and f'value="{module_id(atelier, 2)}"' in page
    assert f'value="{module_id(atelier, 3)}"' not in page

    page = html(browser.get(url(ids(atelier)["Bernard"])))
    assert "Aucun module manqué" in page and "Prévoir le rattrapage" not in page


def test_the_module_asked_in_the_address_is_preselected(browser, mediatrice, atelier):
    browser.login(mediatrice)
    page = html(browser.get(url(ids(atelier)["Martin"]) + "?module=2"))
    selected = f'<option selected value="{module_id(atelier, 2)}">'
    assert selected in page or f'value="{module_id(atelier, 2)}" selected' in page


def test_plan_then_mark_done_resolves_the_alert(browser, mediatrice, atelier):
    browser.login(mediatrice)
    martin = ids(atelier)["Martin"]
    alerte = db.session.scalar(
        sa.select(Alerte).where(Alerte.inscription_id == martin, Alerte.regle == "absence_non_excusee")
    )
    rattrapage = planned(browser, atelier, jour="2026-04-14")
    assert rattrapage.prevu_at == datetime(2026, 4, 14, 12, 0)
    page = html(browser.get(url(martin)))
    assert "Rattrapage du module 1 prévu." in page
    assert "Prévu le mardi 14 avril 2026, 14 h 00" in page
    assert f'name="r{rattrapage.id}-fait_on"' in page and 'value="2026-04-14"' in page

    response = submit_done(browser, atelier, rattrapage, "2026-04-14")
    assert response.status_code == 302
    assert db.session.get(Rattrapage, rattrapage.id).fait_on == date(2026, 4, 14)
    assert db.session.get(Alerte, alerte.id).resolved_at is not None
    page = html(browser.get(url(martin)))
    assert "Rattrapage du module 1 noté comme fait." in page
    assert "Fait le mardi 14 avril 2026" in page
    assert f'value="{module_id(atelier, 1)}"' not in page  # caught up: no longer offered


def test_planning_errors_are_shown_beside_the_fields_with_the_typed_values(browser, mediatrice, atelier):
    browser.login(mediatrice)
    martin = ids(atelier)["Martin"]
    response = browser.submit(url(martin), {"module": module_id(atelier, 1), "jour": "2026-04-01", "heure": "14:00"})
    assert response.status_code == 200
    page = html(response)
    assert "Le mercredi 1er avril 2026 est passé. Si ce rattrapage a déjà eu lieu sur papier" in page
    assert 'id="jour-erreurs"' in page
    assert 'value="2026-04-01"' in page and 'value="14:00"' in page

    response = browser.submit(url(martin), {"module": module_id(atelier, 3), "jour": "2026-04-20", "heure": "25h"})
    assert response.status_code == 200
    page = html(response)
    assert "Choisissez un module manqué dans la liste." in page
    assert "Saisissez une heure valide, par exemple 14:00." in page
    assert 'value="25h"' in page and 'value="2026-04-20"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rattrapage)) == 0


def test_a_catch_up_typed_for_may_day_is_refused_beside_the_date_with_the_reason(browser, mediatrice, atelier):
    browser.login(mediatrice)
    martin = ids(atelier)["Martin"]
    response = browser.submit(url(martin), {"module": module_id(atelier, 1), "jour": "01/05/2026", "heure": "14:00"})
    assert response.status_code == 200
    page = html(response)
    assert "Impossible de prévoir le rattrapage : vendredi 1er mai 2026 est férié (Fête du Travail)." in page
    assert 'id="jour-erreurs"' in page and 'value="01/05/2026"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rattrapage)) == 0


def test_dates_typed_the_french_way_are_accepted(browser, mediatrice, atelier):
    browser.login(mediatrice)
    rattrapage = planned(browser, atelier, jour="16/04/2026")
    assert rattrapage.prevu_at == datetime(2026, 4, 16, 12, 0)
    rattrapage_id = rattrapage.id

    response = submit_done(browser, atelier, rattrapage, "30/04/2026")
    page = html(response)
    assert "La date du rattrapage fait ne peut pas être dans le futur." in page and 'value="30/04/2026"' in page
    response = submit_done(browser, atelier, rattrapage, "14/4/2026")
    page = html(response)
    assert "La date ne peut pas être avant le jour prévu du rattrapage (jeudi 16 avril 2026)." in page
    response = submit_done(browser, atelier, rattrapage, "le 16 avril")
    assert "Saisissez une date au format jj/mm/aaaa, par exemple 30/03/2026." in html(response)
    assert db.session.get(Rattrapage, rattrapage_id).fait_on is None


def test_a_done_date_is_refused_beside_its_field_and_kept(browser, mediatrice, atelier):
    browser.login(mediatrice)
    rattrapage = planned(browser, atelier)
    response = submit_done(browser, atelier, rattrapage, "2026-04-20")
    assert response.status_code == 200
    page = html(response)
    assert "La date du rattrapage fait ne peut pas être dans le futur." in page
    assert f'id="r{rattrapage.id}-fait_on-erreurs"' in page and 'value="2026-04-20"' in page
    assert db.session.get(Rattrapage, rattrapage.id).fait_on is None


def test_a_planned_catch_up_can_be_cancelled(browser, mediatrice, atelier):
    browser.login(mediatrice)
    rattrapage_id = planned(browser, atelier, numero=2).id
    response = browser.submit(
        f"/ateliers/rattrapages/{rattrapage_id}/annuler", {}, form_url=url(ids(atelier)["Martin"])
    )
    assert response.status_code == 302
    assert db.session.get(Rattrapage, rattrapage_id) is None
    assert "Rattrapage du module 2 annulé." in html(browser.get(url(ids(atelier)["Martin"])))


def test_another_structure_gets_404(browser, mediatrice, atelier, make_structure, make_compte):
    rattrapage = planifier_rattrapage(
        mediatrice,
        next(i for i in atelier.inscriptions if i.apprenant.nom == "Martin"),
        module_id(atelier, 1),
        date(2026, 4, 16),
        time(14, 0),
        NOW.date(),
    )
    db.session.commit()
    other = make_compte("mediateur", structure=make_structure(nom="Autre structure"))
    browser.login(other)
    assert browser.get(url(ids(atelier)["Martin"])).status_code == 404
    token = csrf_token_from(browser.get("/ateliers/").get_data(as_text=True))
    for action in ("fait", "annuler"):
        response = browser.client.post(f"/ateliers/rattrapages/{rattrapage.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    assert db.session.get(Rattrapage, rattrapage.id) is not None


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_volunteers_and_direction_are_refused(browser, make_compte, atelier, role):
    browser.login(make_compte(role))
    assert browser.get(url(ids(atelier)["Martin"])).status_code == 403


def test_a_follow_up_proposing_a_catch_up_leads_to_the_catch_up_page(browser, mediatrice, atelier):
    martin = ids(atelier)["Martin"]
    alerte = db.session.scalar(
        sa.select(Alerte).where(Alerte.inscription_id == martin, Alerte.regle == "absence_non_excusee")
    )
    browser.login(mediatrice)
    page = html(browser.get("/ateliers/a-rappeler"))
    assert f"{url(martin)}?module=1" in page and "Prévoir un rattrapage" in page
    detail = html(browser.get(f"/ateliers/{atelier.id}"))
    assert url(martin) in detail

    response = browser.submit(
        f"/ateliers/inscriptions/{alerte.inscription_id}/suivi",
        {"appel_on": "2026-04-14", "resultat": "joint", "suite": "rattrapage_propose"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url(martin)}?module=1"
    page = html(browser.get(response.headers["Location"]))
    assert "Appel de Josiane enregistré." in page
    selected = f'<option selected value="{module_id(atelier, 1)}">'
    assert selected in page or f'value="{module_id(atelier, 1)}" selected' in page
