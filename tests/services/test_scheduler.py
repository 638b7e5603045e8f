import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

import scheduler

ROOT = Path(__file__).resolve().parents[2]


def test_jobs_have_explicit_ids_and_safe_defaults(app):
    # A paused background scheduler applies the job defaults without running anything or blocking.
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs()}
        assert set(jobs) == {"heartbeat", "alertes_quotidiennes"}
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
        # Every hour at minute 5 UTC: each structure's new day is swept within the hour after its midnight.
        assert str(jobs["alertes_quotidiennes"].trigger) == "cron[minute='5']"
    finally:
        built.shutdown(wait=False)


def test_heartbeat_checks_the_database_and_logs(app, caplog):
    caplog.set_level("INFO", logger="scheduler")
    scheduler.heartbeat(app)
    assert "scheduler heartbeat" in caplog.text


def test_scheduler_process_runs_jobs_and_stops_on_sigterm(database_uri, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "cle-de-test",
        "SCHEDULER_HEARTBEAT_SECONDS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum("scheduler heartbeat" in line for line in lines) < 2:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
        assert sum("scheduler heartbeat" in line for line in lines) >= 2, "".join(lines)
        process.send_signal(signal.SIGTERM)
        remaining = process.communicate(timeout=15)[1]
        assert process.returncode == 0
        assert "scheduler stopped" in remaining
    finally:
        if process.poll() is None:
            process.kill()
