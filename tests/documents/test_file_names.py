"""Every document kept: one file per person and document, under a name every system can
open, and no invisible character in any file name, title or calendar.

A whole program goes through `rmentor build` with ids that are Windows device names
(`CON`, `nul`, `Aux`...), ids in Chinese and Cyrillic (whose slugs would be `1`), and
names full of bidi and zero-width characters. Then the files are counted against the
people who should have them: two welcome letters per pair, one reserve letter per person
left out, one certificate per person who earned one, one calendar per person.

Below that, the renderer's own guard: given two documents with one name (which
`validate` prevents: see tests/bad_inputs/*slug_clash*), it stops before writing either.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.documents.packets import handouts
from rmentor.documents.render import (
    Document,
    DuplicateName,
    Part,
    Renderer,
    check_names,
    render_documents,
)
from rmentor.files.load import load, read_program
from rmentor.model.pairings import Pairing, PairingState
from rmentor.model.sessions import Schedule
from rmentor.text import file_stem, invisible_in
from tests.conftest import MakeProgram

runner = CliRunner()
TODAY = "2027-02-01"  # the second build: every pair has held a session

# Bidi controls, zero-width characters, a soft hyphen, a control character; in
# program.yaml as the escapes of a double-quoted string (YAML allows no raw controls).
HIDDEN = "\u202e\u2066\u200b\u00ad\u200e\x07"
YAML_HIDDEN = HIDDEN.encode("unicode_escape").decode("ascii")

PROGRAM_YAML = f"""\
program:
  name: "Names{YAML_HIDDEN} 2027"
  organization: Testco
  leader: {{name: "Lee{YAML_HIDDEN} Leader", email: lee@example.com}}
  start: 2027-01-11
  end: 2027-06-25
  timezone: Europe/Berlin
  format: formal
topics:
  - {{id: ai, title: "AI{YAML_HIDDEN} tools"}}
  - {{id: social, title: Social media}}
meetings:
  milestones:
    - name: "Kick{YAML_HIDDEN}off"
      kind: kickoff
      date: 2027-01-11
      description: "Hello{YAML_HIDDEN}"
evaluation:
  certificate: {{min_sessions: 1, final_survey: false}}
"""
MENTORS = ("CON", "nul", "LPT9", "\u5f20\u4f1f1")  # 张伟1
MENTEES = ("Aux", "com1", "PRN", "\u674e\u5a1c1", "\u0416\u0435\u043d\u044f")  # 李娜1, Женя
DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))}


def roster() -> str:
    rows = ["id,name,email,role,skills,interests"]
    for n, pid in enumerate(MENTORS):
        rows.append(f"{pid},Mentor{HIDDEN} {n},m{n}@example.com,mentor,ai;social,")
    for n, pid in enumerate(MENTEES):
        rows.append(f"{pid},Mentee{HIDDEN} {n},e{n}@example.com,mentee,,ai;social")
    return "\n".join(rows) + "\n"


def build(folder: Path, today: str) -> None:
    result = runner.invoke(
        app, ["build", "--format", "md", "--today", today, "--program", str(folder), "-q"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr


def files_in(out: Path, folder: str) -> set[str]:
    return {p.name for p in (out / folder).iterdir()} if (out / folder).is_dir() else set()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The program built at the start, then again after every pair held one session."""
    folder = tmp_path_factory.mktemp("names") / "program"
    folder.mkdir()
    (folder / "program.yaml").write_text(PROGRAM_YAML, encoding="utf-8")
    (folder / "participants.csv").write_text(roster(), encoding="utf-8")
    build(folder, "2027-01-04")
    pairs = read_program(folder).pairings.active
    meetings = ["pair,date,status,minutes,topics,notes"]
    meetings += [f"{p.id},2027-01-20,held,60,ai," for p in pairs]
    (folder / "meetings.csv").write_text("\n".join(meetings) + "\n", encoding="utf-8")
    build(folder, TODAY)
    return folder


def test_every_document_is_kept(built: Path) -> None:
    out = built / "out"
    program = load(built)  # device names and ids in other scripts are fine ids
    assert not [p for p in program.problems if p.severity.value == "error"]
    pairs = program.pairings.active
    assert len(pairs) == len(MENTORS)  # each mentor has one place; one mentee is left
    paired = {who for p in pairs for who in (p.mentor, p.mentee)}
    left = sorted(set(MENTORS + MENTEES) - paired)
    assert len(left) == 1

    letters = files_in(out, "letters")
    expected = {f"{file_stem(who)}-{p.id}.md" for p in pairs for who in (p.mentor, p.mentee)}
    assert letters == expected
    assert len(letters) == 2 * len(pairs)  # no letter lost to another's name

    assert files_in(out, "reserve") == {f"{file_stem(who)}.md" for who in left}

    # Everyone paired held one session: everyone paired earned a certificate.
    report = runner.invoke(app, ["report", "--json", "--today", TODAY, "--program", str(built)])
    earned = json.loads(report.stdout)["certificates"]
    certificates = files_in(out, "certificates")
    assert certificates == {f"{file_stem(who)}.html" for who in paired}
    assert len(certificates) == earned == len(paired)

    assert len(files_in(out, "calendars/people")) == len(paired)
    assert len(files_in(out, "agreements")) == len(pairs)
    assert len(files_in(out, "packets")) == len(pairs) + 1  # and the coordinator's


def test_no_file_name_windows_cannot_open(built: Path) -> None:
    names = [p.relative_to(built) for p in built.rglob("*")]
    assert any(n.name.startswith("con_") for n in names)
    for name in names:
        for part in name.parts:
            assert re.fullmatch(r"[A-Za-z0-9._-]+", part), name
            base = part.split(".")[0].upper()
            assert base not in DEVICES, name
            assert not part.endswith((".", " ")), name


def test_no_invisible_character_in_any_output(built: Path) -> None:
    """Titles, headers, names, calendar properties: nothing invisible in any file."""
    for path in (built / "out").rglob("*"):
        if path.suffix in (".md", ".html", ".ics", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not set(invisible_in(text)) - set("\n\r\t"), path


# --- the renderer's guard --------------------------------------------------------------------


def test_render_documents_refuses_two_documents_with_one_name() -> None:
    part = Part("certificate.md.j2", {})
    twins = [Document(f"certificates/{file_stem(i)}", i, (part,)) for i in ("E.1002", "E-1002")]
    with pytest.raises(DuplicateName, match=r"certificates/e-1002"):
        next(render_documents(twins, Renderer(), "md", "header"))
    # names that differ only in case are one file on macOS and Windows
    with pytest.raises(DuplicateName):
        check_names([Document("letters/a", "A", (part,)), Document("letters/A", "B", (part,))])
    check_names([Document("letters/a", "A", (part,)), Document("letters/b", "B", (part,))])


def test_a_clash_that_passed_validate_would_stop_the_run(make_program: MakeProgram) -> None:
    """The locked pair X.13 / X-13 lost the mentor's welcome letter. Validate refuses
    it now; were it to slip through, the two letters' shared name stops the render."""
    folder = make_program(
        yaml="""\
        program:
          name: P
          organization: O
          leader: {name: L, email: l@example.com}
          start: 2027-01-11
          end: 2027-06-25
          timezone: Europe/Berlin
        topics:
          - {id: ai, title: AI}
        """,
        **{"participants.csv": "id,name,role\nX.13,Mia,mentor\nX-13,Eve,mentee\n"},
    )
    assert any("gives the same file name" in p.message for p in load(folder).problems)
    program = read_program(folder)  # the checks bypassed
    state = PairingState((Pairing("X.13", "X-13", 1.0, dt.date(2027, 1, 11), locked=True),))
    docs = handouts(program.config, program.participants, state, Schedule(), dt.date(2027, 1, 4))
    with pytest.raises(DuplicateName, match="letters/x-13-p"):
        check_names(docs)
