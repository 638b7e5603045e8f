"""The replacement page after an abandon: who could take the freed place, and enrolling them."""

from __future__ import annotations

import functools
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers.models import Alerte, Atelier, Inscription
from core.models import Apprenant
from extensions import db
from tests.ateliers_fixtures import freeze_clock

# Tuesday 21 April 2026, 10 h Paris: séances 1 to 3 (30 March, 13 and 20 April) are over.
NOW = datetime(2026, 4, 21, 8, 0)
TODAY = NOW.date()
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def make_candidate(make_candidate):
    def factory(**kwargs):
        return make_candidate(today=TODAY, **{"dispo": ("lun-matin",), **kwargs})

    return factory


@pytest.fixture
def make_planned(make_planned):
    return functools.partial(make_planned, membre={"prenom": "Membre"}, intitule="Lundi matin")


@pytest.fixture
def atelier(make_planned):
    return make_planned()


def url(atelier) -> str:
    return f"/ateliers/{atelier.id}/remplacement"


def test_the_page_lists_who_fits_first_with_phone_wait_and_warning(browser, mediatrice, atelier, make_candidate):
    make_candidate(prenom="Odette", nom="Fort", score=80, niveau=2, waiting_days=300)
    make_candidate(prenom="Lucien", nom="Juste", score=45, waiting_days=20, telephone="+33612345678")
    browser.login(mediatrice)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "2 places libres" in page
    assert "arriverait à la séance 4 (module 4) et manquerait les séances 1, 2 et 3" in page
    assert page.index("Lucien Juste") < page.index("Odette Fort")
    assert "06 12 34 56 78" in page
    assert "écart de 40 points avec le groupe (maximum 20)" in page
    assert page.count("Inscrire à la place libérée") == 2
    assert f'action="/ateliers/{atelier.id}/remplacement/' in page
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "Proposer une personne de la liste d'attente" in detail


def test_enrolling_takes_the_place_from_now(browser, mediatrice, atelier, make_candidate):
    person = make_candidate(prenom="Lucien", nom="Juste", score=45)
    browser.login(mediatrice)
    response = browser.submit(f"{url(atelier)}/{person.id}", {}, form_url=url(atelier))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ateliers/{atelier.id}"
    inscription = db.session.scalar(sa.select(Inscription).where(Inscription.apprenant_id == person.id))
    assert (inscription.atelier_id, inscription.joined_at) == (atelier.id, NOW)
    assert db.session.get(Atelier, atelier.id).places_prises == 3
    assert db.session.get(Apprenant, person.id).statut == "inscrit"
    page = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "Lucien rejoint l&#39;atelier « Lundi matin » à partir de la séance 4." in page


def test_a_full_workshop_says_so_and_refuses(browser, mediatrice, make_planned, make_candidate):
    atelier = make_planned(scores=(40, 42, 44, 46))
    person = make_candidate(score=45)
    browser.login(mediatrice)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Aucune place libre dans cet atelier" in page
    assert "Inscrire à la place libérée" not in page
    assert "Proposer une personne" not in browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    response = browser.submit(f"{url(atelier)}/{person.id}", {}, form_url=url(atelier))
    assert response.status_code == 200
    assert "Plus de place libre dans cet atelier." in response.get_data(as_text=True)
    assert db.session.get(Apprenant, person.id).statut == "en_attente"


def test_a_workshop_over_says_so(browser, mediatrice, atelier, monkeypatch):
    freeze_clock(monkeypatch, datetime(2026, 5, 12, 8, 0))
    browser.login(mediatrice)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "La dernière séance de cet atelier a déjà commencé" in page


def test_another_structure_gets_404(browser, make_structure, make_compte, atelier, make_candidate):
    person = make_candidate(score=45)
    browser.login(make_compte("mediateur", structure=make_structure(nom="Autre")))
    assert browser.get(url(atelier)).status_code == 404
    response = browser.submit(f"{url(atelier)}/{person.id}", {}, form_url="/ateliers/")
    assert response.status_code == 404
    assert db.session.get(Atelier, atelier.id).places_prises == 2


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_volunteers_and_direction_are_refused(browser, make_compte, atelier, role):
    browser.login(make_compte(role))
    assert browser.get(url(atelier)).status_code == 403


def test_an_abandon_follow_up_leads_to_the_replacement_page(browser, mediatrice, atelier, make_candidate):
    inscription = atelier.inscriptions[0]
    alerte = Alerte(
        inscription_id=inscription.id, regle="absences_consecutives", niveau_risque="abandon_probable", message="-"
    )
    db.session.add(alerte)
    db.session.commit()
    make_candidate(prenom="Lucien", nom="Juste", score=45)
    browser.login(mediatrice)
    response = browser.submit(
        f"/ateliers/inscriptions/{alerte.inscription_id}/suivi",
        {"appel_on": TODAY.isoformat(), "resultat": "joint", "motif": "emploi", "suite": "abandon"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url(atelier)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "enregistré." in page
    assert "Une place est libre : voici les personnes en attente qui peuvent la prendre." in page
    assert "3 places libres" in page and "Lucien Juste" in page


def test_another_follow_up_still_goes_back_to_the_call_list(browser, mediatrice, atelier):
    alerte = Alerte(
        inscription_id=atelier.inscriptions[0].id, regle="absence_debut", niveau_risque="risque", message="-"
    )
    db.session.add(alerte)
    db.session.commit()
    browser.login(mediatrice)
    response = browser.submit(
        f"/ateliers/inscriptions/{alerte.inscription_id}/suivi",
        {"appel_on": date(2026, 4, 20).isoformat(), "resultat": "joint", "suite": "revient"},
    )
    assert response.headers["Location"] == "/ateliers/a-rappeler"
