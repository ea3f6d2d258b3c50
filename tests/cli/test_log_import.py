"""`rmentor log --import FILE`: a check-in form's export appended to meetings.csv in one
write, each session once, and nothing twice (issue 13, part 7)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from rmentor.cli.app import app
from rmentor.documents.forms import build_forms
from rmentor.files.layout import MEETINGS_FILE
from rmentor.files.load import load
from rmentor.model.pairings import pair_id
from tests.conftest import google_csv

runner = CliRunner()
TODAY = "2027-01-04"  # the day the sample is matched
ONE = pair_id("E2105", "E1001")  # Tomasz Nowak (mentor) with Katharina Vogel
HEADER = ["Timestamp", "respondent", "date", "status", "minutes", "topics", "notes"]


def invoke(folder: Path, *args: str) -> Result:
    return runner.invoke(app, ["log", *args, "--program", str(folder)])


def export(folder: Path, rows: list[list[str]], name: str = "checkin.csv") -> Path:
    path = folder / name
    path.write_text(google_csv(HEADER, rows), encoding="utf-8", newline="")
    return path


def row(who: str, date: str, status: str = "held", minutes: str = "60", **more: str) -> list[str]:
    return [
        "2027/06/24 5:00:00 PM GMT+2",
        who,
        date,
        status,
        minutes,
        more.get("topics", ""),
        more.get("notes", ""),
    ]


def test_importing_twice_adds_nothing_the_second_time(matched: Path) -> None:
    path = export(matched, [row("E1001", "2027-06-24"), row("E1017", "2027-06-22")])
    first = invoke(matched, "--import", str(path))
    assert first.exit_code == 0, first.output
    assert "Imported 2 sessions (0 already logged, 0 reported by both partners, 0 skipped)" in (
        first.stdout
    )
    after = (matched / MEETINGS_FILE).read_bytes()
    again = invoke(matched, "--import", str(path))
    assert again.exit_code == 0, again.output
    assert "Imported 0 sessions (2 already logged" in again.stdout
    assert (matched / MEETINGS_FILE).read_bytes() == after


def test_a_session_reported_by_both_partners_counts_once(matched: Path) -> None:
    before = load(matched).meetings
    path = export(
        matched,
        [
            row("E1001", "2027-06-24", minutes="60"),
            row("tomasz.nowak@northwind.example", "2027-06-24", minutes="55"),
        ],
    )
    result = invoke(matched, "--import", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 1 session (0 already logged, 1 reported by both partners" in result.stdout
    meetings = load(matched).meetings
    assert len(meetings) == len(before) + 1
    added = meetings[-1]
    assert (added.pair, added.date.isoformat(), added.minutes) == (ONE, "2027-06-24", 60)


def test_unknown_people_and_bad_rows_are_reported_and_skipped(matched: Path) -> None:
    path = export(
        matched,
        [
            row("E1001", "2027-06-24", notes="=HYPERLINK(1)"),  # line 2: imported
            row("E9999", "2027-06-24"),  # line 3: unknown person
            row("E1017", "2027-13-01"),  # line 4: not a date
            row("E1017", "2027-07-01"),  # line 5: after the program
            row("E1017", "2027-06-22", status="maybe"),  # line 6: bad status
            row("E1017", "2027-06-22", minutes="lots"),  # line 7: bad minutes
            row("E2101", "2027-06-22"),  # line 8: Lena has two pairs
            row("E1001", "2027-06-17"),  # line 9: already in meetings.csv
        ],
    )
    result = invoke(matched, "--import", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 1 session (1 already logged, 0 reported by both partners, 6 skipped)" in (
        result.stdout
    )
    err = result.stderr
    assert "checkin.csv:3:2" in err
    assert "unknown person `E9999`" in err
    for place in ("checkin.csv:4:3", "checkin.csv:5:3", "checkin.csv:6:4", "checkin.csv:7:5"):
        assert place in err
    assert "checkin.csv:8:2" in err
    assert "2 pairs" in err
    text = (matched / MEETINGS_FILE).read_text(encoding="utf-8")
    assert text.endswith(f"{ONE},2027-06-24,held,60,,'=HYPERLINK(1)\n")  # neutralised
    assert load(matched).meetings[-1].notes == "=HYPERLINK(1)"


def test_nothing_is_written_when_every_row_fails(matched: Path) -> None:
    before = (matched / MEETINGS_FILE).read_bytes()
    path = export(matched, [row("E9999", "2027-06-24"), row("E1001", "1999-01-01")])
    result = invoke(matched, "--import", str(path))
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert "checkin.csv:2:2" in result.stderr
    assert "checkin.csv:3:3" in result.stderr
    assert (matched / MEETINGS_FILE).read_bytes() == before


def test_import_excludes_the_single_entry_arguments(matched: Path) -> None:
    before = (matched / MEETINGS_FILE).read_bytes()
    path = export(matched, [row("E1001", "2027-06-24")])
    result = invoke(matched, ONE, "--status", "held", "--import", str(path))
    assert result.exit_code == 2
    assert "--import" in result.stderr
    assert "PAIR" in result.stderr
    missing = invoke(matched)
    assert missing.exit_code == 2
    assert (matched / MEETINGS_FILE).read_bytes() == before


def test_a_google_export_of_the_checkin_form_end_to_end(matched: Path) -> None:
    """The sample program with the mapping `rmentor forms` writes, and an export in
    Google's shape: Timestamp first, every cell quoted, checkboxes joined by `;`."""
    result = runner.invoke(app, ["forms", "--program", str(matched), "-q"])
    assert result.exit_code == 0, result.output
    mapping = yaml.safe_load((matched / "out" / "forms" / "mapping.yaml").read_text("utf-8"))
    block = yaml.safe_dump({"checkin": mapping["meetings"]["checkin"]}, allow_unicode=True)
    config = (matched / "program.yaml").read_text(encoding="utf-8")
    indented = "".join(f"  {line}\n" for line in block.splitlines())
    (matched / "program.yaml").write_text(
        config.replace("\nmeetings:\n", f"\nmeetings:\n{indented}", 1), encoding="utf-8"
    )
    form = next(f for f in build_forms(load(matched).config) if f.key == "checkin")
    status = next(q for q in form.questions if q.field == "status").options
    answers = {
        "respondent": ["E1001", "tomasz.nowak@northwind.example", "E1017", "E1001"],
        "date": ["2027-06-24", "2027-06-24", "2027-06-22", "2027-06-17"],
        "status": [status[0], status[0], status[1], status[0]],
        "minutes": ["60", "55", "", "45"],
        "topics": ["AI assistants;Dashboards & data visualisation", "AI assistants", "", ""],
        "notes": ["Went well", "", "", ""],
    }
    header = ["Timestamp", *(q.text for q in form.questions)]
    rows = [
        [
            "2027/06/24 5:00:00 PM GMT+2",
            *(answers.get(q.field or "", [""] * 4)[k] for q in form.questions),
        ]
        for k in range(4)
    ]
    path = matched / "feedback" / "checkin.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(google_csv(header, rows), encoding="utf-8", newline="")
    before = len(load(matched).meetings)
    result = invoke(matched, "--import", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "Imported 2 sessions (1 already logged, 1 reported by both partners, 0 skipped)"
        in result.stdout
    )
    meetings = load(matched).meetings
    assert len(meetings) == before + 2
    first, second = meetings[-2:]
    assert (first.pair, first.status, first.minutes) == (ONE, "held", 60)
    assert first.topics == ("ai-assistants", "dashboards")
    assert first.notes == "Went well"
    assert (second.date.isoformat(), second.status, second.minutes) == (
        "2027-06-22",
        "cancelled",
        None,
    )
