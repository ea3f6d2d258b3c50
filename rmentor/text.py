"""Text rules every wing shares: how cells are cleaned and compared, hints, slugs, and how
a date or a whole number written by a person is read."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable


def clean(text: str) -> str:
    """Trim whitespace and normalise to Unicode NFC, as every cell is."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """The key two texts are compared by: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def header_key(text: str) -> str:
    """How a header is compared: `Hire Date`, `hire-date` and `HIRE_DATE` are alike."""
    return re.sub(r"[\s\-]+", "_", fold(text))


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """A close match for a misspelt name, as a hint ("did you mean `x`?")."""
    options = list(choices)
    lowered = {header_key(c): c for c in options}
    found = difflib.get_close_matches(header_key(word), list(lowered), n=1, cutoff=0.75)
    return f"did you mean `{lowered[found[0]]}`?" if found else None


def slug(text: str, default: str = "x", *, limit: int | None = 60) -> str:
    """ASCII letters, digits and dashes only ("Für Alle!" → "fur-alle"), for file names and
    calendar UIDs; at most `limit` characters (None: no limit); `default` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return (cleaned[:limit] if limit is not None else cleaned) or default


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^[-+]?\d+$")


def parse_date(text: str) -> dt.date:
    """A date written as YYYY-MM-DD (ValueError, worded for a person, otherwise)."""
    if not _DATE.match(text):
        raise ValueError(f"`{text}` is not a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"`{text}` is not a date that exists") from None


def parse_whole(text: str, what: str = "a whole number") -> int:
    """A whole number written in digits, with an optional sign ("12", "-3"; not "1.0")."""
    if not _WHOLE.match(text):
        raise ValueError(f"`{text}` is not {what}")
    return int(text)
