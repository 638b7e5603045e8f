"""Time the attestation PDF (DESIGN.md section 8): ``python -m bench.attestations``.

Budgets: one attestation with its QR code renders in under 15 ms, and within 1.5 times the same page without
the QR code measured in the same run; 1,000 attestations in one PDF (the batch a mediator or a network's
yearly reprint prints) in under 20 s.

Seeded snapshots shaped like the real ones (``attestations.services.instantane``): French, hyphenated,
Vietnamese and long names, 15 to 25 skills acquired out of the curriculum's 25, one in ten an attendance-only
version. The single page is rendered ``--repeat`` times with and without its QR code, interleaved so both see
the same machine load; the batch once. Each time is measured twice: wall clock, and the CPU time of this
process (on a machine shared with other work, the CPU time is what the code costs; the verdict uses it, and
the share of the machine other processes used is recorded beside). Prints a table with the verdict and
writes ``bench/results/attestations-<UTC timestamp>.json`` and ``attestations-latest.json``.

Nothing but this process: no server, no database, no network.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tomllib
from contextlib import suppress
from importlib import metadata

from attestations import attestation_pdf, codes
from attestations.constants import NATURE_ACTION, OBJECTIFS, TYPES_ATTESTATION
from bench.common import machine_cpu, machine_info, other_cpu_pct, stop_on_sigterm, utc_now, write_results
from evaluations.referentiel import DEFAULT_FILE

ONE_BUDGET_MS = 15.0
RATIO_BUDGET = 1.5
BATCH_BUDGET_S = 20.0
PRENOMS = ("Josiane", "Marcel", "Nadia", "Marie-Élisabeth", "Nguyễn Thị", "ʿAbd al-Raḥmān", "Jean-Baptiste")
NOMS = ("Martin", "Ferhat", "Van-der-Berghe-Dupont-de-la-Tour-d'Auvergne-X", "Trần-Hoàng", "Ibn Khaldūn", "Roux")


def skills() -> list[str]:
    data = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    return [c["attestation"] for module in data["curriculum"]["modules"] for c in module["competences"]]


def make_snapshot(rng: random.Random, sequence: int, competences: list[str]) -> dict:
    """A snapshot as the service writes it, the same for the same generator state."""
    type_ = "presence" if rng.random() < 0.1 else "parcours"
    code = codes.nouveau_code()
    acquises = sorted(rng.sample(range(len(competences)), rng.randint(15, 25)))
    minutes = 1080 if type_ == "parcours" else 180 * rng.randint(1, 4)
    return {
        "version": 1,
        "type": type_,
        "titre": TYPES_ATTESTATION[type_],
        "numero": codes.numero("CCAS-DEMO", 2026, sequence),
        "code": codes.code_groupe(code),
        "url_verification": f"https://ateliers.ccas-demo.fr/verifier/{code}",
        "structure": {"nom": "CCAS de Saint-Denis-en-Val", "adresse": "1 place de la Mairie", "telephone": ""},
        "apprenant": {"prenom": rng.choice(PRENOMS), "nom": rng.choice(NOMS)},
        "atelier": {"intitule": "Atelier du lundi matin", "nature": NATURE_ACTION, "lieu": "Salle 2"},
        "objectifs": list(OBJECTIFS),
        "debut_on": "2026-03-30",
        "fin_on": "2026-05-11",
        "seances_prevues": 6,
        "seances_suivies": minutes // 180,
        "minutes_prevues": 1080,
        "minutes_suivies": minutes,
        "competences": [competences[i] for i in acquises] if type_ == "parcours" else [],
        "fait_a": "Saint-Denis-en-Val",
        "emise_on": "2026-05-12",
        "signataire": {"nom": "Lucie Roy", "fonction": "Directrice du CCAS"},
    }


def timed(function) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary_ms(values: list[float]) -> dict:
    return {
        "p50_ms": round(1000 * statistics.median(values), 2),
        "p95_ms": round(1000 * percentile(values, 0.95), 2),
        "max_ms": round(1000 * max(values), 2),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.attestations", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026, help="seed of the snapshots (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=200, help="renders of the single page (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=1000, help="attestations in the batch (default: %(default)s)")
    parser.add_argument("--strict", action="store_true", help="exit with status 2 when a budget is missed")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, started) -> dict:
    machine = machine_info(None)
    machine.pop("database")
    for name in ("reportlab", "rl-accel", "segno"):
        with suppress(metadata.PackageNotFoundError):
            machine["packages"][name] = metadata.version(name)
    rng = random.Random(args.seed)  # nosec B311 # seeded generator: reproducible demo/benchmark data, never a secret
    competences = skills()
    # The single page: a learner who acquired every skill, with the 45-character surname (the fullest page).
    page = make_snapshot(rng, 1, competences) | {
        "type": "parcours",
        "titre": TYPES_ATTESTATION["parcours"],
        "competences": competences,
        "apprenant": {"prenom": "Marie-Élisabeth", "nom": NOMS[2]},
    }
    for _ in range(5):  # warm: fonts registered, styles built, code paths compiled
        attestation_pdf.render(page)
        attestation_pdf.render(page, avec_qr=False)
    cpu_before, process_before = machine_cpu(), time.process_time()
    avec, sans = [], []
    for _ in range(args.repeat):
        avec.append(timed(lambda: attestation_pdf.render(page)))
        sans.append(timed(lambda: attestation_pdf.render(page, avec_qr=False)))
    single_other = other_cpu_pct(cpu_before, machine_cpu(), time.process_time() - process_before)

    lot = [(make_snapshot(rng, n, competences), None) for n in range(2, args.batch + 2)]
    cpu_before, process_before = machine_cpu(), time.process_time()
    resultat: list[bytes] = []
    batch_wall, batch_cpu = timed(lambda: resultat.append(attestation_pdf.render_lot(lot, titre="Attestations")))
    batch_other = other_cpu_pct(cpu_before, machine_cpu(), time.process_time() - process_before)

    one = {
        "with_qr": {"wall": summary_ms([w for w, _ in avec]), "cpu": summary_ms([c for _, c in avec])},
        "without_qr": {"wall": summary_ms([w for w, _ in sans]), "cpu": summary_ms([c for _, c in sans])},
        "bytes": len(attestation_pdf.render(page)),
        "other_processes_cpu_pct": single_other,
    }
    ratio = one["with_qr"]["cpu"]["p50_ms"] / one["without_qr"]["cpu"]["p50_ms"]
    one["ratio_p50_cpu"] = round(ratio, 3)
    one["ratio_p50_wall"] = round(one["with_qr"]["wall"]["p50_ms"] / one["without_qr"]["wall"]["p50_ms"], 3)
    one["ok"] = one["with_qr"]["cpu"]["p50_ms"] < ONE_BUDGET_MS and ratio <= RATIO_BUDGET
    batch = {
        "attestations": args.batch,
        "wall_s": round(batch_wall, 2),
        "cpu_s": round(batch_cpu, 2),
        "per_page_cpu_ms": round(1000 * batch_cpu / args.batch, 2),
        "bytes": len(resultat[0]),
        "other_processes_cpu_pct": batch_other,
        "ok": batch_cpu < BATCH_BUDGET_S,
    }
    return {
        "benchmark": "attestations",
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {"seed": args.seed, "repeat": args.repeat, "batch": args.batch},
        "budgets": {"one_ms": ONE_BUDGET_MS, "ratio": RATIO_BUDGET, "batch_s": BATCH_BUDGET_S},
        "one": one,
        "batch": batch,
        "ok": one["ok"] and batch["ok"],
    }


def print_report(result: dict) -> None:
    machine, one, batch = result["machine"], result["one"], result["batch"]
    print()
    print(
        f"Attestation PDF: {machine['nproc']} CPU(s) {machine['cpu_model']}, Python {machine['python']}, "
        f"reportlab {machine['packages'].get('reportlab', '?')}, rl-accel {machine['packages'].get('rl-accel', '-')}"
    )
    print(f"Load average before: {machine['load_average']}")
    print(
        f"{'one page, ' + str(result['settings']['repeat']) + ' renders':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    for label, key in (("with QR", "with_qr"), ("without QR", "without_qr")):
        for clock in ("cpu", "wall"):
            f = one[key][clock]
            print(f"  {label + ' (' + clock + ')':<26} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['max_ms']:>8}")
    print(
        f"  ratio with/without QR (p50): {one['ratio_p50_cpu']} cpu, {one['ratio_p50_wall']} wall; "
        f"other processes used {one['other_processes_cpu_pct']} % of the machine"
    )
    print(f"  budget: under {ONE_BUDGET_MS:g} ms and within {RATIO_BUDGET}x: {'ok' if one['ok'] else 'MISS'}")
    print(
        f"batch of {batch['attestations']}: {batch['cpu_s']} s cpu, {batch['wall_s']} s wall "
        f"({batch['per_page_cpu_ms']} ms a page, {batch['bytes'] // 1024} KiB; other processes "
        f"{batch['other_processes_cpu_pct']} %); budget under {BATCH_BUDGET_S:g} s: {'ok' if batch['ok'] else 'MISS'}"
    )
    print(f"Verdict: {'OK' if result['ok'] else 'MISS'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    started = utc_now()
    result = run(args, started)
    print_report(result)
    print(f"Results: {write_results('attestations', started, result)}")
    return 2 if args.strict and not result["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
