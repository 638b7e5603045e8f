"""A freed place: who on the waiting list could take it, and enrolling them from the day they join."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import services
from ateliers.models import Atelier, Inscription
from ateliers.queries import remplacants
from ateliers.suivis import abandonner
from ateliers.verrou import AtelierClos
from core.errors import DomainError
from core.models import Apprenant, Compte, Journal
from extensions import db

# Séances on Mondays 30 March, 13, 20 and 27 April, 4 and 11 May 2026 (Easter Monday skipped): on Tuesday
# 21 April, séances 1 to 3 are over and a newcomer arrives at séance 4.
TODAY = date(2026, 4, 21)
NOW = datetime(2026, 4, 21, 8, 0)  # 10:00 Paris
LUNDI = ("lun-matin",)


@pytest.fixture
def make_candidate(make_candidate):
    """The shared factory, available on Monday morning and dated from TODAY so waiting times are exact."""

    def factory(**kwargs):
        return make_candidate(today=TODAY, **{"dispo": LUNDI, **kwargs})

    return factory


@pytest.fixture
def atelier(make_planned):
    return make_planned()


def test_those_who_fit_come_first_then_the_longest_waiting(atelier, make_candidate):
    recent = make_candidate(score=45, waiting_days=10)
    too_strong = make_candidate(score=75, niveau=2, waiting_days=300)
    older = make_candidate(score=55, waiting_days=100)
    found = remplacants(atelier, TODAY)
    assert [r.apprenant.id for r in found] == [older.id, recent.id, too_strong.id]
    assert [(r.score, r.niveau, r.attente_jours) for r in found] == [(55, 1, 100), (45, 1, 10), (75, 2, 300)]
    assert [r.convient for r in found] == [True, True, False]
    assert found[2].avertissement == "écart de 35 points avec le groupe (maximum 20)"


def test_only_people_waiting_available_placed_below_3_and_not_already_in_the_workshop(
    atelier, make_candidate, make_apprenant, make_structure
):
    kept = make_candidate(score=45)
    make_candidate(score=45, dispo=("mar-matin",))  # not available on Monday morning
    make_candidate(score=45, niveau=3)  # oriented elsewhere
    make_candidate(score=45, statut="retire")
    make_candidate(score=45, structure=make_structure(nom="Ailleurs"))
    make_apprenant(statut="en_attente", en_attente_depuis_on=TODAY, disponibilites=1)  # not placed yet
    left = make_candidate(score=45, waiting_days=400)
    db.session.add(
        Inscription(atelier_id=atelier.id, apprenant_id=left.id, statut="abandon", joined_at=NOW, ended_at=NOW)
    )
    db.session.commit()
    assert [r.apprenant.id for r in remplacants(atelier, TODAY)] == [kept.id]


def test_limit_and_a_group_left_empty_by_an_abandon_where_everyone_fits(mediatrice, make_planned, make_candidate):
    atelier = make_planned(scores=(50,))
    abandonner(mediatrice, atelier.inscriptions[0], "emploi", NOW)
    db.session.commit()
    people = [make_candidate(score=score, waiting_days=100 - score) for score in (5, 60, 95)]
    found = remplacants(atelier, TODAY, limit=2)
    assert [r.apprenant.id for r in found] == [people[0].id, people[1].id]
    assert all(r.convient for r in found)


def test_a_group_already_too_wide_gives_everyone_a_warning(make_planned, make_candidate):
    atelier = make_planned(scores=(20, 50))
    make_candidate(score=35)
    assert remplacants(atelier, TODAY)[0].avertissement == "écart de 30 points avec le groupe (maximum 20)"


def test_two_queries_whatever_the_number_of_people(atelier, make_candidate, count_queries):
    for score in (30, 45, 60, 90):
        make_candidate(score=score)
    db.session.refresh(atelier)
    with count_queries() as statements:
        found = remplacants(atelier, TODAY, limit=10)
        assert [r.apprenant.nom for r in found]
    assert len(found) == 4
    assert len(statements) == 2


def test_the_newcomer_takes_the_place_from_today(mediatrice, atelier, make_candidate):
    person = make_candidate(score=45)
    inscription = services.inscrire_remplacant(mediatrice, atelier, person, TODAY, now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert (inscription.statut, inscription.joined_at) == ("inscrit", NOW)
    assert db.session.get(Atelier, atelier.id).places_prises == 3
    assert db.session.get(Apprenant, person.id).statut == "inscrit"
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "inscription"))
    assert (entry.action, entry.objet_id) == ("creation", inscription.id)
    assert "remplacement" in entry.details
    assert [s.numero for s in services.seances_restantes(atelier, NOW)] == [4, 5, 6]


def test_a_full_workshop_is_refused(mediatrice, make_planned, make_candidate):
    atelier = make_planned(scores=(40, 45, 50, 55))
    with pytest.raises(DomainError, match="Plus de place libre dans cet atelier"):
        services.inscrire_remplacant(mediatrice, atelier, make_candidate(score=45), TODAY, now=NOW)
    db.session.rollback()


def test_a_locked_workshop_is_refused(mediatrice, atelier, make_candidate):
    atelier.is_locked = True
    db.session.commit()
    with pytest.raises(AtelierClos):
        services.inscrire_remplacant(mediatrice, atelier, make_candidate(), TODAY, now=NOW)


@pytest.mark.parametrize(
    ("statut", "now", "message"),
    [
        ("projet", NOW, "planifié ou en cours"),
        ("termine", NOW, "planifié ou en cours"),
        ("en_cours", datetime(2026, 5, 12, 8, 0), "La dernière séance de cet atelier a déjà commencé"),
        # séance 6: Monday 11 May, 9:00 Paris (7:00 UTC)
        ("en_cours", datetime(2026, 5, 11, 7, 0), "La dernière séance de cet atelier a déjà commencé"),
    ],
)
def test_a_workshop_not_running_or_over_is_refused(mediatrice, atelier, make_candidate, statut, now, message):
    atelier.statut = statut
    db.session.commit()
    with pytest.raises(DomainError, match=message):
        services.inscrire_remplacant(mediatrice, atelier, make_candidate(), now.date(), now=now)


def test_the_last_seance_day_still_takes_a_newcomer_before_it_starts(mediatrice, atelier, make_candidate):
    now = datetime(2026, 5, 11, 6, 59)
    inscription = services.inscrire_remplacant(mediatrice, atelier, make_candidate(), now.date(), now=now)
    assert inscription.joined_at == now
    assert [s.numero for s in services.seances_restantes(atelier, now)] == [6]


def test_refusals_about_the_person(mediatrice, atelier, make_candidate, make_structure):
    cases = [
        (make_candidate(statut="retire"), "pas sur la liste d'attente"),
        (make_candidate(structure=make_structure(nom="Ailleurs")), "structure"),
        (atelier.inscriptions[0].apprenant, "déjà une inscription"),
    ]
    for person, message in cases:
        with pytest.raises(DomainError, match=message):
            services.inscrire_remplacant(mediatrice, atelier, person, TODAY, now=NOW)
    db.session.rollback()
    assert db.session.get(Atelier, atelier.id).places_prises == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inscription)) == 2


def test_two_mediators_at_once_for_the_last_place_exactly_one_wins(app, mediatrice, make_planned, make_candidate):
    atelier = make_planned(scores=(40, 45, 50))
    people = [make_candidate(score=45).id, make_candidate(score=46).id]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enrol(apprenant_id: int):
        with app.app_context():
            compte = db.session.get(Compte, mediatrice.id)
            cible = db.session.get(Atelier, atelier.id)
            personne = db.session.get(Apprenant, apprenant_id)
            assert cible.seances
            barrier.wait()
            try:
                services.inscrire_remplacant(compte, cible, personne, TODAY, now=NOW)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enrol, args=(apprenant_id,)) for apprenant_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["Plus de place libre dans cet atelier.", "ok"]
    db.session.expire_all()
    assert db.session.get(Atelier, atelier.id).places_prises == 4
    statuts = sorted(db.session.scalars(sa.select(Apprenant.statut).where(Apprenant.id.in_(people))))
    assert statuts == ["en_attente", "inscrit"]
