"""Making the practice plans: one :class:`~entrainements.models.PlanEntrainement` per learner who finished a
workshop, with one :class:`~entrainements.models.Entrainement` per rank (issue 10, item 2).

When: at the closing itself (``ateliers.cloture`` sends :data:`ateliers.cloture.atelier_cloture`, which
:func:`a_la_cloture` receives, connected from ``app.register_blueprints``: ateliers does not import this package),
so the mediator sees the plans as soon as she closes; and in every booking sweep (``entrainements.jobs.reserver``)
for the workshops closed before this code existed (once: a plan is never made twice) and any miss. Flush only.

The rules: ``fin_atelier_on`` is the structure's local day of the workshop's last séance; the ranks, targets and
windows come from :func:`entrainements.plan.plan_entrainements` with the structure's rules
(``Structure.regles_entrainement``, the defaults when None); the skills from
:func:`entrainements.plan.competences_a_travailler` over the workshop's curriculum and the learner's judgements
(``EvaluationCompetence`` keeps one row per inscription and skill, the latest judgement: at the final
evaluation, séance 6, every skill can be judged again and that judgement replaces the earlier one).

A plan made late (a workshop closed long ago, or closed days after its last séance): a rank whose whole window
is already over on the structure's day is not created. Nobody can practise in the past, and moving such a rank
to the coming days would put it on top of the next one; the ranks still ahead keep their dates (a window that
has begun is booked from today on). A plan whose every window is over is still made, empty, so the learner is
not looked at again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from ateliers.models import Atelier, Inscription, Seance
from core.messagerie.depot import canal_pour
from core.models import Apprenant, Structure
from core.timeutil import local_today, structure_zone, to_local
from entrainements.models import Entrainement, PlanEntrainement
from entrainements.plan import ReglesEntrainement, competences_a_travailler, plan_entrainements
from evaluations.curriculum import curriculum
from evaluations.models import EvaluationCompetence
from extensions import db

# Inscriptions read per query for their judgements (well under every database's bound-parameter limit).
PAQUET = 500


def regles_de(structure: Structure) -> ReglesEntrainement:
    """The structure's practice rules (``Structure.regles_entrainement``), the defaults when it has none.

    :raise ValueError: (French message) when the stored rules are invalid (see ``ReglesEntrainement.from_dict``).
    """
    if not structure.regles_entrainement:
        return ReglesEntrainement()
    return ReglesEntrainement.from_dict(structure.regles_entrainement)


def creer_plans(structure: Structure, now: datetime, *, atelier_id: int | None = None) -> int:
    """Make the plan of every "termine" inscription of ``structure``'s closed workshops that has none; flush only.

    :param now: the present moment (naive UTC): the structure's day from it decides which ranks are over (see
        the module docstring).
    :param atelier_id: only this workshop's inscriptions (the closing); None: every closed workshop.
    :return: the number of plans made (0 when every finished inscription has one: running it twice makes them
        once; ``plan_entrainement.inscription_id`` is unique, so a concurrent writer fails at flush instead).
    :raise ValueError: when the structure's stored rules are invalid.
    """
    regles = regles_de(structure)
    today = local_today(now, structure_zone(structure))
    derniere = (
        sa.select(Seance.atelier_id, sa.func.max(Seance.starts_at).label("fin")).group_by(Seance.atelier_id).subquery()
    )
    query = (
        sa.select(Inscription.id, Inscription.apprenant_id, Atelier.curriculum_version, derniere.c.fin)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .join(derniere, derniere.c.atelier_id == Atelier.id)
        .where(
            Atelier.structure_id == structure.id,
            Atelier.statut == "termine",
            Inscription.statut == "termine",
            ~sa.exists().where(PlanEntrainement.inscription_id == Inscription.id),
        )
        .order_by(Inscription.id)
    )
    if atelier_id is not None:
        query = query.where(Atelier.id == atelier_id)
    rows = db.session.execute(query).all()
    if not rows:
        return 0
    resultats = _jugements([row.id for row in rows])
    zone = structure_zone(structure)
    for inscription_id, apprenant_id, version, fin in rows:
        fin_atelier_on = to_local(fin, zone).date()
        competences = [c.id for c in competences_a_travailler(curriculum(version), resultats[inscription_id])]
        plan = PlanEntrainement(
            structure_id=structure.id,
            inscription_id=inscription_id,
            apprenant_id=apprenant_id,
            fin_atelier_on=fin_atelier_on,
        )
        plan.entrainements = [
            Entrainement(
                structure_id=structure.id,
                apprenant_id=apprenant_id,
                rang=prevu.rang,
                cible_on=prevu.cible,
                debut_on=prevu.debut,
                fin_on=prevu.fin,
                competences=list(competences),
            )
            for prevu in plan_entrainements(fin_atelier_on, regles)
            if prevu.fin >= today
        ]
        db.session.add(plan)
    db.session.flush()
    return len(rows)


def _jugements(inscription_ids: list[int]) -> dict[int, dict[int, str]]:
    """inscription id -> {skill id: its judgement}, the one stored row per skill (the latest judgement)."""
    resultats: dict[int, dict[int, str]] = defaultdict(dict)
    for debut in range(0, len(inscription_ids), PAQUET):
        paquet = inscription_ids[debut : debut + PAQUET]
        for inscription_id, competence_id, resultat in db.session.execute(
            sa.select(
                EvaluationCompetence.inscription_id, EvaluationCompetence.competence_id, EvaluationCompetence.resultat
            ).where(EvaluationCompetence.inscription_id.in_(paquet))
        ):
            resultats[inscription_id][competence_id] = resultat
    return resultats


def a_la_cloture(atelier: Atelier, *, now: datetime, **_kwargs) -> None:
    """Receiver of ``ateliers.cloture.atelier_cloture``: the plans of the workshop just closed, in the closing's
    transaction (flush only; the closing route commits)."""
    creer_plans(atelier.structure, now, atelier_id=atelier.id)


def sans_moyen_de_contact(structure_id: int) -> list[Apprenant]:
    """The learners of ``structure_id`` with a running plan whom no channel reaches (no email, no mobile number,
    no postal address: ``core.messagerie.depot.canal_pour`` is None): the sweeps book them but send nothing, so
    the mediator must tell them herself. By surname then first name; one query."""
    apprenants = db.session.scalars(
        sa.select(Apprenant)
        .where(
            sa.exists().where(
                PlanEntrainement.apprenant_id == Apprenant.id,
                PlanEntrainement.structure_id == structure_id,
                PlanEntrainement.statut == "actif",
            )
        )
        .order_by(Apprenant.nom, Apprenant.prenom, Apprenant.id)
    )
    return [apprenant for apprenant in apprenants if canal_pour(apprenant) is None]
