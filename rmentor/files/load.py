"""Finding and loading a program folder: program.yaml plus its roster.

`load_program` never raises for a problem in the user's files: it returns what it
could read and every problem found. `open_program` is what commands call: it
raises `InvalidProgram` with all problems when there is any error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import InvalidProgram, Location, Problem, ProgramNotFound, error, has_errors
from ..model.config import Contact, Participant, ProgramConfig, ProgramInfo, Topic
from .program_yaml import SourceMap, load_yaml
from .roster import load_roster
from .tables import suggest

PROGRAM_FILE = "program.yaml"


@dataclass(frozen=True)
class Program:
    """A loaded program: its folder, its definition, its people, and where each came from.

    `config` is None when program.yaml could not be read as YAML at all. A section
    with errors is named in `broken` and holds its defaults meanwhile, so that the
    checks of every other section (and the roster) still run.
    """

    folder: Path
    config: ProgramConfig | None
    where: SourceMap
    participants: tuple[Participant, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    broken: frozenset[str] = frozenset()  # program.yaml sections that had errors

    @property
    def ok(self) -> bool:
        """True when nothing in the folder is an error."""
        return self.config is not None and not has_errors(self.problems)


def find_program(start: Path, explicit: Path | None = None) -> Path:
    """The program folder: `explicit`, or the nearest folder up from `start` with program.yaml."""
    if explicit is not None:
        folder = explicit.resolve()
        if folder.is_file() and folder.name == PROGRAM_FILE:
            return folder.parent
        if not (folder / PROGRAM_FILE).is_file():
            raise ProgramNotFound(f"no {PROGRAM_FILE} in {explicit}")
        return folder
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / PROGRAM_FILE).is_file():
            return folder
    raise ProgramNotFound(
        f"no {PROGRAM_FILE} here or in any parent folder; "
        "run `rmentor init DIR` to start one, or pass --program DIR"
    )


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


def _lenient_topics(raw: Any, where: SourceMap) -> list[Topic]:
    """The topics that are valid on their own, when the section as a whole is not."""
    items = raw.get("topics") if isinstance(raw.get("topics"), list) else []
    return [t for t in (validate_section(Topic, item, where)[0] for item in items) if t]


def load_program(folder: Path) -> Program:
    """Read program.yaml and the roster; collect every problem, raise nothing."""
    path = folder / PROGRAM_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = error(Location(PROGRAM_FILE), f"cannot read {PROGRAM_FILE}: {exc.strerror}")
        return Program(folder, None, SourceMap(PROGRAM_FILE), problems=(problem,))
    raw, where, problems = load_yaml(data, PROGRAM_FILE)
    if raw is None:
        return Program(folder, None, where, problems=tuple(problems))
    if not isinstance(raw, dict):
        problems.append(
            error(
                Location(PROGRAM_FILE, 1, 1),
                "program.yaml must be a mapping of sections (program:, goals:, …)",
            )
        )
        return Program(folder, None, where, problems=tuple(problems))
    config, broken, found = load_config(raw, where)
    problems += found
    offices = {k: v.timezone for k, v in config.program.offices.items() if v.timezone}
    topics = _lenient_topics(raw, where) if "topics" in broken else list(config.topics)
    zone = config.program.timezone if "program" not in broken else "UTC"
    people: list[Participant] = []
    if "roster" not in broken:  # else we cannot know which files to read, or how
        people, found = load_roster(folder, config.roster, topics, where, zone, offices)
        problems += found
    return Program(folder, config, where, tuple(people), tuple(problems), broken)


def open_program(folder: Path) -> Program:
    """Load a program and run every check; raise `InvalidProgram` if any is an error."""
    from ..model.checks import check_program

    program = load_program(folder)
    problems = [*program.problems, *check_program(program)]
    if has_errors(problems) or program.config is None:
        raise InvalidProgram(problems)
    return replace(program, problems=tuple(problems))
