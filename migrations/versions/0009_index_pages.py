"""An index for a learner's latest completed placement, looked up per waiting learner by the waiting list.

The waiting list, its niveau-by-half-day matrix, grouping and the replacement proposals join each learner to
their latest completed placement (``ateliers.attente.dernier``: apprenant_id, not a draft, latest
completed_at then id). With only ``ix_positionnement_apprenant`` (apprenant_id, created_at) each look-up read
the learner's placements from the table and sorted them; this index answers it from the index alone. No data
changes.

Revision ID: 0009_index_pages
Revises: 0008_sessions
Create Date: 2026-11-30

"""

from alembic import op

revision = "0009_index_pages"
down_revision = "0008_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("positionnement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_positionnement_dernier", ["apprenant_id", "is_brouillon", "completed_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("positionnement", schema=None) as batch_op:
        batch_op.drop_index("ix_positionnement_dernier")
