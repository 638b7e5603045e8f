"""A learner's progress page: attendance, catch-ups and skills across the six modules of one workshop, with the
open dropout alerts and the calls made about them.

Everything the page reads about the inscription comes in one statement (:func:`_progression_statement`): on
PostgreSQL each statement is a round trip, and six of them were most of the page's time (issue 8, item 19).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers import periode, rappels
from ateliers.models import Alerte, Inscription, Presence, Rattrapage, Seance, Suivi
from core.queries import parties
from evaluations.curriculum import CompetenceInfo, ModuleInfo, curriculum
from evaluations.models import Competence, EvaluationCompetence, Module
from extensions import db


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
    """A learner's attendance and skills across the six modules of one workshop, and their follow-up.

    ``alertes``: the open alerts about today, ``historiques``: those about séances keyed in from paper (each most
    severe first, ``ateliers.rappels.separer_alertes``); ``suivis``: the calls about this inscription, newest
    first, with who made them loaded.
    """

    colonnes: list[ColonneModule]
    minutes_prevues: int
    alertes: list[Alerte] = field(default_factory=list)
    historiques: list[Alerte] = field(default_factory=list)
    suivis: list[Suivi] = field(default_factory=list)

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


_GRILLE, _ALERTES, _SUIVIS = 0, 1, 2


@cache
def _progression_statement() -> sa.Select:
    """Rows ``(judgement, presence, catch-up, alert, call)`` about the inscription ``:inscription_id`` of the
    workshop ``:atelier_id`` (curriculum version ``:version``), the entities a row lacks None. Built once per
    process (see ``ateliers.queries``).

    Three parts side by side, each row belonging to one (``partie``, a constant column): the grid, one row per skill
    of the version (per module when it has none) with its judgement, the presence at its module's séance and the
    catch-up of its module (each unique per inscription and skill, séance or module: only a module's presence and
    catch-up come again on each of its skills); the open alerts; the calls, newest first, with who made them.
    """
    inscription_id = sa.bindparam("inscription_id")
    partie = parties(_GRILLE, _ALERTES, _SUIVIS)
    return (
        sa.select(EvaluationCompetence, Presence, Rattrapage, Alerte, Suivi)
        .select_from(partie.table)
        .outerjoin(Module, (partie == _GRILLE) & (Module.version == sa.bindparam("version")))
        .outerjoin(Competence, Competence.module_id == Module.id)
        .outerjoin(
            EvaluationCompetence,
            (EvaluationCompetence.competence_id == Competence.id)
            & (EvaluationCompetence.inscription_id == inscription_id),
        )
        .outerjoin(Seance, (Seance.module_id == Module.id) & (Seance.atelier_id == sa.bindparam("atelier_id")))
        .outerjoin(Presence, (Presence.seance_id == Seance.id) & (Presence.inscription_id == inscription_id))
        .outerjoin(Rattrapage, (Rattrapage.module_id == Module.id) & (Rattrapage.inscription_id == inscription_id))
        .outerjoin(
            Alerte, (partie == _ALERTES) & (Alerte.inscription_id == inscription_id) & Alerte.resolved_at.is_(None)
        )
        .outerjoin(Suivi, (partie == _SUIVIS) & (Suivi.inscription_id == inscription_id))
        .options(joinedload(Suivi.compte))
        .order_by(partie, Suivi.appel_on.desc(), Suivi.id.desc())
    )


def progression(inscription: Inscription) -> Progression:
    """The progress page of ``inscription`` (its workshop and séances loaded): its workshop's modules (the
    in-memory curriculum) with the séance, attendance, catch-up and judgements of each, its open alerts and the
    calls about it, read in one query.

    Attendance, and the hours it totals, only at the séances the learner was enrolled at.
    """
    atelier = inscription.atelier
    modules = curriculum(atelier.curriculum_version)
    seances = {s.module_id: s for s in atelier.seances}
    params = {"inscription_id": inscription.id, "atelier_id": atelier.id, "version": atelier.curriculum_version}
    presences: dict[int, Presence] = {}
    rattrapages: dict[int, Rattrapage] = {}
    evaluations: dict[int, EvaluationCompetence] = {}
    alertes: list[Alerte] = []
    suivis: list[Suivi] = []
    for evaluation, presence, rattrapage, alerte, suivi in db.session.execute(_progression_statement(), params):
        if evaluation is not None:
            evaluations[evaluation.competence_id] = evaluation
        if presence is not None:
            presences[presence.seance_id] = presence
        if rattrapage is not None:
            rattrapages[rattrapage.module_id] = rattrapage
        if alerte is not None:
            alertes.append(alerte)
        if suivi is not None:
            suivis.append(suivi)
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
    du_jour, historiques = rappels.separer_alertes(alertes)
    return Progression(colonnes, sum(m.duree_minutes for m in modules), du_jour, historiques, suivis)
