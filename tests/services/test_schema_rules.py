"""Rules the database itself enforces: uniqueness, foreign keys and checks, on SQLite and PostgreSQL."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers.models import Atelier, Inscription, Presence, Seance
from core.models import Apprenant
from evaluations.curriculum import modules_of_version
from evaluations.models import EvaluationCompetence, Positionnement
from extensions import db


@pytest.fixture
def atelier(structure):
    row = Atelier(structure_id=structure.id, intitule="Débutants – mardi matin", demi_journee=2)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def seance(atelier):
    module = modules_of_version(1)[0]
    row = Seance(
        atelier_id=atelier.id,
        numero=1,
        module_id=module.id,
        starts_at=datetime(2026, 3, 3, 8),
        ends_at=datetime(2026, 3, 3, 11),
    )
    db.session.add(row)
    db.session.commit()
    return row


LEFT_AT = datetime(2026, 3, 10, 14)


@pytest.fixture
def inscription(atelier, make_apprenant):
    row = Inscription(atelier_id=atelier.id, apprenant_id=make_apprenant().id, joined_at=datetime(2026, 2, 20, 9))
    db.session.add(row)
    db.session.commit()
    return row


def refused(*rows):
    db.session.add_all(rows)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_defaults_of_a_workshop(atelier):
    assert (atelier.capacite, atelier.taille_min, atelier.statut, atelier.curriculum_version) == (4, 3, "projet", 1)


@pytest.mark.parametrize(
    "values",
    [{"capacite": 0}, {"capacite": 4, "taille_min": 5}, {"demi_journee": 12}, {"statut": "ferme"}, {"niveau_cible": 4}],
)
def test_workshop_checks(structure, values):
    refused(Atelier(structure_id=structure.id, intitule="x", **{"demi_journee": 0, **values}))


def test_one_inscription_per_learner_and_workshop(inscription):
    refused(
        Inscription(
            atelier_id=inscription.atelier_id, apprenant_id=inscription.apprenant_id, joined_at=datetime(2026, 2, 20, 9)
        )
    )


def test_leaving_reason_only_for_abandon_and_only_a_code(inscription):
    inscription.motif_sortie = "transport"
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    inscription.statut, inscription.motif_sortie, inscription.ended_at = "abandon", "dépression", LEFT_AT
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    inscription.statut, inscription.motif_sortie, inscription.ended_at = "abandon", "sante", LEFT_AT
    db.session.commit()


@pytest.mark.parametrize(
    ("statut", "ended_at"),
    [
        ("abandon", None),
        ("termine", None),
        ("inscrit", LEFT_AT),
        ("termine", datetime(2026, 2, 20, 8, 59)),  # before joining
    ],
)
def test_a_closed_inscription_has_an_end_not_before_joining_and_a_running_one_none(inscription, statut, ended_at):
    inscription.statut, inscription.ended_at = statut, ended_at
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    inscription.statut, inscription.ended_at = "termine", inscription.joined_at
    db.session.commit()


def test_one_presence_per_learner_and_seance(seance, inscription):
    db.session.add(Presence(seance_id=seance.id, inscription_id=inscription.id, statut="present", minutes=180))
    db.session.commit()
    refused(Presence(seance_id=seance.id, inscription_id=inscription.id, statut="absent"))


def test_presence_checks(seance, inscription):
    refused(Presence(seance_id=seance.id, inscription_id=inscription.id, statut="malade"))
    refused(
        Presence(
            seance_id=seance.id,
            inscription_id=inscription.id,
            statut="present",
            arrival_at=datetime(2026, 3, 3, 10),
            departure_at=datetime(2026, 3, 3, 9),
        )
    )


def test_one_seance_per_number_and_ends_after_start(seance):
    refused(
        Seance(
            atelier_id=seance.atelier_id,
            numero=1,
            module_id=seance.module_id,
            starts_at=datetime(2026, 3, 10, 8),
            ends_at=datetime(2026, 3, 10, 11),
        )
    )
    refused(
        Seance(
            atelier_id=seance.atelier_id,
            numero=2,
            module_id=seance.module_id,
            starts_at=datetime(2026, 3, 10, 8),
            ends_at=datetime(2026, 3, 10, 8),
        )
    )


def test_one_judgement_per_inscription_and_skill(inscription):
    competence = modules_of_version(1)[0].competences[0]
    db.session.add(EvaluationCompetence(inscription_id=inscription.id, competence_id=competence.id, resultat="acquis"))
    db.session.commit()
    refused(EvaluationCompetence(inscription_id=inscription.id, competence_id=competence.id, resultat="avec_aide"))
    refused(EvaluationCompetence(inscription_id=inscription.id, competence_id=competence.id + 1, resultat="bien"))


def test_completed_placement_needs_score_and_niveau(make_apprenant):
    from evaluations.curriculum import current_questionnaire

    apprenant = make_apprenant()
    questionnaire = current_questionnaire()
    db.session.add(Positionnement(apprenant_id=apprenant.id, questionnaire_id=questionnaire.id, mode="telephone"))
    db.session.commit()  # a draft without score is fine
    refused(
        Positionnement(
            apprenant_id=apprenant.id, questionnaire_id=questionnaire.id, mode="telephone", is_brouillon=False
        )
    )
    refused(
        Positionnement(
            apprenant_id=apprenant.id,
            questionnaire_id=questionnaire.id,
            mode="telephone",
            is_brouillon=False,
            score=120,
            niveau=2,
        )
    )


def test_foreign_keys_are_enforced(structure):
    refused(Apprenant(structure_id=structure.id + 999, prenom="A", nom="B", nom_recherche="b a"))


@pytest.mark.parametrize(
    "values", [{"canal_prefere": "pigeon"}, {"tranche_age": "90_plus"}, {"disponibilites": 1 << 12}]
)
def test_learner_checks(structure, values):
    refused(Apprenant(structure_id=structure.id, prenom="A", nom="B", **values))


def test_one_alert_per_inscription_rule_and_seance(inscription):
    from ateliers.models import Alerte

    def alerte(**values):
        defaults = {
            "inscription_id": inscription.id,
            "regle": "absence_non_excusee",
            "niveau_risque": "a_rappeler",
            "seance_numero": 2,
            "message": "Absence sans excuse à la séance 2",
        }
        return Alerte(**{**defaults, **values})

    db.session.add(alerte())
    db.session.commit()
    refused(alerte())
    refused(alerte(seance_numero=7))
    db.session.add(alerte(seance_numero=3))
    db.session.commit()


def test_a_follow_up_ending_in_abandon_needs_a_reason_code(inscription):
    from ateliers.models import Suivi

    values = {"inscription_id": inscription.id, "appel_on": date(2026, 3, 11), "resultat": "joint"}
    refused(Suivi(**values, suite="abandon"))
    refused(Suivi(**values, suite="revient", motif="dépression"))
    db.session.add(Suivi(**values, suite="abandon", motif="transport"))
    db.session.commit()


def test_closure_periods_end_after_they_start(structure):
    from ateliers.models import Fermeture

    refused(Fermeture(structure_id=structure.id, debut_on=date(2026, 12, 31), fin_on=date(2026, 12, 20)))
    db.session.add(Fermeture(structure_id=structure.id, debut_on=date(2026, 12, 20), fin_on=date(2027, 1, 3)))
    db.session.commit()


def test_one_catch_up_per_module_done_only_once_planned(inscription):
    from ateliers.models import Rattrapage

    module_id = modules_of_version(1)[1].id
    refused(Rattrapage(inscription_id=inscription.id, module_id=module_id, fait_on=date(2026, 3, 12)))
    db.session.add(Rattrapage(inscription_id=inscription.id, module_id=module_id, prevu_at=datetime(2026, 3, 12, 9)))
    db.session.commit()
    refused(Rattrapage(inscription_id=inscription.id, module_id=module_id))
