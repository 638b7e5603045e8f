"""The printed report of the page benchmark: the latency table, the SQL counts and the budget verdict."""

from __future__ import annotations

from bench.common import (
    describe_database,
)

NOISY_PCT = 15  # other processes' share of the CPU above which a measurement is flagged


def _ms(value: float | None) -> str:
    return f"{value:8.2f}" if value is not None else f"{'-':>8}"


def pct(value: float | None) -> str:
    return f"{value:.0f} %" if value is not None else "-"


def print_report(result: dict) -> None:
    settings, machine, dataset = result["settings"], result["machine"], result["dataset"]
    database = machine["database"]
    print()
    print(
        f"Pages: {dataset['learners']} learners in {dataset['structures']} structures, "
        f"{describe_database(database)}, gunicorn {settings['workers']} workers, {machine['nproc']} CPU(s), "
        f"Python {machine['python']}"
    )
    print(
        f"{settings['requests']} requests per page with 1 client, {settings['requests_concurrent']} per client "
        f"with more; {settings['warmup']} warm-up requests per client; load average before "
        f"{machine['load_average']}, after {result['load_average_after']}"
    )
    header = (
        f"{'page':<24} {'clients':>7} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean ms':>8} "
        f"{'req/s':>7} {'p50/healthz':>11} {'p95/healthz':>11} {'non-200':>7} {'srv cpu ms':>10} {'other cpu':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in result["results"]:
        ratio, median = row.get("ratio_p95_healthz"), row.get("ratio_p50_healthz")
        print(
            f"{row['page']:<24} {row['clients']:>7} {row['requests']:>5} {_ms(row.get('p50_ms'))} "
            f"{_ms(row.get('p95_ms'))} {_ms(row.get('max_ms'))} {_ms(row.get('mean_ms'))} "
            f"{row['requests_per_s'] or 0:>7.1f} {(f'{median:.1f}x' if median else '-'):>11} "
            f"{(f'{ratio:.1f}x' if ratio else '-'):>11} {row['non_200']:>7} "
            f"{_ms(row.get('server_cpu_ms_per_request')):>10} {pct(row.get('other_cpu_pct')):>9}"
        )
    print(
        "srv cpu ms = CPU time gunicorn spent per request; other cpu = share of the machine's CPU used by other "
        "processes meanwhile" + (" (the database server included)" if database["kind"] != "sqlite" else "")
    )
    for row in result["results"]:
        if row["page"] == "/healthz" and row.get("phase_p50_ms"):
            low, high = row["phase_p50_ms"]
            print(
                f"/healthz at {row['clients']} client(s): {row['phases']} slices, one before each slice of a page, "
                f"their medians from {low:.2f} to {high:.2f} ms; the reference is the median of all"
            )
    if result.get("sql"):
        print()
        print("SQL statements per page (one request, in-process, after a first one):")
        for row in result["sql"]:
            print(f"  {row['page']:<24} {row['queries']:>3} queries (status {row['status']})")
    budget = result["budget"]
    print()
    print(
        f"Budget (DESIGN.md section 8) at {budget['clients']} clients: p95 < {budget['budget_p95_ms']:g} ms and "
        f"p95 <= {budget['max_ratio_to_healthz']:g}x /healthz p95; at every level, p50 <= "
        f"{budget.get('max_median_ratio_to_healthz', 5):g}x /healthz p50"
    )
    for page in budget["pages"]:
        print(f"  {'ok  ' if page['ok'] else 'MISS'} {page['page']:<24} {'; '.join(page['reasons'])}")
    for failure in budget["response_failures"]:
        print(f"  FAIL {failure}")
    if budget["clients"] != 4 or machine["nproc"] != 2:
        print(
            f"  note: the budget is stated for 4 clients on 2 cores; measured {budget['clients']} on {machine['nproc']}"
        )
    if settings["quick"]:
        print("  note: --quick run, figures are indicative only")
    busy = [row for row in result["results"] if (row.get("other_cpu_pct") or 0) > NOISY_PCT]
    if busy:
        print(
            f"  note: other processes used more than {NOISY_PCT} % of the CPU during {len(busy)} of "
            f"{len(result['results'])} measurements: latencies are inflated; compare srv cpu ms, or run again on a "
            "quiet machine"
        )
    if result["server_trouble"]:
        print(f"  note: gunicorn logged {len(result['server_trouble'])} error line(s): {result['server_trouble'][:3]}")
    status = "PASS" if budget["ok"] else ("FAIL (responses)" if not budget["all_200"] else "MISS (latency)")
    print(f"Verdict: {status}")
