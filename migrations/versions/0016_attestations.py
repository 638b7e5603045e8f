"""End-of-course attestations: the attestation, the counter of its numbers, the structure's settings.

New tables for issue 11: ``attestation`` (frozen snapshot as JSON, unique number and code; a partial unique
index allows one attestation not revoked per inscription), ``compteur_attestation`` (the last sequence number
per structure and year, taken by a conditional UPDATE), ``parametres_attestation`` (a structure's code in the
numbers, its signatory, its logo and signature image), ``image_attestation`` (those images, named by the
SHA-256 of their bytes, only ever added: snapshots name them).

Backfill: none. No attestation existed before; the workshops already closed get theirs when the mediator
issues them from the workshop's page.

Revision ID: 0016_attestations
Revises: 0012_entrainements_jobs
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_attestations'
down_revision = '0012_entrainements_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('image_attestation',
    sa.Column('empreinte', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('contenu', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("type IN ('image/png', 'image/jpeg')", name=op.f('ck_image_attestation_type')),
    sa.PrimaryKeyConstraint('empreinte', name=op.f('pk_image_attestation'))
    )
    op.create_table('compteur_attestation',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('annee', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('dernier', sa.Integer(), nullable=False),
    sa.CheckConstraint('dernier >= 1', name=op.f('ck_compteur_attestation_dernier')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_compteur_attestation_structure_id_structure')),
    sa.PrimaryKeyConstraint('structure_id', 'annee', name=op.f('pk_compteur_attestation'))
    )
    op.create_table('parametres_attestation',
    sa.Column('structure_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code_structure', sa.String(length=12), nullable=False),
    sa.Column('signataire_nom', sa.String(length=120), nullable=False),
    sa.Column('signataire_fonction', sa.String(length=120), nullable=False),
    sa.Column('logo_empreinte', sa.String(length=64), nullable=True),
    sa.Column('signature_empreinte', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['logo_empreinte'], ['image_attestation.empreinte'], name=op.f('fk_parametres_attestation_logo_empreinte_image_attestation')),
    sa.ForeignKeyConstraint(['signature_empreinte'], ['image_attestation.empreinte'], name=op.f('fk_parametres_attestation_signature_empreinte_image_attestation')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_parametres_attestation_structure_id_structure')),
    sa.PrimaryKeyConstraint('structure_id', name=op.f('pk_parametres_attestation')),
    sa.UniqueConstraint('code_structure', name=op.f('uq_parametres_attestation_code_structure'))
    )
    op.create_table('attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('inscription_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('numero', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('contenu', sa.JSON(), nullable=False),
    sa.Column('emise_at', sa.DateTime(), nullable=False),
    sa.Column('emise_par_id', sa.Integer(), nullable=True),
    sa.Column('revoquee_at', sa.DateTime(), nullable=True),
    sa.Column('motif_revocation', sa.String(length=12), nullable=True),
    sa.Column('revoquee_par_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("motif_revocation IS NULL OR motif_revocation IN ('erreur', 'correction', 'doublon', 'demande', 'fraude', 'autre')", name=op.f('ck_attestation_motif_revocation')),
    sa.CheckConstraint("type IN ('parcours', 'presence')", name=op.f('ck_attestation_type')),
    sa.CheckConstraint('(revoquee_at IS NULL) = (motif_revocation IS NULL)', name=op.f('ck_attestation_revocation_motivee')),
    sa.ForeignKeyConstraint(['emise_par_id'], ['compte.id'], name=op.f('fk_attestation_emise_par_id_compte')),
    sa.ForeignKeyConstraint(['inscription_id'], ['inscription.id'], name=op.f('fk_attestation_inscription_id_inscription')),
    sa.ForeignKeyConstraint(['revoquee_par_id'], ['compte.id'], name=op.f('fk_attestation_revoquee_par_id_compte')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_attestation_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestation')),
    sa.UniqueConstraint('code', name=op.f('uq_attestation_code')),
    sa.UniqueConstraint('numero', name=op.f('uq_attestation_numero'))
    )
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestation_inscription_id'), ['inscription_id'], unique=False)
        batch_op.create_index('ix_attestation_structure_emise', ['structure_id', 'emise_at'], unique=False)
        batch_op.create_index('uq_attestation_inscription_valide', ['inscription_id'], unique=True, sqlite_where=sa.text('revoquee_at IS NULL'), postgresql_where=sa.text('revoquee_at IS NULL'))



def downgrade():
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.drop_index('uq_attestation_inscription_valide', sqlite_where=sa.text('revoquee_at IS NULL'), postgresql_where=sa.text('revoquee_at IS NULL'))
        batch_op.drop_index('ix_attestation_structure_emise')
        batch_op.drop_index(batch_op.f('ix_attestation_inscription_id'))

    op.drop_table('attestation')
    op.drop_table('parametres_attestation')
    op.drop_table('compteur_attestation')
    op.drop_table('image_attestation')
