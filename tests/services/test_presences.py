"""Attendance of one séance: upsert, minutes attended, late joiners, dropout alerts synced."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers.models import Alerte, Inscription, Presence
from ateliers.presences import PresencesRefusees, Saisie, enregistrer_presences, inscrits_de_seance
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import inscription_of

AFTER_SEANCE_2 = date(2026, 4, 14)  # séances on 30 March and 13 April 2026


def save(mediatrice, atelier, numero, today=AFTER_SEANCE_2, **saisies):
    seance = atelier.seances[numero - 1]
    data = {inscription_of(atelier, nom).id: saisie for nom, saisie in saisies.items()}
    changed = enregistrer_presences(mediatrice, atelier, seance, data, today)
    db.session.commit()
    return changed


def open_alerts(inscription) -> set[tuple[str, int]]:
    rows = db.session.scalars(
        sa.select(Alerte).where(Alerte.inscription_id == inscription.id, Alerte.resolved_at.is_(None))
    )
    return {(a.regle, a.seance_numero) for a in rows}


def test_saving_upserts_one_row_per_learner_and_totals_minutes(atelier, mediatrice):
    save(mediatrice, atelier, 1, Martin=Saisie("present"), Bernard=Saisie("retard", "09:30", "11:45"))
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    assert martin.minutes_suivies == 180
    assert bernard.minutes_suivies == 135
    # 9 h 30 Paris on 30 March 2026 is 7:30 UTC.
    presence = db.session.scalar(sa.select(Presence).where(Presence.inscription_id == bernard.id))
    assert presence.arrival_at == datetime(2026, 3, 30, 7, 30)

    changed = save(mediatrice, atelier, 1, Martin=Saisie("absent_excuse"), Bernard=Saisie("retard", "09:30", "11:45"))
    assert [i.id for i in changed] == [martin.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 2
    assert martin.minutes_suivies == 0
    save(mediatrice, atelier, 2, Martin=Saisie("present", "", "11:00"), Bernard=Saisie("present"))
    assert martin.minutes_suivies == 120
    assert bernard.minutes_suivies == 135 + 180
    entries = db.session.scalars(
        sa.select(Journal).where(Journal.action == "modification", Journal.objet == "inscription")
    )
    assert len(list(entries)) == 5


def test_refusals_write_nothing(atelier, mediatrice):
    seance = atelier.seances[0]
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    with pytest.raises(PresencesRefusees) as refused:
        enregistrer_presences(
            mediatrice,
            atelier,
            seance,
            {martin.id: Saisie("present", "08:30", ""), bernard.id: Saisie("present", "11:00", "10:00")},
            AFTER_SEANCE_2,
        )
    assert set(refused.value.erreurs) == {f"arrivee-{martin.id}", f"depart-{bernard.id}"}
    assert "pendant la séance" in refused.value.erreurs[f"arrivee-{martin.id}"]
    with pytest.raises(PresencesRefusees) as refused:
        enregistrer_presences(mediatrice, atelier, seance, {martin.id: Saisie("present")}, AFTER_SEANCE_2)
    assert set(refused.value.erreurs) == {f"statut-{bernard.id}"}
    with pytest.raises(PresencesRefusees) as refused:
        enregistrer_presences(mediatrice, atelier, atelier.seances[2], {martin.id: Saisie("present")}, AFTER_SEANCE_2)
    assert "plus d'un jour" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 0


def test_the_day_before_is_accepted(atelier, mediatrice):
    save(mediatrice, atelier, 1, today=date(2026, 3, 29), Martin=Saisie("present"), Bernard=Saisie("present"))
    assert inscription_of(atelier, "Martin").minutes_suivies == 180


def test_late_joiner_is_not_listed_for_earlier_seances(atelier, make_apprenant):
    late = Inscription(
        atelier_id=atelier.id, apprenant_id=make_apprenant(nom="Tardif").id, joined_at=datetime(2026, 4, 1, 9)
    )
    db.session.add(late)
    db.session.commit()
    db.session.refresh(atelier)
    assert late not in inscrits_de_seance(atelier, atelier.seances[0])
    assert late in inscrits_de_seance(atelier, atelier.seances[1])


def test_alerts_created_then_resolved_when_the_absence_is_corrected(atelier, mediatrice):
    martin = inscription_of(atelier, "Martin")
    save(mediatrice, atelier, 1, Martin=Saisie("absent"), Bernard=Saisie("present"))
    assert open_alerts(martin) == {("absence_non_excusee", 1), ("absence_debut", 1)}
    assert open_alerts(inscription_of(atelier, "Bernard")) == set()

    save(mediatrice, atelier, 1, Martin=Saisie("present"), Bernard=Saisie("present"))
    assert open_alerts(martin) == set()
    resolved = db.session.scalars(sa.select(Alerte).where(Alerte.inscription_id == martin.id)).all()
    assert len(resolved) == 2 and all(a.resolved_at is not None for a in resolved)

    save(mediatrice, atelier, 1, Martin=Saisie("absent"), Bernard=Saisie("present"))  # holds again: reopened
    assert open_alerts(martin) == {("absence_non_excusee", 1), ("absence_debut", 1)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alerte)) == 2


def test_two_absences_in_a_row_raise_absences_consecutives(atelier, mediatrice):
    martin = inscription_of(atelier, "Martin")
    save(mediatrice, atelier, 1, Martin=Saisie("absent_excuse"), Bernard=Saisie("present"))
    assert "absences_consecutives" not in {regle for regle, _ in open_alerts(martin)}
    save(mediatrice, atelier, 2, Martin=Saisie("absent"), Bernard=Saisie("present"))
    alerts = open_alerts(martin)
    assert ("absences_consecutives", 2) in alerts
    alerte = db.session.scalar(
        sa.select(Alerte).where(Alerte.inscription_id == martin.id, Alerte.regle == "absences_consecutives")
    )
    assert alerte.niveau_risque == "abandon_probable"
    assert "2 absences de suite" in alerte.message
