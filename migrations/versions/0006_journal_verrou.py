"""Journal locked against REPLACE (SQLite) and TRUNCATE (PostgreSQL); the unlock reason kept on its workshop.

Read by hand. The journal's append-only triggers of 0001 had two ways round them: SQLite's INSERT OR REPLACE
over an existing id (its implicit delete fires no DELETE trigger) and PostgreSQL's TRUNCATE (no row trigger
fires); the triggers added here refuse both (same DDL as the models attach for ``create_all``).

The reason typed when a closed workshop is unlocked was copied into the journal, which keeps it 12 months
and can never correct it; it now lives on the workshop (``atelier.motif_deverrouillage``) and the journal
keeps only that the workshop was unlocked. Backfill: each workshop gets the reason of its latest unlock
from the journal rows written so far (those rows are append-only and expire with the retention period).

Revision ID: 0006_journal_verrou
Revises: 0005_structure_calendrier
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

from core.models import DROP_JOURNAL_LOCK_TRIGGERS, POSTGRESQL_JOURNAL_LOCK_TRIGGERS, SQLITE_JOURNAL_LOCK_TRIGGERS

revision = "0006_journal_verrou"
down_revision = "0005_structure_calendrier"
branch_labels = None
depends_on = None

UNLOCK_PREFIX = "déverrouillage pour correction : "


def upgrade():
    with op.batch_alter_table("atelier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("motif_deverrouillage", sa.String(length=200), nullable=True))

    op.execute(
        sa.text(
            "UPDATE atelier SET motif_deverrouillage = ("
            " SELECT substr(journal.details, :start) FROM journal"
            " WHERE journal.objet = 'atelier' AND journal.objet_id = atelier.id AND journal.details LIKE :pattern"
            " ORDER BY journal.created_at DESC, journal.id DESC LIMIT 1)"
        ).bindparams(start=len(UNLOCK_PREFIX) + 1, pattern=UNLOCK_PREFIX + "%")
    )

    dialect = op.get_bind().dialect.name
    triggers = {"sqlite": SQLITE_JOURNAL_LOCK_TRIGGERS, "postgresql": POSTGRESQL_JOURNAL_LOCK_TRIGGERS}.get(dialect, ())
    for statement in triggers:
        op.execute(statement)


def downgrade():
    for statement in DROP_JOURNAL_LOCK_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)

    with op.batch_alter_table("atelier", schema=None) as batch_op:
        batch_op.drop_column("motif_deverrouillage")
