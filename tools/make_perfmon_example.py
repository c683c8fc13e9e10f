"""Development only: write params/measured/EXMBX01.csv, the example Performance Monitor log.

A synthetic but realistic measurement of one Exchange 2007 mailbox server, EXMBX01 of
params/example.yaml (3,000 heavy mailboxes in 18 storage groups, SG01–SG18), in exactly the
form ``relog IN.blg -f csv -o OUT.csv`` writes (PDH-CSV 4.0): a header of quoted counter paths
(the first cell names the time zone and its bias in minutes, UTC = local + bias), then one row
per sample, the local time ``MM/DD/YYYY HH:MM:SS.mmm`` and every value as a quoted decimal, a
missed sample as a quoted blank. Lines end in CRLF.

The counters are the ones srmkit sizes from, per storage group and ``_Total`` (the sum of the
instances as printed): ``MSExchange Database ==> Instances(…)\\Log Bytes Write/sec`` and
``\\I/O Database Writes/sec`` (8 KiB page writes per second); ``LogicalDisk(C:)\\Disk Write
Bytes/sec`` (the guest OS volume); and two counters a real log carries along
(``Processor(_Total)\\% Processor Time``, ``Memory\\Available MBytes``).

The load differs a little from srmkit's default heavy profile (72,000 MiB of logs a day, 11 % in
the peak hour, 576 database page writes/s at the peak with headroom): about 20 MiB of logs per
mailbox per day on a business day (60,000 MiB), a morning peak (09:00–11:00), a lunch dip, an
afternoon peak and a small evening bump; database writes of about 400 pages/s in the busiest
hour; online maintenance (01:00–05:00) reads and writes little; weekends at a fifth of a weekday.
On top of per-sample noise come bursts that hourly figures hide: database checkpoint flushes
(30–60 s at 2–3× the hour's mean, every 4–10 minutes) and log bursts (a mass mailing or calendar
update, 1–3 minutes, a few times a day). Samples end an interval (the first one at 00:00:15),
each the mean over its interval, quantised as Windows counts (whole 512-byte sectors, whole
pages); a few rows are blank, as when the collector stalls.

Deterministic: the same arguments write the same bytes. Run with

    .venv/bin/python tools/make_perfmon_example.py [--seed N] [--days D] [--interval-s S] \\
        [--out PATH]

It prints the daily totals, the peak hour and the 60-second burst factor (the highest 60-second
mean of the total write rate, log bytes + database pages × 8 KiB + C:, over its peak clock-hour
mean), computed here from the generated values.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "params" / "measured" / "EXMBX01.csv"

HOST = "EXMBX01"
TIME_ZONE, BIAS_MIN = "W. Europe Standard Time", -60  # UTC = local + bias
START = datetime(2009, 3, 10)  # a Tuesday, before European summer time (29 March 2009)
STORAGE_GROUPS = [f"Information Store/SG{n:02d}" for n in range(1, 19)]
DB_OBJECT = "MSExchange Database ==> Instances"

MAILBOXES = 3000
LOG_MIB_PER_MAILBOX_DAY = 20.0  # on a business day
DB_WRITES_PEAK_HOUR = 400.0  # page writes/s, mean of the busiest clock hour
PAGE_BYTES = 8192
SECTOR = 512
MIB = 1 << 20
WEEKEND_FACTOR = 0.2
BURST_WINDOW_S = 60.0

# Share of a business day's mail activity in each clock hour (normalised below): quiet night,
# online maintenance 01:00–05:00, morning peak, lunch dip, afternoon peak, evening bump.
HOURLY_ACTIVITY = np.array(
    [0.9, 0.5, 0.4, 0.4, 0.5, 0.8, 1.8, 4.4, 8.0, 10.0, 10.4, 8.8,
     6.0, 7.6, 8.6, 8.2, 6.6, 4.4, 2.4, 2.0, 2.4, 2.1, 1.5, 1.1]
)  # fmt: skip
MAINTENANCE_HOURS = (1, 5)  # online maintenance [start, end): mostly reads


def _activity(t_s: np.ndarray) -> np.ndarray:
    """The business-day activity at local times ``t_s`` (seconds after START), a smooth curve
    through the hourly shares (taken at each hour's middle), weekends scaled down."""
    day_s = np.mod(t_s, 86400.0)
    hours = np.arange(-1, 25) + 0.5
    shares = np.concatenate([[HOURLY_ACTIVITY[-1]], HOURLY_ACTIVITY, [HOURLY_ACTIVITY[0]]])
    curve = np.interp(day_s / 3600.0, hours, shares / HOURLY_ACTIVITY.sum())
    weekend = np.mod(START.weekday() + t_s // 86400, 7) >= 5
    return np.where(weekend, WEEKEND_FACTOR, 1.0) * curve


def _bursts(
    n: int,
    interval_s: float,
    starts: np.ndarray,
    durations: np.ndarray,
    heights: np.ndarray,
) -> np.ndarray:
    """Per-sample extra (in units of the underlying level) of bursts [start, start + duration)
    of the given heights: each sample gets the mean over its interval (i·S, (i+1)·S]."""
    extra = np.zeros(n)
    for start, duration, height in zip(starts, durations, heights, strict=True):
        first = int(start // interval_s)
        last = min(int(np.ceil((start + duration) / interval_s)), n)
        for i in range(first, last):
            lo, hi = i * interval_s, (i + 1) * interval_s
            overlap = min(hi, start + duration) - max(lo, start)
            if overlap > 0:
                extra[i] += height * overlap / interval_s
    return extra


def _events(rng: np.random.Generator, span_s: float, gap_s: tuple[float, float]) -> np.ndarray:
    """Start times of events spaced uniformly within ``gap_s`` over ``span_s`` seconds."""
    times: list[float] = []
    t = float(rng.uniform(0, gap_s[1]))
    while t < span_s:
        times.append(t)
        t += float(rng.uniform(*gap_s))
    return np.array(times)


def _split(
    rng: np.random.Generator, total: np.ndarray, weights: np.ndarray, sigma: float
) -> np.ndarray:
    """Spread a per-sample total over the instances: fixed weights, per-sample noise."""
    shares = weights[:, None] * rng.lognormal(0.0, sigma, (len(weights), len(total)))
    return shares / shares.sum(axis=0) * total


def generate(seed: int, days: int, interval_s: int) -> dict[str, np.ndarray]:
    """The counters' values, one array per counter path (NaN: a missed sample), and the
    timestamps under the key ``""`` (seconds after START, the end of each interval)."""
    rng = np.random.default_rng(seed)
    n = days * 86400 // interval_s
    t_end = (np.arange(n) + 1.0) * interval_s
    t_mid = t_end - interval_s / 2
    hour = (np.mod(t_mid, 86400.0) // 3600).astype(int)
    maintenance = (hour >= MAINTENANCE_HOURS[0]) & (hour < MAINTENANCE_HOURS[1])
    activity = _activity(t_mid)
    busy = activity / (HOURLY_ACTIVITY.max() / HOURLY_ACTIVITY.sum())  # 1 at the peak hour
    day_scale = rng.normal(1.0, 0.04, days)[(t_mid // 86400).astype(int)]

    # Transaction logs [bytes/s]: the activity curve, noisy, with mass-mailing bursts.
    logs = busy * day_scale * rng.lognormal(0.0, 0.18, n)
    mailings = np.sort(
        rng.uniform(7.5, 17.5, 3 * days) * 3600 + np.repeat(np.arange(days), 3) * 86400
    )
    mail_len = rng.uniform(60, 180, len(mailings))
    mail_height = rng.uniform(0.8, 1.6, len(mailings))  # × the peak-hour log rate, on top
    log_burst = _bursts(n, interval_s, mailings, mail_len, mail_height)
    logs = np.where(maintenance, 0.6, 1.0) * logs + log_burst

    # Database page writes [pages/s]: a background floor plus the activity, half as much during
    # online maintenance, checkpoint flushes every few minutes, some writes from the mailings.
    db_level = (0.07 + 0.93 * busy) * day_scale * np.where(maintenance, 0.5, 1.0)
    db = db_level * rng.lognormal(0.0, 0.12, n)
    flushes = _events(rng, days * 86400.0, (240.0, 600.0))
    flush_len = rng.choice([30.0, 45.0, 60.0], len(flushes), p=[0.4, 0.35, 0.25])
    level = np.interp(flushes, t_mid, db_level)  # the local level, without the noise
    flush_height = rng.uniform(1.0, 2.0, len(flushes)) * level  # 2–3× the level in all
    db = db + _bursts(n, interval_s, flushes, flush_len, flush_height) + 0.25 * log_burst

    # Calibrate: a business day's logs; the busiest clock hour's database writes.
    day = (t_mid // 86400).astype(int)
    daily_logs = np.bincount(day, logs, minlength=days) * interval_s
    business = np.mod(START.weekday() + np.arange(days), 7) < 5
    logs *= MAILBOXES * LOG_MIB_PER_MAILBOX_DAY * MIB / daily_logs[business].mean()
    clock_hour = (t_mid // 3600).astype(int)
    db *= DB_WRITES_PEAK_HOUR / (np.bincount(clock_hour, db) / np.bincount(clock_hour)).max()

    # The guest OS volume C: [bytes/s]: page file, tracking and IIS logs, an occasional spike.
    gos = (0.18 + 0.2 * busy) * MIB * rng.lognormal(0.0, 0.35, n)
    spikes = _events(rng, days * 86400.0, (1800.0, 7200.0))
    spike_len, spike_height = rng.uniform(15, 45, len(spikes)), rng.uniform(1, 3, len(spikes))
    gos += _bursts(n, interval_s, spikes, spike_len, spike_height * MIB)

    # Quantise as the counters count: whole sectors and pages in each interval.
    weights_log = rng.lognormal(0.0, 0.35, len(STORAGE_GROUPS))
    weights_db = weights_log * rng.lognormal(0.0, 0.15, len(STORAGE_GROUPS))
    per_sg_logs = _split(rng, logs, weights_log, 0.25)
    per_sg_db = _split(rng, db, weights_db, 0.2)
    per_sg_logs = np.rint(per_sg_logs * interval_s / SECTOR) * SECTOR / interval_s
    per_sg_db = np.rint(per_sg_db * interval_s) / interval_s
    gos = np.rint(gos * interval_s / SECTOR) * SECTOR / interval_s

    cpu = 4 + 48 * busy * rng.lognormal(0, 0.15, n) + 9 * maintenance + 6 * (log_burst > 0)
    cpu = np.clip(cpu, 0, 100)
    memory = np.rint(1450 - 250 * busy + np.cumsum(rng.normal(0, 2.0, n)) * 0.2)

    values: dict[str, np.ndarray] = {"": t_end}
    path = f"\\\\{HOST}\\"
    values[path + "Processor(_Total)\\% Processor Time"] = cpu
    values[path + "Memory\\Available MBytes"] = memory
    values[path + "LogicalDisk(C:)\\Disk Write Bytes/sec"] = gos
    for counter, per_sg in (
        ("Log Bytes Write/sec", per_sg_logs),
        ("I/O Database Writes/sec", per_sg_db),
    ):
        # _Total is the sum of the instances as printed (whole thousandths).
        milli = np.rint(per_sg * 1000).astype(np.int64)
        for sg, row in zip(STORAGE_GROUPS, milli, strict=True):
            values[f"{path}{DB_OBJECT}({sg})\\{counter}"] = row / 1000
        values[f"{path}{DB_OBJECT}(_Total)\\{counter}"] = milli.sum(axis=0) / 1000

    # The collector stalled a few times (whole rows missed): three stalls of one or two samples
    # and two single misses, 5 to 8 rows.
    stalls = rng.choice(np.arange(10, n - 10), 5, replace=False)
    lengths = np.concatenate([rng.integers(1, 3, 3), [1, 1]])
    missed = np.concatenate([s + np.arange(k) for s, k in zip(stalls, lengths, strict=True)])
    for key, array in values.items():
        if key:
            array[missed] = np.nan
    return values


def write(values: dict[str, np.ndarray], out: Path) -> None:
    """The values as relog writes them: PDH-CSV 4.0, every cell quoted, CRLF line ends."""
    paths = [key for key in values if key]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="ascii") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow([f"(PDH-CSV 4.0) ({TIME_ZONE})({BIAS_MIN})", *paths])
        columns = [[" " if np.isnan(v) else f"{v:.3f}" for v in values[p]] for p in paths]
        for i, t in enumerate(values[""]):
            stamp = (START + timedelta(seconds=float(t))).strftime("%m/%d/%Y %H:%M:%S.000")
            writer.writerow([stamp, *(column[i] for column in columns)])


def summary(values: dict[str, np.ndarray], interval_s: int) -> list[str]:
    """Daily totals, the peak hour and the burst factor, from the values as written."""
    path = f"\\\\{HOST}\\{DB_OBJECT}(_Total)\\"
    logs = values[path + "Log Bytes Write/sec"]
    db = values[path + "I/O Database Writes/sec"] * PAGE_BYTES
    gos = values[f"\\\\{HOST}\\LogicalDisk(C:)\\Disk Write Bytes/sec"]
    total = logs + db + gos
    t_mid = values[""] - interval_s / 2
    ok = ~np.isnan(total)

    def mean_by(key: np.ndarray, series: np.ndarray) -> np.ndarray:
        return np.bincount(key[ok], series[ok]) / np.bincount(key[ok])

    day, clock_hour = (t_mid // 86400).astype(int), (t_mid // 3600).astype(int)
    lines = []
    for d, (log_rate, db_rate, gos_rate) in enumerate(
        zip(mean_by(day, logs), mean_by(day, db), mean_by(day, gos), strict=True)
    ):
        date = (START + timedelta(days=d)).strftime("%a %m/%d/%Y")
        lines.append(
            f"{date}: logs {log_rate * 86400 / MIB:,.0f} MiB, database writes "
            f"{db_rate * 86400 / MIB:,.0f} MiB, C: {gos_rate * 86400 / MIB:,.0f} MiB, "
            f"C: mean {gos_rate / MIB:.2f} MiB/s"
        )
    hourly_total = mean_by(clock_hour, total)
    peak = int(np.argmax(hourly_total))
    at = START + timedelta(hours=peak)
    hour_of_day = np.mod(clock_hour, 24)
    log_profile = mean_by(hour_of_day, logs)
    lines.append(
        f"peak hour {at:%m/%d/%Y %H}:00: total writes {hourly_total[peak] / MIB:.2f} MiB/s, "
        f"database {mean_by(clock_hour, db)[peak] / PAGE_BYTES:.0f} page writes/s, logs "
        f"{mean_by(clock_hour, logs)[peak] / MIB:.2f} MiB/s; busiest hour of database writes "
        f"{mean_by(clock_hour, db).max() / PAGE_BYTES:.0f} pages/s; largest hour of the daily "
        f"log profile {log_profile.max() / log_profile.sum():.1%} "
        f"(at {int(np.argmax(log_profile)):02d}:00)"
    )
    window = round(BURST_WINDOW_S / interval_s)
    sums = np.convolve(np.where(ok, total, 0.0), np.ones(window), "valid")
    full = np.convolve(ok.astype(float), np.ones(window), "valid") == window
    highest = sums[full].max() / window
    lines.append(
        f"burst factor ({BURST_WINDOW_S:.0f} s): {highest / MIB:.2f} MiB/s ÷ "
        f"{hourly_total[peak] / MIB:.2f} MiB/s = {highest / hourly_total[peak]:.2f}"
    )
    lines.append(f"{len(values[''])} samples, {int((~ok).sum())} missed")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=20090310, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--days",
        type=int,
        default=2,
        help="whole days from Tue 03/10/2009, 1–14 (default: %(default)s)",
    )
    parser.add_argument(
        "--interval-s", type=int, default=15, help="sample interval (default: %(default)s s)"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="the CSV to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 14:
        parser.error("--days: 1 to 14 (before European summer time starts)")
    if (
        not 1 <= args.interval_s <= 3600
        or 3600 % args.interval_s
        or BURST_WINDOW_S % args.interval_s
    ):
        parser.error("--interval-s must divide 60 (the burst window) and 3600")
    values = generate(args.seed, args.days, args.interval_s)
    write(values, args.out)
    size = args.out.stat().st_size
    shown = args.out.relative_to(Path.cwd()) if args.out.is_relative_to(Path.cwd()) else args.out
    print(f"wrote {shown} ({size / 1e6:.2f} MB)")
    for line in summary(values, args.interval_s):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
