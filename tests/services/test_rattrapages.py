"""Catch-ups of a missed module: planning, refusals, done (alerts resolved), cancelling, the read queries."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from ateliers.models import Fermeture, Rattrapage
from ateliers.presences import Saisie
from ateliers.queries import modules_rattrapes
from ateliers.rattrapages import (
    annuler_rattrapage,
    jour_prevu,
    marquer_fait,
    modules_manques,
    planifier_rattrapage,
    rattrapages_of,
)
from ateliers.suivis import abandonner
from ateliers.verrou import AtelierClos
from core.errors import DomainError
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import inscription_of
from tests.services.test_presences import AFTER_SEANCE_2, open_alerts, save

AFTERNOON = time(14, 0)


@pytest.fixture
def atelier(atelier, mediatrice):
    """Séances 1 (30 March) and 2 (13 April 2026) held: Martin absent at both, Bernard present."""
    save(mediatrice, atelier, 1, Martin=Saisie("absent"), Bernard=Saisie("present"))
    save(mediatrice, atelier, 2, Martin=Saisie("absent"), Bernard=Saisie("present"))
    return atelier


@pytest.fixture
def martin(atelier):
    return inscription_of(atelier, "Martin")


def module_id(atelier, numero: int) -> int:
    return atelier.seances[numero - 1].module_id


def plan(mediatrice, martin, atelier, numero=1, jour=AFTER_SEANCE_2, heure=AFTERNOON) -> Rattrapage:
    rattrapage = planifier_rattrapage(mediatrice, martin, module_id(atelier, numero), jour, heure, AFTER_SEANCE_2)
    db.session.commit()
    return rattrapage


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_planning_stores_the_paris_time_in_utc_and_journals_it(mediatrice, atelier, martin):
    rattrapage = plan(mediatrice, martin, atelier, jour=date(2026, 4, 16))
    # 14 h 00 in Paris on 16 April 2026 (summer time) is 12:00 UTC.
    assert rattrapage.prevu_at == datetime(2026, 4, 16, 12, 0)
    assert (rattrapage.seance_id, rattrapage.fait_on, rattrapage.compte_id) == (
        atelier.seances[0].id,
        None,
        mediatrice.id,
    )
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "rattrapage"))
    assert (entry.action, entry.objet_id) == ("creation", rattrapage.id)
    assert "module 1" in entry.details and "16 avril 2026" in entry.details


def test_planning_the_same_module_again_moves_the_planned_date(mediatrice, atelier, martin):
    first = plan(mediatrice, martin, atelier, jour=date(2026, 4, 16))
    again = plan(mediatrice, martin, atelier, jour=date(2026, 4, 20), heure=time(9, 30))
    assert again.id == first.id and count(Rattrapage) == 1
    assert again.prevu_at == datetime(2026, 4, 20, 7, 30)
    actions = db.session.scalars(sa.select(Journal.action).where(Journal.objet == "rattrapage").order_by(Journal.id))
    assert list(actions) == ["creation", "modification"]


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("module d'un autre atelier", "module"),
        ("module suivi", "module"),
        ("date passée", "jour"),
        ("déjà fait", "module"),
        ("inscription close", None),
    ],
)
def test_refusals(mediatrice, atelier, martin, case, field):
    inscription, numero, jour = martin, 1, AFTER_SEANCE_2
    autre_module = None
    if case == "module d'un autre atelier":
        autre_module = -1
    elif case == "module suivi":
        inscription = inscription_of(atelier, "Bernard")
    elif case == "date passée":
        jour = date(2026, 4, 13)
    elif case == "déjà fait":
        marquer_fait(mediatrice, plan(mediatrice, martin, atelier), AFTER_SEANCE_2, AFTER_SEANCE_2)
        db.session.commit()
    elif case == "inscription close":
        abandonner(mediatrice, martin, "transport", datetime(2026, 4, 14, 8))
        db.session.commit()
    before = count(Rattrapage)
    with pytest.raises(DomainError) as refused:
        planifier_rattrapage(
            mediatrice, inscription, autre_module or module_id(atelier, numero), jour, AFTERNOON, AFTER_SEANCE_2
        )
    assert refused.value.field == field
    assert refused.value.message
    db.session.rollback()
    assert count(Rattrapage) == before


def test_a_catch_up_on_may_day_is_refused_with_the_reason(mediatrice, atelier, martin):
    with pytest.raises(DomainError) as refused:
        planifier_rattrapage(mediatrice, martin, module_id(atelier, 1), date(2026, 5, 1), AFTERNOON, AFTER_SEANCE_2)
    assert refused.value.field == "jour"
    assert refused.value.message == (
        "Impossible de prévoir le rattrapage : vendredi 1er mai 2026 est férié (Fête du Travail)."
    )
    db.session.rollback()
    assert count(Rattrapage) == 0


def test_a_catch_up_goes_through_the_structures_closures_and_worked_holidays(mediatrice, atelier, martin):
    pentecote = date(2026, 5, 25)
    with pytest.raises(DomainError, match=r"lundi 25 mai 2026 est férié \(Lundi de Pentecôte\)"):
        plan(mediatrice, martin, atelier, jour=pentecote)
    db.session.rollback()
    db.session.add(Fermeture(structure_id=atelier.structure_id, debut_on=date(2026, 4, 20), fin_on=date(2026, 4, 24)))
    atelier.structure.feries_travailles = ["lundi_pentecote"]
    db.session.commit()

    with pytest.raises(DomainError, match="la structure est fermée du lundi 20 avril 2026 au vendredi 24 avril 2026"):
        plan(mediatrice, martin, atelier, jour=date(2026, 4, 22))
    db.session.rollback()
    assert plan(mediatrice, martin, atelier, jour=pentecote).prevu_at == datetime(2026, 5, 25, 12, 0)


def test_a_catch_up_is_at_the_structures_own_hour(mediatrice, atelier, martin):
    atelier.structure.subdivision_feries, atelier.structure.fuseau_horaire = "974", "Indian/Reunion"
    db.session.commit()

    rattrapage = plan(mediatrice, martin, atelier, jour=date(2026, 4, 16))

    assert rattrapage.prevu_at == datetime(2026, 4, 16, 10, 0)  # 14:00 in La Réunion (UTC+4)
    assert jour_prevu(rattrapage) == date(2026, 4, 16)


def test_a_locked_workshop_refuses_every_change(mediatrice, atelier, martin):
    rattrapage = plan(mediatrice, martin, atelier)
    atelier.is_locked = True
    db.session.commit()
    with pytest.raises(AtelierClos):
        planifier_rattrapage(mediatrice, martin, module_id(atelier, 2), AFTER_SEANCE_2, AFTERNOON, AFTER_SEANCE_2)
    with pytest.raises(AtelierClos):
        marquer_fait(mediatrice, rattrapage, AFTER_SEANCE_2, AFTER_SEANCE_2)
    with pytest.raises(AtelierClos):
        annuler_rattrapage(mediatrice, rattrapage)
    db.session.rollback()
    assert db.session.get(Rattrapage, rattrapage.id).fait_on is None


def test_done_resolves_the_alerts_of_that_absence_and_ends_the_run_of_absences(mediatrice, atelier, martin):
    assert open_alerts(martin) == {
        ("absence_non_excusee", 1),
        ("absence_non_excusee", 2),
        ("absence_debut", 1),
        ("absences_consecutives", 2),
    }
    rattrapage = plan(mediatrice, martin, atelier)
    assert len(open_alerts(martin)) == 4  # a planned catch-up is not enough

    marquer_fait(mediatrice, rattrapage, AFTER_SEANCE_2, AFTER_SEANCE_2)
    db.session.commit()
    assert rattrapage.fait_on == AFTER_SEANCE_2
    # Séance 1 caught up: its unexcused absence no longer asks for a call, and the run of absences is broken;
    # the absence at séance 2 (also a critical one) still does.
    assert open_alerts(martin) == {("absence_non_excusee", 2), ("absence_debut", 2)}
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "rattrapage").order_by(Journal.id.desc()))
    assert entry.action == "modification" and "fait le mardi 14 avril 2026" in entry.details


@pytest.mark.parametrize(
    ("fait_on", "message"),
    [(date(2026, 4, 15), "futur"), (date(2026, 4, 13), "avant le jour prévu")],
)
def test_done_refusals(mediatrice, atelier, martin, fait_on, message):
    rattrapage = plan(mediatrice, martin, atelier)
    with pytest.raises(DomainError) as refused:
        marquer_fait(mediatrice, rattrapage, fait_on, AFTER_SEANCE_2)
    assert refused.value.field == "fait_on" and message in refused.value.message
    db.session.rollback()
    assert db.session.get(Rattrapage, rattrapage.id).fait_on is None


def test_a_planned_catch_up_can_be_cancelled_a_done_one_cannot(mediatrice, atelier, martin):
    planned = plan(mediatrice, martin, atelier, numero=2, jour=date(2026, 4, 20))
    annuler_rattrapage(mediatrice, planned)
    db.session.commit()
    assert count(Rattrapage) == 0
    done = plan(mediatrice, martin, atelier)
    marquer_fait(mediatrice, done, AFTER_SEANCE_2, AFTER_SEANCE_2)
    db.session.commit()
    with pytest.raises(DomainError):
        annuler_rattrapage(mediatrice, done)
    db.session.rollback()
    assert count(Rattrapage) == 1


def test_modules_rattrapes_holds_only_done_catch_ups_in_one_query(mediatrice, atelier, martin, count_queries):
    bernard = inscription_of(atelier, "Bernard")
    marquer_fait(mediatrice, plan(mediatrice, martin, atelier), AFTER_SEANCE_2, AFTER_SEANCE_2)
    plan(mediatrice, martin, atelier, numero=2, jour=date(2026, 4, 20))
    db.session.commit()
    with count_queries() as queries:
        rattrapes = modules_rattrapes([martin.id, bernard.id])
    assert rattrapes == {martin.id: {module_id(atelier, 1)}}
    assert len(queries) == 1
    assert modules_rattrapes([]) == {}


def test_read_queries_list_missed_modules_and_catch_ups(mediatrice, atelier, martin):
    plan(mediatrice, martin, atelier, numero=2, jour=date(2026, 4, 20))
    [rattrapage] = rattrapages_of(martin.id)
    assert rattrapage.module.numero == 2
    lignes = modules_manques(martin)
    assert [(ligne.seance.numero, ligne.statut) for ligne in lignes] == [(1, "absent"), (2, "absent")]
    assert [ligne.rattrapage for ligne in lignes] == [None, rattrapage]
    assert modules_manques(inscription_of(atelier, "Bernard")) == []
