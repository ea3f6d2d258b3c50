"""Time zones by IANA name, checked against the zone database rmentor ships with."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..text import suggest


def is_timezone(name: str) -> bool:
    """True for an IANA time zone name that this machine knows."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False  # never let a name wander through the file system
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def timezone_hint(name: str) -> str:
    """A did-you-mean for a time zone name."""
    return suggest(name, _zones()) or "use an IANA name like Europe/Berlin"


def check_timezone(name: str) -> str:
    """Pydantic validator: the name if it is a known zone, else a ValueError with a hint."""
    if not is_timezone(name):
        raise ValueError(f"`{name}` is not an IANA time zone ({timezone_hint(name)})")
    return name
