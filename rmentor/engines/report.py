"""The evaluation report: did the program work? Pure data, no rendering.

`build_report` takes what `evaluate` computes and adds what a coordinator shows
leadership: breakdowns by department, generation and role, the survey comments,
chart data, pairs at risk (counted, never named), recommendations tied to the
shortfalls, earlier cohorts side by side, and who earned a certificate.

No name, email, id or birth year in the program-wide report. Generations are
labels ("Generation X"), never years. Pair-level detail (who is at risk) stays in
the coordinator's packet; the report only counts. Which answers count, the
breakdowns and the comments come from `privacy`, whose docstring has the anonymity
rules: only the answers of the people who took part, small groups pooled, every
survey figure (totals, surveys, topics, goals, breakdown cells) checked as one system
so that no arithmetic on them singles out a few people, names blanked in comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import fmean
from typing import Any

from ..model.activity import Meeting, Response
from ..model.config import ProgramConfig
from ..model.pairings import PairingState
from ..model.people import Participant
from ..model.sessions import Schedule
from ..model.vocabulary import KIND_TITLES, SURVEY_METRICS, metric_text
from .evaluation import (
    EvaluationResult,
    GoalResult,
    Unit,
    active_participants,
    evaluate,
    latest_answers,
    ordered_kinds,
    skill_delta,
)
from .privacy import (
    TOTAL,
    Breakdown,
    Comment,
    LeftOut,
    PersonFigures,
    Redactor,
    comments,
    counted_answers,
    protect_figures,
)
from .status import MISSED, SILENT, Status

RISK_WORDS = {MISSED: "missed twice in a row", SILENT: "no meeting for weeks"}


# Thresholds for recommendations when no goal names the metric.
ATTENDANCE_FLOOR = 0.8
RESPONSE_FLOOR = 0.6
SATISFACTION_FLOOR = 3.5
DROPOUT_CEILING = 0.1


# The fit check's free text is read by the coordinator alone, as its forms promise
# ("Only the coordinator reads it": it is about one pair), never quoted in the report.
COORDINATOR_ONLY_COMMENTS = frozenset({"fit_check"})


@dataclass(frozen=True)
class Recommendation:
    """What to do about a shortfall."""

    about: str  # the metric or subject it answers
    finding: str
    action: str


@dataclass(frozen=True)
class SkillRow:
    """Before and after for one topic, over the people whose ratings were paired."""

    topic: str
    title: str
    before: float
    after: float
    delta: float
    people: int


@dataclass(frozen=True)
class Cohort:
    """An earlier program's standing, for comparison."""

    name: str
    start: dt.date
    end: dt.date
    metrics: dict[str, float | None]
    goals: tuple[GoalResult, ...]


@dataclass(frozen=True)
class Report:
    """Everything the report shows."""

    today: dt.date
    evaluation: EvaluationResult
    threshold: int
    people: int  # in a pair formed by today (or on the roster before matching)
    pairs_started: int
    pairs_active: int
    people_withdrawn: int
    at_risk: int
    at_risk_reasons: dict[str, int]
    weeks: list[tuple[dt.date, int, int]]  # Monday, held, planned
    satisfaction_distribution: dict[str, list[int]]  # kind -> counts of 1..5 (shown kinds)
    skills: list[SkillRow]
    breakdowns: list[Breakdown]
    comments: list[Comment]
    comments_hidden: dict[str, int]  # kind -> comments not shown (too few responses)
    recommendations: list[Recommendation]
    # The follow-up's "what I do differently", as comments are shown (issue 15).
    changes: list[Comment] = field(default_factory=list)
    changes_hidden: int = 0
    skills_after: str = "final"  # the survey the "after" skill ratings come from
    cohorts: list[Cohort] = field(default_factory=list)
    certificates: list[tuple[str, int]] = field(default_factory=list)  # (id, sessions held)
    left_out: list[LeftOut] = field(default_factory=list)  # answers no survey figure counts

    def to_json(self) -> dict[str, Any]:
        """`report --json` (SPEC §2): goals and metrics first; hidden figures are null."""
        ev = self.evaluation
        return {
            "today": self.today.isoformat(),
            "goals": [_goal_json(g) for g in ev.goals],
            "metrics": _counts_as_ints(ev.metrics),
            "anonymity_threshold": self.threshold,
            "surveys": {
                kind: {
                    "responses": ev.responses_by_kind.get(kind, 0),
                    # answers naming no participant: in the figures, not in the rate
                    "anonymous": ev.anonymous_by_kind.get(kind, 0),
                    "response_rate": ev.response_rate_by_kind.get(kind),
                    "satisfaction": ev.satisfaction_by_kind.get(kind),
                    "nps": ev.nps_by_kind.get(kind),
                }
                for kind in ordered_kinds(ev.responses_by_kind)
            },
            "skill_delta_by_topic": dict(sorted(ev.skill_delta_by_topic.items())),
            "participation": {
                "people": self.people,
                "pairs_started": self.pairs_started,
                "pairs_active": self.pairs_active,
                "people_withdrawn": self.people_withdrawn,
                "pairs_at_risk": self.at_risk,
            },
            "breakdowns": {
                b.dimension: [
                    {
                        "group": r.group,
                        "people": None if r.people is None else int(r.people),
                        "attendance_rate": r.attendance_rate,
                        "satisfaction": r.satisfaction,
                        "skill_delta": r.skill_delta,
                        "response_rate": r.response_rate,
                    }
                    for r in b.rows
                ]
                for b in self.breakdowns
            },
            "comments": [{"survey": c.kind, "text": c.text} for c in self.comments],
            "changes": [c.text for c in self.changes],
            "recommendations": [
                {"about": r.about, "finding": r.finding, "action": r.action}
                for r in self.recommendations
            ],
            "cohorts": [
                {
                    "name": c.name,
                    "start": c.start.isoformat(),
                    "end": c.end.isoformat(),
                    "goals": [_goal_json(g) for g in c.goals],
                    "metrics": _counts_as_ints(c.metrics),
                }
                for c in self.cohorts
            ],
            "certificates": len(self.certificates),
            "left_out": [
                {
                    "survey": e.survey,
                    "question": e.question,
                    "answers": e.answers,
                    "reason": e.reason,
                }
                for e in self.left_out
            ],
            "suppressed": list(ev.suppressed),
            "notes": list(ev.notes),
        }


def _counts_as_ints(metrics: Mapping[str, float | None]) -> dict[str, float | int | None]:
    """Metrics sorted by name, with meetings_held as the whole number it is."""
    return {
        k: int(v) if k == "meetings_held" and v is not None else v
        for k, v in sorted(metrics.items())
    }


def _goal_json(goal: GoalResult) -> dict[str, Any]:
    return {
        "id": goal.id,
        "metric": goal.metric,
        "value": goal.value,
        "target": goal.target,
        "status": goal.status,
        "projected": goal.projected,
    }


# -- recommendations -----------------------------------------------------------------------


def _percent(share: float | None) -> str:
    return metric_text("response_rate", share)  # every rate reads "81 %"


def recommendations(
    config: ProgramConfig, evaluation: EvaluationResult, at_risk: int, skills: Sequence[SkillRow]
) -> list[Recommendation]:
    """Concrete next steps, each tied to a figure that falls short.

    Rules: attendance below its goal (or 80 %); pairs at risk; the latest survey's
    response rate below 60 %; satisfaction below its goal (or 3.5); a negative net
    promoter score; dropout above its goal (or 10 %); completion projected short of
    its goal; the topic with the smallest skill gain when a skill goal is short or
    a topic did not improve; a goal at risk or missed that no rule above covers; no
    final survey configured.
    """
    m = evaluation.metrics
    # The program-wide goal of each metric (one limited to a role or topic measures
    # something else than m[metric]).
    whole = {g.id for g in config.goals if g.role is None and g.topic is None}
    goals = {g.metric: g for g in evaluation.goals if g.metric in m and g.id in whole}
    targets = {g.metric: g.target for g in config.goals if g.id in whole}
    out: list[Recommendation] = []

    def short(metric: str, floor: float, lower_is_better: bool = False) -> bool:
        value = m.get(metric)
        if value is None:
            return False
        if metric in goals:
            return goals[metric].status in ("at risk", "missed")
        return value > floor if lower_is_better else value < floor

    attendance = m.get("attendance_rate")
    if attendance is not None and short("attendance_rate", ATTENDANCE_FLOOR):
        target = targets.get("attendance_rate", ATTENDANCE_FLOOR)
        out.append(
            Recommendation(
                "attendance_rate",
                f"Pairs held {_percent(attendance)} of their planned sessions "
                f"(target {_percent(target)}).",
                "Ask the pairs that skip sessions what gets in the way; offer a shorter "
                "30-minute format and ask mentors to book the next date at the end of "
                "each session. Remind managers that the time is protected.",
            )
        )
    if at_risk:
        out.append(
            Recommendation(
                "pairs_at_risk",
                f"{at_risk} {'pair is' if at_risk == 1 else 'pairs are'} at risk (missed "
                "sessions in a row or no meeting for weeks).",
                "Call each of them this week (names are in the coordinator's packet): "
                "a new time slot, a different channel or a new partner often restarts "
                "a stalled pair.",
            )
        )
    kinds = ordered_kinds(k for k, v in evaluation.response_rate_by_kind.items() if v is not None)
    if kinds:
        rate = evaluation.response_rate_by_kind[kinds[-1]]
        assert rate is not None
        # An anonymous survey's rate counts no one by design: chase answers only when
        # even counting every anonymous answer as a different person the survey is short.
        anonymous = evaluation.anonymous_by_kind.get(kinds[-1], 0)
        ceiling = min(1.0, rate + anonymous / evaluation.asked) if evaluation.asked else rate
        if short("response_rate", RESPONSE_FLOOR) or (
            "response_rate" not in goals and ceiling < RESPONSE_FLOOR
        ):
            out.append(
                Recommendation(
                    "response_rate",
                    f"Only {_percent(rate)} answered the {KIND_TITLES.get(kinds[-1], kinds[-1])}.",
                    "Send one reminder from the program's leader, give ten minutes for it in "
                    "a pair session or team meeting, and keep the survey short; say how "
                    "the last answers changed the program.",
                )
            )
    satisfaction = m.get("satisfaction")
    if satisfaction is not None and short("satisfaction", SATISFACTION_FLOOR):
        out.append(
            Recommendation(
                "satisfaction",
                f"Satisfaction averages {satisfaction:.1f} of 5.",
                "Read the comments for what people miss; hold a short check-in with "
                "mentors and mentees separately, and share the agenda sheets so sessions "
                "have a clear purpose.",
            )
        )
    score = m.get("nps")
    if score is not None and (short("nps", 0.0) if "nps" in goals else score < 0):
        finding = f"The net promoter score is {score:+.0f}"
        if score < 0:
            finding += ": more people would advise against the program than for it."
        else:
            finding += f", below the target of {targets.get('nps', 0.0):+.0f}."
        out.append(
            Recommendation(
                "nps",
                finding,
                "Ask those who would not recommend it (in the next survey's comments) what "
                "would change their answer before the program is repeated.",
            )
        )
    dropout = m.get("dropout_rate")
    if dropout is not None and short("dropout_rate", DROPOUT_CEILING, lower_is_better=True):
        out.append(
            Recommendation(
                "dropout_rate",
                f"{_percent(dropout)} of the participants left the program.",
                "Re-pair the remaining partners quickly (rmentor withdraw does this) and "
                "ask those who left, privately, why: workload, the match or the format.",
            )
        )
    completion = goals.get("completion_rate")
    if completion is not None and completion.status in ("at risk", "missed"):
        out.append(
            Recommendation(
                "completion_rate",
                f"{_percent(completion.value)} of the pairs have held the "
                f"{config.evaluation.min_sessions} sessions that count as completing.",
                "Plan a catch-up fortnight before the end, and let pairs add sessions "
                "outside the series (rmentor log records them).",
            )
        )
    weakest = min(skills, key=lambda s: (s.delta, s.title)) if skills else None
    skill_goals = [g for g in evaluation.goals if g.metric == "skill_delta"]
    skill_short = any(g.status in ("at risk", "missed") for g in skill_goals)
    if weakest is not None and (weakest.delta <= 0 or skill_short):
        out.append(
            Recommendation(
                "skill_delta",
                f"{weakest.title} shows the smallest gain of all topics "
                f"({weakest.delta:+.2f} points).",
                f"Give {weakest.title} a session theme of its own, or a short group "
                "workshop led by the mentors who know it best.",
            )
        )
    covered = {r.about for r in out}
    for goal in evaluation.goals:
        if goal.status in ("at risk", "missed") and goal.metric not in covered:
            out.append(
                Recommendation(
                    goal.metric,
                    f"The goal {goal.id} is {goal.status}.",
                    "Agree with the program's leader what would move it, and check the "
                    "figure again at the next survey.",
                )
            )
    if not any(s.kind == "final" for s in config.evaluation.surveys):
        out.append(
            Recommendation(
                "surveys",
                "No final survey is configured.",
                "Add the final survey's export to evaluation.surveys in program.yaml "
                "(kind: final): skill gains and certificates depend on it.",
            )
        )
    return out


# -- the report ----------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_attendance(
    pairs: PairingState,
    schedule: Schedule,
    meetings: Iterable[Meeting],
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> list[tuple[dt.date, int, int]]:
    """(Monday, held, planned) for each week from the start to today (or the end)."""
    last = min(today, end)
    if last < start:
        return []
    known = {p.id: p for p in pairs.pairs}
    planned: dict[dt.date, int] = {}
    for plan in schedule.plans:
        pair = known.get(plan.pair)
        if pair is None:
            continue
        until = min(last, pair.ended) if pair.ended is not None else last
        for s in plan.sessions:
            if s.status == "planned" and s.start.date() <= until:
                week = _monday(s.start.date())
                planned[week] = planned.get(week, 0) + 1
    held: dict[dt.date, int] = {}
    for m in meetings:
        if m.held and m.pair in known and m.date <= last:
            week = _monday(m.date)
            held[week] = held.get(week, 0) + 1
    weeks: list[tuple[dt.date, int, int]] = []
    week = _monday(start)
    while week <= last:
        weeks.append((week, held.get(week, 0), planned.get(week, 0)))
        week += dt.timedelta(days=7)
    return weeks


def certified(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    meetings: Iterable[Meeting],
    responses: Iterable[Response],
    today: dt.date,
) -> list[tuple[str, int]]:
    """(id, sessions held) of participants who meet `evaluation.certificate`: at least
    `min_sessions` held meetings (over all their pairs, to date, each pair's only up
    to its end) and, if asked, a final survey answer. Someone who withdrew has left
    the program and gets none; their partner keeps the sessions they held together."""
    rule = config.evaluation.certificate
    ends = {p.id: p.ended for p in pairs.pairs}
    held: dict[str, int] = {}
    for m in meetings:
        end = ends.get(m.pair)
        if m.held and m.date <= today and (end is None or m.date <= end):
            held[m.pair] = held.get(m.pair, 0) + 1
    left = {w.person for w in pairs.withdrawn if w.date <= today}
    per_person: dict[str, int] = {}
    for pair in pairs.pairs:
        for who in (pair.mentor, pair.mentee):
            per_person[who] = per_person.get(who, 0) + held.get(pair.id, 0)
    answered = {r.respondent for r in responses if r.survey_kind == "final" and r.respondent}
    return [
        (p.id, per_person[p.id])
        for p in participants
        if per_person.get(p.id, 0) >= rule.min_sessions
        and (not rule.final_survey or p.id in answered)
        and p.id not in left
    ]


def _protected(
    evaluation: EvaluationResult,
    people: Sequence[Participant],
    figures: PersonFigures,
    threshold: int,
) -> tuple[EvaluationResult, list[Breakdown]]:
    """The evaluation and the breakdowns as the report shows them: every survey figure
    over the same answers checked as one system (`privacy.protect_figures`).

    Per column: the program-wide figure, each survey's, each topic's and each goal's,
    with the breakdown cells. What is hidden here is `None` in the returned evaluation
    (a goal without its value has no status: "no data") and named in its notes.
    """
    ev = evaluation
    behind = ev.behind
    headline = sorted(SURVEY_METRICS - {"response_rate"})
    others: dict[str, dict[str, frozenset[Unit]]] = {c: {} for c in SURVEY_METRICS}
    for metric in headline:  # (response_rate's total is the breakdown's people)
        shown = ev.metrics.get(metric) is not None
        others[metric][TOTAL] = behind.get(metric, frozenset()) if shown else frozenset()
    for column, key, by_kind in (
        ("satisfaction", "satisfaction@", ev.satisfaction_by_kind),
        ("nps", "nps@", ev.nps_by_kind),
        ("skill_delta", "skill_delta:", ev.skill_delta_by_topic),
    ):
        for kind, value in by_kind.items():
            if value is not None:
                others[column][f"{column}:{kind}"] = behind.get(key + kind, frozenset())
    for goal in ev.goals:
        if goal.value is not None and f"goal:{goal.id}" in behind:
            others[goal.metric][f"goal:{goal.id}"] = behind[f"goal:{goal.id}"]
    protected = protect_figures(people, figures, threshold, others)
    hidden = protected.hidden
    gone: list[str] = []

    def keep(column: str, name: str, value: float | None, words: str) -> float | None:
        if value is not None and name in hidden.get(column, ()):
            gone.append(words)
            return None
        return value

    satisfaction = {
        k: keep("satisfaction", f"satisfaction:{k}", v, f"satisfaction ({k} survey)")
        for k, v in ev.satisfaction_by_kind.items()
    }
    nps_by_kind = {
        k: keep("nps", f"nps:{k}", v, f"nps ({k} survey)") for k, v in ev.nps_by_kind.items()
    }
    by_topic = {
        t: keep("skill_delta", f"skill_delta:{t}", v, f"skill_delta for {t}")
        for t, v in ev.skill_delta_by_topic.items()
    }
    goals = []
    for goal in ev.goals:
        if keep(goal.metric, f"goal:{goal.id}", goal.value, f"goal {goal.id}") != goal.value:
            goal = replace(goal, value=None, status="no data", projected=None)
        goals.append(goal)
    notes = list(ev.notes)
    if gone:
        notes.append(
            "hidden to protect anonymity (with the other figures shown, it would describe "
            f"fewer than {threshold} people): " + "; ".join(gone)
        )
    result = replace(
        ev,
        goals=goals,
        satisfaction_by_kind=satisfaction,
        nps_by_kind=nps_by_kind,
        skill_delta_by_topic=by_topic,
        hidden_topics=[
            *ev.hidden_topics,
            *(
                t
                for t in by_topic
                if by_topic[t] is None and ev.skill_delta_by_topic[t] is not None
            ),
        ],
        suppressed=[*ev.suppressed, *gone],
        notes=notes,
    )
    return result, protected.breakdowns


def build_report(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    schedule: Schedule,
    meetings: Sequence[Meeting],
    responses: Sequence[Response],
    evaluation: EvaluationResult,
    status: Status,
    today: dt.date,
    cohorts: Sequence[Cohort] = (),
) -> Report:
    """The whole report as of `today` (rules in the module docstring).

    `evaluation` is `evaluate` over `responses`; when the report leaves answers out
    (`privacy.counted_answers`: people not in a pair, too few anonymous answers) it is
    worked out again without them, so that every figure counts the same people.
    """
    info = config.program
    threshold = config.evaluation.anonymity_threshold
    started = {x for p in pairs.pairs if p.since <= today for x in (p.mentor, p.mentee)}
    people = [p for p in participants if p.id in started] if started else list(participants)
    outside = "not in a pair" if started else "not on the roster"
    counted, left_out = counted_answers(responses, {p.id for p in people}, threshold, outside)
    if left_out:
        evaluation = evaluate(config, participants, pairs, schedule, meetings, counted, today)
    kinds = ordered_kinds(
        {s.kind for s in config.evaluation.surveys} | {r.survey_kind for r in counted}
    )
    by_kind = latest_answers(counted, kinds)
    active = active_participants(participants, pairs, today)

    # Per person: attendance over their pairs, latest satisfaction, skill deltas, answered.
    attendance: dict[str, tuple[int, int]] = {}
    for row in status.pairs:
        for who in (row.mentor, row.mentee):
            held, planned = attendance.get(who, (0, 0))
            attendance[who] = (held + row.held, planned + row.planned)
    latest_sat = next(
        (k for k in reversed(kinds) if any(r.satisfaction is not None for r in by_kind[k])), None
    )
    satisfaction = (
        {
            r.respondent: r.satisfaction
            for r in by_kind[latest_sat]
            if r.respondent is not None and r.satisfaction is not None
        }
        if latest_sat
        else {}
    )
    # Per person, every role's (the breakdown's Mentors row is the mentors'); the topic
    # table below is the mentees' (`evaluation.skills`).
    every_skill = skill_delta(by_kind)
    skills = evaluation.skills or every_skill
    deltas: dict[str, dict[str, int]] = {}
    for topic, ratings in every_skill.pairs.items():
        for who, (before, after) in ratings.items():
            deltas.setdefault(who, {})[topic] = after - before
    latest_any = next((k for k in reversed(kinds) if by_kind[k]), None)
    answered_ids = (
        {r.respondent for r in by_kind[latest_any] if r.respondent} if latest_any else set()
    )
    figures = PersonFigures(
        attendance,
        satisfaction,
        deltas,
        {who: who in answered_ids for who in active} if latest_any else {},
        latest_sat or "",
    )
    evaluation, shown_breakdowns = _protected(evaluation, people, figures, threshold)

    distribution: dict[str, list[int]] = {}
    for kind in kinds:
        answers = [r.satisfaction for r in by_kind[kind] if r.satisfaction is not None]
        # the satisfaction chart shows a survey's answers only where its figure is shown
        if answers and evaluation.satisfaction_by_kind.get(kind) is not None:
            distribution[kind] = [answers.count(v) for v in range(1, 6)]

    titles = {t.id: t.title for t in config.topics}
    skill_rows = [
        SkillRow(
            topic,
            titles.get(topic, topic),
            fmean(b for b, _ in skills.pairs[topic].values()),
            fmean(a for _, a in skills.pairs[topic].values()),
            delta,
            len(skills.pairs[topic]),
        )
        for topic, delta in evaluation.skill_delta_by_topic.items()
        if delta is not None and topic in skills.pairs
    ]
    skill_rows.sort(key=lambda s: (-s.delta, s.title))

    by_kind_all = latest_answers(responses, kinds)  # comments: every answer, names blanked
    redactor = Redactor(participants)
    quoted = {k: v for k, v in by_kind_all.items() if k not in COORDINATOR_ONLY_COMMENTS}
    shown, hidden = comments(quoted, redactor, threshold, info.name)
    follow_up = {"follow_up": by_kind_all.get("follow_up", [])}
    changes, changes_hidden = comments(follow_up, redactor, threshold, info.name, "changes")
    reasons: dict[str, int] = {}
    for row in status.at_risk:
        for risk in row.risks:
            reasons[RISK_WORDS[risk]] = reasons.get(RISK_WORDS[risk], 0) + 1
    return Report(
        today=today,
        evaluation=evaluation,
        threshold=threshold,
        people=len(people),
        pairs_started=sum(1 for p in pairs.pairs if p.since <= today),
        pairs_active=sum(
            1 for p in pairs.pairs if p.since <= today and (p.ended is None or p.ended > today)
        ),
        people_withdrawn=sum(1 for w in pairs.withdrawn if w.date <= today),
        at_risk=len(status.at_risk),
        at_risk_reasons=dict(sorted(reasons.items())),
        weeks=weekly_attendance(pairs, schedule, meetings, info.start, info.end, today),
        satisfaction_distribution=distribution,
        skills=skill_rows,
        breakdowns=shown_breakdowns,
        comments=shown,
        comments_hidden=hidden,
        changes=changes,
        changes_hidden=sum(changes_hidden.values()),
        recommendations=recommendations(config, evaluation, len(status.at_risk), skill_rows),
        skills_after=skills.after,
        cohorts=list(cohorts),
        certificates=certified(config, participants, pairs, meetings, responses, today),
        left_out=left_out,
    )
