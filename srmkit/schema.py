"""The scenario file schema (``params/*.yaml``), validated at the edge with pydantic v2.

Every section forbids unknown keys and checks types strictly (a number written as text is an
error, not a guess). Model defaults live in :mod:`srmkit.assumptions`; this module only names the
sections and fields a scenario file may hold. Cross-references between sections (a server's site,
an array's model) are checked by :func:`srmkit.params.cross_check`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from srmkit.assumptions import LINK_DEFAULTS, Assumptions
from srmkit.limits import Connectivity, Mode

SCHEMA_ID = "https://srmkit.invalid/scenario.schema.json"
MAX_UPDATE_INTERVAL_MIN = 4 * 7 * 24 * 60  # MirrorView/A maximum update period, 4 weeks [S4]

Text = Annotated[str, Field(min_length=1, max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _quoted_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'must be text; write it in quotes, e.g. "{value}"')
    return value


class Document(Section):
    """Cover information of the design document."""

    customer: Text = Field(description="Customer name, shown on the cover.")
    project: Text = Field(description="Project name.")
    author: Text = Field(description="Author of the design.")
    version: Name | None = Field(
        default=None,
        description="Document version; also names the report folder (else a timestamp does).",
    )
    date: Annotated[dt.date, Field(strict=False)] = Field(description="Document date, YYYY-MM-DD.")
    confidentiality: Literal["public", "internal", "confidential", "restricted"] = Field(
        description="Classification printed on every page."
    )
    logo: str | None = Field(
        default=None, description="PNG, JPEG or SVG file, relative to the params file."
    )
    notes: Annotated[str, Field(max_length=5000)] | None = Field(
        default=None, description="Free text shown in the introduction."
    )

    _text = field_validator("version", mode="before")(_quoted_text)


class Site(Section):
    """A data centre: where mailbox servers run or recover to."""

    name: Name
    windows_domain: Name = Field(description="Windows (AD) domain of the Exchange servers.")
    ad_gc_servers: int = Field(ge=0, description="Domain controllers / global catalogs. [count]")
    cas_present: bool = Field(description="An Exchange Client Access server runs at this site.")
    hub_transport_present: bool = Field(description="An Exchange Hub Transport server runs here.")
    hub_transport_protected: bool = Field(
        default=False,
        description="The Hub Transport VM is replicated by SRM (its guest OS and queue LUNs).",
    )
    hub_transport_vm: Name | None = Field(
        default=None,
        description="Name of the protected Hub Transport VM (default: <site>-HT).",
    )
    recovery_subnet_differs: bool = Field(
        default=False, description="VMs recovered to this site get another subnet."
    )
    ip_customization_spec: bool = Field(
        default=False, description="An SRM IP customisation specification exists for this site."
    )

    @property
    def hub_vm_name(self) -> str:
        """The protected Hub Transport VM: as named, else ``<site>-HT``."""
        return self.hub_transport_vm or f"{self.name}-HT"

    recovery_esx_clusters: int = Field(
        default=1,
        ge=1,
        le=16,
        description="ESX clusters the VMs recovered here are spread over; each cluster's hosts "
        "see only their VMs' LUNs (at most 256 per host). [count]",
    )


class Array(Section):
    """A CLARiiON storage system."""

    name: Name
    site: Name
    model: Name = Field(description="Catalogue model name, e.g. CX4-240 (`srmkit limits`).")
    flare: int = Field(ge=1, le=99, description="FLARE release, e.g. 28. [release]")
    connectivity: Connectivity = Field(description="Mirroring connectivity between the arrays.")


class Link(Section):
    """The replication link between the two sites (Method §3)."""

    bandwidth_mbps: float = Field(gt=0, description="Link rate as sold. [Mbit/s]")
    distance_km: float = Field(gt=0, le=20000, description="Distance between the sites. [km]")
    route_factor: float = Field(
        default=LINK_DEFAULTS.route_factor,
        ge=1,
        le=5,
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
        gt=0,
        le=1,
        description="Usable share after protocol overhead. [fraction]",
    )
    share_fraction: float = Field(
        default=LINK_DEFAULTS.share_fraction,
        gt=0,
        le=1,
        description="Share of the link given to replication. [fraction]",
    )


class CgMember(Section):
    """A server's share of an explicit consistency group."""

    server: Name
    storage_groups: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, description="1-based storage groups (DB + log LUN each)."
    )
    gos_luns: int = Field(default=0, ge=0, le=16, description="Guest-OS LUNs. [count]")
    queue_luns: int = Field(
        default=0, ge=0, le=1, description="Transport queue LUN of a Hub Transport VM. [count]"
    )


class ConsistencyGroupSpec(Section):
    """An explicit consistency group; with these given, the layout is checked, not planned."""

    name: Name
    members: list[CgMember] = Field(min_length=1)


class Replication(Section):
    """MirrorView settings (Method §4–§7)."""

    mode: Mode = Field(description="sync = MirrorView/S, async = MirrorView/A.")
    update_type: Literal["start", "end", "manual"] = Field(
        default="start",
        description="MirrorView/A schedule: start of last update, end of last update, manual.",
    )
    update_interval_min: float | None = Field(
        default=None,
        gt=0,
        le=MAX_UPDATE_INTERVAL_MIN,
        description="MirrorView/A update interval (required for start and end types). [min]",
    )
    manual_update_times: list[Annotated[dt.time, Field(strict=False)]] | None = Field(
        default=None, min_length=1, description="Start times (HH:MM) of manual MV/A updates."
    )
    recovery_policy: Literal["manual", "auto"] = Field(
        default="manual", description="Mirror recovery policy; the seed recommends manual."
    )
    write_intent_log: bool = Field(default=True, description="Mirrors use the write intent log.")
    sync_rate: Literal["high", "medium", "low"] = Field(
        default="medium", description="Mirror synchronisation rate setting."
    )
    cg_policy: Literal["per_server", "packed"] = Field(
        default="per_server", description="Consistency groups per server, or packed across them."
    )
    consistency_groups: list[ConsistencyGroupSpec] | None = Field(
        default=None, description="Explicit CG layout (validated, not planned)."
    )


class Server(Section):
    """An Exchange 2007 mailbox server VM."""

    name: Name
    site: Name = Field(description="Site where the server runs in production.")
    users: int = Field(gt=0, le=1_000_000, description="Mailboxes on this server. [users]")
    profile: Name = Field(description="Mailbox profile, e.g. heavy (see assumptions).")
    mailbox_quota_gib: float = Field(gt=0, le=1000, description="Mailbox quota. [GiB]")
    storage_groups: int | None = Field(
        default=None, ge=1, le=50, description="Storage groups; derived when omitted. [count]"
    )
    gos_luns: int = Field(default=1, ge=0, le=16, description="Guest-OS LUNs mirrored. [count]")
    guest_os: Literal["windows-2003", "windows-2003-x64", "windows-2008", "windows-2008-x64"]
    exchange_version: Literal[2003, 2007, 2010]
    clustered: bool = Field(default=False, description="Runs as a Windows cluster node.")
    uses_rdm: bool = Field(default=False, description="Has raw device mappings (RDMs).")
    array: Name | None = Field(
        default=None, description="Source array; needed when the site has several."
    )
    target_array: Name | None = Field(
        default=None, description="Target array; needed when the other site has several."
    )


class Targets(Section):
    """The customer's recovery objectives."""

    rpo_min: float = Field(ge=0, description="Recovery point objective. [min]")
    rto_min: float = Field(gt=0, description="Recovery time objective. [min]")


class Growth(Section):
    """Mailbox growth over the planning horizon."""

    users_per_year_fraction: float = Field(ge=0, le=10, description="Yearly growth. [fraction]")
    years: int = Field(ge=0, le=20, description="Planning horizon. [years]")


class Accept(Section):
    """A warning the customer accepts as a risk, with the reason written down."""

    id: Name = Field(description="Rule id, e.g. CG-PACKED-FAILOVER (`srmkit check` lists them).")
    reason: Annotated[str, Field(min_length=10, max_length=2000)] = Field(
        description="Why the risk is accepted (shown in the document)."
    )


Reserved = Annotated[
    list[Any], Field(max_length=0, description="Reserved for a later srmkit release; keep empty.")
]


class Scenario(Section):
    """A whole scenario file."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"$id": SCHEMA_ID},
        title="srmkit scenario",
    )

    document: Document
    sites: list[Site] = Field(min_length=2, max_length=2, description="Exactly two sites.")
    arrays: list[Array] = Field(min_length=2, description="At least one array per site.")
    link: Link
    replication: Replication
    servers: list[Server] = Field(min_length=1)
    targets: Targets
    growth: Growth = Field(default_factory=lambda: Growth(users_per_year_fraction=0, years=0))
    assumptions: Assumptions = Field(default_factory=Assumptions)
    accept: list[Accept] = Field(default_factory=list)
    scenarios: Reserved = Field(default_factory=list)


SECTIONS: tuple[str, ...] = tuple(Scenario.model_fields)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors and `srmkit schema`."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def json_schema_text() -> str:
    """The JSON Schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
