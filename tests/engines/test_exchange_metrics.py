"""Both sides of the exchange (issue 15): the mentors' insight and voice, safety, the
first-session fit check and the follow-up's changes, computed by hand on small programs.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rmentor.engines.evaluation import evaluate
from rmentor.engines.status import build_status
from rmentor.model.activity import Response
from rmentor.model.config import ProgramConfig
from rmentor.model.pairings import Pairing, PairingState
from rmentor.model.sessions import Schedule
from tests.rosters import config_from, person

START, END = dt.date(2027, 1, 11), dt.date(2027, 6, 25)
TODAY = dt.date(2027, 7, 1)
MENTORS = [f"m{i}" for i in range(1, 6)]
MENTEES = [f"e{i}" for i in range(1, 6)]
PEOPLE = [person(i, "mentor") for i in MENTORS] + [person(i, "mentee") for i in MENTEES]
PAIRS = PairingState(
    pairs=tuple(Pairing(m, e, 1.0, START) for m, e in zip(MENTORS, MENTEES, strict=True))
)


def program(threshold: int = 3, goals: list[dict[str, object]] | None = None) -> ProgramConfig:
    return config_from(
        START,
        END,
        {
            "goals": goals or [],
            "evaluation": {
                "anonymity_threshold": threshold,
                "surveys": [
                    {"file": f"{k}.csv", "kind": k}
                    for k in ("pre", "fit_check", "midpoint", "final", "follow_up")
                ],
            },
        },
    )


def answer(kind: str, who: str | None, **fields: object) -> Response:
    return Response(survey_kind=kind, respondent=who, **fields)  # type: ignore[arg-type]


RESPONSES = [
    # the mentors' insight and voice, before and after; m5 answered only the final survey
    answer("pre", "m1", insight=2, voice=1, safety=3),
    answer("pre", "m2", insight=3, voice=2, safety=4),
    answer("pre", "m3", insight=2, voice=3),
    answer("pre", "m4", insight=4, voice=2),
    answer("pre", None, insight=1, voice=1),  # anonymous: cannot be paired
    answer("pre", "e1", insight=5, voice=5),  # a mentee's: not the mentors' figure
    answer("final", "m1", insight=4, voice=3, safety=5),
    answer("final", "m2", insight=3, voice=4, safety=4),
    answer("final", "m3", insight=3, voice=3, safety=3),
    answer("final", "m4", insight=5, voice=4),
    answer("final", "m5", insight=5, voice=5, safety=5),
    answer("final", None, insight=5, voice=5, safety=1),  # anonymous: counts for safety
    answer("final", "e1", insight=1, voice=1, safety=4),
    # the fit check: pair 2 poor (the mentor), pair 3 two unsure, pair 5 unasked
    answer("fit_check", "m1", fit="good"),
    answer("fit_check", "e1", fit="good"),
    answer("fit_check", "m2", fit="poor"),
    answer("fit_check", "e2", fit="good"),
    answer("fit_check", "m3", fit="unsure"),
    answer("fit_check", "e3", fit="unsure"),
    answer("fit_check", "e4", fit="unsure"),
    answer("fit_check", None, fit="poor"),  # anonymous: in no pair
    # the follow-up: what the mentees do differently
    answer("follow_up", "e1", changes="I book my own video calls and share the screen"),
    answer("follow_up", "e2", changes="Nothing yet."),
    answer("follow_up", "e3", changes="-"),
    answer("follow_up", "e4", changes="Our team reports from a dashboard now"),
    answer("follow_up", "m1", changes="I present to the board"),  # a mentor's: not counted
    answer("follow_up", None, changes="Anonymous change"),  # no role: not counted
]


def metrics(threshold: int = 3) -> dict[str, float | None]:
    result = evaluate(program(threshold), PEOPLE, PAIRS, Schedule(), (), RESPONSES, TODAY)
    return result.metrics


def test_each_metric_by_hand() -> None:
    m = metrics()
    # m1 +2, m2 0, m3 +1, m4 +1 (m5 has no pre answer; e1 is a mentee)
    assert m["mentor_insight_delta"] == pytest.approx((2 + 0 + 1 + 1) / 4)
    # m1 +2, m2 +2, m3 0, m4 +2
    assert m["mentor_voice_delta"] == pytest.approx((2 + 2 + 0 + 2) / 4)
    # the latest survey that asked: final, every answer (anonymous too): 5 4 3 5 1 4
    assert m["safety"] == pytest.approx((5 + 4 + 3 + 5 + 1 + 4) / 6)
    # pairs asked: 1 (good, good), 2 (poor), 3 (unsure, unsure), 4 (unsure): 3 of 4 fit
    assert m["fit_rate"] == pytest.approx(3 / 4)
    # mentees' follow-up answers: e1 and e4 name a change, e2 and e3 do not
    assert m["practice_change_rate"] == pytest.approx(2 / 4)


def test_groups_below_the_threshold_are_hidden() -> None:
    result = evaluate(program(5), PEOPLE, PAIRS, Schedule(), (), RESPONSES, TODAY)
    m = result.metrics
    assert m["mentor_insight_delta"] is None  # 4 mentors paired
    assert m["mentor_voice_delta"] is None
    assert m["practice_change_rate"] is None  # 4 mentees' answers
    assert m["safety"] == pytest.approx(22 / 6)  # 6 answers
    assert m["fit_rate"] == pytest.approx(3 / 4)  # 7 people answered
    assert {"mentor_insight_delta", "mentor_voice_delta", "practice_change_rate"} <= (
        result.hidden_metrics
    )
    assert any("mentor_insight_delta (4 people)" in s for s in result.suppressed)


def test_goals_on_the_new_metrics() -> None:
    goals = [
        {"id": "insight", "description": "d", "metric": "mentor_insight_delta", "target": 0.5},
        {"id": "fit", "description": "d", "metric": "fit_rate", "target": 0.9},
        {"id": "safe", "description": "d", "metric": "safety", "target": 3.5, "role": "mentor"},
    ]
    result = evaluate(program(3, goals), PEOPLE, PAIRS, Schedule(), (), RESPONSES, TODAY)
    status = {g.id: (g.status, g.value) for g in result.goals}
    assert status["insight"] == ("met", pytest.approx(1.0))
    assert status["fit"] == ("missed", pytest.approx(0.75))
    # The mentors' own safety answers (m1 5, m2 4, m3 3, m5 5: 4.25) are hidden: the
    # program's figure minus theirs would show the other 2 answers (e1's and one
    # anonymous), fewer than the threshold.
    assert status["safe"] == ("no data", None)
    assert any("goal safe (2 answers from other roles)" in s for s in result.suppressed)


def test_status_names_the_pairs_to_talk_to() -> None:
    status = build_status(program(), PEOPLE, PAIRS, Schedule(), (), TODAY, RESPONSES)
    concerns = {p.pair: p.fit_concern for p in status.fit_concerns}
    assert concerns == {
        PAIRS.pairs[1].id: "the mentor answered poor in the fit check",
        PAIRS.pairs[2].id: "both answered unsure in the fit check",
    }
    data = status.to_json()
    assert [c["pair"] for c in data["fit_check"]] == [PAIRS.pairs[1].id, PAIRS.pairs[2].id]  # type: ignore[index]
    assert "rmentor withdraw" in data["fit_check"][0]["next"]  # type: ignore[index]
    # without the fit check's answers, nothing to say
    assert not build_status(program(), PEOPLE, PAIRS, Schedule(), (), TODAY).fit_concerns


def test_what_changed_is_redacted_and_held_back_like_comments() -> None:
    from rmentor.engines.privacy import Redactor, comments

    people = [person("e1", "mentee", name="Ingrid Sørensen"), person("m1", "mentor")]
    rows = [
        answer("follow_up", "e1", changes="Ingrid Sørensen now books her own calls (e1)"),
        answer("follow_up", None, changes="I share dashboards with my team"),
        answer("follow_up", None, changes="  "),
    ]
    shown, hidden = comments({"follow_up": rows}, Redactor(people), 3, "T", "changes")
    texts = sorted(c.text for c in shown)
    assert len(texts) == 2
    assert all("Ingrid" not in t and "Sørensen" not in t and "e1" not in t for t in texts)
    assert "I share dashboards with my team" in texts
    assert not hidden
    # fewer answers than the threshold: nothing shown, the count said
    shown, hidden = comments({"follow_up": rows[:2]}, Redactor(people), 3, "T", "changes")
    assert shown == []
    assert hidden == {"follow_up": 2}
