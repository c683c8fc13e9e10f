"""Load and validate scenario files.

Every problem names the file, line, field, value and what is allowed.

YAML is read by :mod:`srmkit.yamlread`, which keeps the line of every key, so a pydantic error
location (``servers.2.users``) can be traced back to the line a user must edit, and which stops
alias bombs, deep nesting and tags before anything is built from them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel, TypeAdapter, ValidationError

from srmkit import perfmon
from srmkit.assumptions import MAX_BURST, Assumptions
from srmkit.errors import EXIT_INVALID, SrmkitError
from srmkit.limits import UnknownModelError, get_model, model_names
from srmkit.names import array_safe, collisions
from srmkit.rules import catalogue
from srmkit.schema import (
    BUILTIN_SCENARIOS,
    MAX_PLANNED_LUNS,
    SECTIONS,
    BurstOrigin,
    Scenario,
)
from srmkit.workload import storage_groups_count
from srmkit.yamlread import Loc, YamlError, read_yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario file."""

    file: str
    line: int | None
    field: str
    value: str
    message: str
    column: int | None = None
    """The column, in a measurement file's header or row (the scenario's problems have none)."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        where += f":{self.column}" if self.line and self.column else ""
        field = f" {self.field}" if self.field else ""
        value = f" = {self.value}" if self.value else ""
        return f"{where}:{field}{value}: {self.message}".replace("::", ":", 1)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "column": self.column,
        }


class ScenarioError(SrmkitError, ValueError):
    """A scenario file that cannot be used; :attr:`problems` lists every problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


MAX_FILE_BYTES = 4_000_000
"""A scenario file is at most 4 MB: a 10,000-server design takes about 1.5 MB."""


def problem_at(scenario: Scenario, loc: Loc, value: Any, message: str) -> Problem:
    """A problem found after validation (e.g. by the simulator), located in the scenario's file
    when it came from one."""
    file, lines = scenario._source or ("scenario", {})
    return Problem(file, _line(lines, loc), field_path(loc), _show(value), message)


def field_path(loc: Loc) -> str:
    """``('servers', 2, 'users')`` → ``servers[2].users``."""
    out = ""
    for part in loc:
        if part == "[key]":
            out += " (its name)"
        else:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, else of its nearest parent, else line 1 (the file's top level)."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1 if lines else None


def _unwrap(annotation: Any) -> Any:
    """The model class inside list[...], X | None, Annotated[...], dict[str, X]."""
    while True:
        origin = get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[-1] if args else annotation


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (for "did you mean")."""
    current: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = _fields(current)
        if part not in fields:
            return []
        current = _unwrap(fields[part])
    return list(_fields(current))


def _field_info(loc: Loc) -> Any:
    """pydantic's FieldInfo of the field at ``loc`` (None when the path leaves the schema)."""
    current: Any = Scenario
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "__pydantic_fields__", None)  # models and pydantic dataclasses
        if not isinstance(fields, dict):
            return None
        info = fields.get(str(part))
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return info


NUMBER_ERRORS = {
    "finite_number",
    "float_type",
    "float_parsing",
    "int_type",
    "int_parsing",
    "int_from_float",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _allowed_range(loc: Loc) -> str:
    """``"; allowed: a number from 1 to 100,000"`` for a number field, else ``""``."""
    info = _field_info(loc)
    if info is None:
        return ""
    whole = info.annotation is int
    bounds = {
        k: getattr(m, k)
        for m in info.metadata
        for k in ("ge", "gt", "le", "lt")
        if getattr(m, k, None) is not None
    }
    if whole and "gt" in bounds:
        bounds["ge"] = int(bounds.pop("gt")) + 1
    if whole and "lt" in bounds:
        bounds["le"] = int(bounds.pop("lt")) - 1
    kind = "a whole number" if whole else "a number"
    if "ge" in bounds and "le" in bounds:
        return f"; allowed: {kind} from {_number(bounds['ge'])} to {_number(bounds['le'])}"
    words = [
        f"{word} {_number(bounds[k])}"
        for k, word in (
            ("ge", "at least"),
            ("gt", "more than"),
            ("le", "at most"),
            ("lt", "less than"),
        )
        if k in bounds
    ]
    return f"; allowed: {kind}{' ' if words else ''}{' and '.join(words)}"


def _fields(cls: Any) -> dict[str, Any]:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return {name: f.annotation for name, f in cls.model_fields.items()}
    dataclass_fields = getattr(cls, "__dataclass_fields__", None)
    if dataclass_fields:
        hints = get_type_hints(cls)
        return {name: hints[name] for name in dataclass_fields}
    return {}


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _from_validation(err: ValidationError, file: str, lines: Mapping[Loc, int]) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc: Loc = tuple(e["loc"])
        kind = e["type"]
        if kind in ("extra_forbidden", "unexpected_keyword_argument"):
            key = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            message = (
                f"unknown key {key!r}.{_suggest(key, allowed)} Allowed keys here: "
                + ", ".join(allowed)
            )
            value = ""
        elif kind == "missing":
            message = "required field is missing"
            value = ""
        elif kind in ("too_long", "too_short") and isinstance(e.get("input"), list):
            ctx = e.get("ctx", {})
            limit = ctx.get("max_length" if kind == "too_long" else "min_length", 0)
            message = (
                f"{len(e['input']):,} item{'' if len(e['input']) == 1 else 's'}; allowed: "
                + (f"at most {limit:,}" if kind == "too_long" else f"at least {limit:,}")
            )
            value = ""
        else:
            msg = e["msg"].removeprefix("Value error, ")
            message = msg[0].lower() + msg[1:] if msg else kind
            if kind in NUMBER_ERRORS and not isinstance(e.get("input"), dict | list):
                message += _allowed_range(loc)
            value = _show(e.get("input"))
        problems.append(Problem(file, _line(lines, loc), field_path(loc), value, message))
    return problems


MAX_LOGO_BYTES = 2_000_000


Add = Callable[[Loc, Any, str], None]
"""Records one problem: where (a location in the scenario), the value found, what is wrong."""


def cross_check(
    scenario: Scenario, file: str, lines: Mapping[Loc, int], base_dir: Path | None = None
) -> list[Problem]:
    """Consistency between sections: names that must exist, be unique, or be able to mirror;
    the logo file, when the scenario came from a file. One check per concern, in the order the
    problems are listed."""
    problems: list[Problem] = []

    def add(loc: Loc, value: Any, message: str) -> None:
        problems.append(Problem(file, _line(lines, loc), field_path(loc), _show(value), message))

    def guarded(check: Callable[[], object]) -> object:
        """Run one check; on a file with an invalid section (:func:`_partial_scenario`) a check
        that needs it is skipped: its section's own problem is already listed."""
        try:
            return check()
        except _SectionUnavailableError:
            return None

    if base_dir is not None:
        guarded(lambda: _check_logo(scenario, add, base_dir))
        guarded(lambda: _check_word_template(scenario, add, base_dir))
    guarded(lambda: _check_unique_names(scenario, add))
    found = guarded(lambda: _check_arrays(scenario, add))
    if isinstance(found, dict):
        guarded(lambda: _check_servers(scenario, add, found))
    for check in (
        _check_consistency_groups,
        _check_accepted_risks,
        _check_size,
        _check_scenarios,
        _check_replication,
        _check_measured,
    ):
        guarded(partial(check, scenario, add))
    return problems


def _check_measured(scenario: Scenario, add: Callable[[Loc, Any, str], None]) -> None:
    """A timing given both as an assumption and as measured: which one holds is unclear."""
    if scenario.measured is None:
        return
    defaults = Assumptions()
    for name, value in scenario.measured.values().items():
        assumed = getattr(scenario.assumptions, name)
        if assumed != getattr(defaults, name):
            add(
                ("measured", name),
                value,
                f"also set under assumptions ({assumed:g}): give the rehearsal's timing once, "
                "under measured",
            )


class _SectionUnavailableError(Exception):
    """A cross-section check touched a section that did not validate."""


class _Unavailable:
    """Stands for a section that did not validate: any use of it stops the check using it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        raise _SectionUnavailableError(self._name)

    def __iter__(self) -> Any:
        raise _SectionUnavailableError(self._name)

    def __len__(self) -> int:
        raise _SectionUnavailableError(self._name)

    def __bool__(self) -> bool:
        raise _SectionUnavailableError(self._name)


def _partial_scenario(data: dict[str, Any], bad: set[str]) -> Scenario:
    """The scenario's valid sections, each validated alone, and a stand-in for every section
    that did not validate (or is missing): the cross-section checks that need only valid
    sections still run, so one broken section does not hide the other problems."""
    sections: dict[str, Any] = {}
    for name, field in Scenario.model_fields.items():
        if name in bad or (name not in data and field.is_required()):
            sections[name] = _Unavailable(name)
        elif name not in data:
            sections[name] = field.get_default(call_default_factory=True)
        else:
            try:
                adapter: TypeAdapter[Any] = TypeAdapter(field.annotation or Any)
                sections[name] = adapter.validate_python(data[name], strict=True)
            except ValidationError:
                sections[name] = _Unavailable(name)
    return Scenario.model_construct(**sections)


def _check_logo(scenario: Scenario, add: Add, base_dir: Path) -> None:
    """The cover's logo exists beside the scenario file and is not too large."""
    logo = scenario.document.logo
    if logo:
        path = base_dir / logo
        if not path.is_file():
            add(("document", "logo"), logo, f"no such file beside the scenario file ({path.name})")
        elif path.stat().st_size > MAX_LOGO_BYTES:
            add(("document", "logo"), logo, f"the logo is larger than {MAX_LOGO_BYTES:,} bytes")


def word_template_problem(path: Path) -> str | None:
    """Why ``path`` cannot serve as a Word template, or None when it can: a .docx file (a zip
    archive) holding ``word/styles.xml``."""
    import zipfile

    if path.suffix.lower() != ".docx":
        return "a Word template is a .docx file"
    if not path.is_file():
        return f"no such file ({path.name})"
    try:
        with zipfile.ZipFile(path) as z:
            if "word/styles.xml" not in z.namelist():
                return "not a Word document (a .docx holds word/styles.xml)"
    except (zipfile.BadZipFile, OSError):
        return "not a Word document (a .docx is a zip archive holding word/styles.xml)"
    return None


def _check_word_template(scenario: Scenario, add: Add, base_dir: Path) -> None:
    """The Word template exists beside the scenario file and is a Word document."""
    template = scenario.document.word_template
    if template:
        problem = word_template_problem(base_dir / template)
        if problem is not None:
            where = " beside the scenario file" if problem.startswith("no such") else ""
            add(("document", "word_template"), template, problem.replace(" (", f"{where} (", 1))


def _check_unique_names(scenario: Scenario, add: Add) -> None:
    """Site, array and server names are unique, ignoring case; array names also as the build
    book writes them (array-safe identifiers, Method §10)."""
    site_names = [s.name for s in scenario.sites]
    for kind, names in (
        ("site", site_names),
        ("array", [a.name for a in scenario.arrays]),
        ("server", [s.name for s in scenario.servers]),
    ):
        section = {"site": "sites", "array": "arrays", "server": "servers"}[kind]
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            first = seen.setdefault(name.upper(), i)  # Windows and Navisphere names ignore case
            if first != i:
                add(
                    (section, i, "name"),
                    name,
                    f"{kind} names must be unique, ignoring case: {section}[{first}] is "
                    f"{names[first]!r}",
                )
    arrays = [a.name for a in scenario.arrays]
    for i, first in collisions(arrays).items():
        if arrays[i].upper() != arrays[first].upper():
            add(
                ("arrays", i, "name"),
                arrays[i],
                f"cannot be told from arrays[{first}] {arrays[first]!r} in the build book's "
                f"scripts, which write {array_safe(arrays[i])!r} (letters, digits, _ and - only; "
                "case and - or _ do not count): rename one",
            )


def _check_arrays(scenario: Scenario, add: Add) -> dict[str, list[str]]:
    """Every array stands at a known site and is a catalogue model that mirrors and runs its
    FLARE release; every site has an array. The arrays of each site."""
    site_names = [s.name for s in scenario.sites]
    arrays_by_site: dict[str, list[str]] = {name: [] for name in site_names}
    for i, array in enumerate(scenario.arrays):
        if array.site not in arrays_by_site:
            add(
                ("arrays", i, "site"),
                array.site,
                f"unknown site.{_suggest(array.site, site_names)} Allowed: {', '.join(site_names)}",
            )
        else:
            arrays_by_site[array.site].append(array.name)
        try:
            model = get_model(array.model)
        except UnknownModelError as exc:
            add(("arrays", i, "model"), array.model, str(exc))
            continue
        if not model.mirrorview_supported:
            mirroring = [m.model for m in _mirroring_models()]
            add(
                ("arrays", i, "model"),
                array.model,
                f"[MODEL-NO-MIRRORVIEW] {model.model} cannot mirror: {model.source}. "
                "Models with MirrorView: " + ", ".join(mirroring),
            )
        elif not model.runs_flare(array.flare):
            add(
                ("arrays", i, "flare"),
                array.flare,
                f"[FLARE-RANGE] {model.model} runs FLARE {model.flare_releases}; "
                f"release {array.flare} does not exist for it",
            )
    for site, names in arrays_by_site.items():
        if not names:
            index = site_names.index(site)
            add(("sites", index, "name"), site, "no array is placed at this site")

    return arrays_by_site


def _check_servers(scenario: Scenario, add: Add, arrays_by_site: dict[str, list[str]]) -> None:
    """Every server stands at a known site, has a known profile and names arrays that exist at
    its site and at the other one."""
    site_names = [s.name for s in scenario.sites]
    profiles = list(scenario.assumptions.exchange_profiles)
    for i, server in enumerate(scenario.servers):
        if server.site not in arrays_by_site:
            add(
                ("servers", i, "site"),
                server.site,
                f"unknown site.{_suggest(server.site, site_names)} "
                f"Allowed: {', '.join(site_names)}",
            )
            continue
        if server.profile not in profiles:
            add(
                ("servers", i, "profile"),
                server.profile,
                f"unknown profile.{_suggest(server.profile, profiles)} Allowed: "
                + ", ".join(profiles),
            )
        other = next(s for s in site_names if s != server.site)
        for key, site in (("array", server.site), ("target_array", other)):
            named = getattr(server, key)
            local = arrays_by_site[site]
            if named is None:
                if len(local) > 1:
                    add(
                        ("servers", i),
                        server.name,
                        f"site {site} has several arrays; set {key} to one of: " + ", ".join(local),
                    )
            elif named not in local:
                add(
                    ("servers", i, key),
                    named,
                    f"must be an array at site {site}.{_suggest(named, local)} Allowed: "
                    + ", ".join(local or ["(none)"]),
                )


def _check_consistency_groups(scenario: Scenario, add: Add) -> None:
    """A protected Hub Transport VM's name is its own; explicit consistency groups have unique
    names and name servers that exist."""
    server_names = [s.name for s in scenario.servers]
    hubs = [s.hub_vm_name for s in scenario.sites if s.hub_transport_protected]
    for i, hub_site in enumerate(scenario.sites):
        if hub_site.hub_transport_protected and hub_site.hub_vm_name in server_names:
            add(
                ("sites", i, "hub_transport_vm"),
                hub_site.hub_vm_name,
                "the protected Hub Transport VM needs a name no mailbox server has",
            )
    vm_names = server_names + hubs
    cg_names = [cg.name for cg in scenario.replication.consistency_groups or []]
    clashes = collisions(cg_names)
    for i, cg in enumerate(scenario.replication.consistency_groups or []):
        if i in clashes:
            first = cg_names[clashes[i]]
            add(
                ("replication", "consistency_groups", i, "name"),
                cg.name,
                "consistency group names must be unique"
                + (
                    ""
                    if first == cg.name
                    else ", ignoring case and as the build book writes them "
                    f"({array_safe(cg.name)!r}, letters, digits, _ and - only, - and _ alike): "
                    f"{first!r} is already one"
                ),
            )
        for j, member in enumerate(cg.members):
            if member.server not in vm_names:
                add(
                    ("replication", "consistency_groups", i, "members", j, "server"),
                    member.server,
                    f"unknown server.{_suggest(member.server, vm_names)} Allowed: "
                    + ", ".join(vm_names),
                )


def _check_accepted_risks(scenario: Scenario, add: Add) -> None:
    """Accepted risks name rules that exist and are not errors."""
    rules = catalogue()
    for i, accepted in enumerate(scenario.accept):
        known = rules.get(accepted.id)
        if known is None:
            add(
                ("accept", i, "id"),
                accepted.id,
                f"unknown rule id.{_suggest(accepted.id, list(rules))} Rule ids: "
                + ", ".join(rules),
            )
        elif known.severity == "error":
            add(
                ("accept", i, "id"),
                accepted.id,
                "errors cannot be accepted; only warning and info findings can",
            )


def _check_size(scenario: Scenario, add: Add) -> None:
    """The design has at most the mirrored LUNs srmkit plans."""
    luns = 0
    for server in scenario.servers:
        sgs = server.storage_groups or int(
            storage_groups_count(
                server.users,
                server.mailbox_quota_gib,
                scenario.assumptions.db_overhead_fraction,
                scenario.assumptions.max_db_gib,
            )
        )
        luns += 2 * sgs + server.gos_luns
    if luns > MAX_PLANNED_LUNS:
        add(
            ("servers",),
            f"{luns:,} LUNs",
            f"the design has {luns:,} mirrored LUNs today; srmkit plans at most "
            f"{MAX_PLANNED_LUNS:,} (200 times what the largest array mirrors); check users, "
            "mailbox quotas and max_db_gib",
        )


def _check_scenarios(scenario: Scenario, add: Add) -> None:
    """The file's failure scenarios have names of their own and name sites and arrays that
    exist."""
    site_names = [s.name for s in scenario.sites]
    array_names = {a.name for a in scenario.arrays}
    seen_names: dict[str, int] = {}
    for i, sim in enumerate(scenario.scenarios):
        if sim.name in BUILTIN_SCENARIOS:
            add(
                ("scenarios", i, "name"),
                sim.name,
                "a built-in scenario has this name; built-in: " + ", ".join(BUILTIN_SCENARIOS),
            )
        first = seen_names.setdefault(sim.name, i)
        if first != i:
            add(("scenarios", i, "name"), sim.name, f"scenarios[{first}] has this name")
        for j, event in enumerate(sim.events):
            if event.site is not None and event.site not in site_names:
                add(
                    ("scenarios", i, "events", j, "site"),
                    event.site,
                    "no such site; sites: " + ", ".join(site_names),
                )
            if event.array is not None and event.array not in array_names:
                add(
                    ("scenarios", i, "events", j, "array"),
                    event.array,
                    "no such array; arrays: " + ", ".join(sorted(array_names)),
                )


def _check_replication(scenario: Scenario, add: Add) -> None:
    """MirrorView/A has a schedule: an interval, or manual update times."""
    replication = scenario.replication
    if replication.mode == "async":
        if replication.update_type == "manual" and not replication.manual_update_times:
            add(("replication",), "manual", "update_type manual needs manual_update_times")
        if replication.update_type != "manual" and replication.update_interval_min is None:
            add(
                ("replication",),
                replication.update_type,
                "MirrorView/A needs update_interval_min (minutes between updates)",
            )


def _mirroring_models() -> list[Any]:
    return [get_model(name) for name in model_names() if get_model(name).mirrorview_supported]


def validate_data(
    data: Any, file: str, lines: Mapping[Loc, int] | None = None, base_dir: Path | None = None
) -> Scenario:
    """Validate already-parsed scenario data; raise :class:`ScenarioError` listing every problem."""
    lines = lines or {}
    if data is None:
        raise ScenarioError(
            [Problem(file, 1, "", "", "the file is empty; sections: " + ", ".join(SECTIONS))]
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "",
                    _show(data),
                    "a scenario is a mapping of sections: " + ", ".join(SECTIONS),
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _from_validation(exc, file, lines)
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        problems += cross_check(_partial_scenario(data, bad), file, lines, base_dir)
        raise ScenarioError(problems) from None
    problems = cross_check(scenario, file, lines, base_dir)
    if problems:
        raise ScenarioError(problems)
    problems = _read_measurements(scenario, file, lines, base_dir)
    if problems:
        raise ScenarioError(problems)
    scenario = _measured_burst(scenario, data)
    scenario._source = (file, dict(lines))
    return scenario


@functools.lru_cache(maxsize=32)
def _read_measurement(
    path: Path,
    shown: str,
    stamp: tuple[int, int],
    spec: tuple[bool, str | None, tuple[str, ...]],
    a: tuple[float, ...],
) -> perfmon.Measurement:
    """One measurement file, read once per content stamp (size, mtime) and settings."""
    burst_window_s, db_page_kib, log_file_mib = a
    is_perfmon, host, gos_volumes = spec
    if is_perfmon:
        return perfmon.read_perfmon(
            path,
            shown,
            burst_window_s=burst_window_s,
            db_page_kib=db_page_kib,
            host=host,
            gos_volumes=gos_volumes,
        )
    return perfmon.read_log_counts(path, shown, log_file_mib=log_file_mib)


def _read_measurements(
    scenario: Scenario, file: str, lines: Mapping[Loc, int], base_dir: Path | None
) -> list[Problem]:
    """Read every measured server's file (relative to the scenario's folder, else the current
    one); a bad file is a problem located in it (Method §2, a measured profile)."""
    problems: list[Problem] = []
    a = scenario.assumptions
    for i, server in enumerate(scenario.servers):
        spec = server.measured
        if spec is None:
            continue
        loc: Loc = ("servers", i, "measured", "perfmon" if spec.perfmon else "log_counts")
        path = (base_dir or Path()) / spec.file
        try:
            stat = path.stat()
        except OSError as exc:
            where = (
                " beside the scenario file"
                if base_dir is not None
                else " in the current folder: the scenario came without its file; give its "
                "file too (papermill -p params_file FILE)"
            )
            reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
            problems.append(
                Problem(file, _line(lines, loc), field_path(loc), spec.file, f"{reason}{where}")
            )
            continue
        try:
            read = _read_measurement(
                path.resolve(),
                str(path),
                (stat.st_size, stat.st_mtime_ns),
                (spec.perfmon is not None, spec.host, tuple(spec.gos_volumes)),
                (a.burst_window_s, a.db_page_kib, a.log_file_mib),
            )
        except perfmon.MeasurementError as exc:
            problems.append(
                Problem(
                    exc.file,
                    exc.line,
                    "",
                    exc.value,
                    f"{exc.message} (the measurement of {server.name}, {field_path(loc)})",
                    exc.column,
                )
            )
            continue
        server._measurement = (read, server.users)
    return problems


def _measured_burst(scenario: Scenario, data: Mapping[str, Any]) -> Scenario:
    """The design's burst factor from its Performance Monitor logs (the summed servers'),
    unless the scenario's ``assumptions:`` set one (Method §2, §4)."""
    a = scenario.assumptions
    measured = perfmon.summed_burst_factor(
        [s.measurement[0] for s in scenario.servers if s.measurement is not None],
        a.burst_window_s,
    )
    given = isinstance(data.get("assumptions"), Mapping) and "burst_factor" in data["assumptions"]
    if measured is not None and not given:
        used = min(measured, MAX_BURST)
        scenario = scenario.model_copy(
            update={"assumptions": dataclasses.replace(a, burst_factor=used)}
        )
    scenario._burst = BurstOrigin(measured, given)
    return scenario


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(raw: bytes, fail: Callable[[str, int | None], ScenarioError]) -> str:
    """The file's text: UTF-8 (a byte-order mark is allowed), else a message saying so."""
    if raw.startswith(UTF16_BOMS):
        raise fail("the file is UTF-16 text; save it as UTF-8", 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot start or continue "
            "a character here); save it as UTF-8",
            line,
        ) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one params file.

    Raises
    ------
    ScenarioError
        When the file cannot be read, is not valid YAML, or does not describe a valid design.
    """
    return read_params(path)[0]


def read_params(path: str | Path) -> tuple[Scenario, dict[str, Any]]:
    """Read and validate one params file; also return its sections as plain Python data.

    The sections are what ``papermill -f params.yaml`` passes to a notebook.

    Raises
    ------
    ScenarioError
        When the file cannot be read, is not valid YAML, or does not describe a valid design.
    """
    path = Path(path)
    file = str(path)

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "", "", message)])

    try:
        if not path.is_file():
            raise fail(
                "cannot read the file: no such file"
                if not path.exists()
                else "cannot read the file: it is not a regular file"
            )
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(
                f"the file is {size:,} bytes; a scenario file is at most {MAX_FILE_BYTES:,} bytes"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    text = _decode(raw, fail)
    try:
        data, lines = read_yaml(text)
    except YamlError as exc:
        raise ScenarioError(
            [Problem(file, exc.line, field_path(exc.path), "", exc.message)]
        ) from None
    return validate_data(data, file, lines, path.parent), data


def scenario_from_sections(
    source: str = "notebook parameters", base_dir: Path | None = None, **sections: Any
) -> Scenario:
    """Validate a scenario given section by section (papermill's ``-f params.yaml`` route).

    Sections passed as None are treated as absent. Files the scenario names (measurements) are
    found relative to ``base_dir``, the scenario file's folder, else to the current folder.
    """
    data = {name: value for name, value in sections.items() if value is not None}
    return validate_data(data, source, base_dir=base_dir)


def notebook_scenario(params_file: str | None, **sections: Any) -> Scenario:
    """The scenario of a notebook run.

    - No section passed: the file ``params_file``.
    - A complete scenario passed (``papermill -f scenario.yaml``, or ``srmkit report``): the
      sections alone, whatever ``params_file`` says.
    - Some sections passed (``papermill -y "link: {...}"`` or ``-p``): those sections replace the
      same sections of ``params_file``; the others are the file's.
    """
    given = {name: value for name, value in sections.items() if value is not None}
    complete = all(
        name in given for name, field in Scenario.model_fields.items() if field.is_required()
    )
    if given and complete and params_file is not None:
        with contextlib.suppress(ScenarioError):
            scenario, base = read_params(params_file)
            if base == given:  # srmkit report passes the file and its own sections
                return scenario
    if given and (complete or params_file is None):
        return scenario_from_sections(**given)
    if params_file is None:
        raise ScenarioError(
            [
                Problem(
                    "notebook parameters",
                    None,
                    "params_file",
                    "None",
                    "give params_file or the scenario's sections",
                )
            ]
        )
    if not given:
        return load_scenario(params_file)
    _, base = read_params(params_file)
    return validate_data(
        {**base, **given},
        f"{params_file} with the notebook's {', '.join(given)} section(s)",
        base_dir=Path(params_file).parent,
    )
