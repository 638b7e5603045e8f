"""Read side of the evaluations package."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from evaluations.models import Positionnement
from extensions import db


def positionnements_of(apprenant_id: int) -> list[Positionnement]:
    """The learner's placements, newest first (drafts included), with who ran them."""
    return list(
        db.session.scalars(
            sa.select(Positionnement)
            .where(Positionnement.apprenant_id == apprenant_id)
            .options(selectinload(Positionnement.compte))
            .order_by(Positionnement.created_at.desc(), Positionnement.id.desc())
        )
    )
