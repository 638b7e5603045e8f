"""The practice sweeps under concurrency: two sweeps and a booking by hand at the same instant, and two real
``flask scheduler`` processes (the leader books once; after it is killed the other takes over, books nothing
twice)."""

from __future__ import annotations

import signal
import threading
from datetime import date, timedelta

import sqlalchemy as sa

from core.disponibilites import ALL_MASK
from core.models import Message
from core.timeutil import structure_today
from entrainements import jobs
from entrainements.models import Entrainement, Occurrence, Reservation
from entrainements.occurrences import ouvrir_occurrences
from entrainements.reservations import ReservationRefusee, reserver
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements
from tests.services.test_scheduler import read_until, start_scheduler, stop


def learners(make_apprenant, n=4):
    return [make_apprenant(prenom=f"Personne{i}", email=f"p{i}@exemple.fr", disponibilites=ALL_MASK) for i in range(n)]


def assert_consistent() -> None:
    """Capacity never exceeded and counted right; one running booking per entraînement and per learner and day;
    each booking by the sweep has its convocation."""
    db.session.expire_all()
    for occurrence in db.session.scalars(sa.select(Occurrence)):
        tenues = db.session.scalar(
            sa.select(sa.func.count()).where(
                Reservation.occurrence_id == occurrence.id, Reservation.statut.in_(("reservee", "honoree"))
            )
        )
        assert tenues == occurrence.places_prises <= occurrence.capacite
    doubles = db.session.execute(
        sa.select(Reservation.entrainement_id)
        .where(Reservation.statut == "reservee")
        .group_by(Reservation.entrainement_id)
        .having(sa.func.count() > 1)
    ).all()
    assert doubles == []
    meme_jour = db.session.execute(
        sa.select(Reservation.apprenant_id, Reservation.jour)
        .where(Reservation.statut.in_(("reservee", "honoree")))
        .group_by(Reservation.apprenant_id, Reservation.jour)
        .having(sa.func.count() > 1)
    ).all()
    assert meme_jour == []
    par_sweep = set(db.session.scalars(sa.select(Reservation.id).where(Reservation.compte_id.is_(None))))
    convoquees = {int(cle.split(":")[1]) for cle in db.session.scalars(sa.select(Message.cle))}
    assert convoquees == par_sweep


def test_two_sweeps_and_a_booking_by_hand_at_once(app, structure, make_apprenant, mediatrice, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    make_creneau(structure, capacite=1)  # Tuesdays 2, 9, 16 June: 3 places for 4 learners
    entrainements = make_entrainements(structure, learners(make_apprenant), debut=TODAY, fin=date(2026, 6, 20))
    a_la_main = entrainements[0].id
    ouvrir_occurrences(structure, TODAY, TODAY + timedelta(days=21))
    db.session.commit()
    mardi = db.session.scalar(sa.select(Occurrence.id).where(Occurrence.jour == date(2026, 6, 2)))
    compte_id = mediatrice.id
    depart = threading.Barrier(3)
    erreurs: list[BaseException] = []
    resultats: list[str] = []

    def sweep():
        with app.app_context():
            try:
                depart.wait()
                jobs.reserver(NOW)
            except BaseException as error:  # reported to the test below
                erreurs.append(error)
            finally:
                db.session.remove()

    def by_hand():
        with app.app_context():
            try:
                depart.wait()
                entrainement = db.session.get(Entrainement, a_la_main)
                occurrence = db.session.get(Occurrence, mardi)
                try:
                    reserver(entrainement, occurrence, now=NOW, compte_id=compte_id)
                    db.session.commit()
                    resultats.append("réservée")
                except (ReservationRefusee, sa.exc.IntegrityError):
                    db.session.rollback()
                    resultats.append("refusée")
            except BaseException as error:
                erreurs.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep), threading.Thread(target=sweep), threading.Thread(target=by_hand)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert erreurs == [] and len(resultats) == 1
    assert_consistent()
    reservees = db.session.scalar(sa.select(sa.func.count()).where(Reservation.statut == "reservee"))
    assert reservees == 3  # every place taken once, whoever took it
    # A later sweep changes nothing.
    assert jobs.reserver(NOW).reservations == 0
    assert_consistent()


def test_two_scheduler_processes_book_once_and_the_standby_takes_over(
    app, database_uri, structure, make_apprenant, tmp_path
):
    today = structure_today(structure)
    for jour_semaine in range(6):
        make_creneau(structure, jour_semaine=jour_semaine, capacite=30)
    make_entrainements(
        structure, learners(make_apprenant, 3), debut=today + timedelta(days=1), fin=today + timedelta(days=14)
    )
    db.session.remove()

    leader = start_scheduler(database_uri, tmp_path / "instance")
    standby = None
    try:
        lignes = read_until(leader, "reserver sweep:")
        assert "reservations=3" in "".join(lignes)
        standby = start_scheduler(database_uri, tmp_path / "instance")
        attente = read_until(standby, "scheduler on standby")
        assert not any("sweep:" in ligne for ligne in attente)
        leader.send_signal(signal.SIGKILL)
        leader.communicate(timeout=15)
        reprise = read_until(standby, "reserver sweep:", seconds=30)
        assert "reservations=0" in "".join(reprise)  # the leader's bookings are not made again
        stop(standby)
    finally:
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.kill()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reservation)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 3
    assert_consistent()
