"""Planning a workshop from a confirmed group: six séances, refusals, moves, closures and animateurs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ateliers import services
from ateliers.models import Atelier, Fermeture
from core.errors import DomainError
from core.models import Journal
from core.timeutil import PARIS, to_local
from extensions import db
from tests.ateliers_fixtures import START, TODAY, make_atelier

# START is Monday 30 March 2026; Easter Monday is 6 April, the structure is closed the week of 20 April.
EXPECTED_DAYS = [date(2026, 3, 30), date(2026, 4, 13), date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 11)]


@pytest.fixture
def atelier(structure, make_apprenant):
    return make_atelier(structure, [make_apprenant(), make_apprenant()])


@pytest.fixture
def closed_week(structure):
    db.session.add(
        Fermeture(structure_id=structure.id, debut_on=date(2026, 4, 20), fin_on=date(2026, 4, 24), motif="Travaux")
    )
    db.session.commit()


def days(atelier) -> list[date]:
    return [seance.jour for seance in atelier.seances]


def test_planning_creates_six_seances_skipping_a_holiday_and_a_closure(atelier, closed_week, make_compte):
    mediatrice, benevole = make_compte("mediateur"), make_compte("benevole")
    seances = services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id, benevole.id], TODAY)
    db.session.commit()

    assert [s.numero for s in seances] == [1, 2, 3, 4, 5, 6]
    assert days(atelier) == [*EXPECTED_DAYS, date(2026, 5, 18)]
    assert [s.module.numero for s in atelier.seances] == [1, 2, 3, 4, 5, 6]
    # 9 h 00 - 12 h 00 Paris is 7:00 - 10:00 UTC in summer time (30 March 2026 is after the change).
    assert atelier.seances[0].starts_at == datetime(2026, 3, 30, 7, 0)
    assert atelier.seances[0].ends_at == datetime(2026, 3, 30, 10, 0)
    assert atelier.statut == "planifie"
    assert atelier.start_on == START
    assert atelier.lieu == "Salle 2"
    assert {c.id for c in atelier.animateurs} == {mediatrice.id, benevole.id}
    assert all({c.id for c in s.animateurs} == {mediatrice.id, benevole.id} for s in atelier.seances)
    assert db.session.query(Journal).filter_by(objet="atelier", objet_id=atelier.id).count() == 1


def test_planning_refuses_a_start_in_the_past(atelier, make_compte):
    with pytest.raises(DomainError) as refused:
        services.planifier_atelier(make_compte(), atelier, date(2026, 2, 2), "", [], TODAY)
    assert refused.value.field == "debut"
    assert "passé" in refused.value.message
    assert atelier.seances == []


def test_planning_refuses_a_workshop_without_members(structure, make_compte):
    empty = make_atelier(structure)
    with pytest.raises(DomainError, match="aucun membre") as refused:
        services.planifier_atelier(make_compte(), empty, START, "", [], TODAY)
    assert refused.value.field == "debut"


def test_planning_refuses_an_already_planned_workshop(atelier, make_compte):
    mediatrice = make_compte()
    services.planifier_atelier(mediatrice, atelier, START, "", [], TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="déjà planifié"):
        services.planifier_atelier(mediatrice, atelier, date(2026, 6, 1), "", [], TODAY)


def test_planning_refuses_animateurs_of_another_structure_or_role(atelier, make_compte, make_structure):
    other = make_compte("mediateur", structure=make_structure())
    direction = make_compte("direction")
    for compte in (other, direction):
        with pytest.raises(DomainError) as refused:
            services.planifier_atelier(make_compte(), atelier, START, "", [compte.id], TODAY)
        assert refused.value.field == "animateurs"


@pytest.fixture
def planned(atelier, closed_week, make_compte):
    services.planifier_atelier(make_compte(), atelier, START, "", [], TODAY)
    db.session.commit()
    return atelier


def test_moving_a_seance_keeps_the_others(planned, make_compte):
    services.deplacer_seance(make_compte(), planned, 2, date(2026, 4, 14), False, TODAY)
    db.session.commit()
    assert days(planned) == [date(2026, 3, 30), date(2026, 4, 14), *EXPECTED_DAYS[2:], date(2026, 5, 18)]
    assert to_local(planned.seances[1].starts_at, PARIS).hour == 9


def test_moving_a_seance_with_shift_replans_the_following_ones(planned, make_compte):
    services.deplacer_seance(make_compte(), planned, 2, date(2026, 4, 15), True, TODAY)
    db.session.commit()
    # Wednesdays from 15 April, the closed week of 20 April skipped.
    assert days(planned) == [
        date(2026, 3, 30),
        date(2026, 4, 15),
        date(2026, 4, 29),
        date(2026, 5, 6),
        date(2026, 5, 13),
        date(2026, 5, 20),
    ]


def test_moving_the_first_seance_moves_the_start_date(planned, make_compte):
    services.deplacer_seance(make_compte(), planned, 1, date(2026, 3, 31), False, TODAY)
    assert planned.start_on == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("numero", "jour", "decaler", "message"),
    [
        (2, date(2026, 4, 6), False, r"lundi 6 avril 2026 est férié \(Lundi de Pâques\)"),
        (2, date(2026, 4, 21), True, r"fermée du lundi 20 avril 2026 au vendredi 24 avril 2026 \(Travaux\)"),
        (3, date(2026, 4, 1), False, "après la séance 2"),
        (2, date(2026, 4, 28), False, "avant la séance 3"),
        (2, date(2026, 2, 20), False, "passé"),
    ],
)
def test_moving_a_seance_is_refused_and_changes_nothing(planned, make_compte, numero, jour, decaler, message):
    before = days(planned)
    with pytest.raises(DomainError, match=message) as refused:
        services.deplacer_seance(make_compte(), planned, numero, jour, decaler, TODAY)
    assert refused.value.field == "jour"
    db.session.rollback()
    assert days(db.session.get(Atelier, planned.id)) == before


def test_a_closure_added_later_is_reported_as_a_conflict(planned, make_compte):
    from ateliers import planning, queries

    mediatrice = make_compte()
    services.ajouter_fermeture(mediatrice, date(2026, 5, 4), None, "Élections", TODAY)
    db.session.commit()
    ouverture = queries.ouverture_de(planned.structure)
    warnings = planning.conflits([services.seance_planifiee(s, ouverture.zone) for s in planned.seances], ouverture)
    assert warnings == ["La séance 4 est à déplacer : la structure est fermée le lundi 4 mai 2026 (Élections)."]


def test_a_closure_is_refused_when_it_ends_before_it_starts_or_is_over(make_compte):
    mediatrice = make_compte()
    with pytest.raises(DomainError) as refused:
        services.ajouter_fermeture(mediatrice, date(2026, 5, 4), date(2026, 5, 1), "", TODAY)
    assert refused.value.field == "fin_on"
    with pytest.raises(DomainError, match="passée"):
        services.ajouter_fermeture(mediatrice, date(2026, 1, 4), None, "", TODAY)
