"""The architect's live workbook (notebooks/explore.ipynb): the Python side of one update.

Fifty control changes on the example, one control at a time through every control (each a new
set of inputs, so no update is served whole from the cache; RPO curve points already simulated
are reused, as in a live session), each timed from setting the control to the figures and the
headline written (goal ≤ 100 ms); the same states revisited (cached); against
a baseline measured in the same run: a fresh Design of the scenario with its verdict and one
document figure rendered to JSON, what the static document pays for one figure.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import EXAMPLE, median_s
from srmkit import load_scenario
from srmkit.design import Design
from srmkit.figures import latency_vs_distance
from srmkit.workbook import Workbook, mirror_models

ROUNDS = 5


def _steps(wb: Workbook) -> list[tuple[str, Any]]:
    """One control at a time, every control per round, new values each round."""
    profiles = [p for p in wb.design.a.exchange_profiles if p != wb.profile.value]
    models = [m for m in mirror_models() if m.startswith("CX4")]
    steps: list[tuple[str, Any]] = []
    for r in range(ROUNDS):
        steps += [
            ("distance", 40.0 + 17.0 * (r + 1)),
            ("link_rate", [622.0, 310.0, 1550.0, 155.0, 2000.0][r]),
            ("share", [0.8, 0.6, 0.9, 0.7, 0.5][r]),
            ("route_factor", [1.5, 1.2, 1.8, 1.4, 1.1][r]),
            ("users", [1.2, 0.8, 1.5, 0.6, 1.1][r]),
            ("interval", [20.0, 45.0, 15.0, 60.0, 25.0][r]),
            ("mode", "async" if r % 2 == 0 else "sync"),
            ("update_type", "end" if r % 2 == 0 else "start"),
            ("profile", profiles[r % len(profiles)]),
            ("model", models[r % len(models)]),
        ]
    return steps


def _play(wb: Workbook, steps: list[tuple[str, Any]]) -> list[float]:
    times = []
    for name, value in steps:
        start = time.perf_counter()
        wb.controls[name].value = value  # the observer recomputes and redraws
        times.append(time.perf_counter() - start)
        assert wb.error is None, (name, value, wb.error)
    return times


def main() -> None:
    """One update's Python side against a fresh Design and one figure to JSON."""

    def baseline() -> None:
        design = Design(load_scenario(EXAMPLE))
        _ = design.verdict
        latency_vs_distance(design).to_json()

    baseline()  # warm plotly's validators and srmkit's tables, as a running kernel has them
    base_s = median_s(baseline, 9)
    wb = Workbook(Design(load_scenario(EXAMPLE)))
    start = wb.inputs
    steps = _steps(wb)
    cold = _play(wb, steps)
    for name, value in (
        ("distance", start.distance_km),
        ("link_rate", start.link_mbps),
        ("share", start.share_fraction),
        ("route_factor", start.route_factor),
        ("users", start.users_factor),
        ("interval", start.update_interval_min),
        ("mode", start.mode),
        ("update_type", start.update_type),
        ("profile", start.profile),
        ("model", start.model),
    ):
        wb.controls[name].value = value
    warm = _play(wb, steps)  # the same states again: every one cached
    median = statistics.median(cold)
    print(
        f"workbook update on params/example.yaml, Python side: median {median * 1e3:.1f} ms over "
        f"{len(cold)} control changes (slowest {max(cold) * 1e3:.0f} ms; revisiting the same "
        f"states, cached, {statistics.median(warm) * 1e3:.1f} ms) (goal <= 100 ms); baseline: a "
        f"fresh Design with its verdict and one figure to JSON {base_s * 1e3:.0f} ms; ratio "
        f"{median / base_s:.2f}"
    )
