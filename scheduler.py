"""The scheduler process: ``flask --app app scheduler``. The only module that imports APScheduler.

Exactly one such process runs beside the web server (DESIGN.md section 5): a job store cannot be shared
between processes, so the scheduler is never started inside ``create_app`` or in web workers. Jobs are
idempotent sweeps over domain rows; APScheduler keeps no state of its own (in-memory job store).
"""

from __future__ import annotations

import contextlib
import logging
import signal

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from core.timeutil import utcnow

log = logging.getLogger("scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60}


def heartbeat(app) -> None:
    """Log that the scheduler is alive and the database answers."""
    from sqlalchemy import text

    from extensions import db

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
    log.info("scheduler heartbeat %s", utcnow().isoformat(timespec="seconds"))


def alertes_quotidiennes(app) -> None:
    """Recompute the dropout alerts of the workshops whose structure's day has changed
    (``ateliers.alertes_quotidiennes``)."""
    from ateliers.alertes_quotidiennes import recalculer_alertes_du_jour
    from extensions import db

    with app.app_context():
        try:
            recalculer_alertes_du_jour(utcnow())
        finally:
            db.session.remove()


def build_scheduler(app, scheduler_class=BlockingScheduler):
    """A scheduler (blocking by default) in UTC with every job registered (explicit ids, replace_existing).

    ``alertes_quotidiennes`` runs every hour at minute 5 (UTC): each structure's workshops are recomputed in the
    first run after its own midnight, whatever its time zone; the other runs of the day find nothing to do.
    """
    scheduler = scheduler_class(timezone="UTC", job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        alertes_quotidiennes,
        "cron",
        minute=5,
        args=[app],
        id="alertes_quotidiennes",
        replace_existing=True,
    )
    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=app.config["SCHEDULER_HEARTBEAT_SECONDS"],
        args=[app],
        id="heartbeat",
        replace_existing=True,
        next_run_time=utcnow(),
    )
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the job scheduler in the foreground (one process per installation)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)

    def _stop(_signum, _frame):
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler started with jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler stopped")
