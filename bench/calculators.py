"""The calculators: a vectorised sweep against a scalar loop, the MV/A cycle, the planner."""

from __future__ import annotations

import numpy as np

from bench.common import PARAMS, median_s
from srmkit import load_scenario, mva, mvs
from srmkit.design import Design
from srmkit.limits import catalogue
from srmkit.planner import ServerLuns, array_loads, lower_bound_cgs, pack

FIBRE = 0.005


def sweep(variants: int = 1_000_000, sample: int = 20_000) -> None:
    """Vectorised sweep against a scalar loop over the same functions, per variant."""
    rng = np.random.default_rng(1)
    distance = rng.uniform(1, 300, variants)
    rho = rng.uniform(0, 0.9, variants)
    interval = rng.uniform(5, 120, variants)
    duration = rng.uniform(0, 60, variants)

    def vector() -> None:
        mvs.added_latency_ms(distance, 2, 1.3, 16, 1000, rho, 0.1, FIBRE)
        mva.worst_rpo_min(interval, duration, "start")
        mva.mean_rpo_min(interval, duration, "start")

    def loop() -> None:
        for i in range(sample):
            mvs.added_latency_ms(float(distance[i]), 2, 1.3, 16, 1000, float(rho[i]), 0.1, FIBRE)
            mva.worst_rpo_min(float(interval[i]), float(duration[i]), "start")
            mva.mean_rpo_min(float(interval[i]), float(duration[i]), "start")

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


def cycle() -> None:
    """The MirrorView/A update-cycle simulation of the long-distance example."""
    design = Design(load_scenario(PARAMS / "async-long-distance.yaml"))
    design.cycle()
    cycle_s = median_s(design.cycle, 20)
    days = design.cycle().days_simulated
    print(
        f"MV/A cycle simulation of params/async-long-distance.yaml until periodic: "
        f"{cycle_s * 1e3:.1f} ms ({days} days simulated; goal <= 50 ms)"
    )


def main() -> None:
    """Every calculator benchmark."""
    sweep()
    plan_catalogue()
    cycle()
