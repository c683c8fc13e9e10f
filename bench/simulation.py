"""The failover simulator and Monte Carlo risk.

- one scenario on the example (goal ≤ 20 ms), against the whole Design it plays on;
- 100,000 Monte Carlo disasters (goal ≤ 1 s), against the same count played one by one through
  the event-driven simulator (timed on a sample), which gives the same figures far more slowly.
"""

from __future__ import annotations

import numpy as np

from bench.common import EXAMPLE, PARAMS, median_s
from srmkit import load_scenario, simulation
from srmkit.design import Design
from srmkit.risk import monte_carlo
from srmkit.schema import SimEvent, SimScenario


def one_scenario() -> None:
    design = Design(load_scenario(EXAMPLE))
    every = simulation.builtin_scenarios(design)
    simulation.simulate(design, every[0], True)  # the per-design facts, built once

    def all_of_them() -> None:
        for s in every:
            simulation.simulate(design, s, True)

    def fresh_design() -> None:
        d = Design(load_scenario(EXAMPLE))
        _ = d.findings

    each_s = median_s(all_of_them, 9) / len(every)
    worst = max(
        (median_s(lambda s=s: simulation.simulate(design, s, True), 9), s.name) for s in every
    )
    design_s = median_s(fresh_design, 3)
    print(
        f"simulator on the example: {each_s * 1e3:.1f} ms per scenario on average over "
        f"{len(every)} built-in ones, the slowest ({worst[1]}) {worst[0] * 1e3:.1f} ms "
        f"(goal <= 20 ms); baseline: loading and checking the design itself "
        f"{design_s * 1e3:.0f} ms, ratio {worst[0] / design_s:.2f}"
    )


def _disasters(design: Design, starts: np.ndarray) -> None:
    """Each disaster played through the event simulator: site lost, recovery plan run."""
    site = design.directions[0].from_site
    declare = design.a.declare_min
    for s in starts:
        h, m = divmod(int(s), 60)
        scenario = SimScenario(
            name="disaster",
            start=f"{h:02d}:{m:02d}",
            events=[
                SimEvent(at="0s", event="site_failure", site=site),
                SimEvent(at=f"{declare:g}m", event="run_recovery_plan", site=site),
            ],
        )
        simulation.simulate(design, scenario)


def risk_of(name: str, runs: int = 100_000, sample: int = 200) -> None:
    design = Design(load_scenario(PARAMS / name))
    monte_carlo(design, 1000, 1, 4, 4)  # warm
    mc_s = median_s(lambda: monte_carlo(design, runs, 1, 4, 4), 5)
    starts = np.random.default_rng(1).uniform(0, 1440, sample)
    loop_s = median_s(lambda: _disasters(design, starts), 3) * runs / sample
    print(
        f"Monte Carlo, {runs:,} disasters with 4 link outages a year ({name}): "
        f"{mc_s * 1e3:.0f} ms (goal <= 1 s); baseline: the same count through the event "
        f"simulator one by one {loop_s:.1f} s (timed on {sample}); ratio {loop_s / mc_s:.0f}x"
    )


def risk() -> None:
    for name in ("example.yaml", "async-long-distance.yaml"):
        risk_of(name)


def main() -> None:
    one_scenario()
    risk()
