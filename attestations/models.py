"""Attestation tables: the attestation itself, the per-structure-year counter of its numbers, and the
structure's attestation settings (its code in the numbers, the signatory)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ateliers.models import Inscription
from attestations.codes import code_groupe
from attestations.constants import MOTIFS_REVOCATION, TYPES_ATTESTATION
from core.models import Structure, in_list
from core.timeutil import utcnow
from extensions import db


class Attestation(db.Model):
    """An issued attestation: a frozen snapshot of everything it prints, its number and verification code.

    ``contenu`` is the snapshot (``attestations.services.instantane``): later changes to the learner, the
    curriculum or the attendance never reach it, and the PDF is drawn from it alone, so reprinting gives the same
    bytes. A
    correction means revoking (``revoquee_at``, ``motif_revocation``) and issuing a new one: the database
    allows one attestation not revoked per inscription (partial unique index). Numbers and codes are unique
    and never reused: a revoked attestation keeps its row, its number and its code.
    """

    __tablename__ = "attestation"
    __table_args__ = (
        sa.CheckConstraint(in_list("type", TYPES_ATTESTATION), name="type"),
        sa.CheckConstraint(
            f"motif_revocation IS NULL OR {in_list('motif_revocation', MOTIFS_REVOCATION)}", name="motif_revocation"
        ),
        sa.CheckConstraint("(revoquee_at IS NULL) = (motif_revocation IS NULL)", name="revocation_motivee"),
        sa.Index(
            "uq_attestation_inscription_valide",
            "inscription_id",
            unique=True,
            sqlite_where=sa.text("revoquee_at IS NULL"),
            postgresql_where=sa.text("revoquee_at IS NULL"),
        ),
        sa.Index("ix_attestation_structure_emise", "structure_id", "emise_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(10))
    numero: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # Stored without dashes (attestations.codes): the public page finds it with one unique index seek.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    contenu: Mapped[dict] = mapped_column(sa.JSON)
    emise_at: Mapped[datetime] = mapped_column(default=utcnow)
    emise_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    revoquee_at: Mapped[datetime | None]
    motif_revocation: Mapped[str | None] = mapped_column(sa.String(12))
    revoquee_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))

    structure: Mapped[Structure] = relationship()
    inscription: Mapped[Inscription] = relationship()

    @property
    def code_affiche(self) -> str:
        """The code as printed: ``7KQ2-XM9D-R4TB``."""
        return code_groupe(self.code)

    @property
    def is_revoquee(self) -> bool:
        return self.revoquee_at is not None


class CompteurAttestation(db.Model):
    """The last sequence number handed out for a structure's attestations of one year.

    Taken by a conditional ``UPDATE ... SET dernier = dernier + 1 ... RETURNING dernier``: two issuings at once
    are serialised by the row lock and never get the same number; the counter only grows, so a number is never
    reused, even after a revocation.
    """

    __tablename__ = "compteur_attestation"
    __table_args__ = (sa.CheckConstraint("dernier >= 1", name="dernier"),)

    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"), primary_key=True)
    annee: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dernier: Mapped[int]


class ImageAttestation(db.Model):
    """An image printed on attestations (a logo, a signature), named by the SHA-256 of its bytes.

    Rows are only added: a snapshot names the images it prints by their hash, so replacing the logo in the
    settings never changes an attestation already issued.
    """

    __tablename__ = "image_attestation"
    __table_args__ = (sa.CheckConstraint("type IN ('image/png', 'image/jpeg')", name="type"),)

    empreinte: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20))
    contenu: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ParametresAttestation(db.Model):
    """A structure's attestation settings, set by its admin: the code its numbers carry, the signatory, the
    logo and the signature image.

    Without a row, numbers carry ``S`` and the structure's id and the issuing account signs.
    """

    __tablename__ = "parametres_attestation"

    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"), primary_key=True, autoincrement=False)
    code_structure: Mapped[str] = mapped_column(sa.String(12), unique=True)
    signataire_nom: Mapped[str] = mapped_column(sa.String(120), default="")
    signataire_fonction: Mapped[str] = mapped_column(sa.String(120), default="")
    logo_empreinte: Mapped[str | None] = mapped_column(sa.ForeignKey("image_attestation.empreinte"))
    signature_empreinte: Mapped[str | None] = mapped_column(sa.ForeignKey("image_attestation.empreinte"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
