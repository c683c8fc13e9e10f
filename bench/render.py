"""Rendering: ``srmkit report`` (HTML + PDF) against the stock chain on the same notebooks.

The stock chain is what one would type by hand: the papermill CLI, then
``jupyter nbconvert --to html --no-input``, then a headless Chromium printing the HTML. Both run
as whole processes, in the same run, on the same scenario; figures are medians.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bench.common import BIN, EXAMPLE, PARAMS, ROOT, SRMKIT, median_s, process
from srmkit.browser import LAUNCH_ARGS, find_browser
from srmkit.documents.registry import DOCUMENTS

NOTEBOOKS = ROOT / "notebooks"


def stock_chain(work: Path, notebook: Path, params: Path) -> None:
    """papermill CLI → jupyter nbconvert --to html --no-input → Chromium --print-to-pdf."""
    executed = work / notebook.name
    process(
        str(BIN / "papermill"),
        str(notebook),
        str(executed),
        "-f",
        str(params),
        "--no-progress-bar",
        cwd=ROOT / "notebooks",
    )()
    process(str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed))()
    browser = find_browser()
    assert browser is not None, "no Chromium: install one to benchmark PDF printing"
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    process(
        str(browser),
        "--headless",
        *LAUNCH_ARGS,
        *sandbox,
        "--no-pdf-header-footer",
        f"--print-to-pdf={work / notebook.with_suffix('.pdf').name}",
        executed.with_suffix(".html").as_uri(),
    )()


def _ours(out: Path, params: list[Path], *options: str) -> None:
    shutil.rmtree(out, ignore_errors=True)
    process(
        SRMKIT,
        "report",
        *map(str, params),
        "--out",
        str(out),
        "--to",
        "html,pdf",
        "--quiet",
        *options,
    )()


def _theirs(out: Path, params: list[Path]) -> None:
    for p in params:
        for spec in DOCUMENTS.values():
            work = out / p.stem / spec.key
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            stock_chain(work, NOTEBOOKS / spec.notebook, p)


def main(repeat: int = 3) -> None:
    """The example alone (median of ``repeat``), then every example (once): wall time per
    document and the ratio to the stock chain on the same documents in the same run."""
    docs = len(DOCUMENTS)
    examples = sorted(PARAMS.glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = median_s(lambda: _ours(out / "ours", [EXAMPLE]), repeat)
        theirs = median_s(lambda: _theirs(out / "stock", [EXAMPLE]), repeat)
        print(
            f"render params/example.yaml, {docs} documents (HTML + PDF), whole process: srmkit "
            f"report {ours:.2f} s ({ours / docs:.2f} s per document, goal <= 3 s); stock chain "
            f"(papermill, nbconvert, Chromium) {theirs:.2f} s; ratio {ours / theirs:.2f} "
            "(goal <= 0.4)"
        )
        for key, spec in DOCUMENTS.items():
            alone = median_s(lambda k=key: _ours(out / "ours-one", [EXAMPLE], "--only", k), repeat)
            print(
                f"  {spec.title} alone (--only {key}), whole process with the browser's start: "
                f"{alone:.2f} s"
            )
        ours_all = median_s(lambda: _ours(out / "ours-all", examples), 1)
        theirs_all = median_s(lambda: _theirs(out / "stock-all", examples), 1)
        n = docs * len(examples)
        print(
            f"render all {len(examples)} examples, {n} documents (HTML + PDF): srmkit report "
            f"{ours_all:.2f} s ({ours_all / n:.2f} s per document, goal <= 3 s); stock chain "
            f"{theirs_all:.2f} s ({theirs_all / n:.2f} s per document); ratio "
            f"{ours_all / theirs_all:.2f} (goal <= 0.4)"
        )
