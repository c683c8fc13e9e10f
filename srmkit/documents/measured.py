"""The design document's account of the servers sized from the customer's measurements
(Method §2, a measured profile): what each measurement covers, its write load against its
mailbox profile's in a table and a figure, and where the burst factor of the link comes from.

Every number comes from the :class:`~srmkit.design.Design`: the measured server's
:class:`~srmkit.study_results.MeasuredWrites` (today's mailboxes) and its
:class:`~srmkit.perfmon.Measurement` (the coverage of the file).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from srmkit import glossary, server_sizing
from srmkit.assumptions import Assumptions
from srmkit.design import Design
from srmkit.documents.blocks import Book, Col, Html, join, paragraph
from srmkit.figure_style import LAYOUT, TITLE_CHARS, TITLE_LINE_PX, TITLE_TOP_PX, note, wrap
from srmkit.glossary import names
from srmkit.perfmon import Measurement
from srmkit.study_results import ServerSizing
from srmkit.units import H_PER_DAY, MIN_PER_H, SECONDS_PER_MIN, mib_per_h_to_mbps

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
"""Month names in English, whatever the machine's locale."""
PROFILE_COLOUR = "#333"
"""The profile's line: dark, over the measured bars."""
MEASURED_COLOURS = {"logs": "#5b7db1", "database writes": "#9cb7d8", "guest-OS writes": "#c9a66b"}
"""The measured writes' stacked bars: logs, database writes, guest-OS writes."""
EQUAL_FRACTION = 1e-9
"""Hours whose writes differ by less than this fraction are equally busy. [fraction]"""
FIGURE_BOTTOM_PX = 60
"""Room at the foot of the figure for its legend's two rows. [px]"""


@functools.cache
def _default_burst_factor() -> float:
    """srmkit's own burst factor, without a measurement or a scenario's. [factor]"""
    return Assumptions().burst_factor


# --- words --------------------------------------------------------------------------------------


def _date(day: datetime.date, month: bool = True, year: bool = True) -> str:
    """``10 March 2009``; without the month (and year) for the first of a range in it."""
    text = str(day.day)
    if month:
        text += f" {MONTHS[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return text


def days_covered(first: datetime.date, last: datetime.date) -> str:
    """The calendar days a log covers, in words.

    >>> d = datetime.date
    >>> days_covered(d(2009, 3, 10), d(2009, 3, 10))
    '10 March 2009'
    >>> days_covered(d(2009, 3, 10), d(2009, 3, 11))
    '10 and 11 March 2009'
    >>> days_covered(d(2009, 3, 10), d(2009, 3, 13))
    '10 to 13 March 2009'
    >>> days_covered(d(2009, 2, 27), d(2009, 3, 2))
    '27 February to 2 March 2009'
    >>> days_covered(d(2008, 12, 31), d(2009, 1, 1))
    '31 December 2008 and 1 January 2009'
    """
    if first == last:
        return _date(first)
    joint = " and " if (last - first).days == 1 else " to "
    same_year = first.year == last.year
    same_month = same_year and first.month == last.month
    return _date(first, month=not same_month, year=not same_year) + joint + _date(last)


def _log_days(first: datetime.datetime, last: datetime.datetime, interval_s: float) -> str:
    """The calendar days of a log's samples: a sample is the mean over the interval ending at
    its time stamp, so one stamped at midnight still belongs to the day before."""
    interval = datetime.timedelta(seconds=interval_s)
    tick = datetime.timedelta(microseconds=1)
    return days_covered((first - interval).date(), (last - tick).date())


def _interval(seconds: float) -> str:
    """``15-second``, ``1-minute``, ``2.5-second``."""
    if seconds >= SECONDS_PER_MIN and seconds % SECONDS_PER_MIN == 0:
        return f"{seconds / SECONDS_PER_MIN:g}-minute"
    return f"{seconds:g}-second"


def _utc_offset(bias_min: float) -> str:
    """The server's clock against UTC from the log's bias (UTC = local + bias).

    >>> _utc_offset(-60), _utc_offset(0), _utc_offset(-330), _utc_offset(300)
    ('UTC+1', 'UTC', 'UTC+5:30', 'UTC−5')
    """
    offset = -round(bias_min)
    if offset == 0:
        return "UTC"
    h, m = divmod(abs(offset), MIN_PER_H)
    return f"UTC{'+' if offset > 0 else '−'}{h}" + (f":{m:02d}" if m else "")


def clock_hours(hour: int) -> str:
    """A clock hour as its span: ``10:00–11:00``.

    >>> clock_hours(9), clock_hours(23)
    ('9:00–10:00', '23:00–24:00')
    """
    return f"{hour}:00–{hour + 1}:00"


def db_per_log(design: Design, profile: str) -> float:
    """A profile's database writes per MiB of logs, as a server measured by its log counts
    writes them (Method §2). [MiB/MiB]"""
    return server_sizing.db_per_log(design.a, profile)


def coverage_sentence(design: Design, v: ServerSizing, m: Measurement | None) -> str:
    """What a measured server is sized from and what the measurement covers."""
    profile = glossary.profile(v.profile)
    if v.measured is not None and v.measured.kind == "log_counts":
        return (
            f"{v.name} is sized from its hourly transaction log counts; its database writes "
            f"follow the {profile} profile's ratio of database to log volume "
            f"({db_per_log(design, v.profile):,.2f} MiB per MiB of logs)."
        )
    if m is None or m.first is None or m.last is None:
        return f"{v.name} is sized from its own Performance Monitor log."
    missed = f"{m.gaps:,} missed and left out" if m.gaps else "none missed"
    host = f", recorded on {m.host}" if m.host and m.host.casefold() != v.name.casefold() else ""
    clock = (
        f", by the server's clock ({_utc_offset(m.utc_bias_min)})"
        if m.utc_bias_min is not None
        else ""
    )
    when = _log_days(m.first, m.last, m.interval_s or 0.0)
    return (
        f"{v.name} is sized from its own Performance Monitor log of {when}{host}: "
        f"{m.days or 0.0:,.1f} days of {_interval(m.interval_s or 0.0)} samples "
        f"({m.samples:,} samples, {missed}){clock}."
    )


# --- the write load, measured and by profile ----------------------------------------------------


class WriteLoad(NamedTuple):
    """A server's writes in each clock hour 0–23, by kind. [MiB/h]"""

    logs: tuple[float, ...]
    db: tuple[float, ...]
    gos: tuple[float, ...]
    gos_assumed: bool
    """The guest-OS writes are the assumption, not measured."""

    @property
    def total(self) -> npt.NDArray[np.float64]:
        """Logs + database + guest-OS writes in each hour. [MiB/h]"""
        return np.add(np.add(self.logs, self.db), self.gos)

    @property
    def busiest_hours(self) -> list[int]:
        """The clock hours with the most writes (several when they are equal)."""
        total = self.total
        return [int(h) for h in np.flatnonzero(total >= total.max() * (1 - EQUAL_FRACTION))]


def write_loads(design: Design, v: ServerSizing) -> tuple[WriteLoad, WriteLoad]:
    """A measured server's writes by its profile and as measured, today. [MiB/h]"""
    m = v.measured
    assert m is not None
    assumed = (design.a.gos_write_mib_per_h,) * H_PER_DAY
    profile = WriteLoad(m.profile_log_mib_h, m.profile_db_write_mib_h, assumed, True)
    gos = m.gos_write_mib_h
    measured = WriteLoad(m.log_mib_h, m.db_write_mib_h, gos or assumed, gos is None)
    return profile, measured


def _load_column(load: WriteLoad) -> list[str]:
    """One column of the comparison table, as the rows of :func:`load_rows` read."""
    hours = load.busiest_hours
    peak = float(load.total[hours[0]])
    gos = f"{sum(load.gos):,.0f}" + (" (assumed)" if load.gos_assumed else "")
    return [
        f"{sum(load.logs):,.0f}",
        f"{sum(load.db):,.0f}",
        gos,
        names([clock_hours(h) for h in hours]),
        f"{peak:,.0f}",
        f"{float(mib_per_h_to_mbps(peak)):,.1f}",
    ]


LOAD_ROWS = (
    "Logs (MiB a day)",
    "Database writes (MiB a day)",
    "Guest-OS writes (MiB a day)",
    "Busiest hour",
    "Writes in the busiest hour (MiB)",
    "Busiest hour's mean rate (Mbit/s)",
    "Burst factor",
)


def load_rows(design: Design, v: ServerSizing, m: Measurement | None) -> list[list[object]]:
    """The comparison table's rows: each quantity by the profile and as measured."""
    profile, measured = write_loads(design, v)
    origin = design.burst_origin
    profile_burst = (
        f"{design.a.burst_factor:,.2f} (set in the scenario)"
        if origin.given
        else f"{_default_burst_factor():,.2f} (assumed)"
    )
    own = m.burst_factor if m is not None else None
    columns = zip(
        [*_load_column(profile), profile_burst],
        [*_load_column(measured), "–" if own is None else f"{own:,.2f}"],
        strict=True,
    )
    return [[row, p, x] for row, (p, x) in zip(LOAD_ROWS, columns, strict=True)]


# --- the figure -----------------------------------------------------------------------------------


def measured_by_hour(design: Design, v: ServerSizing) -> go.Figure:
    """A measured server's writes in each clock hour, stacked by kind, against its profile's."""
    profile, measured = write_loads(design, v)
    hours = list(range(H_PER_DAY))
    fig = go.Figure()
    kinds = {
        "logs": measured.logs,
        "database writes": measured.db,
        "guest-OS writes": measured.gos,
    }
    for kind, values in kinds.items():
        if kind == "guest-OS writes" and measured.gos_assumed and not any(values):
            continue  # no guest-OS writes measured nor assumed: nothing to stack
        fig.add_bar(
            x=hours,
            y=list(values),
            name=f"measured {kind}"
            + (" (assumed)" if kind.startswith("guest") and measured.gos_assumed else ""),
            marker_color=MEASURED_COLOURS[kind],
        )
    fig.add_scatter(
        x=hours,
        y=profile.total.tolist(),
        mode="lines+markers",
        name=f"{glossary.profile(v.profile)} profile, all writes",
        line={"color": PROFILE_COLOUR, "width": 2},
        marker={"size": 5, "color": PROFILE_COLOUR},
    )
    title = wrap(f"{v.name}: measured and profile writes by hour", TITLE_CHARS)
    lines = title.count("<br>") + 1
    fig.update_layout(
        barmode="stack",
        title=title,
        xaxis={"title": "hour of the day (server's clock)", "dtick": 2, "range": [-0.5, 23.5]},
        yaxis={"title": "writes [MiB/h]", "rangemode": "tozero", "tickformat": ",.0f"},
        **{
            **LAYOUT,
            "margin": {
                **LAYOUT["margin"],
                "t": max(LAYOUT["margin"]["t"], TITLE_TOP_PX + TITLE_LINE_PX * lines + 16),
                "b": FIGURE_BOTTOM_PX,
            },
            # stacked bars list top-down by default: logs first, as they stack
            "legend": {**LAYOUT["legend"], "traceorder": "normal"},
        },
    )
    m = v.measured
    assert m is not None
    over = (
        "each clock hour's mean over the days of the log"
        if m.kind == "perfmon"
        else "the hourly log counts"
    )
    note(
        fig,
        f"Measured: {over}, at {v.users:,.0f} mailboxes; the profile: {v.users:,.0f} "
        f"{glossary.profile(v.profile)} mailboxes over the daily activity profile, its database "
        f"writes with the {design.a.iops_headroom_fraction:,.0%} IOPS headroom (Method §2).",
    )
    return fig


# --- the section ----------------------------------------------------------------------------------


def _server(b: Book, design: Design, v: ServerSizing) -> list[Html]:
    """One measured server: its coverage, its load against its profile's, and the figure."""
    m = design.measurements.get(v.name)
    text = coverage_sentence(design, v, m)
    writes = v.measured
    assert writes is not None
    server = next((s for s in design.scenario.servers if s.name == v.name), None)
    volumes = server.measured.gos_volumes if server and server.measured else []
    if writes.gos_write_mib_h is None:
        text += (
            f" Its guest-OS writes are not measured: they are assumed at "
            f"{design.a.gos_write_mib_per_h:,g} MiB an hour."
        )
    elif volumes:
        which = "volume" if len(volumes) == 1 else "volumes"
        text += f" Its guest-OS writes are those to {which} {names(volumes)} in the same log."
    profile = glossary.profile(v.profile)
    return [
        paragraph(text),
        b.table(
            f"Measured and profile write load of {v.name}",
            [Col(""), Col("Profile"), Col("Measured")],
            load_rows(design, v, m),
            source=(
                f"Profile: {v.users:,.0f} {profile} mailboxes, database writes with the "
                f"{design.a.iops_headroom_fraction:,.0%} IOPS headroom; measured: what the server "
                "wrote. The busiest hour has the most writes of logs, database and guest OS "
                "together."
            ),
        ),
        b.figure(measured_by_hour(design, v), f"Measured and profile writes of {v.name} by hour"),
    ]


def measured_section(b: Book, design: Design) -> list[Html]:
    """The write load of the servers sized from their measurements; nothing when none is."""
    servers = [v for v in design.servers if v.measured is not None]
    if not servers:
        return []
    delta = "" if design.is_sync else ", the MirrorView/A delta sets"
    parts = [
        b.h2("Measured write load"),
        paragraph(
            "A server measured by the customer is sized from its own writes, not from its "
            "mailbox profile: the mean of each clock hour of the measurement, scaled with the "
            f"server's mailboxes, replaces the profile's in the link's load{delta} and the "
            "resynchronisation after a link outage. Its database IOPS and LUN sizes stay the "
            "profile's (Method §2)."
        ),
    ]
    for v in servers[:MAX_DETAILED]:
        parts += _server(b, design, v)
    if len(servers) > MAX_DETAILED:
        parts.append(_summary(b, design, servers))
    return parts


MAX_DETAILED = 3
"""Measured servers shown in detail (coverage, table, figure); with more, every measured server
is summarised in one table (a design of thousands of measured servers stays a document)."""


def _summary(b: Book, design: Design, servers: Sequence[ServerSizing]) -> Html:
    """Every measured server in one row: what it was measured with, and its day's writes."""
    rows: list[list[object]] = []
    for v in servers:
        m = design.measurements.get(v.name)
        w = v.measured
        assert w is not None
        rows.append(
            [
                v.name,
                "Performance Monitor log" if w.kind == "perfmon" else "hourly log counts",
                None if m is None or m.days is None else m.days,
                None if m is None else m.samples,
                sum(w.log_mib_h),
                sum(w.db_write_mib_h),
                None if m is None or m.burst_factor is None else m.burst_factor,
            ]
        )
    return join(
        paragraph(
            f"The {len(servers):,} measured servers, the first {MAX_DETAILED} shown above in "
            "detail: what each was measured with and what it writes in a day."
        ),
        b.table(
            "Measured servers",
            [
                Col("Server"),
                Col("Measured by"),
                Col("Days", 1),
                Col("Samples", 0),
                Col("Logs (MiB a day)", 0),
                Col("Database writes (MiB a day)", 0),
                Col("Burst factor", 2),
            ],
            rows,
            complete_in="file of sizing figures, sizing.json",
        ),
    )


# --- the burst factor -----------------------------------------------------------------------------


def burst_sentence(design: Design) -> str:
    """Where the link's burst factor comes from, in one sentence for the replication section."""
    origin = design.burst_origin
    value = design.a.burst_factor
    logs = [n for n, m in design.measurements.items() if m.kind == "perfmon"]
    window = f"{design.a.burst_window_s:,g}-second"
    head = f"The busiest hour's mean rate is multiplied by a burst factor of {value:,.2f}"
    if origin.source == "measured":
        whose = (
            f"{logs[0]}'s Performance Monitor log: its highest {window} mean write rate over "
            "the mean of its busiest hour"
            if len(logs) == 1
            else f"the Performance Monitor logs of {names(logs)}, added on one clock: their "
            f"highest {window} mean write rate over the mean of their busiest hour"
        )
        return f"{head}, measured from {whose} (Method §2)."
    if origin.source == "scenario":
        gives = (
            f" (the measured logs give {origin.measured:,.2f})"
            if origin.measured is not None
            else ""
        )
        return f"{head}, set in the scenario{gives}."
    return (
        f"{head}: the hourly figures assume no shorter bursts; a Performance Monitor log of the "
        "servers would measure them (Method §2)."
    )
