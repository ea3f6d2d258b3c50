"""The vocabulary: every id has its words, and the lists agree with each other."""

from __future__ import annotations

import pytest

from rmentor.model import vocabulary as v
from rmentor.model.config import Goal, Milestone, Survey


def test_every_metric_has_a_title_and_words() -> None:
    assert set(v.METRICS) == set(v.METRIC_TITLES) == set(v.METRIC_WORDS) == set(v.METRIC_ORDER)
    assert set(v.METRICS) >= v.SURVEY_METRICS
    assert set(v.METRICS) >= v.LOWER_IS_BETTER
    assert list(v.METRICS) == sorted(v.METRICS)  # error hints list them alphabetically


def test_every_kind_has_its_words() -> None:
    assert tuple(v.KIND_TITLES) == v.KIND_ORDER
    assert v.KIND_ORDER == ("pre", "fit_check", "midpoint", "final", "follow_up")
    assert set(v.SURVEY_MILESTONES) <= set(v.KIND_ORDER)
    assert set(v.SURVEY_MILESTONES.values()) <= set(v.MILESTONE_KINDS)
    assert tuple(v.KIND_WORDS) == v.MILESTONE_KINDS == tuple(v.MILESTONE_PHRASES)
    assert tuple(v.ROLE_WORDS) == v.ROLES == ("mentor", "mentee")


def test_the_config_accepts_exactly_the_vocabulary() -> None:
    for kind in v.MILESTONE_KINDS:
        assert Milestone(name="x", date="2027-01-11", kind=kind).kind == kind  # type: ignore[arg-type]
    for kind in v.KIND_ORDER:
        assert Survey(kind=kind, file="f.csv").kind == kind  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kickoff"):
        Milestone(name="x", date="2027-01-11", kind="party")  # type: ignore[arg-type]
    for role in v.ROLES:
        goal = Goal(id="g", description="", metric="nps", target=10, role=role)  # type: ignore[arg-type]
        assert goal.role == role


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        ("attendance_rate", 0.812, "81 %"),
        ("satisfaction", 4.24, "4.2 / 5"),
        ("nps", 35.0, "+35"),
        ("skill_delta", 0.9, "+0.90 points"),
        ("average_minutes", 52.4, "52 min"),
        ("meetings_held", 1234, "1,234"),
        ("satisfaction", None, "—"),
    ],
)
def test_metric_text(metric: str, value: float | None, shown: str) -> None:
    assert v.metric_text(metric, value) == shown
