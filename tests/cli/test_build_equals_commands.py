"""`build` is the separate commands in order: the same state and the same documents.

Two copies of the sample program: one runs `build`, the other match, schedule, handouts,
packet and report one after another. Both must end with byte-identical state files and
documents; `build` adds only the index page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import SAMPLE, snapshot

runner = CliRunner()

TODAY = "2027-01-04"
STATE_FILES = ("state/pairings.toml", "state/schedule.toml")
ONLY_BUILD_WRITES = {"index.md"}

COMMANDS = (
    ("match", "--today", TODAY),
    ("schedule", "--today", TODAY),
    ("handouts", "--format", "md", "--today", TODAY),
    ("packet", "--format", "md", "--today", TODAY),
    ("report", "--format", "md", "--today", TODAY),
)


def copy_of_sample(target: Path) -> Path:
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out"))
    return target


def run(folder: Path, *args: str) -> None:
    result = runner.invoke(app, [*args, "--program", str(folder)])
    assert result.exit_code == 0, (
        f"rmentor {' '.join(args)} exited {result.exit_code}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )


def test_build_equals_the_commands_in_order(tmp_path: Path) -> None:
    built = copy_of_sample(tmp_path / "built")
    stepped = copy_of_sample(tmp_path / "stepped")
    run(built, "build", "--today", TODAY, "--format", "md")
    for command in COMMANDS:
        run(stepped, *command)

    for name in STATE_FILES:
        assert (built / name).read_bytes() == (stepped / name).read_bytes(), f"{name} differs"

    by_build, by_commands = snapshot(built / "out"), snapshot(stepped / "out")
    assert by_commands, "the commands wrote no documents"
    missing = sorted(set(by_commands) - set(by_build))
    assert not missing, f"written by the commands but not by build: {missing}"
    different = sorted(name for name in by_commands if by_build[name] != by_commands[name])
    assert not different, f"documents that differ between build and the commands: {different}"
    extra = set(by_build) - set(by_commands)
    assert extra == ONLY_BUILD_WRITES, f"written only by build: {sorted(extra)}"
