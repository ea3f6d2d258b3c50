"""End-to-end through the command line, as a coordinator uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor import __version__
from rmentor.cli.app import app
from tests.conftest import REPO, MakeProgram, snapshot

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_grouped_help() -> None:
    code, out, _ = run("--version")
    assert (code, out.strip()) == (0, f"rmentor {__version__}")
    code, out, _ = run("--help")
    assert code == 0
    assert "Set up" in out
    assert "validate" in out
    assert "init" in out


def test_no_arguments_shows_help() -> None:
    code, out, err = run()
    assert code == 2
    assert "Usage" in out + err


def test_init_creates_a_valid_empty_program(tmp_path: Path) -> None:
    target = tmp_path / "spring-cohort"
    code, out, _ = run("init", str(target), "--today", "2026-11-22")
    assert code == 0, out
    assert sorted(p.name for p in target.iterdir()) == [
        ".gitignore",
        "participants.csv",
        "program.yaml",
    ]
    assert {"out/", ".*.rmentor.tmp"} <= set((target / ".gitignore").read_text().splitlines())
    assert (target / "participants.csv").read_text().startswith("id,name,email,role,")
    text = (target / "program.yaml").read_text()
    assert 'name: "Spring Cohort"' in text
    assert "start: 2026-12-07" in text  # the Monday at least two weeks after --today
    assert "end: 2027-05-21" in text  # a Friday, 24 weeks on
    code, out, _ = run("validate", "--program", str(target))
    assert code == 0, out
    assert "0 errors" in out
    assert "the roster has no participants yet" in out


def test_init_name_is_yaml_safe(tmp_path: Path) -> None:
    target = tmp_path / "p"
    code, _, _ = run("init", str(target), "--name", 'Q1: "Fluency" #1\nx: y')
    assert code == 0
    code, out, _ = run("validate", "--program", str(target))
    assert code == 0, out


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run("init", str(tmp_path))
    assert code == 1
    assert "is not empty" in err
    assert snapshot(tmp_path) == {"notes.txt": b"mine"}


def test_init_example_then_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x"
    code, out, _ = run("init", str(target), "--example")
    assert code == 0, out
    assert (target / "program.yaml").is_file()
    assert "out/" in (target / ".gitignore").read_text()
    monkeypatch.chdir(target)
    code, out, _ = run("validate", "--strict")
    assert code == 0, out
    assert "The program is valid (0 errors, 0 warnings)" in out


def test_program_is_found_by_walking_up(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deeper = sample / "feedback" / "deeper"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    code, out, _ = run("validate")
    assert code == 0, out
    code, out, _ = run("--program", str(sample), "validate")
    assert code == 0, out


def test_no_program_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("validate")
    assert code == 1
    assert "or any folder above it" in err
    assert "cd into the program folder" in err
    assert "Traceback" not in err
    code, _, err = run("validate", "--program", str(tmp_path / "nowhere"))
    assert code == 1
    assert "there is no such folder" in err


def test_validate_json(make_program: MakeProgram) -> None:
    folder = make_program(**{"participants.csv": "id,name,role,level\nM1,Ann,mentor,high\n"})
    code, out, _ = run("validate", "--json", "--program", str(folder))
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    (problem,) = [p for p in data["problems"] if p["severity"] == "error"]
    assert {k: problem[k] for k in ("file", "line", "column", "severity")} == {
        "file": "participants.csv",
        "line": 2,
        "column": 4,
        "severity": "error",
    }
    assert problem["message"] == "level: `high` is not a whole number"
    assert data["summary"]["participants"] == 1  # the person stays; only the value is wrong


def test_warnings_fail_only_with_strict(make_program: MakeProgram) -> None:
    roster = "id,name,role,intrests\nM1,Ann,mentor,\nS1,Bo,mentee,\n"
    folder = make_program(**{"participants.csv": roster})
    code, out, _ = run("validate", "--program", str(folder))
    assert code == 0
    assert (
        "participants.csv:1:4: warning: column `intrests` is not a known field and is kept as "
        "an extra column (did you mean `interests`?)"
    ) in out
    code, _, err = run("validate", "--strict", "--program", str(folder))
    assert code == 1
    assert "validation failed: 0 errors, 1 warning" in err


def test_hostile_text_is_printed_as_data(make_program: MakeProgram) -> None:
    roster = 'id,name,role\nM1,"[bold red]x[/] <script>{{7*7}}",boss\n'
    folder = make_program(**{"participants.csv": roster})
    code, out, _ = run("validate", "--program", str(folder))
    assert code == 1
    assert "role is `boss`" in out
    folder2 = make_program(**{"participants.csv": "id,name,role\n[/],Ann,[bold]\n"})
    code, out, _ = run("validate", "--program", str(folder2))
    assert "role is `[bold]`" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_a_bug_is_reported_as_a_bug(monkeypatch: pytest.MonkeyPatch, sample: Path) -> None:
    import rmentor.cli.steps

    def explode(folder: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(rmentor.cli.steps, "validate_program", explode)
    code, _, err = run("validate", "--program", str(sample))
    assert code == 70
    assert "rmentor hit a bug: RuntimeError: boom" in err
    assert "Traceback" not in err
    code, _, err = run("--debug", "validate", "--program", str(sample))
    assert code == 70
    assert "Traceback" in err


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rmentor", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"rmentor {__version__}"


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    first_screen = readme.split("---")[0]
    commands = [line for line in first_screen.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    install_and_run, test_command = commands
    assert "rmentor init my-program --example && cd my-program && rmentor build" in install_and_run
    assert test_command in ci.splitlines()


def test_quiet_prints_only_problems(sample: Path) -> None:
    code, out, err = run("validate", "--quiet", "--program", str(sample))
    assert (code, out, err) == (0, "", "")
