"""The shared text rules that keep file names unique and safe and output text visible:
`slug`, `windows_safe`, `file_stem`, `visible`, `is_invisible`, `lookalike_key`."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmentor.text import (
    char_name,
    file_stem,
    invisible_in,
    is_invisible,
    lookalike_chars,
    lookalike_key,
    show_invisible,
    slug,
    visible,
    windows_safe,
)

DEVICES = ["CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10))]
DEVICES += [f"LPT{n}" for n in range(1, 10)]
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HIDDEN = BIDI + "\u200b\u2060\u00ad\ufeff\u3164\u180e\x00\x07\x1b\x7f\x9b"


def device_name(name: str) -> bool:
    """What Windows would take for a device: the part before the first dot, trailing
    dots and spaces dropped, compared without case."""
    base = name.rstrip(". ").split(".", 1)[0].rstrip(" ").upper()
    return base in {*DEVICES, "COM0", "LPT0", "CONIN$", "CONOUT$"} or bool(
        re.fullmatch(r"(COM|LPT)[¹²³]", base)
    )


# --- Windows device names ----------------------------------------------------------------


@pytest.mark.parametrize("name", DEVICES)
@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.title])
def test_device_names_get_a_suffix(name: str, spelling: Callable[[str], str]) -> None:
    written = spelling(name)
    assert windows_safe(written) == f"{written}_"
    assert windows_safe(f"{written}.html") == f"{written}_.html"
    assert windows_safe(f"{written}.tar.gz") == f"{written}_.tar.gz"
    assert windows_safe(f"{written} .ics") == f"{written}_.ics"
    assert windows_safe(f"{written}.") == f"{written}_"
    assert windows_safe(f"{written} . ") == f"{written}_"
    assert slug(written) == f"{name.lower()}_"
    assert file_stem(written) == f"{name.lower()}_"


@pytest.mark.parametrize(
    "name", ["CONSOLE", "icon", "nul1", "com10", "lpt", "auxiliary", "con-1", "prn_", "a.con"]
)
def test_other_names_are_kept(name: str) -> None:
    assert windows_safe(name) == name


def test_superscript_ports_and_console_handles() -> None:
    for name in ("COM¹", "lpt³", "CONIN$", "conout$.txt"):
        assert not device_name(windows_safe(name)), name


def test_trailing_dots_and_spaces_are_dropped() -> None:
    assert windows_safe("notes. ") == "notes"  # Windows would open `notes` instead
    assert windows_safe("a.b.") == "a.b"


@given(st.text(max_size=30))
def test_slug_and_file_stem_are_plain_and_never_a_device(text: str) -> None:
    for name in (slug(text), file_stem(text)):
        assert re.fullmatch(r"[a-z0-9_-]+", name), name
        assert not device_name(name)
        assert windows_safe(name) == name


# --- file stems ----------------------------------------------------------------------------


def test_file_stem_is_the_slug_for_latin_ids() -> None:
    assert file_stem("E1003") == "e1003"  # the golden files' names stay
    assert file_stem("E.1002") == file_stem("E-1002") == "e-1002"  # validate refuses the pair
    assert file_stem("Müller") == file_stem("muller")  # so does this one


def test_file_stem_of_ids_in_other_scripts_keeps_them_apart() -> None:
    # 张伟1 and 李娜1 slug to `1`: a digest of the id keeps their files apart.
    one, two = file_stem("\u5f20\u4f1f1"), file_stem("\u674e\u5a1c1")
    assert one != two
    assert re.fullmatch(r"1-[0-9a-f]{8}", one)
    assert re.fullmatch(r"id-[0-9a-f]{8}", file_stem("\u5f20\u4f1f"))
    assert file_stem("\u0416\u0435\u043d\u044f") != file_stem("\u0416\u0435\u043d\u044f2")


def test_file_stem_is_short() -> None:
    assert len(file_stem("a" * 200)) == 60
    assert len(file_stem("\u5f20" * 200)) <= 12


# --- what a reader can see -------------------------------------------------------------------


def test_every_format_and_control_character_is_invisible() -> None:
    hidden_categories = {"Cc", "Cf", "Zl", "Zp"}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in hidden_categories:
            assert is_invisible(char), char_name(char)
    for char in HIDDEN + "\u2028\u2029\u034f\ufe0f\U000e0041":
        assert is_invisible(char), char_name(char)
    for char in "aZ09 .-_éж张\u00a0\u0301":
        assert not is_invisible(char), char_name(char)


def test_visible_removes_bidi_and_invisible_characters() -> None:
    assert visible("Eve\u202e txt.exe") == "Eve txt.exe"
    assert visible("a\u200bb\u00adc\u2066d\u2069\ufeff") == "abcd"
    assert visible("Mia\x00 Park\x07") == "Mia Park"
    assert visible(" two\tlines\r\nhere\u2028too ") == "two lines here too"
    for char in HIDDEN:
        assert visible(f"a{char}b") in ("ab", "a b"), char_name(char)


def test_visible_keeps_joiners_that_shape_words() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a word
    family = "\U0001f469\u200d\U0001f467"  # an emoji joined by ZWJ
    assert visible(persian) == persian
    assert visible(family) == family
    assert visible("Jürgen Müller") == "Jürgen Müller"


def test_visible_lines_keeps_line_breaks() -> None:
    text = "one\r\ntwo\rthree\u2028four\x0bfive\n\u202esix\t7"
    assert visible(text, lines=True) == "one\ntwo\nthree\nfour\nfive\nsix 7"


@given(st.text())
def test_visible_leaves_nothing_invisible_and_is_stable(text: str) -> None:
    for lines in (False, True):
        shown = visible(text, lines=lines)
        left = [c for c in shown if is_invisible(c) and c != "\n"]
        assert all(c in "\u200c\u200d" or unicodedata.category(c) == "Mn" for c in left), left
        assert visible(shown, lines=lines) == shown
    assert "\n" not in visible(text)


def test_messages_show_where_an_invisible_character_is() -> None:
    assert show_invisible("e\u200b1") == "e<U+200B>1"
    assert show_invisible("E1") == "E1"
    assert invisible_in("a\u200bb\u200bc\u202e") == ["\u200b", "\u202e"]
    assert char_name("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert char_name("\x07") == "U+0007 (a control character)"


# --- telling ids apart --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("e1", "\u04351"),  # Cyrillic small ie
        ("E1", "\u04151"),  # Cyrillic capital ie
        ("E1", "\u03951"),  # Greek capital epsilon
        ("e1", "\u03951"),  # ...whatever the case
        ("mia@example.com", "m\u0456a@example.com"),  # Cyrillic i
        ("e1", "e\u200b1"),  # zero-width space
        ("e1", "e1\u202e"),  # bidi override
        ("e1", "e\u00ad1"),  # soft hyphen
        ("E1", "\uff25\uff11"),  # full width
        ("copa", "\u0441\u043e\u0440\u0430"),  # all Cyrillic
        ("HOPE", "\u041d\u039f\u0420\u0395"),  # Cyrillic and Greek capitals
    ],
)
def test_lookalikes_share_a_key(one: str, two: str) -> None:
    assert lookalike_key(one) == lookalike_key(two)


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("e1", "e2"),
        ("e1", "é1"),  # an accent shows
        ("rn1", "m1"),  # ASCII look-alikes are left to people: ids like these are real
        ("O1", "01"),
        ("\u0416\u0435\u043d\u044f", "xehr"),  # Cyrillic with no Latin twin
    ],
)
def test_different_looking_ids_keep_their_keys(one: str, two: str) -> None:
    assert lookalike_key(one) != lookalike_key(two)


def test_lookalike_chars_names_what_differs() -> None:
    assert lookalike_chars("\u04351") == ["\u0435"]
    assert lookalike_chars("e\u200b1") == ["\u200b"]
    assert lookalike_chars("e1") == []


def test_lookalike_table_maps_only_what_nfkc_keeps() -> None:
    from rmentor.text import _LOOKALIKES

    for code, latin in _LOOKALIKES.items():
        char = chr(code)
        assert unicodedata.normalize("NFKC", char) == char, char_name(char)
        assert isinstance(latin, int)
        assert re.fullmatch("[A-Za-z0-9]", chr(latin))
