"""Reading the state files' TOML: rtoml where it can, tomllib where it must (`load_toml`).

rtoml reads state/schedule.toml five times faster than tomllib, large texts in parts
cut before each `[pairs.ID]` line. What the program sees must not change: every text
tomllib reads gives the same data, keys in the same order; every text tomllib refuses
gives tomllib's located problem; and data read back is written by tomli-w to the same
bytes. Here the parts are made tiny (`small_parts`) so that short texts are cut too.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tomllib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmentor.errors import InvalidProgram, Problem
from rmentor.files import state
from rmentor.files.mail_state import MailRecord, MailState, mail_text, parse_mail
from rmentor.files.state import load_toml, parse_schedule, schedule_text
from rmentor.model.sessions import PairPlan, Schedule, Session, Skip, Slot

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Adelaide")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts of more than 300 characters are read in parts of about 100."""
    monkeypatch.setattr(state, "TOML_PART", 100)
    monkeypatch.setattr(state, "TOML_PART_MAX", 300)


def parts_of(size: int) -> pytest.MonkeyPatch:
    """Texts of more than 3 x `size` characters read in parts of about `size`."""
    patch = pytest.MonkeyPatch()
    patch.setattr(state, "TOML_PART", size)
    patch.setattr(state, "TOML_PART_MAX", 3 * size)
    return patch


def schedule(pairs: int) -> Schedule:
    """A schedule of `pairs` pairs over several zones, with a skip and a period."""
    plans = []
    for n in range(pairs):
        zone = ZONES[n % len(ZONES)]
        pair = f"p{n:04d}x"
        sessions = tuple(
            Session(
                pair,
                k + 1,
                dt.datetime(2027, 3, 1 + 7 * k, 9, 30, tzinfo=ZoneInfo(zone)),
                dt.datetime(2027, 3, 1 + 7 * k, 10, 30, tzinfo=ZoneInfo(zone)),
                f"Theme {k}",
                ("ai", "video"),
                updated=dt.date(2027, 1, 4),
                fingerprint="be7ed02b9a882358",
            )
            for k in range(4)
        )
        periods = ((dt.date(2027, 3, 1), Slot(0, dt.time(9, 30), zone)),) if n % 3 == 0 else ()
        plans.append(
            PairPlan(pair, f"m{n}", f"e{n}", Slot(0, dt.time(9, 30), zone), sessions, periods)
        )
    skips = (Skip("p0000x", dt.date(2027, 4, 5), "Easter Monday"),)
    return Schedule(tuple(plans), skips, "sample.rmentor")


SCHEDULE = schedule_text(schedule(12))


def tomllib_says(text: str) -> dict[str, Any] | list[Problem]:
    """What reading `text` gave before rtoml: tomllib's data, or its problems."""
    try:
        return state._load_tomllib(text, "state/x.toml")
    except InvalidProgram as exc:
        return list(exc.problems)


def load_says(text: str) -> dict[str, Any] | list[Problem]:
    try:
        return load_toml(text, "state/x.toml")
    except InvalidProgram as exc:
        return list(exc.problems)


def same_order(a: object, b: object) -> bool:
    """Equal, with every table's keys in the same order."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_order(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_order(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # nan


def assert_reads_as_before(text: str) -> None:
    before, now = tomllib_says(text), load_says(text)
    assert same_order(now, before), (now, before)


def test_a_schedule_reads_as_tomllib_reads_it() -> None:
    assert len(SCHEDULE) > 10_000
    assert_reads_as_before(SCHEDULE)


def test_a_schedule_read_in_parts_reads_as_tomllib_reads_it() -> None:
    patch = parts_of(1_000)
    try:
        assert len(state._rtoml_parts(SCHEDULE) or []) > 5  # cut indeed
        assert_reads_as_before(SCHEDULE)
        assert parse_schedule(SCHEDULE) == schedule(12)
    finally:
        patch.undo()


def test_a_schedule_written_again_is_the_same_bytes() -> None:
    """An rtoml date-time (`rtoml.TzInfo`) is written as tomllib's (`timezone`) is."""
    assert schedule_text(parse_schedule(SCHEDULE)) == SCHEDULE
    text = "a = 2027-01-19T15:00:00-05:00\nb = 2027-01-19T15:00:00Z\n"
    text += "c = 2027-01-19T15:00:00.123456+05:30\nd = 2027-01-19T15:00:00\ne = 15:00:00\n"
    assert tomli_w.dumps(load_toml(text, "x")) == tomli_w.dumps(tomllib.loads(text))
    assert tomli_w.dumps(load_toml(SCHEDULE, "x")) == tomli_w.dumps(tomllib.loads(SCHEDULE))


def test_a_sent_time_is_a_plain_offset_that_pickles() -> None:
    """Worker processes get the model pickled: rtoml's TzInfo is not left in it."""
    sent = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    record = MailRecord("welcome:E1:p1", "welcome", "E1", ("a@example.com",), "<1@x>", "a.eml",
                        dt.date(2027, 1, 4), sent)  # fmt: skip
    read = parse_mail(mail_text(MailState((record,))))
    assert read == MailState((record,))
    assert type(read.messages[0].sent.tzinfo) is dt.timezone  # type: ignore[union-attr]
    assert pickle.loads(pickle.dumps(read)) == read


@pytest.mark.parametrize(
    "text",
    [
        "version = " + "[" * 5000 + "]" * 5000 + "\n",  # too deep for both
        "version = " + "[" * 100 + "]" * 100 + "\n",  # too deep for rtoml only
        "version = " + "1" * 5000 + "\n",  # too long for both
        "version = 123456789012345678901234567890\n",  # beyond 64 bits: tomllib reads it
        "a = 1e400\n",  # inf for tomllib
        "[pairs.x]\nmentor = 'm'\n[pairs.x]\nmentor = 'n'\n",
        "a = 1\nb = \n",
        "a = 2027-02-30\n",
        "t = 23:59:60\n",
        'a = "\\ud800"\n',
        "a = 1\r\nb = 2\r\n",
        "a = 1\rb = 2\n",
        'a = """x\r\ny"""\r\n',  # CRLF in a multi-line string: LF for tomllib
        "a = '''x\r\ny'''\n",
        "version = 1\n[pairs.p1]\nnote = { a = 1 }" + " " * 30000 + "x\n",  # brace, spaces
        "x = {" + " " * 100000 + "\n",
        "a = { b = 1 }" + " " * 3000 + "\n",  # a valid inline table on a long line
        "\ufeffa = 1\n",
        "# \x7f\na = 1\n",
        "",
    ],
)
def test_odd_texts_read_as_before(text: str) -> None:
    """What rtoml refuses, tomllib reads or words as before (file, line, column)."""
    assert_reads_as_before(text)


def test_nesting_too_deep_is_located() -> None:
    text = "version = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InvalidProgram) as raised:
        load_toml(text, "state/pairings.toml")
    (problem,) = raised.value.problems
    assert problem.location.file == "state/pairings.toml"
    assert "nested too deeply" in problem.message


PREAMBLE = "version = 1\n# the pairs\n"


def pairs(*ids: str) -> str:
    """`[pairs.ID]` tables as `schedule_text` writes them, one after the other."""
    table = "[pairs.{0}]\nmentor = 'm{0}'\n\n[pairs.{0}.slot]\nweekday = 1\n\n"
    return "".join(table.format(i) + f"[[pairs.{i}.sessions]]\nnumber = 1\n\n" for i in ids)


AB = pairs("a", "b")
CD = pairs("c", "d")


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize(
    ("text", "cut"),
    [
        # what parts read apart could miss, and TOML refuses
        (PREAMBLE + "[pairs]\n" + AB + "[pairs]\n" + CD, False),
        (PREAMBLE + '["pairs"]\n' + AB + '["pairs"]\n' + CD, False),
        (PREAMBLE + "[ pairs ]\n" + AB + "[pairs]\n" + CD, False),
        (PREAMBLE + "pairs = {}\n" + AB + CD, True),
        (PREAMBLE + AB + CD + pairs("a"), True),
        (PREAMBLE + AB + CD + "[pairs.a.more]\nx = 1\n", True),
        (PREAMBLE + AB + CD + "[pairs.a.slot]\nx = 1\n", True),
        (PREAMBLE + AB + "version = 2\n" + CD, True),
        (PREAMBLE + AB + CD + "[version]\n", True),
        (PREAMBLE + "[[pairs]]\nx = 1\n" + AB + CD, True),
        (PREAMBLE + "pairs.z.y = 1\n" + AB + CD, True),
        (PREAMBLE + AB + 's = """\n' + CD + '"""\n' + pairs("e"), True),
        (PREAMBLE + AB + "a = [\n" + CD + "]\n", True),
        # and what TOML reads
        (PREAMBLE + "[[skipped]]\nx = 1\n" + AB + CD + "[[skipped]]\n", True),
        (PREAMBLE + AB + CD + "[pairs]\nnote = 1\n" + pairs("e"), False),
        (PREAMBLE + "[other.a]\n" + AB + CD + "[other.b]\n", True),
        (PREAMBLE + AB + 's = """\n[pairs.x]\n"""\n' + CD, True),
        (PREAMBLE + AB + CD + "[[milestones]]\nid = 1\n[[milestones]]\nid = 2\n", True),
        (PREAMBLE + AB + CD + "[pairs.a.extra]\nx = 1\n" + pairs("e"), True),
        (PREAMBLE + AB + CD, True),
        (AB + CD + pairs("e"), True),  # no preamble: the first line is a pair's
        (AB + CD + pairs("a"), True),
    ],
)
def test_parts_read_as_the_whole_text(text: str, cut: bool) -> None:
    parts = state._rtoml_parts(text)
    assert len(text) > state.TOML_PART_MAX
    assert (parts is not None and len(parts) > 1) == cut, parts
    assert_reads_as_before(text)


@FUZZ
@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.integers(0, 20), min_size=n, max_size=n)))
def test_a_schedule_cut_anywhere_reads_as_before(cuts: list[int]) -> None:
    """A schedule with lines taken out and put back elsewhere, read in parts."""
    lines = SCHEDULE.splitlines(keepends=True)
    for cut in cuts:
        at = cut * len(lines) // 21
        lines.insert((at * 7) % len(lines), lines.pop(at))
    patch = parts_of(1_000)
    try:
        assert_reads_as_before("".join(lines))
    finally:
        patch.undo()


def mutated(seed: str) -> st.SearchStrategy[str]:
    """`seed` with a few characters changed, removed or put in."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = list(seed)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            what = draw(st.sampled_from(["put", "drop", "change"]))
            char = draw(st.sampled_from(list("[]{}\"'=.,\n#\\ 0aZ-:+T")) | st.characters())
            if what == "put" or at == len(text):
                text.insert(at, char)
            elif what == "drop":
                del text[at]
            else:
                text[at] = char
        return "".join(text)

    return build()


@FUZZ
@given(mutated(SCHEDULE))
def test_a_mutated_schedule_reads_as_before(text: str) -> None:
    assert_reads_as_before(text)


@FUZZ
@given(mutated(SCHEDULE))
def test_a_mutated_schedule_read_in_parts_reads_as_before(text: str) -> None:
    patch = parts_of(1_000)
    try:
        assert_reads_as_before(text)
    finally:
        patch.undo()


@FUZZ
@given(st.text(max_size=200))
def test_any_text_reads_as_before(text: str) -> None:
    assert_reads_as_before(text)


def test_a_long_brace_line_is_left_to_tomllib_and_checked_in_linear_time() -> None:
    # With backtracking, the first of these took 38 s and the second hours (the time
    # grew with the square of the line); both must be answered at once.
    assert state._INLINE_LINE.fullmatch("a = {}" + " " * 50_000 + "x") is None
    assert state._toml_1_1("a = { b = 1 }" + " " * (state.INLINE_LINE_MAX + 1) + "\n")
    assert not state._toml_1_1('    { pair = "p1", date = 2027-04-05 },\n')
