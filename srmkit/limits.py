"""CLARiiON model limits catalogue: seed Tables 2 (MirrorView/S) and 3 (MirrorView/A).

The catalogue is package data (``srmkit/data/model_limits.csv``) and is looked up by model name; an
unknown name raises :class:`UnknownModelError`, which lists the valid names and the closest match.
Catalogue order is the order of Method §7 and is the order in which models are recommended.

References
----------
[S0] EMC, "EMC CLARiiON Guidelines for VMware Site Recovery Manager with EMC MirrorView and
Microsoft Exchange", Tables 2 and 3 and "CLARiiON model considerations".
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from srmkit.errors import EXIT_INVALID, SrmkitError

Mode = Literal["sync", "async"]
MODES: tuple[Mode, ...] = ("sync", "async")
Connectivity = Literal["fc", "iscsi"]
Generation = Literal["current", "previous"]


@dataclass(frozen=True)
class MirrorLimits:
    """Replication limits of one model for one MirrorView mode (all counts per array)."""

    max_mirrors: int
    """Maximum mirrored pairs (MV/S: with write intent log support). [count]"""
    max_luns_per_cg: int
    """Maximum LUNs (mirrors) in one consistency group. [count]"""
    max_cgs: int
    """Maximum consistency groups per array. [count]"""


@dataclass(frozen=True)
class ArrayModel:
    """One CLARiiON model as SRM + MirrorView sees it."""

    model: str
    family: str
    generation: Generation
    """``current`` (CX4: recommended for purchase) or ``previous`` (CX3, AX4: kept or upgraded in
    place, never bought) (Method §7)."""
    mirrorview_supported: bool
    fc_mirroring: bool
    iscsi_mirroring: bool
    first_flare_release: int | None
    """Earliest FLARE release the model runs; None where no source states one."""
    min_flare_release: int | None
    """Lowest FLARE release supported for SRM + MirrorView; None where no source states one."""
    last_flare_release: int | None
    """Latest FLARE release the model runs; None where it is open-ended."""
    sync: MirrorLimits | None
    """MirrorView/S limits (seed Table 2); None when the model cannot mirror."""
    async_: MirrorLimits | None
    """MirrorView/A limits (seed Table 3); None when the model cannot mirror."""
    max_luns: int
    """LUNs the array holds in all (images, reserved, clone and write intent log LUNs) (FACTS
    §6; recalled, editable). [count]"""
    wil_on_by_default: bool
    write_cache_kept_on_sp_failure: bool
    source: str
    overridden: tuple[str, ...] = ()
    """The limits a scenario changed (``arrays[].limits``), by their scenario names."""

    @property
    def current(self) -> bool:
        """A model EMC sells now (Method §7)."""
        return self.generation == "current"

    def with_limits(self, changes: dict[str, int]) -> ArrayModel:
        """This model with some limits changed (a later FLARE release's published figures):
        keys ``sync_max_mirrors``, ``sync_max_luns_per_cg``, ``sync_max_cgs``, the same with
        ``async_``, and ``max_luns``."""
        if not changes:
            return self
        out: dict[str, object] = {"overridden": tuple(changes)}
        for mode, attr in (("sync", "sync"), ("async", "async_")):
            limits = getattr(self, attr)
            mine = {
                name: changes[f"{mode}_{name}"]
                for name in ("max_mirrors", "max_luns_per_cg", "max_cgs")
                if f"{mode}_{name}" in changes
            }
            if mine and limits is not None:
                out[attr] = dataclasses.replace(limits, **mine)
        if "max_luns" in changes:
            out["max_luns"] = changes["max_luns"]
        return dataclasses.replace(self, **out)  # type: ignore[arg-type]

    def limits(self, mode: Mode) -> MirrorLimits | None:
        """The limits for one mode, or None when the model cannot mirror."""
        return self.sync if mode == "sync" else self.async_

    def supports(self, connectivity: Connectivity) -> bool:
        """Whether this model mirrors over the given connectivity."""
        return self.fc_mirroring if connectivity == "fc" else self.iscsi_mirroring

    def runs_flare(self, release: int) -> bool:
        """Whether the model runs this FLARE release at all (Method §7)."""
        low, high = self.first_flare_release, self.last_flare_release
        return (low is None or release >= low) and (high is None or release <= high)

    @property
    def flare_releases(self) -> str:
        """The FLARE releases the model runs, in words: ``22 to 26``, ``28 or later``."""
        low, high = self.first_flare_release, self.last_flare_release
        if low is None and high is None:
            return "any release"
        if high is None:
            return f"{low} or later"
        return f"{low} to {high}" if low != high else f"{low} only"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form; ``sync`` and ``async`` hold the limit triples (or null)."""

        def triple(limits: MirrorLimits | None) -> dict[str, int] | None:
            if limits is None:
                return None
            return {
                "max_mirrors": limits.max_mirrors,
                "max_luns_per_cg": limits.max_luns_per_cg,
                "max_cgs": limits.max_cgs,
            }

        return {
            "model": self.model,
            "sync": triple(self.sync),
            "async": triple(self.async_),
            "family": self.family,
            "generation": self.generation,
            "max_luns": self.max_luns,
            "mirrorview_supported": self.mirrorview_supported,
            "connectivity": [c for c in ("fc", "iscsi") if self.supports(c)],
            "first_flare_release": self.first_flare_release,
            "min_flare_release": self.min_flare_release,
            "last_flare_release": self.last_flare_release,
            "wil_on_by_default": self.wil_on_by_default,
            "write_cache_kept_on_sp_failure": self.write_cache_kept_on_sp_failure,
            "source": self.source,
        }


class UnknownModelError(SrmkitError, ValueError):
    """An array model name that is not in the catalogue."""

    exit_code = EXIT_INVALID

    def __init__(self, name: str) -> None:
        self.name = name
        self.valid = model_names()
        self.suggestion = suggest_model(name)
        hint = f" Did you mean {self.suggestion}?" if self.suggestion else ""
        super().__init__(
            f"unknown array model {name!r}.{hint} Valid models: {', '.join(self.valid)}"
        )


def _bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"model_limits.csv: expected true or false, got {text!r}")
    return text == "true"


def _generation(text: str) -> Generation:
    if text == "current":
        return "current"
    if text == "previous":
        return "previous"
    raise ValueError(f"model_limits.csv: expected current or previous, got {text!r}")


def _release(text: str) -> int | None:
    return int(text) if text else None


def _limits(row: dict[str, str], mode: Mode) -> MirrorLimits | None:
    values = [row[f"{mode}_max_{name}_count"] for name in ("mirrors", "luns_per_cg", "cgs")]
    if not any(values):
        return None
    mirrors, luns_per_cg, cgs = (int(v) for v in values)
    return MirrorLimits(max_mirrors=mirrors, max_luns_per_cg=luns_per_cg, max_cgs=cgs)


@cache
def catalogue() -> tuple[ArrayModel, ...]:
    """All models, in catalogue (recommendation) order."""
    text = resources.files("srmkit.data").joinpath("model_limits.csv").read_text("utf-8")
    models = []
    for row in csv.DictReader(text.splitlines()):
        models.append(
            ArrayModel(
                model=row["model"],
                family=row["family"],
                generation=_generation(row["generation"]),
                mirrorview_supported=_bool(row["mirrorview_supported"]),
                fc_mirroring=_bool(row["fc_mirroring"]),
                iscsi_mirroring=_bool(row["iscsi_mirroring"]),
                first_flare_release=_release(row["first_flare_release"]),
                min_flare_release=_release(row["min_flare_release"]),
                last_flare_release=_release(row["last_flare_release"]),
                sync=_limits(row, "sync"),
                async_=_limits(row, "async"),
                max_luns=int(row["max_luns_count"]),
                wil_on_by_default=_bool(row["wil_on_by_default"]),
                write_cache_kept_on_sp_failure=_bool(row["write_cache_kept_on_sp_failure"]),
                source=row["source"],
            )
        )
    return tuple(models)


def model_names() -> tuple[str, ...]:
    """Catalogue model names, in catalogue order."""
    return tuple(m.model for m in catalogue())


def suggest_model(name: str) -> str | None:
    """The catalogue name closest to ``name`` (case-insensitive), or None if nothing is close."""
    by_upper = {m.upper(): m for m in model_names()}
    close = difflib.get_close_matches(name.upper(), list(by_upper), n=1, cutoff=0.6)
    return by_upper[close[0]] if close else None


def get_model(name: str) -> ArrayModel:
    """Look a model up by name; case-insensitive (``cx4-480`` finds ``CX4-480``).

    Raises
    ------
    UnknownModelError
        When the name is not in the catalogue; the message lists the valid names.
    """
    for model in catalogue():
        if model.model.upper() == name.strip().upper():
            return model
    raise UnknownModelError(name)
