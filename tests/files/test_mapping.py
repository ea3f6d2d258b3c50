"""files/mapping.py: export headers and answers to canonical fields (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmentor.errors import Location, Severity
from rmentor.files.mapping import (
    SUBMITTED,
    Fields,
    Record,
    Spec,
    header_day,
    latest_rows,
    map_table,
    parse_timestamp,
    read_date,
    separator_hint,
)
from rmentor.files.tables import Row, Table

KIND = Fields(
    canonical=("id", "name", "email", "role", "level", "skills", "availability", SUBMITTED),
    required=("id", "name"),
    lists=frozenset({"skills"}),
    joined=frozenset({"name"}),
    grid="availability",
)


def table(header: list[str], *rows: list[str]) -> Table:
    return Table("f.csv", tuple(header), 1, tuple(Row(i + 2, tuple(r)) for i, r in enumerate(rows)))


def record(t: Table, spec: Spec, row: int = 0) -> tuple[Record, list]:  # type: ignore[type-arg]
    fields, problems = map_table(t, spec, KIND)
    return Record(t, t.rows[row], fields, spec, problems), problems


def test_field_list_and_tilde() -> None:
    t = table(["E-mail", "Notes", "id", "name"], ["a@x.org", "secret", "7", "Ann"])
    spec = Spec(columns={"E-mail": ["email", "id"], "Notes": None, "id": None})
    fields, problems = map_table(t, spec, KIND)
    assert fields.fields == {"email": (0,), "id": (0,), "name": (3,)}
    assert fields.extra == {}  # `~` columns are neither fields nor extra
    assert not problems


def test_repeated_header_addressed_and_unaddressed() -> None:
    t = table(["Name", "Topic", "Topic", "Topic", "id"], ["Ann", "a", "b", "c", "1"])
    fields, problems = map_table(t, Spec(columns={"Topic#2": "skills"}), KIND)
    assert fields.fields["skills"] == (2,)
    # the first `Topic` is an extra column; the third is a warning at its header
    assert "Topic" in fields.extra
    (repeat,) = [p for p in problems if "repeats the header" in p.message]
    assert repeat.severity == Severity.WARNING
    assert repeat.location == Location("f.csv", 1, 4)
    assert "Topic#3" in (repeat.hint or "")


def test_microsoft_id_is_not_the_persons_id() -> None:
    header = ["ID", "Start time", "Completion time", "Email", "Name"]
    t = table(header, ["1", "2027-01-04T09:00:00", "2027-01-04T09:05:00", "a@x.org", "Ann"])
    fields, problems = map_table(t, Spec(), KIND)
    assert "id" not in fields.fields
    assert fields.fields[SUBMITTED] == (2,)
    (missing,) = [p for p in problems if p.severity == Severity.ERROR]
    assert "response number" in (missing.hint or "")
    # mapped explicitly, it is taken
    fields, problems = map_table(t, Spec(columns={"ID": "id"}), KIND)
    assert fields.fields["id"] == (0,)


def test_explicit_mapping_turns_off_the_canonical_name() -> None:
    t = table(["Name", "Full name", "id"], ["x", "Ann Lee", "1"])
    fields, _ = map_table(t, Spec(columns={"Full name": "name"}), KIND)
    assert fields.fields["name"] == (1,)
    assert "Name" in fields.extra


def test_names_joined_and_lists_merged() -> None:
    t = table(
        ["First name", "Last name", "id", "Teach", "Also teach"],
        ["Ann", "Lee", "1", "a;b", "b; c;"],
    )
    spec = Spec(
        columns={
            "First name": "name",
            "Last name": "name",
            "Teach": "skills",
            "Also teach": "skills",
        }
    )
    rec, problems = record(t, spec)
    assert not problems
    assert rec.text("name") == "Ann Lee"
    assert rec.items("skills") == ("a", "b", "c")


def test_ambiguous_mapping_is_an_error_at_the_second_header() -> None:
    t = table(["Grade", "Level", "id", "name"], ["3", "4", "1", "A"])
    fields, problems = map_table(t, Spec(columns={"Grade": "level"}), KIND)
    # `Level` is named like the field but `Grade` is mapped to it: Level is extra
    assert fields.fields["level"] == (0,)
    fields, problems = map_table(t, Spec(columns={"Grade": "level", "Level": "level"}), KIND)
    (bad,) = problems
    assert bad.severity == Severity.ERROR
    assert "ambiguous mapping" in bad.message
    assert bad.location == Location("f.csv", 1, 2)


def test_values_map_and_unmapped_answer() -> None:
    t = table(["id", "name", "role"], ["1", "A", " MENTOR (I teach) "], ["2", "B", "Boss"])
    spec = Spec(values={"role": {"Mentor (I teach)": "mentor", "Mentee (I learn)": "mentee"}})
    rec, problems = record(t, spec)
    assert rec.text("role") == "mentor"
    rec, problems = record(t, spec, 1)
    assert rec.text("role") == ""
    (bad,) = problems
    assert bad.location == Location("f.csv", 3, 3)
    assert "`Boss`" in bad.message
    assert "`Mentor (I teach)`" in (bad.hint or "")
    assert rec.failed == {"role"}


def test_answer_that_is_already_a_value_passes() -> None:
    t = table(["id", "name", "role"], ["1", "A", "Mentor"])
    rec, problems = record(t, Spec(values={"role": {"Mentor (I teach)": "mentor"}}))
    assert rec.text("role") == "Mentor"
    assert not problems


def test_availability_grid() -> None:
    t = table(
        ["id", "name", "When? [Monday]", "When? [Thursday]", "Fri afternoon"],
        ["1", "A", "Morning;Afternoon", "14:00-16:00", ""],
    )
    spec = Spec(
        columns={
            "When? [Monday]": "availability",
            "When? [Thursday]": "availability",
            "Fri afternoon": "availability",
        },
        values={"availability": {"Morning": "09:00-12:00", "afternoon": "13:00-17:00"}},
    )
    rec, problems = record(t, spec)
    assert not problems
    assert rec.map.days == {2: 0, 3: 3, 4: 4}
    text, where = rec.availability()
    assert text == "Mon 09:00-12:00; Mon 13:00-17:00; Thu 14:00-16:00"
    assert where == Location("f.csv", 2, 3)


def test_grid_header_without_a_day() -> None:
    t = table(["id", "name", "When? [Monday]", "When? [Someday]"], ["1", "A", "", ""])
    spec = Spec(columns={"When? [Monday]": "availability", "When? [Someday]": "availability"})
    _, problems = map_table(t, spec, KIND)
    (bad,) = problems
    assert bad.location == Location("f.csv", 1, 4)
    assert "names no day" in bad.message


def test_grid_label_without_a_value_names_the_known_answers() -> None:
    t = table(["id", "name", "Mon", "Tue"], ["1", "A", "Evening", "Morning, Evening"])
    spec = Spec(
        columns={"Mon": "availability", "Tue": "availability"},
        values={"availability": {"Morning": "09:00-12:00"}},
    )
    rec, problems = record(t, spec)
    rec.availability()
    assert [p.location.column for p in problems] == [3, 4]
    assert "`Morning`" in (problems[0].hint or "")
    assert "contains `,`" in (problems[1].hint or "")


def test_single_availability_column_honours_the_separator() -> None:
    t = table(
        ["id", "name", "availability"], ["1", "A", "Mon 09:00-12:00, 14:00-16:00, Thu 10:00-11:00"]
    )
    rec, _ = record(t, Spec(list_separator=","))
    assert rec.availability()[0] == "Mon 09:00-12:00,14:00-16:00; Thu 10:00-11:00"


@pytest.mark.parametrize(
    ("title", "day"),
    [
        ("When can you meet? [Monday]", 0),
        ("Mon", 0),
        ("Tuesday mornings", 1),
        ("Available on Sun", 6),
        ("When can you meet?", None),
        ("Mon or Tue", None),
    ],
)
def test_header_day(title: str, day: int | None) -> None:
    assert header_day(title) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027/01/04 9:15:02 AM GMT+1", dt.datetime(2027, 1, 4, 9, 15, 2)),
        ("2027/01/04 1:15:02 PM GMT-5", dt.datetime(2027, 1, 4, 13, 15, 2)),
        ("1/4/2027 9:15:02", dt.datetime(2027, 1, 4, 9, 15, 2)),
        ("2027-01-04T09:15:02", dt.datetime(2027, 1, 4, 9, 15, 2)),
        ("2027-01-04 09:15:02", dt.datetime(2027, 1, 4, 9, 15, 2)),
        ("yesterday", None),
    ],
)
def test_parse_timestamp(text: str, expected: dt.datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_read_date_with_format() -> None:
    assert read_date("2008-01-02", "%d/%m/%Y") == dt.date(2008, 1, 2)
    assert read_date("2/1/2008", "%d/%m/%Y") == dt.date(2008, 1, 2)
    with pytest.raises(ValueError, match="date_format"):
        read_date("31/31/2008", "%d/%m/%Y")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        read_date("2/1/2008", None)


def test_separator_hint() -> None:
    assert (
        separator_hint("a; b", ",", "roster")
        == "this cell contains `;` — check roster.list_separator"
    )
    assert separator_hint("a, b", ",", "roster") is None


def test_latest_rows_by_time_then_order() -> None:
    t1, t2 = dt.datetime(2027, 1, 1), dt.datetime(2027, 1, 2)
    kept, replaced = latest_rows(
        [("a", t2, 2, "a-late"), ("b", None, 3, "b"), ("a", t1, 4, "a-early")]
    )
    assert kept == ["a-late", "b"]
    assert replaced == [("a", 4, 2)]
    kept, replaced = latest_rows([("a", None, 2, "first"), ("a", None, 5, "second")])
    assert kept == ["second"]
    assert replaced == [("a", 2, 5)]


# -- properties -------------------------------------------------------------------------

_WORDS = st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=8).map(str.strip).filter(bool)


@given(st.lists(_WORDS, min_size=1, max_size=5))
def test_joined_text_is_the_cells_in_column_order(parts: list[str]) -> None:
    header = [f"Part {i}" for i in range(len(parts))] + ["id"]
    t = table(header, [*parts, "1"])
    spec = Spec(columns=dict.fromkeys(header[:-1], "name"))
    rec, problems = record(t, spec)
    assert not problems
    assert rec.text("name") == " ".join(parts)


@given(st.lists(st.lists(_WORDS, max_size=4), min_size=1, max_size=4), st.sampled_from(";,|"))
def test_merged_lists_keep_each_item_once_in_order(cells: list[list[str]], sep: str) -> None:
    header = [f"Col {i}" for i in range(len(cells))] + ["id", "name"]
    # Microsoft writes a trailing separator: it never makes an empty item
    row = [sep.join(items) + sep for items in cells] + ["1", "A"]
    spec = Spec(columns=dict.fromkeys(header[:-2], "skills"), list_separator=sep)
    rec, _ = record(table(header, row), spec)
    expected = list(dict.fromkeys(item for items in cells for item in items))
    assert list(rec.items("skills")) == expected


@given(
    st.dictionaries(_WORDS, _WORDS, min_size=1, max_size=5),
    st.sampled_from(["lower", "upper", "pad"]),
)
def test_values_match_ignoring_case_and_space(answers: dict[str, str], how: str) -> None:
    folded: dict[str, str] = {}
    for answer, value in answers.items():
        folded.setdefault(answer.casefold(), value)
    for answer in answers:
        shown = {"lower": answer.lower(), "upper": answer.upper(), "pad": f"  {answer} "}[how]
        t = table(["id", "name", "role"], ["1", "A", shown])
        rec, problems = record(t, Spec(values={"role": answers}))
        assert rec.text("role") == folded[answer.casefold()]
        assert not problems


@given(st.lists(st.sampled_from(["Name", "Topic", "Email"]), min_size=1, max_size=8))
def test_every_repeat_is_addressable(header: list[str]) -> None:
    counts: dict[str, int] = {}
    addresses = []
    for title in header:
        counts[title] = counts.get(title, 0) + 1
        addresses.append(title if counts[title] == 1 else f"{title}#{counts[title]}")
    spec = Spec(columns={a: f"f{i}" for i, a in enumerate(addresses)})
    kind = Fields(canonical=tuple(f"f{i}" for i in range(len(header))))
    fields, problems = map_table(table(header), spec, kind)
    assert not problems
    assert fields.fields == {f"f{i}": (i,) for i in range(len(header))}


def test_one_availability_column_naming_a_day_in_passing_is_no_grid() -> None:
    t = table(
        ["id", "name", "When are you free? (e.g. Mon 09:00-12:00)"], ["1", "A", "Tue 10:00-11:00"]
    )
    spec = Spec(columns={"When are you free? (e.g. Mon 09:00-12:00)": "availability"})
    rec, problems = record(t, spec)
    assert not problems
    assert rec.map.days == {}
    assert rec.availability()[0] == "Tue 10:00-11:00"
