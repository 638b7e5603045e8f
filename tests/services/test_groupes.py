"""Waiting list, planned workshops and group confirmation against the database."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from ateliers import groupes, services
from ateliers.attente import FiltresAttente, paginate_waiting_list, waiting_candidates, waiting_matrix
from ateliers.models import Atelier, Inscription
from core.disponibilites import CODES
from core.errors import DomainError
from core.models import Apprenant, Journal
from evaluations.curriculum import current_questionnaire
from evaluations.models import Positionnement
from extensions import db

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0)
MARDI = CODES.index("mar-matin")


@pytest.fixture
def make_candidate(make_candidate):
    """The shared factory, dated from TODAY so waiting times are exact."""

    def factory(**kwargs):
        return make_candidate(today=TODAY, **kwargs)

    return factory


@pytest.fixture
def mediatrice(make_compte):
    return make_compte("mediateur")


@pytest.fixture
def atelier(mediatrice):
    created = groupes.plan_atelier(
        mediatrice, {"intitule": "Mardi matin", "demi_journee": MARDI, "capacite": 4, "taille_min": 3, "ecart_max": 20}
    )
    db.session.commit()
    return created


def test_waiting_list_oldest_first_with_latest_placement(make_candidate, structure):
    recent = make_candidate(score=30, waiting_days=5)
    old = make_candidate(score=50, waiting_days=200)
    db.session.add(
        Positionnement(
            apprenant_id=old.id,
            questionnaire_id=current_questionnaire().id,
            mode="presentiel",
            score=58,
            niveau=1,
            is_brouillon=False,
            completed_at=old.created_at + timedelta(days=1),
        )
    )
    make_candidate(statut="retire")
    db.session.commit()
    page = paginate_waiting_list(structure.id, FiltresAttente(), 1)
    assert [(c.apprenant.id, c.score) for c in page.items] == [(old.id, 58), (recent.id, 30)]
    assert page.items[0].attente_jours(TODAY) == 200
    assert paginate_waiting_list(structure.id, FiltresAttente(statut=None), 1).total == 3


def test_waiting_list_filters(make_candidate, structure):
    make_candidate(niveau=0, score=10, dispo=("lun-matin",))
    wanted = make_candidate(niveau=2, score=70, dispo=("jeu-apm", "mar-matin"))
    by_level = paginate_waiting_list(structure.id, FiltresAttente(niveau=2), 1)
    by_slot = paginate_waiting_list(structure.id, FiltresAttente(demi_journee=CODES.index("jeu-apm")), 1)
    assert [c.apprenant.id for c in by_level.items] == [wanted.id]
    assert [c.apprenant.id for c in by_slot.items] == [wanted.id]


def test_a_page_of_the_waiting_list_knows_the_whole_count(make_candidate, structure, count_queries):
    for days in range(27):
        make_candidate(waiting_days=100 - days)
    make_candidate(statut="retire")
    pages = {}
    for page in (1, 3):
        with count_queries() as statements:
            pages[page] = paginate_waiting_list(structure.id, FiltresAttente(), page, per_page=10)
        # One statement (on PostgreSQL one round trip): the rows and a count that looks up no placement (the
        # niveau is not filtered on), computed once rather than for each row.
        assert len(statements) == 1, statements
        count = statements[0].split("count(*)")[1]
        assert "positionnement" not in count.split(") AS total")[0] and "OVER" not in statements[0]
    first, last = pages[1], pages[3]
    with count_queries() as statements:
        beyond = paginate_waiting_list(structure.id, FiltresAttente(), 4, per_page=10)
    assert len(statements) == 2  # no row to carry the count: counted apart
    assert (first.total, last.total, beyond.total) == (27, 27, 27)
    assert (len(first.items), len(last.items), beyond.items) == (10, 7, [])
    assert (first.pages, first.has_next, last.has_next) == (3, True, False)
    assert paginate_waiting_list(structure.id, FiltresAttente(niveau=2), 1).total == 0
    # Filtered on the niveau, which looks up each learner's latest placement, the rows found are counted as they
    # are (a window count), not by looking every placement up a second time.
    for _ in range(3):
        make_candidate(niveau=2)
    with count_queries() as statements:
        niveau_2 = paginate_waiting_list(structure.id, FiltresAttente(niveau=2), 1, per_page=2)
    assert (niveau_2.total, len(niveau_2.items)) == (3, 2)
    assert len(statements) == 1 and "count(*) OVER ()" in statements[0], statements
    assert paginate_waiting_list(structure.id, FiltresAttente(niveau=2), 2, per_page=2).total == 3
    assert paginate_waiting_list(structure.id, FiltresAttente(niveau=1), 2, per_page=10).total == 27


def test_matrix_counts_waiting_people_by_niveau_and_half_day(make_candidate, structure):
    make_candidate(niveau=0, score=10, dispo=("lun-matin", "mar-matin"))
    make_candidate(niveau=0, score=15, dispo=("mar-matin",))
    make_candidate(niveau=2, score=70, dispo=("mar-matin",))
    make_candidate(niveau=1, score=40, dispo=("mar-matin",), statut="retire")
    matrix = waiting_matrix(structure.id)
    assert matrix[0][CODES.index("lun-matin")] == 1
    assert matrix[0][MARDI] == 2
    assert matrix[2][MARDI] == 1
    assert matrix[1] == [0] * 12


def test_matrix_statement_built_once_serves_each_structure_its_own_counts(make_candidate, structure, make_structure):
    other = make_structure()
    make_candidate(niveau=0, dispo=("mar-matin",))
    for _ in range(3):
        make_candidate(niveau=1, dispo=("lun-matin", "mar-matin"), structure_id=other.id)
    mine, theirs, mine_again = waiting_matrix(structure.id), waiting_matrix(other.id), waiting_matrix(structure.id)
    assert mine == mine_again
    assert (mine[0][MARDI], mine[1][MARDI]) == (1, 0)
    assert (theirs[0][MARDI], theirs[1][MARDI], theirs[1][CODES.index("lun-matin")]) == (0, 3, 3)


def test_the_matrix_counts_each_candidate_at_their_latest_placement_read_by_index(
    make_candidate, make_apprenant, structure
):
    """A placed-again candidate counts once, at their latest niveau; a draft and the unplaced do not count. The
    niveau is looked up per candidate, the placements never joined whole (PostgreSQL hashed them all): in the
    matrix nor in the list filtered by niveau."""
    from ateliers.attente import _waiting_count_statement, _waiting_matrix_statement, _waiting_page_statement

    again = make_candidate(niveau=0, dispo=("mar-matin",))
    first = db.session.scalar(sa.select(Positionnement).where(Positionnement.apprenant_id == again.id))
    db.session.add_all(
        [
            Positionnement(
                apprenant_id=again.id,
                questionnaire_id=current_questionnaire().id,
                mode="telephone",
                reponses={},
                score=45,
                niveau=1,
                is_brouillon=False,
                completed_at=first.completed_at + timedelta(days=1),
            ),
            Positionnement(
                apprenant_id=again.id,
                questionnaire_id=current_questionnaire().id,
                mode="telephone",
                reponses={},
                is_brouillon=True,
            ),
        ]
    )
    make_apprenant(statut="en_attente", en_attente_depuis_on=TODAY, disponibilites=1 << MARDI)  # not placed
    db.session.commit()
    matrix = waiting_matrix(structure.id)
    assert (matrix[0][MARDI], matrix[1][MARDI], matrix[2][MARDI]) == (0, 1, 0)
    filtres = frozenset({"structure_id", "statut", "niveau", "masque"})
    for statement in (_waiting_matrix_statement(), _waiting_page_statement(filtres), _waiting_count_statement(filtres)):
        assert " JOIN positionnement" not in str(statement)
    page = paginate_waiting_list(structure.id, FiltresAttente(niveau=1, demi_journee=MARDI), 1)
    assert [(c.apprenant.id, c.score, c.niveau) for c in page.items] == [(again.id, 45, 1)] and page.total == 1


def test_niveau_3_and_unplaced_people_are_not_grouping_candidates(make_candidate, make_apprenant, structure):
    make_candidate(niveau=3, score=90)
    make_apprenant(statut="en_attente", en_attente_depuis_on=TODAY)  # no placement yet
    kept = make_candidate(niveau=1)
    assert [c.apprenant.id for c in waiting_candidates(structure.id)] == [kept.id]


def test_confirm_enrols_and_takes_places(mediatrice, atelier, make_candidate, structure):
    people = [make_candidate(score=40 + i) for i in range(3)]
    plan = groupes.build_plan(structure.id, [atelier.id], TODAY)
    inscriptions = groupes.confirm_groups(mediatrice, plan, {atelier.id: [p.id for p in people]}, False, TODAY, now=NOW)
    db.session.commit()
    assert len(inscriptions) == 3
    db.session.refresh(atelier)
    assert atelier.places_prises == 3
    statuts = set(db.session.scalars(sa.select(Apprenant.statut).where(Apprenant.id.in_([p.id for p in people]))))
    assert statuts == {"inscrit"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal)) == 3


def test_confirm_refuses_availability_and_capacity(mediatrice, atelier, make_candidate, structure):
    away = make_candidate(dispo=("ven-matin",))
    plan = groupes.build_plan(structure.id, [atelier.id], TODAY)
    with pytest.raises(DomainError, match="pas disponible"):
        groupes.confirm_groups(mediatrice, plan, {atelier.id: [away.id]}, True, TODAY, now=NOW)
    people = [make_candidate(score=40) for _ in range(5)]
    plan = groupes.build_plan(structure.id, [atelier.id], TODAY)
    with pytest.raises(DomainError, match="Capacité dépassée"):
        groupes.confirm_groups(mediatrice, plan, {atelier.id: [p.id for p in people]}, True, TODAY, now=NOW)


def test_spread_and_minimum_are_warnings_the_mediator_may_accept(mediatrice, atelier, make_candidate, structure):
    low, high = make_candidate(score=10), make_candidate(score=60)
    plan = groupes.build_plan(structure.id, [atelier.id], TODAY)
    with pytest.raises(groupes.WarningsNotAccepted) as refused:
        groupes.confirm_groups(mediatrice, plan, {atelier.id: [low.id, high.id]}, False, TODAY, now=NOW)
    assert any("Écart de niveau de 50 points" in w for w in refused.value.warnings)
    assert any("Groupe trop petit" in w for w in refused.value.warnings)
    db.session.rollback()
    groupes.confirm_groups(mediatrice, plan, {atelier.id: [low.id, high.id]}, True, TODAY, now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inscription)) == 2


def test_the_workshops_own_spread_is_the_rule_and_confirming_keeps_it(mediatrice, make_candidate, structure):
    wide = groupes.plan_atelier(
        mediatrice, {"intitule": "Large", "demi_journee": MARDI, "capacite": 4, "taille_min": 3, "ecart_max": 30}
    )
    people = [make_candidate(score=s) for s in (40, 55, 65)]  # a range of 25: within 30
    plan = groupes.build_plan(structure.id, [wide.id], TODAY)
    assert plan.prevus[0].ecart_max == 30
    groupes.confirm_groups(mediatrice, plan, {wide.id: [p.id for p in people]}, False, TODAY, now=NOW)
    db.session.commit()
    db.session.refresh(wide)
    assert (wide.places_prises, wide.ecart_max) == (3, 30)


def test_stale_proposal_writes_nothing(mediatrice, atelier, make_candidate, structure):
    people = [make_candidate(score=40) for _ in range(3)]
    plan = groupes.build_plan(structure.id, [atelier.id], TODAY)
    # meanwhile, someone else enrolled the third person elsewhere
    people[2].statut = "inscrit"
    db.session.commit()
    with pytest.raises(groupes.StaleProposal):
        groupes.confirm_groups(mediatrice, plan, {atelier.id: [p.id for p in people]}, False, TODAY, now=NOW)
    db.session.rollback()
    db.session.refresh(atelier)
    assert atelier.places_prises == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inscription)) == 0
    assert {
        p.statut for p in db.session.scalars(sa.select(Apprenant).where(Apprenant.id.in_([p.id for p in people[:2]])))
    } == {"en_attente"}


def test_database_refuses_more_places_than_capacity(atelier):
    atelier.places_prises = atelier.capacite + 1
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_confirmations_never_exceed_capacity(app, mediatrice, atelier, make_candidate, structure):
    """Two mediators confirm two different groups of three into the same 4-place workshop at the same time."""
    first = [make_candidate(score=40).id for _ in range(3)]
    second = [make_candidate(score=41).id for _ in range(3)]
    plans = [groupes.build_plan(structure.id, [atelier.id], TODAY) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm(plan, ids):
        with app.app_context():
            compte = db.session.get(type(mediatrice), mediatrice.id)
            barrier.wait()
            try:
                groupes.confirm_groups(compte, plan, {atelier.id: ids}, False, TODAY, now=NOW)
                db.session.commit()
                outcomes.append("ok")
            except groupes.StaleProposal:
                db.session.rollback()
                outcomes.append("stale")
            finally:
                db.session.remove()

    jobs = zip(plans, (first, second), strict=True)
    threads = [threading.Thread(target=confirm, args=(plan, ids)) for plan, ids in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale"]
    db.session.expire_all()
    assert db.session.get(Atelier, atelier.id).places_prises == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inscription)) == 3


def test_change_waiting_status(mediatrice, make_candidate):
    person = make_candidate(waiting_days=100)
    services.change_waiting_status(mediatrice, person, "retire", TODAY)
    assert person.statut == "retire"
    services.change_waiting_status(mediatrice, person, "en_attente", TODAY)
    assert (person.statut, person.en_attente_depuis_on) == ("en_attente", TODAY)
    enrolled = make_candidate(statut="inscrit")
    with pytest.raises(DomainError, match="inscrite"):
        services.change_waiting_status(mediatrice, enrolled, "retire", TODAY)
