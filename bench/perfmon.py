"""Reading a large Performance Monitor log (srmkit.perfmon) against a plain csv pass over it."""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
import tracemalloc
from pathlib import Path
from unittest import mock

from bench.common import median_s
from srmkit import perfmon

HOST = "MBX01"
INSTANCES = 18


def header() -> list[str]:
    """18 storage groups × (log bytes, database writes), their _Total, a volume, two others."""
    exchange = f"\\\\{HOST}\\MSExchange Database ==> Instances"
    groups = [f"Information Store/Storage Group {k + 1:02d}" for k in range(INSTANCES)] + ["_Total"]
    return [
        "(PDH-CSV 4.0) (W. Europe Standard Time)(-60)",
        *(f"{exchange}({g})\\Log Bytes Write/sec" for g in groups),
        *(f"{exchange}({g})\\I/O Database Writes/sec" for g in groups),
        f"\\\\{HOST}\\LogicalDisk(C:)\\Disk Write Bytes/sec",
        f"\\\\{HOST}\\Processor(_Total)\\% Processor Time",
        f"\\\\{HOST}\\Memory\\Available MBytes",
    ]


def write_log(path: Path, rows: int, interval_s: int = 15) -> None:
    """``rows`` samples every ``interval_s`` s, values printed as relog prints them (all 17
    significant digits, every cell quoted); one sample in 10,000 has a blank (a missed sample).
    The row bodies cycle through 4,096 random ones: parsing costs the same, writing is quick."""
    rng = random.Random(1)
    columns = len(header()) - 1

    def value(k: int) -> str:
        scale = 4e5 if k <= INSTANCES else 60.0 if k <= 2 * INSTANCES + 2 else 2e6
        return repr(rng.uniform(0, scale)) if rng.random() > 0.05 else "0"

    bodies = [",".join(f'"{value(k)}"' for k in range(columns)) for _ in range(4096)]
    blank = ",".join(['" "', *bodies[0].split(",")[1:]])
    start = datetime.datetime(2026, 1, 5)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(f'"{c}"' for c in header()) + "\r\n")
        lines = []
        for i in range(rows):
            t = start + datetime.timedelta(seconds=i * interval_s)
            body = blank if i % 10_000 == 5_000 else bodies[i % 4096]
            lines.append(f'"{t:%m/%d/%Y %H:%M:%S}.000",{body}\r\n')
            if len(lines) == 65_536:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def read_log(rows: int = 1_000_000) -> None:
    """``read_perfmon`` on a generated log, against a ``csv.reader`` pass doing nothing."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mbx01.csv"
        write_log(path, rows)
        size = path.stat().st_size

        def read() -> perfmon.Measurement:
            return perfmon.read_perfmon(
                path, "mbx01.csv", burst_window_s=60, db_page_kib=8, gos_volumes=["C:"]
            )

        def baseline() -> None:
            with path.open(encoding="utf-8", newline="") as text:
                for _ in csv.reader(text):
                    pass

        # At relog's 17 digits a value, a million rows of 42 columns outgrow the 200 MB a
        # scenario's log may have (about 230,000 rows): the limit is lifted here only.
        with mock.patch.object(perfmon, "MAX_FILE_BYTES", size):
            read_s = median_s(read, 3)
            tracemalloc.start()
            measurement = read()
            peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        baseline_s = median_s(baseline, 3)
    print(
        f"read_perfmon of {measurement.samples:,} rows x {len(header())} columns "
        f"({size / 1e6:,.0f} MB, relog's 17-digit values, {measurement.gaps} gaps): "
        f"{read_s:.1f} s ({measurement.samples / read_s:,.0f} rows/s), peak extra memory "
        f"{peak_mib:.0f} MiB (tracemalloc); a plain csv.reader pass over the same file "
        f"{baseline_s:.1f} s; ratio {read_s / baseline_s:.1f}x"
    )


def main() -> None:
    """Every perfmon benchmark."""
    read_log()
