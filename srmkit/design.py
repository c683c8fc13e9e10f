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
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Literal

from srmkit import checks, recommend, remedy_batch
from srmkit import recovery as recovery_time
from srmkit.changes import (
    LIMIT_RULES,
    RELATED_RULES,
    Candidate,
    Change,
    Remedy,
    pair_split,
    transform,
)
from srmkit.changes import items as _items
from srmkit.changes import section as _section
from srmkit.checks import Finding
from srmkit.glossary import CONNECTIVITY
from srmkit.limits import Mode, catalogue, get_model
from srmkit.schema import Scenario
from srmkit.study import Study
from srmkit.study_results import Recommendation

if TYPE_CHECKING:
    from srmkit.build import BuildBook
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
MAX_HOSTS_PER_CLUSTER = 32  # the most recovery ESX hosts per cluster the assumptions accept
MODEL_RULES = (
    *LIMIT_RULES,
    "ARRAY-LUNS",
    "FLARE-TOO-OLD",
    "ISCSI-NEEDS-C-MODEL",
    "MODEL-NO-MIRRORVIEW",
)
LINK_RATE_RULES = (
    "LINK-SATURATED",
    "LINK-UTILIZATION-HIGH",
    "ASYNC-OVERRUN",
    "ASYNC-UNBOUNDED",
    "RPO-TARGET",
    "INITIAL-SYNC-LONG",
)
"""The findings one link size answers (Method §7, v3)."""
MAX_ARRAY_PAIRS = 4
LARGE_DB_GIB = 200.0
"""Exchange 2007's largest recommended database where continuous replication runs (Method §2)."""
MAX_TCP_WINDOW_KIB = 16_384.0


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
        return self.what_if((change,), partial(transform, change))

    # --- remedy candidates, by rule -----------------------------------------------------------
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

    # --- model fit and recommendations (Method §7) -------------------------------------------
    @property
    def recommendations(self) -> list[Recommendation]:
        """The model to recommend for each array that breaks a model rule (Method §7, v3)."""
        return recommend.recommendations(self)

    @property
    def recommended_model(self) -> str | None:
        """The smallest current model that carries the design on every array with headroom."""
        return recommend.recommended_model(self)

    @property
    def fullest_usage_fraction(self) -> float:
        """The largest share of any array limit the design uses at the horizon (Method §7).
        [fraction]"""
        return max(recommend.usage_at(self, self.horizon).values(), default=0.0)

    # --- the review -----------------------------------------------------------------------------
    @cached_property
    def _raw_findings(self) -> list[Finding]:
        return checks.run(self)

    def _errors_of(self, variant: Study) -> set[tuple[str, str | None]]:
        """The error findings of a what-if, by rule and subject (each variant checked once)."""
        memo: dict[int, tuple[Study, set[tuple[str, str | None]]]] = self.__dict__.setdefault(
            "_variant_errors", {}
        )
        if id(variant) not in memo:
            errors = {(f.id, f.subject) for f in checks.run(variant, checks.ERRORS_ONLY)}
            memo[id(variant)] = (variant, errors)  # the variant kept alive: its id stays unique
        return memo[id(variant)][1]

    def proves(self, f: Finding, variant: Study) -> bool:
        """The remedy behind ``variant`` works (Method §7, v3): the finding is gone at every year
        of the horizon (an array limit neither today nor later), the what-if adds no error
        finding, and so still meets the RPO and RTO targets (missing them is an error)."""
        for rule in RELATED_RULES.get(f.id, (f.id,)):
            if any(h.subject == f.subject for h in checks.CHECKS[rule](variant)):
                return False
        return self.adds_no_error(variant)

    def adds_no_error(self, variant: Study) -> bool:
        """Every error of the what-if is one the design already has (by rule and subject, a
        split server's or a twin array's under its original's name)."""
        mine = {(e.id, e.subject) for e in self.errors}
        return {(rule, self._own_name(x)) for rule, x in self._errors_of(variant)} <= mine

    def _own_name(self, subject: str | None) -> str | None:
        """A what-if's subject in the design's names: a split server ``EXMBX01-2`` or a second
        pair's array ``HAM-CX4-2`` carries the problem of ``EXMBX01`` or ``HAM-CX4``, not a new
        one."""
        if subject is None:
            return None
        return self._twin_names.sub(lambda m: m.group(1), subject)

    @cached_property
    def _twin_names(self) -> re.Pattern[str]:
        s = self.scenario
        names = sorted({*(a.name for a in s.arrays), *(v.name for v in s.servers)}, key=len)
        return re.compile("(" + "|".join(re.escape(n) for n in reversed(names)) + r")-\d+(?![\w-])")

    @cached_property
    def _tried(self) -> dict[tuple[str, str | None], tuple[list[Remedy], list[str]]]:
        """For each open error and warning: the remedies that work, and every change tried."""
        open_findings = [f for f in self._raw_findings if f.severity != "info" and not f.accepted]
        out = remedy_batch.verify(self, open_findings)
        batched = set(out)
        for f in open_findings:
            if (f.id, f.subject) in batched:
                continue  # verified with the other servers' of its rule (remedy_batch)
            works, tried = out.setdefault((f.id, f.subject), ([], []))
            for text, change in self._candidates(f):
                variant = self.apply(change)
                if variant is self:
                    continue  # proposes what the design already has
                tried.append(text)
                if self.proves(f, variant):
                    works.append(Remedy(f.id, f.subject, text, change))
        return out

    @cached_property
    def link_remedy(self) -> Candidate | None:
        """One link size for every link finding (Method §7, v3): the smallest standard line
        rate above the design's that clears utilisation, saturation and MirrorView/A (overrun,
        unbounded, RPO) through the horizon without a new error; a TCP window that would cap it
        is lifted with a WAN optimiser or FCIP in the same change. It answers a long initial
        synchronisation too where it clears it (that is seeded otherwise). None when no
        standard rate does."""
        present = {
            f.id
            for f in self._raw_findings
            if f.id in LINK_RATE_RULES and not f.accepted and f.severity != "info"
        }
        if not present:
            return None
        # The link is sized for the link's load; an initial synchronisation is seeded instead
        # (the finding says how), so it never drives the size on its own.
        present.discard("INITIAL-SYNC-LONG")
        if not present:
            return None
        link = self.scenario.link
        if self.tcp_window_binds:
            optimised = self.apply(_section("link", wan_optimised=True))
            if not any(list(checks.CHECKS[rule](optimised)) for rule in present):
                return None  # the line is large enough once TCP no longer caps it
        for rate in sorted(self.a.standard_link_rates_mbps):
            if rate <= link.bandwidth_mbps:
                continue
            change = _section("link", bandwidth_mbps=rate)
            if self.apply(change).tcp_window_binds:
                change = _section("link", bandwidth_mbps=rate, wan_optimised=True)
            variant = self.apply(change)
            if any(list(checks.CHECKS[rule](variant)) for rule in present):
                continue
            if not self.adds_no_error(variant):
                continue
            through = f" through year {self.horizon}" if self.horizon else ""
            wan = (
                " with a WAN optimiser or FCIP gateway at each site (the TCP window would cap "
                "iSCSI below it)"
                if dict(change.values).get("wan_optimised")
                else ""
            )
            return (
                f"a {rate:,g} Mbit/s link{wan}: the smallest standard line rate that clears "
                f"every link finding{through}",
                change,
            )
        return None

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
            no_fit = self.no_fit_text(f)
            if works:
                first, *rest = [r.text for r in works]
                if no_fit:  # a sentence follows a sentence
                    first = first[0].upper() + first[1:]
                text = "; or ".join([first, *rest]) + "."
                f = dataclasses.replace(f, remedy=no_fit + text, remedy_verified=True)
            elif tried or no_fit:
                text = (
                    no_fit
                    + "None of the changes srmkit tried makes this pass"
                    + (": " + "; ".join(tried) if tried else "")
                    + "."
                )
                f = dataclasses.replace(f, remedy=text)
            out.append(f)
        return out

    def no_fit_text(self, f: Finding) -> str:
        """``No model in the catalogue … : `` when the finding is an array's and no current model
        carries the design with the headroom of Method §7 (said plainly, never "a larger model
        than the catalogue holds")."""
        if f.id not in MODEL_RULES or f.severity != "error":
            return ""
        rec = next((r for r in self.recommendations if r.array == f.subject), None)
        if rec is None or rec.recommended_model is not None:
            return ""
        largest = [m for m in catalogue() if m.current and m.mirrorview_supported][-1]
        variant = (
            self.variant(recommend.assignment(self, [f.subject], largest)) if f.subject else self
        )
        problems = [p.detail for p in recommend.fit_problems(variant) if p.array == f.subject]
        if problems:
            why = f"even a {largest.model} would have " + "; ".join(dict.fromkeys(problems))
        else:
            used = recommend.usage_at(variant, self.horizon).get(f.subject or "", 0.0)
            why = (
                f"even a {largest.model} would use {used:,.0%} of a limit in year {self.horizon}, "
                f"more than the {self.a.recommend_headroom_fraction:,.0%} srmkit keeps free"
            )
        return f"No CLARiiON model in the catalogue fits ({why}). "

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

    @cached_property
    def build(self) -> BuildBook:
        """The build book: LUN allocation, naviseccli scripts, SRM configuration and bill of
        materials (Method §10): see :mod:`srmkit.build`."""
        from srmkit.build import BuildBook  # an accessor on a higher layer, like frames

        return BuildBook(self)

    @property
    def verdict(self) -> Verdict:
        """Does not fit with any error; fits with warnings with an open warning; else fits."""
        return verdict_of(self._raw_findings)

    @property
    def verdict_text(self) -> str:
        """The verdict in words: ``fits``, ``fits with warnings``, ``does not fit``."""
        return VERDICT_TEXT[self.verdict]


# --- remedy candidates, by rule: each row of REMEDY_TABLE names the rules a remedy answers --------


def _replace_models(d: Design, f: Finding) -> Iterator[Candidate]:
    """The recommended current model for the array that breaks a limit (Method §7, v3)."""
    for rec in d.recommendations:
        if rec.array == f.subject and rec.recommended_model:
            values = tuple((n, rec.recommended_model) for n in rec.replaces)
            yield (rec.text, Change("models", values=values))


def _pack_consistency_groups(d: Design, f: Finding) -> Iterator[Candidate]:
    """Fewer consistency groups: servers share them."""
    if d.scenario.replication.cg_policy == "per_server":
        yield (
            "share consistency groups between servers (packed policy; they then fail over "
            "together)",
            _section("replication", cg_policy="packed"),
        )


def _sync_for_its_limits(d: Design, f: Finding) -> Iterator[Candidate]:
    """MirrorView/S, whose array limits are higher than MirrorView/A's, where the route is
    within EMC's distance and the log writes within Microsoft's latency (Method §7, v3)."""
    if d.is_sync or d.route_km >= d.a.sync_distance_limit_km:
        return
    if d.variant(mode="sync").log_write_within_limit:
        yield (
            f"use MirrorView/S instead of MirrorView/A (its limits are higher; the "
            f"{d.route_km:,.0f} km fibre route is within EMC's {d.a.sync_distance_limit_km:g} km)",
            Change("mode", "sync"),
        )


def _names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A to D (4 servers)``."""
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]} to {names[-1]} ({len(names)} servers)"


def _more_array_pairs(d: Design, f: Finding) -> Iterator[Candidate]:
    """The fewest array pairs of the same models (up to four) that clear the limit, naming
    which servers go to which pair (Method §7, v3)."""
    s = d.scenario
    for pairs in range(2, MAX_ARRAY_PAIRS + 1):
        change = Change("array_pairs", parts=pairs)
        if not d.proves(f, d.apply(change)):
            continue
        split = pair_split(s, pairs)
        groups = [_names([v.name for v in s.servers if split[v.name] == k]) for k in range(pairs)]
        first = " and ".join(a.name for a in s.arrays)
        rest = "; ".join(f"{g} on pair {k + 1}" for k, g in enumerate(groups) if k and g)
        what = "a second array pair" if pairs == 2 else f"{pairs - 1} more array pairs"
        yield (
            f"add {what} of the same models: {groups[0]} stay on {first}; {rest}",
            change,
        )
        return


def _larger_databases(d: Design, f: Finding) -> Iterator[Candidate]:
    """Fewer mirrors: fewer, larger databases, up to 200 GiB (Method §7, v3)."""
    derived = [v.name for v in d.scenario.servers if v.storage_groups is None]
    if derived and d.a.max_db_gib < LARGE_DB_GIB:
        yield (
            f"fewer, larger databases of up to {LARGE_DB_GIB:g} GiB (Microsoft recommends "
            f"{d.a.max_db_gib:g} GiB without continuous replication: record it as an accepted "
            "risk)",
            Change("assumptions", values=(("max_db_gib", LARGE_DB_GIB),)),
        )


def _lower_latency(d: Design, f: Finding) -> Iterator[Candidate]:
    """Write acceleration, a nearer recovery site, or MirrorView/A (never against an RPO target
    of 0)."""
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
    if d.scenario.targets.rpo_min > 0:
        yield (
            "use MirrorView/A (the recovery point is then the update cycle's)",
            Change("mode", "async"),
        )


def _shorter_route(d: Design, f: Finding) -> Iterator[Candidate]:
    """A recovery site whose fibre route is within EMC's distance, or MirrorView/A (never
    against an RPO target of 0)."""
    link = d.scenario.link
    within = math.floor((d.a.sync_distance_limit_km / link.route_factor) * 0.99)
    yield (
        f"a recovery site within {within:,} km (a fibre route under "
        f"{d.a.sync_distance_limit_km:g} km at route factor {link.route_factor:g})",
        _section("link", distance_km=float(within)),
    )
    if d.scenario.targets.rpo_min > 0:
        yield ("use MirrorView/A", Change("mode", "async"))


def _more_link(d: Design, f: Finding) -> Iterator[Candidate]:
    """The whole link for replication, then the one link size of every link finding."""
    link = d.scenario.link
    if link.share_fraction < 1 and f.id in ("LINK-SATURATED", "LINK-UTILIZATION-HIGH"):
        yield ("give replication the whole link", _section("link", share_fraction=1.0))
    if d.tcp_window_binds:
        yield (
            "a WAN optimiser or FCIP gateway at each site, so that the TCP window no longer caps "
            "the link",
            _section("link", wan_optimised=True),
        )
    if d.link_remedy is not None:
        yield d.link_remedy


def _lift_tcp_window(d: Design, f: Finding) -> Iterator[Candidate]:
    """A WAN optimiser or FCIP gateway, or TCP windows large enough (Method §3, v3)."""
    yield (
        "a WAN optimiser or FCIP gateway at each site (it terminates TCP locally)",
        _section("link", wan_optimised=True),
    )
    window = 2.0 ** math.ceil(math.log2(max(d.window_to_lift_kib, 1.0)))
    if window <= MAX_TCP_WINDOW_KIB:
        yield (
            f"a TCP window of {window:,g} KiB on the arrays' iSCSI ports (window scaling)",
            _section("link", tcp_window_kib=window),
        )


def _faster_initial_sync(d: Design, f: Finding) -> Iterator[Candidate]:
    """The High synchronisation rate for the initial synchronisation."""
    if d.scenario.replication.sync_rate != "high":
        yield (
            "synchronise at the High rate setting",
            _section("replication", sync_rate="high"),
        )


def _same_connectivity(d: Design, f: Finding) -> Iterator[Candidate]:
    """Both arrays of the pair over the same connectivity, one way or the other."""
    kinds = {a.name: a.connectivity for a in d.scenario.arrays}
    source, target = (f.subject or " → ").split(" → ")
    for this, other in ((target, source), (source, target)):
        yield (
            f"mirror {this} over {CONNECTIVITY[kinds[other]]}, as {other} does",
            _items("arrays", this, connectivity=kinds[other]),
        )


def _shorter_recovery(d: Design, f: Finding) -> Iterator[Candidate]:
    """No IP customisation step; more recovery hosts starting VMs at once (Method §8)."""
    s = d.scenario
    to_site = next(r.to_site for r in d.recoveries if r.from_site == f.subject)
    recovery_site = next(x for x in s.sites if x.name == to_site)
    if recovery_site.recovery_subnet_differs:
        yield (
            f"keep the production subnet at {to_site} (no IP customisation step)",
            _items("sites", to_site, recovery_subnet_differs=False),
        )
    # The fewest hosts per cluster that meet the target, from the recovery's own terms (one
    # what-if for the answer, not one per count tried).
    target = s.targets.rto_min
    r = next(x for x in d.recoveries if x.from_site == f.subject)
    vms = [v for v in d.vms if v.site == f.subject]
    for n in range(d.a.recovery_esx_hosts_per_cluster + 1, MAX_HOSTS_PER_CLUSTER + 1):
        trial = recovery_time.recovery(
            d.a,
            r.from_site,
            r.to_site,
            vms,
            r.cgs,
            r.luns,
            recovery_site.recovery_esx_clusters * n,
            recovery_site.recovery_subnet_differs,
            r.site_lost,
        )
        if trial.rto_min + r.minutes_of("rollback") <= target:
            change = Change("assumptions", values=(("recovery_esx_hosts_per_cluster", n),))
            yield (f"{n} ESX hosts per recovery cluster at {to_site} starting the VMs", change)
            return


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
    """The smallest current model (it keeps its write cache when a storage processor fails)
    that carries the design with headroom, upgraded in place (Method §7, v3)."""
    if not f.subject:
        return
    assignment = recommend.smallest_current(d, [f.subject])
    if assignment is not None:
        model = assignment[f.subject]
        yield (
            f"upgrade {f.subject} ({d.models[f.subject].model}) in place to a {model.model} "
            "(keeps its write cache)",
            Change("models", values=tuple((n, m.model) for n, m in assignment.items())),
        )


Remedies = Callable[[Design, Finding], Iterator[Candidate]]

REMEDY_TABLE: tuple[tuple[tuple[str, ...], Remedies], ...] = (
    (MODEL_RULES, _replace_models),
    (("LIMIT-CG-COUNT", "LIMIT-GROWTH", "RTO-TARGET"), _pack_consistency_groups),
    ((*LIMIT_RULES, "ARRAY-LUNS"), _sync_for_its_limits),
    ((*LIMIT_RULES, "ARRAY-LUNS"), _larger_databases),
    ((*LIMIT_RULES, "ARRAY-LUNS"), _more_array_pairs),
    (("LOG-WRITE-LATENCY",), _lower_latency),
    (("SYNC-DISTANCE",), _shorter_route),
    (LINK_RATE_RULES, _more_link),
    (("INITIAL-SYNC-LONG",), _faster_initial_sync),
    (("LINK-TCP-WINDOW",), _lift_tcp_window),
    (("MIRROR-CONNECTIVITY",), _same_connectivity),
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
