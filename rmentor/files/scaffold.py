"""`rmentor init`: a new program folder, empty or a copy of the sample program."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..errors import FolderNotEmpty, RmentorError
from ..model.people import PARTICIPANT_FIELDS
from ..resources import sample_program_dir, templates_dir
from .output import write_text_atomic

GITIGNORE = (
    "# generated documents: rebuild them with `rmentor build`\nout/\n"
    "# left by a run that was killed while writing; the next run removes them\n"
    ".*.rmentor.tmp\n"
    "# files `rmentor purge` is removing; only there while it runs\n"
    ".rmentor-purge/\n"
)
# What never leaves the sample program when it is copied.
_SKIP = shutil.ignore_patterns("out", "__pycache__", "*.pyc", ".DS_Store")


def _yaml_text(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so any name is safe.
    return json.dumps(value)


def _check_target(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise RmentorError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()):
        hint = (
            f" (it holds a program already: cd {directory} and run `rmentor validate`)"
            if (directory / "program.yaml").is_file()
            else ""
        )
        raise FolderNotEmpty(
            f"{directory} is not empty; init writes only into a new or empty folder: "
            f"give a new folder's name{hint}"
        )


def program_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """A first program: starts on the Monday at least two weeks away, runs 24 weeks."""
    start = today + dt.timedelta(days=14)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)
    return start, start + dt.timedelta(weeks=24, days=-3)


def create_program(
    directory: Path, *, example: bool, name: str | None, today: dt.date
) -> list[str]:
    """Create the program folder; return the files written, relative to it."""
    _check_target(directory)
    if example:
        shutil.copytree(sample_program_dir(), directory, ignore=_SKIP, dirs_exist_ok=True)
        write_text_atomic(directory / ".gitignore", GITIGNORE)
        return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "init"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML; every user value passes through |yaml_text
    )
    env.filters["yaml_text"] = _yaml_text
    start, end = program_dates(today)
    title = name or directory.resolve().name.replace("-", " ").replace("_", " ").title()
    text = env.get_template("program.yaml.j2").render(name=title, start=start, end=end)
    write_text_atomic(directory / "program.yaml", text)
    write_text_atomic(directory / "participants.csv", ",".join(PARTICIPANT_FIELDS) + "\n")
    write_text_atomic(directory / ".gitignore", GITIGNORE)
    return [".gitignore", "participants.csv", "program.yaml"]
