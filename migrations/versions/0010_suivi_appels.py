"""One follow-up call per person: a call covers the alerts open when it is made, a next step may set a date.

A call (``suivi``) was tied to one alert, so recording it changed nothing on the "À rappeler" list. It is now
about the inscription: every alert open at the time points at it (``alerte.traitee_par_suivi_id``), and the list
shows a person again only for an alert raised after the call, or on the day asked by the next step "rappeler"
(``suivi.rappel_on``). ``suivi.alerte_id`` goes. ``alerte.is_historique`` marks the alerts about séances held
before the workshop was entered in the app (keyed in afterwards from paper), shown as history. The daily sweep
records, per workshop, the structure's day its alerts were computed for (``atelier.alertes_calculees_on``).

Backfill: each alert created at or before an inscription's latest call is covered by that call (the list stays
as the calls left it); an alert about a séance that started before its workshop was created is history; no
workshop has been swept yet (NULL: the first sweep computes them all).

Revision ID: 0010_suivi_appels
Revises: 0009_index_pages
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_suivi_appels"
down_revision = "0009_index_pages"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("suivi", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rappel_on", sa.Date(), nullable=True))
        batch_op.drop_constraint("suite", type_="check")
        batch_op.create_check_constraint(
            "suite", "suite IN ('revient', 'rattrapage_propose', 'rappeler', 'abandon')"
        )
        batch_op.create_check_constraint("rappel_date", "(suite = 'rappeler') = (rappel_on IS NOT NULL)")
    with op.batch_alter_table("alerte", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_historique", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("traitee_par_suivi_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_alerte_traitee_par_suivi_id_suivi"), "suivi", ["traitee_par_suivi_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("atelier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alertes_calculees_on", sa.Date(), nullable=True))

    op.execute(
        """UPDATE alerte SET traitee_par_suivi_id = (
            SELECT suivi.id FROM suivi
            WHERE suivi.inscription_id = alerte.inscription_id AND suivi.created_at >= alerte.created_at
            ORDER BY suivi.id DESC LIMIT 1)"""
    )
    op.execute(
        """UPDATE alerte SET is_historique = EXISTS (
            SELECT 1 FROM inscription
            JOIN atelier ON atelier.id = inscription.atelier_id
            JOIN seance ON seance.atelier_id = atelier.id AND seance.numero = alerte.seance_numero
            WHERE inscription.id = alerte.inscription_id AND seance.starts_at < atelier.created_at)"""
    )

    with op.batch_alter_table("alerte", schema=None) as batch_op:
        batch_op.alter_column("is_historique", server_default=None)
    with op.batch_alter_table("suivi", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_suivi_alerte_id_alerte"), type_="foreignkey")
        batch_op.drop_column("alerte_id")


def downgrade():
    with op.batch_alter_table("suivi", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerte_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_suivi_alerte_id_alerte"), "alerte", ["alerte_id"], ["id"], ondelete="SET NULL"
        )
    # A call keeps one alert it covered (the most severe is not known here: the lowest id).
    op.execute(
        """UPDATE suivi SET alerte_id = (
            SELECT MIN(alerte.id) FROM alerte WHERE alerte.traitee_par_suivi_id = suivi.id)"""
    )
    # The next step "rappeler" did not exist: such a call becomes "revient" (its date is lost).
    op.execute("UPDATE suivi SET suite = 'revient' WHERE suite = 'rappeler'")
    with op.batch_alter_table("atelier", schema=None) as batch_op:
        batch_op.drop_column("alertes_calculees_on")
    with op.batch_alter_table("alerte", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_alerte_traitee_par_suivi_id_suivi"), type_="foreignkey")
        batch_op.drop_column("traitee_par_suivi_id")
        batch_op.drop_column("is_historique")
    with op.batch_alter_table("suivi", schema=None) as batch_op:
        batch_op.drop_constraint("rappel_date", type_="check")
        batch_op.drop_constraint("suite", type_="check")
        batch_op.create_check_constraint("suite", "suite IN ('revient', 'rattrapage_propose', 'abandon')")
        batch_op.drop_column("rappel_on")
