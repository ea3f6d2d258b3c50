"""A purged program's files: which go, what is written in their place, and reading it back.

`rmentor purge` turns a finished program into an archive (`model.archive`). This
module does the file side of it:

- `purge_plan` (no I/O) sorts the program's files: what is rewritten (program.yaml,
  meetings.csv, state/pairings.toml), what is written new (state/archive.toml), what
  is removed (roster files, survey exports, the rest of state/, out/, earlier
  cohorts' pairings files kept in the folder, temporary files of killed runs), what
  stays (templates/, .gitignore) and what purge leaves alone because it is not
  rmentor's (listed, for the coordinator).
- `apply_purge` carries the plan out as one step: every file that goes or is rewritten
  is first moved into `.rmentor-purge/` in the program folder (a rename: no copy, no
  new space), then the new files are written, state/archive.toml last, then the moved
  files are deleted. A failure on the way puts everything back. A run killed on the
  way leaves `.rmentor-purge/`: the next purge finishes it if state/archive.toml was
  written, and puts everything back otherwise (`recover`).
- `read_standing`: an archived program's figures, for a later report's cohorts.
- `read_history`: an earlier cohort's pairs for the no-repeat rule, whether the file is
  a pairings file as `match` writes it or as `purge` leaves it (pseudonyms, matched
  back through the later roster's ids).
"""

from __future__ import annotations

import csv
import io
import json
import os
import posixpath
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w

from ..errors import InvalidProgram, Location, RmentorError, error
from ..model.archive import (
    ARCHIVE_VERSION,
    PSEUDONYM_SCHEME,
    Archive,
    ArchivedGoal,
    Standing,
    pseudonym,
)
from ..model.config import ProgramConfig
from ..model.pairings import Pairing
from .layout import (
    ARCHIVE_FILE,
    MEETINGS_FILE,
    OUT_DIR,
    PAIRINGS_FILE,
    PROGRAM_FILE,
    PURGE_TRASH_DIR,
    STATE_DIR,
    TEMPLATES_DIR,
)
from .meetings import neutralise
from .output import write_bytes_atomic
from .state import FORMAT_VERSION, load_toml, parse_pairings, read_state_text, toml_date

KEPT_FILES = (".gitignore",)  # besides templates/: nothing personal, and useful later
_SKIPPED = (".git", PURGE_TRASH_DIR)  # never listed: the repository, a purge under way


@dataclass(frozen=True)
class PurgePlan:
    """What a purge does to the program folder (paths relative to it, with `/`)."""

    writes: Mapping[str, bytes]  # in this order; state/archive.toml last
    rewritten: tuple[str, ...]  # of `writes`, those that exist now
    removed: tuple[str, ...]  # files, or whole folders (out/)
    kept: tuple[str, ...]  # left as they are: not personal
    left_alone: tuple[str, ...]  # not rmentor's to judge: the coordinator checks them
    outside: tuple[str, ...]  # roster or survey files outside the folder, not touched


# -- what to write -------------------------------------------------------------------------


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def program_yaml_text(archive: Archive, config: ProgramConfig) -> str:
    """The purged program.yaml: the program's name, organizer and dates, its topics."""
    info = config.program
    lines = [
        f"# {info.name}: purged by `rmentor purge` on {archive.purged.isoformat()}.",
        "# Its personal data is gone; what remains serves the programs that come later:",
        f"#   {ARCHIVE_FILE:<20} the report's figures (a later evaluation.compare)",
        f"#   {PAIRINGS_FILE:<20} who was paired, as pseudonyms (a later matching.history)",
        f"#   {MEETINGS_FILE:<20} the meeting log without notes, pairs as pseudonyms",
        "program:",
        f"  name: {_yaml_text(info.name)}",
        f"  organization: {_yaml_text(info.organization)}",
        f"  leader: {{name: {_yaml_text(info.leader.name)}}}",
        f"  start: {info.start.isoformat()}",
        f"  end: {info.end.isoformat()}",
        f"  timezone: {_yaml_text(info.timezone)}",
        "roster:",
        "  files: []",
    ]
    if config.topics:
        lines.append("topics:")
        lines += [
            f"  - {{id: {_yaml_text(t.id)}, title: {_yaml_text(t.title)}}}" for t in config.topics
        ]
    return "\n".join(lines) + "\n"


def pairings_toml_text(archive: Archive) -> str:
    """The purged state/pairings.toml: the usual shape, people as pseudonyms, the salt."""
    header = (
        f"# Written by `rmentor purge` on {archive.purged.isoformat()}. People are named by\n"
        "# pseudonyms: HMAC-SHA256 of their id, keyed by the salt below (first 32 hex\n"
        "# digits). A later program that names this file under matching.history matches\n"
        "# its own roster's ids back through the salt, so no pair is formed again.\n\n"
    )
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "purged": {
            "date": archive.purged,
            "scheme": PSEUDONYM_SCHEME,
            "salt": archive.salt,
        },
        "pairs": {},
    }
    for pair in archive.pairs:
        table: dict[str, Any] = {
            "mentor": pair.mentor,
            "mentee": pair.mentee,
            "status": pair.status,
            "since": pair.since,
        }
        if pair.ended is not None:
            table["ended"] = pair.ended
        document["pairs"][pair.id] = table
    return header + tomli_w.dumps(document)


def archive_toml_text(archive: Archive) -> str:
    """state/archive.toml: the report's figures as shown (hidden ones listed, not given)."""
    standing = archive.standing
    header = (
        f"# Written by `rmentor purge` on {archive.purged.isoformat()}: what the report of\n"
        f"# {standing.name} showed as of {standing.as_of.isoformat()}. Every figure passed the\n"
        "# program's anonymity threshold; the hidden ones are named, without a value.\n"
        "# A later program's evaluation.compare that names this folder shows them.\n\n"
    )
    goals = []
    for goal in standing.goals:
        table: dict[str, Any] = {
            "id": goal.id,
            "description": goal.description,
            "metric": goal.metric,
            "target": goal.target,
            "status": goal.status,
        }
        if goal.value is not None:
            table["value"] = goal.value
        if goal.projected is not None:
            table["projected"] = goal.projected
        if goal.role is not None:
            table["role"] = goal.role
        if goal.topic is not None:
            table["topic"] = goal.topic
        goals.append(table)
    document: dict[str, Any] = {
        "version": ARCHIVE_VERSION,
        "name": standing.name,
        "organization": standing.organization,
        "start": standing.start,
        "end": standing.end,
        "as_of": standing.as_of,
        "purged": archive.purged,
        "anonymity_threshold": standing.threshold,
        "hidden_metrics": sorted(m for m, v in standing.metrics.items() if v is None),
        "metrics": {m: v for m, v in sorted(standing.metrics.items()) if v is not None},
        "answers": dict(sorted(standing.answers.items())),
        "goals": goals,
    }
    return header + tomli_w.dumps(document)


def meetings_csv_text(archive: Archive, separator: str) -> str:
    """The purged meetings.csv: pair (pseudonymous), date, status, minutes, topics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pair", "date", "status", "minutes", "topics"])
    for m in archive.meetings:
        minutes = "" if m.minutes is None else str(m.minutes)
        cells = [m.pair, m.date.isoformat(), m.status, minutes, separator.join(m.topics)]
        writer.writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


# -- which files go ------------------------------------------------------------------------


def _relative(name: str) -> str | None:
    """A file named in program.yaml as a path inside the folder (`/`), or None if outside."""
    path = posixpath.normpath(name.replace("\\", "/"))
    if PurePosixPath(path).is_absolute() or path == ".." or path.startswith("../"):
        return None
    return path


def _temporary(name: str) -> bool:
    """A temporary file a killed run of rmentor left (`.<name>.<random>….tmp`): it may hold
    a copy of a roster row or a meeting note."""
    return name.startswith(".") and name.endswith(".tmp")


def purge_plan(config: ProgramConfig, archive: Archive, existing: Iterable[str]) -> PurgePlan:
    """Sort the program's files (`existing`, relative, with `/`) into what purge does."""
    files = sorted(set(existing))
    named = [*config.roster.paths, *(s.file for s in config.evaluation.surveys)]
    outside = tuple(sorted({n for n in named if _relative(n) is None}))
    # Earlier cohorts' pairings files copied into this folder hold their people's ids;
    # this program has no further use for them (the next one names its own history).
    named += config.matching.history
    personal = {p for n in named if (p := _relative(n)) is not None}
    writes = {
        PROGRAM_FILE: program_yaml_text(archive, config).encode("utf-8"),
        PAIRINGS_FILE: pairings_toml_text(archive).encode("utf-8"),
    }
    if MEETINGS_FILE in files or archive.meetings:
        separator = config.roster.list_separator
        writes[MEETINGS_FILE] = meetings_csv_text(archive, separator).encode("utf-8")
    writes[ARCHIVE_FILE] = archive_toml_text(archive).encode("utf-8")  # last: see apply_purge
    removed: list[str] = []
    kept: list[str] = []
    left_alone: list[str] = []
    for path in files:
        top, leaf = path.split("/", 1)[0], path.rsplit("/", 1)[-1]
        if path in writes:
            continue
        if top == OUT_DIR:
            if OUT_DIR not in removed:
                removed.append(OUT_DIR)
        elif top == STATE_DIR or path in personal or _temporary(leaf):
            removed.append(path)
        elif top == TEMPLATES_DIR or path in KEPT_FILES:
            kept.append(path)
        else:
            left_alone.append(path)
    return PurgePlan(
        writes=writes,
        rewritten=tuple(p for p in writes if p in files),
        removed=tuple(removed),
        kept=tuple(kept),
        left_alone=tuple(left_alone),
        outside=outside,
    )


def program_files(folder: Path) -> list[str]:
    """Every file under the program folder (relative, with `/`), links as they are.

    The repository (.git) is not the program's to purge; a link to a folder is listed
    as one entry and never followed.
    """
    found: list[str] = []
    for root, folders, names in os.walk(folder):
        base = Path(root)
        if base == folder:
            folders[:] = [f for f in folders if f not in _SKIPPED]
        for name in sorted(folders):
            if (base / name).is_symlink():
                found.append((base / name).relative_to(folder).as_posix())
        found += [(base / name).relative_to(folder).as_posix() for name in names]
    return sorted(found)


# -- doing it ------------------------------------------------------------------------------


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _put_back(folder: Path, trash: Path) -> None:
    """Move every file in the trash back to its place (over any new file there)."""
    for root, folders, names in os.walk(trash, topdown=False):
        base = Path(root)
        for name in [*names, *(f for f in folders if (base / f).is_symlink())]:
            moved = base / name
            _move(moved, folder / moved.relative_to(trash))
    shutil.rmtree(trash)  # only empty folders are left in it now


def recover(folder: Path) -> str | None:
    """Finish or undo a purge that was killed on the way; what was done, or None.

    state/archive.toml is written last, so its presence says every new file is in place:
    the moved files are then deleted. Without it, they are put back.
    """
    trash = folder / PURGE_TRASH_DIR
    if not trash.is_dir():
        return None
    try:
        if (folder / ARCHIVE_FILE).is_file():
            shutil.rmtree(trash)
            return "finished an interrupted purge"
        _put_back(folder, trash)
    except OSError as exc:
        raise RmentorError(
            f"an interrupted purge left {trash} and it cannot be cleared ({exc.strerror}): "
            "move its files back into the program folder by hand"
        ) from None
    return "undid an interrupted purge"


def _remove_empty_parents(folder: Path, paths: Iterable[str]) -> None:
    for path in paths:
        parent = (folder / path).parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _undo(folder: Path, trash: Path, plan: PurgePlan) -> None:
    """Put the folder back as it was before `apply_purge` began."""
    for path in plan.writes:
        if path not in plan.rewritten:  # new: nothing to put back over it
            (folder / path).unlink(missing_ok=True)
    _put_back(folder, trash)


def apply_purge(folder: Path, plan: PurgePlan) -> None:
    """Carry out `plan` as one step (see the module docstring); the caller holds the lock.

    Raises `RmentorError` when a file cannot be moved or written, after putting every
    file back as it was (or, if even that fails, saying how the next run does it).
    """
    trash = folder / PURGE_TRASH_DIR
    try:
        trash.mkdir()  # an earlier run's trash is `recover`'s to clear, before the plan
    except OSError as exc:
        raise RmentorError(
            f"purge changed nothing: cannot create {trash} ({exc.strerror})"
        ) from None
    try:
        for path in (*plan.removed, *plan.rewritten):
            _move(folder / path, trash / path)
        for path, data in plan.writes.items():
            write_bytes_atomic(folder / path, data)
    except BaseException as exc:
        try:
            _undo(folder, trash, plan)
        except OSError as again:
            raise RmentorError(
                f"purge stopped half way ({exc}) and could not put every file back "
                f"({again.strerror}): run `rmentor purge` again, which puts back what is "
                f"left in {trash}"
            ) from None
        if isinstance(exc, OSError):
            reason = f"cannot move or write {exc.filename or folder} ({exc.strerror})"
        elif isinstance(exc, RmentorError):  # the writer's own words (a full disk, …)
            reason = str(exc)
        else:  # an interruption: everything is back, and it goes on up
            raise
        raise RmentorError(f"purge changed nothing: {reason}") from None
    shutil.rmtree(trash)
    _remove_empty_parents(folder, plan.removed)


# -- reading it back -----------------------------------------------------------------------


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"`{value}` is not a number")
    return float(value)


def _goal(table: Mapping[str, Any]) -> ArchivedGoal:
    value = table.get("value")
    projected = table.get("projected")
    return ArchivedGoal(
        id=str(table["id"]),
        description=str(table.get("description", table["id"])),
        metric=str(table["metric"]),
        target=_number(table["target"]),
        value=None if value is None else _number(value),
        status=str(table.get("status", "no data")),
        role=None if table.get("role") is None else str(table["role"]),
        topic=None if table.get("topic") is None else str(table["topic"]),
        projected=None if projected is None else _number(projected),
    )


def read_standing(folder: Path) -> Standing | None:
    """The figures a purged program kept (state/archive.toml); None if it was not purged.

    Raises `InvalidProgram` when the file is there but cannot be read.
    """
    path = folder / ARCHIVE_FILE
    if not path.is_file():
        return None
    label = str(path)
    text = read_state_text(path, label, "the archive")  # capped and checked as state is
    data = load_toml("" if text is None else text, label)
    try:
        metrics: dict[str, float | None] = {
            str(k): _number(v) for k, v in dict(data.get("metrics", {})).items()
        }
        metrics.update({str(m): None for m in data.get("hidden_metrics", [])})
        return Standing(
            name=str(data["name"]),
            organization=str(data.get("organization", "")),
            start=toml_date(data["start"]),
            end=toml_date(data["end"]),
            as_of=toml_date(data.get("as_of", data["end"])),
            threshold=int(data["anonymity_threshold"]),
            metrics=metrics,
            answers={str(k): int(v) for k, v in dict(data.get("answers", {})).items()},
            goals=tuple(_goal(g) for g in data.get("goals", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProgram([error(Location(label), f"incomplete or wrong: {exc}")]) from None


def read_history(folder: Path, name: str, ids: Iterable[str]) -> set[tuple[str, str]]:
    """An earlier cohort's (mentor, mentee) pairs, by the ids of this roster (`ids`).

    A pairings file as `match` writes it gives its pairs as they are. One that `purge`
    left names people by pseudonyms: each id of this roster is hashed with the file's
    salt, and a pair counts when both of its pseudonyms are found (a pair of people not
    on this roster cannot be formed anyway). A missing file gives no pairs. Raises
    `InvalidProgram` as `state.read_pairings` does.
    """
    # Read once, as `state.read_pairings` reads (size cap, regular files only, UTF-8),
    # and parsed as it parses; the text is needed again for the purged file's salt.
    text = read_state_text(folder / name, name, "the pairings file")
    if text is None:
        return set()
    pairs: Iterable[Pairing] = parse_pairings(text, name).pairs  # problems at their lines
    purged = load_toml(text, name).get("purged")
    if not isinstance(purged, dict):
        return {(p.mentor, p.mentee) for p in pairs}
    salt = purged.get("salt")
    if not isinstance(salt, str) or not salt:
        raise InvalidProgram([error(Location(name), "a purged pairings file without its salt")])
    known = {pseudonym(salt, person): person for person in ids}
    return {
        (known[p.mentor], known[p.mentee]) for p in pairs if p.mentor in known and p.mentee in known
    }
