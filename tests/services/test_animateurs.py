"""After planning: changing who co-runs a séance, and deleting a closure of the structure."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ateliers import queries, services
from ateliers.models import Atelier, Fermeture
from ateliers.queries import ateliers_of
from ateliers.verrou import AtelierClos
from core.errors import DomainError
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import START, TODAY, make_atelier
from tests.services.test_planification import EXPECTED_DAYS, days


@pytest.fixture
def planned(structure, make_apprenant, mediatrice, benevole):
    """Six Monday séances from START (Easter Monday skipped), each co-run by the mediator and the volunteer."""
    atelier = make_atelier(structure, [make_apprenant(), make_apprenant()])
    services.planifier_atelier(mediatrice, atelier, START, "", [mediatrice.id, benevole.id], TODAY)
    db.session.commit()
    return atelier


def animateurs(atelier: Atelier) -> dict[int, set[int]]:
    """Séance number -> ids of its animateurs."""
    return {s.numero: {c.id for c in s.animateurs} for s in atelier.seances}


def journal_details(objet: str, objet_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Journal.details)
            .where(Journal.objet == objet, Journal.objet_id == objet_id, Journal.action == "modification")
            .order_by(Journal.id)
        )
    )


def test_changing_one_seance_leaves_the_others(planned, mediatrice, benevole, remplacante):
    changees = services.changer_animateurs(mediatrice, planned, 3, [mediatrice.id, remplacante.id], False, TODAY)
    db.session.commit()

    assert [s.numero for s in changees] == [3]
    both = {mediatrice.id, benevole.id}
    assert animateurs(planned) == {1: both, 2: both, 3: {mediatrice.id, remplacante.id}, 4: both, 5: both, 6: both}
    assert journal_details("atelier", planned.id)[-1].startswith("animateurs de la séance 3 : comptes ")


def test_the_workshop_animateurs_are_the_union_of_the_seances(planned, mediatrice, benevole, remplacante):
    services.changer_animateurs(mediatrice, planned, 3, [remplacante.id], False, TODAY)
    db.session.commit()
    assert {c.id for c in planned.animateurs} == {mediatrice.id, benevole.id, remplacante.id}

    services.changer_animateurs(mediatrice, planned, 1, [remplacante.id], True, TODAY)
    db.session.commit()
    assert {c.id for c in db.session.get(Atelier, planned.id).animateurs} == {remplacante.id}


def test_applying_to_the_following_seances(planned, mediatrice, benevole, remplacante):
    changees = services.changer_animateurs(mediatrice, planned, 4, [remplacante.id], True, TODAY)
    db.session.commit()

    assert [s.numero for s in changees] == [4, 5, 6]
    both = {mediatrice.id, benevole.id}
    new = {remplacante.id}
    assert animateurs(planned) == {1: both, 2: both, 3: both, 4: new, 5: new, 6: new}
    assert days(planned)[0] == EXPECTED_DAYS[0]  # nothing moved


def test_the_change_is_journaled_with_account_ids_not_names(planned, mediatrice, remplacante):
    services.changer_animateurs(mediatrice, planned, 2, [remplacante.id, mediatrice.id, remplacante.id], True, TODAY)
    db.session.commit()

    ids = ", ".join(str(i) for i in sorted({mediatrice.id, remplacante.id}))
    assert journal_details("atelier", planned.id)[-1] == f"animateurs de la séance 2 et des suivantes : comptes {ids}"
    assert "Vidal" not in journal_details("atelier", planned.id)[-1]


@pytest.fixture
def other_structure_mediator(make_compte, make_structure):
    return make_compte("mediateur", structure=make_structure())


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "Au moins un animateur par séance."),
        ("unknown", "Choisissez des animateurs de la structure"),
        ("other_structure", "Choisissez des animateurs de la structure"),
        ("direction", "Choisissez des animateurs de la structure"),
        ("inactive", "Choisissez des animateurs de la structure"),
    ],
)
def test_refusals_change_nothing(planned, mediatrice, make_compte, other_structure_mediator, who, message):
    before = animateurs(planned)
    ids = {
        "nobody": [],
        "unknown": [mediatrice.id, 999_999],
        "other_structure": [other_structure_mediator.id],
        "direction": [make_compte("direction").id],
        "inactive": [make_compte("benevole", is_active=False).id],
    }[who]
    with pytest.raises(DomainError, match=message) as refused:
        services.changer_animateurs(mediatrice, planned, 2, ids, True, TODAY)
    assert refused.value.field == "animateurs"
    db.session.rollback()
    assert animateurs(db.session.get(Atelier, planned.id)) == before
    assert journal_details("atelier", planned.id) == ["planification à partir du 2026-03-30"]


def test_an_unknown_seance_is_refused(structure, make_apprenant, mediatrice):
    projet = make_atelier(structure, [make_apprenant()])
    with pytest.raises(DomainError, match="pas de séance 1") as refused:
        services.changer_animateurs(mediatrice, projet, 1, [mediatrice.id], False, TODAY)
    assert refused.value.field == "animateurs"


def test_a_past_seance_may_be_corrected_while_the_workshop_is_open(planned, mediatrice, remplacante):
    after_first_seances = date(2026, 4, 15)
    services.changer_animateurs(mediatrice, planned, 1, [remplacante.id], False, after_first_seances)
    db.session.commit()
    assert animateurs(planned)[1] == {remplacante.id}
    assert journal_details("atelier", planned.id)[-1].endswith("(séance passée corrigée)")


def test_a_locked_workshop_refuses_any_change(planned, mediatrice, remplacante):
    planned.statut, planned.is_locked = "termine", True
    db.session.commit()
    before = animateurs(planned)
    with pytest.raises(AtelierClos):
        services.changer_animateurs(mediatrice, planned, 6, [remplacante.id], False, TODAY)
    db.session.rollback()
    assert animateurs(db.session.get(Atelier, planned.id)) == before


def test_a_volunteer_newly_assigned_sees_the_workshop(planned, mediatrice, structure, remplacante):
    assert planned not in ateliers_of(structure.id, remplacante.id)
    services.changer_animateurs(mediatrice, planned, 5, [mediatrice.id, remplacante.id], False, TODAY)
    db.session.commit()
    assert [a.id for a in ateliers_of(structure.id, remplacante.id)] == [planned.id]


def test_a_volunteer_taken_off_every_seance_no_longer_sees_the_workshop(planned, mediatrice, structure, benevole):
    services.changer_animateurs(mediatrice, planned, 1, [mediatrice.id], True, TODAY)
    db.session.commit()
    assert ateliers_of(structure.id, benevole.id) == []


# --- Deleting a closure ---------------------------------------------------------------------------------------


def test_deleting_a_closure_leaves_the_planned_seances_where_they_are(structure, make_apprenant, mediatrice):
    fermeture = services.ajouter_fermeture(mediatrice, date(2026, 4, 20), date(2026, 4, 24), "Travaux", TODAY)
    atelier = make_atelier(structure, [make_apprenant()])
    services.planifier_atelier(mediatrice, atelier, START, "", [mediatrice.id], TODAY)
    db.session.commit()
    before = days(atelier)
    assert date(2026, 4, 20) not in before

    services.supprimer_fermeture(mediatrice, fermeture)
    db.session.commit()

    assert db.session.get(Fermeture, fermeture.id) is None
    assert queries.ouverture_de(structure).fermetures == ()
    assert days(db.session.get(Atelier, atelier.id)) == before
    assert journal_details("fermeture", fermeture.id) == ["fermeture du 2026-04-20 au 2026-04-24 supprimée"]


def test_deleting_a_one_day_closure_is_journaled_with_its_day(mediatrice):
    fermeture = services.ajouter_fermeture(mediatrice, date(2026, 5, 4), None, "Élections", TODAY)
    services.supprimer_fermeture(mediatrice, fermeture)
    db.session.commit()
    assert journal_details("fermeture", fermeture.id) == ["fermeture du 2026-05-04 supprimée"]


def test_another_structures_closure_is_refused(mediatrice, other_structure_mediator):
    fermeture = services.ajouter_fermeture(other_structure_mediator, date(2026, 5, 4), None, "", TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="votre structure"):
        services.supprimer_fermeture(mediatrice, fermeture)
    db.session.rollback()
    assert db.session.get(Fermeture, fermeture.id) is not None
