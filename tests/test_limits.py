"""The model limits catalogue against seed Tables 2 and 3."""

from __future__ import annotations

import pytest

from srmkit.limits import UnknownModelError, catalogue, get_model, model_names

# Seed white paper [S0], Table 2 (MirrorView/S: max mirrored pairs with write intent log,
# max LUNs per CG, max CGs per array) and Table 3 (MirrorView/A), typed from the seed text.
TABLE_2 = {
    "AX4-5F": (25, 8, 8),
    "CX3-10c": (25, 8, 8),
    "CX3-20": (50, 8, 8),
    "CX3-40": (100, 16, 16),
    "CX3-80": (100, 16, 16),
    "CX4-120": (128, 16, 64),
    "CX4-240": (256, 16, 64),
    "CX4-480": (512, 32, 64),
    "CX4-960": (512, 32, 64),
}
TABLE_3 = {
    "AX4-5F": (25, 8, 8),
    "CX3-10c": (25, 8, 8),
    "CX3-20": (50, 8, 8),
    "CX3-40": (100, 16, 16),
    "CX3-80": (100, 16, 16),
    "CX4-120": (100, 8, 50),
    "CX4-240": (100, 8, 50),
    "CX4-480": (100, 16, 50),
    "CX4-960": (100, 16, 50),
}
# Method §7: "c" models share the limits of their base model.
C_MODELS = {"CX3-20c": "CX3-20", "CX3-40c": "CX3-40"}


@pytest.mark.parametrize(("model", "expected"), TABLE_2.items())
def test_sync_limits_match_seed_table_2(model: str, expected: tuple[int, int, int]) -> None:
    """Every MirrorView/S number of seed Table 2 is in the catalogue."""
    lim = get_model(model).sync
    assert lim is not None
    assert (lim.max_mirrors, lim.max_luns_per_cg, lim.max_cgs) == expected


@pytest.mark.parametrize(("model", "expected"), TABLE_3.items())
def test_async_limits_match_seed_table_3(model: str, expected: tuple[int, int, int]) -> None:
    """Every MirrorView/A number of seed Table 3 is in the catalogue."""
    lim = get_model(model).async_
    assert lim is not None
    assert (lim.max_mirrors, lim.max_luns_per_cg, lim.max_cgs) == expected


@pytest.mark.parametrize(("c_model", "base"), C_MODELS.items())
def test_c_models_share_base_limits_and_add_iscsi(c_model: str, base: str) -> None:
    """A c model has its base model's limits and adds iSCSI mirroring (Method §7, [S0])."""
    c, b = get_model(c_model), get_model(base)
    assert (c.sync, c.async_) == (b.sync, b.async_)
    assert c.iscsi_mirroring
    assert not b.iscsi_mirroring


def test_catalogue_order_is_model_md_order() -> None:
    """The eleven mirroring models appear in Method §7 order (the recommendation order)."""
    mirroring = [m.model for m in catalogue() if m.mirrorview_supported]
    assert mirroring == [
        "AX4-5F", "CX3-10c", "CX3-20", "CX3-20c", "CX3-40", "CX3-40c", "CX3-80",
        "CX4-120", "CX4-240", "CX4-480", "CX4-960",
    ]  # fmt: skip


def test_model_facts_from_the_seed() -> None:
    """CX3 needs FLARE 26; CX4 keeps write cache and WIL; AX4-5i cannot mirror ([S0])."""
    assert get_model("CX3-40").min_flare_release == 26
    assert get_model("CX4-240").write_cache_kept_on_sp_failure
    assert not get_model("CX3-80").write_cache_kept_on_sp_failure
    assert get_model("CX4-960").wil_on_by_default
    ax4i = get_model("AX4-5i")
    assert not ax4i.mirrorview_supported
    assert ax4i.sync is None
    assert get_model("AX4-5F").supports("fc")
    assert not get_model("AX4-5F").supports("iscsi")


def test_lookup_is_case_insensitive() -> None:
    """``cx4-480`` finds CX4-480."""
    assert get_model(" cx4-480 ").model == "CX4-480"


def test_unknown_model_lists_valid_names_and_suggests() -> None:
    """An unknown name raises with the closest match and every valid name."""
    with pytest.raises(UnknownModelError) as info:
        get_model("CX4-24O")
    assert info.value.suggestion == "CX4-240"
    for name in model_names():
        assert name in str(info.value)
