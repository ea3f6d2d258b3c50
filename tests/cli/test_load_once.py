"""A build reads each file of the program once: load the program, then hand it on.

Counted with an audit hook (PEP 578): every `open` in the process raises the audit event
"open" with (path, mode, flags) - `open()`/`Path.read_text` give a mode string, `os.open`
gives None and the flags. openpyxl reads a workbook through zipfile, which opens the path,
so a survey workbook counts like any other file.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from rmentor.cli.app import app

runner = CliRunner()

TODAY = "2027-01-04"
INPUTS = ("program.yaml", "participants.csv", "meetings.csv")
FEEDBACK = "feedback"
STATE_FILES = ("state/pairings.toml", "state/schedule.toml")
STATE_READS_ALLOWED = 2  # the load, and the comparison before an atomic write
IGNORED_FOLDERS = ("out", "templates")
LOCK = "state/.lock"

# Audit hooks cannot be removed: one hook for the whole test session, which records only
# while a list is pushed on _RECORDING.
Opened = tuple[object, object, object]
_RECORDING: list[list[Opened]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _RECORDING:
        _RECORDING[-1].append((args[0], args[1], args[2]))


sys.addaudithook(_audit)


def is_read(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return not any(c in mode for c in "wax")
    return isinstance(flags, int) and not flags & (os.O_WRONLY | os.O_RDWR)


def is_temporary(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return name.endswith((".tmp", "~")) or (name.startswith(".") and ".tmp" in name)


def program_file(path: object, folder: str) -> str | None:
    """The path relative to the program folder, or None when it is outside or ignored."""
    if isinstance(path, int) or path is None:
        return None  # an open file descriptor (os.fdopen): its path was counted by os.open
    try:
        name = os.fsdecode(os.fspath(path))  # type: ignore[arg-type]
    except TypeError:
        return None
    full = os.path.realpath(name)
    if not full.startswith(folder + os.sep):
        return None
    relative = Path(os.path.relpath(full, folder)).as_posix()
    if relative.split("/")[0] in IGNORED_FOLDERS or relative == LOCK or is_temporary(relative):
        return None
    return relative


def count_opens(opened: list[Opened], folder: Path) -> dict[str, Counter[str]]:
    """Opens per file of the program folder: {"read": ..., "write": ...}."""
    root = os.path.realpath(folder)
    counts: dict[str, Counter[str]] = {"read": Counter(), "write": Counter()}
    for path, mode, flags in opened:
        relative = program_file(path, root)
        if relative is not None:
            counts["read" if is_read(mode, flags) else "write"][relative] += 1
    return counts


def test_build_reads_every_input_once(sample: Path) -> None:
    feedback = sorted(
        p.relative_to(sample).as_posix() for p in (sample / FEEDBACK).rglob("*") if p.is_file()
    )
    inputs = [*INPUTS, *feedback]
    assert all((sample / name).is_file() for name in inputs), inputs
    assert any(name.endswith(".xlsx") for name in feedback)
    assert not (sample / "state").exists()  # a fresh build: it matches first

    opened: list[Opened] = []
    _RECORDING.append(opened)
    try:
        result = runner.invoke(
            app, ["build", "--today", TODAY, "--format", "md", "--program", str(sample)]
        )
    finally:
        _RECORDING.remove(opened)
    assert result.exit_code == 0, result.stdout + result.stderr

    counts = count_opens(opened, sample)
    reads, writes = counts["read"], counts["write"]
    shown = {kind: dict(sorted(c.items())) for kind, c in counts.items()}
    not_once = {name: reads[name] for name in inputs if reads[name] != 1}
    assert not not_once, f"inputs not opened exactly once for reading: {not_once}\n{shown}"
    state = {name: reads[name] for name in STATE_FILES if reads[name] > STATE_READS_ALLOWED}
    assert not state, (
        f"state files opened more than {STATE_READS_ALLOWED}x for reading: {state}\n{shown}"
    )
    written = {name: writes[name] for name in inputs if writes[name]}
    assert not written, f"build wrote to its inputs: {written}\n{shown}"


def test_counting_tells_reads_writes_and_ignored_files(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    (folder / "state").mkdir(parents=True)
    (folder / "program.yaml").write_text("x")
    opened: list[Opened] = []
    _RECORDING.append(opened)
    try:
        (folder / "program.yaml").read_text()
        (folder / "state" / "pairings.toml").write_text("y")
        fd = os.open(folder / "state" / "pairings.toml", os.O_RDONLY)
        os.close(fd)
        (folder / "state" / ".pairings.toml.abc.tmp").write_text("z")
        (folder / "out").mkdir()
        (folder / "out" / "index.md").write_text("z")
        (tmp_path / "elsewhere.txt").write_text("z")
    finally:
        _RECORDING.remove(opened)
    counts = count_opens(opened, folder)
    assert counts["read"] == {"program.yaml": 1, "state/pairings.toml": 1}
    assert counts["write"] == {"state/pairings.toml": 1}
