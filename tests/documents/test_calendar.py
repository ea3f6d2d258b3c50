"""Calendars: build the .ics files of a hand-made schedule and read them back.

Every check parses the bytes again with icalendar (and expands them with
recurring-ical-events, as a calendar client would) and compares with the schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import subprocess
import sys
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from rmentor import __version__
from rmentor.documents.calendar import (
    COORDINATOR_FILE,
    _Builder,
    _Zones,
    build_calendars,
    calendar_bytes,
    calendar_object,
    default_uid_domain,
    milestone_uid,
    pair_file_name,
    person_file_name,
    session_uid,
    to_ical,
    vtimezone,
)
from rmentor.errors import Location
from rmentor.model.config import ProgramConfig
from rmentor.model.pairings import Pairing
from rmentor.model.people import Participant
from rmentor.model.sessions import PairPlan, Schedule, Session, Skip, Slot
from rmentor.text import invisible_in, slug
from tests.conftest import MINIMAL_YAML, REPO

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
LOC = Location("participants.csv", 2, 1)
EVIL_NAME = "Eve\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:pwned"
EVIL_THEME = "Privacy\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil-theme@x\nSUMMARY:pwned; x, y \\ z"
TOPICS = {"social-media": "Social media for business", "video": "Video meetings", "ai": "AI"}

MILESTONES: list[dict[str, Any]] = [
    {"name": "Kick-off", "date": "2027-03-01", "time": "10:00", "duration_minutes": 90,
     "kind": "kickoff"},
    {"name": "Training for mentors", "date": "2027-03-02", "kind": "mentor_training",
     "audience": "mentors"},
    {"name": "Training for mentees", "date": "2027-03-03", "time": "14:00",
     "kind": "mentee_training", "audience": "mentees", "description": "Bring a laptop."},
    {"name": "Coordinator check-in", "date": "2027-03-15", "audience": "coordinator"},
    {"name": "Closing celebration", "date": "2027-04-08", "kind": "celebration"},
]  # fmt: skip


def make_config(**program: Any) -> ProgramConfig:
    """The minimal test program plus channels and the milestones above."""
    raw = yaml.safe_load(MINIMAL_YAML)
    raw["program"]["channels"] = ["video call", "in person"]
    raw["program"].update(program)
    raw["meetings"] = {
        "curriculum": [{"title": "Social media", "description": "Accounts, audiences."}],
        "milestones": MILESTONES,
    }
    return ProgramConfig.model_validate(raw)


def person(pid: str, name: str, role: str, email: str | None, **more: Any) -> Participant:
    """A roster record."""
    return Participant(id=pid, name=name, role=role, email=email, source=LOC, **more)  # type: ignore[arg-type]


PEOPLE = {
    "ana": person("ana", "Ana Silva", "mentor", "ana@example.com", title="Data analyst"),
    "ben": person("ben", "Ben Ortiz", "mentee", "ben@example.com", department="Finance"),
    "cam": person("cam", "Cam Lee", "mentor", "cam@example.com"),
    "eve": person("eve", EVIL_NAME, "mentee", None),
}
PAIR1 = Pairing("ana", "ben", 3.0, dt.date(2027, 3, 1))
PAIR2 = Pairing("cam", "eve", 2.5, dt.date(2027, 3, 1))


def weekly(
    pair: str, first: dt.datetime, count: int, theme: str = "Social media", **changes: Any
) -> list[Session]:
    """`count` weekly one-hour sessions from `first` at the same local time."""
    return [
        Session(
            pair=pair,
            number=n + 1,
            start=first + dt.timedelta(weeks=n),
            end=first + dt.timedelta(weeks=n, hours=1),
            theme=theme,
            topics=("social-media", "video") if n % 2 == 0 else ("ai",),
            **changes,
        )
        for n in range(count)
    ]


def make_schedule() -> Schedule:
    """Two pairs across the US (14 March) and EU (28 March) daylight-saving changes.

    Pair 1 (Berlin): session 3 cancelled (sequence 1), session 4 moved a day for a
    holiday (sequence 1). Pair 2 (New York): no common slot, and a theme that
    tries to inject an event.
    """
    one = weekly(PAIR1.id, dt.datetime(2027, 3, 9, 16, 0, tzinfo=BERLIN), 5)
    one[2] = dataclasses.replace(
        one[2], status="cancelled", sequence=1, updated=dt.date(2027, 3, 20)
    )
    moved = one[3].start + dt.timedelta(days=1)
    one[3] = dataclasses.replace(
        one[3],
        start=moved,
        end=moved + dt.timedelta(hours=1),
        sequence=1,
        updated=dt.date(2027, 3, 1),
        moved_from=one[3].start.date(),
    )
    two = weekly(PAIR2.id, dt.datetime(2027, 3, 10, 10, 0, tzinfo=NEW_YORK), 5, fallback=True)
    two[2] = dataclasses.replace(two[2], moved_from=dt.date(2027, 3, 23), sequence=1)
    two[1] = dataclasses.replace(two[1], theme=EVIL_THEME)
    return Schedule(
        (
            PairPlan(PAIR1.id, "ana", "ben", Slot(1, dt.time(16), "Europe/Berlin"), tuple(one)),
            PairPlan(
                PAIR2.id, "cam", "eve", Slot(2, dt.time(10), "America/New_York", True), tuple(two)
            ),
        ),
        skipped=(Skip(PAIR2.id, dt.date(2027, 3, 23), "Local holiday\nBEGIN:VEVENT"),),
    )


CONFIG = make_config()
DOMAIN = default_uid_domain(CONFIG)
SCHEDULE = make_schedule()


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    """The calendars of the test program."""
    return build_calendars(CONFIG, PEOPLE, [PAIR1, PAIR2], SCHEDULE, TOPICS)


@pytest.fixture(scope="module")
def parsed(files: dict[str, bytes]) -> dict[str, Calendar]:
    """Each calendar read back."""
    return {name: Calendar.from_ical(data) for name, data in files.items()}


def events(calendar: Calendar) -> dict[str, Event]:
    """VEVENTs by UID; fails on a repeated UID."""
    found = calendar.walk("VEVENT")
    uids = Counter(str(e["UID"]) for e in found)
    assert all(n == 1 for n in uids.values()), uids
    return {str(e["UID"]): e for e in found}


def milestone_uids(*audiences: str) -> set[str]:
    """UIDs of the milestones for these audiences."""
    return {
        milestone_uid(DOMAIN, m.key) for m in CONFIG.meetings.milestones if m.audience in audiences
    }


PAIR_AUDIENCES = ("everyone",)  # both people import the pair's calendar


# --- files and headers ---------------------------------------------------------------


def test_one_file_per_pair_per_person_and_one_for_the_coordinator(
    files: dict[str, bytes],
) -> None:
    people = {f"people/{pid}.ics" for pid in ("ana", "ben", "cam", "eve")}
    assert set(files) == {f"{PAIR1.id}.ics", f"{PAIR2.id}.ics", COORDINATOR_FILE, *people}
    assert list(files) == sorted(files)


def test_each_person_sees_only_their_roles_milestones(parsed: dict[str, Calendar]) -> None:
    for pid in ("ana", "ben", "cam", "eve"):
        role = PEOPLE[pid].role
        found = {u for u in events(parsed[person_file_name(pid)]) if u.startswith("milestone-")}
        assert found == milestone_uids("everyone", f"{role}s"), pid
        pair = PAIR1 if pid in ("ana", "ben") else PAIR2
        plan = SCHEDULE.plan(pair.id)
        assert plan is not None
        sessions = {u for u in events(parsed[person_file_name(pid)]) if not u.startswith("m")}
        assert sessions == {session_uid(DOMAIN, pair.id, x.number) for x in plan.sessions}
    assert person_file_name("E1002") == "people/e1002.ics"
    assert person_file_name("E.1002") != person_file_name("E-1002")  # never one file for two
    assert person_file_name("E.1002").startswith("people/e-1002-")
    assert person_file_name("../x") != person_file_name("..x")


def test_calendar_properties(parsed: dict[str, Calendar]) -> None:
    for name, calendar in parsed.items():
        assert str(calendar["PRODID"]) == f"-//rmentor//rmentor {__version__}//EN"
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["CALSCALE"]) == "GREGORIAN"
        assert str(calendar["METHOD"]) == "PUBLISH"
        title = str(calendar["X-WR-CALNAME"])
        assert title.startswith("Test Program — ")
        if name == COORDINATOR_FILE:
            assert title == "Test Program — coordinator"
    assert str(parsed[f"{PAIR1.id}.ics"]["X-WR-CALNAME"]) == "Test Program — Ana Silva & Ben Ortiz"
    # a name with line breaks becomes one line in the title
    title = str(parsed[f"{PAIR2.id}.ics"]["X-WR-CALNAME"])
    assert "\n" not in title
    assert "\r" not in title
    assert title.startswith("Test Program — Cam Lee & Eve END:VEVENT")


def test_lines_end_in_crlf_and_are_folded(files: dict[str, bytes]) -> None:
    for data in files.values():
        assert data.endswith(b"END:VCALENDAR\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")
        assert b"\r" not in data.replace(b"\r\n", b"")
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, line


# --- sessions ---------------------------------------------------------------------


@pytest.mark.parametrize("calendar_of", ["pair", "coordinator"])
def test_every_session_once_with_its_times(parsed: dict[str, Calendar], calendar_of: str) -> None:
    for plan in SCHEDULE.plans:
        name = pair_file_name(plan.pair) if calendar_of == "pair" else COORDINATOR_FILE
        found = events(parsed[name])
        zone = plan.slot.zone
        for session in plan.sessions:
            uid = f"{plan.pair}-{session.number}@test-program.rmentor"
            assert uid == session_uid(DOMAIN, plan.pair, session.number)
            event = found[uid]
            assert event["DTSTART"].dt == session.start
            assert event["DTEND"].dt == session.end
            assert event["DTSTART"].params["TZID"] == zone
            assert event["DTEND"].params["TZID"] == zone
            assert str(event["DTSTART"].dt.tzinfo) == zone  # read back in its own zone
            assert int(event["SEQUENCE"]) == session.sequence
            assert str(event["STATUS"]) == (
                "CANCELLED" if session.status == "cancelled" else "CONFIRMED"
            )
            assert [str(c) for c in event["CATEGORIES"].cats] == ["rmentor"]
            summary = str(event["SUMMARY"])
            assert f"Reverse mentoring #{session.number}" in summary
            assert "\n" not in summary


def test_pair_calendar_holds_only_its_own_sessions(parsed: dict[str, Calendar]) -> None:
    for plan in SCHEDULE.plans:
        found = events(parsed[pair_file_name(plan.pair)])
        sessions = {u for u in found if not u.startswith("milestone-")}
        assert sessions == {session_uid(DOMAIN, plan.pair, s.number) for s in plan.sessions}
    coordinator = events(parsed[COORDINATOR_FILE])
    every = {session_uid(DOMAIN, s.pair, s.number) for s in SCHEDULE.sessions}
    assert {u for u in coordinator if not u.startswith("milestone-")} == every


def test_events_sorted_by_start_then_uid(parsed: dict[str, Calendar]) -> None:
    for calendar in parsed.values():
        keys = []
        for event in calendar.walk("VEVENT"):
            start = event["DTSTART"].dt
            if not isinstance(start, dt.datetime):
                start = dt.datetime.combine(start, dt.time(), BERLIN)
            keys.append((start.astimezone(UTC), str(event["UID"])))
        assert keys == sorted(keys)


def test_dst_change_keeps_local_time_and_shifts_the_instant(parsed: dict[str, Calendar]) -> None:
    found = events(parsed[pair_file_name(PAIR1.id)])
    starts = [
        found[session_uid(DOMAIN, PAIR1.id, n)]["DTSTART"].dt for n in (1, 2, 3, 5)
    ]  # 9, 16, 23 March, 6 April; 4 moved
    assert {s.time() for s in starts} == {dt.time(16, 0)}
    assert [s.astimezone(UTC).hour for s in starts] == [15, 15, 15, 14]


def test_cancelled_and_moved_sessions(parsed: dict[str, Calendar]) -> None:
    found = events(parsed[pair_file_name(PAIR1.id)])
    cancelled = found[session_uid(DOMAIN, PAIR1.id, 3)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1
    assert cancelled["DTSTAMP"].dt == dt.datetime(2027, 3, 20, tzinfo=UTC)
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    moved = found[session_uid(DOMAIN, PAIR1.id, 4)]
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert int(moved["SEQUENCE"]) == 1
    assert moved["DTSTART"].dt == dt.datetime(2027, 3, 31, 16, 0, tzinfo=BERLIN)
    assert "Moved here from Tuesday 2027-03-30 (a public holiday or blackout day)." in str(
        moved["DESCRIPTION"]
    )
    named = events(parsed[pair_file_name(PAIR2.id)])[session_uid(DOMAIN, PAIR2.id, 3)]
    assert "Moved here from Tuesday 2027-03-23 (Local holiday BEGIN:VEVENT)." in str(
        named["DESCRIPTION"]
    )
    assert moved["DTSTAMP"].dt == dt.datetime(2027, 3, 1, tzinfo=UTC)
    plain = found[session_uid(DOMAIN, PAIR1.id, 1)]
    assert plain["DTSTAMP"].dt == dt.datetime(2027, 1, 11, tzinfo=UTC)  # program start


def invitation(people: dict[str, Participant], plan: PairPlan) -> Calendar:
    """A pair's sessions as an e-mailed invitation (METHOD:REQUEST, with ATTENDEEs)."""
    builder = _Builder(CONFIG, people, TOPICS, Schedule((plan,)))
    data = calendar_bytes(
        "t", builder.pair_events(plan), _Zones((2027, 2027)), variant="request", method="REQUEST"
    )
    return Calendar.from_ical(data)


def test_organizer_and_attendees(parsed: dict[str, Calendar]) -> None:
    for calendar in parsed.values():
        assert str(calendar["METHOD"]) == "PUBLISH"
        for event in calendar.walk("VEVENT"):
            organizer = event["ORGANIZER"]
            assert str(organizer) == "mailto:lee@example.com"
            assert organizer.params["CN"] == "Lee Leader"
            assert "ATTENDEE" not in event  # RFC 5546: PUBLISH names no attendee
    request = {p.pair: invitation(PEOPLE, p) for p in SCHEDULE.plans}
    assert str(request[PAIR1.id]["METHOD"]) == "REQUEST"
    one = events(request[PAIR1.id])[session_uid(DOMAIN, PAIR1.id, 1)]
    attendees = one["ATTENDEE"]
    assert isinstance(attendees, list)
    assert [(str(a), a.params["CN"], a.params["ROLE"]) for a in attendees] == [
        ("mailto:ana@example.com", "Ana Silva", "REQ-PARTICIPANT"),
        ("mailto:ben@example.com", "Ben Ortiz", "REQ-PARTICIPANT"),
    ]
    # Eve has no e-mail address: no ATTENDEE, but her name is in the agenda
    two = events(request[PAIR2.id])[session_uid(DOMAIN, PAIR2.id, 1)]
    assert str(two["ATTENDEE"]) == "mailto:cam@example.com"
    assert "Mentee (learns): Eve END:VEVENT BEGIN:VEVENT" in str(two["DESCRIPTION"])


def test_agenda(parsed: dict[str, Calendar]) -> None:
    found = events(parsed[pair_file_name(PAIR1.id)])
    first = str(found[session_uid(DOMAIN, PAIR1.id, 1)]["DESCRIPTION"])
    assert first.splitlines() == [
        "Test Program: reverse mentoring session 1",
        "Theme: Social media",
        "Accounts, audiences.",
        "Topics: Social media for business; Video meetings",
        "Mentor (shares their skills): Ana Silva (Data analyst)",
        "Mentee (learns): Ben Ortiz (Finance)",
        "How to meet: video call, in person",
    ]
    assert str(found[session_uid(DOMAIN, PAIR1.id, 1)]["SUMMARY"]) == (
        "Reverse mentoring #1: Social media (Ana Silva & Ben Ortiz)"
    )
    assert "Topics: AI" in str(found[session_uid(DOMAIN, PAIR1.id, 2)]["DESCRIPTION"])
    assert "outside someone's stated hours" not in first
    fallback = events(parsed[pair_file_name(PAIR2.id)])[session_uid(DOMAIN, PAIR2.id, 1)]
    assert "outside someone's stated hours" in str(fallback["DESCRIPTION"])


# --- time zones -------------------------------------------------------------------


def test_vtimezone_for_every_tzid(parsed: dict[str, Calendar]) -> None:
    for name, calendar in parsed.items():
        used = calendar.get_used_tzids()
        assert used
        assert {tz.tz_name for tz in calendar.timezones} == used, name
        assert calendar.get_missing_tzids() == set()
    # pair 2's sessions are in New York, the kick-off in Berlin (the program's zone)
    assert parsed[pair_file_name(PAIR2.id)].get_used_tzids() == {
        "America/New_York",
        "Europe/Berlin",
    }


def test_vtimezone_matches_the_tz_database() -> None:
    """Read each VTIMEZONE back as a time zone of its own and compare with zoneinfo:
    at noon UTC every day, and every quarter hour of the day around each change."""
    zones = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe")
    for tzid in (*zones, "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham"):
        reference = ZoneInfo(tzid)
        own = vtimezone(tzid, 2027, 2028).to_tz(lookup_tzid=False)  # not looked up by name
        days = [dt.datetime(2027, 1, 1, 12, tzinfo=UTC) + dt.timedelta(days=n) for n in range(730)]
        moments = list(days)
        for day, following in itertools.pairwise(days):
            if day.astimezone(reference).utcoffset() != following.astimezone(reference).utcoffset():
                moments += [day + dt.timedelta(minutes=15 * k) for k in range(96 + 1)]
        assert len(moments) > len(days) or tzid in ("Asia/Kolkata", "America/Sao_Paulo")
        for moment in moments:
            assert moment.astimezone(own).utcoffset() == moment.astimezone(reference).utcoffset()


def test_vtimezone_onsets_are_local_time_before_the_change() -> None:
    """Outlook's shape (MS-OXCICAL): one STANDARD and one DAYLIGHT with a yearly rule,
    each onset the local time before the change (RFC 5545 3.6.5)."""

    def onsets(tzid: str) -> list[tuple[str, str, str, str, str]]:
        text = vtimezone(tzid, 2027, 2027).to_ical().decode()
        parts = re.findall(
            r"BEGIN:(STANDARD|DAYLIGHT)\r\nDTSTART:(\S+)\r\n(?:RRULE:(\S+)\r\n)?"
            r"TZNAME:\S+\r\nTZOFFSETFROM:(\S+)\r\nTZOFFSETTO:(\S+)\r\n",
            text,
        )
        return [tuple(p) for p in parts]

    assert onsets("Europe/Berlin") == [
        ("STANDARD", "20261025T030000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "+0200", "+0100"),
        ("DAYLIGHT", "20260329T020000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "+0100", "+0200"),
    ]
    assert onsets("Asia/Kolkata") == [("STANDARD", "20270101T000000", "", "+0530", "+0530")]
    assert onsets("America/New_York") == [
        ("STANDARD", "20261101T020000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0400", "-0500"),
        ("DAYLIGHT", "20260308T020000", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0500", "-0400"),
    ]


def test_program_in_utc_needs_no_vtimezone() -> None:
    config = make_config(timezone="UTC")
    plan = PairPlan(
        PAIR1.id,
        "ana",
        "ben",
        Slot(1, dt.time(9), "UTC"),
        tuple(weekly(PAIR1.id, dt.datetime(2027, 3, 9, 9, tzinfo=ZoneInfo("UTC")), 2)),
    )
    files = build_calendars(config, PEOPLE, [PAIR1], Schedule((plan,)), TOPICS)
    calendar = Calendar.from_ical(files[COORDINATOR_FILE])
    assert calendar.timezones == []
    assert calendar.get_used_tzids() == set()
    assert b"DTSTART:20270309T090000Z" in files[COORDINATOR_FILE]
    assert b"DTSTART:20270301T100000Z" in files[COORDINATOR_FILE]  # the kick-off


# --- what a client sees -------------------------------------------------------------


def expanded(calendar: Calendar) -> set[tuple[str, dt.datetime | dt.date]]:
    """(UID, start) of every occurrence a client would show; instants in UTC."""
    found = set()
    occurrences = recurring_ical_events.of(calendar).between(
        dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2029, 1, 1, tzinfo=UTC)
    )
    for event in occurrences:
        start = event["DTSTART"].dt
        found.add(
            (str(event["UID"]), start.astimezone(UTC) if isinstance(start, dt.datetime) else start)
        )
    return found


def milestone_starts(*audiences: str) -> set[tuple[str, dt.datetime | dt.date]]:
    """(UID, start) of the milestones for these audiences."""
    found: set[tuple[str, dt.datetime | dt.date]] = set()
    for milestone in CONFIG.meetings.milestones:
        if milestone.audience not in audiences:
            continue
        start: dt.datetime | dt.date = milestone.date
        if milestone.time is not None:
            start = dt.datetime.combine(milestone.date, milestone.time, BERLIN).astimezone(UTC)
        found.add((milestone_uid(DOMAIN, milestone.key), start))
    return found


def test_expanded_occurrences_match_the_schedule(parsed: dict[str, Calendar]) -> None:
    for plan in SCHEDULE.plans:
        want = {
            (session_uid(DOMAIN, plan.pair, s.number), s.start.astimezone(UTC))
            for s in plan.sessions
        }
        got = expanded(parsed[pair_file_name(plan.pair)])
        assert got == want | milestone_starts(*PAIR_AUDIENCES)
    every = {
        (session_uid(DOMAIN, s.pair, s.number), s.start.astimezone(UTC)) for s in SCHEDULE.sessions
    }
    assert expanded(parsed[COORDINATOR_FILE]) == every | milestone_starts(
        "everyone", "mentors", "mentees", "coordinator"
    )


def test_milestones_by_audience(parsed: dict[str, Calendar]) -> None:
    assert {"everyone", "mentors", "mentees", "coordinator"} <= {
        m.audience for m in CONFIG.meetings.milestones
    }
    for plan in SCHEDULE.plans:
        found = {u for u in events(parsed[pair_file_name(plan.pair)]) if u.startswith("milestone-")}
        assert found == milestone_uids(*PAIR_AUDIENCES)
    coordinator = {u for u in events(parsed[COORDINATOR_FILE]) if u.startswith("milestone-")}
    assert coordinator == milestone_uids("everyone", "mentors", "mentees", "coordinator")
    assert "milestone-coordinator-check-in@test-program.rmentor" in coordinator


def test_milestone_events(parsed: dict[str, Calendar]) -> None:
    found = events(parsed[COORDINATOR_FILE])
    kickoff = found["milestone-kick-off@test-program.rmentor"]
    assert kickoff["DTSTART"].dt == dt.datetime(2027, 3, 1, 10, tzinfo=BERLIN)
    assert kickoff["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert kickoff["DTEND"].dt == dt.datetime(2027, 3, 1, 11, 30, tzinfo=BERLIN)
    assert str(kickoff["SUMMARY"]) == "Kick-off"
    training = found["milestone-training-for-mentees@test-program.rmentor"]
    assert training["DTEND"].dt - training["DTSTART"].dt == dt.timedelta(minutes=60)
    assert "Bring a laptop." in str(training["DESCRIPTION"])
    all_day = found["milestone-training-for-mentors@test-program.rmentor"]
    assert all_day["DTSTART"].dt == dt.date(2027, 3, 2)
    assert not isinstance(all_day["DTSTART"].dt, dt.datetime)
    assert all_day["DTSTART"].params["VALUE"] == "DATE"
    assert all_day["DTEND"].dt == dt.date(2027, 3, 3)
    assert str(all_day["TRANSP"]) == "TRANSPARENT"
    for uid, event in found.items():
        if uid.startswith("milestone-"):
            assert event["DTSTAMP"].dt == dt.datetime(2027, 1, 11, tzinfo=UTC)
            assert int(event["SEQUENCE"]) == 0
            assert "ATTENDEE" not in event


# --- determinism and safety ---------------------------------------------------------


def test_same_input_same_bytes(files: dict[str, bytes]) -> None:
    again = build_calendars(CONFIG, PEOPLE, [PAIR1, PAIR2], SCHEDULE, TOPICS)
    assert again == files
    shuffled = Schedule(tuple(reversed(SCHEDULE.plans)), SCHEDULE.skipped)
    people = dict(reversed(PEOPLE.items()))
    assert build_calendars(CONFIG, people, [PAIR2, PAIR1], shuffled, TOPICS) == files


def test_assembled_bytes_equal_icalendars_own(files: dict[str, bytes]) -> None:
    """The calendars are put together from serialised parts; icalendar agrees."""
    builder = _Builder(CONFIG, PEOPLE, TOPICS, SCHEDULE)
    zones = _Zones((2027, 2027))
    items = builder.pair_events(SCHEDULE.plans[1]) + builder.milestones()
    assert calendar_bytes("t", items, zones) == calendar_object("t", items, zones).to_ical()
    for variant in ("personal", "request"):
        assert (
            calendar_bytes("t", items, zones, variant=variant, method="REQUEST")
            == calendar_object("t", items, zones, variant=variant, method="REQUEST").to_ical()
        )
    assert (
        files[COORDINATOR_FILE]
        == calendar_object(
            "Test Program — coordinator",
            [i for plan in SCHEDULE.plans for i in builder.pair_events(plan)]
            + builder.milestones(),
            zones,
        ).to_ical()
    )


def test_injection_stays_inside_one_value(
    files: dict[str, bytes], parsed: dict[str, Calendar]
) -> None:
    sessions = len(SCHEDULE.plans[1].sessions)
    data = files[pair_file_name(PAIR2.id)]
    pair_milestones = len(milestone_uids(*PAIR_AUDIENCES))
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == sessions + pair_milestones
    assert lines.count(b"END:VEVENT") == sessions + pair_milestones
    assert lines.count(b"END:VCALENDAR") == 1
    assert [line for line in lines if line.startswith((b"BEGIN:", b"END:"))] == [
        line for line in lines if re.fullmatch(rb"(BEGIN|END):[A-Z]+", line)
    ]  # the text is inside values, never a line of its own
    assert re.search(rb"^(UID:evil|SUMMARY:pwned)", data, re.MULTILINE) is None
    calendar = parsed[pair_file_name(PAIR2.id)]
    assert len(calendar.walk("VEVENT")) == sessions + pair_milestones
    assert not {str(e["UID"]) for e in calendar.walk("VEVENT")} & {"evil@x", "evil-theme@x"}
    second = events(calendar)[session_uid(DOMAIN, PAIR2.id, 2)]
    summary = str(second["SUMMARY"])
    assert summary.startswith(
        "Reverse mentoring #2: Privacy END:VEVENT BEGIN:VEVENT UID:evil-theme@x "
        "SUMMARY:pwned; x, y \\ z (Cam Lee & Eve END:VEVENT"
    )
    assert "Theme: Privacy END:VEVENT BEGIN:VEVENT" in str(second["DESCRIPTION"])
    for event in calendar.walk("VEVENT"):
        for value in (event.get("SUMMARY"), event.get("DESCRIPTION")):
            assert "\r" not in str(value)


@pytest.mark.parametrize(
    ("email", "kept"),
    [
        ("x@example.com\r\nBEGIN:VEVENT", False),
        ("x@example.com\nATTENDEE:mailto:evil@x", False),
        ('"x"@example.com', False),
        ("x@example.com;ROLE=CHAIR", False),
        ("not an address", False),
        ("", False),
        ("jürgen.müller+rm@beispiel.de", True),
    ],
)
def test_odd_email_addresses_are_left_out(email: str, kept: bool) -> None:
    people = {**PEOPLE, "ben": person("ben", 'Ben "B" Ortiz\x00;', "mentee", email)}
    data = build_calendars(CONFIG, people, [PAIR1], Schedule(SCHEDULE.plans[:1]), TOPICS)
    calendar = invitation(people, SCHEDULE.plans[0])
    for event in events(calendar).values():
        if event["UID"].startswith("milestone-"):
            continue
        attendees = event["ATTENDEE"]
        addresses = [str(a) for a in (attendees if isinstance(attendees, list) else [attendees])]
        assert addresses == ["mailto:ana@example.com"] + ([f"mailto:{email}"] if kept else [])
        if kept:
            assert attendees[1].params["CN"] == 'Ben "B" Ortiz;'
        assert 'Ben "B" Ortiz;' in str(event["DESCRIPTION"])
    shared = len(milestone_uids(*PAIR_AUDIENCES))
    assert data[pair_file_name(PAIR1.id)].split(b"\r\n").count(b"BEGIN:VEVENT") == 5 + shared


def test_unsafe_pair_ids_are_slugged() -> None:
    plan = dataclasses.replace(SCHEDULE.plans[0], pair="../Etc/PASSWD")
    files = build_calendars(CONFIG, PEOPLE, [], Schedule((plan,)), TOPICS)
    assert {n for n in files if not n.startswith("people/")} == {"etc-passwd.ics", COORDINATOR_FILE}
    uids = events(Calendar.from_ical(files["etc-passwd.ics"]))
    assert "etc-passwd-1@test-program.rmentor" in uids
    with pytest.raises(ValueError, match="cannot name a calendar file"):
        pair_file_name("coordinator")
    with pytest.raises(ValueError, match="cannot name a calendar file"):
        pair_file_name("../..")
    twins = (plan, dataclasses.replace(plan, pair="etc passwd"))
    with pytest.raises(ValueError, match="would overwrite"):
        build_calendars(CONFIG, PEOPLE, [], Schedule(twins), TOPICS)


def test_inconsistent_input_is_refused() -> None:
    swapped = dataclasses.replace(SCHEDULE.plans[0], mentor="ben", mentee="ana")
    with pytest.raises(ValueError, match="in the pairings"):
        build_calendars(CONFIG, PEOPLE, [PAIR1], Schedule((swapped,)), TOPICS)
    plan = SCHEDULE.plans[0]
    doubled = dataclasses.replace(plan, sessions=(*plan.sessions, plan.sessions[0]))
    with pytest.raises(ValueError, match="two sessions numbered 1"):
        build_calendars(CONFIG, PEOPLE, [PAIR1], Schedule((doubled,)), TOPICS)


def test_people_missing_from_the_roster_appear_by_id() -> None:
    files = build_calendars(CONFIG, {}, [PAIR1], Schedule(SCHEDULE.plans[:1]), TOPICS)
    calendar = Calendar.from_ical(files[pair_file_name(PAIR1.id)])
    assert str(calendar["X-WR-CALNAME"]) == "Test Program — ana & ben"
    for uid, event in events(calendar).items():
        if not uid.startswith("milestone-"):
            assert "ATTENDEE" not in event
            assert "Mentor (shares their skills): ana" in str(event["DESCRIPTION"])


# Bidi controls (one would show `Eve` as `evE`), zero-width and other invisible
# characters, C0 and C1 controls, a line separator: none may reach a calendar.
HIDDEN = (
    "\u202eEve\u202c \u2066Stone\u2069\u200b\u200e\u061c\u00ad\ufeff\u3164"
    "\x00\x07\x1b[31m\x9b\u2028\u180e"
)


def test_no_invisible_character_in_any_property_or_file_name() -> None:
    raw = yaml.safe_load(MINIMAL_YAML)
    raw["program"].update(
        name=f"Test{HIDDEN}Program",
        leader={"name": f"Lee{HIDDEN}", "email": "lee@example.com"},
        channels=[f"video{HIDDEN}call"],
    )
    theme = f"Social{HIDDEN}media"
    raw["meetings"] = {
        "curriculum": [{"title": theme, "description": f"About{HIDDEN}it"}],
        "milestones": [
            {**m, "name": f"{m['name']}{HIDDEN}", "description": f"Line{HIDDEN}\nnext"}
            for m in MILESTONES
        ],
    }
    config = ProgramConfig.model_validate(raw)
    people = {
        pid: p.model_copy(
            update={"name": f"{p.name}{HIDDEN}", "title": HIDDEN, "department": f"Fi{HIDDEN}"}
        )
        for pid, p in PEOPLE.items()
    }
    plans = tuple(
        dataclasses.replace(
            plan, sessions=tuple(dataclasses.replace(s, theme=theme) for s in plan.sessions)
        )
        for plan in SCHEDULE.plans
    )
    schedule = Schedule(plans, skipped=(Skip(PAIR2.id, dt.date(2027, 3, 23), HIDDEN),))
    titles = {topic: f"{title}{HIDDEN}" for topic, title in TOPICS.items()}
    files = build_calendars(config, people, [PAIR1, PAIR2], schedule, titles)
    assert len(files) == 7
    for name, data in files.items():
        assert re.fullmatch(r"[a-z0-9/._-]+", name), name
        unfolded = data.decode("utf-8").replace("\r\n ", "")
        for line in unfolded.split("\r\n"):  # every property, value and parameter
            assert not invisible_in(line), (name, line)
    calendar = Calendar.from_ical(files[pair_file_name(PAIR1.id)])
    # what is left is the visible text (the escape sequence's `[31m` is only text now)
    assert str(calendar["X-WR-CALNAME"]) == (
        "TestEve Stone[31m Program — Ana SilvaEve Stone[31m & Ben OrtizEve Stone[31m"
    )
    event = events(calendar)[session_uid(default_uid_domain(config), PAIR1.id, 1)]
    assert event["ORGANIZER"].params["CN"] == "LeeEve Stone[31m"
    builder = _Builder(config, people, titles, schedule)
    items = builder.pair_events(plans[0]) + builder.milestones()
    request = calendar_bytes("t", items, _Zones((2027, 2027)), variant="request")
    for line in request.decode("utf-8").replace("\r\n ", "").split("\r\n"):
        assert not invisible_in(line), line
    attendees = events(Calendar.from_ical(request))[event["UID"]]["ATTENDEE"]
    assert isinstance(attendees, list)
    assert attendees[0].params["CN"] == "Ana SilvaEve Stone[31m"


def test_device_names_never_name_a_calendar() -> None:
    for pid in ("CON", "con", "Nul", "aux", "COM1", "lpt9", "conin$"):
        name = person_file_name(pid)
        stem = name.removeprefix("people/").split(".")[0]
        assert stem.upper() not in ("CON", "NUL", "AUX", "COM1", "LPT9"), name
    # a device name is slugged with a digest: it never meets an id that is already `con_`
    assert person_file_name("CON") != person_file_name("con_")
    assert pair_file_name("con") == "con_.ics"


def test_slug() -> None:
    assert slug("Test Program") == "test-program"
    assert slug("Reverse Mentoring für Führungskräfte 2027!") == (
        "reverse-mentoring-fur-fuhrungskrafte-2027"
    )
    assert slug("日本語") == "x"
    assert slug("日本語", "program") == "program"
    assert slug("--A__b--") == "a-b"
    assert slug("a" * 80) == "a" * 60  # file names stay short
    assert slug("a" * 80, limit=None) == "a" * 80  # calendar UIDs keep the whole name


# --- a realistic program --------------------------------------------------------------


ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
)


def test_eighteen_pairs_twenty_weeks_round_trip() -> None:
    people: dict[str, Participant] = {}
    pairs: list[Pairing] = []
    plans: list[PairPlan] = []
    for n in range(18):
        mentor, mentee = f"jr{n:02d}", f"sr{n:02d}"
        people[mentor] = person(mentor, f"Junior Nummer {n} Ærø", "mentor", f"{mentor}@example.org")
        people[mentee] = person(
            mentee, f"Senior {n}, Head of Something; Long Title", "mentee", f"{mentee}@example.org"
        )
        pairing = Pairing(mentor, mentee, 1.0, dt.date(2027, 1, 4))
        pairs.append(pairing)
        zone = ZONES[n % len(ZONES)]
        first = dt.datetime(2027, 1, 11 + n % 5, 9 + n % 8, 30 * (n % 2), tzinfo=ZoneInfo(zone))
        sessions = weekly(pairing.id, first, 20, theme=f"Theme with a long title, number {n}")
        sessions[5] = dataclasses.replace(sessions[5], status="cancelled", sequence=1)
        plans.append(
            PairPlan(
                pairing.id,
                mentor,
                mentee,
                Slot(first.weekday(), first.time(), zone),
                tuple(sessions),
            )
        )
    schedule = Schedule(tuple(plans))
    files = build_calendars(CONFIG, people, pairs, schedule, TOPICS)
    assert len(files) == 19 + len({p for plan in plans for p in (plan.mentor, plan.mentee)})
    assert files == build_calendars(CONFIG, people, pairs, schedule, TOPICS)
    for name, data in files.items():
        calendar = Calendar.from_ical(data)
        assert calendar.to_ical()  # serialises again without errors
        assert calendar.get_missing_tzids() == set()
        found = events(calendar)
        if name.startswith("people/"):
            continue  # each person's: test_each_person_sees_only_their_roles_milestones
        sessions = [s for s in schedule.sessions if name in (COORDINATOR_FILE, f"{s.pair}.ics")]
        audiences = ("everyone", "mentors", "mentees", "coordinator")
        extra = len(milestone_uids(*(audiences if name == COORDINATOR_FILE else PAIR_AUDIENCES)))
        assert len(found) == len(sessions) + extra
        for session in sessions:
            event = found[session_uid(DOMAIN, session.pair, session.number)]
            assert event["DTSTART"].dt == session.start
            assert event["DTEND"].dt == session.end
        want = {(session_uid(DOMAIN, s.pair, s.number), s.start.astimezone(UTC)) for s in sessions}
        got = {(u, s) for u, s in expanded(calendar) if not u.startswith("milestone-")}
        assert got == want
    assert len(Calendar.from_ical(files[COORDINATOR_FILE]).timezones) == len(ZONES)


def test_same_bytes_whatever_the_hash_seed() -> None:
    """Nothing depends on the order of a set or dict of strings (unlike VTIMEZONEs
    added by `Calendar.add_missing_timezones`)."""
    code = (
        "import hashlib, tests.documents.test_calendar as t\n"
        "files = t.build_calendars(t.CONFIG, t.PEOPLE, [t.PAIR1, t.PAIR2], t.SCHEDULE, t.TOPICS)\n"
        "print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \\^;,:=é€😀"), max_size=300))
def test_fold_matches_icalendar(line: str) -> None:
    from icalendar.parser import Contentline

    from rmentor.documents.calendar import fold

    assert fold(line).encode("utf-8") == Contentline(line).to_ical()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(min_size=0, max_size=200),
    name=st.text(min_size=1, max_size=60),
    minute=st.integers(0, 59),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]),
)
def test_events_written_directly_equal_icalendars(
    text: str, name: str, minute: int, zone: str
) -> None:
    """`_Item.publish` writes the lines itself; icalendar, given the same event, agrees
    byte for byte, whatever the text (escapes, folds, multi-byte characters)."""
    people = {
        **PEOPLE,
        "ana": person("ana", name, "mentor", "ana@example.com", title=text,
                      extra={"meeting_link": text}),
    }  # fmt: skip
    config = make_config(leader={"name": name, "email": "lee@example.com"})
    start = dt.datetime(2027, 3, 9, 16, minute, tzinfo=ZoneInfo(zone))
    session = Session(PAIR1.id, 1, start, start + dt.timedelta(hours=1), text, ("ai",))
    plan = dataclasses.replace(SCHEDULE.plans[0], sessions=(session,))
    builder = _Builder(config, people, {"ai": text}, Schedule((plan,)))
    for item in builder.pair_events(plan) + builder.milestones():
        assert item.publish == to_ical(item.event("publish"))
        assert item.personal == to_ical(item.event("personal"))
