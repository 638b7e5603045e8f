"""Curriculum (Module, Competence), placement (Questionnaire, Positionnement) and skill judgements.

The curriculum and the questionnaire are versioned: a workshop keeps the version it started with, and a
placement keeps the questionnaire version it answered, so a later change never rewrites the past.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models import Apprenant, Compte, in_list
from core.timeutil import utcnow
from evaluations.constants import MODES_POSITIONNEMENT, RESULTATS_COMPETENCE
from extensions import db


class Module(db.Model):
    """One of the six three-hour modules of a curriculum version."""

    __tablename__ = "module"
    __table_args__ = (
        sa.UniqueConstraint("version", "numero"),
        sa.CheckConstraint("numero BETWEEN 1 AND 6", name="numero"),
        sa.CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    numero: Mapped[int]
    titre: Mapped[str] = mapped_column(sa.String(160))
    duree_minutes: Mapped[int] = mapped_column(default=180)

    competences: Mapped[list[Competence]] = relationship(
        back_populates="module", order_by="Competence.numero", cascade="all, delete-orphan"
    )

    @property
    def code(self) -> str:
        return f"M{self.numero}"


class Competence(db.Model):
    """An observable skill, judged non acquis / avec aide / acquis, belonging to one module."""

    __tablename__ = "competence"
    __table_args__ = (sa.UniqueConstraint("module_id", "numero"), sa.CheckConstraint("numero >= 1", name="numero"))

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    numero: Mapped[int]
    libelle: Mapped[str] = mapped_column(sa.String(255))
    # Worded for the attestation, in the learner's voice: "Je sais ...".
    libelle_attestation: Mapped[str] = mapped_column(sa.String(255))
    is_evaluation_finale: Mapped[bool] = mapped_column(default=False)
    # The practice resource suggested for the skill on a practice sheet (a title and an address, e.g. a Les Bons
    # Clics exercise), edited by the admin; None: no resource yet.
    ressource_titre: Mapped[str | None] = mapped_column(sa.String(160))
    ressource_url: Mapped[str | None] = mapped_column(sa.String(500))

    module: Mapped[Module] = relationship(back_populates="competences")

    @property
    def code(self) -> str:
        return f"M{self.module.numero}.{self.numero}"


class Questionnaire(db.Model):
    """A version of the placement questionnaire: parts, questions and weights, as loaded from the data file."""

    __tablename__ = "questionnaire"
    __table_args__ = (sa.CheckConstraint("version >= 1", name="version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    titre: Mapped[str] = mapped_column(sa.String(160))
    contenu: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Positionnement(db.Model):
    """One placement of one learner: mode, answers, and once complete the score (0-100) and niveau (0-3).

    A learner may be placed several times; every placement is kept. A draft (``is_brouillon``) keeps the
    answers of an interrupted call so it can be resumed.
    """

    __tablename__ = "positionnement"
    __table_args__ = (
        sa.CheckConstraint(in_list("mode", MODES_POSITIONNEMENT), name="mode"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
        sa.CheckConstraint("niveau IS NULL OR niveau BETWEEN 0 AND 3", name="niveau"),
        sa.CheckConstraint("is_brouillon OR (score IS NOT NULL AND niveau IS NOT NULL)", name="complet"),
        sa.Index("ix_positionnement_apprenant", "apprenant_id", "created_at"),
        # A learner's latest completed placement (ateliers.attente.dernier), looked up for every
        # waiting learner by the waiting list, its matrix and grouping: an index seek, no sort, no table read.
        sa.Index("ix_positionnement_dernier", "apprenant_id", "is_brouillon", "completed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id"))
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    mode: Mapped[str] = mapped_column(sa.String(12))
    reponses: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    score: Mapped[int | None]
    niveau: Mapped[int | None]
    is_brouillon: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    apprenant: Mapped[Apprenant] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    compte: Mapped[Compte | None] = relationship()


class EvaluationCompetence(db.Model):
    """The current judgement of one skill for one learner in one workshop (one row per inscription and skill)."""

    __tablename__ = "evaluation_competence"
    __table_args__ = (
        sa.UniqueConstraint("inscription_id", "competence_id"),
        sa.CheckConstraint(in_list("resultat", RESULTATS_COMPETENCE), name="resultat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # By table name: evaluations must not import ateliers (dependency direction core <- evaluations <- ateliers).
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"))
    competence_id: Mapped[int] = mapped_column(sa.ForeignKey("competence.id"))
    seance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seance.id"))
    resultat: Mapped[str] = mapped_column(sa.String(12))
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)

    competence: Mapped[Competence] = relationship()
    # Resolved by name from the ateliers package at mapper configuration, without importing it here.
    seance: Mapped[Seance | None] = relationship()  # noqa: F821
