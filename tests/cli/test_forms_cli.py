"""`rmentor forms`: out/forms/ for the sample, before any sign-up, and the round trip
(the mapping it writes reads an export whose headers are its question texts)."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from rmentor.cli.app import app
from rmentor.documents.forms import build_forms
from rmentor.errors import Problem
from rmentor.files.load import load
from rmentor.text import visible
from tests.conftest import MINIMAL_YAML, MakeProgram, google_csv, snapshot

runner = CliRunner()
SHEETS = (
    "signup",
    "checkin",
    "survey-pre",
    "survey-fit-check",
    "survey-midpoint",
    "survey-final",
)


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def test_the_sample_gets_every_form(sample: Path) -> None:
    before = snapshot(sample)
    result = ok("forms", "--program", str(sample))
    assert "Forms: 13 files" in result.stdout
    forms = sample / "out" / "forms"
    names = sorted(p.name for p in forms.iterdir())
    assert names == sorted(
        [f"{k}.md" for k in SHEETS] + [f"{k}.gs" for k in SHEETS] + ["mapping.yaml"]
    )
    after = snapshot(sample)
    assert {k: v for k, v in after.items() if not k.startswith("out/")} == before
    parsed = yaml.safe_load((forms / "mapping.yaml").read_text(encoding="utf-8"))
    assert parsed["roster"]["files"][0]["file"] == "signup.csv"
    signup = (forms / "signup.gs").read_text(encoding="utf-8")
    assert 'FormApp.create("Digital Fluency 2027: sign-up")' in signup


def test_a_second_run_changes_nothing(sample: Path) -> None:
    ok("forms", "--program", str(sample), "-q")
    first = snapshot(sample / "out")
    result = ok("forms", "--program", str(sample))
    assert "(0 changed, 13 unchanged)" in result.stdout
    assert snapshot(sample / "out") == first


def test_quiet_prints_nothing(sample: Path) -> None:
    assert ok("forms", "--program", str(sample), "-q").stdout == ""


def test_html_sheets_and_another_out(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    ok("forms", "--program", str(sample), "--format", "html", "--out", str(out), "-q")
    html = (out / "forms" / "signup.html").read_text(encoding="utf-8")
    assert "<h2>13. When can you meet?</h2>" in html
    assert "Morning (09:00-12:00)" in html
    assert not (sample / "out").exists()


def test_forms_come_before_the_roster(make_program: MakeProgram) -> None:
    folder = make_program()  # no participants.csv, no meetings, no surveys yet
    ok("forms", "--program", str(folder), "-q")
    assert (folder / "out" / "forms" / "survey-final.gs").is_file()


def test_an_error_in_program_yaml_writes_nothing(make_program: MakeProgram) -> None:
    folder = make_program(MINIMAL_YAML + "meetings: {cadense: weekly}\n")
    result = invoke("forms", "--program", str(folder))
    assert result.exit_code == 1
    assert "cadense" in result.stderr
    assert not (folder / "out").exists()


# A YAML double-quoted title: quotes, a backslash, `</script>`, `${}`, a backtick, a line break.
HOSTILE_YAML = MINIMAL_YAML.replace(
    "title: Social media for business", 'title: "He said \\"hi\\" \\\\ </script> ${x} `y`\\nz"'
)


def test_hostile_topic_titles_stay_strings(make_program: MakeProgram, tmp_path: Path) -> None:
    folder = make_program(HOSTILE_YAML)
    title = load(folder).config.topics[0].title
    assert '"hi"' in title
    assert "</script>" in title
    ok("forms", "--program", str(folder), "-q")
    forms = folder / "out" / "forms"
    mapping = yaml.safe_load((forms / "mapping.yaml").read_text(encoding="utf-8"))
    signup = mapping["roster"]["files"][0]["columns"]
    pre = mapping["evaluation"]["surveys"][0]["columns"]
    assert f"How confident are you today with: {visible(title)}" in pre
    assert "Mentors: which topics could you teach?" in signup
    node = shutil.which("node")
    for script in sorted(forms.glob("*.gs")):
        text = script.read_text(encoding="utf-8")
        assert "</script>" not in text
        if node is not None:
            js = tmp_path / f"{script.stem}.js"
            js.write_text(text, encoding="utf-8")
            checked = subprocess.run([node, "--check", str(js)], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stderr


def test_an_unknown_format_is_refused(sample: Path) -> None:
    result = invoke("forms", "--program", str(sample), "--format", "docx")
    assert result.exit_code == 2  # wrong usage, refused before any work (SPEC §2)
    assert "docx" in result.stderr
    assert "'--format'" in result.stderr


# -- the round trip ----------------------------------------------------------------------------

ROUND_TRIP_YAML = """\
program:
  name: Round Trip
  organization: Testco
  leader: {name: Lee Leader, email: lee@example.com}
  start: 2027-01-11
  end: 2027-06-25
  timezone: Europe/Berlin
topics:
  - {id: social-media, title: Social media for business}
  - {id: video, title: Video meetings}
"""


def signed_up(make_program: MakeProgram) -> tuple[Path, dict[str, Any]]:
    """A program whose sign-up export has the sign-up sheet's question texts as
    headers, in Google's shape; the mapping `rmentor forms` wrote for it."""
    folder = make_program(ROUND_TRIP_YAML)
    ok("forms", "--program", str(folder), "-q")
    mapping = yaml.safe_load((folder / "out" / "forms" / "mapping.yaml").read_text("utf-8"))
    signup = build_forms(load(folder).config)[0]
    answers = {
        "id": ["E1", "E2"],
        "name": ["Ana Mentor", "Ben Mentee"],
        "email": ["ana@example.com", "ben@example.com"],
        "role": next(q.options for q in signup.questions if q.field == "role"),
        "level": ["2", "7"],
        "skills": ["Social media for business;Video meetings", ""],
        "interests": ["", "Video meetings"],
    }
    header = ["Timestamp"]
    rows: list[list[str]] = [["2027/01/04 10:00:00 AM GMT+1"], ["2027/01/04 11:30:00 AM GMT+1"]]
    for question in signup.questions:
        for h in question.headers:
            header.append(h)
            for k, row in enumerate(rows):
                if question.field == "availability":
                    monday = h.endswith("[Monday]") and k == 0
                    row.append(";".join(question.options) if monday else "")
                else:
                    row.append(answers.get(question.field or "", ["", ""])[k])
    (folder / "signup.csv").write_text(google_csv(header, rows), encoding="utf-8", newline="")
    return folder, mapping


def write_yaml(folder: Path, **blocks: Any) -> None:
    text = ROUND_TRIP_YAML + yaml.safe_dump(blocks, sort_keys=False, allow_unicode=True)
    (folder / "program.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def errors_of(folder: Path) -> list[Problem]:
    return [p for p in load(folder).problems if p.severity.value == "error"]


def test_the_mapping_reads_a_signup_export_with_the_question_texts(
    make_program: MakeProgram,
) -> None:
    folder, mapping = signed_up(make_program)
    write_yaml(folder, roster=mapping["roster"])
    assert not errors_of(folder)
    people = {p.id: p for p in load(folder).participants}
    assert people["E1"].role == "mentor"
    assert people["E2"].role == "mentee"
    assert people["E1"].skills == ("social-media", "video")
    assert people["E2"].interests == ("video",)
    assert people["E1"].email == "ana@example.com"
    ((day, start, end),) = [(w.day, w.start, w.end) for w in people["E1"].availability]
    assert (day, start, end) == (0, 9 * 60, 17 * 60)  # Monday morning and afternoon
    assert not people["E2"].availability


def test_the_mapping_reads_a_survey_export_with_the_question_texts(
    make_program: MakeProgram,
) -> None:
    folder, mapping = signed_up(make_program)
    surveys = mapping["evaluation"]["surveys"]
    pre = next(s for s in surveys if s["kind"] == "pre")
    write_yaml(folder, roster=mapping["roster"], evaluation={"surveys": [pre]})
    form = next(f for f in build_forms(load(folder).config) if f.key == "survey-pre")
    ratings = {"respondent": ["E2", ""], "skill:social-media": ["2", "4"], "skill:video": ["3", ""]}
    header = ["Timestamp", *(q.text for q in form.questions)]
    rows = [
        [
            "2027/01/05 09:00:00 AM GMT+1",
            *(ratings.get(q.field or "", ["", ""])[k] for q in form.questions),
        ]
        for k in range(2)
    ]
    (folder / pre["file"]).parent.mkdir(parents=True, exist_ok=True)
    (folder / pre["file"]).write_text(google_csv(header, rows), encoding="utf-8", newline="")
    assert not errors_of(folder)
    responses = load(folder).responses
    assert [r.respondent for r in responses] == ["E2", None]
    assert dict(responses[0].skills) == {"social-media": 2, "video": 3}
    assert dict(responses[1].skills) == {"social-media": 4}


def test_the_mapping_reads_a_fit_check_export_with_the_question_texts(
    make_program: MakeProgram,
) -> None:
    folder, _ = signed_up(make_program)
    fit_check = {
        "file": "feedback/fit-check-survey.csv",
        "kind": "fit_check",
        "columns": {"Your employee ID": "respondent"},
    }
    write_yaml(folder, evaluation={"surveys": [fit_check]})
    ok("forms", "--program", str(folder), "-q")
    mapping = yaml.safe_load((folder / "out" / "forms" / "mapping.yaml").read_text("utf-8"))
    (entry,) = [s for s in mapping["evaluation"]["surveys"] if s["kind"] == "fit_check"]
    assert entry["file"] == fit_check["file"]
    write_yaml(folder, roster=mapping["roster"], evaluation={"surveys": [entry]})
    form = next(f for f in build_forms(load(folder).config) if f.key == "survey-fit-check")
    fit = next(q for q in form.questions if q.field == "fit")
    answers = {
        "respondent": ["E1", "ben@example.com"],
        "fit": [fit.options[0], fit.options[2]],
        "safety": ["5", "2"],
        "comments": ["", "We have not found a time yet"],
    }
    assert len(form.questions) == 4  # who, and exactly three questions
    header = ["Timestamp", *(q.text for q in form.questions)]
    rows = [
        [
            "2027/01/19 09:00:00 AM GMT+1",
            *(answers.get(q.field or "", ["", ""])[k] for q in form.questions),
        ]
        for k in range(2)
    ]
    path = folder / entry["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(google_csv(header, rows), encoding="utf-8", newline="")
    assert not errors_of(folder)
    responses = load(folder).responses
    assert [(r.respondent, r.fit, r.safety) for r in responses] == [
        ("E1", "good", 5),
        ("E2", "poor", 2),
    ]
    assert responses[1].comments == "We have not found a time yet"


def test_the_checkin_mapping_reads_a_checkin_export(make_program: MakeProgram) -> None:
    folder, mapping = signed_up(make_program)
    write_yaml(folder, roster=mapping["roster"], meetings=mapping["meetings"])
    assert not errors_of(folder)
    ok("match", "--program", str(folder), "--today", "2027-01-04", "-q")
    form = next(f for f in build_forms(load(folder).config) if f.key == "checkin")
    held = next(q for q in form.questions if q.field == "status").options[0]
    answers = {
        "respondent": ["E1", "ben@example.com"],
        "date": ["2027-01-18", "2027-01-18"],
        "status": [held, held],
        "minutes": ["60", "55"],
        "topics": ["Video meetings", "Video meetings;Social media for business"],
    }
    header = ["Timestamp", *(q.text for q in form.questions)]
    rows = [
        [
            "2027/01/18 5:00:00 PM GMT+1",
            *(answers.get(q.field or "", ["", ""])[k] for q in form.questions),
        ]
        for k in range(2)
    ]
    (folder / "checkin.csv").write_text(google_csv(header, rows), encoding="utf-8", newline="")
    ok("log", "--import", "checkin.csv", "--program", str(folder), "-q")
    meetings = load(folder).meetings
    assert len(meetings) == 1  # reported by both partners: counted once
    assert meetings[0].status == "held"
