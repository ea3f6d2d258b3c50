"""Google and Microsoft Forms exports through the commands: validate, match, schedule,
report, with no edit beyond the mapping (issue 13). The folder is built by
tests/files/test_forms_exports.py in the exact shapes the tools write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.files.test_forms_exports import FINAL_NPS, FINAL_SATISFACTION, forms_program

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_forms_exports_validate_match_schedule_report(tmp_path: Path) -> None:
    folder = str(forms_program(tmp_path / "prog"))
    code, out = run("validate", "--program", folder, "--json")
    assert code == 0, out
    problems = json.loads(out)["problems"]
    assert not [p for p in problems if p["severity"] == "error"]

    code, out = run("match", "--program", folder, "--today", "2027-01-06", "--json")
    assert code == 0, out
    matched = json.loads(out)
    assert len(matched["pairs"]) == 4
    assert matched["unmatched"] == []
    mentors = {p["mentor"] for p in matched["pairs"]}
    assert mentors == {"E101", "E102", "E103", "E104"}  # not the response numbers 1-4
    assert {p["mentee"] for p in matched["pairs"]} == {"E201", "E202", "E203", "E204"}

    code, out = run("schedule", "--program", folder, "--today", "2027-01-06", "--json")
    assert code == 0, out
    sessions = json.loads(out)["sessions"]
    assert {s["pair"] for s in sessions} == {p["id"] for p in matched["pairs"]}

    code, out = run("report", "--program", folder, "--today", "2027-06-30", "--json")
    assert code == 0, out
    report = json.loads(out)
    surveys = report["surveys"]
    # the anonymous Microsoft survey: ten answers, each its own
    assert surveys["final"]["responses"] == 10
    assert surveys["final"]["anonymous"] == 10  # reported as such, not in the rate
    assert surveys["final"]["satisfaction"] == pytest.approx(FINAL_SATISFACTION)
    assert surveys["final"]["nps"] == pytest.approx(FINAL_NPS)
    assert surveys["final"]["response_rate"] == 0.0  # no one named: never above 100 %
    # the Google Sheet pre survey: frank's later answer, one stranger as anonymous
    assert surveys["pre"]["responses"] == 7
    assert surveys["pre"]["anonymous"] == 1
    assert surveys["pre"]["satisfaction"] == pytest.approx(4.0)
    assert surveys["pre"]["response_rate"] == pytest.approx(0.75)
    assert report["metrics"]["satisfaction"] == pytest.approx(FINAL_SATISFACTION)
