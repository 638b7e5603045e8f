"""A learner's data through its life: how long each structure keeps it, and who was anonymised.

Written by hand. ``structure.conservation_mois``: the months a learner's data is kept after the last contact
before the retention job anonymises the person (DESIGN.md section 7: 2 years), between 12 and 120; existing
structures get the default, 24, through a server default dropped afterwards (the model gives the default).
``apprenant.anonymise_at``: when the person was anonymised (erasure on request or the retention job); None for
everyone existing, since nobody was anonymised before this revision.

Revision ID: 0018_rgpd
Revises: 0016_attestations
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_rgpd"
down_revision = "0017_pieces_jointes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("structure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conservation_mois", sa.Integer(), nullable=False, server_default="24"))

    with op.batch_alter_table("structure", schema=None) as batch_op:
        batch_op.alter_column("conservation_mois", server_default=None)
        batch_op.create_check_constraint("conservation_mois", "conservation_mois BETWEEN 12 AND 120")

    with op.batch_alter_table("apprenant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymise_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("apprenant", schema=None) as batch_op:
        batch_op.drop_column("anonymise_at")

    with op.batch_alter_table("structure", schema=None) as batch_op:
        batch_op.drop_constraint("conservation_mois", type_="check")
        batch_op.drop_column("conservation_mois")
