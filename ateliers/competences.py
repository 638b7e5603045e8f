"""Skills judged at a séance (non acquis / avec aide / acquis), and the final evaluation at module 6.

At séances 1 to 5 the mediator judges the skills of the séance's module. The séance whose module holds the
final-evaluation skill (M6.5, the reference scenario) is the final evaluation: every skill of the curriculum
version can be judged there, so the whole M1-M6 grid is completed in one place.

One rule on every page (:func:`empechements`, ``ateliers.periode.modules_non_notables``): a module the learner
missed is not judged until a catch-up of it is done (the catch-up then counts for the module's skills), and
someone absent at the séance is not judged at it. At the final evaluation the page shows one learner at a
time (:func:`etats_evaluation_finale` says whose evaluation is done) and a save compares only that learner's
judgements with what the page showed (``personnes``).

``enregistrer_competences`` refuses a save made from a page older than the last save of these judgements
(``core.versions``, :func:`instantane_competences`), validates everything before writing (nothing is written
when a line is refused), upserts one EvaluationCompetence per learner and skill, and recomputes the learner's
dropout alerts (``niveau_sans_acquis`` reads the skills). It flushes; the route commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa

from ateliers import avancement, dropout, periode
from ateliers.models import Atelier, Inscription, Presence, Seance
from ateliers.presences import inscrits_de_seance, recalculer_atelier
from ateliers.queries import modules_rattrapes
from ateliers.verrou import exiger_ouvert
from core import journal, versions
from core.database import run_core
from core.francais import nombre
from core.models import Compte
from core.queries import parties
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


def resultats_et_statuts(
    inscription_ids: list[int], seance_id: int
) -> tuple[dict[int, dict[int, EvaluationCompetence]], dict[int, str]]:
    """What a skills page of séances 1 to 5 reads, in one query (on PostgreSQL each statement is a round trip):
    :func:`resultats` of ``inscription_ids``, and the attendance stored at the séance ``seance_id``
    (inscription id -> status, for whoever it was taken)."""
    found: dict[int, dict[int, EvaluationCompetence]] = defaultdict(dict)
    statuts: dict[int, str] = {}
    parametres = {"inscriptions": list(inscription_ids), "seance_id": seance_id}
    for evaluation, inscription_id, statut in db.session.execute(_resultats_et_statuts_statement(), parametres):
        if evaluation is not None:
            found[evaluation.inscription_id][evaluation.competence_id] = evaluation
        elif inscription_id is not None:
            statuts[inscription_id] = statut
    return found, statuts


@cache
def _resultats_et_statuts_statement() -> sa.Select:
    """Rows ``(judgement, None, None)`` then ``(None, inscription id, status)``: two parts side by side, each row
    of one (``partie``, a constant column). Built once per process (see ``ateliers.queries``)."""
    partie = parties(0, 1)
    return (
        sa.select(EvaluationCompetence, Presence.inscription_id, Presence.statut)
        .select_from(partie.table)
        .outerjoin(
            EvaluationCompetence,
            (partie == 0) & EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)),
        )
        .outerjoin(Presence, (partie == 1) & (Presence.seance_id == sa.bindparam("seance_id")))
    )


@cache
def _resultats_statement() -> sa.Select:
    """Built once per process (see ``ateliers.queries``): the skills pages run it on every request."""
    return sa.select(EvaluationCompetence).where(
        EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True))
    )


def empechements(
    atelier: Atelier,
    seance: Seance,
    inscrits: list[Inscription],
    statuts: Mapping[tuple[int, int], str] | None = None,
) -> dict[int, dict[int, str]]:
    """Whose skills cannot be judged at ``seance``, module by module: the one rule of the séance pages and the
    final evaluation (``ateliers.periode.modules_non_notables``: a module missed without a catch-up done is
    not judged, and someone who missed this séance is not judged at it).

    :param statuts: the attendance the caller has already read, (inscription id, séance id) -> statut, covering
        ``inscrits`` at the séances of the modules judged here (at a séance page, that séance; at the final
        evaluation, every séance): then no query here but for the catch-ups of those who missed one.
    :return: inscription id -> module id -> ``periode.ABSENCE_A_LA_SEANCE`` or ``periode.MODULE_MANQUE``;
        learners who may be judged on everything are left out. Messages: :func:`raison_empechement`.
    """
    if not inscrits:
        return {}
    modules = [m.id for m in grille(atelier, seance).modules]
    seances = {s.id: s for s in atelier.seances if s.module_id in modules}
    par_id = {i.id: i for i in inscrits}
    if statuts is None:
        lignes = run_core(
            sa.select(Presence.inscription_id, Presence.seance_id, Presence.statut).where(
                Presence.inscription_id.in_(list(par_id)),
                Presence.seance_id.in_(list(seances)),
                Presence.statut.in_(dropout.ABSENT),
            )
        ).all()
    else:
        lignes = [(i, s, statut) for (i, s), statut in statuts.items()]
    manques: dict[int, set[int]] = defaultdict(set)
    for inscription_id, seance_id, statut in lignes:
        inscription, manquee = par_id.get(inscription_id), seances.get(seance_id)
        if statut in dropout.ABSENT and inscription and manquee and inscription.was_enrolled_at(manquee):
            manques[inscription_id].add(manquee.module_id)
    if not manques:
        return {}
    rattrapes = modules_rattrapes(list(manques))
    empeches = {}
    for inscription_id, manques_de in manques.items():
        bloques = periode.modules_non_notables(manques_de, rattrapes.get(inscription_id, ()), seance.module_id, modules)
        if bloques:
            empeches[inscription_id] = bloques
    return empeches


def raison_empechement(code: str, module: ModuleInfo) -> str:
    """What the page says beside a learner, or beside ``module`` at the final evaluation, when its skills
    cannot be judged (``code`` from :func:`empechements`)."""
    if code == periode.ABSENCE_A_LA_SEANCE:
        return (
            "Absence à cette séance, sans rattrapage fait : les compétences seront notées après le rattrapage "
            f"du module {module.numero}."
        )
    return f"Module {module.numero} manqué, sans rattrapage fait : ses compétences seront notées après le rattrapage."


def instantane_competences(
    atelier: Atelier, seance: Seance, personnes: Collection[int] | None = None
) -> dict[str, str]:
    """What the skills page of ``seance`` shows, read from the database: for each learner listed and each skill
    of the grid, the form field ``c-<inscription id>-<competence id>`` -> the judgement ("" when none). The
    snapshot of ``core.versions`` for this page.

    :param personnes: the inscription ids a page shows when it shows only some of the séance's learners (the
        final evaluation shows one); None: all of them.
    """
    inscrits = [i for i in inscrits_de_seance(atelier, seance) if personnes is None or i.id in personnes]
    return instantane_de_grille(inscrits, grille(atelier, seance).competences, resultats([i.id for i in inscrits]))


def instantane_de_grille(
    inscrits: list[Inscription],
    jugees: list[CompetenceInfo],
    stockes: Mapping[int, Mapping[int, EvaluationCompetence | Jugement]],
) -> dict[str, str]:
    """The snapshot of :func:`instantane_competences` from what the skills page has read already (no query):
    the learners listed, the skills of the grid and :func:`resultats` (or :func:`jugements`) of those
    learners."""
    return {
        f"c-{i.id}-{c.id}": stockes[i.id][c.id].resultat if c.id in stockes.get(i.id, {}) else ""
        for i in inscrits
        for c in jugees
    }


def _auteurs_competences(atelier: Atelier) -> dict[str, versions.Auteur]:
    """Form field of a skills page -> who last judged that skill for that learner, and when."""
    return {
        f"c-{inscription_id}-{competence_id}": (f"{prenom} {nom}" if prenom else None, moment)
        for inscription_id, competence_id, prenom, nom, moment in run_core(
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
    personnes: Collection[int] | None = None,
) -> list[Inscription]:
    """Save the judgements typed at ``seance`` and recompute the workshop's alerts for ``today``, even when
    nothing changed (``ateliers.presences.recalculer_atelier``).

    :param saisies: inscription id -> competence id -> "non_acquis" / "avec_aide" / "acquis" (a skill left
        blank is not in the mapping: its judgement, if any, stays).
    :param vu: what the page showed (``core.versions.lire`` of its ``version`` field); None skips the check
        (callers that are not a page). The workshop's row is locked first, so two saves run one at a time.
    :param personnes: the inscription ids the page showed, when it showed only some of the séance's learners
        (the final evaluation, one at a time): ``vu`` is compared with their judgements only, so saving one
        learner is not refused because a colleague saved another meanwhile. None: every learner of the séance.
    :return: the inscriptions whose judgements changed.
    :raise InscriptionInconnue: someone not enrolled when the séance started (not in the workshop, joined after
        it started, or left before), or not among ``personnes``.
    :raise CompetenceInconnue: a skill not judged at this séance.
    :raise AtelierClos: the workshop is closed and not unlocked.
    :raise core.versions.ModifieEntreTemps: the judgements changed since the page showed ``vu`` (nothing written).
    :raise CompetencesRefusees: séance more than a day ahead, an unknown value, or a skill of a module the
        learner cannot be judged on (:func:`empechements`).
    """
    if vu is not None:
        versions.verrouiller(atelier)
    inscrits = {i.id: i for i in inscrits_de_seance(atelier, seance) if personnes is None or i.id in personnes}
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
        actuel = instantane_competences(atelier, seance, personnes)
        versions.exiger_inchange(vu, actuel, lambda _noms: _auteurs_competences(atelier))
    erreurs: dict[int, str] = {}
    for inscription_id, valeurs in saisies.items():
        if any(valeur not in RESULTATS_COMPETENCE for valeur in valeurs.values()):
            erreurs[inscription_id] = "Choisissez non acquis, avec aide ou acquis."
    modules = {m.id: m for m in vue.modules}
    empeches = empechements(atelier, seance, [inscrits[i] for i in saisies])
    for inscription_id, bloques in empeches.items():
        touches = [permises[c].module_id for c in saisies[inscription_id] if permises[c].module_id in bloques]
        if touches and inscription_id not in erreurs:
            erreurs[inscription_id] = raison_empechement(bloques[touches[0]], modules[touches[0]])
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
            journal.record(
                auteur, "modification", "inscription", inscription_id, f"{quoi} : {nombre(modifiees, 'jugement')}"
            )
    db.session.flush()
    recalculer_atelier(atelier, today)
    return changees


@dataclass(frozen=True)
class EtatFinale:
    """Where one learner's final evaluation stands: ``notees`` skills of the grid judged out of ``total``, and
    whether the final scenario is judged (``scenario``): the evaluation is done then, as closing counts it
    (``ateliers.cloture.sans_evaluation_finale``)."""

    notees: int
    total: int
    scenario: bool

    @property
    def faite(self) -> bool:
        return self.scenario


@dataclass(frozen=True)
class Jugement:
    """A stored judgement as the final evaluation page reads it: the result, and the séance it was made at."""

    resultat: str
    seance_id: int | None


def jugements_et_statuts(
    inscription_ids: list[int], competence_ids: list[int]
) -> tuple[dict[int, dict[int, Jugement]], dict[int, dict[int, str]]]:
    """What the final evaluation page reads of ``inscription_ids``, in one query of plain columns (no ORM object)
    whatever the number of learners: their judgements of the skills ``competence_ids`` (inscription id ->
    competence id -> :class:`Jugement`) and their attendance (inscription id -> séance id -> status), the two
    parts of a UNION ALL (on PostgreSQL each statement is a round trip)."""
    found: dict[int, dict[int, Jugement]] = defaultdict(dict)
    statuts: dict[int, dict[int, str]] = defaultdict(dict)
    if inscription_ids:
        parametres = {"inscriptions": list(inscription_ids), "competences": list(competence_ids)}
        for partie, inscription_id, competence_id, resultat, seance_id in run_core(_jugements_statement(), parametres):
            if partie == _JUGEMENTS:
                found[inscription_id][competence_id] = Jugement(resultat, seance_id)
            else:
                statuts[inscription_id][seance_id] = resultat
    return found, statuts


_JUGEMENTS, _STATUTS = 0, 1


@cache
def _jugements_statement() -> sa.CompoundSelect:
    """Rows ``(partie, inscription id, competence id, résultat or attendance status, séance id)``; built once per
    process (see ``ateliers.queries``)."""
    return sa.union_all(
        sa.select(
            sa.literal_column(str(_JUGEMENTS), sa.Integer).label("partie"),
            EvaluationCompetence.inscription_id,
            EvaluationCompetence.competence_id,
            EvaluationCompetence.resultat,
            EvaluationCompetence.seance_id,
        ).where(
            EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)),
            EvaluationCompetence.competence_id.in_(sa.bindparam("competences", expanding=True)),
        ),
        sa.select(
            sa.literal_column(str(_STATUTS), sa.Integer),
            Presence.inscription_id,
            sa.cast(sa.null(), sa.Integer),
            Presence.statut,
            Presence.seance_id,
        ).where(Presence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True))),
    )


def etats_evaluation_finale(
    vue: Grille, inscrits: list[Inscription], stockes: Mapping[int, Mapping[int, object]]
) -> dict[int, EtatFinale]:
    """inscription id -> :class:`EtatFinale` for each of ``inscrits`` at the final evaluation ``vue``, from
    their judgements ``stockes`` (:func:`jugements`: inscription id -> competence id -> judgement). No query."""
    finales = {c.id for c in vue.competences if c.is_evaluation_finale}
    grille_ids = {c.id for c in vue.competences}
    etats = {}
    for inscription in inscrits:
        notees = set(stockes.get(inscription.id, {})) & grille_ids
        etats[inscription.id] = EtatFinale(len(notees), len(grille_ids), bool(notees & finales))
    return etats
