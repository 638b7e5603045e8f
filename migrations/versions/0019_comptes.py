"""Accounts (issue 13, item 5): reset links, idle sessions, inactivity, the TOTP second factor.

Written by hand from the models, then compared with ``upgrade head`` by tests/services/test_migrations.py.

- ``jeton_reinitialisation``: one-time password reset links (SHA-256 of the token only), valid 24 hours.
- ``connexion.last_seen_at``: the last request of a signed-in session (idle limit). Backfill: its
  ``created_at``, so a session open at upgrade time counts as idle since its sign-in. The column is added
  nullable, filled, then made NOT NULL in batch mode (SQLite copies ``connexion``, which no table references).
- ``compte``: ``desactive_inactivite_at`` and ``reactive_at`` (both empty: no account was deactivated for
  inactivity before, and none reactivated since), the TOTP columns (``has_totp`` false for everyone: nobody
  has enrolled; a server default gives existing rows the value, so SQLite can add the NOT NULL column in place
  without copying ``compte``, which many tables reference).
- ``structure.is_totp_admin_obligatoire``: false for existing structures (their admins are not forced to
  enrol on upgrade; an admin turns it on), same server default.

Revision ID: 0019_comptes
Revises: 0016_attestations
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0019_comptes"
down_revision = "0018_rgpd"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jeton_reinitialisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compte_id", sa.Integer(), nullable=False),
        sa.Column("auteur_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["auteur_id"],
            ["compte.id"],
            name=op.f("fk_jeton_reinitialisation_auteur_id_compte"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["compte_id"],
            ["compte.id"],
            name=op.f("fk_jeton_reinitialisation_compte_id_compte"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jeton_reinitialisation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_jeton_reinitialisation_token_hash")),
    )
    op.create_index(
        op.f("ix_jeton_reinitialisation_compte_id"), "jeton_reinitialisation", ["compte_id"], unique=False
    )

    op.add_column("connexion", sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE connexion SET last_seen_at = created_at")
    with op.batch_alter_table("connexion") as batch_op:
        batch_op.alter_column("last_seen_at", existing_type=sa.DateTime(), nullable=False)

    op.add_column("compte", sa.Column("desactive_inactivite_at", sa.DateTime(), nullable=True))
    op.add_column("compte", sa.Column("reactive_at", sa.DateTime(), nullable=True))
    op.add_column("compte", sa.Column("totp_secret_chiffre", sa.String(length=255), nullable=True))
    op.add_column("compte", sa.Column("has_totp", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("compte", sa.Column("totp_dernier_pas", sa.BigInteger(), nullable=True))
    op.add_column(
        "structure",
        sa.Column("is_totp_admin_obligatoire", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    # SQLite 3.35+ drops columns in place (ALTER TABLE DROP COLUMN), without copying the referenced tables.
    op.drop_column("structure", "is_totp_admin_obligatoire")
    for column in ("totp_dernier_pas", "has_totp", "totp_secret_chiffre", "reactive_at", "desactive_inactivite_at"):
        op.drop_column("compte", column)
    with op.batch_alter_table("connexion") as batch_op:
        batch_op.drop_column("last_seen_at")
    op.drop_index(op.f("ix_jeton_reinitialisation_compte_id"), table_name="jeton_reinitialisation")
    op.drop_table("jeton_reinitialisation")
