"""The architect's live workbook (``notebooks/explore.ipynb``): controls bound to the calculators.

Two halves, the first without any widget:

- :class:`Inputs`, the controls' values (a frozen dataclass), and :func:`numbers`, which builds
  the design variant the inputs describe and returns every number the figures and the headline
  show (:class:`Outputs`). Variants share the design's server sizing (a what-if that keeps the
  servers sizes none of them again), and results are cached by inputs;
- :class:`Workbook`, a thin layer of ipywidgets controls and plotly figures that calls
  :func:`numbers` on every change, writes the result into the figures inside ``batch_update()``
  and shows each figure in an ipywidgets ``Output``: it computes nothing of its own.

The figures are plain plotly figures, each drawn from plotly's JSON mimetype in an ``Output`` by
JupyterLab's plotly extension (plotly.js loaded once per page). A ``FigureWidget`` (an anywidget
since plotly 6) sends 5 MB of plotly.js with each figure for the browser to import, and anywidget
(0.11) drops every message to a model whose import took over 2 s: under load that left figures
blank after Run All, for good (``tests/test_jupyterlab.py``).
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from srmkit import checks
from srmkit.caching import per_object
from srmkit.design import VERDICT_TEXT, Design, Verdict, verdict_of
from srmkit.figures import log_ticks
from srmkit.glossary import MODE_NAME, or_unbounded
from srmkit.limits import MODES, Mode, catalogue, get_model
from srmkit.mva import UpdateType
from srmkit.mvs import distance_axis_km
from srmkit.output import json_ready
from srmkit.planner import ArrayLoad
from srmkit.schema import (
    MAX_LINK_MBPS,
    MAX_UPDATE_INTERVAL_MIN,
    MAX_USERS_PER_SERVER,
    Link,
    Scenario,
    Server,
)
from srmkit.study import Study

FloatArray = npt.NDArray[np.float64]

DEFAULT_UPDATE_INTERVAL_MIN = 30.0
"""MirrorView/A update interval offered when the scenario mirrors synchronously (the seed's
example interval, [S0]). [min]"""
LATENCY_POINTS = 200
RPO_STEPS_PER_OCTAVE = 5
"""Points of the RPO curve per doubling of the rate (26 across its span)."""
RPO_SPAN = (1 / 8, 4)
"""The RPO curve's rates, as multiples of the variant's effective rate."""
CACHE_SIZE = 256
"""Results kept per design (each a few kB)."""
CURVE_CACHE_SIZE = 8192
"""RPO curve points kept per design."""
UPDATE_TYPES: tuple[UpdateType, ...] = ("start", "end", "manual")


def mirror_models() -> tuple[str, ...]:
    """Catalogue models that support MirrorView, in catalogue order (the model dropdown)."""
    return tuple(m.model for m in catalogue() if m.mirrorview_supported)


def _common(values: Sequence[str]) -> str | None:
    """The one value every item shares, or None when they differ."""
    return values[0] if values and all(v == values[0] for v in values) else None


@dataclass(frozen=True)
class Inputs:
    """The workbook's controls: one variant of a design, as data (hashable: the cache key)."""

    distance_km: float
    """Site distance. [km]"""
    route_factor: float
    """Fibre route length ÷ site distance. [factor]"""
    link_mbps: float
    """Link rate as sold. [Mbit/s]"""
    share_fraction: float
    """Share of the link given to replication. [fraction]"""
    users_factor: float
    """Every server's mailboxes × this factor (1: as in the scenario). [factor]"""
    profile: str | None
    """Every server's mailbox profile; None keeps each server's own."""
    update_interval_min: float
    """MirrorView/A update interval (used whenever the variant mirrors asynchronously). [min]"""
    update_type: UpdateType
    """MirrorView/A update type: start or end of the last update (manual when the scenario is)."""
    mode: Mode
    """sync (MirrorView/S) or async (MirrorView/A)."""
    model: str | None
    """Every array's model; None keeps each array's own."""

    @classmethod
    def of(cls, design: Study) -> Inputs:
        """The inputs that describe the design itself."""
        s = design.scenario
        link, rep = s.link, s.replication
        models = [m.model for m in design.models.values()]
        model = _common(models)
        return cls(
            distance_km=float(link.distance_km),
            route_factor=float(link.route_factor),
            link_mbps=float(link.bandwidth_mbps),
            share_fraction=float(link.share_fraction),
            users_factor=1.0,
            profile=_common([v.profile for v in s.servers]),
            update_interval_min=float(rep.update_interval_min or DEFAULT_UPDATE_INTERVAL_MIN),
            update_type=rep.update_type,
            mode=rep.mode,
            model=model if model in mirror_models() else None,
        )


# --- what numbers() returns -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LatencyNumbers:
    """MirrorView/S log write latency against site distance (Method §4), for figure (a)."""

    distance_km: FloatArray
    log_write_ms: FloatArray
    """Local log write + added latency at each distance; NaN where the link is saturated. [ms]"""
    limit_ms: float
    """Microsoft's average log write limit. [ms]"""
    route_limit_km: float
    """The site distance at which the fibre route reaches EMC's MirrorView/S limit. [km]"""
    point_km: float
    point_ms: float
    """The variant's log write latency (as if synchronous); NaN when saturated. [ms]"""


@dataclass(frozen=True, eq=False)
class RpoNumbers:
    """MirrorView/A worst RPO against the link rate (Method §5), for figure (b)."""

    link_mbps: FloatArray
    """Link rate as sold, from ⅛ to 4× the variant's (log-spaced). [Mbit/s]"""
    effective_mbps: FloatArray
    """The same rates available to replication (× efficiency × share). [Mbit/s]"""
    worst_rpo_min: FloatArray
    """Worst RPO of the busiest direction; NaN where unbounded. [min]"""
    target_min: float
    point_mbps: float
    point_rpo_min: float | None
    """The variant's worst RPO (as if asynchronous); None when unbounded. [min]"""


@dataclass(frozen=True)
class LimitBars:
    """One limit on every array: used ÷ the model's limit (Method §7), for figure (c)."""

    label: str
    year: int
    arrays: tuple[str, ...]
    """``AMS-CX4 (CX4-480)``."""
    used: tuple[int, ...]
    limit: tuple[int, ...]
    share: tuple[float, ...]
    """used ÷ limit; NaN where the model cannot mirror in the mode. [fraction]"""


@dataclass(frozen=True)
class DirectionUse:
    """Peak-hour use of one direction of the link (Method §3)."""

    label: str
    peak_mbps: float
    effective_rate_mbps: float
    utilization_fraction: float


@dataclass(frozen=True)
class Headline:
    """The numbers of the headline panel, figure (d)."""

    mode: Mode
    users: int
    models: tuple[str, ...]
    added_latency_ms: float
    """Write latency MirrorView/S adds at the variant's distance (inf when saturated). [ms]"""
    log_write_latency_ms: float
    log_write_limit_ms: float
    latency_applies: bool
    """The variant mirrors synchronously: its writes wait for the link."""
    worst_rpo_min: float | None
    """0 for MirrorView/S; None when MirrorView/A is unbounded. [min]"""
    mean_rpo_min: float | None
    rpo_target_min: float
    directions: tuple[DirectionUse, ...]
    rto_min: float
    rto_target_min: float
    verdict: Verdict
    verdict_text: str
    findings: tuple[tuple[str, str, str], ...]
    """(severity, rule id, message) of every error and open warning."""


@dataclass(frozen=True, eq=False)
class Outputs:
    """Every number the workbook shows for one set of inputs."""

    inputs: Inputs
    latency: LatencyNumbers
    rpo: RpoNumbers
    limits: tuple[LimitBars, ...]
    """Mirrors, consistency groups and LUNs in the largest CG: today, then at the horizon (when
    the scenario grows)."""
    headline: Headline

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data (non-finite numbers as null)."""
        out: dict[str, Any] = json_ready(
            {
                "inputs": self.inputs,
                "headline": self.headline,
                "limits": self.limits,
                "latency": {
                    **dataclasses.asdict(self.latency),
                    "distance_km": self.latency.distance_km.tolist(),
                    "log_write_ms": self.latency.log_write_ms.tolist(),
                },
                "rpo": {
                    **dataclasses.asdict(self.rpo),
                    "link_mbps": self.rpo.link_mbps.tolist(),
                    "effective_mbps": self.rpo.effective_mbps.tolist(),
                    "worst_rpo_min": self.rpo.worst_rpo_min.tolist(),
                },
            }
        )
        return out


# --- numbers(): the variant and its figures -------------------------------------------------


class _Cache:
    """One design's results by inputs, RPO curves by what they depend on, and server lists by
    (users factor, profile): the same list object keeps the design's shared sizing."""

    def __init__(self) -> None:
        self.outputs: OrderedDict[Inputs, Outputs] = OrderedDict()
        self.curves: OrderedDict[Hashable, float | None] = OrderedDict()
        self.servers: dict[tuple[float, str | None], list[Server]] = {}


@per_object
def _cache(design: Study) -> _Cache:
    """The workbook's memory of one design's variants and curves."""
    return _Cache()


_DESIGNS: OrderedDict[int, tuple[Scenario, Design]] = OrderedDict()


def _remember(
    table: OrderedDict[Any, Any], key: Hashable, value: Any, size: int = CACHE_SIZE
) -> None:
    table[key] = value
    while len(table) > size:
        table.popitem(last=False)


def _design(design_or_scenario: Study | Scenario) -> Study:
    """The design to vary: as given, or the last few scenarios' designs (kept with them)."""
    if isinstance(design_or_scenario, Study):
        return design_or_scenario
    key = id(design_or_scenario)
    if key not in _DESIGNS:
        _DESIGNS[key] = (design_or_scenario, Design(design_or_scenario))
        while len(_DESIGNS) > 4:
            _DESIGNS.popitem(last=False)
    return _DESIGNS[key][1]


def _check(design: Study, inputs: Inputs) -> None:
    """Inputs the scenario file would reject raise ValueError, saying what is allowed."""
    rep = design.scenario.replication
    problems = []
    if inputs.mode not in MODES:
        problems.append(f"mode {inputs.mode!r}: sync or async")
    if inputs.update_type not in UPDATE_TYPES:
        problems.append(f"update type {inputs.update_type!r}: start, end or manual")
    elif inputs.update_type == "manual" and not rep.manual_update_times:
        problems.append("manual updates need the scenario's manual_update_times")
    if not 1 <= inputs.update_interval_min <= MAX_UPDATE_INTERVAL_MIN:
        problems.append(f"update interval 1 to {MAX_UPDATE_INTERVAL_MIN:,} min")
    if not inputs.users_factor > 0:
        problems.append("users factor > 0")
    if inputs.profile is not None and inputs.profile not in design.a.exchange_profiles:
        problems.append(
            f"profile {inputs.profile!r}: one of {', '.join(design.a.exchange_profiles)}"
        )
    if inputs.model is not None and inputs.model not in mirror_models():
        problems.append(f"model {inputs.model!r}: one of {', '.join(mirror_models())}")
    if problems:
        raise ValueError("; ".join(problems))


def _servers(design: Study, cache: _Cache, factor: float, profile: str | None) -> list[Server]:
    """The servers with their mailboxes scaled and one profile; the scenario's own list (so its
    sizing) when nothing changes, and one list per (factor, profile) after that."""
    servers = design.scenario.servers
    if factor == 1 and (profile is None or all(v.profile == profile for v in servers)):
        return servers
    key = (factor, profile)
    if key not in cache.servers:
        out = []
        for v in servers:
            users = max(1, round(v.users * factor))
            if users > MAX_USERS_PER_SERVER:
                raise ValueError(
                    f"{v.name} would have {users:,} mailboxes; at most "
                    f"{MAX_USERS_PER_SERVER:,} per server"
                )
            # A copy keeps the server's measurement (read when the scenario was validated).
            out.append(v.model_copy(update={"users": users, "profile": profile or v.profile}))
        cache.servers[key] = out
    return cache.servers[key]


def variant(design_or_scenario: Study | Scenario, inputs: Inputs) -> Study:
    """The design with the inputs applied (a :class:`Study`, sharing the design's sizing).

    Raises ValueError for inputs the scenario file would reject.
    """
    design = _design(design_or_scenario)
    _check(design, inputs)
    cache = _cache(design)
    s = design.scenario
    link = Link.model_validate(
        {
            **dict(s.link),
            "distance_km": inputs.distance_km,
            "route_factor": inputs.route_factor,
            "bandwidth_mbps": inputs.link_mbps,
            "share_fraction": inputs.share_fraction,
        }
    )
    replication = s.replication.model_copy(
        update={
            "mode": inputs.mode,
            "update_type": inputs.update_type,
            "update_interval_min": inputs.update_interval_min,
        }
    )
    servers = _servers(design, cache, inputs.users_factor, inputs.profile)
    scenario = s.model_copy(update={"link": link, "replication": replication, "servers": servers})
    models = None
    if inputs.model is not None:
        models = dict.fromkeys(design.models, get_model(inputs.model))
    return Study(scenario, models, sizing=design._sizing)


def _finite(values: npt.ArrayLike) -> FloatArray:
    """Non-finite values as NaN (a figure leaves them blank)."""
    out = np.asarray(values, dtype=float)
    return np.where(np.isfinite(out), out, np.nan)


def _latency(sync: Study) -> LatencyNumbers:
    """Figure (a), from the variant mirrored synchronously (the same grid as
    :func:`srmkit.figures.latency_vs_distance`)."""
    a, link = sync.a, sync.scenario.link
    route_limit_km = a.sync_distance_limit_km / link.route_factor
    top_km = distance_axis_km(link.distance_km, a.sync_distance_limit_km, link.route_factor)
    km = np.linspace(0.0, top_km, LATENCY_POINTS)
    return LatencyNumbers(
        distance_km=km,
        log_write_ms=_finite(a.local_log_write_ms + sync.added_latency_ms(km)),
        limit_ms=a.log_write_avg_limit_ms,
        route_limit_km=route_limit_km,
        point_km=link.distance_km,
        point_ms=float(_finite(sync.log_write_latency_ms)),
    )


def _rpo(asyn: Study, cache: _Cache, inputs: Inputs) -> RpoNumbers:
    """Figure (b), from the variant mirrored asynchronously.

    The busiest direction's cycle (as :meth:`~srmkit.study.Study.rpo_against_rate`) at effective
    rates on a fixed grid, :data:`RPO_STEPS_PER_OCTAVE` a doubling, from ⅛ to 4× the variant's:
    a point depends only on the servers and the update schedule besides its rate, so each is
    simulated once and a new link rate or share simulates only the points it brings in.
    """
    effective_mbps = asyn.effective_rate_mbps
    low, high = (RPO_STEPS_PER_OCTAVE * math.log2(effective_mbps * f) for f in RPO_SPAN)
    steps = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
    rates = np.exp2(np.array(steps, dtype=float) / RPO_STEPS_PER_OCTAVE)
    schedule = (
        inputs.users_factor,
        inputs.profile,
        inputs.update_interval_min,
        inputs.update_type,
    )
    worst = []
    for step, rate in zip(steps, rates.tolist(), strict=True):
        key = (schedule, step)
        if key not in cache.curves:
            _remember(cache.curves, key, asyn.cycle(rate).worst_rpo_min, CURVE_CACHE_SIZE)
        else:
            cache.curves.move_to_end(key)
        worst.append(cache.curves[key])
    link = asyn.scenario.link
    return RpoNumbers(
        link_mbps=rates / (link.efficiency_fraction * link.share_fraction),
        effective_mbps=rates,
        worst_rpo_min=np.array([math.nan if w is None else w for w in worst], dtype=float),
        target_min=asyn.scenario.targets.rpo_min,
        point_mbps=link.bandwidth_mbps,
        point_rpo_min=asyn.async_cycle.worst_rpo_min,
    )


LIMIT_MEASURES = (
    ("Mirrors", "mirrors", "max_mirrors"),
    ("Consistency groups", "cgs", "max_cgs"),
    ("LUNs in largest CG", "largest_cg_luns", "max_luns_per_cg"),
)


def _limits(study: Study) -> tuple[LimitBars, ...]:
    """Figure (c): each limit on each array, today and at the end of the growth horizon (when
    the scenario grows)."""
    out = []
    for year in sorted({0, study.horizon}):
        loads: Sequence[ArrayLoad] = study.loads_at(year)
        arrays = tuple(f"{x.array} ({x.model})" for x in loads)
        for label, used_name, limit_name in LIMIT_MEASURES:
            used = tuple(int(getattr(x, used_name)) for x in loads)
            limit = tuple(int(getattr(x, limit_name)) for x in loads)
            share = tuple(u / n if n else math.nan for u, n in zip(used, limit, strict=True))
            out.append(LimitBars(label, year, arrays, used, limit, share))
    return tuple(out)


def _headline(study: Study, sync: Study) -> Headline:
    s = study.scenario
    findings = checks.run(study)
    verdict = verdict_of(findings)
    return Headline(
        mode=study.mode,
        users=sum(v.users for v in s.servers),
        models=tuple(dict.fromkeys(m.model for m in study.models.values())),
        added_latency_ms=float(sync.added_latency_ms()),
        log_write_latency_ms=sync.log_write_latency_ms,
        log_write_limit_ms=study.a.log_write_avg_limit_ms,
        latency_applies=study.is_sync,
        worst_rpo_min=study.worst_rpo_min,
        mean_rpo_min=study.mean_rpo_min,
        rpo_target_min=s.targets.rpo_min,
        directions=tuple(
            DirectionUse(d.label, d.peak_mbps, d.effective_rate_mbps, d.peak_utilization_fraction)
            for d in study.directions
        ),
        rto_min=study.recovery.rto_min,
        rto_target_min=s.targets.rto_min,
        verdict=verdict,
        verdict_text=VERDICT_TEXT[verdict],
        findings=tuple(
            (f.severity, f.id, f.message)
            for f in findings
            if f.severity == "error" or (f.severity == "warning" and not f.accepted)
        ),
    )


def numbers(design_or_scenario: Study | Scenario, inputs: Inputs) -> Outputs:
    """Every number the workbook shows for these inputs, from the design's variant.

    The latency figure shows the variant mirrored synchronously and the RPO figure the variant
    mirrored asynchronously, whichever mode it uses; the headline is the variant's own. Results
    are cached by inputs (per design), so going back to earlier values costs nothing. E.g.
    ``numbers(d, dataclasses.replace(Inputs.of(d), distance_km=120.0)).headline.added_latency_ms``
    is ``d.added_latency_ms(120.0)``.

    Raises ValueError for inputs the scenario file would reject.
    """
    design = _design(design_or_scenario)
    cache = _cache(design)
    found = cache.outputs.get(inputs)
    if found is not None:
        cache.outputs.move_to_end(inputs)
        return found
    study = variant(design, inputs)
    sync = study.variant(mode="sync")
    asyn = study.variant(mode="async")
    out = Outputs(
        inputs=inputs,
        latency=_latency(sync),
        rpo=_rpo(asyn, cache, inputs),
        limits=_limits(study),
        headline=_headline(study, sync),
    )
    _remember(cache.outputs, inputs, out)
    return out


# --- the headline as HTML ---------------------------------------------------------------------

VERDICT_COLOURS = {"fits": "#2e7d4f", "fits_with_warnings": "#b5651d", "does_not_fit": "#a4161a"}


def _minutes(value: float | None) -> str:
    return or_unbounded(value, "min")


def headline_html(h: Headline, elapsed_ms: float | None = None) -> str:
    """The headline panel: verdict, latency, RPO, link use per direction, RTO, open findings."""
    e = html.escape
    if not math.isfinite(h.added_latency_ms):
        latency = "∞ (the link is saturated)"
    else:
        latency = (
            f"{h.added_latency_ms:,.2f} ms (log writes {h.log_write_latency_ms:,.2f} ms, "
            f"limit {h.log_write_limit_ms:g} ms)"
        )
    if not h.latency_applies:
        latency = f"none: MirrorView/A (MirrorView/S would add {latency})"
    if h.mode == "sync":
        rpo = "0 / 0 min (synchronous)"
    elif h.worst_rpo_min is None:
        rpo = "unbounded: a day's writes exceed what the link carries in a day"
    else:
        rpo = f"{_minutes(h.worst_rpo_min)} / {_minutes(h.mean_rpo_min)}"
    rpo += f" (target {h.rpo_target_min:g} min)"
    link = "<br>".join(
        f"{e(d.label)}: <b>{d.utilization_fraction:,.0%}</b> "
        f"({d.peak_mbps:,.1f} of {d.effective_rate_mbps:,.1f} Mbit/s)"
        for d in h.directions
    )
    rows = [
        ("Verdict", f'<b style="color:{VERDICT_COLOURS[h.verdict]}">{e(h.verdict_text)}</b>'),
        (
            "Design",
            f"{MODE_NAME[h.mode]}, {h.users:,} mailboxes, {e(' and '.join(h.models))}",
        ),
        ("Added write latency", e(latency)),
        ("Worst / mean RPO", e(rpo)),
        ("Peak link utilisation", link),
        ("RTO", f"{h.rto_min:,.0f} min (target {h.rto_target_min:g} min)"),
    ]
    table = "".join(
        f'<tr><th style="text-align:left;padding-right:1em;white-space:nowrap">{k}</th>'
        f"<td>{v}</td></tr>"
        for k, v in rows
    )
    items = "".join(
        f"<li><b>{e(sev)}</b> {e(rule)}: {e(message)}</li>" for sev, rule, message in h.findings
    )
    findings = f'<ul style="margin:0.4em 0">{items}</ul>' if items else ""
    timing = (
        f'<div style="color:#777;font-size:smaller">updated in {elapsed_ms:.0f} ms</div>'
        if elapsed_ms is not None
        else ""
    )
    return f"<div><table>{table}</table>{findings}{timing}</div>"


# --- the widgets ------------------------------------------------------------------------------

FIGURE_LAYOUT = {
    "template": "plotly_white",
    "height": 340,
    "width": 480,
    "margin": {"l": 60, "r": 20, "t": 64, "b": 50},
    "legend": {"orientation": "h", "y": -0.22},
}
_SMALL = '<span style="font-size: 12px">'
LIMIT_COLOURS = ("#636efa", "#ef553b", "#00cc96")
"""One colour per limit (mirrors, CGs, LUNs per CG); the horizon's bars are hatched."""
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"  # drawn by JupyterLab's plotly extension
ControlName = Literal[
    "distance",
    "route_factor",
    "link_rate",
    "share",
    "users",
    "profile",
    "interval",
    "update_type",
    "mode",
    "model",
]


class Workbook:
    """Controls and live figures over :func:`numbers` (display it in a notebook)."""

    def __init__(self, design_or_scenario: Study | Scenario) -> None:
        import ipywidgets as w

        self.design = _design(design_or_scenario)
        self.last_update_s: float | None = None
        self.error: str | None = None
        start = Inputs.of(self.design)
        self.outputs = numbers(self.design, start)
        self._make_controls(start)
        self._make_figures()
        size = w.Layout(width=f"{FIGURE_LAYOUT['width']}px", height=f"{FIGURE_LAYOUT['height']}px")
        self.figure_outputs = {name: w.Output(layout=size) for name in self.figures}
        self._shown: dict[str, str] = {}  # the JSON last shown, by figure
        self.headline = w.HTML(layout=w.Layout(width="480px"))
        self._apply(self.outputs)

        for control in self.controls.values():
            control.observe(self._changed, names="value")
        box = w.Layout(flex_flow="row wrap")
        self.ui = w.VBox(
            [
                w.Box(list(self.controls.values()), layout=box),
                w.Box([self.figure_outputs["latency"], self.figure_outputs["rpo"]], layout=box),
                w.Box([self.figure_outputs["limits"], self.headline], layout=box),
            ]
        )

    def _make_controls(self, start: Inputs) -> None:
        """One control per input of :class:`Inputs`, set to the design's own values."""
        import ipywidgets as w

        design = self.design
        s = design.scenario
        style = {"description_width": "11em"}
        wide = w.Layout(width="30em")

        def slider(kind: Any, description: str, value: float, **kw: Any) -> Any:
            return kind(
                value=value,
                description=description,
                style=style,
                layout=wide,
                continuous_update=False,
                **kw,
            )

        self.distance = slider(
            w.FloatSlider,
            "distance [km]",
            start.distance_km,
            min=1.0,
            max=float(max(300.0, 3 * start.distance_km)),
            step=1.0,
        )
        self.route_factor = slider(
            w.FloatSlider, "route factor", start.route_factor, min=1.0, max=3.0, step=0.05
        )
        self.link_rate = slider(
            w.FloatLogSlider,
            "link [Mbit/s]",
            start.link_mbps,
            base=10,
            min=0.0,
            max=math.log10(MAX_LINK_MBPS),
            step=0.01,
            readout_format=",.0f",
        )
        self.share = slider(
            w.FloatSlider,
            "replication share",
            start.share_fraction,
            min=0.01,
            max=1.0,
            step=0.01,
            readout_format=".0%",
        )
        most = max(v.users for v in s.servers)
        self.users = slider(
            w.FloatSlider,
            "users × factor",
            1.0,
            min=0.1,
            max=max(1.0, min(4.0, MAX_USERS_PER_SERVER / most)),
            step=0.05,
        )
        profiles: list[tuple[str, str | None]] = [(p, p) for p in design.a.exchange_profiles]
        if start.profile is None:
            profiles.insert(0, ("each server's own", None))
        self.profile = w.Dropdown(
            options=profiles, value=start.profile, description="mailbox profile", style=style
        )
        self.interval = slider(
            w.FloatSlider,
            "MV/A interval [min]",
            start.update_interval_min,
            min=1.0,
            max=float(max(240.0, start.update_interval_min)),
            step=1.0,
        )
        types = [t for t in UPDATE_TYPES if t != "manual" or start.update_type == "manual"]
        self.update_type = w.ToggleButtons(
            options=types, value=start.update_type, description="MV/A update", style=style
        )
        self.mode = w.ToggleButtons(
            options=[("sync (MV/S)", "sync"), ("async (MV/A)", "async")],
            value=start.mode,
            description="mirroring",
            style=style,
        )
        models: list[tuple[str, str | None]] = [(m, m) for m in mirror_models()]
        if start.model is None:
            own = " and ".join(dict.fromkeys(a.model for a in s.arrays))
            models.insert(0, (f"as in the scenario ({own})", None))
        self.model = w.Dropdown(
            options=models, value=start.model, description="array model", style=style
        )
        # each control is the attribute of its name, in the order of ControlName
        self.controls: dict[ControlName, Any] = {n: getattr(self, n) for n in get_args(ControlName)}

    def _make_figures(self) -> None:
        """The latency, RPO and limit-usage figures, empty until :meth:`_apply` fills them."""
        import plotly.graph_objects as go

        o = self.outputs
        self.latency_fig = go.Figure(layout=FIGURE_LAYOUT)
        self.latency_fig.add_scatter(name="log write latency (MV/S)", mode="lines")
        self.latency_fig.add_scatter(
            name="Microsoft average limit", mode="lines", line={"dash": "dash", "color": "#a4161a"}
        )
        self.latency_fig.add_scatter(
            name="EMC fibre route limit", mode="lines", line={"dash": "dot", "color": "#555"}
        )
        self.latency_fig.add_scatter(
            name="this design", mode="markers", marker={"size": 12, "symbol": "diamond"}
        )
        self.latency_fig.update_layout(
            xaxis_title="site distance [km]",
            yaxis={"title": "log write latency [ms]", "rangemode": "tozero"},
        )
        self.rpo_fig = go.Figure(layout=FIGURE_LAYOUT)
        self.rpo_fig.add_scatter(name="worst RPO (MV/A)", mode="lines")
        self.rpo_fig.add_scatter(
            name="target", mode="lines", line={"dash": "dash", "color": "#a4161a"}
        )
        self.rpo_fig.add_scatter(
            name="this design", mode="markers", marker={"size": 12, "symbol": "diamond"}
        )
        self.rpo_fig.update_layout(
            xaxis={"title": "link rate as sold [Mbit/s]", "type": "log"},
            yaxis={"title": "worst RPO [min]", "rangemode": "tozero"},
        )
        self.limits_fig = go.Figure(layout=FIGURE_LAYOUT)
        for k, bars in enumerate(o.limits):
            self.limits_fig.add_bar(
                name=bars.label if bars.year == 0 else f"{bars.label}, year {bars.year}",
                hovertemplate="%{customdata[0]:,} of %{customdata[1]:,}<extra></extra>",
                marker={
                    "color": LIMIT_COLOURS[k % len(LIMIT_COLOURS)],
                    "pattern": {"shape": "" if bars.year == 0 else "/"},
                },
                opacity=1.0 if bars.year == 0 else 0.55,
            )
        self.limits_fig.add_hline(y=1.0, line_dash="dash", line_color="#a4161a")
        self.limits_fig.update_layout(
            barmode="group",
            title="Array limit usage (used ÷ limit)",
            yaxis={"tickformat": ".0%", "title": "share of limit", "rangemode": "tozero"},
        )
        self.figures = {"latency": self.latency_fig, "rpo": self.rpo_fig, "limits": self.limits_fig}

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Display the controls and figures."""
        return self.ui._repr_mimebundle_(**kwargs)

    @property
    def inputs(self) -> Inputs:
        """The controls' current values."""
        return Inputs(
            distance_km=float(self.distance.value),
            route_factor=float(self.route_factor.value),
            link_mbps=float(self.link_rate.value),
            share_fraction=float(self.share.value),
            users_factor=float(self.users.value),
            profile=self.profile.value,
            update_interval_min=float(self.interval.value),
            update_type=self.update_type.value,
            mode=self.mode.value,
            model=self.model.value,
        )

    def _changed(self, _change: Any) -> None:
        self.update()

    def update(self) -> Outputs | None:
        """Recompute from the controls and redraw; a rejected input is shown, not raised."""
        started = time.perf_counter()
        try:
            out = numbers(self.design, self.inputs)
        except ValueError as exc:
            self.error = str(exc)
            self.headline.value = (
                f'<div style="color:#a4161a"><b>Not valid:</b> {html.escape(self.error)}</div>'
            )
            return None
        self.error = None
        self.outputs = out
        self._apply(out, started)
        return out

    def _apply(self, o: Outputs, started: float | None = None) -> None:
        """Write the numbers into the figures (each in one batch) and the headline."""
        lat, rpo, h = o.latency, o.rpo, o.headline
        # the condition on a second, smaller line: a half-width figure cuts a long title
        synced = "" if h.mode == "sync" else f"<br>{_SMALL}if mirrored synchronously</span>"
        with self.latency_fig.batch_update():
            curve, limit, route, point = self.latency_fig.data
            curve.x, curve.y = lat.distance_km, lat.log_write_ms
            limit.x, limit.y = [0.0, lat.distance_km[-1]], [lat.limit_ms, lat.limit_ms]
            top = float(np.nanmax(lat.log_write_ms, initial=lat.limit_ms))
            route.x, route.y = [lat.route_limit_km] * 2, [0.0, max(top, lat.limit_ms) * 1.05]
            point.x, point.y = [lat.point_km], [lat.point_ms]
            self.latency_fig.layout.title.text = f"MirrorView/S log write latency{synced}"
        asynced = "" if h.mode == "async" else f"<br>{_SMALL}if mirrored asynchronously</span>"
        with self.rpo_fig.batch_update():
            curve, target, point = self.rpo_fig.data
            curve.x, curve.y = rpo.link_mbps, rpo.worst_rpo_min
            curve.customdata = rpo.effective_mbps
            curve.hovertemplate = (
                "%{x:,.1f} Mbit/s (%{customdata:,.1f} effective): %{y:,.1f} min<extra></extra>"
            )
            ends = [float(rpo.link_mbps[0]), float(rpo.link_mbps[-1])]
            target.x, target.y = ends, [rpo.target_min] * 2
            point.x = [rpo.point_mbps]
            point.y = [math.nan if rpo.point_rpo_min is None else rpo.point_rpo_min]
            self.rpo_fig.layout.title.text = f"MirrorView/A worst RPO against link rate{asynced}"
            ticks = log_ticks(*ends)
            self.rpo_fig.layout.xaxis.tickvals = ticks
            self.rpo_fig.layout.xaxis.ticktext = [f"{v:,g}" for v in ticks]
        with self.limits_fig.batch_update():
            for trace, bars in zip(self.limits_fig.data, o.limits, strict=True):
                trace.x, trace.y = bars.arrays, bars.share
                trace.customdata = list(zip(bars.used, bars.limit, strict=True))
        self._show()
        elapsed = None if started is None else (time.perf_counter() - started) * 1e3
        self.headline.value = headline_html(h, elapsed)
        if started is not None:
            self.last_update_s = time.perf_counter() - started

    def _show(self) -> None:
        """Put each figure that changed into its ``Output`` as plotly's JSON mimetype.

        Set as the widget's ``outputs`` (one message), not printed inside ``with output:``, which
        needs a kernel's message to route it and prints the bundle where there is none (a script).
        """
        import plotly.io as pio

        for name, fig in self.figures.items():
            text = pio.to_json(fig, validate=False)
            if self._shown.get(name) == text:
                continue
            self._shown[name] = text
            bundle = {PLOTLY_MIMETYPE: json.loads(text), "text/plain": f"<{name} figure>"}
            output = {"output_type": "display_data", "data": bundle, "metadata": {}}
            self.figure_outputs[name].outputs = (output,)

    def snapshot(self) -> dict[str, Any]:
        """What the figures, their outputs (as sent to the browser) and the headline hold now,
        as plain JSON data (for checks)."""

        def traces(fig: Any) -> list[dict[str, Any]]:
            return [
                {
                    "name": t.name,
                    "x": json_ready(list(np.asarray(t.x).tolist())),
                    "y": json_ready([_none_if_nan(v) for v in np.asarray(t.y).tolist()]),
                }
                for t in fig.data
            ]

        def shown(output: Any) -> list[dict[str, Any]]:
            (displayed,) = output.outputs
            data = displayed["data"][PLOTLY_MIMETYPE]["data"]
            return [{k: t.get(k) for k in ("name", "x", "y")} for t in data]

        return {
            "inputs": json_ready(self.inputs),
            "numbers": self.outputs.as_json(),
            "figures": {name: traces(fig) for name, fig in self.figures.items()},
            "shown": {name: shown(out) for name, out in self.figure_outputs.items()},
            "headline_html": self.headline.value,
            "error": self.error,
        }


def _none_if_nan(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value
