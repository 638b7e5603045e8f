"""Time the grouping of a waiting list (DESIGN.md section 8): ``python -m bench.grouping``.

Generates seeded random waiting lists shaped like the real ones (scores 0-85 gathered around a few levels,
1 to 4 free half-days out of the 10 weekday half-days, 0 to 365 days of waiting, workshops of 4 places with
a minimum of 3 spread over the weekday half-days, one in five already holding one or two people) at four
sizes: 20 candidates for 2 workshops, 60 for 6, 200 for 20 (a large site) and 2,000 for 100 (a whole
network). Solves each with ``ateliers.grouping.propose_groupes`` and records the time, the places, whether
the optimum was proven and the remaining gap. The small sizes run on several instances (one seed each) and
report the median and the worst time. Prints a table with the verdict against the budgets and writes
``bench/results/grouping-<UTC timestamp>.json`` and ``grouping-latest.json``.

Nothing but this process: no server, no database, no network.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from contextlib import suppress
from importlib import metadata

from ateliers.grouping import AtelierPrevu, Candidat, propose_groupes
from bench.common import machine_info, stop_on_sigterm, utc_now, write_results

# (candidates, workshops, instances, budget): the budget says what must hold on every instance.
SIZES = (
    (20, 2, 10, "proven in under 1 s"),
    (60, 6, 10, "proven in under 1 s"),
    (200, 6, 10, "proven in under 1 s"),  # DESIGN.md section 8: a site's whole waiting list
    (200, 20, 5, "within 5 s, proven or gap reported"),
    (2000, 100, 2, "within the time limit, gap reported"),
)
WEEKDAY_HALF_DAYS = 10  # Monday morning to Friday afternoon
LEVELS = (12, 30, 48, 66)  # where placement scores gather


def make_instance(n_candidats: int, n_ateliers: int, seed: int) -> tuple[list[Candidat], list[AtelierPrevu]]:
    """A waiting list and planned workshops, the same for the same arguments."""
    rng = random.Random(seed)  # nosec B311 # seeded generator: reproducible demo/benchmark data, never a secret

    def score(centre: float, spread: float) -> int:
        return min(85, max(0, round(rng.gauss(centre, spread))))

    candidats = [
        Candidat(
            id=i + 1,
            score=score(rng.choice(LEVELS), 9),
            disponibilites=sum(1 << d for d in rng.sample(range(WEEKDAY_HALF_DAYS), rng.randint(1, 4))),
            attente_jours=rng.randint(0, 365),
        )
        for i in range(n_candidats)
    ]
    offset = rng.randrange(WEEKDAY_HALF_DAYS)
    ateliers = []
    for j in range(n_ateliers):
        membres: tuple[int, ...] = ()
        if rng.random() < 0.2:
            level = rng.choice(LEVELS)
            membres = tuple(score(level, 4) for _ in range(rng.randint(1, 2)))
        ateliers.append(AtelierPrevu(id=j + 1, demi_journee=(offset + j) % WEEKDAY_HALF_DAYS, membres=membres))
    return candidats, ateliers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.grouping", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026, help="first seed (default: %(default)s)")
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per solve (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="one instance per size")
    parser.add_argument("--strict", action="store_true", help="exit with status 2 when a budget is missed")
    return parser.parse_args(argv)


def solve(n_candidats: int, n_ateliers: int, seed: int, time_limit: float) -> dict:
    candidats, ateliers = make_instance(n_candidats, n_ateliers, seed)
    started = time.perf_counter()
    proposition = propose_groupes(candidats, ateliers, time_limit=time_limit)
    wall = time.perf_counter() - started
    places = sum(a.capacite - len(a.membres) for a in ateliers)
    return {
        "seed": seed,
        "wall_s": round(wall, 3),
        "reported_s": round(proposition.seconds, 3),
        "places": proposition.places,
        "places_offered": places,
        "attente_totale": proposition.attente_totale,
        "ecarts_total": proposition.ecarts_total,
        "is_optimal": proposition.is_optimal,
        "gap": proposition.gap,
        "objectif_non_prouve": proposition.objectif_non_prouve,
        "en_attente": len(proposition.en_attente),
    }


def verdict(n_candidats: int, budget: str, runs: list[dict], time_limit: float) -> tuple[bool, str]:
    """Whether every run met the budget of its size, and why not."""
    worst = max(run["wall_s"] for run in runs)
    if budget == "proven in under 1 s":
        unproven = sum(not run["is_optimal"] for run in runs)
        ok = unproven == 0 and worst < 1.0
        return ok, "" if ok else f"{unproven} not proven, worst {worst:.2f} s"
    # Beyond the limit, the solver may overrun by what it takes to stop and to write the answer.
    limit = 5.0 if n_candidats <= 200 else time_limit
    reported = all(run["is_optimal"] or run["gap"] is not None for run in runs)
    ok = reported and worst <= limit * 1.1
    return ok, "" if ok else f"worst {worst:.2f} s for a limit of {limit:.0f} s"


def run(args: argparse.Namespace, started) -> dict:
    machine = machine_info(None)
    machine.pop("database")  # no database here
    for name in ("highspy", "numpy"):
        with suppress(metadata.PackageNotFoundError):
            machine["packages"][name] = metadata.version(name)
    # The first call imports the solver; every measure below is of a warm process.
    first_started = time.perf_counter()
    warm_up = [Candidat(i, 40 + i, 1, i) for i in range(4)]
    propose_groupes(warm_up, [AtelierPrevu(1, 0)], time_limit=args.time_limit)
    first_call_s = time.perf_counter() - first_started

    sizes = []
    for n_candidats, n_ateliers, instances, budget in SIZES:
        count = 1 if args.quick else instances
        runs = [solve(n_candidats, n_ateliers, args.seed + k, args.time_limit) for k in range(count)]
        times = [r["wall_s"] for r in runs]
        ok, why = verdict(n_candidats, budget, runs, args.time_limit)
        gaps = [r["gap"] for r in runs if r["gap"] is not None]
        sizes.append(
            {
                "candidats": n_candidats,
                "ateliers": n_ateliers,
                "instances": count,
                "p50_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "proven": sum(r["is_optimal"] for r in runs),
                "max_gap": max(gaps) if gaps else None,
                "unproven": sorted({r["objectif_non_prouve"] for r in runs if r["objectif_non_prouve"]}),
                "places_mean": round(statistics.fmean(r["places"] for r in runs), 1),
                "places_offered_mean": round(statistics.fmean(r["places_offered"] for r in runs), 1),
                "budget": budget,
                "ok": ok,
                "why": why,
                "runs": runs,
            }
        )
    return {
        "benchmark": "grouping",
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {"seed": args.seed, "time_limit_s": args.time_limit, "quick": args.quick},
        "first_call_s": round(first_call_s, 3),
        "sizes": sizes,
        "ok": all(size["ok"] for size in sizes),
    }


def print_report(result: dict) -> None:
    machine = result["machine"]
    print()
    print(
        f"Grouping: {machine['nproc']} CPU(s) {machine['cpu_model']}, Python {machine['python']}, "
        f"HiGHS (highspy) {machine['packages'].get('highspy', '?')}, "
        f"time limit {result['settings']['time_limit_s']} s"
    )
    print(f"Load average before: {machine['load_average']}; first call (imports): {result['first_call_s']} s")
    header = (
        f"{'candidats':>9} {'ateliers':>8} {'runs':>4} {'p50 s':>7} {'max s':>7} {'proven':>6} "
        f"{'max gap':>9} {'unproven':>15} {'places':>13}  budget"
    )
    print(header)
    print("-" * len(header))
    for size in result["sizes"]:
        gap = f"{size['max_gap']:.2%}" if size["max_gap"] is not None else "-"
        places = f"{size['places_mean']:g}/{size['places_offered_mean']:g}"
        status = "ok" if size["ok"] else f"MISS ({size['why']})"
        print(
            f"{size['candidats']:>9} {size['ateliers']:>8} {size['instances']:>4} {size['p50_s']:>7.3f} "
            f"{size['max_s']:>7.3f} {size['proven']:>3}/{size['instances']:<2} {gap:>9} "
            f"{','.join(size['unproven']) or '-':>15} {places:>13}  "
            f"{size['budget']}: {status}"
        )
    print(
        "(places = mean placed / mean places offered; gap = relative gap of the first objective not proven, "
        "named in 'unproven': minimum, places, attente or ecarts)"
    )
    print(f"Verdict: {'OK' if result['ok'] else 'MISS'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    started = utc_now()
    result = run(args, started)
    print_report(result)
    print(f"Results: {write_results('grouping', started, result)}")
    return 2 if args.strict and not result["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
