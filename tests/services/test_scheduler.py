import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

import scheduler

ROOT = Path(__file__).resolve().parents[2]


def test_jobs_have_explicit_ids_and_safe_defaults(app):
    # A paused background scheduler applies the job defaults without running anything or blocking.
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs()}
        assert set(jobs) == {
            "heartbeat",
            "alertes_quotidiennes",
            "entrainements_reserver",
            "entrainements_rappeler",
            "entrainements_relancer",
            "envoyer_messages",
            "rgpd_conservation",
            "comptes_inactifs",
            "sauvegarde_nocturne",
        }
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
        # Every hour at minute 5 UTC: each structure's new day is swept within the hour after its midnight.
        assert str(jobs["alertes_quotidiennes"].trigger) == "cron[minute='5']"
        # Practice: booking every 5 minutes and at start, reminders every 10 minutes, no-shows every hour.
        periodes = {nom: jobs[f"entrainements_{nom}"].trigger.interval for nom in ("reserver", "rappeler", "relancer")}
        assert periodes == {
            "reserver": timedelta(minutes=5),
            "rappeler": timedelta(minutes=10),
            "relancer": timedelta(hours=1),
        }
        debut = jobs["entrainements_reserver"].next_run_time
        assert debut < jobs["entrainements_rappeler"].next_run_time - timedelta(minutes=9)  # reserver runs at start
        # The outbox every minute: a message waits a minute at most before its first attempt.
        assert str(jobs["envoyer_messages"].trigger) == "interval[0:01:00]"
        # Retention once a night, when nobody works.
        assert str(jobs["rgpd_conservation"].trigger) == "cron[hour='2', minute='35']"
        # Unused accounts once a day, at night.
        assert str(jobs["comptes_inactifs"].trigger) == "cron[hour='3', minute='15']"
        # The nightly backup at BACKUP_HOUR:30 UTC (2:30 by default).
        assert str(jobs["sauvegarde_nocturne"].trigger) == "cron[hour='2', minute='30']"
    finally:
        built.shutdown(wait=False)


def test_heartbeat_checks_the_database_and_logs(app, caplog):
    caplog.set_level("INFO", logger="scheduler")
    scheduler.heartbeat(app)
    assert "scheduler heartbeat" in caplog.text


def start_scheduler(database_uri, instance: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "cle-de-test",
        "SCHEDULER_HEARTBEAT_SECONDS": "1",
        "SCHEDULER_STANDBY_SECONDS": "0.5",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(process: subprocess.Popen, text: str, times: int = 1, seconds: float = 30) -> list[str]:
    """The lines ``process`` writes on stderr until ``text`` was seen ``times`` (or it stops, or time runs out)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and sum(text in line for line in lines) < times:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
    assert sum(text in line for line in lines) >= times, "".join(lines)
    return lines


def stop(process: subprocess.Popen) -> str:
    # A generous wait: a leader that has just taken over runs its start-up sweeps, which on a loaded machine
    # may still be running when SIGTERM comes; the process ends once they finish.
    process.send_signal(signal.SIGTERM)
    remaining = process.communicate(timeout=60)[1]
    assert process.returncode == 0, remaining
    return remaining


def test_scheduler_process_runs_jobs_and_stops_on_sigterm(database_uri, tmp_path):
    process = start_scheduler(database_uri, tmp_path / "instance")
    try:
        read_until(process, "scheduler heartbeat", times=2)
        assert "scheduler stopped" in stop(process)
    finally:
        if process.poll() is None:
            process.kill()


def test_one_leader_runs_the_jobs_and_a_standby_takes_over_when_it_stops(database_uri, tmp_path):
    leader = start_scheduler(database_uri, tmp_path / "instance")
    standby = None
    try:
        read_until(leader, "scheduler heartbeat")
        standby = start_scheduler(database_uri, tmp_path / "instance")
        waiting = read_until(standby, "scheduler on standby")
        assert not any("heartbeat" in line for line in waiting)
        stop(leader)
        read_until(standby, "scheduler heartbeat", seconds=15)
        assert "scheduler stopped" in stop(standby)
    finally:
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.kill()


def test_the_leader_lock_is_held_by_one_holder_at_a_time(app):
    first, second = scheduler.LeaderLock(app), scheduler.LeaderLock(app)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire() and not second.held
        first.release()
        assert second.try_acquire() and second.still_held()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_leader_that_lost_its_lock_stops_leading(app, caplog):
    lock = scheduler.LeaderLock(app)
    stopped = []
    assert lock.try_acquire()
    lock.release()  # as a lost connection would: the lock is no longer this process's
    caplog.set_level("INFO", logger="scheduler")
    scheduler.heartbeat(app, lock, on_lost=lambda: stopped.append(True))
    assert stopped == [True] and "lost its leader lock" in caplog.text


def test_a_stop_asked_before_the_scheduler_starts_ends_it_at_once():
    # SIGTERM between the leader building its scheduler and starting it: no error, and start() returns.
    built = BlockingScheduler(timezone="UTC")
    built.add_job(lambda: None, "interval", hours=1, id="rien")
    shutdown = scheduler.Shutdown()
    shutdown.attach(built)
    shutdown()
    runner = threading.Thread(target=built.start, daemon=True)
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive() and not built.running


# SIGTERM arriving while the main thread holds the scheduler's thread-pool lock (as it does while it submits a
# due job, every second here): the handler must not try to take that lock itself.
SIGNAL_UNDER_LOCK = """
import os, signal, threading, time
from apscheduler.schedulers.blocking import BlockingScheduler
import scheduler
built = BlockingScheduler(timezone="UTC")
built.add_job(lambda: None, "interval", hours=1, id="rien")
shutdown = scheduler.Shutdown()
shutdown.attach(built)
signal.signal(signal.SIGTERM, shutdown.on_signal)
shutdown.watch()
runner = threading.Thread(target=built.start)
runner.start()
while not built.running:
    time.sleep(0.01)
with built._executors["default"]._pool._shutdown_lock:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.3)
runner.join(10)
print("stopped" if not runner.is_alive() else "still running")
"""


def test_a_sigterm_while_a_job_is_being_submitted_still_ends_the_scheduler():
    process = subprocess.Popen([sys.executable, "-c", SIGNAL_UNDER_LOCK], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        output = process.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        process.kill()  # before the fix: the handler waited forever on the lock its own thread held
        process.communicate()
        raise AssertionError("the process never ended after SIGTERM") from None
    assert process.returncode == 0 and output.strip() == "stopped"


def test_a_stop_asked_while_running_ends_it():
    built = BlockingScheduler(timezone="UTC")
    shutdown = scheduler.Shutdown()
    shutdown.attach(built)
    runner = threading.Thread(target=built.start, daemon=True)
    runner.start()
    deadline = time.monotonic() + 10
    while not built.running and time.monotonic() < deadline:
        time.sleep(0.01)
    shutdown()
    runner.join(timeout=10)
    assert not runner.is_alive() and shutdown.asked.is_set()
