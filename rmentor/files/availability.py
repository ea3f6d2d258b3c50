"""Weekly availability: `"Mon 09:00-12:00; Thu 14:00-16:00"` and friends.

Grammar (case-insensitive, spaces free):

    availability := entry (";" entry)*          a trailing ";" is allowed
    entry        := days " " range ("," range)*
    days         := day | day "-" day | day ("," day)*     e.g. Mon, Mon-Fri, Tue,Thu
    range        := HH:MM "-" HH:MM                        end may be 24:00

Days are English (Mon or Monday). Times are the person's own local time.
Overlapping windows on one day are merged.
"""

from __future__ import annotations

import re

from ..model.people import Window

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ENTRY = re.compile(r"^(?P<days>[A-Za-z][A-Za-z,\s\-]*?)\s+(?P<ranges>\d.*)$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class AvailabilityError(ValueError):
    """A fragment of an availability text that does not follow the grammar."""


def _day(name: str) -> int:
    key = name.strip().lower()
    if key in DAYS:
        return DAYS.index(key)
    if key in _FULL:
        return _FULL.index(key)
    raise AvailabilityError(f"`{name.strip()}` is not a day (use Mon, Tue, … Sun)")


def day_index(name: str) -> int | None:
    """The day (0 = Monday) an English day name or abbreviation names, else None."""
    key = name.strip().lower()
    if key in DAYS:
        return DAYS.index(key)
    if key in _FULL:
        return _FULL.index(key)
    return None


def _days(text: str) -> list[int]:
    text = text.strip()
    if "-" in text:
        first, _, last = text.partition("-")
        a, b = _day(first), _day(last)
        if b < a:
            raise AvailabilityError(f"`{text}` runs backwards (write the days in week order)")
        return list(range(a, b + 1))
    return [_day(part) for part in text.split(",") if part.strip()]


def _minutes(hour: str, minute: str, text: str) -> int:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise AvailabilityError(f"`{text}` is not a time range (use HH:MM-HH:MM, 24-hour)")
    return h * 60 + m


def parse_availability(text: str) -> tuple[Window, ...]:
    """Parse an availability text into sorted, merged weekly windows.

    Raises AvailabilityError naming the fragment that is wrong.
    """
    windows: list[tuple[int, int, int]] = []
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if match is None:
            raise AvailabilityError(
                f"`{entry}` should be days then hours, like `Mon 09:00-12:00` or "
                "`Mon-Fri 14:00-16:00`"
            )
        days = _days(match["days"])
        for span in match["ranges"].split(","):
            found = _RANGE.match(span.strip())
            if found is None:
                raise AvailabilityError(
                    f"`{span.strip()}` is not a time range (use HH:MM-HH:MM, 24-hour)"
                )
            start = _minutes(found[1], found[2], span.strip())
            end = _minutes(found[3], found[4], span.strip())
            if end <= start:
                raise AvailabilityError(f"`{span.strip()}` ends before it starts")
            windows.extend((day, start, end) for day in days)
    return tuple(Window(day=d, start=s, end=e) for d, s, e in _merge(windows))


def _merge(windows: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for day, start, end in sorted(windows):
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            last = merged[-1]
            merged[-1] = (day, last[1], max(last[2], end))
        else:
            merged.append((day, start, end))
    return merged


def format_availability(windows: tuple[Window, ...]) -> str:
    """The canonical text for windows (inverse of `parse_availability`)."""
    parts = []
    for w in windows:
        parts.append(
            f"{DAYS[w.day].title()} {w.start // 60:02d}:{w.start % 60:02d}-"
            f"{w.end // 60:02d}:{w.end % 60:02d}"
        )
    return "; ".join(parts)
