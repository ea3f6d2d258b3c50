"""The `log` command: append one meeting to meetings.csv, or refuse and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rmentor.cli.meetings import log_command, status_command
from rmentor.cli.options import handles_errors
from rmentor.files.layout import MEETINGS_FILE
from rmentor.model.pairings import pair_id

HEADER = "pair,date,status,minutes,topics,notes\n"

tracking_app = typer.Typer()
tracking_app.command("log")(handles_errors(log_command))
tracking_app.command("status")(handles_errors(status_command))
runner = CliRunner()

TODAY = "2027-01-04"  # the day the sample is matched
LENA = "E2101"  # a mentor with two mentees in the sample
ONE = pair_id("E2105", "E1001")


def log(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(tracking_app, ["log", *args, "--program", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_log_by_person_appends_one_line(matched: Path) -> None:
    before = (matched / MEETINGS_FILE).read_bytes()
    code, out, err = log(
        matched,
        "e1001",
        "--date",
        "2027-02-26",
        "--status",
        "held",
        "--minutes",
        "60",
        "--topics",
        "AI assistants",
        "-t",
        "dashboards;ai-assistants",
        "--notes",
        "=cmd|' /C calc'!A0",
    )
    assert code == 0, err
    lines = before.count(b"\n")
    assert out.strip() == (
        f"Logged {ONE} (Tomasz Nowak with Katharina Vogel) on 2027-02-26: held, 60 min "
        f"(meetings.csv line {lines + 1})."
    )
    after = (matched / MEETINGS_FILE).read_bytes()
    assert after[: len(before)] == before
    assert after[len(before) :] == (
        f"{ONE},2027-02-26,held,60,ai-assistants;dashboards,'=cmd|' /C calc'!A0\n".encode()
    )
    code, out, _ = log(matched, ONE, "--date", "2027-03-05", "--status", "no-show", "--quiet")
    assert (code, out) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LENA, "--date", "2027-02-26", "--status", "held"), "has 2 active pairs; name one"),
        (("E9999", "--date", "2027-02-26", "--status", "held"), "unknown pair or participant"),
        ((ONE, "--date", "2027-07-01", "--status", "held"), "outside the program"),
        ((ONE, "--date", "2027-01-10", "--status", "held"), "outside the program"),
        ((ONE, "--date", "2027-02-26", "--status", "maybe"), "must be held, cancelled or no-show"),
        ((ONE, "--date", "2027-02-26", "--status", "held", "--minutes", "-5"), "less than 0"),
        ((ONE, "--date", "2027-02-26", "--status", "held", "-t", "cooking"), "unknown topic"),
    ],
)
def test_log_refuses_mistakes_and_writes_nothing(
    matched: Path, args: tuple[str, ...], message: str
) -> None:
    before = (matched / MEETINGS_FILE).read_bytes()
    code, out, err = log(matched, *args)
    assert code == 1, out + err
    assert message in err
    assert "Traceback" not in err
    assert (matched / MEETINGS_FILE).read_bytes() == before


def test_log_lists_both_pairs_of_a_mentor(matched: Path) -> None:
    _, _, err = log(matched, LENA, "--date", "2027-02-25", "--status", "held")
    assert pair_id(LENA, "E1011") in err
    assert pair_id(LENA, "E1018") in err


def test_log_usage_errors_exit_2(matched: Path) -> None:
    assert log(matched, ONE, "--date", "25.02.2027", "--status", "held")[0] == 2
    assert log(matched, ONE, "--date", "2027-02-26")[0] == 2  # --status is required
    assert log(matched, ONE, "--status", "held", "--add", "--replace")[0] == 2


def test_a_second_entry_on_one_day_is_refused_unless_asked(matched: Path) -> None:
    path = matched / MEETINGS_FILE
    before = path.read_bytes()
    args = (ONE, "--date", "2027-02-25", "--status", "cancelled")  # the log has one: held
    code, _, err = log(matched, *args)
    assert code == 1
    assert "already has an entry on 2027-02-25 (meetings.csv line 103: held)" in err
    assert "--replace" in err
    assert path.read_bytes() == before  # nothing written
    code, _, err = log(matched, *args, "--add")
    assert code == 0, err
    assert "already had an entry on 2027-02-25" in err
    assert path.read_bytes().count(f"{ONE},2027-02-25,".encode()) == 2
    code, _, err = log(matched, *args, "--replace", "--minutes", "30")
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.count(f"{ONE},2027-02-25,") == 1  # both earlier entries gave way
    assert f"{ONE},2027-02-25,cancelled,30,," in text
    assert text.replace(f"{ONE},2027-02-25,cancelled,30,,\n", "") == before.decode().replace(
        f"{ONE},2027-02-25,held,45,dashboards,\n", ""
    )  # every other line kept as it was


def test_minutes_must_be_plausible_and_the_date_defaults_to_today(matched: Path) -> None:
    assert log(matched, ONE, "--date", "2027-02-26", "--status", "held", "-m", "600")[0] == 1
    assert log(matched, ONE, "--date", "2027-02-26", "--status", "held", "-m", "0")[0] == 1
    code, _, err = log(matched, ONE, "--status", "held")  # today: after the program here
    assert code == 1
    assert "outside the program" in err


def test_log_creates_the_file_in_a_program_without_one(matched: Path) -> None:
    (matched / MEETINGS_FILE).unlink()
    code, out, err = log(matched, ONE, "--date", "2027-01-14", "--status", "held")
    assert code == 0, err
    assert "meetings.csv line 2" in out
    assert (matched / MEETINGS_FILE).read_text(encoding="utf-8") == (
        HEADER + f"{ONE},2027-01-14,held,,,\n"
    )
