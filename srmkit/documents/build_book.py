"""The build book: from the approved design to what the implementation team runs and orders —
the bill of materials, the LUN allocation, the naviseccli scripts, the SRM configuration, network
and ports, and the acceptance test plan, with the scripts as appendices (Method §10, v3).

Every function takes the document's :class:`~srmkit.documents.blocks.Book` and the scenario's
:class:`~srmkit.design.Design`, and returns HTML for one notebook cell. Every number comes from
``design.build`` (:mod:`srmkit.build`); the text is generated from the design.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from srmkit import figures
from srmkit.build_scripts import PHASES, command_words
from srmkit.commands import forms, readable
from srmkit.design import Design
from srmkit.documents import appendix
from srmkit.documents.blocks import Book, Col, Html, esc, join, note, paragraph
from srmkit.documents.registry import get_document
from srmkit.glossary import names, plural
from srmkit.luns import IMAGE_TEXT, Lun
from srmkit.names import array_safe
from srmkit.srm_config import FILL_IN

BOM_CATEGORY = {
    "licence": "Licences",
    "software": "Software on the SRM servers",
    "capacity": "Array capacity",
    "compute": "Recovery-site compute",
}
ROLE_TEXT = {"db": "database", "log": "log", "gos": "guest OS", "queue": "transport queue"}


def book(design: Design, params_file: str | None = None) -> Book:
    """The build book's book: its registry entry and the scenario it is about."""
    base_dir = Path(params_file).parent if params_file else None
    return Book(get_document("build"), design.scenario, base_dir)


def introduction(b: Book, design: Design) -> Html:
    """What the build book holds, who uses it, and the state of the design it builds."""
    s = design.scenario
    arrays = [a.name for a in s.arrays if design.build.allocation.counts(a.name)]
    parts = [
        b.h1("About this build book"),
        paragraph(
            "This build book turns the approved disaster recovery design for "
            f"{s.document.customer} into what the implementation team runs and orders: the "
            "bill of materials, every LUN "
            f"to bind on {' and '.join(arrays)}, the Navisphere CLI commands that create the "
            "mirrors and consistency groups, the SRM configuration, the network and firewall "
            "requirements and the acceptance tests with their criteria."
        ),
        paragraph(
            "srmkit writes these from the design and runs none of them. The same figures are in "
            "the accompanying files: the LUN table luns.csv, the scripts in the naviseccli "
            "folder (a .sh and a .cmd per array), the SRM configuration workbook srm.xlsx and "
            "the bill of materials bom.csv."
        ),
    ]
    if design.errors:
        parts.append(
            Html(
                '<p class="srm-verdict bad">Not for implementation: the design has '
                f"{esc(plural(len(design.errors), 'error'))} (see the design document's review). "
                "The scripts refuse to run until the design is corrected.</p>"
            )
        )
    return join(*parts)


def bill_of_materials(b: Book, design: Design) -> Html:
    """The bill of materials, by category."""
    lines = design.build.bom
    horizon = design.horizon
    parts = [
        b.h1("Bill of materials"),
        paragraph(
            "Every line follows from the design: the arrays that hold mirrors need the "
            "MirrorView enabler, the recovery arrays SnapView for SRM's test snapshots, each "
            "protected VM an SRM licence; capacity is the sum of the LUNs the build book binds."
            + (
                f" Compute is given today and at the end of the {plural(horizon, 'year')} of "
                "growth."
                if horizon
                else ""
            )
        ),
    ]
    for category, group in groupby(lines, key=lambda x: x.category):
        rows = list(group)
        with_horizon = any(x.quantity_at_horizon is not None for x in rows)
        cols = [Col("Item"), Col("Quantity"), Col("Unit"), Col("For"), Col("Why")]
        if with_horizon:
            cols.insert(2, Col(f"In year {horizon}"))
        table_rows: list[list[object]] = []
        for x in rows:
            row: list[object] = [x.item, x.quantity_text, x.unit, x.scope, x.why]
            if with_horizon:
                later = x.quantity_at_horizon
                row.insert(2, None if later is None else f"{later:,.1f}".removesuffix(".0"))
            table_rows.append(row)
        parts.append(b.table(BOM_CATEGORY[category], cols, table_rows))
    return join(*parts)


def _range(luns: list[Lun]) -> str:
    numbers = sorted(x.lun for x in luns)
    if not numbers:
        return "–"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    return f"{numbers[0]}–{numbers[-1]} (not contiguous)"


def lun_allocation(b: Book, design: Design) -> Html:
    """LUNs per array by kind, the consistency groups' LUN ranges and SPs, and the SP balance."""
    allocation = design.build.allocation
    a = design.a
    parts = [
        b.h1("LUN allocation"),
        paragraph(
            "Each mirror's two images have the same LUN number, the same size in 512-byte blocks "
            "and the same storage processor on both arrays: MirrorView needs a secondary at "
            "least as large as its primary, and its paths join SP A to SP A and SP B to SP B. "
            f"Sizes are rounded up to whole {a.lun_granule_mib:,} MiB; numbering starts at "
            f"{a.first_lun_number:,}, above the arrays' existing LUNs (check it against "
            "the arrays before binding). Each consistency group belongs to one SP; the groups "
            "are given in turn to the SP with less capacity, so both SPs carry a similar load."
        ),
        paragraph(
            "Names: a mirror and its images are named after the server, the storage group and "
            "the LUN's role (EXMBX01_SG03_DB, EXMBX01_SG03_LOG, EXMBX01_OS1); every name holds "
            "only letters, digits, underscores and hyphens, at most 64 characters."
        ),
    ]
    for array in (x.name for x in design.scenario.arrays):
        luns = allocation.on(array)
        if not luns:
            continue
        rows: list[list[object]] = []
        for kind, label in IMAGE_TEXT.items():
            mine = [x for x in luns if x.image == kind]
            if mine:
                rows.append(
                    [
                        label,
                        len(mine),
                        _range(mine),
                        sum(1 for x in mine if x.sp == "A"),
                        sum(1 for x in mine if x.sp == "B"),
                        sum(x.capacity_gib for x in mine),
                    ]
                )
        sp = allocation.sp_capacity_gib(array)
        parts.append(
            b.table(
                f"LUNs to bind on {array}",
                [
                    Col("Kind"),
                    Col("LUNs", 0),
                    Col("LUN numbers"),
                    Col("SP A", 0),
                    Col("SP B", 0),
                    Col("GiB", 1),
                ],
                rows,
                total=["Total", len(luns), None, None, None, sp["A"] + sp["B"]],
                source=f"SP A owns {sp['A']:,.0f} GiB and SP B {sp['B']:,.0f} GiB.",
            )
        )
    primaries: dict[str, list[Lun]] = {}  # by consistency group, in allocation order
    for x in allocation.luns:
        if x.image == "primary":
            primaries.setdefault(x.cg, []).append(x)
    cg_rows: list[list[object]] = []
    for cg in design.plan.cgs:
        images = primaries.get(array_safe(cg.name), [])
        cg_rows.append(
            [
                array_safe(cg.name),
                ", ".join(cg.servers),
                allocation.cg_sp[array_safe(cg.name)],
                _range(images),
                len(images),
                sum(x.capacity_gib for x in images),
                f"{cg.source_array} → {cg.target_array}",
            ]
        )
    parts.append(
        b.table(
            "Consistency groups: their LUNs and storage processor",
            [
                Col("Consistency group"),
                Col("Servers"),
                Col("SP"),
                Col("LUN numbers"),
                Col("LUNs", 0),
                Col("GiB", 1),
                Col("Arrays"),
            ],
            cg_rows,
            complete_in="LUN table luns.csv",
        )
    )
    parts.append(b.figure(figures.sp_balance(design), "Capacity owned by each storage processor"))
    return join(*parts)


def scripts(b: Book, design: Design) -> Html:
    """How to run the naviseccli scripts: the phases across arrays, what to set, a dry run, and
    the command forms with their sources."""
    scripts_ = design.build.scripts
    stems = [s.file_stem for s in scripts_.values()]
    steps = [
        "Install Navisphere CLI on the host that runs the scripts and register the arrays' "
        "security credentials for it (naviseccli -AddUserSecurity).",
        "Set the environment variables each script lists in its header: the addresses of the "
        "storage processors, and the RAID group and RAID type (or the pool) of each kind of "
        "LUN, which the design leaves to the storage layout. Each variable carries the array's "
        "name, so one set serves every script; a script checks them all before it runs anything "
        "and names any that is missing.",
        "Run each script once with DRY_RUN=1: it prints its commands and runs none.",
    ]
    for n, (phase, what) in enumerate(PHASES, 1):
        steps.append(
            f"Phase {n}, {phase}, on every array before the next phase ("
            + ", then ".join(f"{stem}.sh {phase}" for stem in stems)
            + f"): {what}."
        )
    steps.append("Windows operators run the .cmd files the same way, phase by phase.")
    rows = sorted({(c.key, c.source) for x in scripts_.values() for c in x.commands})
    table = [[readable(forms()[key].template), source] for key, source in rows]
    unconfirmed = sorted(
        {command_words(forms()[key].template) for key, source in rows if "S60" in source}
    )
    return join(
        b.h1("Navisphere CLI scripts"),
        paragraph(
            f"One script for each of the {plural(len(stems), 'array')}, run in {len(PHASES)} "
            "phases. "
            "The complete scripts are in the appendices and in the accompanying naviseccli "
            "folder."
        ),
        Html("<ol>" + "".join(f"<li>{esc(x)}</li>" for x in steps) + "</ol>"),
        b.table(
            "Command forms the scripts use, with their sources",
            [Col("Command form"), Col("Source")],
            table,
        ),
        note(
            "The placeholders in angle brackets are filled with the design's names and numbers, "
            "or with the script's variables."
            + (
                " Not confirmed in a public copy of the Navisphere CLI reference, so to check "
                "with the CLI help of the array before the first run: "
                + ", ".join(unconfirmed)
                + "."
                if unconfirmed
                else ""
            )
        ),
    )


MAX_SCRIPT_LINES = 3_000
"""Longest script printed whole (about 60 pages); a longer one is printed to this line and is
complete in the naviseccli folder."""


def script_appendices(b: Book, design: Design) -> Html:
    """Each array's script as an appendix: complete, or its first lines for a design so large
    that printing it would run to hundreds of pages."""
    parts = []
    for array, script in design.build.scripts.items():
        lines = script.sh.splitlines()
        shown = "\n".join(lines[:MAX_SCRIPT_LINES])
        parts.append(b.h1(f"Script for {array}", appendix=True))
        parts.append(
            paragraph(
                f"{script.file_stem}.sh (POSIX shell); the Windows {script.file_stem}.cmd runs "
                "the same commands."
                + (
                    f" The first {MAX_SCRIPT_LINES:,} of its {len(lines):,} lines are printed; "
                    "the complete script is in the accompanying naviseccli folder."
                    if len(lines) > MAX_SCRIPT_LINES
                    else ""
                )
            )
        )
        parts.append(Html(f'<pre class="srm-script">{esc(shown)}</pre>'))
    return join(*parts)


def references(b: Book) -> Html:
    return b.references()


def provenance(b: Book, design: Design, params_file: str | None) -> Html:
    return appendix.provenance(b, design, params_file)


def bom_summary(b: Book, design: Design) -> Html:
    """The bill of materials on one page, for the design document and the sizing study: each
    line's quantity and where it goes; the build book gives the reasons."""
    rows = [[x.item, x.quantity_text, x.unit, x.scope] for x in design.build.bom]
    body = join(
        b.h1("Bill of materials (summary)"),
        paragraph(
            "What the design needs ordered and installed, from its LUN allocation and its "
            "protected VMs. The build book gives the reason for every line, the LUN table, the "
            "Navisphere CLI scripts, the SRM configuration and the acceptance tests."
        ),
        b.table(
            "Bill of materials",
            [Col("Item"), Col("Quantity"), Col("Unit"), Col("For")],
            rows,
        ),
    )
    return Html(f'<div class="srm-keep">{body.markup}</div>')


def _fill(value: str | None) -> str:
    """A value, or the words for a cell the implementation team completes."""
    return value if value else f"({FILL_IN})"


def srm_configuration(b: Book, design: Design) -> Html:
    """What to enter in SRM at both sites, in order: array managers, inventory mappings,
    placeholder datastores, protection groups, recovery plans, IP customisation, settings."""
    srm = design.build.srm
    parts = [
        b.h1("SRM configuration"),
        paragraph(
            "Enter these at both sites in this order; the workbook srm.xlsx holds the same "
            "tables with the cells to fill in highlighted. The protection groups and recovery "
            "plans carry the names the runbook uses."
        ),
        b.h2("Array managers"),
        b.table(
            "Array managers",
            [
                Col("Site"),
                Col("Array"),
                Col("Model"),
                Col("Peer"),
                Col("Adapter"),
                Col("SP A"),
                Col("SP B"),
            ],
            [
                [
                    m.site,
                    m.array,
                    m.model,
                    ", ".join(m.peer_arrays),
                    m.adapter,
                    _fill(m.sp_a_address),
                    _fill(m.sp_b_address),
                ]
                for m in srm.array_managers
            ],
        ),
        b.h2("Inventory mappings"),
        b.table(
            "Inventory mappings",
            [
                Col("From"),
                Col("To"),
                Col("Object"),
                Col("Protected site"),
                Col("Recovery site"),
                Col("Note"),
            ],
            [
                [
                    m.protected_site,
                    m.recovery_site,
                    m.kind,
                    _fill(m.protected_value),
                    _fill(m.recovery_value),
                    m.note,
                ]
                for m in srm.inventory_mappings
            ],
        ),
        b.h2("Placeholder datastores"),
        b.table(
            "Placeholder datastores",
            [
                Col("Recovery site"),
                Col("For VMs of"),
                Col("Placeholder VMs", 0),
                Col("Datastore"),
                Col("Note"),
            ],
            [
                [
                    p.recovery_site,
                    ", ".join(p.protected_sites),
                    p.placeholder_vms_count,
                    _fill(p.datastore),
                    p.note,
                ]
                for p in srm.placeholder_datastores
            ],
        ),
    ]
    parts += _groups_and_plans(b, design)
    parts += _ip_and_settings(b, design)
    return join(*parts)


def _groups_and_plans(b: Book, design: Design) -> list[Html]:
    srm = design.build.srm
    parts = [
        b.h2("Protection groups"),
    ]
    for g in srm.protection_groups:
        parts.append(
            b.table(
                f"Protection group {g.name} ({g.protected_site} → {g.recovery_site})",
                [
                    Col("Datastore group"),
                    Col("VMs"),
                    Col("Consistency groups"),
                    Col("LUNs", 0),
                    Col("GiB", 1),
                ],
                [
                    [
                        d.name,
                        ", ".join(d.vms),
                        ", ".join(d.consistency_groups),
                        d.luns_count,
                        d.capacity_gib,
                    ]
                    for d in g.datastore_groups
                ],
                complete_in="workbook srm.xlsx",
            )
        )
    parts.append(b.h2("Recovery plans"))
    for p in srm.recovery_plans:
        parts.append(
            b.table(
                f"Recovery plan {p.name}",
                [Col("Step", 0), Col("Kind"), Col("Priority"), Col("What"), Col("Minutes", 0)],
                [
                    [
                        s.order,
                        s.kind,
                        s.priority or None,
                        s.text + (f" ({names(s.vms)})" if s.vms else ""),
                        s.minutes,
                    ]
                    for s in p.steps
                ],
            )
        )
    return parts


def _ip_and_settings(b: Book, design: Design) -> list[Html]:
    srm = design.build.srm
    ip_rows = [
        [
            x.vm,
            x.recovery_site,
            x.nic,
            _fill(x.ip_address),
            _fill(x.subnet_mask),
            _fill(x.gateway),
            _fill(x.dns_servers),
        ]
        for x in srm.ip_customisations
        if x.needed
    ]
    parts = [b.h2("IP customisation")]
    if ip_rows:
        parts.append(
            b.table(
                "IP customisation of each recovered VM",
                [
                    Col("VM"),
                    Col("Recovery site"),
                    Col("Adapter"),
                    Col("IP address"),
                    Col("Subnet mask"),
                    Col("Gateway"),
                    Col("DNS servers"),
                ],
                ip_rows,
                complete_in="workbook srm.xlsx",
            )
        )
    else:
        parts.append(
            paragraph(
                "The recovery site uses the same subnets: the VMs keep their addresses and need "
                "no IP customisation."
            )
        )
    parts += [
        b.h2("Settings"),
        b.table(
            "SRM settings",
            [Col("Setting"), Col("Where"), Col("Value"), Col("Why"), Col("Source")],
            [[x.setting, x.where, x.value, x.why, x.source] for x in srm.settings],
        ),
    ]
    return parts


def network(b: Book, design: Design) -> Html:
    """MirrorView connections SP to SP, the link the design assumes, the TCP window for iSCSI,
    and the ports to open between SRM servers, vCenters and SPs."""
    from srmkit.acceptance import network_requirements

    net = network_requirements(design)
    parts = [
        b.h1("Network and ports"),
        b.h2("MirrorView connections"),
        paragraph(
            "MirrorView joins each storage processor to the storage processor of the same letter "
            "on the peer array: SP A to SP A and SP B to SP B, each pair over its own path."
        ),
        b.table(
            "MirrorView connections",
            [
                Col("Array"),
                Col("SP"),
                Col("Port"),
                Col("Peer array"),
                Col("Peer SP"),
                Col("Peer port"),
                Col("Connection"),
            ],
            [
                [
                    c.array,
                    f"SP {c.sp}",
                    _fill(c.mirrorview_port),
                    c.peer_array,
                    f"SP {c.peer_sp}",
                    _fill(c.peer_mirrorview_port),
                    c.text,
                ]
                for c in net.connections
            ],
        ),
        b.h2("Replication link"),
        paragraph(net.link.text),
    ]
    if net.tcp_window is not None:
        parts.append(paragraph(net.tcp_window.text))
    parts += [
        b.h2("Firewall ports"),
        b.table(
            "Ports to open",
            [
                Col("From"),
                Col("To"),
                Col("Port"),
                Col("Protocol"),
                Col("Where"),
                Col("Purpose"),
                Col("Source"),
            ],
            [
                [
                    f.source,
                    f.destination,
                    f"{f.port} {f.transport}" if f.port else "(to confirm)",
                    f.protocol,
                    f.scope,
                    f.purpose,
                    f.reference,
                ]
                for f in net.firewall
            ],
        ),
    ]
    return join(*parts)


def test_plan(b: Book, design: Design) -> Html:
    """The acceptance tests: what each covers, how it is run, its criteria from the design, the
    evidence to keep, and room for the result and the sign-off."""
    from srmkit.acceptance import acceptance_tests as cases

    tests = cases(design)
    parts = [
        b.h1("Acceptance test plan"),
        paragraph(
            "Each test passes when every criterion holds; the criteria are the design's own "
            "figures. Record the result and the evidence, and have each test signed off before "
            "go-live. The timed planned failover gives the timings for the design's next "
            "revision."
        ),
        b.table(
            "Acceptance tests",
            [Col("Test"), Col("What"), Col("Covers")],
            [[t.id, t.title, t.scope] for t in tests],
        ),
    ]
    for t in tests:
        parts.append(b.h2(f"{t.id} {t.title}"))
        parts.append(paragraph(t.how))
        if t.commands:
            parts.append(Html('<pre class="srm-script">' + esc("\n".join(t.commands)) + "</pre>"))
        parts.append(
            b.table(
                f"{t.id}: acceptance criteria",
                [Col("No.", 0), Col("Criterion"), Col("Result"), Col("Passed")],
                [[i, c.text, "", "☐"] for i, c in enumerate(t.criteria, 1)],
                source=f"Evidence to keep: {t.evidence}",
            )
        )
    parts.append(b.h2("Sign-off"))
    parts.append(
        b.table(
            "Sign-off of the acceptance tests",
            [Col("Role"), Col("Name"), Col("Signature"), Col("Date")],
            [
                [role, "", "", ""]
                for role in (
                    f"For {design.scenario.document.customer}",
                    "Implementation lead",
                    "Design architect",
                )
            ],
        )
    )
    return join(*parts)
