"""Per-structure dropout thresholds: stored, journaled, and the running workshops' alerts recomputed."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from ateliers import services
from ateliers import seuils as seuils_service
from ateliers.dropout import Seuils
from ateliers.models import Inscription
from ateliers.presences import Saisie
from core.errors import DomainError
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import JOINED_AT, START, TODAY, inscription_of, make_atelier
from tests.services.test_presences import AFTER_SEANCE_2, open_alerts, save

# Séance 1 is no longer critical; the attendance rate is checked from the second séance held.
PLUS_TARDIFS = Seuils(seances_critiques=(2,), taux_apres_seance=2)


def planned(structure, mediatrice, apprenants, intitule="Atelier du lundi matin"):
    atelier = make_atelier(structure, apprenants, intitule=intitule)
    services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id], TODAY)
    db.session.commit()
    return atelier


@pytest.fixture
def atelier(structure, make_apprenant, mediatrice):
    """Martin excused at séance 1 then present; Bernard present twice."""
    atelier = planned(structure, mediatrice, [make_apprenant(nom="Martin"), make_apprenant(nom="Bernard")])
    save(mediatrice, atelier, 1, Martin=Saisie("absent_excuse"), Bernard=Saisie("present"))
    save(mediatrice, atelier, 2, Martin=Saisie("present"), Bernard=Saisie("present"))
    return atelier


def test_thresholds_are_stored_as_json_and_journaled(atelier, mediatrice, structure):
    seuils_service.modifier_seuils(mediatrice, structure, PLUS_TARDIFS, AFTER_SEANCE_2)
    db.session.commit()
    db.session.expire_all()

    assert structure.seuils_decrochage == PLUS_TARDIFS.to_dict()
    assert structure.seuils_decrochage["seances_critiques"] == [2]
    assert Seuils.from_dict(structure.seuils_decrochage) == PLUS_TARDIFS
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "structure"))
    assert (entry.action, entry.objet_id, entry.compte_id) == ("modification", structure.id, mediatrice.id)
    assert entry.details == "seuils d'alerte : séances critiques 1+2 → 2; taux après séance 3 → 2"


def test_alerts_that_no_longer_hold_are_resolved_and_new_ones_opened(atelier, mediatrice, structure):
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    assert open_alerts(martin) == {("absence_debut", 1)}

    seuils_service.modifier_seuils(mediatrice, structure, PLUS_TARDIFS, AFTER_SEANCE_2)
    db.session.commit()
    assert open_alerts(martin) == {("assiduite_faible", 0)}  # 1 séance of 2
    assert open_alerts(bernard) == set()

    seuils_service.modifier_seuils(mediatrice, structure, Seuils(), AFTER_SEANCE_2)
    db.session.commit()
    assert open_alerts(martin) == {("absence_debut", 1)}
    details = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "structure")).all()
    assert details[-1] == "seuils d'alerte : séances critiques 2 → 1+2; taux après séance 2 → 3"


def test_locked_workshops_and_closed_inscriptions_keep_their_alerts(atelier, mediatrice, structure, make_apprenant):
    clos = planned(structure, mediatrice, [make_apprenant(nom="Durand")], intitule="Atelier clos")
    save(mediatrice, clos, 1, Durand=Saisie("absent"))
    clos.is_locked = True
    martin = inscription_of(atelier, "Martin")
    martin.statut, martin.ended_at = "abandon", datetime(2026, 4, 14, 8)
    db.session.commit()
    before_durand, before_martin = open_alerts(inscription_of(clos, "Durand")), open_alerts(martin)

    seuils_service.modifier_seuils(mediatrice, structure, Seuils(toute_absence_non_excusee=False), AFTER_SEANCE_2)
    db.session.commit()

    assert before_durand == {("absence_non_excusee", 1), ("absence_debut", 1)}
    assert before_martin == {("absence_debut", 1)}
    assert open_alerts(inscription_of(clos, "Durand")) == before_durand
    assert open_alerts(martin) == before_martin


def test_unplanned_workshops_are_skipped_and_the_queries_do_not_grow_with_learners(
    atelier, mediatrice, structure, make_apprenant, count_queries
):
    make_atelier(structure, [make_apprenant()], intitule="Atelier sans séances")
    # Neither threshold changes an alert here: the same statements, whatever the number of learners.
    with count_queries() as few:
        seuils_service.modifier_seuils(mediatrice, structure, Seuils(absences_consecutives=3), AFTER_SEANCE_2)
    db.session.commit()
    for _ in range(3):
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=make_apprenant().id, joined_at=JOINED_AT))
    db.session.commit()
    with count_queries() as more:
        seuils_service.modifier_seuils(mediatrice, structure, Seuils(absences_consecutives=4), AFTER_SEANCE_2)
    assert len(more) == len(few)


def test_another_structure_is_refused(atelier, mediatrice, make_structure):
    autre = make_structure()
    with pytest.raises(DomainError):
        seuils_service.modifier_seuils(mediatrice, autre, PLUS_TARDIFS, AFTER_SEANCE_2)
    assert autre.seuils_decrochage is None
