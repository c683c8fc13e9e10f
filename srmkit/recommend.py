"""Does a model assignment carry the design, and which model to recommend (Method §7, v3).

Functions over a :class:`~srmkit.study.Study` (the design or one of its what-if variants), each
computed once per study: the problems of its arrays (model, connectivity, FLARE, mirror, CG and
LUN limits, today and at the horizon), the share of each array's limits it uses, and the
recommendation rule of v3: the smallest current model (CX4-120 < 240 < 480 < 960) that carries the
design at the end of the growth horizon with every limit used at most
``recommend_headroom_fraction``, the same model for a smaller partner, an installed
previous-generation array upgraded in place, and the next model up with the year it becomes
necessary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from srmkit.caching import per_object, per_object_and_args
from srmkit.limits import ArrayModel, catalogue
from srmkit.study import Study
from srmkit.study_results import NEXT_MODEL_YEARS, FitProblem, Recommendation


@per_object
def fit_problems(study: Study) -> list[FitProblem]:
    """Model, connectivity, FLARE and array-limit problems, now and at the horizon."""
    out: list[FitProblem] = []
    for a in study.scenario.arrays:
        model = study.models[a.name]
        if not model.mirrorview_supported:
            out.append(FitProblem("MODEL-NO-MIRRORVIEW", a.name, 0, f"{model.model} cannot mirror"))
        elif not model.supports(a.connectivity):
            out.append(
                FitProblem(
                    "ISCSI-NEEDS-C-MODEL", a.name, 0, f"{model.model} cannot mirror over iSCSI"
                )
            )
        elif (
            a.name not in study.replaced
            and model.min_flare_release is not None
            and a.flare < model.min_flare_release
        ):
            out.append(
                FitProblem(
                    "FLARE-TOO-OLD",
                    a.name,
                    0,
                    f"FLARE {a.flare} < {model.min_flare_release} needed on {model.model}",
                )
            )
    if out:
        return out
    for year in sorted({0, study.horizon}):
        # Mirror counts need no plan: when an array cannot hold them, no CG packing helps,
        # and a large design is not planned on models far too small for it.
        too_many = [
            (array, count, limits.max_mirrors)
            for array, count in study.mirrors_at(year).items()
            if (limits := study.models[array].limits(study.mode)) is not None
            and count > limits.max_mirrors
        ]
        if too_many:
            when = f" in year {year}" if year else ""
            out += [
                FitProblem("LIMIT-MIRRORS", a, year, f"{n:,} mirrors > {m:,}{when}")
                for a, n, m in too_many
            ]
            continue
        for array, count in study.array_luns_at(year).items():
            if count.total > study.models[array].max_luns:
                when = f" in year {year}" if year else ""
                out.append(
                    FitProblem(
                        "ARRAY-LUNS",
                        array,
                        year,
                        f"{count.total:,} LUNs > {study.models[array].max_luns:,}{when}",
                    )
                )
        for load in study.loads_at(year):
            for limit in load.broken:
                used, allowed, what = {
                    "LIMIT-MIRRORS": (load.mirrors, load.max_mirrors, "mirrors"),
                    "LIMIT-CG-SIZE": (
                        load.largest_cg_luns,
                        load.max_luns_per_cg,
                        "LUNs in a CG",
                    ),
                    "LIMIT-CG-COUNT": (load.cgs, load.max_cgs, "consistency groups"),
                }[limit]
                when = f" in year {year}" if year else ""
                out.append(
                    FitProblem(limit, load.array, year, f"{used:,} {what} > {allowed:,}{when}")
                )
    return out


def fits(study: Study) -> bool:
    """Every array can mirror this design, now and at the horizon."""
    return not fit_problems(study)


@per_object_and_args
def usage_at(study: Study, year: int) -> dict[str, float]:
    """The largest share of any array limit each array uses after ``year`` years: mirrors,
    consistency groups and LUNs (the LUNs of one CG are planned to fill it, so that limit
    has no headroom to keep) (Method §7). [fraction]"""
    luns = study.array_luns_at(year)
    out: dict[str, float] = {}
    for array, mirrors in study.mirrors_at(year).items():
        model = study.models[array]
        limits = model.limits(study.mode)
        if limits is None:
            out[array] = math.inf
            continue
        out[array] = max(mirrors / limits.max_mirrors, luns[array].total / model.max_luns)
    if max(out.values(), default=0.0) <= 1.0:  # plan only where the mirrors fit at all
        for load in study.loads_at(year):
            out[load.array] = max(out[load.array], load.cgs / load.max_cgs)
    return out


@per_object
def fits_with_headroom(study: Study) -> bool:
    """Fits now and at the horizon with every array limit used at most
    ``recommend_headroom_fraction`` at the horizon (Method §7)."""
    if fit_problems(study):
        return False
    usage = usage_at(study, study.horizon)
    return max(usage.values(), default=0.0) <= study.a.recommend_headroom_fraction


def partners(study: Study, array: str) -> list[str]:
    """The arrays mirrored with ``array`` (the other end of its pairs)."""
    out = []
    for v in study.vms:
        for x, y in ((v.source_array, v.target_array), (v.target_array, v.source_array)):
            if x == array and y not in out:
                out.append(y)
    return out


def assignment(study: Study, arrays: Sequence[str], model: ArrayModel) -> dict[str, ArrayModel]:
    """``model`` on ``arrays``, and on every smaller array mirrored with them unless the
    scenario says otherwise (after a failover the recovery array runs production)."""
    out = dict.fromkeys(arrays, model)
    if study.a.recommend_same_model_both_sites:
        rank = {m.model: k for k, m in enumerate(catalogue())}
        for array in arrays:
            for partner in partners(study, array):
                if partner not in out and rank[study.models[partner].model] < rank[model.model]:
                    out[partner] = model
    return out


def smallest_current(study: Study, arrays: Sequence[str]) -> dict[str, ArrayModel] | None:
    """The smallest current model (tier order) that, on ``arrays`` (and their smaller
    partners), lets the design pass at the horizon with headroom (Method §7)."""
    for model in catalogue():
        if not model.current or not model.mirrorview_supported:
            continue
        chosen = assignment(study, arrays, model)
        if all(study.models[n] == m for n, m in chosen.items()):
            continue  # the design already has it
        if fits_with_headroom(study.variant(chosen)):
            return chosen
    return None


def next_model(study: Study, chosen: Mapping[str, ArrayModel]) -> tuple[str | None, int | None]:
    """The next current model above the recommended one, and the first year (up to 15 past
    the horizon, at the scenario's growth) in which the recommended one breaks a limit."""
    model = next(iter(chosen.values()))
    bigger = [m for m in catalogue() if m.current and m.mirrorview_supported]
    after = bigger[bigger.index(model) + 1 :] if model in bigger else []
    if not after or study.scenario.growth.users_per_year_fraction <= 0:
        return (after[0].model if after else None), None
    variant = study.variant(chosen)
    for year in range(study.horizon + 1, study.horizon + NEXT_MODEL_YEARS + 1):
        if max(usage_at(variant, year).values(), default=0.0) > 1.0:
            return after[0].model, year
    return after[0].model, None


@per_object
def recommended_model(study: Study) -> str | None:
    """The smallest current model that carries the design on every array, now and at the
    horizon, with the headroom of Method §7."""
    return next(
        (
            m.model
            for m in catalogue()
            if m.current and m.mirrorview_supported and fits_with_headroom(study.uniform_variant(m))
        ),
        None,
    )


@per_object
def recommendations(study: Study) -> list[Recommendation]:
    """For every array that breaks a limit, connectivity or FLARE rule: the smallest current
    model under which the design passes at the end of the horizon with every array limit
    used at most ``recommend_headroom_fraction``; smaller partners get the same model; an
    installed previous-generation array is upgraded in place; the next model up and the year
    it becomes necessary (Method §7, v3)."""
    out = []
    problems: dict[str, list[FitProblem]] = {}
    for p in fit_problems(study):
        problems.setdefault(p.array, []).append(p)
    covered: set[str] = set()
    for array, found in problems.items():
        if array in covered:
            continue
        reason = "; ".join(f"{p.detail} ({p.rule_id})" for p in found)
        details = tuple(dict.fromkeys(p.detail for p in found))
        current = study.models[array]
        chosen = smallest_current(study, [array])
        if chosen is None:
            out.append(Recommendation(array, current.model, None, reason, (array,), details))
            continue
        covered |= set(chosen)
        model = chosen[array]
        up, up_year = next_model(study, chosen)
        out.append(
            Recommendation(
                array,
                current.model,
                model.model,
                reason,
                tuple(chosen),
                details,
                in_place=not current.current,
                current_models=tuple(study.models[n].model for n in chosen),
                next_model=up,
                next_model_year=up_year,
            )
        )
    return out
