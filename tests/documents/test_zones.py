"""Every time in the reader's own zone (issue 11): letters, guides and pair documents
name zones in words ("New York time"), never by their IANA name, and show the reader's
own clock and date; pair documents show both partners' times when their clocks differ."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.documents.packets import elsewhere, person_zone, zone_context
from rmentor.files.load import open_program
from rmentor.model.places import zone_place, zone_words
from rmentor.model.program import Program
from tests.conftest import SAMPLE

runner = CliRunner()
TODAY = "2027-01-04"
NEW_YORK, LONDON, BERLIN = "America/New_York", "Europe/London", "Europe/Berlin"
# An IANA name as written (America/New_York) or as Markdown escapes it (America/New\_York).
IANA = re.compile(
    r"\b(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)"
    r"\\?/"
)
# The coordinator's own pages may name zones by their IANA names; calendars must.
COORDINATOR_PAGES = {"packets/coordinator", "handouts/coordinator-guide"}


def run(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr


def build(folder: Path, *formats: str) -> None:
    for fmt in formats:
        run("build", "--format", fmt, "--today", TODAY, "--program", str(folder), "-q")


def copy_sample(target: Path, kickoff: str | None = None) -> Path:
    folder = target / "program"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    if kickoff is not None:
        yaml = (folder / "program.yaml").read_text(encoding="utf-8")
        # the kickoff's `time:`, the first after its `name: Kickoff`
        changed, found = re.subn(
            r'(name: Kickoff\b.*?time: )"\d\d:\d\d"', rf'\1"{kickoff}"', yaml, count=1, flags=re.S
        )
        assert found == 1
        (folder / "program.yaml").write_text(changed, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_sample(tmp_path_factory.mktemp("zones"))
    build(folder, "md", "html")
    return folder


@pytest.fixture(scope="module")
def program(built: Path) -> Program:
    return open_program(built)


def zone(program: Program, person: str) -> str:
    return next(p.timezone for p in program.participants if p.id == person) or ""


def pair_in(program: Program, mentor_zone: str, mentee_zone: str) -> str:
    """An active pair whose mentor and mentee work in these zones."""
    for pair in sorted(program.pairings.active, key=lambda p: p.id):
        if (zone(program, pair.mentor), zone(program, pair.mentee)) == (mentor_zone, mentee_zone):
            return pair.id
    pytest.fail(f"the sample has no pair {mentor_zone} + {mentee_zone}")


def letter(folder: Path, person: str) -> str:
    (path,) = (folder / "out" / "letters").glob(f"{person.lower()}-*.md")
    return path.read_text(encoding="utf-8")


def part(folder: Path, pair: str, heading: str) -> str:
    """One part of a pair's packet, by the start of its title."""
    text = (folder / "out" / "packets" / f"{pair}.md").read_text(encoding="utf-8")
    (found,) = [p for p in text.split("\n---\n\n") if p.startswith(heading)]
    return found


def dates_for_calendar(text: str) -> dict[str, str]:
    """The letter's "Dates for your calendar": milestone name -> its date and time."""
    block = text.split("**Dates for your calendar**", 1)[1].split("Questions,", 1)[0]
    return dict(re.findall(r"^- \*\*(.+?)\*\*: (.+)$", block, re.MULTILINE))


def test_a_new_york_letter_shows_new_york_times(built: Path, program: Program) -> None:
    assert zone(program, "E1003") == NEW_YORK  # Margaret Chen, New York office
    text = letter(built, "E1003")
    dates = dates_for_calendar(text)
    assert dates["Kickoff"] == "Monday 11 January 2027, 09:00 New York time"  # 15:00 Berlin
    assert dates["Mentee briefing"] == "Thursday 14 January 2027, 09:30 New York time"
    # 09:00 Berlin in April is 03:00 in New York (both on summer time by then)
    assert dates["Midpoint survey opens"] == "Monday 5 April 2027, 03:00 New York time"
    assert "**Tuesday 19 January 2027 at 09:00** New York time:" in text  # her first meeting
    assert "14:00 London time for Sophie" in text  # and her partner's clock, in London
    assert "Europe/Berlin" not in text
    assert "Berlin time" not in text
    assert not IANA.search(text)


def test_a_berlin_letter_shows_berlin_times(built: Path, program: Program) -> None:
    assert zone(program, "E1001") == BERLIN  # Katharina Vogel
    dates = dates_for_calendar(letter(built, "E1001"))
    assert dates["Kickoff"] == "Monday 11 January 2027, 15:00 Berlin time"
    assert dates["Midpoint survey opens"] == "Monday 5 April 2027, 09:00 Berlin time"


def test_a_london_letter_shows_london_times(built: Path, program: Program) -> None:
    assert zone(program, "E1002") == LONDON  # Richard Okafor
    dates = dates_for_calendar(letter(built, "E1002"))
    assert dates["Kickoff"] == "Monday 11 January 2027, 14:00 London time"
    assert "Mentor training" not in dates  # mentees only see their own events


def test_an_all_new_york_pair_reads_new_york_times_only(built: Path, program: Program) -> None:
    pair = pair_in(program, NEW_YORK, NEW_YORK)
    sheets = (built / "out" / "agendas" / f"{pair}.md").read_text(encoding="utf-8")
    schedule = part(built, pair, "# Schedule:")
    agreement = (built / "out" / "agreements" / f"{pair}.md").read_text(encoding="utf-8")
    for text in (sheets, schedule, agreement):
        assert "New York time" in text
        assert "Berlin time" not in text
        assert "London time" not in text
        assert not IANA.search(text)
    whens = re.findall(r"^- \*\*When:\*\* (.+)$", sheets, re.MULTILINE)
    assert whens
    assert all(w.count(" to ") == 1 and " for " not in w for w in whens)
    assert "All times are New York time, the same for both of you." in schedule
    milestones = schedule.split("## Program milestones", 1)[1]
    assert "Times are New York time." in milestones
    assert "| Mon 11 Jan 2027 | 09:00 | **Kickoff**" in milestones  # not Berlin's 15:00
    assert "| Mon 5 Apr 2027 | 03:00 | **Midpoint survey opens**" in milestones


def test_a_mixed_pair_reads_both_clocks(built: Path, program: Program) -> None:
    pair = pair_in(program, LONDON, NEW_YORK)  # Sophie Turner and Margaret Chen
    agreement = (built / "out" / "agreements" / f"{pair}.md").read_text(encoding="utf-8")
    first = re.search(r"^\| First session \| (.+) \|$", agreement, re.MULTILINE)
    assert first is not None
    assert re.search(r"14:00 London time for \w+, 09:00 New York time for \w+", first[1])
    sheets = (built / "out" / "agendas" / f"{pair}.md").read_text(encoding="utf-8")
    whens = re.findall(r"^- \*\*When:\*\* (.+)$", sheets, re.MULTILINE)
    assert len(whens) > 10
    assert all("London time for" in w and "New York time for" in w for w in whens)
    # the US moves its clocks two weeks before Europe: for those weeks the gap is 4 hours
    assert any("14:00 to 15:00 London time" in w and "10:00 to 11:00 New York" in w for w in whens)
    schedule = part(built, pair, "# Schedule:")
    milestones = schedule.split("## Program milestones", 1)[1]
    assert "| Mon 11 Jan 2027 | 14:00 | 09:00 | **Kickoff**" in milestones
    for text in (agreement, sheets, schedule):
        assert not IANA.search(text)


def test_guides_show_the_program_zone_and_the_readers_other_clocks(built: Path) -> None:
    handouts = built / "out" / "handouts"
    mentors = (handouts / "mentor-guide.md").read_text(encoding="utf-8")
    assert "| 15:00 Berlin time (14:00 London, 09:00 New York) | Kickoff |" in mentors
    assert "| 09:00 Berlin time (08:00 London, 03:00 New York) | Midpoint survey opens |" in mentors
    mentees = (handouts / "mentee-guide.md").read_text(encoding="utf-8")
    assert "| 15:30 Berlin time (14:30 London, 09:30 New York) | Mentee briefing |" in mentees
    training = (handouts / "training-mentors.md").read_text(encoding="utf-8")
    assert "· 15:00 Berlin time (14:00 London, 09:00 New York) · 120 minutes" in training


def test_no_reader_sees_an_iana_name(built: Path) -> None:
    out = built / "out"
    checked = 0
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.suffix not in (".md", ".html") or name.startswith("calendars/"):
            continue
        if name.rsplit(".", 1)[0] in COORDINATOR_PAGES:
            continue
        checked += 1
        found = IANA.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{name} names a zone by its IANA name: {found[0] if found else ''}"
    assert checked > 100  # letters, agreements, agendas, packets and handouts, md and html


def test_a_late_milestone_moves_to_the_readers_own_date(tmp_path: Path) -> None:
    """A kickoff at 03:00 Berlin time is 21:00 the evening before in New York."""
    folder = copy_sample(tmp_path, kickoff="03:00")
    build(folder, "md")
    program = open_program(folder)
    dates = dates_for_calendar(letter(folder, "E1003"))
    assert dates["Kickoff"] == "Sunday 10 January 2027, 21:00 New York time"
    assert dates_for_calendar(letter(folder, "E1001"))["Kickoff"] == (
        "Monday 11 January 2027, 03:00 Berlin time"
    )
    mentees = (folder / "out" / "handouts" / "mentee-guide.md").read_text(encoding="utf-8")
    assert "| 03:00 Berlin time (02:00 London, 21:00 New York the day before) | Kickoff |" in (
        mentees
    )
    pair = pair_in(program, LONDON, NEW_YORK)
    milestones = part(folder, pair, "# Schedule:").split("## Program milestones", 1)[1]
    assert "| Mon 11 Jan 2027 | 02:00 | 21:00 (Sun) | **Kickoff**" in milestones
    pair = pair_in(program, NEW_YORK, NEW_YORK)
    milestones = part(folder, pair, "# Schedule:").split("## Program milestones", 1)[1]
    assert "| Sun 10 Jan 2027 | 21:00 | **Kickoff**" in milestones


@pytest.mark.parametrize(
    ("name", "place", "words"),
    [
        ("America/New_York", "New York", "New York time"),
        ("Europe/Berlin", "Berlin", "Berlin time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires", "Buenos Aires time"),
        ("UTC", "UTC", "UTC"),
        ("Etc/GMT+5", "UTC-5", "UTC-5"),  # POSIX signs: Etc/GMT+5 is five hours behind
        ("Etc/GMT-14", "UTC+14", "UTC+14"),
    ],
)
def test_a_zone_in_words(name: str, place: str, words: str) -> None:
    assert zone_place(name) == place
    assert zone_words(name) == words


def test_a_person_zone_is_named_after_their_office_when_it_keeps_their_clocks(
    program: Program,
) -> None:
    config = program.config.model_copy(
        update={
            "program": program.config.program.model_copy(
                update={
                    "offices": {
                        **program.config.program.offices,
                        "HQ": program.config.program.offices["Berlin"],
                    }
                }
            )
        }
    )
    person = next(p for p in program.participants if p.id == "E1001")
    at_hq = person.model_copy(update={"location": "HQ"})
    assert person_zone(at_hq, config)["words"] == "HQ time"
    # Two offices on Berlin's clocks: someone elsewhere in that zone reads the city
    assert person_zone(person.model_copy(update={"location": None}), config)["words"] == (
        "Berlin time"
    )
    away = person.model_copy(update={"location": "London", "timezone": "Asia/Tokyo"})
    assert person_zone(away, config) == {
        "zone": "Asia/Tokyo",
        "place": "Tokyo",
        "words": "Tokyo time",
    }
    nowhere = person.model_copy(update={"timezone": None})
    assert person_zone(nowhere, config)["zone"] == BERLIN  # the program's zone


def test_other_clocks_share_a_time_and_leave_the_programs_out() -> None:
    start = dt.datetime(2027, 1, 11, 23, 30, tzinfo=ZoneInfo(BERLIN))
    zones = [
        zone_context(z)
        for z in (BERLIN, "Europe/Paris", LONDON, "Europe/Lisbon", NEW_YORK, "Asia/Tokyo")
    ]
    found = [
        (e["start"].strftime("%H:%M"), e["place"], e["shift"]) for e in elsewhere(start, zones)
    ]
    assert found == [
        ("07:30", "Tokyo", 1),
        ("22:30", "London and Lisbon", 0),
        ("17:30", "New York", 0),
    ]
    assert elsewhere(None, zones) == []  # an all-day milestone has no time to convert
