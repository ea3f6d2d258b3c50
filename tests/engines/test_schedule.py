"""Planning meetings: inside everyone's hours, never on holidays, nobody double-booked."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from rmentor.engines.schedule import OPEN_SESSION, place_curriculum, plan_schedule, series_dates
from rmentor.errors import Location
from rmentor.files.state import parse_schedule, schedule_text
from rmentor.model.config import CurriculumItem, ProgramConfig
from rmentor.model.pairings import Pairing
from rmentor.model.people import Participant, Window
from rmentor.model.sessions import Schedule

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
OFFICES = {
    "Europe/Berlin": ("Berlin", "DE", "BE"),
    "Europe/London": ("London", "GB", "ENG"),
    "America/New_York": ("New York", "US", "NY"),
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


def make_config(
    cadence: str = "weekly",
    on_holiday: str = "skip",
    duration: int = 60,
    day: tuple[str, str] = ("08:00", "18:00"),
) -> ProgramConfig:
    offices = {
        name: {"country": c, "subdivision": s, "timezone": z} for z, (name, c, s) in OFFICES.items()
    }
    for office in offices.values():
        if office["subdivision"] is None:
            del office["subdivision"]
    return ProgramConfig.model_validate(
        {
            "program": {
                "name": "Test",
                "organization": "T",
                "leader": {"name": "L"},
                "start": "2027-02-01",
                "end": "2027-05-28",
                "timezone": "Europe/Berlin",
                "holidays": {"country": "DE", "subdivision": "BE"},
                "blackout": [{"from": "2027-04-12", "to": "2027-04-16"}],
                "offices": offices,
            },
            "meetings": {
                "cadence": cadence,
                "duration_minutes": duration,
                "day_start": day[0],
                "day_end": day[1],
                "on_holiday": on_holiday,
                "curriculum": ["One", "Two", "Three"],
                "milestones": MILESTONES,
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
EVENTS = [  # the events a pair attends, as aware datetimes (coordinator calls excluded)
    (
        dt.datetime(2027, 2, 2, 10, tzinfo=BERLIN),
        dt.datetime(2027, 2, 2, 12, tzinfo=BERLIN),
    ),
    (dt.datetime(2027, 3, 17, tzinfo=BERLIN), dt.datetime(2027, 3, 18, tzinfo=BERLIN)),
    (
        dt.datetime(2027, 5, 26, 15, tzinfo=BERLIN),
        dt.datetime(2027, 5, 26, 17, tzinfo=BERLIN),
    ),
]


def holiday_dates(p: Participant) -> set[dt.date]:
    _, country, sub = OFFICES[p.timezone or "Europe/Berlin"]
    return set(holidays.country_holidays(country, subdiv=sub, years=[2027]))


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
)
def test_sessions_fit_everyone_and_avoid_holidays(
    specs: list[tuple[str, list[tuple[int, int, int]]]],
    cadence: str,
    on_holiday: str,
    duration: int,
) -> None:
    config = make_config(cadence, on_holiday, duration)
    mentors = [person(f"R{i}", "mentor", z, w) for i, (z, w) in enumerate(specs[:2])]
    mentees = [person(f"E{i}", "mentee", z, w) for i, (z, w) in enumerate(specs[2:] or specs[:1])]
    pairs = [
        Pairing(
            mentor=mentors[i % len(mentors)].id, mentee=e.id, score=0.5, since=dt.date(2027, 1, 4)
        )
        for i, e in enumerate(mentees)
    ]
    everyone = {p.id: p for p in [*mentors, *mentees]}
    schedule = plan_schedule(
        config, everyone.values(), pairs, Schedule(), set(), dt.date(2027, 1, 4)
    )
    by_mentor: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
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
            if not plan.slot.fallback:
                assert local_free(mentor, config, session.start, session.end), session
                assert local_free(mentee, config, session.start, session.end), session
            by_mentor.setdefault(plan.mentor, []).append((session.start, session.end))
        alone = sum(1 for p in pairs if p.mentor == plan.mentor) == 1
        if plan.slot.fallback and alone:  # really no time fits: try every start, every day
            assert not _some_slot_fits(config, mentor, mentee)
        # No session during an event either person attends; none before the trainings.
        for session in plan.sessions:
            assert session.start.date() > dt.date(2027, 2, 4)
            for start, end in EVENTS:
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
