"""Taking and giving back a place in a practice occurrence: the one place bookings are written (sweep or hand).

Capacity is counted by the database: a place is taken by a conditional UPDATE of ``occurrence.places_prises``
(``places_prises < capacite``, occurrence not cancelled), which its CHECK holds too, so two sweeps and a mediator
booking at the same instant never exceed it. One running booking per entraînement and one booking per learner
and day are partial unique indexes (``entrainements.models.Reservation``); they are checked first here to give
a clear message, and the index refuses what slips between the check and the insert (IntegrityError at flush:
the caller rolls back). The sweep books a whole plan at once with :func:`reserver_tous` (same rules, a few
statements). Every function flushes only; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from core.errors import DomainError
from entrainements.models import Entrainement, Occurrence, Reservation
from extensions import db


class ReservationRefusee(DomainError):
    """A booking the rules refuse; the message says why in French (shown beside the form, or kept as the
    entraînement's reason by the sweep)."""


class OccurrenceComplete(ReservationRefusee):
    """No place left in the occurrence."""


def _verifier(entrainement: Entrainement, occurrence: Occurrence, now: datetime) -> None:
    """The refusals that need no query (see :func:`reserver`)."""
    if occurrence.structure_id != entrainement.structure_id:
        raise ReservationRefusee("Ce créneau n'appartient pas à la structure de la personne.")
    if occurrence.annulee_at is not None:
        raise ReservationRefusee("Ce créneau est annulé ce jour-là.")
    if occurrence.starts_at <= now:
        raise ReservationRefusee("Ce créneau a déjà commencé : choisissez un créneau à venir.")
    if entrainement.statut == "reserve":
        raise ReservationRefusee("Cet entraînement est déjà réservé : déplacez-le plutôt.")
    if entrainement.statut != "a_planifier":
        raise ReservationRefusee("Cet entraînement n'est plus à planifier.")


def reserver(
    entrainement: Entrainement, occurrence: Occurrence, *, now: datetime, compte_id: int | None = None
) -> Reservation:
    """Book ``occurrence`` for ``entrainement``; flush only.

    :param now: the present moment (naive UTC): an occurrence that has started cannot be booked.
    :param compte_id: the account booking by hand; None for the sweep.
    :return: the new booking, "reservee"; the entraînement becomes "reserve" and loses its planner reason.
    :raise OccurrenceComplete: no place left (counted by the database).
    :raise ReservationRefusee: the occurrence is cancelled, started or of another structure; the entraînement is
        not to be booked (declined, done, missed) or already booked; its learner already has a booking that day.
    """
    _verifier(entrainement, occurrence, now)
    meme_jour = db.session.scalar(
        sa.select(Reservation.id).where(
            Reservation.apprenant_id == entrainement.apprenant_id,
            Reservation.jour == occurrence.jour,
            Reservation.statut.in_(("reservee", "honoree")),
        )
    )
    if meme_jour is not None:
        raise ReservationRefusee("La personne a déjà un entraînement ce jour-là.")
    pris = db.session.execute(
        sa.update(Occurrence)
        .where(
            Occurrence.id == occurrence.id,
            Occurrence.annulee_at.is_(None),
            Occurrence.places_prises < Occurrence.capacite,
        )
        .values(places_prises=Occurrence.places_prises + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(occurrence, ["places_prises", "annulee_at"])
    if pris.rowcount != 1:
        if occurrence.annulee_at is not None:
            raise ReservationRefusee("Ce créneau vient d'être annulé.")
        raise OccurrenceComplete("Ce créneau est complet.")
    reservation = Reservation(
        entrainement_id=entrainement.id,
        occurrence_id=occurrence.id,
        apprenant_id=entrainement.apprenant_id,
        jour=occurrence.jour,
        compte_id=compte_id,
    )
    db.session.add(reservation)
    entrainement.statut = "reserve"
    entrainement.motif_non_planifie = None
    db.session.flush()
    return reservation


def liberer(
    reservation: Reservation,
    statut: str,
    *,
    now: datetime,
    motif: str | None = None,
    compte_id: int | None = None,
) -> None:
    """Close a running booking: "annulee" (with ``motif``, a ``MOTIFS_ANNULATION`` code) or "absente" give its
    place back; "honoree" keeps it. Flush only.

    The entraînement follows: back to "a_planifier" after a cancellation (the next sweep books it again, unless
    the plan is stopped), "honore" when the learner came; after a no-show its ``absences`` count grows and it
    goes back to "a_planifier" (the ``relancer`` sweep decides whether to rebook it or to call the learner).

    :raise ValueError: on another status, a cancellation without a reason, or a booking that is not running.
    """
    if reservation.statut != "reservee":
        raise ValueError("seule une réservation en cours peut être close")
    if statut not in ("annulee", "absente", "honoree"):
        raise ValueError(f"statut de clôture inconnu : {statut!r}")
    if (statut == "annulee") != (motif is not None):
        raise ValueError("une annulation, et elle seule, a un motif")
    if statut != "honoree":
        db.session.execute(
            sa.update(Occurrence)
            .where(Occurrence.id == reservation.occurrence_id, Occurrence.places_prises > 0)
            .values(places_prises=Occurrence.places_prises - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(reservation.occurrence, ["places_prises"])
    reservation.statut = statut
    reservation.motif_annulation = motif
    reservation.cloturee_at = now
    reservation.cloturee_par_id = compte_id
    entrainement = reservation.entrainement
    if statut == "honoree":
        entrainement.statut = "honore"
    else:
        entrainement.statut = "a_planifier"
        if statut == "absente":
            entrainement.absences += 1
    db.session.flush()


def reserver_tous(
    affectations: Sequence[tuple[Entrainement, Occurrence]], *, now: datetime
) -> tuple[dict[int, Reservation], dict[int, ReservationRefusee]]:
    """Book many entraînements at once for the sweep (``compte_id`` None), with the rules and guarantees of
    :func:`reserver`, in a few statements instead of a few per booking; flush only.

    The places are taken by one conditional UPDATE of every occurrence at once: each takes all its bookings'
    places or none (``places_prises + n <= capacite``, not cancelled); when one does not (the mediator or
    another writer took places meanwhile), its bookings are made one by one with :func:`reserver`, which takes
    the places left and refuses the others. The learner's day is checked for the whole batch in one query; the
    partial unique indexes refuse what slips in between (IntegrityError at flush: the caller rolls back).

    :param affectations: (entraînement, occurrence) pairs, at most one per entraînement.
    :param now: the present moment (naive UTC).
    :return: entraînement id -> its new booking, and entraînement id -> the refusal (French message) for those
        not booked (the same refusals as :func:`reserver`).
    """
    faites: dict[int, Reservation] = {}
    refus: dict[int, ReservationRefusee] = {}
    candidates = []
    for entrainement, occurrence in affectations:
        try:
            _verifier(entrainement, occurrence, now)
        except ReservationRefusee as erreur:
            refus[entrainement.id] = erreur
        else:
            candidates.append((entrainement, occurrence))
    if not candidates:
        return faites, refus
    apprenants = {e.apprenant_id for e, _ in candidates}
    jours = {o.jour for _, o in candidates}
    pris = set(
        db.session.execute(
            sa.select(Reservation.apprenant_id, Reservation.jour).where(
                Reservation.apprenant_id.in_(apprenants),
                Reservation.jour.in_(jours),
                Reservation.statut.in_(("reservee", "honoree")),
            )
        ).all()
    )
    par_occurrence: dict[int, list[Entrainement]] = defaultdict(list)
    occurrences: dict[int, Occurrence] = {}
    for entrainement, occurrence in candidates:
        cle = (entrainement.apprenant_id, occurrence.jour)
        if cle in pris:
            refus[entrainement.id] = ReservationRefusee("La personne a déjà un entraînement ce jour-là.")
            continue
        pris.add(cle)
        par_occurrence[occurrence.id].append(entrainement)
        occurrences[occurrence.id] = occurrence
    if not par_occurrence:
        return faites, refus
    # One conditional UPDATE for every occurrence: each takes all its places or none (RETURNING says which).
    ajout = sa.case({oid: len(liste) for oid, liste in par_occurrence.items()}, value=Occurrence.id, else_=0)
    completes = set(
        db.session.scalars(
            sa.update(Occurrence)
            .where(
                Occurrence.id.in_(list(par_occurrence)),
                Occurrence.annulee_at.is_(None),
                Occurrence.places_prises + ajout <= Occurrence.capacite,
            )
            .values(places_prises=Occurrence.places_prises + ajout)
            .returning(Occurrence.id)
            .execution_options(synchronize_session=False)
        )
    )
    lignes = []
    for occurrence_id, entrainements in par_occurrence.items():
        occurrence = occurrences[occurrence_id]
        db.session.expire(occurrence, ["places_prises", "annulee_at"])
        if occurrence_id in completes:
            for entrainement in entrainements:
                lignes.append(
                    {
                        "entrainement_id": entrainement.id,
                        "occurrence_id": occurrence_id,
                        "apprenant_id": entrainement.apprenant_id,
                        "jour": occurrence.jour,
                        "statut": "reservee",
                        "created_at": now,
                    }
                )
            continue
        for entrainement in entrainements:  # places taken meanwhile: one by one, as many as are left
            try:
                faites[entrainement.id] = reserver(entrainement, occurrence, now=now)
            except ReservationRefusee as erreur:
                refus[entrainement.id] = erreur
    if lignes:
        # One UPDATE for the entraînements booked ("evaluate" sets the new values on the objects already loaded,
        # as committed; the unit of work would send one UPDATE per object), then the rows, then their ids in one
        # query. (An INSERT ... RETURNING of the 200 rows measured slower on PostgreSQL: psycopg converts its 1,200
        # placeholders each time, where the one-row INSERT sent 200 times in a pipeline is converted once.)
        db.session.execute(
            sa.update(Entrainement)
            .where(Entrainement.id.in_([ligne["entrainement_id"] for ligne in lignes]))
            .values(statut="reserve", motif_non_planifie=None)
            .execution_options(synchronize_session="evaluate")
        )
        db.session.execute(sa.insert(Reservation), lignes)
        for reservation in db.session.scalars(
            sa.select(Reservation).where(
                Reservation.entrainement_id.in_([ligne["entrainement_id"] for ligne in lignes]),
                Reservation.statut == "reservee",
            )
        ):
            faites[reservation.entrainement_id] = reservation
    db.session.flush()
    return faites, refus
