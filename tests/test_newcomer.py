"""Writing a scenario as a new user (issue 16, item 7): the fibre route as a length, the new link
fields checked, the README's profile table true to the data, every problem of a file at once."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, profile_only, run_cli

from srmkit import load_scenario
from srmkit.params import ScenarioError

# Copies of the example in a temporary folder, where EXMBX01's Performance Monitor log is not:
# EXMBX01 sized from its profile (these tests are about the link and the file's problems).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_route_km_sets_the_route_factor(tmp_path: Path) -> None:
    """A 52 km route over 40 km is a route factor of 1.3: the same design as the example's."""
    text = BASE.replace("  route_factor: 1.3\n", "  route_km: 52\n")
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.link.route_factor == pytest.approx(1.3)
    assert scenario.link.route_km == 52
    assert scenario.link == load_scenario(EXAMPLE).link.model_copy(update={"route_km": 52.0})


@pytest.mark.parametrize(
    ("replacement", "says"),
    [
        ("  route_factor: 1.3\n  route_km: 80\n", "disagree"),
        ("  route_km: 30\n", "route factor of 0.75"),
        ("  route_km: 200\n", "1 to 3 times the distance"),
    ],
    ids=["both-disagree", "shorter-than-the-distance", "too-long"],
)
def test_a_wrong_route_names_file_line_field_and_what_is_allowed(
    replacement: str, says: str, tmp_path: Path
) -> None:
    path = write(tmp_path, BASE.replace("  route_factor: 1.3\n", replacement))
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert f"{path}:" in result.stderr
    assert "link" in result.stderr
    assert says in result.stderr


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("tcp_window_kib", "2", "from 4 to 16,384"),
        ("tcp_sessions", "0", "from 1 to 16"),
        ("network_rtt_ms", "-1", "from 0 to 1,000"),
        ("wan_optimised", "maybe", "valid boolean"),
    ],
)
def test_new_link_fields_are_checked(field: str, value: str, allowed: str, tmp_path: Path) -> None:
    text = BASE.replace("  round_trips: 2\n", f"  round_trips: 2\n  {field}: {value}\n")
    result = run_cli("check", str(write(tmp_path, text)))
    assert result.returncode == 2
    assert f"link.{field}" in result.stderr
    assert allowed in result.stderr


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    """A missing section, a value out of range, a wrong type and a cross-section problem (an
    array at an unknown site) are all listed in one run, each with its line."""
    text = re.sub(r"\nlink:\n(  .*\n)+", "\n", BASE)
    text = text.replace("users: 3000, profile: heavy", "users: -5, profile: heavy", 1)
    text = text.replace("rto_min: 150", "rto_min: banana")
    text = text.replace("site: Utrecht, model: CX4-480", "site: Utrect, model: CX4-480")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "link",
        "servers[0].users",
        "targets.rto_min",
        "arrays[1].site",
        "sites[1].name",
    ]
    assert all(p.line for p in caught.value.problems)
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert "Did you mean 'Utrecht'?" in result.stderr
    assert result.stderr.count("error:") == 5


def test_readme_profile_table_is_the_shipped_table() -> None:
    """The README's mailbox profile table says what srmkit/data/exchange_profiles.csv holds."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", readme, re.M)
    with (ROOT / "srmkit" / "data" / "exchange_profiles.csv").open(encoding="utf-8") as f:
        columns = (
            "profile",
            "messages_per_day_count",
            "db_iops_per_mailbox",
            "logs_per_mailbox_per_day_count",
        )
        data = [tuple(r[c] for c in columns) for r in csv.DictReader(f)]
    assert [(p, float(m), float(i), float(lg)) for p, m, i, lg in rows] == [
        (p, float(m), float(i), float(lg)) for p, m, i, lg in data
    ]
