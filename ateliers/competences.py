"""Skills judged at a séance (non acquis / avec aide / acquis), and the final evaluation at module 6.

At séances 1 to 5 the mediator judges the skills of the séance's module. The séance whose module holds the
final-evaluation skill (M6.5, the reference scenario) is the final evaluation: every skill of the curriculum
version can be judged there, so the whole M1-M6 grid is completed in one place.

A learner absent at the séance is not judged on it, unless a catch-up of that module is done: then the
catch-up counts for the module's skills. ``enregistrer_competences`` refuses a save made from a page older
than the last save of these judgements (``core.versions``, :func:`instantane_competences`), validates
everything before writing
(nothing is written when a line is refused), upserts one EvaluationCompetence per learner and skill, and
recomputes the learner's dropout alerts (``niveau_sans_acquis`` reads the skills). It flushes; the route
commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa

from ateliers import avancement, dropout, periode
from ateliers.models import Atelier, Inscription, Presence, Rattrapage, Seance
from ateliers.presences import inscrits_de_seance, recalculer_atelier
from ateliers.queries import modules_rattrapes
from ateliers.verrou import exiger_ouvert
from core import journal, versions
from core.models import Compte
from core.timeutil import utcnow
from evaluations.constants import RESULTATS_COMPETENCE
from evaluations.curriculum import CompetenceInfo, ModuleInfo, curriculum
from evaluations.models import EvaluationCompetence
from extensions import db


class InscriptionInconnue(LookupError):
    """A judgement names someone who is not expected at this séance: the route answers 404."""


class CompetenceInconnue(LookupError):
    """A judgement names a skill that is not judged at this séance: the route answers 404."""


class CompetencesRefusees(Exception):
    """Some lines were refused; ``erreurs`` maps an inscription id to its message. Nothing was written."""

    def __init__(self, erreurs: dict[int, str], message: str) -> None:
        super().__init__(message)
        self.erreurs = erreurs
        self.message = message


@dataclass(frozen=True)
class Grille:
    """What the skills page of one séance shows: the skills judged there, by module, and earlier modules."""

    seance: Seance
    finale: bool
    modules: list[ModuleInfo]  # the modules whose skills are judged here, in order
    precedents: list[ModuleInfo]  # earlier modules, shown read-only beside each learner (séances 1 to 5)

    @property
    def competences(self) -> list[CompetenceInfo]:
        return [c for m in self.modules for c in m.competences]


def is_evaluation_finale(module: ModuleInfo) -> bool:
    return any(c.is_evaluation_finale for c in module.competences)


def grille(atelier: Atelier, seance: Seance) -> Grille:
    """The skills judged at ``seance``: its module's, or at the final evaluation every module's."""
    modules = list(curriculum(atelier.curriculum_version))
    module = next(m for m in modules if m.id == seance.module_id)
    if is_evaluation_finale(module):
        # The scenario first: it is what the final evaluation is about; the grid follows, M1 to M6.
        return Grille(seance, True, modules, [])
    return Grille(seance, False, [module], [m for m in modules if m.numero < module.numero])


def resultats(inscription_ids: list[int]) -> dict[int, dict[int, EvaluationCompetence]]:
    """inscription id -> competence id -> its current judgement, in one query."""
    found: dict[int, dict[int, EvaluationCompetence]] = defaultdict(dict)
    if inscription_ids:
        for evaluation in db.session.scalars(_resultats_statement(), {"inscriptions": list(inscription_ids)}):
            found[evaluation.inscription_id][evaluation.competence_id] = evaluation
    return found


@cache
def _resultats_statement() -> sa.Select:
    """Built once per process (see ``ateliers.queries``): the skills pages run it on every request."""
    return sa.select(EvaluationCompetence).where(
        EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True))
    )


def empechements(
    seance: Seance, inscrits: list[Inscription], statuts: Mapping[int, str] | None = None
) -> dict[int, str]:
    """inscription id -> why they cannot be judged at ``seance`` (absent, no catch-up of the module done).

    :param statuts: the séance's attendance (inscription id -> statut) when the caller has already read it
        (the skills page shows it): then no query here but for the catch-ups of absent learners.
    """
    ids = [i.id for i in inscrits]
    if not ids:
        return {}
    if statuts is not None:
        attendus = set(ids)
        absents = {i: statut for i, statut in statuts.items() if i in attendus and statut not in dropout.PRESENT}
    else:
        absents = dict(
            db.session.execute(
                sa.select(Presence.inscription_id, Presence.statut).where(
                    Presence.seance_id == seance.id,
                    Presence.inscription_id.in_(ids),
                    Presence.statut.not_in(dropout.PRESENT),
                )
            ).all()
        )
    if not absents:
        return {}
    rattrapes = modules_rattrapes(list(absents))
    return {
        inscription_id: "Absent(e) à cette séance : ses compétences seront notées après un rattrapage du module."
        for inscription_id in absents
        if seance.module_id not in rattrapes.get(inscription_id, ())
    }


def instantane_competences(atelier: Atelier, seance: Seance) -> dict[str, str]:
    """What the skills page of ``seance`` shows, read from the database: for each learner listed and each skill
    of the grid, the form field ``c-<inscription id>-<competence id>`` -> the judgement ("" when none). The
    snapshot of ``core.versions`` for this page."""
    inscrits = inscrits_de_seance(atelier, seance)
    return instantane_de_grille(inscrits, grille(atelier, seance).competences, resultats([i.id for i in inscrits]))


def instantane_de_grille(
    inscrits: list[Inscription],
    jugees: list[CompetenceInfo],
    stockes: Mapping[int, Mapping[int, EvaluationCompetence]],
) -> dict[str, str]:
    """The snapshot of :func:`instantane_competences` from what the skills page has read already (no query):
    the learners listed, the skills of the grid and :func:`resultats` of those learners."""
    return {
        f"c-{i.id}-{c.id}": stockes[i.id][c.id].resultat if c.id in stockes.get(i.id, {}) else ""
        for i in inscrits
        for c in jugees
    }


def _auteurs_competences(atelier: Atelier) -> dict[str, versions.Auteur]:
    """Form field of a skills page -> who last judged that skill for that learner, and when."""
    return {
        f"c-{inscription_id}-{competence_id}": (f"{prenom} {nom}" if prenom else None, moment)
        for inscription_id, competence_id, prenom, nom, moment in db.session.execute(
            sa.select(
                EvaluationCompetence.inscription_id,
                EvaluationCompetence.competence_id,
                Compte.prenom,
                Compte.nom,
                EvaluationCompetence.evaluated_at,
            )
            .join(Inscription, Inscription.id == EvaluationCompetence.inscription_id)
            .outerjoin(Compte, Compte.id == EvaluationCompetence.compte_id)
            .where(Inscription.atelier_id == atelier.id)
        )
    }


def enregistrer_competences(
    auteur: Compte,
    atelier: Atelier,
    seance: Seance,
    saisies: dict[int, dict[int, str]],
    today: date,
    vu: Mapping[str, object] | None = None,
) -> list[Inscription]:
    """Save the judgements typed at ``seance`` and recompute the workshop's alerts for ``today``, even when
    nothing changed (``ateliers.presences.recalculer_atelier``).

    :param saisies: inscription id -> competence id -> "non_acquis" / "avec_aide" / "acquis" (a skill left
        blank is not in the mapping: its judgement, if any, stays).
    :param vu: what the page showed (``core.versions.lire`` of its ``version`` field); None skips the check
        (callers that are not a page). The workshop's row is locked first, so two saves run one at a time.
    :return: the inscriptions whose judgements changed.
    :raise InscriptionInconnue: someone not enrolled when the séance started (not in the workshop, joined after
        it started, or left before).
    :raise CompetenceInconnue: a skill not judged at this séance.
    :raise AtelierClos: the workshop is closed and not unlocked.
    :raise core.versions.ModifieEntreTemps: the judgements changed since the page showed ``vu`` (nothing written).
    :raise CompetencesRefusees: séance more than a day ahead, an unknown value, or an absent learner judged.
    """
    if vu is not None:
        versions.verrouiller(atelier)
    inscrits = {i.id: i for i in inscrits_de_seance(atelier, seance)}
    if set(saisies) - set(inscrits):
        raise InscriptionInconnue(sorted(set(saisies) - set(inscrits)))
    vue = grille(atelier, seance)
    permises = {c.id: c for c in vue.competences}
    if any(set(valeurs) - set(permises) for valeurs in saisies.values()):
        raise CompetenceInconnue(seance.numero)
    exiger_ouvert(atelier)
    trop_tot = avancement.refus_saisie_trop_tot(seance.jour, today, "ses compétences")
    if trop_tot:
        raise CompetencesRefusees({}, trop_tot)
    if vu is not None:
        actuel = instantane_competences(atelier, seance)
        versions.exiger_inchange(vu, actuel, lambda _noms: _auteurs_competences(atelier))
    erreurs: dict[int, str] = {}
    for inscription_id, valeurs in saisies.items():
        if any(valeur not in RESULTATS_COMPETENCE for valeur in valeurs.values()):
            erreurs[inscription_id] = "Choisissez non acquis, avec aide ou acquis."
    empeches = empechements(seance, list(inscrits.values()))
    for inscription_id, raison in empeches.items():
        if saisies.get(inscription_id):
            erreurs[inscription_id] = raison
    if erreurs:
        raise CompetencesRefusees(erreurs, "Les compétences ne sont pas enregistrées.")

    existantes = resultats(list(saisies))
    changees = []
    for inscription_id, valeurs in saisies.items():
        modifiees = 0
        for competence_id, valeur in valeurs.items():
            evaluation = existantes[inscription_id].get(competence_id)
            if evaluation is None:
                evaluation = EvaluationCompetence(inscription_id=inscription_id, competence_id=competence_id)
                db.session.add(evaluation)
            elif evaluation.resultat == valeur:
                continue
            evaluation.resultat = valeur
            evaluation.seance_id = seance.id
            evaluation.compte_id = auteur.id
            evaluation.evaluated_at = utcnow()
            modifiees += 1
        if modifiees:
            changees.append(inscrits[inscription_id])
            quoi = "évaluation finale" if vue.finale else f"compétences séance {seance.numero}"
            journal.record(auteur, "modification", "inscription", inscription_id, f"{quoi} : {modifiees} jugement(s)")
    db.session.flush()
    recalculer_atelier(atelier, today)
    return changees


@dataclass(frozen=True)
class ColonneModule:
    """One module of a learner's progress grid: its séance, attendance, catch-up and skills.

    ``position`` says where the séance falls for the learner (``ateliers.periode``: before they joined, enrolled,
    after they left; None without a séance). ``presence`` is only given for a séance they were enrolled at.
    """

    module: ModuleInfo
    seance: Seance | None
    presence: Presence | None
    rattrapage: Rattrapage | None
    lignes: list[tuple[CompetenceInfo, EvaluationCompetence | None]]
    position: str | None = None

    @property
    def acquises(self) -> int:
        return sum(1 for _c, e in self.lignes if e is not None and e.resultat == "acquis")


@dataclass(frozen=True)
class Progression:
    """A learner's attendance and skills across the six modules of one workshop."""

    colonnes: list[ColonneModule]
    minutes_prevues: int

    @property
    def arrivee_en_cours(self) -> bool:
        """True when the learner joined after a séance of the workshop had started (a late replacement)."""
        return any(c.position == periode.AVANT_ARRIVEE for c in self.colonnes)

    @property
    def lignes(self) -> int:
        return max((len(c.lignes) for c in self.colonnes), default=0)

    @property
    def minutes_suivies(self) -> int:
        return sum(c.presence.minutes for c in self.colonnes if c.presence is not None)

    @property
    def acquises(self) -> int:
        return sum(c.acquises for c in self.colonnes)

    @property
    def competences(self) -> int:
        return sum(len(c.lignes) for c in self.colonnes)


def progression(inscription: Inscription) -> Progression:
    """The progress grid of ``inscription`` in a fixed number of queries (modules, attendance, skills, catch-ups).

    Attendance, and the hours it totals, only at the séances the learner was enrolled at.
    """
    atelier = inscription.atelier
    modules = curriculum(atelier.curriculum_version)
    seances = {s.module_id: s for s in atelier.seances}
    presences = {
        p.seance_id: p for p in db.session.scalars(sa.select(Presence).where(Presence.inscription_id == inscription.id))
    }
    rattrapages = {
        r.module_id: r
        for r in db.session.scalars(sa.select(Rattrapage).where(Rattrapage.inscription_id == inscription.id))
    }
    evaluations = resultats([inscription.id])[inscription.id]
    positions = {s.id: inscription.position_at(s) for s in seances.values()}
    colonnes = [
        ColonneModule(
            module=module,
            seance=seance,
            presence=presences.get(seance.id) if seance and positions[seance.id] == periode.INSCRIT else None,
            rattrapage=rattrapages.get(module.id),
            lignes=[(c, evaluations.get(c.id)) for c in module.competences],
            position=positions[seance.id] if seance else None,
        )
        for module, seance in ((m, seances.get(m.id)) for m in modules)
    ]
    return Progression(colonnes, sum(m.duree_minutes for m in modules))
