"""Real form exports, in the exact shapes Google Forms and Microsoft Forms write them,
read with no edit beyond the mapping (issue 13).

- Google "Download responses (.csv)": every cell quoted, `Timestamp` first as
  `2027/01/04 9:15:02 AM GMT+1`, checkbox answers joined by `;`, a grid question as
  one `Question [Row]` column a row (the mentors' sign-up);
- Microsoft Forms .xlsx: `ID`, `Start time`, `Completion time`, `Email`, `Name` first,
  real date-time cells, checkbox answers as `a;b;` with a trailing `;` (the mentees'
  sign-up) and `anonymous` in Email for an anonymous survey (the final survey);
- the linked Google Sheet's CSV: quoted only where needed, `1/4/2027 9:15:02`
  timestamps, checkbox answers joined by `", "` (the pre survey).

`forms_program` builds the folder; tests/cli/test_forms_end_to_end.py runs the
commands on it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

from rmentor.errors import Severity
from rmentor.files.load import load, read_program
from tests.conftest import MINIMAL_YAML

PROGRAM_YAML = (
    MINIMAL_YAML
    + """\
roster:
  values:
    level: {Analyst: 1, Associate: 2, Senior Engineering Officer: 4, SEO: 4, Vice President: 5}
  files:
    - file: signup/mentors.csv          # Google: Download responses (.csv)
      role: mentor
      list_separator: ";"
      date_format: "%d/%m/%Y"
      columns:
        Email Address: email
        First name: name
        Last name: name
        Employee number: id
        Which topics can you teach?: skills
        Your grade: level
        When did you join the company?: hire_date
        When can you meet? [Monday]: availability
        When can you meet? [Tuesday]: availability
        When can you meet? [Thursday]: availability
      values:
        availability:
          Morning (9-12): "09:00-12:00"
          Afternoon (13-17): "13:00-17:00"
    - file: signup/mentees.xlsx         # Microsoft Forms
      role: mentee
      columns:
        Email: email
        Name: name
        Employee number: id
        What would you like to learn?: interests
        Your grade: level
        When are you free?: availability
        Anything we should know?: notes
        Anything we should know?#2: ~
      values:
        availability:
          Monday morning: Mon 09:00-12:00
          Tuesday afternoon: Tue 13:00-17:00
          Thursday morning: Thu 09:00-12:00
evaluation:
  anonymity_threshold: 3
  surveys:
    - file: feedback/pre.csv            # the linked Google Sheet, File > Download > CSV
      kind: pre
      list_separator: ","
      columns:
        Email address: respondent
        How satisfied are you so far?: satisfaction
        Rate yourself [Video meetings]: skill:video
        Rate yourself [AI assistants]: skill:ai
        Which topics matter most to you?: ~
    - file: feedback/final.xlsx         # Microsoft Forms, anonymous
      kind: final
      columns:
        Email: respondent
        Name: ~
        How satisfied are you with the program?: satisfaction
        How likely are you to recommend the program to a colleague?: recommend
        What will you do differently?: comments
      values:
        satisfaction:
          Very satisfied: 5
          Satisfied: 4
          Neither satisfied nor dissatisfied: 3
          Dissatisfied: 2
          Very dissatisfied: 1
"""
)

_GRID = "When can you meet? [{}]"
MENTORS_HEADER = [
    "Timestamp",
    "Email Address",
    "First name",
    "Last name",
    "Employee number",
    "Which topics can you teach?",
    "Your grade",
    "When did you join the company?",
    _GRID.format("Monday"),
    _GRID.format("Tuesday"),
    _GRID.format("Thursday"),
]
MORNING, AFTERNOON = "Morning (9-12)", "Afternoon (13-17)"
MENTORS = [
    # E102 signs up twice: the later answer (row 6, AI assistants) counts
    ["2027/01/04 9:15:02 AM GMT+1", "ana@example.com", "Ana", "Silva", "E101",
     "Social media for business;Video meetings", "Analyst", "2/1/2024",
     f"{MORNING};{AFTERNOON}", "", MORNING],
    ["2027/01/04 9:20:41 AM GMT+1", "bo@example.com", "Bo", "Chen", "E102",
     "Video meetings", "Associate", "15/9/2023", MORNING, AFTERNOON, ""],
    ["2027/01/04 10:02:13 AM GMT+1", "cy@example.com", "Cy", "Diaz", "E103",
     "AI assistants;Social media for business", "Analyst", "1/3/2025", MORNING, "", ""],
    ["2027/01/04 1:45:00 PM GMT+1", "di@example.com", "Di", "Evans", "E104",
     "Video meetings;AI assistants", "Associate", "30/11/2022", MORNING, AFTERNOON, MORNING],
    ["2027/01/05 8:01:59 AM GMT+1", "bo@example.com", "Bo", "Chen", "E102",
     "AI assistants", "Associate", "15/9/2023", MORNING, AFTERNOON, ""],
]  # fmt: skip

MENTEES_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Employee number",
    "What would you like to learn?",
    "Your grade",
    "When are you free?",
    "Anything we should know?",
    "Anything we should know?",
]
_T = dt.datetime(2027, 1, 4, 9, 0, 0)
MENTEES = [
    [1, _T, _T + dt.timedelta(minutes=3), "frank@example.com", "Frank Green", "E201",
     "AI assistants;Video meetings;", "SEO", "Monday morning;Thursday morning;",
     "Prefers video calls", "ignored"],
    [2, _T + dt.timedelta(hours=1), _T + dt.timedelta(hours=1, minutes=5), "gia@example.com",
     "Gia Hill", "E202", "Social media for business;", "Vice President", "Monday morning;",
     None, None],
    [3, _T + dt.timedelta(hours=2), _T + dt.timedelta(hours=2, minutes=4), "hal@example.com",
     "Hal Ito", "E203", "Video meetings;AI assistants;", "SEO",
     "Monday morning;Tuesday afternoon;", None, "x"],
    [4, _T + dt.timedelta(hours=3), _T + dt.timedelta(hours=3, minutes=2), "ida@example.com",
     "Ida Jones", "E204", "Social media for business;Video meetings;", "Vice President",
     "Monday morning;", "Part time", None],
]  # fmt: skip

PRE_CSV = (
    "Timestamp,Email address,How satisfied are you so far?,Rate yourself [Video meetings],"
    "Rate yourself [AI assistants],Which topics matter most to you?\n"
    '1/11/2027 9:15:02,ana@example.com,4,2,3,"Video meetings, AI assistants"\n'
    "1/11/2027 9:20:00,frank@example.com,3,1,2,AI assistants\n"
    "1/11/2027 10:00:00,gia@example.com,5,3,3,\n"
    '1/12/2027 8:00:00,hal@example.com,4,2,1,"Video meetings, Social media for business"\n'
    "1/12/2027 9:00:00,ida@example.com,2,4,2,Video meetings\n"
    "1/12/2027 9:30:00,bo@example.com,5,4,4,\n"
    "1/12/2027 11:00:00,someone@elsewhere.org,4,3,3,\n"
    "1/13/2027 12:00:00,frank@example.com,4,2,2,AI assistants\n"  # frank again: counts
)
# pre: identified ana 4, frank 4 (his later answer), gia 5, hal 4, ida 2, bo 5 and one
# anonymous 4 -> 7 answers, mean 28 / 7 = 4.0; response rate 6 of 8 = 0.75

FINAL_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "How satisfied are you with the program?",
    "How likely are you to recommend the program to a colleague?",
    "What will you do differently?",
]
FINAL_ANSWERS = [
    ("Very satisfied", 10, "Ask more questions"),
    ("Satisfied", 9, None),
    ("Satisfied", 8, "Use video more"),
    ("Very satisfied", 10, None),
    ("Neither satisfied nor dissatisfied", 7, None),
    ("Satisfied", 9, None),
    ("Very satisfied", 10, "Share dashboards"),
    ("Satisfied", 6, None),
    ("Satisfied", 9, None),
    ("Very satisfied", 10, None),
]
# final: 10 anonymous answers, each its own: satisfaction 43 / 10 = 4.3;
# recommend: 7 promoters, 1 detractor of 10 -> NPS 60; no one identified -> rate 0.0
FINAL_SATISFACTION = 4.3
FINAL_NPS = 60.0


def google_download_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """As Google Forms' Download responses (.csv) writes it: every cell quoted."""

    def line(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' for c in cells)

    return ("\r\n".join(line(r) for r in [header, *rows]) + "\r\n").encode("utf-8")


def microsoft_xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    """As Microsoft Forms writes it: one sheet, real numbers and date-time cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in cells:
            cell.number_format = "m/d/yy h:mm:ss"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def final_rows() -> list[list[object]]:
    start = dt.datetime(2027, 6, 21, 9, 0, 0)
    return [
        [i + 1, start + dt.timedelta(hours=i), start + dt.timedelta(hours=i, minutes=4),
         "anonymous", None, satisfaction, recommend, changes]
        for i, (satisfaction, recommend, changes) in enumerate(FINAL_ANSWERS)
    ]  # fmt: skip


def forms_program(folder: Path) -> Path:
    """The program folder with every export as its tool writes it."""
    files = {
        "program.yaml": PROGRAM_YAML.encode("utf-8"),
        "signup/mentors.csv": google_download_csv(MENTORS_HEADER, MENTORS),
        "signup/mentees.xlsx": microsoft_xlsx(MENTEES_HEADER, MENTEES),  # type: ignore[arg-type]
        "feedback/pre.csv": PRE_CSV.encode("utf-8"),
        "feedback/final.xlsx": microsoft_xlsx(FINAL_HEADER, final_rows()),
    }
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def test_exports_read_with_no_edit(tmp_path: Path) -> None:
    program = load(forms_program(tmp_path))
    errors = [p.format() for p in program.problems if p.severity is Severity.ERROR]
    assert errors == []
    people = {p.id: p for p in program.participants}
    assert sorted(people) == ["E101", "E102", "E103", "E104", "E201", "E202", "E203", "E204"]
    ana, bo, frank, gia = people["E101"], people["E102"], people["E201"], people["E202"]
    # Google: names joined, `;` checkbox answers, grade -> level, d/m/Y dates, the grid
    assert (ana.name, ana.role, ana.email, ana.level) == (
        "Ana Silva",
        "mentor",
        "ana@example.com",
        1,
    )
    assert ana.skills == ("social-media", "video")
    assert ana.hire_date == dt.date(2024, 1, 2)
    assert [(w.day, w.start, w.end) for w in ana.availability] == [
        (0, 540, 720), (0, 780, 1020), (3, 540, 720)
    ]  # fmt: skip
    assert ana.extra == {}  # the Timestamp is `submitted`, not kept
    # the re-submission: the later answer counts
    assert bo.skills == ("ai",)
    assert bo.source.line == 6
    # Microsoft: `ID` is not the id, `a;b;` with a trailing `;`, role from the file
    assert (frank.name, frank.role, frank.level) == ("Frank Green", "mentee", 4)
    assert frank.interests == ("ai", "video")
    assert [(w.day, w.start, w.end) for w in frank.availability] == [(0, 540, 720), (3, 540, 720)]
    assert frank.notes == "Prefers video calls"
    assert gia.level == 5
    assert "1" not in people
    warnings = [p for p in program.problems if p.severity is Severity.WARNING]
    (twice,) = [p for p in warnings if "submitted the form twice" in p.message]
    assert str(twice.location) == "signup/mentors.csv:6:1"
    assert "`E102`" in twice.message
    assert "rows 3 and 6" in twice.message
    # surveys: the pre survey's stranger, the final survey's ten `anonymous`
    pre = [r for r in program.responses if r.survey_kind == "pre"]
    final = [r for r in program.responses if r.survey_kind == "final"]
    assert len(pre) == 8
    assert [r.respondent for r in pre].count(None) == 1
    assert len(final) == 10
    assert all(r.respondent is None for r in final)
    assert sum(r.satisfaction or 0 for r in final) == 43
    (anon,) = [p for p in warnings if "no participant" in p.message and "final" in p.message]
    assert "10 answers" in anon.message


def test_google_sheet_separator_hint(tmp_path: Path) -> None:
    """The linked Sheet joins with `, `: read with `;`, the topic error says why."""
    folder = forms_program(tmp_path)
    yaml = (folder / "program.yaml").read_text(encoding="utf-8")
    (folder / "program.yaml").write_text(
        yaml.replace('      list_separator: ";"\n', '      list_separator: ","\n'),
        encoding="utf-8",
    )
    program = read_program(folder)
    errors = [p for p in program.problems if p.severity is Severity.ERROR]
    assert errors
    assert all("contains `;` — check roster.list_separator" in (p.hint or "") for p in errors)


ONE_FORM_YAML = """\
program:
  name: T
  organization: O
  leader: {name: L}
  start: 2027-01-11
  end: 2027-06-25
  timezone: Europe/Berlin
topics:
  - {id: ai, title: AI assistants}
roster:
  columns:
    Work e-mail: [email, id]
    Salary: ~
  values:
    role: {"Mentor: I am early in my career": mentor, "Mentee: I lead a team": mentee}
  files:
    - signup.csv
    - file: more.csv
      role: mentee
      columns: {E-mail: [email, id], Full name: name}
"""


def test_one_column_feeds_two_fields_and_role_per_file(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text(ONE_FORM_YAML, encoding="utf-8")
    (tmp_path / "signup.csv").write_text(
        "Timestamp,Work e-mail,Name,Role,Salary\n"
        "2027/01/04 9:00:00 AM GMT+1,ana@example.com,Ana,Mentor: I am early in my career,1\n"
        "2027/01/04 9:05:00 AM GMT+1,ben@example.com,Ben,mentee: i lead a team ,2\n",
        encoding="utf-8",
    )
    (tmp_path / "more.csv").write_text(
        "E-mail,Full name\ncy@example.com,Cy Diaz\n", encoding="utf-8"
    )
    program = load(tmp_path)
    assert [p.format() for p in program.problems if p.severity is Severity.ERROR] == []
    got = [(p.id, p.email, p.role, p.name) for p in program.participants]
    assert got == [
        ("ana@example.com", "ana@example.com", "mentor", "Ana"),
        ("ben@example.com", "ben@example.com", "mentee", "Ben"),
        ("cy@example.com", "cy@example.com", "mentee", "Cy Diaz"),
    ]
    assert all("Salary" not in p.extra for p in program.participants)


def test_plain_roster_repeat_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text(
        ONE_FORM_YAML.split("roster:")[0] + "roster:\n  files: [people.csv]\n", encoding="utf-8"
    )
    (tmp_path / "people.csv").write_text(
        "id,name,role\nm1,Mia,mentor\nm1,Mia again,mentor\n", encoding="utf-8"
    )
    program = load(tmp_path)
    errors = [p.format() for p in program.problems if p.severity is Severity.ERROR]
    assert errors == [
        "people.csv:3:1: error: duplicate id `m1` (first used by `m1` at people.csv:2:1)"
    ]


def test_unknown_field_in_a_files_columns(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text(
        ONE_FORM_YAML.replace("Full name: name}", "Full name: nmae}"), encoding="utf-8"
    )
    (tmp_path / "signup.csv").write_text("id,name,role\n", encoding="utf-8")
    (tmp_path / "more.csv").write_text("E-mail,Full name\n", encoding="utf-8")
    program = load(tmp_path)
    (bad,) = [p for p in program.problems if "unknown field" in p.message]
    assert bad.message == "roster.columns maps `Full name` to unknown field `nmae`"
    assert bad.location.file == "program.yaml"


def test_survey_answers_ordered_by_submission_time(tmp_path: Path) -> None:
    """A sheet sorted by hand: the answer submitted later counts, whatever its row."""
    folder = forms_program(tmp_path)
    (folder / "feedback/pre.csv").write_text(
        "Timestamp,Email address,How satisfied are you so far?\n"
        "1/13/2027 12:00:00,frank@example.com,2\n"
        "1/11/2027 9:20:00,frank@example.com,5\n",
        encoding="utf-8",
    )
    program = load(folder)
    pre = [r for r in program.responses if r.survey_kind == "pre"]
    assert [r.satisfaction for r in pre] == [5, 2]  # in the order they were submitted
    (again,) = [p for p in program.problems if "answered the pre survey again" in p.message]
    assert str(again.location) == "feedback/pre.csv:2:1"
