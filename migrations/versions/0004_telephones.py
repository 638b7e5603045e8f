"""Stored phone numbers re-read with the whole French numbering plan, overseas territories included.

Data only, no schema change. Numbers were read as metropolitan France's, so some overseas numbers that the
metropolitan ranges also accept were stored under +33: a Mayotte number typed 0269 60 12 34 became
+33269601234 instead of +262269601234 (likewise 0263 La Réunion, 0596 Martinique, 05 08 Saint-Pierre-et-
Miquelon). Each stored learner and structure number is normalised again through ``core.text.normalize_phone``;
a value it refuses is left as it was (nothing typed is lost; the page shows it as stored). No journal row: the
person's number is the same, only its country code is corrected.

Downgrade leaves the numbers as they are: the old values were wrong, and a +262 number cannot tell whether it
was once stored under +33.

Revision ID: 0004_telephones
Revises: 0003_seances_suivi
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

from core.text import normalize_phone

revision = "0004_telephones"
down_revision = "0003_seances_suivi"
branch_labels = None
depends_on = None

TABLES = ("apprenant", "structure")


def _normalized(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValueError:
        return value


def upgrade():
    connection = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("telephone", sa.String))
        rows = connection.execute(sa.select(table.c.id, table.c.telephone).where(table.c.telephone.is_not(None)))
        changes = [
            {"row_id": ident, "telephone": corrected}
            for ident, telephone in rows
            if (corrected := _normalized(telephone)) != telephone
        ]
        if changes:
            connection.execute(
                table.update().where(table.c.id == sa.bindparam("row_id")).values(telephone=sa.bindparam("telephone")),
                changes,
            )


def downgrade():
    pass
