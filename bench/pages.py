"""Page latency on the network-scale data set (DESIGN.md section 8): ``python -m bench.pages``.

Builds 50 structures and 10,000 learners with ``flask demo`` in a temporary instance directory, serves them
with gunicorn on 127.0.0.1 (2 workers, as the Procfile), signs in as the demo mediator (the dashboards as the
demo director and the demo network's coordination: ``ACCOUNT_OF``), then measures each main page with 1 and then
4 concurrent clients (threads, each with its own session), after a warm-up.
Prints p50/p95/max/mean in ms, requests per second and the ratio to ``/healthz`` measured in the same run
(each page's requests spread over ``--rounds`` slices through the run, each slice just after one of
``/healthz`` at the same level, the slices of each pooled),
checks every response was 200, gives the budget verdict (p95 under 100 ms at 4 clients, within a small
factor of ``/healthz``) and writes ``bench/results/pages-<UTC timestamp>.json`` and ``pages-latest.json``.

Each measurement also says how much CPU the server spent per request and how much of the machine other
processes used meanwhile: a test run or a browser beside the benchmark inflates every latency, and the
report flags it. Finally it signs in once more inside this process (Flask test client on the same
database) and counts the SQL statements each page issues, to explain a slow page. ``--database-url``
benchmarks a PostgreSQL database instead of SQLite (a throw-away one: the demo data stays in it).

Only loopback traffic; a bounded number of requests (``--requests``, ``--quick``) and of seconds
(``--max-seconds``). The server is stopped (its whole process group) and the directory deleted whatever
happens.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    CLOCK_TICKS,
    BenchError,
    build_dataset,
    child_environment,
    driver_url,
    machine_cpu,
    machine_info,
    other_cpu_pct,
    stop_on_sigterm,
    temporary_instance,
    utc_now,
    write_results,
)
from bench.http_client import (
    COORDINATION_EMAIL,
    DIRECTION_EMAIL,
    EMAIL,
    HOST,
    Client,
    Server,
    as_request,
    csrf_token,
    sign_in,
)
from bench.pages_report import pct, print_report

DETAIL = "/apprenants/<id>"
DASHBOARD = "/pilotage/?type=annee&annee=<annee>"
NETWORK_DASHBOARD = "/pilotage/reseau?type=annee&annee=<annee>"
HEALTHZ = "/healthz"
PAGES = (
    (HEALTHZ, "santé"),
    ("/", "accueil"),
    ("/apprenants/", "liste, page 1"),
    ("/apprenants/?page=5", "liste, page 5"),
    # A search is POSTed (its terms never go into a URL): "POST <path>?<form>" is the bench's notation only.
    ("POST /apprenants/?q=martin", "recherche par nom"),
    ("POST /apprenants/?q=0199", "recherche par téléphone"),
    (DETAIL, "fiche d'un apprenant"),
    ("/apprenants/nouveau", "formulaire d'ajout"),
    ("/positionnements/nouveau", "questionnaire de positionnement"),
    ("/liste-attente/", "liste d'attente et matrice"),
    ("/liste-attente/?niveau=1&demi_journee=2", "liste d'attente filtrée"),
    ("/groupes/", "ateliers prévus"),
    ("/ateliers/", "ateliers et fermetures"),
    ("/ateliers/<atelier>", "page d'un atelier en cours"),
    ("/ateliers/<atelier>/seances/1/presences", "présences d'une séance"),
    ("/ateliers/<atelier>/seances/1/competences", "compétences d'une séance"),
    ("/ateliers/<atelier>/seances/6/competences", "évaluation finale (une personne, grille M1-M6)"),
    ("/ateliers/inscriptions/<inscription>/progression", "progression d'un apprenant"),
    ("/ateliers/a-rappeler", "à rappeler"),
    # The director's dashboard over the current calendar year (every indicator, the learners at risk).
    (DASHBOARD, "tableau de bord, une année"),
    # The coordination's: the demo network's two structures side by side and together (three dashboards' worth
    # of aggregates), over the current calendar year of their two years of history (demo_historique).
    (NETWORK_DASHBOARD, "tableau de bord du réseau, une année"),
    # The proposal page runs the solver: bench.grouping measures it, by size of waiting list.
)
# Pages measured signed in as another demo account than the mediator: the role each page is for.
ACCOUNT_OF = {DASHBOARD: DIRECTION_EMAIL, NETWORK_DASHBOARD: COORDINATION_EMAIL}
DETAIL_LINK = re.compile(r"href=\"/apprenants/(\d+)\"")
# The demo workshop under way (ateliers/<id>), and one of its learners' progress pages.
RUNNING_WORKSHOP = "Débutants – jeudi après-midi"
WORKSHOP_LINK = re.compile(r"href=\"/ateliers/(\d+)\">([^<]+)</a>")
PROGRESS_LINK = re.compile(r"href=\"/ateliers/inscriptions/(\d+)/progression\"")
LIST_TOTAL = re.compile(r"(\d+) apprenants?\b")
NETWORK_TABLE = re.compile(r'id="chiffres-ateliers".*?</table>', re.S)
COLUMN_HEADER = re.compile(r'<th scope="col">([^<]*)</th>')
WORKSHOPS_STARTED = re.compile(r"Ateliers commencés.*?</th>(.*?)</tr>", re.S)
CELL = re.compile(r"<td>([^<]*)</td>")


@dataclass
class Settings:
    requests: int
    requests_concurrent: int
    warmup: int
    clients: list[int]
    learners: int
    structures: int
    workers: int
    database_url: str
    budget_ms: float
    max_ratio: float
    max_median_ratio: float
    max_seconds: float
    timeout: float
    rounds: int
    count_sql: bool
    strict: bool
    quick: bool


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=None, help="measured requests per page with 1 client (default 200, quick 40)"
    )
    parser.add_argument(
        "--requests-concurrent",
        type=int,
        default=None,
        help="measured requests per client when several clients run (default: half of --requests)",
    )
    parser.add_argument("--warmup", type=int, default=None, help="unmeasured requests per client (default 10)")
    parser.add_argument("--quick", action="store_true", help="a quick look: 40 requests, 5 of warm-up")
    parser.add_argument("--clients", default="1,4", help="concurrency levels, comma-separated (default: 1,4)")
    parser.add_argument("--learners", type=int, default=10_000, help="total learners (default: %(default)s)")
    parser.add_argument("--structures", type=int, default=50, help="structures (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: %(default)s)")
    parser.add_argument("--database-url", default="", help="benchmark this throw-away PostgreSQL database")
    parser.add_argument("--budget-ms", type=float, default=100.0, help="p95 budget at the highest concurrency")
    parser.add_argument(
        "--max-ratio", type=float, default=10.0, help="allowed p95(page) / p95(/healthz) (default: %(default)s)"
    )
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop measuring after this many seconds")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed for one request")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="slices each page's requests are spread over, each after one of /healthz (default: %(default)s)",
    )
    parser.add_argument("--no-sql-count", action="store_true", help="skip counting SQL statements per page")
    parser.add_argument(
        "--max-median-ratio",
        type=float,
        default=5.0,
        help="allowed p50(page) / p50(/healthz) at every level (issue 8, item 19; default: %(default)s)",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 2 when a page misses its budget")
    args = parser.parse_args(argv)
    requests = args.requests or (40 if args.quick else 200)
    clients = sorted({int(value) for value in args.clients.split(",") if value.strip()})
    if not clients or clients[0] < 1 or requests < 1 or args.rounds < 1:
        parser.error("--clients, --requests and --rounds need positive numbers")
    return Settings(
        requests=requests,
        requests_concurrent=args.requests_concurrent or max(1, requests // 2),
        warmup=args.warmup if args.warmup is not None else (5 if args.quick else 10),
        clients=clients,
        learners=args.learners,
        structures=args.structures,
        workers=args.workers,
        database_url=args.database_url,
        budget_ms=args.budget_ms,
        max_ratio=args.max_ratio,
        max_median_ratio=args.max_median_ratio,
        max_seconds=args.max_seconds,
        timeout=args.timeout,
        rounds=args.rounds,
        count_sql=not args.no_sql_count,
        strict=args.strict,
        quick=args.quick,
    )


# --- Measuring --------------------------------------------------------------------------------------------


@dataclass
class Phase:
    """What the clients of one (page, concurrency) run saw."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warmup_failures: int = 0
    wall_s: float = 0.0
    cut_short: bool = False
    cpu: dict = field(default_factory=dict)


@dataclass
class CpuSample:
    machine: tuple[float, float] | None  # (total, idle) CPU seconds of all CPUs
    server: float  # CPU seconds used by gunicorn's process group
    harness: float  # CPU seconds used by this process (all its threads)


class CpuMeter:
    """Where the machine's CPU time went during a phase: the server, this harness, or other processes.

    Another job on the machine (a test run, a browser) slows every page; ``other_cpu_pct`` shows it, and the
    server's CPU time per request is a figure such noise barely changes. Linux /proc only; else no figures.
    """

    def __init__(self, group: int) -> None:
        self.group = group

    def sample(self) -> CpuSample | None:
        machine = machine_cpu()
        if machine is None:
            return None
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                after_name = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process ended meanwhile
            if int(after_name[2]) == self.group:  # pgrp; utime and stime follow at 11 and 12
                ticks += int(after_name[11]) + int(after_name[12])
        times = os.times()
        return CpuSample(machine, ticks / CLOCK_TICKS, times.user + times.system)

    def usage(self, before: CpuSample | None, after: CpuSample | None, requests: int) -> dict:
        if before is None or after is None or after.machine[0] <= before.machine[0]:
            return {}
        total = after.machine[0] - before.machine[0]
        server = max(0.0, after.server - before.server)  # a worker replaced meanwhile would make it negative
        harness = after.harness - before.harness
        return {
            "server_cpu_ms_per_request": round(server * 1000 / requests, 2) if requests else None,
            "server_cpu_pct": round(100 * server / total, 1),
            "harness_cpu_pct": round(100 * harness / total, 1),
            "other_cpu_pct": other_cpu_pct(before.machine, after.machine, server + harness),
        }


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile: the smallest value that ``percent`` % of the values do not exceed."""
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def measure(
    clients: list[Client],
    path_for: Callable[[int, int], str],
    count: int,
    warmup: int,
    deadline: float,
    meter: CpuMeter | None = None,
) -> Phase:
    """Every client warms up, then all start together and each sends ``count`` requests in a row."""
    phase = Phase()
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1, timeout=300)

    def work(index: int) -> None:
        client = clients[index]
        for number in range(warmup):
            try:
                status, _, _ = client.fetch(path_for(index, number))
            except (OSError, http.client.HTTPException):
                status = 0
            if status != 200:
                with lock:
                    phase.warmup_failures += 1
        start.wait()
        latencies, statuses, errors = [], Counter(), []
        for number in range(count):
            if time.monotonic() > deadline:
                phase.cut_short = True
                break
            path = path_for(index, warmup + number)
            began = time.perf_counter()
            try:
                status, _, _ = client.fetch(path)
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {type(error).__name__}: {error}")
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] += 1
        with lock:
            phase.latencies_ms.extend(latencies)
            phase.statuses.update(statuses)
            phase.errors.extend(errors)

    threads = [threading.Thread(target=work, args=(index,), daemon=True) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    start.wait()
    before = meter.sample() if meter else None
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.wall_s = time.perf_counter() - began
    if meter:
        phase.cpu = meter.usage(before, meter.sample(), len(phase.latencies_ms))
    return phase


def pooled(page: str, label: str, concurrency: int, phases: list[Phase]) -> dict:
    """The row of ``page`` at one level from its slices: latencies pooled (the median of all of them), CPU
    figures weighted by requests and by time, and the spread of the slices' own medians (``phase_p50_ms``:
    lowest and highest) to show how much one short phase would have moved the figure."""
    together = Phase()
    for phase in phases:
        together.latencies_ms.extend(phase.latencies_ms)
        together.statuses.update(phase.statuses)
        together.errors.extend(phase.errors)
        together.warmup_failures += phase.warmup_failures
        together.wall_s += phase.wall_s
        together.cut_short = together.cut_short or phase.cut_short
    measured = [phase for phase in phases if phase.cpu and phase.latencies_ms]
    requests, wall = sum(len(p.latencies_ms) for p in measured), sum(p.wall_s for p in measured)
    if requests and wall:
        together.cpu = {
            "server_cpu_ms_per_request": round(
                sum(p.cpu["server_cpu_ms_per_request"] * len(p.latencies_ms) for p in measured) / requests, 2
            ),
            **{
                key: round(sum((p.cpu.get(key) or 0) * p.wall_s for p in measured) / wall, 1)
                for key in ("server_cpu_pct", "harness_cpu_pct", "other_cpu_pct")
            },
        }
    row = summarize(page, label, concurrency, together)
    medians = [statistics.median(p.latencies_ms) for p in phases if p.latencies_ms]
    row["phases"] = len(phases)
    row["phase_p50_ms"] = [round(min(medians), 2), round(max(medians), 2)] if medians else None
    return row


def summarize(page: str, label: str, concurrency: int, phase: Phase) -> dict:
    values = sorted(phase.latencies_ms)
    row = {
        "page": page,
        "label": label,
        "clients": concurrency,
        "requests": len(values),
        "statuses": {str(code): number for code, number in sorted(phase.statuses.items())},
        "non_200": sum(number for code, number in phase.statuses.items() if code != 200) + len(phase.errors),
        "warmup_failures": phase.warmup_failures,
        "errors": phase.errors[:10],
        "cut_short": phase.cut_short,
        "wall_s": round(phase.wall_s, 3),
        "requests_per_s": round(len(values) / phase.wall_s, 1) if phase.wall_s else None,
        **phase.cpu,
    }
    if values:
        row.update(
            p50_ms=round(statistics.median(values), 2),
            p95_ms=round(percentile(values, 95), 2),
            p99_ms=round(percentile(values, 99), 2),
            max_ms=round(values[-1], 2),
            min_ms=round(values[0], 2),
            mean_ms=round(statistics.fmean(values), 2),
        )
    return row


def account(path: str) -> str:
    """The demo account a page is measured as: the mediator, or the one of :data:`ACCOUNT_OF`."""
    return ACCOUNT_OF.get(path, EMAIL)


def probe(client: Client, path: str, measured_as: str = "") -> dict:
    """One look at the page before measuring it: status, size and, for the register, how many learners; for the
    network's dashboard (``measured_as``, the page's pattern), its columns and workshops started in each."""
    status, _, html = client.fetch(path)
    if status != 200:
        raise BenchError(f"{path} answered {status} before measuring")
    found = LIST_TOTAL.search(html) if as_request(path)[1].partition("?")[0] == "/apprenants/" else None
    result = {"bytes": len(html.encode()), "learners_found": int(found.group(1)) if found else None}
    if measured_as == NETWORK_DASHBOARD:
        result.update(network_columns(html))
    return result


def network_columns(html: str) -> dict:
    """The network dashboard's columns and the workshops started in each, read from the page.

    :raise BenchError: no network (the coordination's structure heads none), fewer than two structures, or no
        workshop in the network's column: the data set is not the one the page should be measured on.
    """
    table = NETWORK_TABLE.search(html)
    row = WORKSHOPS_STARTED.search(table.group(0)) if table else None
    if row is None:
        raise BenchError("the network's dashboard shows no figures: the demo network is missing")
    columns = [name.strip() for name in COLUMN_HEADER.findall(table.group(0))[1:]]
    started = [cell.strip() for cell in CELL.findall(row.group(1))]
    if len(columns) < 3 or started[-1] in ("0", "aucune donnée"):
        raise BenchError(f"the demo network has no history to show: {dict(zip(columns, started, strict=False))}")
    return {"network_columns": columns, "workshops_started": started}


def run_pages(settings: Settings, server: Server, password: str) -> tuple[list[dict], dict]:
    port, meter = server.port, CpuMeter(server.process.pid)
    deadline = time.monotonic() + settings.max_seconds
    # Each account's clients, signed in as it: a page is measured by the clients of its account.
    clients = {
        email: [Client(port, settings.timeout) for _ in range(max(settings.clients))]
        for email in dict.fromkeys(account(path) for path, _ in PAGES)
    }
    try:
        for email, signed in clients.items():
            for client in signed:
                sign_in(client, password, email)
        mediator = clients[EMAIL][0]
        status, _, html = mediator.request("GET", "/apprenants/")
        ids = list(dict.fromkeys(DETAIL_LINK.findall(html)))
        if status != 200 or not ids:
            raise BenchError("no learner on the mediator's list page: the demo data set is missing")
        places = workshop_ids(mediator)
        probes = {}
        for path, _ in PAGES:
            probes[path] = probe(clients[account(path)][0], concrete(path, ids[0], places), path)
        # Both workers import templates and open connections before anything is measured.
        for path, _ in PAGES:
            measure(clients[account(path)][:1], _path_for(path, ids, places), 0, settings.warmup, deadline)
        # Each page's requests are spread over ``settings.rounds`` slices, one per round through all the pages, and
        # every slice follows one of /healthz with as many requests: page and reference then see the machine in the
        # same states. One short phase per page made the verdict a draw: on this virtual machine the same code's
        # server CPU per request moved by up to 60 % from one second to the next (the host's load, invisible as
        # "other cpu"), and a single phase of /healthz by 40 % from one run to the next.
        phases: dict[tuple[str, int], list[Phase]] = {}
        for concurrency in settings.clients:
            count = settings.requests if concurrency == 1 else settings.requests_concurrent
            for number in range(settings.rounds):
                share = count // settings.rounds + (1 if number < count % settings.rounds else 0)
                warmup = settings.warmup if number == 0 else 0
                for path, _ in PAGES:
                    if path == HEALTHZ or share == 0:
                        continue
                    healthz = _path_for(HEALTHZ, ids, places)
                    phases.setdefault((HEALTHZ, concurrency), []).append(
                        measure(clients[EMAIL][:concurrency], healthz, share, warmup, deadline, meter)
                    )
                    target = _path_for(path, ids, places)
                    phases.setdefault((path, concurrency), []).append(
                        measure(clients[account(path)][:concurrency], target, share, warmup, deadline, meter)
                    )
            for path, label in PAGES:
                if (path, concurrency) in phases:
                    row = pooled(path, label, concurrency, phases[(path, concurrency)])
                    print(
                        f"  {path:<24} {concurrency} client(s): p50 {row.get('p50_ms', float('nan')):7.2f} ms"
                        f"  {row['requests_per_s']} req/s  other cpu {pct(row.get('other_cpu_pct'))}",
                        file=sys.stderr,
                        flush=True,
                    )
        rows = [
            pooled(path, label, concurrency, phases[(path, concurrency)])
            for path, label in PAGES
            for concurrency in settings.clients
            if (path, concurrency) in phases
        ]
        return rows, {"detail_ids": [int(value) for value in ids], "places": places, "pages": probes}
    finally:
        for signed in clients.values():
            for client in signed:
                client.close()


def workshop_ids(client: Client) -> dict[str, str]:
    """The ids standing for ``<atelier>`` and ``<inscription>`` (the demo workshop under way and its first learner),
    and ``<annee>``, the current calendar year of the dashboard."""
    status, _, html = client.request("GET", "/ateliers/")
    atelier = next((ident for ident, title in WORKSHOP_LINK.findall(html) if title.strip() == RUNNING_WORKSHOP), None)
    if status != 200 or atelier is None:
        raise BenchError(f"no workshop {RUNNING_WORKSHOP!r} on the workshops page: the demo data set is missing")
    _, _, html = client.request("GET", f"/ateliers/{atelier}")
    inscription = PROGRESS_LINK.search(html)
    if inscription is None:
        raise BenchError("the running demo workshop lists no learner")
    return {"<atelier>": atelier, "<inscription>": inscription.group(1), "<annee>": str(utc_now().year)}


def concrete(path: str, learner: str, places: dict[str, str]) -> str:
    """``path`` with its placeholders replaced: a learner for the detail page, the workshop ids elsewhere."""
    if path == DETAIL:
        return f"/apprenants/{learner}"
    for placeholder, ident in places.items():
        path = path.replace(placeholder, ident)
    return path


def _path_for(path: str, ids: list[str], places: dict[str, str]) -> Callable[[int, int], str]:
    """Fixed pages as they are; the detail page walks through the listed learners, each client elsewhere."""
    if path != DETAIL:
        fixed = concrete(path, ids[0], places)
        return lambda _client, _number: fixed
    return lambda client, number: f"/apprenants/{ids[(client * 7 + number) % len(ids)]}"


def add_ratios(rows: list[dict]) -> None:
    for quantile in ("p50", "p95"):
        reference = {row["clients"]: row.get(f"{quantile}_ms") for row in rows if row["page"] == HEALTHZ}
        for row in rows:
            base, value = reference.get(row["clients"]), row.get(f"{quantile}_ms")
            row[f"ratio_{quantile}_healthz"] = round(value / base, 1) if base and value is not None else None


def verdict(rows: list[dict], settings: Settings) -> dict:
    """DESIGN.md section 8: at 4 clients (the highest level measured), p95 < budget and a small factor of
    /healthz; at every level, the median within ``max_median_ratio`` of /healthz's (issue 8, item 19); and every
    response, at every level, was a 200."""
    top = max(settings.clients)
    pages = []
    for row in rows:
        if row["clients"] != top or row["page"] == HEALTHZ:
            continue
        p95, ratio = row.get("p95_ms"), row.get("ratio_p95_healthz")
        reasons = []
        if p95 is None or p95 >= settings.budget_ms:
            reasons.append(f"p95 {p95} ms >= {settings.budget_ms:g} ms")
        if ratio is None or ratio > settings.max_ratio:
            reasons.append(f"{ratio}x /healthz > {settings.max_ratio:g}x")
        for level in rows:
            median = level.get("ratio_p50_healthz")
            if level["page"] == row["page"] and (median is None or median > settings.max_median_ratio):
                limit = f"{settings.max_median_ratio:g}x at {level['clients']} client(s)"
                reasons.append(f"median {median}x /healthz > {limit}")
        pages.append({"page": row["page"], "p95_ms": p95, "ratio": ratio, "ok": not reasons, "reasons": reasons})
    failures = [
        f"{row['page']} ({row['clients']} client(s)): {row['non_200']} non-200 or failed, "
        f"{row['warmup_failures']} in warm-up"
        for row in rows
        if row["non_200"] or row["warmup_failures"] or row["cut_short"]
    ]
    return {
        "clients": top,
        "budget_p95_ms": settings.budget_ms,
        "max_ratio_to_healthz": settings.max_ratio,
        "max_median_ratio_to_healthz": settings.max_median_ratio,
        "pages": pages,
        "all_200": not failures,
        "response_failures": failures,
        "within_budget": all(page["ok"] for page in pages),
        "ok": not failures and all(page["ok"] for page in pages),
    }


# --- SQL statements per page ------------------------------------------------------------------------------


def count_sql(instance: Path, settings: Settings, password: str, ids: list[int], places: dict[str, str]) -> list[dict]:
    """Sign in with Flask's test client on the same database (as each page's account) and count the SQL
    statements of each page."""
    import sqlalchemy as sa

    from app import create_app
    from extensions import db

    uri = driver_url(settings.database_url) if settings.database_url else f"sqlite:///{instance / 'ateliers.sqlite3'}"
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": uri,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    statements: list[str] = []
    rows = []
    with app.app_context():
        engine = db.engine  # requests below push their own app context, hence their own session

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)

    def signed_in(email: str):
        client = app.test_client()
        html = client.get("/connexion").get_data(as_text=True)
        form = {"csrf_token": csrf_token(html), "email": email, "password": password}
        response = client.post("/connexion", data=form)
        if response.status_code != 302:
            raise BenchError(f"in-process sign-in as {email} failed: {response.status_code}")
        return client, csrf_token(client.get("/").get_data(as_text=True))

    try:
        clients = {email: signed_in(email) for email in dict.fromkeys(account(path) for path, _ in PAGES)}
        for path, _ in PAGES:
            client, token = clients[account(path)]
            method, target, form = as_request(concrete(path, str(ids[0]), places))
            data = None if form is None else {**form, "csrf_token": token}
            client.open(target, method=method, data=data)  # the first call compiles the template
            statements.clear()
            response = client.open(target, method=method, data=data)
            rows.append(
                {"page": path, "status": response.status_code, "queries": len(statements), "sql": statements[:]}
            )
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    return rows


def run(settings: Settings, started) -> dict:
    import config

    password = config.from_environment()["DEMO_PASSWORD"]
    machine = machine_info(settings.database_url)
    with temporary_instance("pages") as instance:
        env = child_environment(instance, settings.database_url, APP_ENV="development")
        print(
            f"Building the data set ({settings.learners} learners, {settings.structures} structures)...",
            file=sys.stderr,
        )
        dataset = build_dataset(env, settings.learners, settings.structures)
        env["LOGIN_RATE_LIMIT"] = "10000 per minute"
        server = Server(env, settings.workers, instance / "gunicorn.log")
        try:
            server.start()
            print(f"gunicorn on {HOST}:{server.port}; measuring...", file=sys.stderr)
            rows, pages = run_pages(settings, server, password)
        finally:
            server.stop()
        trouble = server.trouble()
        sql = []
        if settings.count_sql:
            sql = count_sql(instance, settings, password, pages["detail_ids"], pages["places"])
    add_ratios(rows)
    return {
        "benchmark": "pages",
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "settings": {key: value for key, value in vars(settings).items() if key != "database_url"},
        "dataset": {**dataset, "account": EMAIL, "accounts_of_pages": ACCOUNT_OF, **pages},
        "results": rows,
        "sql": sql,
        "server_trouble": trouble[:20],
        "budget": verdict(rows, settings),
    }


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    stop_on_sigterm()
    started = utc_now()
    try:
        result = run(settings, started)
    except BenchError as error:
        print(f"bench.pages: {error}", file=sys.stderr)
        return 1
    print_report(result)
    print(f"Results: {write_results('pages', started, result)}")
    if not result["budget"]["all_200"]:
        return 1
    return 2 if settings.strict and not result["budget"]["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
