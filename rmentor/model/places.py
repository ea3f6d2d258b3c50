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


# Zones on UTC's own clock, whatever they are called.
_UTC_NAMES = frozenset(
    {"UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"}
)


def zone_place(name: str) -> str:
    """Where a zone keeps its clocks, in words, never the IANA name: "New York" for
    America/New_York, "Buenos Aires" for America/Argentina/Buenos_Aires, "UTC" for UTC,
    and "UTC-5" for Etc/GMT+5 (whose sign POSIX turns around)."""
    if not name or name.removeprefix("Etc/") in _UTC_NAMES:
        return "UTC"
    last = name.rsplit("/", 1)[-1]
    if name.startswith("Etc/GMT") and last[3:4] in ("+", "-"):
        return f"UTC{'-' if last[3] == '+' else '+'}{last[4:]}"
    return last.replace("_", " ")


def zone_words(name: str, place: str | None = None) -> str:
    """A zone as a reader says it: "New York time" (or "<place> time" for an office's
    own name); a UTC offset stays as it is ("UTC", "UTC+5")."""
    if place:
        return f"{place} time"
    where = zone_place(name)
    return where if where.startswith("UTC") else f"{where} time"
