"""The processes `make run` starts: gunicorn and the scheduler side by side from the Procfile; Ctrl-C stops both."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_procfile_serves_the_app_beside_one_scheduler_and_stops_both(database_uri, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": database_uri,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "cle-de-test",
        "SCHEDULER_HEARTBEAT_SECONDS": "1",
        "WEB_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    output = tmp_path / "honcho.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/honcho"), "start", "--procfile", "Procfile"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    health = json.load(response)
                if "scheduler heartbeat" in output.read_text():
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert health == {"status": "ok", "database": "ok"}, output.read_text()
        text = output.read_text()
        assert text.count("scheduler started with jobs") == 1, text
        assert "scheduler heartbeat" in text

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        process.wait(timeout=20)
        text = output.read_text()
        assert "scheduler stopped" in text, text
        assert "Shutting down" in text or "Handling signal" in text, text
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
