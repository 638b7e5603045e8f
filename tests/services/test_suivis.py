"""The follow-up call after an alert; abandon closes the inscription and frees its place."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers.models import Alerte, Atelier, Suivi
from ateliers.suivis import enregistrer_suivi
from core.errors import DomainError
from extensions import db
from tests.ateliers_fixtures import make_atelier

TODAY = date(2026, 4, 14)
NOW = datetime(2026, 4, 14, 14, 0)  # 16:00 Paris


@pytest.fixture
def alertes(structure, make_apprenant):
    atelier = make_atelier(structure, [make_apprenant(), make_apprenant()])
    inscription = atelier.inscriptions[0]
    rows = [
        Alerte(inscription_id=inscription.id, regle=regle, niveau_risque=risque, seance_numero=2, message=regle)
        for regle, risque in (("absences_consecutives", "abandon_probable"), ("absence_debut", "risque"))
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_a_call_is_recorded_and_the_alert_stays_open(mediatrice, alertes):
    suivi = enregistrer_suivi(mediatrice, alertes[0], TODAY, "joint", "transport", "revient", TODAY, now=NOW)
    db.session.commit()
    assert suivi.alerte_id == alertes[0].id and suivi.motif == "transport"
    assert alertes[0].resolved_at is None
    assert alertes[0].inscription.statut == "inscrit"


def test_abandon_closes_the_inscription_frees_the_place_and_resolves_alerts(mediatrice, alertes):
    inscription = alertes[0].inscription
    enregistrer_suivi(mediatrice, alertes[0], TODAY, "joint", "emploi", "abandon", TODAY, now=NOW)
    db.session.commit()
    assert (inscription.statut, inscription.motif_sortie, inscription.ended_at) == ("abandon", "emploi", NOW)
    assert db.session.get(Atelier, inscription.atelier_id).places_prises == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alerte).where(Alerte.resolved_at.is_(None))) == 0


@pytest.mark.parametrize(
    ("appel_on", "resultat", "motif", "suite", "field"),
    [
        (date(2026, 4, 15), "joint", None, "revient", "appel_on"),
        (TODAY, "perdu", None, "revient", "resultat"),
        (TODAY, "joint", "maladie grave", "revient", "motif"),
        (TODAY, "joint", None, "abandon", "motif"),
        (TODAY, "joint", None, "partir", "suite"),
    ],
)
def test_refusals(mediatrice, alertes, appel_on, resultat, motif, suite, field):
    with pytest.raises(DomainError) as refused:
        enregistrer_suivi(mediatrice, alertes[0], appel_on, resultat, motif, suite, TODAY, now=NOW)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suivi)) == 0
