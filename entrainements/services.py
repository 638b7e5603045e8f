"""What the mediation team changes by hand in the practice sessions: the weekly slots, one occurrence cancelled,
a booking made, moved or cancelled (issue 10, items 1 and 6).

Every function flushes only; the route commits once, so a booking and its convocation, or a cancellation and the
messages it sends, are written together or not at all. Places are taken and given back only through
``entrainements.reservations`` (capacity counted by the database); messages are put in the outbox only through
``core.messagerie.depot.deposer`` (idempotent by their ``cle``). Rules raise :class:`~core.errors.DomainError`
with a French message, and the name of the form field to show it beside when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers.services import animateurs_of
from core import journal, versions
from core.errors import DomainError
from core.francais import nombre
from core.models import Compte, Message, Structure
from core.text import display_phone
from core.timeutil import date_fr, local_to_utc, structure_zone
from entrainements import creneaux as regles
from entrainements import textes
from entrainements.jobs import deposer_pour_reservation, rappel_prevu, seance_du_message
from entrainements.models import Creneau, Entrainement, Occurrence, Reservation
from entrainements.occurrences import ouvrir_occurrences
from entrainements.reservations import liberer, reserver
from extensions import db

# How far past an entraînement's window the next free occurrences are looked for when its choice is refused.
APRES_FENETRE = timedelta(days=28)
# The reason written on the occurrences to come of a slot stopped (they come back when it runs again).
MOTIF_CRENEAU_DESACTIVE = "Créneau désactivé"
# The reasons a booking is cancelled by hand (MOTIFS_ANNULATION codes).
MOTIFS_A_LA_MAIN = ("mediation", "apprenant")


# --- Slots -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonneesCreneau:
    """A slot as the form gives it: ``jour_semaine`` 0 (Monday) .. 5 (Saturday), ``debut``/``fin`` local wall
    clock, ``capacite`` places, ``lieu``, ``animateur_id`` (an account of the structure, or None)."""

    jour_semaine: int
    debut: time
    fin: time
    capacite: int
    lieu: str
    animateur_id: int | None = None

    @classmethod
    def de(cls, creneau: Creneau) -> DonneesCreneau:
        """The values ``creneau`` holds."""
        return cls(
            creneau.jour_semaine, creneau.debut, creneau.fin, creneau.capacite, creneau.lieu, creneau.animateur_id
        )

    def instantane(self) -> dict[str, Any]:
        """The snapshot of these values (``core.versions``), in the slot form's field names and form."""
        return {
            "jour_semaine": self.jour_semaine,
            "debut": self.debut.strftime("%H:%M"),
            "fin": self.fin.strftime("%H:%M"),
            "capacite": self.capacite,
            "lieu": self.lieu,
            "animateur": self.animateur_id,
        }


def instantane_creneau(creneau: Creneau) -> dict[str, Any]:
    """What the slot's edit page shows, as the snapshot its ``version`` field carries (``core.versions``)."""
    return {**DonneesCreneau.de(creneau).instantane(), "actif": creneau.actif}


def _verifier_creneau(structure_id: int, donnees: DonneesCreneau, animateur_a_verifier: bool = True) -> None:
    """The slot rules (``entrainements.creneaux.Creneau``: Monday to Saturday, end after start, 1-30 places, a
    place) and, unless ``animateur_a_verifier`` is False (the slot keeps the one it had, who may have left
    since), an animateur among the structure's active mediators and volunteers; each refusal beside its field."""
    champs = (
        ("jour_semaine", "jour"),
        ("fin", "fin"),
        ("capacite", "capacité"),
        ("lieu", "lieu"),
    )
    try:
        regles.Creneau(
            0, donnees.jour_semaine, donnees.debut, donnees.fin, donnees.capacite, (donnees.lieu or "").strip()
        )
    except ValueError as error:
        message = str(error)
        champ = next((nom for nom, mot in champs if mot in message.lower()), None)
        raise DomainError(message, field=champ) from None
    if (
        animateur_a_verifier
        and donnees.animateur_id is not None
        and not animateurs_of(structure_id, [donnees.animateur_id])
    ):
        raise DomainError("Choisissez l'animateur parmi les comptes actifs de la structure.", field="animateur")


def creer_creneau(auteur: Compte, donnees: DonneesCreneau) -> Creneau:
    """Add a weekly slot to ``auteur``'s structure; its occurrences are created as the calendar or the booking
    horizon reaches them. Flush only; journaled.

    :raise DomainError: a rule of :func:`_verifier_creneau` refuses a value (``field`` names it).
    """
    _verifier_creneau(auteur.structure_id, donnees)
    creneau = Creneau(structure_id=auteur.structure_id, **{**asdict(donnees), "lieu": donnees.lieu.strip()})
    db.session.add(creneau)
    db.session.flush()
    journal.record(auteur, "creation", "creneau", creneau.id, f"jour {creneau.jour_semaine}")
    return creneau


def _occurrences_a_venir(creneau: Creneau, now: datetime) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.creneau_id == creneau.id, Occurrence.starts_at > now, Occurrence.annulee_at.is_(None))
            .order_by(Occurrence.starts_at)
        )
    )


def modifier_creneau(
    auteur: Compte, creneau: Creneau, donnees: DonneesCreneau, *, now: datetime, vu: Mapping[str, Any] | None
) -> Creneau:
    """Change a slot of ``auteur``'s structure. Flush only; journaled (field names, no values).

    A new capacity applies to the occurrences to come that do not hold more bookings than it (the ones already
    past keep theirs). A new weekday or new times move the occurrences to come that hold no booking (an empty
    one on another weekday is removed, or cancelled when cancelled bookings refer to it, and created again on
    the new day as the calendar reaches it).

    :param vu: the snapshot the page showed (``core.versions.lire``, :func:`instantane_creneau`); None skips the
        check (a caller without a page).
    :param now: the present moment (naive UTC): what starts after it is "to come".
    :raise versions.ModifieEntreTemps: someone saved the slot since the page was opened; nothing written.
    :raise DomainError: a value is refused (see :func:`creer_creneau`); the capacity is below the bookings an
        occurrence to come holds, or the weekday or times change while one holds bookings (the day is named).
    """
    if creneau.structure_id != auteur.structure_id:
        raise DomainError("Ce créneau n'appartient pas à votre structure.")
    versions.verrouiller(creneau)
    if vu is not None:
        versions.exiger_inchange(vu, instantane_creneau(creneau), versions.par_journal("creneau", creneau.id))
    avant = DonneesCreneau.de(creneau)
    _verifier_creneau(auteur.structure_id, donnees, donnees.animateur_id != avant.animateur_id)
    a_venir = _occurrences_a_venir(creneau, now)
    trop_pleine = next((o for o in a_venir if o.places_prises > donnees.capacite), None)
    if trop_pleine is not None:
        raise DomainError(
            f"Le {date_fr(trop_pleine.jour)}, ce créneau compte déjà "
            f"{nombre(trop_pleine.places_prises, 'réservation')} : la capacité ne peut pas descendre en dessous. "
            "Déplacez des personnes ou annulez cette occurrence d'abord.",
            field="capacite",
        )
    horaires = (donnees.jour_semaine, donnees.debut, donnees.fin)
    horaires_changent = horaires != (avant.jour_semaine, avant.debut, avant.fin)
    if horaires_changent:
        reservee = next((o for o in a_venir if o.places_prises > 0), None)
        if reservee is not None:
            champ = "jour_semaine" if donnees.jour_semaine != avant.jour_semaine else "debut"
            raise DomainError(
                f"Le {date_fr(reservee.jour)}, ce créneau compte "
                f"{nombre(reservee.places_prises, 'réservation')} : déplacez ces personnes ou annulez cette "
                "occurrence avant de changer le jour ou les heures.",
                field=champ,
            )
        _deplacer_occurrences_vides(creneau, a_venir, donnees, now)
    if donnees.capacite != avant.capacite:
        # Conditional: a booking made since the check keeps its occurrence's capacity (never below its places).
        db.session.execute(
            sa.update(Occurrence)
            .where(
                Occurrence.creneau_id == creneau.id,
                Occurrence.starts_at > now,
                Occurrence.annulee_at.is_(None),
                Occurrence.places_prises <= donnees.capacite,
            )
            .values(capacite=donnees.capacite)
            .execution_options(synchronize_session=False)
        )
    for nom, valeur in {**asdict(donnees), "lieu": donnees.lieu.strip()}.items():
        setattr(creneau, nom, valeur)
    changes = [nom for nom, valeur in asdict(donnees).items() if getattr(avant, nom) != valeur]
    journal.record(auteur, "modification", "creneau", creneau.id, "champs : " + (", ".join(changes) or "aucun"))
    db.session.flush()
    db.session.expire_all()
    return creneau


def _deplacer_occurrences_vides(
    creneau: Creneau, a_venir: list[Occurrence], donnees: DonneesCreneau, now: datetime
) -> None:
    """Give the occurrences to come (none holds a booking) the slot's new times, or remove them when the
    weekday changes (cancelled instead when a cancelled booking refers to one, to keep that history).

    Each write is conditional on the occurrence still holding no place, so a booking a sweep makes meanwhile is
    never moved under the learner's feet: the change is refused instead (the caller rolls back).

    :raise DomainError: a booking arrived on one of them since they were read (the day is named).
    """
    if not a_venir:
        return
    zone = structure_zone(creneau.structure)
    meme_jour = donnees.jour_semaine == creneau.jour_semaine
    avec_historique: set[int] = set()
    if not meme_jour:
        avec_historique = set(
            db.session.scalars(
                sa.select(Reservation.occurrence_id).where(Reservation.occurrence_id.in_([o.id for o in a_venir]))
            )
        )
    for occurrence in a_venir:
        vide = (Occurrence.id == occurrence.id, Occurrence.places_prises == 0)
        if meme_jour:
            ecriture = (
                sa.update(Occurrence)
                .where(*vide)
                .values(
                    starts_at=local_to_utc(occurrence.jour, donnees.debut, zone),
                    ends_at=local_to_utc(occurrence.jour, donnees.fin, zone),
                )
            )
        elif occurrence.id in avec_historique:
            ecriture = (
                sa.update(Occurrence).where(*vide).values(annulee_at=now, motif_annulation="Jour du créneau changé")
            )
        else:
            ecriture = sa.delete(Occurrence).where(*vide)
        if db.session.execute(ecriture.execution_options(synchronize_session=False)).rowcount != 1:
            raise DomainError(
                f"Une réservation vient d'arriver le {date_fr(occurrence.jour)} : rien n'a été changé. Déplacez "
                "cette personne ou annulez cette occurrence avant de changer le jour ou les heures.",
                field="debut" if meme_jour else "jour_semaine",
            )
    db.session.expire_all()


def desactiver_creneau(auteur: Compte, creneau: Creneau, *, now: datetime) -> list[Reservation]:
    """Stop a slot: no more occurrences; those to come are cancelled with :func:`annuler_occurrence` (the
    learners booked there are told and rebooked by the next sweep). Flush only; journaled.

    :return: the bookings cancelled.
    :raise DomainError: the slot is of another structure or already stopped.
    """
    if creneau.structure_id != auteur.structure_id:
        raise DomainError("Ce créneau n'appartient pas à votre structure.")
    versions.verrouiller(creneau)
    if not creneau.actif:
        raise DomainError("Ce créneau est déjà désactivé.")
    creneau.actif = False
    annulees: list[Reservation] = []
    for occurrence in _occurrences_a_venir(creneau, now):
        annulees += annuler_occurrence(auteur, occurrence, MOTIF_CRENEAU_DESACTIVE, now)
    journal.record(auteur, "modification", "creneau", creneau.id, "champs : actif")
    db.session.flush()
    return annulees


def reactiver_creneau(auteur: Compte, creneau: Creneau, *, now: datetime) -> None:
    """Run a stopped slot again: the occurrences to come that stopping it cancelled are open again (their
    bookings stay cancelled: those entraînements were booked elsewhere or wait for the next sweep), the others
    come as the calendar reaches them. Flush only; journaled.

    :raise DomainError: the slot is of another structure or already running.
    """
    if creneau.structure_id != auteur.structure_id:
        raise DomainError("Ce créneau n'appartient pas à votre structure.")
    versions.verrouiller(creneau)
    if creneau.actif:
        raise DomainError("Ce créneau est déjà actif.")
    creneau.actif = True
    db.session.execute(
        sa.update(Occurrence)
        .where(
            Occurrence.creneau_id == creneau.id,
            Occurrence.starts_at > now,
            Occurrence.motif_annulation == MOTIF_CRENEAU_DESACTIVE,
        )
        .values(annulee_at=None, motif_annulation=None, annulee_par_id=None)
        .execution_options(synchronize_session="fetch")
    )
    journal.record(auteur, "modification", "creneau", creneau.id, "champs : actif")
    db.session.flush()


# --- Messages --------------------------------------------------------------------------------------------------


def _seance(reservation: Reservation, structure: Structure) -> textes.Seance:
    telephone = display_phone(structure.telephone) if structure.telephone else ""
    prenom = reservation.entrainement.apprenant.prenom
    return seance_du_message(prenom, reservation.occurrence, structure, structure_zone(structure), telephone)


def convoquer(reservation: Reservation, structure: Structure, *, now: datetime) -> Message | None:
    """Put the convocation of ``reservation`` in the outbox (cle ``convocation:<id>``, valid until the session
    starts; it says no reminder follows when the session is less than 48 h away). Flush only.

    :return: the message; None when no channel reaches the learner (``canal_pour``: the mediator must call) or
        the convocation exists already.
    """
    occurrence = reservation.occurrence
    seance, rang = _seance(reservation, structure), reservation.entrainement.rang
    return deposer_pour_reservation(
        "convocation",
        reservation.id,
        reservation.entrainement.apprenant,
        occurrence.starts_at,
        lambda canal: textes.convocation(seance, canal, rang, rappel_prevu=rappel_prevu(occurrence.starts_at, now)),
        now=now,
    )


def _prevenir_annulation(reservation: Reservation, structure: Structure, *, now: datetime) -> Message | None:
    """The cancellation notice of ``reservation`` (cle ``annulation:<id>``), when a channel reaches the learner."""
    seance = _seance(reservation, structure)
    return deposer_pour_reservation(
        "annulation",
        reservation.id,
        reservation.entrainement.apprenant,
        reservation.occurrence.starts_at,
        lambda canal: textes.annulation(seance, canal),
        now=now,
    )


def _abandonner_messages(reservation_ids: list[int]) -> None:
    """The convocations and reminders of these bookings not sent yet: "abandonne" (never sent)."""
    if not reservation_ids:
        return
    cles = [f"{sorte}:{rid}" for rid in reservation_ids for sorte in ("convocation", "rappel")]
    db.session.execute(
        sa.update(Message)
        .where(Message.cle.in_(cles), Message.statut == "a_envoyer")
        .values(statut="abandonne")
        .execution_options(synchronize_session="fetch")
    )


# --- One occurrence cancelled --------------------------------------------------------------------------------


def annuler_occurrence(auteur: Compte, occurrence: Occurrence, motif: str, now: datetime) -> list[Reservation]:
    """Cancel one dated occurrence (closure, animateur away...). Flush only; journaled (ids and counts).

    Each running booking there is cancelled (``liberer``, motif "occurrence_annulee"), its learner gets one
    cancellation message (``annulation:<reservation id>``, valid until the occurrence's start) when a channel
    reaches them, its convocation and reminder not sent yet are abandoned, and its entraînement goes back to
    "a_planifier": the next booking sweep books it elsewhere and its convocation gives the new date.

    :param motif: why, in the mediator's words (kept on the occurrence, not in the journal); 1-160 characters.
    :param now: the present moment (naive UTC).
    :return: the bookings cancelled.
    :raise DomainError: the occurrence is of another structure, cancelled already or started; no reason given.
    """
    motif = (motif or "").strip()
    if occurrence.structure_id != auteur.structure_id:
        raise DomainError("Ce créneau n'appartient pas à votre structure.")
    if not motif:
        raise DomainError("Indiquez pourquoi ce créneau est annulé.", field="motif")
    if len(motif) > 160:
        raise DomainError("160 caractères au plus.", field="motif")
    if occurrence.starts_at <= now:
        raise DomainError("Ce créneau a déjà commencé : il ne peut plus être annulé.")
    # Conditional: the sweep's conditional UPDATE books only an occurrence not cancelled, so after this row is
    # written (and locked until commit) no booking can land here; the bookings read next are all of them.
    fait = db.session.execute(
        sa.update(Occurrence)
        .where(Occurrence.id == occurrence.id, Occurrence.annulee_at.is_(None))
        .values(annulee_at=now, motif_annulation=motif, annulee_par_id=auteur.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(occurrence)
    if fait.rowcount != 1:
        raise DomainError("Ce créneau est déjà annulé ce jour-là.")
    reservations = list(
        db.session.scalars(
            sa.select(Reservation)
            .where(Reservation.occurrence_id == occurrence.id, Reservation.statut == "reservee")
            .options(joinedload(Reservation.entrainement).joinedload(Entrainement.apprenant))
            .order_by(Reservation.id)
        )
    )
    structure = db.session.get(Structure, auteur.structure_id)
    for reservation in reservations:
        liberer(reservation, "annulee", now=now, motif="occurrence_annulee", compte_id=auteur.id)
        _prevenir_annulation(reservation, structure, now=now)
    _abandonner_messages([r.id for r in reservations])
    journal.record(
        auteur, "modification", "occurrence", occurrence.id, f"annulation ; réservations annulées : {len(reservations)}"
    )
    db.session.flush()
    return reservations


# --- Booking, moving, cancelling by hand ----------------------------------------------------------------------


@dataclass(frozen=True)
class Proposition:
    """A free occurrence offered instead of a refused choice; ``dans_fenetre`` False: after the window."""

    occurrence: Occurrence
    dans_fenetre: bool


def occurrences_proposables(entrainement: Entrainement, *, now: datetime, today) -> list[Occurrence]:
    """The occurrences to come an entraînement may be booked in, by start: from today (or its window's start)
    to 28 days after its window, cancelled and full ones included (the page marks them). Creates the missing
    occurrence rows of that period (``ouvrir_occurrences``); flush only. A few queries whatever their number.
    """
    debut = max(today, entrainement.debut_on)
    fin = max(entrainement.fin_on, today) + APRES_FENETRE
    structure = db.session.get(Structure, entrainement.structure_id)
    ouvrir_occurrences(structure, debut, fin)
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Occurrence.creneau)
            .options(sa.orm.contains_eager(Occurrence.creneau))
            .where(
                Occurrence.structure_id == entrainement.structure_id,
                Occurrence.jour.between(debut, fin),
                Occurrence.starts_at > now,
            )
            .order_by(Occurrence.starts_at, Occurrence.creneau_id)
        )
    )


def propositions(entrainement: Entrainement, occurrences: list[Occurrence], *, limite: int = 5) -> list[Proposition]:
    """The next free occurrences for ``entrainement`` among ``occurrences`` (by start): those in its window
    first, then those after it, at most ``limite``; a day the learner already has a booking is left out."""
    jours_pris = set(
        db.session.scalars(
            sa.select(Reservation.jour).where(
                Reservation.apprenant_id == entrainement.apprenant_id,
                Reservation.statut.in_(("reservee", "honoree")),
            )
        )
    )
    libres = [
        o for o in occurrences if o.annulee_at is None and o.places_prises < o.capacite and o.jour not in jours_pris
    ]
    dedans = [Proposition(o, True) for o in libres if entrainement.debut_on <= o.jour <= entrainement.fin_on]
    apres = [Proposition(o, False) for o in libres if o.jour > entrainement.fin_on]
    return (dedans + apres)[:limite]


def _occurrence_de(auteur: Compte, occurrence_id: int | None) -> Occurrence:
    occurrence = (
        db.session.scalar(
            sa.select(Occurrence).where(Occurrence.id == occurrence_id, Occurrence.structure_id == auteur.structure_id)
        )
        if occurrence_id is not None
        else None
    )
    if occurrence is None:
        raise DomainError("Choisissez un créneau dans la liste.", field="occurrence")
    return occurrence


def reserver_a_la_main(
    auteur: Compte, entrainement: Entrainement, occurrence_id: int | None, *, now: datetime
) -> tuple[Reservation, Message | None]:
    """Book ``entrainement`` in the occurrence chosen by the mediator, and put its convocation in the outbox.
    Flush only; journaled. The capacity is checked again by the database (``reserver``).

    :return: the booking and its convocation (None: no channel reaches the learner; the mediator calls).
    :raise DomainError: the plan is paused or declined; (``field`` "occurrence") no such occurrence in the
        structure, or the booking is refused (``ReservationRefusee``, ``OccurrenceComplete``: full, cancelled,
        started, the learner booked that day...).
    """
    if entrainement.structure_id != auteur.structure_id:
        raise DomainError("Cet entraînement n'appartient pas à votre structure.")
    if entrainement.plan.statut != "actif":
        raise DomainError(
            "Les entraînements de cette personne sont en pause ou refusés : reprenez-les avant de réserver."
        )
    occurrence = _occurrence_de(auteur, occurrence_id)
    reservation = _reserver(auteur, entrainement, occurrence, now)
    message = convoquer(reservation, db.session.get(Structure, auteur.structure_id), now=now)
    journal.record(auteur, "creation", "reservation", reservation.id, f"entrainement {entrainement.id}")
    return reservation, message


def _reserver(auteur: Compte, entrainement: Entrainement, occurrence: Occurrence, now: datetime) -> Reservation:
    try:
        return reserver(entrainement, occurrence, now=now, compte_id=auteur.id)
    except DomainError as error:
        raise DomainError(error.message, field="occurrence") from None


def _reservation_en_cours(auteur: Compte, reservation: Reservation) -> None:
    if reservation.entrainement.structure_id != auteur.structure_id:
        raise DomainError("Cette réservation n'appartient pas à votre structure.")
    if reservation.statut != "reservee":
        raise DomainError("Cette réservation n'est plus en cours : rechargez la page.")


def deplacer_reservation(
    auteur: Compte, reservation: Reservation, occurrence_id: int | None, *, now: datetime
) -> tuple[Reservation, Message | None]:
    """Move a running booking to another occurrence, in one transaction: the old one cancelled (motif
    "deplacee", its convocation and reminder not sent yet abandoned), the new one booked (capacity re-checked by
    the database) with a new convocation (``convocation:<new id>``). Flush only; journaled.

    :return: the new booking and its convocation (None: no channel reaches the learner).
    :raise DomainError: the booking is not running or of another structure; (``field`` "occurrence") the same
        occurrence, or the new one refused (full, cancelled, started...): then nothing is changed.
    """
    _reservation_en_cours(auteur, reservation)
    occurrence = _occurrence_de(auteur, occurrence_id)
    if occurrence.id == reservation.occurrence_id:
        raise DomainError("La personne est déjà réservée sur ce créneau : choisissez-en un autre.", field="occurrence")
    entrainement = reservation.entrainement
    liberer(reservation, "annulee", now=now, motif="deplacee", compte_id=auteur.id)
    _abandonner_messages([reservation.id])
    nouvelle = _reserver(auteur, entrainement, occurrence, now)
    message = convoquer(nouvelle, db.session.get(Structure, auteur.structure_id), now=now)
    journal.record(auteur, "modification", "reservation", reservation.id, f"deplacee vers la reservation {nouvelle.id}")
    return nouvelle, message


def annuler_reservation(auteur: Compte, reservation: Reservation, motif: str, *, now: datetime) -> Message | None:
    """Cancel a running booking by hand: ``motif`` "apprenant" (the learner called: no message) or "mediation"
    (the structure cancels: the learner gets a cancellation notice). Its convocation and reminder not sent yet
    are abandoned; the entraînement goes back to "a_planifier" (the next sweep books it again). Flush only;
    journaled.

    :return: the cancellation notice, if one was written.
    :raise DomainError: another reason, a booking not running or of another structure.
    """
    if motif not in MOTIFS_A_LA_MAIN:
        raise DomainError("Choisissez qui annule.", field="motif")
    _reservation_en_cours(auteur, reservation)
    liberer(reservation, "annulee", now=now, motif=motif, compte_id=auteur.id)
    _abandonner_messages([reservation.id])
    message = None
    if motif == "mediation":
        message = _prevenir_annulation(reservation, db.session.get(Structure, auteur.structure_id), now=now)
    journal.record(auteur, "modification", "reservation", reservation.id, f"annulation ; motif {motif}")
    return message
