"""Anonymity as one system: no arithmetic on the report's figures isolates a few people.

An attacker reads every figure the program-wide report shows (the JSON, the skills
table, the satisfaction chart), knows how each one is defined, who belongs to which
group and who answered, and so how many answers are behind each figure. Every shown
mean times its count is then the sum of known people's answers: one linear equation.
The attacker can work out the sum of a group's answers exactly when the group's
indicator vector lies in the row space of these equations. The promise: no group of 1
to threshold - 1 people (an anonymous answer counts as a person of its own) has its
sum determined; not through one figure, not through a difference of two or three, nor
through any other combination.

The test derives each figure's set of answers from the figure's definition (what
docs/evaluation.md says it counts, less what the report says it left out), checks that
the shown value is indeed the mean over that set (so the sets are right), and then
checks the row space with numpy. It runs on random small programs and on the sample.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.cli.steps import evaluate_program
from rmentor.engines.evaluation import answers_to_date, evaluate, ordered_kinds
from rmentor.engines.privacy import POOLED, group_of
from rmentor.engines.report import Report, build_report
from rmentor.engines.status import build_status
from rmentor.files.load import open_program
from rmentor.model.activity import Response
from rmentor.model.config import Goal, ProgramConfig
from rmentor.model.pairings import Pairing, PairingState
from rmentor.model.people import Participant
from rmentor.model.sessions import Schedule
from tests.conftest import SAMPLE
from tests.rosters import config_from, person

START, END = dt.date(2027, 1, 11), dt.date(2027, 6, 25)
AFTER = dt.date(2027, 6, 30)  # after the end: every answer counts, every goal is decided
TOPICS = ("video", "ai")
Unit = tuple[object, str]  # (a person's id or an anonymous answer, the survey kind or topic)

# -- what the report shows, and over whose answers ---------------------------------------


@dataclass(frozen=True)
class Figure:
    """One shown figure: its family of answers, a label, the answers behind it, the value."""

    family: str  # answers of one question: "satisfaction", "nps", "goal_progress", "skill"
    label: str
    units: frozenset[Unit]
    value: float


@dataclass(frozen=True)
class Data:
    """What the attacker knows about a program: who is who, and who answered what."""

    people: Sequence[Participant]
    pairs: PairingState
    responses: Sequence[Response]
    today: dt.date


def _in_pairs(data: Data) -> set[str]:
    started = {x for p in data.pairs.pairs if p.since <= data.today for x in (p.mentor, p.mentee)}
    return started or {p.id for p in data.people}


def _score(field: str, value: Any) -> float:
    """An answer as the figure averages it (the net promoter score: +100, 0 or -100; a
    follow-up's change: 1 when it names one)."""
    if field == "changes":
        return 0.0 if str(value).strip().lower() in ("no", "") else 1.0
    if field == "recommend":
        return 100.0 if value >= 9 else (-100.0 if value <= 6 else 0.0)
    return float(value)


class Answers:
    """Each survey's answers as the report counts them, as units (who, kind)."""

    def __init__(self, data: Data, report: dict[str, Any]) -> None:
        self.roles = {p.id: p.role for p in data.people}
        taking_part = _in_pairs(data)
        left = report.get("left_out", [])
        # Answers the report says it left out: every answer of people not in a pair (or,
        # before matching, not on the roster), and anonymous answers to a question.
        self.outside = {e["survey"] for e in left if e.get("question") is None}
        self.anonymous = {(e["survey"], e["question"]) for e in left if e.get("question")}
        self.rows: dict[str, dict[object, Response]] = {}
        for position, r in enumerate(data.responses):
            who: object = r.respondent if r.respondent is not None else ("anonymous", position)
            if r.survey_kind in self.outside and r.respondent not in (None, *taking_part):
                continue
            self.rows.setdefault(r.survey_kind, {})[who] = r  # a later answer replaces

    def of(self, kind: str, field: str, role: str | None = None) -> dict[Unit, float]:
        out: dict[Unit, float] = {}
        for who, r in self.rows.get(kind, {}).items():
            value = getattr(r, field)
            if value is None:
                continue
            if isinstance(who, tuple) and (role is not None or (kind, field) in self.anonymous):
                continue
            if role is not None and self.roles.get(str(who)) != role:
                continue
            out[(who, kind)] = _score(field, value)
        return out

    def latest(self, field: str, role: str | None = None) -> str | None:
        """The latest kind with any answer: the one a headline figure shows."""
        kinds = ordered_kinds(k for k in self.rows if self.of(k, field, role))
        return kinds[-1] if kinds else None

    def skill(self, role: str | None = None) -> dict[Unit, float]:
        """after - before per (identified respondent, topic) rated in both."""

        def rated(kind: str) -> dict[str, Mapping[str, int]]:
            return {
                str(who): r.skills
                for who, r in self.rows.get(kind, {}).items()
                if not isinstance(who, tuple) and (role is None or self.roles.get(str(who)) == role)
            }

        before, after = rated("pre"), rated("final")
        if not any(after.values()):
            after = rated("midpoint")
        return {
            (who, topic): float(rating - before[who][topic])
            for who, ratings in after.items()
            if who in before
            for topic, rating in ratings.items()
            if topic in before[who]
        }


def _members(data: Data, report: Report) -> dict[tuple[str, str], set[str]]:
    """(dimension, row) -> the ids of the people in that breakdown row."""
    everyone = [p for p in data.people if p.id in _in_pairs(data)]
    out: dict[tuple[str, str], set[str]] = {}
    for breakdown in report.breakdowns:
        named = {row.group for row in breakdown.rows if row.group != POOLED}
        for row in breakdown.rows:
            out[(breakdown.dimension, row.group)] = {
                p.id
                for p in everyone
                if (g := group_of(p, breakdown.dimension)) == row.group
                or (row.group == POOLED and g not in named)
            }
    return out


def shown_figures(data: Data, report: Report, goals: Sequence[Goal]) -> list[Figure]:
    """Every survey figure the report shows, with the answers behind it."""
    shown = report.to_json()
    answers = Answers(data, shown)
    figures: list[Figure] = []

    def add(family: str, label: str, values: Mapping[Unit, float], value: float | None) -> None:
        if value is None:
            return  # hidden: it tells nothing
        assert values, f"{label} is shown ({value}) but no answer is behind it"
        units = frozenset(values)
        expected = fmean(values.values())
        tolerance = 0.051 if family == "nps" else 1e-9  # the score is rounded to 0.1
        assert value == pytest.approx(expected, abs=tolerance), (label, len(units))
        figures.append(Figure(family, label, units, value))

    plain = {
        "satisfaction": "satisfaction",
        "nps": "recommend",
        "goal_progress": "goal_progress",
        "safety": "safety",
    }
    for metric, field in plain.items():
        kind = answers.latest(field)
        if kind is not None:
            add(metric, f"metrics.{metric}", answers.of(kind, field), shown["metrics"][metric])
        for kind, survey in shown["surveys"].items():
            if metric in survey:
                add(metric, f"surveys.{kind}.{metric}", answers.of(kind, field), survey[metric])
    for kind, counts in report.satisfaction_distribution.items():
        mean = sum(v * c for v, c in zip(range(1, 6), counts, strict=True)) / sum(counts)
        add("satisfaction", f"chart.{kind}", answers.of(kind, "satisfaction"), mean)

    for name in ("insight", "voice"):  # the mentors' own gain, paired by person
        before, after = answers.of("pre", name, "mentor"), answers.of("final", name, "mentor")
        after = after or answers.of("midpoint", name, "mentor")
        gain = {
            (who, name): after[(who, kind)] - before[(who, "pre")]
            for who, kind in after
            if (who, "pre") in before
        }
        add(name, f"metrics.mentor_{name}_delta", gain, shown["metrics"][f"mentor_{name}_delta"])
        for goal in goals:
            if goal.metric == f"mentor_{name}_delta" and goal.role in (None, "mentor"):
                value = next(g["value"] for g in shown["goals"] if g["id"] == goal.id)
                add(name, f"goal.{goal.id}", gain, value)
    changed = {
        u: float(v) for u, v in answers.of("follow_up", "changes", "mentee").items()
    }  # 1 when the answer names a change
    add(
        "changes", "metrics.practice_change_rate", changed, shown["metrics"]["practice_change_rate"]
    )
    skill = answers.skill()
    add("skill", "metrics.skill_delta", skill, shown["metrics"]["skill_delta"])
    learnt = answers.skill("mentee")  # the per-topic figures are the mentees' (issue 15)
    for topic, value in shown["skill_delta_by_topic"].items():
        add("skill", f"topic.{topic}", {u: v for u, v in learnt.items() if u[1] == topic}, value)
    for topic_row in report.skills:
        items = {u: v for u, v in learnt.items() if u[1] == topic_row.topic}
        add("skill", f"skills table.{topic_row.topic}", items, topic_row.delta)
        assert topic_row.people == len(items)

    config_goals = {g["id"]: g for g in shown["goals"]}
    for goal in goals:
        value = config_goals[goal.id]["value"]
        if goal.metric == "skill_delta":
            items = answers.skill(goal.role)
            if goal.topic:  # a topic's figure is the mentees' unless the goal names a role
                items = answers.skill(goal.role or "mentee")
                items = {u: v for u, v in items.items() if u[1] == goal.topic}
            add("skill", f"goal.{goal.id}", items, value)
        elif goal.metric in plain:
            field = plain[goal.metric]
            kind = answers.latest(field, goal.role)
            if kind is not None:
                add(goal.metric, f"goal.{goal.id}", answers.of(kind, field, goal.role), value)

    members = _members(data, report)
    sat_kind = answers.latest("satisfaction")
    for breakdown in report.breakdowns:
        for row in breakdown.rows:
            ids = members[(breakdown.dimension, row.group)]
            label = f"{breakdown.dimension}.{row.group}"
            if sat_kind is not None:
                cell = {
                    u: v for u, v in answers.of(sat_kind, "satisfaction").items() if u[0] in ids
                }
                add("satisfaction", f"{label}.satisfaction", cell, row.satisfaction)
            cell = {u: v for u, v in skill.items() if u[0] in ids}
            add("skill", f"{label}.skill_delta", cell, row.skill_delta)
    return figures


# -- the attacker's linear algebra ------------------------------------------------------------


def determined_groups(figures: Sequence[Figure], threshold: int) -> list[str]:
    """Groups of 1 to threshold - 1 people whose answers' sum the figures determine.

    Per family of answers: the rows are the figures' indicator vectors over the answers.
    A group's vector (all its answers, or its answers of one survey or topic) is
    determined iff it lies in their row space. Only unions of whole classes (people
    whose answers sit in exactly the same figures) can be: a vector in the row space
    takes one value on identical columns, so those are the groups tried.
    """
    found: list[str] = []
    for family in sorted({f.family for f in figures}):
        rows = [f for f in figures if f.family == family]
        units = sorted({u for f in rows for u in f.units}, key=repr)
        index = {u: i for i, u in enumerate(units)}
        matrix = np.zeros((len(rows), len(units)))
        for r, f in enumerate(rows):
            matrix[r, [index[u] for u in f.units]] = 1.0
        _, sigma, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[sigma > 1e-9 * max(sigma.max(initial=0.0), 1.0)]
        people: dict[object, list[int]] = {}
        for u, i in index.items():
            people.setdefault(u[0], []).append(i)
        classes: dict[tuple[Any, ...], list[object]] = {}
        for who, columns in people.items():
            signature = tuple(sorted((units[i][1], tuple(matrix[:, i])) for i in columns))
            classes.setdefault(signature, []).append(who)
        small = [ids for ids in classes.values() if len(ids) < threshold]
        parts = sorted({u[1] for u in units})
        for size in range(1, len(small) + 1):
            groups = [
                g
                for g in itertools.combinations(small, size)
                if sum(len(ids) for ids in g) < threshold
            ]
            if not groups:
                break
            for group in groups:
                ids = [who for ids in group for who in ids]
                columns = [i for who in ids for i in people[who]]
                for part in (None, *parts):
                    vector = np.zeros(len(units))
                    picked = [i for i in columns if part is None or units[i][1] == part]
                    if not picked:
                        continue
                    vector[picked] = 1.0
                    rest = vector - basis.T @ (basis @ vector)
                    if np.abs(rest).max() < 1e-6:
                        what = "answers" if part is None else f"answers for {part}"
                        shown = [f.label for f in rows if f.units & {units[i] for i in picked}]
                        found.append(
                            f"{family}: the {what} of {len(ids)} "
                            f"{'person' if len(ids) == 1 else 'people'} {sorted(map(str, ids))}"
                            f" from {shown}"
                        )
    return found


# -- random programs ---------------------------------------------------------------------------


def config_for(threshold: int, goals: Sequence[dict[str, object]]) -> ProgramConfig:
    return config_from(
        START,
        END,
        {
            "topics": [{"id": t, "title": t.title()} for t in TOPICS],
            "goals": list(goals),
            "evaluation": {
                "anonymity_threshold": threshold,
                "surveys": [
                    {"file": "pre.csv", "kind": "pre"},
                    {"file": "mid.csv", "kind": "midpoint"},
                    {"file": "final.csv", "kind": "final"},
                ],
            },
        },
    )


@st.composite
def programs(draw: st.DrawFn) -> tuple[ProgramConfig, Data]:
    """Small programs where subtraction has a chance: most people paired, most of them
    answering, a few left without a partner, some anonymous answers."""
    threshold = draw(st.integers(3, 5))
    count = draw(st.integers(6, 28))
    people = [
        person(
            f"P{i:02d}",
            draw(st.sampled_from(("mentor", "mentee"))),
            department=draw(st.sampled_from(("Sales", "HR", "Legal", None))),
            birth_year=draw(st.sampled_from((1960, 1975, 1990, 2000, None))),
        )
        for i in range(count)
    ]
    mentors = [p.id for p in people if p.role == "mentor"]
    mentees = [p.id for p in people if p.role == "mentee"]
    most = min(len(mentors), len(mentees))
    paired = draw(st.integers(most // 2, most))
    pairs = PairingState(
        pairs=tuple(
            Pairing(m, e, 1.0, START)
            for m, e in zip(
                draw(st.permutations(mentors)), draw(st.permutations(mentees)), strict=False
            )
        )[:paired]
    )

    def often() -> bool:
        return draw(st.integers(0, 4)) > 0  # four times in five

    def answer(low: int = 1, high: int = 5) -> int | None:
        return draw(st.integers(low, high)) if often() else None

    responses: list[Response] = []
    for kind in ("pre", "midpoint", "final"):
        for p in people:
            if not often():
                continue
            skills = {t: draw(st.integers(1, 5)) for t in TOPICS if kind != "midpoint" and often()}
            mentor = p.role == "mentor" and kind != "midpoint"
            responses.append(
                Response(
                    kind,
                    p.id,
                    satisfaction=None if kind == "pre" else answer(),
                    recommend=None if kind == "pre" else answer(0, 10),
                    goal_progress=None if kind != "final" else answer(),
                    skills=skills,
                    insight=answer() if mentor else None,
                    voice=answer() if mentor else None,
                    safety=None if kind == "pre" else answer(),
                )
            )
        for _ in range(draw(st.integers(0, 4)) if kind != "pre" else 0):
            responses.append(
                Response(
                    kind, None, satisfaction=answer(), recommend=answer(0, 10), safety=answer()
                )
            )
    for p in people:  # the follow-up: what the mentees now do differently
        if p.role == "mentee" and often():
            responses.append(
                Response("follow_up", p.id, changes=draw(st.sampled_from(("A change", "no"))))
            )
    goals: list[dict[str, object]] = []
    for metric in (
        "satisfaction",
        "skill_delta",
        "goal_progress",
        "nps",
        "safety",
        "mentor_insight_delta",
    ):
        for role in draw(st.lists(st.sampled_from((None, "mentor", "mentee")), max_size=2)):
            goal: dict[str, object] = {
                "id": f"g{len(goals)}",
                "description": "a goal",
                "metric": metric,
                "target": 1,
                "role": role,
            }
            if metric == "skill_delta" and draw(st.booleans()):
                goal["topic"] = draw(st.sampled_from(TOPICS))
            goals.append(goal)
    config = config_for(threshold, goals)
    return config, Data(people, pairs, responses, AFTER)


def report_of(config: ProgramConfig, data: Data) -> Report:
    people, pairs, today = list(data.people), data.pairs, data.today
    evaluation = evaluate(config, people, pairs, Schedule(), [], data.responses, today)
    status = build_status(config, people, pairs, Schedule(), [], today)
    report = build_report(
        config, people, pairs, Schedule(), [], data.responses, evaluation, status, today
    )
    return report


@settings(max_examples=150, deadline=None)
@given(programs())
def test_no_small_group_can_be_solved_for(program: tuple[ProgramConfig, Data]) -> None:
    config, data = program
    report = report_of(config, data)
    threshold = config.evaluation.anonymity_threshold
    figures = shown_figures(data, report, config.goals)
    assert determined_groups(figures, threshold) == []


def test_the_attacker_finds_what_is_there() -> None:
    """The check itself: a total over more people than its breakdown is caught."""
    units = [(f"p{i}", "final") for i in range(12)]
    figures = [
        Figure("satisfaction", "total", frozenset(units), 4.0),
        Figure("satisfaction", "mentees", frozenset(units[:5]), 4.0),
        Figure("satisfaction", "mentors", frozenset(units[5:10]), 4.0),
    ]
    found = determined_groups(figures, 5)
    assert [f.split(" from ")[0] for f in found] == [
        "satisfaction: the answers of 2 people ['p10', 'p11']",
        "satisfaction: the answers for final of 2 people ['p10', 'p11']",
    ]
    assert determined_groups(figures[:2], 5) == []  # total - mentees: 7 people


# -- the sample ------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, Report, ProgramConfig]:
    folder = tmp_path_factory.mktemp("anonymity") / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    for command in ("match", "schedule"):
        result = runner.invoke(
            app, [command, "-q", "--today", "2027-01-04", "--program", str(folder)]
        )
        assert result.exit_code == 0, result.stdout
    program = open_program(folder)
    report = evaluate_program(program, AFTER)
    responses = answers_to_date(program.config, list(program.responses), AFTER)
    data = Data(program.participants, program.pairings, responses, AFTER)
    # what `report --json` prints is the report's own JSON
    printed = runner.invoke(
        app, ["report", "--json", "--today", AFTER.isoformat(), "--program", str(folder)]
    )
    assert json.loads(printed.stdout) == json.loads(json.dumps(report.to_json()))
    return data, report, program.config


def test_the_sample_is_safe_from_subtraction(
    sample_report: tuple[Data, Report, ProgramConfig],
) -> None:
    data, report, config = sample_report
    figures = shown_figures(data, report, config.goals)
    assert {f.family for f in figures} >= {"satisfaction", "skill"}
    assert determined_groups(figures, config.evaluation.anonymity_threshold) == []
