"""A seeded history for the dashboard tests: finished workshops with attendance, abandons with reasons, alerts
and calls, final evaluations, practice sessions and attestations, one workshop running with a learner at risk,
and people waiting. Rows are written directly (no service), so the figures depend on nothing but this file.

``semer(structure, ateliers=n)`` grows with ``n`` (four learners per workshop): the query-count test seeds
small and larger histories and expects the same number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ateliers.models import Alerte, Atelier, Inscription, Presence, Seance, Suivi
from attestations.models import Attestation
from core.models import Apprenant, Compte, Structure
from entrainements.models import Creneau, Entrainement, Occurrence, PlanEntrainement, Reservation, ResultatEntrainement
from evaluations.curriculum import current_curriculum_version, current_questionnaire, modules_of_version
from evaluations.models import EvaluationCompetence, Positionnement
from extensions import db

# The dashboard's clock in these tests: Monday 30 November 2026, 13:00 in Paris.
NOW = datetime(2026, 11, 30, 12, 0)
TODAY = date(2026, 11, 30)
PREMIER_LUNDI = date(2026, 1, 12)
HEURE_SEANCE = time(8, 0)  # UTC: 9:00 in Paris in winter, 10:00 in summer


@dataclass
class Semis:
    structure: Structure
    ateliers: list[Atelier] = field(default_factory=list)
    en_cours: Atelier | None = None


def _apprenant(structure: Structure, numero: int, **valeurs) -> Apprenant:
    apprenant = Apprenant(
        structure_id=structure.id,
        prenom=valeurs.pop("prenom", f"Prénom{numero}"),
        nom=f"Nom{structure.id}x{numero}",
        telephone=f"+3319900{structure.id:02d}{numero:04d}"[:12],
        created_at=datetime(2025, 11, 1, 10),
        **valeurs,
    )
    db.session.add(apprenant)
    return apprenant


def _seances(atelier: Atelier, premier: date, animateurs: list[Compte]) -> None:
    for module in modules_of_version(current_curriculum_version()):
        debut = datetime.combine(premier + timedelta(weeks=module.numero - 1), HEURE_SEANCE)
        seance = Seance(numero=module.numero, module_id=module.id, starts_at=debut, ends_at=debut + timedelta(hours=3))
        # The mediator runs every séance, the volunteer the odd ones: staff-hours are not séances x 1.
        seance.animateurs = animateurs if module.numero % 2 else animateurs[:1]
        atelier.seances.append(seance)


def _presence(seance: Seance, inscription: Inscription, statut: str) -> None:
    minutes = {"present": 180, "retard": 150}.get(statut, 0)
    db.session.add(Presence(seance=seance, inscription=inscription, statut=statut, minutes=minutes))


def semer(structure: Structure, mediatrice: Compte, benevole: Compte, ateliers: int = 2) -> Semis:
    """``ateliers`` finished workshops of four learners each, every two weeks from 12 January 2026, plus one
    running workshop (four learners, one of them at risk) and four people waiting."""
    semis = Semis(structure)
    questionnaire = current_questionnaire()
    modules = modules_of_version(current_curriculum_version())
    competences = [c for m in modules for c in m.competences]
    creneau = Creneau(structure_id=structure.id, jour_semaine=2, debut=time(14), fin=time(16), capacite=8, lieu="Salle")
    db.session.add(creneau)
    for attente, statut in enumerate(("en_attente", "en_attente", "en_attente", "propose")):
        _apprenant(structure, 900 + attente, statut=statut, en_attente_depuis_on=date(2026, 10, 1 + attente))
    # Seeding twice in one structure goes on numbering its learners (attestation numbers stay unique).
    numero = db.session.scalar(
        sa.select(sa.func.count()).select_from(Apprenant).where(Apprenant.structure_id == structure.id)
    )
    for g in range(ateliers + 1):
        running = g == ateliers
        premier = date(2026, 11, 5) if running else PREMIER_LUNDI + timedelta(weeks=2 * g)
        atelier = Atelier(
            structure_id=structure.id,
            intitule=f"Atelier {g + 1}",
            demi_journee=0,
            capacite=5 if g % 2 else 4,
            statut="en_cours" if running else "termine",
            start_on=premier,
            created_at=datetime(2025, 12, 1),
        )
        _seances(atelier, premier, [mediatrice, benevole])
        db.session.add(atelier)
        for i in range(4):
            numero += 1
            apprenant = _apprenant(
                structure,
                numero,
                prenom=f"Prénom{numero}",
                statut="inscrit",
                en_attente_depuis_on=premier - timedelta(days=10 * (i + 1) + g),
            )
            db.session.add(
                Positionnement(
                    apprenant=apprenant,
                    questionnaire_id=questionnaire.id,
                    mode="telephone" if i % 2 else "presentiel",
                    score=20 + 20 * i,
                    niveau=(i + g) % 4,
                    is_brouillon=False,
                    completed_at=datetime.combine(premier - timedelta(days=20), time(9)),
                )
            )
            inscription = Inscription(
                apprenant=apprenant, joined_at=datetime.combine(premier - timedelta(days=7), time(9))
            )
            atelier.inscriptions.append(inscription)
            seances = atelier.seances
            if running:
                # held: séances 1-4 (the 4th on 26 November); learner 3 absent at 3 and 4, alert not called yet
                for seance in seances[:4]:
                    _presence(seance, inscription, "absent" if i == 3 and seance.numero >= 3 else "present")
                if i == 3:
                    db.session.add(
                        Alerte(
                            inscription=inscription,
                            regle="absences_consecutives",
                            niveau_risque="abandon_probable",
                            seance_numero=4,
                            message="-",
                            created_at=seances[3].starts_at + timedelta(hours=4),
                        )
                    )
                continue
            fin_at = seances[5].ends_at
            if i == 0:
                statuts = ["present", "retard", "present", "present", "present", "present"]
            elif i == 1:
                statuts = ["present", "present", "absent", "present", "present", "present"]
            elif i == 2:
                statuts = ["present", "present", "absent"]
                fin_at = seances[2].starts_at + timedelta(days=2)
            else:
                statuts = ["present", "absent_excuse"]
                fin_at = seances[1].starts_at + timedelta(days=1)
            for seance, statut in zip(seances, statuts, strict=False):
                _presence(seance, inscription, statut)
            inscription.ended_at = fin_at
            if i <= 1:
                inscription.statut = "termine"
                inscription.minutes_suivies = 180 * 5
            else:
                inscription.statut = "abandon"
                inscription.motif_sortie = "transport" if i == 2 else "famille"
            if i in (1, 2):
                alerte = Alerte(
                    inscription=inscription,
                    regle="absence_non_excusee",
                    niveau_risque="a_rappeler",
                    seance_numero=3,
                    message="-",
                    created_at=seances[2].ends_at,
                    resolved_at=fin_at if i == 2 else seances[3].ends_at,
                )
                suivi = Suivi(
                    inscription=inscription,
                    appel_on=seances[2].starts_at.date() + timedelta(days=1),
                    resultat="joint" if i == 1 else "injoignable",
                    suite="revient" if i == 1 else "abandon",
                    motif=None if i == 1 else "transport",
                )
                db.session.add_all([alerte, suivi])
                db.session.flush()
                alerte.traitee_par_suivi_id = suivi.id
            if i <= 1:
                for k, competence in enumerate(competences):
                    inscription.evaluations.append(
                        EvaluationCompetence(
                            competence_id=competence.id,
                            seance=seances[5],
                            resultat="acquis" if (k + i + g) % 3 else "avec_aide",
                        )
                    )
                db.session.add(
                    Attestation(
                        structure_id=structure.id,
                        inscription=inscription,
                        type="parcours",
                        numero=f"T{structure.id}-2026-{numero:05d}",
                        code=f"C{structure.id:02d}{numero:09d}"[:12],
                        contenu={},
                        emise_at=fin_at + timedelta(days=1),
                        revoquee_at=fin_at + timedelta(days=3) if (g, i) == (0, 1) else None,
                        motif_revocation="erreur" if (g, i) == (0, 1) else None,
                    )
                )
                _entrainements(structure, creneau, inscription, apprenant, competences, fin_at.date(), i, g)
        semis.ateliers.append(atelier)
        if running:
            semis.en_cours = atelier
    db.session.commit()
    return semis


def _entrainements(structure, creneau, inscription, apprenant, competences, fin_on: date, i: int, g: int) -> None:
    """Learner 0: rank 1 honoured (2 skills, one kept), rank 2 missed; learner 1: rank 1 refused."""
    plan = PlanEntrainement(
        structure_id=structure.id, inscription=inscription, apprenant=apprenant, fin_atelier_on=fin_on
    )
    db.session.add(plan)
    db.session.flush()
    for rang, (decalage, statut) in enumerate(((7, "honoree"), (30, "absente")) if i == 0 else ((7, None),), start=1):
        jour = fin_on + timedelta(days=decalage + g)
        entrainement = Entrainement(
            plan_id=plan.id,
            structure_id=structure.id,
            apprenant=apprenant,
            rang=rang,
            cible_on=jour,
            debut_on=jour,
            fin_on=jour,
            statut={"honoree": "honore", "absente": "manque", None: "decline"}[statut],
        )
        db.session.add(entrainement)
        if statut is None:
            continue
        occurrence = db.session.query(Occurrence).filter_by(creneau_id=creneau.id, jour=jour).one_or_none()
        if occurrence is None:
            occurrence = Occurrence(
                creneau=creneau,
                structure_id=structure.id,
                jour=jour,
                starts_at=datetime.combine(jour, time(13)),
                ends_at=datetime.combine(jour, time(15)),
                capacite=8,
            )
            db.session.add(occurrence)
        db.session.flush()
        reservation = Reservation(
            entrainement=entrainement, occurrence=occurrence, apprenant_id=apprenant.id, jour=jour, statut=statut
        )
        db.session.add(reservation)
        if statut == "honoree":
            db.session.flush()
            for competence, resultat in zip(competences[:2], ("acquis", "avec_aide"), strict=True):
                reservation.resultats.append(ResultatEntrainement(competence_id=competence.id, resultat=resultat))
