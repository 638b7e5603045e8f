"""Time the demo data command at network scale: ``python -m bench.demo_data``.

In a temporary instance directory (a fresh SQLite file), applies the migrations, then times
``flask --app app demo --learners 10000 --structures 50`` and a second run, which must add nothing (the
command is idempotent). Prints the figures and writes ``bench/results/demo_data-<UTC timestamp>.json`` and
``demo_data-latest.json``.

``--database-url`` runs against that database instead (e.g. the throw-away PostgreSQL of
``scripts/with-postgres.sh``); it must be empty for the first run to mean anything, and it is not emptied
afterwards.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

from bench.common import (
    BenchError,
    child_environment,
    describe_database,
    machine_cpu,
    machine_info,
    other_cpu_pct,
    parse_demo_report,
    run_flask,
    stop_on_sigterm,
    temporary_instance,
    utc_now,
    write_results,
)

ADDED_KEYS = ("structures", "comptes", "apprenants", "ateliers")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_data", description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000, help="total learners (default: %(default)s)")
    parser.add_argument("--structures", type=int, default=50, help="structures (default: %(default)s)")
    parser.add_argument(
        "--database-url", default="", help="benchmark this (empty, throw-away) database instead of SQLite"
    )
    return parser.parse_args(argv)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _database_size_mb(instance: Path) -> float | None:
    files = list(instance.glob("ateliers.sqlite3*"))
    return round(sum(f.stat().st_size for f in files) / 1_048_576, 1) if files else None


def _added(report: dict) -> str:
    if not any(report[key] for key in ADDED_KEYS):
        return "nothing"
    return ", ".join(f"{report[key]} {key}" for key in ADDED_KEYS)


def run(args: argparse.Namespace, started) -> dict:
    machine = machine_info(args.database_url)
    from demo import APPRENANTS_EN_PLUS

    # The shares asked for, plus the demo network's member structure and the two years of history (demo.py).
    expected_learners = (args.learners // max(args.structures, 1)) * args.structures + APPRENANTS_EN_PLUS
    with temporary_instance("demo") as instance:
        env = child_environment(instance, args.database_url, APP_ENV="development")
        upgrade_s, _ = run_flask(["db", "upgrade"], env)
        # What any `flask` command costs before doing anything: interpreter, imports, create_app.
        startup_s, _ = run_flask(["routes"], env)
        runs = []
        for label in ("first run", "second run"):
            before, children = machine_cpu(), _children_cpu()
            seconds, output = run_flask(
                ["demo", "--learners", str(args.learners), "--structures", str(args.structures)], env
            )
            other = other_cpu_pct(before, machine_cpu(), _children_cpu() - children)
            report = parse_demo_report(output)
            runs.append({"run": label, "wall_s": round(seconds, 3), **report, "other_cpu_pct": other})
        size_mb = None if args.database_url else _database_size_mb(instance)

    first, second = runs
    checks = {
        "first_run_added_all_learners": first["apprenants"] == expected_learners,
        "first_run_added_all_structures": first["structures"] == args.structures + 1,
        "second_run_added_nothing": not any(second[key] for key in ADDED_KEYS),
    }
    return {
        "benchmark": "demo_data",
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {"learners": args.learners, "structures": args.structures},
        "db_upgrade_s": round(upgrade_s, 3),
        "cli_startup_s": round(startup_s, 3),
        "runs": runs,
        "learners_per_s": round(first["apprenants"] / first["wall_s"]) if first["wall_s"] else None,
        "database_size_mb": size_mb,
        "checks": checks,
        "ok": all(checks.values()),
    }


def print_report(result: dict) -> None:
    machine, settings = result["machine"], result["settings"]
    database = machine["database"]
    print()
    print(
        f"Demo data: {settings['learners']} learners in {settings['structures']} structures "
        f"on {describe_database(database)}, {machine['nproc']} CPU(s), "
        f"Python {machine['python']}"
    )
    print(f"Load average before: {machine['load_average']}")
    print(f"{'step':<28} {'wall s':>8} {'reported s':>11} {'other cpu':>9}  added")
    print(f"{'flask db upgrade':<28} {result['db_upgrade_s']:>8.2f}")
    print(f"{'flask routes (start-up)':<28} {result['cli_startup_s']:>8.2f}")
    for run in result["runs"]:
        other = f"{run['other_cpu_pct']:.0f} %" if run["other_cpu_pct"] is not None else "-"
        print(
            f"{'flask demo, ' + run['run']:<28} {run['wall_s']:>8.2f} {run['reported_s']:>11.1f} {other:>9}  "
            f"{_added(run)}"
        )
    print(
        "(wall = whole process; reported = what the command measures itself, without start-up; other cpu = share "
        "of the machine's CPU used by other processes meanwhile)"
    )
    if result["learners_per_s"]:
        print(f"First run: {result['learners_per_s']} learners/s of wall time", end="")
        print(f"; database file {result['database_size_mb']} MB" if result["database_size_mb"] else "")
    for name, passed in result["checks"].items():
        print(f"  {'ok  ' if passed else 'FAIL'} {name.replace('_', ' ')}")
    print(f"Verdict: {'OK' if result['ok'] else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    started = utc_now()
    try:
        result = run(args, started)
    except BenchError as error:
        print(f"bench.demo_data: {error}", file=sys.stderr)
        return 1
    print_report(result)
    print(f"Results: {write_results('demo_data', started, result)}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
