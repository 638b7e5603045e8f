"""Everything held about one learner, gathered for a request of access (RGPD article 15; issue 13 item 1).

Two views of the same rows: :func:`donnees` (machine-readable: every row of every table that concerns the
person, all its columns, under stable keys, the table names) and :func:`fiche` (the same facts in plain French,
one section per kind, for ``rgpd.export_pdf``). Reads only; the route journals the export.

``TABLES`` lists what is gathered; ``tests/services/test_rgpd_export.py`` walks the model metadata and fails when
a table holding an ``apprenant_id`` or an ``inscription_id`` is missing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

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
from core.models import Apprenant, Message, Structure
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
    "attestation": _par_inscription(Attestation),
}


def _valeur(value: Any) -> Any:
    """A column's value as JSON: moments as ISO 8601 in UTC ("2026-03-30T07:00:00Z"), days and times as ISO."""
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
    (id, name), ``tables`` (each table's rows, every column, under its column names; moments in UTC) and
    ``references`` (the workshops, séances, skills and practice sessions those rows point to, so the ids read
    without the database). Keys are stable: a new column adds a key, none is renamed."""
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
    rows = lignes(apprenant.id)
    structure: Structure = apprenant.structure
    zone = structure_zone(structure)

    def jour(moment: datetime | None) -> str:
        return date_fr(to_local(moment, zone).date()) if moment else ""

    ateliers = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Atelier).where(Atelier.id.in_({i.atelier_id for i in rows["inscription"]} or [0]))
        )
    }
    seances = {s.id: s for a in ateliers.values() for s in a.seances}
    competences = {
        c.id: c for c in db.session.scalars(sa.select(Competence).join(Module, Module.id == Competence.module_id))
    }

    identite = [
        f"Prénom : {apprenant.prenom}",
        f"Nom : {apprenant.nom}",
        f"Téléphone : {display_phone(apprenant.telephone) if apprenant.telephone else 'aucun'}",
        f"Adresse électronique : {apprenant.email or 'aucune'}",
        "Adresse postale : "
        + (
            ", ".join(
                p for p in (apprenant.adresse, " ".join(filter(None, (apprenant.code_postal, apprenant.commune)))) if p
            )
            or "aucune"
        ),
        f"Tranche d'âge : {TRANCHES_AGE.get(apprenant.tranche_age, 'non renseignée')}",
        f"Disponibilités : {disponibilites.describe(apprenant.disponibilites)}",
        f"Moyen de contact préféré : {CANAUX[apprenant.canal_prefere]}",
        f"Enregistrement : {jour(apprenant.created_at)}",
        f"Dernier contact : {date_fr(apprenant.last_contact_on) if apprenant.last_contact_on else 'inconnu'}",
    ]
    if apprenant.statut:
        identite.append(f"Liste d'attente : {STATUTS_ATTENTE[apprenant.statut]}")

    questionnaires = {
        q.id: q
        for q in db.session.scalars(
            sa.select(Questionnaire).where(
                Questionnaire.id.in_({p.questionnaire_id for p in rows["positionnement"]} or [0])
            )
        )
    }
    placements = []
    for p in rows["positionnement"]:
        entete = f"Le {jour(p.created_at)}, {MODES_POSITIONNEMENT[p.mode].lower()}"
        if p.is_brouillon:
            placements.append(f"{entete} : questionnaire commencé, pas terminé.")
        else:
            placements.append(f"{entete} : score {p.score} sur 100, niveau « {NIVEAUX[p.niveau]} ».")
        placements.extend(_reponses(questionnaires[p.questionnaire_id].contenu, p.reponses or {}))

    parcours = []
    for i in rows["inscription"]:
        atelier = ateliers[i.atelier_id]
        ligne = f"{atelier.intitule} : depuis le {jour(i.joined_at)}, {STATUTS_INSCRIPTION[i.statut].lower()}"
        if i.motif_sortie:
            ligne += f" ({MOTIFS_SORTIE[i.motif_sortie].lower()})"
        parcours.append(f"{ligne}, {heures_fr(i.minutes_suivies)} suivies.")

    presences = []
    for p in sorted(rows["presence"], key=lambda p: seances[p.seance_id].starts_at):
        seance = seances[p.seance_id]
        presences.append(
            f"{ateliers[seance.atelier_id].intitule}, séance {seance.numero} du {jour(seance.starts_at)} : "
            f"{PRESENCES[p.statut].lower()}."
        )
    for r in rows["rattrapage"]:
        etat = (
            f"fait le {date_fr(r.fait_on)}"
            if r.fait_on
            else (f"prévu le {jour(r.prevu_at)}" if r.prevu_at else "à prévoir")
        )
        presences.append(f"Rattrapage du module {r.module.numero} : {etat}.")

    acquis = []
    for e in sorted(rows["evaluation_competence"], key=lambda e: (e.inscription_id, competences[e.competence_id].code)):
        c = competences[e.competence_id]
        acquis.append(f"{c.code} {c.libelle} : {RESULTATS_COMPETENCE[e.resultat].lower()} ({jour(e.evaluated_at)}).")

    appels = []
    for s in rows["suivi"]:
        ligne = (
            f"Le {date_fr(s.appel_on)} : {RESULTATS_SUIVI[s.resultat].lower()}, suite : {SUITES_SUIVI[s.suite].lower()}"
        )
        if s.motif:
            ligne += f", motif : {MOTIFS_SORTIE[s.motif].lower()}"
        if s.rappel_on:
            ligne += f", rappel prévu le {date_fr(s.rappel_on)}"
        appels.append(ligne + ".")
    for a in rows["alerte"]:
        appels.append(f"Alerte du {jour(a.created_at)} : {a.message}.")

    occurrences = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Occurrence).where(Occurrence.id.in_({r.occurrence_id for r in rows["reservation"]} or [0]))
        )
    }
    pratique = [
        f"Plan d'entraînements après l'atelier : {STATUTS_PLAN[p.statut].lower()}." for p in rows["plan_entrainement"]
    ]
    for e in rows["entrainement"]:
        pratique.append(
            f"Entraînement n° {e.rang}, vers le {date_fr(e.cible_on)} : {STATUTS_ENTRAINEMENT[e.statut].lower()}."
        )
    for r in rows["reservation"]:
        o = occurrences[r.occurrence_id]
        pratique.append(
            f"Séance d'entraînement du {datetime_fr(o.starts_at, zone=zone)} : {STATUTS_RESERVATION[r.statut].lower()}."
        )
    for r in rows["resultat_entrainement"]:
        c = competences[r.competence_id]
        pratique.append(f"{c.code} {c.libelle} : {RESULTATS_COMPETENCE[r.resultat].lower()} ({jour(r.evaluated_at)}).")

    messages = []
    for m in rows["message"]:
        ligne = (
            f"{TYPES_MESSAGE[m.type]} par {CANAUX_MESSAGE[m.canal].lower()}, le {jour(m.created_at)} "
            f"({STATUTS_MESSAGE[m.statut].lower()})"
        )
        messages.append(f"{ligne} : {m.objet}".rstrip(" :") + ".")
        if m.corps:
            messages.append(m.corps)

    attestations = []
    for a in rows["attestation"]:
        ligne = f"{TYPES_ATTESTATION[a.type]} n° {a.numero}, émise le {jour(a.emise_at)}"
        if a.revoquee_at:
            ligne += f", révoquée le {jour(a.revoquee_at)} ({MOTIFS_REVOCATION[a.motif_revocation].lower()})"
        attestations.append(ligne + ".")

    return Fiche(
        structure=structure.nom,
        personne=apprenant.nom_complet,
        le=date_fr(to_local(now, zone).date()),
        sections=(
            Section("Votre identité et vos coordonnées", tuple(identite)),
            Section("Vos positionnements et vos réponses", tuple(placements)),
            Section("Vos ateliers", tuple(parcours)),
            Section("Vos présences", tuple(presences)),
            Section("Vos compétences", tuple(acquis)),
            Section("Les appels de suivi", tuple(appels)),
            Section("Vos entraînements", tuple(pratique)),
            Section("Les messages envoyés", tuple(messages)),
            Section("Vos attestations", tuple(attestations)),
        ),
    )


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
