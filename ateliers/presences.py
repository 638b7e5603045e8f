"""Attendance (émargement) of one séance, and the dropout alerts recomputed after each save.

``enregistrer_presences`` refuses a save made from a page older than the last save of the séance
(``core.versions``, with :func:`instantane_presences` as what the page shows), validates every line first
(nothing is written when one is refused), upserts one Presence per learner, totals
``Inscription.minutes_suivies`` and syncs the learner's Alerte rows with ``ateliers.dropout.dropout_alerts``.
It flushes; the route commits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache

import sqlalchemy as sa

from ateliers import avancement, dropout
from ateliers.attente import latest_niveaux
from ateliers.constants import STATUTS_PRESENCE
from ateliers.models import Alerte, Atelier, Inscription, Presence, Seance
from ateliers.queries import modules_rattrapes
from ateliers.verrou import AtelierClos, exiger_ouvert
from core import journal, versions
from core.database import run_core
from core.errors import DomainError
from core.models import Compte
from core.timeutil import local_to_utc, structure_zone, to_local, utcnow
from evaluations.models import Competence, EvaluationCompetence, Module
from extensions import db

HEURE = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


class PresencesRefusees(DomainError):
    """Some lines were refused; ``erreurs`` maps a field name (``statut-<id>``, ``arrivee-<id>``...) to its message."""

    def __init__(self, erreurs: dict[str, str], message: str = "La feuille de présence n'est pas enregistrée.") -> None:
        super().__init__(message)
        self.erreurs = erreurs


@dataclass(frozen=True)
class Saisie:
    """What was typed for one learner: status and optional arrival and departure times ("HH:MM", wall-clock
    time in the structure's zone)."""

    statut: str | None
    arrivee: str = ""
    depart: str = ""


def inscrits_de_seance(atelier: Atelier, seance: Seance) -> list[Inscription]:
    """Who was enrolled when the séance started (``Inscription.was_enrolled_at``), by name.

    The séance's list on its attendance and skills pages, its sheet and at closing: someone who joined after it
    started is not on it, someone who left since is still on it.
    """
    return sorted(
        (i for i in atelier.inscriptions if i.was_enrolled_at(seance)),
        key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower(), i.id),
    )


def _heure(texte: str, seance: Seance) -> datetime | None:
    texte = (texte or "").strip()
    if not texte:
        return None
    match = HEURE.match(texte)
    if match is None:
        raise ValueError("Heure attendue au format HH:MM, par exemple 09:15.")
    zone = structure_zone(seance.atelier.structure)
    return local_to_utc(seance.jour, time(int(match.group(1)), int(match.group(2))), zone)


def _ligne(seance: Seance, saisie: Saisie, ident: int, erreurs: dict[str, str]):
    """(statut, arrival, departure, minutes) for one learner, or None with messages added to ``erreurs``."""
    if saisie.statut not in STATUTS_PRESENCE:
        erreurs[f"statut-{ident}"] = "Choisissez présent, en retard, absent excusé ou absent."
        return None
    if saisie.statut not in dropout.PRESENT:
        return saisie.statut, None, None, 0
    debut, fin = seance.starts_at, seance.ends_at
    zone = structure_zone(seance.atelier.structure)
    bornes = f"entre {to_local(debut, zone):%H:%M} et {to_local(fin, zone):%H:%M}"
    moments = {}
    for champ, texte in (("arrivee", saisie.arrivee), ("depart", saisie.depart)):
        try:
            moment = _heure(texte, seance)
        except ValueError as error:
            erreurs[f"{champ}-{ident}"] = str(error)
            continue
        if moment is not None and not debut <= moment <= fin:
            erreurs[f"{champ}-{ident}"] = f"L'heure doit être pendant la séance, {bornes}."
            continue
        moments[champ] = moment
    if len(moments) < 2:
        return None
    arrivee, depart = moments["arrivee"], moments["depart"]
    if arrivee is not None and depart is not None and depart <= arrivee:
        erreurs[f"depart-{ident}"] = "L'heure de départ doit être après l'heure d'arrivée."
        return None
    minutes = int(((depart or fin) - (arrivee or debut)).total_seconds() // 60)
    return saisie.statut, arrivee, depart, minutes


@cache
def _presences_seance_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return sa.select(Presence).where(Presence.seance_id == sa.bindparam("seance_id"))


def instantane_presences(atelier: Atelier, seance: Seance) -> dict[str, str]:
    """What the attendance page of ``seance`` shows, read from the database: for each learner listed, the form
    fields ``statut-<inscription id>``, ``arrivee-<id>`` and ``depart-<id>`` ("" when nothing is stored;
    times "HH:MM" on the structure's clock). The snapshot of ``core.versions`` for this page."""
    stockees = {
        p.inscription_id: p for p in db.session.scalars(_presences_seance_statement(), {"seance_id": seance.id})
    }
    zone = structure_zone(atelier.structure)

    def heure(moment: datetime | None) -> str:
        return f"{to_local(moment, zone):%H:%M}" if moment else ""

    valeurs = {}
    for inscription in inscrits_de_seance(atelier, seance):
        presence = stockees.get(inscription.id)
        valeurs[f"statut-{inscription.id}"] = presence.statut if presence else ""
        valeurs[f"arrivee-{inscription.id}"] = heure(presence.arrival_at) if presence else ""
        valeurs[f"depart-{inscription.id}"] = heure(presence.departure_at) if presence else ""
    return valeurs


def _auteurs_presences(seance: Seance) -> dict[str, versions.Auteur]:
    """Form field of the attendance page -> who last saved that learner's line and when."""
    auteurs = {}
    for inscription_id, prenom, nom, moment in run_core(
        sa.select(Presence.inscription_id, Compte.prenom, Compte.nom, Presence.recorded_at)
        .outerjoin(Compte, Compte.id == Presence.compte_id)
        .where(Presence.seance_id == seance.id)
    ):
        for champ in ("statut", "arrivee", "depart"):
            auteurs[f"{champ}-{inscription_id}"] = (f"{prenom} {nom}" if prenom else None, moment)
    return auteurs


def enregistrer_presences(
    auteur: Compte,
    atelier: Atelier,
    seance: Seance,
    saisies: dict[int, Saisie],
    today: date,
    vu: Mapping[str, object] | None = None,
) -> list[Inscription]:
    """Save the attendance of ``seance`` in one go and recompute the workshop's minutes and alerts.

    The alerts of every learner of the workshop are recomputed for ``today`` even when nothing changed: saving
    again makes them true for today (:func:`recalculer_atelier`).

    :param saisies: inscription id -> what was typed, for every learner listed (``inscrits_de_seance``).
    :param vu: what the page showed (``core.versions.lire`` of its ``version`` field); None skips the check
        (callers that are not a page). The workshop's row is locked first, so two saves run one at a time.
    :return: the inscriptions whose attendance changed.
    :raise core.versions.ModifieEntreTemps: the attendance changed since the page showed ``vu`` (nothing written).
    :raise PresencesRefusees: séance more than a day ahead, or a line refused (no row written then).
    """
    if vu is not None:
        versions.verrouiller(atelier)
    try:
        exiger_ouvert(atelier)
    except AtelierClos as error:
        raise PresencesRefusees({}, error.message) from None
    trop_tot = avancement.refus_saisie_trop_tot(seance.jour, today, "ses présences")
    if trop_tot:
        raise PresencesRefusees({}, trop_tot)
    if vu is not None:
        versions.exiger_inchange(vu, instantane_presences(atelier, seance), lambda _noms: _auteurs_presences(seance))
    inscrits = inscrits_de_seance(atelier, seance)
    erreurs: dict[str, str] = {}
    lignes = {}
    for inscription in inscrits:
        ligne = _ligne(seance, saisies.get(inscription.id, Saisie(None)), inscription.id, erreurs)
        if ligne is not None:
            lignes[inscription.id] = ligne
    if erreurs:
        raise PresencesRefusees(erreurs)

    existantes = {
        p.inscription_id: p for p in db.session.scalars(sa.select(Presence).where(Presence.seance_id == seance.id))
    }
    changees = []
    for inscription in inscrits:
        statut, arrivee, depart, minutes = lignes[inscription.id]
        presence = existantes.get(inscription.id)
        if presence is None:
            presence = Presence(seance_id=seance.id, inscription_id=inscription.id)
            db.session.add(presence)
        elif (presence.statut, presence.arrival_at, presence.departure_at, presence.minutes) == (
            statut,
            arrivee,
            depart,
            minutes,
        ):
            continue
        presence.statut, presence.arrival_at, presence.departure_at, presence.minutes = statut, arrivee, depart, minutes
        presence.compte_id = auteur.id
        presence.recorded_at = utcnow()
        changees.append(inscription)
    if atelier.statut == "planifie":
        atelier.statut = "en_cours"
    db.session.flush()
    recalculer_atelier(atelier, today)
    for inscription in changees:
        journal.record(
            auteur,
            "modification",
            "inscription",
            inscription.id,
            f"présence séance {seance.numero} : {STATUTS_PRESENCE[lignes[inscription.id][0]].lower()}",
        )
    db.session.flush()
    return changees


def recalculer_atelier(atelier: Atelier, today: date) -> list[Inscription]:
    """Recompute the minutes and dropout alerts of every inscription of ``atelier`` for ``today`` (the structure's
    day) and record that day in ``Atelier.alertes_calculees_on``; flushes. Run on every save of attendance or
    skills and by the daily sweep (``ateliers.alertes_quotidiennes``); running it twice changes nothing more.

    :return: the workshop's inscriptions, as recomputed.
    """
    inscriptions = list(
        db.session.scalars(sa.select(Inscription).where(Inscription.atelier_id == atelier.id).order_by(Inscription.id))
    )
    if inscriptions:
        recalculer(atelier, inscriptions, today)
    atelier.alertes_calculees_on = today
    db.session.flush()
    return inscriptions


def recalculer(atelier: Atelier, inscriptions: list[Inscription], today: date) -> None:
    """Total the minutes attended and sync the dropout alerts of ``inscriptions`` (same workshop); flushes.

    Only the séances at which a learner was enrolled count, for the minutes as for the alerts. An alert that
    holds again after it was resolved is reopened as a new one: the call that covered it no longer does
    (``Alerte.traitee_par_suivi_id`` cleared), so the person is back on the "À rappeler" list.
    """
    ids = [i.id for i in inscriptions]
    seances = list(
        db.session.scalars(
            sa.select(Seance).where(Seance.atelier_id == atelier.id).join(Seance.module).order_by(Seance.numero)
        )
    )
    modules = {s.id: s.module for s in seances}
    suivies = {i.id: {s.id for s in seances if i.was_enrolled_at(s)} for i in inscriptions}
    presences = defaultdict(dict)
    minutes = defaultdict(int)
    for presence in db.session.scalars(sa.select(Presence).where(Presence.inscription_id.in_(ids))):
        presences[presence.inscription_id][presence.seance_id] = presence.statut
        if presence.seance_id in suivies[presence.inscription_id]:
            minutes[presence.inscription_id] += presence.minutes
    rattrapes = modules_rattrapes(ids)
    acquises = defaultdict(lambda: defaultdict(int))
    for inscription_id, numero, count in run_core(
        sa.select(EvaluationCompetence.inscription_id, Module.numero, sa.func.count())
        .join(Competence, Competence.id == EvaluationCompetence.competence_id)
        .join(Module, Module.id == Competence.module_id)
        .where(EvaluationCompetence.inscription_id.in_(ids), EvaluationCompetence.resultat == "acquis")
        .group_by(EvaluationCompetence.inscription_id, Module.numero)
    ):
        acquises[inscription_id][numero] = count
    niveaux = latest_niveaux({i.apprenant_id for i in inscriptions})
    # Resolved alerts too: the key is unique, so an alert that holds again is reopened.
    # Alerts raised after the workshop (dropout.REGLES_APRES_ATELIER) are not this rule's: left as they are.
    connues = defaultdict(dict)
    for alerte in db.session.scalars(
        sa.select(Alerte).where(Alerte.inscription_id.in_(ids), Alerte.regle.not_in(dropout.REGLES_APRES_ATELIER))
    ):
        connues[alerte.inscription_id][(alerte.regle, alerte.seance_numero)] = alerte
    seuils = dropout.Seuils.from_dict(atelier.structure.seuils_decrochage or {})
    titres = {m.numero: m.titre for m in modules.values()}
    maintenant = utcnow()

    for inscription in inscriptions:
        inscription.minutes_suivies = minutes[inscription.id]
        courantes = connues[inscription.id]
        if inscription.statut != "inscrit":
            # A closed inscription (terminé, abandon) corrected after an unlock: nobody is to be called.
            for alerte in courantes.values():
                alerte.resolved_at = alerte.resolved_at or maintenant
            continue
        parcours = dropout.Parcours(
            inscription_id=inscription.id,
            niveau=niveaux.get(inscription.apprenant_id),
            joined_at=inscription.joined_at,
            ended_at=inscription.ended_at,
            seances=tuple(
                dropout.SeanceSuivie(
                    numero=s.numero,
                    module=modules[s.id].numero,
                    jour=s.jour,
                    starts_at=s.starts_at,
                    statut=presences[inscription.id].get(s.id),
                    rattrapee=s.module_id in rattrapes.get(inscription.id, ()),
                )
                for s in seances
            ),
            competences_acquises_par_module=dict(acquises[inscription.id]),
            atelier_cree_at=atelier.created_at,
        )
        vues = set()
        for calculee in dropout.dropout_alerts(parcours, today, seuils, titres):
            cle = (calculee.regle, calculee.seance or 0)
            vues.add(cle)
            alerte = courantes.get(cle)
            if alerte is None:
                db.session.add(
                    Alerte(
                        inscription_id=inscription.id,
                        regle=calculee.regle,
                        niveau_risque=calculee.niveau_risque,
                        seance_numero=calculee.seance or 0,
                        module_numero=calculee.module,
                        message=calculee.message[:255],
                        is_historique=calculee.is_historique,
                    )
                )
            else:
                if alerte.resolved_at is not None:
                    alerte.resolved_at = None
                    alerte.traitee_par_suivi_id = None
                alerte.message = calculee.message[:255]
                alerte.niveau_risque = calculee.niveau_risque
                alerte.module_numero = calculee.module
                alerte.is_historique = calculee.is_historique
        for cle, alerte in courantes.items():
            if cle not in vues and alerte.resolved_at is None:
                alerte.resolved_at = maintenant
    db.session.flush()
