"""The evaluation core: built-in metrics, goal statuses and anonymity helpers. Pure.

Every figure is computed "as of" a day (`today`, the CLI's `--today`); nothing reads
the clock. The formulas, exactly:

- **attendance_rate** = held ÷ planned, where *planned* counts the schedule's
  sessions with status `planned` that start on or before today (for a pair that
  ended, on or before its end), and *held* counts logged meetings of known pairs
  with status `held` dated on or before today. `None` while nothing was planned. It
  can exceed 1 when pairs meet more often than planned. (The same figure as
  `rmentor status`.)
- **meetings_held** = the number of those held meetings.
- **average_minutes** = mean of `minutes` over those held meetings that record
  minutes; `None` when none does.
- **satisfaction** = mean of `satisfaction` (1-5) over the responses of the latest
  survey kind (pre < midpoint < final) that has any satisfaction answer;
  `satisfaction_by_kind` gives each kind's mean.
- **nps** = (share of `recommend` answers 9-10 - share 0-6) * 100, rounded to one
  decimal, over the latest survey kind with any recommend answer; `None` without.
- **skill_delta** = mean over (respondent, topic) of final - pre self-rating, for
  respondents (by id) who rated the topic in both; the "after" survey is the final
  one, or the midpoint survey while no final skill ratings exist. Per topic:
  `skill_delta_by_topic`. Anonymous responses cannot be paired and are left out
  (counted in `skill_anonymous_excluded`, and said in `notes`). A person who
  answered a kind twice counts with their later answer.
- **goal_progress** = mean of `goal_progress` (1-5) over the latest survey kind that
  has any.
- **completion_rate** = pairs that held at least `evaluation.min_sessions` meetings
  (to date) ÷ pairs started (formed on or before today); `None` with no pair.
- **dropout_rate** = people who withdrew on or before today and had started (were in
  a pair formed on or before today) ÷ people who started; `None` with no one.
- **response_rate** per survey kind = distinct identified respondents who are
  active participants ÷ active participants, so never above 1. *Active participants*
  are the people in a started pair who have not withdrawn (before any pair exists:
  everyone on the roster who has not withdrawn). The headline `response_rate` is the
  latest kind with any response; a kind with no rows yet is `None`. Anonymous answers
  (a respondent naming no participant) cannot be told apart, so they are not in the
  rate: `anonymous_by_kind` reports them as such.

Survey answers count as of today too (`answers_to_date`): a midpoint or final
survey's answers count from the date of the program's milestone of that kind
(`midpoint_survey`, `final_survey`) on; a pre survey, or one without such a
milestone, counts whenever its export is there.

Anonymity (`evaluate` applies `evaluation.anonymity_threshold`, t): a survey figure
(satisfaction, nps, goal_progress, skill_delta, and each of them per survey kind)
computed from fewer than t answers is `None` and named in `suppressed`; for
skill_delta the count is the people whose ratings were paired. Per topic, the
topics' skill deltas go through `suppress` (each topic's paired people; when the
overall figure is shown, a second topic is hidden with a lone hidden one). Figures
about meetings and pairs (attendance, completion, dropout, response rates) are
counts of events, not opinions, and are shown at any size.

Each survey figure also records the answers behind it (`EvaluationResult.behind`), as
`Unit`s, so that the report can check all its figures together
(`privacy.protect_figures`): a figure small enough, or close enough to another, to
give a few people's answers away by arithmetic is hidden there.

Goal statuses (`goal_status`), for a goal's value v and target t ("meets" means
v ≥ t, or v ≤ t for a lower-is-better goal):

- `no data` when v is `None` (or, before the program starts, for a count-like
  metric, which has no trend yet).
- After the program's end (today > end): `met` if v meets t, else `missed`.
- Before that: `met` if v already meets t — except a lower-is-better count-like
  metric (dropout_rate), which can still rise and so is at best `on track` until the
  end. Otherwise `on track` if the projection meets t, else `at risk`. The projection
  of a count-like metric (meetings_held, completion_rate, dropout_rate: they only
  grow) is v ÷ elapsed share of the program, where elapsed = (today - start + 1) ÷
  (end - start + 1) days, capped at 1 for the rates; for rates and means it is v.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any, Literal, TypeVar

from ..model.activity import Meeting, Response
from ..model.config import Goal, ProgramConfig
from ..model.pairings import Pairing, PairingState
from ..model.people import Participant
from ..model.sessions import Schedule
from ..model.vocabulary import KIND_ORDER, SURVEY_METRICS, SURVEY_MILESTONES

T = TypeVar("T")
# One answer behind a figure: (the respondent's id, or for an anonymous answer its
# position among the responses; the survey kind, or for a skill gain the topic).
Unit = tuple[str | int, str]
GoalStatus = Literal["met", "on track", "at risk", "missed", "no data"]
# Metrics that only grow as the program runs: projected by the elapsed share.
CUMULATIVE = frozenset({"meetings_held", "completion_rate", "dropout_rate"})
# Cumulative metrics that are shares, so their projection is capped at 1.
_SHARES = frozenset({"completion_rate", "dropout_rate"})


@dataclass(frozen=True)
class GoalResult:
    """One goal's standing."""

    id: str
    metric: str
    value: float | None
    target: float
    status: GoalStatus
    projected: float | None = None  # the value expected at the program's end


@dataclass(frozen=True)
class EvaluationResult:
    """Every metric as of `today`, and each goal's status."""

    today: dt.date
    metrics: dict[str, float | None]
    goals: list[GoalResult]
    satisfaction_by_kind: dict[str, float | None] = field(default_factory=dict)
    response_rate_by_kind: dict[str, float | None] = field(default_factory=dict)
    skill_delta_by_topic: dict[str, float | None] = field(default_factory=dict)
    skill_respondents: int = 0  # people in the per-topic table (the mentees, or the role's)
    skill_anonymous_excluded: int = 0  # anonymous before/after responses left out
    responses_by_kind: dict[str, int] = field(default_factory=dict)
    anonymous_by_kind: dict[str, int] = field(default_factory=dict)  # answers naming no one
    asked: int = 0  # the people a survey asks (the response rates' denominator)
    # survey metric (or "skill_delta:<topic>") -> answers behind its figure
    answers: dict[str, int] = field(default_factory=dict)
    suppressed: list[str] = field(default_factory=list)  # figures hidden, in words
    hidden_metrics: frozenset[str] = frozenset()  # headline metrics hidden for anonymity
    hidden_topics: list[str] = field(default_factory=list)  # topics whose skill_delta is hidden
    skills: SkillDelta | None = None  # the per-topic table's paired before/after ratings
    notes: list[str] = field(default_factory=list)
    nps_by_kind: dict[str, float | None] = field(default_factory=dict)
    # figure -> the answers behind it: "satisfaction", "nps", "goal_progress" (the
    # headline, from the latest survey that asked), "satisfaction@<kind>",
    # "nps@<kind>", "skill_delta", "skill_delta:<topic>", "response_rate" (the active
    # people it is over) and "goal:<id>" for each goal on a survey metric
    behind: dict[str, frozenset[Unit]] = field(default_factory=dict)


# -- meetings ---------------------------------------------------------------------------


def _held_to_date(
    meetings: Iterable[Meeting], pairs: PairingState, today: dt.date
) -> list[Meeting]:
    known = {p.id for p in pairs.pairs}
    return [m for m in meetings if m.held and m.date <= today and m.pair in known]


def attendance_rate(
    pairs: PairingState, schedule: Schedule, meetings: Iterable[Meeting], today: dt.date
) -> float | None:
    """held ÷ planned to date (module docstring); `None` while nothing was planned."""
    plans = {plan.pair: plan.sessions for plan in schedule.plans}
    planned = 0
    for pair in pairs.pairs:
        until = min(today, pair.ended) if pair.ended is not None else today
        planned += sum(
            1 for s in plans.get(pair.id, ()) if s.status == "planned" and s.start.date() <= until
        )
    if not planned:
        return None
    return len(_held_to_date(meetings, pairs, today)) / planned


def meetings_held(pairs: PairingState, meetings: Iterable[Meeting], today: dt.date) -> int:
    """Held meetings of known pairs dated on or before today."""
    return len(_held_to_date(meetings, pairs, today))


def average_minutes(
    pairs: PairingState, meetings: Iterable[Meeting], today: dt.date
) -> float | None:
    """mean(minutes) over held meetings to date that record minutes; else `None`."""
    minutes = [m.minutes for m in _held_to_date(meetings, pairs, today) if m.minutes is not None]
    return fmean(minutes) if minutes else None


def _held_per_pair(
    meetings: Iterable[Meeting], pairs: PairingState, today: dt.date
) -> dict[str, int]:
    held: dict[str, int] = {}
    for m in _held_to_date(meetings, pairs, today):
        held[m.pair] = held.get(m.pair, 0) + 1
    return held


def completion_rate(
    pairs: PairingState, meetings: Iterable[Meeting], today: dt.date, min_sessions: int
) -> float | None:
    """pairs with ≥ min_sessions held meetings ÷ pairs formed on or before today."""
    started = [p for p in pairs.pairs if p.since <= today]
    if not started:
        return None
    held = _held_per_pair(meetings, pairs, today)
    return sum(1 for p in started if held.get(p.id, 0) >= min_sessions) / len(started)


def projected_completion(
    pairs: PairingState,
    meetings: Iterable[Meeting],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    min_sessions: int,
) -> float | None:
    """Share of started pairs expected to hold min_sessions by the end: a pair still
    running is projected at its pace so far (held ÷ elapsed share of its own time in
    the program); a pair that ended keeps what it held."""
    started = [p for p in pairs.pairs if p.since <= today]
    if not started:
        return None
    held = _held_per_pair(meetings, pairs, today)
    expected = 0
    for pair in started:
        count = held.get(pair.id, 0)
        if pair.ended is None or pair.ended > today:
            share = elapsed_share(max(start, pair.since), end, today)
            count = int(count / share) if share > 0 else count
        expected += count >= min_sessions
    return expected / len(started)


def _started_people(pairs: PairingState, today: dt.date) -> set[str]:
    return {x for p in pairs.pairs if p.since <= today for x in (p.mentor, p.mentee)}


def dropout_rate(pairs: PairingState, today: dt.date) -> float | None:
    """people who started and withdrew on or before today ÷ people who started."""
    started = _started_people(pairs, today)
    if not started:
        return None
    gone = {w.person for w in pairs.withdrawn if w.date <= today} & started
    return len(gone) / len(started)


# -- surveys ----------------------------------------------------------------------------


def latest_answers(
    responses: Iterable[Response], kinds: Sequence[str]
) -> dict[str, list[Response]]:
    """Responses by kind; a person's later answer to the same kind replaces the earlier."""
    by_kind: dict[str, list[Response]] = {k: [] for k in kinds}
    named: dict[tuple[str, str], int] = {}
    for r in responses:
        rows = by_kind.setdefault(r.survey_kind, [])
        if r.respondent is not None:
            key = (r.survey_kind, r.respondent)
            if key in named:
                rows[named[key]] = r
                continue
            named[key] = len(rows)
        rows.append(r)
    return by_kind


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(kinds, key=lambda k: (rank.get(k, len(rank)), k))


def _latest(
    by_kind: Mapping[str, float | None], answered: Mapping[str, Sequence[object]]
) -> float | None:
    """The figure of the latest kind that has any answer (`None` if it is hidden: an
    earlier survey never stands in for a hidden later one)."""
    for kind in reversed(ordered_kinds(answered)):
        if answered[kind]:
            return by_kind.get(kind)
    return None


def nps(recommend: Sequence[int]) -> float | None:
    """(% of answers 9-10 - % of answers 0-6), i.e. *100, rounded to 1 decimal."""
    if not recommend:
        return None
    promoters = sum(1 for v in recommend if v >= 9)
    detractors = sum(1 for v in recommend if v <= 6)
    return round((promoters - detractors) / len(recommend) * 100, 1)


@dataclass(frozen=True)
class SkillDelta:
    """final - pre self-ratings: overall, per topic, and who could be paired."""

    overall: float | None
    by_topic: dict[str, float | None]
    respondents: int
    anonymous_excluded: int
    # topic -> respondent -> (before, after): what the deltas are made of
    pairs: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    after: str = "final"  # the survey kind the "after" ratings come from


def skill_delta(by_kind: Mapping[str, Sequence[Response]]) -> SkillDelta:
    """Mean after - before self-rating per (respondent, topic) rated in both.

    "Before" is the pre survey; "after" the final one, or the midpoint while no final
    skill ratings exist. Anonymous responses cannot be paired and are excluded.
    """
    before = by_kind.get("pre", [])
    after_kind = "final"
    after = by_kind.get("final", [])
    if not any(r.skills for r in after):
        after_kind, after = "midpoint", by_kind.get("midpoint", [])
    anonymous = sum(1 for r in [*before, *after] if r.respondent is None and r.skills)
    pre = {r.respondent: r.skills for r in before if r.respondent is not None}
    pairs: dict[str, dict[str, tuple[int, int]]] = {}
    for r in after:
        if r.respondent is None or r.respondent not in pre:
            continue
        for topic, rating in r.skills.items():
            if topic in pre[r.respondent]:
                pairs.setdefault(topic, {})[r.respondent] = (pre[r.respondent][topic], rating)
    topics = sorted({t for r in [*before, *after] for t in r.skills})
    by_topic = {
        t: (fmean(b - a for a, b in pairs[t].values()) if t in pairs else None) for t in topics
    }
    every = [b - a for ratings in pairs.values() for a, b in ratings.values()]
    people = {who for ratings in pairs.values() for who in ratings}
    return SkillDelta(
        fmean(every) if every else None, by_topic, len(people), anonymous, pairs, after_kind
    )


@dataclass(frozen=True)
class RatingDelta:
    """One role's after - before rating of one question, paired by person."""

    value: float | None
    people: frozenset[str]  # who answered both


def rating_delta(
    by_kind: Mapping[str, Sequence[Response]], name: str, roles: Mapping[str, str], role: str
) -> RatingDelta:
    """Mean (final - pre) of a 1-5 question over the people of `role` who answered it in
    both, by their id (the midpoint stands in while no final answer exists). Anonymous
    answers cannot be paired and are left out."""

    def ratings(kind: str) -> dict[str, int]:
        return {
            r.respondent: value
            for r in by_kind.get(kind, [])
            if r.respondent is not None
            and roles.get(r.respondent) == role
            and (value := getattr(r, name)) is not None
        }

    before = ratings("pre")
    after = ratings("final") or ratings("midpoint")
    both = sorted(set(before) & set(after))
    value = fmean(after[who] - before[who] for who in both) if both else None
    return RatingDelta(value, frozenset(both))


# A follow-up answer that names no change.
_NO_CHANGE = re.compile(
    r"^\W*(no|none|nothing|nothing yet|not yet|n/?a|-+|no changes?|nothing changed)?\W*$", re.I
)


def fit_answers(by_kind: Mapping[str, Sequence[Response]]) -> dict[str, str]:
    """The fit check's answers by person (anonymous ones cannot be placed in a pair)."""
    return {
        r.respondent: r.fit
        for r in by_kind.get("fit_check", [])
        if r.respondent is not None and r.fit is not None
    }


def fit_rate(pairs: Sequence[Pairing], answers: Mapping[str, str]) -> float | None:
    """Share of pairs, among those where someone answered the fit check, where no one
    answered `poor`."""
    asked = [p for p in pairs if p.mentor in answers or p.mentee in answers]
    if not asked:
        return None
    fine = sum(1 for p in asked if "poor" not in (answers.get(p.mentor), answers.get(p.mentee)))
    return fine / len(asked)


def practice_changes(
    by_kind: Mapping[str, Sequence[Response]], roles: Mapping[str, str]
) -> dict[str, bool]:
    """Each mentee's follow-up answer: does it name something they now do differently?"""
    return {
        r.respondent: bool(r.changes) and not _NO_CHANGE.match(r.changes or "")
        for r in by_kind.get("follow_up", [])
        if r.respondent is not None and roles.get(r.respondent) == "mentee"
    }


def active_participants(
    participants: Iterable[Participant], pairs: PairingState, today: dt.date
) -> set[str]:
    """People in a started pair who have not withdrawn (no pair formed by today: the
    roster's people)."""
    gone = {w.person for w in pairs.withdrawn if w.date <= today}
    started = _started_people(pairs, today) or {p.id for p in participants}
    return started - gone


def response_rate(rows: Sequence[Response], active: set[str]) -> float | None:
    """Distinct active respondents ÷ active participants (anonymous answers are not
    counted: they cannot be told apart, and would let the rate pass 100 %)."""
    if not active:
        return None
    named = {r.respondent for r in rows if r.respondent is not None} & active
    return len(named) / len(active)


# -- goals ------------------------------------------------------------------------------


def answers_to_date(
    config: ProgramConfig, responses: Iterable[Response], today: dt.date
) -> list[Response]:
    """The answers of the surveys that had opened by today (module docstring)."""
    # Without a milestone, the fit check opens with the program and the follow-up at its
    # end: an answer dated later is not counted before then.
    opens: dict[str, dt.date] = {
        "fit_check": config.program.start,
        "follow_up": config.program.end,
    }
    for milestone in config.meetings.milestones:
        for kind, milestone_kind in SURVEY_MILESTONES.items():
            if milestone.kind == milestone_kind:
                opens[kind] = min(opens.get(kind, milestone.date), milestone.date)
    return [r for r in responses if opens.get(r.survey_kind, today) <= today]


def elapsed_share(start: dt.date, end: dt.date, today: dt.date) -> float:
    """(today - start + 1) ÷ (end - start + 1), clamped to 0..1."""
    total = (end - start).days + 1
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, ((today - start).days + 1) / total))


def _meets(value: float, target: float, lower_is_better: bool) -> bool:
    eps = 1e-9
    return value <= target + eps if lower_is_better else value >= target - eps


def goal_status(
    goal: Goal,
    value: float | None,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    projection: float | None = None,
) -> GoalResult:
    """A goal's status as of today (rules in the module docstring); `projection`
    replaces the elapsed-share projection of a cumulative metric where a better one
    exists (completion_rate: `projected_completion`)."""

    def result(status: GoalStatus, projected: float | None = None) -> GoalResult:
        return GoalResult(goal.id, goal.metric, value, goal.target, status, projected)

    if value is None:
        return result("no data")
    lower = goal.lower_is_better
    meets = _meets(value, goal.target, lower)
    if today > end:
        return result("met" if meets else "missed", value)
    cumulative = goal.metric in CUMULATIVE
    if cumulative:
        share = elapsed_share(start, end, today)
        if share <= 0:
            return result("no data")
        projected = value / share if projection is None else projection
        if goal.metric in _SHARES:
            projected = min(projected, 1.0)
    else:
        projected = value
    if meets and not (cumulative and lower):
        return result("met", projected)
    return result("on track" if _meets(projected, goal.target, lower) else "at risk", projected)


# -- anonymity --------------------------------------------------------------------------


def suppress(
    groups: Mapping[str, Sequence[T]],
    threshold: int,
    *,
    total_shown: bool = True,
    measure: Callable[[Sequence[T]], float | None] | None = None,
) -> dict[str, float | None]:
    """Each group's figure (`measure`, by default the mean), or `None` where showing it
    could identify someone.

    A group with fewer than `threshold` items is hidden. When the total over all
    groups is shown (`total_shown`, and it has at least `threshold` items) and exactly
    one non-empty group is hidden, the smallest shown group (ties: by name) is hidden
    too, so the hidden one cannot be recovered by subtracting the shown groups from
    the total. Empty groups are `None` and reveal nothing.
    """
    sizes = {name: len(items) for name, items in groups.items()}
    hidden = {name for name, size in sizes.items() if 0 < size < threshold}
    total = sum(sizes.values())
    if total_shown and total >= threshold and len(hidden) == 1:
        shown = [name for name, size in sizes.items() if size >= threshold]
        if shown:
            hidden.add(min(shown, key=lambda name: (sizes[name], name)))
    figure = measure if measure is not None else _mean
    return {
        name: (figure(items) if items and name not in hidden else None)
        for name, items in groups.items()
    }


def _mean(items: Sequence[Any]) -> float | None:
    return fmean(items) if items else None


# -- everything -------------------------------------------------------------------------


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def evaluate(
    config: ProgramConfig,
    participants: Iterable[Participant],
    pairs: PairingState,
    schedule: Schedule,
    meetings: Sequence[Meeting],
    responses: Sequence[Response],
    today: dt.date,
    *,
    role: str | None = None,
) -> EvaluationResult:
    """Every built-in metric and every goal's status as of `today`.

    With `role`, survey figures count only that role's identified answers (and the
    response rate only that role's active people); a goal with `role:` is measured so.
    """
    info = config.program
    people = list(participants)
    if role is not None:
        roles = {p.id: p.role for p in people}
        responses = [r for r in responses if roles.get(r.respondent or "") == role]
    kinds = ordered_kinds(
        {s.kind for s in config.evaluation.surveys} | {r.survey_kind for r in responses}
    )
    by_kind = latest_answers(responses, kinds)
    threshold = config.evaluation.anonymity_threshold
    hidden: list[str] = []

    def counted(name: str, kind: str, values: Sequence[int], figure: float | None) -> float | None:
        if values and len(values) < threshold:
            hidden.append(f"{name} ({kind} survey, {len(values)} answers)")
            return None
        return figure

    def answers_of(name: str) -> dict[str, list[int]]:
        return {
            k: [v for r in rows if (v := getattr(r, name)) is not None]
            for k, rows in by_kind.items()
        }

    sat_answers, rec_answers, prog_answers = (
        answers_of(n) for n in ("satisfaction", "recommend", "goal_progress")
    )
    position = {id(r): i for i, r in enumerate(responses)}

    def units_of(name: str) -> dict[str, frozenset[Unit]]:
        """Per kind, the answers to a question, as `Unit`s."""
        return {
            k: frozenset(
                (r.respondent if r.respondent is not None else position[id(r)], k)
                for r in rows
                if getattr(r, name) is not None
            )
            for k, rows in by_kind.items()
        }

    def latest_units(units: Mapping[str, frozenset[Unit]]) -> frozenset[Unit]:
        for kind in reversed(ordered_kinds(units)):
            if units[kind]:
                return units[kind]
        return frozenset()

    sat_units, rec_units, prog_units = (
        units_of(n) for n in ("satisfaction", "recommend", "goal_progress")
    )
    satisfaction = {
        k: counted("satisfaction", k, v, fmean(v) if v else None) for k, v in sat_answers.items()
    }
    progress = {
        k: counted("goal_progress", k, v, fmean(v) if v else None) for k, v in prog_answers.items()
    }
    nps_by_kind = {k: counted("nps", k, v, nps(v)) for k, v in rec_answers.items()}
    skills = skill_delta(by_kind)
    skill_overall = skills.overall
    if skill_overall is not None and skills.respondents < threshold:
        hidden.append(f"skill_delta ({skills.respondents} people)")
        skill_overall = None
    # The per-topic table is what the mentees learnt: the mentors rate the topics they
    # teach, so mixed in they would pull every topic down (issue 15). Limited to a role,
    # it is that role's.
    role_of = {p.id: p.role for p in people}
    topic_skills = (
        skills
        if role is not None
        else skill_delta(
            {
                k: [r for r in rows if role_of.get(r.respondent or "") == "mentee"]
                for k, rows in by_kind.items()
            }
        )
    )
    by_topic = suppress(
        {t: list(topic_skills.pairs.get(t, {}).values()) for t in topic_skills.by_topic},
        threshold,
        total_shown=True,  # the program's and the mentees' skill_delta may both be shown
        measure=lambda ratings: fmean(after - before for before, after in ratings),
    )
    hidden_topics = [
        t for t, v in by_topic.items() if v is None and topic_skills.by_topic.get(t) is not None
    ]
    hidden += [f"skill_delta for {t}" for t in hidden_topics]
    # The exchange's other side (issue 15): the mentors' own growth, safety, fit, change.
    deltas = {
        f"mentor_{name}_delta": rating_delta(by_kind, name, role_of, "mentor")
        for name in ("insight", "voice")
    }
    growth: dict[str, float | None] = {}
    for metric, delta in deltas.items():
        growth[metric] = delta.value
        if delta.value is not None and len(delta.people) < threshold:
            hidden.append(f"{metric} ({len(delta.people)} people)")
            growth[metric] = None
    safety_answers = answers_of("safety")
    safety_units = units_of("safety")
    safety = {
        k: counted("safety", k, v, fmean(v) if v else None) for k, v in safety_answers.items()
    }
    fits = fit_answers(by_kind)
    fit_value = fit_rate(pairs.pairs, fits)
    if fit_value is not None and len(fits) < threshold:
        hidden.append(f"fit_rate ({len(fits)} answers)")
        fit_value = None
    changes = practice_changes(by_kind, role_of)
    change_value = fmean(changes.values()) if changes else None
    if change_value is not None and len(changes) < threshold:
        hidden.append(f"practice_change_rate ({len(changes)} answers)")
        change_value = None
    active = active_participants(people, pairs, today)
    if role is not None:
        active = {who for who in active if roles.get(who) == role}
    responded = {k: response_rate(rows, active) if rows else None for k, rows in by_kind.items()}

    def latest_count(answers: Mapping[str, Sequence[int]]) -> int:
        for kind in reversed(ordered_kinds(answers)):
            if answers[kind]:
                return len(answers[kind])
        return 0

    metrics: dict[str, float | None] = {
        "attendance_rate": attendance_rate(pairs, schedule, meetings, today),
        "average_minutes": average_minutes(pairs, meetings, today),
        "completion_rate": completion_rate(pairs, meetings, today, config.evaluation.min_sessions),
        "dropout_rate": dropout_rate(pairs, today),
        "goal_progress": _latest(progress, prog_answers),
        "meetings_held": float(meetings_held(pairs, meetings, today)),
        "nps": _latest(nps_by_kind, rec_answers),
        "response_rate": _latest(responded, by_kind),
        "satisfaction": _latest(satisfaction, sat_answers),
        "skill_delta": skill_overall,
        **growth,
        "safety": _latest(safety, safety_answers),
        "fit_rate": fit_value,
        "practice_change_rate": change_value,
    }
    metrics = {k: _finite(v) for k, v in metrics.items()}
    had_answers = {
        "satisfaction": any(sat_answers.values()),
        "nps": any(rec_answers.values()),
        "goal_progress": any(prog_answers.values()),
        "skill_delta": skills.overall is not None,
        **{metric: delta.value is not None for metric, delta in deltas.items()},
        "safety": any(safety_answers.values()),
        "fit_rate": bool(fits),
        "practice_change_rate": bool(changes),
    }
    hidden_metrics = frozenset(m for m, had in had_answers.items() if had and metrics[m] is None)
    answers = {
        "satisfaction": latest_count(sat_answers),
        "nps": latest_count(rec_answers),
        "goal_progress": latest_count(prog_answers),
        "skill_delta": skills.respondents,
        **{f"skill_delta:{t}": len(ratings) for t, ratings in topic_skills.pairs.items()},
        **{metric: len(delta.people) for metric, delta in deltas.items()},
        "safety": latest_count(safety_answers),
        "fit_rate": len(fits),
        "practice_change_rate": len(changes),
    }
    behind: dict[str, frozenset[Unit]] = {
        "satisfaction": latest_units(sat_units),
        "nps": latest_units(rec_units),
        "goal_progress": latest_units(prog_units),
        **{f"satisfaction@{k}": v for k, v in sat_units.items()},
        **{f"nps@{k}": v for k, v in rec_units.items()},
        "skill_delta": frozenset((who, t) for t, by in skills.pairs.items() for who in by),
        **{
            f"skill_delta:{t}": frozenset((who, t) for who in ratings)
            for t, ratings in topic_skills.pairs.items()
        },
        "response_rate": frozenset((who, "") for who in active),
        **{
            metric: frozenset((who, metric) for who in delta.people)
            for metric, delta in deltas.items()
        },
        "safety": latest_units(safety_units),
        "fit_rate": frozenset((who, "fit_check") for who in fits),
        "practice_change_rate": frozenset((who, "follow_up") for who in changes),
    }
    goals: list[GoalResult] = []
    by_role: dict[str, EvaluationResult] = {}
    projections = {
        "completion_rate": projected_completion(
            pairs, meetings, info.start, info.end, today, config.evaluation.min_sessions
        )
    }
    for goal in config.goals:
        key = f"skill_delta:{goal.topic}" if goal.metric == "skill_delta" and goal.topic else ""
        if goal.role is not None and goal.metric in SURVEY_METRICS and role is None:
            if goal.role not in by_role:
                by_role[goal.role] = evaluate(
                    config.model_copy(update={"goals": ()}),
                    people,
                    pairs,
                    schedule,
                    (),
                    responses,
                    today,
                    role=goal.role,
                )
                hidden += [f"{goal.role}s: {s}" for s in by_role[goal.role].suppressed]
            sub = by_role[goal.role]
            value = (
                sub.skill_delta_by_topic.get(goal.topic or "")
                if key
                else sub.metrics.get(goal.metric)
            )
            behind[f"goal:{goal.id}"] = sub.behind.get(key or goal.metric, frozenset())
            # The program's figure minus this role's would show the others' answers:
            # hide the role's figure when the others are too few to be shown alone.
            count = key or goal.metric
            others = answers.get(count, 0) - sub.answers.get(count, 0)
            whole = by_topic.get(goal.topic or "") if key else metrics.get(goal.metric)
            if value is not None and whole is not None and 0 < others < threshold:
                hidden.append(f"goal {goal.id} ({others} answers from other roles)")
                value = None
        elif key:
            value = by_topic.get(goal.topic or "")
            behind[f"goal:{goal.id}"] = behind.get(key, frozenset())
        else:
            value = metrics.get(goal.metric)
            if goal.metric in SURVEY_METRICS:
                behind[f"goal:{goal.id}"] = behind[goal.metric]
        goals.append(
            goal_status(goal, value, info.start, info.end, today, projections.get(goal.metric))
        )
    notes: list[str] = []
    if skills.anonymous_excluded:
        notes.append(
            f"skill_delta leaves out {skills.anonymous_excluded} anonymous "
            f"{'response' if skills.anonymous_excluded == 1 else 'responses'}: "
            "without a respondent id, before and after ratings cannot be paired"
        )
    if hidden:
        notes.append(
            f"hidden to protect anonymity (fewer than {threshold} answers): " + "; ".join(hidden)
        )
    return EvaluationResult(
        today=today,
        metrics=metrics,
        goals=goals,
        satisfaction_by_kind=satisfaction,
        response_rate_by_kind=responded,
        skill_delta_by_topic=by_topic,
        skill_respondents=topic_skills.respondents,
        skill_anonymous_excluded=skills.anonymous_excluded,
        responses_by_kind={k: len(rows) for k, rows in by_kind.items()},
        anonymous_by_kind={
            k: sum(1 for r in rows if r.respondent is None) for k, rows in by_kind.items()
        },
        asked=len(active),
        answers=answers,
        suppressed=hidden,
        hidden_metrics=hidden_metrics,
        hidden_topics=hidden_topics,
        skills=topic_skills,  # the per-topic table's ratings
        notes=notes,
        nps_by_kind=nps_by_kind,
        behind=behind,
    )
