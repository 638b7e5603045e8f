"""Read side of the evaluations package."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, defer, joinedload

from core.models import Apprenant
from evaluations.models import Positionnement
from evaluations.scoring import Resultat, score_positionnement
from extensions import db


def positionnements_of(apprenant_id: int) -> list[Positionnement]:
    """The learner's placements, newest first (drafts included), with who ran them; one query.

    For the learner page's history: the answers (a JSON document per placement) are not read; reading
    ``reponses`` on one of them loads it then.
    """
    return list(db.session.scalars(_positionnements_statement(), {"apprenant_id": apprenant_id}))


@cache
def _positionnements_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than
    running it."""
    return (
        sa.select(Positionnement)
        .where(Positionnement.apprenant_id == sa.bindparam("apprenant_id"))
        .options(joinedload(Positionnement.compte), defer(Positionnement.reponses))
        .order_by(Positionnement.created_at.desc(), Positionnement.id.desc())
    )


def draft_of(apprenant_id: int) -> Positionnement | None:
    """The learner's open draft (the newest, should there ever be two), or None."""
    return db.session.scalar(
        sa.select(Positionnement)
        .where(Positionnement.apprenant_id == apprenant_id, Positionnement.is_brouillon.is_(True))
        .order_by(Positionnement.created_at.desc(), Positionnement.id.desc())
        .limit(1)
    )


def get_positionnement_or_404(positionnement_id: int, structure_id: int) -> Positionnement:
    """One placement of ``structure_id``, with its learner, questionnaire and author, in one query.

    Positionnement has no structure of its own: it is scoped through its learner.

    :raise 404: when the placement does not exist or its learner belongs to another structure.
    """
    found = db.session.scalar(
        sa.select(Positionnement)
        .join(Positionnement.apprenant)
        .where(Positionnement.id == positionnement_id, Apprenant.structure_id == structure_id)
        .options(
            contains_eager(Positionnement.apprenant),
            joinedload(Positionnement.questionnaire),
            joinedload(Positionnement.compte),
        )
    )
    if found is None:
        abort(404)
    return found


def resultat_of(positionnement: Positionnement) -> Resultat | None:
    """The reasons of a completed placement, recomputed from its stored answers (pure, no query).

    None for a draft, or when today's scoring rules would not give the stored score and niveau (the rules
    changed since): the page then shows the stored figures without reasons that would contradict them.
    """
    if positionnement.is_brouillon:
        return None
    try:
        resultat = score_positionnement(
            positionnement.questionnaire.contenu, positionnement.reponses or {}, positionnement.mode
        )
    except ValueError:
        return None
    if (resultat.score, resultat.niveau) != (positionnement.score, positionnement.niveau):
        return None
    return resultat
