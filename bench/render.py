"""Rendering: ``srmkit report`` (HTML + PDF) against the stock chain on the same notebook.

The stock chain is what one would type by hand: the papermill CLI, then
``jupyter nbconvert --to html --no-input``, then a headless Chromium printing the HTML. Both run
as whole processes, in the same run, on the same scenario; figures are medians.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bench.common import BIN, EXAMPLE, ROOT, SRMKIT, median_s, process
from srmkit.browser import LAUNCH_ARGS, find_browser

NOTEBOOK = ROOT / "notebooks" / "design_document.ipynb"


def stock_chain(work: Path) -> None:
    """papermill CLI → jupyter nbconvert --to html --no-input → Chromium --print-to-pdf."""
    executed = work / "design_document.ipynb"
    process(
        str(BIN / "papermill"),
        str(NOTEBOOK),
        str(executed),
        "-f",
        str(EXAMPLE),
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
        f"--print-to-pdf={work / 'design_document.pdf'}",
        (work / "design_document.html").as_uri(),
    )()


def main(repeat: int = 3) -> None:
    """Median wall time of each route and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def srmkit_report() -> None:
            shutil.rmtree(out / "reports", ignore_errors=True)
            process(SRMKIT, "report", str(EXAMPLE), "--out", str(out / "reports"))()

        def stock() -> None:
            work = out / "stock"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            stock_chain(work)

        ours = median_s(srmkit_report, repeat)
        theirs = median_s(stock, repeat)
    print(
        f"render params/example.yaml (HTML + PDF), whole process: srmkit report {ours:.2f} s "
        f"(goal <= 4 s); stock chain (papermill, nbconvert, Chromium) {theirs:.2f} s; "
        f"ratio {ours / theirs:.2f} (goal <= 0.5)"
    )
