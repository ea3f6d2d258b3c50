"""Ids that validate lets through never share a file, and never read like another.

`check_duplicates`, `check_id_characters` and `check_file_names` together promise: a
roster without their errors has one file stem per person (so no letter or certificate
is overwritten), no id with an invisible character, and no two ids or e-mail addresses
that differ only by invisible or look-alike characters. Hypothesis tries rosters whose
ids are made to collide: punctuation, case, accents, Cyrillic and Greek look-alikes,
zero-width and bidi characters, device names.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rmentor.errors import Location, Severity, SourceMap
from rmentor.model.checks import check_duplicates, check_file_names, check_id_characters
from rmentor.model.config import ProgramConfig
from rmentor.model.people import Participant
from rmentor.model.program import Program
from rmentor.text import file_stem, fold, invisible_in, lookalike_key
from tests.conftest import MINIMAL_YAML

CONFIG = ProgramConfig.model_validate(yaml.safe_load(MINIMAL_YAML))
# Pieces that make ids collide in every way the checks know about.
PIECES = [
    "e", "E", "é", "\u0435", "\u0415", "\u0395", "1", "\uff11", "2", ".", "-", "_", " ",
    "con", "CON", "Nul", "x", "\u5f20", "\u200b", "\u202e", "\u00ad", "\x07",
]  # fmt: skip
ids = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join).map(str.strip)


def program_of(people: list[str], emails: list[str] | None = None) -> Program:
    """A program whose roster holds these ids (and e-mail addresses), one a row."""
    roster = tuple(
        Participant(
            id=pid,
            name=f"P{row}",
            role="mentor" if row % 2 else "mentee",
            email=emails[row] if emails else None,
            source=Location("participants.csv", row + 2),
            cells={
                "id": Location("participants.csv", row + 2, 1),
                "email": Location("participants.csv", row + 2, 3),
            },
        )
        for row, pid in enumerate(people)
    )
    return Program(Path("."), CONFIG, SourceMap("program.yaml"), roster)


def errors(program: Program) -> list[str]:
    problems = check_duplicates(program) + check_id_characters(program)
    problems += check_file_names(program)
    return [p.format() for p in problems if p.severity is Severity.ERROR]


@settings(max_examples=300)
@given(st.lists(ids.filter(bool), min_size=2, max_size=6))
def test_a_roster_validate_accepts_has_one_file_per_person(people: list[str]) -> None:
    program = program_of(people)
    if errors(program):
        return
    assert len({file_stem(p) for p in people}) == len(people)
    assert len({lookalike_key(p) for p in people}) == len(people)
    assert not any(invisible_in(p) for p in people)


@settings(max_examples=300)
@given(ids.filter(bool), ids.filter(bool))
def test_two_ids_that_clash_are_an_error_naming_both_rows(one: str, two: str) -> None:
    program = program_of([one, two])
    found = errors(program)
    clash = (
        fold(one) == fold(two)
        or lookalike_key(one) == lookalike_key(two)
        or file_stem(one) == file_stem(two)
    )
    if clash:
        # the second row's id cell, naming the first row
        assert any(
            e.startswith("participants.csv:3:1: error:") and "participants.csv:2:1" in e
            for e in found
        ), found
    if not clash and not invisible_in(one + two):
        assert found == []


def test_lookalike_emails_are_an_error_naming_both_rows() -> None:
    program = program_of(["m1", "e1"], ["mia@example.com", "m\u0456a@example.com"])
    assert errors(program) == [
        "participants.csv:3:3: error: email `m\u0456a@example.com` looks like "
        "`mia@example.com` of `m1` at participants.csv:2:3: they differ only in U+0456 "
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I (mail meant for one would go to "
        "the other: check which address is right)"
    ]


def test_an_invisible_character_in_an_email_is_a_warning() -> None:
    program = program_of(["m1"], ["mia\u200b@example.com"])
    problems = check_id_characters(program)
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "U+200B ZERO WIDTH SPACE" in problems[0].message
