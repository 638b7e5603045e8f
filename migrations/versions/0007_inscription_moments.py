"""Joining and leaving a workshop are moments: ``inscription.joined_at`` and ``ended_at`` replace the days.

A séance counts for a learner only if it starts after they joined and before they left (``ateliers.periode``),
so a place taken at 16:00 starts at the next séance, and a séance's list stays who was enrolled at it after an
abandon. Written by hand (Alembic sees neither the data nor the check constraints).

Backfill, chosen so that existing data keeps its lists, counts and alerts ("local" is the time zone of the
workshop's structure, ``structure.fuseau_horaire``):

- ``joined_at``: the row's ``created_at`` when it was written on ``joined_on`` (the services set both at once)
  and the learner has no attendance at a séance that started before it; otherwise ``joined_on`` at 00:00 local,
  which counts the séances of the joining day as before. So a replacement enrolled after a séance, and not yet
  given a status there, starts at the next séance; one whose status was already recorded there keeps it.
- ``ended_at``: the end of ``ended_on`` (the next day at 00:00 local): an abandon stays on the séances up to the
  day it was recorded, a learner closed with the workshop on all of them. A closed inscription without
  ``ended_on`` (none is written so) ends when it started for an abandon (on no séance, as before) and at the end
  of the workshop's last séance for a "terminé". Never before ``joined_at``.

Revision ID: 0007_inscription_moments
Revises: 0006_journal_verrou
Create Date: 2026-11-24

"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0007_inscription_moments"
down_revision = "0006_journal_verrou"
branch_labels = None
depends_on = None

inscription = sa.table(
    "inscription",
    sa.column("id", sa.Integer),
    sa.column("atelier_id", sa.Integer),
    sa.column("statut", sa.String),
    sa.column("joined_on", sa.Date),
    sa.column("ended_on", sa.Date),
    sa.column("joined_at", sa.DateTime),
    sa.column("ended_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
)
presence = sa.table("presence", sa.column("inscription_id", sa.Integer), sa.column("seance_id", sa.Integer))
atelier = sa.table("atelier", sa.column("id", sa.Integer), sa.column("structure_id", sa.Integer))
structure = sa.table("structure", sa.column("id", sa.Integer), sa.column("fuseau_horaire", sa.String))
seance = sa.table(
    "seance",
    sa.column("id", sa.Integer),
    sa.column("atelier_id", sa.Integer),
    sa.column("starts_at", sa.DateTime),
    sa.column("ends_at", sa.DateTime),
)


def _midnight(day, zone):
    """00:00 on ``day`` in ``zone``, as naive UTC."""
    return datetime.combine(day, time(0, 0), zone).astimezone(UTC).replace(tzinfo=None)


def _local_day(moment, zone):
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def _zones(bind):
    """inscription id -> the time zone of its workshop's structure."""
    rows = bind.execute(
        sa.select(inscription.c.id, structure.c.fuseau_horaire)
        .join(atelier, atelier.c.id == inscription.c.atelier_id)
        .join(structure, structure.c.id == atelier.c.structure_id)
    )
    return {ident: ZoneInfo(fuseau or "Europe/Paris") for ident, fuseau in rows}


def upgrade():
    with op.batch_alter_table("inscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))

    bind = op.get_bind()
    zones = _zones(bind)
    first_presence = dict(
        bind.execute(
            sa.select(presence.c.inscription_id, sa.func.min(seance.c.starts_at))
            .join(seance, seance.c.id == presence.c.seance_id)
            .group_by(presence.c.inscription_id)
        ).all()
    )
    last_end = dict(
        bind.execute(sa.select(seance.c.atelier_id, sa.func.max(seance.c.ends_at)).group_by(seance.c.atelier_id)).all()
    )
    rows = bind.execute(
        sa.select(
            inscription.c.id,
            inscription.c.atelier_id,
            inscription.c.statut,
            inscription.c.joined_on,
            inscription.c.ended_on,
            inscription.c.created_at,
        )
    ).all()
    for ident, atelier_id, statut, joined_on, ended_on, created_at in rows:
        zone, premiere = zones[ident], first_presence.get(ident)
        ecrit_le = {created_at.date(), _local_day(created_at, zone)}  # the UTC day, or the local one
        if joined_on in ecrit_le and (premiere is None or premiere > created_at):
            joined_at = created_at
        else:
            joined_at = _midnight(joined_on, zone)
        if statut == "inscrit":
            ended_at = None
        elif ended_on is not None:
            ended_at = _midnight(ended_on + timedelta(days=1), zone)
        elif statut == "termine":
            ended_at = last_end.get(atelier_id) or joined_at
        else:
            ended_at = joined_at
        if ended_at is not None:
            ended_at = max(ended_at, joined_at)
        bind.execute(
            sa.update(inscription).where(inscription.c.id == ident).values(joined_at=joined_at, ended_at=ended_at)
        )

    with op.batch_alter_table("inscription", schema=None) as batch_op:
        batch_op.alter_column("joined_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column("joined_on")
        batch_op.drop_column("ended_on")
        batch_op.create_check_constraint(
            "fin_si_close",
            "(statut = 'inscrit' AND ended_at IS NULL) OR (statut != 'inscrit' AND ended_at IS NOT NULL)",
        )
        batch_op.create_check_constraint("periode", "ended_at IS NULL OR ended_at >= joined_at")


def downgrade():
    with op.batch_alter_table("inscription", schema=None) as batch_op:
        batch_op.drop_constraint("periode", type_="check")
        batch_op.drop_constraint("fin_si_close", type_="check")
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))

    bind = op.get_bind()
    zones = _zones(bind)
    rows = bind.execute(sa.select(inscription.c.id, inscription.c.joined_at, inscription.c.ended_at)).all()
    for ident, joined_at, ended_at in rows:
        zone = zones[ident]
        # An end at 00:00 local is the end of the day before (the upgrade's backfill).
        ended_on = _local_day(ended_at - timedelta(microseconds=1), zone) if ended_at is not None else None
        bind.execute(
            sa.update(inscription)
            .where(inscription.c.id == ident)
            .values(joined_on=_local_day(joined_at, zone), ended_on=ended_on)
        )

    with op.batch_alter_table("inscription", schema=None) as batch_op:
        batch_op.alter_column("joined_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("ended_at")
        batch_op.drop_column("joined_at")
