"""Scenario files: the examples validate; every kind of bad file fails with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLES, profile_only, run_cli

from srmkit import ScenarioError, load_scenario, scenario_from_sections
from srmkit.output import json_ready
from srmkit.params import read_params

# Copies of the example in a temporary folder, where EXMBX01's Performance Monitor log is not:
# EXMBX01 sized from its profile (these tests are about the file's problems and their lines).
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the file")


def sub(old: str, new: str) -> Callable[[str], str]:
    """A mutation replacing the first occurrence of ``old``."""

    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


# name: (mutation, field path in the message, text on the expected line, text in the message)
CASES: dict[str, tuple[Callable[[str], str], str, str, str]] = {
    "wrong type (text for a number)": (
        sub("bandwidth_mbps: 1000", 'bandwidth_mbps: "fast"'),
        "link.bandwidth_mbps",
        "bandwidth_mbps",
        "valid number",
    ),
    "wrong type (number for text)": (
        sub('version: "1.0"', "version: 1.0"),
        "document.version",
        "version:",
        "quotes",
    ),
    "negative number": (
        sub("distance_km: 40", "distance_km: -40"),
        "link.distance_km",
        "distance_km",
        "greater than 0",
    ),
    "zero users": (
        sub("users: 3000", "users: 0"),
        "servers[0].users",
        "EXMBX01",
        "greater than 0",
    ),
    "fraction above one": (
        sub("route_factor: 1.3", "route_factor: 1.3\n  efficiency_fraction: 1.5"),
        "link.efficiency_fraction",
        "efficiency_fraction",
        "less than or equal to 1",
    ),
    "unknown top-level key": (
        sub("targets:", "target:"),
        "target",
        "target:",
        "did you mean 'targets'",
    ),
    "unknown key in a section": (
        sub("  sync_rate: high", "  sync_rat: high"),
        "replication.sync_rat",
        "sync_rat:",
        "did you mean 'sync_rate'",
    ),
    "unknown key in a list item": (
        sub("users: 3000, profile", "usrs: 3000, profile"),
        "servers[0].usrs",
        "EXMBX01",
        "did you mean 'users'",
    ),
    "unknown key in assumptions": (
        lambda t: t + "assumptions:\n  iops_headroom_fractoin: 0.3\n",
        "assumptions.iops_headroom_fractoin",
        "iops_headroom_fractoin",
        "did you mean 'iops_headroom_fraction'",
    ),
    "unknown model": (
        sub("model: CX4-480", "model: CX4-48O"),
        "arrays[0].model",
        "AMS-CX4",
        "Did you mean CX4-480",
    ),
    "model that cannot mirror": (
        sub("model: CX4-480", "model: AX4-5i"),
        "arrays[0].model",
        "AMS-CX4",
        "cannot mirror",
    ),
    "unknown enum value": (
        sub("mode: sync", "mode: semi-sync"),
        "replication.mode",
        "mode: semi-sync",
        "'sync' or 'async'",
    ),
    "missing section": (
        sub("targets:\n  rpo_min: 0\n  rto_min: 150\n", ""),
        "targets",
        "# yaml-language-server",
        "required field is missing",
    ),
    "server on a site that does not exist": (
        sub("{name: EXMBX03, site: Amsterdam", "{name: EXMBX03, site: Amsterdm"),
        "servers[2].site",
        "EXMBX03",
        "did you mean 'Amsterdam'",
    ),
    "unknown profile": (
        sub("profile: heavy", "profile: hevy"),
        "servers[0].profile",
        "EXMBX01",
        "did you mean 'heavy'",
    ),
    "duplicate server name": (
        sub("{name: EXMBX02,", "{name: EXMBX01,"),
        "servers[1].name",
        "EXMBX01, site: Amsterdam, users: 3000, profile: heavy, mailbox_quota_gib: 0.5,\n",
        "unique",
    ),
    "async without an interval": (
        sub("mode: sync", "mode: async"),
        "replication",
        "replication:",
        "update_interval_min",
    ),
    "daily profile that does not sum to one": (
        lambda t: (
            t + "assumptions:\n  daily_profile_fraction: [" + ", ".join(["0.05"] * 24) + "]\n"
        ),
        "assumptions.daily_profile_fraction",
        "daily_profile_fraction",
        "sum to 1",
    ),
}


def expected_line(text: str, marker: str) -> int:
    """The line a case's message must name (markers ending in a newline match whole lines)."""
    if marker.endswith("\n"):
        lines = text.splitlines(keepends=True)
        hits = [i for i, line in enumerate(lines, start=1) if line.endswith(marker)]
        return hits[1] if len(hits) > 1 else hits[0]
    return line_of(text, marker)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate(example: Path) -> None:
    """Every shipped example is a valid scenario."""
    scenario = load_scenario(example)
    assert scenario.servers


def test_example_has_the_issue_shape() -> None:
    """The main example: 6 servers, 18,000 heavy users, MV/S over 40 km, two CX4-480."""
    s = load_scenario(EXAMPLE)
    assert len(s.servers) == 6
    assert sum(v.users for v in s.servers) == 18_000
    assert {v.profile for v in s.servers} == {"heavy"}
    assert s.replication.mode == "sync"
    assert s.link.distance_km == 40
    assert [a.model for a in s.arrays] == ["CX4-480", "CX4-480"]


def test_other_examples_cover_bidirectional_async_and_a_problem() -> None:
    """One example has servers at both sites; one uses MV/A over a long distance; one pairs a
    CX3 production array with a CX4 recovery array."""
    bi = load_scenario(EXAMPLE.with_name("bidirectional.yaml"))
    assert len({v.site for v in bi.servers}) == 2
    far = load_scenario(EXAMPLE.with_name("async-long-distance.yaml"))
    assert far.replication.mode == "async"
    assert far.link.distance_km > 500
    cx3 = load_scenario(EXAMPLE.with_name("cx3-upgrade.yaml"))
    assert [a.model for a in cx3.arrays] == ["CX3-40c", "CX4-240"]


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_file_names_field_and_line(case: str, tmp_path: Path) -> None:
    """Each bad file fails validation naming the file, the field path and the right line."""
    mutate, field, marker, fragment = CASES[case]
    text = mutate(BASE)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    matching = [p for p in info.value.problems if p.field == field]
    assert matching, [str(p) for p in info.value.problems]
    problem = matching[0]
    assert problem.file == str(path)
    assert problem.line == expected_line(text, marker), str(problem)
    assert fragment.lower() in problem.message.lower(), str(problem)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("# only a comment\n", 1, "empty"),
        ("document:\n  customer: [unclosed\n", 3, "YAML syntax error"),
        ("document: {a: 1\nsites: []\n", 2, "YAML syntax error"),
        ("- a\n- b\n", 1, "mapping of sections"),
        ("document: 1\ndocument: 2\n", 2, "given twice"),
    ],
    ids=["empty", "comment only", "unclosed list", "unclosed mapping", "a list", "duplicate key"],
)
def test_broken_yaml_is_reported_with_its_line(
    text: str, line: int, fragment: str, tmp_path: Path
) -> None:
    """Empty files, YAML syntax errors and non-mappings fail with a line number."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = info.value.problems[0]
    assert problem.line == line, str(problem)
    assert fragment in problem.message


def test_cli_check_exit_2_and_message_on_stderr(tmp_path: Path) -> None:
    """`srmkit check` on a bad file exits 2 and prints file:line: field = value: message."""
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace("distance_km: 40", "distance_km: -40"), encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert f"{path}:{line_of(BASE, 'distance_km')}: link.distance_km = -40:" in result.stderr


def test_missing_file_exits_2() -> None:
    """A params file that does not exist is invalid input, not a crash."""
    result = run_cli("check", "params/does-not-exist.yaml")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_sections_route_equals_file_route() -> None:
    """Sections as papermill injects them (JSON data) validate to the same scenario as the file;
    without the file's folder its measurement is looked for in the current folder, and not
    found there, says how to give it."""
    scenario, sections = read_params(EXAMPLE)
    assert scenario_from_sections(base_dir=EXAMPLE.parent, **json_ready(sections)) == scenario
    with pytest.raises(ScenarioError, match="papermill -p params_file FILE"):
        scenario_from_sections(**json_ready(sections))


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    """A Python-object tag is data that fails validation, never code that runs."""
    path = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    path.write_text(
        BASE.replace(
            "customer: Northwind Traders",
            f"customer: !!python/object/apply:os.system ['touch {marker}']",
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError):
        load_scenario(path)
    assert not marker.exists()


def test_notebook_scenario_sections_replace_only_themselves() -> None:
    """papermill -y with one section replaces just that section of params_file; a complete
    scenario passed (papermill -f) stands alone; the file's own sections (srmkit report) give
    the file's scenario, with its name and lines."""
    from srmkit.params import notebook_scenario, read_params

    example, sections = read_params(EXAMPLE)
    link = {"bandwidth_mbps": 155.0, "distance_km": 40.0}
    merged = notebook_scenario(str(EXAMPLE), link=link)
    assert merged.link.bandwidth_mbps == 155.0
    assert merged.servers == example.servers
    assert merged._source is not None
    assert merged._source[0] == f"{EXAMPLE} with the notebook's link section(s)"
    other, other_sections = read_params(EXAMPLE.with_name("bidirectional.yaml"))
    alone = notebook_scenario(str(EXAMPLE), **other_sections)
    assert alone.document.customer == other.document.customer
    assert alone.growth == other.growth  # nothing of example.yaml leaks in
    assert alone._source is not None
    assert alone._source[0] == "notebook parameters"
    same = notebook_scenario(str(EXAMPLE), **sections)
    assert same._source is not None
    assert same._source[0] == str(EXAMPLE)
