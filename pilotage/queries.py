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


def _moment_dans(moment, structure_id, groupes: dict[str, list[int]], periode: Periode, now: datetime | None = None):
    """``moment`` (a UTC column) within ``periode`` on the clock of the row's structure, and not after ``now``."""
    conditions = []
    for zone, ids in groupes.items():
        debut = local_to_utc(periode.debut, time(0), get_zone(zone))
        fin = local_to_utc(periode.fin_exclue, time(0), get_zone(zone))
        conditions.append(sa.and_(structure_id.in_(ids), moment >= debut, moment < fin))
    condition = sa.or_(*conditions) if conditions else sa.false()
    return sa.and_(condition, moment <= now) if now is not None else condition


def _jour_dans(jour, periode: Periode):
    return jour.between(periode.debut, periode.fin)


def _inscrit_a(seance):
    """The enclosing query's inscription held a place when ``seance`` started (``ateliers.periode``)."""
    return sa.and_(
        Inscription.joined_at <= seance.starts_at,
        sa.or_(Inscription.ended_at.is_(None), Inscription.ended_at > seance.starts_at),
    )


# -- waiting ----------------------------------------------------------------------------------------------------


def en_attente(structure_ids: Collection[int]) -> int:
    """People on the waiting list now (status "en attente" or "proposé")."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Apprenant)
        .where(Apprenant.structure_id.in_(list(structure_ids)), Apprenant.statut.in_(EN_ATTENTE))
    )


def delais_attente(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[DelaiAttente]:
    """One row per person whose first séance (the first séance held, by ``now``, of any of their workshops
    while they held a place in it) falls in the period: the day they joined the waiting list (the day they
    were registered when that day is unknown or later) and their first séance's local day."""
    groupes = _par_fuseau(structure_ids, zones)
    zones = {structure_id: zone for zone, ids in groupes.items() for structure_id in ids}
    premiere = sa.func.min(Seance.starts_at)
    lignes = db.session.execute(
        sa.select(Apprenant.structure_id, Apprenant.en_attente_depuis_on, Apprenant.created_at, premiere)
        .select_from(Inscription)
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
        .join(Seance, sa.and_(Seance.atelier_id == Inscription.atelier_id, _inscrit_a(Seance)))
        .where(Apprenant.structure_id.in_(list(structure_ids)), Seance.starts_at <= now)
        .group_by(Apprenant.id, Apprenant.structure_id, Apprenant.en_attente_depuis_on, Apprenant.created_at)
        .having(_moment_dans(premiere, Apprenant.structure_id, groupes, periode))
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


def positionnements(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[PositionnementsParModeEtNiveau]:
    """Placement questionnaires completed in the period (drafts left out), per mode and niveau."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(
        sa.select(Positionnement.mode, Positionnement.niveau, sa.func.count())
        .join(Apprenant, Apprenant.id == Positionnement.apprenant_id)
        .where(
            Positionnement.is_brouillon.is_(False),
            _moment_dans(Positionnement.completed_at, Apprenant.structure_id, groupes, periode),
        )
        .group_by(Positionnement.mode, Positionnement.niveau)
    ).all()
    return [PositionnementsParModeEtNiveau(*ligne) for ligne in lignes]


# -- workshops --------------------------------------------------------------------------------------------------


def ateliers_menes(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> int:
    """Workshops (not cancelled) with at least one séance held in the period."""
    groupes = _par_fuseau(structure_ids, zones)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Seance.atelier_id)))
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(Atelier.statut != "annule", _moment_dans(Seance.starts_at, Atelier.structure_id, groupes, periode, now))
    )


def places(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> Places:
    """Workshops (not cancelled) whose first séance was held in the period: how many, their capacities summed,
    and the inscriptions holding a place when that first séance started."""
    groupes = _par_fuseau(structure_ids, zones)
    premiere = aliased(Seance)
    prises = (
        sa.select(sa.func.count())
        .select_from(Inscription)
        .where(Inscription.atelier_id == Atelier.id, _inscrit_a(premiere))
        .correlate(Atelier, premiere)
        .scalar_subquery()
    )
    ateliers, offertes, prises_total = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Atelier.capacite), 0), sa.func.sum(prises))
        .join(premiere, sa.and_(premiere.atelier_id == Atelier.id, premiere.numero == 1))
        .where(
            Atelier.statut != "annule",
            _moment_dans(premiere.starts_at, Atelier.structure_id, groupes, periode, now),
        )
    ).one()
    return Places(ateliers, int(offertes), int(prises_total or 0))


# -- attendance -------------------------------------------------------------------------------------------------


def presences(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[PresencesParStatut]:
    """Attendance noted at the séances held in the period, per status, with the minutes attended summed."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(
        sa.select(Presence.statut, sa.func.count(), sa.func.coalesce(sa.func.sum(Presence.minutes), 0))
        .join(Seance, Seance.id == Presence.seance_id)
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(_moment_dans(Seance.starts_at, Atelier.structure_id, groupes, periode, now))
        .group_by(Presence.statut)
    ).all()
    return [PresencesParStatut(statut, nombre, int(minutes)) for statut, nombre, minutes in lignes]


def minutes_animateurs(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> int:
    """Staff minutes: each séance held in the period (workshop not cancelled), its module's length once per
    person co-running it."""
    groupes = _par_fuseau(structure_ids, zones)
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Module.duree_minutes), 0))
            .select_from(Seance)
            .join(seance_animateur, seance_animateur.c.seance_id == Seance.id)
            .join(Module, Module.id == Seance.module_id)
            .join(Atelier, Atelier.id == Seance.atelier_id)
            .where(
                Atelier.statut != "annule",
                _moment_dans(Seance.starts_at, Atelier.structure_id, groupes, periode, now),
            )
        )
    )


# -- dropout ----------------------------------------------------------------------------------------------------


def parcours_commences(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[ParcoursCommences]:
    """Inscriptions whose first séance attended (present or late) falls in the period, grouped by status,
    leaving reason and number of the last séance attended."""
    groupes = _par_fuseau(structure_ids, zones)
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
    lignes = db.session.execute(
        sa.select(Inscription.statut, Inscription.motif_sortie, suivies.c.derniere, sa.func.count())
        .join(suivies, suivies.c.inscription_id == Inscription.id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(_moment_dans(suivies.c.premiere_at, Atelier.structure_id, groupes, periode))
        .group_by(Inscription.statut, Inscription.motif_sortie, suivies.c.derniere)
    ).all()
    return [ParcoursCommences(*ligne) for ligne in lignes]


def alertes_par_regle(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[Comptage]:
    """Dropout alerts raised in the period (first raised then; those about séances keyed in afterwards from
    paper left out), per rule."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(
        sa.select(Alerte.regle, sa.func.count())
        .join(Inscription, Inscription.id == Alerte.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(
            Alerte.is_historique.is_(False),
            _moment_dans(Alerte.created_at, Atelier.structure_id, groupes, periode),
        )
        .group_by(Alerte.regle)
    ).all()
    return [Comptage(*ligne) for ligne in lignes]


def appels(structure_ids: Collection[int], periode: Periode) -> list[Appel]:
    """Follow-up calls made on a day of the period, per outcome and next step."""
    lignes = db.session.execute(
        sa.select(Suivi.resultat, Suivi.suite, sa.func.count())
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Atelier.structure_id.in_(list(structure_ids)), _jour_dans(Suivi.appel_on, periode))
        .group_by(Suivi.resultat, Suivi.suite)
    ).all()
    return [Appel(*ligne) for ligne in lignes]


def retour_apres_appel(structure_ids: Collection[int], periode: Periode) -> RetourApresAppel:
    """Learners called on a day of the period about an alert raised during their workshop while one of its
    séances was still to come (on or after the day of their first such call), and those of them present or
    late at such a séance."""
    premiers = (
        sa.select(Suivi.inscription_id.label("inscription_id"), sa.func.min(Suivi.appel_on).label("appel_on"))
        .join(Alerte, Alerte.traitee_par_suivi_id == Suivi.id)
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(
            Atelier.structure_id.in_(list(structure_ids)),
            _jour_dans(Suivi.appel_on, periode),
            Alerte.regle.not_in(REGLES_APRES_ATELIER),
        )
        .group_by(Suivi.inscription_id)
        .subquery()
    )
    apres = sa.and_(
        Seance.atelier_id == Inscription.atelier_id,
        Seance.starts_at >= premiers.c.appel_on,
    )
    reste_une_seance = sa.exists().where(apres).correlate(Inscription, premiers)
    revenu = (
        sa.exists()
        .where(apres, Presence.seance_id == Seance.id, Presence.inscription_id == Inscription.id)
        .where(Presence.statut.in_(PRESENT))
        .correlate(Inscription, premiers)
    )
    appeles, revenus = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((revenu, 1), else_=0)), 0))
        .select_from(premiers)
        .join(Inscription, Inscription.id == premiers.c.inscription_id)
        .where(reste_une_seance)
    ).one()
    return RetourApresAppel(appeles, int(revenus))


# -- skills -----------------------------------------------------------------------------------------------------


def acquis_evaluation_finale(
    structure_ids: Collection[int], periode: Periode, now: datetime, zones: Mapping[int, str] | None = None
) -> list[AcquisCompetence]:
    """Per skill, the learners holding a place at a séance 6 (the final evaluation) held in the period whose
    skill is judged, and those judged "acquis" (does it alone)."""
    groupes = _par_fuseau(structure_ids, zones)
    finale = aliased(Seance)
    lignes = db.session.execute(
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
        .where(_inscrit_a(finale), _moment_dans(finale.starts_at, Atelier.structure_id, groupes, periode, now))
        .group_by(Module.numero, Module.titre, Competence.numero, Competence.libelle)
        .order_by(Module.numero, Competence.numero)
    ).all()
    return [AcquisCompetence(*ligne[:5], int(ligne[5])) for ligne in lignes]


# -- practice ---------------------------------------------------------------------------------------------------


def reservations(structure_ids: Collection[int], periode: Periode) -> list[Comptage]:
    """Bookings of practice sessions on a day of the period, per status."""
    lignes = db.session.execute(
        sa.select(Reservation.statut, sa.func.count())
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .where(Entrainement.structure_id.in_(list(structure_ids)), _jour_dans(Reservation.jour, periode))
        .group_by(Reservation.statut)
    ).all()
    return [Comptage(*ligne) for ligne in lignes]


def entrainements_refuses(structure_ids: Collection[int], periode: Periode) -> int:
    """Practice sessions the learner refused whose target day falls in the period."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Entrainement)
        .where(
            Entrainement.structure_id.in_(list(structure_ids)),
            Entrainement.statut == "decline",
            _jour_dans(Entrainement.cible_on, periode),
        )
    )


def niveaux_dernier_entrainement(structure_ids: Collection[int], periode: Periode) -> list[Comptage]:
    """Skills practised at each learner's last practice session attended so far (the latest honoured booking
    of their plan), when that session falls in the period, per level noted."""
    autre = aliased(Reservation)
    autre_entrainement = aliased(Entrainement)
    derniere = (
        sa.select(sa.func.max(autre.jour))
        .join(autre_entrainement, autre_entrainement.id == autre.entrainement_id)
        .where(autre_entrainement.plan_id == Entrainement.plan_id, autre.statut == "honoree")
        .correlate(Entrainement)
        .scalar_subquery()
    )
    lignes = db.session.execute(
        sa.select(ResultatEntrainement.resultat, sa.func.count())
        .join(Reservation, Reservation.id == ResultatEntrainement.reservation_id)
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .where(
            Entrainement.structure_id.in_(list(structure_ids)),
            Reservation.statut == "honoree",
            _jour_dans(Reservation.jour, periode),
            Reservation.jour == derniere,
        )
        .group_by(ResultatEntrainement.resultat)
    ).all()
    return [Comptage(*ligne) for ligne in lignes]


# -- attestations -----------------------------------------------------------------------------------------------


def attestations_emises(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> list[Comptage]:
    """Attestations issued in the period, per type (parcours, or attendance only)."""
    groupes = _par_fuseau(structure_ids, zones)
    lignes = db.session.execute(
        sa.select(Attestation.type, sa.func.count())
        .where(_moment_dans(Attestation.emise_at, Attestation.structure_id, groupes, periode))
        .group_by(Attestation.type)
    ).all()
    return [Comptage(*ligne) for ligne in lignes]


def attestations_revoquees(
    structure_ids: Collection[int], periode: Periode, zones: Mapping[int, str] | None = None
) -> int:
    """Attestations revoked in the period (whenever they were issued)."""
    groupes = _par_fuseau(structure_ids, zones)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attestation)
        .where(_moment_dans(Attestation.revoquee_at, Attestation.structure_id, groupes, periode))
    )


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
