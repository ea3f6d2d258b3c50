"""Calendars that survive edits (issue 14, part 3) and people's own calendars (part 4).

`stamp_schedule` is run as `rmentor schedule` runs it, before and after an edit of
program.yaml or the roster; the calendars are read back with icalendar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import yaml
from icalendar import Calendar, Event

from rmentor.documents.calendar import (
    COORDINATOR_FILE,
    build_calendars,
    milestone_uid,
    pair_file_name,
    person_file_name,
    session_uid,
    stamp_schedule,
)
from rmentor.files.state import parse_schedule, schedule_text
from rmentor.model.config import ProgramConfig
from rmentor.model.sessions import Schedule
from tests.conftest import MINIMAL_YAML
from tests.documents.test_calendar import (
    MILESTONES,
    PAIR1,
    PAIR2,
    PEOPLE,
    SCHEDULE,
    TOPICS,
    person,
)

DAY1 = dt.date(2027, 2, 1)
DAY2 = dt.date(2027, 2, 8)
DOMAIN = "test-program.rmentor"


def config(milestones: list[dict[str, Any]] = MILESTONES, **changes: Any) -> ProgramConfig:
    """The test program with these milestones; `changes` go into `program:` (`name`)
    or `meetings:` (`location`, `reminder_minutes`)."""
    raw = yaml.safe_load(MINIMAL_YAML)
    raw["meetings"] = {"milestones": milestones}
    for key, value in changes.items():
        (raw["program"] if key == "name" else raw["meetings"])[key] = value
    return ProgramConfig.model_validate(raw)


def stamped(
    cfg: ProgramConfig,
    previous: Schedule = Schedule(),
    today: dt.date = DAY1,
    people: dict[str, Any] = PEOPLE,
) -> Schedule:
    """A `schedule` run: stamp, then write and read schedule.toml as the next run would."""
    result = stamp_schedule(cfg, people, SCHEDULE, previous, today, TOPICS)
    again = parse_schedule(schedule_text(result))
    assert again == result  # the state file keeps everything the stamps need
    return result


def coordinator(cfg: ProgramConfig, schedule: Schedule, people: Any = PEOPLE) -> dict[str, Event]:
    """The coordinator's events by UID."""
    files = build_calendars(cfg, people, [PAIR1, PAIR2], schedule, TOPICS)
    calendar = Calendar.from_ical(files[COORDINATOR_FILE])
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def milestone_uids(found: dict[str, Event]) -> set[str]:
    return {uid for uid in found if uid.startswith("milestone-")}


def test_uids_come_from_ids_and_names_never_positions() -> None:
    first = stamped(config())
    before = coordinator(config(), first)
    assert milestone_uid(DOMAIN, "kick-off") in before
    # insert a milestone first, give one an id: no other UID moves
    inserted = [
        {"name": "Welcome call", "date": "2027-02-20", "id": "welcome"},
        *MILESTONES,
    ]
    cfg = config(inserted)
    second = stamped(cfg, first, DAY2)
    after = coordinator(cfg, second)
    assert milestone_uids(after) == milestone_uids(before) | {milestone_uid(DOMAIN, "welcome")}
    for uid, event in before.items():
        assert int(after[uid]["SEQUENCE"]) == int(event["SEQUENCE"]), uid
        assert after[uid]["DTSTAMP"].dt == event["DTSTAMP"].dt, uid
    welcome = after[milestone_uid(DOMAIN, "welcome")]
    assert int(welcome["SEQUENCE"]) == 0


def test_renaming_the_program_keeps_every_uid() -> None:
    first = stamped(config())
    assert first.uid_domain == DOMAIN
    renamed = config(name="Another Name Entirely")
    second = stamped(renamed, first, DAY2)
    assert second.uid_domain == DOMAIN
    before, after = coordinator(config(), first), coordinator(renamed, second)
    assert set(after) == set(before)
    # the name is in every DESCRIPTION: every event changed, so each says so
    for uid, event in after.items():
        assert int(event["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1, uid
        assert event["DTSTAMP"].dt == dt.datetime(2027, 2, 8, tzinfo=dt.UTC)
    assert session_uid(DOMAIN, PAIR1.id, 1) in after


def test_moved_and_removed_milestones() -> None:
    first = stamped(config())
    edited = [dict(m) for m in MILESTONES if m["name"] != "Coordinator check-in"]
    edited[0]["date"] = "2027-03-02"  # the kick-off moves a day
    cfg = config(edited)
    second = stamped(cfg, first, DAY2)
    found = coordinator(cfg, second)
    kickoff = found[milestone_uid(DOMAIN, "kick-off")]
    assert kickoff["DTSTART"].dt.date() == dt.date(2027, 3, 2)
    assert int(kickoff["SEQUENCE"]) == 1
    assert kickoff["DTSTAMP"].dt == dt.datetime(2027, 2, 8, tzinfo=dt.UTC)
    gone = found[milestone_uid(DOMAIN, "coordinator-check-in")]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == 1
    assert str(gone["SUMMARY"]).startswith("Cancelled: ")
    # untouched milestones keep SEQUENCE 0 and their first DTSTAMP
    celebration = found[milestone_uid(DOMAIN, "closing-celebration")]
    assert int(celebration["SEQUENCE"]) == 0
    # a third run with nothing changed bumps nothing, and the cancelled one stays
    third = stamped(cfg, second, dt.date(2027, 2, 15))
    assert third == second
    # put back, it is planned again, one SEQUENCE further
    fourth = stamped(config(), third, dt.date(2027, 2, 22))
    back = coordinator(config(), fourth)[milestone_uid(DOMAIN, "coordinator-check-in")]
    assert str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) == 2


def test_changed_name_or_email_bumps_the_sessions() -> None:
    first = stamped(config())
    people = {**PEOPLE, "ben": person("ben", "Ben Ortiz", "mentee", "ben.o@example.com")}
    second = stamped(config(), first, DAY2, people)
    for plan_before, plan_after in zip(first.plans, second.plans, strict=True):
        for before, after in zip(plan_before.sessions, plan_after.sessions, strict=True):
            touched = plan_after.pair == PAIR1.id  # Ben is in pair 1 only
            assert after.sequence == before.sequence + touched, after.key
            assert after.updated == (DAY2 if touched else before.updated), after.key


def test_a_session_the_planner_moved_goes_up_once() -> None:
    first = stamped(config())
    plan = first.plans[0]
    session = plan.sessions[0]
    moved = dataclasses.replace(
        session,
        start=session.start + dt.timedelta(days=1),
        end=session.end + dt.timedelta(days=1),
        sequence=session.sequence + 1,  # the planner's own bump
        updated=DAY2,
    )
    plans = (dataclasses.replace(plan, sessions=(moved, *plan.sessions[1:])), first.plans[1])
    replanned = dataclasses.replace(first, plans=plans)
    second = stamp_schedule(config(), PEOPLE, replanned, first, DAY2, TOPICS)
    assert second.plans[0].sessions[0].sequence == session.sequence + 1


def test_people_calendars_have_reminders_and_places() -> None:
    people = {
        **PEOPLE,
        "cam": person(
            "cam", "Cam Lee", "mentor", "cam@example.com",
            extra={"meeting_link": "https://meet.example.com/cam"},
        ),
    }  # fmt: skip
    cfg = config(location="Room 4.12", reminder_minutes=15)
    schedule = stamped(cfg, people=people)
    files = build_calendars(cfg, people, [PAIR1, PAIR2], schedule, TOPICS)
    ana = Calendar.from_ical(files[person_file_name("ana")])
    sessions = [e for e in ana.walk("VEVENT") if not str(e["UID"]).startswith("milestone-")]
    assert sessions
    for event in sessions:
        assert str(event["LOCATION"]) == "Room 4.12"
        assert "URL" not in event
        alarms = event.walk("VALARM")
        if str(event["STATUS"]) == "CANCELLED":
            assert not alarms  # no reminder of a cancelled session
            continue
        assert len(alarms) == 1
        assert alarms[0]["TRIGGER"].dt == -dt.timedelta(minutes=15)
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
    cam = Calendar.from_ical(files[person_file_name("cam")])
    for event in cam.walk("VEVENT"):
        if not str(event["UID"]).startswith("milestone-"):
            assert str(event["LOCATION"]) == "https://meet.example.com/cam"
            assert str(event["URL"]) == "https://meet.example.com/cam"
    # the pair's and the coordinator's files carry no alarm and no attendee
    for name in (pair_file_name(PAIR1.id), COORDINATOR_FILE):
        calendar = Calendar.from_ical(files[name])
        assert not calendar.walk("VALARM")
        assert all("ATTENDEE" not in e for e in calendar.walk("VEVENT"))
    # reminder_minutes: 0 means no alarm anywhere
    quiet = config(reminder_minutes=0)
    files = build_calendars(quiet, PEOPLE, [PAIR1, PAIR2], stamped(quiet), TOPICS)
    assert not Calendar.from_ical(files[person_file_name("ana")]).walk("VALARM")
