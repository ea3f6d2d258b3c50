"""program.yaml: strict YAML, then section by section into the config, each error at its line.

PyYAML implements YAML 1.1, whose implicit types surprise people: `NO` (Norway)
becomes `False`, `10:30` becomes 630, `2027-02-30` crashes the date constructor.
Here only the PyYAML *composer* is used; scalars are typed by a small, explicit
rule set (null, true/false, integers, decimals, everything else text), and the
model decides what a text means (a date, a time). Anchors, aliases and tags other
than `!!str` are refused, duplicate keys are errors, and every value's position
is kept so that later checks can point at the right line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import KeyPath, Location, Problem, SourceMap, error
from ..model.config import Contact, ProgramConfig, ProgramInfo, Topic
from ..text import suggest
from .reading import PROGRAM_BYTES

MAX_BYTES = PROGRAM_BYTES  # a program definition is a few KB; refuse anything absurd
# A program.yaml is nested 5 deep and holds a few hundred values. The composer recurses
# once per level (a RecursionError near 1,000) and keeps every node in memory, so both
# are capped far above any real file and far below what would hurt.
MAX_DEPTH = 64
MAX_NODES = 50_000
# Python refuses to turn more than 4,300 digits into an int (a ValueError); no setting
# of rmentor needs more than a handful.
MAX_DIGITS = 100


_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# No leading zeros: "007" stays text (an id), as a person reads it.
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)$")
_STR_TAG = "tag:yaml.org,2002:str"


class _Refused(Exception):
    def __init__(self, mark: Any, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


class _Loader(yaml.SafeLoader):
    """Composes nodes only, refusing anchors, aliases, unexpected tags, deep nesting and
    too many values up front."""

    depth = 0
    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(
                event.start_mark,
                f"the file holds more than {MAX_NODES:,} values; at most {MAX_NODES:,} are read",
            )
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                event.start_mark,
                f"the YAML is nested more than {MAX_DEPTH} levels deep",
                "a program.yaml needs a handful of levels; is a bracket left open?",
            )
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
        self.depth += 1
        try:
            node: Any = super().compose_node(parent, index)
        finally:
            self.depth -= 1
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


def _too_long(node: yaml.ScalarNode) -> bool:
    """A plain scalar that would be an integer of more digits than MAX_DIGITS."""
    value: str = node.value
    plain = node.style is None and not getattr(node, "explicit_str", False)
    return plain and len(value) > MAX_DIGITS and _INT.match(value) is not None


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[KeyPath, Location] = {}
        self.keys: dict[KeyPath, Location] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.values[path] = _loc(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        if _too_long(node):
            digits = len(node.value.lstrip("+-"))
            self.problems.append(
                error(
                    self.values[path],
                    f"a number of {digits:,} digits; at most {MAX_DIGITS} are read",
                    "quote it if it is meant as text",
                )
            )
            return node.value[:12] + "…"  # what a later message may show of it
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(error(key_loc, "a key must be a plain name"))
                continue
            # a key is a name: digits too many to be a number are kept as they were written
            plain = _too_long(key_node) or key_node.value == ""
            key = key_node.value if plain else str(_scalar(key_node))
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


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    """What to do about a YAML syntax error, for the mistakes people make most."""
    problem = f"{exc.problem or ''} {exc.context or ''}"
    if "mapping values are not allowed" in problem:
        return 'a value holding ": " must be quoted, e.g. name: "Digital: Fluency"'
    if "\\t" in problem or "\t" in problem:
        return "indent with spaces, not tabs"
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else None
    if "expected ',' or '}'" in problem and opened:
        return f"close the {{ opened on line {opened} with }}"
    if "expected ',' or ']'" in problem and opened:
        return f"close the [ opened on line {opened} with ]"
    return "check the indentation and quotes of this line and the one above it"


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
        return None, SourceMap(file), [error(where, f"YAML syntax: {what}", _yaml_hint(exc))]
    except yaml.YAMLError as exc:
        return None, SourceMap(file), [error(top, f"YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, SourceMap(file), [error(top, "the file is empty")]
    builder = _Builder(file)
    value = builder.build(node, ())
    return value, SourceMap(file, builder.values, builder.keys), builder.problems


def _describe(err: Any, model: type[BaseModel]) -> tuple[str, str | None]:
    """A person's wording for one pydantic error (path in dots, what was wrong)."""
    loc = [p for p in err["loc"] if isinstance(p, str | int)]
    path = ".".join(str(p) for p in loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        hint = suggest(str(loc[-1]), parent.model_fields) if parent else None
        where = ".".join(str(p) for p in loc[:-1])
        return f"unknown key `{loc[-1]}`" + (f" in `{where}`" if where else ""), hint
    if kind == "missing":
        return f"`{path}` is required", None
    message = str(err["msg"]).removeprefix("Value error, ")
    shown = err.get("input")
    plain = _PLAIN.get(kind.split("_")[0]) if kind.endswith(("_type", "_parsing")) else None
    if plain is not None:
        return f"`{path}`: expected {plain}, not `{shown}`", None
    if kind == "too_long" or kind == "too_short":
        return f"`{path}`: {message.replace(' after validation', '')}", None
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"`{path}` must be one of {expected}, not `{err['input']}`", None
    return f"`{path}`: {message}", None


_PLAIN = {
    "int": "a whole number",
    "float": "a number",
    "string": "text",
    "bool": "true or false",
    "dict": "a mapping of `key: value`",
    "model": "a mapping of `key: value`",
    "list": "a list",
    "tuple": "a list",
}


def _model_at(model: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that sits at a path in ProgramConfig (for did-you-mean hints)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        annotation = fields[part].annotation
        current = _inner_model(annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def validate_section(
    annotation: Any, raw: Any, where: SourceMap, prefix: tuple[str | int, ...] = ()
) -> tuple[Any, list[Problem]]:
    """Validate raw YAML data against a type; map each error to its line and column."""
    try:
        return _adapter(annotation).validate_python(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = (*prefix, *(p for p in err["loc"] if isinstance(p, str | int)))
            message, hint = _describe({**err, "loc": loc}, ProgramConfig)
            at = where.key(*loc) if err["type"] == "extra_forbidden" else where.at(*loc)
            problems.append(error(at, message, hint))
        return None, problems


def _placeholder_info() -> ProgramInfo:
    # Stands in for a `program:` section with errors so that checks of the other
    # sections still run; checks that need the real one are skipped (`broken`).
    day = dt.date(2000, 1, 3)
    return ProgramInfo.model_construct(
        name="", organization="", leader=Contact(name=""), start=day, end=day
    )


def load_config(
    raw: dict[str, Any], where: SourceMap
) -> tuple[ProgramConfig, frozenset[str], list[Problem]]:
    """Validate program.yaml section by section.

    A section with errors is replaced by its defaults and named in the returned
    set, so that one typo does not hide the problems of every other section.
    """
    problems: list[Problem] = []
    fields = ProgramConfig.model_fields
    for key in raw:
        if key not in fields:
            problems.append(error(where.key(key), f"unknown section `{key}`", suggest(key, fields)))
    good: dict[str, Any] = {}
    broken: set[str] = set()
    for name, info in fields.items():
        if name not in raw:
            if info.is_required():
                problems.append(
                    error(Location(where.file, 1, 1), f"the `{name}:` section is required")
                )
                broken.add(name)
            continue
        value, found = validate_section(info.annotation, raw[name], where, (name,))
        problems += found
        if found:
            broken.add(name)
        else:
            good[name] = value
    if "program" in broken:
        good["program"] = _placeholder_info()
    return ProgramConfig.model_construct(**good), frozenset(broken), problems


def blank_config() -> tuple[ProgramConfig, frozenset[str]]:
    """Every section's defaults, all named broken: program.yaml could not be read at all."""
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in ProgramConfig.model_fields.items()
        if not info.is_required()
    }
    config = ProgramConfig.model_construct(**defaults, program=_placeholder_info())
    return config, frozenset(ProgramConfig.model_fields)


def lenient_topics(raw: Any, where: SourceMap) -> list[Topic]:
    """The topics that are valid on their own, when the section as a whole is not."""
    items = raw.get("topics") if isinstance(raw.get("topics"), list) else []
    return [t for t in (validate_section(Topic, item, where)[0] for item in items) if t]
