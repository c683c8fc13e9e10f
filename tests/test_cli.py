"""The srmkit command: exit codes, JSON output, schema."""

from __future__ import annotations

import json

from conftest import EXAMPLES, PARAMS, run_cli, run_process

from srmkit import __version__
from srmkit.schema import json_schema_text


def test_limits_json_for_one_model_has_the_documented_shape() -> None:
    """`srmkit limits CX4-480 --format json` prints the issue's shape with the seed's numbers."""
    result = run_cli("limits", "CX4-480", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "CX4-480"
    assert data["sync"] == {"max_mirrors": 512, "max_luns_per_cg": 32, "max_cgs": 64}
    assert data["async"] == {"max_mirrors": 100, "max_luns_per_cg": 16, "max_cgs": 50}


def test_limits_mode_filter_and_formats() -> None:
    """--mode keeps one mode; csv and table list every model."""
    data = json.loads(run_cli("limits", "CX3-20", "--mode", "async", "--format", "json").stdout)
    assert "sync" not in data
    assert data["async"]["max_mirrors"] == 50
    csv_out = run_cli("limits", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("model,")
    assert len(csv_out) == 13
    table = run_cli("limits").stdout
    assert "CX4-960" in table
    assert "source" in table


def test_limits_unknown_model_exits_2_with_valid_names() -> None:
    """An unknown model ends with exit 2, a suggestion and the valid names."""
    result = run_cli("limits", "CX4-48", "--format", "json")
    assert result.returncode == 2
    assert "Did you mean CX4-480?" in result.stderr
    assert "CX3-10c" in result.stderr
    assert run_cli("limits", "--mode", "semi").returncode == 2


def test_check_examples_exit_codes_and_json() -> None:
    """Every example validates; the two with real problems exit 1, the others 0."""
    result = run_cli("check", *map(str, EXAMPLES), "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert {name.rsplit("/", 1)[-1]: v for name, v in data["verdicts"].items()} == {
        "async-long-distance.yaml": "fits_with_warnings",
        "bidirectional.yaml": "fits_with_warnings",
        "cx3-upgrade.yaml": "does_not_fit",
        "example.yaml": "fits_with_warnings",
        "unbounded-async.yaml": "does_not_fit",
    }
    failing = {"cx3-upgrade.yaml", "unbounded-async.yaml"}
    fitting = [p for p in EXAMPLES if p.name not in failing]
    assert run_cli("check", *map(str, fitting)).returncode == 0
    # The installed entry point gives the same exit codes as the command run in process.
    assert run_process("check", *map(str, EXAMPLES)).returncode == 1
    assert run_process("check", *map(str, fitting)).returncode == 0
    assert run_process("limits", "CX4-48").returncode == 2


def test_version_and_help() -> None:
    """--version prints the package version; --help lists the subcommands."""
    assert run_cli("--version").stdout.strip() == f"srmkit {__version__}"
    assert run_process("--version").stdout.strip() == f"srmkit {__version__}"
    help_text = run_cli("--help").stdout
    for command in ("report", "check", "limits", "schema"):
        assert command in help_text


def test_schema_command_matches_committed_copy() -> None:
    """`srmkit schema` prints the JSON Schema that the example files point editors to."""
    printed = run_cli("schema").stdout
    assert printed == json_schema_text()
    assert (PARAMS / "scenario.schema.json").read_text(encoding="utf-8") == printed
    for example in EXAMPLES:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./scenario.schema.json"


def test_report_rejects_unknown_format() -> None:
    """--to with an unknown format exits 2 before any work."""
    assert run_cli("report", str(EXAMPLES[0]), "--to", "rtf").returncode == 2
