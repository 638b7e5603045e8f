"""Networks of structures and the coordination role (issue 12, item 6).

New table ``reseau`` (a name); ``structure.reseau_id`` (the network a structure belongs to, at most one) and
``structure.is_tete_reseau`` (the member whose admin manages the network and whose ``coordination`` accounts see
it). The database keeps a head inside its network (check ``tete_membre``) and one head per network (partial
unique index ``uq_structure_tete_reseau``). ``compte.role`` accepts ``coordination``.

Backfill: every existing structure belongs to no network and heads none (``is_tete_reseau`` false through its
server default). Downgrade refuses to run while a coordination account exists (the
append-only journal may name it, so it cannot be deleted here): change its role first.

Revision ID: 0020_reseaux
Revises: 0016_attestations
Create Date: 2026-12-01

"""

from alembic import op
import sqlalchemy as sa

revision = "0020_reseaux"
down_revision = "0019_comptes"
branch_labels = None
depends_on = None

ROLES_AVANT = ("admin", "mediateur", "benevole", "direction")
ROLES_APRES = (*ROLES_AVANT, "coordination")


def _dans(valeurs) -> str:
    return "role IN (" + ", ".join(f"'{v}'" for v in valeurs) + ")"


def upgrade():
    op.create_table(
        "reseau",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nom", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reseau")),
        sa.UniqueConstraint("nom", name=op.f("uq_reseau_nom")),
    )
    with op.batch_alter_table("structure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reseau_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("is_tete_reseau", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f("fk_structure_reseau_id_reseau"), "reseau", ["reseau_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_structure_reseau_id"), ["reseau_id"], unique=False)
        batch_op.create_index(
            "uq_structure_tete_reseau",
            ["reseau_id"],
            unique=True,
            sqlite_where=sa.text("is_tete_reseau"),
            postgresql_where=sa.text("is_tete_reseau"),
        )
        batch_op.create_check_constraint("tete_membre", "NOT is_tete_reseau OR reseau_id IS NOT NULL")
    with op.batch_alter_table("compte", schema=None) as batch_op:
        batch_op.drop_constraint("role", type_="check")
        batch_op.create_check_constraint("role", _dans(ROLES_APRES))


def downgrade():
    restants = op.get_bind().scalar(sa.text("SELECT count(*) FROM compte WHERE role = 'coordination'"))
    if restants:
        raise RuntimeError(
            f"{restants} coordination account(s) exist: change their role or delete them before downgrading"
        )
    with op.batch_alter_table("compte", schema=None) as batch_op:
        batch_op.drop_constraint("role", type_="check")
        batch_op.create_check_constraint("role", _dans(ROLES_AVANT))
    with op.batch_alter_table("structure", schema=None) as batch_op:
        batch_op.drop_constraint("tete_membre", type_="check")
        batch_op.drop_index(
            "uq_structure_tete_reseau", sqlite_where=sa.text("is_tete_reseau"), postgresql_where=sa.text("is_tete_reseau")
        )
        batch_op.drop_index(batch_op.f("ix_structure_reseau_id"))
        batch_op.drop_constraint(batch_op.f("fk_structure_reseau_id_reseau"), type_="foreignkey")
        batch_op.drop_column("is_tete_reseau")
        batch_op.drop_column("reseau_id")
    op.drop_table("reseau")
