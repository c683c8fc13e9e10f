"""The design document end to end: papermill executes, nbconvert renders, Chromium prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import EXAMPLE, ROOT, profile_only, run_cli
from pypdf import PdfReader

from srmkit.browser import offline_page, wait_for_figures
from srmkit.report import Report, render
from srmkit.schema import BUILTIN_SCENARIOS

# example_report (conftest): the example rendered once per run, shared with test_documents.
pytestmark = [
    pytest.mark.notebook,
    pytest.mark.timeout(300),
]


def test_report_folder_layout(example_report: Report) -> None:
    """reports/<customer-slug>/<version>/ holds the executed notebook, HTML and the scenario."""
    folder = example_report.folder
    assert folder.parent.name == "northwind-traders"
    assert folder.name == "1.0"
    assert {"design_document.ipynb", "design_document.html", "scenario.yaml"} <= set(
        example_report.files
    )
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_executed_notebook_holds_the_scenario_results(example_report: Report) -> None:
    """The executed notebook ran every cell and shows the computed limits table."""
    nb = nbformat.read(example_report.files["design_document.ipynb"], as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    text = json.dumps([c.get("outputs", []) for c in code])
    assert "224 of 512" in text  # 6 × (2 × 18 SGs + 1 GOS LUN) + 2 Hub Transport LUNs, CX4-480


def test_html_has_no_code_and_fetches_nothing(example_report: Report) -> None:
    """The HTML holds no code cells or prompts and no URL it would fetch from a CDN."""
    html = example_report.files["design_document.html"].read_text(encoding="utf-8")
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', html)
    assert code_cells
    assert all("jp-mod-noInput" in c for c in code_cells)
    body = html.split("</style>")[-1]
    assert 'class="jp-OutputPrompt' not in body
    assert 'class="jp-InputPrompt' not in body
    assert "from srmkit import" not in html
    assert "notebook_scenario(" not in html
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?:', html)
    assert html.count("plotly.js (basic - minified) v") == 1  # the library, embedded once
    assert "Northwind Traders" in html


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_html_draws_every_figure_offline(example_report: Report) -> None:
    """In headless Chromium with the network closed, every plotly figure draws."""
    with offline_page() as (page, refused):
        page.goto(example_report.files["design_document.html"].as_uri(), wait_until="load")
        assert wait_for_figures(page) >= 3  # latency, link use by hour, limit usage
        assert page.evaluate("document.querySelectorAll('.plotly-graph-div .main-svg').length") > 0
        assert refused == []


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_pdf_holds_the_customer_and_the_figures_page(example_report: Report) -> None:
    """The PDF exists and its text holds the customer name and the limits section."""
    reader = PdfReader(example_report.files["design_document.pdf"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    assert "Northwind Traders" in text
    assert "Consistency groups and array limits" in text
    assert "Northwind Traders · Confidential" in text


def _html_outputs(path: Path) -> list[str]:
    """The HTML outputs of an executed notebook, but its figures and its provenance (which holds
    the time of rendering)."""
    nb = nbformat.read(path, as_version=4)
    return [
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
        and "plotly-graph-div" not in o["data"]["text/html"]
        and "Provenance" not in o["data"]["text/html"]
    ]


def _papermill(tmp_path: Path, *args: str, notebook: str = "build_book") -> Path:
    """Run a document's notebook (by default the build book's, the quickest) with papermill's
    CLI from the checkout; the executed notebook."""
    out = tmp_path / "out.ipynb"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("papermill")),
            f"notebooks/{notebook}.ipynb",
            str(out),
            *args,
            "--no-progress-bar",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


def _provenance(tmp_path: Path, *args: str) -> str:
    """The build book's HTML, provenance included, run with papermill's CLI and ``args``."""
    nb = nbformat.read(_papermill(tmp_path, *args), as_version=4)
    return "".join(
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    )


def test_papermill_cli_route_gives_the_same_results(example_report: Report, tmp_path: Path) -> None:
    """`papermill notebook out.ipynb -p params_file params/example.yaml` executes the same
    notebook alike (with ``-f`` alone papermill passes the file's contents, not its folder, where
    the example's measurement is)."""
    out = _papermill(
        tmp_path, "-p", "params_file", "params/example.yaml", notebook="design_document"
    )
    assert _html_outputs(out) == _html_outputs(example_report.files["design_document.ipynb"])


def test_papermill_provenance_names_the_scenario_it_was_given(tmp_path: Path) -> None:
    """-f another scenario: the document is that scenario's, and its provenance says so (never
    the notebook's default file); -y one section: only that section of the file changes."""
    other = _provenance(tmp_path, "-f", "params/bidirectional.yaml")
    assert "Contoso Health" in other
    assert "passed to the notebook as its parameters" in other
    assert "example.yaml" not in other
    one = _provenance(
        tmp_path,
        *("-p", "params_file", "params/example.yaml"),
        *("-y", "link: {bandwidth_mbps: 155, distance_km: 40}"),
    )
    assert "Northwind Traders" in one
    assert "155 Mbit/s" in one
    assert "example.yaml" in one
    assert "Replaced when the notebook ran" in one


def test_never_overwrites_and_bad_input_writes_nothing(tmp_path: Path, stub_document: str) -> None:
    """A second run lands in a new folder; invalid params exit 2 and add nothing under reports/."""
    out = tmp_path / "reports"
    first = render([EXAMPLE], out, ("html",), only=[stub_document]).reports[0]
    stamp = first.files["stub.html"].stat().st_mtime_ns
    assert "Rendered from example.yaml" in first.files["stub.html"].read_text(encoding="utf-8")
    second = render([EXAMPLE], out, ("html",), only=[stub_document]).reports[0]
    assert second.folder != first.folder
    assert second.folder.parent == first.folder.parent
    assert first.files["stub.html"].stat().st_mtime_ns == stamp
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    bad = tmp_path / "bad.yaml"
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    example = profile_only(EXAMPLE.read_text(encoding="utf-8"))
    bad.write_text(example.replace("model: CX4-480", "model: CX4-999"), "utf-8")
    result = run_cli("report", str(EXAMPLE), str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "arrays[0].model" in result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_params_text_is_escaped_and_never_executed(tmp_path: Path) -> None:
    """Customer names and notes with markup and quotes are shown as text and never run."""
    marker = tmp_path / "pwned"
    evil = f'Evil <script>alert(1)</script> "); import os; os.system("touch {marker}") #'
    # In a temporary folder, without EXMBX01's Performance Monitor log: sized by its profile.
    text = profile_only(EXAMPLE.read_text(encoding="utf-8")).replace(
        "customer: Northwind Traders", f"customer: '{evil}'"
    )
    text = text.replace("    Primary data centre", "    <img src=x onerror=alert(2)> Primary")
    params = tmp_path / "evil.yaml"
    params.write_text(text, encoding="utf-8")
    report = render([params], tmp_path / "reports", ("html",), only=["design"]).reports[0]
    html = report.files["design_document.html"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert not marker.exists()


def test_failing_notebook_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When execution fails, the error names the cell and no folder is left behind."""
    from srmkit import execution

    broken = tmp_path / "notebooks"
    broken.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "design_document.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(nb, broken / "design_document.ipynb")
    monkeypatch.setattr(execution, "notebooks_dir", lambda: broken)
    out = tmp_path / "reports"
    result = render([EXAMPLE], out, ("html",), only=["design"])
    assert result.reports == []
    [failure] = result.failures
    assert "boom" in failure.reason
    assert "cell" in failure.reason
    assert not out.exists()  # a run that rendered nothing leaves no trace


def test_plan_exports_beside_the_report(example_report: Report) -> None:
    """plan.csv has one row per mirror; plan.xlsx the same sheet plus a summary per array."""
    import csv

    from openpyxl import load_workbook

    rows = list(csv.DictReader(example_report.files["plan.csv"].open(encoding="utf-8")))
    assert len(rows) == 224  # 6 servers × (18 SGs × 2 + 1 GOS LUN) + 2 Hub Transport LUNs
    assert set(rows[0]) == {
        "server",
        "storage_group",
        "lun_role",
        "capacity_gib",
        "cg",
        "source_array",
        "target_array",
        "mode",
    }
    assert rows[0]["cg"] == "CG_EXMBX01_1"
    assert rows[0]["lun_role"] == "db"
    book = load_workbook(example_report.files["plan.xlsx"])
    assert book.sheetnames == [
        "mirrors",
        "servers",
        "consistency groups",
        "findings",
        "AMS-CX4",
        "UTR-CX4",
    ]
    findings = json.loads(example_report.files["findings.json"].read_text(encoding="utf-8"))
    assert book["findings"].max_row == 1 + len(findings["findings"])
    assert book["servers"].max_row == 7  # header and six mailbox servers
    assert book["mirrors"].max_row == 225
    assert [c.value for c in book["AMS-CX4"][2]] == ["mirrors", 224, 512, 288]


def test_document_shows_the_review(example_report: Report) -> None:
    """The example's review lists its one finding (the reserved LUN pool to configure)."""
    html = example_report.files["design_document.html"].read_text(encoding="utf-8")
    assert "Reserved LUN pool" in html
    assert "Consistency groups and array limits" in html
    assert "CG_EXMBX06_2" in html


def test_runbook_document_names_the_design(example_report: Report) -> None:
    """The runbook lands beside the design document and names the design's own objects."""
    html = example_report.files["dr_runbook.html"].read_text(encoding="utf-8")
    for name in ("Amsterdam", "Utrecht", "AMS-CX4", "UTR-CX4", "CG_EXMBX01_1", "EXMBX06"):
        assert name in html
    for title in ("Failover after a disaster", "Failback", "Site loss during an automatic"):
        assert title in html
    assert "Recover Amsterdam Exchange at Utrecht" in html


@pytest.mark.browser
@pytest.mark.usefixtures("need_browser")
def test_runbook_draws_offline_and_prints(example_report: Report) -> None:
    with offline_page() as (page, refused):
        page.goto(example_report.files["dr_runbook.html"].as_uri(), wait_until="load")
        assert (
            wait_for_figures(page) == len(BUILTIN_SCENARIOS) + 1
        )  # a timeline per scenario, the state diagram
        assert refused == []
    reader = PdfReader(example_report.files["dr_runbook.pdf"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Disaster recovery runbook" in text
    assert "Storage processor failure" in text


def test_simulation_json_equals_the_simulate_command(example_report: Report) -> None:
    """simulation.json holds what `srmkit simulate --format json` prints, and the risk figures."""
    written = json.loads(example_report.files["simulation.json"].read_text(encoding="utf-8"))
    printed = json.loads(run_cli("simulate", str(EXAMPLE), "--format", "json").stdout)
    assert written["scenarios"] == printed["scenarios"]
    assert written["monte_carlo"]["runs"] == 100_000


def test_design_document_has_the_failure_scenarios(example_report: Report) -> None:
    html = example_report.files["design_document.html"].read_text(encoding="utf-8")
    assert "Failure scenarios" in html
    assert "Data lost by random disasters" in html
    assert "Link loss, then site loss" in html
