"""Read side of the attestations: a workshop's attestations for its page and its printing."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from ateliers.models import Inscription
from attestations.models import Attestation
from extensions import db


def attestations_de_atelier(atelier_id: int) -> dict[int, list[Attestation]]:
    """Every attestation of the workshop's inscriptions, revoked ones included, by inscription id, the
    newest first; one query whatever the number of learners."""
    par_inscription: dict[int, list[Attestation]] = defaultdict(list)
    for attestation in db.session.scalars(
        sa.select(Attestation)
        .join(Inscription, Inscription.id == Attestation.inscription_id)
        .where(Inscription.atelier_id == atelier_id)
        .order_by(Attestation.emise_at.desc(), Attestation.id.desc())
    ):
        par_inscription[attestation.inscription_id].append(attestation)
    return par_inscription


def valides_de_atelier(atelier_id: int) -> list[Attestation]:
    """The workshop's attestations not revoked, in the order of their numbers (the order they print in)."""
    return list(
        db.session.scalars(
            sa.select(Attestation)
            .join(Inscription, Inscription.id == Attestation.inscription_id)
            .where(Inscription.atelier_id == atelier_id, Attestation.revoquee_at.is_(None))
            .order_by(Attestation.id)
        )
    )
