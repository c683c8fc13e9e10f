"""The design document's review: every finding, the accepted risks and what the checks do not
cover.

A design of thousands of servers can break one rule on each of them: the review then lists
such a rule once, with how many findings it has, the first as an example and how many of their
remedies were verified; every finding, one a row, is in the accompanying spreadsheet (sheet
"findings") and in findings.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from srmkit import glossary, rules
from srmkit.checks import Finding
from srmkit.design import Design
from srmkit.documents.blocks import MAX_TABLE_ROWS, Book, Col, Html, bullets, join, note, paragraph

NOT_CHECKED = [
    "The link's real bandwidth and overhead, measured before go-live [S0].",
    "Exchange performance with mirroring on: Jetstress and LoadGen runs with the mirrors "
    "active, with read and write latency within Microsoft's limits [S0].",
    "The spindle layout: database and log LUNs of a storage group on separate spindles, and "
    "the RAID groups behind the reserved LUN pool and the write intent log [S0] [S8].",
    "Active Directory, DNS, network and firewall changes at the recovery site.",
    "Backup, archiving and the versions of SRM and the MirrorView adapter.",
]

GROUP_FROM = 4
"""In a review too long to list (more than :data:`MAX_TABLE_ROWS` findings), a rule found this
many times or more is one row."""
COMPLETE_IN = "spreadsheet plan.xlsx (sheet findings) and in findings.json"

GroupRow = Callable[[Sequence[Finding]], list[object]]


def subjects(findings: Sequence[Finding]) -> str:
    """The subjects of a rule's findings, the first few by name.

    >>> f = [Finding("R", "error", "", "", "", f"MBX{i}") for i in range(5)]
    >>> subjects(f), subjects(f[:2])
    ('MBX0, MBX1, MBX2 and 2 more', 'MBX0 and MBX1')
    """
    return glossary.names(
        list(dict.fromkeys(f.subject or "the design" for f in findings)), most=glossary.FIRST_NAMED
    )


def grouped(
    findings: Sequence[Finding], row: Callable[[Finding], list[object]], group_row: GroupRow
) -> tuple[list[list[object]], bool]:
    """The table's rows: one a finding, or, when there are more than :data:`MAX_TABLE_ROWS`,
    one a rule for the rules found :data:`GROUP_FROM` times or more (in the order each rule is
    first found); and whether any row stands for several findings."""
    if len(findings) <= MAX_TABLE_ROWS:
        return [row(f) for f in findings], False
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        by_rule.setdefault((f.severity, f.id), []).append(f)
    rows: list[list[object]] = []
    for same in by_rule.values():
        if len(same) >= GROUP_FROM:
            rows.append(group_row(same))
        else:
            rows += [row(f) for f in same]
    return rows, len(rows) < len(findings)


def _verified(same: Sequence[Finding]) -> str:
    """How many of a rule's remedies were proven on the design, then the first as an example."""
    proven = sum(f.remedy_verified for f in same)
    which = (
        "Each verified on the design"
        if proven == len(same)
        else "None verified on the design"
        if proven == 0
        else f"{proven:,} of {len(same):,} verified on the design"
    )
    return f"{which}; for example, {same[0].remedy}"


def _group_of_findings(same: Sequence[Finding]) -> list[object]:
    f = same[0]
    return [
        glossary.SEVERITY[f.severity],
        rules.catalogue()[f.id].title,
        f"{len(same):,} findings, on {subjects(same)}; for example, {f.message}",
        _verified(same),
        f.reference,
    ]


def _group_of_accepted(same: Sequence[Finding]) -> list[object]:
    f = same[0]
    reasons = list(dict.fromkeys(x.accepted_reason or "" for x in same))
    return [
        rules.catalogue()[f.id].title,
        f"{len(same):,} findings, on {subjects(same)}; for example, {f.message}",
        reasons[0] if len(reasons) == 1 else f"for example, {reasons[0]}",
    ]


def to_act_on(design: Design) -> list[str]:
    """The executive summary's open errors and warnings: each, or, in a review too long to list,
    each rule found :data:`GROUP_FROM` times or more once, with how many and an example."""
    lines, _ = grouped(
        [f for f in design.findings if not f.accepted and f.severity in ("error", "warning")],
        lambda f: [f"{glossary.SEVERITY[f.severity]}: {f.message}"],
        lambda same: [
            f"{glossary.SEVERITY[same[0].severity]}: {rules.catalogue()[same[0].id].title}, "
            f"{len(same):,} findings, on {subjects(same)}; for example, {same[0].message}"
        ],
    )
    return [str(line[0]) for line in lines]


def remedies_of_a_rule(texts: Sequence[str]) -> str:
    """A rule's distinct verified remedies, or for one remedy a server on many servers, how many
    and the first as an example.

    >>> remedies_of_a_rule(["a 1,000 Mbit/s link", "compress"])
    'a 1,000 Mbit/s link; or compress'
    >>> remedies_of_a_rule([f"move MBX{i}'s disks" for i in range(5)])
    "5 remedies, one for each finding; for example, move MBX0's disks"
    """
    if len(texts) < GROUP_FROM:
        return "; or ".join(texts)
    return f"{len(texts):,} remedies, one for each finding; for example, {texts[0]}"


def review(b: Book, design: Design) -> Html:
    """Every finding (a rule found on many servers once, with an example), the accepted risks,
    and what the checks do not cover."""
    catalogue = rules.catalogue()
    open_rows, open_grouped = grouped(
        [f for f in design.findings if not f.accepted],
        lambda f: [
            glossary.SEVERITY[f.severity],
            catalogue[f.id].title,
            f.message,
            f.remedy,
            f.reference,
        ],
        _group_of_findings,
    )
    accepted, accepted_grouped = grouped(
        [f for f in design.findings if f.accepted],
        lambda f: [catalogue[f.id].title, f.message, f.accepted_reason or ""],
        _group_of_accepted,
    )
    parts = [
        b.h1("Design review"),
        paragraph(
            f"srmkit checks the design against {len(catalogue):,} rules from EMC's and VMware's "
            "guidelines and Microsoft's Exchange limits. Errors must be resolved; warnings "
            "resolved or accepted as risks; notes are for information."
        ),
    ]
    if open_grouped or accepted_grouped:
        parts.append(
            note(
                f"A rule found {GROUP_FROM:,} times or more is one row, with its first finding "
                f"and remedy as an example; every finding is in the accompanying {COMPLETE_IN}."
            )
        )
    if open_rows:
        parts.append(
            b.table(
                "Findings",
                [Col("Severity"), Col("Rule"), Col("Finding"), Col("Remedy"), Col("Source")],
                open_rows,
                complete_in=COMPLETE_IN,
            )
        )
    else:
        parts.append(paragraph("The design meets every rule srmkit checks."))
    if accepted:
        parts.append(
            b.table(
                "Accepted risks",
                [Col("Rule"), Col("Finding"), Col("Why it is accepted")],
                accepted,
                complete_in=COMPLETE_IN,
            )
        )
    parts += [paragraph("What the checks do not verify:"), bullets(NOT_CHECKED)]
    return join(*parts)
