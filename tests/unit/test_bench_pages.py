"""The page benchmark's rows: each page and /healthz measured in slices through the run, pooled per level."""

from __future__ import annotations

from collections import Counter

from bench.pages import HEALTHZ, Phase, add_ratios, pooled


def _phase(latencies, server_ms, wall_s, other_pct=0.0):
    return Phase(
        latencies_ms=list(latencies),
        statuses=Counter({200: len(latencies)}),
        wall_s=wall_s,
        cpu={
            "server_cpu_ms_per_request": server_ms,
            "server_cpu_pct": 50.0,
            "harness_cpu_pct": 10.0,
            "other_cpu_pct": other_pct,
        },
    )


def test_the_reference_is_the_median_of_every_phase_together():
    # One slow phase (a frequency step) among three: alone it would have been the reference.
    slow, usual, also_usual = _phase([1.2] * 5, 1.2, 1.0), _phase([0.7] * 5, 0.7, 1.0), _phase([0.72] * 5, 0.7, 2.0)
    row = pooled(HEALTHZ, "santé", 1, [slow, usual, also_usual])
    assert row["page"] == HEALTHZ and row["requests"] == 15 and row["statuses"] == {"200": 15}
    assert row["p50_ms"] == 0.72
    assert row["phases"] == 3 and row["phase_p50_ms"] == [0.7, 1.2]
    assert row["server_cpu_ms_per_request"] == round((1.2 * 5 + 0.7 * 10) / 15, 2)


def test_cpu_shares_are_weighted_by_time():
    row = pooled(HEALTHZ, "santé", 4, [_phase([1.0], 1.0, 1.0, other_pct=30.0), _phase([1.0], 1.0, 3.0)])
    assert row["other_cpu_pct"] == 7.5


def test_pages_are_compared_with_the_pooled_reference_of_their_level():
    rows = [
        pooled(HEALTHZ, "santé", 1, [_phase([1.0, 1.0, 3.0], 1.0, 1.0), _phase([1.0], 1.0, 1.0)]),
        {"page": "/ateliers/", "clients": 1, "p50_ms": 4.0, "p95_ms": 6.0},
    ]
    add_ratios(rows)
    assert rows[1]["ratio_p50_healthz"] == 4.0 and rows[1]["ratio_p95_healthz"] == 2.0


def test_a_page_row_pools_its_slices_like_the_reference():
    row = pooled("/ateliers/", "ateliers", 4, [_phase([3.0, 5.0], 3.0, 1.0), _phase([4.0, 9.0], 5.0, 1.0)])
    assert (row["page"], row["clients"], row["requests"], row["p50_ms"]) == ("/ateliers/", 4, 4, 4.5)
    assert row["phase_p50_ms"] == [4.0, 6.5] and row["server_cpu_ms_per_request"] == 4.0
