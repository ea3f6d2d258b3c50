"""RFC 5545 calendars of the meeting plan: one `.ics` per pair and one for the coordinator.

Pure: `build_calendars` turns the schedule into file name → bytes and writes nothing.
The files are built with the `icalendar` package and are deterministic: the same
program, people, pairs and schedule give the same bytes (no clock, no random UIDs,
events sorted by start then UID, VTIMEZONE built from the installed tz database).

Every session is one VEVENT with a stable UID (`<pair>-<number>@<program>.rmentor`),
so re-importing a calendar updates the events already there; SEQUENCE comes from the
schedule and goes up each time a session moves. Milestones are all-day events, or
timed ones in the program's time zone.

Text from the roster and program.yaml (names, themes, titles) is data: control, bidi
and other invisible characters are removed (`text.visible`) and line breaks normalised
before icalendar escapes it, in every property and parameter (SUMMARY, DESCRIPTION,
X-WR-CALNAME, the CN of ATTENDEE and ORGANIZER), and a malformed e-mail address is left
out instead of being written into a property. File names are ASCII, and never a name
Windows keeps for a device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Alarm,
    Calendar,
    Component,
    Event,
    Timezone,
    vCalAddress,
    vDuration,
    vText,
)
from icalendar.timezone import tzid_from_dt

from .. import __version__
from ..model.config import Milestone, ProgramConfig
from ..model.pairings import Pairing
from ..model.people import Participant
from ..model.sessions import MilestoneEvent, PairPlan, Schedule, Session
from ..model.vocabulary import AUDIENCE_PHRASES, MILESTONE_PHRASES
from ..text import slug, visible, windows_safe
from .timezones import vtimezone

COORDINATOR_FILE = "coordinator.ics"
CATEGORY = "rmentor"
UTC = dt.UTC

_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# A conservative address: no spaces, quotes, brackets or separators iCalendar cares about.
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[\w.!$&'*+=^`{|}~-]+@\w(?:[\w.-]*\w)?$")


def default_uid_domain(config: ProgramConfig) -> str:
    """The UID domain a program's first `schedule` fixes: `<program slug>.rmentor`."""
    return f"{slug(config.program.name, 'program', limit=None)}.rmentor"


def session_uid(domain: str, pair: str, number: int) -> str:
    """A session's UID: the same pair and session number give the same UID."""
    return f"{_file_stem(pair)}-{number}@{domain}"


def milestone_uid(domain: str, key: str) -> str:
    """A milestone's UID, from `milestone_key`."""
    return f"milestone-{key}@{domain}"


def pair_file_name(pair: str) -> str:
    """The calendar file of a pair: `<pair id>.ics` (ValueError for an unusable id)."""
    return f"{_file_stem(pair)}.ics"


PEOPLE_DIR = "people"


def person_file_name(person: str) -> str:
    """A person's calendar: `people/<id>.ics`, the id in lower case (ids differing only in
    case are one person to `validate`); an id unfit for a file name (or a Windows device
    name, such as `con`) is slugged and given a short digest of itself, so that two ids
    never share a file."""
    lower = person.lower()
    if _SAFE_ID.match(lower) and windows_safe(lower) == lower:
        return f"{PEOPLE_DIR}/{lower}.ics"
    digest = hashlib.sha256(person.encode("utf-8")).hexdigest()[:8]
    return f"{PEOPLE_DIR}/{slug(person, 'person', limit=40)}-{digest}.ics"


def build_calendars(
    config: ProgramConfig,
    people: Mapping[str, Participant],
    pairs: Sequence[Pairing],
    schedule: Schedule,
    topic_titles: Mapping[str, str],
    progress: Callable[[str, int, int], None] | None = None,
    built: Mapping[tuple[str, int], tuple[Session, _Item]] | None = None,
) -> dict[str, bytes]:
    """Every calendar of the program: file name → RFC 5545 bytes (`progress` hears of
    each pair's events built).

    One `<pair id>.ics` per pair plan in the schedule, holding the pair's sessions and
    the milestones for everyone; one `people/<id>.ics` per person in a plan, holding
    their sessions (with a reminder) and the milestones for everyone and for their role;
    and `coordinator.ics` with every session of every pair and every milestone. All are
    `METHOD:PUBLISH` files to import or subscribe to, so they name people in the
    DESCRIPTION and carry no ATTENDEE (RFC 5546 §3.2.1). The milestones are the
    schedule's (`stamp_schedule`: a removed one is there, cancelled), else program.yaml's.

    `people` gives names (someone missing from it appears under their id); `pairs` is
    checked against the plans: a plan whose mentor and mentee differ from its pairing
    record raises ValueError, as do two plans with one file name and two sessions of a
    pair with one number. `topic_titles` maps topic ids to titles for the agenda (an
    unknown id is shown as it is).
    """
    records = {p.id: p for p in pairs}
    files: dict[str, str] = {}
    for plan in schedule.plans:
        name = pair_file_name(plan.pair)
        if name in files or name == COORDINATOR_FILE:
            raise ValueError(f"pair `{plan.pair}` would overwrite the calendar {name}")
        files[name] = plan.pair
        record = records.get(plan.pair)
        if record is not None and (record.mentor, record.mentee) != (plan.mentor, plan.mentee):
            raise ValueError(
                f"pair `{plan.pair}` is {record.mentor} with {record.mentee} in the pairings "
                f"but {plan.mentor} with {plan.mentee} in the schedule"
            )

    builder = _Builder(config, people, topic_titles, schedule, built)
    milestones = builder.milestones()
    pair_events: dict[str, list[_Item]] = {}
    for done, plan in enumerate(schedule.plans):
        if progress is not None:
            progress("writing the calendars", done, len(schedule.plans))
        pair_events[plan.pair] = builder.pair_events(plan)
    zones = _Zones(_years(config, schedule))

    result: dict[str, bytes] = {}
    for plan in schedule.plans:
        # Both people import the pair's calendar: only the milestones for everyone.
        shared = [m for m in milestones if m.audience == "everyone"]
        events = pair_events[plan.pair] + shared
        names = f"{builder.name(plan.mentor)} & {builder.name(plan.mentee)}"
        title = f"{_line(config.program.name)} — {names}"
        result[pair_file_name(plan.pair)] = calendar_bytes(title, events, zones)
    for person, events in sorted(builder.own_events(schedule, pair_events, milestones).items()):
        name = person_file_name(person)
        if name in result:  # cannot happen (the name holds a digest): never overwrite
            raise ValueError(f"`{person}` would overwrite the calendar {name}")
        title = f"{_line(config.program.name)} — {builder.name(person)}"
        result[name] = calendar_bytes(title, events, zones, variant="personal")
    everything = [e for events in pair_events.values() for e in events] + milestones
    result[COORDINATOR_FILE] = calendar_bytes(
        f"{_line(config.program.name)} — coordinator", everything, zones
    )
    return dict(sorted(result.items()))


class Invitations:
    """Each person's events as invitations sent by e-mail (RFC 5546 REQUEST and CANCEL,
    with ATTENDEEs and reminders): what `rmentor mail` attaches."""

    def __init__(
        self,
        config: ProgramConfig,
        people: Mapping[str, Participant],
        schedule: Schedule,
        topic_titles: Mapping[str, str],
    ) -> None:
        builder = _Builder(config, people, topic_titles, schedule)
        pair_events = {plan.pair: builder.pair_events(plan) for plan in schedule.plans}
        self.events = builder.own_events(schedule, pair_events, builder.milestones())
        self.zones = _Zones(_years(config, schedule))
        self.program = _line(config.program.name)
        self.builder = builder

    def of(self, person: str) -> list[_Item]:
        """A person's events, by start then UID."""
        return sorted(self.events.get(person, []), key=lambda i: (i.instant, i.uid))

    def calendar(self, person: str, items: Sequence[_Item], method: str) -> bytes:
        """An iTIP calendar of the items for a person (`REQUEST` or `CANCEL`). Every
        event names its attendees (RFC 5546 asks for at least one): a milestone, which
        has none of its own, names the person it is sent to."""
        title = f"{self.program} — {self.builder.name(person)}"
        me = self.builder.attendee(person)
        if me is not None:
            items = [i if i.attendees else replace(i, attendees=(me,)) for i in items]
        return calendar_bytes(title, items, self.zones, variant="request", method=method)


def stamp_schedule(
    config: ProgramConfig,
    people: Mapping[str, Participant],
    schedule: Schedule,
    previous: Schedule,
    today: dt.date,
    topic_titles: Mapping[str, str],
    built: dict[tuple[str, int], tuple[Session, _Item]] | None = None,
) -> Schedule:
    """The schedule with what its calendars will say recorded, so they survive edits.

    - `uid_domain`: the previous one, else `default_uid_domain` (fixed once).
    - Each session's `fingerprint` (a digest of its event but SEQUENCE and DTSTAMP):
      when it differs from the previous run's, SEQUENCE goes up (once, also when the
      planner already moved it) and `updated` (DTSTAMP) becomes `today`.
    - `milestones`: program.yaml's, each with its fingerprint, SEQUENCE and `updated`
      likewise; one no longer in program.yaml stays, cancelled, with its SEQUENCE up.
    A first run (or a session from an older file, without a fingerprint) bumps nothing.

    `built`, when given, receives each session's event as built here, for
    `build_calendars` to use again where the session did not change (most do: building
    and serialising events is most of a `schedule`'s time).
    """
    domain = previous.uid_domain or schedule.uid_domain or default_uid_domain(config)
    draft = replace(schedule, uid_domain=domain)
    builder = _Builder(config, people, topic_titles, draft)
    before = {s.key: s for plan in previous.plans for s in plan.sessions}
    plans = []
    for plan in draft.plans:
        sessions = []
        for session in plan.sessions:
            item = builder.session_item(plan, session)
            mark = item.fingerprint
            old = before.get(session.key)
            if old is not None and old.fingerprint and old.fingerprint != mark:
                session = replace(
                    session, sequence=max(session.sequence, old.sequence + 1), updated=today
                )
            elif built is not None:
                built[session.key] = (replace(session, fingerprint=mark), item)
            sessions.append(replace(session, fingerprint=mark))
        plans.append(replace(plan, sessions=tuple(sessions)))

    kept = {m.key: m for m in previous.milestones}
    stamped: dict[str, MilestoneEvent] = {}
    for milestone in config.meetings.milestones:
        key = milestone.key
        if key in stamped:  # `validate` refuses two milestones with one key
            raise ValueError(f"two milestones have the id `{key}`")
        stamped[key] = _restamp(builder, milestone_event(milestone), kept.get(key), today)
    for key, record in kept.items():
        if key not in stamped:
            gone = replace(record, status="cancelled", fingerprint="")
            stamped[key] = _restamp(builder, gone, record, today)
    milestones = tuple(stamped[k] for k in sorted(stamped))
    return replace(draft, plans=tuple(plans), milestones=milestones)


def milestone_event(milestone: Milestone) -> MilestoneEvent:
    """A program.yaml milestone as its calendar event's record (not stamped yet)."""
    return MilestoneEvent(
        key=milestone.key,
        name=milestone.name,
        date=milestone.date,
        time=milestone.time,
        duration_minutes=milestone.duration_minutes,
        kind=milestone.kind,
        audience=milestone.audience,
        description=milestone.description or "",
    )


def _restamp(
    builder: _Builder, event: MilestoneEvent, old: MilestoneEvent | None, today: dt.date
) -> MilestoneEvent:
    """A milestone's record with its fingerprint, and SEQUENCE up when it changed."""
    if old is not None:
        event = replace(event, sequence=old.sequence, updated=old.updated)
    mark = builder.milestone_item(event).fingerprint
    if old is not None and old.fingerprint and old.fingerprint != mark:
        event = replace(event, sequence=old.sequence + 1, updated=today)
    return replace(event, fingerprint=mark)


# --- events ------------------------------------------------------------------------

Variant = Literal["publish", "personal", "request"]


@dataclass(frozen=True)
class _Item:
    """One event, in the three shapes the calendars need, with what sorting and
    VTIMEZONE need.

    `publish` (pair and coordinator files): no ATTENDEE, no alarm. `personal` (a
    person's own file): with a VALARM. `request` (an invitation sent by e-mail,
    RFC 5546 REQUEST or CANCEL): with the ATTENDEEs and the VALARM.
    """

    uid: str
    instant: dt.datetime  # the start in UTC (all-day: midnight in the program's zone)
    tzids: frozenset[str]
    head: tuple[tuple[str, Any], ...]  # UID, DTSTAMP, DTSTART, DTEND, SEQUENCE
    body: tuple[tuple[str, Any], ...]  # the rest, ORGANIZER last
    attendees: tuple[vCalAddress, ...] = ()
    alarm: dt.timedelta | None = None  # a reminder this long before the start
    summary: str = ""
    audience: str = ""  # milestones only: everyone, mentors, mentees or coordinator
    cancelled: bool = False

    def event(self, variant: Variant = "publish") -> Event:
        """The VEVENT in one shape."""
        event = Event()
        for name, value in (*self.head, *self.body):
            event.add(name, value)
        if variant == "request":
            for address in self.attendees:
                event.add("ATTENDEE", address)
        alarm = self._alarm(variant)
        if alarm is not None:
            event.add_component(alarm)
        return event

    def _reminds(self, variant: Variant) -> bool:
        """Whether the shape carries the reminder (never a cancelled event)."""
        return variant != "publish" and self.alarm is not None and not self.cancelled

    def _alarm(self, variant: Variant) -> Alarm | None:
        """The reminder, in the shapes that carry one."""
        if not self._reminds(variant) or self.alarm is None:
            return None
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", self.summary)
        alarm.add("TRIGGER", -self.alarm)
        return alarm

    @property
    def sequence(self) -> int:
        """The event's SEQUENCE."""
        return int(dict(self.head)["SEQUENCE"])

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything the event says but SEQUENCE and DTSTAMP (attendees'
        names and addresses included): when it changes, the event changed. Made of
        the `publish` bytes, which the calendars need anyway."""
        kept = [
            line
            for line in self.publish.split(b"\r\n")
            if not line.startswith((b"DTSTAMP:", b"SEQUENCE:"))  # short: never folded
        ]
        people = [f"{a}|{a.params.get('CN', '')}".encode() for a in self.attendees]
        return hashlib.sha256(b"\n".join(kept + people)).hexdigest()[:16]

    @cached_property
    def publish(self) -> bytes:
        """The `publish` VEVENT as bytes (serialised once, however many files hold it):
        written directly where every property has a shape `_direct_line` knows, else by
        icalendar (the two agree byte for byte: tests/documents/test_calendar.py)."""
        lines = []
        for name, value in sorted((*self.head, *self.body), key=_property_order):
            line = _direct_line(name, value)
            if line is None:
                return to_ical(self.event("publish"))
            lines.append(fold(line))
        return ("BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n").encode("utf-8")

    @cached_property
    def personal(self) -> bytes:
        """The `personal` VEVENT as bytes: `publish` with the VALARM before its end, as
        icalendar writes sub-components after the properties (tested byte for byte)."""
        if not self._reminds("personal"):
            return self.publish
        end = b"END:VEVENT\r\n"
        return self.publish[: -len(end)] + self._alarm_bytes + end

    @property
    def _alarm_bytes(self) -> bytes:
        """The VALARM as icalendar writes it, put together directly: building an Alarm
        for each of tens of thousands of events costs more than the event itself
        (tests/documents/test_calendar.py compares the two byte for byte)."""
        assert self.alarm is not None
        description = fold("DESCRIPTION:" + vText(self.summary).to_ical().decode("utf-8"))
        trigger = vDuration(-self.alarm).to_ical().decode("ascii")  # type: ignore[no-untyped-call]
        return (
            f"BEGIN:VALARM\r\nACTION:DISPLAY\r\n{description}\r\n"
            f"TRIGGER:{trigger}\r\nEND:VALARM\r\n"
        ).encode()

    def data(self, variant: Variant) -> bytes:
        """The VEVENT as bytes in one shape."""
        if variant == "publish":
            return self.publish
        if variant == "personal":
            return self.personal
        return to_ical(self.event(variant))


class _Builder:
    """Turns sessions and milestones into events."""

    def __init__(
        self,
        config: ProgramConfig,
        people: Mapping[str, Participant],
        topic_titles: Mapping[str, str],
        schedule: Schedule,
        built: Mapping[tuple[str, int], tuple[Session, _Item]] | None = None,
    ) -> None:
        self.config = config
        self.built = built or {}  # events `stamp_schedule` built, by session
        self.people = people
        self.topic_titles = topic_titles
        self.schedule = schedule
        self.domain = schedule.uid_domain or default_uid_domain(config)
        self.skipped = {(s.pair, s.date): s.reason for s in schedule.skipped}
        self.program_zone = _zone(config.program.timezone)
        self.default_stamp = _midnight_utc(config.program.start)
        minutes = config.meetings.reminder_minutes
        self.alarm = dt.timedelta(minutes=minutes) if minutes else None
        self.themes = {
            item.title: item.description for item in config.meetings.curriculum if item.description
        }
        leader = config.program.leader
        self.organizer = _address(leader.email, leader.name, organizer=True)
        self._attendees: dict[str, vCalAddress | None] = {}

    def name(self, person: str) -> str:
        """A person's name as one clean line (their id when they are not on the roster)."""
        participant = self.people.get(person)
        return _line(participant.name if participant and participant.name.strip() else person)

    def describe(self, person: str) -> str:
        """Name, then job title and department when known."""
        participant = self.people.get(person)
        details: list[str] = []
        if participant is not None:
            details = [_line(v) for v in (participant.title, participant.department) if v]
        details = [d for d in details if d]
        return self.name(person) + (f" ({', '.join(details)})" if details else "")

    def attendee(self, person: str) -> vCalAddress | None:
        """An ATTENDEE for someone with a usable e-mail address (made once a person:
        every one of their sessions names them)."""
        if person not in self._attendees:
            participant = self.people.get(person)
            self._attendees[person] = (
                None if participant is None else _address(participant.email, self.name(person))
            )
        return self._attendees[person]

    def place(self, plan: PairPlan) -> tuple[str, str | None]:
        """Where a pair meets: LOCATION text and a URL when it is a link. The roster's
        `meeting_link` (the mentor's, else the mentee's), else `meetings.location`."""
        for person in (plan.mentor, plan.mentee):
            participant = self.people.get(person)
            link = _line(participant.extra.get("meeting_link", "")) if participant else ""
            if link:
                return link, link if _URL.match(link) else None
        where = _line(self.config.meetings.location)
        return where, where if _URL.match(where) else None

    def own_events(
        self,
        schedule: Schedule,
        pair_events: Mapping[str, Sequence[_Item]],
        milestones: Sequence[_Item],
    ) -> dict[str, list[_Item]]:
        """Each person's events: their sessions (a mentor may have two pairs) and the
        milestones for everyone and for their role."""
        own: dict[str, list[_Item]] = {}
        for plan in schedule.plans:
            for person in (plan.mentor, plan.mentee):
                own.setdefault(person, []).extend(pair_events[plan.pair])
        for person, events in own.items():
            role = self.people[person].role if person in self.people else ""
            audiences = {"everyone", f"{role}s"}
            events.extend(m for m in milestones if m.audience in audiences)
        return own

    def pair_events(self, plan: PairPlan) -> list[_Item]:
        """The events of one pair's sessions (ValueError for a repeated session number)."""
        items: list[_Item] = []
        seen: set[int] = set()
        for session in sorted(plan.sessions, key=lambda s: s.number):
            if session.number in seen:
                raise ValueError(f"pair `{plan.pair}` has two sessions numbered {session.number}")
            seen.add(session.number)
            ready = self.built.get(session.key)
            if ready is not None and ready[0] == session:  # built for this very session
                items.append(ready[1])
            else:
                items.append(self.session_item(plan, session))
        return items

    def session_item(self, plan: PairPlan, session: Session) -> _Item:
        """One session as an event."""
        zone = _zone(plan.slot.zone)
        uid = session_uid(self.domain, plan.pair, session.number)
        start = _in_zone(session.start, zone)
        end = _in_zone(session.end, zone)
        cancelled = session.status == "cancelled"
        mentor, mentee = self.name(plan.mentor), self.name(plan.mentee)
        summary = f"Reverse mentoring #{session.number}"
        if _line(session.theme):
            summary += f": {_line(session.theme)}"
        summary += f" ({mentor} & {mentee})"
        if cancelled:
            summary = f"Cancelled: {summary}"
        stamp = _midnight_utc(session.updated) if session.updated else self.default_stamp
        head = (
            ("UID", uid),
            ("DTSTAMP", stamp),
            ("DTSTART", start),
            ("DTEND", end),
            ("SEQUENCE", session.sequence),
        )
        body: list[tuple[str, Any]] = [
            ("STATUS", "CANCELLED" if cancelled else "CONFIRMED"),
            ("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE"),
            ("SUMMARY", summary),
            ("DESCRIPTION", self.agenda(plan, session)),
        ]
        location, url = self.place(plan)
        if location:
            body.append(("LOCATION", location))
        if url:
            body.append(("URL", url))
        body.append(("CATEGORIES", [CATEGORY]))
        if self.organizer is not None:
            body.append(("ORGANIZER", self.organizer))
        attendees = tuple(
            a for a in (self.attendee(plan.mentor), self.attendee(plan.mentee)) if a is not None
        )
        tzids = frozenset(t for t in (_tzid(start), _tzid(end)) if t)
        return _Item(
            uid,
            start.astimezone(UTC),
            tzids,
            head,
            tuple(body),
            attendees,
            self.alarm,
            summary,
            cancelled=cancelled,
        )

    def agenda(self, plan: PairPlan, session: Session) -> str:
        """The DESCRIPTION of a session: theme, topics, who, how, and any notes."""
        lines = [f"{_line(self.config.program.name)}: reverse mentoring session {session.number}"]
        if session.status == "cancelled":
            lines.append("This session is cancelled.")
        theme = _line(session.theme)
        if theme:
            lines.append(f"Theme: {theme}")
            about = self.themes.get(session.theme)
            if about and _text(about):
                lines.append(_text(about))
        titles = [_line(self.topic_titles.get(t, t)) for t in session.topics]
        if any(titles):
            lines.append(f"Topics: {'; '.join(t for t in titles if t)}")
        lines.append(f"Mentor (shares their skills): {self.describe(plan.mentor)}")
        lines.append(f"Mentee (learns): {self.describe(plan.mentee)}")
        channels = [_line(c) for c in self.config.program.channels if _line(c)]
        if channels:
            lines.append(f"How to meet: {', '.join(channels)}")
        if session.moved_from is not None:
            why = _line(self.skipped.get((plan.pair, session.moved_from), ""))
            lines.append(
                f"Moved here from {session.moved_from:%A %Y-%m-%d} "
                f"({why or 'a public holiday or blackout day'})."
            )
        if session.fallback:
            lines.append(
                "Note: this time is outside someone's stated hours, because the two of "
                "you have no common time. Please agree on a time that suits you both."
            )
        return "\n".join(lines)

    def milestones(self) -> list[_Item]:
        """Every milestone as an event: the schedule's records (`stamp_schedule`), else
        program.yaml's milestones as they are."""
        records = self.schedule.milestones or tuple(
            map(milestone_event, self.config.meetings.milestones)
        )
        return [self.milestone_item(record) for record in records]

    def milestone_item(self, milestone: MilestoneEvent) -> _Item:
        """A milestone: all day when it has no time, else timed in the program's zone."""
        uid = milestone_uid(self.domain, milestone.key)
        stamp = _midnight_utc(milestone.updated) if milestone.updated else self.default_stamp
        tzids: frozenset[str] = frozenset()
        alarm = None
        start: dt.date | dt.datetime
        end: dt.date | dt.datetime
        if milestone.time is None:
            start, end = milestone.date, milestone.date + dt.timedelta(days=1)
            transp = "TRANSPARENT"
            instant = dt.datetime.combine(milestone.date, dt.time(), self.program_zone)
        else:
            minutes = milestone.duration_minutes or 60
            wall = dt.datetime.combine(milestone.date, milestone.time, self.program_zone)
            start = wall.astimezone(UTC).astimezone(self.program_zone)  # a time that exists
            end = (start.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(
                self.program_zone
            )
            transp = "OPAQUE"
            tzids = frozenset(t for t in (_tzid(start), _tzid(end)) if t)
            instant = start
            alarm = self.alarm
        cancelled = milestone.status == "cancelled"
        summary = _line(milestone.name) or "Program milestone"
        if cancelled:
            summary = f"Cancelled: {summary}"
        kind = milestone.kind if milestone.kind in MILESTONE_PHRASES else "other"
        audience = milestone.audience if milestone.audience in AUDIENCE_PHRASES else "everyone"
        lines = [
            f"{_line(self.config.program.name)}: {MILESTONE_PHRASES[kind]}, "
            f"for {AUDIENCE_PHRASES[audience]}."
        ]
        if cancelled:
            lines.append("This event is cancelled.")
        if milestone.description and _text(milestone.description):
            lines.append(_text(milestone.description))
        head = (
            ("UID", uid),
            ("DTSTAMP", stamp),
            ("DTSTART", start),
            ("DTEND", end),
            ("SEQUENCE", milestone.sequence),
        )
        body: list[tuple[str, Any]] = [
            ("STATUS", "CANCELLED" if cancelled else "CONFIRMED"),
            ("TRANSP", "TRANSPARENT" if cancelled else transp),
            ("SUMMARY", summary),
            ("DESCRIPTION", "\n".join(lines)),
            ("CATEGORIES", [CATEGORY]),
        ]
        if self.organizer is not None:
            body.append(("ORGANIZER", self.organizer))
        return _Item(
            uid,
            instant.astimezone(UTC),
            tzids,
            head,
            tuple(body),
            (),
            alarm,
            summary,
            audience=audience,
            cancelled=cancelled,
        )


# --- calendars and time zones -------------------------------------------------------


def calendar_bytes(
    title: str,
    items: Iterable[_Item],
    zones: _Zones,
    *,
    variant: Variant = "publish",
    method: str = "PUBLISH",
) -> bytes:
    """A VCALENDAR of the items, sorted by start then UID, with the VTIMEZONEs they use.

    The bytes are exactly `calendar_object(...).to_ical()`, put together from each
    component's own `to_ical()` so that an event shared by a pair's calendar and the
    coordinator's is serialised once.
    """
    ordered = sorted(items, key=lambda item: (item.instant, item.uid))
    tzids = sorted({t for item in ordered for t in item.tzids})
    head: bytes = to_ical(_calendar_head(title, method))
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    parts = [head[: -len(end)]]
    parts += [zones.data(tzid) for tzid in tzids]
    parts += [item.data(variant) for item in ordered]
    parts.append(end)
    return b"".join(parts)


def calendar_object(
    title: str,
    items: Iterable[_Item],
    zones: _Zones,
    *,
    variant: Variant = "publish",
    method: str = "PUBLISH",
) -> Calendar:
    """The calendar `calendar_bytes` serialises, as one icalendar object."""
    calendar = _calendar_head(title, method)
    ordered = sorted(items, key=lambda item: (item.instant, item.uid))
    for tzid in sorted({t for item in ordered for t in item.tzids}):
        calendar.add_component(zones.get(tzid))
    for item in ordered:
        calendar.add_component(item.event(variant))
    return calendar


def _calendar_head(title: str, method: str = "PUBLISH") -> Calendar:
    """A VCALENDAR with its properties and no components yet."""
    calendar = Calendar()
    calendar.add("PRODID", f"-//rmentor//rmentor {__version__}//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add("X-WR-CALNAME", visible(title))
    return calendar


class _Zones:
    """VTIMEZONE components, built and serialised once per TZID for the program's years."""

    def __init__(self, years: tuple[int, int]) -> None:
        self.years = years
        self.built: dict[str, Timezone] = {}
        self.serialised: dict[str, bytes] = {}

    def get(self, tzid: str) -> Timezone:
        """The VTIMEZONE of a TZID."""
        if tzid not in self.built:
            self.built[tzid] = vtimezone(tzid, *self.years)
        return self.built[tzid]

    def data(self, tzid: str) -> bytes:
        """The VTIMEZONE of a TZID as bytes."""
        if tzid not in self.serialised:
            self.serialised[tzid] = to_ical(self.get(tzid))
        return self.serialised[tzid]


def _years(config: ProgramConfig, schedule: Schedule) -> tuple[int, int]:
    """The first and last year anything in the calendars happens."""
    years = {config.program.start.year, config.program.end.year}
    years.update(m.date.year for m in config.meetings.milestones)
    for plan in schedule.plans:
        for session in plan.sessions:
            years.update((session.start.year, session.end.year))
    return min(years), max(years)


# --- small helpers ----------------------------------------------------------------


def _file_stem(pair: str) -> str:
    """A pair id fit for a file name and a UID: kept when safe, else slugged."""
    stem = windows_safe(pair) if _SAFE_ID.match(pair) else slug(pair, "", limit=None)
    if not stem or stem == "coordinator":
        raise ValueError(f"pair id `{pair}` cannot name a calendar file")
    return stem


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"`{name}` is not a time zone the tz database knows") from None


def _in_zone(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The same instant with the zone as its tzinfo (the session's own zone when it has one)."""
    if moment.tzinfo is None:
        raise ValueError(f"session time {moment} has no time zone")
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment
    return moment.astimezone(zone)


def _tzid(moment: dt.datetime) -> str | None:
    """The TZID icalendar writes for a datetime; None for UTC (written with `Z`)."""
    tzid = tzid_from_dt(moment)
    return None if tzid in (None, "UTC") else tzid


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def _address(email: str | None, name: str, *, organizer: bool = False) -> vCalAddress | None:
    """`mailto:` with CN (and ROLE for an attendee), or None for a missing or odd address."""
    email = (email or "").strip()
    if not _EMAIL.match(email):
        return None
    address = vCalAddress(f"mailto:{email}")
    name = visible(name)
    if name:
        address.params["CN"] = name
    if not organizer:
        address.params["ROLE"] = "REQ-PARTICIPANT"
    return address


def _text(value: str) -> str:
    """Multi-line text with plain `\\n` breaks and nothing invisible (`text.visible`)."""
    return visible(value, lines=True)


@lru_cache(maxsize=8192)  # names, themes and places recur on every session of a pair
def _line(value: str) -> str:
    """Text as one line: every line break and run of spaces becomes one space, and
    nothing invisible is left (`text.visible`)."""
    return visible(value)


# icalendar writes a VEVENT's properties in this order, then the others by name.
_CANONICAL = ("SUMMARY", "DTSTART", "DTEND", "DURATION", "DTSTAMP", "UID", "SEQUENCE")


def _property_order(item: tuple[str, Any]) -> tuple[int, str]:
    name = item[0]
    return (_CANONICAL.index(name), "") if name in _CANONICAL else (len(_CANONICAL), name)


_TEXT = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "TRANSP", "UID"})


def _direct_line(name: str, value: Any) -> str | None:
    """One property's content line as icalendar writes it, for the shapes rmentor's
    events use (None for any other: icalendar writes it). Building and serialising
    through icalendar costs about 0.3 ms an event; a program of 2,000 pairs has 43,000."""
    if name in _TEXT and isinstance(value, str):
        return f"{name}:{_escaped(value)}"
    if name == "SEQUENCE" and type(value) is int:
        return f"{name}:{value}"
    if name == "CATEGORIES" and value == [CATEGORY]:
        return f"{name}:{CATEGORY}"
    if name == "URL" and isinstance(value, str) and _URL.match(value):
        return f"{name}:{value}"
    if isinstance(value, vCalAddress):
        return _address_line(name, str(value), tuple(sorted(value.params.items())))
    if isinstance(value, dt.datetime) and value.tzinfo is not None and not value.microsecond:
        stamp = value.strftime("%Y%m%dT%H%M%S")
        if value.tzinfo is UTC:
            return f"{name}:{stamp}Z"
        if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key != "UTC":
            tzid = value.tzinfo.key
            return f"{name};TZID={tzid}:{stamp}" if _PLAIN_PARAM.match(tzid) else None
        return None
    if type(value) is dt.date:
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    return None


@lru_cache(maxsize=1024)  # STATUS, TRANSP and LOCATION values recur on every event
def _escaped(value: str) -> str:
    """A TEXT value escaped as icalendar writes it."""
    return str(vText(value).to_ical().decode("utf-8"))


_PLAIN_PARAM = re.compile(r"^[A-Za-z0-9_+/-]+$")  # a TZID icalendar writes unquoted


@lru_cache(maxsize=256)
def _address_line(name: str, address: str, params: tuple[tuple[str, str], ...]) -> str:
    """An ORGANIZER (or other address) line as icalendar writes it, made once per
    address: the organizer is the same on every event."""
    value = vCalAddress(address)
    for key, param in params:
        value.params[key] = param
    event = Event()
    event.add(name, value)
    line = str(next(line for line in event.content_lines() if line.startswith(name)))
    return line


FOLD_LIMIT = 75  # octets per line (RFC 5545 3.1)


def fold(line: str) -> str:
    """Fold one content line as RFC 5545 asks, exactly as icalendar does (including
    its care not to split a backslash or caret escape), with a fast path: most lines
    are short, and icalendar's folding walks every character of every line."""
    if len(line) < FOLD_LIMIT // 4 or len(line.encode("utf-8")) < FOLD_LIMIT:
        return line
    if line.isascii():  # one octet a character: cut by slicing
        width = FOLD_LIMIT - 1
        chunks: list[str] = []
        begin = 0
        while len(line) - begin > width:
            end = begin + width
            if line[end - 1] in "\\^":  # keep an escape with what it escapes
                end -= 1
            chunks.append(line[begin:end])
            begin = end
        chunks.append(line[begin:])
        return "\r\n ".join(chunks)
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= FOLD_LIMIT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, count = [carried], len(carried.encode("utf-8"))
            else:
                pieces.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


def to_ical(component: Component) -> bytes:
    """`component.to_ical()`, byte for byte, with the faster `fold`."""
    return b"".join(
        fold(str(line)).encode("utf-8") + b"\r\n" for line in component.content_lines() if line
    )
