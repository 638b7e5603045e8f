"""The workshop page's form to change a séance's animateurs, and deleting a closure from the list page."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from ateliers import services
from ateliers.models import Atelier, Fermeture
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import START, TODAY, make_atelier
from tests.conftest import Browser

NOW = datetime(2026, 3, 1, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def planned(structure, make_apprenant, mediatrice, benevole):
    """Six Monday séances from 30 March 2026, each co-run by the mediator and the volunteer."""
    atelier = make_atelier(structure, [make_apprenant(prenom="Josiane", nom="Martin")])
    services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id, benevole.id], TODAY)
    db.session.commit()
    return atelier


def as_user(app, compte) -> Browser:
    other = Browser(app.test_client())
    other.login(compte)
    return other


def seance_form(page: str, atelier: Atelier, numero: int) -> str:
    """The HTML of séance ``numero``'s animateurs form."""
    action = f'action="/ateliers/{atelier.id}/seances/{numero}/animateurs"'
    match = re.search(re.escape(action) + r".*?</form>", page, re.S)
    assert match, f"no animateurs form for séance {numero}"
    return match.group(0)


def ticked(form_html: str) -> set[int]:
    return {int(value) for value in re.findall(r'name="animateurs" value="(\d+)" checked', form_html)}


def change(browser, atelier, numero, ids, suivantes=False):
    url = f"/ateliers/{atelier.id}"
    data = {"animateurs": [str(i) for i in ids]} | ({"suivantes": "y"} if suivantes else {})
    return browser.submit(f"{url}/seances/{numero}/animateurs", data, form_url=url)


def animateurs(atelier_id: int) -> dict[int, set[int]]:
    return {s.numero: {c.id for c in s.animateurs} for s in db.session.get(Atelier, atelier_id).seances}


def test_each_seance_has_a_form_with_its_animateurs_ticked(signed_in, planned, mediatrice, benevole, remplacante):
    page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert page.count("Changer les animateurs") == 6
    assert page.count("Appliquer aussi aux séances suivantes") == 5  # not on the last séance
    form = seance_form(page, planned, 2)
    assert "Animateurs de la séance 2" in form
    assert "Zoé Vidal (bénévole)" in form
    assert ticked(form) == {mediatrice.id, benevole.id}


def test_the_page_names_each_seances_co_runners_reading_accounts_once(
    signed_in, planned, mediatrice, benevole, count_queries
):
    reads_accounts = re.compile(r"\b(FROM|JOIN) compte\b")
    with count_queries() as statements:
        page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert page.count("Animateurs : Henri Crozet, Awa Diallo") == 6
    # The signed-in account, then the workshop with the structure's co-runners the page lists and the séances
    # each co-runs, in one statement: the séances' co-runners are not read again.
    assert len([s for s in statements if reads_accounts.search(s)]) == 2
    assert not [s for s in statements if s.startswith("SELECT seance_animateur")]
    benevole.is_active = False  # no longer offered, still named where they co-ran
    db.session.commit()
    with count_queries() as statements:
        page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert page.count("Animateurs : Henri Crozet, Awa Diallo") == 6
    assert "Henri Crozet (bénévole)" not in page
    assert len([s for s in statements if reads_accounts.search(s)]) == 2


def test_changing_one_seance_from_the_page(signed_in, planned, mediatrice, remplacante):
    response = change(signed_in, planned, 3, [mediatrice.id, remplacante.id])
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Animateurs de la séance 3 changés." in page
    assert ticked(seance_form(page, planned, 3)) == {mediatrice.id, remplacante.id}
    assert page.count("Animateurs : Awa Diallo, Zoé Vidal") == 1
    assert animateurs(planned.id)[4] != {mediatrice.id, remplacante.id}


def test_applying_to_the_following_seances_from_the_page(signed_in, planned, remplacante):
    assert change(signed_in, planned, 4, [remplacante.id], suivantes=True).status_code == 302
    assert [numero for numero, ids in animateurs(planned.id).items() if ids == {remplacante.id}] == [4, 5, 6]
    entry = db.session.query(Journal).filter_by(objet="atelier", objet_id=planned.id).order_by(Journal.id.desc())
    assert entry.first().details == f"animateurs de la séance 4 et des suivantes : comptes {remplacante.id}"


def test_a_refusal_comes_back_beside_the_seances_field_with_the_boxes_kept(
    signed_in, planned, mediatrice, benevole, make_compte, make_structure
):
    stranger = make_compte("mediateur", structure=make_structure())
    response = change(signed_in, planned, 3, [mediatrice.id, stranger.id], suivantes=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    form = seance_form(page, planned, 3)
    assert 'id="animateurs-3-erreurs"' in form and "Choisissez des animateurs de la structure" in form
    assert ticked(form) == {mediatrice.id}  # what was ticked, not what is stored
    assert 'name="suivantes" value="y" checked' in form
    assert "erreurs" not in seance_form(page, planned, 2)
    assert ticked(seance_form(page, planned, 4)) == {mediatrice.id, benevole.id}

    page = change(signed_in, planned, 2, []).get_data(as_text=True)
    form = seance_form(page, planned, 2)
    assert "Au moins un animateur par séance." in form and ticked(form) == set()
    assert animateurs(planned.id)[2] == {mediatrice.id, benevole.id}


def test_a_seance_the_workshop_does_not_have_is_not_found(signed_in, planned, mediatrice):
    url = f"/ateliers/{planned.id}"
    assert signed_in.submit(f"{url}/seances/7/animateurs", {"animateurs": [str(mediatrice.id)]}, url).status_code == 404


def test_a_locked_workshop_shows_no_form_and_refuses_the_change(signed_in, planned, mediatrice, remplacante):
    atelier = db.session.get(Atelier, planned.id)
    atelier.statut, atelier.is_locked = "termine", True
    db.session.commit()
    page = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "Changer les animateurs" not in page
    page = change(signed_in, planned, 6, [remplacante.id]).get_data(as_text=True)
    assert "Cet atelier est clos" in page
    assert remplacante.id not in animateurs(planned.id)[6]


def test_a_volunteer_newly_assigned_then_sees_the_seance(app, signed_in, planned, mediatrice, remplacante):
    volunteer = as_user(app, remplacante)
    assert volunteer.get(f"/ateliers/{planned.id}").status_code == 404
    assert volunteer.get(f"/ateliers/{planned.id}/seances/2/presences").status_code == 404

    assert change(signed_in, planned, 2, [mediatrice.id, remplacante.id]).status_code == 302

    assert "Atelier du lundi matin" in volunteer.get("/ateliers/").get_data(as_text=True)
    page = volunteer.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "Séance 2 " in page and "Séance 1 " not in page
    assert "Changer les animateurs" not in page
    presences = volunteer.get(f"/ateliers/{planned.id}/seances/2/presences")
    assert presences.status_code == 200 and "Josiane" in presences.get_data(as_text=True)
    assert volunteer.get(f"/ateliers/{planned.id}/seances/1/presences").status_code == 403


def test_another_structures_workshop_is_not_found(signed_in, make_structure, make_apprenant, mediatrice):
    other = make_structure()
    foreign = make_atelier(other, [make_apprenant(structure=other)])
    url = f"/ateliers/{foreign.id}/seances/1/animateurs"
    assert signed_in.submit(url, {"animateurs": [str(mediatrice.id)]}, "/ateliers/").status_code == 404


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_volunteers_and_direction_may_not_change_animateurs(app, planned, make_compte, benevole, role):
    compte = benevole if role == "benevole" else make_compte("direction")
    browser = as_user(app, compte)
    page = browser.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "Changer les animateurs" not in page
    response = browser.submit(f"/ateliers/{planned.id}/seances/1/animateurs", {"animateurs": [str(compte.id)]}, "/")
    assert response.status_code == 403


# --- Deleting a closure from the list page ---------------------------------------------------------------------


@pytest.fixture
def fermeture(mediatrice):
    fermeture = services.ajouter_fermeture(mediatrice, date(2026, 5, 4), None, "Élections", TODAY)
    db.session.commit()
    return fermeture


def test_deleting_a_closure_from_the_list_page(signed_in, planned, fermeture):
    fermeture_id = fermeture.id
    page = signed_in.get("/ateliers/").get_data(as_text=True)
    assert f'action="/ateliers/fermetures/{fermeture_id}/supprimer"' in page
    assert 'Supprimer<span class="visually-hidden"> la fermeture : le lundi 4 mai 2026' in page
    detail = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "est à déplacer : la structure est fermée le lundi 4 mai 2026 (Élections)" in detail

    response = signed_in.submit(f"/ateliers/fermetures/{fermeture_id}/supprimer", {}, "/ateliers/")
    assert response.status_code == 302 and response.headers["Location"] == "/ateliers/"
    page = signed_in.get("/ateliers/").get_data(as_text=True)
    assert "Fermeture supprimée. Les séances déjà planifiées ne bougent pas : déplacez-les si besoin." in page
    assert "Élections" not in page and "Aucune fermeture prévue." in page
    assert db.session.get(Fermeture, fermeture_id) is None
    detail = signed_in.get(f"/ateliers/{planned.id}").get_data(as_text=True)
    assert "est à déplacer" not in detail
    assert "lundi 4 mai 2026, 9 h 00" in detail  # the séance stays where it was


def test_another_structures_closure_is_not_found(signed_in, make_compte, make_structure):
    other = make_compte("mediateur", structure=make_structure())
    foreign = services.ajouter_fermeture(other, date(2026, 5, 4), None, "", TODAY)
    db.session.commit()
    assert signed_in.submit(f"/ateliers/fermetures/{foreign.id}/supprimer", {}, "/ateliers/").status_code == 404
    assert db.session.get(Fermeture, foreign.id) is not None


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_volunteers_and_direction_may_not_delete_a_closure(app, make_compte, fermeture, role):
    browser = as_user(app, make_compte(role))
    assert "Supprimer" not in browser.get("/ateliers/").get_data(as_text=True)
    response = browser.submit(f"/ateliers/fermetures/{fermeture.id}/supprimer", {}, "/ateliers/")
    assert response.status_code == 403
    assert db.session.get(Fermeture, fermeture.id) is not None
