"""The architect's workbook: numbers() against the calculators and the Design, and the notebook
notebooks/explore.ipynb redrawing its figures when its controls change (headless kernel)."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from conftest import EXAMPLE, example_data, profile_example

from srmkit import load_scenario, mva, mvs, scenario_from_sections
from srmkit.design import Design
from srmkit.limits import get_model
from srmkit.workbook import Inputs, numbers, variant


@pytest.fixture(scope="module")
def design() -> Design:
    return Design(load_scenario(EXAMPLE))


def _open(findings: Any) -> list[tuple[str, str, str]]:
    """(severity, rule, message) of errors and open warnings, in order."""
    return [
        (f.severity, f.id, f.message)
        for f in findings
        if f.severity == "error" or (f.severity == "warning" and not f.accepted)
    ]


def test_the_design_own_inputs_give_the_design_numbers(design: Design) -> None:
    """Unchanged controls show the design itself: latency, RPO, link use, RTO, limits, verdict."""
    inputs = Inputs.of(design)
    assert (inputs.distance_km, inputs.link_mbps, inputs.mode) == (40.0, 1000.0, "sync")
    assert (inputs.profile, inputs.model, inputs.users_factor) == ("heavy", "CX4-480", 1.0)
    h = numbers(design, inputs).headline
    assert h.verdict == design.verdict == "fits_with_warnings"
    assert h.added_latency_ms == pytest.approx(float(design.added_latency_ms()))
    assert h.log_write_latency_ms == pytest.approx(design.log_write_latency_ms)
    assert (h.worst_rpo_min, h.mean_rpo_min) == (0.0, 0.0)
    assert h.rto_min == design.recovery.rto_min
    assert h.users == 18_000
    assert [d.utilization_fraction for d in h.directions] == pytest.approx(
        [d.peak_utilization_fraction for d in design.directions]
    )
    mirrors = next(b for b in numbers(design, inputs).limits if b.label == "Mirrors")
    # 6 servers × (2 × 18 storage groups + 1 guest-OS LUN) + 2 Hub Transport LUNs, CX4-480 (S)
    assert mirrors.used == (224, 224)
    assert mirrors.limit == (512, 512)
    assert mirrors.share == pytest.approx((224 / 512, 224 / 512))


def test_latency_at_a_distance_is_the_calculator_at_that_distance(design: Design) -> None:
    """At 120 km the latency is design.added_latency_ms(120): 2 round trips × 2 × 120 km × 1.3
    × 0.005 ms/km = 3.12 ms more than at 0 km; the curve is mvs.added_latency_ms itself."""
    out = numbers(design, dataclasses.replace(Inputs.of(design), distance_km=120.0))
    a = design.a
    assert out.headline.added_latency_ms == pytest.approx(float(design.added_latency_ms(120.0)))
    assert out.headline.added_latency_ms - float(design.added_latency_ms(0.0)) == pytest.approx(
        3.12
    )
    assert out.latency.point_km == 120.0
    assert out.latency.point_ms == pytest.approx(
        a.local_log_write_ms + float(design.added_latency_ms(120.0))
    )
    curve = a.local_log_write_ms + mvs.added_latency_ms(
        out.latency.distance_km,
        2,
        1.3,
        a.log_write_kib,
        1000.0,
        design.peak_utilization_fraction,
        a.mirror_overhead_ms,
        a.fibre_one_way_ms_per_km,
    )
    np.testing.assert_allclose(out.latency.log_write_ms, curve)
    assert out.latency.route_limit_km == pytest.approx(a.sync_distance_limit_km / 1.3)
    # a 156 km fibre route is beyond EMC's 100 km for MirrorView/S
    assert "SYNC-DISTANCE" in [rule for _, rule, _ in out.headline.findings]
    assert out.headline.verdict != "fits"


def test_async_rpo_and_link_use_are_the_simulated_cycle(design: Design) -> None:
    """MirrorView/A over 155 Mbit/s (131.75 Mbit/s effective): RPO from mva.simulate of the
    busiest direction's day, link use = peak ÷ effective rate."""
    inputs = dataclasses.replace(Inputs.of(design), mode="async", link_mbps=155.0)
    out = numbers(design, inputs)
    a = design.a
    busiest = design.variant(mode="async").busiest_direction  # the same VMs, MV/A volumes
    effective = 155.0 * 0.85

    def simulated(rate: float) -> mva.CycleResult:
        hourly = busiest.hourly_mib.tolist()
        return mva.simulate(hourly, rate, "start", 30.0, (), a.update_overhead_s, 7)

    cycle = simulated(effective)
    assert a.max_simulation_days == 7
    assert out.headline.worst_rpo_min == pytest.approx(cycle.worst_rpo_min)
    assert out.headline.mean_rpo_min == pytest.approx(cycle.mean_rpo_min)
    assert out.rpo.point_rpo_min == pytest.approx(cycle.worst_rpo_min)
    assert out.rpo.point_mbps == 155.0
    (use,) = out.headline.directions
    assert use.effective_rate_mbps == pytest.approx(effective)
    assert use.utilization_fraction == pytest.approx(busiest.peak_mbps / effective)
    assert out.headline.verdict == "does_not_fit"
    assert "LINK-SATURATED" in [rule for _, rule, _ in out.headline.findings]
    # the curve: effective rates from ⅛ to 4× this one, the link as sold = effective ÷ 0.85
    assert effective / 8 <= out.rpo.effective_mbps[0] < effective / 8 * 1.15
    assert effective * 4 / 1.15 < out.rpo.effective_mbps[-1] <= effective * 4
    np.testing.assert_allclose(out.rpo.link_mbps, out.rpo.effective_mbps / 0.85)
    for k in (0, len(out.rpo.effective_mbps) // 2, -1):
        expected = simulated(float(out.rpo.effective_mbps[k])).worst_rpo_min
        got = out.rpo.worst_rpo_min[k]
        assert (np.isnan(got) and expected is None) or got == pytest.approx(expected)


def test_users_profile_link_and_model_match_the_edited_file() -> None:
    """The same changes made in the YAML file and checked from scratch give the same numbers."""
    # EXMBX01 sized from its profile: a measured server's users in the file are those its log
    # was measured with, so the workbook's mailbox factor (which scales the log) has no edit.
    design = Design(profile_example())
    inputs = dataclasses.replace(
        Inputs.of(design),
        users_factor=1.5,
        profile="average",
        link_mbps=622.0,
        model="CX4-240",
        mode="async",
        update_interval_min=20.0,
        update_type="end",
    )
    out = numbers(design, inputs)
    data = example_data()
    for server in data["servers"]:
        server.update(users=4500, profile="average")
    for array in data["arrays"]:
        array["model"] = "CX4-240"
    data["link"]["bandwidth_mbps"] = 622.0
    data["replication"].update(mode="async", update_interval_min=20.0, update_type="end")
    edited = Design(scenario_from_sections(**data))
    h = out.headline
    assert h.users == 27_000
    assert h.models == ("CX4-240",)
    assert h.verdict == edited.verdict
    assert list(h.findings) == _open(edited.findings)
    assert h.rto_min == edited.recovery.rto_min
    assert h.worst_rpo_min == pytest.approx(edited.worst_rpo_min)
    assert h.mean_rpo_min == pytest.approx(edited.mean_rpo_min)
    assert [d.utilization_fraction for d in h.directions] == pytest.approx(
        [d.peak_utilization_fraction for d in edited.directions]
    )
    limit = get_model("CX4-240").limits("async")
    assert limit is not None
    for bars in out.limits:
        loads = edited.loads_at(bars.year)
        name = {"Mirrors": "mirrors", "Consistency groups": "cgs"}.get(bars.label)
        if name:
            assert bars.used == tuple(getattr(x, name) for x in loads)
    mirrors = next(b for b in out.limits if b.label == "Mirrors" and b.year == 0)
    assert mirrors.limit == (limit.max_mirrors, limit.max_mirrors)


def test_results_are_cached_and_variants_share_the_sizing(design: Design) -> None:
    """The same inputs return the same result; a link-only variant sizes no server again."""
    inputs = dataclasses.replace(Inputs.of(design), distance_km=77.0, link_mbps=500.0)
    assert numbers(design, inputs) is numbers(design, inputs)
    assert variant(design, inputs).servers is design.servers
    scaled = dataclasses.replace(inputs, users_factor=2.0)
    assert variant(design, scaled).servers is variant(design, scaled).servers
    assert numbers(design.scenario, inputs).headline == numbers(design, inputs).headline


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"share_fraction": 0.0}, "share_fraction"),
        ({"distance_km": 0.0}, "distance_km"),
        ({"users_factor": 10.0}, "30,000 mailboxes"),
        ({"model": "AX4-5i"}, "model 'AX4-5i'"),  # cannot mirror
        ({"profile": "gigantic"}, "profile 'gigantic'"),
        ({"update_type": "manual"}, "manual_update_times"),  # the scenario has none
    ],
)
def test_inputs_the_file_would_reject_raise(
    design: Design, change: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        numbers(design, dataclasses.replace(Inputs.of(design), **change))


# --- the notebook, headless ------------------------------------------------------------------


def _trace(snapshot: dict[str, Any], figure: str, name: str) -> dict[str, Any]:
    trace: dict[str, Any] = next(
        t for t in snapshot["figures"][figure] if t["name"].startswith(name)
    )
    return trace


def _values(shown: Any) -> Any:
    """Values as plotly's JSON sends them: a list, or a typed array in base64 (numpy's)."""
    if isinstance(shown, dict):
        return np.frombuffer(base64.b64decode(shown["bdata"]), dtype=shown["dtype"]).tolist()
    return shown


def _nan(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.notebook
@pytest.mark.timeout(120)
def test_explore_notebook_redraws_when_controls_change(
    design: Design, executed_workbook: Any
) -> None:
    """Executed headless (once per run: conftest), the notebook builds the workbook; setting
    controls redraws the figures and the headline with srmkit's numbers for the new inputs."""
    code = [c for c in executed_workbook.cells if c.cell_type == "code"]
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in code
        for o in c.outputs
    ), "the workbook was not displayed as a widget"
    (printed,) = [o for o in code[-1].outputs if o.output_type == "stream"]
    seen = json.loads(printed.text)
    before, at_120, after = seen["before"], seen["at_120_km"], seen["after"]
    # What the browser is sent: each figure, as plotly's JSON, in an ipywidgets Output, redrawn
    # with the figure. No model is an anywidget: anywidget gives a model 2 s to import its module
    # (plotly's FigureWidget: 5 MB of plotly.js, one import per figure) and then drops every
    # message to it, which left figures blank in JupyterLab (tests/test_jupyterlab.py).
    for snapshot in (before, at_120, after):
        for name, traces in snapshot["figures"].items():
            shown = snapshot["shown"][name]
            assert [t["name"] for t in shown] == [t["name"] for t in traces]
            assert [_values(t["x"]) for t in shown] == [t["x"] for t in traces]
    assert _trace(at_120, "latency", "this design")["x"] == [120.0]
    assert next(t for t in at_120["shown"]["latency"] if t["name"] == "this design")["x"] == [120]
    state = executed_workbook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    modules = {model["model_module"] for model in state["state"].values()}
    assert modules <= {
        "@jupyter-widgets/base",
        "@jupyter-widgets/controls",
        "@jupyter-widgets/output",
    }

    start = Inputs.of(design)
    assert before["inputs"] == dataclasses.asdict(start)
    # (a) log write latency against distance: the design point moved to 120 km
    point = _trace(at_120, "latency", "this design")
    assert _trace(before, "latency", "this design")["x"] == [40.0]
    assert point["x"] == [120.0]
    assert point["y"][0] == pytest.approx(
        design.a.local_log_write_ms + float(design.added_latency_ms(120.0))
    )
    expected = numbers(design, dataclasses.replace(start, distance_km=120.0))
    curve = _trace(at_120, "latency", "log write latency")
    np.testing.assert_allclose(curve["x"], expected.latency.distance_km)
    np.testing.assert_allclose(_nan(curve["y"]), expected.latency.log_write_ms)

    # (b) RPO against link rate, (c) limits, (d) headline: MirrorView/A over 155 Mbit/s
    final = dataclasses.replace(start, distance_km=120.0, link_mbps=155.0, mode="async")
    assert after["inputs"] == dataclasses.asdict(final)
    expected = numbers(design, final)
    rpo = _trace(after, "rpo", "worst RPO")
    assert rpo["x"] != _trace(before, "rpo", "worst RPO")["x"]
    np.testing.assert_allclose(rpo["x"], expected.rpo.link_mbps)
    np.testing.assert_allclose(_nan(rpo["y"]), expected.rpo.worst_rpo_min)
    rpo_point = _trace(after, "rpo", "this design")
    assert rpo_point["x"] == [155.0]
    assert rpo_point["y"][0] == pytest.approx(expected.headline.worst_rpo_min)
    mirrors = _trace(after, "limits", "Mirrors")
    assert mirrors["y"] == pytest.approx([224 / 100, 224 / 100])  # CX4-480 MirrorView/A: 100
    assert _trace(before, "limits", "Mirrors")["y"] == pytest.approx([224 / 512, 224 / 512])
    h = after["numbers"]["headline"]
    assert h["mode"] == "async"
    assert h["worst_rpo_min"] == pytest.approx(expected.headline.worst_rpo_min)
    assert h["mean_rpo_min"] == pytest.approx(expected.headline.mean_rpo_min)
    assert h["directions"][0]["utilization_fraction"] == pytest.approx(
        design.variant(mode="async").busiest_direction.peak_mbps / (155.0 * 0.85)
    )
    assert h["rto_min"] == expected.headline.rto_min
    assert h["verdict"] == "does_not_fit" != before["numbers"]["headline"]["verdict"]
    assert "does not fit" in after["headline_html"]
    assert "fits" in before["headline_html"]
    assert after["error"] is None
