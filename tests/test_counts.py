"""Mirror and CG counts, hand-worked from MODEL.md §2 and §7."""

from __future__ import annotations

from conftest import EXAMPLE, PARAMS

from srmkit import load_scenario
from srmkit.counts import array_usage, server_luns, storage_groups


def test_example_counts_by_hand() -> None:
    """3,000 users × 0.5 GiB × 1.2 / 200 GiB = 9 SGs → 19 LUNs → 2 CGs of ≤16 (MODEL.md §2, §7)."""
    s = load_scenario(EXAMPLE)
    server = s.servers[0]
    assert storage_groups(server, s.assumptions) == 9
    assert server_luns(server, s.assumptions) == 19
    usage = array_usage(s)
    assert [(u.mirrors_count, u.cgs_count, u.largest_cg_luns_count) for u in usage] == [
        (114, 12, 10),
        (114, 12, 10),
    ]
    assert all(u.fits for u in usage)


def test_bidirectional_counts_both_directions_on_each_array() -> None:
    """Each array carries its own servers' mirrors (primary) and the other site's (secondary)."""
    s = load_scenario(PARAMS / "bidirectional.yaml")
    total = sum(server_luns(v, s.assumptions) for v in s.servers)
    assert [u.mirrors_count for u in array_usage(s)] == [total, total]
