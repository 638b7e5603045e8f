import sqlalchemy as sa

from ateliers.models import Atelier, Inscription, Presence
from ateliers.rappels import liste_a_rappeler, nombre_a_rappeler
from core.models import Apprenant, Compte, Message, Structure
from core.timeutil import structure_today
from demo import DEMO_STRUCTURE, load_demo
from evaluations.models import EvaluationCompetence, Positionnement
from extensions import db


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_is_complete_and_idempotent(app):
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    first = {model: count(model) for model in (Structure, Compte, Apprenant, Positionnement, Atelier, Presence)}
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    assert {model: count(model) for model in first} == first

    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == DEMO_STRUCTURE))
    assert (structure.subdivision_feries, structure.fuseau_horaire) == (None, "Europe/Paris")
    assert structure.feries_travailles == ["lundi_pentecote"]  # its journée de solidarité
    roles = set(db.session.scalars(sa.select(Compte.role).where(Compte.structure_id == structure.id)))
    assert roles == {"admin", "mediateur", "benevole", "direction"}
    assert first[Apprenant] == 40
    # every learner has a completed placement with a score and a niveau
    assert count(Positionnement, Positionnement.is_brouillon.is_(False), Positionnement.niveau.is_not(None)) == 40
    statuts = set(db.session.scalars(sa.select(Atelier.statut)))
    assert statuts == {"projet", "planifie", "en_cours", "termine", "annule"}
    assert count(Inscription, Inscription.statut == "abandon", Inscription.motif_sortie.is_not(None)) == 1
    assert count(EvaluationCompetence) > 0
    assert first[Presence] > 0


def test_large_data_set_spreads_learners_over_structures(app):
    report = load_demo("mot-de-passe-demo", learners=600, structures=6)
    db.session.commit()
    assert (report.structures, report.apprenants) == (6, 600)
    per_structure = db.session.execute(
        sa.select(Apprenant.structure_id, sa.func.count()).group_by(Apprenant.structure_id)
    )
    assert sorted(n for _, n in per_structure) == [100] * 6
    # search keys are filled by the bulk insert too
    assert count(Apprenant, Apprenant.nom_recherche == "") == 0
    again = load_demo("mot-de-passe-demo", learners=600, structures=6)
    assert (again.structures, again.apprenants) == (0, 0)


def test_the_demo_has_someone_to_call_today_not_history(app):
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == DEMO_STRUCTURE))
    today = structure_today(structure)
    assert nombre_a_rappeler(structure.id, today) >= 1
    (ligne, *_) = liste_a_rappeler(structure.id, today).a_rappeler
    assert ligne.atelier.statut == "en_cours" and not any(alerte.is_historique for alerte in ligne.alertes)


def test_the_demo_has_practice_sessions_booked_by_the_sweeps(app):
    from datetime import timedelta

    from entrainements.models import Creneau, Entrainement, PlanEntrainement, Reservation
    from entrainements.plans import sans_moyen_de_contact

    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == DEMO_STRUCTURE))
    today = structure_today(structure)
    assert count(Creneau, Creneau.structure_id == structure.id) == 6
    assert count(PlanEntrainement) >= 3  # the workshop closed for practice, and the older one
    # The first sessions happened: attended, and one no-show rebooked in the coming days.
    assert count(Reservation, Reservation.statut == "honoree") >= 1
    (relancee,) = db.session.scalars(sa.select(Entrainement).where(Entrainement.absences == 1)).all()
    assert relancee.statut == "reserve"
    prochaine = next(r for r in relancee.reservations if r.statut == "reservee")
    assert today < prochaine.jour <= today + timedelta(days=14)
    # The next ones booked, their convocations waiting in the outbox; someone the mediator must call herself.
    assert count(Reservation, Reservation.statut == "reservee") >= 3
    assert count(Message, Message.statut == "a_envoyer", Message.type == "convocation") >= 2
    assert sans_moyen_de_contact(structure.id)

    before = {model: count(model) for model in (Reservation, Message, PlanEntrainement, Creneau)}
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    assert {model: count(model) for model in before} == before


def test_the_demo_closed_workshops_have_their_attestations_once(app):
    from attestations.models import Attestation, ParametresAttestation

    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    finished = count(
        Inscription,
        Inscription.statut == "termine",
        Inscription.atelier_id.in_(sa.select(Atelier.id).where(Atelier.statut == "termine")),
    )
    attestations = db.session.scalars(sa.select(Attestation)).all()
    assert finished > 0 and len(attestations) == finished
    assert all(a.numero.startswith("CCAS-DEMO-") for a in attestations)
    assert attestations[0].contenu["signataire"] == {"nom": "Claire Fontaine", "fonction": "Directrice du CCAS"}
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    assert (count(Attestation), count(ParametresAttestation)) == (finished, 1)
