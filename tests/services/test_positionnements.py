"""Placement use cases: drafts, completion, the waiting-list status that follows, the journal, the history."""

from datetime import date

import pytest
import sqlalchemy as sa

from core import services as core_services
from core.errors import DomainError
from core.models import Apprenant, Journal
from evaluations import queries, services
from evaluations.curriculum import current_questionnaire
from evaluations.models import Positionnement
from evaluations.scoring import ReponsesIncompletes
from evaluations.services import Saisie, statut_apres_positionnement
from extensions import db

TODAY = date(2026, 3, 10)
EARLIER = date(2025, 11, 4)
B = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
C = ("C1", "C2", "C3", "C4")


def saisie(reponses=None, mode="telephone", disponibilites=0b101, canal="telephone"):
    return Saisie(mode=mode, reponses=dict(reponses or {}), disponibilites=disponibilites, canal_prefere=canal)


def answers(b=1, c=1, **overrides):
    """Every B item at ``b``, every C item at ``c`` (niveau 1 by default), then the overrides."""
    return {**dict.fromkeys(B, b), **dict.fromkeys(C, c), **overrides}


def journal_rows(objet=None):
    statement = sa.select(Journal).order_by(Journal.id)
    if objet:
        statement = statement.where(Journal.objet == objet)
    return [(j.action, j.objet, j.objet_id, j.details) for j in db.session.scalars(statement)]


@pytest.fixture
def mediatrice(make_compte):
    return make_compte("mediateur")


@pytest.fixture
def questionnaire(app):
    return current_questionnaire()


def completed(mediatrice, apprenant, questionnaire, reponses, today=TODAY):
    positionnement = services.start_positionnement(mediatrice, apprenant, questionnaire, saisie(reponses))
    resultat = services.complete_positionnement(mediatrice, positionnement, today)
    db.session.commit()
    return positionnement, resultat


def test_draft_saved_with_partial_answers(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant(disponibilites=0)
    draft = services.start_positionnement(
        mediatrice, apprenant, questionnaire, saisie({"A1": "oui", "B1": 2, "C2": 0}, disponibilites=0b11)
    )
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Positionnement, draft.id)
    assert stored.is_brouillon and stored.score is None and stored.niveau is None and stored.completed_at is None
    assert stored.reponses == {"A1": "oui", "B1": 2, "C2": 0}
    assert (stored.mode, stored.compte_id, stored.questionnaire_id) == ("telephone", mediatrice.id, questionnaire.id)
    # Part A's availability belongs to the learner's record
    assert db.session.get(Apprenant, apprenant.id).disponibilites == 0b11
    assert db.session.get(Apprenant, apprenant.id).statut is None


def test_starting_again_resumes_the_same_draft(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant()
    first = services.start_positionnement(mediatrice, apprenant, questionnaire, saisie({"B1": 2}))
    db.session.commit()

    assert queries.draft_of(apprenant.id) == first
    again = services.start_positionnement(mediatrice, apprenant, questionnaire, saisie({"B1": 2, "B2": 1}))
    db.session.commit()

    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Positionnement)) == 1
    assert again.reponses == {"B1": 2, "B2": 1}


def test_saving_the_same_answers_twice_writes_the_journal_once(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant(disponibilites=0b101)
    draft = services.start_positionnement(mediatrice, apprenant, questionnaire, saisie({"B1": 2}))
    services.save_brouillon(mediatrice, draft, saisie({"B1": 2, "C1": 1}))
    services.save_brouillon(mediatrice, draft, saisie({"B1": 2, "C1": 1}))
    db.session.commit()

    assert journal_rows() == [
        ("creation", "positionnement", draft.id, "brouillon"),
        ("modification", "positionnement", draft.id, "brouillon : réponses"),
    ]


def test_completion_sets_score_niveau_and_journal(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant(disponibilites=0b101)
    positionnement, resultat = completed(mediatrice, apprenant, questionnaire, answers(1, 1))

    db.session.expire_all()
    stored = db.session.get(Positionnement, positionnement.id)
    assert (stored.score, stored.niveau, stored.is_brouillon) == (50, 1, False)
    assert stored.completed_at is not None
    assert (resultat.score, resultat.niveau) == (50, 1)
    learner = db.session.get(Apprenant, apprenant.id)
    assert (learner.statut, learner.en_attente_depuis_on, learner.last_contact_on) == ("en_attente", TODAY, TODAY)
    assert journal_rows() == [
        ("creation", "positionnement", positionnement.id, "brouillon"),
        ("modification", "positionnement", positionnement.id, "terminé"),
        ("modification", "apprenant", apprenant.id, "champs : en_attente_depuis_on, last_contact_on, statut"),
    ]


def test_completion_requires_every_scored_answer_and_changes_nothing(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant()
    draft = services.start_positionnement(
        mediatrice, apprenant, questionnaire, saisie({k: v for k, v in answers().items() if k not in {"B4", "C2"}})
    )
    db.session.commit()

    with pytest.raises(ReponsesIncompletes) as raised:
        services.complete_positionnement(mediatrice, draft, TODAY)
    assert raised.value.codes == ("B4", "C2")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Positionnement, draft.id).is_brouillon
    assert db.session.get(Apprenant, apprenant.id).statut is None


def test_a_complete_placement_is_not_changed_again(mediatrice, make_apprenant, questionnaire):
    positionnement, _ = completed(mediatrice, make_apprenant(), questionnaire, answers())
    with pytest.raises(DomainError):
        services.save_brouillon(mediatrice, positionnement, saisie(answers(2, 2)))
    with pytest.raises(DomainError):
        services.complete_positionnement(mediatrice, positionnement, TODAY)


@pytest.mark.parametrize(
    ("before", "since", "reponses", "after", "after_since"),
    [
        (None, None, answers(1, 1), "en_attente", TODAY),
        ("en_attente", EARLIER, answers(1, 1), "en_attente", EARLIER),  # waiting time is not reset
        ("oriente", EARLIER, answers(1, 1), "en_attente", TODAY),
        ("retire", EARLIER, answers(1, 1), "en_attente", TODAY),
        ("inscrit", EARLIER, answers(1, 1), "inscrit", EARLIER),
        ("propose", EARLIER, answers(1, 1), "propose", EARLIER),
        (None, None, answers(2, 2), "oriente", TODAY),  # niveau 3: oriented elsewhere
        ("en_attente", EARLIER, answers(2, 2), "oriente", EARLIER),
        ("inscrit", EARLIER, answers(2, 2), "inscrit", EARLIER),
    ],
)
def test_waiting_list_status_after_completion(
    mediatrice, make_apprenant, questionnaire, before, since, reponses, after, after_since
):
    apprenant = make_apprenant(statut=before, en_attente_depuis_on=since)
    completed(mediatrice, apprenant, questionnaire, reponses)

    db.session.expire_all()
    learner = db.session.get(Apprenant, apprenant.id)
    assert (learner.statut, learner.en_attente_depuis_on, learner.last_contact_on) == (after, after_since, TODAY)


def test_status_rule_is_pure():
    assert statut_apres_positionnement(None, None, 0, TODAY) == ("en_attente", TODAY)
    assert statut_apres_positionnement("en_attente", EARLIER, 2, TODAY) == ("en_attente", EARLIER)
    assert statut_apres_positionnement("retire", EARLIER, 3, TODAY) == ("oriente", EARLIER)


def test_every_placement_is_kept_in_the_history(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant()
    first, _ = completed(mediatrice, apprenant, questionnaire, answers(0, 0), today=EARLIER)
    second, resultat = completed(mediatrice, apprenant, questionnaire, answers(2, 2, B7=1))

    assert second.id != first.id
    history = queries.positionnements_of(apprenant.id)
    assert [p.id for p in history] == [second.id, first.id]
    assert [(p.niveau, p.is_brouillon) for p in history] == [(2, False), (0, False)]
    assert resultat.niveau == 2
    # already waiting since the first placement: the second keeps that date
    learner = db.session.get(Apprenant, apprenant.id)
    assert (learner.statut, learner.en_attente_depuis_on) == ("en_attente", EARLIER)


def test_a_new_candidate_is_registered_with_the_draft(mediatrice, questionnaire, structure):
    identite = {"prenom": "Élodie", "nom": "Lefèvre", "telephone": "+33612345678"}
    draft = services.start_with_new_candidate(mediatrice, identite, questionnaire, saisie({"B1": 1}, canal="sms"))
    db.session.commit()

    apprenant = draft.apprenant
    assert (apprenant.structure_id, apprenant.nom_complet, apprenant.canal_prefere) == (
        structure.id,
        "Élodie Lefèvre",
        "sms",
    )
    assert apprenant.disponibilites == 0b101
    assert journal_rows() == [
        ("creation", "apprenant", apprenant.id, ""),
        ("creation", "positionnement", draft.id, "brouillon"),
    ]
    with pytest.raises(core_services.PossibleDuplicate):
        services.start_with_new_candidate(mediatrice, identite, questionnaire, saisie())


def test_channel_must_be_usable(mediatrice, make_apprenant, questionnaire):
    apprenant = make_apprenant(email=None)
    with pytest.raises(DomainError) as raised:
        services.start_positionnement(mediatrice, apprenant, questionnaire, saisie(canal="email"))
    assert (raised.value.field, raised.value.message) == (
        "canal_prefere",
        "Aucune adresse électronique n'est enregistrée : complétez la fiche ou choisissez un autre moyen.",
    )
    for canal, telephone, message in (
        ("telephone", None, "Un numéro est nécessaire"),
        ("courrier", "+33612345678", "Cette page n'enregistre pas d'adresse postale"),
    ):
        identite = {"prenom": "Jean", "nom": "Sans", "telephone": telephone}
        with pytest.raises(DomainError) as raised:
            services.start_with_new_candidate(mediatrice, identite, questionnaire, saisie(canal=canal))
        assert raised.value.field == "canal_prefere"
        assert raised.value.message.startswith(message)
        db.session.rollback()  # as the route does
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Positionnement)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Apprenant)) == 1


def test_a_possible_duplicate_comes_before_the_channel(mediatrice, make_apprenant, questionnaire):
    make_apprenant(prenom="Jean", nom="Sans")
    with pytest.raises(core_services.PossibleDuplicate):
        services.start_with_new_candidate(
            mediatrice, {"prenom": "Jean", "nom": "Sans", "telephone": None}, questionnaire, saisie()
        )
