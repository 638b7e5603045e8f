"""Attachments of outbox messages: an attestation's PDF sent by email or printed after its covering letter.

New table ``piece_jointe`` (message, file name, media type, bytes), filled when a message is deposited in the web
request, so the scheduler process that sends the outbox never renders a PDF.

Backfill: none. No message carried a file before.

Revision ID: 0017_pieces_jointes
Revises: 0016_attestations
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_pieces_jointes'
down_revision = '0016_attestations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('piece_jointe',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('nom_fichier', sa.String(length=120), nullable=False),
    sa.Column('type_media', sa.String(length=80), nullable=False),
    sa.Column('contenu', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_piece_jointe_message_id_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_piece_jointe'))
    )
    with op.batch_alter_table('piece_jointe', schema=None) as batch_op:
        batch_op.create_index('ix_piece_jointe_message', ['message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('piece_jointe', schema=None) as batch_op:
        batch_op.drop_index('ix_piece_jointe_message')

    op.drop_table('piece_jointe')
