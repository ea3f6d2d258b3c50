"""The strict YAML reader: YAML 1.1 surprises do not happen, traps are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmentor.errors import Problem, Severity
from rmentor.files.program_yaml import MAX_BYTES, load_yaml


def load(text: str) -> tuple[object, list[str]]:
    value, _, problems = load_yaml(text.encode(), "program.yaml")
    return value, [p.format() for p in problems]


def test_values_read_as_a_person_means_them() -> None:
    value, problems = load(
        "country: NO\nflag: yes\nswitch: off\nat: 10:30\nday: 2027-02-30\nid: 007\n"
        "ratio: 0.8\nnothing: ~\nreal: true\ncount: 12\nquoted: '12'\n"
    )
    assert problems == []
    assert value == {
        "country": "NO",
        "flag": "yes",
        "switch": "off",
        "at": "10:30",
        "day": "2027-02-30",
        "id": "007",
        "ratio": 0.8,
        "nothing": None,
        "real": True,
        "count": 12,
        "quoted": "12",
    }


def test_positions_of_values_and_keys() -> None:
    _, where, _ = load_yaml(b"a:\n  b: 1\n  c:\n    - x\n    - y\n", "program.yaml")
    assert (where.at("a", "b").line, where.at("a", "b").column) == (2, 6)
    assert where.at("a", "c", 1).line == 5
    assert where.key("a", "c").line == 3
    # an unknown path falls back to its nearest known parent
    assert where.at("a", "c", 7, "z").line == where.at("a", "c").line


def test_duplicate_keys_are_errors_at_the_second() -> None:
    value, problems = load("program:\n  name: A\n  name: B\n")
    assert problems == [
        "program.yaml:3:3: error: duplicate key `program.name` (first at line 2) (keep one of them)"
    ]
    assert value == {"program": {"name": "A"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "program.yaml:1:4: error: anchors are not allowed"),
        ("b: *x\n", "program.yaml:1:4: error: aliases are not allowed (`*x`)"),
        ("a: !!python/object/apply:os.system [ls]\n", "YAML tags are not allowed"),
        ("a: !custom 1\n", "YAML tags are not allowed (`!custom`)"),
        ("a: [1,\n", "program.yaml:2:1: error: YAML syntax"),
        ("a: b\n\x07", "character U+0007 is not allowed"),
    ],
)
def test_refused_constructs(text: str, message: str) -> None:
    value, problems = load(text)
    assert value is None
    assert len(problems) == 1
    assert message in problems[0]


def test_explicit_str_tag_is_text() -> None:
    assert load("a: !!str 12\n") == ({"a": "12"}, [])


def test_size_cap_and_encoding() -> None:
    _, _, problems = load_yaml(b"#" * (MAX_BYTES + 1), "program.yaml")
    assert "larger than" in problems[0].message
    _, _, problems = load_yaml(b"name: Jos\xe9\n", "program.yaml")
    assert problems[0].format().startswith("program.yaml:1:10: error: byte 0xe9 is not valid")
    assert load_yaml(b"\xef\xbb\xbfa: 1\n", "program.yaml")[0] == {"a": 1}


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _, _, problems = load_yaml(data, "program.yaml")
    assert all(p.location.line >= 1 for p in problems)


@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    value, _, problems = load_yaml(text.encode("utf-8", "surrogatepass"), "program.yaml")
    assert all(isinstance(p, Problem) for p in problems)
    if problems and problems[0].severity is Severity.ERROR and value is None:
        assert problems[0].location.line >= 1


@pytest.mark.parametrize(
    ("text", "located", "hint"),
    [
        (
            "program:\n  name: Digital: Fluency\n",
            "program.yaml:2:16:",
            'must be quoted, e.g. name: "',
        ),
        ("program:\n\tname: x\n", "program.yaml:2:1:", "indent with spaces, not tabs"),
        (
            "a: 1\nb: {c: 1, d: 2\ne: 3\n",
            "program.yaml:3:2:",
            "close the { opened on line 2 with }",
        ),
        ("a: [1, 2\nb: 3\n", "program.yaml:2:2:", "close the [ opened on line 1 with ]"),
        ("a:\n  - 1\n b: 2\n", "program.yaml:3:2:", "check the indentation and quotes"),
    ],
)
def test_a_syntax_error_says_where_and_what_to_do(text: str, located: str, hint: str) -> None:
    value, problems = load(text)
    assert value is None
    assert len(problems) == 1
    assert problems[0].startswith(located)
    assert "YAML syntax" in problems[0]
    assert hint in problems[0]
