"""Everything held about one learner, gathered for a request of access (RGPD article 15; issue 13 item 1).

Two views of the same rows: :func:`donnees` (machine-readable: every row of every table that concerns the
person, all its columns, under stable keys, the table names) and :func:`fiche` (the same facts in plain French,
one section per kind, for ``rgpd.export_pdf``). Reads only; the route journals the export.

``TABLES`` lists what is gathered; ``tests/services/test_rgpd_export.py`` walks the model metadata's foreign keys
and fails when a table pointing to the learner's row, directly or through other rows about the person (a
message's attached file), is missing here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers.constants import RESULTATS_SUIVI, STATUTS_INSCRIPTION, SUITES_SUIVI
from ateliers.models import Alerte, Atelier, Inscription, Presence, Rattrapage, Seance, Suivi
from attestations.constants import MOTIFS_REVOCATION, TYPES_ATTESTATION
from attestations.models import Attestation
from core import disponibilites
from core.constants import (
    CANAUX,
    CANAUX_MESSAGE,
    MOTIFS_SORTIE,
    STATUTS_ATTENTE,
    STATUTS_MESSAGE,
    TRANCHES_AGE,
    TYPES_MESSAGE,
)
from core.models import Apprenant, Message, PieceJointe, Structure
from core.text import display_phone
from core.timeutil import date_fr, datetime_fr, heures_fr, structure_zone, to_local
from entrainements.constants import STATUTS_ENTRAINEMENT, STATUTS_PLAN, STATUTS_RESERVATION
from entrainements.models import Entrainement, Occurrence, PlanEntrainement, Reservation, ResultatEntrainement
from evaluations.constants import MODES_POSITIONNEMENT, NIVEAUX, RESULTATS_COMPETENCE
from evaluations.models import Competence, EvaluationCompetence, Module, Positionnement, Questionnaire
from extensions import db

FORMAT = "ateliers-numeriques/donnees-apprenant"
VERSION = 1

# Said to the person, whatever their gender (no "présent(e)").
PRESENCES = {
    "present": "Présence",
    "retard": "Arrivée en retard",
    "absent_excuse": "Absence excusée",
    "absent": "Absence",
}


def _par_inscription(model) -> Callable[[int], sa.Select]:
    return lambda apprenant_id: (
        sa.select(model)
        .join(Inscription, Inscription.id == model.inscription_id)
        .where(Inscription.apprenant_id == apprenant_id)
        .order_by(model.id)
    )


def _par_apprenant(model) -> Callable[[int], sa.Select]:
    return lambda apprenant_id: sa.select(model).where(model.apprenant_id == apprenant_id).order_by(model.id)


# Table name -> the query of its rows about one learner (by id). The JSON keys are these names, in this order.
TABLES: dict[str, Callable[[int], sa.Select]] = {
    "apprenant": lambda apprenant_id: sa.select(Apprenant).where(Apprenant.id == apprenant_id),
    "positionnement": _par_apprenant(Positionnement),
    "inscription": _par_apprenant(Inscription),
    "presence": _par_inscription(Presence),
    "evaluation_competence": _par_inscription(EvaluationCompetence),
    "alerte": _par_inscription(Alerte),
    "suivi": _par_inscription(Suivi),
    "rattrapage": _par_inscription(Rattrapage),
    "plan_entrainement": _par_apprenant(PlanEntrainement),
    "entrainement": _par_apprenant(Entrainement),
    "reservation": _par_apprenant(Reservation),
    "resultat_entrainement": lambda apprenant_id: (
        sa.select(ResultatEntrainement)
        .join(Reservation, Reservation.id == ResultatEntrainement.reservation_id)
        .where(Reservation.apprenant_id == apprenant_id)
        .order_by(ResultatEntrainement.id)
    ),
    "message": _par_apprenant(Message),
    "piece_jointe": lambda apprenant_id: (
        sa.select(PieceJointe)
        .join(Message, Message.id == PieceJointe.message_id)
        .where(Message.apprenant_id == apprenant_id)
        .order_by(PieceJointe.id)
    ),
    "attestation": _par_inscription(Attestation),
}


def _valeur(value: Any) -> Any:
    """A column's value as JSON: moments as ISO 8601 in UTC ("2026-03-30T07:00:00Z"), days and times as ISO,
    bytes (a file attached to a message) in Base64."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _ligne(row) -> dict[str, Any]:
    return {column.key: _valeur(getattr(row, column.key)) for column in sa.inspect(type(row)).columns}


def lignes(apprenant_id: int) -> dict[str, list]:
    """The rows about the learner, table by table (``TABLES``), as ORM objects in id order."""
    return {table: list(db.session.scalars(query(apprenant_id))) for table, query in TABLES.items()}


def donnees(apprenant: Apprenant, *, now: datetime) -> dict[str, Any]:
    """The machine-readable export: ``format``, ``version``, ``genere_le`` (``now``, naive UTC), the structure
    (id, name), ``tables`` (each table's rows, every column, under its column names; moments in UTC; attached
    files in Base64) and ``references`` (the workshops, séances, skills and practice sessions those rows point
    to, so the ids read without the database). Keys are stable: a new column adds a key, none is renamed."""
    rows = lignes(apprenant.id)
    structure: Structure = apprenant.structure
    return {
        "format": FORMAT,
        "version": VERSION,
        "genere_le": _valeur(now),
        "structure": {"id": structure.id, "nom": structure.nom},
        "tables": {table: [_ligne(row) for row in found] for table, found in rows.items()},
        "references": _references(rows),
    }


def _references(rows: dict[str, list]) -> dict[str, dict[str, dict]]:
    atelier_ids = {i.atelier_id for i in rows["inscription"]}
    competence_ids = {e.competence_id for e in rows["evaluation_competence"]} | {
        r.competence_id for r in rows["resultat_entrainement"]
    }
    competence_ids |= {c for e in rows["entrainement"] for c in (e.competences or [])}
    occurrence_ids = {r.occurrence_id for r in rows["reservation"]}
    ateliers = db.session.scalars(sa.select(Atelier).where(Atelier.id.in_(atelier_ids or [0])))
    seances = db.session.scalars(sa.select(Seance).where(Seance.atelier_id.in_(atelier_ids or [0])))
    competences = db.session.execute(
        sa.select(Competence.id, Competence.numero, Competence.libelle, Module.numero)
        .join(Module, Module.id == Competence.module_id)
        .where(Competence.id.in_(competence_ids or [0]))
    )
    occurrences = db.session.scalars(sa.select(Occurrence).where(Occurrence.id.in_(occurrence_ids or [0])))
    return {
        "atelier": {str(a.id): {"intitule": a.intitule, "lieu": a.lieu, "statut": a.statut} for a in ateliers},
        "seance": {
            str(s.id): {
                "atelier_id": s.atelier_id,
                "numero": s.numero,
                "starts_at": _valeur(s.starts_at),
                "ends_at": _valeur(s.ends_at),
            }
            for s in seances
        },
        "competence": {
            str(cid): {"code": f"M{module}.{numero}", "libelle": libelle}
            for cid, numero, libelle, module in competences
        },
        "occurrence": {
            str(o.id): {"jour": _valeur(o.jour), "starts_at": _valeur(o.starts_at), "ends_at": _valeur(o.ends_at)}
            for o in occurrences
        },
    }


# --- the same facts in plain French, for the person (rgpd.export_pdf) ---


@dataclass(frozen=True)
class Section:
    """A part of the printed export: a title, and lines of plain French (an empty section says so)."""

    titre: str
    lignes: tuple[str, ...] = ()
    vide: str = "Rien d'enregistré."


@dataclass(frozen=True)
class Fiche:
    """What the printed export shows: for whom (structure, person, day), then its sections in order."""

    structure: str
    personne: str
    le: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


def fiche(apprenant: Apprenant, *, now: datetime) -> Fiche:
    """The learner's data in plain French, section by section (identity, placements with their answers, workshops,
    attendance, skills, calls, practice, messages, attestations), dates on the structure's clock."""
    vue = _Vue.de(apprenant)
    return Fiche(
        structure=apprenant.structure.nom,
        personne=apprenant.nom_complet,
        le=date_fr(to_local(now, vue.zone).date()),
        sections=(
            Section("Votre identité et vos coordonnées", _identite(apprenant, vue)),
            Section("Vos positionnements et vos réponses", _positionnements(vue)),
            Section("Vos ateliers", _ateliers(vue)),
            Section("Vos présences", _presences(vue)),
            Section("Vos compétences", _competences(vue)),
            Section("Les appels de suivi", _appels(vue)),
            Section("Vos entraînements", _entrainements(vue)),
            Section("Les messages envoyés", _messages(vue)),
            Section("Vos attestations", _attestations(vue)),
        ),
    )


@dataclass(frozen=True)
class _Vue:
    """The learner's rows (:func:`lignes`) and what they point to, loaded once for every section."""

    rows: dict[str, list]
    zone: ZoneInfo
    ateliers: dict[int, Atelier]
    seances: dict[int, Seance]
    competences: dict[int, Competence]
    questionnaires: dict[int, Questionnaire]
    occurrences: dict[int, Occurrence]

    @classmethod
    def de(cls, apprenant: Apprenant) -> _Vue:
        rows = lignes(apprenant.id)

        def par_id(model, ids) -> dict:
            return {o.id: o for o in db.session.scalars(sa.select(model).where(model.id.in_(ids or [0])))}

        ateliers = par_id(Atelier, {i.atelier_id for i in rows["inscription"]})
        return cls(
            rows=rows,
            zone=structure_zone(apprenant.structure),
            ateliers=ateliers,
            seances={s.id: s for a in ateliers.values() for s in a.seances},
            competences={
                c.id: c for c in db.session.scalars(sa.select(Competence).options(joinedload(Competence.module)))
            },
            questionnaires=par_id(Questionnaire, {p.questionnaire_id for p in rows["positionnement"]}),
            occurrences=par_id(Occurrence, {r.occurrence_id for r in rows["reservation"]}),
        )

    def jour(self, moment: datetime | None) -> str:
        """The structure's day of ``moment`` (naive UTC), in words: "lundi 30 mars 2026"."""
        return date_fr(to_local(moment, self.zone).date()) if moment else ""


def _identite(apprenant: Apprenant, vue: _Vue) -> tuple[str, ...]:
    ville = " ".join(filter(None, (apprenant.code_postal, apprenant.commune)))
    adresse = ", ".join(p for p in (apprenant.adresse, ville) if p)
    lignes_ = [
        f"Prénom : {apprenant.prenom}",
        f"Nom : {apprenant.nom}",
        f"Téléphone : {display_phone(apprenant.telephone) if apprenant.telephone else 'aucun'}",
        f"Adresse électronique : {apprenant.email or 'aucune'}",
        f"Adresse postale : {adresse or 'aucune'}",
        f"Tranche d'âge : {TRANCHES_AGE.get(apprenant.tranche_age, 'non renseignée')}",
        f"Disponibilités : {disponibilites.describe(apprenant.disponibilites)}",
        f"Moyen de contact préféré : {CANAUX[apprenant.canal_prefere]}",
        f"Enregistrement : {vue.jour(apprenant.created_at)}",
        f"Dernier contact : {date_fr(apprenant.last_contact_on) if apprenant.last_contact_on else 'inconnu'}",
    ]
    if apprenant.statut:
        lignes_.append(f"Liste d'attente : {STATUTS_ATTENTE[apprenant.statut]}")
    return tuple(lignes_)


def _positionnements(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for p in vue.rows["positionnement"]:
        entete = f"Le {vue.jour(p.created_at)}, {MODES_POSITIONNEMENT[p.mode].lower()}"
        if p.is_brouillon:
            dites.append(f"{entete} : questionnaire commencé, pas terminé.")
        else:
            dites.append(f"{entete} : score {p.score} sur 100, niveau « {NIVEAUX[p.niveau]} ».")
        dites.extend(_reponses(vue.questionnaires[p.questionnaire_id].contenu, p.reponses or {}))
    return tuple(dites)


def _ateliers(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for i in vue.rows["inscription"]:
        ligne = f"{vue.ateliers[i.atelier_id].intitule} : depuis le {vue.jour(i.joined_at)}, "
        ligne += STATUTS_INSCRIPTION[i.statut].lower()
        if i.motif_sortie:
            ligne += f" ({MOTIFS_SORTIE[i.motif_sortie].lower()})"
        dites.append(f"{ligne}, {heures_fr(i.minutes_suivies)} suivies.")
    return tuple(dites)


def _presences(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for p in sorted(vue.rows["presence"], key=lambda p: vue.seances[p.seance_id].starts_at):
        seance = vue.seances[p.seance_id]
        dites.append(
            f"{vue.ateliers[seance.atelier_id].intitule}, séance {seance.numero} du {vue.jour(seance.starts_at)} : "
            f"{PRESENCES[p.statut].lower()}."
        )
    for r in vue.rows["rattrapage"]:
        if r.fait_on:
            etat = f"fait le {date_fr(r.fait_on)}"
        else:
            etat = f"prévu le {vue.jour(r.prevu_at)}" if r.prevu_at else "à prévoir"
        dites.append(f"Rattrapage du module {r.module.numero} : {etat}.")
    return tuple(dites)


def _jugement(vue: _Vue, competence_id: int, resultat: str, moment: datetime) -> str:
    competence = vue.competences[competence_id]
    return f"{competence.code} {competence.libelle} : {RESULTATS_COMPETENCE[resultat].lower()} ({vue.jour(moment)})."


def _competences(vue: _Vue) -> tuple[str, ...]:
    evaluations = sorted(
        vue.rows["evaluation_competence"],
        key=lambda e: (
            e.inscription_id,
            vue.competences[e.competence_id].module.numero,
            vue.competences[e.competence_id].numero,
        ),
    )
    return tuple(_jugement(vue, e.competence_id, e.resultat, e.evaluated_at) for e in evaluations)


def _appels(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for s in vue.rows["suivi"]:
        ligne = f"Le {date_fr(s.appel_on)} : {RESULTATS_SUIVI[s.resultat].lower()}, "
        ligne += f"suite : {SUITES_SUIVI[s.suite].lower()}"
        if s.motif:
            ligne += f", motif : {MOTIFS_SORTIE[s.motif].lower()}"
        if s.rappel_on:
            ligne += f", rappel prévu le {date_fr(s.rappel_on)}"
        dites.append(ligne + ".")
    dites += [f"Alerte du {vue.jour(a.created_at)} : {a.message}." for a in vue.rows["alerte"]]
    return tuple(dites)


def _entrainements(vue: _Vue) -> tuple[str, ...]:
    dites = [
        f"Plan d'entraînements après l'atelier : {STATUTS_PLAN[p.statut].lower()}."
        for p in vue.rows["plan_entrainement"]
    ]
    dites += [
        f"Entraînement n° {e.rang}, vers le {date_fr(e.cible_on)} : {STATUTS_ENTRAINEMENT[e.statut].lower()}."
        for e in vue.rows["entrainement"]
    ]
    for r in vue.rows["reservation"]:
        debut = datetime_fr(vue.occurrences[r.occurrence_id].starts_at, zone=vue.zone)
        dites.append(f"Séance d'entraînement du {debut} : {STATUTS_RESERVATION[r.statut].lower()}.")
    dites += [_jugement(vue, r.competence_id, r.resultat, r.evaluated_at) for r in vue.rows["resultat_entrainement"]]
    return tuple(dites)


def _messages(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for m in vue.rows["message"]:
        ligne = (
            f"{TYPES_MESSAGE[m.type]} par {CANAUX_MESSAGE[m.canal].lower()}, le {vue.jour(m.created_at)} "
            f"({STATUTS_MESSAGE[m.statut].lower()})"
        )
        dites.append(f"{ligne} : {m.objet}." if m.objet else f"{ligne}.")
        if m.corps:
            dites.append(m.corps)
        dites += [f"Fichier joint : {p.nom_fichier}" for p in vue.rows["piece_jointe"] if p.message_id == m.id]
    return tuple(dites)


def _attestations(vue: _Vue) -> tuple[str, ...]:
    dites = []
    for a in vue.rows["attestation"]:
        ligne = f"{TYPES_ATTESTATION[a.type]} n° {a.numero}, émise le {vue.jour(a.emise_at)}"
        if a.revoquee_at:
            ligne += f", révoquée le {vue.jour(a.revoquee_at)} ({MOTIFS_REVOCATION[a.motif_revocation].lower()})"
        dites.append(ligne + ".")
    return tuple(dites)


def _reponses(contenu: dict, reponses: dict) -> list[str]:
    """Each answered question of the questionnaire ``contenu`` with the answer as the person heard it."""
    dites = []
    for partie in contenu.get("parties", []):
        echelle = partie.get("echelle")
        for question in partie.get("questions", []):
            if question["code"] not in reponses:
                continue
            valeur = reponses[question["code"]]
            if echelle is not None and str(valeur).isdigit() and int(valeur) < len(echelle):
                valeur = echelle[int(valeur)]
            dites.append(f"– {question['libelle']} {valeur}")
    return dites
