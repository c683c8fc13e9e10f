"""Every default of the engineering model (Method), in one place, with its unit and source.

:class:`Assumptions` is a frozen dataclass that the domain code reads directly. It is declared
with pydantic's dataclass decorator and its fields carry constraints in ``Annotated`` metadata, so
the scenario schema validates a user's overrides (the ``assumptions:`` section of a params file)
with the same names, ranges and defaults; there is no second copy of any default.
Documents list these values through :func:`assumption_rows`.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from functools import cache
from importlib import resources
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo

PROFILE_SUM_TOLERANCE = 1e-6


@dataclasses.dataclass(frozen=True)
class ExchangeProfile:
    """One row of the Exchange 2007 mailbox profile table (Method §2)."""

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid", allow_inf_nan=False)

    messages_per_day_count: Annotated[
        float,
        Field(
            strict=True,
            gt=0,
            le=2000,
            description="Messages sent + received per mailbox per day. [count]",
        ),
    ]
    db_iops_per_mailbox: Annotated[
        float,
        Field(strict=True, gt=0, le=10, description="Database IOPS per mailbox at peak. [IOPS]"),
    ]
    logs_per_mailbox_per_day_count: Annotated[
        float,
        Field(
            strict=True,
            gt=0,
            le=1000,
            description="1 MiB transaction logs per mailbox per day. [count]",
        ),
    ]
    memory_mib_per_mailbox: Annotated[
        float,
        Field(strict=True, ge=0, le=100, description="Server memory per mailbox. [MiB]"),
    ] = 5.0
    """Microsoft's "2 GB plus 5 MB per mailbox" [S25]; 2/3.5/5 MiB for light, average and heavy
    mailboxes [S24] (Method §10)."""


def _data_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("srmkit.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def default_profiles() -> dict[str, ExchangeProfile]:
    """The shipped profile table, ``srmkit/data/exchange_profiles.csv`` (Method §2, [S19])."""
    return {
        row["profile"]: ExchangeProfile(
            messages_per_day_count=float(row["messages_per_day_count"]),
            db_iops_per_mailbox=float(row["db_iops_per_mailbox"]),
            logs_per_mailbox_per_day_count=float(row["logs_per_mailbox_per_day_count"]),
            memory_mib_per_mailbox=float(row["memory_mib_per_mailbox"]),
        )
        for row in _data_rows("exchange_profiles.csv")
    }


@cache
def default_daily_profile() -> tuple[float, ...]:
    """The shipped hourly activity profile, ``srmkit/data/daily_profile.csv`` (Method §2)."""
    rows = sorted(_data_rows("daily_profile.csv"), key=lambda r: int(r["hour"]))
    return tuple(float(r["activity_fraction"]) for r in rows)


def _profiles_factory() -> dict[str, ExchangeProfile]:
    return dict(default_profiles())


def _src(
    description: str,
    unit: str,
    source: str,
    modes: str = "both",
    strict: bool = True,
    **constraints: Any,
) -> FieldInfo:
    """Field metadata: description, unit, source and the mirroring modes the value applies to
    (``both``, ``sync`` or ``async``) travel into the JSON Schema and the documents."""
    info: FieldInfo = Field(
        description=f"{description} [{unit}] ({source})",
        json_schema_extra={"unit": unit, "source": source, "modes": modes},
        strict=strict,
        **constraints,
    )
    return info


MAX_BURST = 10.0
"""The largest burst factor the model takes (a measured one above it is held to it)."""

M1, M2, M3, M4 = "Method §1", "Method §2", "Method §3", "Method §4"
M5, M5A, M6, M7, M8 = "Method §5", "Method §5a", "Method §6", "Method §7", "Method §8"
M10 = "Method §10"
EST = "estimate"


ProfileKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid", allow_inf_nan=False))
class Assumptions:
    """The model's defaults; a params file overrides any of them under ``assumptions:``.

    Every range is what the engineering model can use sensibly; values outside it are rejected
    with the range in the message.
    """

    # --- Exchange 2007 workload and capacity (Method §2) -----------------------------------
    exchange_profiles: Annotated[
        dict[ProfileKey, ExchangeProfile],
        _src(
            "Mailbox profile table; entries given here add to or replace the shipped rows",
            "table",
            f"{M2}, [S19]",
            strict=False,  # a YAML mapping of rows; each value is strict
            max_length=50,
        ),
    ] = dataclasses.field(default_factory=_profiles_factory)
    daily_profile_fraction: Annotated[
        tuple[Annotated[float, Field(strict=True)], ...],
        _src(
            "Share of daily activity in each hour 0–23 (24 values, sum 1)",
            "fraction",
            f"{M2}; {EST}",
            strict=False,  # a YAML list; each value is strict
            min_length=24,
            max_length=24,
        ),
    ] = dataclasses.field(default_factory=default_daily_profile)
    iops_headroom_fraction: Annotated[
        float, _src("IOPS headroom added to the profile IOPS", "fraction", M2, ge=0, le=2)
    ] = 0.20
    db_write_fraction: Annotated[
        float,
        _src(
            "Share of database IOPS that are writes (Exchange 2007 ≈ 1:1)",
            "fraction",
            f"{M2}, [S20]",
            ge=0.05,
            le=0.95,
        ),
    ] = 0.5
    gos_write_mib_per_h: Annotated[
        float,
        _src("Guest OS and other VMFS writes per VM, every hour", "MiB/h", M2, ge=0, le=100_000),
    ] = 0.0
    message_kib: Annotated[
        float,
        _src(
            "Average message size a protected Hub Transport writes to its queue",
            "KiB",
            f"{M2}; {EST}",
            gt=0,
            le=10_240,
        ),
    ] = 50.0
    hub_write_factor: Annotated[
        float,
        _src(
            "Queue database and log bytes a protected Hub Transport writes per message byte",
            "factor",
            f"{M2}; {EST}",
            ge=0,
            le=20,
        ),
    ] = 1.0
    db_overhead_fraction: Annotated[
        float,
        _src("Database whitespace and dumpster on top of the quotas", "fraction", M2, ge=0, le=2),
    ] = 0.20
    content_index_fraction: Annotated[
        float,
        _src(
            "Content index on the database LUN, share of the database", "fraction", M2, ge=0, le=1
        ),
    ] = 0.05
    lun_free_space_fraction: Annotated[
        float, _src("Free space kept on database and log LUNs", "fraction", M2, ge=0, le=0.8)
    ] = 0.20
    log_overhead_fraction: Annotated[
        float, _src("Log LUN headroom on top of the retained logs", "fraction", M2, ge=0, le=2)
    ] = 0.20
    log_retention_days: Annotated[
        float, _src("Days of logs kept on the log LUN", "day", M2, ge=1, le=30)
    ] = 3.0
    gos_lun_gib: Annotated[float, _src("Guest OS LUN size", "GiB", M2, ge=10, le=2048)] = 60.0
    max_db_gib: Annotated[
        float,
        _src(
            "Largest database when storage groups are derived (no CCR/LCR with MirrorView)",
            "GiB",
            f"{M2}; recalled",
            ge=5,
            le=2048,
        ),
    ] = 100.0
    max_users_per_vm: Annotated[
        int,
        _src("Recommended maximum Exchange users in one VM", "users", f"{M2}, [S0]", ge=1),
    ] = 4000
    max_storage_groups_per_server: Annotated[
        int,
        _src(
            "Storage groups an Exchange 2007 Enterprise server allows",
            "count",
            f"{M2}; recalled",
            ge=1,
            le=50,
        ),
    ] = 50
    log_file_mib: Annotated[
        float, _src("Exchange 2007 transaction log file size", "MiB", f"{M1}, [S43]", gt=0, le=5)
    ] = 1.0
    db_page_kib: Annotated[
        float, _src("Exchange 2007 database page size", "KiB", f"{M1}, [S20]", ge=4, le=32)
    ] = 8.0

    # --- The link (Method §3) ----------------------------------------------------------------
    link_utilization_warn_fraction: Annotated[
        float,
        _src(
            "Peak link utilisation above which queueing delay grows quickly",
            "fraction",
            M3,
            gt=0,
            le=1,
        ),
    ] = 0.70

    # --- MirrorView/S latency and link load (Method §4) --------------------------------------
    burst_factor: Annotated[
        float, _src("Peak-rate multiplier for sub-hour bursts", "factor", M4, ge=1, le=MAX_BURST)
    ] = 1.0
    burst_window_s: Annotated[
        float, _src("Window of a measured burst factor", "s", f"{M2}; {EST}", ge=1, le=3600)
    ] = 60.0
    fibre_one_way_ms_per_km: Annotated[
        float,
        _src(
            "One-way propagation delay in fibre",
            "ms/km",
            f"{M4}, [S16]",
            modes="sync",
            ge=0.003,
            le=0.01,
        ),
    ] = 0.005
    log_write_kib: Annotated[
        float,
        _src(
            "Log write size used for serialisation delay",
            "KiB",
            f"{M4}, [S20]; {EST}",
            modes="sync",
            ge=0.5,
            le=1024,
        ),
    ] = 16.0
    mirror_overhead_ms: Annotated[
        float,
        _src(
            "MirrorView processing overhead per write",
            "ms",
            f"{M4}, [S16]",
            modes="sync",
            ge=0,
            le=10,
        ),
    ] = 0.1
    local_log_write_ms: Annotated[
        float,
        _src("Local log write latency before mirroring", "ms", M4, modes="sync", ge=0, le=100),
    ] = 2.0
    log_write_avg_limit_ms: Annotated[
        float,
        _src(
            "Microsoft limit for average log write latency",
            "ms",
            f"{M4}, [S0]",
            modes="sync",
            gt=0,
            le=100,
        ),
    ] = 10.0
    local_db_read_ms: Annotated[
        float,
        _src("Local database read latency (not slowed by the mirror)", "ms", M4, ge=0, le=200),
    ] = 10.0
    db_read_avg_limit_ms: Annotated[
        float,
        _src(
            "Microsoft limit for average database read latency", "ms", f"{M4}, [S0]", gt=0, le=200
        ),
    ] = 20.0
    sync_distance_limit_km: Annotated[
        float,
        _src(
            "EMC's recommended maximum MirrorView/S fibre route for Exchange",
            "km",
            f"{M4}, [S0]",
            modes="sync",
            gt=0,
            le=1000,
        ),
    ] = 100.0

    # --- MirrorView/A update cycles and reserved LUN pool (Method §5) ------------------------
    async_db_transfer_factor: Annotated[
        float,
        _src(
            "Database bytes sent per byte written (coalescing against 16 KiB extents)",
            "factor",
            f"{M5}; {EST}",
            modes="async",
            ge=0.1,
            le=4,
        ),
    ] = 1.0
    update_overhead_s: Annotated[
        float,
        _src(
            "Fixed time added to every MirrorView/A update", "s", M5, modes="async", ge=0, le=3600
        ),
    ] = 0.0
    max_simulation_days: Annotated[
        int,
        _src(
            "Days simulated at most while waiting for the update cycle to repeat",
            "day",
            M5,
            modes="async",
            ge=1,
            le=31,
        ),
    ] = 7
    rlp_fraction: Annotated[
        float,
        _src(
            "Reserved LUN pool as a share of the replicated or snapped capacity",
            "fraction",
            f"{M5}, [S10]",
            ge=0,
            le=1,
        ),
    ] = 0.20
    rlp_delta_safety_factor: Annotated[
        float,
        _src(
            "Reserved LUN pool safety factor on the largest delta set",
            "factor",
            M5,
            modes="async",
            ge=1,
            le=10,
        ),
    ] = 1.5

    # --- SRM test failover snapshots (Method §5a) --------------------------------------------
    test_duration_h: Annotated[
        float,
        _src("Length of an SRM test failover, from the busiest hour", "h", M5A, ge=0.25, le=72),
    ] = 4.0
    cofw_amplification: Annotated[
        float,
        _src(
            "Copy-on-first-write amplification of snapshot writes during a test",
            "factor",
            f"{M5A}; {EST}",
            ge=1,
            le=10,
        ),
    ] = 2.0

    # --- Synchronisation durations (Method §6) -----------------------------------------------
    sync_rate_high_fraction: Annotated[
        float,
        _src(
            "Share of the link a 'high' sync rate uses (EMC publishes none)",
            "fraction",
            f"{M6}; {EST}",
            gt=0,
            le=1,
        ),
    ] = 1.0
    sync_rate_medium_fraction: Annotated[
        float,
        _src(
            "Share of the link a 'medium' sync rate uses (EMC publishes none)",
            "fraction",
            f"{M6}; {EST}",
            gt=0,
            le=1,
        ),
    ] = 0.5
    sync_rate_low_fraction: Annotated[
        float,
        _src(
            "Share of the link a 'low' sync rate uses (EMC publishes none)",
            "fraction",
            f"{M6}; {EST}",
            gt=0,
            le=1,
        ),
    ] = 0.1
    array_sync_cap_mbps: Annotated[
        float | None,
        _src(
            "Array-side cap on synchronisation throughput; empty means no cap",
            "Mbit/s",
            f"{M6}; no published value",
            ge=1,
            le=100_000,
        ),
    ] = None
    mvs_extent_kib: Annotated[
        float,
        _src(
            "Fracture log / write intent log extent: a write marks the whole extent dirty",
            "KiB",
            f"{M6}; [S3]",
            ge=8,
            le=65_536,
        ),
    ] = 512.0
    db_write_locality: Annotated[
        float,
        _src(
            "Database page writes per distinct page during an outage (1 = uniform random, the "
            "conservative bound)",
            "factor",
            f"{M6}; {EST}",
            ge=1,
            le=1000,
        ),
    ] = 1.0

    # --- Consistency groups and limits (Method §7) -------------------------------------------
    recommend_headroom_fraction: Annotated[
        float,
        _src(
            "Largest share of any array limit a recommended model may use at the end of the "
            "growth horizon",
            "fraction",
            M7,
            gt=0,
            le=1,
        ),
    ] = 0.80
    recommend_same_model_both_sites: Annotated[
        bool,
        _src(
            "Recommend the same model for the other array of a pair when it is smaller (it runs "
            "production after a failover)",
            "yes/no",
            M7,
        ),
    ] = True
    initial_sync_warn_h: Annotated[
        float,
        _src(
            "Initial full synchronisation above which srmkit warns and offers seeding",
            "h",
            M7,
            gt=0,
            le=10_000,
        ),
    ] = 72.0
    standard_link_rates_mbps: Annotated[
        tuple[Annotated[float, Field(strict=True, gt=0)], ...],
        _src(
            "Standard line rates a link remedy chooses from (E1/E3/DS3 … 10 GbE)",
            "Mbit/s",
            M7,
            strict=False,
            min_length=1,
            max_length=40,
        ),
    ] = (2.0, 10.0, 34.0, 45.0, 100.0, 155.0, 622.0, 1000.0, 2500.0, 10_000.0)
    hub_queue_lun_gib: Annotated[
        float,
        _src(
            "Transport queue LUN of a protected Hub Transport VM",
            "GiB",
            f"{M7}; {EST}",
            ge=1,
            le=2048,
        ),
    ] = 20.0
    max_virtual_disks_per_vm: Annotated[
        int,
        _src(
            "Virtual disks per VM (4 SCSI controllers × 15)",
            "count",
            f"{M7}; [S45]",
            ge=1,
            le=60,
        ),
    ] = 60
    max_luns_per_esx_host: Annotated[
        int,
        _src(
            "LUNs an ESX host sees (every recovered LUN on each recovery host)",
            "count",
            f"{M7}; [S45]",
            ge=1,
            le=256,
        ),
    ] = 256

    # --- Failover and recovery (Method §8) ---------------------------------------------------
    mvs_fracture_timeout_s: Annotated[
        float,
        _src(
            "Link-down time after which MirrorView/S system-fractures the mirrors (host writes "
            "wait up to this long; the driver's image timeout)",
            "s",
            f"{M4}; [S3], [S0]",
            ge=1,
            le=600,
        ),
    ] = 5.0
    write_stall_warn_s: Annotated[
        float,
        _src(
            "Exchange write stall during a short link loss above which srmkit warns",
            "s",
            M4,
            modes="sync",
            gt=0,
            le=60,
        ),
    ] = 1.0
    days_in_service: Annotated[
        float,
        _src(
            "Days of operation after which an unbounded MirrorView/A lag is reported as a "
            "lower bound",
            "day",
            M8,
            modes="async",
            gt=0,
            le=365,
        ),
    ] = 1.0
    quiesce_threshold_s: Annotated[
        float,
        _src(
            "Time without writes after which a consistent MirrorView/S image is synchronized "
            "(Navisphere's quiesce threshold; a planned failover waits for it)",
            "s",
            f"{M8}; [S3]",
            modes="sync",
            ge=1,
            le=3600,
        ),
    ] = 60.0
    link_outages_per_year: Annotated[
        float,
        _src(
            "Link outages a year in the Monte Carlo risk figures",
            "count",
            f"{M8}; {EST}",
            ge=0,
            le=365,
        ),
    ] = 2.0
    link_outage_mean_h: Annotated[
        float,
        _src("Mean link outage in the Monte Carlo risk figures", "h", f"{M8}; {EST}", gt=0, le=720),
    ] = 4.0
    risk_runs_count: Annotated[
        int,
        _src(
            "Random disasters in the Monte Carlo risk figures", "count", M8, ge=1000, le=10_000_000
        ),
    ] = 100_000
    risk_seed: Annotated[
        int,
        _src("Seed of the Monte Carlo risk figures (same seed, same figures)", "count", M8, ge=0),
    ] = 0
    declare_min: Annotated[
        float,
        _src(
            "From the disaster to the decision to run the recovery plan (the customer's decision)",
            "min",
            f"{M8}; {EST}",
            ge=0,
            le=7 * 24 * 60,
        ),
    ] = 30.0
    plan_start_min: Annotated[
        float,
        _src("Recovery plan: start, before the storage step", "min", f"{M8}; {EST}", ge=0, le=60),
    ] = 2.0
    lost_site_timeout_min: Annotated[
        float,
        _src(
            "Recovery plan: SRM's attempt to shut down the VMs of an unreachable protected site",
            "min",
            f"{M8}; {EST}",
            ge=0,
            le=60,
        ),
    ] = 5.0
    sra_fixed_s: Annotated[
        float,
        _src(
            "Storage step: the SRA call's fixed part (discovery, login)",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=3600,
        ),
    ] = 60.0
    promote_s: Annotated[
        float,
        _src(
            "Storage step: normal promote, per consistency group",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=3600,
        ),
    ] = 20.0
    promote_force_s: Annotated[
        float,
        _src(
            "Storage step: force or local-only promote (primary lost), per consistency group",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=3600,
        ),
    ] = 60.0
    present_s: Annotated[
        float,
        _src(
            "Storage step: present a LUN to the recovery hosts, per LUN",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=600,
        ),
    ] = 5.0
    test_snap_s: Annotated[
        float,
        _src(
            "Test failover: create, start and activate a snapshot and present it, per LUN",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=600,
        ),
    ] = 15.0
    sra_timeout_s: Annotated[
        float,
        _src(
            "SRM's timeout for one SRA command (raise it in SRM when a storage step is longer)",
            "s",
            f"{M8}, [S7]",
            gt=0,
            le=86_400,
        ),
    ] = 300.0
    sra_timeout_margin_fraction: Annotated[
        float,
        _src(
            "Margin above the longest storage step in the SRA timeout srmkit advises",
            "fraction",
            f"{M8}; {EST}",
            ge=0,
            le=10,
        ),
    ] = 0.5
    rescans_count: Annotated[
        int,
        _src(
            "Recovery plan: HBA rescans (all hosts in parallel)",
            "count",
            f"{M8}; {EST}",
            ge=0,
            le=10,
        ),
    ] = 2
    rescan_s: Annotated[
        float, _src("Recovery plan: one rescan", "s", f"{M8}; {EST}", ge=0, le=3600)
    ] = 60.0
    mount_s: Annotated[
        float,
        _src(
            "Recovery plan: resignature and mount, per VMFS datastore (serial)",
            "s",
            f"{M8}; {EST}",
            ge=0,
            le=600,
        ),
    ] = 10.0
    recovery_esx_hosts_per_cluster: Annotated[
        int,
        _src(
            "Recovery ESX hosts per recovery cluster that start VMs (one VM at a time each)",
            "count",
            f"{M8}; {EST}",
            ge=1,
            le=32,
        ),
    ] = 2
    vm_boot_min: Annotated[
        float, _src("Recovery plan: boot of one VM", "min", f"{M8}; {EST}", ge=0, le=120)
    ] = 3.0
    ip_customization_min: Annotated[
        float,
        _src(
            "Recovery plan: IP customisation of one VM when the recovery subnet differs",
            "min",
            f"{M8}; {EST}",
            ge=0,
            le=60,
        ),
    ] = 2.0
    exchange_services_min: Annotated[
        float, _src("Exchange: the services start", "min", f"{M8}; {EST}", ge=0, le=120)
    ] = 3.0
    sg_mount_s: Annotated[
        float,
        _src("Exchange: mount one storage group's database", "s", f"{M8}; {EST}", ge=0, le=3600),
    ] = 10.0
    client_reconnect_min: Annotated[
        float,
        _src(
            "Users back: DNS time to live, AD replication and Outlook reconnecting after the RTO",
            "min",
            f"{M8}; {EST}",
            ge=0,
            le=24 * 60,
        ),
    ] = 15.0
    rollback_mib_per_s: Annotated[
        float,
        _src(
            "MirrorView/A rollback to the gold copy (the interrupted update's data)",
            "MiB/s",
            f"{M8}; {EST}",
            gt=0,
            le=10_000,
        ),
    ] = 200.0
    clone_sync_mib_per_s: Annotated[
        float,
        _src(
            "SnapView clone synchronisation (protective clones at go-live)",
            "MiB/s",
            f"{M6}; {EST}",
            gt=0,
            le=10_000,
        ),
    ] = 100.0
    clone_fracture_s: Annotated[
        float,
        _src(
            "Fracture of one protective clone when the link is lost (per LUN)",
            "s",
            f"{M6}; {EST}",
            ge=0,
            le=600,
        ),
    ] = 5.0
    protective_outage_h: Annotated[
        float,
        _src(
            "Link outage, from the busiest hour, that the protective snapshots' pool is sized for",
            "h",
            f"{M6}; {EST}",
            gt=0,
            le=720,
        ),
    ] = 4.0
    clone_private_lun_gib: Annotated[
        float,
        _src("SnapView clone private LUN (two per array)", "GiB", f"{M6}; {EST}", gt=0, le=64),
    ] = 1.0

    # --- build book (Method §10) ----------------------------------------------------------------
    first_lun_number: Annotated[
        int,
        _src("First LUN number the build book allocates", "number", f"{M10}; {EST}", ge=0, le=8191),
    ] = 100
    lun_granule_mib: Annotated[
        int,
        _src(
            "LUN sizes are rounded up to a multiple of this", "MiB", f"{M10}; {EST}", ge=1, le=1024
        ),
    ] = 1
    write_intent_log_lun_mib: Annotated[
        float, _src("Write intent log LUN (two per array)", "MiB", f"{M10}; {EST}", ge=128, le=4096)
    ] = 128.0
    memory_base_gib: Annotated[
        float,
        _src("Exchange 2007 server memory before mailboxes", "GiB", f"{M10}; [S25]", ge=1, le=64),
    ] = 2.0
    mailboxes_per_core: Annotated[
        int, _src("Mailboxes one processor core serves", "count", f"{M10}; {EST}", ge=100, le=5000)
    ] = 1000

    def sync_rate_fraction(self, setting: str) -> float:
        """Share of the effective link rate a mirror sync rate setting uses. [fraction]"""
        return {
            "high": self.sync_rate_high_fraction,
            "medium": self.sync_rate_medium_fraction,
            "low": self.sync_rate_low_fraction,
        }[setting]

    @field_validator("exchange_profiles", mode="after")
    @classmethod
    def _merge_profiles(cls, value: dict[str, ExchangeProfile]) -> dict[str, ExchangeProfile]:
        """Rows given in a params file add to, or replace, the shipped table."""
        return {**default_profiles(), **value}

    @field_validator("daily_profile_fraction", mode="after")
    @classmethod
    def _profile_sums_to_one(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(v < 0 for v in value):
            raise ValueError("every hour's share must be 0 or more")
        total = math.fsum(value)
        if abs(total - 1.0) > PROFILE_SUM_TOLERANCE:
            raise ValueError(f"the 24 hourly shares must sum to 1 (they sum to {total:.6g})")
        return value


@dataclasses.dataclass(frozen=True)
class LinkDefaults:
    """Defaults of a scenario's ``link`` section (Method §3, §4); the schema reads them here."""

    route_factor: float = 1.0
    """Fibre route length ÷ site distance (Method §4). [factor]"""
    round_trips: int = 2
    """Protocol round trips per write: 2 for FC without write acceleration [S13]. [count]"""
    efficiency_fraction: float = 0.85
    """Usable share of the link after protocol overhead (Method §3). [fraction]"""
    share_fraction: float = 1.0
    """Share of the link given to replication (Method §3). [fraction]"""
    tcp_window_kib: float = 64.0
    """TCP window of an array iSCSI port without window scaling (Method §3; estimate). [KiB]"""
    tcp_sessions: int = 2
    """MirrorView TCP connections carrying a direction: one per SP pair (Method §3). [count]"""
    network_rtt_ms: float = 0.0
    """Round trip added by the network's equipment beyond the fibre (Method §3). [ms]"""
    wan_optimised: bool = False
    """A WAN optimiser or FCIP gateway terminates TCP locally: no window cap (Method §3)."""


LINK_DEFAULTS = LinkDefaults()


MEASURABLE = (
    "declare_min",
    "plan_start_min",
    "lost_site_timeout_min",
    "sra_fixed_s",
    "promote_s",
    "promote_force_s",
    "present_s",
    "test_snap_s",
    "rescans_count",
    "rescan_s",
    "mount_s",
    "vm_boot_min",
    "ip_customization_min",
    "exchange_services_min",
    "sg_mount_s",
    "client_reconnect_min",
    "rollback_mib_per_s",
)
"""The assumptions a timed rehearsal may replace (the scenario's ``measured:`` section)."""
