"""The practice sweeps run by the scheduler (``scheduler.py``): ``reserver``, ``rappeler``, ``relancer``.

Each is an idempotent sweep over domain rows (run it twice: the effect happens once) and works one structure at
a time in its own short transaction: the structure's row is locked first (``core.versions.verrouiller``: of two
sweeps at once the second waits, then finds the work done), everything it writes for that structure (plans,
occurrences, bookings, messages, alerts) is committed together, and a failure rolls that structure back (a
booking is never left without its convocation), is logged with the structure's id only, and is retried by the
next run while the other structures go on.

Bookings and messages are written by their primitives only (``entrainements.reservations.reserver_tous``,
``core.messagerie.depot.deposer`` and ``deposer_tous``): capacity is counted by the database, a message key is
unique. A learner whom no channel reaches (``canal_pour`` None) is booked without a message;
:func:`entrainements.plans.sans_moyen_de_contact` lists them for the mediator. A paused or declined plan gets no
booking and no message.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from ateliers.models import Alerte
from core import journal, versions
from core.francais import nombre
from core.messagerie.depot import canal_pour, deposer, deposer_tous
from core.models import Apprenant, Message, Structure
from core.text import display_phone
from core.timeutil import local_today, structure_zone, to_local
from entrainements import textes
from entrainements.creneaux import demi_journee
from entrainements.models import Entrainement, Occurrence, PlanEntrainement, Reservation
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.planification import EntrainementAPlacer, OccurrenceCreneau, ReservationExistante, planifier
from entrainements.plans import creer_plans
from entrainements.reservations import reserver_tous
from extensions import db

log = logging.getLogger(__name__)

HORIZON_PAR_DEFAUT = 21
# A reminder goes this long before a session; a session booked closer than that gets no reminder (its
# convocation says so).
DELAI_RAPPEL = timedelta(hours=48)
# After a first no-show: the new window runs from tomorrow for this many days, its target that many days after
# tomorrow (see :func:`relancer`).
RELANCE_FENETRE_JOURS = 14
RELANCE_CIBLE_JOURS = 2
REGLE_MANQUES = "entrainements_manques"
MOTIF_MANQUES = "deux entraînements manqués"


@dataclass
class Bilan:
    """What a run did (counts only, for the log and the tests); ``echecs``: ids of the structures rolled back."""

    plans: int = 0
    reservations: int = 0
    convocations: int = 0
    sans_canal: int = 0
    non_planifies: int = 0
    refusees: int = 0
    rappels: int = 0
    relances: int = 0
    manques: int = 0
    echecs: list[int] = field(default_factory=list)

    def ajouter(self, autre: Bilan) -> None:
        for f in fields(self):
            if f.name == "echecs":
                self.echecs.extend(autre.echecs)
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(autre, f.name))

    def en_mots(self) -> str:
        """The non-zero counts in French, for the journal (counts only, never names); empty when nothing
        happened."""
        mots = (
            ("plans", "plan créé", "plans créés"),
            ("reservations", "réservation", "réservations"),
            ("convocations", "convocation", "convocations"),
            ("sans_canal", "personne sans moyen de contact", "personnes sans moyen de contact"),
            ("refusees", "réservation refusée", "réservations refusées"),
            ("rappels", "rappel", "rappels"),
            ("relances", "nouvelle date après une absence", "nouvelles dates après une absence"),
            ("manques", "entraînement manqué deux fois", "entraînements manqués deux fois"),
        )
        return ", ".join(nombre(getattr(self, nom), un, plusieurs) for nom, un, plusieurs in mots if getattr(self, nom))

    def __str__(self) -> str:
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


def rappel_du(debut: datetime, reservee_le: datetime, now: datetime) -> bool:
    """Whether the reminder of a session starting at ``debut``, booked at ``reservee_le``, is due at ``now`` (all
    naive UTC): from 48 hours before the start until the start, and only for a booking made at least 48 hours
    before it (a later one's convocation said no reminder would follow). Pure."""
    return debut - DELAI_RAPPEL <= now < debut and reservee_le <= debut - DELAI_RAPPEL


def rappel_prevu(debut: datetime, now: datetime) -> bool:
    """Whether a session starting at ``debut`` and booked at ``now`` will get its reminder (48 hours or more
    ahead), which its convocation announces. Pure."""
    return debut - now >= DELAI_RAPPEL


def horizon_jours() -> int:
    """Days ahead the sweep books (``ENTRAINEMENTS_HORIZON_JOURS``, 21 by default)."""
    return int(current_app.config.get("ENTRAINEMENTS_HORIZON_JOURS", HORIZON_PAR_DEFAUT))


def _par_structure(nom: str, now: datetime, travail: Callable[[Structure, datetime], Bilan]) -> Bilan:
    """Run ``travail`` for each structure, one transaction each, the structure's row locked first, journaled with
    its counts when it did something; a structure that fails is rolled back, logged by id and counted in
    ``echecs``; the others go on."""
    total = Bilan()
    for structure_id in db.session.scalars(sa.select(Structure.id).order_by(Structure.id)).all():
        try:
            structure = db.session.get(Structure, structure_id)
            versions.verrouiller(structure)
            bilan = travail(structure, now)
            if bilan.en_mots():
                journal.record(
                    None, "creation", "entrainement", None, f"{nom} : {bilan.en_mots()}", structure_id=structure_id
                )
            db.session.commit()
            total.ajouter(bilan)
        except Exception:  # one structure's failure must not stop the others: rolled back, retried next run
            db.session.rollback()
            log.exception("%s sweep: structure %s failed", nom, structure_id)
            total.echecs.append(structure_id)
    log.info("%s sweep: %s", nom, total)
    return total


# --- reserver ---------------------------------------------------------------------------------------------------


def reserver(now: datetime) -> Bilan:
    """Book the practice sessions due within the horizon and put their convocations in the outbox.

    For each structure, in one transaction: the plans of the finished inscriptions that have none
    (:func:`~entrainements.plans.creer_plans`); the occurrence rows from the structure's today to today +
    ``ENTRAINEMENTS_HORIZON_JOURS``; then the entraînements "a_planifier" of running plans, never missed, whose
    window is not over and whose target day is within the horizon (their window clipped to today on) are placed
    by the planner (``entrainements.planification.planifier``) on the occurrences not cancelled and not started,
    with their free places, the learners' bookings already made counted.

    Due on the target, not on the window's start: a window wider than the horizon (±18 days at +90) would
    otherwise be booked at its first day as soon as that day entered the horizon, far from the target, and no
    later run could move it nearer.

    The bookings are written with ``entrainements.reservations.reserver_tous`` (the rules of ``reserver``, a
    few statements for the whole structure) and their convocations with ``core.messagerie.depot.deposer_tous``
    (key ``convocation:<reservation id>``, the learner's channel, valid until the session starts, "no reminder
    will follow" when it is less than 48 hours away). A booking refused at write time (a place taken by the
    mediator meanwhile) leaves the entraînement "a_planifier" with the reason, for the next run. The others keep
    the planner's reason in ``motif_non_planifie``.

    :param now: the moment of the run (naive UTC).
    :return: the counts of the whole run.
    """
    return _par_structure("reserver", now, _reserver_structure)


def _reserver_structure(structure: Structure, now: datetime) -> Bilan:
    today = local_today(now, structure_zone(structure))
    fin = today + timedelta(days=horizon_jours())
    plans = creer_plans(structure, now)
    ouvrir_occurrences(structure, today, fin)
    dus = _dus(structure.id, today, fin, Entrainement.absences == 0)
    bilan = _placer(structure, dus, now, today, fin)
    bilan.plans = plans
    return bilan


def _dus(structure_id: int, today: date, fin: date, *conditions) -> list[tuple[Entrainement, date, Apprenant]]:
    """The structure's entraînements "a_planifier" of running plans whose window is not over and whose target is
    at most ``fin``, with their plan's end of workshop and their learner; one query."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Entrainement, PlanEntrainement.fin_atelier_on, Apprenant)
            .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
            .join(Apprenant, Apprenant.id == Entrainement.apprenant_id)
            .where(
                Entrainement.structure_id == structure_id,
                Entrainement.statut == "a_planifier",
                PlanEntrainement.statut == "actif",
                Entrainement.fin_on >= today,
                Entrainement.cible_on <= fin,
                *conditions,
            )
            .order_by(Entrainement.id)
        ).all()
    ]


def _placer(
    structure: Structure,
    dus: Sequence[tuple[Entrainement, date, Apprenant]],
    now: datetime,
    today: date,
    fin: date,
) -> Bilan:
    """Plan ``dus`` on the structure's occurrences from ``today`` to ``fin`` and write the result (bookings,
    convocations, reasons); a few queries, plus one UPDATE per occurrence booked."""
    bilan = Bilan()
    if not dus:
        return bilan
    occurrences = occurrences_entre(structure.id, today, fin)
    par_id = {o.id: o for o in occurrences}
    apprenants = {apprenant.id for _, _, apprenant in dus}
    existantes = [
        ReservationExistante(occurrence_id, apprenant_id)
        for occurrence_id, apprenant_id in db.session.execute(
            sa.select(Reservation.occurrence_id, Reservation.apprenant_id).where(
                Reservation.apprenant_id.in_(apprenants),
                Reservation.jour.between(today, fin),
                Reservation.statut.in_(("reservee", "honoree")),
            )
        )
        if occurrence_id in par_id
    ]
    # Every occurrence of the period is given, so a booking already made on any of them blocks its day; only
    # those not cancelled and not started have places to give.
    creneaux = [
        OccurrenceCreneau(
            id=o.id,
            jour=o.jour,
            demi_journee=demi_journee(o.creneau.jour_semaine, o.creneau.debut),
            places_libres=(o.capacite - o.places_prises) if o.annulee_at is None and o.starts_at > now else 0,
        )
        for o in occurrences
    ]
    a_placer = [
        EntrainementAPlacer(
            id=e.id,
            apprenant_id=e.apprenant_id,
            rang=e.rang,
            date_cible=e.cible_on,
            debut=max(e.debut_on, today),
            fin=e.fin_on,
            disponibilites=apprenant.disponibilites,
            fin_atelier=fin_atelier_on,
        )
        for e, fin_atelier_on, apprenant in dus
    ]
    planification = planifier(a_placer, creneaux, existantes)
    for entrainement, _, _ in dus:
        if entrainement.id in planification.motifs:
            entrainement.motif_non_planifie = planification.motifs[entrainement.id][:255]
            bilan.non_planifies += 1
    reservations, refus = reserver_tous(
        [(e, par_id[planification.affectation[e.id]]) for e, _, _ in dus if e.id in planification.affectation],
        now=now,
    )
    par_entrainement = {e.id: e for e, _, _ in dus}
    for entrainement_id, erreur in refus.items():
        # A place or a day taken meanwhile (by the mediator): the next run plans it again.
        entrainement = par_entrainement[entrainement_id]
        entrainement.motif_non_planifie = f"{erreur.message} Nouvel essai au prochain passage."[:255]
        bilan.refusees += 1
    zone = structure_zone(structure)
    telephone = display_phone(structure.telephone) if structure.telephone else ""
    messages = []
    for entrainement, _, apprenant in dus:
        reservation = reservations.get(entrainement.id)
        if reservation is None:
            continue
        bilan.reservations += 1
        occurrence = par_id[reservation.occurrence_id]
        seance = seance_du_message(apprenant.prenom, occurrence, structure, zone, telephone)
        valeurs = message_de_reservation(
            "convocation",
            reservation.id,
            apprenant,
            occurrence.starts_at,
            lambda canal, seance=seance, rang=entrainement.rang, debut=occurrence.starts_at: textes.convocation(
                seance, canal, rang, rappel_prevu=rappel_prevu(debut, now)
            ),
        )
        if valeurs is None:
            bilan.sans_canal += 1
            continue
        messages.append(valeurs)
    bilan.convocations = deposer_tous(messages, now=now)
    return bilan


def message_de_reservation(
    sorte: str, reservation_id: int, apprenant: Apprenant, debut: datetime, composer: Callable[[str], textes.Texte]
) -> dict | None:
    """The outbox message ``sorte`` ("convocation", "rappel", "annulation") of booking ``reservation_id``, as the
    keyword arguments of ``core.messagerie.depot.deposer`` (and ``deposer_tous``) less ``now``: key
    ``<sorte>:<reservation id>``, on the channel that reaches ``apprenant`` (``canal_pour``), its words from
    ``composer(canal)``, valid until the session's start ``debut`` (naive UTC). None when no channel reaches the
    learner (the mediator must call)."""
    canal = canal_pour(apprenant)
    if canal is None:
        return None
    texte = composer(canal)
    return {
        "apprenant": apprenant,
        "cle": f"{sorte}:{reservation_id}",
        "type": sorte,
        "canal": canal,
        "objet": texte.objet,
        "corps": texte.corps,
        "valable_jusqu_a": debut,
    }


def deposer_pour_reservation(
    sorte: str,
    reservation_id: int,
    apprenant: Apprenant,
    debut: datetime,
    composer: Callable[[str], textes.Texte],
    *,
    now: datetime,
) -> Message | None:
    """Put the message of :func:`message_de_reservation` in the outbox once; flush only.

    :return: the message; None when no channel reaches the learner, or the message exists already.
    """
    valeurs = message_de_reservation(sorte, reservation_id, apprenant, debut, composer)
    return deposer(**valeurs, now=now) if valeurs is not None else None


def seance_du_message(prenom: str, occurrence: Occurrence, structure: Structure, zone, telephone: str):
    """The practice session as the messages say it (``entrainements.textes.Seance``): the learner's first name,
    the occurrence's start on the structure's wall clock (``zone``), its slot's place, the structure's name and
    its phone number as displayed (``telephone``, may be empty). The slot must be loaded with the occurrence."""
    return textes.Seance(
        prenom=prenom,
        debut=to_local(occurrence.starts_at, zone).replace(tzinfo=None),
        lieu=occurrence.creneau.lieu,
        structure=structure.nom,
        telephone=telephone,
    )


# --- rappeler ---------------------------------------------------------------------------------------------------


def rappeler(now: datetime) -> Bilan:
    """Put in the outbox the reminder of each running booking whose session starts within 48 hours.

    Not for a session that has started (nor for a cancelled occurrence), not for a booking made less than 48
    hours before its start (its convocation said no reminder would follow), not for a paused or declined plan,
    not for a learner no channel reaches. Key ``rappel:<reservation id>`` (written once), valid until the start.

    :param now: the moment of the run (naive UTC).
    """
    return _par_structure("rappeler", now, _rappeler_structure)


def _rappeler_structure(structure: Structure, now: datetime) -> Bilan:
    bilan = Bilan()
    deja = sa.exists().where(Message.cle == sa.literal("rappel:", sa.String) + sa.cast(Reservation.id, sa.String))
    rows = db.session.execute(
        sa.select(Reservation, Occurrence, Apprenant)
        .join(Occurrence, Occurrence.id == Reservation.occurrence_id)
        .join(Occurrence.creneau)
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
        .join(Apprenant, Apprenant.id == Reservation.apprenant_id)
        .options(contains_eager(Occurrence.creneau))
        .where(
            Occurrence.structure_id == structure.id,
            Reservation.statut == "reservee",
            PlanEntrainement.statut == "actif",
            Occurrence.annulee_at.is_(None),
            Occurrence.starts_at > now,
            Occurrence.starts_at <= now + DELAI_RAPPEL,
            ~deja,
        )
        .order_by(Reservation.id)
    ).all()
    zone = structure_zone(structure)
    telephone = display_phone(structure.telephone) if structure.telephone else ""
    for reservation, occurrence, apprenant in rows:
        if not rappel_du(occurrence.starts_at, reservation.created_at, now):
            continue
        seance = seance_du_message(apprenant.prenom, occurrence, structure, zone, telephone)
        composer = functools.partial(textes.rappel, seance)
        if deposer_pour_reservation("rappel", reservation.id, apprenant, occurrence.starts_at, composer, now=now):
            bilan.rappels += 1
    return bilan


# --- relancer ---------------------------------------------------------------------------------------------------


def relancer(now: datetime) -> Bilan:
    """After a no-show (``liberer(..., "absente")``: the entraînement is back "a_planifier", ``absences`` + 1).

    First no-show: rebooked once, automatically. Its entraînement gets a new window from tomorrow to 14 days
    later, target the day after tomorrow, then is booked at once like in :func:`reserver` (convocation
    included). Why: the spacing after the workshop is already broken, and what was not practised fades within
    weeks, so the sooner the better; but not the same day (the learner must hear of it: the target leaves two
    days to a letter or an SMS), and two weeks hold at least two occurrences of every weekly slot. The window
    is given once: only when it still starts on or before the day missed (the next run finds it moved). A later
    cancellation of that booking (a slot cancelled) is booked again in the same window.

    Second no-show: the entraînement becomes "manque" and the learner goes on the mediator's "À rappeler" list:
    an alert of rule ``entrainements_manques`` ("deux entraînements manqués") on the inscription the plan came
    from (reopened if it exists), which the workshop's recomputation leaves alone and a call covers
    (``ateliers.dropout.REGLES_APRES_ATELIER``). Paused or declined plans are left alone.

    :param now: the moment of the run (naive UTC).
    """
    return _par_structure("relancer", now, _relancer_structure)


def _relancer_structure(structure: Structure, now: datetime) -> Bilan:
    bilan = Bilan()
    today = local_today(now, structure_zone(structure))
    demain = today + timedelta(days=1)
    dernier_manque = (
        sa.select(sa.func.max(Reservation.jour))
        .where(Reservation.entrainement_id == Entrainement.id, Reservation.statut == "absente")
        .correlate(Entrainement)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Entrainement, PlanEntrainement.inscription_id, dernier_manque)
        .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
        .where(
            Entrainement.structure_id == structure.id,
            Entrainement.statut == "a_planifier",
            Entrainement.absences >= 1,
            PlanEntrainement.statut == "actif",
        )
        .order_by(Entrainement.id)
    ).all()
    for entrainement, inscription_id, manque_le in rows:
        if entrainement.absences >= 2:
            entrainement.statut = "manque"
            entrainement.motif_non_planifie = None
            _signaler(inscription_id, now)
            bilan.manques += 1
        elif manque_le is not None and entrainement.debut_on <= manque_le:
            entrainement.debut_on = demain
            entrainement.cible_on = demain + timedelta(days=RELANCE_CIBLE_JOURS - 1)
            entrainement.fin_on = demain + timedelta(days=RELANCE_FENETRE_JOURS - 1)
            bilan.relances += 1
    db.session.flush()
    fin = max(today + timedelta(days=horizon_jours()), demain + timedelta(days=RELANCE_FENETRE_JOURS))
    dus = _dus(structure.id, today, fin, Entrainement.absences == 1)
    if dus:
        ouvrir_occurrences(structure, today, fin)
        bilan.ajouter(_placer(structure, dus, now, today, fin))
    return bilan


def _signaler(inscription_id: int, now: datetime) -> None:
    """Open (or reopen) the alert "deux entraînements manqués" of the inscription; a reopened one is no longer
    covered by the call made before."""
    alerte = db.session.scalar(
        sa.select(Alerte).where(
            Alerte.inscription_id == inscription_id, Alerte.regle == REGLE_MANQUES, Alerte.seance_numero == 0
        )
    )
    if alerte is None:
        db.session.add(
            Alerte(
                inscription_id=inscription_id,
                regle=REGLE_MANQUES,
                niveau_risque="a_rappeler",
                seance_numero=0,
                message=MOTIF_MANQUES,
                created_at=now,
            )
        )
    elif alerte.resolved_at is not None or alerte.traitee_par_suivi_id is not None:
        alerte.resolved_at = None
        alerte.traitee_par_suivi_id = None
        alerte.message = MOTIF_MANQUES
