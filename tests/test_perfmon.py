"""Measured writes (Method §2, a measured profile): Performance Monitor logs exported by relog and
hourly log counts, hand-worked; relog's quirks; every bad file located; the burst factor's rule."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srmkit import perfmon
from srmkit.errors import EXIT_INVALID, SrmkitError
from srmkit.perfmon import (
    Measurement,
    MeasurementError,
    burst_factor,
    hourly_mean_rates,
    peak_window_rate,
    read_log_counts,
    read_perfmon,
    summed_burst_factor,
)

START = datetime.datetime(2026, 3, 2)
EPOCH = datetime.datetime(1970, 1, 1)
MIB = 2**20
SG1 = "Information Store/First Storage Group"
SG2 = "Information Store/Second Storage Group"
Value = str | Callable[[datetime.datetime], str]


def path_of(name: str, instance: str | None = SG1, host: str = "MBX1", obj: str = "") -> str:
    """A counter path ``\\\\host\\object(instance)\\name`` (the Exchange object by default)."""
    obj = obj or "MSExchange Database ==> Instances"
    return f"\\\\{host}\\{obj}{f'({instance})' if instance is not None else ''}\\{name}"


LOG = path_of("Log Bytes Write/sec")
DB = path_of("I/O Database Writes/sec")
DISK_C = path_of("Disk Write Bytes/sec", "C:", obj="LogicalDisk")
CPU = path_of("% Processor Time", "_Total", obj="Processor")
# 1 MiB/s of logs and 128 pages/s × 8 KiB = 1 MiB/s of database writes: 3,600 MiB in each hour.
MINIMAL: dict[str, Value] = {LOG: "1048576", DB: "128"}


def stamp(t: datetime.datetime) -> str:
    """relog's timestamp: ``MM/DD/YYYY HH:MM:SS.mmm``, local clock."""
    return f"{t:%m/%d/%Y %H:%M:%S}.{t.microsecond // 1000:03d}"


def write_rows(path: Path, rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> Path:
    """Every cell quoted, CRLF line ends, as relog writes."""
    text = "".join(",".join(f'"{c}"' for c in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    return path


def perfmon_rows(
    counters: Mapping[str, Value],
    *,
    interval_s: float = 900,
    days: float = 1,
    start: datetime.datetime = START,
    first_cell: str = "(PDH-CSV 4.0) (W. Europe Standard Time)(-60)",
) -> list[list[str]]:
    """A header and ``days`` of samples every ``interval_s`` from ``start`` (stamped at the end of
    each interval, the first at ``start``); a value is text or a function of the time."""
    rows = [[first_cell, *counters]]
    for k in range(round(days * 86_400 / interval_s)):
        t = start + datetime.timedelta(seconds=k * interval_s)
        rows.append([stamp(t), *(v if isinstance(v, str) else v(t) for v in counters.values())])
    return rows


def write_perfmon(path: Path, counters: Mapping[str, Value], **kwargs: object) -> Path:
    return write_rows(path, perfmon_rows(counters, **kwargs))  # type: ignore[arg-type]


def read(path: Path, **kwargs: object) -> Measurement:
    options: dict[str, object] = {"burst_window_s": 60.0, "db_page_kib": 8.0} | kwargs
    return read_perfmon(path, "measured/mbx1.csv", **options)  # type: ignore[arg-type]


def error_of(call: Callable[[], object]) -> MeasurementError:
    with pytest.raises(MeasurementError) as info:
        call()
    return info.value


def hourly(value_mib: float) -> tuple[float, ...]:
    return (value_mib,) * 24


# --- a hand-worked log --------------------------------------------------------------------------


def test_a_hand_worked_day_of_15_second_samples(tmp_path: Path) -> None:
    """One day from 02/03/2026 00:00:00, every 15 s (240 samples an hour), local clock UTC+1
    (bias −60 min). In clock hour h:

    - logs: SG1 2,048 B/s + SG2 1,024·h B/s → (2 + h) KiB/s × 3,600 s ÷ 1,024 = (2 + h) × 3.515625
      MiB; the _Total columns (10^9, to show they are left out) and the CPU counter are ignored;
    - database: SG1 4 pages/s × 8 KiB = 32,768 B/s → 112.5 MiB; SG2 0;
    - guest OS (C:): 512 B/s → 1.7578125 MiB;
    - total 35,328 + 1,024·h B/s, at most 58,880 in hour 23 —
    - but 10:30:00–10:30:45 (4 samples, the 60-s window) SG2 writes 1,228,800 B/s more: hour 10's
      logs are (12,288 + 4 × 1,228,800 ÷ 240 = 32,768) B/s = 112.5 MiB, its total 45,568 + 20,480
      = 66,048 B/s, the peak hour; the peak 60-s window 45,568 + 1,228,800 = 1,274,368 B/s; burst
      factor 1,274,368 ÷ 66,048 = 2,489 ÷ 129 = 19.2946;
    - SG1's database cell at 05:00:00 is blank: a gap, left out (hour 5's mean is unchanged).
    """
    spike = {datetime.time(10, 30, s) for s in (0, 15, 30, 45)}

    def sg2_log(t: datetime.datetime) -> str:
        return str(1024 * t.hour + (1_228_800 if t.time() in spike else 0))

    def sg1_db(t: datetime.datetime) -> str:
        return " " if t.time() == datetime.time(5) else "4"

    counters: dict[str, Value] = {
        path_of("Log Bytes Write/sec", "_Total"): "1000000000",
        LOG: "2048",
        path_of("Log Bytes Write/sec", SG2): sg2_log,
        path_of("I/O Database Writes/sec", "_Total"): "1000000000",
        DB: sg1_db,
        path_of("I/O Database Writes/sec", SG2): "0",
        DISK_C: "512",
        CPU: "12.5",
    }
    m = read(write_perfmon(tmp_path / "mbx1.csv", counters, interval_s=15), gos_volumes=["C:"])
    expected_log = [(2 + h) * 3.515625 for h in range(24)]
    expected_log[10] = 112.5
    assert m.log_mib_h == pytest.approx(expected_log, rel=1e-12)
    assert m.db_write_mib_h == pytest.approx(hourly(112.5), rel=1e-12)
    assert m.gos_write_mib_h == pytest.approx(hourly(1.7578125), rel=1e-12)
    assert m.burst_factor == pytest.approx(2489 / 129, rel=1e-12)
    assert (m.kind, m.host, m.samples, m.gaps) == ("perfmon", "MBX1", 5760, 1)
    assert (m.interval_s, m.days, m.utc_bias_min) == (15.0, 1.0, -60.0)
    assert (m.first, m.last) == (START, START + datetime.timedelta(seconds=86_385))
    assert m.times_utc_s is not None
    assert m.rate_bytes_per_s is not None
    assert m.times_utc_s[0] == (START - EPOCH).total_seconds() - 3600  # UTC = local + bias
    assert math.isnan(m.rate_bytes_per_s[5 * 240])  # the gap
    assert m.rate_bytes_per_s[0] == 35_328
    assert not m.rate_bytes_per_s.flags.writeable


# --- relog's quirks ------------------------------------------------------------------------------


def test_total_is_left_out_beside_instances_and_used_alone(tmp_path: Path) -> None:
    """_Total (and a process's total) is left out when instances exist; alone, it is the log."""
    both = {
        path_of("Log Bytes Write/sec", "_Total"): "9999999",
        path_of("Log Bytes Write/sec", "Information Store/_Total"): "9999999",
        LOG: "1048576",
        path_of("Log Bytes Write/sec", SG2): "1048576",
        DB: "128",
    }
    assert read(write_perfmon(tmp_path / "a.csv", both)).log_mib_h == hourly(7200.0)
    alone = {
        path_of("Log Bytes Write/sec", "_Total"): "2097152",
        path_of("I/O Database Writes/sec", "_Total"): "128",
    }
    m = read(write_perfmon(tmp_path / "b.csv", alone))
    assert (m.log_mib_h, m.db_write_mib_h) == (hourly(7200.0), hourly(3600.0))


def test_instances_with_parentheses_slashes_and_case_are_summed(tmp_path: Path) -> None:
    """Instance names keep their parentheses and slashes; object and counter names match in any
    case (PDH names are case-insensitive); three instances are summed."""
    counters = {
        path_of("log bytes write/sec", "Information Store/SG (Sales) 1"): "1048576",
        path_of("LOG BYTES WRITE/SEC", "Information Store/SG (HR)"): "1048576",
        path_of("Log Bytes Write/sec", "x(y)/z", obj="msexchange database ==> instances"): "1",
        path_of("I/O Database Writes/sec", "Information Store/SG (Sales) 1"): "64",
        path_of("I/O Database Writes/sec", "Information Store/SG (HR)"): "64",
    }
    m = read(write_perfmon(tmp_path / "m.csv", counters))
    assert m.log_mib_h == pytest.approx(hourly(7200.0 + 3600 / MIB))
    assert m.db_write_mib_h == hourly(3600.0)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_utf16_and_byte_order_marks_read_alike(tmp_path: Path, encoding: str) -> None:
    """relog writes UTF-16 on some systems; a byte-order mark or none, the log reads the same."""
    rows = perfmon_rows(
        {path_of("Log Bytes Write/sec", "Stockage/Groupe été"): "1048576", DB: "128"}
    )
    m = read(write_rows(tmp_path / "e.csv", rows, encoding))
    assert (m.log_mib_h, m.samples) == (hourly(3600.0), 96)


def test_the_bias_gives_utc_and_the_local_clock_the_hours(tmp_path: Path) -> None:
    """Eastern time (bias +300 min): UTC = local + 5 h; hour h's volume is by the local clock."""
    counters = {LOG: lambda t: str(MIB * (t.hour == 9)), DB: "0"}
    path = write_perfmon(
        tmp_path / "ny.csv", counters, first_cell="(PDH-CSV 4.0) (Eastern Standard Time)(300)"
    )
    m = read(path)
    assert m.utc_bias_min == 300
    assert m.times_utc_s is not None
    assert m.times_utc_s[0] == (START - EPOCH).total_seconds() + 5 * 3600
    assert m.log_mib_h == tuple(3600.0 if h == 9 else 0.0 for h in range(24))


def test_a_time_zone_named_with_parentheses_and_a_fraction_of_an_hour(tmp_path: Path) -> None:
    """The zone's own parentheses and a bias of a fraction of an hour read."""
    rows = perfmon_rows(MINIMAL, first_cell="(PDH-CSV 4.0) (Maroc (heure d’été))(-330)")
    assert read(write_rows(tmp_path / "z.csv", rows)).utc_bias_min == -330


def test_guest_os_volumes_are_summed_and_ignored_unless_asked(tmp_path: Path) -> None:
    """gos_volumes sums each named volume (any case, a mount point too); without, LogicalDisk
    is ignored."""
    mount = path_of("Disk Write Bytes/sec", "E:\\Mounts\\SG (1)", obj="LogicalDisk")
    counters = {**MINIMAL, DISK_C: "1048576", mount: "2097152"}
    path = write_perfmon(tmp_path / "g.csv", counters)
    m = read(path, gos_volumes=["c:", "E:\\Mounts\\SG (1)"])
    assert m.gos_write_mib_h == hourly(3 * 3600.0)
    assert read(path).gos_write_mib_h is None


def test_several_computers_need_a_host(tmp_path: Path) -> None:
    """Counters of two computers: an error naming both, unless ``host`` picks one."""
    counters = {
        **MINIMAL,
        path_of("Log Bytes Write/sec", host="MBX2"): "2097152",
        path_of("I/O Database Writes/sec", host="MBX2"): "0",
    }
    path = write_perfmon(tmp_path / "two.csv", counters)
    error = error_of(lambda: read(path))
    assert (error.line, error.column) == (1, 4)
    assert "several computers (MBX1, MBX2); name the one to use with host:" in error.message
    m = read(path, host="mbx2")
    assert (m.host, m.log_mib_h, m.db_write_mib_h) == ("MBX2", hourly(7200.0), hourly(0.0))
    error = error_of(lambda: read(path, host="MBX3"))
    assert error.value == "\\\\MBX3\\MSExchange Database ==> Instances(*)\\Log Bytes Write/sec"
    assert "its computers: MBX1, MBX2" in error.message


def test_blank_cells_are_gaps_counted_and_left_out(tmp_path: Path) -> None:
    """Blank samples (" ") are gaps: counted, NaN in the rate, left out of every mean."""
    counters = {LOG: lambda t: " " if t.minute == 15 else "1048576", DB: "128"}
    m = read(write_perfmon(tmp_path / "b.csv", counters))
    assert (m.gaps, m.log_mib_h, m.db_write_mib_h) == (24, hourly(3600.0), hourly(3600.0))
    assert m.rate_bytes_per_s is not None
    assert int(np.isnan(m.rate_bytes_per_s).sum()) == 24


def test_an_empty_line_is_skipped(tmp_path: Path) -> None:
    rows = perfmon_rows(MINIMAL)
    path = write_rows(tmp_path / "e.csv", rows)
    path.write_bytes(path.read_bytes() + b"\r\n")
    assert read(path).samples == 96


# --- bad files ----------------------------------------------------------------------------------

Case = tuple[str, Callable[[Path], Path], int | None, int | None, str]


def edited(line: int, edit: Callable[[list[str]], list[str]]) -> Callable[[Path], Path]:
    """The minimal log with one line's cells edited (line 1 is the header)."""

    def make(path: Path) -> Path:
        rows = perfmon_rows(MINIMAL)
        rows[line - 1] = edit(rows[line - 1])
        return write_rows(path, rows)

    return make


def cell(column: int, value: str) -> Callable[[list[str]], list[str]]:
    return lambda row: [value if k == column - 1 else c for k, c in enumerate(row)]


def raw(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def bad_bytes_on_line_7(path: Path) -> Path:
    lines = write_rows(path, perfmon_rows(MINIMAL)).read_bytes().split(b"\r\n")
    lines[6] = lines[6].replace(b"128", b"12\xff8")
    path.write_bytes(b"\r\n".join(lines))
    return path


def bad_utf16_on_line_3(path: Path) -> Path:
    rows = perfmon_rows(MINIMAL)
    rows[2][2] = "\u2603"  # then made a lone high surrogate, followed by '"'
    data = write_rows(path, rows, "utf-16").read_bytes()
    path.write_bytes(data.replace("\u2603".encode("utf-16-le"), b"\x00\xd8"))
    return path


def a_folder(path: Path) -> Path:
    path.mkdir()
    return path


def without_hour_3(path: Path) -> Path:
    rows = [r for r in perfmon_rows(MINIMAL) if not r[0].startswith("03/02/2026 03:")]
    return write_rows(path, rows)


def blank_through_hour_3(path: Path) -> Path:
    counters = {LOG: lambda t: " " if t.hour == 3 else "1", DB: "1"}
    return write_perfmon(path, counters)


def header_only(path: Path) -> Path:
    return write_rows(path, perfmon_rows(MINIMAL)[:1])


def a_huge_field(path: Path) -> Path:
    header_only(path)
    path.write_bytes(path.read_bytes() + b'"' + b"1" * 140_000)
    return path


def without(counter: str) -> Callable[[Path], Path]:
    return lambda path: write_perfmon(path, {k: v for k, v in MINIMAL.items() if k != counter})


BAD_PERFMON: list[Case] = [
    ("missing", lambda p: p, None, None, "does not exist"),
    ("folder", a_folder, None, None, "is a folder"),
    ("empty", raw(b""), None, None, "the file is empty"),
    ("bom only", raw(b"\xef\xbb\xbf"), None, None, "the file is empty"),
    ("header only", header_only, None, None, "a header but no samples"),
    ("not pdh", edited(1, cell(1, "Time")), 1, 1, "(PDH-CSV 4.0) (<time zone>)"),
    ("no bias", edited(1, cell(1, "(PDH-CSV 4.0) (UTC)")), 1, 1, "not a Performance Monitor"),
    ("no log counter", without(LOG), 1, None, 'relog LOG.blg -c "\\\\MBX1\\MSExchange Database'),
    ("no db counter", without(DB), 1, None, "I/O Database Writes/sec"),
    ("twice", edited(1, cell(3, LOG)), 1, 3, "also in column 2"),
    ("letters", edited(7, cell(2, "12a")), 7, 2, "not a number"),
    ("nan", edited(9, cell(3, "nan")), 9, 3, "not a number"),
    ("infinite", edited(9, cell(2, "inf")), 9, 2, "not a number"),
    ("negative", edited(12, cell(3, "-5")), 12, 3, "cannot be negative"),
    ("negative beside a gap", edited(12, lambda r: [r[0], " ", "-1"]), 12, 3, "negative"),
    ("columns", edited(5, lambda r: [*r, "1"]), 5, None, "4 columns; expected 3"),
    ("time", edited(4, cell(1, "2026-03-02 00:45:00")), 4, 1, "MM/DD/YYYY HH:MM:SS.mmm"),
    ("no such day", edited(4, cell(1, "02/30/2026 00:45:00.000")), 4, 1, "not a time"),
    ("seconds", edited(4, cell(1, "03/02/2026 00:45:61.000")), 4, 1, "not a time"),
    ("repeated", edited(4, cell(1, "03/02/2026 00:15:00.000")), 4, 1, "daylight saving"),
    ("backwards", edited(4, cell(1, "03/01/2026 00:45:00.000")), 4, 1, "not later than"),
    ("hour missing", without_hour_3, None, None, "03:00–04:00; expected the log to cover"),
    ("hour blank", blank_through_hour_3, None, None, "every hour of a day"),
    ("bytes", bad_bytes_on_line_7, 7, None, "not UTF-8 text"),
    ("utf-16 bytes", bad_utf16_on_line_3, 3, None, "not UTF-16 text"),
    ("csv", a_huge_field, 2, None, "not readable as CSV (field larger than field limit"),
]


@pytest.mark.parametrize(
    ("make", "line", "column", "phrase"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_PERFMON],
)
def test_a_bad_log_is_located(
    tmp_path: Path,
    make: Callable[[Path], Path],
    line: int | None,
    column: int | None,
    phrase: str,
) -> None:
    """Each bad file: MeasurementError with the scenario's name for the file, the line (and
    column), and what was expected."""
    error = error_of(lambda: read(make(tmp_path / "bad.csv")))
    assert (error.file, error.line, error.column) == ("measured/mbx1.csv", line, column)
    assert phrase in error.message
    assert str(error).startswith("measured/mbx1.csv:")
    assert str(tmp_path) not in str(error)


def test_a_bad_value_shows_the_cell_as_written(tmp_path: Path) -> None:
    """The value found is the file's text (here read again after the chunk's check)."""
    error = error_of(lambda: read(edited(12, cell(3, "-5.50"))(tmp_path / "n.csv")))
    assert str(error) == (
        "measured/mbx1.csv:12:3: -5.50: a counter rate cannot be negative; expected a rate ≥ 0"
    )


def test_a_missing_volume_is_named_with_the_relog_command(tmp_path: Path) -> None:
    error = error_of(lambda: read(write_perfmon(tmp_path / "v.csv", MINIMAL), gos_volumes=["D:"]))
    assert error.value == "\\\\MBX1\\LogicalDisk(D:)\\Disk Write Bytes/sec"
    assert '"\\\\MBX1\\LogicalDisk(D:)\\Disk Write Bytes/sec" -f csv -o OUT.csv' in error.message


def test_limits_of_size_and_rows_say_how_to_shrink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the size (checked before reading) or the row limit (at the first row over it)."""
    path = write_perfmon(tmp_path / "big.csv", MINIMAL)
    monkeypatch.setattr(perfmon, "MAX_ROWS", 10)
    error = error_of(lambda: read(path))
    assert (error.line, error.column) == (12, None)
    assert "more than 10 samples" in error.message
    assert "relog FILE -f csv -t N -o OUT.csv keeps every Nth sample" in error.message
    monkeypatch.setattr(perfmon, "MAX_FILE_BYTES", 1000)
    error = error_of(lambda: read(path))
    assert (error.line, error.column) == (None, None)
    assert "more than the 1,000 srmkit reads; relog FILE" in error.message


def test_no_complete_burst_window_is_an_error(tmp_path: Path) -> None:
    """Every other sample blank with a 2-sample window: no window counts."""
    counters = {LOG: lambda t: " " if t.minute % 30 else "1", DB: "1"}
    error = error_of(lambda: read(write_perfmon(tmp_path / "w.csv", counters), burst_window_s=1800))
    assert "no 2 consecutive samples without a gap or a break" in error.message


def test_the_error_is_an_srmkit_input_error() -> None:
    error = MeasurementError("m.csv", 3, None, "", "wrong")
    assert isinstance(error, SrmkitError)
    assert isinstance(error, ValueError)
    assert error.exit_code == EXIT_INVALID
    assert (str(error), str(MeasurementError("m.csv", None, None, "", "wrong"))) == (
        "m.csv:3: wrong",
        "m.csv: wrong",
    )
    assert str(MeasurementError("m.csv", 1, 2, "x", "wrong")) == "m.csv:1:2: x: wrong"


# --- the rules, as properties -----------------------------------------------------------------


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    log_bytes_per_s=st.floats(0.001, 1e9),
    writes_per_s=st.floats(0, 1e5),
    interval_s=st.sampled_from([30, 45, 60, 90, 120, 300, 600, 900, 1200, 1800, 3600]),
    days=st.integers(1, 3),
    window_s=st.sampled_from([1, 60, 300, 900, 3600]),
    start_minute=st.integers(0, 59),
)
def test_a_constant_rate_has_a_burst_factor_of_1(
    tmp_path: Path,
    log_bytes_per_s: float,
    writes_per_s: float,
    interval_s: int,
    days: int,
    window_s: int,
    start_minute: int,
) -> None:
    """Any constant rates, any interval dividing the hour, whole days from any minute: burst factor
    1 and hourly volumes = rate × 3,600 s ÷ 2^20."""
    counters = {LOG: repr(log_bytes_per_s), DB: repr(writes_per_s)}
    start = START + datetime.timedelta(minutes=start_minute)
    path = write_perfmon(
        tmp_path / "c.csv", counters, interval_s=interval_s, days=days, start=start
    )
    m = read(path, burst_window_s=window_s)
    assert m.burst_factor == pytest.approx(1.0, abs=1e-9)
    assert m.log_mib_h == pytest.approx(hourly(log_bytes_per_s * 3600 / MIB), rel=1e-12)
    assert m.db_write_mib_h == pytest.approx(hourly(writes_per_s * 8192 * 3600 / MIB), rel=1e-12)
    assert m.days == days


@settings(max_examples=25, deadline=None)
@given(
    per_window=st.sampled_from([1, 2, 3, 4, 5]),
    windows_per_hour=st.sampled_from([1, 2, 3, 4, 6, 12]),
    days=st.integers(1, 3),
    spikes=st.floats(0, 1),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_raw_ratio_is_at_least_1_when_an_hour_is_whole_windows(
    per_window: int, windows_per_hour: int, days: int, spikes: float, seed: int
) -> None:
    """The proof of burst ≥ 1 (window ≤ 1 h): with a regular interval, no gap and an hour of
    whole windows, each day's hour h is a union of disjoint windows, so its mean (the mean of
    their means) is at most the largest window's; the hourly mean over days is a mean of the
    days' hour-h means, so at most the largest of them. Hence peak window ≥ peak hour, for any
    rates: the 1 of :func:`burst_factor`'s floor is then never needed."""
    per_hour = per_window * windows_per_hour
    interval_s = 3600 / per_hour
    samples = per_hour * 24 * days
    rng = np.random.default_rng(seed)  # rates of any size, a share of them bursts
    rates = rng.exponential(1e4, samples) * np.where(rng.random(samples) < spikes, 1e3, 1.0)
    times = np.arange(samples) * interval_s
    hours = (times // 3600) % 24
    peak_hour = float(np.nanmax(hourly_mean_rates(rates, hours)))
    peak_window = peak_window_rate(times, rates, per_window * interval_s)
    assert peak_window is not None
    assert peak_window >= peak_hour * (1 - 1e-12)


def test_the_factor_is_floored_at_1_where_the_hour_is_not_whole_windows() -> None:
    """Rates 10, 0, 10 at 20-min samples with a 40-min window: windows of 5, an hour of 6.67.
    The raw ratio 0.75 is below 1; the factor is 1 (the peak hour is a rate held for an hour)."""
    times, rates, hours = [0.0, 1200.0, 2400.0], [10.0, 0.0, 10.0], [0, 0, 0]
    assert peak_window_rate(times, rates, 2400) == 5.0
    assert burst_factor(times, rates, hours, 2400) == 1.0


def test_a_window_does_not_span_a_gap_or_a_break() -> None:
    """15-s samples with a gap, then a 10-min break: no 2-sample window holds either."""
    times = [0.0, 15.0, 30.0, 45.0, 645.0, 660.0]
    rates = [1.0, 2.0, math.nan, 8.0, 9.0, 3.0]
    assert peak_window_rate(times, rates, 30) == 6.0  # (9 + 3) / 2; not (8 + 9) / 2
    assert peak_window_rate([0.0, 15.0], [1.0, math.nan], 30) is None


def test_windows_keep_to_the_median_interval_where_it_changes() -> None:
    """15-s samples, then 60-s ones: the window is 4 samples of the median 15 s; a step of 60 s
    is a break (over 1.5 × 15 s), so no window covers the slower part, whose 4 samples would
    span 4 minutes."""
    times = [0.0, 15, 30, 45, 60, 75, 135, 195, 255, 315]
    rates = [1.0, 1, 1, 1, 1, 1, 50, 50, 50, 50]
    assert peak_window_rate(times, rates, 60) == 1.0


# --- several servers -------------------------------------------------------------------------


def measured(
    tmp_path: Path, name: str, rate: Value, *, start: datetime.datetime = START, bias: int = -60
) -> Measurement:
    """A log of one day at 15-min samples whose total rate is ``rate`` (database writes 0)."""
    first_cell = f"(PDH-CSV 4.0) (Zone)({bias})"
    path = write_perfmon(
        tmp_path / f"{name}.csv", {LOG: rate, DB: "0"}, start=start, first_cell=first_cell
    )
    return read(path, burst_window_s=1800)


def test_one_server_is_its_own_burst_and_log_counts_do_not_count(tmp_path: Path) -> None:
    a = measured(tmp_path, "a", lambda t: "300" if t.hour == 10 and t.minute == 0 else "100")
    counts = read_log_counts(write_counts(tmp_path / "n.csv"), "n.csv", log_file_mib=1.0)
    assert summed_burst_factor([a, counts], 1800) == a.burst_factor
    assert summed_burst_factor([counts], 1800) is None
    assert summed_burst_factor([], 1800) is None


def test_two_servers_at_the_same_times_are_the_burst_of_their_sum(tmp_path: Path) -> None:
    """15-min samples, a 30-min window (2 samples). A writes 100 B/s but 300 at 10:00 and 10:15;
    B writes 100 B/s but 500 at 10:30 and 10:45 (local; both UTC+1, so UTC hour 9). Alone: A's
    hour 10 is 200 (window 300, factor 1.5), B's 300 (window 500, factor 5/3). Summed, UTC hour
    9 is (400 + 400 + 600 + 600) ÷ 4 = 500 and the peak window 600: 600 ÷ 500 = 1.2 — lower
    than either, since their bursts do not coincide."""
    a = measured(tmp_path, "a", lambda t: "300" if t.hour == 10 and t.minute < 30 else "100")
    b = measured(tmp_path, "b", lambda t: "500" if t.hour == 10 and t.minute >= 30 else "100")
    assert (a.burst_factor, b.burst_factor) == (1.5, pytest.approx(5 / 3))
    assert summed_burst_factor([a, b], 1800) == pytest.approx(1.2)


def test_servers_in_other_time_zones_are_summed_in_utc(tmp_path: Path) -> None:
    """B logs in UTC (bias 0) an hour 'later' on its clock: the same UTC instants as A, so the
    sum is as if both logged together; their bursts coincide: 600 ÷ 400 = 1.5."""
    a = measured(tmp_path, "a", lambda t: "300" if t.hour == 10 and t.minute < 30 else "100")
    b = measured(
        tmp_path,
        "b",
        lambda t: "300" if t.hour == 9 and t.minute < 30 else "100",
        start=START - datetime.timedelta(hours=1),
        bias=0,
    )
    assert summed_burst_factor([a, b], 1800) == pytest.approx(1.5)


def test_servers_logged_on_different_days_give_the_highest_factor(tmp_path: Path) -> None:
    a = measured(tmp_path, "a", lambda t: "300" if t.hour == 10 and t.minute < 30 else "100")
    b = measured(
        tmp_path,
        "b",
        lambda t: "500" if t.hour == 10 and t.minute >= 30 else "100",
        start=START + datetime.timedelta(days=3),
    )
    assert summed_burst_factor([a, b], 1800) == pytest.approx(5 / 3)


# --- hourly log counts -----------------------------------------------------------------------


def write_counts(path: Path, rows: Sequence[Sequence[str]] | None = None) -> Path:
    rows = rows if rows is not None else [["hour", "logs"], *([str(h), str(h)] for h in range(24))]
    path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_log_counts_by_hand(tmp_path: Path) -> None:
    """Hours in any order, logs × 1 MiB: hour 7's 12.5 logs are 12.5 MiB."""
    rows = [["Hour", " Logs "], *([str(h), "12.5" if h == 7 else "2"] for h in reversed(range(24)))]
    m = read_log_counts(write_counts(tmp_path / "c.csv", rows), "counts.csv", log_file_mib=1.0)
    assert m.log_mib_h == tuple(12.5 if h == 7 else 2.0 for h in range(24))
    assert (m.kind, m.samples, m.gaps, m.burst_factor, m.times_utc_s) == (
        "log_counts",
        24,
        0,
        None,
        None,
    )
    assert (m.db_write_mib_h, m.gos_write_mib_h, m.first, m.days, m.host) == (None,) * 5


def counts_with(line: int, cells: list[str] | None) -> Callable[[Path], Path]:
    """The log counts with line ``line`` replaced (None: removed)."""

    def make(path: Path) -> Path:
        rows: list[list[str] | None] = [["hour", "logs"], *([str(h), "1"] for h in range(24))]
        rows[line - 1] = cells
        return write_counts(path, [r for r in rows if r is not None])

    return make


def extra_row(path: Path) -> Path:
    write_counts(path)
    path.write_text(path.read_text(encoding="utf-8") + "5,1\n", encoding="utf-8")
    return path


BAD_COUNTS: list[Case] = [
    ("missing", lambda p: p, None, None, "does not exist"),
    ("empty", raw(b""), None, None, "the file is empty"),
    ("header", counts_with(1, ["hour", "count"]), 1, 2, "expected the header hour,logs"),
    ("header columns", counts_with(1, ["hour", "logs", "x"]), 1, 3, "hour,logs"),
    ("columns", counts_with(4, ["2", "1", "1"]), 4, None, "3 columns; expected 2"),
    ("fraction", counts_with(4, ["2.5", "1"]), 4, 1, "whole number 0–23"),
    ("range", counts_with(4, ["24", "1"]), 4, 1, "whole number 0–23"),
    ("twice", counts_with(4, ["1", "1"]), 4, 1, "hour 1 again (line 3)"),
    ("missing hour", counts_with(5, None), None, None, "no row for 03:00–04:00"),
    ("letters", counts_with(4, ["2", "many"]), 4, 2, "not a number"),
    ("negative", counts_with(4, ["2", "-1"]), 4, 2, "cannot be negative"),
    ("more rows", extra_row, 26, None, "more than 24 rows"),
    ("bytes", raw(b"hour,logs\n0,\xff\n"), 2, None, "not UTF-8 text"),
]


@pytest.mark.parametrize(
    ("make", "line", "column", "phrase"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_COUNTS],
)
def test_bad_log_counts_are_located(
    tmp_path: Path,
    make: Callable[[Path], Path],
    line: int | None,
    column: int | None,
    phrase: str,
) -> None:
    error = error_of(
        lambda: read_log_counts(make(tmp_path / "bad.csv"), "counts.csv", log_file_mib=1.0)
    )
    assert (error.file, error.line, error.column) == ("counts.csv", line, column)
    assert phrase in error.message
