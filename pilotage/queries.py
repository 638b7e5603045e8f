"""SQL aggregates behind the indicators: counted and grouped by the database, returned as the plain rows of
``pilotage.indicateurs``.

Every function takes a collection of structure ids and a :class:`~pilotage.periode.Periode`, never the
signed-in account: a structure's dashboard passes its own id, a network's view the ids of its structures.
Each runs a fixed number of statements whatever the number of rows (tests/services/test_pilotage.py counts
them).

A period is made of local days. A moment (``*_at``, naive UTC) is in the period when it falls between the
first day's midnight and the day after the last, on the clock of the structure the row belongs to: with
structures in several time zones (Paris and La Réunion), the condition holds one pair of bounds per zone.
``fuseaux`` (structure id -> IANA zone name, :func:`fuseaux`) may be passed in to save the lookup.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ateliers.dropout import NIVEAUX_RISQUE, REGLES, REGLES_APRES_ATELIER
from ateliers.models import Alerte, Atelier, Inscription, Presence, Seance, Suivi, seance_animateur
from attestations.models import Attestation
from core.models import Apprenant, Structure
from core.timeutil import get_zone, local_to_utc, to_local
from entrainements.models import Entrainement, Reservation, ResultatEntrainement
from evaluations.models import Competence, EvaluationCompetence, Module, Positionnement
from extensions import db
from pilotage.indicateurs import (
    PRESENT,
    AcquisCompetence,
    Appel,
    Comptage,
    DelaiAttente,
    ParcoursCommences,
    Places,
    PresencesParStatut,
    RetourApresAppel,
)
from pilotage.periode import Periode

EN_ATTENTE = ("en_attente", "propose")


def fuseaux(structure_ids: Collection[int]) -> dict[int, str]:
    """Structure id -> its time zone's name, for the structures of ``structure_ids`` that exist."""
    return dict(
        db.session.execute(
            sa.select(Structure.id, Structure.fuseau_horaire).where(Structure.id.in_(list(structure_ids)))
        ).all()
    )


def _par_fuseau(structure_ids: Collection[int], zones: Mapping[int, str] | None) -> dict[str, list[int]]:
    zones = fuseaux(structure_ids) if zones is None else zones
    groupes: dict[str, list[int]] = {}
    for structure_id in sorted(structure_ids):
        if structure_id in zones:
            groupes.setdefault(zones[structure_id] or "", []).append(structure_id)
    return groupes


# Statements are built once per process and shape (the number of time zones among the structures), their values
# bound at each call: building a statement cost more than running it (core/access.py).


def _moment_dans(moment, structure_id, nombre_de_fuseaux: int, jusqu_a_maintenant: bool = False):
    """``moment`` (a UTC column) within the period on the clock of the row's structure (one pair of bounds per
    time zone: parameters ``ids_<k>``, ``debut_<k>``, ``fin_<k>``), and with ``jusqu_a_maintenant`` not after
    ``:now``."""
    conditions = [
        sa.and_(
            structure_id.in_(sa.bindparam(f"ids_{k}", expanding=True)),
            moment >= sa.bindparam(f"debut_{k}", type_=sa.DateTime),
            moment < sa.bindparam(f"fin_{k}", type_=sa.DateTime),
        )
        for k in range(nombre_de_fuseaux)
    ]
    condition = sa.or_(*conditions) if conditions else sa.false()
    return sa.and_(condition, moment <= sa.bindparam("now", type_=sa.DateTime)) if jusqu_a_maintenant else condition


def _valeurs(groupes: dict[str, list[int]], periode: Periode, now: datetime | None = None) -> dict:
    """The values of :func:`_moment_dans`'s parameters."""
    valeurs: dict = {"now": now} if now is not None else {}
    for k, (zone, ids) in enumerate(groupes.items()):
        valeurs[f"ids_{k}"] = ids
        valeurs[f"debut_{k}"] = local_to_utc(periode.debut, time(0), get_zone(zone))
        valeurs[f"fin_{k}"] = local_to_utc(periode.fin_exclue, time(0), get_zone(zone))
    return valeurs


def _ids():
    return sa.bindparam("ids", expanding=True)


def _jour_dans(jour):
    return jour.between(sa.bindparam("debut", type_=sa.Date), sa.bindparam("fin", type_=sa.Date))


def _jours(structure_ids: Collection[int], periode: Periode) -> dict:
    return {"ids": sorted(structure_ids), "debut": periode.debut, "fin": periode.fin}


def _inscrit_a(seance):
    """The enclosing query's inscription held a place when ``seance`` started (``ateliers.periode``)."""
    return sa.and_(
        Inscription.joined_at <= seance.starts_at,
        sa.or_(Inscription.ended_at.is_(None), Inscription.ended_at > seance.starts_at),
    )


# -- waiting ----------------------------------------------------------------------------------------------------


@cache
def _en_attente() -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Apprenant)
        .where(Apprenant.structure_id.in_(_ids()), Apprenant.statut.in_(EN_ATTENTE))
    )


def en_attente(structure_ids: Collection[int]) -> int:
    """People on the waiting list now (status "en attente" or "proposé")."""
    return db.session.scalar(_en_attente(), {"ids": sorted(structure_ids)})


@cache
def _delais_attente(fuseaux_: int) -> sa.Select:
    premiere = sa.func.min(Seance.starts_at)
    return (
        sa.select(Apprenant.structure_id, Apprenant.en_attente_depuis_on, Apprenant.created_at, premiere)
        .select_from(Inscription)
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
        .join(Seance, sa.and_(Seance.atelier_id == Inscription.atelier_id, _inscrit_a(Seance)))
        .where(Apprenant.structure_id.in_(_ids()), Seance.starts_at <= sa.bindparam("now", type_=sa.DateTime))
        .group_by(Apprenant.id, Apprenant.structure_id, Apprenant.en_attente_depuis_on, Apprenant.created_at)
        .having(_moment_dans(premiere, Apprenant.structure_id, fuseaux_))
    )


def delais_attente(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[DelaiAttente]:
    """One row per person whose first séance (the first séance held, by ``now``, of any of their workshops
    while they held a place in it) falls in the period: the day they joined the waiting list (the day they
    were registered when that day is unknown or later) and their first séance's local day."""
    groupes = _par_fuseau(structure_ids, zones)
    zones = {structure_id: zone for zone, ids in groupes.items() for structure_id in ids}
    lignes = db.session.execute(
        _delais_attente(len(groupes)), {"ids": sorted(structure_ids), **_valeurs(groupes, periode, now)}
    ).all()
    resultat = []
    for structure_id, attente_on, created_at, premiere_at in lignes:
        zone = get_zone(zones[structure_id])
        premiere_on = to_local(premiere_at, zone).date()
        inscrit_on = attente_on if attente_on is not None and attente_on <= premiere_on else None
        resultat.append(DelaiAttente(inscrit_on or to_local(created_at, zone).date(), premiere_on))
    return resultat


# -- placement --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionnementsParModeEtNiveau:
    mode: str
    niveau: int
    nombre: int


@cache
def _positionnements(fuseaux_: int) -> sa.Select:
    return (
        sa.select(Positionnement.mode, Positionnement.niveau, sa.func.count())
        .join(Apprenant, Apprenant.id == Positionnement.apprenant_id)
        .where(
            Positionnement.is_brouillon.is_(False),
            _moment_dans(Positionnement.completed_at, Apprenant.structure_id, fuseaux_),
        )
        .group_by(Positionnement.mode, Positionnement.niveau)
    )


def positionnements(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[PositionnementsParModeEtNiveau]:
    """Placement questionnaires completed in the period (drafts left out), per mode and niveau."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_positionnements(len(groupes)), _valeurs(groupes, periode)).all()
    return [PositionnementsParModeEtNiveau(*ligne) for ligne in lignes]


# -- workshops --------------------------------------------------------------------------------------------------


@cache
def _ateliers_menes(fuseaux_: int) -> sa.Select:
    return (
        sa.select(sa.func.count(sa.distinct(Seance.atelier_id)))
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(Atelier.statut != "annule", _moment_dans(Seance.starts_at, Atelier.structure_id, fuseaux_, True))
    )


def ateliers_menes(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> int:
    """Workshops (not cancelled) with at least one séance held in the period."""
    groupes = _par_fuseau(structure_ids, zones)
    return db.session.scalar(_ateliers_menes(len(groupes)), _valeurs(groupes, periode, now))


@cache
def _places(fuseaux_: int) -> sa.Select:
    premiere = aliased(Seance)
    prises = (
        sa.select(sa.func.count())
        .select_from(Inscription)
        .where(Inscription.atelier_id == Atelier.id, _inscrit_a(premiere))
        .correlate(Atelier, premiere)
        .scalar_subquery()
    )
    return (
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Atelier.capacite), 0), sa.func.sum(prises))
        .join(premiere, sa.and_(premiere.atelier_id == Atelier.id, premiere.numero == 1))
        .where(Atelier.statut != "annule", _moment_dans(premiere.starts_at, Atelier.structure_id, fuseaux_, True))
    )


def places(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> Places:
    """Workshops (not cancelled) whose first séance was held in the period: how many, their capacities summed,
    and the inscriptions holding a place when that first séance started."""
    groupes = _par_fuseau(structure_ids, zones)
    ateliers, offertes, prises = db.session.execute(_places(len(groupes)), _valeurs(groupes, periode, now)).one()
    return Places(ateliers, int(offertes), int(prises or 0))


# -- attendance -------------------------------------------------------------------------------------------------


@cache
def _presences(fuseaux_: int) -> sa.Select:
    return (
        sa.select(Presence.statut, sa.func.count(), sa.func.coalesce(sa.func.sum(Presence.minutes), 0))
        .join(Seance, Seance.id == Presence.seance_id)
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(_moment_dans(Seance.starts_at, Atelier.structure_id, fuseaux_, True))
        .group_by(Presence.statut)
    )


def presences(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[PresencesParStatut]:
    """Attendance noted at the séances held in the period, per status, with the minutes attended summed."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_presences(len(groupes)), _valeurs(groupes, periode, now)).all()
    return [PresencesParStatut(statut, nombre, int(minutes)) for statut, nombre, minutes in lignes]


@cache
def _minutes_animateurs(fuseaux_: int) -> sa.Select:
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Module.duree_minutes), 0))
        .select_from(Seance)
        .join(seance_animateur, seance_animateur.c.seance_id == Seance.id)
        .join(Module, Module.id == Seance.module_id)
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(Atelier.statut != "annule", _moment_dans(Seance.starts_at, Atelier.structure_id, fuseaux_, True))
    )


def minutes_animateurs(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> int:
    """Staff minutes: each séance held in the period (workshop not cancelled), its module's length once per
    person co-running it."""
    groupes = _par_fuseau(structure_ids, zones)
    return int(db.session.scalar(_minutes_animateurs(len(groupes)), _valeurs(groupes, periode, now)))


# -- dropout ----------------------------------------------------------------------------------------------------


@cache
def _parcours_commences(fuseaux_: int) -> sa.Select:
    suivies = (
        sa.select(
            Presence.inscription_id.label("inscription_id"),
            sa.func.min(Seance.starts_at).label("premiere_at"),
            sa.func.max(Seance.numero).label("derniere"),
        )
        .join(Seance, Seance.id == Presence.seance_id)
        .where(Presence.statut.in_(PRESENT))
        .group_by(Presence.inscription_id)
        .subquery()
    )
    return (
        sa.select(Inscription.statut, Inscription.motif_sortie, suivies.c.derniere, sa.func.count())
        .join(suivies, suivies.c.inscription_id == Inscription.id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(_moment_dans(suivies.c.premiere_at, Atelier.structure_id, fuseaux_))
        .group_by(Inscription.statut, Inscription.motif_sortie, suivies.c.derniere)
    )


def parcours_commences(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[ParcoursCommences]:
    """Inscriptions whose first séance attended (present or late) falls in the period, grouped by status,
    leaving reason and number of the last séance attended."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_parcours_commences(len(groupes)), _valeurs(groupes, periode)).all()
    return [ParcoursCommences(*ligne) for ligne in lignes]


@cache
def _alertes_par_regle(fuseaux_: int) -> sa.Select:
    return (
        sa.select(Alerte.regle, sa.func.count())
        .join(Inscription, Inscription.id == Alerte.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Alerte.is_historique.is_(False), _moment_dans(Alerte.created_at, Atelier.structure_id, fuseaux_))
        .group_by(Alerte.regle)
    )


def alertes_par_regle(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[Comptage]:
    """Dropout alerts raised in the period (first raised then; those about séances keyed in afterwards from
    paper left out), per rule."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_alertes_par_regle(len(groupes)), _valeurs(groupes, periode)).all()
    return [Comptage(*ligne) for ligne in lignes]


@cache
def _appels() -> sa.Select:
    return (
        sa.select(Suivi.resultat, Suivi.suite, sa.func.count())
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Atelier.structure_id.in_(_ids()), _jour_dans(Suivi.appel_on))
        .group_by(Suivi.resultat, Suivi.suite)
    )


def appels(structure_ids: Collection[int], periode: Periode) -> list[Appel]:
    """Follow-up calls made on a day of the period, per outcome and next step."""
    return [Appel(*ligne) for ligne in db.session.execute(_appels(), _jours(structure_ids, periode)).all()]


@cache
def _retour_apres_appel() -> sa.Select:
    premiers = (
        sa.select(Suivi.inscription_id.label("inscription_id"), sa.func.min(Suivi.appel_on).label("appel_on"))
        .join(Alerte, Alerte.traitee_par_suivi_id == Suivi.id)
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(
            Atelier.structure_id.in_(_ids()),
            _jour_dans(Suivi.appel_on),
            Alerte.regle.not_in(REGLES_APRES_ATELIER),
        )
        .group_by(Suivi.inscription_id)
        .subquery()
    )
    apres = sa.and_(Seance.atelier_id == Inscription.atelier_id, Seance.starts_at >= premiers.c.appel_on)
    reste_une_seance = sa.exists().where(apres).correlate(Inscription, premiers)
    revenu = (
        sa.exists()
        .where(apres, Presence.seance_id == Seance.id, Presence.inscription_id == Inscription.id)
        .where(Presence.statut.in_(PRESENT))
        .correlate(Inscription, premiers)
    )
    return (
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((revenu, 1), else_=0)), 0))
        .select_from(premiers)
        .join(Inscription, Inscription.id == premiers.c.inscription_id)
        .where(reste_une_seance)
    )


def retour_apres_appel(structure_ids: Collection[int], periode: Periode) -> RetourApresAppel:
    """Learners called on a day of the period about an alert raised during their workshop while one of its
    séances was still to come (on or after the day of their first such call), and those of them present or
    late at such a séance."""
    appeles, revenus = db.session.execute(_retour_apres_appel(), _jours(structure_ids, periode)).one()
    return RetourApresAppel(appeles, int(revenus))


# -- skills -----------------------------------------------------------------------------------------------------


@cache
def _acquis_evaluation_finale(fuseaux_: int) -> sa.Select:
    finale = aliased(Seance)
    return (
        sa.select(
            Module.numero,
            Module.titre,
            Competence.numero,
            Competence.libelle,
            sa.func.count(),
            sa.func.sum(sa.case((EvaluationCompetence.resultat == "acquis", 1), else_=0)),
        )
        .select_from(EvaluationCompetence)
        .join(Inscription, Inscription.id == EvaluationCompetence.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .join(finale, sa.and_(finale.atelier_id == Atelier.id, finale.numero == 6))
        .join(Competence, Competence.id == EvaluationCompetence.competence_id)
        .join(Module, Module.id == Competence.module_id)
        .where(_inscrit_a(finale), _moment_dans(finale.starts_at, Atelier.structure_id, fuseaux_, True))
        .group_by(Module.numero, Module.titre, Competence.numero, Competence.libelle)
        .order_by(Module.numero, Competence.numero)
    )


def acquis_evaluation_finale(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[AcquisCompetence]:
    """Per skill, the learners holding a place at a séance 6 (the final evaluation) held in the period whose
    skill is judged, and those judged "acquis" (does it alone)."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_acquis_evaluation_finale(len(groupes)), _valeurs(groupes, periode, now)).all()
    return [AcquisCompetence(*ligne[:5], int(ligne[5])) for ligne in lignes]


# -- practice ---------------------------------------------------------------------------------------------------


@cache
def _reservations() -> sa.Select:
    return (
        sa.select(Reservation.statut, sa.func.count())
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .where(Entrainement.structure_id.in_(_ids()), _jour_dans(Reservation.jour))
        .group_by(Reservation.statut)
    )


def reservations(structure_ids: Collection[int], periode: Periode) -> list[Comptage]:
    """Bookings of practice sessions on a day of the period, per status."""
    return [Comptage(*ligne) for ligne in db.session.execute(_reservations(), _jours(structure_ids, periode)).all()]


@cache
def _entrainements_refuses() -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Entrainement)
        .where(
            Entrainement.structure_id.in_(_ids()),
            Entrainement.statut == "decline",
            _jour_dans(Entrainement.cible_on),
        )
    )


def entrainements_refuses(structure_ids: Collection[int], periode: Periode) -> int:
    """Practice sessions the learner refused whose target day falls in the period."""
    return db.session.scalar(_entrainements_refuses(), _jours(structure_ids, periode))


@cache
def _niveaux_dernier_entrainement() -> sa.Select:
    autre = aliased(Reservation)
    autre_entrainement = aliased(Entrainement)
    derniere = (
        sa.select(sa.func.max(autre.jour))
        .join(autre_entrainement, autre_entrainement.id == autre.entrainement_id)
        .where(autre_entrainement.plan_id == Entrainement.plan_id, autre.statut == "honoree")
        .correlate(Entrainement)
        .scalar_subquery()
    )
    return (
        sa.select(ResultatEntrainement.resultat, sa.func.count())
        .join(Reservation, Reservation.id == ResultatEntrainement.reservation_id)
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .where(
            Entrainement.structure_id.in_(_ids()),
            Reservation.statut == "honoree",
            _jour_dans(Reservation.jour),
            Reservation.jour == derniere,
        )
        .group_by(ResultatEntrainement.resultat)
    )


def niveaux_dernier_entrainement(structure_ids: Collection[int], periode: Periode) -> list[Comptage]:
    """Skills practised at each learner's last practice session attended so far (the latest honoured booking
    of their plan), when that session falls in the period, per level noted."""
    lignes = db.session.execute(_niveaux_dernier_entrainement(), _jours(structure_ids, periode)).all()
    return [Comptage(*ligne) for ligne in lignes]


# -- attestations -----------------------------------------------------------------------------------------------


@cache
def _attestations(fuseaux_: int) -> sa.Select:
    """Issued in the period per type, and (type NULL) revoked in the period: one statement."""
    emises = (
        sa.select(Attestation.type, sa.func.count())
        .where(_moment_dans(Attestation.emise_at, Attestation.structure_id, fuseaux_))
        .group_by(Attestation.type)
    )
    revoquees = sa.select(sa.null(), sa.func.count()).where(
        _moment_dans(Attestation.revoquee_at, Attestation.structure_id, fuseaux_)
    )
    return sa.union_all(emises, revoquees)


def attestations(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> tuple[list[Comptage], int]:
    """Attestations issued in the period per type (parcours, or attendance only), and the number revoked in the
    period (whenever they were issued)."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(_attestations(len(groupes)), _valeurs(groupes, periode)).all()
    emises = [Comptage(type_, nombre) for type_, nombre in lignes if type_ is not None]
    return emises, sum(nombre for type_, nombre in lignes if type_ is None)


# -- at risk now ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonneARisque:
    """What direction sees of a learner at risk: first name, workshop and the rules raised (most severe first);
    never the phone number."""

    prenom: str
    atelier: str
    regles: tuple[str, ...]


_SEVERITE = {code: rang for rang, code in enumerate(NIVEAUX_RISQUE)}
_ORDRE_REGLE = {code: rang for rang, code in enumerate(REGLES)}


def a_risque(structure_ids: Collection[int]) -> list[PersonneARisque]:
    """Learners with an open alert about the present (not history keyed in from paper), in a running workshop
    or, after it, with an alert raised then (two practice sessions missed), most severe first."""
    lignes = db.session.execute(
        sa.select(Inscription.id, Apprenant.prenom, Atelier.intitule, Alerte.regle, Alerte.niveau_risque)
        .select_from(Alerte)
        .join(Inscription, Inscription.id == Alerte.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
        .where(
            Atelier.structure_id.in_(list(structure_ids)),
            Alerte.resolved_at.is_(None),
            Alerte.is_historique.is_(False),
            sa.or_(Inscription.statut == "inscrit", Alerte.regle.in_(REGLES_APRES_ATELIER)),
        )
    ).all()
    personnes: dict[int, tuple[str, str, set[str], int]] = {}
    for inscription_id, prenom, atelier, regle, niveau in lignes:
        _, _, regles, severite = personnes.setdefault(inscription_id, (prenom, atelier, set(), len(_SEVERITE)))
        regles.add(regle)
        personnes[inscription_id] = (prenom, atelier, regles, min(severite, _SEVERITE[niveau]))
    ordre = sorted(personnes.values(), key=lambda p: (p[3], p[1], p[0]))
    return [
        PersonneARisque(prenom, atelier, tuple(sorted(regles, key=_ORDRE_REGLE.__getitem__)))
        for prenom, atelier, regles, _ in ordre
    ]
