"""Time the practice booking sweep at network scale: ``python -m bench.entrainements``.

In a temporary instance directory (a fresh SQLite file), applies the migrations and loads the network demo data
set (``flask demo --learners 10000 --structures 50``), then adds with bulk inserts, in each of the 50 structures,
ten weekly practice slots (Monday to Friday, morning and afternoon, 10 places each) and 200 entraînements due
for booking (one closed workshop, 200 finished inscriptions, their plans; targets 2 to 18 days ahead, windows
±7 days): 10,000 in all. Then runs ``entrainements.jobs.reserver`` in a child process started like the real
``flask scheduler`` (the application and the scheduler module loaded), twice (the second run must book
nothing), and reports: the time of each run (budget: under 10 s), the bookings and convocations made, the
statements sent per structure, the double bookings found by SQL (must be 0), and the child's maximum resident
memory (budget: under 150 MB). Prints the figures and writes ``bench/results/entrainements-<UTC
timestamp>.json`` and ``entrainements-latest.json``.

``--database-url`` runs against that database instead (e.g. the throw-away PostgreSQL of
``scripts/with-postgres.sh``); it must be empty.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess  # nosec B404 # runs this project's own commands with argument lists, never a shell
import sys
import time
from datetime import time as heure
from datetime import timedelta

from bench.common import (
    ROOT,
    BenchError,
    build_dataset,
    child_environment,
    describe_database,
    machine_info,
    stop_on_sigterm,
    temporary_instance,
    utc_now,
    write_results,
)

BUDGET_S = 10.0
BUDGET_RSS_MB = 150.0
PER_STRUCTURE = 200
SLOT_CAPACITY = 10
SEED = 2026
# The ten weekly slots: Monday to Friday, 9:00-11:00 and 14:00-16:00.
HORAIRES = ((heure(9), heure(11)), (heure(14), heure(16)))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.entrainements", description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000, help="learners of the data set (default: %(default)s)")
    parser.add_argument("--structures", type=int, default=50, help="structures (default: %(default)s)")
    parser.add_argument(
        "--due", type=int, default=PER_STRUCTURE, help="entraînements due per structure (default: %(default)s)"
    )
    parser.add_argument("--database-url", default="", help="benchmark this (empty, throw-away) database")
    parser.add_argument("--step", choices=("build", "sweep", "check"), help=argparse.SUPPRESS)
    parser.add_argument("--strict", action="store_true", help="exit 2 when a budget or a check is missed")
    return parser.parse_args(argv)


# --- child steps (run inside the application, like `flask scheduler`) ---


def _app():
    from app import create_app

    return create_app()


def step_build(due: int) -> dict:
    """Bulk-insert the slots and the due entraînements of every structure; commits once."""
    import sqlalchemy as sa

    from ateliers.models import Atelier, Inscription
    from core.models import Apprenant, Structure
    from core.timeutil import structure_today, utcnow
    from entrainements.models import Creneau, Entrainement, PlanEntrainement
    from extensions import db

    rng = random.Random(SEED)  # nosec B311 # seeded generator: reproducible demo/benchmark data, never a secret
    app = _app()
    with app.app_context():
        now = utcnow()
        started = time.perf_counter()
        total = 0
        for structure in db.session.scalars(sa.select(Structure).order_by(Structure.id)).all():
            today = structure_today(structure)
            db.session.execute(
                sa.insert(Creneau),
                [
                    {
                        "structure_id": structure.id,
                        "jour_semaine": jour,
                        "debut": debut,
                        "fin": fin,
                        "capacite": SLOT_CAPACITY,
                        "lieu": "Salle informatique",
                    }
                    for jour in range(5)
                    for debut, fin in HORAIRES
                ],
            )
            apprenants = list(
                db.session.scalars(
                    sa.select(Apprenant.id).where(Apprenant.structure_id == structure.id).order_by(Apprenant.id)
                ).all()
            )[:due]
            if not apprenants:
                continue
            fin_atelier = today - timedelta(days=7)
            ended_at = now - timedelta(days=7)
            atelier_id = db.session.scalar(
                sa.insert(Atelier)
                .values(
                    structure_id=structure.id,
                    intitule="Atelier clos (banc d'essai)",
                    demi_journee=0,
                    capacite=30,
                    statut="termine",
                    is_locked=True,
                    created_at=ended_at - timedelta(days=60),
                )
                .returning(Atelier.id)
            )
            db.session.execute(
                sa.insert(Inscription),
                [
                    {
                        "atelier_id": atelier_id,
                        "apprenant_id": apprenant_id,
                        "statut": "termine",
                        "joined_at": ended_at - timedelta(days=50),
                        "ended_at": ended_at,
                    }
                    for apprenant_id in apprenants
                ],
            )
            inscriptions = dict(
                db.session.execute(
                    sa.select(Inscription.apprenant_id, Inscription.id).where(Inscription.atelier_id == atelier_id)
                ).all()
            )
            db.session.execute(
                sa.insert(PlanEntrainement),
                [
                    {
                        "structure_id": structure.id,
                        "inscription_id": inscriptions[apprenant_id],
                        "apprenant_id": apprenant_id,
                        "fin_atelier_on": fin_atelier,
                    }
                    for apprenant_id in apprenants
                ],
            )
            plans = dict(
                db.session.execute(
                    sa.select(PlanEntrainement.apprenant_id, PlanEntrainement.id).where(
                        PlanEntrainement.inscription_id.in_(inscriptions.values())
                    )
                ).all()
            )
            rows = []
            for apprenant_id in apprenants:
                cible = today + timedelta(days=rng.randint(2, 18))
                rows.append(
                    {
                        "plan_id": plans[apprenant_id],
                        "structure_id": structure.id,
                        "apprenant_id": apprenant_id,
                        "rang": 2,
                        "cible_on": cible,
                        "debut_on": cible - timedelta(days=7),
                        "fin_on": cible + timedelta(days=7),
                        "competences": [],
                    }
                )
            db.session.execute(sa.insert(Entrainement), rows)
            total += len(rows)
        db.session.commit()
        return {"entrainements": total, "build_s": round(time.perf_counter() - started, 3)}


def step_sweep() -> dict:
    """Two runs of the booking sweep, timed, with the statements each sends."""
    import sqlalchemy as sa

    import scheduler  # noqa: F401  (loaded as in the real scheduler process: APScheduler and all)
    from core.models import Structure
    from core.timeutil import utcnow
    from entrainements import jobs
    from extensions import db

    app = _app()
    runs = []
    with app.app_context():
        statements = [0]

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args):
            statements[0] += 1

        structures = db.session.scalar(sa.select(sa.func.count()).select_from(Structure))
        for label in ("first run", "second run"):
            db.session.remove()
            statements[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            bilan = jobs.reserver(utcnow())
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            runs.append(
                {
                    "run": label,
                    "seconds": round(seconds, 3),
                    "cpu_s": round(cpu, 3),
                    "reservations": bilan.reservations,
                    "convocations": bilan.convocations,
                    "sans_canal": bilan.sans_canal,
                    "non_planifies": bilan.non_planifies,
                    "refusees": bilan.refusees,
                    "plans_made": bilan.plans,
                    "failed_structures": len(bilan.echecs),
                    "statements": statements[0],
                    "statements_per_structure": round(statements[0] / max(structures, 1), 1),
                }
            )
    return {"runs": runs}


def step_check() -> dict:
    """Double bookings and capacity, counted by SQL."""
    import sqlalchemy as sa

    from entrainements.models import Occurrence, Reservation
    from extensions import db

    app = _app()
    with app.app_context():
        tenue = Reservation.statut.in_(("reservee", "honoree"))
        par_entrainement = (
            sa.select(Reservation.entrainement_id)
            .where(Reservation.statut == "reservee")
            .group_by(Reservation.entrainement_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
        par_jour = (
            sa.select(Reservation.apprenant_id, Reservation.jour)
            .where(tenue)
            .group_by(Reservation.apprenant_id, Reservation.jour)
            .having(sa.func.count() > 1)
            .subquery()
        )
        comptees = (
            sa.select(Reservation.occurrence_id, sa.func.count().label("n"))
            .where(tenue)
            .group_by(Reservation.occurrence_id)
            .subquery()
        )
        faux = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Occurrence)
            .outerjoin(comptees, comptees.c.occurrence_id == Occurrence.id)
            .where(
                sa.or_(
                    Occurrence.places_prises > Occurrence.capacite,
                    Occurrence.places_prises != sa.func.coalesce(comptees.c.n, 0),
                )
            )
        )
        return {
            "entrainements_booked_twice": db.session.scalar(sa.select(sa.func.count()).select_from(par_entrainement)),
            "learner_days_booked_twice": db.session.scalar(sa.select(sa.func.count()).select_from(par_jour)),
            "occurrences_miscounted_or_over": faux,
            "reservations": db.session.scalar(sa.select(sa.func.count()).select_from(Reservation)),
        }


# --- the parent ---


def _child(step: str, env: dict[str, str], extra: list[str] = ()) -> tuple[dict, float]:
    """Run one step in a child process; return its JSON answer and the child's maximum resident memory in MB
    (its own ``getrusage(RUSAGE_SELF).ru_maxrss``, kilobytes on Linux)."""
    command = [sys.executable, "-m", "bench.entrainements", "--step", step, *extra]
    try:
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)  # nosec B603 # this interpreter, this module's own step
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"step {step} still running after 1800 s") from error
    if completed.returncode != 0:
        raise BenchError(f"step {step} failed (exit {completed.returncode}):\n{completed.stderr[-4000:]}")
    answer = json.loads(completed.stdout.strip().splitlines()[-1])
    return answer, round(answer.pop("max_rss_kb") / 1024, 1)


def run(args: argparse.Namespace, started) -> dict:
    machine = machine_info(args.database_url)
    with temporary_instance("entrainements") as instance:
        env = child_environment(instance, args.database_url)
        dataset = build_dataset(env, args.learners, args.structures)
        build, _ = _child("build", env, ["--due", str(args.due)])
        sweep, rss_mb = _child("sweep", env)
        check, _ = _child("check", env)
    first, second = sweep["runs"]
    checks = {
        "first_run_under_10_s": first["seconds"] < BUDGET_S,
        "scheduler_rss_under_150_mb": rss_mb is not None and rss_mb < BUDGET_RSS_MB,
        "no_double_booking": check["entrainements_booked_twice"] == 0 and check["learner_days_booked_twice"] == 0,
        "capacity_counted_right": check["occurrences_miscounted_or_over"] == 0,
        "second_run_books_nothing": second["reservations"] == 0 and second["convocations"] == 0,
        "no_structure_failed": first["failed_structures"] == 0 and second["failed_structures"] == 0,
    }
    return {
        "benchmark": "entrainements",
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            "learners": args.learners,
            "structures": args.structures,
            "due_per_structure": args.due,
            "slots_per_structure": 10,
            "slot_capacity": SLOT_CAPACITY,
        },
        "dataset": dataset,
        "build": build,
        "runs": sweep["runs"],
        "scheduler_max_rss_mb": rss_mb,
        "sql_checks": check,
        "checks": checks,
        "ok": all(checks.values()),
    }


def print_report(result: dict) -> None:
    machine, settings = result["machine"], result["settings"]
    print()
    print(
        f"Booking sweep: {result['build']['entrainements']} entraînements due in {settings['structures']} structures "
        f"on {describe_database(machine['database'])}, {machine['nproc']} CPU(s), Python {machine['python']}"
    )
    print(f"Load average before: {machine['load_average']}")
    print(
        f"{'run':<12} {'seconds':>8} {'cpu s':>7} {'booked':>7} {'convoked':>8} {'no channel':>10} "
        f"{'unbooked':>8} {'stmts/str':>9}"
    )
    for run in result["runs"]:
        print(
            f"{run['run']:<12} {run['seconds']:>8.2f} {run['cpu_s']:>7.2f} {run['reservations']:>7} "
            f"{run['convocations']:>8} "
            f"{run['sans_canal']:>10} {run['non_planifies']:>8} {run['statements_per_structure']:>9}"
        )
    print(
        "(seconds: wall clock of the run; cpu s: the process's own CPU time, what an idle machine would take less "
        "the database server's work; stmts/str: SQL statements sent per structure)"
    )
    print(f"Scheduler process maximum resident memory: {result['scheduler_max_rss_mb']} MB")
    print(f"SQL checks: {result['sql_checks']}")
    for name, passed in result["checks"].items():
        print(f"  {'ok  ' if passed else 'MISS'} {name.replace('_', ' ')}")
    print(f"Verdict: {'OK' if result['ok'] else 'MISS'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.step:
        import resource

        answer = {"build": lambda: step_build(args.due), "sweep": step_sweep, "check": step_check}[args.step]()
        answer["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(answer, default=str))
        return 0
    stop_on_sigterm()
    started = utc_now()
    try:
        result = run(args, started)
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        return 1
    print_report(result)
    print(f"Results: {write_results('entrainements', started, result)}")
    return 2 if args.strict and not result["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
