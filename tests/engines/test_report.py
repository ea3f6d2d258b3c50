"""The evaluation report: privacy, anonymity of breakdowns, its parts, and end to end."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.engines.evaluation import EvaluationResult
from rmentor.engines.privacy import (
    OTHER,
    POOLED,
    LeftOut,
    PersonFigures,
    Redactor,
    _pool,
    breakdowns,
    comments,
    counted_answers,
    generation,
    group_of,
    protect,
)
from rmentor.engines.report import certified, recommendations, weekly_attendance
from rmentor.errors import Location
from rmentor.model.activity import Meeting, MeetingStatus, Response
from rmentor.model.config import ProgramConfig
from rmentor.model.pairings import Pairing, PairingState, Withdrawal
from rmentor.model.people import Participant
from rmentor.model.sessions import PairPlan, Schedule, Session, Slot
from tests.conftest import SAMPLE, snapshot
from tests.rosters import config_from, person

runner = CliRunner()
SETUP_DAY = "2027-01-04"  # before the sample starts: match and schedule
REPORT_DAY = "2027-06-30"  # after the sample's end (2027-06-25): a full report
ZONE = ZoneInfo("Europe/Berlin")


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return str(result.stdout)


def weasyprint_works() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def prepare(folder: Path) -> Path:
    """Pair and schedule a program folder, as a coordinator does before reporting."""
    run("match", "-q", "--today", SETUP_DAY, "--program", str(folder))
    run("schedule", "-q", "--today", SETUP_DAY, "--program", str(folder))
    return folder


def copy_sample(target: Path) -> Path:
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out", "state"))
    return target


# -- 1. privacy canaries, end to end ---------------------------------------------------------

CANARIES = {
    # id: (name, email, birth year)
    "E1003": ("Zebulon Quartermaine", "canary.zq@leak.example", "1961"),
    "E2110": ("Xanthippe Oyelaran-Vasquez", "canary.xov@leak.example", "1983"),
    "E1010": ("Ottoline O'Shaughnessy", "canary.oo@leak.example", "1957"),
}
CANARY_COMMENT = (
    "Zebulon Quartermaine cancelled twice; Xanthippe helped a lot. Write to "
    "canary.zq@leak.example or ask E1003 / e2110 about Ottoline O'Shaughnessy."
)
REDACTED_COMMENT = (
    "[name] cancelled twice; [name] helped a lot. Write to [email] or ask [id] / [id] about [name]."
)


def plant_canaries(folder: Path) -> None:
    """Unusual names, emails and birth years on the roster; a comment that names them."""
    roster = folder / "participants.csv"
    with roster.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or ())
        rows = list(reader)
    planted = 0
    for row in rows:
        if row["id"] in CANARIES:
            row["name"], row["email"], row["birth_year"] = CANARIES[row["id"]]
            planted += 1
    assert planted == len(CANARIES)
    with roster.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    survey = folder / "feedback" / "midpoint-survey.csv"
    with survey.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    comment = table[0].index("Anything else?")
    respondent = table[0].index("Your employee ID")
    target = next(r for r in table[1:] if r[respondent] and not r[comment])
    target[comment] = CANARY_COMMENT
    with survey.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)


def roster_people(folder: Path) -> list[dict[str, str]]:
    with (folder / "participants.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def forbidden_patterns(folder: Path) -> list[tuple[str, re.Pattern[str]]]:
    """What must never appear in the program-wide report."""
    patterns: list[tuple[str, re.Pattern[str]]] = []

    def add(what: str, regex: str, flags: int = 0) -> None:
        patterns.append((what, re.compile(regex, flags)))

    for row in roster_people(folder):
        add(f"name {row['name']}", re.escape(row["name"]))
        add(f"email {row['email']}", re.escape(row["email"]), re.IGNORECASE)
        add(f"id {row['id']}", rf"(?<![\w.]){re.escape(row['id'])}(?!\w)", re.IGNORECASE)
        if row["birth_year"]:
            year = re.escape(row["birth_year"])
            # not inside a number or a URL (SVG's namespace is http://www.w3.org/2000/svg)
            add(f"birth year {row['birth_year']}", rf"(?<![\w./]){year}(?![\w/])")
    for name, email, _ in CANARIES.values():
        for word in re.findall(r"\w+(?:'\w+)*", name):
            for part in {word, *word.split("'")}:
                if len(part) >= 3:
                    add(f"canary name word {part}", re.escape(part), re.IGNORECASE)
        add(f"canary email {email}", re.escape(email.split("@")[0]), re.IGNORECASE)
    # The final survey's Microsoft Forms export carries names and emails as extra columns.
    sheet = openpyxl.load_workbook(folder / "feedback" / "final-survey.xlsx").active
    assert sheet is not None
    header, *answers = list(sheet.iter_rows(values_only=True))
    for column in ("Name", "Email"):
        index = header.index(column)
        for answer in answers:
            if answer[index]:
                add(f"survey {column} {answer[index]}", re.escape(str(answer[index])))
    return patterns


def leaks(text: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> list[str]:
    return [what for what, pattern in patterns if pattern.search(text)]


def test_report_reveals_no_name_email_id_or_birth_year(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "canary")
    plant_canaries(folder)
    prepare(folder)
    patterns = forbidden_patterns(folder)
    args = ("--today", REPORT_DAY, "--program", str(folder), "-q")
    run("report", "--format", "md", *args)
    run("report", "--format", "html", *args)
    data = json.loads(run("report", "--json", *args))
    out = folder / "out"
    texts = {
        "report.md": (out / "report.md").read_text(encoding="utf-8"),
        "report.html": (out / "report.html").read_text(encoding="utf-8"),
        "report --json": json.dumps(data, ensure_ascii=False),
    }
    charts = sorted((out / "report-charts").glob("*.svg"))
    assert charts
    texts.update({f"report-charts/{p.name}": p.read_text(encoding="utf-8") for p in charts})
    if weasyprint_works():
        from pypdf import PdfReader

        run("report", "--format", "pdf", *args, "--out", str(tmp_path / "pdf"))
        reader = PdfReader(io.BytesIO((tmp_path / "pdf" / "report.pdf").read_bytes()))
        texts["report.pdf"] = "\n".join(page.extract_text() for page in reader.pages)
    for where, text in texts.items():
        assert leaks(text, patterns) == [], f"{where} leaks personal data"

    # The comment was shown, blanked, and not merely dropped.
    assert {"survey": "midpoint", "text": REDACTED_COMMENT} in data["comments"]
    assert REDACTED_COMMENT in texts["report.html"]
    unescaped = texts["report.md"].replace("\\[", "[").replace("\\]", "]")
    assert REDACTED_COMMENT in unescaped
    # The canary's generation is a label, never the year.
    generations = {row["group"] for row in data["breakdowns"].get("generation", [])}
    assert not any(re.search(r"\d{4}", g) for g in generations)


# -- 2. anonymity of the breakdowns (property) ------------------------------------------------

DEPARTMENTS = ("Sales", "HR", "Legal", "Finance", None)


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Participant], PersonFigures, int]:
    count = draw(st.integers(0, 36))
    people: list[Participant] = []
    attendance: dict[str, tuple[int, int]] = {}
    satisfaction: dict[str, int] = {}
    skills: dict[str, dict[str, int]] = {}
    answered: dict[str, bool] = {}
    for i in range(count):
        pid = f"P{i:03d}"
        people.append(
            person(
                pid,
                draw(st.sampled_from(("mentor", "mentee"))),
                department=draw(st.sampled_from(DEPARTMENTS)),
                birth_year=draw(st.none() | st.integers(1920, 2020)),
            )
        )
        # planned may be 0 (a pair with nothing planned yet): that person has no
        # attendance figure, and must not count towards a group's size.
        if (held := draw(st.none() | st.tuples(st.integers(0, 6), st.integers(0, 6)))) is not None:
            attendance[pid] = held
        if (rating := draw(st.none() | st.integers(1, 5))) is not None:
            satisfaction[pid] = rating
        if (
            deltas := draw(
                st.none()
                | st.dictionaries(
                    st.sampled_from(("ai", "video", "data")), st.integers(-4, 4), min_size=1
                )
            )
        ) is not None:
            skills[pid] = deltas
        if (answer := draw(st.none() | st.booleans())) is not None:
            answered[pid] = answer
    threshold = draw(st.integers(3, 8))
    return people, PersonFigures(attendance, satisfaction, skills, answered), threshold


def _attendance(items: Sequence[tuple[int, int]]) -> float | None:
    planned = sum(p for _, p in items)
    return sum(h for h, _ in items) / planned if planned else None


def _mean_of_gains(items: Sequence[dict[str, int]]) -> float | None:
    values = [v for item in items for v in item.values()]
    return fmean(values) if values else None


@settings(max_examples=60, deadline=None)
@given(populations())
def test_breakdowns_reveal_no_small_group(
    population: tuple[list[Participant], PersonFigures, int],
) -> None:
    people, figures, threshold = population
    columns: dict[str, tuple[dict[str, Any], Callable[[Sequence[Any]], float | None]]] = {
        "people": ({p.id: p.id for p in people}, lambda items: float(len(items))),
        "attendance_rate": (figures.attendance, _attendance),
        "satisfaction": (figures.satisfaction, fmean),
        "skill_delta": (figures.skills, _mean_of_gains),
        "response_rate": (figures.answered, lambda items: sum(items) / len(items)),
    }
    everyone = {p.id for p in people}
    # column -> shown cells: (label, people with a value behind the figure)
    shown_cells: dict[str, list[tuple[str, frozenset[str]]]] = {c: [] for c in columns}
    for breakdown in breakdowns(people, figures, threshold):
        assert len(breakdown.rows) >= 2  # one group would be the program itself
        labels = [row.group for row in breakdown.rows]
        assert len(set(labels)) == len(labels)
        assert not any(re.search(r"\d{4}", label) for label in labels)
        group = {p.id: group_of(p, breakdown.dimension) for p in people}
        named = {label for label in labels if label != POOLED}
        members = {
            row.group: sorted(
                i
                for i, g in group.items()
                if (g not in named if row.group == POOLED else g == row.group)
            )
            for row in breakdown.rows
        }
        assert sorted(i for ids in members.values() for i in ids) == sorted(everyone)
        assert breakdown.pooled == (len(set(group.values()) - named) if POOLED in labels else 0)
        for ids in members.values():
            assert len(ids) >= threshold  # small groups are pooled

        for column, (values, measure) in columns.items():
            items = {
                row.group: [i for i in members[row.group] if i in values] for row in breakdown.rows
            }
            items = {
                g: [i for i in ids if measure([values[i]]) is not None] for g, ids in items.items()
            }
            hidden_people = 0
            for row in breakdown.rows:
                shown = getattr(row, column)
                mine = items[row.group]
                if shown is not None:
                    assert len(mine) >= threshold, (breakdown.dimension, row.group, column)
                    assert shown == pytest.approx(measure([values[i] for i in sorted(mine)]))
                    label = f"{breakdown.dimension}:{row.group}"
                    shown_cells[column].append((label, frozenset(mine)))
                else:
                    hidden_people += len(mine)
                    assert (column in row.hidden) == bool(mine)  # "hidden" only if it had one
            if sum(len(v) for v in items.values()) >= threshold:
                # the total minus the shown figures describes the hidden people together
                assert hidden_people == 0 or hidden_people >= threshold, (column, items)
    for column, (values, measure) in columns.items():
        total = frozenset(i for i in values if measure([values[i]]) is not None)
        cells = [*shown_cells[column], ("total", total)]
        for k, (label_a, a) in enumerate(cells):
            for label_b, b in cells[k + 1 :]:
                # one shown figure minus another describes the people in one but not both
                assert not 0 < len(a ^ b) < threshold, (column, label_a, label_b, len(a ^ b))


def units(*ids: int, part: str = "final") -> frozenset[tuple[str | int, str]]:
    return frozenset((f"p{i}", part) for i in ids)


def test_a_total_over_more_people_than_its_breakdown_is_caught() -> None:
    # The sample's bug: the total counted two people the role table did not, so the
    # total minus both roles was those two people's answers.
    cells = {(0, "Mentees"): units(*range(15)), (0, "Mentors"): units(*range(15, 28))}
    total = units(*range(30))
    _, hidden = protect(cells, 5, total)
    assert hidden == {(0, "Mentors")}  # total - mentees: 15 people
    assert protect(cells, 5, units(*range(28))) == (set(cells), set())  # the same people


def test_a_difference_of_three_figures_is_caught() -> None:
    # Generation X is Sales and HR plus one person: no two figures differ by fewer than
    # 3 people, but X - Sales - HR is person 6.
    cells = {
        (1, "Sales"): units(0, 1, 2),
        (1, "HR"): units(3, 4, 5),
        (1, "Legal"): units(6, 7, 8, 9),
        (1, "Finance"): units(10, 11, 12),
        (2, "X"): units(0, 1, 2, 3, 4, 5, 6),
        (2, "Y"): units(7, 8, 9, 10, 11, 12),
    }
    figures = [*cells.values(), units(*range(13))]
    assert all(len(a ^ b) >= 3 for a in figures for b in figures if a != b)
    shown, hidden = protect(cells, 3)
    # X goes, then Y (the total minus Y would be X again): the generation table
    assert hidden == {(2, "X"), (2, "Y")}
    assert shown == {(1, "Sales"), (1, "HR"), (1, "Legal"), (1, "Finance")}


def test_figures_over_the_same_answers_are_hidden_together() -> None:
    # a goal on the mentors' answers is the mentors' row: hidden with it
    cells = {
        (0, "Mentees"): units(*range(6)),
        (0, "Mentors"): units(6, 7, 8),
        (OTHER, "goal:mentors"): units(6, 7, 8),
    }
    assert protect(cells, 5)[1] == {(0, "Mentees"), (0, "Mentors"), (OTHER, "goal:mentors")}


def test_answers_of_people_outside_the_pairs_and_few_anonymous_ones_are_left_out() -> None:
    answers = [
        Response("final", "a", satisfaction=4, recommend=9),
        Response("final", "b", satisfaction=5),
        Response("final", "z", satisfaction=1),  # not in a pair
        Response("final", None, satisfaction=2, recommend=3),
        Response("final", None, satisfaction=3),
        Response("midpoint", None, satisfaction=3),
        Response("midpoint", None, satisfaction=3),
        Response("midpoint", None, satisfaction=3),
    ]
    counted, left = counted_answers(answers, {"a", "b"}, 3, "not in a pair")
    assert left == [
        LeftOut("final", 1, "not in a pair"),
        LeftOut("final", 2, "anonymous", "satisfaction"),
        LeftOut("final", 1, "anonymous", "recommend"),
    ]  # the midpoint's three anonymous answers reach the threshold: they count
    assert [r.respondent for r in counted] == ["a", "b", None, None, None, None, None]
    assert [r.satisfaction for r in counted if r.survey_kind == "final"] == [4, 5, None, None]
    assert all(r.recommend is None for r in counted if r.respondent is None)


# -- 3. the parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (1945, "Silent generation"),
        (1946, "Baby boomers"),
        (1964, "Baby boomers"),
        (1965, "Generation X"),
        (1980, "Generation X"),
        (1981, "Millennials"),
        (1996, "Millennials"),
        (1997, "Generation Z"),
        (None, "(not given)"),
        (1900, "(not given)"),
    ],
)
def test_generation_boundaries(year: int | None, label: str) -> None:
    assert generation(year) == label


def some(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


def test_pool_two_small_groups_together() -> None:
    groups = {"A": some("a", 6), "B": some("b", 2), "C": some("c", 3)}
    pooled, count = _pool(groups, 5)
    assert count == 2
    assert set(pooled) == {"A", POOLED}
    assert sorted(pooled[POOLED]) == sorted(some("b", 2) + some("c", 3))
    assert pooled["A"] == some("a", 6)


def test_pool_single_small_group() -> None:
    # Alone (the whole population), a small group keeps its name: nothing was pooled.
    assert _pool({"Sales": some("s", 2)}, 5) == ({"Sales": some("s", 2)}, 0)
    # Next to larger groups it is never shown under its own name, nor as a pool of one.
    pooled, count = _pool({"A": some("a", 8), "B": some("b", 6), "C": some("c", 2)}, 5)
    assert "C" not in pooled
    assert all(len(members) >= 5 for members in pooled.values())
    assert count == 2


def test_pool_too_small_absorbs_the_smallest_shown_group() -> None:
    groups = {"A": some("a", 8), "B": some("b", 6), "C": some("c", 2)}
    pooled, count = _pool(groups, 5)
    assert (set(pooled), count) == ({"A", POOLED}, 2)
    assert sorted(pooled[POOLED]) == sorted(some("b", 6) + some("c", 2))
    # ties between equally small shown groups: by name
    tie, _ = _pool({"B": some("b", 6), "A": some("a", 6), "C": some("c", 1)}, 5)
    assert sorted(tie[POOLED]) == sorted(some("a", 6) + some("c", 1))
    # a pool that absorbs everything leaves a single group: the program itself
    alone, _ = _pool({"A": some("a", 10), "B": some("b", 3)}, 5)
    assert list(alone) == [POOLED]


ROSTER = [
    person("E1003", "mentee", name="Zebulon Quartermaine", email="zq@leak.example"),
    person("E1010", "mentee", name="Patrick O'Brien"),
    person("E2101", "mentor", name="Grace Park"),
    person("E2102", "mentor", name="Anne-Marie Li"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to zq@leak.example or other.person@x.example.", "Write to [email] or [email]."),
        ("Ask e1003 or E1010 first", "Ask [id] or [id] first"),
        ("I met O'Brien today", "I met [name] today"),
        ("Sessions with Quartermaine were great", "Sessions with [name] were great"),
        ("We walked in the park with Park", "We walked in the park with [name]"),
        ("grace and patience", "grace and patience"),
        ("Zebulon Quartermaine and Grace Park, Anne-Marie", "[name] and [name]"),
        ("Thanks Marie and Li", "Thanks [name] and [name]"),
        ("Zebulon, Quartermaine helped", "[name] helped"),
        # capitals, a lower-case full name, underscores; a lone lower-case word stays
        ("THANK YOU QUARTERMAINE", "THANK YOU [name]"),
        ("ask grace park or patrick o'brien", "ask [name] or [name]"),
        ("see zebulon_quartermaine's notes", "see [name] notes"),
        ("a walk in the park, by grace", "a walk in the park, by grace"),
    ],
)
def test_redactor(text: str, expected: str) -> None:
    assert Redactor(ROSTER)(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Zebulon's sessions", "O\u2019Brien was late", "O'Brien's team", "E1003's pair"],
)
def test_redactor_possessives_and_typographic_apostrophes(text: str) -> None:
    redacted = Redactor(ROSTER)(text)
    assert not re.search(r"Zebulon|Brien|E1003", redacted), redacted


def answer(kind: str, who: str | None, text: str | None = None, **values: Any) -> Response:
    return Response(kind, who, comments=text, source=Location(f"{kind}.csv", 2, 1), **values)


def test_comments_order_is_stable_and_small_surveys_are_held_back() -> None:
    mid = [answer("midpoint", f"E{i}", f"comment number {i}  about\nthings") for i in range(6)]
    mid += [answer("midpoint", "E9", "   "), answer("midpoint", "E8")]
    pre = [answer("pre", "E1", "too few"), answer("pre", "E2"), answer("pre", None, "me too")]
    final = [answer("final", f"E{i}") for i in range(6)]  # no comments at all
    by_kind = {"pre": pre, "midpoint": mid, "final": final}
    shown, hidden = comments(by_kind, lambda t: t.upper(), 5, "salt")
    assert hidden == {"pre": 2}  # 3 responses < 5: both comments held back
    assert {c.kind for c in shown} == {"midpoint"}
    assert sorted(c.text for c in shown) == sorted(
        f"COMMENT NUMBER {i} ABOUT THINGS" for i in range(6)
    )
    rng = random.Random(7)
    for _ in range(5):
        shuffled = {k: rng.sample(v, len(v)) for k, v in reversed(by_kind.items())}
        assert comments(shuffled, lambda t: t.upper(), 5, "salt") == (shown, hidden)
    # the order is not the order people answered in (for this salt)
    assert [c.text for c in shown] != [f"COMMENT NUMBER {i} ABOUT THINGS" for i in range(6)]


START, END = dt.date(2027, 1, 13), dt.date(2027, 6, 25)  # START is a Wednesday


def config(surveys: Sequence[str] = ("pre", "final"), **evaluation: Any) -> ProgramConfig:
    return config_from(
        START,
        END,
        {
            "topics": [{"id": "video", "title": "V"}],
            "evaluation": {
                "surveys": [{"file": f"{k}.csv", "kind": k} for k in surveys],
                **evaluation,
            },
        },
    )


def meeting(pair: Pairing, day: str, status: MeetingStatus = "held") -> Meeting:
    return Meeting(pair.id, dt.date.fromisoformat(day), status)


def test_certificates_need_sessions_and_the_final_survey() -> None:
    first = Pairing("m1", "e1", 1.0, START, status="withdrawn", ended=dt.date(2027, 2, 1))
    second = Pairing("m2", "e1", 1.0, dt.date(2027, 2, 8))
    third = Pairing("m3", "e3", 1.0, START, status="withdrawn", ended=dt.date(2027, 3, 1))
    pairs = PairingState(pairs=(first, second, third))
    meetings = [
        meeting(first, "2027-01-13"),
        meeting(first, "2027-01-20"),
        meeting(first, "2027-01-27", "cancelled"),
        meeting(second, "2027-02-10"),
        meeting(second, "2027-02-17"),
        meeting(second, "2027-07-01"),  # after today
        *(meeting(third, f"2027-02-{day:02d}") for day in (1, 8, 15, 22)),
    ]
    people = [
        person(i, "mentor" if i[0] == "m" else "mentee") for i in ("m1", "m2", "m3", "e1", "e3")
    ]
    responses = [
        answer("final", "e1"),
        answer("final", "m3"),
        answer("final", "m1"),
        answer("pre", "e3"),  # not the final survey
        answer("final", None),
    ]
    today = dt.date(2027, 6, 30)
    rule = config(certificate={"min_sessions": 4, "final_survey": True})
    # e1: 2 + 2 held over two pairs; m3: 4 in a pair that withdrew; e3 has 4, no final
    assert certified(rule, people, pairs, meetings, responses, today) == [("m3", 4), ("e1", 4)]
    no_survey = config(certificate={"min_sessions": 4, "final_survey": False})
    assert certified(no_survey, people, pairs, meetings, responses, today) == [
        ("m3", 4),
        ("e1", 4),
        ("e3", 4),
    ]
    more = config(certificate={"min_sessions": 5, "final_survey": False})
    assert certified(more, people, pairs, meetings, responses, today) == []
    # e3 withdrew on 1 March (ending the third pair): e3 gets nothing, m3 keeps the 4
    # sessions; a meeting logged after the pair's end does not count
    left = PairingState(pairs=pairs.pairs, withdrawn=(Withdrawal("e3", dt.date(2027, 3, 1)),))
    late = [*meetings, meeting(third, "2027-03-08")]
    assert certified(no_survey, people, left, late, responses, today) == [("m3", 4), ("e1", 4)]


def planned(pair: Pairing, *days: str, status: str = "planned") -> PairPlan:
    sessions = []
    for number, day in enumerate(days, 1):
        start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), ZONE)
        sessions.append(
            Session(pair.id, number, start, start + dt.timedelta(hours=1), "t", status=status)  # type: ignore[arg-type]
        )
    return PairPlan(
        pair.id, pair.mentor, pair.mentee, Slot(0, dt.time(10), "Europe/Berlin"), tuple(sessions)
    )


def test_weekly_attendance_by_hand() -> None:
    one = Pairing("m1", "e1", 1.0, START)
    two = Pairing("m2", "e2", 1.0, START, status="withdrawn", ended=dt.date(2027, 1, 20))
    pairs = PairingState(pairs=(one, two))
    schedule = Schedule(
        plans=(
            # Wed 13th, Mon 18th, Sun 24th (still the week of the 18th), Thu 28th (after today)
            planned(one, "2027-01-13", "2027-01-18", "2027-01-24", "2027-01-28"),
            # the pair ended on the 20th: its session on the 25th is not planned any more
            planned(two, "2027-01-18", "2027-01-25"),
            planned(Pairing("zz", "yy", 1.0, START), "2027-01-19"),  # unknown pair
        )
    )
    meetings = [
        meeting(one, "2027-01-13"),
        meeting(one, "2027-01-19"),
        meeting(one, "2027-01-24"),  # a Sunday
        meeting(one, "2027-01-26", "cancelled"),
        meeting(two, "2027-01-18"),
        meeting(one, "2027-01-28"),  # after today
        Meeting("pzzzzzzz", dt.date(2027, 1, 19), "held"),  # unknown pair
    ]
    today = dt.date(2027, 1, 27)
    weeks = weekly_attendance(pairs, schedule, meetings, START, END, today)
    assert weeks == [
        (dt.date(2027, 1, 11), 1, 1),
        (dt.date(2027, 1, 18), 3, 3),
        (dt.date(2027, 1, 25), 0, 0),
    ]
    assert all(monday.weekday() == 0 for monday, _, _ in weeks)
    assert weekly_attendance(pairs, schedule, meetings, START, END, dt.date(2027, 1, 1)) == []
    # after the end, the weeks stop at the end
    weeks = weekly_attendance(pairs, schedule, meetings, START, dt.date(2027, 1, 19), END)
    assert [w for w, _, _ in weeks] == [dt.date(2027, 1, 11), dt.date(2027, 1, 18)]


def evaluation(**metrics: float | None) -> EvaluationResult:
    return EvaluationResult(dt.date(2027, 3, 1), dict(metrics), [])


def abouts(cfg: ProgramConfig, result: EvaluationResult) -> list[str]:
    return [r.about for r in recommendations(cfg, result, 0, [])]


def test_recommendations() -> None:
    low = recommendations(config(), evaluation(attendance_rate=0.55), 0, [])
    assert [r.about for r in low] == ["attendance_rate"]
    assert "55 %" in low[0].finding
    assert abouts(config(), evaluation(attendance_rate=0.95)) == []
    assert abouts(config(("pre", "midpoint")), evaluation(attendance_rate=0.95)) == ["surveys"]
    assert "pairs_at_risk" in [r.about for r in recommendations(config(), evaluation(), 2, [])]
    assert abouts(config(), evaluation(attendance_rate=None)) == []


# -- 4. end to end on the sample ----------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample program, paired and scheduled (shared: tests write to their own --out)."""
    return prepare(copy_sample(tmp_path_factory.mktemp("report") / "sample"))


@pytest.fixture(scope="module")
def report_json(prepared: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        run("report", "--json", "--today", REPORT_DAY, "--program", str(prepared))
    )
    return data


def test_json_has_goals_and_metrics(report_json: dict[str, Any]) -> None:
    assert report_json["goals"]
    for goal in report_json["goals"]:
        assert {"id", "metric", "value", "target", "status"} <= set(goal)
        assert goal["status"] in ("met", "on track", "at risk", "missed", "no data")
    metrics = report_json["metrics"]
    assert {"attendance_rate", "satisfaction", "skill_delta", "response_rate"} <= set(metrics)
    skills = next(g for g in report_json["goals"] if g["id"] == "skills")
    # the goal counts mentees' answers only; the metric everyone's
    assert skills["value"] is not None
    assert metrics["skill_delta"] is not None
    assert skills["value"] != pytest.approx(metrics["skill_delta"])


def test_totals_goals_and_breakdowns_count_the_same_people(report_json: dict[str, Any]) -> None:
    # Two mentors without a partner answered every survey; the report leaves them out
    # and says so, so the total is the role rows put together: 28 = 15 + 13 answers.
    assert [(e["survey"], e["answers"], e["reason"]) for e in report_json["left_out"]] == [
        ("pre", 2, "not in a pair"),
        ("midpoint", 2, "not in a pair"),
        ("final", 2, "not in a pair"),
    ]
    roles = {row["group"]: row for row in report_json["breakdowns"]["role"]}
    total = report_json["metrics"]["satisfaction"]
    mentees, mentors = roles["Mentees"]["satisfaction"], roles["Mentors"]["satisfaction"]
    assert 28 * total - 15 * mentees - 13 * mentors == pytest.approx(0.0)  # was 9
    assert report_json["surveys"]["final"]["responses"] == 28
    # the mentees' skill goal is the mentees' row
    skills = next(g for g in report_json["goals"] if g["id"] == "skills")
    assert skills["value"] == pytest.approx(roles["Mentees"]["skill_delta"])


def test_markdown_report_twice_is_byte_identical(
    prepared: Path, tmp_path: Path, report_json: dict[str, Any]
) -> None:
    out = tmp_path / "out"
    args = ("report", "--format", "md", "--today", REPORT_DAY, "--program", str(prepared))
    run(*args, "--out", str(out), "-q")
    first = snapshot(out)
    run(*args, "--out", str(out), "-q")
    assert snapshot(out) == first

    text = (out / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links
    for link in links:
        assert link.startswith("report-charts/"), link
        assert (out / link).is_file(), link
    charts = {f"report-charts/{p.name}" for p in (out / "report-charts").iterdir()}
    assert charts == set(links)
    certificates = list((out / "certificates").iterdir())
    assert report_json["certificates"] > 0
    assert len(certificates) == report_json["certificates"]


def test_html_report_has_inline_charts(prepared: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(
        "report",
        "--format",
        "html",
        "--today",
        REPORT_DAY,
        "--program",
        str(prepared),
        "--out",
        str(out),
        "-q",
    )
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert "<img" not in html
    assert not (out / "report-charts").exists()


# -- 5. earlier cohorts ---------------------------------------------------------------------------


@pytest.fixture
def cohorts(prepared: Path, tmp_path: Path) -> tuple[Path, Path]:
    """df-2027 compares itself with df-2026, which held half the meetings."""
    earlier = tmp_path / "df-2026"
    current = tmp_path / "df-2027"
    for folder in (earlier, current):
        shutil.copytree(prepared, folder, ignore=shutil.ignore_patterns("out"))
    yaml = (earlier / "program.yaml").read_text(encoding="utf-8")
    (earlier / "program.yaml").write_text(
        yaml.replace("name: Digital Fluency 2027", "name: Digital Fluency 2026", 1),
        encoding="utf-8",
    )
    lines = (earlier / "meetings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (earlier / "meetings.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    yaml = (current / "program.yaml").read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^  compare: \[\].*$", "  compare: [../df-2026]", yaml)
    assert changed != yaml
    (current / "program.yaml").write_text(changed, encoding="utf-8")
    return earlier, current


def test_cohorts_side_by_side(cohorts: tuple[Path, Path]) -> None:
    earlier, current = cohorts
    today = ("--today", REPORT_DAY)
    alone = json.loads(run("report", "--json", *today, "--program", str(earlier)))
    data = json.loads(run("report", "--json", *today, "--program", str(current)))
    assert [c["name"] for c in data["cohorts"]] == ["Digital Fluency 2026"]
    cohort = data["cohorts"][0]
    assert cohort["metrics"] == alone["metrics"]
    assert cohort["metrics"]["meetings_held"] < data["metrics"]["meetings_held"]
    assert [g["id"] for g in cohort["goals"]] == [g["id"] for g in alone["goals"]]
    assert (cohort["start"], cohort["end"]) == ("2027-01-11", "2027-06-25")

    # an earlier cohort whose files have errors stops the report, naming the folder
    roster = earlier / "participants.csv"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace(",mentee,", ",boss,", 1), encoding="utf-8"
    )
    result = invoke("report", "--json", *today, "--program", str(current))
    assert result.exit_code == 1
    assert "../df-2026" in result.stdout + result.stderr


def test_markdown_report_compares_cohorts(cohorts: tuple[Path, Path]) -> None:
    _, current = cohorts
    run("report", "--format", "md", "--today", REPORT_DAY, "--program", str(current), "-q")
    text = (current / "out" / "report.md").read_text(encoding="utf-8")
    assert "Compared with earlier cohorts" in text
    table = text[text.index("Compared with earlier cohorts") :]
    assert "| Digital Fluency 2027 | Digital Fluency 2026 |" in table


HOSTILE_COMMENT = (
    '<script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %} =HYPERLINK("http://x") '
    "[click](javascript:alert(1)) ![img](http://tracker.example/p.png) | a | b |"
)


def test_hostile_comment_is_only_text(tmp_path: Path) -> None:
    folder = prepare(copy_sample(tmp_path / "program"))
    survey = folder / "feedback" / "final-survey.xlsx"
    book = openpyxl.load_workbook(survey)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Comments") + 1, value=HOSTILE_COMMENT)
    book.save(survey)
    for fmt in ("md", "html"):
        run("report", "--format", fmt, "--today", REPORT_DAY, "--program", str(folder), "-q")
    html = (folder / "out" / "report.html").read_text(encoding="utf-8")
    md = (folder / "out" / "report.md").read_text(encoding="utf-8")
    # shown, as text: escaped in HTML, never a tag, link, image or evaluated template
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert 'src="http://tracker' not in html
    assert "\\<script\\>" in md
    assert "\\{\\{ 7\\*7 \\}\\}" in md


def test_an_earlier_cohort_is_shown_with_the_stricter_threshold(
    cohorts: tuple[Path, Path],
) -> None:
    earlier, current = cohorts
    yaml = (current / "program.yaml").read_text(encoding="utf-8")
    stricter = re.sub(r"anonymity_threshold: 5\b", "anonymity_threshold: 31", yaml)
    assert stricter != yaml
    (current / "program.yaml").write_text(stricter, encoding="utf-8")
    today = ("--today", REPORT_DAY)
    alone = json.loads(run("report", "--json", *today, "--program", str(earlier)))
    data = json.loads(run("report", "--json", *today, "--program", str(current)))
    # 30 people answered the final survey: enough for df-2026's threshold of 5 alone,
    # too few for df-2027's 31, which also applies to df-2026 shown beside it
    assert alone["metrics"]["satisfaction"] is not None
    assert data["metrics"]["satisfaction"] is None
    assert data["cohorts"][0]["metrics"]["satisfaction"] is None


def test_report_prints_each_goal_with_its_direction(prepared: Path, tmp_path: Path) -> None:
    out = run(
        "report", "--format", "md", "--today", REPORT_DAY, "--program", str(prepared),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert "≥ 80 %" in out  # attendance: at least
    assert "≤ 10 %" in out  # dropout: at most
    assert "(mentees)" in out  # the skills goal counts the mentees' answers
    assert "28 certificates" in out


def test_the_fit_checks_free_text_is_never_quoted_in_the_report(tmp_path: Path) -> None:
    # `rmentor forms` maps the fit check's "Anything we should know?" to comments, and
    # its forms say only the coordinator reads it: the report must not quote it.
    folder = prepare(copy_sample(tmp_path / "p"))
    yaml_text = (folder / "program.yaml").read_text()
    yaml_text = yaml_text.replace(
        '"Anything we should know?": ~', '"Anything we should know?": comments'
    )
    (folder / "program.yaml").write_text(yaml_text)
    answers = folder / "feedback" / "fit-check.csv"
    rows = answers.read_text().splitlines()
    rows = [rows[0]] + [row.removesuffix(',""') + ',"FIT CHECK SECRET"' for row in rows[1:]]
    answers.write_text("\n".join(rows) + "\n")
    data = json.loads(run("report", "--json", "--today", "2027-06-30", "--program", str(folder)))
    assert data["comments"]  # the other surveys' comments are still quoted
    assert not [c for c in data["comments"] if c["survey"] == "fit_check"]
    assert "FIT CHECK SECRET" not in json.dumps(data)
