"""Session structures by kind, and letters that do not contradict themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.documents.agenda import SESSION_PLANS, scaled, session_plan

ROW = re.compile(r"^\| (\d+) \| ([^|]+) \| ", re.MULTILINE)


@pytest.mark.parametrize("duration", [15, 30, 45, 50, 60, 75, 90, 120, 480])
def test_every_structure_adds_up_to_the_session_length(duration: int) -> None:
    for kind in SESSION_PLANS:
        plan = session_plan(kind, duration, mentor="Ana", mentee="Bo", topic="AI")
        assert sum(step["minutes"] for step in plan) == duration
        assert all(step["minutes"] >= 0 for step in plan)
    assert scaled([5, 30, 15, 5, 5], 60) == [5, 30, 15, 5, 5]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from tests.conftest import SAMPLE

    folder = tmp_path_factory.mktemp("agenda") / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    result = CliRunner().invoke(
        app, ["build", "--format", "md", "--today", "2027-01-04", "--program", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder / "out"


def _tables(text: str) -> list[list[tuple[int, str]]]:
    """Each "Suggested structure" table of a document: (minutes, part) rows."""
    found = []
    for block in text.split("### Suggested structure")[1:]:
        table = block.split("###")[0]
        found.append([(int(m), p.strip()) for m, p in ROW.findall(table)])
    return found


def test_agenda_sheets_and_the_guide_quote_one_structure(built: Path) -> None:
    guide = (built / "handouts" / "mentor-guide.md").read_text(encoding="utf-8")
    shape = guide.split("-minute teaching session")[1].split("## ")[0]
    teaching = [(int(m), p.strip()) for m, p in ROW.findall(shape)]
    assert sum(m for m, _ in teaching) == 60
    sheets = sorted((built / "agendas").glob("*.md"))
    assert sheets
    kinds_seen: set[tuple[tuple[int, str], ...]] = set()
    for sheet in sheets:
        for table in _tables(sheet.read_text(encoding="utf-8")):
            assert sum(m for m, _ in table) == 60, sheet.name
            kinds_seen.add(tuple(table))
    assert tuple(teaching) in kinds_seen  # the guide's shape is the sheets' teaching shape
    assert len(kinds_seen) == len(SESSION_PLANS)  # one structure per kind, no variants


DATE_TIME = r"\w+day \d+ \w+ \d{4}(?:,| at) \d{2}:\d{2}"


def test_no_letter_puts_a_session_and_a_milestone_at_one_time(built: Path) -> None:
    letters = sorted((built / "letters").glob("*.md"))
    assert letters
    for letter in letters:
        text = letter.read_text(encoding="utf-8")
        first = re.search(r"Your first meeting is on \*\*(" + DATE_TIME + r")\*\*", text)
        assert first is not None, letter.name
        session = first[1].replace(" at ", ", ")
        events = re.findall(r"^- \*\*[^*]+\*\*: (" + DATE_TIME + ")", text, re.MULTILINE)
        assert events, letter.name
        assert session not in events, (letter.name, session)
