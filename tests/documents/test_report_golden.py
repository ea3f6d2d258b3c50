"""The sample program's evaluation report at the end of the program, as a golden file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import SAMPLE

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# Regenerate with:
#   RMENTOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents/test_report_golden.py
UPDATE = os.environ.get("RMENTOR_UPDATE_GOLDEN") == "1"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def ended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, set up at kickoff and reported on after its end."""
    folder = tmp_path_factory.mktemp("report") / "program"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    run("match", "--program", str(folder), "-q")
    run("schedule", "--today", "2027-01-04", "--program", str(folder), "-q")
    run("report", "--format", "md", "--today", "2027-06-30", "--program", str(folder), "-q")
    return folder


@pytest.mark.parametrize("name", ["report.md", "certificates/e1003.html"])
def test_golden_report(ended: Path, name: str) -> None:
    text = (ended / "out" / name).read_text(encoding="utf-8")
    golden = GOLDEN / name.replace("/", "__")
    if UPDATE or not golden.exists():
        golden.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} was missing and has been written")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_sample_report_has_real_content(ended: Path) -> None:
    text = (ended / "out" / "report.md").read_text(encoding="utf-8")
    # Every goal of the sample has a value at the end, and a verdict.
    assert "no data yet** |" not in text
    assert "| Pairs keep meeting | Attendance | 89 % | at least 80 % | **met** |" in text
    assert "Skill gain, mentees | \\+0.91 points" in text
    # Charts exist where the Markdown links them.
    for chart in ("attendance", "satisfaction", "skills", "goals"):
        assert f"](report-charts/{chart}.svg)" in text
        assert (ended / "out" / "report-charts" / f"{chart}.svg").read_text().startswith("<svg")
    assert "### Final survey" in text  # comments of the final survey shown
