import re
from datetime import timedelta

import sqlalchemy as sa

from ateliers.models import Alerte, Atelier, Inscription, Presence
from ateliers.rappels import liste_a_rappeler, nombre_a_rappeler
from core.models import Apprenant, Compte, Journal, Message, Structure
from core.timeutil import structure_today
from demo import APPRENANTS_EN_PLUS, ATELIERS_PASSES, DEMO_MEMBRE, DEMO_RESEAU, DEMO_STRUCTURE, load_demo
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
    assert roles == {"admin", "mediateur", "benevole", "direction", "coordination"}
    assert first[Apprenant] == 40 + APPRENANTS_EN_PLUS
    # every learner has a completed placement with a score and a niveau
    assert (
        count(Positionnement, Positionnement.is_brouillon.is_(False), Positionnement.niveau.is_not(None))
        == (first[Apprenant])
    )
    statuts = set(db.session.scalars(sa.select(Atelier.statut).where(Atelier.structure_id == structure.id)))
    assert statuts == {"projet", "planifie", "en_cours", "termine", "annule"}
    # every abandon has its reason code
    assert count(Inscription, Inscription.statut == "abandon", Inscription.motif_sortie.is_(None)) == 0
    assert count(Inscription, Inscription.statut == "abandon") >= 2
    assert count(EvaluationCompetence) > 0
    assert first[Presence] > 0

    # The demo network: made by the head's admin, a France Services member, a coordination account that sees both.
    from core import reseaux
    from core.models import Reseau

    reseau = db.session.scalar(sa.select(Reseau).where(Reseau.nom == DEMO_RESEAU))
    membre = db.session.scalar(sa.select(Structure).where(Structure.nom == DEMO_MEMBRE))
    assert structure.is_tete_reseau and structure.reseau_id == membre.reseau_id == reseau.id
    assert membre.type == "france_services" and not membre.is_tete_reseau
    coordination = db.session.scalar(sa.select(Compte).where(Compte.email == "coordination@demo.local"))
    assert coordination.role == "coordination" and coordination.check_password("mot-de-passe-demo")
    assert reseaux.perimetre(coordination) == sorted([structure.id, membre.id])
    # the member has its own past too
    assert (
        count(Atelier, Atelier.structure_id == membre.id, Atelier.statut == "termine") == ATELIERS_PASSES[DEMO_MEMBRE]
    )


def test_large_data_set_spreads_learners_over_structures(app):
    report = load_demo("mot-de-passe-demo", learners=600, structures=6)
    db.session.commit()
    # the six structures asked for, plus the demo network's member; the history's learners come on top
    assert (report.structures, report.apprenants) == (7, 600 + APPRENANTS_EN_PLUS)
    per_structure = db.session.execute(
        sa.select(Structure.nom, sa.func.count())
        .join(Apprenant, Apprenant.structure_id == Structure.id)
        .where(Structure.nom.not_in([DEMO_STRUCTURE, DEMO_MEMBRE]))
        .group_by(Structure.nom)
    )
    assert sorted(n for _, n in per_structure) == [100] * 5
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
    # (the history's no-shows were rebooked long ago: this one is today's, still booked)
    (relancee,) = db.session.scalars(
        sa.select(Entrainement).where(Entrainement.absences == 1, Entrainement.statut == "reserve")
    ).all()
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
    # the demo structure's: the network's member names no signatory, so its closings issue none
    demo = db.session.scalar(sa.select(Structure.id).where(Structure.nom == DEMO_STRUCTURE))
    finished = count(
        Inscription,
        Inscription.statut == "termine",
        Inscription.atelier_id.in_(
            sa.select(Atelier.id).where(Atelier.statut == "termine", Atelier.structure_id == demo)
        ),
    )
    attestations = db.session.scalars(sa.select(Attestation)).all()
    assert finished > 0 and len(attestations) == finished
    assert all(a.numero.startswith("CCAS-DEMO-") for a in attestations)
    assert attestations[0].contenu["signataire"] == {"nom": "Claire Fontaine", "fonction": "Directrice du CCAS"}
    # The two years of history: each workshop's attestations issued by its closing, days after its last séance (so
    # the director's count by period spreads over the years), numbered in the year they were issued.
    passees = [a for a in attestations if re.search(r"\(\d\d/\d{4}\)$", a.inscription.atelier.intitule)]
    assert len(passees) > len(attestations) // 2
    for attestation in passees:
        derniere = attestation.inscription.atelier.seances[-1].ends_at
        assert derniere < attestation.emise_at < derniere + timedelta(days=7), attestation.numero
        assert attestation.numero.split("-")[2] == attestation.contenu["emise_on"][:4]
    assert len({a.emise_at.year for a in passees}) >= 2
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    assert (count(Attestation), count(ParametresAttestation)) == (finished, 1)


def test_the_demo_history_spans_two_years_with_abandons_calls_and_practice(app, monkeypatch):
    """Whatever the day (here a leap day), the demo structure's past workshops cover the two years before it,
    with abandons and their reasons, calls and their outcomes (people who came back), closings that made the
    practice plans, and practice sessions attended and missed."""
    from datetime import datetime, timedelta

    from ateliers.models import Seance, Suivi
    from core import timeutil
    from entrainements.models import PlanEntrainement, Reservation, ResultatEntrainement
    from tests.ateliers_fixtures import freeze_clock

    freeze_clock(monkeypatch, datetime(2028, 2, 29, 7, 30))
    load_demo("mot-de-passe-demo", learners=40)
    db.session.commit()
    assert timeutil.utcnow() == datetime(2028, 2, 29, 7, 30)  # the history's clock is put back
    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == DEMO_STRUCTURE))
    today = structure_today(structure)
    dans_la_structure = Atelier.structure_id == structure.id
    passes = db.session.scalars(
        sa.select(Atelier).where(dans_la_structure, Atelier.statut == "termine", Atelier.is_locked.is_(True))
    ).all()
    premiers = sorted(atelier.seances[0].jour for atelier in passes)
    assert today - timedelta(weeks=105) <= premiers[0] <= today - timedelta(weeks=100)
    # workshops run in each of the two years before today, each closed by the closing service (journaled)
    assert {(today - jour).days // 365 for jour in premiers} == {0, 1}
    fermetures = count(
        Journal, Journal.objet == "atelier", Journal.details.startswith("clôture"), Journal.structure_id == structure.id
    )
    assert fermetures == ATELIERS_PASSES[DEMO_STRUCTURE]

    de_la_structure = Inscription.atelier_id.in_([a.id for a in passes])
    motifs = set(db.session.scalars(sa.select(Inscription.motif_sortie).where(de_la_structure)))
    assert "injoignable" in motifs and len(motifs - {None}) >= 3
    # calls and their outcomes; some people called after an alert came back to a later séance
    suites = set(db.session.scalars(sa.select(Suivi.suite).join(Inscription).where(de_la_structure)))
    assert {"revient", "abandon", "rappeler"} <= suites
    revenus = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Suivi.inscription_id)))
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .join(Presence, Presence.inscription_id == Inscription.id)
        .join(Seance, Seance.id == Presence.seance_id)
        .where(
            de_la_structure, Suivi.suite == "revient", Presence.statut == "present", Seance.starts_at > Suivi.created_at
        )
    )
    assert revenus >= 2
    assert count(Alerte, Alerte.inscription_id.in_(sa.select(Inscription.id).where(de_la_structure))) >= 5

    # every learner who finished a past workshop got a practice plan at the closing; sessions held and missed
    finis = count(Inscription, de_la_structure, Inscription.statut == "termine")
    assert (
        count(
            PlanEntrainement,
            PlanEntrainement.inscription_id.in_(
                sa.select(Inscription.id).where(de_la_structure, Inscription.statut == "termine")
            ),
        )
        == finis
    )
    passees = Reservation.jour < today - timedelta(days=60)
    assert count(Reservation, passees, Reservation.statut == "honoree") >= 3 * len(passes)
    assert count(Reservation, passees, Reservation.statut == "absente") >= 1
    assert count(ResultatEntrainement) > 0
    # nobody of the past is left to call today: the list starts with today's running workshop
    (ligne, *_) = liste_a_rappeler(structure.id, today).a_rappeler
    assert ligne.atelier.statut == "en_cours"
