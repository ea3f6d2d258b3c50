"""Text rules every wing shares: how cells are cleaned and compared, hints, slugs, and how
a date or a whole number written by a person is read."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: a number with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


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
    import difflib  # here: only a problem's hint needs it

    found = difflib.get_close_matches(header_key(word), list(lowered), n=1, cutoff=0.75)
    return f"did you mean `{lowered[found[0]]}`?" if found else None


def slug(text: str, default: str = "x", *, limit: int | None = 60) -> str:
    """ASCII letters, digits and dashes only ("Für Alle!" → "fur-alle"), for file names and
    calendar UIDs; at most `limit` characters (None: no limit); `default` when nothing is left.
    Never a name Windows keeps for a device (`Con` → "con_", see `windows_safe`)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return windows_safe((cleaned[:limit] if limit is not None else cleaned) or default)


# --- file names ------------------------------------------------------------------------

# Names Windows gives to devices: a file called `con`, `CON.html` or `nul .ics` cannot be
# opened there, whatever its case or extension. The superscript digits and CONIN$/CONOUT$
# are on Microsoft's list too; COM0 and LPT0 on some Windows versions.
_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{port}{n}" for port in ("com", "lpt") for n in (*"0123456789", "¹", "²", "³")}
)


def windows_safe(name: str) -> str:
    """One file name (no folder) that Windows can open as well: trailing dots and spaces
    dropped (Windows drops them, so `a.` and `a` would be one file), and `_` added to a
    device name, whatever its case or extension (`con` → `con_`, `Nul.html` →
    `Nul_.html`, `lpt1 .ics` → `lpt1_.ics`)."""
    name = name.rstrip(". ")
    base, dot, rest = name.partition(".")
    if base.rstrip(" ").casefold() in _DEVICE_NAMES:
        base = base.rstrip(" ") + "_"
    return base + dot + rest


def file_stem(person_id: str) -> str:
    """The part of a file name that stands for a participant (`letters/<stem>-<pair>`,
    `reserve/<stem>`, `certificates/<stem>`): the id's `slug` ("E.1002" → "e-1002").

    The slug drops punctuation, accents and case, so two ids can share a stem:
    `validate` refuses that (`model.checks.check_file_names`) and `render_documents`
    refuses two documents with one name. Letters and digits with no ASCII form (张, ж)
    would vanish from a slug, so an id holding any also gets 8 hex digits of its
    SHA-256, and ids written in other scripts keep stems of their own.
    """
    stem = slug(person_id, "", limit=60)
    if not stem or _loses_letters(person_id):
        import hashlib  # here: the CLI's start-up never needs it

        digest = hashlib.sha256(person_id.encode("utf-8")).hexdigest()[:8]
        stem = f"{stem}-{digest}" if stem else f"id-{digest}"
    return windows_safe(stem)


def _loses_letters(text: str) -> bool:
    """True when `slug` would drop a letter or digit of `text` (one with no ASCII form)."""
    return any(
        not ch.isascii() and unicodedata.category(ch)[0] in "LN"
        for ch in unicodedata.normalize("NFKD", text)
    )


# --- what a reader can see ---------------------------------------------------------------

# Categories that show as nothing or steer how the text around them shows: controls,
# format characters (zero-width space and joiners, soft hyphen, the bidi controls),
# line and paragraph separators, surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# The rest of Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), which
# unicodedata does not expose: combining grapheme joiner, Hangul and Khmer fillers,
# Mongolian and other variation selectors, the unassigned U+FFF0..FFF8 and plane 14.
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# Kept by `visible`: ZWNJ and ZWJ join or part letters in Persian and Indic names and
# build emoji; variation selectors pick a glyph. None of them moves or hides text.
_SHAPING = re.compile("[\u200c\u200d\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Line breaks in any spelling (CR LF, CR, VT, FF, the information separators, NEL, the
# Unicode separators).
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def is_invisible(char: str) -> bool:
    """True for a character a reader cannot see, or that changes how other text shows:
    control (Cc) and format (Cf) characters, including zero-width spaces and joiners,
    the soft hyphen and the bidi controls; line and paragraph separators; surrogates;
    and every other default-ignorable code point (fillers, variation selectors)."""
    return unicodedata.category(char) in _HIDDEN_CATEGORIES or _IGNORABLE.match(char) is not None


def invisible_in(text: str) -> list[str]:
    """The distinct invisible characters of `text` (see `is_invisible`), in order."""
    return list(dict.fromkeys(ch for ch in text if is_invisible(ch)))


def char_name(char: str) -> str:
    """A character for a message: "U+200B ZERO WIDTH SPACE", "U+0007 (a control character)"."""
    name = unicodedata.name(char, "")
    if not name:  # control characters have no name in the Unicode database
        name = "(a control character)" if unicodedata.category(char) == "Cc" else "(unnamed)"
    return f"U+{ord(char):04X} {name}"


def show_invisible(text: str) -> str:
    """`text` for a message, each invisible character written as `<U+200B>`, so a
    reader sees where it is and a terminal is not steered by it."""
    return "".join(f"<U+{ord(ch):04X}>" if is_invisible(ch) else ch for ch in text)


def visible(text: str, *, lines: bool = False) -> str:
    """Text fit for a file name, a document title, a page header or a calendar property:
    nothing in it that a reader cannot see.

    Control characters, bidi controls (which can make `exe.txt` show as `txt.exe`),
    zero-width and other invisible characters (`is_invisible`) are removed; ZWJ, ZWNJ
    and variation selectors stay (see `_SHAPING`). Tabs and line breaks become spaces,
    runs of whitespace one space, and the ends are trimmed. With `lines=True` line
    breaks in any spelling become `\\n` instead, and the lines are kept as they are.
    """
    # The usual case, nothing to remove: `isprintable` is False for every Cc, Cf, Zl, Zp
    # and Cs character (and for spaces other than U+0020), leaving the other ignorables.
    if text.isprintable() and not _IGNORABLE.search(text):
        return text.strip() if lines else " ".join(text.split())
    if lines:
        text = _LINE_BREAK.sub("\n", text)
    kept: list[str] = []
    for ch in text:
        if (ch == "\n" and lines) or not is_invisible(ch) or _SHAPING.match(ch):
            kept.append(ch)
        elif ch.isspace():  # a tab, a line break: the words on either side stay apart
            kept.append(" ")
    shown = "".join(kept)
    return shown.strip() if lines else " ".join(shown.split())


# --- telling ids apart -------------------------------------------------------------------

# Letters of other scripts that look like a Latin letter or digit, mapped to it: a small
# table in the spirit of Unicode TR39's confusables (which would add a dependency and
# also merge ASCII pairs such as `rn`/`m`, wrong for employee ids). Upper and lower case
# are mapped by their own shapes (Greek capital eta looks like H, small eta like n), and
# `lookalike_key` case-folds after mapping. Letters NFKC rewrites are left out: it runs first.
_LOOKALIKE_PAIRS = (
    # (letters, the Latin letter or digit each one looks like)
    ("АВЕЅІЈКМНОРСТХУҮԚԜӀЗ", "ABESIJKMHOPCTXYYQWI3"),  # Cyrillic capitals
    ("авеѕіјкмнорстхуүԛԝӏзһԁ", "abesijkmhopctxyyqwl3hd"),  # Cyrillic small letters
    ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),  # Greek capitals  # noqa: RUF001
    ("αγικνορυχϳ", "ayikvopuxj"),  # Greek small letters
    ("ıȷɑɡɩ", "ijagi"),  # Latin letters outside ASCII
)
_LOOKALIKES = str.maketrans(
    "".join(letters for letters, _ in _LOOKALIKE_PAIRS),
    "".join(latin for _, latin in _LOOKALIKE_PAIRS),
)


def lookalike_key(text: str) -> str:
    """The key two ids or e-mail addresses are told apart by when a person reads them:
    NFKC, invisible characters removed, Cyrillic and Greek letters that look Latin
    replaced by that letter, case-folded. Two texts with one key look the same on screen
    (`E1` with a Cyrillic capital ie for the `E`, `e1` with a zero-width space, `E1`
    in full-width letters)."""
    shown = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not is_invisible(ch))
    return fold(shown.translate(_LOOKALIKES))


def lookalike_chars(text: str) -> list[str]:
    """The distinct characters of `text` that `lookalike_key` removes or replaces."""
    return list(dict.fromkeys(ch for ch in text if is_invisible(ch) or ord(ch) in _LOOKALIKES))


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


MAX_WHOLE_DIGITS = 18  # every whole number a person writes here (a level, a year) is short


def parse_whole(text: str, what: str = "a whole number") -> int:
    """A whole number written in digits, with an optional sign ("12", "-3"; not "1.0").

    At most MAX_WHOLE_DIGITS digits: Python refuses to convert more than 4,300 anyway,
    and the message then would be Python's, not one for a person.
    """
    if not _WHOLE.match(text):
        raise ValueError(f"`{text}` is not {what}")
    digits = len(text.lstrip("+-"))
    if digits > MAX_WHOLE_DIGITS:
        raise ValueError(f"{digits:,} digits are too many for {what} (at most {MAX_WHOLE_DIGITS})")
    return int(text)
