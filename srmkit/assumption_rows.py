"""Every assumption as a row for readers: value, default, unit, source and the mirroring mode it
applies to, read from the metadata of :class:`srmkit.assumptions.Assumptions`' fields."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic.fields import FieldInfo

from srmkit.assumptions import Assumptions


@dataclasses.dataclass(frozen=True)
class AssumptionRow:
    """One assumption as a document shows it."""

    name: str
    value: object
    default: object
    unit: str
    source: str
    description: str
    modes: str
    """The mirroring modes the value applies to: ``both``, ``sync`` or ``async``."""

    @property
    def overridden(self) -> bool:
        """Whether the scenario changed this value from the model's default."""
        return self.value != self.default


def _field_info(annotation: Any) -> FieldInfo | None:
    if get_origin(annotation) is Annotated:
        for meta in get_args(annotation)[1:]:
            if isinstance(meta, FieldInfo):
                return meta
    return None


def assumption_rows(assumptions: Assumptions) -> list[AssumptionRow]:
    """Every assumption with its value, default, unit and source, in declaration order."""
    defaults = Assumptions()
    hints = get_type_hints(Assumptions, include_extras=True)
    rows = []
    for field in dataclasses.fields(Assumptions):
        info = _field_info(hints[field.name])
        extra = info.json_schema_extra if info is not None else None
        meta = extra if isinstance(extra, dict) else {}
        description = (info.description or "") if info is not None else ""
        rows.append(
            AssumptionRow(
                name=field.name,
                value=getattr(assumptions, field.name),
                default=getattr(defaults, field.name),
                unit=str(meta.get("unit", "")),
                source=str(meta.get("source", "")),
                description=description.split(" [")[0],
                modes=str(meta.get("modes", "both")),
            )
        )
    return rows
