"""VTIMEZONE components shaped the way Outlook, Google and libical write them.

Why the shape matters: MS-OXCICAL 2.1.3.1.1.19.2 tells an exporter to write exactly
one STANDARD and at most one DAYLIGHT sub-component, and lets a parser refuse more;
Outlook does, and falls back to UTC when a VTIMEZONE holds one dated block per
transition. So where the tz database follows a fixed yearly rule over the range we
write the pair everybody writes: one STANDARD and one DAYLIGHT, each with an
`RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=nXX`. A zone that never changes offset in the
range gets a single STANDARD. Only where no yearly rule describes the range
(Morocco's Ramadan changes, a zone that moved its offset or dropped DST) do we fall
back to one dated block per transition: right offsets matter more than Outlook's
preference.

Every DTSTART is the onset as RFC 5545 §3.6.5 defines it: the local wall time just
before the change, in the TZOFFSETFROM offset. STANDARD or DAYLIGHT is decided by
the UTC offset (the larger of a yearly pair is DAYLIGHT), not by the sign of
`dst()`: the tz database gives Europe/Dublin a negative DST in winter, and Outlook
still writes Irish summer time as DAYLIGHT.

Everything is computed from the installed tz database, without a clock, so the same
call gives the same bytes. `offsets_agree` checks a component against zoneinfo.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# python-dateutil (an icalendar dependency) ships no type hints, and no stubs are installed
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

UTC = dt.UTC
_SECOND = dt.timedelta(seconds=1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # date.weekday() order

__all__ = ["offsets_agree", "vtimezone"]


@dataclass(frozen=True)
class _Change:
    """One transition of a zone: the instant (UTC), the offsets around it and the new name."""

    instant: dt.datetime
    before: dt.timedelta
    after: dt.timedelta
    name: str | None

    @property
    def onset(self) -> dt.datetime:
        """The local wall time just before the change (RFC 5545 §3.6.5), naive."""
        return (self.instant + self.before).replace(tzinfo=None)


@dataclass(frozen=True)
class _Rule:
    """A yearly rule for one direction of change: month, BYDAY ordinal, weekday, wall time."""

    month: int
    ordinal: int  # 1..4, or -1 for "last"
    weekday: int
    time: dt.time


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` from 1 January of `first_year` to the end of `last_year`.

    Outlook-shaped where the tz database allows it: when the zone's changes from
    `first_year - 1` (so that the offset in force on 1 January is known) to
    `last_year` follow one yearly rule each way between the same two offsets, one
    STANDARD and one DAYLIGHT with an RRULE, their DTSTART the first onset; when the
    offset never changes in the range, one STANDARD; otherwise one dated STANDARD or
    DAYLIGHT per change, the first being the last change before the range.

    Raises ValueError when the tz database does not know `tzid`.
    """
    if first_year > last_year:
        raise ValueError(f"first year {first_year} is after last year {last_year}")
    zone = _zone(tzid)
    begin = _new_year(first_year, zone)
    finish = _new_year(last_year + 1, zone)
    component = Timezone()
    component.add("TZID", tzid)
    component.add("X-LIC-LOCATION", tzid)
    # The year before the range is included so that the rule is seen to be in force
    # on 1 January of `first_year`, and the DTSTARTs fall before the range.
    changes = _changes(zone, _new_year(first_year - 1, zone), finish)
    if not [c for c in changes if c.instant >= begin]:
        component.add_component(_steady(begin.astimezone(zone)))
        return component
    pair = _yearly_pair(changes, range(first_year - 1, last_year + 1))
    if pair is not None:
        for change, rule, daylight in pair:
            component.add_component(_observance(change, daylight=daylight, rule=rule))
        return component
    for part in _dated(zone, begin, finish):
        component.add_component(part)
    return component


def offsets_agree(component: Timezone, tzid: str, first_year: int, last_year: int) -> list[str]:
    """How `component` disagrees with zoneinfo's `tzid` over the years; empty when it agrees.

    The component is read independently of how `vtimezone` built it: each STANDARD
    and DAYLIGHT's DTSTART, RDATEs and RRULE (expanded by dateutil) give onsets,
    every onset sets TZOFFSETTO from then on. The offsets are compared every hour
    from 1 January of `first_year` to the end of `last_year`, and one second either
    side of every change in zoneinfo or in the component.
    """
    zone = _zone(tzid)
    begin = _new_year(first_year, zone)
    finish = _new_year(last_year + 1, zone)
    onsets = _component_onsets(component, finish + dt.timedelta(days=2))
    instants = [instant for instant, _ in onsets]
    samples: set[dt.datetime] = set()
    moment = begin
    while moment < finish:
        samples.add(moment)
        moment += dt.timedelta(hours=1)
    edges = [c.instant for c in _changes(zone, begin, finish)] + [
        i for i in instants if begin <= i < finish
    ]
    for edge in edges:
        samples.update(e for e in (edge - _SECOND, edge, edge + _SECOND) if begin <= e < finish)
    problems: list[str] = []
    for sample in sorted(samples):
        expected = _offset(sample.astimezone(zone))
        index = bisect.bisect_right(instants, sample) - 1
        if index < 0:
            problems.append(f"{sample:%Y-%m-%d %H:%M:%S} UTC: no observance has begun")
            continue
        found = onsets[index][1]
        if found != expected:
            problems.append(
                f"{sample:%Y-%m-%d %H:%M:%S} UTC: component says {_hhmm(found)}, "
                f"zoneinfo says {_hhmm(expected)}"
            )
    return problems


# --- the three shapes ------------------------------------------------------------------


def _steady(local: dt.datetime) -> TimezoneStandard:
    """The single STANDARD of a zone whose offset does not change in the range."""
    part = TimezoneStandard()
    part.add("DTSTART", local.replace(tzinfo=None))
    part.add("TZOFFSETFROM", _offset(local))
    part.add("TZOFFSETTO", _offset(local))
    name = local.tzname()
    if name:
        part.add("TZNAME", name)
    return part


def _yearly_pair(
    changes: Sequence[_Change], years: range
) -> list[tuple[_Change, _Rule, bool]] | None:
    """The first change each way, its rule and whether it is DAYLIGHT; None if irregular.

    Regular means: every year in `years` has exactly one change up and one change
    down between the same two offsets, each direction on the same weekday rule at the
    same wall time and with the same name. Anything else (an offset moved, DST
    dropped or started, a rule changed, Ramadan) is left to dated observances.
    """
    by_year: dict[int, list[_Change]] = {year: [] for year in years}
    for change in changes:
        if change.onset.year not in by_year:
            return None
        by_year[change.onset.year].append(change)
    low_high = {(c.before, c.after) for c in changes} | {(c.after, c.before) for c in changes}
    if len(low_high) != 2:  # exactly one pair of offsets, in both directions
        return None
    low, high = min(min(p) for p in low_high), max(max(p) for p in low_high)
    if low == high:
        return None
    result: list[tuple[_Change, _Rule, bool]] = []
    for up in (True, False):
        same_way = [c for c in changes if (c.after > c.before) == up]
        if [sum((c.after > c.before) == up for c in by_year[y]) for y in years] != [1] * len(years):
            return None
        if len({c.name for c in same_way}) != 1:
            return None
        rule = _common_rule([c.onset for c in same_way])
        if rule is None:
            return None
        # of the two offsets of a yearly pair the larger is DAYLIGHT (Dublin included)
        result.append((same_way[0], rule, same_way[0].after == high))
    # STANDARD first, as Outlook writes it; the order is fixed so the bytes are too
    return sorted(result, key=lambda item: item[2])


def _common_rule(onsets: Sequence[dt.datetime]) -> _Rule | None:
    """The one "n-th / last weekday of the month at a wall time" every onset satisfies."""
    months = {o.month for o in onsets}
    weekdays = {o.weekday() for o in onsets}
    times = {o.time() for o in onsets}
    if len(months) != 1 or len(weekdays) != 1 or len(times) != 1:
        return None
    ordinals = set.intersection(*(_ordinals(o.date()) for o in onsets))
    if not ordinals:
        return None
    # "last Sunday" is written -1SU, even in a year when it is also the 4th
    ordinal = -1 if -1 in ordinals else min(ordinals)
    return _Rule(months.pop(), ordinal, weekdays.pop(), times.pop())


def _ordinals(day: dt.date) -> set[int]:
    """The BYDAY ordinals a date answers to: its week of the month (1..4) and -1 if last."""
    found = set()
    if day.day <= 28:
        found.add((day.day - 1) // 7 + 1)
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        found.add(-1)
    return found


def _dated(
    zone: ZoneInfo, begin: dt.datetime, finish: dt.datetime
) -> Iterator[TimezoneStandard | TimezoneDaylight]:
    """One dated observance per change, led by the last change before the range.

    The leading change is looked for up to a year back; when there is none, the
    offset in force on 1 January is written as a change to itself.
    """
    year_back = begin - dt.timedelta(days=366)
    # a year past the range as well, to see whether the last change is undone later
    found = _changes(zone, year_back, finish + dt.timedelta(days=366))
    earlier = [c for c in found if c.instant < begin]
    inside = [c for c in found if begin <= c.instant < finish]
    if not earlier:
        yield _steady(begin.astimezone(zone))
    chosen = earlier[-1:] + inside
    for change in chosen:
        later = [c for c in found if c.instant > change.instant]
        # DAYLIGHT: a rise that a later change undoes (the larger offset of the pair
        # around it); a one-off change, or a fall, is STANDARD
        daylight = change.after > change.before and bool(later) and later[0].after < change.after
        yield _observance(change, daylight=daylight, rule=None)


def _observance(
    change: _Change, *, daylight: bool, rule: _Rule | None
) -> TimezoneStandard | TimezoneDaylight:
    """One STANDARD or DAYLIGHT for `change`, yearly by `rule` when one is given."""
    part: TimezoneStandard | TimezoneDaylight = (
        TimezoneDaylight() if daylight else TimezoneStandard()
    )
    part.add("DTSTART", change.onset)
    part.add("TZOFFSETFROM", change.before)
    part.add("TZOFFSETTO", change.after)
    if change.name:
        part.add("TZNAME", change.name)
    if rule is not None:
        part.add(
            "RRULE",
            {
                "FREQ": ["YEARLY"],
                "BYMONTH": [rule.month],
                "BYDAY": [f"{rule.ordinal}{_WEEKDAYS[rule.weekday]}"],
            },
        )
    return part


# --- reading a component back ------------------------------------------------------


def _component_onsets(
    component: Timezone, until: dt.datetime
) -> list[tuple[dt.datetime, dt.timedelta]]:
    """Every onset (UTC) up to `until` of the component's observances, with TZOFFSETTO."""
    onsets: list[tuple[dt.datetime, dt.timedelta]] = []
    parts: list[TimezoneStandard | TimezoneDaylight] = [*component.standard, *component.daylight]
    for part in parts:
        start, before, after = part.DTSTART, part.TZOFFSETFROM, part.TZOFFSETTO
        if start is None or before is None or after is None:
            continue  # not a valid observance; the sampling reports what it leaves uncovered
        local_until = (until + before).replace(tzinfo=None)
        wall_times: set[dt.datetime] = {start}
        wall_times.update(d for d, _ in part.rdates if isinstance(d, dt.datetime))
        for rule in part.rrules:
            # icalendar leaves vRecur.to_ical unannotated
            text = _local_until(rule, before).to_ical().decode()  # type: ignore[no-untyped-call]
            recurrence = rrulestr(text, dtstart=start)
            wall_times.update(recurrence.between(start, local_until, inc=True))
        # an onset is a wall time in the TZOFFSETFROM offset (RFC 5545 §3.6.5)
        onsets.extend(((w - before).replace(tzinfo=UTC), after) for w in wall_times)
    return sorted(onsets)


def _local_until(rule: vRecur, before: dt.timedelta) -> vRecur:
    """The rule with a UTC UNTIL (as RFC 5545 asks in VTIMEZONE) made a wall time.

    dateutil refuses a UTC UNTIL with a floating DTSTART; the rule counts in the wall
    time of TZOFFSETFROM, so that is the UNTIL it needs.
    """
    untils = rule.get("UNTIL", [])
    until = untils[0] if isinstance(untils, list) and untils else untils
    if not isinstance(until, dt.datetime) or until.tzinfo is None:
        return rule
    local = vRecur(dict(rule))
    local["UNTIL"] = [(until.astimezone(UTC) + before).replace(tzinfo=None)]
    return local


# --- the tz database ---------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"`{name}` is not a time zone the tz database knows") from None


def _new_year(year: int, zone: ZoneInfo) -> dt.datetime:
    """Midnight on 1 January of `year` in `zone`, as a UTC instant."""
    return dt.datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)


def _offset(moment: dt.datetime) -> dt.timedelta:
    offset = moment.utcoffset()
    assert offset is not None  # every moment here is aware
    return offset


def _hhmm(offset: dt.timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")


def _changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[_Change]:
    """The changes of offset, name or DST flag in [start, end) (UTC instants)."""

    def state(moment: dt.datetime) -> tuple[dt.timedelta | None, dt.timedelta | None, str | None]:
        local = moment.astimezone(zone)
        return (local.utcoffset(), local.dst(), local.tzname())

    step = dt.timedelta(hours=6)  # zones change at most a few times a year; never twice in 6 h
    found: list[_Change] = []
    low, low_state = start, state(start)
    while low < end:
        high = min(low + step, end)
        high_state = state(high)
        if high_state != low_state:
            lo, hi = low, high  # state(lo) == low_state != state(hi)
            while hi - lo > _SECOND:
                middle = (lo + (hi - lo) / 2).replace(microsecond=0)
                if state(middle) == low_state:
                    lo = middle
                else:
                    hi = middle
            after = hi.astimezone(zone)
            found.append(_Change(hi, _offset(lo.astimezone(zone)), _offset(after), after.tzname()))
        low, low_state = high, high_state
    return found
