"""Fuzzing the readers: whatever the bytes, each returns data or the tool's own problems.

For program.yaml (`load_yaml`, then `load_config`), CSV tables (`read_csv`, then the
roster, survey and meeting conversions), workbooks (`read_xlsx`, on mutated bytes and on
mutated XML of a small real workbook) and the state files (`parse_pairings`,
`parse_schedule`): no exception but `InvalidProgram` for the TOML parsers, and every
problem has a file, a line and a column. CI runs the "ci" profile (tests/conftest.py):
the same examples every run.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rmentor.errors import InvalidProgram, Problem
from rmentor.files.meetings import meetings_from_table
from rmentor.files.program_yaml import load_config, load_yaml
from rmentor.files.roster import participants_from_table
from rmentor.files.state import pairings_text, parse_pairings, parse_schedule, schedule_text
from rmentor.files.surveys import responses_from_table
from rmentor.files.tables import read_csv, read_xlsx
from rmentor.model.config import RosterConfig, Survey, Topic
from rmentor.model.pairings import Pairing, PairingState
from rmentor.model.sessions import PairPlan, Schedule, Session, Skip, Slot
from tests.conftest import SAMPLE

# RMENTOR_FUZZ_EXAMPLES=5000 for a longer hunt than the suite's
EXAMPLES = int(os.environ.get("RMENTOR_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOPICS = [Topic(id="ai", title="AI tools"), Topic(id="social", title="Social media")]


def assert_problems(problems: list[Problem]) -> None:
    """Every problem names a file and a place in it (0 = the whole file or line)."""
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.location.file
        assert problem.location.line >= 0
        assert problem.location.column >= 0
        assert problem.message


def mutate(seed: bytes) -> st.SearchStrategy[bytes]:
    """`seed` with a few bytes flipped, cut, repeated or spliced in."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 4))):
            if not data:
                break
            at = draw(st.integers(0, len(data) - 1))
            how = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
            if how == "flip":
                data[at] = draw(st.integers(0, 255))
            elif how == "cut":
                del data[at : at + draw(st.integers(1, 16))]
            elif how == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            elif how == "repeat":
                piece = data[at : at + draw(st.integers(1, 32))]
                data[at:at] = piece * draw(st.integers(1, 50))
            else:
                del data[at:]
        return bytes(data)

    return mutated()


# -- program.yaml ----------------------------------------------------------------------

PROGRAM_YAML = (SAMPLE / "program.yaml").read_bytes()
YAML_WORDS = st.sampled_from(
    ["program:", "topics:", "- ", "{", "}", "[", "]", ": ", "\n", "  ", "&a ", "*a", "!!str ",
     "'", '"', "#", "9" * 5000, "2027-02-30", "10:30", "~", "?", "|\n", ">\n", "---\n", "..."]
)  # fmt: skip


def check_yaml(data: bytes) -> None:
    raw, where, problems = load_yaml(data, "program.yaml")
    assert_problems(problems)
    if isinstance(raw, dict):
        _, _, found = load_config(raw, where)
        assert_problems(found)


@FUZZ
@given(mutate(PROGRAM_YAML))
def test_yaml_reader_on_a_mutated_program(data: bytes) -> None:
    """The sample's program.yaml with bytes changed: read, or problems."""
    check_yaml(data)


@FUZZ
@given(st.lists(YAML_WORDS | st.text(max_size=8), max_size=60).map("".join))
def test_yaml_reader_on_yaml_ish_text(text: str) -> None:
    """YAML punctuation in any order: read, or problems."""
    check_yaml(text.encode("utf-8", "surrogatepass"))


# -- CSV -------------------------------------------------------------------------------

CSV_PIECES = st.sampled_from(
    [",", ";", "\t", '"', '""', "\n", "\r\n", "\r", "id", "name", "role", "level", "mentor",
     "mentee", "skills", "ai", "\ufeff", "\x00", "é", "9" * 30, " ", "=1+1", "pair", "date",
     "status", "held", "2027-01-12", "satisfaction", "4 - Agree", "respondent"]
)  # fmt: skip


def check_csv(data: bytes, encoding: str = "utf-8") -> None:
    table, problems = read_csv(data, "t.csv", encoding)
    assert_problems(problems)
    if table is None:
        return
    people, found = participants_from_table(table, RosterConfig(), TOPICS)
    assert_problems(found)
    _, found = meetings_from_table(table, TOPICS)
    assert_problems(found)
    survey = Survey(file="t.csv", kind="final")
    _, found = responses_from_table(table, survey, ["ai", "social"], {p.id: p.id for p in people})
    assert_problems(found)


@FUZZ
@given(st.lists(CSV_PIECES | st.text(max_size=6), max_size=80).map("".join))
def test_csv_reader_on_csv_ish_text(text: str) -> None:
    """Delimiters, quotes and line ends in any order, converted as every kind of table."""
    check_csv(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(
    mutate((SAMPLE / "participants.csv").read_bytes()[:3000]),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
)
def test_csv_reader_on_a_mutated_roster(data: bytes, encoding: str) -> None:
    """The sample roster with bytes changed, in any declared encoding."""
    check_csv(data, encoding)


# -- workbooks -------------------------------------------------------------------------


def small_workbook() -> bytes:
    """A real workbook, as openpyxl writes it: strings, numbers, a date, a bool."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Roster"
    sheet.append(["id", "name", "role", "level", "hire_date", "notes"])
    sheet.append(["m1", "Mia", "mentor", 2, dt.date(2024, 3, 1), True])
    sheet.append(["e1", "Eve", "mentee", 7.0, dt.datetime(2001, 5, 6, 7, 8), "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOK = small_workbook()


def with_part(book: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's bytes changed, zipped again properly (so that the
    XML reader, not the CRC check, meets the change)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


def check_xlsx(data: bytes) -> None:
    for sheet in (None, "Roster"):
        table, problems = read_xlsx(data, "t.xlsx", sheet)
        assert_problems(problems)
        if table is not None:
            assert table.header
            _, found = participants_from_table(table, RosterConfig(), TOPICS)
            assert_problems(found)


def test_the_seed_workbook_reads() -> None:
    """The unchanged workbook reads as written (so the mutations start from a good one)."""
    table, problems = read_xlsx(WORKBOOK, "t.xlsx")
    assert problems == []
    assert table is not None
    assert [r.cells for r in table.rows] == [
        ("m1", "Mia", "mentor", "2", "2024-03-01", "true"),
        ("e1", "Eve", "mentee", "7", "2001-05-06T07:08:00"),  # a formula with no value
    ]


@FUZZ
@given(mutate(WORKBOOK))
def test_xlsx_reader_on_mutated_bytes(data: bytes) -> None:
    """The zip itself damaged: a problem, never a crash."""
    check_xlsx(data)


PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml",
         "xl/_rels/workbook.xml.rels", "_rels/.rels", "[Content_Types].xml"]  # fmt: skip
XML_PIECES = st.sampled_from(
    [b"<c r=\"A9\" t=\"s\"><v>0</v></c>", b"<row r=\"0\">", b"<row>", b"</row>", b"<c>",
     b"<v>1e999</v>", b"<!DOCTYPE x>", b"&amp;", b"&x;", b"<is><t>x</t></is>",
     b"t=\"d\"", b"t=\"b\"", b"s=\"1\"", b"r=\"XFD1\"", b"r=\"A0\"", b"\xff", b"<x:c>",
     b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>", b"</sheetData>", b"<sheetData>"]
)  # fmt: skip


@st.composite
def xml_edit(draw: st.DrawFn) -> tuple[str, Callable[[bytes], bytes]]:
    """A part of the workbook and a change to its XML: a piece spliced in, or bytes cut."""
    part = draw(st.sampled_from(PARTS))
    piece = draw(XML_PIECES)
    ratio = draw(st.floats(0, 1))
    cut = draw(st.integers(0, 40))

    def change(data: bytes) -> bytes:
        at = int(len(data) * ratio)
        return data[:at] + piece + data[at + cut :]

    return part, change


@FUZZ
@given(st.lists(xml_edit(), min_size=1, max_size=4))
def test_xlsx_reader_on_mutated_xml(edits: list[tuple[str, Callable[[bytes], bytes]]]) -> None:
    """The workbook's XML changed part by part: a problem at its place, never a crash."""
    data = WORKBOOK
    for part, change in edits:
        data = with_part(data, part, change)
    check_xlsx(data)


# -- state TOML ------------------------------------------------------------------------

ZONE = "Europe/Berlin"
PAIR = Pairing("m1", "e1", 0.75, dt.date(2027, 1, 11), {"topics": 0.5}, ("shares AI",))
START = dt.datetime(2027, 1, 12, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
SESSION = Session(PAIR.id, 1, START, START + dt.timedelta(hours=1), "Kick-off", ("ai",))
PLAN = PairPlan(PAIR.id, "m1", "e1", Slot(1, dt.time(9), ZONE), (SESSION,))
PAIRINGS = pairings_text(PairingState((PAIR,)))
SCHEDULE = schedule_text(Schedule((PLAN,), (Skip(PAIR.id, dt.date(2027, 4, 6), "holiday"),)))


def check_toml(text: str) -> None:
    for parse in (parse_pairings, parse_schedule):
        try:
            parse(text, "state/x.toml")
        except InvalidProgram as exc:
            assert_problems(list(exc.problems))


def test_the_seed_state_files_read() -> None:
    """The unchanged state texts read back (so the mutations start from good ones)."""
    assert parse_pairings(PAIRINGS, "p.toml").pairs == (PAIR,)
    assert parse_schedule(SCHEDULE, "s.toml").plans[0].sessions[0].start == START


@FUZZ
@given(st.sampled_from([PAIRINGS, SCHEDULE]).flatmap(lambda t: mutate(t.encode())))
def test_toml_readers_on_mutated_state(data: bytes) -> None:
    """The state files with bytes changed: state, or InvalidProgram."""
    check_toml(data.decode("utf-8", errors="replace"))


TOML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True)
    | st.text(max_size=10)
    | st.sampled_from(["Europe/Berlin", "America", "", "../etc", "active", "teaching"])
    | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    | st.times()
    | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC))
    | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = ["mentor", "mentee", "score", "since", "breakdown", "reasons", "locked", "status",
          "ended", "end_reason", "slot", "weekday", "start", "zone", "fallback", "sessions",
          "number", "end", "theme", "topics", "kind", "sequence", "updated", "moved_from",
          "periods", "from", "date", "reason", "pair"]  # fmt: skip


def state_like(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A document shaped like a state file, with any values in its fields."""
    table = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
    nested = st.fixed_dictionaries(
        {},
        optional={
            "slot": table,
            "sessions": st.lists(table, max_size=2),
            "periods": st.lists(table, max_size=2),
        },
    )
    pair = st.builds(lambda a, b: {**a, **b}, table, nested)
    return st.fixed_dictionaries(
        {},
        optional={
            "version": values,
            "pairs": st.dictionaries(st.sampled_from([PAIR.id, "x", ""]), pair, max_size=2)
            | values,
            "withdrawn": st.dictionaries(st.text(max_size=4), table, max_size=2) | values,
            "skipped": st.lists(table, max_size=2) | values,
        },
    )


def toml_text(document: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a value TOML cannot hold (None, nan in some places)
        return None


@FUZZ
@given(state_like(TOML_VALUES).map(toml_text))
def test_toml_readers_on_documents_of_any_types(text: str | None) -> None:
    """Valid TOML, shaped like a state file, with values of any type in any field."""
    if text is not None:
        check_toml(text)


@FUZZ
@given(st.text(max_size=300))
def test_toml_readers_on_any_text(text: str) -> None:
    """Any text at all."""
    check_toml(text)
