"""Finding and loading a program folder: program.yaml plus its roster.

`load_program` never raises for a problem in the user's files: it returns what it
could read and every problem found. `open_program` is what commands call: it
raises `InvalidProgram` with all problems when there is any error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InvalidProgram, Location, Problem, ProgramNotFound, error, has_errors
from .model import Participant, ProgramConfig, RosterConfig, Topic
from .roster import load_roster
from .tables import suggest
from .yamlfile import SourceMap, load_yaml

PROGRAM_FILE = "program.yaml"


@dataclass(frozen=True)
class Program:
    """A loaded program: its folder, its definition, its people, and where each came from.

    `config` is None when program.yaml itself could not be read into the model;
    the roster is still read (with default settings) so its problems show too.
    """

    folder: Path
    config: ProgramConfig | None
    where: SourceMap
    participants: tuple[Participant, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

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
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"`{path}` must be one of {expected}, not `{err['input']}`", None
    return f"`{path}`: {message}", None


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


def validate_section(
    model: type[BaseModel], raw: Any, where: SourceMap, prefix: tuple[str | int, ...] = ()
) -> tuple[Any, list[Problem]]:
    """Validate raw YAML data against a model; map each error to its line and column."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = (*prefix, *(p for p in err["loc"] if isinstance(p, str | int)))
            message, hint = _describe({**err, "loc": loc}, ProgramConfig)
            at = where.key(*loc) if err["type"] == "extra_forbidden" else where.at(*loc)
            problems.append(error(at, message, hint))
        return None, problems


def _fallback_roster_settings(raw: Any, where: SourceMap) -> tuple[RosterConfig, list[Topic], str]:
    """Roster settings and topics read leniently, so roster problems show even when
    program.yaml has errors elsewhere."""
    section = raw if isinstance(raw, dict) else {}
    roster, _ = validate_section(RosterConfig, section.get("roster", {}), where)
    topics = []
    for item in section.get("topics") or []:
        topic, _ = validate_section(Topic, item, where)
        if topic is not None:
            topics.append(topic)
    info = section.get("program")
    zone = info.get("timezone") if isinstance(info, dict) else None
    return roster or RosterConfig(), topics, zone if isinstance(zone, str) else "UTC"


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
    config, found = validate_section(ProgramConfig, raw, where)
    problems += found
    if config is not None:
        roster, topics, zone = config.roster, list(config.topics), config.program.timezone
        offices = {k: v.timezone for k, v in config.program.offices.items() if v.timezone}
    else:
        roster, topics, zone = _fallback_roster_settings(raw, where)
        offices = {}
    people, found = load_roster(folder, roster, topics, where, zone, offices)
    problems += found
    return Program(folder, config, where, tuple(people), tuple(problems))


def open_program(folder: Path) -> Program:
    """Load a program and run every check; raise `InvalidProgram` if any is an error."""
    from .validate import check_program

    program = load_program(folder)
    problems = [*program.problems, *check_program(program)]
    if has_errors(problems) or program.config is None:
        raise InvalidProgram(problems)
    return Program(
        program.folder, program.config, program.where, program.participants, tuple(problems)
    )
