"""Reading rosters as HR systems and form tools export them."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rmentor.errors import has_errors
from rmentor.files.load import read_program
from rmentor.files.roster import participants_from_table
from rmentor.files.tables import read_csv, read_xlsx, sniff_delimiter, split_list
from rmentor.model.config import RosterConfig, Topic
from tests.conftest import MINIMAL_YAML, MakeProgram

TOPICS = [
    Topic(id="social-media", title="Social media for business"),
    Topic(id="video", title="Video meetings"),
    Topic(id="ai", title="AI assistants"),
]

GOOGLE_FORMS_YAML = (
    MINIMAL_YAML
    + """\
roster:
  files: [form.csv]
  list_separator: ","
  columns:
    Email Address: email
    Full name: name
    Employee ID: id
    I take part as a: role
    Which topics can you teach?: skills
    Which topics do you want to learn?: interests
"""
)

GOOGLE_FORMS_CSV = (
    "\ufeff"
    '"Timestamp","Email Address","Full name","Employee ID","I take part as a",'
    '"Which topics can you teach?","Which topics do you want to learn?"\r\n'
    '"2026/11/02 9:14:03 AM GMT+1","ana.silva@example.com","Ana Silva","E7","Mentor",'
    '"Social media for business, AI assistants",""\r\n'
    '"2026/11/02 9:20:41 AM GMT+1","Bernd.Roth@example.com","Bernd Röth","E8","Mentee",'
    '"","video meetings, Social Media for Business"\r\n'
)


def test_google_forms_export(make_program: MakeProgram) -> None:
    folder = make_program(GOOGLE_FORMS_YAML, **{"form.csv": GOOGLE_FORMS_CSV.encode("utf-8")})
    program = read_program(folder)
    assert not has_errors(program.problems), [p.format() for p in program.problems]
    ana, bernd = program.participants
    assert (ana.id, ana.name, ana.role, ana.email) == (
        "E7",
        "Ana Silva",
        "mentor",
        "ana.silva@example.com",
    )
    assert ana.skills == ("social-media", "ai")
    assert bernd.name == "Bernd Röth"
    assert bernd.interests == ("video", "social-media")
    assert bernd.source.line == 3
    assert ana.extra == {}  # the Timestamp is `submitted`, not an extra column


def test_cp1252_semicolon_excel_export(make_program: MakeProgram) -> None:
    yaml = MINIMAL_YAML + "roster:\n  encoding: cp1252\n"
    csv = (
        "ID;Name;Role;Department;Skills;Interests\r\n"
        "M1;José Müller;mentor;Vertrieb;video;\r\n"
        'S1;Zoë Faßbender;mentee;Geschäftsführung;;"Video meetings;ai"\r\n'
    ).encode("cp1252")
    program = read_program(make_program(yaml, **{"participants.csv": csv}))
    assert [p.format() for p in program.problems] == []
    assert [p.name for p in program.participants] == ["José Müller", "Zoë Faßbender"]
    assert program.participants[1].department == "Geschäftsführung"
    assert program.participants[1].interests == ("video", "ai")


def test_cp1252_without_declaring_it_points_at_the_byte(make_program: MakeProgram) -> None:
    csv = "id,name,role\nM1,José,mentor\n".encode("cp1252")
    program = read_program(make_program(**{"participants.csv": csv}))
    (problem,) = program.problems
    assert problem.format().startswith(
        "participants.csv:2:7: error: byte 0xe9 is not valid utf-8 (re-save as CSV UTF-8"
    )
    assert "roster.encoding" in (problem.hint or "")


def test_quoted_multiline_cell_reports_the_record_start(make_program: MakeProgram) -> None:
    csv = (
        'id,name,role,notes,level\nM1,Ann,mentor,"line one\nline two\nline three",x\n'
        "S1,Bo,mentee,,y\n"
    )
    program = read_program(make_program(**{"participants.csv": csv}))
    lines = [p.format() for p in program.problems]
    assert lines == [
        "participants.csv:2:5: error: level: `x` is not a whole number",
        "participants.csv:5:5: error: level: `y` is not a whole number",
    ]


def test_blank_lines_ragged_rows_and_whitespace(make_program: MakeProgram) -> None:
    csv = "id, name ,role,languages\n\n  M1 , Ann  ,Mentor,en;de;\nS1,Bo,mentee\n,,,\n"
    program = read_program(make_program(**{"participants.csv": csv}))
    assert program.problems == ()
    ann, bo = program.participants
    assert (ann.id, ann.name, ann.role, ann.languages) == ("M1", "Ann", "mentor", ("en", "de"))
    assert (bo.id, bo.languages, bo.source.line) == ("S1", (), 4)


def test_nfc_normalisation(make_program: MakeProgram) -> None:
    decomposed = "Jose\u0301"
    csv = f"id,name,role\nM1,{decomposed},mentor\n"
    program = read_program(make_program(**{"participants.csv": csv}))
    assert program.participants[0].name == "Jos\u00e9"


def test_several_files_and_xlsx(make_program: MakeProgram) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Name", "Role", "Level", "Hire date"])
    sheet.append(["S1", "Sam", "mentee", 7.0, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["S2", "Sue", "mentee", 6, None])
    buffer = io.BytesIO()
    book.save(buffer)
    yaml = MINIMAL_YAML + "roster:\n  files: [juniors.csv, seniors.xlsx]\n"
    folder = make_program(
        yaml,
        **{"juniors.csv": "id,name,role\nM1,Ann,mentor\n", "seniors.xlsx": buffer.getvalue()},
    )
    program = read_program(folder)
    assert program.problems == ()
    assert [(p.id, p.level, p.source.file, p.source.line) for p in program.participants] == [
        ("M1", None, "juniors.csv", 2),
        ("S1", 7, "seniors.xlsx", 2),
        ("S2", 6, "seniors.xlsx", 4),
    ]


def test_broken_xlsx_is_a_problem() -> None:
    table, problems = read_xlsx(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert table is None
    assert "cannot open as an Excel workbook" in problems[0].message


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("id,name,role", ","),
        ("id;name;role", ";"),
        ("id\tname\trole", "\t"),
        ('"a;b",c,d', ","),
        ("single", ","),
    ],
)
def test_delimiter_is_sniffed_from_the_header(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


def test_list_separator_drops_trailing_items() -> None:
    assert split_list("a; b ;;c;", ";") == ("a", "b", "c")


def test_topics_by_id_or_title_case_insensitively() -> None:
    table, _ = read_csv(
        b"id,name,role,skills\nM1,Ann,mentor,AI ASSISTANTS;Video;social-media;Blockchain\n",
        "participants.csv",
    )
    assert table is not None
    people, problems = participants_from_table(table, RosterConfig(), TOPICS)
    assert people[0].skills == ("ai", "video", "social-media")  # the known ones are kept
    assert [p.format() for p in problems] == [
        "participants.csv:2:4: error: skills: unknown topic `Blockchain` "
        "(known topics: social-media, video, ai)"
    ]
    table, _ = read_csv(b"id,name,role,skills\nM1,Ann,mentor,AI ASSISTANTS;Video\n", "p.csv")
    assert table is not None
    people, _ = participants_from_table(table, RosterConfig(), TOPICS)
    assert people[0].skills == ("ai", "video")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_arbitrary_bytes_give_data_or_problems(data: bytes, encoding: str) -> None:
    table, problems = read_csv(data, "participants.csv", encoding)
    if table is None:
        assert problems
        return
    people, problems = participants_from_table(table, RosterConfig(), TOPICS)
    for person in people:
        assert person.id
        assert person.name
        assert person.role in ("mentor", "mentee")
    for problem in problems:
        assert problem.location.file == "participants.csv"
        assert problem.location.line >= 1


csv_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(csv_cell, min_size=1, max_size=6), min_size=1, max_size=6))
def test_arbitrary_csv_rows_give_data_or_problems(rows: list[list[str]]) -> None:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "name", "role", "level", "skills", "availability"])
    writer.writerows(rows)
    table, problems = read_csv(buffer.getvalue().encode("utf-8"), "participants.csv")
    assert table is not None, problems
    people, problems = participants_from_table(table, RosterConfig(), TOPICS)
    assert len(people) <= len(rows)


def test_roster_read_fully_even_when_program_yaml_has_errors(make_program: MakeProgram) -> None:
    yaml = MINIMAL_YAML.replace("timezone: Europe/Berlin", "timezone: Europe/Berlin\n  colour: red")
    folder = make_program(yaml, **{"participants.csv": "id,name,role\nM1,Ann,boss\n"})
    program = read_program(folder)
    assert program.broken == {"program"}
    assert [p.format() for p in program.problems] == [
        "program.yaml:8:3: error: unknown key `colour` in `program`",
        "participants.csv:2:3: error: role is `boss`; it must be `mentor` or `mentee` "
        "(mentors are the junior colleagues who teach; mentees the senior ones)",
    ]
