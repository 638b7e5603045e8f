"""The daily alert sweep: alerts true each morning in every structure's own day, idempotent, one workshop's
failure not stopping the others, journaled with counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import alertes_quotidiennes, rappels
from ateliers.alertes_quotidiennes import recalculer_alertes_du_jour
from ateliers.models import Alerte
from ateliers.presences import Saisie, enregistrer_presences
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import ids

EVE = date(2026, 3, 29)  # Sunday; séance 1 is on Monday 30 March 2026, 9:00 Paris
JUST_AFTER_PARIS_MIDNIGHT = datetime(2026, 3, 29, 22, 5)  # 00:05 on 30 March in Paris (summer time)


def open_alerts(atelier) -> set[tuple[str, int, str]]:
    rows = db.session.execute(
        sa.select(Alerte.regle, Alerte.seance_numero, Alerte.message).where(
            Alerte.inscription_id.in_(ids(atelier).values()), Alerte.resolved_at.is_(None)
        )
    )
    return set(rows.all())


def absence_saved_on_the_eve(mediatrice, atelier) -> None:
    inscrits = ids(atelier)
    enregistrer_presences(
        mediatrice,
        atelier,
        atelier.seances[0],
        {inscrits["Martin"]: Saisie("absent"), inscrits["Bernard"]: Saisie("present")},
        EVE,
    )
    db.session.commit()


def sweep_journal() -> list[Journal]:
    return list(db.session.scalars(sa.select(Journal).where(Journal.objet == "alerte", Journal.compte_id.is_(None))))


def test_an_absence_saved_on_the_eve_raises_its_alert_on_the_seance_day_after_the_sweep(mediatrice, atelier):
    absence_saved_on_the_eve(mediatrice, atelier)
    assert open_alerts(atelier) == set()  # on the eve, séance 1 has not taken place
    assert rappels.nombre_a_rappeler(atelier.structure_id, date(2026, 3, 30)) == 0

    bilan = recalculer_alertes_du_jour(JUST_AFTER_PARIS_MIDNIGHT)

    assert {(regle, seance) for regle, seance, _message in open_alerts(atelier)} == {
        ("absence_non_excusee", 1),
        ("absence_debut", 1),
    }
    assert (bilan.ateliers, bilan.ouvertes, bilan.resolues, bilan.echecs) == (1, 2, 0, [])
    assert rappels.nombre_a_rappeler(atelier.structure_id, date(2026, 3, 30)) == 1
    (entry,) = sweep_journal()
    assert entry.structure_id == atelier.structure_id
    assert entry.details == (
        "recalcul quotidien du 2026-03-30 : 1 atelier recalculé, 2 alertes ouvertes, 0 alerte résolue"
    )
    assert "Martin" not in entry.details and "Josiane" not in entry.details


def test_running_the_sweep_twice_has_the_effect_of_once(mediatrice, atelier):
    absence_saved_on_the_eve(mediatrice, atelier)
    recalculer_alertes_du_jour(JUST_AFTER_PARIS_MIDNIGHT)
    db.session.expire_all()
    after_once = open_alerts(atelier)
    ids_once = set(db.session.scalars(sa.select(Alerte.id)))

    bilan = recalculer_alertes_du_jour(datetime(2026, 3, 30, 6, 5))  # the next hourly run, same Paris day

    assert (bilan.ateliers, bilan.ouvertes, bilan.resolues) == (0, 0, 0)
    db.session.expire_all()
    assert open_alerts(atelier) == after_once and set(db.session.scalars(sa.select(Alerte.id))) == ids_once
    assert len(sweep_journal()) == 1


def test_resaving_unchanged_attendance_on_the_day_recomputes_the_alerts(mediatrice, atelier):
    absence_saved_on_the_eve(mediatrice, atelier)
    inscrits = ids(atelier)
    changed = enregistrer_presences(
        mediatrice,
        atelier,
        atelier.seances[0],
        {inscrits["Martin"]: Saisie("absent"), inscrits["Bernard"]: Saisie("present")},
        date(2026, 3, 30),
    )
    db.session.commit()
    assert changed == []
    assert ("absence_non_excusee", 1) in {(regle, seance) for regle, seance, _ in open_alerts(atelier)}
    assert atelier.alertes_calculees_on == date(2026, 3, 30)
    # Already computed for the day by the save: the sweep has nothing to do.
    assert recalculer_alertes_du_jour(JUST_AFTER_PARIS_MIDNIGHT).ateliers == 0


def test_each_structure_gets_its_new_day_at_its_own_midnight(mediatrice, atelier):
    absence_saved_on_the_eve(mediatrice, atelier)
    reunion_midnight = datetime(2026, 3, 29, 20, 5)  # 00:05 Monday in La Réunion (UTC+4), 22:05 Sunday in Paris

    # In Paris it is still Sunday: computed on the eve by the save, nothing to do.
    assert recalculer_alertes_du_jour(reunion_midnight).ateliers == 0
    assert open_alerts(atelier) == set()

    atelier.structure.fuseau_horaire = "Indian/Reunion"
    db.session.commit()
    assert recalculer_alertes_du_jour(reunion_midnight).ateliers == 1
    assert atelier.alertes_calculees_on == date(2026, 3, 30)
    assert ("absence_non_excusee", 1) in {(regle, seance) for regle, seance, _ in open_alerts(atelier)}


def test_one_workshop_failing_does_not_stop_the_others(mediatrice, atelier, make_planned, monkeypatch, caplog):
    autre = make_planned()
    real = alertes_quotidiennes.recalculer_atelier

    def flaky(target, today):
        if target.id == atelier.id:
            raise RuntimeError("disque plein")
        return real(target, today)

    monkeypatch.setattr(alertes_quotidiennes, "recalculer_atelier", flaky)
    bilan = recalculer_alertes_du_jour(JUST_AFTER_PARIS_MIDNIGHT)

    assert bilan.echecs == [atelier.id] and bilan.ateliers == 1
    db.session.expire_all()
    assert autre.alertes_calculees_on == date(2026, 3, 30)
    assert atelier.alertes_calculees_on is None  # rolled back, retried by the next run
    assert f"workshop {atelier.id} failed" in caplog.text
    (entry,) = sweep_journal()
    assert entry.details.endswith("1 atelier en échec")

    monkeypatch.setattr(alertes_quotidiennes, "recalculer_atelier", real)
    assert recalculer_alertes_du_jour(datetime(2026, 3, 29, 23, 5)).ateliers == 1


@pytest.mark.parametrize("statut", ["termine", "annule", "projet"])
def test_closed_or_unplanned_workshops_are_left_alone(mediatrice, atelier, statut):
    atelier.statut = statut
    db.session.commit()
    assert recalculer_alertes_du_jour(JUST_AFTER_PARIS_MIDNIGHT).ateliers == 0
