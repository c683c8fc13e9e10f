"""The design's tables as pandas DataFrames, for architects exploring in a notebook::

    design = srmkit.Design(srmkit.load_scenario("params/example.yaml"))
    design.frames.mirrors.groupby("cg").capacity_gib.sum()

Each frame is built from the same rows the exports and the CLI print (:mod:`srmkit.output`): the
numbers are ``Design``'s, with the units in the column names (``_gib``, ``_min``, ``_h``,
``_mbps``, ``_ms``, ``_fraction``). Small enumerations (profiles, roles, severities, modes) are
categories; counts are integers; a figure that does not apply is missing (``NaN``/``<NA>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from srmkit import output

if TYPE_CHECKING:
    from srmkit.design import Design


def _frame(
    rows: Iterable[Mapping[str, Any]],
    columns: Iterable[str],
    index: str | None = None,
    categories: Iterable[str] = (),
    integers: Iterable[str] = (),
) -> pd.DataFrame:
    """Rows as a frame with the given columns (in order), categories and nullable integers."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(columns))
    for name in categories:
        frame[name] = frame[name].astype("category")
    for name in integers:
        frame[name] = frame[name].astype("Int64")
    return frame.set_index(index) if index else frame


MIRROR_COLUMNS = (
    "server",
    "storage_group",
    "lun_role",
    "capacity_gib",
    "cg",
    "source_array",
    "target_array",
    "mode",
)
SERVER_COLUMNS = (
    "server",
    "site",
    "users",
    "profile",
    "storage_groups",
    "db_iops_peak",
    "log_mib_per_day",
    "db_lun_gib",
    "log_lun_gib",
    "luns",
    "capacity_gib",
)
CG_COLUMNS = (
    "cg",
    "servers",
    "luns",
    "capacity_gib",
    "source_array",
    "target_array",
    "full_sync_h",
)
FINDING_COLUMNS = (
    "id",
    "severity",
    "message",
    "reference",
    "remedy",
    "subject",
    "year",
    "accepted",
    "accepted_reason",
    "remedy_verified",
)
TIMELINE_COLUMNS = (
    "t_min",
    "clock",
    "object",
    "from",
    "to",
    "cause",
    "reason",
    "source",
    "routine",
)


class Frames:
    """The tables of one design (``design.frames``); each frame is built once."""

    def __init__(self, design: Design) -> None:
        self.design = design

    @cached_property
    def mirrors(self) -> pd.DataFrame:
        """One row per mirror of today's plan (``plan.csv``): server, storage_group, lun_role
        (db, log, gos, queue), capacity_gib [GiB], cg, source_array, target_array, mode."""
        return _frame(
            output.mirror_rows(self.design),
            MIRROR_COLUMNS,
            categories=("lun_role", "mode"),
        )

    @cached_property
    def servers(self) -> pd.DataFrame:
        """One row per mailbox server today, indexed by server: site, users, profile,
        storage_groups, db_iops_peak [IOPS], log_mib_per_day [MiB/day], db_lun_gib and
        log_lun_gib [GiB], luns, capacity_gib [GiB]."""
        return _frame(
            output.server_rows(self.design),
            SERVER_COLUMNS,
            index="server",
            categories=("profile",),
            integers=("users", "storage_groups", "luns"),
        )

    @cached_property
    def cgs(self) -> pd.DataFrame:
        """One row per consistency group of today's plan, indexed by name: servers, luns,
        capacity_gib [GiB], source_array, target_array, full_sync_h [h]."""
        return _frame(output.cg_rows(self.design), CG_COLUMNS, index="cg", integers=("luns",))

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding of the design review with its remedy (``srmkit check``): id, severity,
        message, reference, remedy, subject, year, accepted, accepted_reason, remedy_verified."""
        return _frame(
            (output.finding_dict(f) for f in self.design.findings),
            FINDING_COLUMNS,
            categories=("severity",),
            integers=("year",),
        )

    @cached_property
    def options(self) -> pd.DataFrame:
        """The options side by side (``srmkit compare --format csv``), indexed by option key,
        with the design's own marked in ``is_design``."""
        from srmkit.options import compare

        rows = output.option_rows(compare(self.design))
        return _frame(rows, list(rows[0]) if rows else ["key"], index="key")

    def timeline(self, scenario: str) -> pd.DataFrame:
        """The timeline of one failure scenario (built-in or the file's own, by name), as
        ``srmkit simulate --format json`` lists it: t_min [min] after the scenario's start,
        clock, object, from and to state, cause, reason, source, routine."""
        from srmkit.simulation import simulate_all

        [result] = simulate_all(self.design, [scenario])
        rows = output.scenario_dict(result)["timeline"]
        return _frame(rows, TIMELINE_COLUMNS)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain Python values (index included), missing values as ``None``: what
    the exports write."""
    plain = frame.reset_index() if frame.index.name else frame
    out = []
    for row in plain.astype(object).to_dict("records"):
        out.append({str(k): (None if _missing(v) else _plain(v)) for k, v in row.items()})
    return out


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (``str`` of them is the same in CSV)."""
    return value.item() if hasattr(value, "item") else value
