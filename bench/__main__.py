"""Benchmarks of the live-session paths, each printed with a baseline measured in the same run.

- validating a scenario file, against parsing the same YAML with no validation;
- `srmkit limits`, `srmkit check` and `srmkit size` as whole processes, against starting the
  same Python interpreter that does nothing (the floor any CLI call pays);
- a sweep of 1,000,000 variants of the MV/S latency and MV/A RPO calculators in one vectorised
  call, against a plain Python loop calling the same functions on scalars (timed on a sample of
  the same grid, per variant);
- the MirrorView/A cycle simulation of one design until periodic;
- planning 1,000 servers × 6 storage groups against every catalogue model (per-server policy),
  with the CG count against the policy's lower bound.

Figures are medians of repeated runs; nothing here asserts a goal, it reports.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML

from srmkit import load_scenario, mva, mvs
from srmkit.design import Design
from srmkit.limits import catalogue
from srmkit.planner import ServerLuns, array_loads, lower_bound_cgs, pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "params" / "example.yaml"
SRMKIT = str(Path(sys.executable).with_name("srmkit"))


def median_s(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls. [s]"""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process(*args: str) -> Callable[[], object]:
    """A callable that runs a command to completion."""
    return lambda: subprocess.run(args, check=True, capture_output=True)


def sweep(variants: int = 1_000_000, sample: int = 20_000) -> None:
    """Vectorised sweep against a scalar loop over the same functions, per variant."""
    rng = np.random.default_rng(1)
    distance = rng.uniform(1, 300, variants)
    rho = rng.uniform(0, 0.9, variants)
    interval = rng.uniform(5, 120, variants)
    duration = rng.uniform(0, 60, variants)

    def vector() -> None:
        mvs.added_latency_ms(distance, 2, 1.3, 16, 1000, rho, 0.1)
        mva.worst_rpo_min(interval, duration)
        mva.mean_rpo_min(interval, duration)

    def loop() -> None:
        for i in range(sample):
            mvs.added_latency_ms(float(distance[i]), 2, 1.3, 16, 1000, float(rho[i]), 0.1)
            mva.worst_rpo_min(float(interval[i]), float(duration[i]))
            mva.mean_rpo_min(float(interval[i]), float(duration[i]))

    vector_s = median_s(vector, 5)
    loop_s = median_s(loop, 3) * variants / sample
    print(
        f"sweep of {variants:,} latency + RPO variants: {vector_s * 1e3:.0f} ms vectorised "
        f"({variants / vector_s / 1e6:.1f} M variants/s); plain Python loop over the scalar "
        f"functions {loop_s:.1f} s for the same count (timed on {sample:,}); "
        f"ratio {loop_s / vector_s:.0f}x (goal >= 50x, >= 1 M/s)"
    )


def plan_catalogue(servers: int = 1000, sgs: int = 6) -> None:
    """Plan a large design on every catalogue model; report time and CGs against the bound."""
    luns = [ServerLuns(f"S{i}", "A", "B", sgs, 1, 200.0, 30.0, 60.0) for i in range(servers)]

    def plan_all() -> list[tuple[str, int, int, bool]]:
        out = []
        for model in catalogue():
            lim = model.limits("sync")
            if lim is None:
                continue
            limits = {("A", "B"): lim.max_luns_per_cg}
            cgs = pack(luns, "sync", limits)
            loads = array_loads(cgs, [("A", model), ("B", model)], "sync")
            out.append(
                (
                    model.model,
                    len(cgs),
                    lower_bound_cgs(luns, limits, "per_server"),
                    all(a.fits for a in loads),
                )
            )
        return out

    elapsed = median_s(plan_all, 3)
    rows = plan_all()
    at_bound = sum(1 for _, n, bound, _ in rows if n == bound)
    print(
        f"plan {servers:,} servers x {sgs} SGs (+1 GOS LUN) on {len(rows)} models: "
        f"{elapsed * 1e3:.0f} ms (goal <= 1 s); CGs at the lower bound on {at_bound} of "
        f"{len(rows)} models (e.g. {rows[-1][0]}: {rows[-1][1]:,} CGs, bound {rows[-1][2]:,})"
    )


def main() -> None:
    """Run every benchmark and print one line each."""
    text = EXAMPLE.read_text(encoding="utf-8")
    load_scenario(EXAMPLE)  # warm caches (catalogue, profile table) as a running session has them
    parse_s = median_s(lambda: YAML(typ="rt").load(text), 50)
    validate_s = median_s(lambda: load_scenario(EXAMPLE), 50)
    print(
        f"validate params/example.yaml: {validate_s * 1e3:.2f} ms "
        f"(YAML parse alone {parse_s * 1e3:.2f} ms; ratio {validate_s / parse_s:.2f}x)"
    )
    sweep()
    plan_catalogue()
    design = Design(load_scenario(ROOT / "params" / "async-long-distance.yaml"))
    design.cycle()
    cycle_s = median_s(design.cycle, 20)
    days = design.cycle().days_simulated
    print(
        f"MV/A cycle simulation of params/async-long-distance.yaml until periodic: "
        f"{cycle_s * 1e3:.1f} ms ({days} days simulated; goal <= 50 ms)"
    )
    python_s = median_s(process(sys.executable, "-c", "pass"), 10)
    for label, args in (
        ("srmkit limits CX4-480 --format json", ("limits", "CX4-480", "--format", "json")),
        ("srmkit check params/example.yaml", ("check", str(EXAMPLE))),
        ("srmkit size params/example.yaml (goal <= 1 s)", ("size", str(EXAMPLE))),
    ):
        cli_s = median_s(process(SRMKIT, *args), 10)
        print(
            f"{label}: {cli_s * 1e3:.0f} ms as a process "
            f"(bare interpreter start {python_s * 1e3:.0f} ms; ratio {cli_s / python_s:.1f}x)"
        )


if __name__ == "__main__":
    main()
