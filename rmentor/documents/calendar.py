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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Calendar,
    Component,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
)
from icalendar.timezone import tzid_from_dt

from .. import __version__
from ..model.config import Milestone, ProgramConfig
from ..model.pairings import Pairing
from ..model.people import Participant
from ..model.sessions import PairPlan, Schedule, Session, Skip
from ..model.vocabulary import AUDIENCE_PHRASES, MILESTONE_PHRASES
from ..text import slug, visible, windows_safe

COORDINATOR_FILE = "coordinator.ics"
CATEGORY = "rmentor"
UTC = dt.UTC

_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# A conservative address: no spaces, quotes, brackets or separators iCalendar cares about.
_EMAIL = re.compile(r"^[\w.!$&'*+=^`{|}~-]+@\w(?:[\w.-]*\w)?$")


def _program_slug(config: ProgramConfig) -> str:
    return slug(config.program.name, "program", limit=None)


def session_uid(config: ProgramConfig, pair: str, number: int) -> str:
    """A session's UID: the same program, pair and session number give the same UID."""
    return f"{_file_stem(pair)}-{number}@{_program_slug(config)}.rmentor"


def milestone_uid(config: ProgramConfig, index: int, milestone: Milestone) -> str:
    """A milestone's UID; `index` counts the program's milestones from 1."""
    name = slug(milestone.name, "milestone", limit=None)
    return f"milestone-{index}-{name}@{_program_slug(config)}.rmentor"


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
) -> dict[str, bytes]:
    """Every calendar of the program: file name → RFC 5545 bytes.

    One `<pair id>.ics` per pair plan in the schedule, holding the pair's sessions and
    the milestones for everyone; one `people/<id>.ics` per person in a plan, holding
    their sessions and the milestones for everyone and for their role; and
    `coordinator.ics` with every session of every pair and every milestone. `people`
    gives names and e-mail addresses (someone missing from it appears under their id,
    without an ATTENDEE); `pairs` is checked against the plans: a plan whose mentor and
    mentee differ from its pairing record raises ValueError, as do two plans with one
    file name and two sessions of a pair with one number. `topic_titles` maps topic ids
    to titles for the agenda (an unknown id is shown as it is).
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

    builder = _Builder(config, people, topic_titles, schedule.skipped)
    milestones = builder.milestones()
    pair_events = {plan.pair: builder.pair_events(plan) for plan in schedule.plans}
    zones = _Zones(_years(config, schedule))

    result: dict[str, bytes] = {}
    for plan in schedule.plans:
        # Both people import the pair's calendar: only the milestones for everyone.
        shared = [m for m in milestones if m.audience == "everyone"]
        events = pair_events[plan.pair] + shared
        names = f"{builder.name(plan.mentor)} & {builder.name(plan.mentee)}"
        title = f"{_line(config.program.name)} — {names}"
        result[pair_file_name(plan.pair)] = _calendar(title, events, zones)
    # Each person's own: their sessions (a mentor may have two pairs) and the
    # milestones for everyone and for their role.
    sessions_of: dict[str, list[_Item]] = {}
    for plan in schedule.plans:
        for person in (plan.mentor, plan.mentee):
            sessions_of.setdefault(person, []).extend(pair_events[plan.pair])
    for person, own in sorted(sessions_of.items()):
        name = person_file_name(person)
        if name in result:  # cannot happen (the name holds a digest): never overwrite
            raise ValueError(f"`{person}` would overwrite the calendar {name}")
        role = people[person].role if person in people else ""
        audiences = {"everyone", f"{role}s"}
        events = own + [m for m in milestones if m.audience in audiences]
        title = f"{_line(config.program.name)} — {builder.name(person)}"
        result[name] = _calendar(title, events, zones)
    everything = [e for events in pair_events.values() for e in events] + milestones
    result[COORDINATOR_FILE] = _calendar(
        f"{_line(config.program.name)} — coordinator", everything, zones
    )
    return dict(sorted(result.items()))


# --- events ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """A built VEVENT with what sorting and VTIMEZONE need."""

    event: Event
    uid: str
    instant: dt.datetime  # the start in UTC (all-day: midnight in the program's zone)
    tzids: frozenset[str]
    audience: str = ""  # milestones only: everyone, mentors, mentees or coordinator

    @cached_property
    def data(self) -> bytes:
        """The VEVENT as bytes (serialised once, however many calendars hold it)."""
        data: bytes = to_ical(self.event)
        return data


class _Builder:
    """Turns sessions and milestones into VEVENTs."""

    def __init__(
        self,
        config: ProgramConfig,
        people: Mapping[str, Participant],
        topic_titles: Mapping[str, str],
        skipped: Iterable[Skip] = (),
    ) -> None:
        self.config = config
        self.people = people
        self.topic_titles = topic_titles
        self.skipped = {(s.pair, s.date): s.reason for s in skipped}
        self.program_slug = _program_slug(config)
        self.program_zone = _zone(config.program.timezone)
        self.default_stamp = _midnight_utc(config.program.start)
        self.themes = {
            item.title: item.description for item in config.meetings.curriculum if item.description
        }
        leader = config.program.leader
        self.organizer = _address(leader.email, leader.name, organizer=True)

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
        """An ATTENDEE for someone with a usable e-mail address."""
        participant = self.people.get(person)
        if participant is None:
            return None
        return _address(participant.email, self.name(person))

    def pair_events(self, plan: PairPlan) -> list[_Item]:
        """The VEVENTs of one pair's sessions (ValueError for a repeated session number)."""
        items: list[_Item] = []
        seen: set[int] = set()
        zone = _zone(plan.slot.zone)
        for session in sorted(plan.sessions, key=lambda s: s.number):
            if session.number in seen:
                raise ValueError(f"pair `{plan.pair}` has two sessions numbered {session.number}")
            seen.add(session.number)
            items.append(self.session_event(plan, session, zone))
        return items

    def session_event(self, plan: PairPlan, session: Session, zone: ZoneInfo) -> _Item:
        """One session as a VEVENT."""
        uid = session_uid(self.config, plan.pair, session.number)
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

        event = Event()
        event.add("UID", uid)
        stamp = _midnight_utc(session.updated) if session.updated else self.default_stamp
        event.add("DTSTAMP", stamp)
        event.add("DTSTART", start)
        event.add("DTEND", end)
        event.add("SEQUENCE", session.sequence)
        event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
        event.add("SUMMARY", summary)
        event.add("DESCRIPTION", self.agenda(plan, session))
        event.add("CATEGORIES", [CATEGORY])
        if self.organizer is not None:
            event.add("ORGANIZER", self.organizer)
        for person in (plan.mentor, plan.mentee):
            address = self.attendee(person)
            if address is not None:
                event.add("ATTENDEE", address)
        tzids = frozenset(t for t in (_tzid(start), _tzid(end)) if t)
        return _Item(event, uid, start.astimezone(UTC), tzids)

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
        """Every milestone of the program as a VEVENT."""
        return [
            self.milestone_event(index, milestone)
            for index, milestone in enumerate(self.config.meetings.milestones, start=1)
        ]

    def milestone_event(self, index: int, milestone: Milestone) -> _Item:
        """A milestone: all day when it has no time, else timed in the program's zone."""
        uid = milestone_uid(self.config, index, milestone)
        event = Event()
        event.add("UID", uid)
        event.add("DTSTAMP", self.default_stamp)
        tzids: frozenset[str] = frozenset()
        if milestone.time is None:
            event.add("DTSTART", milestone.date)
            event.add("DTEND", milestone.date + dt.timedelta(days=1))
            event.add("TRANSP", "TRANSPARENT")
            instant = dt.datetime.combine(milestone.date, dt.time(), self.program_zone)
        else:
            minutes = milestone.duration_minutes or 60
            wall = dt.datetime.combine(milestone.date, milestone.time, self.program_zone)
            start = wall.astimezone(UTC).astimezone(self.program_zone)  # a time that exists
            end = (start.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(
                self.program_zone
            )
            event.add("DTSTART", start)
            event.add("DTEND", end)
            event.add("TRANSP", "OPAQUE")
            tzids = frozenset(t for t in (_tzid(start), _tzid(end)) if t)
            instant = start
        event.add("SEQUENCE", 0)
        event.add("STATUS", "CONFIRMED")
        event.add("SUMMARY", _line(milestone.name) or "Program milestone")
        lines = [
            f"{_line(self.config.program.name)}: {MILESTONE_PHRASES[milestone.kind]}, "
            f"for {AUDIENCE_PHRASES[milestone.audience]}."
        ]
        if milestone.description and _text(milestone.description):
            lines.append(_text(milestone.description))
        event.add("DESCRIPTION", "\n".join(lines))
        event.add("CATEGORIES", [CATEGORY])
        if self.organizer is not None:
            event.add("ORGANIZER", self.organizer)
        return _Item(
            event,
            uid,
            instant.astimezone(UTC),
            tzids,
            audience=milestone.audience,
        )


# --- calendars and time zones -------------------------------------------------------


def _calendar(title: str, items: Iterable[_Item], zones: _Zones) -> bytes:
    """A VCALENDAR of the items, sorted by start then UID, with the VTIMEZONEs they use.

    The bytes are exactly `_calendar_object(...).to_ical()`, put together from each
    component's own `to_ical()` so that an event shared by a pair's calendar and the
    coordinator's is serialised once.
    """
    ordered = sorted(items, key=lambda item: (item.instant, item.uid))
    tzids = sorted({t for item in ordered for t in item.tzids})
    head: bytes = to_ical(_calendar_head(title))
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    parts = [head[: -len(end)]]
    parts += [zones.data(tzid) for tzid in tzids]
    parts += [item.data for item in ordered]
    parts.append(end)
    return b"".join(parts)


def _calendar_object(title: str, items: Iterable[_Item], zones: _Zones) -> Calendar:
    """The calendar `_calendar` serialises, as one icalendar object."""
    calendar = _calendar_head(title)
    ordered = sorted(items, key=lambda item: (item.instant, item.uid))
    for tzid in sorted({t for item in ordered for t in item.tzids}):
        calendar.add_component(zones.get(tzid))
    for item in ordered:
        calendar.add_component(item.event)
    return calendar


def _calendar_head(title: str) -> Calendar:
    """A VCALENDAR with its properties and no components yet."""
    calendar = Calendar()
    calendar.add("PRODID", f"-//rmentor//rmentor {__version__}//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
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


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` from 1 January of `first_year` to the end of `last_year`.

    Built from the tz database's transitions (deterministic, unlike
    `Calendar.add_missing_timezones`, whose order of zones varies between runs and
    whose spring-forward onsets are an hour late): one STANDARD or DAYLIGHT per
    change of offset, its DTSTART the local time just before the change, as
    RFC 5545 §3.6.5 defines the onset. The first one is the last change before the
    range (looked for up to a year back), so that readers know the offset in force
    on 1 January and which offset it replaced.
    """
    zone = _zone(tzid)
    begin = dt.datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    finish = dt.datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    found = _transitions(zone, begin - dt.timedelta(days=366), finish)
    earlier = [t for t in found if t < begin]
    component = Timezone()
    component.add("TZID", tzid)
    component.add("X-LIC-LOCATION", tzid)
    if not earlier:  # no change for a year: the offset in force, from 1 January
        local = begin.astimezone(zone)
        component.add_component(
            _observance(local.replace(tzinfo=None), _offset(local), _offset(local), local)
        )
    for instant in earlier[-1:] + [t for t in found if t >= begin]:
        before = _offset((instant - dt.timedelta(seconds=1)).astimezone(zone))
        local = instant.astimezone(zone)
        onset = (instant + before).replace(tzinfo=None)  # local time before the change
        component.add_component(_observance(onset, before, _offset(local), local))
    return component


def _observance(
    onset: dt.datetime, before: dt.timedelta, after: dt.timedelta, moment: dt.datetime
) -> TimezoneStandard | TimezoneDaylight:
    """One STANDARD or DAYLIGHT sub-component."""
    daylight = bool(moment.dst())
    part: TimezoneStandard | TimezoneDaylight = (
        TimezoneDaylight() if daylight else TimezoneStandard()
    )
    part.add("DTSTART", onset)
    part.add("TZOFFSETFROM", before)
    part.add("TZOFFSETTO", after)
    name = moment.tzname()
    if name:
        part.add("TZNAME", name)
    return part


def _offset(moment: dt.datetime) -> dt.timedelta:
    offset = moment.utcoffset()
    assert offset is not None  # every moment here is aware
    return offset


def _transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants (UTC) in [start, end) where the zone's offset, name or DST flag changes."""

    def state(moment: dt.datetime) -> tuple[dt.timedelta | None, dt.timedelta | None, str | None]:
        local = moment.astimezone(zone)
        return (local.utcoffset(), local.dst(), local.tzname())

    step = dt.timedelta(hours=6)  # zones change at most twice a year; never twice in 6 hours
    found: list[dt.datetime] = []
    low, low_state = start, state(start)
    while low < end:
        high = min(low + step, end)
        high_state = state(high)
        if high_state != low_state:
            lo, hi = low, high  # state(lo) == low_state != state(hi)
            while hi - lo > dt.timedelta(seconds=1):
                middle = lo + (hi - lo) / 2
                middle = middle.replace(microsecond=0)
                if state(middle) == low_state:
                    lo = middle
                else:
                    hi = middle
            found.append(hi)
        low, low_state = high, high_state
    return found


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


def _line(value: str) -> str:
    """Text as one line: every line break and run of spaces becomes one space, and
    nothing invisible is left (`text.visible`)."""
    return visible(value)


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
