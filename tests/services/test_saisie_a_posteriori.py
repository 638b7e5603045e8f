"""Paper first (issue 9, item 3): a workshop keyed in after its first séances were held on paper.

The group was put into the app on Wednesday 15 April 2026 (NOW); planned from START (Monday 30 March), its
séances 1 (30 March) and 2 (13 April, Easter Monday skipped) are already past.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from ateliers import competences, queries, rattrapages, services
from ateliers.models import Atelier, Fermeture, Inscription
from ateliers.presences import Saisie, enregistrer_presences, inscrits_de_seance
from core.errors import DomainError
from core.models import Journal
from evaluations.models import EvaluationCompetence
from extensions import db
from tests.ateliers_fixtures import START, make_atelier

NOW = datetime(2026, 4, 15, 8, 0)
TODAY = NOW.date()
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def sur_papier(structure, make_apprenant):
    """Josiane Martin and Marcel Bernard, whose group was recorded today, at NOW."""
    membres = [make_apprenant(prenom="Josiane", nom="Martin"), make_apprenant(prenom="Marcel", nom="Bernard")]
    return make_atelier(structure, membres, joined_at=NOW)


def jours(atelier) -> list[date]:
    return [s.jour for s in atelier.seances]


def test_a_past_start_needs_the_confirmation_and_nothing_is_written_without_it(sur_papier, mediatrice):
    with pytest.raises(DomainError) as refused:
        services.planifier_atelier(mediatrice, sur_papier, START, "Salle 2", [mediatrice.id], TODAY)
    assert refused.value.field == "debut"
    assert "Le lundi 30 mars 2026 est passé" in refused.value.message
    assert "cochez « Saisie a posteriori »" in refused.value.message
    db.session.rollback()
    assert db.session.get(Atelier, sur_papier.id).seances == []


def test_planning_a_posteriori_dates_the_past_seances_and_keeps_the_members_on_them(sur_papier, mediatrice):
    created_at = sur_papier.created_at
    services.planifier_atelier(mediatrice, sur_papier, START, "Salle 2", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()

    atelier = db.session.get(Atelier, sur_papier.id)
    assert jours(atelier)[:2] == [date(2026, 3, 30), date(2026, 4, 13)]
    assert atelier.created_at == created_at  # the moment the workshop was put into the app, unchanged
    for seance in atelier.seances:
        assert {i.apprenant.nom for i in inscrits_de_seance(atelier, seance)} == {"Martin", "Bernard"}
    # Taken as enrolled from the start of séance 1's day (midnight in Paris, summer time: 22:00 UTC the eve).
    assert {i.joined_at for i in atelier.inscriptions} == {datetime(2026, 3, 29, 22, 0)}
    journal = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "atelier")).all()
    assert "planification à partir du 2026-03-30 (saisie a posteriori)" in journal


def test_attendance_and_skills_of_the_past_seances_can_then_be_keyed_in(sur_papier, mediatrice):
    services.planifier_atelier(mediatrice, sur_papier, START, "", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()
    atelier = db.session.get(Atelier, sur_papier.id)
    par_nom = {i.apprenant.nom: i.id for i in atelier.inscriptions}
    for seance in atelier.seances[:2]:
        saisies = {par_nom["Martin"]: Saisie("present"), par_nom["Bernard"]: Saisie("absent")}
        assert len(enregistrer_presences(mediatrice, atelier, seance, saisies, TODAY)) == 2
    m11 = next(c.id for c in competences.grille(atelier, atelier.seances[0]).competences if c.code == "M1.1")
    competences.enregistrer_competences(
        mediatrice, atelier, atelier.seances[0], {par_nom["Martin"]: {m11: "acquis"}}, TODAY
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 1
    assert db.session.get(Inscription, par_nom["Martin"]).minutes_suivies == 2 * 180


def test_no_more_than_three_months_back_even_confirmed(sur_papier, mediatrice):
    with pytest.raises(DomainError, match="trop loin dans le passé") as refused:
        services.planifier_atelier(
            mediatrice, sur_papier, date(2026, 1, 5), "", [mediatrice.id], TODAY, a_posteriori=True
        )
    assert "mardi 13 janvier 2026" in refused.value.message  # the earliest day allowed, 92 days back


@pytest.fixture
def planifie(sur_papier, mediatrice):
    """The workshop planned from Monday 20 April (séance 1 still to come); its members were recorded at NOW."""
    services.planifier_atelier(mediatrice, sur_papier, date(2026, 4, 20), "", [mediatrice.id], TODAY)
    db.session.commit()
    return db.session.get(Atelier, sur_papier.id)


def test_moving_a_seance_into_the_past_needs_the_confirmation(planifie, mediatrice):
    with pytest.raises(DomainError, match="est passé") as refused:
        services.deplacer_seance(mediatrice, planifie, 1, date(2026, 4, 7), False, TODAY)
    assert refused.value.field == "jour"
    db.session.rollback()

    services.deplacer_seance(mediatrice, planifie, 1, date(2026, 4, 7), False, TODAY, a_posteriori=True)
    db.session.commit()
    atelier = db.session.get(Atelier, planifie.id)
    assert jours(atelier)[0] == date(2026, 4, 7)
    assert {i.apprenant.nom for i in inscrits_de_seance(atelier, atelier.seances[0])} == {"Martin", "Bernard"}


def test_a_seance_is_never_moved_onto_a_closed_day_even_in_the_past(planifie, mediatrice):
    with pytest.raises(DomainError, match=r"lundi 6 avril 2026 est férié \(Lundi de Pâques\)"):
        services.deplacer_seance(mediatrice, planifie, 1, date(2026, 4, 6), False, TODAY, a_posteriori=True)


def test_a_seance_already_held_is_not_moved(sur_papier, mediatrice):
    services.planifier_atelier(mediatrice, sur_papier, START, "", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()
    with pytest.raises(DomainError, match="La séance 2 a déjà eu lieu, le lundi 13 avril 2026"):
        services.deplacer_seance(mediatrice, sur_papier, 2, date(2026, 4, 14), False, TODAY, a_posteriori=True)


def test_each_seances_state_is_read_in_two_queries(sur_papier, mediatrice, count_queries, make_apprenant):
    services.planifier_atelier(mediatrice, sur_papier, START, "", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()
    atelier = db.session.get(Atelier, sur_papier.id)
    par_nom = {i.apprenant.nom: i.id for i in atelier.inscriptions}
    saisies = {par_nom["Martin"]: Saisie("present"), par_nom["Bernard"]: Saisie("absent_excuse")}
    enregistrer_presences(mediatrice, atelier, atelier.seances[0], saisies, TODAY)
    m11 = next(c.id for c in competences.grille(atelier, atelier.seances[0]).competences if c.code == "M1.1")
    competences.enregistrer_competences(
        mediatrice, atelier, atelier.seances[0], {par_nom["Martin"]: {m11: "acquis"}}, TODAY
    )
    db.session.commit()
    atelier = queries.atelier_detail(atelier.structure_id, atelier.id)
    queries.etats_seances(atelier, list(atelier.seances))  # the curriculum, read once per application
    with count_queries() as statements:
        etats = queries.etats_seances(atelier, list(atelier.seances))
    assert len(statements) == 1
    premiere, deuxieme = (etats[s.id] for s in atelier.seances[:2])
    assert (premiere.attendus, premiere.notes, premiere.absents) == (2, 2, (par_nom["Bernard"],))
    assert (premiere.a_juger, premiere.juges, premiere.rattrapages_a_prevoir) == (1, 1, 1)
    assert premiere.presences_prises and premiere.competences_notees
    assert (deuxieme.notes, deuxieme.presences_prises) == (0, False)

    # The workshop page reads the same states and the structure's closures (soonest first) in one statement.
    for debut, motif in ((date(2026, 8, 3), "Été"), (date(2026, 4, 20), "Travaux"), (date(2026, 12, 24), "")):
        db.session.add(Fermeture(structure_id=atelier.structure_id, debut_on=debut, fin_on=debut, motif=motif))
    db.session.commit()
    atelier = queries.atelier_detail(atelier.structure_id, atelier.id)
    with count_queries() as statements:
        etats_page, ouverture = queries.etats_et_ouverture(atelier, list(atelier.seances))
    assert len(statements) == 1
    assert etats_page == queries.etats_seances(atelier, list(atelier.seances))
    assert ouverture == queries.ouverture_de(atelier.structure)
    assert [(f.debut, f.motif) for f in ouverture.fermetures] == [
        (date(2026, 4, 20), "Travaux"),
        (date(2026, 8, 3), "Été"),
        (date(2026, 12, 24), ""),
    ]
    assert queries.etats_et_ouverture(atelier, []) == ({}, dataclasses.replace(ouverture, fermetures=()))


def test_a_catch_up_held_on_paper_is_planned_in_the_past_then_marked_done(sur_papier, mediatrice):
    services.planifier_atelier(mediatrice, sur_papier, START, "", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()
    atelier = db.session.get(Atelier, sur_papier.id)
    bernard = next(i for i in atelier.inscriptions if i.apprenant.nom == "Bernard")
    saisies = {i.id: Saisie("absent" if i is bernard else "present") for i in atelier.inscriptions}
    enregistrer_presences(mediatrice, atelier, atelier.seances[0], saisies, TODAY)
    db.session.commit()
    module = atelier.seances[0].module_id
    with pytest.raises(DomainError, match="Si ce rattrapage a déjà eu lieu sur papier") as refused:
        rattrapages.planifier_rattrapage(mediatrice, bernard, module, date(2026, 4, 8), time(14), TODAY)
    assert refused.value.field == "jour"
    db.session.rollback()

    rattrapage = rattrapages.planifier_rattrapage(
        mediatrice, bernard, module, date(2026, 4, 8), time(14), TODAY, a_posteriori=True
    )
    rattrapages.marquer_fait(mediatrice, rattrapage, date(2026, 4, 8), TODAY)
    db.session.commit()
    assert competences.empechements(atelier, atelier.seances[0], [bernard]) == {}


def test_a_seance_of_this_morning_is_held_once_it_has_started(sur_papier, mediatrice):
    services.planifier_atelier(mediatrice, sur_papier, START, "", [mediatrice.id], TODAY, a_posteriori=True)
    db.session.commit()
    troisieme = sur_papier.seances[2]
    assert troisieme.jour == date(2026, 4, 20)
    with pytest.raises(DomainError, match="La séance 3 a déjà eu lieu"):
        services.deplacer_seance(
            mediatrice, sur_papier, 3, date(2026, 4, 21), False, troisieme.jour, now=troisieme.starts_at
        )
    db.session.rollback()
    avant = troisieme.starts_at.replace(hour=troisieme.starts_at.hour - 1)
    services.deplacer_seance(mediatrice, sur_papier, 3, date(2026, 4, 21), False, troisieme.jour, now=avant)
    db.session.commit()
    assert jours(db.session.get(Atelier, sur_papier.id))[2] == date(2026, 4, 21)
