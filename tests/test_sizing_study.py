"""The sizing study: the options side by side equal `srmkit compare` and, option by option, an
independent `srmkit size` of the scenario file with that option written into it; the sweeps hold
the design's own point; the tornado is sorted; hand-checked values."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from conftest import EXAMPLE, PARAMS, ROOT, run_cli

from srmkit import figures, load_scenario
from srmkit import options as opts
from srmkit.design import Design
from srmkit.output import dumps, options_dict, sizing_study_dict

ASYNC = PARAMS / "async-long-distance.yaml"
CLOSE = {"rel": 1e-9, "abs": 2e-6}  # both sides are rounded to 6 decimals


def _same(value: float | None, expected: float | None) -> bool:
    """Equal within rounding, or both absent (not applicable, unbounded)."""
    if expected is None or value is None:
        return value is expected
    return bool(value == pytest.approx(expected, **CLOSE))


@pytest.fixture(scope="module")
def example() -> Design:
    return Design(load_scenario(EXAMPLE))


@pytest.fixture(scope="module")
def async_design() -> Design:
    return Design(load_scenario(ASYNC))


def _cli_json(*args: str) -> Any:
    result = run_cli(*args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


# --- (a) the options table is `srmkit compare --format json` ----------------------------------


@pytest.mark.parametrize("params", [EXAMPLE, ASYNC], ids=lambda p: p.name)
def test_options_table_equals_compare_json(params: Path) -> None:
    """The document's options are what `srmkit compare --format json` prints."""
    table = json.loads(dumps(options_dict(opts.compare(Design(load_scenario(params))))))
    assert _cli_json("compare", str(params), "--format", "json") == table


def test_compare_text_and_csv(example: Design) -> None:
    """Text: one aligned row per option, the design's marked; CSV: a header and a row each."""
    text = run_cli("compare", str(EXAMPLE))
    assert text.returncode == 0, text.stderr
    assert "MirrorView/S *" in text.stdout
    assert "CX4-480 *" in text.stdout
    assert "does not fit (LIMIT-GROWTH): CX4-240" in text.stdout
    csv = run_cli("compare", str(EXAMPLE), "--format", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("key,label,kind,is_design,mode")
    assert len(lines) == 1 + len(opts.compare(example).options)


# --- (b) each option is the design with that option written into its scenario file -----------


def _variant_file(params: Path, option: dict[str, Any], folder: Path) -> Path:
    """The scenario file with an option applied, written as a user would."""
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    replication = data["replication"]
    replication["mode"] = option["mode"]
    if option["mode"] == "async" and option["update_interval_min"] is not None:
        replication["update_type"] = option["update_type"]
        replication["update_interval_min"] = option["update_interval_min"]
    chosen = {a["array"]: a for a in option["arrays"]}
    for array in data["arrays"]:
        array["model"] = chosen[array["name"]]["model"]
        array["flare"] = chosen[array["name"]]["flare"]
    measured = params.parent / "measured"  # Performance Monitor logs, beside the file
    if measured.is_dir() and not (folder / "measured").exists():
        (folder / "measured").symlink_to(measured, target_is_directory=True)
    path = folder / f"{option['key']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _check_option_against_size(option: dict[str, Any], size: dict[str, Any]) -> None:
    def same(name: str, expected: float | None) -> None:
        assert _same(option[name], expected), (option["key"], name, option[name], expected)

    assert size["verdict"] == option["verdict"], option["key"]
    if option["mode"] == "sync":
        same("worst_rpo_min", size["sync"]["rpo_min"])
        same("added_latency_ms", size["sync"]["added_latency_ms"])
        same("log_write_latency_ms", size["sync"]["log_write_latency_ms"])
        assert option["link_saturated"] == size["sync"]["link_saturated"]
    else:
        a = size["async"]
        same("worst_rpo_min", a["worst_rpo_min"])
        same("mean_rpo_min", a["mean_rpo_min"])
        same("required_rate_mbps_for_target_rpo", a["required_rate_mbps_for_target_rpo"])
        assert option["rpo_unbounded"] == a["unbounded"]
        assert option["added_latency_ms"] is None
    same("rto_min", size["recovery"]["rto_min"])
    same("rlp_gib", size["rlp_gib"])
    same("initial_sync_h", size["sync_times"]["initial_sync_h"])
    same("failback_sync_h", size["sync_times"]["failback_sync_h"])
    same("peak_utilization_fraction", size["link"]["peak_utilization_fraction"])
    directions = size["link"]["directions"]
    assert [(d["from_site"], d["to_site"]) for d in option["directions"]] == [
        (d["from_site"], d["to_site"]) for d in directions
    ]
    for mine, theirs in zip(option["directions"], directions, strict=True):
        assert _same(mine["peak_utilization_fraction"], theirs["peak_utilization_fraction"])


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("params", "kinds"),
    [(EXAMPLE, ("mode", "model", "design")), (ASYNC, ("mode", "design"))],
    ids=["example", "async-long-distance"],
)
def test_each_option_equals_size_of_its_scenario_file(
    params: Path, kinds: tuple[str, ...], tmp_path: Path
) -> None:
    """Every option's figures are `srmkit size --format json` of the scenario file with the
    option's mode, schedule and array models (and FLARE releases) written into it."""
    table = options_dict(opts.compare(Design(load_scenario(params))))
    checked = 0
    for option in table["options"]:
        if option["kind"] not in kinds:
            continue
        path = _variant_file(params, option, tmp_path)
        _check_option_against_size(option, _cli_json("size", str(path), "--format", "json"))
        checked += 1
    assert checked >= 7


# --- (c) every sweep holds the design's point ---------------------------------------------------


@pytest.mark.parametrize("params", [EXAMPLE, ASYNC], ids=lambda p: p.name)
def test_sweeps_contain_the_design_point(params: Path) -> None:
    """At the design's own value each sweep shows the design's own figures."""
    design = Design(load_scenario(params))
    s = design.scenario
    own = {
        "distance": s.link.distance_km,
        "link_rate": s.link.bandwidth_mbps,
        "update_interval": None if design.is_sync else s.replication.update_interval_min,
        "users": float(sum(v.users for v in s.servers)),
        "burst": design.a.burst_factor,
        "growth": s.growth.users_per_year_fraction,
    }
    today = opts.point(design)
    design_option = next(o for o in opts.compare(design).options if o.is_design)
    for sweep in opts.sweeps(design):
        assert len(sweep.x) in (opts.SWEEP_POINTS, opts.SWEEP_POINTS + 1)
        assert list(sweep.x) == sorted(sweep.x)
        if own[sweep.key] is None:
            assert sweep.design_index is None  # the MV/A sweep of an MV/S design
            continue
        assert sweep.design_x == own[sweep.key]
        here = sweep.design_point
        assert here is not None
        if sweep.key == "growth":
            last = opts.growth(design).years[-1]
            assert here.peak_utilization_fraction == last.peak_utilization_fraction
            assert here.worst_rpo_min == last.worst_rpo_min
            assert here.added_latency_ms == last.added_latency_ms
            assert here.first_break_year == design.first_break_year
            continue
        assert here == today
        assert here.worst_rpo_min == design_option.worst_rpo_min
        assert here.added_latency_ms == design_option.added_latency_ms
        assert here.rto_min == design_option.rto_min
        assert here.peak_utilization_fraction == design_option.peak_utilization_fraction


# --- (d) the tornado is sorted by swing -------------------------------------------------------


@pytest.mark.parametrize("params", [EXAMPLE, ASYNC], ids=lambda p: p.name)
def test_tornado_is_sorted_by_swing(params: Path) -> None:
    """Rows by the headline figure's swing, largest first; each input moved ±20 %."""
    design = Design(load_scenario(params))
    t = opts.tornado(design)
    assert t.metric == ("added_latency_ms" if design.is_sync else "worst_rpo_min")
    assert t.step_fraction == 0.2
    swings = [r.swing(t.metric) for r in t.rows]
    assert swings == sorted(swings, reverse=True)
    keys = {r.key for r in t.rows}
    assert {"distance", "link_rate", "users", "burst", "growth"} <= keys
    assert ("update_interval" in keys) is (not design.is_sync)
    for r in t.rows:
        if r.key == "burst":  # never below 1: no bursts at all
            assert r.low_value == max(1.0, 0.8 * r.base_value)
        elif r.key != "users":  # users are whole
            assert r.low_value == pytest.approx(0.8 * r.base_value)
            assert r.high_value == pytest.approx(1.2 * r.base_value)
    assert opts.tornado(design) is t  # computed once per design


# --- (e) hand-checked values ------------------------------------------------------------------


def test_hand_checked_values(example: Design) -> None:
    """Figures a reader can check by hand on the example (MV/S, 40 km, 1,000 Mbit/s, CX4-480)."""
    c = opts.compare(example)
    by_key = {o.key: o for o in c.options}
    sync = by_key["sync"]
    assert sync.is_design
    assert sync.verdict == "fits_with_warnings"
    assert sync.worst_rpo_min == 0.0
    # Full sync of 16,513.4 GiB at 'high' = 1.0 × 1,000 × 0.85 = 850 Mbit/s.
    assert sync.initial_sync_h == pytest.approx(example.capacity_gib * 2**30 * 8 / 850e6 / 3600)
    # CX4-240 (MV/S: 256 mirrors): 224 mirrors today, 296 after three years of 10 % growth.
    cx4_240 = by_key["model-CX4-240"]
    assert (cx4_240.mirrors_headroom_now, cx4_240.mirrors_headroom_at_horizon) == (32, -40)
    assert cx4_240.fits_now
    assert not cx4_240.fits_at_horizon
    assert cx4_240.error_rules == ("LIMIT-GROWTH",)
    # MV/A: the worst RPO is at least the interval, start schedule before end schedule.
    for interval in opts.ASYNC_INTERVALS_MIN:
        start = by_key[f"async-start-{interval:g}"].worst_rpo_min
        end = by_key[f"async-end-{interval:g}"].worst_rpo_min
        assert start is not None
        assert end is not None
        assert interval < start < end
    # Distance: 2 round trips × 2 × 1.3 route factor × 0.005 ms/km = 0.026 ms per km.
    tornado = {r.key: r for r in opts.tornado(example).rows}
    step_km = 0.2 * 40
    assert tornado["distance"].change("added_latency_ms", "high") == pytest.approx(0.026 * step_km)
    assert tornado["distance"].change("added_latency_ms", "low") == pytest.approx(-0.026 * step_km)
    # Link rate: the peak stays, so utilisation × link rate is constant.
    link = next(s for s in opts.sweeps(example) if s.key == "link_rate")
    products = link.values("peak_utilization_fraction") * link.x_array
    assert products == pytest.approx(example.peak_utilization_fraction * 1000.0)
    # Growth: 18,000 users, 10 % a year.
    g = opts.growth(example)
    assert [round(y.users) for y in g.years] == [18_000, 19_800, 21_780, 23_958]
    assert g.first_break_year is None


@pytest.mark.parametrize("params", [EXAMPLE, ASYNC], ids=lambda p: p.name)
def test_burst_sweep(params: Path) -> None:
    """The burst factor's sweep: 1 to at least 3 and twice the design's, the design's own value
    among them and giving the design's own figures; peak link use in proportion to it
    (Method §4: peak rate = the busiest hour's rate × burst factor); MirrorView/A's recovery
    point and the rate its target needs do not follow it (Method §5: hourly volumes)."""
    design = Design(load_scenario(params))
    assert "burst" in opts.sweep_keys(design)
    s = next(s for s in opts.sweeps(design) if s.key == "burst")
    b = design.a.burst_factor
    assert (s.label, s.field) == ("Burst factor", "burst_factor")
    assert s.x[0] == 1.0
    assert s.x[-1] == pytest.approx(min(max(3.0, 2 * b), 10.0), abs=0.005)  # to 2 decimals
    assert b in s.x
    assert s.design_x == b
    here = s.design_point
    assert here == opts.point(design)
    assert here.peak_utilization_fraction == design.peak_utilization_fraction
    if design.is_sync:
        assert here.added_latency_ms == design.added_latency_ms()
    else:
        assert here.worst_rpo_min == design.worst_rpo_min
        assert set(s.values("worst_rpo_min")) == {design.worst_rpo_min}
        assert set(s.values("required_rate_mbps")) == {design.required_rate_mbps_for_target_rpo}
    at_1, at_2 = opts._evaluate(design, "burst", [1.0, 2.0])
    assert at_2.peak_utilization_fraction == 2 * at_1.peak_utilization_fraction
    use = s.values("peak_utilization_fraction")
    assert use / s.x_array == pytest.approx(at_1.peak_utilization_fraction, rel=1e-12)
    source = {"measured": "Performance Monitor", "scenario": "set in", "default": "default"}
    assert source[design.burst_origin.source] in s.note


def test_array_flare_for_replaced_models() -> None:
    """A replaced model runs a FLARE release it supports for SRM + MirrorView."""
    from srmkit.limits import get_model
    from srmkit.variants import array_flare

    assert array_flare(get_model("CX3-80"), 29) == 26
    assert array_flare(get_model("CX4-960"), 26) == 28
    assert array_flare(get_model("CX4-120"), 30) == 30


# --- the document ---------------------------------------------------------------------------


def test_sizing_figures_use_the_bundles_trace_types(async_design: Design) -> None:
    """The study's figures use only the embedded bundle's trace types and have titles."""
    study = opts.sizing_study(async_design)
    made = [
        figures.options_rpo(study.comparison),
        figures.model_headroom(study.comparison),
        figures.tornado_figure(study.tornado),
        *(figures.sweep_figure(s, study.comparison.thresholds) for s in study.sweeps),
    ]
    for fig in made:
        assert {t.type for t in fig.data} <= figures.TRACE_TYPES
        assert fig.layout.title.text


@pytest.mark.parametrize("params", [EXAMPLE, ASYNC], ids=lambda p: p.name)
def test_document_cells_render_customer_text(params: Path) -> None:
    """The notebook's cells run in process and show no code identifiers; options.json is the
    whole study, strict JSON."""
    nb = nbformat.read(ROOT / "notebooks" / "sizing_study.ipynb", as_version=4)
    namespace: dict[str, Any] = {}
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.strip().splitlines()
        if len(lines) == 1 and "=" not in lines[0]:
            shown.append(eval(lines[0], namespace))
        else:
            exec(compile(cell.source, "sizing_study.ipynb", "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace["params_file"] = str(params)
    import re

    markup = "".join(h._repr_html_() for h in shown)
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", markup, flags=re.S)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    assert "Options side by side" in text
    assert "What matters most" in text
    data = json.loads(dumps(sizing_study_dict(opts.sizing_study(namespace["design"]))))
    assert {"options", "sweeps", "tornado", "growth"} <= set(data)
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(data))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]
