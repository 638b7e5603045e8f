"""Practice after the workshop and the outbox: slots, occurrences, plans, entraînements, bookings, results, messages.

New tables for issue 10: ``creneau`` (weekly practice slot), ``occurrence`` (one dated occurrence, with its
places counted by the database), ``plan_entrainement`` (one per inscription that finished), ``entrainement``
(one per rank), ``reservation`` (a booking; partial unique indexes: one running booking per entraînement, one
booking per learner and day), ``resultat_entrainement`` (a skill's level at a practice session), ``message`` (the
outbox, unique ``cle`` so a sweep writes a message once). ``structure.regles_entrainement`` (the plan's rules, None:
the defaults) and ``competence.ressource_titre`` / ``ressource_url`` (the practice resource of a skill).

Backfill: none in SQL. The workshops already closed get their plans once, from the booking sweep
(``entrainements.jobs``), which makes the plan of every finished inscription that has none.

Revision ID: 0011_entrainements
Revises: 0010_suivi_appels
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op


revision = '0011_entrainements'
down_revision = '0010_suivi_appels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('creneau',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('jour_semaine', sa.Integer(), nullable=False),
    sa.Column('debut', sa.Time(), nullable=False),
    sa.Column('fin', sa.Time(), nullable=False),
    sa.Column('capacite', sa.Integer(), nullable=False),
    sa.Column('lieu', sa.String(length=160), nullable=False),
    sa.Column('animateur_id', sa.Integer(), nullable=True),
    sa.Column('actif', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacite BETWEEN 1 AND 30', name=op.f('ck_creneau_capacite')),
    sa.CheckConstraint('fin > debut', name=op.f('ck_creneau_horaires')),
    sa.CheckConstraint('jour_semaine BETWEEN 0 AND 5', name=op.f('ck_creneau_jour_semaine')),
    sa.ForeignKeyConstraint(['animateur_id'], ['compte.id'], name=op.f('fk_creneau_animateur_id_compte')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_creneau_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creneau'))
    )
    with op.batch_alter_table('creneau', schema=None) as batch_op:
        batch_op.create_index('ix_creneau_structure', ['structure_id', 'actif'], unique=False)

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('apprenant_id', sa.Integer(), nullable=False),
    sa.Column('cle', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=12), nullable=False),
    sa.Column('canal', sa.String(length=10), nullable=False),
    sa.Column('statut', sa.String(length=10), nullable=False),
    sa.Column('objet', sa.String(length=160), nullable=False),
    sa.Column('corps', sa.Text(), nullable=False),
    sa.Column('valable_jusqu_a', sa.DateTime(), nullable=True),
    sa.Column('tentatives', sa.Integer(), nullable=False),
    sa.Column('prochain_essai_at', sa.DateTime(), nullable=False),
    sa.Column('derniere_erreur', sa.String(length=255), nullable=True),
    sa.Column('envoye_at', sa.DateTime(), nullable=True),
    sa.Column('envoye_par_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("canal IN ('email', 'sms', 'courrier')", name=op.f('ck_message_canal')),
    sa.CheckConstraint("statut != 'envoye' OR envoye_at IS NOT NULL", name=op.f('ck_message_envoye_date')),
    sa.CheckConstraint("statut IN ('a_envoyer', 'envoye', 'abandonne')", name=op.f('ck_message_statut')),
    sa.CheckConstraint("type IN ('convocation', 'rappel', 'annulation', 'attestation')", name=op.f('ck_message_type')),
    sa.CheckConstraint('tentatives >= 0', name=op.f('ck_message_tentatives')),
    sa.ForeignKeyConstraint(['apprenant_id'], ['apprenant.id'], name=op.f('fk_message_apprenant_id_apprenant')),
    sa.ForeignKeyConstraint(['envoye_par_id'], ['compte.id'], name=op.f('fk_message_envoye_par_id_compte')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_message_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('cle', name=op.f('uq_message_cle'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_a_envoyer', ['statut', 'prochain_essai_at'], unique=False)
        batch_op.create_index('ix_message_apprenant', ['apprenant_id'], unique=False)
        batch_op.create_index('ix_message_structure', ['structure_id', 'statut', 'created_at'], unique=False)

    op.create_table('occurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creneau_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('jour', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('capacite', sa.Integer(), nullable=False),
    sa.Column('places_prises', sa.Integer(), nullable=False),
    sa.Column('annulee_at', sa.DateTime(), nullable=True),
    sa.Column('motif_annulation', sa.String(length=160), nullable=True),
    sa.Column('annulee_par_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('capacite BETWEEN 1 AND 30', name=op.f('ck_occurrence_capacite')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_occurrence_horaires')),
    sa.CheckConstraint('places_prises BETWEEN 0 AND capacite', name=op.f('ck_occurrence_places_prises')),
    sa.ForeignKeyConstraint(['annulee_par_id'], ['compte.id'], name=op.f('fk_occurrence_annulee_par_id_compte')),
    sa.ForeignKeyConstraint(['creneau_id'], ['creneau.id'], name=op.f('fk_occurrence_creneau_id_creneau')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_occurrence_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrence')),
    sa.UniqueConstraint('creneau_id', 'jour', name=op.f('uq_occurrence_creneau_id_jour'))
    )
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_structure_jour', ['structure_id', 'jour'], unique=False)

    op.create_table('plan_entrainement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('inscription_id', sa.Integer(), nullable=False),
    sa.Column('apprenant_id', sa.Integer(), nullable=False),
    sa.Column('fin_atelier_on', sa.Date(), nullable=False),
    sa.Column('statut', sa.String(length=10), nullable=False),
    sa.Column('statut_on', sa.Date(), nullable=True),
    sa.Column('statut_par_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("statut IN ('actif', 'suspendu', 'decline')", name=op.f('ck_plan_entrainement_statut')),
    sa.ForeignKeyConstraint(['apprenant_id'], ['apprenant.id'], name=op.f('fk_plan_entrainement_apprenant_id_apprenant')),
    sa.ForeignKeyConstraint(['inscription_id'], ['inscription.id'], name=op.f('fk_plan_entrainement_inscription_id_inscription'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statut_par_id'], ['compte.id'], name=op.f('fk_plan_entrainement_statut_par_id_compte')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_plan_entrainement_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_entrainement')),
    sa.UniqueConstraint('inscription_id', name=op.f('uq_plan_entrainement_inscription_id'))
    )
    with op.batch_alter_table('plan_entrainement', schema=None) as batch_op:
        batch_op.create_index('ix_plan_entrainement_apprenant', ['apprenant_id'], unique=False)
        batch_op.create_index('ix_plan_entrainement_structure', ['structure_id', 'statut'], unique=False)

    op.create_table('entrainement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('apprenant_id', sa.Integer(), nullable=False),
    sa.Column('rang', sa.Integer(), nullable=False),
    sa.Column('cible_on', sa.Date(), nullable=False),
    sa.Column('debut_on', sa.Date(), nullable=False),
    sa.Column('fin_on', sa.Date(), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('statut', sa.String(length=12), nullable=False),
    sa.Column('motif_non_planifie', sa.String(length=255), nullable=True),
    sa.Column('absences', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("statut IN ('a_planifier', 'reserve', 'honore', 'manque', 'decline')", name=op.f('ck_entrainement_statut')),
    sa.CheckConstraint('absences >= 0', name=op.f('ck_entrainement_absences')),
    sa.CheckConstraint('debut_on <= cible_on AND cible_on <= fin_on', name=op.f('ck_entrainement_fenetre')),
    sa.CheckConstraint('rang >= 1', name=op.f('ck_entrainement_rang')),
    sa.ForeignKeyConstraint(['apprenant_id'], ['apprenant.id'], name=op.f('fk_entrainement_apprenant_id_apprenant')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan_entrainement.id'], name=op.f('fk_entrainement_plan_id_plan_entrainement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_entrainement_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrainement')),
    sa.UniqueConstraint('plan_id', 'rang', name=op.f('uq_entrainement_plan_id_rang'))
    )
    with op.batch_alter_table('entrainement', schema=None) as batch_op:
        batch_op.create_index('ix_entrainement_apprenant', ['apprenant_id'], unique=False)
        batch_op.create_index('ix_entrainement_structure_statut', ['structure_id', 'statut', 'debut_on'], unique=False)

    op.create_table('reservation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entrainement_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('apprenant_id', sa.Integer(), nullable=False),
    sa.Column('jour', sa.Date(), nullable=False),
    sa.Column('statut', sa.String(length=10), nullable=False),
    sa.Column('motif_annulation', sa.String(length=20), nullable=True),
    sa.Column('compte_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cloturee_at', sa.DateTime(), nullable=True),
    sa.Column('cloturee_par_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(statut = 'annulee') = (motif_annulation IS NOT NULL)", name=op.f('ck_reservation_annulation_motivee')),
    sa.CheckConstraint("motif_annulation IS NULL OR motif_annulation IN ('occurrence_annulee', 'apprenant', 'deplacee', 'mediation', 'plan_arrete')", name=op.f('ck_reservation_motif_annulation')),
    sa.CheckConstraint("statut IN ('reservee', 'honoree', 'absente', 'annulee')", name=op.f('ck_reservation_statut')),
    sa.ForeignKeyConstraint(['apprenant_id'], ['apprenant.id'], name=op.f('fk_reservation_apprenant_id_apprenant')),
    sa.ForeignKeyConstraint(['cloturee_par_id'], ['compte.id'], name=op.f('fk_reservation_cloturee_par_id_compte')),
    sa.ForeignKeyConstraint(['compte_id'], ['compte.id'], name=op.f('fk_reservation_compte_id_compte')),
    sa.ForeignKeyConstraint(['entrainement_id'], ['entrainement.id'], name=op.f('fk_reservation_entrainement_id_entrainement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_reservation_occurrence_id_occurrence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation'))
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index('ix_reservation_occurrence', ['occurrence_id', 'statut'], unique=False)
        batch_op.create_index('uq_reservation_apprenant_jour', ['apprenant_id', 'jour'], unique=True, sqlite_where=sa.text("statut IN ('reservee', 'honoree')"), postgresql_where=sa.text("statut IN ('reservee', 'honoree')"))
        batch_op.create_index('uq_reservation_entrainement_en_cours', ['entrainement_id'], unique=True, sqlite_where=sa.text("statut = 'reservee'"), postgresql_where=sa.text("statut = 'reservee'"))

    op.create_table('resultat_entrainement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=False),
    sa.Column('resultat', sa.String(length=12), nullable=False),
    sa.Column('compte_id', sa.Integer(), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("resultat IN ('non_acquis', 'avec_aide', 'acquis')", name=op.f('ck_resultat_entrainement_resultat')),
    sa.ForeignKeyConstraint(['competence_id'], ['competence.id'], name=op.f('fk_resultat_entrainement_competence_id_competence')),
    sa.ForeignKeyConstraint(['compte_id'], ['compte.id'], name=op.f('fk_resultat_entrainement_compte_id_compte')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservation.id'], name=op.f('fk_resultat_entrainement_reservation_id_reservation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resultat_entrainement')),
    sa.UniqueConstraint('reservation_id', 'competence_id', name=op.f('uq_resultat_entrainement_reservation_id_competence_id'))
    )
    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ressource_titre', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('ressource_url', sa.String(length=500), nullable=True))

    with op.batch_alter_table('structure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regles_entrainement', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('structure', schema=None) as batch_op:
        batch_op.drop_column('regles_entrainement')

    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.drop_column('ressource_url')
        batch_op.drop_column('ressource_titre')

    op.drop_table('resultat_entrainement')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index('uq_reservation_entrainement_en_cours', sqlite_where=sa.text("statut = 'reservee'"), postgresql_where=sa.text("statut = 'reservee'"))
        batch_op.drop_index('uq_reservation_apprenant_jour', sqlite_where=sa.text("statut IN ('reservee', 'honoree')"), postgresql_where=sa.text("statut IN ('reservee', 'honoree')"))
        batch_op.drop_index('ix_reservation_occurrence')

    op.drop_table('reservation')
    with op.batch_alter_table('entrainement', schema=None) as batch_op:
        batch_op.drop_index('ix_entrainement_structure_statut')
        batch_op.drop_index('ix_entrainement_apprenant')

    op.drop_table('entrainement')
    with op.batch_alter_table('plan_entrainement', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_entrainement_structure')
        batch_op.drop_index('ix_plan_entrainement_apprenant')

    op.drop_table('plan_entrainement')
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_structure_jour')

    op.drop_table('occurrence')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_structure')
        batch_op.drop_index('ix_message_apprenant')
        batch_op.drop_index('ix_message_a_envoyer')

    op.drop_table('message')
    with op.batch_alter_table('creneau', schema=None) as batch_op:
        batch_op.drop_index('ix_creneau_structure')

    op.drop_table('creneau')
