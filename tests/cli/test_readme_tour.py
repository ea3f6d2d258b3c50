"""The README's ten-minute tour, run line by line as it stands (issue 16)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import REPO

SECTION = "## Ten minutes with the sample"


def tour_lines() -> list[str]:
    """The commands of the tour's shell block, comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(SECTION, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the tour has no ```sh block"
    lines = [line.split("#", 1)[0].strip() for line in block[1].splitlines()]
    return [line for line in lines if line]


def test_the_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = tour_lines()
    names = [line.split()[1] for line in lines if line.startswith("rmentor ")]
    # init → edit → validate → match → explain → schedule → build → log → status → report
    assert names == [
        "init", "validate", "match", "explain", "schedule", "build", "log", "status", "report",
    ]  # fmt: skip
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for line in lines:
        words = shlex.split(line)
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
            continue
        assert words[0] == "rmentor", line
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
    folder = tmp_path / "tour"
    assert (folder / "out" / "index.html").is_file()
    assert (folder / "out" / "report.html").is_file()
    assert "held,55" in (folder / "meetings.csv").read_text(encoding="utf-8")
