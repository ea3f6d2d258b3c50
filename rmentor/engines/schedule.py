"""Planning meetings: one recurring slot per pair, a series of sessions, holidays.

Pure: from the program, the pairs, the previous schedule, the logged meetings and
`today` to a new `Schedule`. What already happened (on or before `today`) and what
was logged never moves; only the future is planned again.

Rules, as a coordinator reads them:
- A pair's slot is a weekday and a start time in the mentor's time zone. It lies
  inside both people's availability (each read in their own zone, on every session
  date, so daylight-saving changes are checked), inside `day_start`-`day_end` in
  each person's local time, and never overlaps another pair of the same mentor.
  People without availability are free Monday to Friday within the day hours.
- Among the slots that fit, midweek days come first (fewer public holidays fall on
  them), days the mentor has no other session on before days they have, then the
  earliest time.
- Where no one slot fits every date (the two clocks change on different dates, so the
  common hours move for a few weeks), the season is cut into daylight-saving periods:
  maximal runs of days on which the gap between the two clocks is constant. Each
  period gets its own slot by the same rules, on the one weekday that places the most
  dates (any other weekday with as many dates in the period where that one has no
  time); neighbouring periods with the same slot are merged, and the mentor's time is
  booked for every period's slot.
- A session is never outside either person's hours: the dates of a period with no
  common time get no session and are skipped with `NO_COMMON_TIME` (the `fallback`
  slot of such a period is a placeholder; `schedule` reports the pair).
- Sessions run to the program's end at the cadence: weekly, every other week, or
  monthly (the first slot weekday of each month). They start after the last training
  milestone either person attends (`first_session: after_training`, the default), or
  from the program start, or the kickoff if later (`first_session: start`).
- A session never overlaps a milestone either person attends (audience everyone, or
  their role's; coordinator events block nobody); an all-day milestone blocks its
  day. Such a date, a blackout day, or a public holiday for either person (their
  office's calendar, else the program's) is skipped, or with `on_holiday:
  next_free_day` moved to the next free weekday that week at the same time.
- Themes are placed over each pair's whole series: a curriculum item anchored `at:
  first | midpoint | last | <n>` lands there; the others spread evenly, in order,
  over the remaining sessions, and the sessions left over are open sessions. A
  session's topic (review and closing sessions have none) is the theme's own when the
  pair shares it, else the pair's shared topics in turn (else the mentee's interests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from zoneinfo import ZoneInfo

from ..model.config import CurriculumItem, Milestone, ProgramConfig, minutes_of_day
from ..model.pairings import Pairing
from ..model.people import Participant
from ..model.sessions import NO_COMMON_TIME, PairPlan, Schedule, Session, Skip, Slot
from ..model.vocabulary import OPEN_SESSION, SessionKind

STEP_MINUTES = 15  # granularity of candidate start times
DAY_ORDER = (1, 2, 3, 0, 4, 5, 6)  # Tue, Wed, Thu, Mon, Fri, then the weekend
TRAININGS = frozenset({"mentor_training", "mentee_training"})

Windows = dict[int, list[tuple[int, int]]]  # weekday -> [(start, end) minutes], local
Periods = tuple[tuple[dt.date, Slot], ...]  # each period's first day and its slot


def _windows(person: Participant, config: ProgramConfig) -> Windows:
    """A person's weekly free time in their own zone, clipped to the program's hours."""
    lo, hi = minutes_of_day(config.meetings.day_start), minutes_of_day(config.meetings.day_end)
    given = [(w.day, w.start, w.end) for w in person.availability] or [
        (d, lo, hi) for d in range(5)
    ]
    out: Windows = {}
    for day, start, end in given:
        start, end = max(start, lo), min(end, hi)
        if end > start:
            out.setdefault(day, []).append((start, end))
    return out


def _inside(windows: Windows, day: int, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in windows.get(day, ()))


@cache
def _offset_minutes(zone: str, day: dt.date) -> int:
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


@cache
def _steady(zone: str, day: dt.date) -> bool:
    """Is the zone's offset the same from two days before `day` to two days after? (Then
    any instant of `day` in a zone at most a day and a half away has the noon offset.)"""
    offset = _offset_minutes(zone, day)
    return all(_offset_minutes(zone, day + dt.timedelta(days=k)) == offset for k in (-2, -1, 1, 2))


@cache
def _steady_gap(zone: str, other: str, day: dt.date) -> int | None:
    """The gap between the two clocks all through `day`, or None near a change."""
    if _steady(zone, day) and _steady(other, day):
        return _offset_minutes(other, day) - _offset_minutes(zone, day)
    return None


def _shift(zone: str, other: str, day: dt.date, minute: int) -> int:
    """Minutes to add to `zone`'s local time `minute` on `day` to read `other`'s clock."""
    gap = _steady_gap(zone, other, day)
    if gap is not None:
        return gap
    when = dt.datetime.combine(day, _time(minute), tzinfo=ZoneInfo(zone))
    there = when.astimezone(ZoneInfo(other)).utcoffset()
    here = when.utcoffset()
    assert there is not None
    assert here is not None
    return int((there - here).total_seconds() // 60)


@cache
def _clock_periods(
    zone: str, other: str, first: dt.date, last: dt.date
) -> tuple[tuple[dt.date, dt.date], ...]:
    """The days from `first` to `last` cut into maximal runs (first day, last day) on
    which the gap between the two clocks (at noon) is the same."""
    runs: list[tuple[dt.date, dt.date]] = []
    gap = None
    day = first
    while day <= last:
        now = _offset_minutes(other, day) - _offset_minutes(zone, day)
        if now != gap or not runs:
            runs.append((day, day))
            gap = now
        else:
            runs[-1] = (runs[-1][0], day)
        day += dt.timedelta(days=1)
    return tuple(runs)


@cache
def _holiday_calendar(
    country: str, subdivision: str | None, years: tuple[int, ...]
) -> Mapping[dt.date, str]:
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        return {}  # validate reports unknown countries and subdivisions
    if subdivision is not None:
        known = {s.upper(): s for s in supported[country]}
        if subdivision.upper() not in known:
            return {}
        subdivision = known[subdivision.upper()]
    return dict(holidays.country_holidays(country, subdiv=subdivision, years=years))


@dataclass(frozen=True)
class _Person:
    participant: Participant
    zone: str
    windows: Windows
    holidays: Mapping[dt.date, str]


def _person(p: Participant, config: ProgramConfig, years: tuple[int, ...]) -> _Person:
    office = config.program.offices.get(p.location or "")
    country = subdivision = None
    if office is not None and office.country:
        country, subdivision = office.country, office.subdivision
    elif p.extra.get("country"):
        country = p.extra["country"]
    elif config.program.holidays is not None:
        country, subdivision = config.program.holidays.country, config.program.holidays.subdivision
    calendar = _holiday_calendar(country.upper(), subdivision, years) if country else {}
    zone = p.timezone or config.program.timezone
    return _Person(p, zone, _windows(p, config), calendar)


def attends(milestone: Milestone, role: str) -> bool:
    """Is a person of `role` in a milestone's audience? (Coordinator events: nobody.)"""
    return milestone.audience == "everyone" or milestone.audience == f"{role}s"


def milestone_span(config: ProgramConfig, milestone: Milestone) -> tuple[dt.datetime, dt.datetime]:
    """When a milestone runs, as aware datetimes in the program's zone: from its time for
    its duration (an hour when none is given, as its calendar event), or its whole day."""
    zone = ZoneInfo(config.program.timezone)
    if milestone.time is None:
        start = dt.datetime.combine(milestone.date, dt.time(0), tzinfo=zone)
        return start, dt.datetime.combine(
            milestone.date + dt.timedelta(days=1), dt.time(0), tzinfo=zone
        )
    start = dt.datetime.combine(milestone.date, milestone.time, tzinfo=zone)
    minutes = milestone.duration_minutes or 60
    return start, start + dt.timedelta(minutes=minutes)


def first_day(config: ProgramConfig, roles: Iterable[str] = ("mentor", "mentee")) -> dt.date:
    """The first day a pair of these roles may meet (see `meetings.first_session`)."""
    info, meetings = config.program, config.meetings
    first = info.start
    kickoff = [m.date for m in meetings.milestones if m.kind == "kickoff"]
    if kickoff and kickoff[0] > first:
        first = kickoff[0]
    if meetings.first_session == "after_training":
        trainings = [
            m.date
            for m in meetings.milestones
            if m.kind in TRAININGS and any(attends(m, role) for role in roles)
        ]
        if trainings and max(trainings) >= first:
            first = max(trainings) + dt.timedelta(days=1)
    return first


def series_dates(
    config: ProgramConfig, weekday: int, first: dt.date | None = None
) -> list[dt.date]:
    """The regular dates of a series on `weekday`, from the first session day to the end."""
    info, meetings = config.program, config.meetings
    if first is None:
        first = first_day(config)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    dates: list[dt.date] = []
    if meetings.cadence == "monthly":
        month = dt.date(first.year, first.month, 1)
        while month <= info.end:
            candidate = month + dt.timedelta(days=(weekday - month.weekday()) % 7)
            if first <= candidate <= info.end:
                dates.append(candidate)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return dates
    step = 14 if meetings.cadence == "biweekly" else 7
    while day <= info.end:
        dates.append(day)
        day += dt.timedelta(days=step)
    return dates


@dataclass
class _Planner:
    config: ProgramConfig
    people: Mapping[str, _Person]
    busy: dict[str, list[tuple[int, int, int]]]  # mentor -> (weekday, start, end), local
    moved: set[tuple[str, dt.date, int]] = field(default_factory=set)  # taken by moved ones
    first: dt.date | None = None  # the pair being planned: its first possible day
    # Milestones that block time: (start, end, audience's roles, name)
    blocks: list[tuple[dt.datetime, dt.datetime, frozenset[str], str]] = field(default_factory=list)

    def fits(self, mentor: _Person, mentee: _Person, day: dt.date, start: int, end: int) -> bool:
        """Does [start, end) on `day` (mentor's local) suit both people on that date?"""
        if not _inside(mentor.windows, day.weekday(), start, end):
            return False
        local_start = start + _shift(mentor.zone, mentee.zone, day, start)
        their_day = (day.weekday() + local_start // 1440) % 7
        their_start = local_start % 1440
        their_end = their_start + (end - start)
        return their_end <= 1440 and _inside(mentee.windows, their_day, their_start, their_end)

    def free(self, mentor_id: str, weekday: int, start: int, end: int) -> bool:
        return all(
            d != weekday or end <= a or b <= start for d, a, b in self.busy.get(mentor_id, ())
        )

    def periods_fit(self, mentor: _Person, mentee: _Person, periods: Periods) -> bool:
        """Does every period's slot still suit both people on each of its dates, and is
        the mentor free then? (A period with no common time never does.)"""
        duration = self.config.meetings.duration_minutes
        for slot, dates in self.period_dates(periods):
            start = minutes_of_day(slot.start)
            if (
                slot.fallback
                or slot.zone != mentor.zone
                or not self.free(mentor.participant.id, slot.weekday, start, start + duration)
                or not all(self.fits(mentor, mentee, d, start, start + duration) for d in dates)
            ):
                return False
        return True

    def period_dates(self, periods: Periods) -> list[tuple[Slot, list[dt.date]]]:
        """Each period's slot and its series dates (the first period from the first day)."""
        out = []
        for k, (_, slot) in enumerate(periods):
            dates = series_dates(self.config, slot.weekday, self.first)
            if k > 0:
                dates = [d for d in dates if d >= periods[k][0]]
            if k + 1 < len(periods):
                dates = [d for d in dates if d < periods[k + 1][0]]
            out.append((slot, dates))
        return out

    def days(self, mentor: _Person) -> list[int]:
        """Weekdays in the order they are tried: days without another of the mentor's
        pairs first, midweek first."""
        used = {d for d, _, _ in self.busy.get(mentor.participant.id, ())}
        return sorted(DAY_ORDER, key=lambda d: (d in used, DAY_ORDER.index(d)))

    def first_start(
        self, mentor: _Person, mentee: _Person, weekday: int, dates: Sequence[dt.date]
    ) -> int | None:
        """The earliest start on `weekday` that suits both on every one of `dates`."""
        duration = self.config.meetings.duration_minutes
        for a, b in mentor.windows.get(weekday, ()):
            for start in range(a + (-a) % STEP_MINUTES, b - duration + 1, STEP_MINUTES):
                if self.free(mentor.participant.id, weekday, start, start + duration) and all(
                    self.fits(mentor, mentee, d, start, start + duration) for d in dates
                ):
                    return start
        return None

    def find_slots(self, mentor: _Person, mentee: _Person) -> tuple[Slot, Periods]:
        """The pair's slot, and its periods when no one slot suits every date."""
        zone = mentor.zone
        days = self.days(mentor)
        dates = {d: series_dates(self.config, d, self.first) for d in days}
        for weekday in days:
            if dates[weekday] and weekday in mentor.windows:
                start = self.first_start(mentor, mentee, weekday, dates[weekday])
                if start is not None:
                    return Slot(weekday, _time(start), zone), ()
        assert self.first is not None
        runs = _clock_periods(zone, mentee.zone, self.first, self.config.program.end)
        if not runs or not any(dates.values()):
            return self.placeholder(mentor, days[0]), ()

        def within(weekday: int, run: tuple[dt.date, dt.date]) -> list[dt.date]:
            return [d for d in dates[weekday] if run[0] <= d <= run[1]]

        # The weekday that places the most dates, each period at its earliest start.
        main = next(d for d in days if dates[d])
        starts: list[int | None] = [None for _ in runs]
        most = -1
        for weekday in days:
            if not dates[weekday] or weekday not in mentor.windows:
                continue
            found = [self.first_start(mentor, mentee, weekday, within(weekday, r)) for r in runs]
            placed = sum(
                len(within(weekday, r)) for r, t in zip(runs, found, strict=True) if t is not None
            )
            if placed > most:
                main, starts, most = weekday, found, placed
        chosen: list[Slot | None] = []
        for run, start in zip(runs, starts, strict=True):
            here = within(main, run)
            if not here:
                chosen.append(None)  # no date in this period: a neighbour's slot, below
            elif start is not None:
                chosen.append(Slot(main, _time(start), zone))
            else:  # another weekday with as many dates here, else no common time
                others = [(d, within(d, run)) for d in days if d != main]
                chosen.append(
                    next(
                        (
                            Slot(d, _time(t), zone)
                            for d, there in others
                            if len(there) == len(here)
                            and (t := self.first_start(mentor, mentee, d, there)) is not None
                        ),
                        self.placeholder(mentor, main),
                    )
                )
        # A period with no date on `main` takes a neighbour's slot on `main` (so it holds
        # no date there either), else any time on `main`: nothing to check.
        for k, start in enumerate(starts):
            if chosen[k] is None:
                near = [chosen[k - 1] if k else None, *chosen[k + 1 :]]
                chosen[k] = next(
                    (s for s in near if s is not None and s.weekday == main),
                    self.placeholder(mentor, main)
                    if start is None
                    else Slot(main, _time(start), zone),
                )
        periods: list[tuple[dt.date, Slot]] = []
        for run, slot in zip(runs, chosen, strict=True):
            assert slot is not None
            if not periods or periods[-1][1] != slot:
                periods.append((run[0], slot))
        regular = next((s for _, s in periods if not s.fallback), periods[0][1])
        return regular, tuple(periods) if len(periods) > 1 else ()

    def placeholder(self, mentor: _Person, weekday: int) -> Slot:
        """Where no time suits both: the mentor's first hours that weekday (else
        day_start), marked `fallback`. Nobody meets at it and it books nothing."""
        hours = mentor.windows.get(weekday)
        if hours:
            start = hours[0][0] + (-hours[0][0]) % STEP_MINUTES
            if start + self.config.meetings.duration_minutes <= hours[0][1]:
                return Slot(weekday, _time(start), mentor.zone, fallback=True)
        return Slot(weekday, self.config.meetings.day_start, mentor.zone, fallback=True)

    def book(self, mentor_id: str, slots: Iterable[Slot]) -> None:
        """The mentor's time at every slot with a common time (every period's)."""
        for slot in slots:
            start = minutes_of_day(slot.start)
            taken = (slot.weekday, start, start + self.config.meetings.duration_minutes)
            if not slot.fallback and taken not in self.busy.get(mentor_id, ()):
                self.busy.setdefault(mentor_id, []).append(taken)

    def off(self, mentor: _Person, mentee: _Person, start: dt.datetime) -> str | None:
        """Why no session can be held at `start` (a milestone, a blackout, a holiday)."""
        end = start + dt.timedelta(minutes=self.config.meetings.duration_minutes)
        for a, b, roles, name in self.blocks:
            if a < end and start < b and roles & {"mentor", "mentee"}:
                return name
        for span in self.config.program.blackout:
            if span.start <= start.date() <= span.end:
                return f"blackout{f' ({span.name})' if span.name else ''}"
        for person in (mentor, mentee):
            local = start.astimezone(ZoneInfo(person.zone)).date()
            if local in person.holidays:
                return f"{person.holidays[local]} ({person.participant.id})"
        return None

    def dated_sessions(
        self, pair: str, mentor: _Person, mentee: _Person, periods: Periods
    ) -> tuple[list[tuple[dt.datetime, dt.date | None]], list[Skip]]:
        """Start times of the whole series (with the date each was moved from), and skips.
        Each date takes its period's slot; a period with no common time has no session."""
        duration = self.config.meetings.duration_minutes
        series = [(day, slot) for slot, dates in self.period_dates(periods) for day in dates]
        starts: list[tuple[dt.datetime, dt.date | None]] = []
        skipped: list[Skip] = []
        for k, (day, slot) in enumerate(series):
            if slot.fallback:
                skipped.append(Skip(pair, day, NO_COMMON_TIME))
                continue
            zone = ZoneInfo(slot.zone)
            start_min = minutes_of_day(slot.start)
            when = dt.datetime.combine(day, slot.start, tzinfo=zone)
            reason = self.off(mentor, mentee, when)
            if reason is None:
                starts.append((when, None))
                continue
            moved = None
            if self.config.meetings.on_holiday == "next_free_day":
                limit = series[k + 1][0] if k + 1 < len(series) else self.config.program.end
                for extra in range(1, 7):
                    other = day + dt.timedelta(days=extra)
                    if other >= limit or other > self.config.program.end or other.weekday() > 4:
                        break
                    candidate = dt.datetime.combine(other, slot.start, tzinfo=zone)
                    if (
                        self.off(mentor, mentee, candidate) is None
                        and self.free(
                            mentor.participant.id, other.weekday(), start_min, start_min + duration
                        )
                        and (mentor.participant.id, other, start_min) not in self.moved
                        and self.fits(mentor, mentee, other, start_min, start_min + duration)
                    ):
                        moved = candidate
                        break
            if moved is not None:
                starts.append((moved, day))
                # Another pair of this mentor moved to the same day must not land here.
                for minute in range(start_min - duration + 1, start_min + duration):
                    self.moved.add((mentor.participant.id, moved.date(), minute))
            else:
                skipped.append(Skip(pair, day, reason))
        return starts, skipped


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def _topics(mentor: Participant, mentee: Participant) -> tuple[str, ...]:
    shared = tuple(t for t in mentee.interests if t in mentor.skills)
    return shared or mentee.interests or mentor.skills


def place_curriculum(
    curriculum: Sequence[CurriculumItem], sessions: int
) -> list[CurriculumItem | None]:
    """The theme of each of a pair's `sessions` (None: an open session).

    Anchored items go where they say (`first`, `midpoint`: the middle session, rounded
    down, `last`, or a number); an anchor that falls outside the series, or on a session
    already taken, leaves its item unanchored. Unanchored items keep their order and
    spread evenly over the sessions left; with more items than sessions, the last are
    dropped.
    """
    placed: list[CurriculumItem | None] = [None] * sessions
    loose: list[CurriculumItem] = []
    where = {"first": 1, "midpoint": (sessions + 1) // 2, "last": sessions}
    for item in curriculum:
        number = where.get(item.at, 0) if isinstance(item.at, str) else item.at
        if number and 1 <= number <= sessions and placed[number - 1] is None:
            placed[number - 1] = item
        else:
            loose.append(item)
    free = [k for k in range(sessions) if placed[k] is None]
    if loose and free:
        for j, item in enumerate(loose[: len(free)]):
            placed[free[j * len(free) // min(len(loose), len(free))]] = item
    return placed


def _agenda(
    item: CurriculumItem | None, number: int, topics: tuple[str, ...]
) -> tuple[str, SessionKind, tuple[str, ...]]:
    """A session's theme, kind and topic: the theme's own topic when the pair shares it.
    Review and closing sessions are about the pair's goals, not a topic."""
    kind: SessionKind = item.session_kind if item is not None else "teaching"
    theme = item.title if item is not None else OPEN_SESSION
    if kind not in ("intro", "teaching", "reverse") or not topics:
        return theme, kind, ()
    fitting = [t for t in topics if item is not None and t in item.topics]
    return theme, kind, ((fitting or [topics[(number - 1) % len(topics)]])[0],)


def plan_schedule(
    config: ProgramConfig,
    participants: Iterable[Participant],
    pairs: Sequence[Pairing],
    previous: Schedule,
    logged: Iterable[tuple[str, dt.date]],
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
) -> Schedule:
    """The new schedule: the past and the logged kept, the future planned again.
    `progress(step, done, total)` hears of each pair planned."""
    years = tuple(range(config.program.start.year, config.program.end.year + 1))
    people = {p.id: _person(p, config, years) for p in participants}
    done = set(logged)
    # Every pair has a mentor and a mentee, so every series starts on the same day.
    first = first_day(config)
    planner = _Planner(config, people, {}, first=first)
    blocks = [
        (
            *milestone_span(config, m),
            frozenset(r for r in ("mentor", "mentee") if attends(m, r)),
            m.name,
        )
        for m in config.meetings.milestones
    ]
    active = [p for p in pairs if p.active and p.mentor in people and p.mentee in people]
    before = {plan.pair: plan for plan in previous.plans}
    plans: list[PairPlan] = []
    skipped: list[Skip] = []

    # Pairs planned before keep their slot where it still fits; then the new pairs.
    order = sorted(active, key=lambda p: (p.id not in before, p.mentor, p.mentee))
    slots: dict[str, tuple[Slot, Periods]] = {}
    for planned, pair in enumerate(order):  # first every slot: moved sessions see them all
        if progress is not None:
            progress("finding each pair's slot", planned, len(order))
        mentor, mentee = people[pair.mentor], people[pair.mentee]
        old = before.get(pair.id)
        if old is not None and planner.periods_fit(
            mentor, mentee, old.periods or ((first, old.slot),)
        ):
            chosen = (old.slot, old.periods)
        else:
            chosen = planner.find_slots(mentor, mentee)
        planner.book(pair.mentor, (s for _, s in chosen[1] or ((None, chosen[0]),)))
        slots[pair.id] = chosen
    planner.blocks = blocks
    for planned, pair in enumerate(order):
        if progress is not None:
            progress("planning the sessions", planned, len(order))
        mentor, mentee = people[pair.mentor], people[pair.mentee]
        old, (slot, periods) = before.get(pair.id), slots[pair.id]
        starts, skips = planner.dated_sessions(pair.id, mentor, mentee, periods or ((first, slot),))
        skipped += skips
        kept = _kept(old, done, today)
        plans.append(
            PairPlan(
                pair.id,
                pair.mentor,
                pair.mentee,
                slot,
                _future(config, pair, old, kept, starts, mentor, mentee, today),
                periods,
            )
        )
    # Pairs that ended: their past stays, their future is cancelled.
    ongoing = {p.id for p in active}
    for old in previous.plans:
        if old.pair in ongoing:
            continue
        sessions = tuple(
            s
            if s.start.date() <= today
            or (s.pair, s.start.date()) in done
            or s.status == "cancelled"
            else replace(s, status="cancelled", sequence=s.sequence + 1, updated=today)
            for s in old.sessions
        )
        plans.append(replace(old, sessions=sessions))
    return Schedule(
        tuple(sorted(plans, key=lambda p: p.pair)),
        tuple(sorted(skipped, key=lambda s: (s.pair, s.date))),
    )


def _kept(old: PairPlan | None, done: set[tuple[str, dt.date]], today: dt.date) -> list[Session]:
    if old is None:
        return []
    return [s for s in old.sessions if s.start.date() <= today or (s.pair, s.start.date()) in done]


def _future(
    config: ProgramConfig,
    pair: Pairing,
    old: PairPlan | None,
    kept: list[Session],
    starts: list[tuple[dt.datetime, dt.date | None]],
    mentor: _Person,
    mentee: _Person,
    today: dt.date,
) -> tuple[Session, ...]:
    """Kept sessions, then the series after them, numbered on; unchanged ones keep their
    SEQUENCE, moved ones bump it, and old future sessions no longer needed are cancelled."""
    duration = dt.timedelta(minutes=config.meetings.duration_minutes)
    # Logged sessions may lie ahead of `today` (a log filled in advance): they keep
    # their date and number, and the new series fills the dates and numbers around them.
    kept_dates = {s.start.date() for s in kept}
    kept_numbers = {s.number for s in kept}
    number = max((s.number for s in kept if s.start.date() <= today), default=0)
    previous = {s.number: s for s in old.sessions} if old is not None else {}
    topics = _topics(mentor.participant, mentee.participant)
    out = list(kept)
    numbered: list[tuple[int, dt.datetime, dt.date | None]] = []
    for start, moved_from in starts:
        if start.date() <= today or start.date() in kept_dates:
            continue
        number += 1
        while number in kept_numbers:
            number += 1
        numbered.append((number, start, moved_from))
    themes = place_curriculum(config.meetings.curriculum, len(kept) + len(numbered))
    for number, start, moved_from in numbered:
        item = themes[number - 1] if number <= len(themes) else None
        theme, kind, session_topics = _agenda(item, number, topics)
        fresh = Session(
            pair=pair.id,
            number=number,
            start=start,
            end=start + duration,
            theme=theme,
            topics=session_topics,
            kind=kind,
            moved_from=moved_from,
            updated=today,
        )
        prior = previous.get(number)
        if prior is not None and _same(prior, fresh):
            out.append(prior)
        elif prior is not None:
            out.append(replace(fresh, sequence=prior.sequence + 1))
        else:
            out.append(fresh)
    taken = {s.number for s in out}
    for number_, prior in sorted(previous.items()):
        if number_ not in taken and prior.status != "cancelled":
            out.append(
                replace(prior, status="cancelled", sequence=prior.sequence + 1, updated=today)
            )
        elif number_ not in taken:
            out.append(prior)
    return tuple(sorted(out, key=lambda s: s.number))


def _same(a: Session, b: Session) -> bool:
    return (a.start, a.end, a.theme, a.topics, a.kind, a.status, a.moved_from, a.fallback) == (
        b.start,
        b.end,
        b.theme,
        b.topics,
        b.kind,
        b.status,
        b.moved_from,
        b.fallback,
    )
