"""Design checker: one minimal scenario per rule, pinned example findings, accept, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, PARAMS, profile_only, run_cli

from srmkit import ScenarioError, load_scenario
from srmkit.checks import CHECKS
from srmkit.design import Design
from srmkit.rules import catalogue

RULES = catalogue()


def run(scenario):  # type: ignore[no-untyped-def]
    """Every finding of a scenario's design."""
    return Design(scenario).findings


# The minimal scenarios are the example sized from its profile: they are written to a temporary
# folder, without EXMBX01's Performance Monitor log, and their figures are the profile's.
BASE = profile_only(EXAMPLE.read_text(encoding="utf-8"))
ASYNC = (PARAMS / "async-long-distance.yaml").read_text(encoding="utf-8")
BIDI = (PARAMS / "bidirectional.yaml").read_text(encoding="utf-8")


def sub(*pairs: str, base: str = BASE) -> Callable[[], str]:
    """A scenario text with (old, new) replacements applied to a base example."""

    def make() -> str:
        text = base
        for old, new in zip(pairs[::2], pairs[1::2], strict=True):
            assert old in text, old
            text = text.replace(old, new)
        return text

    return make


SMALL_SERVERS = "servers:\n" + "".join(
    f"  - {{name: S{i}, site: Amsterdam, users: 100, profile: light, mailbox_quota_gib: 0.5,"
    f" storage_groups: 1, gos_luns: 0, guest_os: windows-2008-x64, exchange_version: 2007}}\n"
    for i in range(9)
)
EXAMPLE_SERVERS = BASE[BASE.index("servers:\n") : BASE.index("targets:")]
ALL_SGS = ", ".join(str(n) for n in range(1, 19))  # 3,000 × 0.5 GiB × 1.2 / 100 GiB = 18 SGs


def explicit(members: str) -> str:
    """An explicit CG layout for the example's first server and the Hub Transport."""
    return (
        "  sync_rate: medium\n  consistency_groups:\n    - name: CG_HT\n      members:\n"
        "        - {server: Amsterdam-HT, gos_luns: 1, queue_luns: 1}\n"
        f"    - name: CG_BIG\n      members:\n{members}"
    )


CX4_PAIR = "model: CX4-480, flare: 29"
ONE_SERVER = EXAMPLE_SERVERS.split("  - {name: EXMBX02")[0]
SYNC_LINE = next(line + "\n" for line in BASE.splitlines() if line.startswith("  sync_rate:"))

TRIGGERS: dict[str, Callable[[], str]] = {
    "LIMIT-MIRRORS": sub(CX4_PAIR, "model: CX3-40, flare: 26"),
    "LIMIT-CG-SIZE": sub(
        EXAMPLE_SERVERS,
        ONE_SERVER,
        SYNC_LINE,
        explicit(f"        - {{server: EXMBX01, storage_groups: [{ALL_SGS}], gos_luns: 1}}\n"),
    ),
    "LIMIT-CG-COUNT": sub(CX4_PAIR, "model: AX4-5F, flare: 29", EXAMPLE_SERVERS, SMALL_SERVERS),
    "LIMIT-GROWTH": sub("users_per_year_fraction: 0.10", "users_per_year_fraction: 0.4"),
    "FLARE-TOO-OLD": sub(CX4_PAIR, "model: CX3-80, flare: 24"),
    "ISCSI-NEEDS-C-MODEL": sub(
        "model: CX4-480, flare: 29, connectivity: fc",
        "model: CX3-40, flare: 26, connectivity: iscsi",
    ),
    "SYNC-DISTANCE": sub("distance_km: 40", "distance_km: 80"),  # 80 × 1.3 = 104 km of fibre
    "LOG-WRITE-LATENCY": sub("distance_km: 40", "distance_km: 400"),
    "DB-READ-LATENCY": lambda: BASE + "assumptions:\n  local_db_read_ms: 25\n",
    "LINK-SATURATED": sub("bandwidth_mbps: 1000", "bandwidth_mbps: 300"),
    "LINK-UTILIZATION-HIGH": sub("bandwidth_mbps: 1000", "bandwidth_mbps: 500"),
    "ASYNC-OVERRUN": sub("bandwidth_mbps: 155", "bandwidth_mbps: 40", base=ASYNC),
    "ASYNC-UNBOUNDED": sub("bandwidth_mbps: 155", "bandwidth_mbps: 2", base=ASYNC),
    "RPO-TARGET": sub("rpo_min: 60", "rpo_min: 35", base=ASYNC),
    "RTO-TARGET": sub("rto_min: 150", "rto_min: 20"),
    "WIL-OFF": sub("write_intent_log: true", "write_intent_log: false"),
    # The example's 224 LUNs: 1,960 s to recover and 3,360 s to test > 300 s (Method §8).
    "SRA-TIMEOUT": sub("rto_min: 150", "rto_min: 150"),
    "PROTECTIVE-COPY-NONE": sub(
        "write_intent_log: true", "write_intent_log: true\n  protective_copy: none"
    ),
    "RECOVERY-POLICY-AUTO": sub("recovery_policy: manual", "recovery_policy: auto"),
    "RDM-NOT-PROTECTED": sub("exchange_version: 2007}", "exchange_version: 2007, uses_rdm: true}"),
    "CLUSTERED-EXCHANGE": sub(
        "exchange_version: 2007}", "exchange_version: 2007, clustered: true}"
    ),
    "USERS-PER-VM": sub(
        "{name: EXMBX01, site: Amsterdam, users: 3000",
        "{name: EXMBX01, site: Amsterdam, users: 4500",
    ),
    "SG-PER-SERVER": sub(  # 3,000 × 1.5 GiB × 1.2 / 100 GiB = 54 storage groups
        "{name: EXMBX01, site: Amsterdam, users: 3000, profile: heavy, mailbox_quota_gib: 0.5",
        "{name: EXMBX01, site: Amsterdam, users: 3000, profile: heavy, mailbox_quota_gib: 1.5",
    ),
    "VM-VIRTUAL-DISKS": sub(  # 36 storage groups: 73 virtual disks
        "{name: EXMBX01, site: Amsterdam, users: 3000, profile: heavy, mailbox_quota_gib: 0.5",
        "{name: EXMBX01, site: Amsterdam, users: 3000, profile: heavy, mailbox_quota_gib: 1.0",
    ),
    "ESX-HOST-LUNS": sub("    recovery_esx_clusters: 2\n", ""),  # 272 LUNs in year 2
    "GUEST-OS-SVVP": sub(
        "guest_os: windows-2008-x64, exchange_version: 2007}\n  - {name: EXMBX02",
        "guest_os: windows-2003, exchange_version: 2007}\n  - {name: EXMBX02",
    ),
    "EXCHANGE-VERSION": sub("exchange_version: 2007}", "exchange_version: 2003}"),
    "AD-PER-SITE": sub(
        "    ad_gc_servers: 2\n    cas_present: true\n    hub_transport_present: true\n"
        "    hub_transport_protected: true",
        "    ad_gc_servers: 1\n    cas_present: true\n    hub_transport_present: true\n"
        "    hub_transport_protected: true",
    ),
    "CAS-PER-SITE": sub(
        "    cas_present: true\n    hub_transport_present: true\n    recovery_subnet_differs",
        "    cas_present: false\n    hub_transport_present: true\n    recovery_subnet_differs",
    ),
    "HUB-PER-SITE": sub(
        "    hub_transport_present: true\n    recovery_subnet_differs",
        "    hub_transport_present: false\n    recovery_subnet_differs",
    ),
    "HUB-NOT-PROTECTED": sub("hub_transport_protected: true", "hub_transport_protected: false"),
    "DOMAIN-MISMATCH": sub(
        "    windows_domain: corp.northwind.example\n    ad_gc_servers: 2\n"
        "    cas_present: true\n    hub_transport_present: true\n"
        "    recovery_subnet_differs",
        "    windows_domain: dr.northwind.example\n    ad_gc_servers: 2\n"
        "    cas_present: true\n    hub_transport_present: true\n"
        "    recovery_subnet_differs",
    ),
    "SUBNET-CUSTOMIZATION": sub("ip_customization_spec: true", "ip_customization_spec: false"),
    "DB-PER-SG": sub(  # 9 storage groups: 333 users × 0.5 GiB × 1.2 = 200 GiB databases
        "mailbox_quota_gib: 0.5,\n     guest_os: windows-2008-x64, exchange_version: "
        "2007}\n  - {name: EXMBX02",
        "mailbox_quota_gib: 0.5, storage_groups: 9,\n     guest_os: windows-2008-x64,"
        " exchange_version: 2007}\n  - {name: EXMBX02",
    ),
    "SG-SPLIT-CG": sub(
        EXAMPLE_SERVERS,
        ONE_SERVER,
        SYNC_LINE,
        explicit(
            "        - {server: EXMBX01, storage_groups: [1, 2, 3, 4, 5, 6, 7, 8, 9],"
            " gos_luns: 1}\n    - name: CG_BIG2\n      members:\n"
            f"        - {{server: EXMBX01, storage_groups: [{ALL_SGS.split(', ', 8)[-1]}, 9]}}\n"
        ),
    ),
    "CG-MISSING-LUN": sub(
        EXAMPLE_SERVERS,
        ONE_SERVER,
        SYNC_LINE,
        explicit("        - {server: EXMBX01, storage_groups: [1, 2, 3, 4, 5, 6, 7, 8]}\n"),
    ),
    "CG-MIXED-MODE": sub(
        "replication:\n  mode: sync\n",
        "replication:\n  mode: sync\n  consistency_groups:\n    - name: CG_X\n"
        "      members:\n        - {server: LDS-MBX1, storage_groups: [1]}\n"
        "        - {server: MAN-MBX1, storage_groups: [1]}\n",
        base=BIDI,
    ),
    "CG-PACKED-FAILOVER": sub(SYNC_LINE, SYNC_LINE + "  cg_policy: packed\n"),
    "CX3-SP-CACHE": sub(CX4_PAIR, "model: CX3-80, flare: 26"),
    "RLP-SIZE": sub(base=ASYNC),
    "MIRROR-CONNECTIVITY": sub(
        "flare: 29, connectivity: fc}\n  - {name: UTR",
        "flare: 29, connectivity: iscsi}\n  - {name: UTR",
    ),
    "LINK-TCP-WINDOW": sub(base=ASYNC),  # 12.6 ms round trip: 83.2 of 124 Mbit/s
    "ARRAY-LUNS": lambda: BASE.replace(
        "connectivity: fc}\n\nlink", "connectivity: fc, limits: {max_luns: 400}}\n\nlink"
    ),  # Utrecht: 224 secondary images + 224 reserved + 2 write intent log = 450
    "INITIAL-SYNC-LONG": sub(SYNC_LINE, "  sync_rate: medium\n"),  # 92.7 h > 72 h
}


def scenario_of(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Validate scenario text through a file."""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_catalogue_has_every_required_id() -> None:
    """The catalogue holds at least the issue's ids, each with a reference and a remedy."""
    required = [
        "LINK-UTILIZATION-HIGH",
        "CG-MISSING-LUN",
        "VM-VIRTUAL-DISKS",
        "ESX-HOST-LUNS",
        "SG-PER-SERVER",
        "FLARE-RANGE",
        "RTO-TARGET",
        "LIMIT-MIRRORS",
        "LIMIT-CG-SIZE",
        "LIMIT-CG-COUNT",
        "MODEL-NO-MIRRORVIEW",
        "FLARE-TOO-OLD",
        "ISCSI-NEEDS-C-MODEL",
        "SYNC-DISTANCE",
        "LOG-WRITE-LATENCY",
        "DB-READ-LATENCY",
        "LINK-SATURATED",
        "ASYNC-OVERRUN",
        "ASYNC-UNBOUNDED",
        "RPO-TARGET",
        "WIL-OFF",
        "RECOVERY-POLICY-AUTO",
        "RDM-NOT-PROTECTED",
        "CLUSTERED-EXCHANGE",
        "USERS-PER-VM",
        "GUEST-OS-SVVP",
        "EXCHANGE-VERSION",
        "AD-PER-SITE",
        "CAS-PER-SITE",
        "HUB-PER-SITE",
        "HUB-NOT-PROTECTED",
        "DOMAIN-MISMATCH",
        "SUBNET-CUSTOMIZATION",
        "DB-PER-SG",
        "SG-SPLIT-CG",
        "CG-MIXED-MODE",
        "CG-PACKED-FAILOVER",
        "CX3-SP-CACHE",
        "RLP-SIZE",
        "MIRROR-CONNECTIVITY",
        "LINK-TCP-WINDOW",
        "ARRAY-LUNS",
        "INITIAL-SYNC-LONG",
        "SRA-TIMEOUT",
        "PROTECTIVE-COPY-NONE",
    ]
    assert set(required) <= set(RULES)
    assert all(
        r.reference.startswith(("[S0]", "[S45]", "Method §")) and r.remedy for r in RULES.values()
    )
    assert set(CHECKS) == set(RULES)
    # Two rules are invalid input in a scenario file (exit 2): tested by their own tests.
    assert set(TRIGGERS) | {"MODEL-NO-MIRRORVIEW", "FLARE-RANGE"} == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_each_rule_triggers_on_its_minimal_scenario(rule_id: str, tmp_path: Path) -> None:
    """Each rule fires on a one-change variant of an example, with numbers in its message."""
    findings = run(scenario_of(TRIGGERS[rule_id](), tmp_path))
    hits = [f for f in findings if f.id == rule_id]
    assert hits, [f.id for f in findings]
    assert hits[0].severity == RULES[rule_id].severity
    assert hits[0].message


def test_model_without_mirrorview_is_rejected_with_its_rule_id(tmp_path: Path) -> None:
    """AX4-5i cannot mirror: invalid input (exit 2) naming MODEL-NO-MIRRORVIEW."""
    with pytest.raises(ScenarioError, match="MODEL-NO-MIRRORVIEW"):
        scenario_of(BASE.replace("model: CX4-480", "model: AX4-5i"), tmp_path)


@pytest.mark.parametrize(
    ("model", "flare", "allowed"),
    [("CX3-40c", 29, "22 to 26"), ("CX3-40c", 20, "22 to 26"), ("CX4-240", 26, "28 or later")],
)
def test_flare_outside_the_models_releases_is_invalid(
    model: str, flare: int, allowed: str, tmp_path: Path
) -> None:
    """A CX3 at FLARE 29 or a CX4 at 26 does not exist: exit 2 naming FLARE-RANGE and the
    releases the model runs."""
    text = BASE.replace(CX4_PAIR, f"model: {model}, flare: {flare}")
    path = tmp_path / "flare.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert "FLARE-RANGE" in result.stderr
    assert f"runs FLARE {allowed}" in result.stderr
    assert "arrays[0].flare" in result.stderr


def test_example_findings_are_pinned() -> None:
    """The examples' findings, exactly."""
    ids = {p.name: [f.id for f in run(load_scenario(p))] for p in sorted(PARAMS.glob("*.yaml"))}
    assert ids == {
        "async-long-distance.yaml": [
            "LINK-TCP-WINDOW",
            "LINK-UTILIZATION-HIGH",
            "INITIAL-SYNC-LONG",
            "SRA-TIMEOUT",
            "HUB-NOT-PROTECTED",
            "RLP-SIZE",
            "RLP-SIZE",
        ],
        "bidirectional.yaml": [
            "LINK-UTILIZATION-HIGH",
            "INITIAL-SYNC-LONG",
            "SRA-TIMEOUT",
            "RLP-SIZE",
            "RLP-SIZE",
        ],
        "cx3-upgrade.yaml": [
            "LIMIT-MIRRORS",
            "CX3-SP-CACHE",
            "SYNC-DISTANCE",
            "SRA-TIMEOUT",
            "HUB-NOT-PROTECTED",
            "RLP-SIZE",
        ],
        # EXMBX01's measured burst factor (1.81) takes the link to 74 % at the peak.
        "example.yaml": ["LINK-UTILIZATION-HIGH", "SRA-TIMEOUT", "RLP-SIZE"],
        "unbounded-async.yaml": [
            "LIMIT-MIRRORS",
            "LIMIT-MIRRORS",
            "LIMIT-GROWTH",
            "LIMIT-GROWTH",
            "ARRAY-LUNS",
            "MIRROR-CONNECTIVITY",
            "LINK-SATURATED",
            "ASYNC-UNBOUNDED",
            "ESX-HOST-LUNS",
            "INITIAL-SYNC-LONG",
            "SRA-TIMEOUT",
            "RLP-SIZE",
            "RLP-SIZE",
        ],
    }


def test_findings_order_errors_warnings_accepted_info(tmp_path: Path) -> None:
    """Errors come first, then warnings, accepted risks, info; accepted ones keep their reason."""
    text = TRIGGERS["WIL-OFF"]().replace(CX4_PAIR, "model: CX3-40, flare: 26")
    text = text.replace("hub_transport_protected: true", "hub_transport_protected: false")
    text = text.replace("recovery_policy: manual", "recovery_policy: auto")
    text += "accept:\n  - {id: WIL-OFF, reason: Customer accepts a full resync after SP loss.}\n"
    findings = run(scenario_of(text, tmp_path))
    kinds = ["accepted" if f.accepted else f.severity for f in findings]
    order = {"error": 0, "warning": 1, "accepted": 2, "info": 3}
    assert kinds == sorted(kinds, key=order.__getitem__)
    wil = next(f for f in findings if f.id == "WIL-OFF")
    assert wil.accepted
    assert wil.accepted_reason
    assert "resync" in wil.accepted_reason


def test_errors_cannot_be_accepted(tmp_path: Path) -> None:
    """Accepting an error-severity rule, or an unknown id, is invalid input."""
    with pytest.raises(ScenarioError, match="errors cannot be accepted"):
        scenario_of(
            BASE + "accept:\n  - {id: LIMIT-MIRRORS, reason: we like it this way}\n", tmp_path
        )
    with pytest.raises(ScenarioError, match="Did you mean 'WIL-OFF'"):
        scenario_of(BASE + "accept:\n  - {id: WIL-OF, reason: we like it this way}\n", tmp_path)


def test_check_exit_codes_0_1_2(tmp_path: Path) -> None:
    """`srmkit check`: 0 without error findings, 1 with one, 2 for invalid input; JSON fields."""
    assert run_cli("check", str(EXAMPLE)).returncode == 0
    bad = tmp_path / "limits.yaml"
    bad.write_text(TRIGGERS["LIMIT-MIRRORS"](), encoding="utf-8")
    result = run_cli("check", str(bad), "--format", "json")
    assert result.returncode == 1
    finding = json.loads(result.stdout)["files"][str(bad)][0]
    assert set(finding) >= {"id", "severity", "message", "reference", "remedy", "accepted"}
    assert finding["id"] == "LIMIT-MIRRORS"
    assert "224 mirrors > 100" in finding["message"]  # 6 × 37 + 2 for the Hub Transport
    assert finding["year"] == 0
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(BASE.replace("mode: sync", "mode: fast"), encoding="utf-8")
    assert run_cli("check", str(invalid)).returncode == 2
