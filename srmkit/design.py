"""``Design``: the one object that owns every answer about a scenario.

A :class:`~srmkit.study.Study` computes the numbers (workload, link per direction, replication,
plans for every growth year, model fit and recommendations, synchronisation, reserved LUN pool,
recovery time); ``Design`` adds the review: the findings of every rule of the catalogue, the
remedies that work, and the overall verdict. Documents, figures, exports, the report renderer and
every CLI command take a ``Design`` and present what it holds; none of them plans, checks or
calculates on its own.

A remedy is offered only when the design re-planned with it applied makes the finding it answers
pass, and never proposes what the design already has (Method §7).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Literal

from srmkit import checks
from srmkit.checks import Finding
from srmkit.limits import Mode, catalogue, get_model
from srmkit.schema import MAX_LINK_MBPS, Scenario
from srmkit.study import Study

if TYPE_CHECKING:
    from srmkit.frames import Frames

Verdict = Literal["fits", "fits_with_warnings", "does_not_fit"]


def verdict_of(findings: Sequence[Finding]) -> Verdict:
    """Does not fit with any error; fits with warnings with an open (not accepted) warning; else
    fits. Remedies change no severity, so raw findings give the same verdict."""
    if any(f.severity == "error" for f in findings):
        return "does_not_fit"
    if any(f.severity == "warning" and not f.accepted for f in findings):
        return "fits_with_warnings"
    return "fits"


VERDICT_TEXT: dict[Verdict, str] = {
    "fits": "fits",
    "fits_with_warnings": "fits with warnings",
    "does_not_fit": "does not fit",
}
MAX_CLUSTERS = 16  # the most ESX clusters a scenario may spread recovered VMs over
LIMIT_RULES = ("LIMIT-MIRRORS", "LIMIT-CG-SIZE", "LIMIT-CG-COUNT", "LIMIT-GROWTH")
MODEL_RULES = (*LIMIT_RULES, "FLARE-TOO-OLD", "ISCSI-NEEDS-C-MODEL", "MODEL-NO-MIRRORVIEW")


ChangeKind = Literal["section", "items", "models", "mode", "split", "second_pair", "assumptions"]


@dataclass(frozen=True)
class Change:
    """A change to a scenario, as data (a remedy's what-if).

    - ``section``: set ``values`` in the section ``target`` (link, replication);
    - ``items``: set ``values`` in the item named ``match`` (``*``: every item) of the list
      ``target`` (servers, sites);
    - ``models``: replace array models, ``values`` = (array, model name) pairs;
    - ``mode``: mirror in mode ``target`` (sync or async);
    - ``split``: spread server ``target``'s mailboxes evenly over ``parts`` VMs, the new ones
      named ``<server>-2``, ``<server>-3``, …;
    - ``second_pair``: add a second array pair (each array's twin is ``<array>-2``) and move
      the second half of each site's servers to it;
    - ``assumptions``: override assumptions with ``values``.
    """

    kind: ChangeKind
    target: str = ""
    match: str = ""
    values: tuple[tuple[str, Any], ...] = ()
    parts: int = 0


@dataclass(frozen=True)
class Remedy:
    """A change that, applied to the design and re-planned, makes a finding pass."""

    rule_id: str
    subject: str | None
    text: str
    change: Change


Candidate = tuple[str, Change]


def _section(name: str, **values: Any) -> Change:
    return Change("section", name, values=tuple(values.items()))


def _items(name: str, match: str, **values: Any) -> Change:
    return Change("items", name, match, tuple(values.items()))


def _sold_mbps(rate_mbps: float) -> float:
    """A link size as sold, rounded up: whole Mbit/s below 100, tens below 1,000, else hundreds.

    >>> _sold_mbps(123.4), _sold_mbps(87.2), _sold_mbps(1234.0)
    (130.0, 88.0, 1300.0)
    """
    step = 1 if rate_mbps < 100 else 10 if rate_mbps < 1000 else 100
    return float(math.ceil(rate_mbps / step - 1e-9) * step)


class Design(Study):
    """A scenario's numbers and its review."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(scenario)
        self._what_ifs: dict[tuple[Any, ...], Study] = {}

    # --- what-ifs for remedies -----------------------------------------------------------------
    def what_if(self, key: tuple[Any, ...], change: Callable[[Scenario], Scenario]) -> Study:
        """The design with a scenario change applied, built once per key."""
        if key not in self._what_ifs:
            self._what_ifs[key] = Study(change(self.scenario), sizing=self._sizing)
        return self._what_ifs[key]

    def apply(self, change: Change) -> Study:
        """The design with a change applied (re-planned), built once per change."""
        if change.kind == "models":
            return self.variant({array: get_model(name) for array, name in change.values})
        if change.kind == "mode":
            mode: Mode = "sync" if change.target == "sync" else "async"
            return self.variant(mode=mode)
        return self.what_if((change,), partial(_transform, change))

    # --- remedy candidates, by rule -----------------------------------------------------------
    def _link_for(self, target_fraction: float) -> float:
        """A link size whose busiest direction stays at ``target_fraction`` through the horizon
        (at most the largest link a scenario may have)."""
        peak = max(d.peak_mbps for d in self.directions_at(self.horizon))
        link = self.scenario.link
        need = peak / (link.efficiency_fraction * link.share_fraction * target_fraction)
        return min(_sold_mbps(need), MAX_LINK_MBPS)

    def _candidates(self, f: Finding) -> Iterator[Candidate]:
        """Every remedy to try for a finding: the table's rows for its rule, in order, then the
        settings that answer it."""
        for rules, remedies in REMEDY_TABLE:
            if f.id in rules:
                yield from remedies(self, f)
        yield from self._setting_candidates(f)

    def _fewest_parts(self, f: Finding, server: str, most: int = 8) -> int | None:
        """The fewest VMs a server's mailboxes must be spread over to pass a rule."""
        for parts in range(2, most + 1):
            variant = self.apply(Change("split", server, parts=parts))
            names = {server, *(f"{server}-{k}" for k in range(2, parts + 1))}
            if not any(h.subject in names for h in checks.CHECKS[f.id](variant)):
                return parts
        return None

    def _setting_candidates(self, f: Finding) -> Iterator[Candidate]:
        """Remedies that set one scenario field to the guideline's value."""
        subject = f.subject or "*"
        settings: dict[str, tuple[str, Change]] = {
            "WIL-OFF": (
                "enable the write intent log",
                _section("replication", write_intent_log=True),
            ),
            "RECOVERY-POLICY-AUTO": (
                "set the recovery policy to Manual and clone the secondaries before a resync",
                _section("replication", recovery_policy="manual"),
            ),
            "RDM-NOT-PROTECTED": (
                f"move {subject}'s raw device mappings to VMFS datastores",
                _items("servers", subject, uses_rdm=False),
            ),
            "CLUSTERED-EXCHANGE": (
                f"migrate {subject}'s mailboxes to a non-clustered VM (VMware HA protects it "
                "locally)",
                _items("servers", subject, clustered=False),
            ),
            "GUEST-OS-SVVP": (
                f"run {subject} on Windows 2008 x64",
                _items("servers", subject, guest_os="windows-2008-x64"),
            ),
            "EXCHANGE-VERSION": (
                f"run Exchange 2007 on {subject}",
                _items("servers", subject, exchange_version=2007),
            ),
            "AD-PER-SITE": (
                f"place two domain controllers / global catalogs at {subject}",
                _items("sites", subject, ad_gc_servers=2),
            ),
            "CAS-PER-SITE": (
                f"configure a Client Access server at {subject}",
                _items("sites", subject, cas_present=True),
            ),
            "HUB-PER-SITE": (
                f"configure a Hub Transport server at {subject}",
                _items("sites", subject, hub_transport_present=True),
            ),
            "HUB-NOT-PROTECTED": (
                f"replicate {subject}'s Hub Transport VM with SRM (its own consistency group)",
                _items("sites", subject, hub_transport_protected=True),
            ),
            "SUBNET-CUSTOMIZATION": (
                f"create an SRM IP customisation specification for {subject} and attach it to "
                "the recovery plan",
                _items("sites", subject, ip_customization_spec=True),
            ),
        }
        if f.id == "DOMAIN-MISMATCH":
            domain = self.scenario.sites[0].windows_domain
            yield (
                f"keep both sites in the {domain} domain",
                _items("sites", "*", windows_domain=domain),
            )
        if f.id in settings:
            yield settings[f.id]

    # --- the review -----------------------------------------------------------------------------
    @cached_property
    def _raw_findings(self) -> list[Finding]:
        return checks.run(self)

    @cached_property
    def _tried(self) -> dict[tuple[str, str | None], tuple[list[Remedy], list[str]]]:
        """For each open error and warning: the remedies that work, and every change tried."""
        out: dict[tuple[str, str | None], tuple[list[Remedy], list[str]]] = {}
        for f in self._raw_findings:
            if f.severity == "info" or f.accepted:
                continue
            works, tried = out.setdefault((f.id, f.subject), ([], []))
            for text, change in self._candidates(f):
                variant = self.apply(change)
                if variant is self:
                    continue  # proposes what the design already has
                tried.append(text)
                if not any(h.subject == f.subject for h in checks.CHECKS[f.id](variant)):
                    works.append(Remedy(f.id, f.subject, text, change))
        return out

    @property
    def remedies(self) -> list[Remedy]:
        """Every verified remedy for the open (not accepted) errors and warnings."""
        return [r for works, _ in self._tried.values() for r in works]

    @cached_property
    def findings(self) -> list[Finding]:
        """Every rule's findings, each with the remedies that work for it: errors, warnings,
        accepted risks, then info.

        Where srmkit tried changes and none made the finding pass, it says so; where it models
        no change for a rule (spindles, cluster layout), the rule's advice stays, marked as not
        verified.
        """
        out = []
        for f in self._raw_findings:
            works, tried = self._tried.get((f.id, f.subject), ([], []))
            if works:
                text = "; or ".join(r.text for r in works) + "."
                f = dataclasses.replace(f, remedy=text, remedy_verified=True)
            elif tried:
                text = "None of the changes srmkit tried makes this pass: " + "; ".join(tried) + "."
                f = dataclasses.replace(f, remedy=text)
            out.append(f)
        return out

    # Errors, open warnings and the verdict need no remedies: they read the rules' findings
    # directly, so a verdict never pays for the remedy search (the sizing study takes 18 verdicts).

    @property
    def errors(self) -> list[Finding]:
        """Error findings (cannot be accepted), without their remedies."""
        return [f for f in self._raw_findings if f.severity == "error"]

    @property
    def open_warnings(self) -> list[Finding]:
        """Warnings not accepted as risks, without their remedies."""
        return [f for f in self._raw_findings if f.severity == "warning" and not f.accepted]

    @cached_property
    def frames(self) -> Frames:
        """The design's tables as pandas DataFrames (mirrors, servers, cgs, findings, options,
        timeline(scenario)), for notebooks: see :mod:`srmkit.frames`."""
        from srmkit.frames import Frames  # an accessor on a higher layer, as pandas' are

        return Frames(self)

    @property
    def verdict(self) -> Verdict:
        """Does not fit with any error; fits with warnings with an open warning; else fits."""
        return verdict_of(self._raw_findings)

    @property
    def verdict_text(self) -> str:
        """The verdict in words: ``fits``, ``fits with warnings``, ``does not fit``."""
        return VERDICT_TEXT[self.verdict]


def _transform(change: Change, s: Scenario) -> Scenario:
    """Apply a scenario-level change (sections, items, split, second pair, assumptions)."""
    values = dict(change.values)
    if change.kind == "section":
        section = getattr(s, change.target).model_copy(update=values)
        return s.model_copy(update={change.target: section})
    if change.kind == "items":
        items = [
            i.model_copy(update=values) if change.match in ("*", i.name) else i
            for i in getattr(s, change.target)
        ]
        return s.model_copy(update={change.target: items})
    if change.kind == "assumptions":
        return s.model_copy(update={"assumptions": dataclasses.replace(s.assumptions, **values)})
    if change.kind == "split":
        return _split(s, change.target, change.parts)
    if change.kind == "second_pair":
        return _second_pair(s)
    raise ValueError(f"not a scenario-level change: {change.kind}")


def _split(s: Scenario, server: str, parts: int) -> Scenario:
    """Spread a server's mailboxes evenly over ``parts`` VMs at its site."""
    out = []
    for v in s.servers:
        if v.name != server:
            out.append(v)
            continue
        for k in range(parts):
            users = v.users // parts + (1 if k < v.users % parts else 0)
            sgs = None if v.storage_groups is None else max(1, v.storage_groups // parts)
            name = v.name if k == 0 else f"{v.name}-{k + 1}"
            out.append(v.model_copy(update={"name": name, "users": users, "storage_groups": sgs}))
    return s.model_copy(update={"servers": out})


def _second_pair(s: Scenario) -> Scenario:
    """A second array pair (same models), carrying the second half of each site's servers;
    every server then names its arrays, as a site with two arrays requires."""
    arrays = list(s.arrays)
    first: dict[str, str] = {}
    twins: dict[str, str] = {}
    for a in s.arrays:
        twin = a.model_copy(update={"name": f"{a.name}-2"})
        first.setdefault(a.site, a.name)
        twins.setdefault(a.site, twin.name)
        arrays.append(twin)
    moved = set()
    for site in s.sites:
        mine = [v.name for v in s.servers if v.site == site.name]
        moved |= set(mine[(len(mine) + 1) // 2 :])
    servers = []
    for v in s.servers:
        other = next(x.name for x in s.sites if x.name != v.site)
        pair = twins if v.name in moved else first
        servers.append(
            v.model_copy(
                update={
                    "array": v.array if v.name not in moved and v.array else pair[v.site],
                    "target_array": v.target_array
                    if v.name not in moved and v.target_array
                    else pair[other],
                }
            )
        )
    return s.model_copy(update={"arrays": arrays, "servers": servers})


# --- remedy candidates, by rule: each row of REMEDY_TABLE names the rules a remedy answers --------


def _replace_models(d: Design, f: Finding) -> Iterator[Candidate]:
    """The recommended model for the array that breaks a limit."""
    for rec in d.recommendations:
        if rec.array == f.subject and rec.recommended_model:
            arrays = " and ".join(rec.replaces)
            model = get_model(rec.recommended_model)
            yield (
                f"replace {arrays} ({rec.current_model}) by a {model.model}",
                Change("models", values=tuple((n, model.model) for n in rec.replaces)),
            )


def _pack_consistency_groups(d: Design, f: Finding) -> Iterator[Candidate]:
    """Fewer consistency groups: servers share them."""
    if d.scenario.replication.cg_policy == "per_server":
        yield (
            "share consistency groups between servers (packed policy; they then fail over "
            "together)",
            _section("replication", cg_policy="packed"),
        )


def _sync_for_its_limits(d: Design, f: Finding) -> Iterator[Candidate]:
    """MirrorView/S, whose array limits are higher than MirrorView/A's."""
    if not d.is_sync:
        yield (
            "use MirrorView/S instead of MirrorView/A (its limits are higher; the distance "
            "allows it)",
            Change("mode", "sync"),
        )


def _second_array_pair(d: Design, f: Finding) -> Iterator[Candidate]:
    """Half of each site's servers on a second array pair."""
    yield (
        "add a second array pair of the same models and move half of each site's servers to it",
        Change("second_pair"),
    )


def _lower_latency(d: Design, f: Finding) -> Iterator[Candidate]:
    """Write acceleration, a nearer recovery site, or MirrorView/A."""
    link = d.scenario.link
    if link.round_trips > 1:
        yield (
            "use write acceleration on the link (one round trip per write)",
            _section("link", round_trips=1),
        )
    within = math.floor(d.max_distance_km * 0.99)
    if within >= 1:
        yield (
            f"a recovery site within {within:,} km",
            _section("link", distance_km=float(within)),
        )
    yield (
        "use MirrorView/A (the recovery point is then the update cycle's)",
        Change("mode", "async"),
    )


def _shorter_route(d: Design, f: Finding) -> Iterator[Candidate]:
    """A recovery site whose fibre route is within EMC's distance, or MirrorView/A."""
    link = d.scenario.link
    within = math.floor((d.a.sync_distance_limit_km / link.route_factor) * 0.99)
    yield (
        f"a recovery site within {within:,} km (a fibre route under "
        f"{d.a.sync_distance_limit_km:g} km at route factor {link.route_factor:g})",
        _section("link", distance_km=float(within)),
    )
    yield ("use MirrorView/A", Change("mode", "async"))


def _more_link(d: Design, f: Finding) -> Iterator[Candidate]:
    """The whole link for replication, or a larger link, under the utilisation limit."""
    link = d.scenario.link
    target = 1.0 if f.id == "LINK-SATURATED" else d.a.link_utilization_warn_fraction
    if link.share_fraction < 1:
        yield ("give replication the whole link", _section("link", share_fraction=1.0))
    mbps = d._link_for(target * 0.999)
    if mbps > link.bandwidth_mbps:
        yield (f"a {mbps:,g} Mbit/s link", _section("link", bandwidth_mbps=mbps))


def _link_for_the_rpo(d: Design, f: Finding) -> Iterator[Candidate]:
    """The link the target RPO needs."""
    s = d.scenario
    link = s.link
    need = d.required_rate_mbps_for_target_rpo
    if need is not None:
        mbps = min(
            _sold_mbps(need / (link.efficiency_fraction * link.share_fraction)),
            MAX_LINK_MBPS,
        )
        if mbps > link.bandwidth_mbps:
            yield (
                f"a {mbps:,g} Mbit/s link (meets the {s.targets.rpo_min:g} min RPO target)",
                _section("link", bandwidth_mbps=mbps),
            )


def _shorter_recovery(d: Design, f: Finding) -> Iterator[Candidate]:
    """No IP customisation step, one priority group."""
    s = d.scenario
    to_site = next(r.to_site for r in d.recoveries if r.from_site == f.subject)
    recovery_site = next(x for x in s.sites if x.name == to_site)
    if recovery_site.recovery_subnet_differs:
        yield (
            f"keep the production subnet at {to_site} (no IP customisation step)",
            _items("sites", to_site, recovery_subnet_differs=False),
        )
    if d.a.priority_groups_count > 1:
        yield (
            "one priority group in the recovery plan",
            Change("assumptions", values=(("priority_groups_count", 1),)),
        )


def _split_mailbox_server(d: Design, f: Finding) -> Iterator[Candidate]:
    """A mailbox server's mailboxes over the fewest VMs that pass the rule."""
    mailbox = next((v.name for v in d.scenario.servers if v.name == f.subject), None)
    if mailbox:
        parts = d._fewest_parts(f, mailbox)
        if parts:
            yield (
                f"spread {mailbox}'s mailboxes over {parts} server VMs",
                Change("split", mailbox, parts=parts),
            )


def _more_esx_clusters(d: Design, f: Finding) -> Iterator[Candidate]:
    """The fewest recovery ESX clusters that keep every host under its LUN limit."""
    if not f.subject:
        return
    site = next(x for x in d.scenario.sites if x.name == f.subject)
    clusters = next(
        (
            n
            for n in range(site.recovery_esx_clusters + 1, MAX_CLUSTERS + 1)
            if not any(
                h.subject == f.subject
                for h in checks.CHECKS[f.id](
                    d.apply(_items("sites", f.subject, recovery_esx_clusters=n))
                )
            )
        ),
        None,
    )
    clusters = clusters or MAX_CLUSTERS  # none is enough: the most, to show it was tried
    yield (
        f"spread the VMs recovered to {f.subject} over {clusters} ESX clusters",
        _items("sites", f.subject, recovery_esx_clusters=clusters),
    )


def _derived_storage_groups(d: Design, f: Finding) -> Iterator[Candidate]:
    """Storage groups from the server's mailboxes, one database each."""
    if f.subject:
        yield (
            f"let srmkit derive {f.subject}'s storage groups from its mailboxes",
            _items("servers", f.subject, storage_groups=None),
        )


def _planned_consistency_groups(d: Design, f: Finding) -> Iterator[Candidate]:
    """srmkit's own consistency-group plan instead of an explicit layout."""
    if d.scenario.replication.consistency_groups:
        yield (
            "let srmkit plan the consistency groups (remove the explicit layout)",
            _section("replication", consistency_groups=None),
        )


def _per_server_groups(d: Design, f: Finding) -> Iterator[Candidate]:
    """Consistency groups that never span servers."""
    yield (
        "one set of consistency groups per server (per-server policy)",
        _section("replication", cg_policy="per_server"),
    )


def _cache_keeping_model(d: Design, f: Finding) -> Iterator[Candidate]:
    """A model that keeps its write cache when a storage processor fails."""
    if not f.subject:
        return
    array = f.subject
    cx4 = next(
        (
            m
            for m in catalogue()
            if m.write_cache_kept_on_sp_failure
            and m.mirrorview_supported
            and d.variant({array: m}).fits
        ),
        None,
    )
    if cx4 is not None:
        yield (
            f"replace {array} by a {cx4.model} (keeps its write cache)",
            Change("models", values=((array, cx4.model),)),
        )


Remedies = Callable[[Design, Finding], Iterator[Candidate]]

REMEDY_TABLE: tuple[tuple[tuple[str, ...], Remedies], ...] = (
    (MODEL_RULES, _replace_models),
    (("LIMIT-CG-COUNT", "LIMIT-GROWTH", "RTO-TARGET"), _pack_consistency_groups),
    (LIMIT_RULES, _sync_for_its_limits),
    (LIMIT_RULES, _second_array_pair),
    (("LOG-WRITE-LATENCY",), _lower_latency),
    (("SYNC-DISTANCE",), _shorter_route),
    (("LINK-SATURATED", "LINK-UTILIZATION-HIGH"), _more_link),
    (("ASYNC-UNBOUNDED", "ASYNC-OVERRUN", "RPO-TARGET"), _link_for_the_rpo),
    (("RTO-TARGET",), _shorter_recovery),
    (("USERS-PER-VM", "SG-PER-SERVER", "VM-VIRTUAL-DISKS"), _split_mailbox_server),
    (("ESX-HOST-LUNS",), _more_esx_clusters),
    (("DB-PER-SG",), _derived_storage_groups),
    (("SG-SPLIT-CG", "CG-MISSING-LUN", "CG-MIXED-MODE"), _planned_consistency_groups),
    (("CG-PACKED-FAILOVER",), _per_server_groups),
    (("CX3-SP-CACHE",), _cache_keeping_model),
)
"""The remedies srmkit tries, in the order it offers them: each row, the rule ids it answers and
the function that builds its candidates for a finding (a remedy is offered only when it works on
the design: see :meth:`Design.findings`). Settings of one field follow (``_setting_candidates``)."""
