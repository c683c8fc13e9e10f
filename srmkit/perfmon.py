"""A server's measured writes: Performance Monitor logs and hourly log counts (Method §2, a
measured profile).

Two kinds of file replace a mailbox server's profile by its own measurements:

- a Performance Monitor log exported by ``relog LOG.blg -f csv -o OUT.csv`` (:func:`read_perfmon`):
  the transaction log bytes (``Log Bytes Write/sec``) and database page writes (``I/O Database
  Writes/sec``) of every ``MSExchange Database ==> Instances`` instance, and optionally the
  guest-OS volumes' ``LogicalDisk(…)\\Disk Write Bytes/sec``. They give the hourly volumes and the
  burst factor of the server;
- a table ``hour,logs`` of the mean transaction logs written in each clock hour
  (:func:`read_log_counts`): the hourly log volumes only.

The rules, for each counter (instances summed) and for the total (log + database + guest OS):

- **hourly volume** of clock hour h (the server's local clock, as logged): the mean rate of the
  valid samples stamped in that hour, over all days, × 3,600 s, in MiB. A sample is the mean over
  the interval ending at its timestamp and counts in the hour of its timestamp. A sample with a
  blank value in any counter used is a gap, left out of every mean. Every hour of the day needs a
  valid sample;
- **burst factor**: the highest mean of the total rate over ``w = max(1, round(burst window ÷
  median interval))`` consecutive samples, ÷ the highest hourly mean of the total rate, and at
  least 1 (:func:`burst_factor`). A window holding a gap, or spanning a break (a step longer than
  1.5 × the median interval: the log stopped, or was sampled more slowly there), does not count.

Files are read as streams, keeping only the columns used, as floats; UTF-8 (with or without a
byte-order mark) and UTF-16 both read. Every problem raises :class:`MeasurementError`, located by
the name the scenario gave the file, its line and column: what was found and what was expected.
Nothing is guessed.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime
import math
import operator
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from srmkit.errors import EXIT_INVALID, SrmkitError
from srmkit.units import (
    H_PER_DAY,
    SECONDS_PER_DAY,
    SECONDS_PER_H,
    SECONDS_PER_MIN,
    bytes_per_s_to_mib_per_h,
    clock_hour,
    kib_to_bytes,
    min_to_s,
    s_to_days,
    s_to_ms,
)

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

MAX_FILE_BYTES = 200_000_000
"""A measurement file is at most 200 MB, checked before reading."""
MAX_ROWS = 5_000_000
"""A Performance Monitor log has at most 5,000,000 samples (58 days at 1 s)."""
BREAK_FACTOR = 1.5
"""A step between consecutive samples longer than this × the median interval is a break in the
log (it stopped, or was sampled more slowly there): no burst window spans it. [factor]"""
MAX_GRID_POINTS = 10_000_000
"""At most this many points on the common grid of :func:`summed_burst_factor` (a coarser step
beyond: 116 days at 1 s)."""
CHUNK_ROWS = 16_384
"""Rows parsed between two vectorised checks of their values (bounds the reader's memory)."""

EXCHANGE_OBJECT = "MSExchange Database ==> Instances"
LOG_COUNTER = "Log Bytes Write/sec"
DB_COUNTER = "I/O Database Writes/sec"
DISK_OBJECT = "LogicalDisk"
DISK_COUNTER = "Disk Write Bytes/sec"
TIMESTAMP_FORMAT = "MM/DD/YYYY HH:MM:SS.mmm"
HEADER_FORMAT = "(PDH-CSV 4.0) (<time zone>)(<bias in minutes>)"
SHRINK_HINT = "relog FILE -f csv -t N -o OUT.csv keeps every Nth sample"
LOG_COUNTS_HEADER = ("hour", "logs")

_CLOCK_CHANGE = (
    "A change to or from daylight saving time repeats an hour of the local clock: export the "
    "days on either side of it separately (relog -b/-e), or another period"
)
_HEADER = re.compile(r"\(PDH-CSV 4\.0\) *\((?P<zone>.*)\) *\((?P<bias>[+-]?\d+(?:\.\d+)?)\)")
_MINUTE = re.compile(r"(\d\d)/(\d\d)/(\d{4}) ([01]\d|2[0-3]):([0-5]\d):")
_SECONDS = re.compile(r"[0-5]\d(?:\.\d{1,3})?")
_HOUR = re.compile(r"\d{1,2}")
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_MARK_ERRORS = "srmkit.perfmon.mark"
_MARK = "\udcff"  # a lone surrogate: strict UTF-8 and UTF-16 decoding never yield one


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the bytes that do not decode become one marker."""
    assert isinstance(error, UnicodeDecodeError)
    return _MARK, error.end


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


class MeasurementError(SrmkitError, ValueError):
    """A measurement file that cannot be used, located as ``file:line:column`` (1-based; line and
    column are None for a problem of the whole file), with the value found and a message saying
    what was expected. ``file`` is the name the scenario gave, never the absolute path."""

    exit_code = EXIT_INVALID

    def __init__(
        self, file: str, line: int | None, column: int | None, value: str, message: str
    ) -> None:
        self.file, self.line, self.column = file, line, column
        self.value = value if len(value) <= 120 else value[:119] + "…"
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        value = f" {self.value}:" if self.value else ""
        return f"{':'.join(where)}:{value} {self.message}"

    def __reduce__(self) -> tuple[type[MeasurementError], tuple[object, ...]]:
        return type(self), (self.file, self.line, self.column, self.value, self.message)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {k: getattr(self, k) for k in ("file", "line", "column", "value", "message")}


@dataclasses.dataclass(frozen=True, eq=False)
class Measurement:
    """A server's measured writes, read from one file (Method §2, a measured profile).

    Hourly volumes are MiB written in each clock hour 0–23 of the server's local clock; the arrays
    are read-only.
    """

    source: str
    """The file as the scenario named it (shown to users)."""
    kind: Literal["perfmon", "log_counts"]
    host: str | None
    """Perfmon: the computer whose counters were used, as the log spells it."""
    samples: int
    """Data rows read (perfmon), 24 (log counts)."""
    gaps: int
    """Samples with a blank value in a counter used (left out of every mean)."""
    first: datetime.datetime | None
    """The first sample, local clock as logged (naive); None for log counts."""
    last: datetime.datetime | None
    days: float | None
    """``(last − first + interval) ÷ 1 day``; None for log counts. [days]"""
    interval_s: float | None
    """The median interval between consecutive samples. [s]"""
    utc_bias_min: float | None
    """The header's bias: UTC = local + bias. [min]"""
    log_mib_h: tuple[float, ...]
    """Transaction log writes in each clock hour. [MiB/h, 24 values]"""
    db_write_mib_h: tuple[float, ...] | None
    """Database page writes × page size in each clock hour; None for log counts. [MiB/h]"""
    gos_write_mib_h: tuple[float, ...] | None
    """Guest-OS volume writes in each clock hour; None when no volume was asked. [MiB/h]"""
    burst_factor: float | None
    """Peak burst-window mean ÷ peak hourly mean of the total rate, ≥ 1; None for log counts."""
    times_utc_s: FloatArray | None
    """Each sample's time (gaps included), seconds since the epoch, UTC (bias applied). [s]"""
    rate_bytes_per_s: FloatArray | None
    """Each sample's total write rate (log + database + guest OS); NaN for a gap. [bytes/s]"""


# --- the rules ---------------------------------------------------------------------------------


def window_samples(burst_window_s: float, interval_s: float) -> int:
    """Consecutive samples in a burst window: ``max(1, round(window ÷ interval))`` (1 when the
    interval is unknown). [samples]

    >>> window_samples(60, 15), window_samples(60, 40), window_samples(10, 15)
    (4, 2, 1)
    """
    if not interval_s > 0 or not math.isfinite(interval_s):
        return 1
    return max(1, round(burst_window_s / interval_s))


def hourly_mean_rates(rate: npt.ArrayLike, hour_of_day: npt.ArrayLike) -> FloatArray:
    """The mean of the valid (not NaN) values stamped in each clock hour 0–23; NaN for an hour
    without one. [unit of ``rate``, 24 values]

    >>> hourly_mean_rates([1.0, 3.0, float("nan"), 7.0], [0, 0, 1, 23])[[0, 1, 23]].tolist()
    [2.0, nan, 7.0]
    """
    r = np.asarray(rate, dtype=float)
    hours = np.asarray(hour_of_day).astype(np.intp)
    valid = ~np.isnan(r)
    if not valid.any():
        return np.full(H_PER_DAY, np.nan)
    r, hours = r[valid], hours[valid]
    ref = r[0]  # summed as differences from one sample: a constant rate's mean is exact
    sums = np.bincount(hours, weights=r - ref, minlength=H_PER_DAY)
    counts = np.bincount(hours, minlength=H_PER_DAY)
    return np.where(counts > 0, ref + sums / np.maximum(counts, 1), np.nan)


def peak_window_rate(
    times_s: npt.ArrayLike, rate: npt.ArrayLike, burst_window_s: float
) -> float | None:
    """The highest mean of ``rate`` over :func:`window_samples` consecutive samples (the window
    from the median interval of ``times_s``); a window holding a NaN (a gap) or spanning a break
    (a step longer than ``BREAK_FACTOR`` × the median interval) does not count. None when no
    window counts. [unit of ``rate``]

    >>> peak_window_rate([0, 15, 30, 45, 60], [1.0, 5.0, 3.0, float("nan"), 9.0], 30)
    4.0
    """
    t = np.asarray(times_s, dtype=float)
    r = np.asarray(rate, dtype=float)
    n = r.size
    interval_s = float(np.median(np.diff(t))) if n > 1 else math.nan
    w = window_samples(burst_window_s, interval_s)
    if n < w:
        return None
    bad = np.isnan(r)
    first = int(np.argmin(bad))  # sums of differences from the first valid sample: a constant
    ref = 0.0 if bad[first] else float(r[first])  # rate's are exact
    total = _prefix_sums(np.where(bad, 0.0, r - ref), np.float64)
    gaps = _prefix_sums(bad, np.int32)
    steps = np.diff(t, prepend=t[:1]) > BREAK_FACTOR * interval_s  # step into each sample
    breaks = _prefix_sums(steps, np.int32)
    # Window e = samples [e − w, e) for e = w … n, as slices (no index arrays).
    counts = (gaps[w:] == gaps[: n + 1 - w]) & (breaks[w:] == breaks[1 : n + 2 - w])
    if not counts.any():
        return None
    sums = total[w:] - total[: n + 1 - w]
    return float(ref + sums[counts].max() / w)


def _prefix_sums(x: npt.NDArray[Any], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """``[0, x0, x0 + x1, …]``: n + 1 sums, so that a window's sum is a difference."""
    out = np.zeros(x.size + 1, dtype=dtype)
    np.cumsum(x, out=out[1:])
    return out


def burst_factor(
    times_s: npt.ArrayLike,
    rate_bytes_per_s: npt.ArrayLike,
    hour_of_day: npt.ArrayLike,
    burst_window_s: float,
) -> float:
    """A server's burst factor: the highest mean of its total write rate over a burst window
    (:func:`peak_window_rate`) ÷ its highest hourly mean rate (:func:`hourly_mean_rates`, by the
    given clock hours), and at least 1: the peak hour's mean is itself a rate held for an hour, so
    a design never sizes a burst below it. [factor]

    The raw ratio is ≥ 1 when the window ≤ 1 h, the interval is regular, an hour's samples divide
    into whole windows and nothing is missing (an hour is then a union of windows, and a mean is
    at most its largest part); otherwise it can fall below 1 (e.g. rates 10, 0, 10 in an hour
    with a two-sample window: windows of 5, an hour of 6.7), and 1 is returned. A log without
    writes (peak hour 0) has a factor of 1. Raises ValueError when no window counts.

    >>> burst_factor([0, 15, 30, 45], [2.0, 6.0, 2.0, 2.0], [0, 0, 0, 0], 30)
    1.3333333333333333
    """
    means = hourly_mean_rates(rate_bytes_per_s, hour_of_day)
    means = means[~np.isnan(means)]
    peak_rate = peak_window_rate(times_s, rate_bytes_per_s, burst_window_s)
    if peak_rate is None or not means.size:
        raise ValueError(
            "no burst window of consecutive samples without a gap or a break: the burst "
            "factor cannot be measured"
        )
    peak_hour_rate = float(means.max())
    if peak_hour_rate <= 0:
        return 1.0
    return max(1.0, peak_rate / peak_hour_rate)


def summed_burst_factor(measurements: Sequence[Measurement], burst_window_s: float) -> float | None:
    """The burst factor of several measured servers' writes together, as one link carries them.

    Only Performance Monitor measurements count (log counts have no bursts): none gives None, one
    its own :attr:`Measurement.burst_factor`. For several, their total rates are summed in UTC:
    each server's rate is a step function (a sample's value holds over the interval ending at its
    timestamp), evaluated on a common grid whose step is the smallest median interval, over the
    span every server covers (the intersection of their [first, last] in UTC). A grid point where
    any server is in a gap (or in a break of its log, longer than ``BREAK_FACTOR`` × its median
    interval) is left out: out of the hourly means, and no window holds it. Then the rule of
    :func:`burst_factor`: rolling windows over consecutive grid points, hourly means by UTC clock
    hour. When the spans do not overlap (no grid point) or no window counts, the highest of the
    servers' own factors. Beyond ``MAX_GRID_POINTS`` the step grows to keep the grid within it.
    [factor]
    """
    logs = [m for m in measurements if m.kind == "perfmon"]
    if not logs:
        return None
    own = [_perfmon_parts(m)[3] for m in logs]
    if len(logs) == 1:
        return own[0]
    start = max(float(_perfmon_parts(m)[0][0]) for m in logs)
    end = min(float(_perfmon_parts(m)[0][-1]) for m in logs)
    step = min(_perfmon_parts(m)[2] for m in logs)
    if end < start:
        return max(own)
    step = max(step, (end - start) / (MAX_GRID_POINTS - 1))
    grid = start + step * np.arange(math.floor((end - start) / step + 1e-9) + 1, dtype=float)
    total = np.zeros(grid.size)
    for m in logs:
        total += _step_values(m, grid, step)
    try:
        return burst_factor(grid, total, clock_hour(grid), burst_window_s)
    except ValueError:
        return max(own)


def _perfmon_parts(m: Measurement) -> tuple[FloatArray, FloatArray, float, float]:
    """A perfmon measurement's times (UTC), rates, interval and burst factor."""
    t, r, interval_s, factor = m.times_utc_s, m.rate_bytes_per_s, m.interval_s, m.burst_factor
    if t is None or r is None or interval_s is None or factor is None:
        raise ValueError(f"{m.source}: not a Performance Monitor measurement")
    return t, r, interval_s, factor


def _step_values(m: Measurement, grid: FloatArray, step_s: float) -> FloatArray:
    """A server's total rate at each grid time: the sample whose interval (ending at its
    timestamp) holds it; NaN in a gap or a break. [bytes/s]"""
    t, r, interval_s, _ = _perfmon_parts(m)
    # A grid time a hair past a sample's timestamp (float round-off) is that sample's.
    i = np.minimum(np.searchsorted(t, grid - step_s * 1e-6, side="left"), t.size - 1)
    before = np.where(i > 0, t[np.maximum(i - 1, 0)], t[i] - interval_s)
    return np.where(t[i] - before > BREAK_FACTOR * interval_s, np.nan, r[i])


# --- reading files -------------------------------------------------------------------------------


def _encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: UTF-16 by its byte-order mark or its
    zero bytes (ASCII text in UTF-16), else UTF-8 with or without a byte-order mark.

    >>> _encoding(b"\\xff\\xfe(\\x00"), _encoding(b"(\\x00P\\x00"), _encoding(b'"(PD')
    ('utf-16', 'utf-16-le', 'utf-8-sig')
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    return "utf-8-sig"


class _Rows(Protocol):
    """A csv reader: rows, and the number of physical lines read so far."""

    line_num: int

    def __iter__(self) -> _Rows: ...

    def __next__(self) -> list[str]: ...


def _whole(source: str, message: str) -> MeasurementError:
    """A problem of the whole file (no line)."""
    return MeasurementError(source, None, None, "", message)


def _read_csv(path: Path, source: str, hint: str, read: Callable[[_Rows, str], T]) -> T:
    """Check the file, open it as text and run ``read`` over its rows (a csv reader) and its
    encoding, turning read errors into :class:`MeasurementError`. ``hint`` says how to shrink a
    file too large."""

    def fail(line: int | None, message: str) -> MeasurementError:
        return MeasurementError(source, line, None, "", message)

    try:
        if path.is_dir():
            raise fail(None, "is a folder; expected a CSV file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = f"more than the {MAX_FILE_BYTES:,} srmkit reads"
            raise fail(None, f"the file has {size:,} bytes, {limit}; {hint}")
        if size == 0:
            raise fail(None, "the file is empty; expected a CSV file with a header and rows")
        with path.open("rb") as raw:
            encoding = _encoding(raw.read(4))
        with path.open(encoding=encoding, newline="") as text:
            reader = csv.reader(text)
            try:
                return read(reader, encoding)
            except UnicodeDecodeError:
                pass
            except csv.Error as error:
                raise fail(reader.line_num, f"not readable as CSV ({error})") from None
    except FileNotFoundError:
        raise fail(None, "the file does not exist") from None
    except OSError as error:
        raise fail(None, f"the file cannot be read ({error.strerror or error})") from None
    raise fail(
        _undecodable_line(path, encoding),
        f"bytes that are not {encoding.removesuffix('-sig').upper()} text; expected a CSV file "
        "in UTF-8 or UTF-16 as relog writes",
    )


def _undecodable_line(path: Path, encoding: str) -> int:
    """The first line holding bytes that do not decode."""
    with path.open(encoding=encoding, errors=_MARK_ERRORS, newline="") as text:
        for number, line in enumerate(text, 1):
            if _MARK in line:
                return number
    return 1  # pragma: no cover - only reached when the file changed since


def _cell(path: Path, encoding: str, line: int, column: int) -> str:
    """The text of a cell, read again (only to show a value already found wrong)."""
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        for row in reader:
            if reader.line_num >= line:
                return row[column - 1] if len(row) >= column else ""
    return ""  # pragma: no cover - only reached when the file changed since


def _hours_text(hours: Iterable[int]) -> str:
    """Clock hours as ``03:00–04:00, 05:00–06:00``."""
    return ", ".join(f"{h:02d}:00–{(h + 1) % H_PER_DAY:02d}:00" for h in hours)


# --- Performance Monitor CSV: the header -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Counter:
    """One column of the header: ``\\\\host\\object(instance)\\counter``."""

    column: int  # 0-based
    host: str
    obj: str
    instance: str  # "" for none
    name: str

    def key(self) -> tuple[str, ...]:
        """The counter's identity (PDH names are case-insensitive)."""
        return tuple(s.casefold() for s in (self.host, self.obj, self.instance, self.name))

    def is_a(self, obj: str, name: str) -> bool:
        """Whether it is counter ``name`` of object ``obj`` (any instance, any case)."""
        return self.obj.casefold() == obj.casefold() and self.name.casefold() == name.casefold()


def _counter(column: int, text: str) -> _Counter | None:
    """The counter path of a header cell; None if it is not one. Instance names may hold
    parentheses, slashes and backslashes (mount points); counter names hold no backslash.

    >>> _counter(3, r"\\\\MBX1\\LogicalDisk(C:\\Mount (SG1))\\Disk Write Bytes/sec")
    _Counter(column=3, host='MBX1', obj='LogicalDisk', instance='C:\\\\Mount (SG1)', \
name='Disk Write Bytes/sec')
    """
    if not text.startswith("\\\\"):
        return None
    host, sep, rest = text[2:].partition("\\")
    head, sep2, name = rest.rpartition("\\")
    if not (host and sep and sep2 and head and name):
        return None
    obj, paren, instance = head.partition("(")
    if paren and instance.endswith(")"):
        return _Counter(column, host, obj, instance[:-1], name)
    return _Counter(column, host, head, "", name)


class _Columns(NamedTuple):
    """The columns a perfmon log is read from (0-based), by counter, and whose they are."""

    host: str
    log: tuple[int, ...]
    db: tuple[int, ...]
    gos: tuple[int, ...]


def _wanted(c: _Counter, volumes: Sequence[str]) -> bool:
    """Whether srmkit reads the counter: Exchange's two, or a volume asked (casefolded)."""
    return (
        c.is_a(EXCHANGE_OBJECT, LOG_COUNTER)
        or c.is_a(EXCHANGE_OBJECT, DB_COUNTER)
        or (c.is_a(DISK_OBJECT, DISK_COUNTER) and c.instance.casefold() in volumes)
    )


def _instances(counters: Sequence[_Counter], name: str) -> list[_Counter]:
    """The columns of an Exchange counter to sum: its instances without the totals (``_Total``,
    or a process's such as ``Information Store/_Total``); the ``_Total`` when there is no other
    (else the processes' totals)."""
    mine = [c for c in counters if c.is_a(EXCHANGE_OBJECT, name)]
    instances = [c for c in mine if c.instance.casefold().rpartition("/")[2] != "_total"]
    return instances or [c for c in mine if c.instance.casefold() == "_total"] or mine


def _columns(
    header: list[str], source: str, host: str | None, gos_volumes: Sequence[str]
) -> _Columns:
    """The columns to read for ``host`` (or the one computer the log's counters come from)."""

    def fail(column: int, message: str) -> MeasurementError:
        return MeasurementError(source, 1, column + 1, header[column], message)

    volumes = list(dict.fromkeys(v.casefold() for v in gos_volumes))
    counters = [c for k, text in enumerate(header) if k and (c := _counter(k, text))]
    wanted = [c for c in counters if _wanted(c, volumes)]
    hosts = {c.host.casefold(): c for c in reversed(wanted)}  # each host's first counter
    if host is None and len(hosts) > 1:
        second = sorted(hosts.values(), key=lambda c: c.column)[1]
        names = ", ".join(sorted(c.host for c in hosts.values()))
        message = f"the log holds the counters of several computers ({names}); name the one to "
        raise fail(second.column, message + "use with host:")
    chosen = host if host is not None else next(iter(hosts.values())).host if hosts else None
    mine = [c for c in wanted if chosen is not None and c.host.casefold() == chosen.casefold()]
    seen: dict[tuple[str, ...], int] = {}
    for c in mine:
        if (other := seen.setdefault(c.key(), c.column)) != c.column:
            raise fail(c.column, f"the counter is also in column {other + 1}; expected it once")
    disks = [(c.instance.casefold(), c) for c in mine if c.is_a(DISK_OBJECT, DISK_COUNTER)]
    needed = [
        (f"{EXCHANGE_OBJECT}(*)\\{LOG_COUNTER}", _instances(mine, LOG_COUNTER)),
        (f"{EXCHANGE_OBJECT}(*)\\{DB_COUNTER}", _instances(mine, DB_COUNTER)),
    ]
    for v in dict.fromkeys(gos_volumes):
        found = [c for name, c in disks if name == v.casefold()]
        needed.append((f"{DISK_OBJECT}({v})\\{DISK_COUNTER}", found))
    for what, found in needed:
        if not found:
            missing = _missing_message(counters, chosen, gos_volumes)
            raise MeasurementError(source, 1, None, f"\\\\{chosen or '*'}\\{what}", missing)
    (_, log), (_, db) = needed[:2]
    gos = sorted({c.column for _, found in needed[2:] for c in found})
    return _Columns(
        log[0].host, tuple(c.column for c in log), tuple(c.column for c in db), tuple(gos)
    )


def _missing_message(counters: Sequence[_Counter], host: str | None, volumes: Sequence[str]) -> str:
    """A missing counter's message: the counters to export, with relog."""
    who = host or "*"
    paths = [f"\\\\{who}\\{EXCHANGE_OBJECT}(*)\\{n}" for n in (LOG_COUNTER, DB_COUNTER)]
    paths += [f"\\\\{who}\\{DISK_OBJECT}({v})\\{DISK_COUNTER}" for v in dict.fromkeys(volumes)]
    computers = sorted({c.host for c in counters}, key=str.casefold)
    found = f" (its computers: {', '.join(computers)})" if computers else ""
    return (
        f"the log has no such counter{found}; export the log with it: relog LOG.blg -c "
        + " ".join(f'"{p}"' for p in paths)
        + " -f csv -o OUT.csv"
    )


# --- Performance Monitor CSV: the samples ------------------------------------------------------


class _Samples:
    """The used columns of a perfmon log's rows, parsed row by row into flat floats and checked,
    summed by counter, a chunk of ``CHUNK_ROWS`` rows at a time."""

    def __init__(
        self, source: str, path: Path, encoding: str, columns: _Columns, width: int
    ) -> None:
        self.source, self.path, self.encoding = source, path, encoding
        self.columns, self.width = columns, width
        self.order = columns.log + columns.db + columns.gos  # the reading order
        self.times = array("d")  # local clock, seconds since 1970-01-01 00:00
        self.values = array("d")  # the chunk's used cells, row after row
        self.lines = array("q")  # the chunk's line numbers
        self.gap_rows: list[int] = []  # the chunk's rows with a blank
        self.sums: dict[str, list[FloatArray]] = {"log": [], "db": [], "gos": []}
        self.gaps = 0

    def read(self, rows: _Rows) -> None:
        """Read every data row (the header already read). The loop is the reader's hot path:
        one slice compare and two float() per row besides the used values."""
        width, limit, getter = self.width, MAX_ROWS, operator.itemgetter(*self.order)
        values, seconds = self.values, _SECONDS.fullmatch
        extend, add_line, add_time = values.extend, self.lines.append, self.times.append
        prefix, minute_s, previous_s, previous = "", 0.0, -math.inf, ""
        count = chunk = 0
        too_many = f"more than {limit:,} samples, the most srmkit reads; {SHRINK_HINT}"
        columns = f"columns; expected {width} as the header"
        for row in rows:
            if len(row) != width:
                if not row:
                    continue  # an empty line
                raise self._error(rows.line_num, None, "", f"{len(row)} {columns}")
            stamp = row[0]
            if stamp[:17] != prefix:
                minute_s, prefix = self._minute_s(stamp, rows.line_num), stamp[:17]
            if seconds(stamp, 17) is None:
                raise self._stamp_error(stamp, rows.line_num)
            time_s = minute_s + float(stamp[17:])
            if time_s <= previous_s:
                raise self._order_error(stamp, previous, rows.line_num)
            previous_s, previous = time_s, stamp
            count += 1
            if count > limit:
                raise self._error(rows.line_num, None, "", too_many)
            start = len(values)
            try:
                extend(map(float, getter(row)))
            except ValueError:
                del values[start:]
                self._row_with_blank(row, rows.line_num, chunk)
            add_time(time_s)
            add_line(rows.line_num)
            chunk += 1
            if chunk == CHUNK_ROWS:
                self._flush()
                chunk = 0
        self._flush()

    def _error(self, line: int | None, column: int | None, value: str, message: str) -> Exception:
        return MeasurementError(self.source, line, column, value, message)

    def _minute_s(self, stamp: str, line: int) -> float:
        """Seconds since 1970-01-01 00:00 of a timestamp's minute (``MM/DD/YYYY HH:MM:``)."""
        match = _MINUTE.match(stamp)
        if match is None:
            raise self._stamp_error(stamp, line)
        month, day, year, hour, minute = (int(g) for g in match.groups())
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            raise self._stamp_error(stamp, line) from None
        days = date.toordinal() - _EPOCH_ORDINAL
        return float(days * SECONDS_PER_DAY + hour * SECONDS_PER_H + minute * SECONDS_PER_MIN)

    def _stamp_error(self, stamp: str, line: int) -> Exception:
        return self._error(
            line, 1, stamp, f"not a time; expected {TIMESTAMP_FORMAT} (the server's local clock)"
        )

    def _order_error(self, stamp: str, previous: str, line: int) -> Exception:
        message = f"not later than the sample before ({previous}); expected samples in time order"
        return self._error(line, 1, stamp, f"{message}, each once. {_CLOCK_CHANGE}")

    def _row_with_blank(self, row: list[str], line: int, index: int) -> None:
        """A row whose used cells do not all parse: blanks are a gap; anything else is wrong."""
        gap = False
        for column in self.order:
            cell = row[column]
            if not cell.strip():
                gap = True
                self.values.append(math.nan)
                continue
            try:
                value = float(cell)
            except ValueError:
                raise self._value_error(line, column + 1, cell, negative=False) from None
            if not (0.0 <= value < math.inf):
                raise self._value_error(line, column + 1, cell, negative=value < 0)
            self.values.append(value)
        if gap:
            self.gap_rows.append(index)

    def _value_error(self, line: int, column: int, cell: str, *, negative: bool) -> Exception:
        negative_text = "a counter rate cannot be negative; expected a rate ≥ 0"
        number_text = 'not a number; expected a rate such as 1234.5, or a blank " " (missed)'
        return self._error(line, column, cell, negative_text if negative else number_text)

    def _flush(self) -> None:
        """Check the chunk's values (finite, ≥ 0, blanks aside) and keep each counter's sums."""
        n = len(self.lines)
        if not n:
            return
        v = np.array(self.values, dtype=float).reshape(n, len(self.order))
        gap = np.zeros(n, dtype=bool)
        gap[self.gap_rows] = True
        bad = ~((v >= 0.0) & (v < np.inf))
        bad[gap] = False
        if bad.any():
            row, k = (int(i) for i in np.argwhere(bad)[0])
            line, column = int(self.lines[row]), self.order[k] + 1
            cell = _cell(self.path, self.encoding, line, column)
            raise self._value_error(line, column, cell, negative=bool(v[row, k] < 0))
        log, db = len(self.columns.log), len(self.columns.db)
        split = np.split(v, [log, log + db], axis=1)  # views
        for name, part in zip(("log", "db", "gos"), split, strict=True):
            sums = part.sum(axis=1)
            sums[gap] = math.nan
            self.sums[name].append(sums)
        self.gaps += int(gap.sum())
        del self.values[:]
        del self.lines[:]
        self.gap_rows.clear()

    def counter(self, name: str) -> FloatArray:
        """A counter's sum over its columns, sample by sample (NaN for a gap); once (the
        chunks are let go)."""
        chunks = self.sums.pop(name)
        return np.concatenate(chunks) if chunks else np.zeros(0)


def read_perfmon(
    path: Path,
    source: str,
    *,
    burst_window_s: float,
    db_page_kib: float,
    host: str | None = None,
    gos_volumes: Sequence[str] = (),
) -> Measurement:
    """A Performance Monitor log exported as CSV by relog, read by the rules of this module.

    ``source`` names the file in messages. Log bytes are summed over the ``MSExchange Database
    ==> Instances`` instances (``_Total`` only when alone), database page writes likewise ×
    ``db_page_kib`` KiB, and the ``LogicalDisk`` volumes of ``gos_volumes`` (none: no guest-OS
    volume). With ``host``, only that computer's counters are used; without, the log's counters
    must come from one computer. Raises :class:`MeasurementError`.
    """

    def read(rows: _Rows, encoding: str) -> tuple[float, _Samples]:
        header = next(rows, None)
        if header is None:
            raise _whole(source, "the file is empty; expected a header")
        bias_min = _bias_min(header[0], source)
        columns = _columns(header, source, host, gos_volumes)
        samples = _Samples(source, path, encoding, columns, len(header))
        samples.read(rows)
        return bias_min, samples

    bias_min, samples = _read_csv(path, source, SHRINK_HINT, read)
    return _perfmon_measurement(samples, bias_min, burst_window_s, db_page_kib, bool(gos_volumes))


def _bias_min(cell: str, source: str) -> float:
    """The bias of the header's first cell, ``(PDH-CSV 4.0) (zone)(bias)``: UTC = local + bias.
    [min]"""
    match = _HEADER.fullmatch(cell.strip())
    if match is None:
        expected = f"expected {HEADER_FORMAT} as relog -f csv writes it"
        raise MeasurementError(
            source, 1, 1, cell, f"not a Performance Monitor CSV header; {expected}"
        )
    return float(match["bias"])


def _perfmon_measurement(
    samples: _Samples, bias_min: float, burst_window_s: float, db_page_kib: float, gos: bool
) -> Measurement:
    """The measurement of a log read: hourly volumes, burst factor, span."""
    source = samples.source
    times = np.frombuffer(samples.times, dtype=float)  # no copy: the reader is done
    if not times.size:
        raise _whole(source, "the log has a header but no samples")
    log = samples.counter("log")
    db = samples.counter("db")
    db *= kib_to_bytes(db_page_kib)
    guest = samples.counter("gos")
    total = log + db
    total += guest
    hours = clock_hour(times).astype(np.intp)
    means = hourly_mean_rates(total, hours)
    empty = [h for h in range(H_PER_DAY) if np.isnan(means[h])]
    if empty:
        raise _whole(
            source,
            f"no valid sample in {_hours_text(empty)}; expected the log to cover every hour of "
            "a day (at least a whole day of samples, without gaps filling an hour)",
        )
    interval_s = float(np.median(np.diff(times)))
    try:
        factor = burst_factor(times, total, hours, burst_window_s)
    except ValueError:
        w = window_samples(burst_window_s, interval_s)
        raise _whole(
            source,
            f"no {w} consecutive samples without a gap or a break; expected them for the burst "
            f"window of {burst_window_s:g} s",
        ) from None

    def hourly(rate: FloatArray) -> tuple[float, ...]:
        return tuple(float(x) for x in bytes_per_s_to_mib_per_h(hourly_mean_rates(rate, hours)))

    def moment(time_s: float) -> datetime.datetime:
        return _EPOCH + datetime.timedelta(milliseconds=round(s_to_ms(time_s)))

    times_utc = times + min_to_s(bias_min)
    for a in (times_utc, total):
        a.flags.writeable = False
    return Measurement(
        source=source,
        kind="perfmon",
        host=samples.columns.host,
        samples=int(times.size),
        gaps=samples.gaps,
        first=moment(float(times[0])),
        last=moment(float(times[-1])),
        days=float(s_to_days(float(times[-1] - times[0]) + interval_s)),
        interval_s=interval_s,
        utc_bias_min=bias_min,
        log_mib_h=hourly(log),
        db_write_mib_h=hourly(db),
        gos_write_mib_h=hourly(guest) if gos else None,
        burst_factor=factor,
        times_utc_s=times_utc,
        rate_bytes_per_s=total,
    )


# --- hourly log counts ---------------------------------------------------------------------------


def read_log_counts(path: Path, source: str, *, log_file_mib: float) -> Measurement:
    """A table ``hour,logs`` (24 rows, each clock hour 0–23 once, in any order; ``logs`` the mean
    transaction logs written in that hour, ≥ 0): hourly log volumes ``logs × log_file_mib``
    MiB. ``source`` names the file in messages. Raises :class:`MeasurementError`."""

    def read(rows: _Rows, encoding: str) -> list[float]:
        return _log_counts(rows, source)

    logs = _read_csv(path, source, "expected 24 rows", read)
    return Measurement(
        source=source,
        kind="log_counts",
        host=None,
        samples=H_PER_DAY,
        gaps=0,
        first=None,
        last=None,
        days=None,
        interval_s=None,
        utc_bias_min=None,
        log_mib_h=tuple(n * log_file_mib for n in logs),
        db_write_mib_h=None,
        gos_write_mib_h=None,
        burst_factor=None,
        times_utc_s=None,
        rate_bytes_per_s=None,
    )


def _log_counts(rows: _Rows, source: str) -> list[float]:
    """The logs of each clock hour 0–23, checked."""

    def fail(column: int | None, value: str, message: str) -> MeasurementError:
        return MeasurementError(source, rows.line_num, column, value, message)

    header = next(rows, None)
    if header is None:
        raise _whole(source, "the file is empty; expected hour,logs")
    cells = [c.strip().casefold() for c in header]
    if cells != list(LOG_COUNTS_HEADER):
        wrong = next((k for k, c in enumerate(cells) if k >= 2 or c != LOG_COUNTS_HEADER[k]), 1)
        found = header[wrong] if wrong < len(header) else ""
        raise fail(wrong + 1, found, "expected the header hour,logs")
    logs: dict[int, tuple[float, int]] = {}
    for row in rows:
        if not row:
            continue  # an empty line
        if len(logs) == H_PER_DAY:
            raise fail(None, "", "more than 24 rows; expected one per clock hour 0–23")
        if len(row) != 2:
            raise fail(None, "", f"{len(row)} columns; expected 2 (hour,logs)")
        hour_text, count_text = row[0].strip(), row[1].strip()
        if not _HOUR.fullmatch(hour_text) or int(hour_text) >= H_PER_DAY:
            raise fail(1, row[0], "not a clock hour; expected a whole number 0–23")
        hour = int(hour_text)
        if hour in logs:
            raise fail(1, row[0], f"hour {hour} again (line {logs[hour][1]}); expected each once")
        try:
            count = float(count_text)
        except ValueError:
            count = math.nan
        if not (0.0 <= count < math.inf):
            shown = "a count of logs cannot be negative" if count < 0 else "not a number"
            raise fail(2, row[1], f"{shown}; expected the mean logs written in the hour, ≥ 0")
        logs[hour] = (count, rows.line_num)
    missing = [h for h in range(H_PER_DAY) if h not in logs]
    if missing:
        raise _whole(source, f"no row for {_hours_text(missing)}; expected one per clock hour 0–23")
    return [logs[h][0] for h in range(H_PER_DAY)]
