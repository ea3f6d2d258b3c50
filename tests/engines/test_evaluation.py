"""Evaluation metrics against hand-computed values, goal statuses, and suppression."""

from __future__ import annotations

import datetime as dt
from statistics import fmean
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmentor.engines.evaluation import (
    answers_to_date,
    attendance_rate,
    average_minutes,
    completion_rate,
    dropout_rate,
    elapsed_share,
    evaluate,
    goal_status,
    nps,
    projected_completion,
    suppress,
)
from rmentor.engines.status import build_status
from rmentor.errors import Location
from rmentor.model.activity import Meeting, MeetingStatus, Response
from rmentor.model.config import Goal, ProgramConfig
from rmentor.model.pairings import Pairing, PairingState, Withdrawal
from rmentor.model.sessions import PairPlan, Schedule, Session, Slot
from tests.rosters import config_from, person

START, END = dt.date(2027, 1, 11), dt.date(2027, 6, 25)
ZONE = ZoneInfo("Europe/Berlin")
P1 = Pairing("m1", "e1", 1.0, START)
P2 = Pairing("m2", "e2", 1.0, START)
P3 = Pairing("m3", "e3", 1.0, START, status="withdrawn", ended=dt.date(2027, 2, 1))
LATE = Pairing("m4", "e4", 1.0, dt.date(2027, 5, 1))  # formed after TODAY
PAIRS = PairingState(
    pairs=(P1, P2, P3, LATE),
    withdrawn=(Withdrawal("e3", dt.date(2027, 2, 1)), Withdrawal("x9", dt.date(2027, 1, 5))),
)
TODAY = dt.date(2027, 2, 15)
PEOPLE = [
    person(i, "mentor" if i[0] == "m" else "mentee")
    for i in ("m1", "e1", "m2", "e2", "m3", "e3", "m4", "e4")
]


def session(pair: Pairing, number: int, day: dt.date, status: str = "planned") -> Session:
    start = dt.datetime.combine(day, dt.time(10), ZONE)
    return Session(pair.id, number, start, start + dt.timedelta(hours=1), "t", status=status)  # type: ignore[arg-type]


def weekly(pair: Pairing, count: int) -> PairPlan:
    days = [START + dt.timedelta(days=7 * i) for i in range(count)]
    sessions = tuple(session(pair, i + 1, d) for i, d in enumerate(days))
    return PairPlan(
        pair.id, pair.mentor, pair.mentee, Slot(0, dt.time(10), "Europe/Berlin"), sessions
    )


# 10 weekly sessions each from Jan 11: by Feb 15 six have started (Jan 11 ... Feb 15).
# P3 ended Feb 1, so only its sessions up to Feb 1 count: four. LATE has none.
SCHEDULE = Schedule(plans=(weekly(P1, 10), weekly(P2, 10), weekly(P3, 10)))


def meeting(
    pair: Pairing, day: str, status: MeetingStatus = "held", minutes: int | None = None
) -> Meeting:
    return Meeting(
        pair.id, dt.date.fromisoformat(day), status, minutes, source=Location("meetings.csv", 2, 1)
    )


MEETINGS = [
    meeting(P1, "2027-01-11", minutes=60),
    meeting(P1, "2027-01-18", minutes=30),
    meeting(P1, "2027-01-25"),
    meeting(P1, "2027-02-01", minutes=45),
    meeting(P1, "2027-02-08", "cancelled"),
    meeting(P1, "2027-03-01", minutes=60),  # after TODAY: not counted
    meeting(P2, "2027-01-12", minutes=90),
    meeting(P2, "2027-01-19", "no-show"),
    meeting(P3, "2027-01-11", minutes=15),
    Meeting("pzzzzzzz", dt.date(2027, 1, 11), "held", 60),  # unknown pair: not counted
]


def program(
    goals: list[dict[str, object]] | None = None, min_sessions: int = 4, threshold: int = 1
) -> ProgramConfig:
    return config_from(
        START,
        END,
        {
            "topics": [{"id": "video", "title": "V"}, {"id": "ai", "title": "A"}],
            "goals": goals or [],
            "evaluation": {
                "min_sessions": min_sessions,
                "anonymity_threshold": threshold,
                "surveys": [
                    {"file": "pre.csv", "kind": "pre"},
                    {"file": "mid.csv", "kind": "midpoint"},
                    {"file": "final.csv", "kind": "final"},
                ],
            },
        },
    )


def test_meeting_metrics_by_hand() -> None:
    # planned: P1 6 + P2 6 + P3 4 (until its end) = 16; held to date: P1 4, P2 1, P3 1 = 6
    assert attendance_rate(PAIRS, SCHEDULE, MEETINGS, TODAY) == pytest.approx(6 / 16)
    # minutes over held meetings with minutes: 60, 30, 45, 90, 15
    assert average_minutes(PAIRS, MEETINGS, TODAY) == pytest.approx(48.0)
    # pairs formed by TODAY: P1, P2, P3; with >= 4 held: P1 only
    assert completion_rate(PAIRS, MEETINGS, TODAY, 4) == pytest.approx(1 / 3)
    # started: six people; withdrew among them: e3 (x9 never started)
    assert dropout_rate(PAIRS, TODAY) == pytest.approx(1 / 6)
    assert dropout_rate(PAIRS, dt.date(2027, 1, 20)) == 0.0
    assert attendance_rate(PAIRS, SCHEDULE, MEETINGS, dt.date(2027, 1, 1)) is None


def test_attendance_matches_status_dashboard() -> None:
    status = build_status(program(), PEOPLE, PAIRS, SCHEDULE, MEETINGS, TODAY)
    assert attendance_rate(PAIRS, SCHEDULE, MEETINGS, TODAY) == status.attendance_rate


def test_cancelled_sessions_are_not_planned() -> None:
    plan = weekly(P1, 2)
    cancelled = PairPlan(
        plan.pair,
        plan.mentor,
        plan.mentee,
        plan.slot,
        (plan.sessions[0], session(P1, 2, dt.date(2027, 1, 18), "cancelled")),
    )
    state = PairingState(pairs=(P1,))
    assert attendance_rate(state, Schedule(plans=(cancelled,)), MEETINGS, TODAY) == 4.0


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([10, 9, 8, 7, 6], 20.0),  # 2/5 promoters - 1/5 detractors
        ([0, 1, 2], -100.0),
        ([9, 9, 9], 100.0),
        ([7, 8], 0.0),
        ([10, 6, 6], -33.3),  # 1/3 - 2/3 = -33.33...
        ([], None),
    ],
)
def test_nps(answers: list[int], expected: float | None) -> None:
    assert nps(answers) == expected


def r(kind: str, who: str | None, **values: object) -> Response:
    return Response(kind, who, source=Location(f"{kind}.csv", 2, 1), **values)  # type: ignore[arg-type]


RESPONSES = [
    r("pre", "e1", satisfaction=3, skills={"video": 2, "ai": 1}),
    r("pre", "e2", skills={"video": 3}),
    r("pre", None, skills={"video": 1}),  # anonymous: cannot be paired
    r("pre", "m1", skills={"ai": 4}),
    r("final", "e1", satisfaction=5, recommend=10, goal_progress=4, skills={"video": 4, "ai": 4}),
    r("final", "e2", satisfaction=4, recommend=6, goal_progress=3, skills={"video": 2}),
    r("final", "m1", satisfaction=2, recommend=9, skills={"video": 5}),  # no pre video rating
    r("final", None, satisfaction=3, recommend=8, skills={"ai": 5}),
    r("final", "e1", satisfaction=4, recommend=10, goal_progress=5, skills={"video": 5, "ai": 3}),
]


def test_survey_metrics_by_hand() -> None:
    result = evaluate(program(), PEOPLE, PAIRS, SCHEDULE, MEETINGS, RESPONSES, TODAY)
    m = result.metrics
    # e1 answered the final twice: the later answer (4, 10, 5, video 5 ai 3) counts.
    # final satisfaction: e1 4, e2 4, m1 2, anon 3 -> 13/4
    assert m["satisfaction"] == pytest.approx(3.25)
    assert result.satisfaction_by_kind == {"pre": 3.0, "midpoint": None, "final": 3.25}
    # recommend: 10, 6, 9, 8 -> 2/4 promoters - 1/4 detractors
    assert m["nps"] == 25.0
    assert m["goal_progress"] == pytest.approx(4.0)  # (5 + 3) / 2
    # pairs: e1 video 5-2=3, e1 ai 3-1=2, e2 video 2-3=-1; m1 has no pre video
    assert result.skill_delta_by_topic == {"ai": 2.0, "video": 1.0}
    assert m["skill_delta"] == pytest.approx(4 / 3)
    assert result.skill_respondents == 2
    assert result.skill_anonymous_excluded == 2
    assert any("anonymous" in note for note in result.notes)
    # active: started pairs' people (m1 e1 m2 e2 m3 e3) minus withdrawn e3 = 5
    # final: e1, e2, m1 identified = 3/5; pre: e1, e2, m1 = 3/5. The anonymous
    # answers cannot be told apart, so they are reported as such, not counted.
    assert result.response_rate_by_kind == {"pre": 0.6, "midpoint": None, "final": 0.6}
    assert m["response_rate"] == 0.6
    assert result.anonymous_by_kind == {"pre": 1, "midpoint": 0, "final": 1}
    assert result.responses_by_kind == {"pre": 4, "midpoint": 0, "final": 4}
    assert m["meetings_held"] == 6.0
    assert m["attendance_rate"] == pytest.approx(6 / 16)


def test_each_survey_figure_records_the_answers_behind_it() -> None:
    goals = [
        {"id": "sat", "description": "d", "metric": "satisfaction", "target": 4, "role": "mentee"},
        {"id": "ai", "description": "d", "metric": "skill_delta", "target": 1, "topic": "ai"},
    ]
    result = evaluate(program(goals), PEOPLE, PAIRS, SCHEDULE, MEETINGS, RESPONSES, TODAY)
    behind = result.behind
    # final satisfaction: e1 (its later answer), e2, m1 and the anonymous row (8th of 9)
    assert behind["satisfaction"] == {
        ("e1", "final"),
        ("e2", "final"),
        ("m1", "final"),
        (7, "final"),
    }
    assert behind["satisfaction@pre"] == {("e1", "pre")}
    assert len(behind["satisfaction"]) == result.answers["satisfaction"]
    assert behind["skill_delta"] == {("e1", "video"), ("e1", "ai"), ("e2", "video")}
    assert behind["skill_delta:ai"] == {("e1", "ai")}
    # the mentees' goal counts only e1 and e2; the topic goal is the topic's figure
    assert behind["goal:sat"] == {("e1", "final"), ("e2", "final")}
    assert behind["goal:ai"] == behind["skill_delta:ai"]
    # response rates are over the active people
    assert {who for who, _ in behind["response_rate"]} == {"m1", "e1", "m2", "e2", "m3"}


def test_skill_delta_falls_back_to_midpoint() -> None:
    responses = [r("pre", "e1", skills={"ai": 1}), r("midpoint", "e1", skills={"ai": 3})]
    result = evaluate(program(), PEOPLE, PAIRS, SCHEDULE, [], responses, TODAY)
    assert result.metrics["skill_delta"] == 2.0
    assert result.metrics["satisfaction"] is None
    assert result.metrics["nps"] is None


def goal(metric: str, target: float, **more: object) -> Goal:
    return Goal(id=metric, description="d", metric=metric, target=target, **more)


MID = START + (END - START) / 2  # about half the program elapsed
AFTER = END + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("g", "value", "today", "status"),
    [
        (goal("attendance_rate", 0.8), None, MID, "no data"),
        (goal("attendance_rate", 0.8), 0.85, MID, "met"),
        (goal("attendance_rate", 0.8), 0.7, MID, "at risk"),  # a rate projects as itself
        (goal("attendance_rate", 0.8), 0.8, AFTER, "met"),
        (goal("attendance_rate", 0.8), 0.79, AFTER, "missed"),
        (goal("meetings_held", 100), 100, MID, "met"),
        (goal("meetings_held", 100), 55, MID, "on track"),  # ~55 / 0.5 = 110
        (goal("meetings_held", 100), 40, MID, "at risk"),  # ~80 projected
        (goal("meetings_held", 100), 90, AFTER, "missed"),
        (goal("meetings_held", 100), 0, START - dt.timedelta(days=1), "no data"),
        (goal("dropout_rate", 0.1), 0.04, MID, "on track"),  # ~0.08 projected: not final yet
        (goal("dropout_rate", 0.1), 0.06, MID, "at risk"),  # ~0.12 projected
        (goal("dropout_rate", 0.1), 0.1, AFTER, "met"),
        (goal("dropout_rate", 0.1), 0.11, AFTER, "missed"),
        (goal("satisfaction", 3.0, direction="at_most"), 2.5, MID, "met"),
        (goal("completion_rate", 0.9), 0.6, MID, "on track"),  # projection capped at 1
        (goal("completion_rate", 0.9), 0.3, MID, "at risk"),
        (goal("nps", 0), -5.0, MID, "at risk"),
        (goal("nps", 0), 0.0, AFTER, "met"),
    ],
)
def test_goal_status(g: Goal, value: float | None, today: dt.date, status: str) -> None:
    assert goal_status(g, value, START, END, today).status == status


def test_goals_in_evaluate() -> None:
    config = program(
        [
            {"id": "att", "description": "d", "metric": "attendance_rate", "target": 0.8},
            {"id": "ai", "description": "d", "metric": "skill_delta", "target": 1.5, "topic": "ai"},
            {"id": "drop", "description": "d", "metric": "dropout_rate", "target": 0.2},
            {"id": "grow", "description": "d", "metric": "goal_progress", "target": 4},
        ]
    )
    result = evaluate(config, PEOPLE, PAIRS, SCHEDULE, MEETINGS, RESPONSES, TODAY)
    by_id = {g.id: g for g in result.goals}
    assert by_id["att"].value == pytest.approx(6 / 16)
    assert by_id["att"].status == "at risk"
    assert (by_id["ai"].value, by_id["ai"].status) == (2.0, "met")
    # 1/6 after 36 of 166 days projects to 0.77: at risk
    assert by_id["drop"].status == "at risk"
    assert by_id["grow"].status == "met"


# -- suppression ------------------------------------------------------------------------


def test_suppress_hides_small_groups_and_a_complement() -> None:
    groups = {"a": [1.0] * 6, "b": [2.0] * 2, "c": [3.0] * 8, "d": [4.0] * 5}
    assert suppress(groups, 5) == {"a": 1.0, "b": None, "c": 3.0, "d": None}
    two_small = {"a": [1.0] * 6, "b": [2.0] * 2, "c": [3.0] * 1}
    assert suppress(two_small, 5) == {"a": 1.0, "b": None, "c": None}
    assert suppress(groups, 5, total_shown=False) == {"a": 1.0, "b": None, "c": 3.0, "d": 4.0}
    assert suppress({"a": [1.0, 2.0]}, 5) == {"a": None}
    assert suppress({"a": [1.0] * 5, "b": []}, 5) == {"a": 1.0, "b": None}


@given(
    sizes=st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 12), max_size=8
    ),
    threshold=st.integers(3, 10),
)
def test_suppress_reveals_no_small_group(sizes: dict[str, int], threshold: int) -> None:
    groups = {name: [float(i % 5 + 1) for i in range(size)] for name, size in sizes.items()}
    shown = suppress(groups, threshold)
    assert set(shown) == set(groups)
    for name, value in shown.items():
        if value is not None:
            assert len(groups[name]) >= threshold
    total_hidden = sum(sizes.values()) < threshold
    hidden = [n for n, v in shown.items() if v is None and sizes[n] > 0]
    if hidden:
        # the hidden values cannot be derived from the total minus the shown groups
        assert len(hidden) >= 2 or total_hidden


def test_evaluate_hides_survey_figures_from_too_few_answers() -> None:
    # final: e1 (later answer), e2, m1, anonymous = 4 answers; pre+final pairs: 2 people
    result = evaluate(program(threshold=4), PEOPLE, PAIRS, SCHEDULE, MEETINGS, RESPONSES, TODAY)
    m = result.metrics
    assert m["satisfaction"] == pytest.approx(3.25)  # 4 answers: shown
    assert m["nps"] == 25.0
    assert result.satisfaction_by_kind["pre"] is None  # 1 answer
    assert m["goal_progress"] is None  # 2 answers
    assert m["skill_delta"] is None  # 2 people paired
    assert result.skill_delta_by_topic == {"ai": None, "video": None}
    assert result.answers == {
        "satisfaction": 4,
        "nps": 4,
        "goal_progress": 2,
        "skill_delta": 2,
        "skill_delta:ai": 1,
        "skill_delta:video": 2,
        "mentor_insight_delta": 0,
        "mentor_voice_delta": 0,
        "safety": 0,
        "fit_rate": 0,
        "practice_change_rate": 0,
    }
    assert "goal_progress (final survey, 2 answers)" in result.suppressed
    assert result.hidden_metrics == {"goal_progress", "skill_delta"}
    assert result.hidden_topics == ["ai", "video"]
    assert any("anonymity" in note for note in result.notes)
    # counts of events are not opinions: shown at any size
    assert m["attendance_rate"] == pytest.approx(6 / 16)
    assert m["response_rate"] == 0.6
    five = evaluate(program(threshold=5), PEOPLE, PAIRS, SCHEDULE, MEETINGS, RESPONSES, TODAY)
    assert five.metrics["satisfaction"] is None
    assert five.metrics["nps"] is None


def test_suppress_with_a_measure() -> None:
    groups = {"a": [(1, 3)] * 5, "b": [(2, 2)] * 6, "c": [(1, 5)]}
    shown = suppress(groups, 5, measure=lambda items: fmean(b - a for a, b in items))
    # c (1) is hidden; a (5) is the smallest shown group, so it is hidden with c
    assert shown == {"a": None, "b": 0.0, "c": None}
    assert suppress(groups, 5, measure=len, total_shown=False) == {"a": 5, "b": 6, "c": None}


def test_survey_answers_count_from_their_milestone() -> None:
    config = ProgramConfig.model_validate(
        {
            **program().model_dump(mode="json", exclude={"meetings"}),
            "meetings": {
                "milestones": [
                    {"name": "Final", "kind": "final_survey", "date": "2027-06-14"},
                    {"name": "Final again", "kind": "final_survey", "date": "2027-06-21"},
                ]
            },
        }
    )
    answers = [r("pre", "e1"), r("midpoint", "e1"), r("final", "e1")]
    # no midpoint milestone: the midpoint counts whenever its export is there
    assert [a.survey_kind for a in answers_to_date(config, answers, dt.date(2027, 1, 4))] == [
        "pre",
        "midpoint",
    ]
    # the final survey counts from its earliest milestone on
    assert len(answers_to_date(config, answers, dt.date(2027, 6, 14))) == 3
    assert len(answers_to_date(config, answers, dt.date(2027, 6, 13))) == 2


def test_a_hidden_latest_survey_is_not_replaced_by_an_earlier_one() -> None:
    answers = [r("midpoint", f"m{i}", satisfaction=2) for i in range(6)]
    answers += [r("final", f"f{i}", satisfaction=5) for i in range(3)]
    result = evaluate(program(threshold=5), PEOPLE, PAIRS, SCHEDULE, [], answers, TODAY)
    assert result.satisfaction_by_kind == {"pre": None, "midpoint": 2.0, "final": None}
    assert result.metrics["satisfaction"] is None  # the final is hidden, not the midpoint's 2.0


def test_a_role_goal_is_hidden_when_the_other_role_could_be_subtracted() -> None:
    people = [person(f"e{i}", "mentee") for i in range(6)] + [person("m1", "mentor")]
    answers = [r("final", f"e{i}", satisfaction=4) for i in range(6)]
    goal_spec = {"id": "sat", "description": "d", "metric": "satisfaction", "target": 4}
    config = program([{**goal_spec, "role": "mentee"}], threshold=5)
    alone = evaluate(config, people, PAIRS, SCHEDULE, [], answers, TODAY)
    assert alone.goals[0].value == 4.0  # nobody else answered: nothing to subtract
    one_mentor = [*answers, r("final", "m1", satisfaction=1)]
    shown = evaluate(config, people, PAIRS, SCHEDULE, [], one_mentor, TODAY)
    # the program's 7 answers are shown; the mentees' 6 would reveal the mentor's 1
    assert shown.metrics["satisfaction"] == pytest.approx(25 / 7)
    assert shown.goals[0].value is None
    assert shown.goals[0].status == "no data"
    assert any("goal sat" in s for s in shown.suppressed)


def test_completion_is_projected_pair_by_pair() -> None:
    # By TODAY (15 Feb, 36 of the program's 166 days) P1 held 4 sessions (done), P2
    # one (1 / (36/166) = 4.6 by the end: expected to reach 4), P3 ended on 1 Feb with
    # one held (it keeps what it held: not completing).
    assert elapsed_share(START, END, TODAY) == pytest.approx(36 / 166)
    assert projected_completion(PAIRS, MEETINGS, START, END, TODAY, 4) == pytest.approx(2 / 3)
    # min 5: P1 (4 held, pace 18 by the end) yes; P2 (pace 4) no; P3 (ended) no
    assert projected_completion(PAIRS, MEETINGS, START, END, TODAY, 5) == pytest.approx(1 / 3)
    assert projected_completion(PAIRS, MEETINGS, START, END, TODAY, 19) == 0.0


def test_response_rate_never_passes_one_with_anonymous_answers() -> None:
    # Issue 13: twelve anonymous answers and every active person named once.
    many = [r("final", who, satisfaction=4) for who in ("m1", "e1", "m2", "e2", "m3")]
    many += [r("final", None, satisfaction=5) for _ in range(12)]
    result = evaluate(program(), PEOPLE, PAIRS, SCHEDULE, MEETINGS, many, TODAY)
    assert result.response_rate_by_kind["final"] == 1.0
    assert result.anonymous_by_kind["final"] == 12
    # every anonymous row is its own answer: 5 x 4 + 12 x 5 over 17
    assert result.metrics["satisfaction"] == pytest.approx(80 / 17)
