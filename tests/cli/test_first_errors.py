"""A new coordinator's first mistakes, each walked once through the command line (issue 16).

The README's tour, done the usual wrong ways: a wrong folder, a typo, a bad date, the
commands in the wrong order, an unknown id, a broken roster or program.yaml. Each
message must say what is wrong, where, and what to do; the exit code is 1 for the
user's files or an impossible request and 2 for wrong usage (a typo, a bad option
value, SPEC §2); nothing is written; never a traceback, never the bug exit (70).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rmentor.cli import console
from rmentor.cli.app import app
from tests.conftest import MATCH_DAY, snapshot

runner = CliRunner()

UNPAIRED = "E2103"  # a mentor the sample's match leaves without a partner
SAMPLE_END = "2027-06-30"


def rmentor(folder: Path | None, *args: str) -> Result:
    """`rmentor ARGS --program FOLDER` (no --program when `folder` is None)."""
    where = ["--program", str(folder)] if folder is not None else []
    return runner.invoke(app, [*args, *where])


def refused(result: Result, code: int, *words: str) -> str:
    """The run stopped with `code`, said each of `words`, and showed no bug."""
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert "Traceback" not in output
    assert "hit a bug" not in output
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"
    return output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the program folder ----------------------------------------------------------------------


def test_a_program_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = rmentor(tmp_path / "nope", "validate")
    refused(result, 1, "--program", "no such folder", "program.yaml", "rmentor init")
    assert list(tmp_path.iterdir()) == []


def test_a_program_folder_without_program_yaml(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = rmentor(tmp_path, "match", "--today", MATCH_DAY)
    refused(result, 1, str(tmp_path), "has no program.yaml", "give the folder", "rmentor init")
    assert snapshot(tmp_path) == {"notes.txt": b"mine"}


def test_a_file_given_as_the_program_folder(sample: Path) -> None:
    before = snapshot(sample)
    result = rmentor(sample / "participants.csv", "validate")
    refused(result, 1, "is a file, not a folder", "the folder that holds program.yaml")
    assert snapshot(sample) == before


def test_program_yaml_itself_names_its_folder(sample: Path) -> None:
    result = rmentor(sample / "program.yaml", "validate")
    assert result.exit_code == 0, result.output


def test_no_program_yaml_here_or_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = rmentor(None, "status")
    refused(
        result,
        1,
        "or any folder above it",
        "cd into the program folder",
        "rmentor init",
        "--program",
    )


# -- typos and bad option values (wrong usage: exit 2) ---------------------------------------


def test_a_misspelt_command_is_named_with_the_right_one() -> None:
    refused(runner.invoke(app, ["valdate"]), 2, "No such command 'valdate'", "validate")


def test_a_misspelt_option_is_named_with_the_right_one(sample: Path) -> None:
    before = snapshot(sample)
    result = rmentor(sample, "match", "--todya", MATCH_DAY)
    refused(result, 2, "--todya", "--today")
    assert snapshot(sample) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("match", "--today", "2027-13-01"), ("'--today'", "2027-13-01", "month")),
        (("status", "--today", "tomorrow"), ("'--today'", "tomorrow", "YYYY-MM-DD")),
        (("report", "--today", "01/03/2027"), ("'--today'", "01/03/2027", "2027-03-01")),
        (("build", "--today", "2027-02-30"), ("'--today'", "2027-02-30", "month")),
        (
            ("log", "E1003", "--date", "2027-02-30", "--status", "held"),
            ("'--date'", "2027-02-30", "month"),
        ),
    ],
)
def test_a_bad_date_names_its_option_before_any_work(
    sample: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    before = snapshot(sample)
    refused(rmentor(sample, *args), 2, *words)
    assert snapshot(sample) == before


def test_every_command_whose_output_depends_on_the_day_takes_today() -> None:
    import typer.main

    group = typer.main.get_command(app)
    dated = {"init", "match", "withdraw", "schedule", "handouts", "packet", "report", "build"}
    dated |= {"status", "mail", "purge"}
    for name in dated:
        command = group.commands[name]  # type: ignore[attr-defined]
        options = {o for p in command.params for o in p.opts}
        assert "--today" in options, name
    log = group.commands["log"]  # type: ignore[attr-defined]
    assert "--date" in {o for p in log.params for o in p.opts}


def test_a_wrong_format_is_refused_before_any_work(sample: Path) -> None:
    before = snapshot(sample)
    result = rmentor(sample, "build", "--format", "docx", "--today", MATCH_DAY)
    refused(result, 2, "'--format'", "docx", "use md, html or pdf")
    assert snapshot(sample) == before  # not even state/pairings.toml


def test_a_format_in_capitals_is_understood(matched: Path) -> None:
    result = rmentor(matched, "report", "--format", "MD", "--today", SAMPLE_END, "-q")
    assert result.exit_code == 0, result.output
    assert (matched / "out" / "report.md").is_file()


def test_a_misspelt_mail_kind_is_named(matched: Path) -> None:
    before = snapshot(matched)
    result = rmentor(matched, "mail", "--kind", "welcom", "--today", MATCH_DAY)
    refused(result, 2, "'--kind'", "welcom", "did you mean `welcome`?")
    assert snapshot(matched) == before


# -- commands in the wrong order -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("schedule", "--today", MATCH_DAY),
        ("log", "E1003", "--date", "2027-02-23", "--status", "held"),
        ("explain", "E1003"),
        ("packet", "--pair", "E1003", "--today", MATCH_DAY),
        ("withdraw", "E1003", "--today", MATCH_DAY),
        ("log", "--import", "feedback/fit-check.csv"),
    ],
)
def test_a_command_that_needs_pairs_before_match(sample: Path, args: tuple[str, ...]) -> None:
    before = snapshot(sample)
    refused(rmentor(sample, *args), 1, "no pairs yet", "rmentor match")
    assert snapshot(sample) == before


def test_status_before_match_says_what_to_run(sample: Path) -> None:
    result = rmentor(sample, "status", "--today", "2027-03-01")
    assert result.exit_code == 0, result.output
    assert "no pairs yet: run `rmentor match`" in result.stdout


def test_mail_before_match_says_what_comes_first(sample: Path) -> None:
    before = snapshot(sample)
    result = rmentor(sample, "mail", "--today", MATCH_DAY)
    assert result.exit_code == 0, result.output
    assert "There are no pairs yet" in result.stdout
    assert "`rmentor match`, then `rmentor schedule`" in result.stdout
    assert snapshot(sample) == before


def test_mail_before_schedule_would_lose_the_invitations(matched: Path) -> None:
    """Welcome letters go once: written before `schedule`, the invitations never follow."""
    before = snapshot(matched)
    result = rmentor(matched, "mail", "--today", MATCH_DAY)
    refused(result, 1, "no meetings are planned yet", "calendar invitations", "rmentor schedule")
    assert snapshot(matched) == before
    # Kinds without invitations may go now.
    result = rmentor(matched, "mail", "--kind", "manager", "--today", MATCH_DAY, "-q")
    assert result.exit_code == 0, result.output


def test_mail_without_a_sender_points_at_the_leader(matched: Path) -> None:
    edit(
        matched / "program.yaml",
        "leader: {name: Dana Whitfield, email: dana.whitfield@example.com}",
        "leader: {name: Dana Whitfield}",
    )
    before = snapshot(matched)
    result = rmentor(matched, "mail", "--today", MATCH_DAY)
    refused(result, 1, "program.yaml:15:", "program.leader has no email", "email:", "mail.from")
    assert snapshot(matched) == before


def test_report_before_match_and_before_any_survey_says_what_is_missing(sample: Path) -> None:
    path = sample / "program.yaml"
    text = path.read_text(encoding="utf-8")
    text, found = re.subn(
        r"  surveys:.*?\n(?=  anonymity_threshold)", "  surveys: []\n", text, flags=re.S
    )
    assert found == 1
    path.write_text(text, encoding="utf-8")
    result = rmentor(sample, "report", "--today", "2027-03-01")
    assert result.exit_code == 0, result.output
    assert "No pairs yet" in result.stdout
    assert "`rmentor match`" in result.stdout
    assert "No surveys yet" in result.stdout
    assert "evaluation.surveys" in result.stdout


# -- ids that name no one --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("log", "E9999", "--date", "2027-02-23", "--status", "held"),
            ("unknown pair or participant `E9999`", "rmentor match", "roster"),
        ),
        (
            ("packet", "--pair", "E9999", "--today", MATCH_DAY),
            ("unknown pair or participant `E9999`", "rmentor match", "roster"),
        ),
        (
            ("explain", "E9999"),
            ("`E9999` is neither a pair id nor a participant id", "roster's id column"),
        ),
        (
            ("withdraw", "e1003", "--today", MATCH_DAY),
            ("`e1003` is not on the roster", "did you mean `E1003`?"),
        ),
        (
            ("log", UNPAIRED, "--date", "2027-02-23", "--status", "held"),
            (f"`{UNPAIRED}`", "has no pair", f"rmentor explain {UNPAIRED}"),
        ),
    ],
)
def test_an_unknown_id_says_where_ids_come_from(
    matched: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    before = snapshot(matched)
    refused(rmentor(matched, *args), 1, *words)
    assert snapshot(matched) == before


def test_explain_takes_an_id_in_any_case_as_log_does(matched: Path) -> None:
    result = rmentor(matched, "explain", "e1003", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Margaret Chen (E1003, mentee) with" in result.stdout
    assert "Score by criterion" not in result.stdout  # --quiet: no tables


# -- log's own options -----------------------------------------------------------------------


def test_log_without_date_outside_the_program_says_date_defaults_to_today(matched: Path) -> None:
    before = snapshot(matched)
    result = rmentor(matched, "log", "E1003", "--status", "held")
    refused(result, 1, "no --date given", "today", "--date YYYY-MM-DD")
    assert snapshot(matched) == before


def test_log_with_a_date_outside_the_program(matched: Path) -> None:
    result = rmentor(matched, "log", "E1003", "--date", "2027-08-02", "--status", "held")
    refused(result, 1, "--date 2027-08-02 is outside the program", "2027-01-11 to 2027-06-25")


def test_log_with_a_wrong_status_names_the_option(matched: Path) -> None:
    result = rmentor(matched, "log", "E1003", "--date", "2027-02-24", "--status", "done")
    refused(result, 1, "--status", "`done`", "held, cancelled or no-show")


# -- the roster ------------------------------------------------------------------------------


def test_a_missing_roster_is_one_error_not_a_cascade(sample: Path) -> None:
    (sample / "participants.csv").unlink()
    before = snapshot(sample)
    output = refused(
        rmentor(sample, "match", "--today", MATCH_DAY),
        1,
        "program.yaml:94:11: error: file `participants.csv` not found",
        "put the export there, or correct the name in program.yaml",
        "nothing was written",
        "file:line:column",
    )
    assert "unknown participant" not in output  # matching.locked: not every id again
    assert "name no participant" not in output  # nor every survey answer
    assert snapshot(sample) == before


def test_an_empty_roster_file_says_the_header_is_missing(sample: Path) -> None:
    (sample / "participants.csv").write_text("")
    before = snapshot(sample)
    refused(
        rmentor(sample, "validate"),
        1,
        "participants.csv:1:1: error: the file has no header line",
        "must name the columns",
        "export the sheet again with its header row",
    )
    assert snapshot(sample) == before


def test_an_empty_roster_says_so_and_how_to_fill_it(sample: Path) -> None:
    path = sample / "participants.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    before = snapshot(sample)
    output = refused(
        rmentor(sample, "match", "--today", MATCH_DAY),
        1,
        "the roster is empty",
        "participants.csv",
        "Export the sign-up form",
    )
    assert "unknown participant" not in output
    assert snapshot(sample) == before


def test_a_misspelt_roster_column(sample: Path) -> None:
    edit(sample / "participants.csv", "id,name,email,role,", "id,name,email,rol,")
    before = snapshot(sample)
    refused(
        rmentor(sample, "match", "--today", MATCH_DAY),
        1,
        "participants.csv:1:",
        "required column `role` is missing",
        "did you mean `role`?",
    )
    assert snapshot(sample) == before


# -- program.yaml ----------------------------------------------------------------------------


def test_a_yaml_syntax_error_shows_where_and_no_empty_summary(sample: Path) -> None:
    edit(sample / "program.yaml", "  name: Digital Fluency 2027 ", "  name: Digital: Fluency 2027 ")
    result = rmentor(sample, "validate")
    output = refused(result, 1, "program.yaml:9:", "YAML syntax", "validation failed", "fix it")
    assert "0 participants" not in output  # nobody was read: no summary to mislead


def test_program_dates_the_wrong_way_round_are_one_error(sample: Path) -> None:
    path = sample / "program.yaml"
    edit(path, "  start: 2027-01-11", "  start: 2027-06-25")
    edit(path, "  end: 2027-06-25", "  end: 2027-01-11")
    before = snapshot(sample)
    output = refused(
        rmentor(sample, "match", "--today", MATCH_DAY),
        1,
        "program.yaml:17:8: error: program.end 2027-01-11 is not after program.start 2027-06-25",
        "swap them",
    )
    # Not one more line for every meeting, milestone and blackout measured against them.
    assert output.count("error:") == 2, output  # the problem, and the summary line
    assert "warning:" not in output
    assert snapshot(sample) == before


def test_a_misspelt_key(sample: Path) -> None:
    edit(sample / "program.yaml", "  cadence: weekly", "  cadense: weekly")
    refused(
        rmentor(sample, "validate"),
        1,
        "program.yaml:43:3",
        "unknown key `cadense` in `meetings`",
        "did you mean `cadence`?",
    )


# -- the disk --------------------------------------------------------------------------------


def test_an_out_folder_that_cannot_be_written(
    matched: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only or foreign-owned out/ (chmod does not stop root, so os.access says no)."""
    import os

    from rmentor.files import output

    out = matched / "out"
    out.mkdir()
    real = os.access
    monkeypatch.setattr(
        output.os, "access", lambda path, mode: Path(path) != out and real(path, mode)
    )
    before = snapshot(matched)
    result = rmentor(matched, "build", "--today", MATCH_DAY)
    refused(result, 1, f"cannot write {out}", "permission denied", "check who owns the folder")
    assert snapshot(matched) == before


# -- progress: drawn on a terminal, on loading and on report ---------------------------------


class Recorder(console.Progress):
    """A progress display that records what it would draw, terminal or not."""

    seen: list[str] = []  # noqa: RUF012  (shared across the instances of one run)
    durations: dict[str, float] = {}  # noqa: RUF012  step -> seconds it took

    def __init__(self, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.enabled = enabled

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.enabled:
            self.seen.append(step)

    @contextmanager
    def working(self, step: str) -> Iterator[None]:
        if self.enabled:
            self.seen.append(step)
        started = time.monotonic()
        with super().working(step):
            yield
        self.durations[step] = time.monotonic() - started


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    Recorder.seen = []
    Recorder.durations = {}
    monkeypatch.setattr(console, "Progress", Recorder)
    return Recorder.seen


def test_report_shows_its_progress(matched: Path, recorded: list[str]) -> None:
    result = rmentor(matched, "report", "--today", SAMPLE_END)
    assert result.exit_code == 0, result.output
    steps = list(dict.fromkeys(recorded))  # in the order first drawn
    assert steps[:4] == [
        "waiting for another rmentor run on this program",
        "reading the program",
        "evaluating the program",
        "drawing the charts",
    ]
    assert "writing html" in steps


def test_a_run_waiting_for_another_says_so(matched: Path, recorded: list[str]) -> None:
    """Two runs on one program: the second waits for the lock inside a step that says
    it is waiting, so a terminal shows why nothing happens. The other run lets go only
    once that step is drawn (no timing: a slow start cannot make it pass or fail)."""
    import threading

    from rmentor.files.layout import program_lock

    waiting = "waiting for another rmentor run on this program"
    held, seen_waiting = threading.Event(), threading.Event()

    def other_run() -> None:
        with program_lock(matched):
            held.set()
            for _ in range(500):  # up to 10 s for the second run to reach the lock
                if waiting in recorded:
                    seen_waiting.set()
                    break
                time.sleep(0.02)

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(5)
    try:
        result = rmentor(matched, "handouts", "--today", MATCH_DAY)
    finally:
        thread.join()
    assert result.exit_code == 0, result.output
    assert seen_waiting.is_set()  # drawn while the other run still held the lock
    assert waiting in Recorder.durations  # and ended once it let go


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("status", "--today", "2027-03-01"),
        ("explain", "E1003"),
        ("schedule", "--today", MATCH_DAY),
        ("handouts", "--today", MATCH_DAY),
        ("log", "E1003", "--date", "2027-02-24", "--status", "held", "--replace"),
    ],
)
def test_loading_the_program_shows_progress_unless_quiet(
    matched: Path, recorded: list[str], args: tuple[str, ...]
) -> None:
    result = rmentor(matched, *args)
    assert result.exit_code == 0, result.output
    assert "reading the program" in recorded
    recorded.clear()
    result = rmentor(matched, *args, "--quiet")
    assert result.exit_code == 0, result.output
    assert recorded == []


class Terminal:
    """A stand-in for stderr that says it is a terminal."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError


def test_a_long_step_draws_its_name_and_a_quick_one_draws_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(console.Progress, "DELAY", 0.05)
    quick = console.Progress()
    with quick.working("reading the program"):
        pass
    quick.close()
    assert terminal.text == ""
    slow = console.Progress()
    with slow.working("reading the program"):
        time.sleep(0.4)
    slow.close()
    assert "reading the program" in terminal.text
    terminal.text = ""
    off = console.Progress(enabled=False)  # --quiet
    with off.working("reading the program"):
        time.sleep(0.2)
    off.close()
    assert terminal.text == ""
