"""Helpers shared by the benchmarks: a throw-away instance, the ``flask`` command, machine facts, result files.

Nothing here touches ``instance/`` or a database named in the caller's environment: the child processes get
``INSTANCE_PATH`` pointing at a temporary directory, and ``DATABASE_URL`` only when the benchmark was given
one explicitly (``--database-url``).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess  # nosec B404 # runs this project's own commands with argument lists, never a shell
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# `.venv/bin/python -m bench.x` puts the virtualenv's scripts (flask, gunicorn) beside the interpreter.
BIN_DIR = Path(sys.executable).parent

# Settings from the caller's shell that would change what is measured, or point at a real installation.
INHERITED_SETTINGS = {
    "APP_ENV",
    "DATABASE_URL",
    "INSTANCE_PATH",
    "LOGIN_RATE_LIMIT",
    "RATELIMIT_STORAGE_URI",
    "SECRET_KEY",
    "SESSION_COOKIE_SECURE",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
}
DEMO_REPORT = re.compile(
    r"(?P<structures>\d+) structures?, (?P<comptes>\d+) comptes?, (?P<apprenants>\d+) apprenants?, "
    r"(?P<ateliers>\d+) ateliers?, en (?P<seconds>[\d.]+) s"
)


class BenchError(RuntimeError):
    """The benchmark could not run (a command failed, the server did not start...): no figures to trust."""


def tool(name: str) -> list[str]:
    """The command line that runs the virtualenv's ``name`` script (``python -m name`` when there is none)."""
    script = BIN_DIR / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally`` blocks stop the server and delete the temporary files."""

    def _exit(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


@contextmanager
def temporary_instance(label: str) -> Iterator[Path]:
    """A fresh instance directory (SQLite file, secret key), deleted afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=f"ateliers-bench-{label}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def child_environment(instance_path: Path, database_url: str | None, **settings: str) -> dict[str, str]:
    """Environment for ``flask``/``gunicorn``: the caller's, minus app settings, plus the benchmark's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in INHERITED_SETTINGS and not key.startswith("FLASK_")
    }
    env["INSTANCE_PATH"] = str(instance_path)
    env["PYTHONUNBUFFERED"] = "1"
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(settings)
    return env


def run_flask(args: list[str], env: dict[str, str], timeout: float = 900) -> tuple[float, str]:
    """Run ``flask --app app ARGS`` from the project root; return (wall seconds, stdout).

    :raise BenchError: when the command fails or runs longer than ``timeout`` seconds.
    """
    command = [*tool("flask"), "--app", "app", *args]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # nosec B603 # this virtualenv's flask, the bench's own arguments
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"`flask {' '.join(args)}` still running after {timeout:.0f} s") from error
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise BenchError(
            f"`flask {' '.join(args)}` failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    return elapsed, completed.stdout


def parse_demo_report(output: str) -> dict:
    """What ``flask demo`` says it added, and the time it measured itself (without interpreter start-up)."""
    found = DEMO_REPORT.search(output)
    if found is None:
        raise BenchError(f"unexpected output from `flask demo`:\n{output}")
    report = {key: int(value) for key, value in found.groupdict().items() if key != "seconds"}
    report["reported_s"] = float(found["seconds"])
    return report


def build_dataset(env: dict[str, str], learners: int, structures: int) -> dict:
    """Apply the migrations then load the demo data set of ``learners`` learners in ``structures`` structures."""
    upgrade_s, _ = run_flask(["db", "upgrade"], env)
    demo_s, output = run_flask(["demo", "--learners", str(learners), "--structures", str(structures)], env)
    return {
        "learners": learners,
        "structures": structures,
        "db_upgrade_s": round(upgrade_s, 3),
        "demo_s": round(demo_s, 3),
        "demo_added": parse_demo_report(output),
    }


def redact(url: str) -> str:
    """The database URL without its password, fit for a results file."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by the app itself; never print it with a password
        return "<unparsable URL>"


def driver_url(database_url: str) -> str:
    """The URL with the driver named, as ``config._database_url`` gives it to SQLAlchemy."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def database_info(database_url: str | None) -> dict:
    """Kind and version of the database the benchmark runs against."""
    if not database_url:
        return {"kind": "sqlite", "version": sqlite3.sqlite_version, "location": "temporary instance directory"}
    import sqlalchemy as sa

    url = sa.engine.make_url(driver_url(database_url))
    info = {"kind": url.get_backend_name(), "url": redact(database_url)}
    try:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                query = "SELECT version()" if info["kind"] == "postgresql" else "SELECT 1"
                info["version"] = str(connection.execute(sa.text(query)).scalar())
        finally:
            engine.dispose()
    except sa.exc.SQLAlchemyError as error:
        info["version"] = f"unknown ({type(error).__name__})"
    return info


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_cpu() -> tuple[float, float] | None:
    """CPU seconds of all the machine's CPUs since boot: (total, idle); None where /proc/stat is missing."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return sum(fields) / CLOCK_TICKS, (fields[3] + fields[4]) / CLOCK_TICKS


def other_cpu_pct(before: tuple[float, float] | None, after: tuple[float, float] | None, ours: float) -> float | None:
    """Share of the machine's CPU that processes other than ours (``ours`` CPU seconds) used in between."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    total = after[0] - before[0]
    busy = total - (after[1] - before[1])
    return round(100 * max(0.0, busy - ours) / total, 1)


def describe_database(info: dict) -> str:
    """``sqlite 3.40.1`` or ``PostgreSQL 15.18``, for a report's heading."""
    version = info.get("version", "").split(" (")[0].split(" on ")[0]
    return version if version.lower().startswith(info["kind"]) else f"{info['kind']} {version}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return None


def _git() -> dict:
    executable = shutil.which("git")  # a full path: the git the developer's PATH finds, resolved once
    if executable is None:
        return {"commit": "unknown"}

    def git(*args: str) -> str:
        command = [executable, *args]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=10, check=True)  # nosec B603 # git by full path, read-only subcommands
        return done.stdout.strip()

    try:
        changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(changed), "changed": changed}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown"}


def machine_info(database_url: str | None) -> dict:
    """Facts that make two result files comparable: CPUs, load, Python, packages, database, commit."""
    packages = {}
    for name in ("flask", "sqlalchemy", "werkzeug", "gunicorn", "psycopg"):
        with suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mb": _memory_mb(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": packages,
        "database": database_info(database_url),
        "git": _git(),
    }


def utc_now() -> datetime:
    return datetime.now(UTC)


def write_results(name: str, started: datetime, payload: dict) -> Path:
    """Write ``bench/results/<name>-<UTC timestamp>.json`` and ``<name>-latest.json``; return the first."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    path = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / f"{name}-latest.json").write_text(text, encoding="utf-8")
    return path
