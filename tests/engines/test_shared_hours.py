"""Shared hours that hold all season (issue 11, part 4).

The shared-hours criterion, its rule and the reason text measure the program's worst
week: the least, over every date of the program, of the time two people share in
whole sessions. Checked here against a brute force written independently of the
engine: for each date, both people's weekly windows are laid out in UTC minutes with
their zones' offsets on that date (at local noon), intersected, and each shared
stretch counts floor(stretch / session) whole sessions. The week wraps round: a
stretch may run from Sunday night into Monday (UTC).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmentor.engines.matching.criteria import Block, shared_hours
from rmentor.engines.matching.engine import MatchingProblem, match
from rmentor.model.config import (
    Matching,
    Meetings,
    ProgramConfig,
    Rules,
    SharedHoursRule,
    Weights,
)
from rmentor.model.pairings import PairingState
from rmentor.model.people import Participant, Window
from tests.rosters import make_config, person, window

WEEK = 7 * 24 * 60
SYDNEY, DUBLIN = "Australia/Sydney", "Europe/Dublin"
SAO_PAULO, KOLKATA, NEW_YORK = "America/Sao_Paulo", "Asia/Kolkata", "America/New_York"
SEASON_ZONES = (SYDNEY, DUBLIN, SAO_PAULO, KOLKATA, NEW_YORK)
# Zones whose clocks move by half an hour or sit off the hour, for the property test.
ODD_ZONES = ("Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "Europe/Berlin")
TODAY = dt.date(2026, 9, 1)

# --------------------------------------------------------------------------- brute force


def _minutes(t: dt.time) -> int:
    return 1440 if t >= dt.time(23, 59) else t.hour * 60 + t.minute


@cache
def noon_offset(zone: str, day: dt.date) -> int:
    """A zone's UTC offset on a date, in minutes, at local noon."""
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def free_minutes(p: Participant, config: ProgramConfig, offset: int) -> np.ndarray:
    """A person's week as UTC minutes (Monday 00:00 UTC first), clipped to the program's
    hours; no availability means Monday to Friday within those hours."""
    day_start, day_end = _minutes(config.meetings.day_start), _minutes(config.meetings.day_end)
    windows = p.availability or tuple(Window(day=d, start=day_start, end=day_end) for d in range(5))
    week = np.zeros(WEEK, dtype=bool)
    for w in windows:
        start, end = max(w.start, day_start), min(w.end, day_end)
        if end > start:
            first = w.day * 1440 + start - offset
            week[np.arange(first, first + end - start) % WEEK] = True
    return week


def session_minutes(shared: np.ndarray, duration: int) -> int:
    """Whole sessions' minutes in the shared stretches of a (round) week."""
    if shared.all():
        return WEEK // duration * duration
    turned = np.roll(shared, -int(np.argmin(shared)))  # begin on a minute nobody shares
    edges = np.diff(np.concatenate([[0], turned.astype(np.int8), [0]]))
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return int((lengths // duration * duration).sum())


def program_days(config: ProgramConfig) -> list[dt.date]:
    start, end = config.program.start, config.program.end
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


def minutes_by_date(a: Participant, b: Participant, config: ProgramConfig) -> dict[dt.date, int]:
    """For every date of the program, the whole-session minutes a and b share that week
    (dates with the same two offsets give the same week, so it is laid out once)."""
    zone_a = a.timezone or config.program.timezone
    zone_b = b.timezone or config.program.timezone
    duration = config.meetings.duration_minutes
    weeks: dict[tuple[int, int], int] = {}
    out = {}
    for day in program_days(config):
        key = (noon_offset(zone_a, day), noon_offset(zone_b, day))
        if key not in weeks:
            shared = free_minutes(a, config, key[0]) & free_minutes(b, config, key[1])
            weeks[key] = session_minutes(shared, duration)
        out[day] = weeks[key]
    return out


def worst_minutes(a: Participant, b: Participant, config: ProgramConfig) -> int:
    """The least whole-session minutes a and b share on any date of the program."""
    return min(minutes_by_date(a, b, config).values())


# --------------------------------------------------------------------------- helpers


def season(
    min_hours: float | None = None, duration: int = 60, day: tuple[str, str] = ("06:00", "20:00")
) -> ProgramConfig:
    """October to April: Sydney's clocks go forward on 4 Oct 2026 and back on 5 Apr
    2027; Dublin's go back on 25 Oct and forward on 28 Mar; New York's back on 1 Nov
    and forward on 14 Mar; São Paulo and Kolkata keep theirs."""
    rules = Rules(
        shared_hours=SharedHoursRule(mode="off")
        if min_hours is None
        else SharedHoursRule(mode="hard", min_hours=min_hours)
    )
    config = make_config(
        Matching(rules=rules, weights=Weights(hours=1.0)),
        start=dt.date(2026, 10, 1),
        end=dt.date(2027, 4, 30),
        timezone=DUBLIN,
    )
    meetings = Meetings.model_validate(
        {"duration_minutes": duration, "day_start": day[0], "day_end": day[1]}
    )
    return config.model_copy(update={"meetings": meetings})


def hours_of(mentee: Participant, mentor: Participant, config: ProgramConfig) -> float:
    """What the engine measures for one pair, as a grid and as a list of pairs (the two
    must agree)."""
    problem = MatchingProblem.build(config, [mentee, mentor])
    grid = float(shared_hours(problem.features, Block(np.array([0]), np.array([0])))[0, 0])
    pair = float(shared_hours(problem.features, Block.pairs([0], [0]))[0])
    assert grid == pair
    return grid


def mentee(zone: str, *windows: Window, pid: str = "E1") -> Participant:
    return person(pid, "mentee", level=8, timezone=zone, availability=windows)


def mentor(zone: str, *windows: Window, pid: str = "R1") -> Participant:
    return person(pid, "mentor", level=1, timezone=zone, availability=windows)


def hour_reasons(reasons: tuple[str, ...]) -> list[str]:
    return [r for r in reasons if "h/week of shared working hours" in r]


# --------------------------------------------------------------------------- examples


def test_sydney_dublin_hours_that_vanish_when_the_clocks_change() -> None:
    # Sydney Mon 16:00-18:00 and Dublin Mon 07:00-09:00, in UTC:
    #   1-3 Oct   (Sydney +10, Dublin +1): 06-08 and 06-08, two hours
    #   4-24 Oct  (Sydney +11, Dublin +1): 05-07 and 06-08, one hour
    #   25 Oct-27 Mar (+11, +0):           05-07 and 07-09, none
    syd = mentee(SYDNEY, window(0, "16:00", "18:00"))
    dub = mentor(DUBLIN, window(0, "07:00", "09:00"))
    config = season()
    by_date = minutes_by_date(syd, dub, config)
    assert by_date[dt.date(2026, 10, 1)] == 120  # the first week: what was reported before
    assert by_date[dt.date(2026, 10, 10)] == 60
    assert by_date[dt.date(2027, 1, 11)] == 0
    assert hours_of(syd, dub, config) == 0.0

    (pair,) = match(config, [syd, dub], PairingState(), today=TODAY).pairs
    assert pair.breakdown["hours"] == 0.0
    assert hour_reasons(pair.reasons) == []

    hard = match(season(min_hours=1), [syd, dub], PairingState(), today=TODAY)
    assert hard.pairs == []
    (why,) = [u for u in hard.unmatched if u.id == "E1"]
    assert why.reason == "0 eligible mentors: 1 excluded by shared hours"


def test_a_partner_whose_hours_hold_all_season_is_chosen_under_the_hard_rule() -> None:
    syd = mentee(SYDNEY, window(0, "16:00", "18:00"))
    vanishing = mentor(DUBLIN, window(0, "07:00", "09:00"), pid="R1")
    # Kolkata Mon 10:30-12:30 is 05:00-07:00 UTC all year; Sydney's 16:00-18:00 is
    # 05:00-07:00 UTC in summer and 06:00-08:00 in winter: one hour at worst.
    steady = mentor(KOLKATA, window(0, "10:30", "12:30"), pid="R2")
    assert hours_of(syd, steady, season()) == 1.0
    result = match(season(min_hours=1), [syd, vanishing, steady], PairingState(), today=TODAY)
    assert [(p.mentee, p.mentor) for p in result.pairs] == [("E1", "R2")]
    assert hour_reasons(result.pairs[0].reasons) == ["1 h/week of shared working hours"]


def test_kolkata_dublin_reports_the_smaller_winter_figure() -> None:
    # Kolkata Mon 12:30-16:30 is 07:00-11:00 UTC; Dublin Mon 08:00-12:00 is 07:00-11:00
    # UTC in summer time (4 h together) and 08:00-12:00 in winter (3 h).
    kol = mentee(KOLKATA, window(0, "12:30", "16:30"))
    dub = mentor(DUBLIN, window(0, "08:00", "12:00"))
    config = season()
    by_date = minutes_by_date(kol, dub, config)
    assert by_date[dt.date(2026, 10, 1)] == 240
    assert by_date[dt.date(2026, 12, 1)] == 180
    assert hours_of(kol, dub, config) == 3.0
    (pair,) = match(config, [kol, dub], PairingState(), today=TODAY).pairs
    assert hour_reasons(pair.reasons) == ["3 h/week of shared working hours"]
    assert pair.breakdown["hours"] == 0.75  # 3 of the 4 hours that score full marks
    # A hard rule asking for 3.5 h is broken by the winter, though October had 4 h.
    assert match(season(min_hours=3.5), [kol, dub], PairingState(), today=TODAY).pairs == []
    assert match(season(min_hours=3), [kol, dub], PairingState(), today=TODAY).pairs


def test_new_york_and_sao_paulo_lose_the_hour_when_new_york_falls_back() -> None:
    # São Paulo -3 all year; New York -4 until 1 Nov and from 14 Mar, -5 between.
    # São Paulo Tue 14:00-17:00 is 17:00-20:00 UTC; New York Tue 12:00-15:00 is
    # 16:00-19:00 UTC in summer time (2 h) and 17:00-20:00 in winter (3 h): the worst
    # week is in October.
    sao = mentee(SAO_PAULO, window(1, "14:00", "17:00"))
    ny = mentor(NEW_YORK, window(1, "12:00", "15:00"))
    assert hours_of(sao, ny, season()) == 2.0


def test_a_stretch_shorter_than_a_session_counts_nothing() -> None:
    # Kolkata 12:30-13:15 against Dublin 08:00-08:45 (winter: 07:00-07:45 and
    # 08:00-08:45 UTC, no overlap; summer: the same 45 minutes).
    kol = mentee(KOLKATA, window(0, "12:30", "13:15"), window(2, "12:30", "13:15"))
    dub = mentor(DUBLIN, window(0, "07:00", "09:00"), window(2, "07:00", "09:00"))
    summer = dt.date(2026, 10, 1)
    assert minutes_by_date(kol, dub, season(duration=45))[summer] == 90  # two 45-min sessions
    assert hours_of(kol, dub, season(duration=45)) == 1.5
    assert minutes_by_date(kol, dub, season(duration=60))[summer] == 0
    assert hours_of(kol, dub, season(duration=60)) == 0.0
    (pair,) = match(season(duration=60), [kol, dub], PairingState(), today=TODAY).pairs
    assert hour_reasons(pair.reasons) == []


def test_each_stretch_counts_whole_sessions_only() -> None:
    # Same zone, no clock difference: Mon 09:00-10:40 shared (100 min), Wed 09:00-11:00
    # (120 min). Sessions of 60 min: 1 + 2; of 45 min: 2 + 2; of 50: 2 + 2.
    a = mentee(DUBLIN, window(0, "09:00", "10:40"), window(2, "09:00", "11:00"))
    b = mentor(DUBLIN, window(0, "08:00", "12:00"), window(2, "09:00", "11:00"))
    assert hours_of(a, b, season(duration=60)) == 3.0
    assert hours_of(a, b, season(duration=45)) == 3.0
    assert worst_minutes(a, b, season(duration=50)) == 200
    # 50-minute sessions: stretches are measured in whole quarter hours (100 min holds
    # 90 min of quarters, one session; 120 min holds two): 150 minutes, at most the 200.
    assert round(hours_of(a, b, season(duration=50)) * 60) == 150
    (pair,) = match(season(duration=45), [a, b], PairingState(), today=TODAY).pairs
    assert hour_reasons(pair.reasons) == ["3 h/week of shared working hours"]


def test_a_stretch_across_the_end_of_the_week_is_one_stretch() -> None:
    # January only (Sydney +11, New York -5). Sydney Monday 06:00-12:00 is Sunday
    # 19:00 to Monday 01:00 UTC, and so is New York's Sunday 14:00-20:00: one stretch
    # of 6 h across the week's end (Monday 00:00 UTC), four 90-minute sessions. Cut at
    # the week's end it would be 5 h and 1 h: three sessions.
    syd = mentee(SYDNEY, window(0, "06:00", "12:00"))
    ny = mentor(NEW_YORK, window(6, "14:00", "20:00"))
    config = season(duration=90, day=("00:00", "24:00"))
    january = config.program.model_copy(
        update={"start": dt.date(2027, 1, 4), "end": dt.date(2027, 1, 29)}
    )
    config = config.model_copy(update={"program": january})
    assert worst_minutes(syd, ny, config) == 360
    assert hours_of(syd, ny, config) == 6.0


def test_people_without_availability_are_free_monday_to_friday_in_the_day_hours() -> None:
    # No windows: Mon-Fri 09:00-17:00 in their own zones. Dublin and Kolkata share
    # 09:00-11:30 UTC in winter (2.5 h a day, two whole hours) and 08:00-11:30 in
    # summer: 5 days x 2 h at worst.
    kol = person("E1", "mentee", level=8, timezone=KOLKATA)
    dub = person("R1", "mentor", level=1, timezone=DUBLIN)
    config = season(day=("09:00", "17:00"))
    assert hours_of(kol, dub, config) == 10.0 == worst_minutes(kol, dub, config) / 60
    # Without availability on one side the hard rule cannot object.
    short = match(
        season(min_hours=40, day=("09:00", "17:00")), [kol, dub], PairingState(), today=TODAY
    )
    assert short.pairs


# --------------------------------------------------------------------------- property


quarter = st.integers(0, 96).map(lambda q: q * 15)
minute = st.integers(0, 1440)


@st.composite
def windows(draw: st.DrawFn, times: st.SearchStrategy[int]) -> tuple[Window, ...]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = sorted(draw(st.tuples(times, times)))
        if b > a:
            out.append(Window(day=draw(st.integers(0, 6)), start=a, end=b))
    merged: list[Window] = []  # as the roster reader gives them: sorted, merged per day
    for w in sorted(out, key=lambda w: (w.day, w.start)):
        if merged and merged[-1].day == w.day and w.start <= merged[-1].end:
            merged[-1] = Window(day=w.day, start=merged[-1].start, end=max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return tuple(merged)


@st.composite
def seasons(draw: st.DrawFn, on_the_quarter: bool) -> tuple[ProgramConfig, list[Participant]]:
    times = quarter if on_the_quarter else minute
    start = draw(st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 420)))
    day_start, day_end = sorted(draw(st.tuples(times, times)))
    day_end = min(1440, max(day_end, day_start + 15))
    day_start = min(day_start, day_end - 15)
    clock = [
        dt.time(m // 60, m % 60) if m < 1439 else dt.time(23, 59) for m in (day_start, day_end)
    ]
    zones = st.sampled_from(SEASON_ZONES + ODD_ZONES)
    config = make_config(start=start, end=end, timezone=draw(zones))
    meetings = Meetings(
        duration_minutes=draw(st.sampled_from([15, 30, 45, 50, 60, 90, 120])),
        day_start=clock[0],
        day_end=clock[1],
    )
    config = config.model_copy(update={"meetings": meetings})
    people = [
        person(
            f"{'E' if role == 'mentee' else 'R'}{k}",
            role,
            level=8 if role == "mentee" else 1,
            timezone=draw(st.one_of(st.none(), zones)),
            availability=draw(windows(times)),
        )
        for role in ("mentee", "mentor")
        for k in range(draw(st.integers(1, 3)))
    ]
    return config, people


def _engine_minutes(config: ProgramConfig, people: list[Participant]) -> tuple[np.ndarray, ...]:
    problem = MatchingProblem.build(config, people)
    n, m = len(problem.features.mentees), len(problem.features.mentors)
    grid = shared_hours(problem.features, Block(np.arange(n), np.arange(m))) * 60
    rows, cols = np.divmod(np.arange(n * m), m)
    pairs = shared_hours(problem.features, Block.pairs(rows, cols)) * 60
    return problem.features.mentees.people, problem.features.mentors.people, grid, pairs


PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(seasons(on_the_quarter=False))
def test_never_more_than_any_single_date_shares(
    case: tuple[ProgramConfig, list[Participant]],
) -> None:
    config, people = case
    mentees, mentors, grid, pairs = _engine_minutes(config, people)
    assert np.array_equal(grid.ravel(), pairs)
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            by_date = minutes_by_date(a, b, config)
            assert round(float(grid[i, j])) <= min(by_date.values()), (a, b, by_date)


@PROPERTY
@given(seasons(on_the_quarter=True))
def test_on_the_quarter_hour_it_is_exactly_the_worst_date(
    case: tuple[ProgramConfig, list[Participant]],
) -> None:
    # Windows, day hours and every zone's offsets on whole quarter hours: nothing is
    # rounded away, so the figure is the brute force's least, not just below it.
    config, people = case
    mentees, mentors, grid, pairs = _engine_minutes(config, people)
    assert np.array_equal(grid.ravel(), pairs)
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            assert round(float(grid[i, j])) == worst_minutes(a, b, config)
