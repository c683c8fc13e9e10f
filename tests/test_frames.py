"""design.frames: the design's tables as pandas DataFrames, equal to what the CLI prints and the
exports write."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE, EXAMPLES, run_cli

from srmkit.design import Design
from srmkit.exports import write_plan_csv
from srmkit.frames import records
from srmkit.params import load_scenario

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def design() -> Design:
    """The example design."""
    return Design(load_scenario(EXAMPLE))


def test_frames_have_unit_suffixed_columns_and_sensible_dtypes(design: Design) -> None:
    """Each frame has its documented columns; counts are integers, enumerations categories,
    figures floats; servers and consistency groups are indexed by name."""
    f = design.frames
    assert list(f.mirrors.columns)[:4] == ["server", "storage_group", "lun_role", "capacity_gib"]
    assert isinstance(f.mirrors["lun_role"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_float_dtype(f.mirrors["capacity_gib"])
    assert f.servers.index.name == "server"
    assert str(f.servers["users"].dtype) == "Int64"
    assert pd.api.types.is_float_dtype(f.servers["db_iops_peak"])
    assert f.cgs.index.name == "cg"
    assert str(f.cgs["luns"].dtype) == "Int64"
    assert isinstance(f.findings["severity"].dtype, pd.CategoricalDtype)
    assert f.options.index.name == "key"
    assert design.frames is f
    assert f.mirrors is f.mirrors  # built once


@pytest.mark.parametrize("params", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_frames_equal_the_commands_json(params: Path) -> None:
    """The frames hold the numbers of ``plan``, ``check``, ``compare`` and ``simulate`` (the
    golden JSON of every example)."""
    design = Design(load_scenario(params))
    f = design.frames
    plan = json.loads((GOLDEN / f"{params.stem}.plan.json").read_text("utf-8"))
    assert len(f.mirrors) == sum(cg["luns"] for cg in plan["consistency_groups"])
    assert f.cgs["luns"].to_dict() == {cg["name"]: cg["luns"] for cg in plan["consistency_groups"]}
    check = json.loads((GOLDEN / f"{params.stem}.check.json").read_text("utf-8"))
    [findings] = check["files"].values()
    assert records(f.findings) == findings
    compare = json.loads((GOLDEN / f"{params.stem}.compare.json").read_text("utf-8"))
    assert list(f.options.index) == [o["key"] for o in compare["options"]]
    assert f.options["verdict"].tolist() == [o["verdict"] for o in compare["options"]]
    simulate = json.loads((GOLDEN / f"{params.stem}.simulate.json").read_text("utf-8"))
    first = simulate["scenarios"][0]
    timeline = f.timeline(first["name"])
    assert timeline["to"].tolist() == [row["to"] for row in first["timeline"]]
    assert timeline["t_min"].tolist() == pytest.approx([row["t_min"] for row in first["timeline"]])


def test_plan_csv_is_written_from_the_mirrors_frame(design: Design, tmp_path: Path) -> None:
    """plan.csv has the mirrors frame's rows and columns, value for value."""
    write_plan_csv(design, tmp_path / "plan.csv")
    with (tmp_path / "plan.csv").open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    expected = [
        {k: "" if v is None else str(v) for k, v in r.items()}
        for r in records(design.frames.mirrors)
    ]
    assert written == expected
    assert run_cli("plan", str(EXAMPLE), "--format", "csv").stdout.splitlines()[1:] == [
        ",".join(r.values()) for r in expected
    ]


def test_an_unknown_scenario_timeline_is_refused(design: Design) -> None:
    """A timeline of a scenario the design does not have names the scenarios it has."""
    with pytest.raises(KeyError, match="site-disaster"):
        design.frames.timeline("no-such-scenario")
