"""Read a scenario file's YAML into plain data, with the line of every value, within bounds.

PyYAML's C parser composes the node graph (ten times faster than a pure-Python reader: a
10,000-server file reads in under a second); srmkit then turns nodes into plain Python itself:

- scalars are resolved by the YAML 1.2 core schema (``true``/``false`` only, no sexagesimal
  numbers, dates stay text so that the schema checks them and reports a wrong date with its line);
- explicit tags (``!!python/object``, …) are refused: a scenario file is data, never code; a
  core tag on a value it cannot take (``!!float "abc"``) is an error with its line, not a crash;
- anchors and aliases are allowed, but the values they expand to are counted, so an alias bomb
  stops after :data:`MAX_VALUES` values instead of exhausting memory; nesting is limited too;
- a key given twice in one mapping is an error, as YAML says it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from srmkit.errors import EXIT_INVALID, SrmkitError

MAX_VALUES = 500_000
"""Values a scenario file may hold once YAML aliases are expanded (no alias bombs); 10,000
servers with every optional field take about 250,000."""
MAX_DEPTH = 20
"""Nesting levels a scenario file may use (the schema needs six)."""

Loc = tuple[str | int, ...]

STR, INT, FLOAT, BOOL, NULL = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
)
MAP, SEQ, MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema: the implicit types a reader of the file would expect.

    Resolutions are remembered per file: a large scenario repeats the same few words and
    numbers thousands of times (halves the read time of a 10,000-server file).
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]  # PyYAML is untyped
        memo: dict[tuple[str, Any], Any] = self.__dict__.setdefault("_memo", {})
        key = (value, implicit)
        tag = memo.get(key)
        if tag is None:
            tag = memo[key] = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


CORE: dict[str, tuple[re.Pattern[str], str, str]] = {
    tag: (re.compile(pattern), first, example)
    for tag, pattern, first, example in (
        (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF", "true or false"),
        (NULL, r"^(?:~|null|Null|NULL|)$", "~nN\0", "null"),
        (INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789", "a whole number"),
        (
            FLOAT,
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+.0123456789",
            "a number such as 1.5",
        ),
        (MERGE, r"^<<$", "<", "<<"),
    )
}
"""The YAML 1.2 core schema's implicit types: each tag's pattern, the first characters it can
start with, and what a value of it looks like (for messages)."""

for _tag, (_pattern, _first, _) in CORE.items():
    _CoreResolver.add_implicit_resolver(_tag, _pattern, list(_first))


class _PureLoader(Reader, Scanner, Parser, Composer, _CoreResolver):
    """Pure-Python parser and composer (PyYAML without libyaml): slower, same results."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreResolver.__init__(self)


def _loader(stream: str) -> Any:
    """libyaml's parser and composer when PyYAML has it, with the core-schema resolver."""
    if _CLoader is None:
        return _PureLoader(stream)
    return _CLoader(stream)


try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported from _yaml

    class _CLoaderClass(CParser, _CoreResolver):
        """libyaml's parser and composer with the core-schema resolver."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

    _CLoader: type | None = _CLoaderClass
except ImportError:  # PyYAML built without libyaml
    _CLoader = None


class YamlError(SrmkitError, ValueError):
    """The file is not YAML srmkit reads: ``line`` (1-based, or None) and ``path`` locate it."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, line: int | None, path: Loc = ()) -> None:
        super().__init__(message)
        self.message, self.line, self.path = message, line, path


@dataclass
class _Walk:
    lines: dict[Loc, int]
    values: int = 0


def _line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: ScalarNode, loc: Loc) -> Any:
    value = node.value
    tag = node.tag
    if tag == STR:
        return value
    core = CORE.get(tag)
    if core is not None and not core[0].match(value):  # an explicit tag on a value it cannot take
        short = tag.rsplit(":", 1)[-1]
        raise YamlError(
            f"!!{short} {value!r}"[:80] + f": the tag !!{short} takes {core[2]}; write the value "
            "without a tag",
            _line_of(node),
            loc,
        )
    if tag == NULL:
        return None
    if tag == BOOL:
        return value.lower() == "true"
    if tag == INT:
        text = value.replace("_", "")
        base = 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10
        return int(text[2:] if base != 10 else text, base)
    if tag == FLOAT:
        text = value.lower()
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return float(text)
    raise YamlError(
        f"YAML tags are not allowed ({tag}); a scenario file holds only text, numbers, "
        "true/false, lists and mappings",
        _line_of(node),
        loc,
    )


def _value(node: Node, loc: Loc, walk: _Walk) -> Any:
    walk.values += 1
    if walk.values > MAX_VALUES:
        raise YamlError(
            f"the file holds more than {MAX_VALUES:,} values once YAML anchors and aliases are "
            "expanded (10,000 servers with every field take about 250,000): use fewer aliases "
            "nested inside each other, or fewer values",
            _line_of(node),
            loc,
        )
    if len(loc) > MAX_DEPTH:
        raise YamlError(
            f"values nest more than {MAX_DEPTH} levels deep; a scenario needs six",
            _line_of(node),
            loc[:MAX_DEPTH],
        )
    if isinstance(node, ScalarNode):
        return _scalar(node, loc)
    if isinstance(node, SequenceNode):
        if node.tag != SEQ:
            raise YamlError(f"YAML tags are not allowed ({node.tag})", _line_of(node), loc)
        items = []
        for i, item in enumerate(node.value):
            walk.lines[(*loc, i)] = _line_of(item)
            items.append(_value(item, (*loc, i), walk))
        return items
    if isinstance(node, MappingNode):
        if node.tag != MAP:
            raise YamlError(f"YAML tags are not allowed ({node.tag})", _line_of(node), loc)
        return _mapping(node, loc, walk)
    raise YamlError("unsupported YAML node", _line_of(node), loc)  # pragma: no cover


def _mapping(node: MappingNode, loc: Loc, walk: _Walk) -> dict[str, Any]:
    out: dict[str, Any] = {}
    merged: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag == MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise YamlError("<< merges only mappings", _line_of(value_node), loc)
                for k, v in _mapping(source, loc, walk).items():
                    merged.setdefault(k, v)
            continue
        key = _value(key_node, loc, walk) if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str):
            shown = (
                repr(key_node.value) if isinstance(key_node, ScalarNode) else "a list or mapping"
            )
            raise YamlError(f"keys must be text, not {shown}"[:120], _line_of(key_node), loc)
        if key in out:
            raise YamlError(
                f"the key {key!r} is given twice in this mapping", _line_of(key_node), loc
            )
        walk.lines[(*loc, key)] = _line_of(key_node)
        out[key] = _value(value_node, (*loc, key), walk)
    return {**merged, **out}


def _hint(text: str, what: str, mark: Any) -> str:
    """Plain words for the YAML mistakes people make most."""
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return " (a tab: YAML indents with spaces only)"
    if "single document" in what:
        return " (a line '---' starts a second document: a scenario file is one document)"
    if "quoted scalar" in what and "end of stream" in what:
        return " (a quote is opened and never closed)"
    return ""


def read_yaml(text: str) -> tuple[Any, dict[Loc, int]]:
    """Plain data and the line of every key and list item (``()`` → the document).

    Raises
    ------
    YamlError
        Syntax errors, tags, alias bombs, excessive nesting and duplicate keys, with the line.
    """
    loader = _loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in str(exc.problem):
            mark = exc.context_mark  # where the unclosed quote or bracket opened
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        hint = _hint(text, what, mark)
        raise YamlError(
            f"YAML syntax error: {what}{hint}", mark.line + 1 if mark else None
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlError(
            f"the character U+{exc.character:04X} is not allowed in a YAML file"
            if isinstance(exc.character, int)
            else f"a character that is not allowed in a YAML file: {exc.reason}",
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", None) from None
    except RecursionError:
        raise YamlError(
            f"values nest too deeply to read; a scenario file nests at most {MAX_DEPTH} levels",
            None,
        ) from None
    finally:
        dispose: Callable[[], None] | None = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    walk = _Walk(lines={})
    if node is None:
        return None, walk.lines
    try:
        return _value(node, (), walk), walk.lines
    except RecursionError:
        raise YamlError(
            f"values nest too deeply to read; a scenario file nests at most {MAX_DEPTH} levels",
            None,
        ) from None
