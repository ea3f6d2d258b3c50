"""Outlook-shaped VTIMEZONE components (MS-OXCICAL 2.1.3.1.1.19.2): one STANDARD and one
DAYLIGHT with a yearly RRULE where the tz database has a yearly rule, one STANDARD where
the offset never changes, dated observances otherwise, and always zoneinfo's offsets."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Timezone

from rmentor.documents.timezones import offsets_agree, vtimezone

REGULAR = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # DST of 30 minutes
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 / -02:30
]
ZONES = [
    *REGULAR,
    "America/Sao_Paulo",  # no DST since 2019
    "America/Santiago",  # rule moved in 2022
    "Asia/Kolkata",
    "Asia/Tehran",  # DST dropped in 2022
    "Africa/Casablanca",  # Ramadan
    "Pacific/Apia",  # DST dropped in 2021
    "Antarctica/Troll",  # DST of two hours
    "UTC",
]
RANGES = [(2026, 2028), (2021, 2023), (2019, 2019)]
ALL_ZONES = sorted(zoneinfo.available_timezones())


def offset_to(part: Any) -> dt.timedelta:
    """TZOFFSETTO of an observance (a function, so the comparisons read subject first)."""
    offset: dt.timedelta = part.TZOFFSETTO
    return offset


def onset(part: Any) -> dt.datetime:
    """DTSTART of an observance: the wall time before the change."""
    start: dt.datetime = part.DTSTART
    return start


def rrule(part: object) -> dict[str, list[object]]:
    """The single RRULE of an observance, as a plain dict of lists."""
    rules = part.rrules  # type: ignore[attr-defined]
    assert len(rules) == 1
    return {key: list(value) for key, value in rules[0].items()}


@pytest.mark.parametrize("years", RANGES, ids=lambda years: f"{years[0]}-{years[1]}")
@pytest.mark.parametrize("tzid", ZONES)
def test_offsets_agree_with_zoneinfo(tzid: str, years: tuple[int, int]) -> None:
    component = vtimezone(tzid, *years)
    assert offsets_agree(component, tzid, *years) == []
    assert component["TZID"] == tzid
    assert component["X-LIC-LOCATION"] == tzid


@pytest.mark.parametrize("years", RANGES, ids=lambda years: f"{years[0]}-{years[1]}")
@pytest.mark.parametrize("tzid", REGULAR)
def test_regular_zones_have_one_standard_and_one_daylight(
    tzid: str, years: tuple[int, int]
) -> None:
    component = vtimezone(tzid, *years)
    assert len(component.subcomponents) == 2
    (standard,) = component.standard
    (daylight,) = component.daylight
    for part in (standard, daylight):
        assert rrule(part)["FREQ"] == ["YEARLY"]
        assert "UNTIL" not in rrule(part)
        assert part.DTSTART.year <= years[0]
        assert part.DTSTART.tzinfo is None  # local time, in TZOFFSETFROM
    # the larger offset of the pair is DAYLIGHT
    assert daylight.TZOFFSETTO > standard.TZOFFSETTO
    assert daylight.TZOFFSETFROM == standard.TZOFFSETTO
    assert standard.TZOFFSETFROM == daylight.TZOFFSETTO


def test_berlin_rules_are_last_sundays() -> None:
    component = vtimezone("Europe/Berlin", 2026, 2028)
    (standard,) = component.standard
    (daylight,) = component.daylight
    assert rrule(daylight) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert rrule(standard) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    # the onset is the wall time before the change (RFC 5545 §3.6.5)
    assert onset(daylight) == dt.datetime(2025, 3, 30, 2, 0)
    assert onset(standard) == dt.datetime(2025, 10, 26, 3, 0)
    assert (daylight["TZNAME"], standard["TZNAME"]) == ("CEST", "CET")
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in component.to_ical()


def test_new_york_rules_are_second_and_first_sundays() -> None:
    component = vtimezone("America/New_York", 2026, 2028)
    (standard,) = component.standard
    (daylight,) = component.daylight
    assert rrule(daylight) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["2SU"]}
    assert rrule(standard) == {"FREQ": ["YEARLY"], "BYMONTH": [11], "BYDAY": ["1SU"]}
    assert offset_to(daylight) == dt.timedelta(hours=-4)
    assert offset_to(standard) == dt.timedelta(hours=-5)


def test_southern_hemisphere_rules() -> None:
    component = vtimezone("Australia/Sydney", 2026, 2028)
    (standard,) = component.standard
    (daylight,) = component.daylight
    assert rrule(daylight) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["1SU"]}
    assert rrule(standard) == {"FREQ": ["YEARLY"], "BYMONTH": [4], "BYDAY": ["1SU"]}


def test_lord_howe_has_half_hour_daylight_saving() -> None:
    component = vtimezone("Australia/Lord_Howe", 2026, 2028)
    (standard,) = component.standard
    (daylight,) = component.daylight
    assert offset_to(standard) == dt.timedelta(hours=10, minutes=30)
    assert offset_to(daylight) == dt.timedelta(hours=11)


def test_dublin_summer_is_daylight_although_tzdata_calls_winter_dst() -> None:
    component = vtimezone("Europe/Dublin", 2026, 2028)
    (standard,) = component.standard
    (daylight,) = component.daylight
    assert offset_to(daylight) == dt.timedelta(hours=1)
    assert offset_to(standard) == dt.timedelta(0)
    assert b"TZOFFSETTO:+0100" in daylight.to_ical()
    assert b"TZOFFSETTO:+0000" in standard.to_ical()
    assert (daylight["TZNAME"], standard["TZNAME"]) == ("IST", "GMT")


@pytest.mark.parametrize(
    ("tzid", "years"),
    [
        ("Asia/Kolkata", (2026, 2028)),
        ("Asia/Tokyo", (2021, 2023)),
        ("America/Sao_Paulo", (2026, 2028)),
        ("UTC", (2019, 2019)),
        ("Pacific/Apia", (2026, 2028)),
    ],
)
def test_zone_without_changes_has_one_standard(tzid: str, years: tuple[int, int]) -> None:
    component = vtimezone(tzid, *years)
    (standard,) = component.subcomponents
    assert standard.name == "STANDARD"
    assert standard.TZOFFSETFROM == standard.TZOFFSETTO
    assert standard.DTSTART.year <= years[0]
    assert not standard.rrules


def test_kolkata_offset() -> None:
    (standard,) = vtimezone("Asia/Kolkata", 2026, 2028).subcomponents
    assert offset_to(standard) == dt.timedelta(hours=5, minutes=30)
    assert standard["TZNAME"] == "IST"


@pytest.mark.parametrize(
    ("tzid", "years"),
    [
        ("Africa/Casablanca", (2026, 2028)),  # Ramadan moves every year
        ("Asia/Tehran", (2021, 2023)),  # DST dropped in 2022
        ("America/Santiago", (2021, 2023)),  # the start of DST moved in 2022
        ("Pacific/Apia", (2021, 2023)),  # DST dropped in 2021
        ("America/Sao_Paulo", (2019, 2019)),  # DST dropped in 2019
    ],
)
def test_irregular_zones_fall_back_to_dated_observances(tzid: str, years: tuple[int, int]) -> None:
    component = vtimezone(tzid, *years)
    assert len(component.subcomponents) >= 2
    assert all(not part.rrules for part in component.subcomponents)
    assert offsets_agree(component, tzid, *years) == []


def test_dated_observances_are_named_by_offset() -> None:
    component = vtimezone("Asia/Tehran", 2021, 2023)
    assert {part.TZOFFSETTO for part in component.daylight} == {dt.timedelta(hours=4, minutes=30)}
    assert {part.TZOFFSETTO for part in component.standard} == {dt.timedelta(hours=3, minutes=30)}
    # the last change, out of DST for good, is STANDARD
    last = max(component.subcomponents, key=lambda part: part.DTSTART)
    assert last.name == "STANDARD"


@pytest.mark.parametrize("tzid", ["Europe/Berlin", "Africa/Casablanca", "Asia/Kolkata"])
def test_same_call_gives_same_bytes(tzid: str) -> None:
    assert vtimezone(tzid, 2026, 2028).to_ical() == vtimezone(tzid, 2026, 2028).to_ical()


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="`Mars/Olympus_Mons` is not a time zone"):
        vtimezone("Mars/Olympus_Mons", 2026, 2026)
    with pytest.raises(ValueError, match="is not a time zone the tz database knows"):
        offsets_agree(Timezone(), "../etc/passwd", 2026, 2026)


def test_offsets_agree_reports_a_wrong_component() -> None:
    """The checker is not vacuous: Berlin's rules are not London's, nor New York's."""
    berlin = vtimezone("Europe/Berlin", 2026, 2026)
    assert offsets_agree(berlin, "Europe/London", 2026, 2026)
    problems = offsets_agree(berlin, "America/New_York", 2026, 2026)
    assert problems
    assert "component says +01:00, zoneinfo says -05:00" in problems[0]
    # a component with no observance covers nothing
    assert offsets_agree(Timezone(), "UTC", 2026, 2026)


# Wall times around Berlin's changes in 2027, none of them skipped or repeated.
EDGES = [
    dt.datetime(2027, 1, 1, 0, 0),
    dt.datetime(2027, 3, 28, 1, 59, 59),
    dt.datetime(2027, 3, 28, 3, 0, 0),
    dt.datetime(2027, 7, 1, 12, 0),
    dt.datetime(2027, 10, 31, 1, 59, 59),
    dt.datetime(2027, 10, 31, 3, 0, 0),
    dt.datetime(2027, 12, 31, 23, 59),
]


def test_parsed_calendar_places_events_where_zoneinfo_does() -> None:
    """Read back from bytes by icalendar, the component alone decides the offsets.

    The TZID is renamed so that icalendar cannot look it up in the tz database and
    must build the zone from our VTIMEZONE (its RRULEs included).
    """
    zone_bytes = vtimezone("Europe/Berlin", 2026, 2028).to_ical()
    own = b"X-Test/Not-Berlin"
    zone_bytes = zone_bytes.replace(b"TZID:Europe/Berlin", b"TZID:" + own)
    events = b"".join(
        b"BEGIN:VEVENT\r\nUID:edge-%d@test\r\nDTSTAMP:20260101T000000Z\r\n"
        b"DTSTART;TZID=%s:%s\r\nEND:VEVENT\r\n" % (i, own, wall.strftime("%Y%m%dT%H%M%S").encode())
        for i, wall in enumerate(EDGES)
    )
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + zone_bytes
        + events
        + b"END:VCALENDAR\r\n"
    )
    parsed = Calendar.from_ical(data)
    berlin = ZoneInfo("Europe/Berlin")
    starts = [event.DTSTART for event in parsed.events]
    assert len(starts) == len(EDGES)
    for wall, start in zip(EDGES, starts, strict=True):
        assert start.tzinfo is not None
        assert not isinstance(start.tzinfo, ZoneInfo) or start.tzinfo.key != "Europe/Berlin"
        assert start.replace(tzinfo=None) == wall
        assert start.utcoffset() == wall.replace(tzinfo=berlin).utcoffset(), wall


def test_icalendar_to_tz_agrees_with_zoneinfo() -> None:
    """icalendar's own conversion of the component, not looking the TZID up."""
    for tzid in ("America/New_York", "Europe/Dublin", "Australia/Lord_Howe"):
        component = vtimezone(tzid, 2026, 2028)
        converted = component.to_tz(lookup_tzid=False)
        zone = ZoneInfo(tzid)
        moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        while moment.year < 2029:
            assert (
                moment.astimezone(converted).utcoffset() == moment.astimezone(zone).utcoffset()
            ), (tzid, moment)
            moment += dt.timedelta(hours=7)


@settings(max_examples=60, deadline=None)
@given(
    tzid=st.sampled_from(ALL_ZONES),
    first_year=st.integers(min_value=2000, max_value=2035),
    span=st.integers(min_value=0, max_value=2),
)
def test_any_zone_agrees_with_zoneinfo(tzid: str, first_year: int, span: int) -> None:
    component = vtimezone(tzid, first_year, first_year + span)
    assert offsets_agree(component, tzid, first_year, first_year + span) == []
    assert len(component.standard) >= 1
    if any(part.rrules for part in component.subcomponents):
        assert (len(component.standard), len(component.daylight)) == (1, 1)


OUTLOOK_BERLIN = b"""BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3;UNTIL=20270101T000000Z\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def test_offsets_agree_reads_a_component_written_elsewhere() -> None:
    """Outlook's own shape (DTSTART in 1601, a UTC UNTIL) is read too: DST ends after 2026."""
    component = Timezone.from_ical(OUTLOOK_BERLIN)
    assert offsets_agree(component, "Europe/Berlin", 2026, 2026) == []
    problems = offsets_agree(component, "Europe/Berlin", 2027, 2027)
    assert problems[0].startswith("2027-03-28 01:00:00 UTC: component says +01:00")
