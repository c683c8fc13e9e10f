"""Variants of a scenario: the same design on other array models, in the other mirroring mode or
with another schedule, with more or fewer users. The options study, the sweeps and the workbook
build their what-ifs from these.
"""

from __future__ import annotations

from typing import Any

from srmkit.changes import section, transform
from srmkit.limits import ArrayModel, Mode
from srmkit.mva import UpdateType
from srmkit.schema import MAX_USERS_PER_SERVER, Scenario


def array_flare(model: ArrayModel, release: int) -> int:
    """The FLARE release an array runs once it is this model: its own when the model runs it
    and supports it for SRM + MirrorView, else the lowest supported (or the nearest it runs).

    >>> from srmkit.limits import get_model
    >>> array_flare(get_model("CX3-40"), 29), array_flare(get_model("CX4-240"), 26)
    (26, 28)
    >>> array_flare(get_model("CX4-480"), 29), array_flare(get_model("AX4-5F"), 29)
    (29, 29)
    """
    low = model.min_flare_release
    if model.runs_flare(release) and (low is None or release >= low):
        return release
    if low is not None and model.runs_flare(low):
        return low
    high = model.last_flare_release
    if high is not None and release > high:
        return high
    return model.first_flare_release if model.first_flare_release is not None else release


def with_models(scenario: Scenario, model: ArrayModel) -> Scenario:
    """The scenario with every array of ``model`` (at a FLARE release it supports)."""
    arrays = [
        a.model_copy(update={"model": model.model, "flare": array_flare(model, a.flare)})
        for a in scenario.arrays
    ]
    return scenario.model_copy(update={"arrays": arrays})


def with_mode(
    scenario: Scenario,
    mode: Mode,
    update_type: UpdateType | None = None,
    interval_min: float | None = None,
) -> Scenario:
    """The scenario mirrored in ``mode`` (MirrorView/A with the given schedule)."""
    values: dict[str, Any] = {"mode": mode}
    if update_type is not None:
        values["update_type"] = update_type
    if interval_min is not None:
        values["update_interval_min"] = float(interval_min)
    return transform(section("replication", **values), scenario)


def with_users(factor: float, scenario: Scenario) -> Scenario:
    """The scenario with every mailbox server's users scaled by ``factor`` (whole users, at
    least one, at most what a server may have)."""
    servers = [
        v.model_copy(update={"users": min(max(1, round(v.users * factor)), MAX_USERS_PER_SERVER)})
        for v in scenario.servers
    ]
    return scenario.model_copy(update={"servers": servers})
