"""The scenario file schema (``params/*.yaml``), validated at the edge with pydantic v2.

Every section forbids unknown keys and checks types strictly (a number written as text is an
error, not a guess); every number is finite and within what the engineering model can use
sensibly. Names follow the rules of the systems that own them (Windows computer names for VMs,
DNS names for domains, array and CG names as Navisphere takes them), which also keeps spreadsheet
formulas and markup out of them; free text (customer, notes, reasons) may hold anything printable
and is shown as text everywhere.

Model defaults live in :mod:`srmkit.assumptions`; this module only names the sections and fields
a scenario file may hold. Cross-references between sections (a server's site, an array's model)
are checked by :func:`srmkit.params.cross_check`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    model_validator,
)

from srmkit.assumptions import LINK_DEFAULTS, MEASURABLE, Assumptions
from srmkit.limits import Connectivity, Mode
from srmkit.units import clock_text_to_min, duration_text_to_min

SCHEMA_ID = "https://srmkit.invalid/scenario.schema.json"
MAX_UPDATE_INTERVAL_MIN = 4 * 7 * 24 * 60  # MirrorView/A maximum update period, 4 weeks [S4]
MAX_SERVERS = 10_000
MAX_LINK_MBPS = 100_000.0
MAX_PLANNED_LUNS = 100_000
"""Work limit: a design with more mirrored LUNs than this today (200 times what the largest
array mirrors) is refused as input."""
MAX_USERS_PER_SERVER = 25_000  # 50 storage groups of ~500 mailboxes: Exchange 2007's ceiling

_NETBIOS = re.compile(r"(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?")
_OBJECT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?")
_SITE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 _.'-]{0,62}[A-Za-z0-9])?")
_DOMAIN = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_VERSION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,38}[A-Za-z0-9])?")


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'must be text; write it in quotes, e.g. "{value}"')
    return value


def _printable(value: str, multiline: bool) -> str:
    allowed = "\n\t" if multiline else ""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in (
            "Cc",
            "Cf",
            "Cs",
            "Co",
            "Cn",
            "Zl",
            "Zp",
        ):
            raise ValueError(
                f"holds a control or unprintable character (U+{ord(ch):04X}); "
                + (
                    "only printable text, tabs and new lines"
                    if multiline
                    else "only printable text"
                )
                + " is allowed"
            )
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip() if not multiline else value


def _line(value: str) -> str:
    return _printable(value, multiline=False)


def _text(value: str) -> str:
    return _printable(value, multiline=True)


def _pattern(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(what)
        return value

    return AfterValidator(check)


Line = Annotated[
    str, BeforeValidator(_not_a_number), Field(min_length=1, max_length=200), AfterValidator(_line)
]
"""One line of free text, shown as text (customer, project, author)."""
LongText = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_text)]
"""Free text with new lines, shown as text (notes, reasons)."""
VmName = Annotated[
    str,
    _pattern(
        _NETBIOS,
        "a VM name is a Windows computer name: 1 to 15 letters, digits and hyphens, not "
        "starting or ending with a hyphen and not all digits",
    ),
]
ObjectName = Annotated[
    str,
    _pattern(
        _OBJECT,
        "an array or consistency group name is 1 to 64 letters, digits, hyphens, underscores "
        "and dots, starting and ending with a letter or digit",
    ),
]
SiteName = Annotated[
    str,
    _pattern(
        _SITE,
        "a site name is 1 to 64 letters, digits, spaces, hyphens, underscores, dots and "
        "apostrophes, starting and ending with a letter or digit",
    ),
]
DomainName = Annotated[
    str,
    _pattern(
        _DOMAIN,
        "a Windows domain is a DNS name: labels of letters, digits and hyphens separated by dots",
    ),
]
ProfileName = Annotated[str, Field(min_length=1, max_length=40)]
ModelName = Annotated[str, Field(min_length=1, max_length=40)]


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are neither coerced nor infinite."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Document(Section):
    """Cover information of the design document."""

    customer: Line = Field(description="Customer name, shown on the cover.")
    project: Line = Field(description="Project name.")
    author: Line = Field(description="Author of the design.")
    version: (
        Annotated[
            str,
            BeforeValidator(_not_a_number),
            _pattern(
                _VERSION,
                "a version is 1 to 40 letters, digits, spaces, dots, hyphens and underscores",
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="Document version; also names the report folder (else a timestamp does).",
    )
    date: Annotated[
        dt.date, Field(strict=False, ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
    ] = Field(description="Document date, YYYY-MM-DD.")
    confidentiality: Literal["public", "internal", "confidential", "restricted"] = Field(
        description="Classification printed on every page."
    )
    logo: (
        Annotated[
            str,
            Field(min_length=1, max_length=300),
            _pattern(
                re.compile(r"[^\x00-\x1f]+\.(?:png|jpe?g|svg)", re.IGNORECASE),
                "a logo is a .png, .jpg or .svg file",
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="PNG, JPEG or SVG file (at most 2 MB), relative to the params file.",
    )
    notes: LongText | None = Field(default=None, description="Free text shown in the introduction.")
    word_template: (
        Annotated[
            str,
            Field(min_length=1, max_length=300),
            _pattern(
                re.compile(r"[^\x00-\x1f]+\.docx", re.IGNORECASE),
                "a Word template is a .docx file",
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="Word document (.docx) whose styles the Word documents take, relative to "
        "the params file (default: srmkit's own).",
    )


class Site(Section):
    """A data centre: where mailbox servers run or recover to."""

    name: SiteName
    windows_domain: DomainName = Field(description="Windows (AD) domain of the Exchange servers.")
    ad_gc_servers: int = Field(
        ge=0, le=100, description="Domain controllers / global catalogs. [count]"
    )
    cas_present: bool = Field(description="An Exchange Client Access server runs at this site.")
    hub_transport_present: bool = Field(description="An Exchange Hub Transport server runs here.")
    hub_transport_protected: bool = Field(
        default=False,
        description="The Hub Transport VM is replicated by SRM (its guest OS and queue LUNs).",
    )
    hub_transport_vm: VmName | None = Field(
        default=None,
        description="Name of the protected Hub Transport VM (default: the site's name, up to 12 "
        "letters and digits, and -HT).",
    )
    recovery_subnet_differs: bool = Field(
        default=False, description="VMs recovered to this site get another subnet."
    )
    ip_customization_spec: bool = Field(
        default=False, description="An SRM IP customisation specification exists for this site."
    )
    recovery_esx_clusters: int = Field(
        default=1,
        ge=1,
        le=16,
        description="ESX clusters the VMs recovered here are spread over; each cluster's hosts "
        "see only their VMs' LUNs (at most 256 per host). [count]",
    )

    @property
    def hub_vm_name(self) -> str:
        """The protected Hub Transport VM: as named, else ``<site>-HT`` (a valid computer name)."""
        return self.hub_transport_vm or re.sub(r"[^A-Za-z0-9]", "", self.name)[:12] + "-HT"


LimitCount = Annotated[int, Field(ge=1, le=100_000)]


class ArrayLimits(Section):
    """A model's published limits changed by a later FLARE release (Method §7): shown in the
    documents as a changed assumption."""

    sync_max_mirrors: LimitCount | None = Field(default=None, description="MirrorView/S mirrors.")
    sync_max_luns_per_cg: LimitCount | None = Field(
        default=None, description="MirrorView/S LUNs per consistency group."
    )
    sync_max_cgs: LimitCount | None = Field(
        default=None, description="MirrorView/S consistency groups."
    )
    async_max_mirrors: LimitCount | None = Field(default=None, description="MirrorView/A mirrors.")
    async_max_luns_per_cg: LimitCount | None = Field(
        default=None, description="MirrorView/A LUNs per consistency group."
    )
    async_max_cgs: LimitCount | None = Field(
        default=None, description="MirrorView/A consistency groups."
    )
    max_luns: LimitCount | None = Field(default=None, description="LUNs in the array.")


class Array(Section):
    """A CLARiiON storage system."""

    name: ObjectName
    site: SiteName
    model: ModelName = Field(description="Catalogue model name, e.g. CX4-240 (`srmkit limits`).")
    flare: int = Field(ge=1, le=99, description="FLARE release, e.g. 28. [release]")
    connectivity: Connectivity = Field(description="Mirroring connectivity between the arrays.")
    limits: ArrayLimits | None = Field(
        default=None,
        description="Limits that differ from the catalogue's for this model (a later FLARE "
        "release's published figures).",
    )

    def limit_changes(self) -> dict[str, int]:
        """The limits this scenario changes, by name (empty when none)."""
        if self.limits is None:
            return {}
        return {k: v for k, v in self.limits.model_dump().items() if v is not None}


class Link(Section):
    """The replication link between the two sites (Method §3)."""

    bandwidth_mbps: float = Field(
        ge=1, le=MAX_LINK_MBPS, description="Link rate as sold, 1 Mbit/s to 100 Gbit/s. [Mbit/s]"
    )
    distance_km: float = Field(gt=0, le=20_000, description="Distance between the sites. [km]")
    route_factor: float = Field(
        default=LINK_DEFAULTS.route_factor,
        ge=1,
        le=3,
        description="Fibre route length ÷ site distance. [factor]",
    )
    round_trips: int = Field(
        default=LINK_DEFAULTS.round_trips,
        ge=1,
        le=4,
        description="Round trips per write (2 plain FC, 1 accelerated).",
    )
    efficiency_fraction: float = Field(
        default=LINK_DEFAULTS.efficiency_fraction,
        ge=0.1,
        le=1,
        description="Usable share after protocol overhead. [fraction]",
    )
    share_fraction: float = Field(
        default=LINK_DEFAULTS.share_fraction,
        ge=0.01,
        le=1,
        description="Share of the link given to replication. [fraction]",
    )
    route_km: float | None = Field(
        default=None,
        gt=0,
        le=60_000,
        description="Fibre route length, instead of route_factor (route_factor = route_km ÷ "
        "distance_km, 1 to 3). [km]",
    )
    tcp_window_kib: float = Field(
        default=LINK_DEFAULTS.tcp_window_kib,
        ge=4,
        le=16_384,
        description="TCP window of the arrays' iSCSI ports (64 KiB without window scaling). [KiB]",
    )
    tcp_sessions: int = Field(
        default=LINK_DEFAULTS.tcp_sessions,
        ge=1,
        le=16,
        description="MirrorView TCP connections per direction (one per SP pair). [count]",
    )
    network_rtt_ms: float = Field(
        default=LINK_DEFAULTS.network_rtt_ms,
        ge=0,
        le=1000,
        description="Round trip added by network equipment beyond the fibre. [ms]",
    )
    wan_optimised: bool = Field(
        default=LINK_DEFAULTS.wan_optimised,
        description="A WAN optimiser or FCIP gateway terminates TCP locally: no window cap.",
    )

    @model_validator(mode="before")
    @classmethod
    def _route_km_sets_the_factor(cls, data: Any) -> Any:
        """``route_km`` is the route factor given as a length: both given must agree."""
        if not isinstance(data, dict) or data.get("route_km") is None:
            return data
        km, distance = data["route_km"], data.get("distance_km")
        if (
            not isinstance(km, int | float)
            or not isinstance(distance, int | float)
            or distance <= 0
        ):
            return data  # the fields' own checks report it
        factor = km / distance
        given = data.get("route_factor")
        if given is not None and abs(given - factor) > 1e-6 * factor:
            raise ValueError(
                f"route_km {km:g} km and route_factor {given:g} disagree (a {km:g} km route over "
                f"{distance:g} km is a factor of {factor:.3g}): give one of them"
            )
        if not 1 <= factor <= 3:
            raise ValueError(
                f"route_km {km:g} km over {distance:g} km is a route factor of {factor:.3g}; "
                "a fibre route is 1 to 3 times the distance between the sites"
            )
        return {**data, "route_factor": float(factor)}


class CgMember(Section):
    """A VM's share of an explicit consistency group."""

    server: VmName
    storage_groups: list[Annotated[int, Field(ge=1, le=50)]] = Field(
        default_factory=list, max_length=50, description="1-based storage groups (DB + log LUN)."
    )
    gos_luns: int = Field(default=0, ge=0, le=4, description="Guest-OS LUNs. [count]")
    queue_luns: int = Field(
        default=0, ge=0, le=1, description="Transport queue LUN of a Hub Transport VM. [count]"
    )


class ConsistencyGroupSpec(Section):
    """An explicit consistency group; with these given, the layout is checked, not planned."""

    name: ObjectName
    members: list[CgMember] = Field(min_length=1, max_length=100)


class Replication(Section):
    """MirrorView settings (Method §4–§7)."""

    mode: Mode = Field(description="sync = MirrorView/S, async = MirrorView/A.")
    update_type: Literal["start", "end", "manual"] = Field(
        default="start",
        description="MirrorView/A schedule: start of last update, end of last update, manual.",
    )
    update_interval_min: float | None = Field(
        default=None,
        ge=1,
        le=MAX_UPDATE_INTERVAL_MIN,
        description="MirrorView/A update interval, 1 minute to 4 weeks (required for start and "
        "end types). [min]",
    )
    manual_update_times: list[Annotated[dt.time, Field(strict=False)]] | None = Field(
        default=None,
        min_length=1,
        max_length=288,
        description="Start times (HH:MM) of manual MV/A updates, at most one per 5 minutes.",
    )
    recovery_policy: Literal["manual", "auto"] = Field(
        default="manual", description="Mirror recovery policy; EMC recommends manual [S0]."
    )
    write_intent_log: bool = Field(default=True, description="Mirrors use the write intent log.")
    protective_copy: Literal["snapshot", "clone", "none"] = Field(
        default="snapshot",
        description="MirrorView/S: the copy of the secondaries taken before a resynchronisation "
        "overwrites them (SnapView snapshot or clone; MirrorView/A keeps its gold copy).",
    )
    sync_rate: Literal["high", "medium", "low"] = Field(
        default="medium", description="Mirror synchronisation rate setting."
    )
    cg_policy: Literal["per_server", "packed"] = Field(
        default="per_server", description="Consistency groups per server, or packed across them."
    )
    consistency_groups: list[ConsistencyGroupSpec] | None = Field(
        default=None, max_length=2000, description="Explicit CG layout (validated, not planned)."
    )


def _whole_version(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("must be a whole number: 2003, 2007 or 2010")
    return value


CsvFile = Annotated[
    str,
    Field(min_length=1, max_length=300),
    _pattern(re.compile(r"[^\x00-\x1f]+\.csv", re.IGNORECASE), "a measurement is a .csv file"),
]
"""A measurement file, relative to the params file."""


class ServerMeasured(Section):
    """A server's measured write load: its own hourly volumes and bursts replace the mailbox
    profile's for the link, the MV/A delta sets and the resyncs (Method §2, a measured profile).
    Give one of ``perfmon`` and ``log_counts``."""

    perfmon: CsvFile | None = Field(
        default=None,
        description="Performance Monitor log exported with relog -f csv (Log Bytes Write/sec "
        "and I/O Database Writes/sec of MSExchange Database ==> Instances), relative to the "
        "params file.",
    )
    log_counts: CsvFile | None = Field(
        default=None,
        description="CSV of hour,logs: mean transaction logs in each clock hour (24 rows), "
        "relative to the params file; database writes follow the profile's ratio to logs.",
    )
    host: VmName | None = Field(
        default=None,
        description="The computer whose counters to use, when the log holds several.",
    )
    gos_volumes: list[
        Annotated[
            str,
            _pattern(
                re.compile(r"[A-Za-z0-9 _./\\:-]{1,64}"),
                "a volume is a LogicalDisk instance, e.g. C:",
            ),
        ]
    ] = Field(
        default_factory=list,
        max_length=8,
        description="Volumes whose Disk Write Bytes/sec count as guest-OS writes, e.g. [C:] "
        "(perfmon only; default: the gos_write_mib_per_h assumption).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ServerMeasured:
        if (self.perfmon is None) == (self.log_counts is None):
            raise ValueError("give one of perfmon (a Performance Monitor CSV) and log_counts")
        if self.log_counts is not None and (self.host is not None or self.gos_volumes):
            raise ValueError("host and gos_volumes apply to a perfmon log, not to log_counts")
        return self

    @property
    def file(self) -> str:
        """The measurement file as the scenario names it."""
        return self.perfmon or self.log_counts or ""


class Server(Section):
    """An Exchange 2007 mailbox server VM."""

    name: VmName
    site: SiteName = Field(description="Site where the server runs in production.")
    users: int = Field(
        gt=0, le=MAX_USERS_PER_SERVER, description="Mailboxes on this server. [users]"
    )
    profile: ProfileName = Field(description="Mailbox profile, e.g. heavy (see assumptions).")
    mailbox_quota_gib: float = Field(ge=0.01, le=100, description="Mailbox quota. [GiB]")
    storage_groups: int | None = Field(
        default=None, ge=1, le=50, description="Storage groups; derived when omitted. [count]"
    )
    gos_luns: int = Field(default=1, ge=0, le=4, description="Guest-OS LUNs mirrored. [count]")
    guest_os: Literal["windows-2003", "windows-2003-x64", "windows-2008", "windows-2008-x64"]
    exchange_version: Annotated[Literal[2003, 2007, 2010], BeforeValidator(_whole_version)]
    clustered: bool = Field(default=False, description="Runs as a Windows cluster node.")
    uses_rdm: bool = Field(default=False, description="Has raw device mappings (RDMs).")
    array: ObjectName | None = Field(
        default=None, description="Source array; needed when the site has several."
    )
    target_array: ObjectName | None = Field(
        default=None, description="Target array; needed when the other site has several."
    )
    measured: ServerMeasured | None = Field(
        default=None,
        description="The server's measured write load (replaces its profile's for replication).",
    )
    _measurement: Any = PrivateAttr(default=None)
    """The measurement read from ``measured`` (a :class:`srmkit.perfmon.Measurement`) and the
    mailboxes it was taken with, set when the scenario is validated."""

    @property
    def measurement(self) -> Any:
        """``(measurement, users)`` for a measured server, else None (read from the private
        attributes' slot: pydantic's ``__getattr__`` costs a second per 300,000 reads)."""
        private = self.__pydantic_private__
        return None if private is None else private.get("_measurement")


class Targets(Section):
    """The customer's recovery objectives."""

    rpo_min: float = Field(ge=0, le=10_080, description="Recovery point objective. [min]")
    rto_min: float = Field(ge=1, le=10_080, description="Recovery time objective. [min]")


def _measured_fields() -> dict[str, Any]:
    """The rehearsal's timings: the recovery-time assumptions, each optional, with the same
    ranges and descriptions as under ``assumptions:`` (Method §8)."""
    hints = get_type_hints(Assumptions, include_extras=True)
    return {name: (hints[name] | None, None) for name in MEASURABLE}


class _MeasuredBase(Section):
    """Timings from a rehearsal of the recovery (a test or a planned failover, timed): each one
    replaces the assumption of the same name and is shown as measured (Method §8)."""

    rehearsed_on: (
        Annotated[dt.date, Field(strict=False, ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
        | None
    ) = Field(default=None, description="When the rehearsal ran, YYYY-MM-DD.")
    note: Line | None = Field(default=None, description="What was timed, in a line.")

    def values(self) -> dict[str, Any]:
        """The timings given. [as the assumption of the same name]"""
        return {n: v for n in MEASURABLE if (v := getattr(self, n)) is not None}


if TYPE_CHECKING:
    Measured = _MeasuredBase
else:  # the timings' fields come from Assumptions
    Measured = create_model(
        "Measured", __base__=_MeasuredBase, __doc__=_MeasuredBase.__doc__, **_measured_fields()
    )


class Growth(Section):
    """Mailbox growth over the planning horizon."""

    users_per_year_fraction: float = Field(ge=0, le=2, description="Yearly growth. [fraction]")
    years: int = Field(ge=0, le=10, description="Planning horizon. [years]")


class Accept(Section):
    """A warning the customer accepts as a risk, with the reason written down."""

    id: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description="Rule id, e.g. CG-PACKED-FAILOVER (`srmkit check` lists them)."
    )
    reason: Annotated[str, Field(min_length=10, max_length=2000), AfterValidator(_text)] = Field(
        description="Why the risk is accepted (shown in the document)."
    )


EventKind = Literal[
    "link_down",
    "link_up",
    "site_failure",
    "site_restore",
    "sp_failure",
    "sp_restore",
    "admin_fracture",
    "admin_sync",
    "clone_secondaries",
    "srm_test_start",
    "srm_test_continue",
    "run_recovery_plan",
    "rebuild_site",
    "reverse_mirrors",
    "run_failback_plan",
    "reprotect",
    "shutdown_vms",
    "unmount_datastores",
    "final_update",
    "sp_path_failure",
    "sp_path_restore",
    "rlp_full",
]
EVENT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # event: (fields it needs, fields it may have)
    "link_down": ((), ()),
    "link_up": ((), ()),
    "site_failure": (("site",), ()),
    "site_restore": (("site",), ()),
    "rebuild_site": (("site",), ()),
    "sp_failure": (("array", "sp"), ()),
    "sp_restore": (("array", "sp"), ()),
    "admin_fracture": ((), ("cg",)),
    "admin_sync": ((), ("cg",)),
    "clone_secondaries": ((), ("cg",)),
    "srm_test_start": ((), ("site",)),
    "srm_test_continue": ((), ("site",)),
    "run_recovery_plan": ((), ("site",)),
    "reverse_mirrors": ((), ("site",)),
    "run_failback_plan": ((), ("site",)),
    "reprotect": ((), ("site",)),
    "shutdown_vms": (("site",), ()),
    "unmount_datastores": (("site",), ()),
    "final_update": (("site",), ()),
    "sp_path_failure": (("array", "sp"), ()),
    "sp_path_restore": (("array", "sp"), ()),
    "rlp_full": (("array",), ()),
}
"""The fields each event needs and may have. ``site`` of an SRM event names the site whose VMs
the protection group protects (default: the site that failed, else the first with VMs)."""
BUILTIN_SCENARIOS: tuple[str, ...] = (
    "test-failover",
    "planned-failover",
    "site-disaster",
    "short-link-loss",
    "long-link-loss-manual",
    "long-link-loss-auto",
    "link-loss-then-site-loss",
    "resync-then-site-loss",
    "resync-then-site-loss-cloned",
    "sp-failure",
    "sp-path-loss",
    "recovery-site-loss",
    "reserved-pool-full",
    "failback",
)
"""Scenarios srmkit plays on every design (see :mod:`srmkit.simulation`)."""
MAX_SCENARIO_MIN = 30 * 24 * 60  # a scenario spans at most 30 days
_SCENARIO_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


def _duration(value: str) -> str:
    minutes = duration_text_to_min(value)
    if minutes is None:
        raise ValueError("a time after the start such as 90s, 45m, 2h30m or 1d6h")
    if minutes > MAX_SCENARIO_MIN:
        raise ValueError("a scenario spans at most 30 days (30d)")
    return value


def _clock(value: str) -> str:
    if clock_text_to_min(value) is None:
        raise ValueError("a time of day HH:MM, from 00:00 to 23:59")
    return value


class SimEvent(Section):
    """One event of a failure scenario, at a time after the scenario's start."""

    at: Annotated[str, AfterValidator(_duration)] = Field(
        description="Time after the start: 90s, 45m, 2h30m, 1d6h."
    )
    event: EventKind
    site: SiteName | None = Field(default=None, description="The site the event concerns.")
    array: ObjectName | None = Field(default=None, description="The array of an SP event.")
    sp: Literal["A", "B"] | None = Field(default=None, description="The storage processor.")
    cg: ObjectName | None = Field(
        default=None, description="One consistency group (default: all of them)."
    )

    @model_validator(mode="after")
    def _fields_of_the_event(self) -> SimEvent:
        needs, may = EVENT_FIELDS[self.event]
        missing = [f for f in needs if getattr(self, f) is None]
        extra = [f for f in ("site", "array", "sp", "cg") if getattr(self, f) is not None]
        extra = [f for f in extra if f not in needs and f not in may]
        if missing:
            raise ValueError(f"{self.event} needs {' and '.join(missing)}")
        if extra:
            allowed = ", ".join((*needs, *may)) or "no other field"
            raise ValueError(f"{self.event} takes {allowed}, not {', '.join(extra)}")
        return self

    @property
    def at_min(self) -> float:
        """Minutes after the scenario's start. [min]"""
        minutes = duration_text_to_min(self.at)
        assert minutes is not None  # checked on validation
        return minutes


class SimScenario(Section):
    """A failure scenario to play out on the design (``srmkit simulate``)."""

    name: Annotated[
        str,
        _pattern(_SCENARIO_NAME, "a scenario name is 1 to 40 lower-case letters, digits and -"),
    ]
    description: Line | None = None
    start: Annotated[str, AfterValidator(_clock)] = Field(
        default="00:00", description="Time of day at which the scenario begins, HH:MM."
    )
    recovery_policy: Literal["manual", "auto"] | None = Field(
        default=None, description="Overrides the mirrors' recovery policy for this scenario."
    )
    events: list[SimEvent] = Field(min_length=1, max_length=200)

    @property
    def start_min(self) -> float:
        """Minutes after midnight. [min]"""
        minutes = clock_text_to_min(self.start)
        assert minutes is not None  # checked on validation
        return minutes


@dataclasses.dataclass(frozen=True)
class BurstOrigin:
    """Where the design's burst factor comes from (Method §2, §4)."""

    measured: float | None = None
    """The summed measured servers' burst factor; None without a Performance Monitor log."""
    given: bool = False
    """The scenario's ``assumptions:`` set ``burst_factor`` (it wins over the measurement)."""

    @property
    def source(self) -> Literal["measured", "scenario", "default"]:
        """``scenario`` (its ``assumptions:`` set it), ``measured`` (the logs') or ``default``."""
        if self.given:
            return "scenario"
        return "measured" if self.measured is not None else "default"


class Scenario(Section):
    """A whole scenario file."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        json_schema_extra={"$id": SCHEMA_ID},
        title="srmkit scenario",
    )

    document: Document
    sites: list[Site] = Field(min_length=2, max_length=2, description="Exactly two sites.")
    arrays: list[Array] = Field(min_length=2, max_length=16, description="At least one per site.")
    link: Link
    replication: Replication
    servers: list[Server] = Field(min_length=1, max_length=MAX_SERVERS)
    targets: Targets
    growth: Growth = Field(default_factory=lambda: Growth(users_per_year_fraction=0, years=0))
    assumptions: Assumptions = Field(default_factory=Assumptions)
    accept: list[Accept] = Field(default_factory=list, max_length=100)
    measured: Measured | None = Field(
        default=None, description="Recovery timings from a rehearsal (replace the assumptions)."
    )
    _source: tuple[str, dict[Any, int]] | None = PrivateAttr(default=None)
    _burst: BurstOrigin = PrivateAttr(default_factory=BurstOrigin)
    """Where the burst factor comes from, set when the scenario is validated."""
    """The file and the line of each value, when read from a file (for later messages)."""

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their sections are, wherever they were read from."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # a scenario holds lists: not hashable

    scenarios: list[SimScenario] = Field(
        default_factory=list,
        max_length=50,
        description="Failure scenarios of your own, played with the built-in ones.",
    )


SECTIONS: tuple[str, ...] = tuple(Scenario.model_fields)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors and `srmkit schema`."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def json_schema_text() -> str:
    """The JSON Schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
