"""Every file and folder name of a program folder, found in one place; the program lock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ProgramNotFound

PROGRAM_FILE = "program.yaml"
MEETINGS_FILE = "meetings.csv"
STATE_DIR = "state"
PAIRINGS_FILE = f"{STATE_DIR}/pairings.toml"
SCHEDULE_FILE = f"{STATE_DIR}/schedule.toml"
MAIL_FILE = f"{STATE_DIR}/mail.toml"  # what rmentor mail wrote and sent
ARCHIVE_FILE = f"{STATE_DIR}/archive.toml"  # a purged program's figures (rmentor purge)
PURGE_TRASH_DIR = ".rmentor-purge"  # what a purge moves away until it is done
TEMPLATES_DIR = "templates"  # the program's own templates, searched before the shipped ones
OUT_DIR = "out"
CALENDAR_DIR = "calendars"  # under the out folder
MAIL_DIR = "mail"  # under the out folder


def out_folder(folder: Path, out: Path | None = None) -> Path:
    """Where documents go: `--out`, or out/ in the program folder."""
    return out if out is not None else folder / OUT_DIR


def find_program(start: Path, explicit: Path | None = None) -> Path:
    """The program folder: `explicit`, or the nearest folder up from `start` with program.yaml."""
    if explicit is not None:
        folder = explicit.resolve()
        if folder.is_file() and folder.name == PROGRAM_FILE:
            return folder.parent
        if not (folder / PROGRAM_FILE).is_file():
            if (folder / PROGRAM_FILE).exists():  # a FIFO or a device: never opened
                raise ProgramNotFound(f"{PROGRAM_FILE} in {explicit} is not a regular file")
            raise ProgramNotFound(
                f"{explicit} has no {PROGRAM_FILE}: give the folder that holds it to "
                "--program, or start a program with `rmentor init DIR`"
            )
        return folder
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / PROGRAM_FILE).is_file():
            return folder
    raise ProgramNotFound(
        f"no {PROGRAM_FILE} in {start.resolve()} or any folder above it: cd into the "
        "program folder, pass --program DIR, or run `rmentor init DIR` to start one"
    )


@contextmanager
def program_lock(folder: Path, *, enabled: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on the program while loading, changing and writing its state.

    Two runs at once on one program wait for each other instead of both reading the
    old state and the last writer silently winning. The lock is taken on the program
    folder itself, so it creates no file: a command that stops on an error inside it
    has written nothing. `enabled=False` (e.g. --dry-run) takes no lock.
    """
    try:
        import fcntl
    except ImportError:  # Windows: atomic renames still prevent torn files
        fcntl = None  # type: ignore[assignment]
    if not enabled or fcntl is None:
        yield
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
