"""A learner who missed two practice sessions goes on the "À rappeler" list: a new alert rule.

``alerte.regle`` accepts ``entrainements_manques``, raised by the ``relancer`` sweep (``entrainements.jobs``) on
the finished inscription of a learner whose entraînement was missed twice; the workshop's recomputation leaves it
alone and a call covers it (``ateliers.dropout.REGLES_APRES_ATELIER``).

Backfill: none (no such alert exists yet). Downgrade deletes those alerts before narrowing the rule list back.

Revision ID: 0012_entrainements_jobs
Revises: 0011_entrainements
Create Date: 2026-11-30

"""

from alembic import op

revision = "0012_entrainements_jobs"
down_revision = "0011_entrainements"
branch_labels = None
depends_on = None

REGLES_AVANT = (
    "absence_non_excusee",
    "absence_debut",
    "absences_consecutives",
    "assiduite_faible",
    "niveau_sans_acquis",
)
REGLES_APRES = (*REGLES_AVANT, "entrainements_manques")


def _dans(valeurs) -> str:
    return "regle IN (" + ", ".join(f"'{v}'" for v in valeurs) + ")"


def upgrade():
    with op.batch_alter_table("alerte", schema=None) as batch_op:
        batch_op.drop_constraint("regle", type_="check")
        batch_op.create_check_constraint("regle", _dans(REGLES_APRES))


def downgrade():
    op.execute("DELETE FROM alerte WHERE regle = 'entrainements_manques'")
    with op.batch_alter_table("alerte", schema=None) as batch_op:
        batch_op.drop_constraint("regle", type_="check")
        batch_op.create_check_constraint("regle", _dans(REGLES_AVANT))
