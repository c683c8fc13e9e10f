"""The runbook's operational procedures: recovery without SRM, recovery from the protective copy,
link loss, storage-processor failure (per protection group); monitoring, adding a storage group,
go-live and initial seeding (for the design). Each step names every object and gives its commands
(:mod:`srmkit.commands`) and what the operator should see [S0]."""

from __future__ import annotations

from srmkit.commands import Command, command, sp
from srmkit.design import Design
from srmkit.glossary import names
from srmkit.names import array_safe, clone_group_name
from srmkit.planner import ConsistencyGroup
from srmkit.runbook_core import Group, Procedure, Writer
from srmkit.simulation import LONG_OUTAGE_H, LONG_OUTAGE_START_MIN
from srmkit.units import clock_text, h_to_min, s_to_min


def _present(c: Group, lun: str) -> Command:
    """Presenting a LUN (``lun``: what the operator fills in) to the recovery hosts' storage
    group on the recovery array."""
    return command(
        "storagegroup_addhlu",
        sp=sp(c.targets[0]),
        storage_group=f"{c.to_site} ESX",
        hlu="<host LUN number>",
        lun=lun,
    )


def _clone_groups(c: Group, cg: ConsistencyGroup) -> list[str]:
    """The SnapView clone groups of a consistency group's secondaries, as the build book creates
    them: one per secondary LUN (a clone group has one source LUN)."""
    name = array_safe(cg.name)
    return [clone_group_name(m.name) for m in c.design.build.allocation.mirrors if m.cg == name]


def _manual_recovery(c: Group) -> Procedure:
    """Recovery without SRM (the SRM server is lost too): the SRA's work by hand (Method §8)."""
    w = Writer()
    w.add(
        f"Promote each consistency group on {names(c.targets)} by hand (local only: {c.site} "
        "cannot be reached):",
        float(s_to_min(len(c.cgs) * c.a.promote_force_s)),
        "array",
        c.per_cg("promotegroup_local"),
    )
    w.add(
        f"Present the {c.luns:,} promoted LUNs to the storage group of the recovery ESX hosts "
        f"at {c.to_site}, one host LUN number each:",
        float(s_to_min(c.luns * c.a.present_s)),
        "array",
        [_present(c, "<LUN number>")],
        expected="Each LUN is listed in the storage group with its host LUN number.",
    )
    w.add(
        "Rescan every recovery host, list the snapshot volumes and resignature each VMFS "
        "datastore:",
        c.recovery.minutes_of("rescan") + c.recovery.minutes_of("mount"),
        "esx",
        [
            command("esx_rescan", adapter="<vmhba>"),
            command("esx_volume_list"),
            command("esx_volume_resignature", label="<datastore label>"),
        ],
    )
    w.add(
        f"Register and power on {names(c.vms)} (the Hub Transport first), applying the recovery "
        "addresses by hand where the subnet differs:",
        None,
        "esx",
        [command("esx_register_vm", vmx=f"<datastore of {v}>/{v}/{v}.vmx") for v in c.vms]
        + [command("esx_power_on", vmx=f"<datastore of {v}>/{v}/{v}.vmx") for v in c.vms],
    )
    w.add(
        "Check every database is mounted on each mailbox server:",
        None,
        "windows",
        [command("exchange_database_status", server=v) for v in c.mailbox_vms],
    )
    return Procedure(
        "manual_recovery",
        "Recovery without SRM",
        c.pg,
        (
            f"The SRM server at {c.to_site} is lost or cannot run the plan “{c.plan}”.",
            "Navisphere CLI is installed on a management host at the recovery site [S0].",
        ),
        tuple(w.steps),
    )


def _protective_copy(c: Group) -> Procedure | None:
    """Recovery from the protective copy: the secondary is Synchronizing or Out-of-Sync when the
    site is lost (MirrorView/S only; Method §6, §8)."""
    copies = [c.design.protective_copies[t] for t in c.targets if t in c.design.protective_copies]
    if not c.sync or not copies:
        return None
    kind = copies[0].kind
    w = Writer()
    w.add(
        f"Check which groups of {names(c.cg_names)} cannot be promoted (State Synchronizing or "
        "Out-of-Sync):",
        None,
        "array",
        c.check_groups(),
    )
    if kind == "snapshot":
        w.add(
            "Activate the protective snapshot of each secondary LUN of those groups (the "
            "sessions started when the link was lost hold the data of the fracture):",
            None,
            "array",
            [
                command(
                    "snapview_activatesnapshot",
                    sp=sp(cg.target_array),
                    session=f"PROTECT_{cg.name}",
                    name=f"SNAP_{cg.name}",
                )
                for cg in c.cgs
            ],
        )
    else:
        w.add(
            "Use the protective clone of each secondary LUN of those groups (fractured when the "
            "link was lost: it holds the data of the fracture):",
            None,
            "array",
            [
                command("snapview_listclone", sp=sp(cg.target_array), clone_group=group)
                for cg in c.cgs
                for group in _clone_groups(c, cg)
            ],
        )
    w.add(
        f"Present the snapshots (or clones) instead of the secondaries to the storage group of "
        f"the recovery hosts at {c.to_site}, one host LUN number each:",
        float(s_to_min(c.luns * c.a.present_s)),
        "array",
        [_present(c, "<snapshot or clone LUN>")],
    )
    w.add(
        "Continue as in “Recovery without SRM” from the rescan: resignature, register, power on, "
        "check the databases. The data lost runs from the fracture to the disaster.",
        None,
        "esx",
    )
    return Procedure(
        "protective_copy",
        "Recovery from the protective copy",
        c.pg,
        (
            f"The protective copy is a SnapView {kind} of every secondary LUN on "
            + "; ".join(
                f"{x.array} ({x.luns:,} LUNs, "
                + (
                    f"{x.rlp_gib:,.0f} GiB of reserved LUN pool)"
                    if kind == "snapshot"
                    else f"{x.capacity_gib:,.0f} GiB of clones)"
                )
                for x in copies
            )
            + " (Method §6).",
        ),
        tuple(w.steps),
    )


def _link_loss(c: Group) -> Procedure:
    """Link loss under the design's recovery policy: protect the secondaries, then resync."""
    design = c.design
    direction = next(x for x in design.directions if x.from_site == c.site)
    outage_gib = design.resync_gib(direction, LONG_OUTAGE_START_MIN, h_to_min(LONG_OUTAGE_H))
    manual = c.r.recovery_policy == "manual"
    copy = design.protective_copies.get(c.targets[0]) if c.targets else None
    w = Writer()
    w.add(
        f"After {c.a.mvs_fracture_timeout_s:g} s without the link the groups of {c.pg} "
        f"({names(c.cg_names)}) are System fractured; the primaries on {names(c.sources)} track "
        "their changes [S0]. Check:",
        float(s_to_min(c.a.mvs_fracture_timeout_s)),
        "array",
        c.check_groups(on_target=False),
        expected="Each group shows Condition: System Fractured; none is Synchronizing.",
    )
    if c.sync and copy is not None:
        run = (
            [
                command(
                    "snapview_startsession",
                    sp=sp(cg.target_array),
                    session=f"PROTECT_{cg.name}",
                    luns="<the group's secondary LUNs>",
                )
                for cg in c.cgs
            ]
            if copy.kind == "snapshot"
            else [
                command(
                    "snapview_fractureclone",
                    sp=sp(cg.target_array),
                    clone_group=group,
                    clone_id="<clone id>",
                )
                for cg in c.cgs
                for group in _clone_groups(c, cg)
            ]
        )
        w.add(
            f"Protect the secondaries on {names(c.targets)} before any resynchronisation "
            f"(SnapView {copy.kind}, {copy.take_min:,.1f} min for {copy.luns:,} LUNs):",
            copy.take_min,
            "array",
            run,
        )
    elif c.sync:
        w.add(
            "No protective copy is configured: until the resynchronisation "
            "ends the recovery site holds no usable copy.",
            None,
        )
    if not manual:
        w.add(
            "The recovery policy is Automatic: the resynchronisation starts as soon as the link "
            "returns. Take the protective copy above before the link returns, or it is too late.",
            None,
            "array",
        )
    elif c.sync:
        w.add(
            "When the link returns each group waits (Waiting on Admin, policy Manual) [S2]. With "
            "the protective copy in place, synchronise each group:",
            None,
            "array",
            c.per_cg("syncgroup", on_target=False),
        )
    else:
        w.add(
            "When the link returns, resume the updates (policy Manual); the first update carries "
            "every change since the last completed one (the gold copy protects the secondary):",
            None,
            "array",
            c.per_cg("syncgroup", on_target=False),
        )
    if c.sync:
        hours = design.sync_time_h(outage_gib)
        w.add(
            f"The fracture log sends every 512 KiB extent written during the outage: a "
            f"{LONG_OUTAGE_H:g}-hour outage from {clock_text(LONG_OUTAGE_START_MIN)} marks "
            f"{outage_gib:,.0f} GiB, {hours:,.1f} h of resynchronisation (Method §6). Check "
            f"until {names(c.cg_names)} are Consistent with condition Normal, then remove the "
            "protective copy.",
            float(h_to_min(hours)),
            "array",
            c.check_groups(on_target=False),
        )
    return Procedure(
        "link_loss",
        f"Link loss (recovery policy {'Manual' if manual else 'Automatic'})",
        c.pg,
        (f"The recovery policy of every group is {'Manual' if manual else 'Automatic'}.",),
        tuple(w.steps),
    )


def _sp_failure(c: Group) -> Procedure:
    """Storage processor failure on a production array."""
    design = c.design
    w = Writer()
    families = {design.models[x].family for x in c.sources}
    w.add(
        f"The LUNs owned by the failed SP of {names(c.sources)} trespass to its peer; SRM is "
        "not affected [S0]. Check the LUNs' current owner:",
        None,
        "array",
        [command("getlun", sp=sp(x, "B"), lun="<LUN number>") for x in c.sources],
    )
    if families & {"CX3", "AX4"}:
        w.add(
            f"{names(c.sources)} disables its write cache while one SP is down: expect higher "
            "write latency for Exchange until the SP is back [S0].",
            None,
            "array",
        )
    if c.sync and c.r.write_intent_log:
        w.add(
            "The write intent log limits the resynchronisation to the writes in flight; check "
            f"that {names(c.cg_names)} return to Consistent, condition Normal [S8]:",
            None,
            "array",
            c.check_groups(on_target=False),
        )
    elif c.sync:
        full_h = design.sync_time_h(c.capacity)
        w.add(
            f"Without the write intent log the mirrors need a full synchronisation "
            f"({c.capacity:,.0f} GiB, {full_h:,.1f} h); protect the secondaries first [S0].",
            float(h_to_min(full_h)),
            "array",
        )
    w.add("Replace the SP, then trespass its LUNs back to their default owner.", None, "array")
    return Procedure(
        "sp_failure",
        "Storage processor failure",
        c.pg,
        (f"{c.mode} mirrors of {c.pg} on {names(c.sources)}.",),
        tuple(w.steps),
    )


def for_group(c: Group) -> list[Procedure]:
    """The operational procedures of one protection group."""
    out = [_manual_recovery(c)]
    copy = _protective_copy(c)
    if copy is not None:
        out.append(copy)
    return [*out, _link_loss(c), _sp_failure(c)]


def _monitoring(design: Design, groups: list[Group]) -> Procedure:
    """The daily checks and the alerts of a Manual recovery policy (nothing resyncs by itself)."""
    w = Writer()
    for c in groups:
        w.add(
            f"Every morning, check the state of every group of {c.pg} ({names(c.cg_names)}):",
            None,
            "array",
            c.check_groups(on_target=False),
            expected="Every group shows Consistent or Synchronized, Condition Normal."
            + (
                ""
                if c.sync
                else f" The time since the previous update stays below the RPO target "
                f"({design.scenario.targets.rpo_min:g} min)."
            ),
        )
    w.add(
        "Alert on any group whose condition becomes System Fractured, Administratively "
        "Fractured or Waiting on Admin (Navisphere event monitor or the check above every 15 "
        "min): with the Manual policy nothing resynchronises by itself, so a fracture left alone "
        "leaves the recovery site further behind every minute [S0].",
        None,
        "array",
    )
    w.add(
        "Every quarter, run the test failover of each protection group and record its step "
        "times in the design's measured: section.",
        None,
    )
    return Procedure(
        "monitoring",
        "Monitoring",
        "every protection group",
        ("Navisphere CLI on a host at each site.",),
        tuple(w.steps),
    )


def _add_storage_group(design: Design, groups: list[Group]) -> Procedure:
    """The white paper's procedure for adding a storage group to a protected server [S0]."""
    c = groups[0]
    kind = c.kind
    w = Writer()
    w.add(
        "Bind a database LUN and a log LUN on the production array and LUNs of identical block "
        "counts on the recovery array (a secondary must be at least as large as its primary).",
        None,
        "array",
    )
    w.add(
        "Create a mirror for each of the two LUNs and add its secondary image:",
        None,
        "array",
        [
            command(
                f"mirror_{kind}_create", sp=sp(c.sources[0]), name="<mirror name>", lun="<LUN>"
            ),
            command(
                f"mirror_{kind}_addimage",
                sp=sp(c.sources[0]),
                name="<mirror name>",
                peer=sp(c.targets[0]),
                lun="<LUN>",
                rate=c.r.sync_rate,
            ),
        ],
    )
    w.add(
        "Add both mirrors to the server's consistency group (never split a storage group's "
        "database and log LUN) [S0]:",
        None,
        "array",
        [
            command(
                f"mirror_{kind}_addtogroup",
                sp=sp(c.sources[0]),
                cg="<the server's group>",
                name="<mirror name>",
            )
        ],
    )
    w.add(
        "Present the LUNs to the server's VM, create the storage group and its database:",
        None,
        "windows",
        [
            command(
                "exchange_new_storage_group",
                server="<server>",
                name="<storage group>",
                log_path="<log LUN>:\\<storage group>",
            ),
            command(
                "exchange_new_mailbox_database",
                server="<server>",
                name="<storage group>",
                database="<database>",
                edb_path="<database LUN>:\\<database>.edb",
            ),
        ],
    )
    w.add(
        "In SRM, refresh the array manager (rescan) so that the new datastores join the "
        "protection group, then run a test failover [S0].",
        None,
        "srm",
    )
    return Procedure(
        "add_storage_group",
        "Adding a storage group",
        "every protection group",
        ("The consistency group keeps below its model's LUN limit (Method §7).",),
        tuple(w.steps),
    )


def _go_live(design: Design, groups: list[Group]) -> Procedure:
    """Go-live: create the groups, seed or synchronise, protective clones, the SRA timeout and the
    first test (Method §6, §7, §8)."""
    w = Writer()
    seed = design.initial_sync_h > design.a.initial_sync_warn_h
    for c in groups:
        w.add(
            f"Create the consistency groups of {c.pg} on {names(c.sources)}"
            + (
                ", then the mirrors with -nosync on freshly bound, empty LUNs before the "
                "mailboxes move (seeding: the initial synchronisation would take "
                f"{design.initial_sync_h:,.0f} h)"
                if seed
                else f", then the mirrors; the initial synchronisation takes "
                f"{design.initial_sync_h:,.1f} h"
            )
            + ":",
            None if seed else float(h_to_min(design.initial_sync_h)),
            "array",
            c.per_cg("creategroup", on_target=False),
        )
        copy = design.protective_copies.get(c.targets[0]) if c.targets else None
        if copy is not None and copy.kind == "clone":
            w.add(
                f"Create the protective clones of the {copy.luns:,} secondary LUNs on "
                f"{copy.array} and synchronise them ({copy.capacity_gib:,.0f} GiB, "
                f"{copy.go_live_sync_h:,.1f} h):",
                float(h_to_min(copy.go_live_sync_h)),
                "array",
                [
                    command(
                        "snapview_syncclone",
                        sp=sp(copy.array),
                        clone_group=group,
                        clone_id="<clone id>",
                    )
                    for cg in c.cgs
                    for group in _clone_groups(c, cg)
                ],
            )
    w.add(
        f"Set SRM's SRA command timeout to at least {design.sra_timeout_to_set_s:,.0f} s at both "
        "sites (the longest storage step, with a margin) [S7].",
        None,
        "srm",
    )
    w.add(
        "Configure the array managers, inventory mappings, protection groups and recovery plans; "
        "run the first test failover of every protection group and record its times.",
        None,
        "srm",
    )
    return Procedure(
        "go_live",
        "Go-live and initial seeding",
        "every protection group",
        (f"Both arrays run the FLARE release and enablers of the design ({design.mode} mode).",),
        tuple(w.steps),
    )


def for_design(design: Design, groups: list[Group]) -> list[Procedure]:
    """The procedures for the whole design."""
    return [
        _go_live(design, groups),
        _monitoring(design, groups),
        _add_storage_group(design, groups),
    ]
