"""The build book's naviseccli scripts (Method §10, v3): every script passes shellcheck, binds every
LUN once with its blocks, creates every mirror and consistency group of the plan, runs exactly its
commands (and nothing else) under a stand-in naviseccli, refuses to run without its variables, and
never carries a name it could execute; the example's scripts are kept as golden copies."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLES, profile_only

from srmkit import Design, load_scenario
from srmkit.build_scripts import (
    PHASES,
    ArrayScript,
    Phase,
    _safe,
    _text,
    _to_shell,
    command_words,
    file_stem,
    identifier,
    scripts,
    used_forms,
)
from srmkit.commands import command, forms
from srmkit.luns import allocate
from srmkit.names import array_safe

GOLDEN = Path(__file__).parent / "golden" / "naviseccli"
SH = shutil.which("sh") or "/bin/sh"
NAMES: list[Phase] = [phase for phase, _ in PHASES]


@cache
def design(path: Path) -> Design:
    return Design(load_scenario(path))


@cache
def built(path: Path) -> dict[str, ArrayScript]:
    return scripts(design(path))


def variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """The example with one mailbox server (EXMBX01) instead of six and text replaced, as a
    scenario file of its own (small, so shellcheck reads it quickly). EXMBX01 is sized from its
    profile: its Performance Monitor log is not beside the copy, and the scripts do not use it."""
    example = profile_only(EXAMPLE.read_text(encoding="utf-8"))
    text = re.sub(r"\n  - \{name: EXMBX0[2-6],[^}]*\}", "", example)
    assert "EXMBX02" not in text
    assert "EXMBX01" in text
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CLONE = ("write_intent_log: true", "write_intent_log: true\n  protective_copy: clone")
AUTO_NO_WIL = (
    ("recovery_policy: manual", "recovery_policy: auto"),
    ("write_intent_log: true", "write_intent_log: false"),
)
LONG_ARRAY = "ams.cx4.primary.datacentre.amsterdam-zuidoost.u12"  # 50: its WIL LUN name is 58
HOSTILE = (
    ("AMS-CX4", LONG_ARRAY),
    ("UTR-CX4", "CON"),  # a Windows device name
    ("Utrecht", "St John's Wood"),
    ("customer: Northwind Traders", "customer: '株式会社 $(reboot) `id` \"q\" %PATH% !x! & | ^'"),
    (
        "project: Exchange 2007 disaster recovery with SRM and MirrorView/S",
        "project: '; rm -rf / # Exchange'",
    ),
)


def env_for(script: ArrayScript, **extra: str) -> dict[str, str]:
    """A value for every variable the script names."""
    values = {
        "address": "10.0.{n}.1",
        "raid_group": "{n}",
        "raid_type": "r1_0",
        "pool": "Pool {n}",
    }
    env = {v.name: values[v.kind].format(n=i) for i, v in enumerate(script.variables, start=1)}
    return {**env, **extra}


def expected_argv(script: ArrayScript, phase: Phase, env: dict[str, str]) -> list[list[str]]:
    """What naviseccli receives: the phase's commands with the variables' values in place."""
    out = []
    for c in script.phases[phase]:
        text = c.text
        for v in script.variables:
            text = text.replace(v.placeholder, env[v.name])
        argv = shlex.split(text)
        assert argv[0] == "naviseccli"
        out.append(argv[1:])
    return out


def run_sh(
    path: Path, phase: str | None, env: dict[str, str], bin_dir: Path
) -> subprocess.CompletedProcess[str]:
    args = [SH, str(path)] + ([phase] if phase else [])
    return subprocess.run(
        args,
        env={"PATH": str(bin_dir), **env},
        capture_output=True,
        text=True,
        cwd=path.parent,
        check=False,
    )


@pytest.fixture
def fake_naviseccli(tmp_path: Path) -> tuple[Path, Path]:
    """A folder holding only a stand-in naviseccli that records its arguments, and its log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "naviseccli.log"
    stub = bin_dir / "naviseccli"
    stub.write_text(
        f"#!{SH}\nfor a in \"$@\"; do printf '%s\\037' \"$a\"; done >>'{log}'\n"
        f"printf '\\n' >>'{log}'\n",
        encoding="utf-8",
    )
    stub.chmod(0o755)
    return bin_dir, log


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [line.split("\x1f")[:-1] for line in log.read_text(encoding="utf-8").splitlines()]


def write(script: ArrayScript, folder: Path) -> Path:
    path = folder / f"{script.file_stem}.sh"
    path.write_text(script.sh, encoding="utf-8")
    return path


# --- shellcheck --------------------------------------------------------------------------------


RUN_LINE = re.compile(r"\trun .*")
"""A command line of a script's phases: one whole simple command (no line continues)."""


def command_shape(line: str) -> str:
    """A command line with its literal names and numbers left out: the lines of one shape differ
    only in what shellcheck reads as plain words in double quotes or digits.

    >>> command_shape('run naviseccli -h "${A_SPA}" chglun -l 111 -name "EXMBX01_SG06_LOG"')
    'run naviseccli -h "${A_SPA}" chglun -l N -name "S"'
    """

    def literal(quoted: re.Match[str]) -> str:
        return quoted.group(0) if re.search(r"[$`\\]", quoted.group(0)) else '"S"'

    return re.sub(r"\d+", "N", re.sub(r'"(?:[^"\\]|\\.)*"', literal, line))


def distinct_commands(text: str) -> str:
    """A script with each shape of command line once (its first): the same header, functions,
    checks and phases, and every command form with the quoting it is written with."""
    seen: set[str] = set()
    kept = []
    for line in text.splitlines(keepends=True):
        if RUN_LINE.fullmatch(line.rstrip("\n")):
            shape = command_shape(line)
            if shape in seen:
                continue
            seen.add(shape)
        kept.append(line)
    return "".join(kept)


@pytest.mark.slow
def test_shellcheck_every_script(tmp_path: Path) -> None:
    """Every .sh of every example (and of the clone, policy and hostile-name variants) passes
    ``shellcheck -S warning``: the hostile variant's whole, the others with each shape of
    command line once (shellcheck reads ~1,000 lines a second; the examples' ~24,000 lines are
    a few hundred shapes)."""
    exe = shutil.which("shellcheck")
    if exe is None:
        if os.environ.get("SRMKIT_REQUIRE_SHELLCHECK"):
            pytest.fail("no shellcheck found, but SRMKIT_REQUIRE_SHELLCHECK is set")
        pytest.skip("no shellcheck on this machine (make test installs Debian's)")
    paths = [
        *list(EXAMPLES),
        variant(tmp_path, "clone", CLONE),
        variant(tmp_path, "auto", *AUTO_NO_WIL),
        variant(tmp_path, "hostile", *HOSTILE),
    ]
    files = []
    for path in paths:
        folder = tmp_path / path.stem
        folder.mkdir(exist_ok=True)
        for script in scripts(Design(load_scenario(path))).values():
            written = write(script, folder)
            if path.stem != "hostile":
                written.write_text(distinct_commands(script.sh), encoding="utf-8")
            files.append(str(written))
    done = subprocess.run(
        [exe, "-S", "warning", "-s", "sh", *files], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[:4000]


def test_distinct_commands_keeps_each_form_once() -> None:
    """The reduced script keeps everything but repeated command lines, and every form."""
    [script, *_] = scripts(Design(load_scenario(EXAMPLE))).values()
    reduced = distinct_commands(script.sh)
    full_lines = script.sh.splitlines()
    kept = reduced.splitlines()
    assert len(kept) < len(full_lines) / 4
    assert [x for x in full_lines if not RUN_LINE.fullmatch(x)] == [
        x for x in kept if not RUN_LINE.fullmatch(x)
    ]
    shapes = {command_shape(x) for x in full_lines if RUN_LINE.fullmatch(x)}
    assert shapes == {command_shape(x) for x in kept if RUN_LINE.fullmatch(x)}


# --- what the scripts create -------------------------------------------------------------------


def _bound(script: ArrayScript) -> list[tuple[int, int]]:
    """(LUN, blocks) of every bind or lun -create, in order."""
    out = []
    for c in script.phases["prepare"]:
        argv = shlex.split(c.text)
        if c.key == "bind_raid_group":
            out.append((int(argv[5]), int(argv[argv.index("-cap") + 1])))
        elif c.key == "lun_create_pool":
            out.append((int(argv[argv.index("-l") + 1]), int(argv[argv.index("-capacity") + 1])))
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_lun_bound_once_with_its_blocks(path: Path) -> None:
    """Each array's script binds each LUN of the allocation once, with its block count; both
    images of every mirror get the same count; bind (FLARE < 30) names each LUN with chglun."""
    d = design(path)
    allocation = allocate(d)
    out = built(path)
    blocks: dict[tuple[str, int], int] = {}
    for array in (a.name for a in d.scenario.arrays):
        luns = allocation.on(array)
        if not luns:
            assert array not in out
            continue
        bound = _bound(out[array])
        assert Counter(n for n, _ in bound) == Counter(x.lun for x in luns)
        assert max(Counter(n for n, _ in bound).values()) == 1
        assert dict(bound) == {x.lun: x.blocks for x in luns}
        blocks.update({(array, n): b for n, b in bound})
        spec = next(a for a in d.scenario.arrays if a.name == array)
        names = [shlex.split(c.text)[-1] for c in out[array].phases["prepare"]]
        if spec.flare < 30:
            renamed = [c for c in out[array].phases["prepare"] if c.key == "chglun_name"]
            assert len(renamed) == len(luns)
        assert {x.name for x in luns} <= set(names)
    for m in allocation.mirrors:
        assert blocks[(m.source_array, m.lun)] == blocks[(m.target_array, m.lun)] == m.blocks


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_group_and_mirror_of_the_plan(path: Path) -> None:
    """Every consistency group of the plan is created once, on its source array, with its own
    mirrors; every mirror is created and given its secondary image on its peer's LUN."""
    d = design(path)
    allocation = allocate(d)
    out = built(path)
    created: Counter[tuple[str, str]] = Counter()
    members: dict[str, set[str]] = {}
    images: dict[str, tuple[str, int]] = {}
    for array, script in out.items():
        for c in script.commands:
            argv = shlex.split(c.text)
            if "-creategroup" in argv:
                created[(array, argv[argv.index("-name") + 1])] += 1
            if "-addtogroup" in argv:
                cg = argv[argv.index("-name") + 1]
                members.setdefault(cg, set()).add(argv[argv.index("-mirrorname") + 1])
            if "-create" in argv and argv[3] == "mirror":
                images.setdefault(argv[argv.index("-name") + 1], (array, -1))
            if "-addimage" in argv:
                name = argv[argv.index("-name") + 1]
                assert images[name][0] == array
                peer, lun = argv[argv.index("-arrayhost") + 1], argv[argv.index("-lun") + 1]
                images[name] = (peer, int(lun))
    assert created == Counter((cg.source_array, array_safe(cg.name)) for cg in d.plan.cgs)
    by_cg: dict[str, set[str]] = {}
    for m in allocation.mirrors:
        by_cg.setdefault(m.cg, set()).add(m.name)
        peer = re.sub(r"[^A-Za-z0-9_-]", "_", m.target_array)
        assert images[m.name] == (f"<{peer} SP {m.sp}>", m.lun)
    assert members == by_cg
    assert sum(len(x) for x in members.values()) == sum(len(cg.mirrors) for cg in d.plan.cgs)


def test_seeding_adds_images_without_synchronisation() -> None:
    """A design that seeds (its initial synchronisation is too long) adds every secondary image
    with -nosync and says why; the example synchronises."""
    seeded = [
        p for p in EXAMPLES if any(f.id == "INITIAL-SYNC-LONG" for f in design(p).open_warnings)
    ]
    assert seeded
    assert EXAMPLE not in seeded
    for path in seeded:
        for script in built(path).values():
            adds = [c for c in script.commands if "-addimage" in c.text]
            assert all(c.text.endswith(" -nosync") for c in adds)
            if adds:
                assert "with -nosync. Run this only on the freshly bound, empty" in script.sh
    assert not any("-nosync" in s.sh for s in built(EXAMPLE).values())


def test_clone_protective_copy(tmp_path: Path) -> None:
    """With protective clones the recovery array allocates its clone private LUNs (prepare), then
    creates a clone group per secondary LUN and adds its clone (groups)."""
    d = Design(load_scenario(variant(tmp_path, "clone", CLONE)))
    allocation = allocate(d)
    utr = scripts(d)["UTR-CX4"]
    clones = allocation.of("UTR-CX4", "clone")
    secondaries = {x.name: x for x in allocation.of("UTR-CX4", "secondary")}
    assert len(clones) == len(secondaries) > 0
    keys = Counter(c.key for c in utr.phases["groups"])
    assert keys == {"snapview_createclonegroup": len(clones), "snapview_addclone": len(clones)}
    for clone in clones:
        source = secondaries[clone.serves]
        group = f'"CLONE_{source.name}"'
        assert f"-createclonegroup -name {group} -luns {source.lun} -o" in utr.sh
        assert f"-addclone -name {group} -luns {clone.lun} -syncrate high" in utr.sh
    private = [c for c in utr.phases["prepare"] if c.key == "snapview_allocatecpl"]
    a, b = sorted(allocation.of("UTR-CX4", "clone_private"), key=lambda x: x.sp)
    assert [c.text.split("-allocatecpl ")[1] for c in private] == [f"-spA {a.lun} -spB {b.lun} -o"]


def test_recovery_policy_and_write_intent_log_follow_the_scenario(tmp_path: Path) -> None:
    """An automatic recovery policy reaches -addimage and -creategroup; without the write intent
    log the mirrors are created with -nowriteintentlog and no log is allocated."""
    d = Design(load_scenario(variant(tmp_path, "auto", *AUTO_NO_WIL)))
    ams = scripts(d)["AMS-CX4"]
    keys = Counter(c.key for c in ams.commands)
    assert keys["mirror_sync_create_nowil"] == len(allocate(d).mirrors)
    assert keys["mirror_sync_addimage_policy"] == len(allocate(d).mirrors)
    assert keys["mirror_sync_creategroup_policy"] == len(d.plan.cgs)
    assert "mirror_sync_allocatelog" not in keys
    assert "mirror_sync_create" not in keys
    assert all("-recoverypolicy auto" in c.text for c in ams.commands if "policy" in c.key)


def test_forms_used_have_sources() -> None:
    """Every form a script uses is in the table with a catalogued source; forms not confirmed in a
    public copy cite [S60] and each script's header names them."""
    import csv
    from importlib import resources

    text = resources.files("srmkit.data").joinpath("sources.csv").read_text("utf-8")
    catalogue = {row["id"] for row in csv.DictReader(text.splitlines())}
    for path in EXAMPLES:
        for key in used_forms(built(path)):
            for sid in re.findall(r"S\d+", forms()[key].source):
                assert sid in catalogue, (key, sid)
        for script in built(path).values():
            for key in {c.key for c in script.commands if "[S60]" in c.source}:
                words = command_words(forms()[key].template)
                assert words in " ".join(script.sh.replace("#", "").split())
                assert words in " ".join(script.cmd.replace("REM", "").split())


# --- running the shell script ------------------------------------------------------------------


def test_runs_exactly_its_commands(tmp_path: Path, fake_naviseccli: tuple[Path, Path]) -> None:
    """Every phase of both example scripts, in the documented order, calls naviseccli with
    exactly the expected arguments and nothing else (PATH holds only the stand-in); DRY_RUN=1
    prints the same commands and calls nothing."""
    bin_dir, log = fake_naviseccli
    out = built(EXAMPLE)
    env: dict[str, str] = {}
    for script in out.values():
        env.update(env_for(script))
    paths = {array: write(script, tmp_path) for array, script in out.items()}
    for phase in NAMES:
        for array, script in out.items():
            dry = run_sh(paths[array], phase, {**env, "DRY_RUN": "1"}, bin_dir)
            assert dry.returncode == 0, dry.stderr
            assert dry.stderr == ""
            assert calls(log) == []
            printed = [line[2:] for line in dry.stdout.splitlines() if line.startswith("+ ")]
            expected = expected_argv(script, phase, env)
            assert [shlex.split(x)[1:] for x in printed] == expected
            real = run_sh(paths[array], phase, env, bin_dir)
            assert real.returncode == 0, real.stderr
            assert real.stderr == ""
            assert calls(log) == expected
            log.unlink(missing_ok=True)


def test_pool_names_with_spaces_reach_naviseccli_whole(
    tmp_path: Path, fake_naviseccli: tuple[Path, Path]
) -> None:
    """FLARE 30 creates pool LUNs: a pool name with a space arrives as one argument."""
    bin_dir, log = fake_naviseccli
    path = next(p for p in EXAMPLES if design(p).scenario.arrays[0].flare >= 30)
    script = next(iter(built(path).values()))
    env = env_for(script)
    assert any(v.kind == "pool" and " " in env[v.name] for v in script.variables)
    result = run_sh(write(script, tmp_path), "prepare", env, bin_dir)
    assert result.returncode == 0, result.stderr
    assert calls(log) == expected_argv(script, "prepare", env)


def test_refuses_to_run_without_its_variables(
    tmp_path: Path, fake_naviseccli: tuple[Path, Path]
) -> None:
    """A missing or malformed variable stops the phase before any command, saying what to set;
    so does a missing phase, and sourcing the file without one runs nothing."""
    bin_dir, log = fake_naviseccli
    script = built(EXAMPLE)["AMS-CX4"]
    path = write(script, tmp_path)
    env = env_for(script)
    missing = {k: v for k, v in env.items() if k != "AMS_CX4_SPA"}
    result = run_sh(path, "prepare", missing, bin_dir)
    assert result.returncode == 2
    assert "set AMS_CX4_SPA to the address of AMS-CX4 SP A" in result.stderr
    for name, bad, message in [
        ("AMS_CX4_SPA", "10.0.0.1;reboot", "may hold only letters, digits, dots"),
        ("AMS_CX4_SPB", "$(reboot)", "may hold only letters, digits, dots"),
        ("AMS_CX4_DB_RAID_GROUP", "1 -o", "must be a RAID group number"),
        ("AMS_CX4_DB_RAID_TYPE", "r9", "must be one of r1, r1_0, r5, r6"),
    ]:
        result = run_sh(path, "prepare", {**env, name: bad}, bin_dir)
        assert result.returncode == 2, result.stderr
        assert f"{name} {message}" in result.stderr
    result = run_sh(path, None, env, bin_dir)
    assert result.returncode == 2
    assert "usage: sh AMS-CX4.sh prepare|mirrors|groups" in result.stderr
    sourced = subprocess.run(
        [SH, "-c", f". '{path}'; echo after $?"],
        env={"PATH": str(bin_dir), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert sourced.stdout.strip() == "after 2"
    assert calls(log) == []


def test_a_design_with_errors_is_not_for_implementation(
    tmp_path: Path, fake_naviseccli: tuple[Path, Path]
) -> None:
    """A design with errors: both files say NOT FOR IMPLEMENTATION and the shell script stops
    unless FORCE=1."""
    bin_dir, log = fake_naviseccli
    path = next(p for p in EXAMPLES if design(p).errors)
    n = len(design(path).errors)
    for script in built(path).values():
        assert f"NOT FOR IMPLEMENTATION: the design has {n} error" in script.sh
        assert f"NOT FOR IMPLEMENTATION: the design has {n} error" in script.cmd
        sh = write(script, tmp_path)
        env = env_for(script)
        stopped = run_sh(sh, "prepare", env, bin_dir)
        assert stopped.returncode == 1
        assert "NOT FOR IMPLEMENTATION" in stopped.stderr
        forced = run_sh(sh, "prepare", {**env, "FORCE": "1", "DRY_RUN": "1"}, bin_dir)
        assert forced.returncode == 0, forced.stderr
    assert calls(log) == []
    assert not any("NOT FOR IMPLEMENTATION" in s.sh for s in built(EXAMPLE).values())


# --- hostile names -----------------------------------------------------------------------------


def test_hostile_names_never_reach_a_script(tmp_path: Path) -> None:
    """Dotted and long array names, a Windows device name, a site with an apostrophe and free
    text full of shell syntax: the scripts carry only array-safe names, every line of either file
    is made of harmless characters, and the free text is nowhere."""
    d = Design(load_scenario(variant(tmp_path, "hostile", *HOSTILE)))
    out = scripts(d)
    assert {s.file_stem for s in out.values()} == {array_safe(LONG_ARRAY), "CON_"}
    for script in out.values():
        for text in (script.sh, script.cmd):
            leaked = ("reboot", "`", "rm -rf", "%PATH%", "!x!", "St John's", LONG_ARRAY, "株式会社")
            for bad in leaked:
                assert bad not in text
            assert re.fullmatch(r"[\x20-\x7e\t\r\n]*", text)
        for line in script.sh.splitlines():
            if line.lstrip().startswith("run "):
                assert re.fullmatch(r'\trun naviseccli [A-Za-z0-9 _."${}-]*', line), line
        for line in script.cmd.split("\r\n"):
            if line.startswith("call :run "):
                assert re.fullmatch(r'call :run naviseccli [A-Za-z0-9 _."%-]* \|\| exit /b 1', line)
        assert "site St_John_s_Wood" in script.sh or script.array == LONG_ARRAY


def test_longest_array_name(tmp_path: Path) -> None:
    """The longest array name the schema accepts still gives scripts: the array's own LUNs
    (write intent log, reserved, clone private) cut its name to stay within 64 characters."""
    path = variant(tmp_path, "longest", ("AMS-CX4", "a" * 64))
    assert scripts(Design(load_scenario(path)))


@pytest.mark.parametrize("bad", ["$(reboot)", "`reboot`", 'a"b', "a\nb", "a\rb", "a$b", "a\\b"])
def test_command_refuses_what_a_shell_would_run(bad: str) -> None:
    """The command table refuses a value that could end a quote or start a substitution."""
    with pytest.raises(ValueError, match="cannot quote safely"):
        command("chglun_name", sp="<X SP A>", lun=1, name=bad)


@pytest.mark.parametrize("bad", ["ＡＭＳ", "AMS CX4", "AMS.CX4", "x" * 65, "", "a;b", "a'b", "ɑms"])
def test_only_array_safe_names_reach_the_array(bad: str) -> None:
    """A LUN, mirror or group name that is not array-safe (look-alike letters included) is
    refused before it reaches a script."""
    with pytest.raises(ValueError, match="not an array-safe name"):
        _safe(bad)


def test_lines_and_comments_refuse_unsafe_characters() -> None:
    """A rendered command line with a look-alike, a leftover placeholder (a redirection) or a
    substitution is refused; so is a comment with characters cmd or sh would act on."""
    pattern = re.compile(r'[A-Za-z0-9 _."${}-]*')
    ok = _to_shell('naviseccli -h "<A SP A>" x', {"<A SP A>": "A_SPA"}, "${{{}}}", pattern)
    assert ok == 'naviseccli -h "${A_SPA}" x'
    for line in ['naviseccli -h "<B SP A>" x', "naviseccli －o", "naviseccli $(reboot)"]:
        with pytest.raises(ValueError, match="unsafe command line"):
            _to_shell(line, {"<A SP A>": "A_SPA"}, "${{{}}}", pattern)
    for text in ["100%", "hello!", "a & b", "it's", "a | b", "a > b", 'say "x"', "caret ^"]:
        with pytest.raises(ValueError, match="comment cannot carry"):
            _text(text)


def test_identifiers_and_file_names() -> None:
    """Variable prefixes are shell identifiers; file names avoid Windows device names."""
    assert identifier("ams.cx4-1") == "AMS_CX4_1"
    assert identifier("4CX") == "ARRAY_4CX"
    assert [file_stem(x) for x in ("nul", "COM1", "LPT9", "CONSOLE")] == [
        "nul_",
        "COM1_",
        "LPT9_",
        "CONSOLE",
    ]


# --- the Windows batch file --------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_batch_file(path: Path) -> None:
    """CRLF line ends only; @echo off and setlocal first; every command through :run with its
    errorlevel checked; every variable a phase expands is checked in that phase first."""
    for script in built(path).values():
        text = script.cmd
        assert "\n" not in text.replace("\r\n", "")
        lines = text.split("\r\n")
        assert lines[0] == "@echo off"
        assert "setlocal EnableExtensions EnableDelayedExpansion" in lines
        runs = [x for x in lines if x.startswith("call :run ")]
        assert len(runs) == len(script.commands)
        assert all(x.endswith(" || exit /b 1") for x in runs)
        for phase in NAMES:
            body = text.split(f"\r\n:phase_{phase}\r\n")[1].split("\r\nexit /b 0\r\n")[0]
            check = text.split(f"\r\n:check_{phase}\r\n")[1].split("\r\ngoto :checked")[0]
            used = set(re.findall(r"%([A-Z0-9_]+)%", body))
            assert used == set(re.findall(r"call :need ([A-Z0-9_]+) ", check))


# --- golden copies -----------------------------------------------------------------------------


def _golden_files() -> dict[str, bytes]:
    out = {}
    for script in built(EXAMPLE).values():
        out[f"{script.file_stem}.sh"] = script.sh.encode("utf-8")
        out[f"{script.file_stem}.cmd"] = script.cmd.encode("utf-8")
    return out


def test_golden_scripts() -> None:
    """The example's scripts equal their golden copies under tests/golden/naviseccli/ (a change is a
    decision: SRMKIT_UPDATE_GOLDEN=1 rewrites them, and the commit names it)."""
    files = _golden_files()
    if os.environ.get("SRMKIT_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in GOLDEN.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, data in files.items():
            (GOLDEN / name).write_bytes(data)
    assert {p.name for p in GOLDEN.iterdir()} == set(files), "run SRMKIT_UPDATE_GOLDEN=1"
    for name, data in files.items():
        golden = (GOLDEN / name).read_bytes()
        if golden != data:
            was, now = golden.decode().splitlines(), data.decode().splitlines()
            first = next(
                (i for i, (a, b) in enumerate(zip(was, now, strict=False)) if a != b),
                min(len(was), len(now)),
            )
            pytest.fail(f"{name} differs from line {first + 1}: run SRMKIT_UPDATE_GOLDEN=1")
