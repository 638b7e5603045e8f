"""The structure's data protection officer, for the information notice and the register entry.

Two columns on ``structure``: ``dpo_nom`` (a person or a service) and ``dpo_contact`` (email, postal address or
phone), printed on the learners' information notice and the register of processing activities.

Backfill: empty text for every existing structure (server default ''): the notice then sends people to the
structure's own address, and the admin's data-protection page asks for the DPO.

Revision ID: 0021_notice
Revises: 0016_attestations
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_notice'
down_revision = '0020_reseaux'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('structure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dpo_nom', sa.String(length=160), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dpo_contact', sa.String(length=255), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('structure', schema=None) as batch_op:
        batch_op.drop_column('dpo_contact')
        batch_op.drop_column('dpo_nom')
