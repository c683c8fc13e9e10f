"""The documents srmkit renders: one entry each, naming its notebook, title and exports.

Adding a document is one entry here and one notebook under ``notebooks/`` (shipped inside the
package as ``srmkit.notebooks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "docx")
"""The formats a document is rendered to."""


@dataclass(frozen=True)
class DocumentSpec:
    """One customer document."""

    key: str
    """Short name used on the command line (``--only design``)."""
    notebook: str
    """Notebook file in ``notebooks/``."""
    module: str
    """The module holding the document's sections (imported as its kernel starts)."""
    basename: str
    """Stem of the rendered files (``design_document.html``, ``.pdf``, …)."""
    title: str
    """Title on the cover and in the browser tab."""
    subtitle: str
    """Line above the title on the cover."""
    exports: tuple[str, ...]
    """Machine-readable files written beside the document (see :mod:`srmkit.exports`)."""


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.key: spec
    for spec in (
        DocumentSpec(
            key="design",
            notebook="design_document.ipynb",
            module="srmkit.documents.design_document",
            basename="design_document",
            title="Disaster recovery design",
            subtitle="Design document",
            exports=("plan.csv", "plan.xlsx", "sizing.json", "findings.json"),
        ),
        DocumentSpec(
            key="runbook",
            notebook="dr_runbook.ipynb",
            module="srmkit.documents.dr_runbook",
            basename="dr_runbook",
            title="Disaster recovery runbook",
            subtitle="Runbook",
            exports=("simulation.json", "runbook.csv"),
        ),
        DocumentSpec(
            key="sizing",
            notebook="sizing_study.ipynb",
            module="srmkit.documents.sizing_study",
            basename="sizing_study",
            title="Sizing study",
            subtitle="Sizing study",
            exports=("options.json",),
        ),
        DocumentSpec(
            key="build",
            notebook="build_book.ipynb",
            module="srmkit.documents.build_book",
            basename="build_book",
            title="Disaster recovery build book",
            subtitle="Build book",
            exports=("luns.csv", "naviseccli", "srm.xlsx", "bom.csv"),
        ),
    )
}


def get_document(key: str) -> DocumentSpec:
    """A registered document by key (``KeyError`` listing the keys when unknown)."""
    try:
        return DOCUMENTS[key]
    except KeyError:
        raise KeyError(f"unknown document {key!r}; documents: {', '.join(DOCUMENTS)}") from None
