"""A strict YAML reader for program.yaml.

PyYAML implements YAML 1.1, whose implicit types surprise people: `NO` (Norway)
becomes `False`, `10:30` becomes 630, `2027-02-30` crashes the date constructor.
Here only the PyYAML *composer* is used; scalars are typed by a small, explicit
rule set (null, true/false, integers, decimals, everything else text), and the
model decides what a text means (a date, a time). Anchors, aliases and tags other
than `!!str` are refused, duplicate keys are errors, and every value's position
is kept so that later checks can point at the right line and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import Location, Problem, error

MAX_BYTES = 1_000_000  # a program definition is a few KB; refuse anything absurd

Path = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# No leading zeros: "007" stays text (an id), as a person reads it.
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)$")
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class SourceMap:
    """Where each value (and each mapping key) of a YAML document stands."""

    file: str
    values: Mapping[Path, Location] = field(default_factory=dict)
    keys: Mapping[Path, Location] = field(default_factory=dict)

    def at(self, *path: str | int) -> Location:
        """The location of the value at `path`, or of its nearest known parent."""
        for end in range(len(path), -1, -1):
            loc = self.values.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return Location(self.file, 1, 1)

    def key(self, *path: str | int) -> Location:
        """The location of the key that introduces `path` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.at(*path)


class _Refused(Exception):
    def __init__(self, mark: Any, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


class _Loader(yaml.SafeLoader):
    """Composes nodes only, refusing anchors, aliases and unexpected tags up front."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                f"aliases are not allowed (`*{event.anchor}`)",
                "write the value out in full",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(
                event.start_mark,
                f"anchors are not allowed (`&{anchor}`)",
                "write each value out in full",
            )
        tag = getattr(event, "tag", None)
        explicit = tag not in (None, "!")
        if explicit and tag != _STR_TAG:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, f"YAML tags are not allowed (`{shown}`)")
        node: Any = super().compose_node(parent, index)
        node.explicit_str = explicit  # `!!str 10:30` is text whatever it looks like
        return node


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style is not None or getattr(node, "explicit_str", False):
        return value  # quoted or tagged: always text
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.values[path] = _loc(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(error(key_loc, "a key must be a plain name"))
                continue
            key = str(_scalar(key_node)) if key_node.value != "" else ""
            if key == "":
                self.problems.append(error(key_loc, "empty key"))
                continue
            if key in first_seen:
                dotted = ".".join(str(p) for p in (*path, key))
                self.problems.append(
                    error(
                        key_loc,
                        f"duplicate key `{dotted}` (first at line {first_seen[key].line})",
                        "keep one of them",
                    )
                )
                continue
            first_seen[key] = key_loc
            self.keys[(*path, key)] = key_loc
            result[key] = self.build(value_node, (*path, key))
        return result


def load_yaml(data: bytes, file: str) -> tuple[Any, SourceMap, list[Problem]]:
    """Parse one YAML document strictly; return (value, positions, problems).

    The value is None when the document could not be read at all.
    """
    top = Location(file, 1, 1)
    if len(data) > MAX_BYTES:
        return None, SourceMap(file), [error(top, f"file is larger than {MAX_BYTES:,} bytes")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return (
            None,
            SourceMap(file),
            [
                error(
                    Location(file, line, col),
                    f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                    "save the file as UTF-8",
                )
            ],
        )
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character the reader rejects
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"character U+{exc.character:04X} is not allowed in YAML"
        return None, SourceMap(file), [error(Location(file, line, col), message)]
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        return None, SourceMap(file), [error(_loc(file, exc.mark), exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(file, mark) if mark is not None else top
        what = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark is not None:
            what += f" ({exc.context} at line {exc.context_mark.line + 1})"
        return None, SourceMap(file), [error(where, f"YAML syntax: {what}")]
    except yaml.YAMLError as exc:
        return None, SourceMap(file), [error(top, f"YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, SourceMap(file), [error(top, "the file is empty")]
    builder = _Builder(file)
    value = builder.build(node, ())
    return value, SourceMap(file, builder.values, builder.keys), builder.problems
