"""The design document's measured write load (Method §2, a measured profile): the section of the
servers sized from their measurements, its table and figure, and the sentence on where the
burst factor comes from. The example measures EXMBX01 from its Performance Monitor log; the
same scenario without the log is sized by its profiles only.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import EXAMPLE

from srmkit.design import Design
from srmkit.documents import measured
from srmkit.documents.blocks import Html
from srmkit.documents.design_document import book, replication, workload
from srmkit.params import validate_data
from srmkit.units import mib_per_h_to_mbps


def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _design(data: dict[str, Any], folder: Path = EXAMPLE.parent) -> Design:
    return Design(validate_data(data, str(folder / "scenario.yaml"), base_dir=folder))


@pytest.fixture(scope="module")
def design() -> Design:
    """The example: EXMBX01 measured from params/measured/EXMBX01.csv."""
    return _design(_data())


@pytest.fixture(scope="module")
def profile_only() -> Design:
    """The example with no server measured."""
    data = _data()
    for server in data["servers"]:
        server.pop("measured", None)
    return _design(data)


def _text(parts: list[Html] | Html) -> str:
    """The words of HTML fragments, without the figures' scripts."""
    markup = parts.markup if isinstance(parts, Html) else "".join(p.markup for p in parts)
    markup = re.sub(r"<script.*?</script>", " ", markup, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _section(design: Design) -> list[Html]:
    return measured.measured_section(book(design), design)


def test_the_section_appears_only_for_measured_servers(
    design: Design, profile_only: Design
) -> None:
    assert _section(profile_only) == []
    assert "Measured write load" not in _text(workload(book(profile_only), profile_only))
    text = _text(workload(book(design), design))
    assert "Measured write load" in text
    assert "Measured and profile write load of EXMBX01" in text
    # One table and one figure per measured server, numbered after the workload's own.
    b = book(design)
    parts = measured.measured_section(b, design)
    assert (b.tables, b.figures) == (1, 1)
    assert len(parts) == 2 + 3


def test_the_coverage_sentence_names_the_days_and_the_samples(design: Design) -> None:
    """Two days of 15-second samples, stamped 10 March 00:00:15 to 12 March 00:00:00: the days
    of 10 and 11 March 2009 (a sample belongs to the interval ending at its stamp)."""
    m = design.measurements["EXMBX01"]
    assert (m.samples, m.gaps, m.interval_s, m.days) == (11_520, 7, 15.0, 2.0)
    text = _text(_section(design))
    assert (
        "EXMBX01 is sized from its own Performance Monitor log of 10 and 11 March 2009: 2.0 "
        "days of 15-second samples (11,520 samples, 7 missed and left out), by the server's "
        "clock (UTC+1)." in text
    )
    assert "Its guest-OS writes are those to volume C: in the same log." in text


def _table(design: Design) -> dict[str, list[str]]:
    """The comparison table's rows: label → [profile, measured]."""
    v = design.servers[0]
    rows = measured.load_rows(design, v, design.measurements[v.name])
    return {str(r[0]): [str(r[1]), str(r[2])] for r in rows}


def test_the_table_carries_the_designs_numbers(design: Design) -> None:
    v = design.servers[0]
    w = v.measured
    assert w is not None
    rows = _table(design)
    # The profile: 3,000 heavy mailboxes × 24 logs × 1 MiB = 72,000 MiB a day.
    assert rows["Logs (MiB a day)"] == ["72,000", f"{sum(w.log_mib_h):,.0f}"]
    assert rows["Logs (MiB a day)"][1] == f"{v.log_mib_per_day:,.0f}"
    assert rows["Database writes (MiB a day)"] == [
        f"{sum(w.profile_db_write_mib_h):,.0f}",
        f"{sum(w.db_write_mib_h):,.0f}",
    ]
    assert w.gos_write_mib_h is not None
    assert rows["Guest-OS writes (MiB a day)"] == [
        "0 (assumed)",
        f"{sum(w.gos_write_mib_h):,.0f}",
    ]
    total = np.add(np.add(w.log_mib_h, w.db_write_mib_h), w.gos_write_mib_h)
    hour = int(np.argmax(total))
    peak = float(total[hour])
    assert rows["Busiest hour"][1] == f"{hour}:00–{hour + 1}:00"
    assert rows["Writes in the busiest hour (MiB)"][1] == f"{peak:,.0f}"
    assert rows["Busiest hour's mean rate (Mbit/s)"][1] == (
        f"{float(mib_per_h_to_mbps(peak)):,.1f}"
    )
    assert rows["Burst factor"] == ["1.00 (assumed)", f"{design.a.burst_factor:,.2f}"]
    # The default profile is as busy at 9:00 as at 10:00 (11 % of the day in each).
    profile_peak = float(np.add(w.profile_log_mib_h, w.profile_db_write_mib_h).max())
    assert rows["Busiest hour"][0] == "9:00–10:00 and 10:00–11:00"
    assert rows["Writes in the busiest hour (MiB)"][0] == f"{profile_peak:,.0f}"


def test_log_counts_write_the_database_in_the_profiles_ratio(tmp_path: Path) -> None:
    (tmp_path / "logs.csv").write_text(
        "hour,logs\n" + "".join(f"{h},{50 + 10 * (8 <= h < 18)}\n" for h in range(24)),
        encoding="utf-8",
    )
    data = _data()
    data["servers"][0]["measured"] = {"log_counts": "logs.csv"}
    d = _design(data, tmp_path)
    text = _text(_section(d))
    # heavy: 40.909 MiB of database writes a day per 24 MiB of logs, 1.7045 (Method §2)
    assert (
        "EXMBX01 is sized from its hourly transaction log counts; its database writes follow "
        "the heavy profile's ratio of database to log volume (1.70 MiB per MiB of logs)." in text
    )
    assert "Its guest-OS writes are not measured: they are assumed at 0 MiB an hour." in text
    rows = _table(d)
    assert rows["Burst factor"] == ["1.00 (assumed)", "–"]
    assert rows["Logs (MiB a day)"][1] == f"{24 * 50 + 10 * 10:,}"
    assert "Performance Monitor log" not in text.split("Table")[0]


def test_the_burst_sentence_for_each_origin(design: Design, profile_only: Design) -> None:
    factor = design.burst_origin.measured
    assert design.burst_origin.source == "measured"
    assert factor is not None
    assert measured.burst_sentence(design) == (
        f"The busiest hour's mean rate is multiplied by a burst factor of {factor:.2f}, "
        "measured from EXMBX01's Performance Monitor log: its highest 60-second mean write rate "
        "over the mean of its busiest hour (Method §2)."
    )
    assert f"{factor:.2f}" == "1.81"
    data = _data()
    data["assumptions"] = {"burst_factor": 1.5}
    given = _design(data)
    assert given.burst_origin.source == "scenario"
    assert measured.burst_sentence(given) == (
        "The busiest hour's mean rate is multiplied by a burst factor of 1.50, set in the "
        "scenario (the measured logs give 1.81)."
    )
    assert _table(given)["Burst factor"][0] == "1.50 (set in the scenario)"
    assert profile_only.burst_origin.source == "default"
    assert measured.burst_sentence(profile_only) == (
        "The busiest hour's mean rate is multiplied by a burst factor of 1.00: the hourly "
        "figures assume no shorter bursts; a Performance Monitor log of the servers would "
        "measure them (Method §2)."
    )
    data = _data()
    data["servers"][0].pop("measured")
    data["assumptions"] = {"burst_factor": 1.2}
    assert measured.burst_sentence(_design(data)) == (
        "The busiest hour's mean rate is multiplied by a burst factor of 1.20, set in the scenario."
    )
    # The replication section says it in its first paragraph.
    text = _text(replication(book(design), design))
    assert measured.burst_sentence(design) in text.split("Table")[0]


def test_the_figure_shows_measured_and_profile_by_hour(design: Design) -> None:
    v = design.servers[0]
    w = v.measured
    assert w is not None
    fig = measured.measured_by_hour(design, v)
    bars = [t for t in fig.data if t.type == "bar"]
    lines = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in bars] == [
        "measured logs",
        "measured database writes",
        "measured guest-OS writes",
    ]
    assert [t.name for t in lines] == ["heavy profile, all writes"]
    for trace in [*bars, *lines]:
        assert list(trace.x) == list(range(24))
        assert len(trace.y) == 24
    np.testing.assert_allclose(np.sum([t.y for t in bars], axis=0), design.hourly_mib([v]))
    np.testing.assert_allclose(lines[0].y, np.add(w.profile_log_mib_h, w.profile_db_write_mib_h))
    assert fig.layout.barmode == "stack"
    assert fig.layout.title.text == "EXMBX01: measured and profile writes by hour"
    assert fig.layout.legend.yref == "container"  # the house legend, at the foot


def test_no_identifiers_in_the_section(design: Design) -> None:
    """Customer words only: no snake_case, no file names."""
    text = _text(_section(design)) + " " + measured.burst_sentence(design)
    note = measured.measured_by_hour(design, design.servers[0]).layout.meta["note"]
    for words in (text, note):
        assert re.search(r"\b[a-z]+_[a-z_]+\b", words) is None, words
        assert ".csv" not in words
        assert "perfmon" not in words
        assert "None" not in words
