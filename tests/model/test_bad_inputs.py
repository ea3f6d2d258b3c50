"""The bad-inputs corpus: `rmentor validate` on every folder under tests/bad_inputs/.

Each case is a minimal program folder plus `expected.txt` (format: bad_inputs/README.md).
The case is copied to a temporary folder and validated through the real CLI, plain and
with `--json` (and with `--strict` when the case asks). Then the test checks the exit
code, that every expected problem line was printed, that nothing crashed, that problems
are sorted, and that validate wrote nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rmentor.cli.app import app

CASES_DIR = Path(__file__).resolve().parents[1] / "bad_inputs"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())

# `file:line:col: severity: message (hint)`, as `Problem.format` writes it.
PROBLEM_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): "
    r"(?P<severity>error|warning): (?P<message>.*)$"
)
# An expected line may stop after the severity: then it pins only the place.
EXPECTED_LINE = re.compile(r"^[^\s:][^:]*:\d+:\d+: (?:error|warning):(?: .*)?$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HEADER = re.compile(r"^#\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*?)\s*$")

# Plain text whatever the terminal: no colour codes in what we parse.
runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


@dataclass
class Expected:
    """What one case's expected.txt asks for."""

    lines: list[str] = field(default_factory=list)
    exit: int = 1
    strict_exit: int | None = None
    no_problems: bool = False
    absent: list[str] = field(default_factory=list)


def read_expected(case: Path) -> Expected:
    """Parse `expected.txt`: problem lines plus `# key: value` headers."""
    expected = Expected()
    text = (case / "expected.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if not line.startswith("#"):
            expected.lines.append(line)
            continue
        header = HEADER.match(line)
        if header is None:
            continue  # a comment
        key, value = header["key"], header["value"]
        if key == "exit":
            expected.exit = int(value)
        elif key == "strict-exit":
            expected.strict_exit = int(value)
        elif key == "problems":
            assert value == "none", f"{case.name}: unknown `# problems:` value {value!r}"
            expected.no_problems = True
        elif key == "absent":
            expected.absent.append(value)
    return expected


def build_workbooks(folder: Path) -> None:
    """Write the .xlsx files a case describes in workbook.json (see README)."""
    spec = folder / "workbook.json"
    if not spec.is_file():
        return
    from openpyxl import Workbook

    for name, book in json.loads(spec.read_text(encoding="utf-8")).items():
        if isinstance(book, list):
            book = {"rows": book}
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        if "sheet" in book:
            sheet.title = book["sheet"]
        for row in book["rows"]:
            sheet.append(row)
        workbook.save(folder / name)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (relative path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def validate(folder: Path, *options: str) -> Result:
    """Run `rmentor validate` on a folder through the real CLI."""
    return runner.invoke(app, ["validate", *options, "--program", str(folder)])


def output_lines(result: Result) -> list[str]:
    """Everything the command printed (stdout and stderr), without colour codes."""
    return ANSI.sub("", result.output).splitlines()


def problem_lines(result: Result) -> list[str]:
    """The printed lines that are problems."""
    return [line for line in output_lines(result) if PROBLEM_LINE.match(line)]


def order_key(line: str) -> tuple[str, int, int, int]:
    """The order problems must be printed in: file, line, column, errors first."""
    m = PROBLEM_LINE.match(line)
    assert m is not None
    rank = 0 if m["severity"] == "error" else 1
    return (m["file"], int(m["line"]), int(m["column"]), rank)


def json_lines(result: Result) -> list[str]:
    """The `validate --json` problems, written back as `file:line:col: ...` lines."""
    data = json.loads(result.stdout)
    lines = []
    for p in data["problems"]:
        assert set(p) >= {"file", "line", "column", "severity", "message"}, p
        text = f"{p['file']}:{p['line']}:{p['column']}: {p['severity']}: {p['message']}"
        if p.get("hint"):
            text += f" ({p['hint']})"
        lines.append(text)
    return lines


def assert_no_crash(result: Result, case: str) -> None:
    """A user's mistake must never show a traceback or the bug message."""
    text = result.output
    shown = f"{case}: output was:\n{text}"
    assert "Traceback" not in text, shown
    assert "hit a bug" not in text, shown
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (
            f"{case}: raised {result.exception!r}\n{text}"
        )


def missing(expected: list[str], printed: list[str]) -> list[str]:
    """Expected lines that no printed line starts with."""
    return [e for e in expected if not any(p.startswith(e) for p in printed)]


def assert_sorted(lines: list[str], what: str) -> None:
    """Problems come in file, line, column order, errors before warnings."""
    keys = [order_key(line) for line in lines]
    assert keys == sorted(keys), f"{what} are not sorted:\n" + "\n".join(lines)


def prepare(case: str, tmp_path: Path) -> Path:
    """A private copy of a case folder, with its workbooks built."""
    folder = tmp_path / case
    shutil.copytree(CASES_DIR / case, folder)
    build_workbooks(folder)
    return folder


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path) -> None:
    """validate reports the case's problems at the right place and writes nothing."""
    expected = read_expected(CASES_DIR / case)
    folder = prepare(case, tmp_path)
    before = snapshot(folder)

    result = validate(folder)
    assert_no_crash(result, case)
    printed = problem_lines(result)
    report = f"\n--- printed ---\n{result.output}"
    assert not missing(expected.lines, printed), (
        f"{case}: expected lines not printed: {missing(expected.lines, printed)}{report}"
    )
    for text in expected.absent:
        found = [line for line in output_lines(result) if text in line]
        assert not found, f"{case}: should not print {text!r}, but printed {found}{report}"
    if expected.no_problems:
        assert printed == [], f"{case}: expected no problems{report}"
    if expected.exit == 0:
        errors = [line for line in printed if ": error: " in line]
        assert errors == [], f"{case}: expected no errors{report}"
    assert result.exit_code == expected.exit, f"{case}: exit code {result.exit_code}{report}"
    assert_sorted(printed, f"{case}: printed problems")

    as_json = validate(folder, "--json")
    assert_no_crash(as_json, case)
    assert as_json.exit_code == expected.exit, f"{case}: --json exit code {as_json.exit_code}"
    from_json = json_lines(as_json)
    assert not missing(expected.lines, from_json), (
        f"{case}: expected lines missing from --json: {missing(expected.lines, from_json)}\n"
        + "\n".join(from_json)
    )
    assert_sorted(from_json, f"{case}: --json problems")
    # The two forms tell the same story (a message may span lines when printed).
    assert {line.splitlines()[0] for line in from_json} == set(printed), case
    assert json.loads(as_json.stdout)["ok"] is (expected.exit == 0), case

    if expected.strict_exit is not None:
        strict = validate(folder, "--strict")
        assert_no_crash(strict, case)
        assert strict.exit_code == expected.strict_exit, (
            f"{case}: --strict exit code {strict.exit_code}\n{strict.output}"
        )

    assert snapshot(folder) == before, f"{case}: validate changed the program folder"


def test_corpus_shape() -> None:
    """The corpus is big enough, and every case is a program with expectations."""
    assert len(CASES) >= 24
    for case in CASES:
        folder = CASES_DIR / case
        assert (folder / "program.yaml").is_file(), case
        expected = read_expected(folder)
        assert expected.lines or expected.exit == 0, f"{case}: expects nothing"
        for line in expected.lines:
            assert EXPECTED_LINE.match(line), f"{case}: not a problem line: {line!r}"


def test_many_problems_are_all_expected() -> None:
    """`many_problems` expects 5+ errors across program.yaml and the roster in one run."""
    expected = read_expected(CASES_DIR / "many_problems")
    errors = [line for line in expected.lines if ": error: " in line]
    assert len(errors) >= 5
    assert {line.split(":", 1)[0] for line in errors} >= {"program.yaml", "participants.csv"}


def test_unknown_column_warning_fails_only_with_strict() -> None:
    """The did-you-mean column case is a warning: exit 0, but 1 under --strict."""
    expected = read_expected(CASES_DIR / "unknown_column_did_you_mean")
    assert (expected.exit, expected.strict_exit) == (0, 1)
    assert all(": warning: " in line for line in expected.lines)
