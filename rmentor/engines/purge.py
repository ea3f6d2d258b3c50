"""`rmentor purge`: what a finished program keeps once its personal data is gone.

Pure functions over the loaded program and its report; `files.archive` decides which
files go, writes the archive and reads it back for later programs.

- `check_finished`: purging is for a finished program. Before the day after its end
  it is refused unless forced, because meetings and survey answers may still come in
  and the figures kept would be final too early.
- `build_archive`: the `Archive` (`model.archive`). Its figures are the report's,
  taken as shown (`Report.evaluation`): every figure hidden for anonymity stays
  hidden, nothing is recomputed from raw answers. Its pairs and meetings name people
  only by salted pseudonyms, and keep no score, reason, note or end reason (free text
  and reasons can carry names and ages).
- `archived_cohort`: a later program's `Cohort` from an archive's `Standing`, with the
  later program's threshold applied on top when it is stricter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..errors import RmentorError
from ..model.activity import Meeting
from ..model.archive import Archive, ArchivedGoal, Standing, pseudonym
from ..model.pairings import Pairing, pair_id
from ..model.program import Program
from .evaluation import GoalResult, GoalStatus
from .report import Cohort, Report

# Survey figures whose answers are counted (`EvaluationResult.answers`): the ones a
# stricter threshold can hide. Rates of meetings and responses are counts of events,
# shown at any size (see `engines.evaluation`).
COUNTED = ("satisfaction", "nps", "goal_progress", "skill_delta")
_STATUSES: tuple[GoalStatus, ...] = ("met", "on track", "at risk", "missed", "no data")


def check_finished(program: Program, today: dt.date, *, force: bool = False) -> None:
    """Refuse to purge before the day after the program's end, unless `force`."""
    end = program.config.program.end
    if today <= end and not force:
        after = end + dt.timedelta(days=1)
        raise RmentorError(
            f"the program runs until {end.isoformat()}: purge it from {after.isoformat()} on, "
            "when its figures are final (or pass --force to purge it now)"
        )


def _pseudonymous(pair: Pairing, salt: str) -> Pairing:
    """A pair with its people as pseudonyms and only what the no-repeat rule reads."""
    return Pairing(
        mentor=pseudonym(salt, pair.mentor),
        mentee=pseudonym(salt, pair.mentee),
        score=0.0,
        since=pair.since,
        status=pair.status,
        ended=pair.ended,
    )


def _standing(program: Program, report: Report) -> Standing:
    info = program.config.program
    evaluation = report.evaluation
    goals = {g.id: g for g in program.config.goals}
    archived = []
    for result in evaluation.goals:
        goal = goals.get(result.id)
        archived.append(
            ArchivedGoal(
                id=result.id,
                description=goal.description if goal else result.id,
                metric=result.metric,
                target=result.target,
                value=result.value,
                status=result.status,
                role=goal.role if goal else None,
                topic=goal.topic if goal else None,
                projected=result.projected,
            )
        )
    # Only the counts behind figures that are shown: a hidden figure's count is of a
    # group under the threshold, and nothing reads it.
    answers = {
        m: evaluation.answers[m]
        for m in COUNTED
        if m in evaluation.answers and evaluation.metrics.get(m) is not None
    }
    return Standing(
        name=info.name,
        organization=info.organization,
        start=info.start,
        end=info.end,
        as_of=report.today,
        threshold=report.threshold,
        metrics=dict(evaluation.metrics),
        answers=answers,
        goals=tuple(archived),
    )


def build_archive(program: Program, report: Report, *, today: dt.date, salt: str) -> Archive:
    """What remains of `program` after the purge on `today`; `report` is its report as of
    `today`, and `salt` a fresh random string (the caller's: this function is pure).

    Meetings of a pair the state does not know (a hand-written row naming a person,
    say) cannot be given a pseudonym and are left out.
    """
    if not salt:
        raise ValueError("the salt must not be empty")
    pairs = tuple(
        sorted(
            (_pseudonymous(p, salt) for p in program.pairings.pairs),
            key=lambda p: (p.mentee, p.mentor),
        )
    )
    renamed = {
        p.id: pair_id(pseudonym(salt, p.mentor), pseudonym(salt, p.mentee))
        for p in program.pairings.pairs
    }
    meetings = tuple(
        Meeting(
            pair=renamed[m.pair],
            date=m.date,
            status=m.status,
            minutes=m.minutes,
            topics=m.topics,
        )
        for m in sorted(program.meetings, key=lambda m: (m.date, renamed.get(m.pair, "")))
        if m.pair in renamed
    )
    return Archive(_standing(program, report), today, salt, pairs, meetings)


def _status(text: str) -> GoalStatus:
    for status in _STATUSES:
        if status == text:
            return status
    return "no data"


def archived_cohort(standing: Standing, threshold: int) -> Cohort:
    """An archived program as a later report's cohort, under that report's `threshold`.

    The archive's figures passed its own program's threshold. When the later program's
    is stricter, a survey figure from fewer answers than it is hidden, as it would be
    were the earlier program still there to evaluate. A goal on one role's or one
    topic's answers has no count in the archive, so it is hidden then too.
    """
    metrics = dict(standing.metrics)
    stricter = threshold > standing.threshold

    def too_few(metric: str) -> bool:
        return stricter and metric in COUNTED and standing.answers.get(metric, 0) < threshold

    for metric in COUNTED:
        if metrics.get(metric) is not None and too_few(metric):
            metrics[metric] = None
    goals = []
    for goal in standing.goals:
        result = GoalResult(
            goal.id, goal.metric, goal.value, goal.target, _status(goal.status), goal.projected
        )
        narrowed = goal.role is not None or goal.topic is not None
        hide = too_few(goal.metric) or (stricter and narrowed and goal.metric in COUNTED)
        if goal.value is not None and hide:
            result = replace(result, value=None, status="no data", projected=None)
        goals.append(result)
    return Cohort(standing.name, standing.start, standing.end, metrics, tuple(goals))
