"""Read side of the ateliers package."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers.models import Inscription
from extensions import db


def inscriptions_of(apprenant_id: int) -> list[Inscription]:
    """The learner's workshops, newest first, with the workshop loaded."""
    return list(
        db.session.scalars(
            sa.select(Inscription)
            .where(Inscription.apprenant_id == apprenant_id)
            .options(joinedload(Inscription.atelier))
            .order_by(Inscription.joined_on.desc(), Inscription.id.desc())
        )
    )
