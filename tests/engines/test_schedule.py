"""Planning meetings: inside everyone's hours, never on holidays, nobody double-booked."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from rmentor.engines.schedule import (
    OPEN_SESSION,
    first_day,
    place_curriculum,
    plan_schedule,
    series_dates,
)
from rmentor.errors import Location
from rmentor.files.state import parse_schedule, schedule_text
from rmentor.model.config import CurriculumItem, ProgramConfig
from rmentor.model.pairings import Pairing, pair_id
from rmentor.model.people import Participant, Window
from rmentor.model.sessions import NO_COMMON_TIME, PairPlan, Schedule, Session, Slot

# Clocks that change in opposite directions (north and south), on different dates, or never.
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
]
OFFICES = {
    "Europe/Berlin": ("Berlin", "DE", "BE"),
    "Europe/London": ("London", "GB", "ENG"),
    "Europe/Dublin": ("Dublin", "IE", None),
    "America/New_York": ("New York", "US", "NY"),
    "America/Sao_Paulo": ("São Paulo", "BR", "SP"),
    "Asia/Kolkata": ("Pune", "IN", None),
    "Australia/Sydney": ("Sydney", "AU", "NSW"),
}
LOC = Location("participants.csv", 1, 1)
# Program events at times that collide with sessions, in the program's zone (Berlin).
MILESTONES = [
    {
        "name": "Kickoff",
        "kind": "kickoff",
        "date": "2027-02-02",
        "time": "10:00",
        "duration_minutes": 120,
    },
    {
        "name": "Mentor training",
        "kind": "mentor_training",
        "date": "2027-02-03",
        "time": "14:00",
        "duration_minutes": 120,
        "audience": "mentors",
    },
    {
        "name": "Mentee briefing",
        "kind": "mentee_training",
        "date": "2027-02-04",
        "time": "09:00",
        "duration_minutes": 60,
        "audience": "mentees",
    },
    {
        "name": "Coordinator calls",
        "kind": "other",
        "date": "2027-03-09",
        "time": "08:00",
        "duration_minutes": 600,
        "audience": "coordinator",
    },
    {"name": "Town hall", "kind": "other", "date": "2027-03-17"},  # all day, everyone
    {
        "name": "Closing celebration",
        "kind": "celebration",
        "date": "2027-05-26",
        "time": "15:00",
        "duration_minutes": 120,
    },
]


# The same program from October to April: every zone above changes its clocks at least
# once in it (Sydney and São Paulo's summer is the north's winter; Brazil no longer
# changes, so Sao_Paulo is fixed while the others move).
AUTUMN_MILESTONES = [
    {**m, "date": d}
    for m, d in zip(
        MILESTONES,
        ["2027-10-05", "2027-10-06", "2027-10-07", "2027-11-09", "2028-03-15", "2028-04-26"],
        strict=True,
    )
]
SEASONS = {
    # name: (start, end, blackout, milestones)
    "spring": ("2027-02-01", "2027-05-28", ("2027-04-12", "2027-04-16"), MILESTONES),
    "autumn": ("2027-10-04", "2028-04-28", ("2027-12-20", "2027-12-31"), AUTUMN_MILESTONES),
}


def make_config(
    cadence: str = "weekly",
    on_holiday: str = "skip",
    duration: int = 60,
    day: tuple[str, str] = ("08:00", "18:00"),
    season: str = "spring",
) -> ProgramConfig:
    offices = {
        name: {"country": c, "subdivision": s, "timezone": z} for z, (name, c, s) in OFFICES.items()
    }
    for office in offices.values():
        if office["subdivision"] is None:
            del office["subdivision"]
    start, end, (off_from, off_to), milestones = SEASONS[season]
    return ProgramConfig.model_validate(
        {
            "program": {
                "name": "Test",
                "organization": "T",
                "leader": {"name": "L"},
                "start": start,
                "end": end,
                "timezone": "Europe/Berlin",
                "holidays": {"country": "DE", "subdivision": "BE"},
                "blackout": [{"from": off_from, "to": off_to}],
                "offices": offices,
            },
            "meetings": {
                "cadence": cadence,
                "duration_minutes": duration,
                "day_start": day[0],
                "day_end": day[1],
                "on_holiday": on_holiday,
                "curriculum": ["One", "Two", "Three"],
                "milestones": milestones,
            },
            "topics": [{"id": "ai", "title": "AI"}, {"id": "video", "title": "Video"}],
        }
    )


def person(pid: str, role: str, zone: str, windows: list[tuple[int, int, int]]) -> Participant:
    office = OFFICES[zone][0]
    return Participant(
        id=pid,
        name=pid,
        role=role,
        timezone=zone,
        location=office,
        source=LOC,
        availability=tuple(Window(day=d, start=a, end=b) for d, a, b in sorted(windows)),
        skills=("ai", "video") if role == "mentor" else (),
        interests=("video", "ai") if role == "mentee" else (),
    )


def local_free(p: Participant, config: ProgramConfig, start: dt.datetime, end: dt.datetime) -> bool:
    """Independent check: the session in the person's own clock, inside their hours."""
    zone = ZoneInfo(p.timezone or "UTC")
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.date() != b.date() and not (
        b.time() == dt.time(0) and b.date() == a.date() + dt.timedelta(days=1)
    ):
        return False
    lo = config.meetings.day_start.hour * 60 + config.meetings.day_start.minute
    hi = config.meetings.day_end.hour * 60 + config.meetings.day_end.minute
    s = a.hour * 60 + a.minute
    e = s + int((end - start).total_seconds() // 60)
    if s < lo or e > hi:
        return False
    windows = [(w.day, w.start, w.end) for w in p.availability] or [(d, lo, hi) for d in range(5)]
    return any(d == a.weekday() and ws <= s and e <= we for d, ws, we in windows)


BERLIN = ZoneInfo("Europe/Berlin")


def events(config: ProgramConfig) -> list[tuple[dt.datetime, dt.datetime]]:
    """The events a pair attends, as aware datetimes (coordinator calls excluded)."""
    out = []
    for m in config.meetings.milestones:
        if m.audience == "coordinator" or m.kind in ("mentor_training", "mentee_training"):
            continue
        if m.time is None:
            start = dt.datetime.combine(m.date, dt.time(0), tzinfo=BERLIN)
            out.append((start, start + dt.timedelta(days=1)))
        else:
            start = dt.datetime.combine(m.date, m.time, tzinfo=BERLIN)
            out.append((start, start + dt.timedelta(minutes=m.duration_minutes or 60)))
    return out


def holiday_dates(p: Participant) -> set[dt.date]:
    _, country, sub = OFFICES[p.timezone or "Europe/Berlin"]
    return set(holidays.country_holidays(country, subdiv=sub, years=[2027, 2028]))


def regular_dates(config: ProgramConfig, plan: PairPlan) -> list[tuple[dt.date, Slot]]:
    """Each date of a pair's series with the slot it takes: each period's weekday from
    its first day to the next period's."""
    periods = plan.periods or ((config.program.start, plan.slot),)
    out = []
    for k, (since, slot) in enumerate(periods):
        for day in series_dates(config, slot.weekday):
            if (k == 0 or day >= since) and (k + 1 == len(periods) or day < periods[k + 1][0]):
                out.append((day, slot))
    return out


window = st.tuples(st.integers(0, 6), st.integers(0, 40), st.integers(2, 20)).map(
    lambda t: (t[0], t[1] * 30, min(1440, t[1] * 30 + t[2] * 30))
)
people_st = st.lists(
    st.tuples(st.sampled_from(ZONES), st.lists(window, max_size=4)), min_size=2, max_size=7
)


@settings(max_examples=150, deadline=None)
@given(
    people_st,
    st.sampled_from(["weekly", "biweekly", "monthly"]),
    st.sampled_from(["skip", "next_free_day"]),
    st.sampled_from([30, 60, 90]),
    st.sampled_from(["spring", "autumn"]),
)
def test_sessions_fit_everyone_and_avoid_holidays(
    specs: list[tuple[str, list[tuple[int, int, int]]]],
    cadence: str,
    on_holiday: str,
    duration: int,
    season: str,
) -> None:
    config = make_config(cadence, on_holiday, duration, season=season)
    mentors = [person(f"R{i}", "mentor", z, w) for i, (z, w) in enumerate(specs[:2])]
    mentees = [person(f"E{i}", "mentee", z, w) for i, (z, w) in enumerate(specs[2:] or specs[:1])]
    pairs = [
        Pairing(
            mentor=mentors[i % len(mentors)].id, mentee=e.id, score=0.5, since=dt.date(2027, 1, 4)
        )
        for i, e in enumerate(mentees)
    ]
    check_schedule(config, [*mentors, *mentees], pairs)


def mirrored(
    zone: str, other: str, windows: list[tuple[int, int, int]], day: dt.date, trim: list[int]
) -> list[tuple[int, int, int]]:
    """`windows` (in `zone`) as `other`'s clock reads them on `day`, each end trimmed by
    `trim` half hours: hours in common on that day, maybe not on every date."""
    out = []
    for (weekday, a, b), cut in zip(windows, trim, strict=True):
        when = dt.datetime.combine(day, dt.time(a // 60, a % 60), tzinfo=ZoneInfo(zone))
        there, here = when.astimezone(ZoneInfo(other)).utcoffset(), when.utcoffset()
        assert there is not None
        assert here is not None
        shift = int((there - here).total_seconds() // 60)
        start, end = a + shift + cut // 3 * 30, b + shift - cut % 3 * 30
        if 0 <= start < end <= 1440:
            out.append((weekday, start, end))
    return out


@st.composite
def clock_pairs(draw: st.DrawFn) -> tuple[ProgramConfig, list[Participant], list[Pairing]]:
    """A mentor and up to three mentees in other zones whose hours meet the mentor's on
    one day of the season: across the clock changes they may meet at another time, or
    not at all."""
    config = make_config(
        draw(st.sampled_from(["weekly", "biweekly", "monthly"])),
        draw(st.sampled_from(["skip", "next_free_day"])),
        draw(st.sampled_from([30, 60])),
        day=("06:00", "22:00"),
        season=draw(st.sampled_from(["spring", "autumn"])),
    )
    zone = draw(st.sampled_from(ZONES))
    hours = draw(
        st.lists(
            st.tuples(st.integers(0, 4), st.integers(12, 36), st.integers(2, 6)).map(
                lambda t: (t[0], t[1] * 30, t[1] * 30 + t[2] * 30)
            ),
            min_size=1,
            max_size=3,
        )
    )
    mentor = person("R0", "mentor", zone, hours)
    mentees = []
    span = (config.program.end - config.program.start).days
    for i in range(draw(st.integers(1, 3))):
        other = draw(st.sampled_from([z for z in ZONES if z != zone]))
        day = config.program.start + dt.timedelta(days=draw(st.integers(0, span)))
        trim = draw(st.lists(st.integers(0, 8), min_size=len(hours), max_size=len(hours)))
        mentees.append(person(f"E{i}", "mentee", other, mirrored(zone, other, hours, day, trim)))
    pairs = [
        Pairing(mentor="R0", mentee=e.id, score=0.5, since=dt.date(2027, 1, 4)) for e in mentees
    ]
    return config, [mentor, *mentees], pairs


@settings(max_examples=150, deadline=None)
@given(clock_pairs())
def test_clock_changes_never_put_a_session_outside_anyones_hours(
    case: tuple[ProgramConfig, list[Participant], list[Pairing]],
) -> None:
    check_schedule(*case)


def check_schedule(config: ProgramConfig, people: list[Participant], pairs: list[Pairing]) -> None:
    """Plan, then check every promise of the schedule independently of the planner."""
    everyone = {p.id: p for p in people}
    schedule = plan_schedule(
        config, everyone.values(), pairs, Schedule(), set(), dt.date(2027, 1, 4)
    )
    first = first_day(config)
    by_mentor: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    skips = {(k.pair, k.date): k.reason for k in schedule.skipped}
    for plan in schedule.plans:
        mentor, mentee = everyone[plan.mentor], everyone[plan.mentee]
        numbers = [s.number for s in plan.sessions]
        assert numbers == list(range(1, len(numbers) + 1))
        for session in plan.sessions:
            assert config.program.start <= session.start.date() <= config.program.end
            for who in (mentor, mentee):
                local = session.start.astimezone(ZoneInfo(who.timezone or "UTC")).date()
                assert local not in holiday_dates(who), (session, who.id)
            for span in config.program.blackout:
                assert not span.start <= session.start.date() <= span.end
            # Every session, on its own date, inside both people's stated hours.
            assert not session.fallback
            assert local_free(mentor, config, session.start, session.end), session
            assert local_free(mentee, config, session.start, session.end), session
            by_mentor.setdefault(plan.mentor, []).append((session.start, session.end))
        # Every date of the series: a session (there, or moved from there), a skip with
        # its reason, or before the first session day.
        held = {s.moved_from or s.start.date(): s for s in plan.sessions}
        series = regular_dates(config, plan)
        for day, slot in series:
            if day < first:
                continue
            if day in held:
                assert not slot.fallback
                assert held[day].start.astimezone(ZoneInfo(slot.zone)).time() == slot.start
            else:
                assert skips.get((plan.pair, day)), (plan.pair, day, slot)
                assert slot.fallback == (skips[plan.pair, day] == NO_COMMON_TIME)
        assert len(held) == len(plan.sessions)
        assert {d for d, _ in series} >= set(held)
        assert plan.unplaced == any(
            reason == NO_COMMON_TIME for (pair, _), reason in skips.items() if pair == plan.pair
        )
        if plan.periods:  # a split only where no one slot fits: its periods differ
            assert all(a[1] != b[1] for a, b in itertools.pairwise(plan.periods))
            assert plan.slot == next((s for _, s in plan.periods if not s.fallback), plan.slot)
        alone = sum(1 for p in pairs if p.mentor == plan.mentor) == 1
        if (plan.periods or plan.unplaced) and alone:  # really no one slot fits all dates
            assert not _some_slot_fits(config, mentor, mentee)
        if alone:  # a period left without sessions really has no time on its weekday
            for since, slot in plan.periods or ((first, plan.slot),):
                dates = [d for d, s in series if s == slot and d >= max(since, first)]
                if slot.fallback and dates:
                    assert not _fits_dates(config, mentor, mentee, dates), (plan.pair, dates)
        # No session during an event either person attends; none before the trainings.
        for session in plan.sessions:
            assert session.start.date() >= first
            for start, end in events(config):
                assert session.end <= start or end <= session.start, (session, start)
        # Themes in order, spread evenly over the series: no block of open sessions.
        theme = [s.theme for s in plan.sessions]
        given = [t for t in theme if t != OPEN_SESSION]
        assert given == ["One", "Two", "Three"][: len(theme)]
        at = [k for k, t in enumerate(theme) if t != OPEN_SESSION]
        gaps = [b - a for a, b in itertools.pairwise([*at, len(theme)])]
        assert not gaps or max(gaps) - min(gaps) <= 1, theme
    for times in by_mentor.values():
        times.sort()
        for (_, end), (start, _) in itertools.pairwise(times):
            assert end <= start, "a mentor is double-booked"
    assert parse_schedule(schedule_text(schedule)) == schedule


def _fits_dates(
    config: ProgramConfig, mentor: Participant, mentee: Participant, dates: list[dt.date]
) -> bool:
    """Is there a start time (mentor's clock) inside both people's hours on every date?"""
    zone = ZoneInfo(mentor.timezone or "UTC")
    duration = dt.timedelta(minutes=config.meetings.duration_minutes)
    for minute in range(0, 1440, 15):
        starts = [
            dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
            for day in dates
        ]
        if all(
            local_free(mentor, config, s, s + duration)
            and local_free(mentee, config, s, s + duration)
            for s in starts
        ):
            return True
    return False


def _some_slot_fits(config: ProgramConfig, mentor: Participant, mentee: Participant) -> bool:
    zone = ZoneInfo(mentor.timezone or "UTC")
    duration = dt.timedelta(minutes=config.meetings.duration_minutes)
    for weekday in range(7):
        dates = series_dates(config, weekday)
        for minute in range(0, 1440, 15):
            ok = True
            for day in dates:
                start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
                if not (
                    local_free(mentor, config, start, start + duration)
                    and local_free(mentee, config, start, start + duration)
                ):
                    ok = False
                    break
            if ok and dates:
                return True
    return False


def test_replanning_later_moves_nothing_in_the_past() -> None:
    config = make_config()
    r = person("R1", "mentor", "Europe/Berlin", [(d, 840, 1020) for d in (1, 2, 3)])
    e1 = person("E1", "mentee", "America/New_York", [(1, 480, 660), (3, 480, 660)])
    e2 = person("E2", "mentee", "Europe/London", [])
    pairs = [
        Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4)),
        Pairing(mentor="R1", mentee="E2", score=0.5, since=dt.date(2027, 1, 4)),
    ]
    first = plan_schedule(config, [r, e1, e2], pairs, Schedule(), set(), dt.date(2027, 1, 4))
    assert first.plans[0].slot.weekday != first.plans[1].slot.weekday  # spread over days
    again = plan_schedule(
        config, [r, e1, e2], pairs, parse_schedule(schedule_text(first)), set(), dt.date(2027, 3, 1)
    )
    assert schedule_text(again) == schedule_text(first)  # nothing changed: nothing moves
    # E1's hours change from March: the past stays, the future moves, SEQUENCE goes up.
    e1_later = person("E1", "mentee", "America/New_York", [(2, 480, 660)])
    moved = plan_schedule(
        config, [r, e1_later, e2], pairs, first, {("", dt.date(2027, 1, 1))}, dt.date(2027, 3, 1)
    )
    plan = next(p for p in moved.plans if p.mentee == "E1")
    old = next(p for p in first.plans if p.mentee == "E1")
    past = [s for s in old.sessions if s.start.date() <= dt.date(2027, 3, 1)]
    assert list(plan.sessions[: len(past)]) == past
    future = [s for s in plan.sessions if s.start.date() > dt.date(2027, 3, 1)]
    assert future
    assert all(s.start.weekday() == 2 or s.status == "cancelled" for s in future)
    assert all(s.sequence >= 1 for s in future if s.number in {o.number for o in old.sessions})


def test_a_logged_session_stays_where_it_was() -> None:
    config = make_config()
    r = person("R1", "mentor", "Europe/Berlin", [(1, 540, 720)])
    e = person("E1", "mentee", "Europe/Berlin", [(1, 540, 720)])
    pairs = [Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))]
    first = plan_schedule(config, [r, e], pairs, Schedule(), set(), dt.date(2027, 1, 4))
    future = first.plans[0].sessions[10]
    logged = {(future.pair, future.start.date())}
    e_changed = person("E1", "mentee", "Europe/Berlin", [(3, 540, 720)])
    later = plan_schedule(config, [r, e_changed], pairs, first, logged, dt.date(2027, 2, 1))
    assert future in later.plans[0].sessions


def test_an_ended_pair_keeps_its_past_and_cancels_its_future() -> None:
    config = make_config()
    r = person("R1", "mentor", "Europe/Berlin", [])
    e = person("E1", "mentee", "Europe/Berlin", [])
    pair = Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))
    first = plan_schedule(config, [r, e], [pair], Schedule(), set(), dt.date(2027, 1, 4))
    ended = Pairing(
        mentor="R1",
        mentee="E1",
        score=0.5,
        since=dt.date(2027, 1, 4),
        status="withdrawn",
        ended=dt.date(2027, 3, 1),
    )
    later = plan_schedule(config, [r, e], [ended], first, set(), dt.date(2027, 3, 1))
    for before, after in zip(first.plans[0].sessions, later.plans[0].sessions, strict=True):
        if before.start.date() <= dt.date(2027, 3, 1):
            assert after == before
        else:
            assert (after.status, after.sequence) == ("cancelled", before.sequence + 1)


def test_holidays_are_skipped_or_moved() -> None:
    # Easter Monday 2027 (March 29) is a public holiday in Berlin.
    r = person("R1", "mentor", "Europe/Berlin", [(0, 540, 720), (1, 540, 720)])
    e = person("E1", "mentee", "Europe/Berlin", [(0, 540, 720), (1, 540, 720)])
    pair = Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))
    skip = plan_schedule(make_config(), [r, e], [pair], Schedule(), set(), dt.date(2027, 1, 4))
    assert skip.plans[0].slot.weekday == 1  # Tuesday first: fewer holidays midweek
    monday_only = person("E1", "mentee", "Europe/Berlin", [(0, 540, 720)])
    for mode, expect_moved in (("skip", False), ("next_free_day", False)):
        s = plan_schedule(
            make_config(on_holiday=mode),
            [r, monday_only],
            [pair],
            Schedule(),
            set(),
            dt.date(2027, 1, 4),
        )
        dates = {x.start.date() for x in s.plans[0].sessions}
        assert dt.date(2027, 3, 29) not in dates
        assert any(k.date == dt.date(2027, 3, 29) for k in s.skipped) or expect_moved
    # A one-day blackout on the slot's Tuesday: moved to Wednesday, or skipped.
    tue_wed = [(1, 540, 720), (2, 540, 720)]
    r2 = person("R1", "mentor", "Europe/Berlin", tue_wed)
    e2 = person("E1", "mentee", "Europe/Berlin", tue_wed)
    day_off = [{"from": "2027-03-02", "to": "2027-03-02"}]
    for mode in ("skip", "next_free_day"):
        config = make_config(on_holiday=mode)
        program = config.program.model_copy(
            update={
                "blackout": tuple(
                    type(config.program.blackout[0]).model_validate(b) for b in day_off
                )
            }
        )
        config = config.model_copy(update={"program": program})
        plan = plan_schedule(config, [r2, e2], [pair], Schedule(), set(), dt.date(2027, 1, 4))
        sessions = {x.start.date(): x for x in plan.plans[0].sessions}
        assert plan.plans[0].slot.weekday == 1
        assert dt.date(2027, 3, 2) not in sessions
        if mode == "skip":
            assert dt.date(2027, 3, 3) not in sessions
            assert [k.date for k in plan.skipped] == [dt.date(2027, 3, 2)]
        else:
            assert sessions[dt.date(2027, 3, 3)].moved_from == dt.date(2027, 3, 2)
            assert plan.skipped == ()


def test_a_log_filled_ahead_cancels_nothing_in_between() -> None:
    config = make_config()
    r = person("R1", "mentor", "Europe/Berlin", [(1, 540, 720)])
    e = person("E1", "mentee", "Europe/Berlin", [(1, 540, 720)])
    pairs = [Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))]
    first = plan_schedule(config, [r, e], pairs, Schedule(), set(), dt.date(2027, 1, 4))
    sessions = first.plans[0].sessions
    logged = {(s.pair, s.start.date()) for s in (sessions[0], sessions[9])}  # 1 and 10
    today = sessions[2].start.date()  # today is the day of session 3
    again = plan_schedule(config, [r, e], pairs, first, logged, today)
    assert again.plans[0].sessions == sessions  # nothing cancelled, nothing renumbered


# --- the curriculum over the whole series --------------------------------------------------


def _items(*specs: str | dict[str, object]) -> tuple[CurriculumItem, ...]:
    return tuple(CurriculumItem.model_validate(s) for s in specs)


def test_anchored_themes_land_where_they_say() -> None:
    items = _items(
        {"title": "Hello", "at": "first"},
        "A",
        "B",
        {"title": "Review", "at": "midpoint"},
        "C",
        {"title": "Bye", "at": "last"},
        {"title": "Fourth", "at": 4},
    )
    for n in range(9, 30):  # from 9 on, the middle is not session 4
        placed = [i.title if i else None for i in place_curriculum(items, n)]
        assert placed[0] == "Hello"
        assert placed[-1] == "Bye"
        assert abs(placed.index("Review") + 1 - (n + 1) / 2) <= 1
        assert placed[3] == "Fourth"
        loose = [t for t in placed if t in ("A", "B", "C")]
        assert loose == ["A", "B", "C"]  # in order
        assert placed.count(None) == n - 7


def test_unanchored_themes_spread_evenly_and_extra_ones_drop() -> None:
    placed = [i.title if i else None for i in place_curriculum(_items("A", "B", "C"), 9)]
    assert placed == ["A", None, None, "B", None, None, "C", None, None]
    placed = [i.title if i else None for i in place_curriculum(_items("A", "B", "C"), 2)]
    assert placed == ["A", "B"]
    # An anchor outside a short series leaves its theme to spread with the others.
    placed = [i.title if i else None for i in place_curriculum(_items({"title": "X", "at": 9}), 3)]
    assert placed == ["X", None, None]


def test_kinds_follow_anchors_and_teaching_uses_the_themes_topic() -> None:
    hello, review, bye, plain = _items(
        {"title": "Hello", "at": "first"},
        {"title": "Review", "at": "midpoint"},
        {"title": "Bye", "at": "last", "kind": "closing"},
        {"title": "Video day", "topics": ["video"]},
    )
    assert [i.session_kind for i in (hello, review, bye, plain)] == [
        "intro",
        "review",
        "closing",
        "teaching",
    ]
    config = make_config().model_copy(
        update={
            "meetings": make_config().meetings.model_copy(
                update={"curriculum": (hello, plain, review, bye)}
            )
        }
    )
    mentor = person("R", "mentor", "Europe/Berlin", [])
    mentee = person("E", "mentee", "Europe/Berlin", [])
    mentee = mentee.model_copy(update={"interests": ("ai", "video")})
    pair = Pairing(mentor="R", mentee="E", score=0.5, since=dt.date(2027, 1, 4))
    plan = plan_schedule(config, [mentor, mentee], [pair], Schedule(), set(), dt.date(2027, 1, 4))
    sessions = plan.plans[0].sessions
    assert (sessions[0].theme, sessions[0].kind) == ("Hello", "intro")
    assert [s.topics for s in sessions if s.kind in ("review", "closing")] == [(), ()]
    assert (sessions[-1].theme, sessions[-1].kind) == ("Bye", "closing")
    middle = next(s for s in sessions if s.theme == "Review")
    assert abs(middle.number - (len(sessions) + 1) / 2) <= 1
    assert middle.kind == "review"
    video = next(s for s in sessions if s.theme == "Video day")
    assert video.kind == "teaching"
    assert video.topics == ("video",)
    # The kinds survive schedule.toml.
    assert parse_schedule(schedule_text(plan)) == plan


# --- clocks that change on different dates ---------------------------------------------------

NEW_YORK, DUBLIN, SYDNEY = (
    ZoneInfo(z) for z in ("America/New_York", "Europe/Dublin", "Australia/Sydney")
)
US_ONLY = (dt.date(2027, 3, 14), dt.date(2027, 3, 27))  # New York on summer time, Berlin not


def _plan(config: ProgramConfig, mentor: Participant, mentee: Participant) -> Schedule:
    pair = Pairing(mentor=mentor.id, mentee=mentee.id, score=0.5, since=dt.date(2027, 1, 4))
    return plan_schedule(config, [mentor, mentee], [pair], Schedule(), set(), dt.date(2027, 1, 4))


def test_a_slot_per_clock_period_when_the_common_hour_moves() -> None:
    """Berlin 15:00 is New York 09:00, except for the two March weeks when only New York
    has changed its clocks: then it is Berlin 14:00. The mentee's hour stays 09:00."""
    config = make_config()
    mentor = person("R1", "mentor", "Europe/Berlin", [(1, 14 * 60, 16 * 60)])
    mentee = person("E1", "mentee", "America/New_York", [(1, 9 * 60, 10 * 60)])
    schedule = _plan(config, mentor, mentee)
    plan = schedule.plans[0]
    tue = dt.time(15), dt.time(14)
    assert plan.periods == (
        (first_day(config), Slot(1, tue[0], "Europe/Berlin")),
        (dt.date(2027, 3, 14), Slot(1, tue[1], "Europe/Berlin")),
        (dt.date(2027, 3, 28), Slot(1, tue[0], "Europe/Berlin")),
    )
    assert plan.slot == Slot(1, tue[0], "Europe/Berlin")
    assert not plan.unplaced
    assert plan.describe() == (
        "Tue 15:00; from 2027-03-14 Tue 14:00; from 2027-03-28 Tue 15:00 (Europe/Berlin)"
    )
    for session in plan.sessions:
        assert session.start.astimezone(NEW_YORK).time() == dt.time(9)
        march = US_ONLY[0] <= session.start.date() <= US_ONLY[1]
        assert session.start.time() == tue[1 if march else 0]
        assert plan.slot_on(session.start.date()).start == session.start.time()
    assert sum(US_ONLY[0] <= s.start.date() <= US_ONLY[1] for s in plan.sessions) == 2
    assert not schedule.skipped or NO_COMMON_TIME not in {k.reason for k in schedule.skipped}
    # Kept through schedule.toml, and a later run moves nothing.
    assert parse_schedule(schedule_text(schedule)) == schedule
    pair = Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))
    again = plan_schedule(
        config,
        [mentor, mentee],
        [pair],
        parse_schedule(schedule_text(schedule)),
        set(),
        dt.date(2027, 3, 1),
    )
    assert again == schedule
    # With an hour more in New York, one slot holds all season: no periods.
    wider = person("E1", "mentee", "America/New_York", [(1, 8 * 60, 10 * 60)])
    single = _plan(config, mentor, wider).plans[0]
    assert (single.periods, single.slot) == ((), Slot(1, dt.time(14), "Europe/Berlin"))


def test_another_weekday_for_a_period_when_the_first_has_no_time() -> None:
    """Tuesday fits outside the March weeks only, Thursday only in them."""
    config = make_config()
    mentor = person("R1", "mentor", "Europe/Berlin", [(1, 15 * 60, 16 * 60), (3, 14 * 60, 15 * 60)])
    mentee = person(
        "E1", "mentee", "America/New_York", [(1, 9 * 60, 10 * 60), (3, 9 * 60, 10 * 60)]
    )
    plan = _plan(config, mentor, mentee).plans[0]
    assert [(d, s.weekday, s.start) for d, s in plan.periods] == [
        (first_day(config), 1, dt.time(15)),
        (dt.date(2027, 3, 14), 3, dt.time(14)),
        (dt.date(2027, 3, 28), 1, dt.time(15)),
    ]
    march = [s.start for s in plan.sessions if US_ONLY[0] <= s.start.date() <= US_ONLY[1]]
    assert [s.date() for s in march] == [dt.date(2027, 3, 18), dt.date(2027, 3, 25)]
    assert all(s.astimezone(NEW_YORK).time() == dt.time(9) for s in march)


def test_no_common_time_in_winter_leaves_those_dates_unplaced() -> None:
    """Sydney 17:00 is Dublin 08:00 only while Sydney is on standard time and Dublin on
    summer time (April here). The other dates are skipped with the reason: no session at
    Dublin 06:00 or 07:00, outside the mentee's hours."""
    config = make_config(season="autumn")
    mentor = person("R1", "mentor", "Australia/Sydney", [(1, 16 * 60, 18 * 60)])
    mentee = person("E1", "mentee", "Europe/Dublin", [(1, 8 * 60, 10 * 60)])
    schedule = _plan(config, mentor, mentee)
    plan = schedule.plans[0]
    assert plan.unplaced
    assert plan.slot == Slot(1, dt.time(17), "Australia/Sydney")
    assert [(d, s.fallback) for d, s in plan.periods] == [
        (first_day(config), True),
        (dt.date(2028, 4, 2), False),  # Sydney's clocks go back: the gap is 9 hours again
    ]
    assert plan.sessions
    for session in plan.sessions:
        assert session.start.date() >= dt.date(2028, 4, 2)
        assert session.start.astimezone(DUBLIN).time() == dt.time(8)
        assert session.start.astimezone(SYDNEY).time() == dt.time(17)
    unplaced = [k.date for k in schedule.skipped if k.reason == NO_COMMON_TIME]
    tuesdays = series_dates(config, 1)
    assert unplaced == [d for d in tuesdays if d < dt.date(2028, 4, 2)]
    assert parse_schedule(schedule_text(schedule)) == schedule
    # Never any common time: a placeholder slot, no session, every date skipped.
    late = person("E1", "mentee", "Europe/Dublin", [(1, 12 * 60, 13 * 60)])
    none = _plan(config, mentor, late)
    assert none.plans[0].slot.fallback
    assert (none.plans[0].periods, none.plans[0].sessions) == ((), ())
    assert [k.date for k in none.skipped] == tuesdays
    assert {k.reason for k in none.skipped} == {NO_COMMON_TIME}


def test_sessions_outside_hours_from_an_older_file_are_planned_again() -> None:
    """An older version placed sessions outside someone's hours (`fallback`): a new run
    keeps those on or before today, and moves or cancels the later ones (SEQUENCE up)."""
    config = make_config(season="autumn")
    mentor = person("R1", "mentor", "Australia/Sydney", [(1, 16 * 60, 18 * 60)])
    mentee = person("E1", "mentee", "Europe/Dublin", [(1, 8 * 60, 10 * 60)])
    zone = "Australia/Sydney"
    old_slot = Slot(1, dt.time(16), zone, fallback=True)
    old_sessions = tuple(
        Session(
            pair=pair_id("R1", "E1"),
            number=n,
            start=dt.datetime.combine(day, dt.time(16), tzinfo=SYDNEY),
            end=dt.datetime.combine(day, dt.time(17), tzinfo=SYDNEY),
            theme=OPEN_SESSION,
            fallback=True,
            updated=dt.date(2027, 9, 1),
        )
        for n, day in enumerate(series_dates(config, 1), start=1)
    )
    old = Schedule((PairPlan(pair_id("R1", "E1"), "R1", "E1", old_slot, old_sessions),))
    old = parse_schedule(schedule_text(old))  # as read from the file
    assert all(s.fallback for s in old.plans[0].sessions)
    today = dt.date(2027, 11, 1)
    pair = Pairing(mentor="R1", mentee="E1", score=0.5, since=dt.date(2027, 1, 4))
    new = plan_schedule(config, [mentor, mentee], [pair], old, set(), today).plans[0]
    for before in old.plans[0].sessions:
        after = next(s for s in new.sessions if s.number == before.number)
        if before.start.date() <= today:
            assert after == before
        else:
            assert after.sequence == before.sequence + 1
            assert after.status == "cancelled" or not after.fallback
    for session in new.sessions:
        if session.status == "planned" and session.start.date() > today:
            assert local_free(mentee, config, session.start, session.end)
