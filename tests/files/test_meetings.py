"""The meeting log: reading meetings.csv, checking it against the program, appending to it.

The `log` command itself is tested in tests/cli/test_log_cli.py.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmentor.errors import InvalidProgram, Location, RmentorError, Severity
from rmentor.files.layout import MEETINGS_FILE
from rmentor.files.meetings import append_meeting, load_meetings, neutralise, parse_status, restore
from rmentor.model.activity import Meeting
from rmentor.model.checks import check_meetings
from rmentor.model.config import Topic
from rmentor.model.pairings import Pairing, PairingState, resolve_pair
from rmentor.text import clean

TOPICS = [
    Topic(id="social-media", title="Social media for business"),
    Topic(id="video", title="Video meetings"),
    Topic(id="ai", title="AI assistants"),
]
START, END = dt.date(2027, 1, 11), dt.date(2027, 6, 25)
HEADER = "pair,date,status,minutes,topics,notes\n"


def write(folder: Path, content: str | bytes) -> Path:
    path = folder / MEETINGS_FILE
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def load(folder: Path) -> tuple[list[Meeting], list[str]]:
    meetings, problems = load_meetings(folder, TOPICS)
    return meetings, [p.format() for p in problems]


# -- reading ------------------------------------------------------------------------


def test_missing_or_empty_file_is_an_empty_log(tmp_path: Path) -> None:
    assert load_meetings(tmp_path, TOPICS) == ([], [])
    write(tmp_path, "\n\n")
    assert load_meetings(tmp_path, TOPICS) == ([], [])


def test_reads_every_field(tmp_path: Path) -> None:
    write(
        tmp_path,
        HEADER + "pabc,2027-01-12,held,55,social-media;AI assistants,"
        '"Drafted a post, then ""published"" it"\n'
        "pabc,2027-01-19,Canceled,,,\n"
        "pabc,2027-01-26,No Show,0,,\n",
    )
    (held, cancelled, no_show), problems = load(tmp_path)
    assert problems == []
    assert held == Meeting(
        "pabc",
        dt.date(2027, 1, 12),
        "held",
        55,
        ("social-media", "ai"),
        'Drafted a post, then "published" it',
        Location(MEETINGS_FILE, 2, 1),
    )
    assert held.where("notes") == Location(MEETINGS_FILE, 2, 6)
    assert (cancelled.status, cancelled.minutes, cancelled.topics) == ("cancelled", None, ())
    assert (no_show.status, no_show.minutes) == ("no-show", 0)


def test_bad_values_are_reported_at_their_line_and_column(tmp_path: Path) -> None:
    write(
        tmp_path,
        HEADER + "pabc,2027-01-12,held,60,,\n"
        "pabc,12/01/2027,held,60,,\n"
        "pabc,2027-02-30,held,,,\n"
        "pabc,2027-01-19,done,,,\n"
        "pabc,2027-01-19,held,-5,,\n"
        "pabc,2027-01-19,held,an hour,,\n"
        "pabc,2027-01-19,held,,cooking,\n"
        ",,,,,\n"  # a row of empty cells is a blank line
        ",2027-01-19,held,,,\n"
        "pabc,,held,,,\n",
    )
    meetings, problems = load(tmp_path)
    assert [m.source.line for m in meetings] == [2]
    assert problems == [
        "meetings.csv:3:2: error: date: `12/01/2027` is not a date as YYYY-MM-DD",
        "meetings.csv:4:2: error: date: `2027-02-30` is not a date that exists",
        "meetings.csv:5:3: error: status is `done`; it must be held, cancelled or no-show",
        "meetings.csv:6:4: error: minutes: -5 minutes: a meeting cannot last less than 0 minutes",
        "meetings.csv:7:4: error: minutes: `an hour` is not a whole number of minutes",
        "meetings.csv:8:5: error: topics: unknown topic `cooking` "
        "(known topics: social-media, video, ai)",
        "meetings.csv:10:1: error: pair is empty (write the pair id that `match` gave)",
        "meetings.csv:11:2: error: date is empty (write it as YYYY-MM-DD)",
    ]


def test_missing_required_column_and_ragged_rows(tmp_path: Path) -> None:
    write(tmp_path, "pair,day,status\npabc,2027-01-12,held\n")
    meetings, problems = load(tmp_path)
    assert meetings == []
    assert any("1:1: error: required column `date` is missing" in p for p in problems)
    write(tmp_path, "pair,date,status\npabc,2027-01-12,held,extra\n")
    meetings, problems = load(tmp_path)
    assert len(meetings) == 1
    assert problems[0].startswith("meetings.csv:2:4: warning: row has 4 values")


def test_bom_crlf_semicolons_and_header_case(tmp_path: Path) -> None:
    data = (
        "\ufeffPair;Date;STATUS;Minutes;Topics;Notes\r\n"
        'pabc;2027-01-12;held;60;"video;ai";Über Teams\r\n'
        "\r\n"
        "pabc;2027-01-19;held;45;;\r\n"
    ).encode()
    write(tmp_path, data)
    meetings, problems = load(tmp_path)
    assert problems == []
    assert [(m.source.line, m.topics, m.notes) for m in meetings] == [
        (2, ("video", "ai"), "Über Teams"),
        (4, (), None),
    ]


def test_undecodable_byte_points_at_it_with_a_meetings_hint(tmp_path: Path) -> None:
    write(tmp_path, HEADER.encode() + b"pabc,2027-01-12,held,60,,caf\xe9\n")
    meetings, problems = load(tmp_path)
    assert meetings == []
    assert problems == [
        "meetings.csv:2:29: error: byte 0xe9 is not valid utf-8 "
        "(meetings.csv is read as UTF-8: re-save it as CSV UTF-8)"
    ]


def test_status_words() -> None:
    assert [parse_status(w) for w in ("HELD", "canceled", "no show", "no_show")] == [
        "held",
        "cancelled",
        "no-show",
        "no-show",
    ]
    with pytest.raises(ValueError, match="must be held, cancelled or no-show"):
        parse_status("postponed")


# -- checks against the program ---------------------------------------------------------

PAIRS = PairingState(
    (
        Pairing("M1", "S1", 1.0, START),
        Pairing("M1", "S2", 1.0, START),
        Pairing("M2", "S3", 1.0, START, status="withdrawn", ended=dt.date(2027, 2, 1)),
    )
)
P1, P2, P3 = (p.id for p in PAIRS.pairs)


def meeting(pair: str, day: dt.date, line: int, status: str = "held") -> Meeting:
    return Meeting(
        pair,
        day,
        status,  # type: ignore[arg-type]
        source=Location(MEETINGS_FILE, line, 1),
        cells={
            "pair": Location(MEETINGS_FILE, line, 1),
            "date": Location(MEETINGS_FILE, line, 2),
        },
    )


def test_check_meetings() -> None:
    day = dt.date(2027, 1, 12)
    log = [
        meeting(P1, day, 2),
        meeting("nope", day, 3),
        meeting("S3", day, 4),
        meeting(P1, dt.date(2027, 7, 1), 5),
        meeting(P3, dt.date(2027, 2, 8), 6),
        meeting(P1, day, 7, "cancelled"),
    ]
    problems = check_meetings(log, PAIRS, START, END)
    assert [(p.location.line, p.location.column, p.severity) for p in problems] == [
        (3, 1, Severity.ERROR),
        (4, 1, Severity.ERROR),
        (5, 2, Severity.ERROR),
        (6, 2, Severity.WARNING),
        (7, 1, Severity.WARNING),
    ]
    assert problems[1].hint == f"that is a person's id; their pair is `{P3}`"
    assert "outside the program (2027-01-11 to 2027-06-25)" in problems[2].message
    assert "(line 2)" in problems[4].message
    # before `match` there is nothing to check pair ids against
    assert check_meetings(log[:3], PairingState(), START, END) == []


def test_resolve_pair() -> None:
    names = {"M1": "Mia", "S1": "Sam", "S2": "Sue"}
    assert resolve_pair(PAIRS, P1.upper()).id == P1
    assert resolve_pair(PAIRS, "s2").id == P2
    with pytest.raises(RmentorError, match="has 2 active pairs") as caught:
        resolve_pair(PAIRS, "M1", names)
    assert P1 in str(caught.value)
    assert P2 in str(caught.value)
    assert "Mia with Sue" in str(caught.value)
    with pytest.raises(RmentorError, match="has no active pair"):
        resolve_pair(PAIRS, "S3")
    assert resolve_pair(PAIRS, P3).id == P3  # an ended pair by its id
    with pytest.raises(RmentorError, match="unknown pair or participant `X9`"):
        resolve_pair(PAIRS, "X9")
    with pytest.raises(RmentorError, match="run `rmentor match` first"):
        resolve_pair(PairingState(), "M1")


# -- appending ----------------------------------------------------------------------


def test_append_creates_the_file_with_a_header(tmp_path: Path) -> None:
    added = append_meeting(tmp_path, P1, dt.date(2027, 1, 12), "held", 60, ("ai", "video"))
    assert (tmp_path / MEETINGS_FILE).read_text(encoding="utf-8") == (
        HEADER + f"{P1},2027-01-12,held,60,ai;video,\n"
    )
    assert added.source == Location(MEETINGS_FILE, 2, 1)
    meetings, problems = load(tmp_path)
    assert problems == []
    assert meetings == [added]


def test_append_keeps_the_existing_bytes_and_adds_one_line(tmp_path: Path) -> None:
    before = (
        "\ufeffNotes;Pair;Date;Status;Extra\r\n"  # another column order, an extra column
        "first one;pabc;2027-01-12;held;x\r\n"
        '"two\r\nlines";pabc;2027-01-19;held;y'  # no final line break
    ).encode()
    write(tmp_path, before)
    added = append_meeting(tmp_path, "pabc", dt.date(2027, 1, 26), "cancelled", notes="ill; sorry")
    after = (tmp_path / MEETINGS_FILE).read_bytes()
    assert after.startswith(before)
    assert after[len(before) :] == b'\r\n"ill; sorry";pabc;2027-01-26;cancelled;\r\n'
    meetings, problems = load(tmp_path)
    assert problems == []
    assert meetings[-1] == added
    assert added.source.line == 5
    with pytest.raises(RmentorError, match="has no `minutes` column"):
        append_meeting(tmp_path, "pabc", dt.date(2027, 2, 2), "held", minutes=60)
    assert (tmp_path / MEETINGS_FILE).read_bytes() == after


def test_append_refuses_a_file_it_cannot_read(tmp_path: Path) -> None:
    before = (HEADER + 'pabc,2027-01-12,held,60,,"never closed\n').encode()
    write(tmp_path, before)
    with pytest.raises(InvalidProgram) as caught:
        append_meeting(tmp_path, "pabc", dt.date(2027, 1, 19), "held")
    assert caught.value.problems[0].location == Location(MEETINGS_FILE, 2, 6)
    assert (tmp_path / MEETINGS_FILE).read_bytes() == before


@pytest.mark.parametrize("text", ["=1+1", "+49 30 1234", "-2 weeks", "@SUM(A1)", "'=x", "''+y"])
def test_formula_injection_is_neutralised(tmp_path: Path, text: str) -> None:
    append_meeting(tmp_path, "pabc", dt.date(2027, 1, 12), "held", notes=text)
    last = (tmp_path / MEETINGS_FILE).read_text(encoding="utf-8").splitlines()[-1]
    cell = last.split(",", 5)[5]
    assert cell == "'" + text
    assert not cell.startswith(("=", "+", "-", "@"))
    meetings, _ = load(tmp_path)
    assert meetings[-1].notes == text


def test_append_refuses_text_it_cannot_write(tmp_path: Path) -> None:
    for notes in ("a\x00b", "undecodable \udce9"):
        with pytest.raises(RmentorError, match="notes"):
            append_meeting(tmp_path, "pabc", dt.date(2027, 1, 12), "held", notes=notes)
    with pytest.raises(RmentorError, match="less than 0"):
        append_meeting(tmp_path, "pabc", dt.date(2027, 1, 12), "held", minutes=-1)
    assert not (tmp_path / MEETINGS_FILE).exists()


def test_neutralise_and_restore_are_inverse() -> None:
    for text in ("", "plain", "=x", "'=x", "'plain", "\tx", "''@", "-"):
        assert restore(neutralise(text)) == text
    assert neutralise("'plain") == "'plain"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    notes=st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40),
    crlf=st.booleans(),
    semicolon=st.booleans(),
)
def test_any_notes_round_trip(notes: str, crlf: bool, semicolon: bool) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        delimiter, ending = (";" if semicolon else ","), ("\r\n" if crlf else "\n")
        existing = delimiter.join(HEADER.strip().split(",")) + ending
        existing += delimiter.join(["pabc", "2027-01-12", "held", "", "", "x"]) + ending
        write(folder, existing)
        added = append_meeting(folder, "pabc", dt.date(2027, 1, 19), "held", notes=notes)
        data = (folder / MEETINGS_FILE).read_bytes()
        assert data.startswith(existing.encode())
        meetings, problems = load(folder)
        assert problems == []
        assert len(meetings) == 2
        assert meetings[1].notes == (clean(notes) or None) == added.notes
        assert meetings[1].source == added.source
