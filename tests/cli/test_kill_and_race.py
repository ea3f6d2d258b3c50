"""Real processes: `kill -9` at moments spread over a run, and runs at the same time.

A killed run leaves each file as it was or as the run would have left it, never torn;
the next run removes its temporary files. Runs at the same time wait for each other
(the program lock): no meeting row is lost and the state stays readable.
"""

from __future__ import annotations

import csv
import io
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rmentor.files.load import open_program
from rmentor.files.output import stale_temps
from tests.cli.test_writes import BUILD, LOG, MATCH, PROGRAM, ROSTER, SCHEDULE

KILLS = 5  # moments per command, spread evenly over a clean run's length


def rmentor(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rmentor", *args, "--program", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> None:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, (out + err).decode()


def make(folder: Path) -> Path:
    folder.mkdir()
    (folder / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    (folder / "participants.csv").write_text(ROSTER, encoding="utf-8")
    return folder


def meeting_rows(folder: Path) -> list[list[str]]:
    path = folder / "meetings.csv"
    if not path.exists():
        return []
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]


@pytest.mark.parametrize(
    ("prepare", "command"),
    [((), MATCH), ((MATCH,), SCHEDULE), ((MATCH, SCHEDULE), LOG), ((), BUILD)],
    ids=["match", "schedule", "log", "build"],
)
def test_kill_9_never_leaves_a_torn_file(
    tmp_path: Path, prepare: tuple[tuple[str, ...], ...], command: tuple[str, ...]
) -> None:
    folder = make(tmp_path / "program")
    for step in prepare:
        finish(rmentor(folder, *step))
    log = folder / "meetings.csv"
    before = log.read_bytes() if log.exists() else None
    before_rows = meeting_rows(folder)
    timing = tmp_path / "timing"
    shutil.copytree(folder, timing)
    started = time.monotonic()
    finish(rmentor(timing, *command))
    length = time.monotonic() - started
    for k in range(1, KILLS + 1):
        process = rmentor(folder, *command)
        time.sleep(length * k / (KILLS + 1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert open_program(folder).ok  # every file still reads, without an error
        now = log.read_bytes() if log.exists() else None
        if now != before:  # a log that got through: whole, one row; undo it to kill again
            assert now is not None
            assert len(meeting_rows(folder)) == len(before_rows) + 1
            assert now.startswith(before or b"")
            log.unlink() if before is None else log.write_bytes(before)
    finish(rmentor(folder, *command))
    assert list(stale_temps([folder])) == []


def test_runs_at_the_same_time_lose_nothing(tmp_path: Path) -> None:
    folder = make(tmp_path / "program")
    finish(rmentor(folder, *MATCH))
    finish(rmentor(folder, *SCHEDULE))
    days = [f"2027-01-{day:02d}" for day in range(12, 16)]
    logs = [
        rmentor(folder, "log", pair, "--date", day, "--status", "held", "-q")
        for day in days
        for pair in ("m1", "m2")
    ]
    others = [rmentor(folder, *BUILD), rmentor(folder, *SCHEDULE)]
    for process in logs + others:
        finish(process)
    rows = meeting_rows(folder)
    assert len(rows) == 2 * len(days)  # every append kept
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        (pair, day) for day in days for pair in {p.id for p in open_program(folder).pairings.active}
    )
    assert open_program(folder).ok
    assert list(stale_temps([folder])) == []
