"""The scheduler process: ``flask --app app scheduler``. The only module that imports APScheduler.

Any number of such processes may run, on any machines (DESIGN.md section 5): one leader, the process holding
the leader lock (:class:`LeaderLock`), runs the jobs; the others wait as hot standbys and take over within
``SCHEDULER_STANDBY_SECONDS`` when it stops or dies. A job store cannot be shared between processes, so the
scheduler is never started inside ``create_app`` or in web workers. Jobs are idempotent sweeps over domain
rows; APScheduler keeps no state of its own (in-memory job store).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import signal
import threading
import time
from pathlib import Path

import click
from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from core.timeutil import utcnow

log = logging.getLogger("scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60}
# The PostgreSQL advisory lock key of the scheduler's leader: any constant 64-bit integer this application alone
# uses ("ATELIERS" in ASCII).
ADVISORY_LOCK_KEY = 0x415445_4C494552


class LeaderLock:
    """The scheduler's leader lock: held by one process of the installation at a time, released when it stops or
    dies (its connection or file closes), so a standby can take over.

    PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection kept open for the
    process's life; the database releases it when that connection ends. SQLite (one machine by nature): an
    exclusive ``flock`` on ``<instance>/scheduler.lock``, released by the kernel when the process ends.
    """

    def __init__(self, app):
        self.app = app
        self._connection = None
        self._file = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; True when this process holds it now."""
        if self.held:
            return True
        from extensions import db

        with self.app.app_context():
            engine = db.engine
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            connection = engine.connect()
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
            connection.commit()
            if taken:
                self._connection = connection
            else:
                connection.close()
            return bool(taken)
        path = Path(self.app.config["INSTANCE_PATH"]) / "scheduler.lock"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_file = path.open("a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._file = lock_file
        return True

    def still_held(self) -> bool:
        """Whether the lock is still ours: on PostgreSQL the lock's connection answers (a lost connection lost
        the lock, and a standby may lead already)."""
        if self._connection is None:
            return self._file is not None
        from sqlalchemy import text

        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except Exception:  # any failure of the connection means the lock may be gone
            return False
        return True

    def release(self) -> None:
        """Give the lock up (closing its connection or file)."""
        if self._connection is not None:
            # Closed for real, not returned to the pool: a pooled connection would keep the lock.
            with contextlib.suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None


def wait_for_leadership(lock: LeaderLock, stop: threading.Event, interval: float) -> bool:
    """Try ``lock`` every ``interval`` seconds until this process holds it (True) or ``stop`` is set (False)."""
    announced = False
    while not stop.is_set():
        if lock.try_acquire():
            return True
        if not announced:
            log.info("scheduler on standby: another process leads; trying again every %s s", interval)
            announced = True
        stop.wait(interval)
    return False


def _balayer(app, balayage) -> None:
    """Run ``balayage(now)`` (a sweep of a domain package, ``now`` naive UTC) in ``app``'s context, its database
    session removed afterwards whatever happens: what every job below does."""
    from extensions import db

    with app.app_context():
        try:
            balayage(utcnow())
        finally:
            db.session.remove()


def heartbeat(app, lock: LeaderLock | None = None, on_lost=None) -> None:
    """Log that the scheduler is alive and the database answers; if ``lock`` is no longer held, log it and call
    ``on_lost`` (the process stops leading, so two leaders never run jobs side by side)."""
    from sqlalchemy import text

    from extensions import db

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
    if lock is not None and not lock.still_held():
        log.error("scheduler lost its leader lock: stopping")
        if on_lost is not None:
            on_lost()
        return
    log.info("scheduler heartbeat %s", utcnow().isoformat(timespec="seconds"))


def alertes_quotidiennes(app) -> None:
    """Recompute the dropout alerts of the workshops whose structure's day has changed
    (``ateliers.alertes_quotidiennes``)."""
    from ateliers.alertes_quotidiennes import recalculer_alertes_du_jour

    _balayer(app, recalculer_alertes_du_jour)


# --- practice sessions (entrainements.jobs) ---


def _entrainements(app, nom: str) -> None:
    """Run the sweep ``nom`` of ``entrainements.jobs`` (reserver, rappeler, relancer) at the present moment."""
    from entrainements import jobs

    _balayer(app, getattr(jobs, nom))


def add_entrainements_jobs(scheduler, app) -> None:
    """The practice sweeps: ``reserver`` every 5 minutes and at start, ``rappeler`` every 10 minutes,
    ``relancer`` every hour (explicit ids, replace_existing)."""
    periodes = {"reserver": 5, "rappeler": 10, "relancer": 60}
    for nom, minutes in periodes.items():
        options = {"next_run_time": utcnow()} if nom == "reserver" else {}
        scheduler.add_job(
            _entrainements,
            "interval",
            minutes=minutes,
            args=[app, nom],
            id=f"entrainements_{nom}",
            replace_existing=True,
            **options,
        )


# --- end of practice sessions ---


def envoyer_messages(app) -> None:
    """Send the outbox (``core.messagerie.envoi.envoyer``): emails through SMTP, SMS through a provider when one
    is configured; what the mediator sends by hand stays; what is too late is dropped."""
    from core.messagerie.envoi import envoyer

    _balayer(app, envoyer)


def conservation(app) -> None:
    """The retention sweep (``rgpd.jobs.conserver``): learners without contact for their structure's period
    anonymised, message bodies over 3 months emptied, journal rows over 12 months deleted."""
    from rgpd import jobs

    _balayer(app, jobs.conserver)


def comptes_inactifs(app) -> None:
    """Deactivate the accounts unused for six months and tell their admins (``core.jobs``)."""
    from core.jobs import desactiver_comptes_inactifs

    _balayer(app, desactiver_comptes_inactifs)


def sauvegarde_nocturne(app) -> None:
    """The nightly backup of the whole database with its rotation (``core.sauvegarde.sauvegarder_la_nuit``)."""
    from core.sauvegarde import sauvegarder_la_nuit

    _balayer(app, sauvegarder_la_nuit)


def build_scheduler(app, scheduler_class=BlockingScheduler, lock: LeaderLock | None = None, on_lost=None):
    """A scheduler (blocking by default) in UTC with every job registered (explicit ids, replace_existing).

    ``alertes_quotidiennes`` runs every hour at minute 5 (UTC): each structure's workshops are recomputed in the
    first run after its own midnight, whatever its time zone; the other runs of the day find nothing to do. The
    practice sweeps: :func:`add_entrainements_jobs`. ``envoyer_messages`` sends the outbox every minute.
    ``rgpd_conservation`` (:func:`conservation`) runs each night at 02:35 UTC.
    ``comptes_inactifs`` deactivates unused accounts once a day (03:15 UTC, before anyone's working day).
    ``sauvegarde_nocturne`` backs the database up each night at ``BACKUP_HOUR``:30 UTC.
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
        args=[app, lock, on_lost],
        id="heartbeat",
        replace_existing=True,
        next_run_time=utcnow(),
    )
    add_entrainements_jobs(scheduler, app)
    # The outbox, every minute (a failed message waits its own backoff, kept in the message row).
    scheduler.add_job(
        envoyer_messages,
        "interval",
        minutes=1,
        args=[app],
        id="envoyer_messages",
        replace_existing=True,
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        conservation,
        "cron",
        hour=2,
        minute=35,
        args=[app],
        id="rgpd_conservation",
        replace_existing=True,
    )
    scheduler.add_job(
        comptes_inactifs,
        "cron",
        hour=3,
        minute=15,
        args=[app],
        id="comptes_inactifs",
        replace_existing=True,
    )
    scheduler.add_job(
        sauvegarde_nocturne,
        "cron",
        hour=app.config["BACKUP_HOUR"],
        minute=30,
        args=[app],
        id="sauvegarde_nocturne",
        replace_existing=True,
    )
    return scheduler


class Shutdown:
    """Stops the process's scheduler whenever asked (SIGTERM, or the leader lock lost): while on standby
    (``asked`` ends the wait for leadership), while the scheduler is being built or started (the start
    listener sees ``asked``), or once it runs. Shutting down a scheduler not yet running would raise;
    starting one after the request would never end.

    The SIGTERM handler (:meth:`on_signal`) only notes the request; a watching thread (:meth:`watch`) does the
    stopping. A handler runs in the main thread between two of its instructions, possibly while that thread
    holds a lock the stopping needs (the scheduler submits each due job under its thread pool's lock): stopping
    from the handler would wait on its own thread forever, and the process would never end.
    """

    POLL_SECONDS = 0.1

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.scheduler: BlockingScheduler | None = None
        self._signalled = False
        self._lock = threading.Lock()

    def attach(self, scheduler: BlockingScheduler) -> None:
        self.scheduler = scheduler
        scheduler.add_listener(self._on_start, EVENT_SCHEDULER_STARTED)

    def on_signal(self, _signum, _frame) -> None:
        """The SIGTERM handler: notes the request (one attribute set, no lock taken); :meth:`watch` acts on it."""
        self._signalled = True

    def watch(self) -> threading.Thread:
        """Start the daemon thread that stops the scheduler within :data:`POLL_SECONDS` of a signal."""

        def run() -> None:
            while not self._signalled:
                time.sleep(self.POLL_SECONDS)
            self()

        watcher = threading.Thread(target=run, name="scheduler-shutdown", daemon=True)
        watcher.start()
        return watcher

    def __call__(self) -> None:
        """Stop now (from any thread but a signal handler's): the scheduler, once, if it runs."""
        self.asked.set()
        self._stop_scheduler()

    def _on_start(self, _event) -> None:
        if self.asked.is_set():
            self._stop_scheduler()

    def _stop_scheduler(self) -> None:
        # One thread at a time: the start listener and the watcher may both come (a second shutdown would raise).
        with self._lock:
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the job scheduler in the foreground: the leader runs the jobs, any other process waits on standby."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    shutdown = Shutdown()
    signal.signal(signal.SIGTERM, shutdown.on_signal)
    shutdown.watch()
    lock = LeaderLock(app)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            if wait_for_leadership(lock, shutdown.asked, app.config["SCHEDULER_STANDBY_SECONDS"]):
                scheduler = build_scheduler(app, lock=lock, on_lost=shutdown)
                shutdown.attach(scheduler)
                log.info("scheduler started with jobs: %s (leader)", ", ".join(job.id for job in scheduler.get_jobs()))
                with contextlib.suppress(SystemExit):
                    scheduler.start()
    finally:
        lock.release()
    log.info("scheduler stopped")
