"""The follow-up call to a person: it covers every alert open then, takes the person off the "À rappeler" list
until something new happens or the day of the next call; abandon closes the inscription and frees its place."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import rappels
from ateliers.models import Alerte, Atelier, Suivi
from ateliers.presences import Saisie, enregistrer_presences
from ateliers.progression import progression
from ateliers.suivis import enregistrer_suivi
from core.errors import DomainError
from extensions import db
from tests.ateliers_fixtures import inscription_of, make_atelier

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


def test_a_call_covers_every_open_alert_and_takes_the_person_off_the_list(mediatrice, alertes, structure):
    inscription = alertes[0].inscription
    assert rappels.nombre_a_rappeler(structure.id, TODAY) == 1
    (ligne,) = rappels.liste_a_rappeler(structure.id, TODAY).a_rappeler
    assert [a.regle for a in ligne.alertes] == ["absences_consecutives", "absence_debut"]  # most severe first

    suivi = enregistrer_suivi(mediatrice, inscription, TODAY, "joint", "famille", "revient", TODAY, now=NOW)
    db.session.commit()

    assert {a.traitee_par_suivi_id for a in alertes} == {suivi.id}
    assert all(a.resolved_at is None for a in alertes)  # the facts stay: the call only answers them
    assert inscription.statut == "inscrit" and suivi.motif == "famille"
    assert rappels.nombre_a_rappeler(structure.id, TODAY) == 0
    liste = rappels.liste_a_rappeler(structure.id, TODAY)
    assert liste.a_rappeler == [] and liste.rappels_prevus == []
    assert [s.id for s in rappels.suivis_of(inscription.apprenant_id)] == [suivi.id]


def test_a_call_that_reached_the_person_is_their_last_contact(mediatrice, alertes):
    inscription = alertes[0].inscription
    apprenant = inscription.apprenant
    apprenant.last_contact_on = date(2026, 3, 1)
    db.session.commit()

    enregistrer_suivi(
        mediatrice,
        inscription,
        date(2026, 4, 10),
        "message_laisse",
        None,
        "rappeler",
        TODAY,
        now=NOW,
        rappel_on=date(2026, 4, 17),
    )
    db.session.commit()
    assert apprenant.last_contact_on == date(2026, 3, 1)  # a message left is not a contact

    enregistrer_suivi(mediatrice, inscription, date(2026, 4, 13), "joint", None, "revient", TODAY, now=NOW)
    db.session.commit()
    assert apprenant.last_contact_on == date(2026, 4, 13)

    # A call keyed in late, dated before a later contact, does not move the last contact back.
    enregistrer_suivi(mediatrice, inscription, date(2026, 4, 12), "joint", None, "revient", TODAY, now=NOW)
    db.session.commit()
    db.session.refresh(apprenant)
    assert apprenant.last_contact_on == date(2026, 4, 13)


def test_an_alert_raised_after_the_call_brings_the_person_back_with_every_reason(mediatrice, alertes, structure):
    inscription = alertes[0].inscription
    enregistrer_suivi(mediatrice, inscription, TODAY, "joint", None, "revient", TODAY, now=NOW)
    db.session.commit()
    nouvelle = Alerte(
        inscription_id=inscription.id, regle="absence_non_excusee", niveau_risque="a_rappeler", seance_numero=3
    )
    nouvelle.message = "Absence sans excuse à la séance 3"
    db.session.add(nouvelle)
    db.session.commit()

    (ligne,) = rappels.liste_a_rappeler(structure.id, TODAY).a_rappeler
    assert [a.regle for a in ligne.alertes] == ["absences_consecutives", "absence_debut", "absence_non_excusee"]
    assert [a.id for a in ligne.nouvelles] == [nouvelle.id]
    assert ligne.dernier_suivi.suite == "revient"
    assert rappels.nombre_a_rappeler(structure.id, TODAY) == 1


def test_a_next_call_planned_keeps_the_person_under_rappel_prevu_until_that_day(mediatrice, alertes, structure):
    inscription = alertes[0].inscription
    suivi = enregistrer_suivi(
        mediatrice, inscription, TODAY, "message_laisse", None, "rappeler", TODAY, now=NOW, rappel_on=date(2026, 4, 17)
    )
    db.session.commit()
    assert suivi.rappel_on == date(2026, 4, 17)

    for jour, a_rappeler, prevus in ((TODAY, 0, 1), (date(2026, 4, 16), 0, 1), (date(2026, 4, 17), 1, 0)):
        liste = rappels.liste_a_rappeler(inscription.atelier.structure_id, jour)
        assert (len(liste.a_rappeler), len(liste.rappels_prevus)) == (a_rappeler, prevus), jour
        assert rappels.nombre_a_rappeler(structure.id, jour) == a_rappeler


def test_resolved_then_raised_again_is_something_new(mediatrice, atelier):
    martin = inscription_of(atelier, "Martin")
    presents = {"Bernard": Saisie("present")}
    enregistrer_presences(
        mediatrice,
        atelier,
        atelier.seances[0],
        {martin.id: Saisie("absent"), inscription_of(atelier, "Bernard").id: presents["Bernard"]},
        TODAY,
    )
    db.session.commit()
    enregistrer_suivi(mediatrice, martin, TODAY, "joint", None, "revient", TODAY, now=NOW)
    db.session.commit()
    assert rappels.nombre_a_rappeler(atelier.structure_id, TODAY) == 0

    def noter(statut):
        enregistrer_presences(
            mediatrice,
            atelier,
            atelier.seances[0],
            {martin.id: Saisie(statut), inscription_of(atelier, "Bernard").id: presents["Bernard"]},
            TODAY,
        )
        db.session.commit()

    noter("present")  # a mistake corrected: the alerts are resolved
    noter("absent")  # and raised again: a new fact, the person is back
    assert rappels.nombre_a_rappeler(atelier.structure_id, TODAY) == 1


def test_abandon_closes_the_inscription_frees_the_place_and_resolves_alerts(mediatrice, alertes, structure):
    inscription = alertes[0].inscription
    enregistrer_suivi(mediatrice, inscription, TODAY, "joint", "emploi", "abandon", TODAY, now=NOW)
    db.session.commit()
    assert (inscription.statut, inscription.motif_sortie, inscription.ended_at) == ("abandon", "emploi", NOW)
    assert db.session.get(Atelier, inscription.atelier_id).places_prises == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alerte).where(Alerte.resolved_at.is_(None))) == 0
    assert rappels.liste_a_rappeler(structure.id, TODAY).a_rappeler == []


def test_history_alerts_are_not_calls_to_make(mediatrice, alertes, structure):
    for alerte in alertes:
        alerte.is_historique = True
    db.session.commit()
    assert rappels.nombre_a_rappeler(structure.id, TODAY) == 0
    assert rappels.liste_a_rappeler(structure.id, TODAY).a_rappeler == []
    vue = progression(alertes[0].inscription)
    assert (vue.alertes, len(vue.historiques)) == ([], 2)
    assert rappels.alertes_du_jour(alertes[0].inscription_id) == []


def test_the_progress_page_reads_todays_and_past_alerts_in_one_query(mediatrice, alertes, count_queries):
    alertes[0].is_historique = True
    db.session.commit()
    inscription = alertes[0].inscription
    progression(inscription)  # the first reading of the curriculum is cached for the process
    with count_queries() as statements:
        vue = progression(inscription)
    assert (vue.alertes, vue.historiques) == ([alertes[1]], [alertes[0]])
    assert len(statements) == 1


@pytest.mark.parametrize(
    ("appel_on", "resultat", "motif", "suite", "rappel_on", "field"),
    [
        (date(2026, 4, 15), "joint", None, "revient", None, "appel_on"),
        (TODAY, "perdu", None, "revient", None, "resultat"),
        (TODAY, "joint", "maladie grave", "revient", None, "motif"),
        (TODAY, "joint", None, "abandon", None, "motif"),
        (TODAY, "joint", None, "partir", None, "suite"),
        (TODAY, "injoignable", None, "revient", None, "suite"),
        (TODAY, "injoignable", None, "rappeler", None, "rappel_on"),
        (TODAY, "injoignable", None, "rappeler", TODAY, "rappel_on"),
        (TODAY, "joint", None, "revient", date(2026, 4, 20), "rappel_on"),
    ],
)
def test_refusals(mediatrice, alertes, appel_on, resultat, motif, suite, rappel_on, field):
    with pytest.raises(DomainError) as refused:
        enregistrer_suivi(
            mediatrice, alertes[0].inscription, appel_on, resultat, motif, suite, TODAY, now=NOW, rappel_on=rappel_on
        )
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suivi)) == 0
