"""The availability grammar: what people write, and what they get wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmentor.files.availability import AvailabilityError, format_availability, parse_availability
from rmentor.model.people import Window


def windows(text: str) -> list[tuple[int, int, int]]:
    return [(w.day, w.start, w.end) for w in parse_availability(text)]


def test_forms_people_write() -> None:
    assert windows("Mon 09:00-12:00; Thu 14:00-16:00") == [(0, 540, 720), (3, 840, 960)]
    assert windows("mon-wed 8:30-10:00;") == [(0, 510, 600), (1, 510, 600), (2, 510, 600)]
    assert windows("Tue, Thu 13:00-14:00, 15:00-16:00") == [
        (1, 780, 840),
        (1, 900, 960),
        (3, 780, 840),
        (3, 900, 960),
    ]
    assert windows("Friday 22:00-24:00") == [(4, 1320, 1440)]
    assert windows("") == []


def test_overlaps_merge() -> None:
    assert windows("Mon 09:00-11:00; Mon 10:00-12:00; Mon 12:00-13:00") == [(0, 540, 780)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon", "should be days then hours"),
        ("Mon 9-12", "`9-12` is not a time range"),
        ("Mon 12:00-09:00", "`12:00-09:00` ends before it starts"),
        ("Mon 09:00-25:00", "`09:00-25:00` is not a time range"),
        ("Mo 09:00-10:00", "`Mo` is not a day"),
        ("Fri-Mon 09:00-10:00", "runs backwards"),
        ("09:00-10:00", "should be days then hours"),
    ],
)
def test_mistakes_name_the_fragment(text: str, message: str) -> None:
    with pytest.raises(AvailabilityError, match=message.replace("(", r"\(")):
        parse_availability(text)


slot = st.tuples(st.integers(0, 6), st.integers(0, 95), st.integers(1, 96)).filter(
    lambda t: t[1] < t[2]
)


@given(st.lists(slot, max_size=8))
def test_format_then_parse_is_stable(slots: list[tuple[int, int, int]]) -> None:
    parsed = parse_availability(
        "; ".join(
            format_availability((Window(day=d, start=a * 15, end=b * 15),)) for d, a, b in slots
        )
    )
    assert parse_availability(format_availability(parsed)) == parsed
    for w in parsed:
        assert 0 <= w.start < w.end <= 1440


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_says_why(text: str) -> None:
    try:
        result = parse_availability(text)
    except AvailabilityError as exc:
        message = str(exc)
        result = ()
    else:
        message = "ok"
    assert message
    assert all(w.start < w.end for w in result)
