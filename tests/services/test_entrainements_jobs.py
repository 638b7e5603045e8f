"""The practice sweeps (entrainements.jobs) and the plans (entrainements.plans): each run twice has its effect
once, a structure is all or nothing, the plans come with the closing, two no-shows reach the "À rappeler" list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ateliers import cloture
from ateliers.models import Alerte
from ateliers.presences import recalculer_atelier
from ateliers.rappels import liste_a_rappeler, nombre_a_rappeler
from ateliers.suivis import enregistrer_suivi
from core.disponibilites import ALL_MASK
from core.messagerie.depot import deposer_tous
from core.models import Journal, Message
from entrainements import jobs
from entrainements.models import Entrainement, Occurrence, PlanEntrainement, Reservation
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.plans import creer_plans, sans_moyen_de_contact
from entrainements.reservations import OccurrenceComplete, liberer, reserver_tous
from evaluations.models import Competence
from extensions import db
from tests.ateliers_fixtures import freeze_clock, inscription_of
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements
from tests.services.test_competences import AFTER_LAST, CLOSING, attend, judge


@pytest.fixture
def apprenants(make_apprenant):
    """Three learners free every half-day, reached by email."""
    return [
        make_apprenant(prenom=prenom, nom=nom, email=f"{prenom.lower()}@exemple.fr", disponibilites=ALL_MASK)
        for prenom, nom in (("Ana", "Lopes"), ("Marc", "Petit"), ("Lina", "Haddad"))
    ]


def compter(modele, *conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(modele).where(*conditions))


def codes(ids: list[int]) -> list[str]:
    return [db.session.get(Competence, i).code for i in ids]


def fermer(atelier, inscriptions=None):
    """Mark ``atelier`` closed by hand (as before this code existed): every inscription finished."""
    atelier.statut, atelier.is_locked = "termine", True
    for inscription in inscriptions or atelier.inscriptions:
        inscription.statut, inscription.ended_at = "termine", CLOSING
    db.session.commit()


# --- plans ---


def test_closing_makes_the_plans_at_once_with_the_skills_left_to_practise(atelier, mediatrice):
    for numero in range(1, 7):
        attend(mediatrice, atelier, numero, Martin="present", Bernard="present")
    # Final evaluation (séance 6): Martin still needs help on M2.1; Bernard has everything.
    judge(mediatrice, atelier, 2, Martin={"M2.1": "non_acquis"}, Bernard="acquis")
    judge(mediatrice, atelier, 6, Martin={"M2.1": "avec_aide", "M6.1": "acquis"}, Bernard="acquis")
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")

    cloture.cloturer_atelier(
        mediatrice,
        atelier,
        {martin.id: ("termine", None), bernard.id: ("abandon", "transport")},
        AFTER_LAST,
        now=CLOSING,
    )
    db.session.commit()

    plan = db.session.scalar(sa.select(PlanEntrainement))
    assert compter(PlanEntrainement) == 1 and plan.inscription_id == martin.id  # not the abandon
    assert plan.fin_atelier_on == date(2026, 5, 11)  # the last séance's day in Paris
    fenetres = [(e.rang, e.debut_on, e.cible_on, e.fin_on) for e in plan.entrainements]
    assert fenetres == [
        (1, date(2026, 5, 17), date(2026, 5, 18), date(2026, 5, 19)),
        (2, date(2026, 6, 4), date(2026, 6, 10), date(2026, 6, 16)),
        (3, date(2026, 7, 22), date(2026, 8, 9), date(2026, 8, 27)),
    ]
    # The latest judgement of M2.1 (avec aide at séance 6) leaves it to practise; M6.1 is acquired.
    assert all(codes(e.competences) == ["M2.1"] for e in plan.entrainements)
    assert creer_plans(atelier.structure, CLOSING) == 0  # the sweep after it finds nothing to do


def test_a_learner_with_nothing_left_practises_modules_5_and_6(atelier, mediatrice):
    fermer(atelier)
    creer_plans(atelier.structure, CLOSING)
    pratiquees = codes(db.session.scalars(sa.select(Entrainement.competences)).first())
    assert pratiquees and {code[:2] for code in pratiquees} == {"M5", "M6"}


def test_a_workshop_closed_long_ago_gets_only_the_ranks_still_ahead_once(atelier):
    fermer(atelier)  # last séance Monday 11 May 2026
    structure = atelier.structure
    plus_tard = datetime(2026, 7, 1, 8, 0)  # rank 1 (17-19 May) and rank 2 (4-16 June) are over
    assert creer_plans(structure, plus_tard) == 2
    assert creer_plans(structure, plus_tard) == 0
    rangs = sorted(db.session.scalars(sa.select(Entrainement.rang)))
    assert rangs == [3, 3]  # one per learner: rank 3, 22 July - 27 August, still ahead
    # Even later: the plan is made, empty (nothing to book in the past), and never looked at again.
    db.session.execute(sa.delete(PlanEntrainement))
    db.session.commit()
    assert creer_plans(structure, datetime(2026, 12, 1, 8, 0)) == 2
    assert compter(Entrainement) == 0 and compter(PlanEntrainement) == 2


# --- reserver ---


def test_reserver_books_and_convokes_once(structure, apprenants, make_apprenant, freeze):
    make_creneau(structure, capacite=2)
    sans_contact = make_apprenant(prenom="Rose", nom="Sanscontact", disponibilites=ALL_MASK)
    en_pause = make_apprenant(prenom="Paul", nom="Pause", email="paul@exemple.fr", disponibilites=ALL_MASK)
    entrainements = make_entrainements(
        structure, [*apprenants[:2], sans_contact, en_pause], debut=TODAY, fin=date(2026, 6, 12)
    )
    entrainements[-1].plan.statut = "suspendu"
    db.session.commit()

    premier = jobs.reserver(NOW)
    second = jobs.reserver(NOW)

    # Tuesdays 2 and 9 June, 2 places each: the 3 running plans are booked, the paused one is not.
    assert (premier.reservations, premier.convocations, premier.sans_canal) == (3, 2, 1)
    assert (second.reservations, second.convocations) == (0, 0)
    assert compter(Reservation) == 3 and compter(Message) == 2
    places = [o.places_prises for o in db.session.scalars(sa.select(Occurrence).order_by(Occurrence.jour))]
    assert places[:2] == [2, 1] and sum(places) == 3
    assert entrainements[-1].statut == "a_planifier" and not compter(
        Reservation, Reservation.apprenant_id == en_pause.id
    )
    assert [a.nom for a in sans_moyen_de_contact(structure.id)] == ["Sanscontact"]
    # Journaled once, with counts only.
    (details,) = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "entrainement")).all()
    assert details == "reserver : 3 réservations, 2 convocations, 1 personne sans moyen de contact"

    par_jour = {}
    for reservation in db.session.scalars(sa.select(Reservation).where(Reservation.apprenant_id != sans_contact.id)):
        message = db.session.scalar(sa.select(Message).where(Message.cle == f"convocation:{reservation.id}"))
        assert (message.type, message.canal, message.apprenant_id, message.valable_jusqu_a) == (
            "convocation",
            "email",
            reservation.apprenant_id,
            reservation.occurrence.starts_at,
        )
        par_jour.setdefault(reservation.jour, []).append(message.corps)
    assert set(par_jour) <= {date(2026, 6, 2), date(2026, 6, 9)} and sum(map(len, par_jour.values())) == 2
    for corps in par_jour.get(date(2026, 6, 9), []):
        assert "Quand : mardi 9 juin à 14 h 00." in corps and "rappel deux jours avant" in corps
    # Booked the day before: less than 48 h ahead, no reminder will follow and the convocation promises none.
    for corps in par_jour.get(date(2026, 6, 2), []):
        assert "Quand : mardi 2 juin à 14 h 00." in corps and "rappel" not in corps


def test_a_convocation_less_than_48_hours_ahead_promises_no_reminder(structure, apprenants, freeze):
    make_creneau(structure)
    make_entrainements(structure, apprenants[:1], debut=TODAY, fin=date(2026, 6, 2))
    jobs.reserver(NOW)  # Tuesday 2 June 14:00, 28 hours ahead
    corps = db.session.scalar(sa.select(Message.corps))
    assert "Quand : mardi 2 juin à 14 h 00." in corps and "rappel" not in corps


@pytest.fixture
def freeze(monkeypatch):
    freeze_clock(monkeypatch, NOW)


def test_a_learner_left_unbooked_keeps_the_planners_reason(structure, apprenants, freeze):
    make_creneau(structure, capacite=1)
    make_entrainements(structure, apprenants, debut=TODAY, fin=date(2026, 6, 3))  # one Tuesday, one place
    bilan = jobs.reserver(NOW)
    assert (bilan.reservations, bilan.non_planifies) == (1, 2)
    motifs = list(
        db.session.scalars(sa.select(Entrainement.motif_non_planifie).where(Entrainement.statut == "a_planifier"))
    )
    assert len(motifs) == 2 and all(m.startswith("aucun créneau libre") for m in motifs)


def test_a_crash_before_the_convocation_leaves_nothing_of_that_structure(
    structure, make_structure, apprenants, make_apprenant, monkeypatch, freeze
):
    autre = make_structure(nom="France Services d'Ailleurs")
    make_creneau(structure)
    make_creneau(autre)
    make_entrainements(structure, apprenants[:2])
    ailleurs = make_apprenant(
        structure=autre, prenom="Yves", nom="Ailleurs", email="y@exemple.fr", disponibilites=ALL_MASK
    )
    make_entrainements(autre, [ailleurs])
    vrai_deposer = jobs.deposer_tous

    def deposer_tous(messages, **kwargs):
        if any(m["apprenant"].structure_id == structure.id for m in messages):
            raise RuntimeError("écriture du message impossible")
        return vrai_deposer(messages, **kwargs)

    monkeypatch.setattr(jobs, "deposer_tous", deposer_tous)
    bilan = jobs.reserver(NOW)
    assert bilan.echecs == [structure.id] and bilan.reservations == 1  # the failed structure's count is undone
    db.session.expire_all()
    assert compter(Reservation, Reservation.apprenant_id != ailleurs.id) == 0
    assert compter(Entrainement, Entrainement.structure_id == structure.id, Entrainement.statut == "a_planifier") == 2
    assert db.session.scalar(
        sa.select(sa.func.sum(Occurrence.places_prises)).where(Occurrence.structure_id == structure.id)
    ) in (0, None)
    assert compter(Reservation) == 1 and compter(Message) == 1  # the other structure went on

    monkeypatch.setattr(jobs, "deposer_tous", vrai_deposer)
    assert jobs.reserver(NOW).reservations == 2  # retried by the next run
    assert compter(Message) == 3


# --- rappeler ---


def test_rappeler_reminds_once_48_hours_before_and_never_after_the_start(structure, apprenants, monkeypatch):
    make_creneau(structure, capacite=3)
    lundi = datetime(2026, 6, 1, 8, 0)
    freeze_clock(monkeypatch, lundi)
    e_tot, e_tard, e_pause = make_entrainements(structure, apprenants, debut=date(2026, 6, 9), fin=date(2026, 6, 9))
    jobs.reserver(lundi)  # Tuesday 9 June, 14:00 Paris (12:00 UTC), booked 8 days before
    e_pause.plan.statut = "suspendu"
    db.session.commit()

    trop_tot = datetime(2026, 6, 7, 11, 0)  # 49 h before
    assert jobs.rappeler(trop_tot).rappels == 0
    a_48h = datetime(2026, 6, 7, 12, 10)
    assert jobs.rappeler(a_48h).rappels == 2
    assert jobs.rappeler(a_48h + timedelta(minutes=10)).rappels == 0
    rappels = list(db.session.scalars(sa.select(Message).where(Message.type == "rappel")))
    assert len(rappels) == 2 and all(m.valable_jusqu_a == datetime(2026, 6, 9, 12, 0) for m in rappels)
    assert {m.apprenant_id for m in rappels} == {e_tot.apprenant_id, e_tard.apprenant_id}  # not the paused plan


def test_no_reminder_for_a_session_booked_less_than_48_hours_before(structure, apprenants, monkeypatch):
    make_creneau(structure)
    veille = datetime(2026, 6, 1, 8, 0)  # Tuesday 2 June 14:00 is 28 h away
    freeze_clock(monkeypatch, veille)
    make_entrainements(structure, apprenants[:1], debut=TODAY, fin=date(2026, 6, 2))
    jobs.reserver(veille)
    assert jobs.rappeler(datetime(2026, 6, 1, 13, 0)).rappels == 0
    assert jobs.rappeler(datetime(2026, 6, 2, 12, 30)).rappels == 0  # started
    assert compter(Message, Message.type == "rappel") == 0


# --- relancer ---


def test_a_first_no_show_is_rebooked_once_and_a_second_goes_to_the_call_list(
    structure, apprenants, mediatrice, monkeypatch
):
    make_creneau(structure, capacite=3)
    freeze_clock(monkeypatch, NOW)
    (entrainement,) = make_entrainements(structure, apprenants[:1], debut=TODAY, fin=date(2026, 6, 3))
    jobs.reserver(NOW)
    premiere = entrainement.reservations[0]
    assert premiere.jour == date(2026, 6, 2)

    # No-show on Tuesday 2 June, recorded that evening.
    soir = datetime(2026, 6, 2, 17, 0)
    freeze_clock(monkeypatch, soir)
    liberer(premiere, "absente", now=soir)
    db.session.commit()
    assert jobs.reserver(soir).reservations == 0  # a no-show is the relancer sweep's
    bilan = jobs.relancer(soir)
    assert (bilan.relances, bilan.reservations, bilan.convocations) == (1, 1, 1)
    assert jobs.relancer(soir).reservations == 0 and jobs.relancer(soir).relances == 0
    db.session.refresh(entrainement)
    assert (entrainement.debut_on, entrainement.cible_on, entrainement.fin_on) == (
        date(2026, 6, 3),
        date(2026, 6, 4),
        date(2026, 6, 16),
    )
    seconde = next(r for r in entrainement.reservations if r.statut == "reservee")
    assert seconde.jour == date(2026, 6, 9)  # the first Tuesday of the new window

    # Second no-show: no third booking, the learner is on "À rappeler" with the reason.
    mardi_suivant = datetime(2026, 6, 9, 17, 0)
    freeze_clock(monkeypatch, mardi_suivant)
    liberer(seconde, "absente", now=mardi_suivant)
    db.session.commit()
    bilan = jobs.relancer(mardi_suivant)
    assert (bilan.manques, bilan.reservations) == (1, 0)
    assert jobs.relancer(mardi_suivant).manques == 0
    assert entrainement.statut == "manque"
    inscription_id = entrainement.plan.inscription_id
    jour = date(2026, 6, 9)
    (ligne,) = liste_a_rappeler(structure.id, jour).a_rappeler
    assert ligne.inscription.id == inscription_id
    assert [a.message for a in ligne.alertes] == ["deux entraînements manqués"]

    # The workshop's alerts recomputed (a correction after an unlock): this one stays.
    recalculer_atelier(ligne.atelier, jour)
    db.session.commit()
    assert nombre_a_rappeler(structure.id, jour) == 1

    # A call takes them off the list, as calls do.
    enregistrer_suivi(mediatrice, ligne.inscription, jour, "joint", None, "revient", jour, now=mardi_suivant)
    db.session.commit()
    assert nombre_a_rappeler(structure.id, jour) == 0
    assert compter(Alerte, Alerte.resolved_at.is_(None), Alerte.traitee_par_suivi_id.is_(None)) == 0


def test_paused_plans_get_no_rebooking(structure, apprenants, monkeypatch):
    make_creneau(structure)
    freeze_clock(monkeypatch, NOW)
    (entrainement,) = make_entrainements(structure, apprenants[:1], debut=TODAY, fin=date(2026, 6, 3))
    jobs.reserver(NOW)
    soir = datetime(2026, 6, 2, 17, 0)
    liberer(entrainement.reservations[0], "absente", now=soir)
    entrainement.plan.statut = "suspendu"
    db.session.commit()
    assert jobs.relancer(soir).relances == 0
    assert entrainement.statut == "a_planifier" and compter(Reservation, Reservation.statut == "reservee") == 0


def test_the_convocation_says_the_structures_wall_clock_hour(structure, apprenants, freeze):
    """The convocation's hour is the structure's wall clock, not UTC (Paris is UTC+2 in June)."""
    make_creneau(structure, jour_semaine=3, debut=time(9, 30), fin=time(11, 0))
    make_entrainements(structure, apprenants[:1], debut=TODAY, fin=date(2026, 6, 5))
    jobs.reserver(NOW)
    corps = db.session.scalar(sa.select(Message.corps))
    assert "jeudi 4 juin à 9 h 30" in corps and "deux jours avant" in corps


def test_a_batch_booking_takes_only_the_places_left_by_a_concurrent_writer(structure, apprenants):
    make_creneau(structure, capacite=2)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 2))
    (mardi,) = occurrences_entre(structure.id, TODAY, date(2026, 6, 2))
    premier, second = make_entrainements(structure, apprenants[:2])
    # Another writer took a place after the sweep read the occurrence (its object still says 0).
    db.session.execute(sa.update(Occurrence).values(places_prises=1).execution_options(synchronize_session=False))

    faites, refus = reserver_tous([(premier, mardi), (second, mardi)], now=NOW)
    db.session.commit()
    assert set(faites) == {premier.id} and isinstance(refus[second.id], OccurrenceComplete)
    assert (mardi.places_prises, premier.statut, second.statut) == (2, "reserve", "a_planifier")
    # Booking the same entraînement again is refused without a query's help.
    _, refus = reserver_tous([(premier, mardi)], now=NOW)
    assert "déjà réservé" in refus[premier.id].message


def test_a_batch_booking_marks_the_entrainements_booked_in_the_session_and_in_the_database(structure, apprenants):
    make_creneau(structure, capacite=3)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 2))
    (mardi,) = occurrences_entre(structure.id, TODAY, date(2026, 6, 2))
    entrainements = make_entrainements(structure, apprenants[:2])
    for entrainement in entrainements:
        entrainement.motif_non_planifie = "aucun créneau libre"
    db.session.flush()

    faites, _ = reserver_tous([(e, mardi) for e in entrainements], now=NOW)
    # The objects already loaded say so at once, with nothing left to write for them.
    assert [(e.statut, e.motif_non_planifie) for e in entrainements] == [("reserve", None)] * 2
    assert not any(e in db.session.dirty for e in entrainements)
    db.session.commit()
    db.session.expire_all()
    assert [(e.statut, e.motif_non_planifie) for e in entrainements] == [("reserve", None)] * 2
    assert set(faites) == {e.id for e in entrainements} and mardi.places_prises == 2


def test_messages_deposited_in_a_batch_are_written_once(structure, apprenants):
    valeurs = {"type": "convocation", "canal": "email", "objet": "Entraînement", "corps": "Bonjour"}
    lot = [{"apprenant": a, "cle": f"essai:{a.id}", "valable_jusqu_a": None, **valeurs} for a in apprenants]
    assert deposer_tous(lot + lot[:1], now=NOW) == 3
    assert deposer_tous(lot, now=NOW) == 0
    assert compter(Message) == 3
