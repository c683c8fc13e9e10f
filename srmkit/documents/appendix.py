"""Appendices every document shares: the method, the parameters, the assumptions that apply,
and the provenance of the document (the references appendix is :meth:`Book.references`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from srmkit import glossary
from srmkit.assumption_rows import assumption_rows
from srmkit.design import Design
from srmkit.documents.blocks import Book, Col, Html, join, paragraph
from srmkit.limits import get_model
from srmkit.version import __version__

SETTING_HEADER = "Setting"


def _drop_setting_columns(markdown: str) -> str:
    """Remove the "Setting" column (scenario-file names) from every Markdown table."""
    out, drop = [], None
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = line.strip().strip("|").split("|")
            if drop is None and SETTING_HEADER in [c.strip() for c in cells]:
                drop = [c.strip() for c in cells].index(SETTING_HEADER)
            if drop is not None and drop < len(cells):
                cells = cells[:drop] + cells[drop + 1 :]
            out.append("|" + "|".join(cells) + "|")
        else:
            drop = None
            out.append(line)
    return "\n".join(out)


@cache
def method_html() -> str:
    """``docs/method.md`` as HTML for the appendix: its sections demoted below the appendix
    heading, without the scenario-file names of the settings and without its own sources list
    (the references appendix lists every source cited)."""
    from markdown_it import MarkdownIt

    text = resources.files("srmkit.docs").joinpath("method.md").read_text(encoding="utf-8")
    text = text.split("\n## Sources", 1)[0]
    text = re.sub(r"\A# [^\n]*\n", "", text)
    text = text.replace("[Sources](#sources)", "References").replace(
        "listed under References at the end", "listed in the References appendix"
    )
    text = _drop_setting_columns(text)
    text = re.sub(r"^(#{2,4}) ", lambda m: "#" * (len(m.group(1)) + 1) + " ", text, flags=re.M)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return str(md.render(text))


def method(b: Book) -> Html:
    """The method: every formula, default and source, in the project's words."""
    return join(
        b.h1("Method", appendix=True),
        Html(f'<div class="srm-method">{method_html()}</div>'),
    )


def _value(value: Any, unit: str) -> str:
    """An assumption's value for readers: ``none`` for an empty one (never Python's ``None``).

    >>> _value(None, "Mbit/s"), _value(0.85, "fraction"), _value(1000, "count")
    ('none', '85%', '1,000')
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return glossary.yes_no(value)
    if isinstance(value, float):
        if unit == "fraction":
            return (
                f"{value:,.0%}" if abs(value * 100 - round(value * 100)) < 1e-9 else f"{value:,.1%}"
            )
        return f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


UNIT_WORDS = {"fraction": "", "count": "", "factor": "", "table": "", "list": ""}


def _applies(modes: str, mode: str) -> bool:
    return modes in ("both", mode)


SHORT_LIST = 12
"""A list assumption this long or shorter is shown in one cell (the standard line rates)."""
LIMIT_WORDS = {
    "mirrors": "mirrors",
    "luns_per_cg": "LUNs per consistency group",
    "cgs": "consistency groups",
    "luns": "LUNs in the array",
}


def assumptions(b: Book, design: Design) -> Html:
    """The assumptions that apply to this design, with units and sources; changed ones marked."""
    mode = design.mode
    rows = []
    for r in assumption_rows(design.a):
        if not _applies(r.modes, mode) or isinstance(r.value, dict):
            continue
        if isinstance(r.value, tuple):
            if len(r.value) > SHORT_LIST:
                continue  # the daily profile: its own table below
            value: object = ", ".join(f"{v:,g}" for v in r.value)
        else:
            value = _value(r.value, r.unit)
        status, source = ("changed" if r.overridden else ""), r.source
        if r.name == "burst_factor" and design.burst_origin.source == "measured":
            status, source = "measured", "the servers' Performance Monitor logs (Method §2)"
        rows.append([r.description, value, UNIT_WORDS.get(r.unit, r.unit), status, source])
    for a in design.scenario.arrays:
        catalogue_model = get_model(a.model)
        for key, count in a.limit_changes().items():
            mode_name, _, limit = key.partition("_max_")
            if not limit:
                mode_name, limit = "", key.removeprefix("max_")
            limits = catalogue_model.limits("sync" if mode_name == "sync" else "async")
            was = (
                catalogue_model.max_luns
                if not mode_name
                else getattr(limits, f"max_{limit}", None)
                if limits
                else None
            )
            where = f" with {glossary.MODE_NAME[mode_name]}" if mode_name else ""
            rows.append(
                [
                    f"{a.name} ({catalogue_model.model}): {LIMIT_WORDS[limit]}{where} (the "
                    f"catalogue says {was if was is not None else 'none'})",
                    f"{count:,}",
                    "count",
                    "changed",
                    "this design (a later FLARE release's published limit)",
                ]
            )
    profiles = [
        [
            glossary.profile(name),
            p.messages_per_day_count,
            p.db_iops_per_mailbox,
            p.logs_per_mailbox_per_day_count,
        ]
        for name, p in design.a.exchange_profiles.items()
    ]
    daily = design.a.daily_profile_fraction
    peak = max(range(24), key=lambda h: daily[h])
    return join(
        b.h1("Assumptions", appendix=True),
        paragraph(
            "Every value the calculations rest on that applies to this "
            f"{glossary.MODE[mode]} design, with its source. Values marked changed were set for "
            "this design; all others are srmkit's documented defaults (see the method)."
        ),
        b.table(
            "Assumptions",
            [Col("Assumption"), Col("Value"), Col("Unit"), Col("Changed"), Col("Source")],
            rows,
        ),
        b.table(
            "Exchange 2007 mailbox profiles",
            [
                Col("Profile"),
                Col("Messages a day", 0),
                Col("Database IOPS per mailbox", 2),
                Col("Transaction logs per mailbox a day", 0),
            ],
            profiles,
            source="[S19] [S20]; logs of 1 MiB each.",
        ),
        paragraph(
            f"The daily profile spreads each day's activity over its hours; the busiest hour "
            f"({peak:02d}:00) carries {daily[peak]:,.1%} of the day."
        ),
    )


def parameters(b: Book, design: Design) -> Html:
    """Every parameter of the scenario in words (sites, arrays and servers are in their
    sections' tables)."""
    s = design.scenario
    link, r, t, g = s.link, s.replication, s.targets, s.growth
    rows: list[list[object]] = [
        ["Replication", glossary.MODE[r.mode]],
        ["Link bandwidth", f"{link.bandwidth_mbps:,g} Mbit/s"],
        ["Distance between the sites", f"{link.distance_km:,g} km"],
        ["Fibre route length ÷ distance", f"{link.route_factor:g}"],
        ["Round trips per replicated write", f"{link.round_trips}"],
        ["Link efficiency", f"{link.efficiency_fraction:,.0%}"],
        ["Share of the link for replication", f"{link.share_fraction:,.0%}"],
        ["Recovery policy", glossary.label(glossary.RECOVERY_POLICY, r.recovery_policy)],
        ["Write intent log", glossary.yes_no(r.write_intent_log)],
        ["Synchronisation rate", glossary.label(glossary.SYNC_RATE, r.sync_rate)],
        ["Consistency-group policy", glossary.label(glossary.CG_POLICY, r.cg_policy)],
    ]
    if r.mode == "async":
        rows.append(["Update type", glossary.label(glossary.UPDATE_TYPE, r.update_type)])
        if r.update_interval_min is not None:
            rows.append(["Update interval", f"{r.update_interval_min:g} min"])
        if r.manual_update_times:
            rows.append(
                ["Update times", ", ".join(x.strftime("%H:%M") for x in r.manual_update_times)]
            )
    rows += [
        ["Recovery point objective", f"{t.rpo_min:g} min"],
        ["Recovery time objective", f"{t.rto_min:g} min"],
        ["User growth a year", f"{g.users_per_year_fraction:,.0%}"],
        ["Growth horizon", f"{g.years} years"],
        ["Sites", ", ".join(x.name for x in s.sites)],
        ["Arrays", ", ".join(x.name for x in s.arrays)],
        ["Mailbox servers", f"{len(s.servers):,}"],
        ["Accepted risks", f"{len(s.accept):,}"],
        ["Failure scenarios of this design", f"{len(s.scenarios):,}"],
    ]
    return join(
        b.h1("Parameters", appendix=True),
        paragraph(
            "The design parameters as given; sites, arrays and servers are listed in their "
            "sections."
        ),
        b.table("Design parameters", [Col("Parameter"), Col("Value")], rows),
    )


def _git_commit(where: Path) -> str | None:
    """The commit of a clean git checkout holding ``where``; None otherwise."""
    try:
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return head if head and not dirty else None


def _scenario_rows(design: Design, params_file: str | None) -> tuple[list[list[object]], str]:
    """The provenance rows naming the scenario, and the sentence saying where it came from: the
    file (``srmkit report``, papermill with the file's own sections), the file with some
    sections passed to the notebook, or sections alone (``papermill -f other.yaml``)."""
    source = (design.scenario._source or ("notebook parameters", {}))[0]
    from_file = params_file is not None and (
        source == str(Path(params_file)) or source.startswith(f"{params_file} with ")
    )
    if params_file is not None and from_file:
        path = Path(params_file)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = "the file could not be read"
        rows: list[list[object]] = [["Scenario file", path.name]]
        rows.append(["Scenario file SHA-256", digest])
        if source != str(path):
            given = source.split(" with the notebook's ", 1)[1]
            rows.append(["Replaced when the notebook ran", given])
            return rows, "from the scenario file named below, with sections passed to it"
        return rows, "from the scenario file named below"
    data = json.dumps(design.scenario.model_dump(mode="json"), sort_keys=True).encode("utf-8")
    return [
        ["Scenario", "passed to the notebook as its parameters (papermill -f or -y)"],
        ["Scenario SHA-256 (its sections as JSON)", hashlib.sha256(data).hexdigest()],
    ], "from the scenario passed to the notebook as its parameters"


def provenance(b: Book, design: Design, params_file: str | None) -> Html:
    """What made this document: srmkit's version, the scenario (its file's name and SHA-256, or
    the sections passed to the notebook), the source commit when srmkit runs from a clean
    checkout, and when it was rendered."""
    scenario_rows, origin = _scenario_rows(design, params_file)
    rows: list[list[object]] = [["srmkit version", __version__], *scenario_rows]
    commit = _git_commit(Path(__file__).parent)
    rows.append(["srmkit source commit", commit or "not from a clean source checkout"])
    rows.append(["Rendered", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")])
    body = join(
        b.h1("Provenance", appendix=True),
        paragraph(
            f"This document was generated by srmkit {origin}; the same scenario and version "
            "give the same figures."
        ),
        b.table("Provenance", [Col("Item"), Col("Value")], rows),
    )
    return Html(f'<div class="srm-keep">{body.markup}</div>')  # heading and table on one page
