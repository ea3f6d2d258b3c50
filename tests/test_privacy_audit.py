"""Privacy audit: canaries planted in the sample program, and where each may turn up.

A copy of the sample gets values that occur nowhere else: an e-mail per person, birth
years, a note on every meeting and every roster row, a manager id that is on no roster,
e-mails and names in the survey export's own columns, and two survey comments that name
participants and give an e-mail address. The program is then matched, scheduled and
built in HTML and in Markdown, and `report`, `status`, `schedule` and `match` print their
JSON. Every file and every JSON output is searched, as a reader would see it: calendar
lines unfolded, HTML entities and Markdown escapes undone.

The rules (README "Evaluate", `engines/privacy.py`, `documents/packets.person_context`):

- A participant's e-mail is in calendars only, the ones that invite them: their own,
  their partner's, their pair's and the coordinator's. No letter, agreement, packet,
  handout, certificate, index or report prints it.
- Birth years appear nowhere: generations are labels, a letter never gives an age.
- Meeting notes and roster notes appear nowhere, the coordinator's packet included:
  it shows that meetings happened, not what was said.
- Manager ids appear nowhere; a person's own documents name only them and their partner,
  so no document shows who reports to whom.
- The survey export's other columns (its e-mail and name columns) appear nowhere.
- Survey comments are shown in the report with participants' names and e-mail
  addresses blanked; the names and addresses appear in no output.
- The program-wide outputs (report, its charts, `report --json`, the handouts, the
  sponsor summary at the head of the coordinator's packet) name nobody: no name, id or
  e-mail of a participant. (`status --json` is the coordinator's dashboard: it names
  the pairs, but holds no e-mail, birth year or note either.)
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import SAMPLE

runner = CliRunner()
SETUP_DAY = "2027-01-04"  # before the sample starts: match and schedule
REPORT_DAY = "2027-06-30"  # after its end: every document and the full report

# Birth years outside the sample's 1963-2004, so that none is a date or a figure too.
MENTEE_YEARS = (1958, 1959, 1961, 1962)
MENTOR_YEARS = (1991, 1992, 1993, 1994)
MANAGER = "MGR9001X"  # a manager on no roster (a warning, not an error)
COMMENT_MARKER = "Quokkafrog"  # a word only the planted comment holds
CHANGE_MARKER = "Wombatkite"  # a word only the planted follow-up answer holds
COMMENT_EMAIL = "zq.comment@canary-mail.example"
NAMED_COMMENT = f"{COMMENT_MARKER}: {{name}} was wonderful, write to {COMMENT_EMAIL}"
FIRST_NAME_MARKER = "Wombatlantern"
FIRST_NAME_COMMENT = f"{FIRST_NAME_MARKER} thanks to {{first}} for the patience"
CHANGE_COMMENT = f"{CHANGE_MARKER}: {{name}} showed me, write to {COMMENT_EMAIL}"


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return str(result.stdout)


def email_of(person: str) -> str:
    return f"zq.{person.lower()}@canary-mail.example"


@dataclass(frozen=True)
class Audit:
    """The planted program's outputs as readers see them, and what was planted."""

    outputs: dict[str, str]  # "html/letters/…", "md/…", "json/report" -> plain text
    names: dict[str, str]  # participant id -> name
    partners: dict[str, set[str]]  # participant id -> the people they were paired with
    pairs: dict[str, tuple[str, str]]  # pair id -> (mentor, mentee)
    years: set[int]
    notes: list[str]  # meeting notes and roster notes
    survey_extras: list[str]  # e-mails and names in the survey export's own columns
    comment_names: tuple[str, str]  # the full name and the first name in the comments
    folded: dict[str, str]  # the outputs, case-folded once

    def where(self, needle: str) -> list[str]:
        """The outputs holding `needle` (case-insensitive)."""
        folded = needle.casefold()
        return sorted(name for name, text in self.folded.items() if folded in text)

    def matching(self, pattern: str) -> dict[str, set[str]]:
        """Each output's matches of `pattern` (case-insensitive), where there are any."""
        found = {n: set(re.findall(pattern, t, re.IGNORECASE)) for n, t in self.outputs.items()}
        return {n: hits for n, hits in found.items() if hits}


# -- planting -------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def plant(folder: Path) -> dict[str, Any]:
    """Put the canaries into the copy of the sample; what was planted."""
    people = _read_csv(folder / "participants.csv")
    years: set[int] = set()
    notes: list[str] = []
    for k, row in enumerate(people):
        row["email"] = email_of(row["id"])
        year = (MENTEE_YEARS if row["role"] == "mentee" else MENTOR_YEARS)[k % 4]
        row["birth_year"] = str(year)
        years.add(year)
        row["notes"] = f"Rosternote{row['id']} said something in confidence"
        notes.append(row["notes"])
        if not row["manager"]:  # the top of each reporting line gets a manager off the roster
            row["manager"] = MANAGER
    _write_csv(folder / "participants.csv", people)
    meetings = _read_csv(folder / "meetings.csv")
    for k, row in enumerate(meetings):
        row["notes"] = f"Meetnote{k:03d} talked about the reorganisation"
        notes.append(row["notes"])
    _write_csv(folder / "meetings.csv", meetings)

    mentee = next(p for p in people if p["role"] == "mentee")
    full, first = mentee["name"], mentee["name"].split()[0]
    book = openpyxl.load_workbook(folder / "feedback" / "final-survey.xlsx")
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    extras: list[str] = []
    for line in range(2, sheet.max_row + 1):
        email = f"zq.survey{line}@canary-mail.example"
        name = f"Surveyname{line} Quux"
        sheet.cell(row=line, column=header.index("Email") + 1, value=email)
        sheet.cell(row=line, column=header.index("Name") + 1, value=name)
        extras += [email, name]
    comments = header.index("Comments") + 1
    sheet.cell(row=2, column=comments, value=NAMED_COMMENT.format(name=full))
    sheet.cell(row=3, column=comments, value=FIRST_NAME_COMMENT.format(first=first))
    book.save(folder / "feedback" / "final-survey.xlsx")
    # The follow-up's "what I do differently" (issue 15), one answer naming a colleague.
    mentees = [p for p in people if p["role"] == "mentee"]
    changes = [
        {
            "Your employee ID": p["id"],
            "What do you now do differently?": f"Changeword{k} dashboards",
        }
        for k, p in enumerate(mentees[:8])
    ]
    changes[0]["What do you now do differently?"] = CHANGE_COMMENT.format(name=full)
    _write_csv(folder / "feedback" / "follow-up.csv", changes)
    program = folder / "program.yaml"
    program.write_text(
        program.read_text(encoding="utf-8").replace(
            "  surveys:",
            "  surveys:\n"
            "    - file: feedback/follow-up.csv\n"
            "      kind: follow_up\n"
            '      columns: {"Your employee ID": respondent, '
            '"What do you now do differently?": changes}',
            1,
        ),
        encoding="utf-8",
    )
    return {
        "names": {p["id"]: p["name"] for p in people},
        "years": years,
        "notes": notes,
        "extras": extras,
        "comment_names": (full, first),
    }


# -- reading the outputs as people do -------------------------------------------------------


def plain(name: str, text: str) -> str:
    """The text a reader sees: .ics lines unfolded, HTML entities and escapes undone."""
    if name.endswith(".ics"):
        text = re.sub(r"\r?\n[ \t]", "", text)  # RFC 5545 folds lines at 75 octets
    text = html.unescape(text)
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>'\",;:~])", r"\1", text)  # Markdown, iCal


def outputs(out: Path, prefix: str) -> dict[str, str]:
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            name = f"{prefix}/{path.relative_to(out).as_posix()}"
            found[name] = plain(name, path.read_bytes().decode("utf-8"))
    return found


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    folder = tmp_path_factory.mktemp("audit") / "program"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    planted = plant(folder)
    where = ("--program", str(folder))
    texts: dict[str, str] = {}
    texts["json/match"] = run("match", "--json", "--today", SETUP_DAY, *where)
    texts["json/schedule"] = run("schedule", "--json", "--today", SETUP_DAY, *where)
    run("build", "-q", "--today", REPORT_DAY, *where)
    run("build", "-q", "--format", "md", "--today", REPORT_DAY, "--out", str(folder / "md"), *where)
    texts["json/report"] = run("report", "--json", "--today", REPORT_DAY, *where)
    texts["json/status"] = run("status", "--json", "--today", "2027-03-01", *where)
    state = tomllib.loads((folder / "state" / "pairings.toml").read_text(encoding="utf-8"))
    pairs = {key: (t["mentor"], t["mentee"]) for key, t in state["pairs"].items()}
    partners: dict[str, set[str]] = {}
    for mentor, mentee in pairs.values():
        partners.setdefault(mentor, set()).add(mentee)
        partners.setdefault(mentee, set()).add(mentor)
    texts |= outputs(folder / "out", "html") | outputs(folder / "md", "md")
    return Audit(
        outputs=texts,
        names=planted["names"],
        partners=partners,
        pairs=pairs,
        years=planted["years"],
        notes=planted["notes"],
        survey_extras=planted["extras"],
        comment_names=planted["comment_names"],
        folded={name: text.casefold() for name, text in texts.items()},
    )


def program_wide(audit: Audit) -> Iterable[tuple[str, str]]:
    """The outputs for readers beyond the pairs: report, charts, handouts, sponsor summary."""
    for name, text in audit.outputs.items():
        part = name.split("/", 1)[1] if "/" in name else name
        if part.startswith(("report", "handouts/")) or name == "json/report":
            yield name, text
        elif part.startswith("packets/coordinator."):
            yield f"{name} (sponsor summary)", text.split("For the coordinator only")[0]


# -- the rules ------------------------------------------------------------------------------


def test_the_audit_sees_what_it_looks_for(audit: Audit) -> None:
    """Controls: the scan finds what each document is meant to show, so a rule below
    that finds nothing has looked in the right places."""
    assert any(n.startswith("html/letters/") for n in audit.outputs)
    assert any(n.startswith("md/report") for n in audit.outputs)
    assert len(audit.partners) >= 34
    for person in audit.partners:  # the name, unfolded from the calendar's description
        calendar = f"html/calendars/people/{person.lower()}.ics"
        assert calendar in audit.where(audit.names[person]), person
    name = next(n for n in audit.names.values() if "'" in n)  # Patrick O'Brien
    assert "html/packets/coordinator.html" in audit.where(name)  # entities undone


def test_emails_appear_in_no_document_or_calendar(audit: Audit) -> None:
    """Calendars to import or subscribe to are METHOD:PUBLISH: they name people in the
    description, never by address (only `rmentor mail`'s invitations carry addresses)."""
    assert audit.names
    for person in audit.names:
        assert not audit.where(email_of(person)), person


def test_birth_years_appear_nowhere(audit: Audit) -> None:
    years = "|".join(str(y) for y in sorted(audit.years))
    assert not audit.matching(rf"(?<![\w.])(?:{years})(?!\w)")  # not inside a figure or hash


def test_meeting_and_roster_notes_appear_nowhere(audit: Audit) -> None:
    assert len(audit.notes) > 300
    # Meetnote007, RosternoteE1001: the first word of each planted note, held by nothing else
    assert {n.split()[0] for n in audit.notes} >= {"Meetnote000", "RosternoteE1001"}
    assert not audit.matching(r"Meetnote\d+|Rosternote\w+")


def test_manager_ids_appear_nowhere(audit: Audit) -> None:
    assert not audit.where(MANAGER)


def test_a_persons_documents_name_only_them_and_their_partners(audit: Audit) -> None:
    """So no letter, agreement or calendar shows a manager or anyone else on the roster."""
    slugs = {person.lower(): person for person in audit.names}
    checked = 0
    for name, text in audit.outputs.items():
        stem = name.rsplit("/", 1)[-1].split(".")[0]
        people: set[str] = set()
        for part in stem.split("-"):
            if part in slugs:
                person = slugs[part]
                people |= {person, *audit.partners.get(person, set())}
            elif part in audit.pairs:
                people |= set(audit.pairs[part])
        if not people or "coordinator" in name:
            continue
        checked += 1
        named = {p for p, full in audit.names.items() if full in text}
        assert named <= people, (name, sorted(named - people))
    assert checked > 300


def test_the_survey_exports_own_columns_appear_nowhere(audit: Audit) -> None:
    assert len(audit.survey_extras) >= 60
    assert not audit.matching(r"zq\.survey\d+@canary-mail\.example|Surveyname\d+")


def test_comments_are_shown_without_names_or_emails(audit: Audit) -> None:
    full, first = audit.comment_names
    for name in ("html/report.html", "md/report.md", "json/report"):
        text = audit.outputs[name]
        assert f"{COMMENT_MARKER}: [name] was wonderful, write to [email]" in text, name
        assert f"{FIRST_NAME_MARKER} thanks to [name] for the patience" in text, name
    assert not audit.where(COMMENT_EMAIL)
    for marker in (COMMENT_MARKER, FIRST_NAME_MARKER):
        for name in audit.where(marker):
            text = audit.outputs[name]
            start = text.casefold().index(marker.casefold())
            shown = text[start : start + 80]
            assert full not in shown, (name, shown)
            assert first not in shown, (name, shown)


def test_what_changed_is_shown_without_names_or_emails(audit: Audit) -> None:
    full, first = audit.comment_names
    for name in ("html/report.html", "md/report.md", "json/report"):
        text = audit.outputs[name]
        assert f"{CHANGE_MARKER}: [name] showed me, write to [email]" in text, name
        assert "Changeword3 dashboards" in text, name
    for name in audit.where(CHANGE_MARKER):
        text = audit.outputs[name]
        start = text.casefold().index(CHANGE_MARKER.casefold())
        assert full not in text[start : start + 80], name
        assert first not in text[start : start + 80], name


def test_program_wide_outputs_name_nobody(audit: Audit) -> None:
    checked = 0
    for name, text in program_wide(audit):
        checked += 1
        for person, full in audit.names.items():
            assert full not in text, (name, full)
            assert email_of(person) not in text, (name, person)
            assert not re.search(rf"\b{re.escape(person)}\b", text), (name, person)
    assert checked >= 20  # report, charts and handouts in both formats, JSON, summaries
