"""The coordinator's dashboard: where the program stands on a given day. Pure.

`build_status` reads the program, the pairs, the planned sessions and the meeting
log, and says, as of `today`:

- **Phase**: "not started" before the program's start, "ended" after its end, else
  "week N of M", where week 1 is the seven days from the start and M is the number
  of (partly) covered weeks up to the end.
- **Pairs**: how many are active, withdrawn or ended (state/pairings.toml), and how
  many people withdrew.
- **Sessions planned to date**: sessions of the schedule with status `planned` that
  start on or before today (for a pair that ended, on or before its end).
  **Held**: logged meetings with status `held` dated on or before today.
  **Attendance rate**: held / planned to date over all pairs, `None` while nothing
  was planned. It can exceed 1 when pairs meet more often than planned.
- **At risk** (active pairs only, once the program has started; "as of" is today,
  or the program's end once it is over). A pair is at risk when either rule holds:
  1. *Two missed in a row*: the pair's last two occasions are both missed. The
     occasions are its logged entries (held; cancelled or no-show = missed) and its
     planned sessions dated before today; each entry accounts for the planned session
     nearest to it (within one cadence period, one session per entry), and a planned
     session that passed with no entry accounting for it counts as missed.
  2. *No meeting for three cadence periods*: no meeting held for 21 days (weekly),
     42 days (biweekly) or 91 days (monthly), counted from the last held meeting,
     else from the later of the program's start and the day the pair was formed; so
     a pair that never met is at risk only once the program has run that long.
- **Next milestones**: the next three of `meetings.milestones` dated today or later,
  by date, time and name.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model.activity import Meeting, Response
from ..model.config import Milestone, ProgramConfig
from ..model.pairings import Pairing, PairingState
from ..model.people import Participant
from ..model.sessions import Schedule, Session

# Days in one cadence period; a monthly period is about 30 days (13 weeks for three).
PERIOD_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30}
# Days without a held meeting before a pair is at risk (three periods).
SILENCE_DAYS = {"weekly": 21, "biweekly": 42, "monthly": 91}
MILESTONES_SHOWN = 3
# The at-risk rules, as codes (PairStatus.risks).
MISSED = "missed_in_a_row"
SILENT = "silent_too_long"


@dataclass(frozen=True)
class PairStatus:
    """One pair's line on the dashboard."""

    pair: str
    mentor: str
    mentee: str
    mentor_name: str
    mentee_name: str
    state: str  # active | withdrawn | ended
    planned: int  # sessions planned to date
    held: int
    missed: int  # logged as cancelled or no-show, to date
    last_meeting: dt.date | None  # last held meeting, to date
    at_risk: str | None  # why, in words; None when the pair is fine
    risks: tuple[str, ...] = ()  # which rules fired: MISSED, SILENT
    # The first-session fit check: role -> good | unsure | poor, for those who answered.
    fit: tuple[tuple[str, str], ...] = ()

    @property
    def fit_concern(self) -> str | None:
        """Why the pair needs a conversation after the fit check (a `poor`, or two
        `unsure`), in words; None when it does not."""
        answers = dict(self.fit)
        poor = [role for role, answer in self.fit if answer == "poor"]
        if poor:
            return f"the {' and the '.join(poor)} answered poor in the fit check"
        if len(answers) == 2 and set(answers.values()) == {"unsure"}:
            return "both answered unsure in the fit check"
        return None

    def to_json(self) -> dict[str, object]:
        """The pair in `status --json`."""
        return {
            "id": self.pair,
            "mentor": self.mentor,
            "mentee": self.mentee,
            "mentor_name": self.mentor_name,
            "mentee_name": self.mentee_name,
            "status": self.state,
            "planned": self.planned,
            "held": self.held,
            "missed": self.missed,
            "last_meeting": _iso(self.last_meeting),
            "at_risk": self.at_risk,
            "fit": dict(self.fit),
            "fit_concern": self.fit_concern,
        }


# What the coordinator does about a fit concern.
FIT_NEXT_STEP = (
    "talk to each of the two alone this week; if the pair cannot work, "
    "`rmentor withdraw` the one who leaves (their partner is re-paired), "
    "or end the pair and `rmentor match` again"
)


@dataclass(frozen=True)
class MilestoneDue:
    """A milestone still to come."""

    name: str
    date: dt.date
    kind: str
    audience: str
    time: dt.time | None = None

    def to_json(self) -> dict[str, object]:
        """The milestone in `status --json`."""
        return {
            "name": self.name,
            "date": self.date.isoformat(),
            "time": self.time.strftime("%H:%M") if self.time else None,
            "kind": self.kind,
            "audience": self.audience,
        }


@dataclass(frozen=True)
class Status:
    """Everything `rmentor status` shows."""

    program: str
    today: dt.date
    start: dt.date
    end: dt.date
    phase: str
    week: int | None  # the current week, while the program runs
    weeks: int
    cadence: str
    pairs_active: int
    pairs_withdrawn: int
    pairs_ended: int
    people_withdrawn: int
    planned: int
    held: int
    cancelled: int
    no_show: int
    attendance_rate: float | None
    pairs: tuple[PairStatus, ...]
    milestones: tuple[MilestoneDue, ...]
    notes: tuple[str, ...] = ()  # what is missing to make the picture complete

    @property
    def at_risk(self) -> list[PairStatus]:
        """The pairs at risk, in the order of `pairs`."""
        return [p for p in self.pairs if p.at_risk is not None]

    @property
    def fit_concerns(self) -> list[PairStatus]:
        """The active pairs whose fit check calls for a conversation."""
        return [p for p in self.pairs if p.state == "active" and p.fit_concern is not None]

    def to_json(self) -> dict[str, object]:
        """`status --json`: the same data as the tables, dates as ISO 8601."""
        return {
            "program": self.program,
            "today": self.today.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "phase": self.phase,
            "week": self.week,
            "weeks": self.weeks,
            "cadence": self.cadence,
            "pairs_active": self.pairs_active,
            "pairs_withdrawn": self.pairs_withdrawn,
            "pairs_ended": self.pairs_ended,
            "people_withdrawn": self.people_withdrawn,
            "sessions_planned": self.planned,
            "sessions_held": self.held,
            "cancelled": self.cancelled,
            "no_show": self.no_show,
            "attendance_rate": self.attendance_rate,
            "pairs": [p.to_json() for p in self.pairs],
            "at_risk": [{"pair": p.pair, "reason": p.at_risk} for p in self.at_risk],
            "fit_check": [
                {"pair": p.pair, "reason": p.fit_concern, "next": FIT_NEXT_STEP}
                for p in self.fit_concerns
            ],
            "milestones": [m.to_json() for m in self.milestones],
            "notes": list(self.notes),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def program_phase(start: dt.date, end: dt.date, today: dt.date) -> tuple[str, int | None, int]:
    """("not started" | "week N of M" | "ended", N or None, M)."""
    weeks = (end - start).days // 7 + 1
    if today < start:
        return "not started", None, weeks
    if today > end:
        return "ended", None, weeks
    week = (today - start).days // 7 + 1
    return f"week {week} of {weeks}", week, weeks


def _matched_sessions(
    sessions: Sequence[Session], entries: Sequence[Meeting], period: int
) -> set[int]:
    """Indexes of the sessions some entry accounts for: each entry takes the nearest
    session not yet taken, less than one period from its date (the earlier on a tie).
    `sessions` are sorted by start."""
    if not entries:  # a pair that logged nothing (most, early on): nothing to match
        return set()
    days = [s.start.date() for s in sessions]
    reach = dt.timedelta(days=period)
    taken: set[int] = set()
    for entry in entries:
        nearby = range(
            bisect.bisect_right(days, entry.date - reach),
            bisect.bisect_left(days, entry.date + reach),
        )
        free = [i for i in nearby if i not in taken]
        if free:
            taken.add(min(free, key=lambda i: (abs((days[i] - entry.date).days), i)))
    return taken


def _describe(entry: Meeting | Session) -> str:
    if isinstance(entry, Session):
        return f"session {entry.number} on {entry.start.date()} not logged"
    return f"{entry.status} on {entry.date}"


def missed_in_a_row(
    sessions: Sequence[Session], entries: Sequence[Meeting], today: dt.date, period: int
) -> str | None:
    """Rule 1: why the pair's last two occasions were both missed, or None."""
    passed = sorted(
        (s for s in sessions if s.status == "planned" and s.start.date() < today),
        key=lambda s: s.start,
    )
    logged = sorted((m for m in entries if m.date <= today), key=lambda m: m.date)
    covered = _matched_sessions(passed, logged, period)
    occasions: list[tuple[dt.date, Meeting | Session]] = [(m.date, m) for m in logged]
    occasions += [(s.start.date(), s) for i, s in enumerate(passed) if i not in covered]
    occasions.sort(key=lambda item: item[0])
    last = [entry for _, entry in occasions[-2:]]
    if len(last) == 2 and not any(isinstance(e, Meeting) and e.held for e in last):
        return "two missed in a row: " + ", then ".join(_describe(e) for e in last)
    return None


def silent_too_long(
    pair: Pairing,
    entries: Sequence[Meeting],
    start: dt.date,
    as_of: dt.date,
    silence: int,
) -> str | None:
    """Rule 2: why the pair has not met for `silence` days, or None."""
    held = [m.date for m in entries if m.held and m.date <= as_of]
    since = max(held) if held else max(start, pair.since)
    days = (as_of - since).days
    if days < silence:
        return None
    weeks = days // 7
    if held:
        return f"no meeting held for {weeks} weeks (last on {since})"
    return f"no meeting held in the {weeks} weeks since {since}"


def build_status(
    config: ProgramConfig,
    participants: Iterable[Participant],
    pairs: PairingState,
    schedule: Schedule,
    meetings: Sequence[Meeting],
    today: dt.date,
    responses: Sequence[Response] = (),
) -> Status:
    """The dashboard as of `today` (the rules are in the module docstring). `responses`:
    the survey answers to date, for the fit check."""
    info = config.program
    cadence = config.meetings.cadence
    period, silence = PERIOD_DAYS[cadence], SILENCE_DAYS[cadence]
    phase, week, weeks = program_phase(info.start, info.end, today)
    as_of = min(today, info.end)
    names = {p.id: p.name for p in participants}
    plans = {plan.pair: plan.sessions for plan in schedule.plans}
    logs: dict[str, list[Meeting]] = {}
    for meeting in meetings:
        logs.setdefault(meeting.pair, []).append(meeting)
    fits = {
        r.respondent: r.fit
        for r in responses
        if r.survey_kind == "fit_check" and r.respondent is not None and r.fit is not None
    }  # a later answer replaces an earlier one
    rows: list[PairStatus] = []
    ordered = sorted(pairs.pairs, key=lambda p: (not p.active, p.mentee, p.mentor, p.id))
    for pair in ordered:
        sessions = plans.get(pair.id, ())
        until = min(today, pair.ended) if pair.ended is not None else today
        planned = sum(1 for s in sessions if s.status == "planned" and s.start.date() <= until)
        entries = [m for m in logs.get(pair.id, []) if m.date <= today]
        held = [m.date for m in entries if m.held]
        reasons: list[str] = []
        risks: list[str] = []
        if pair.active and today >= info.start:
            for risk, reason in (
                (MISSED, missed_in_a_row(sessions, entries, today, period)),
                (SILENT, silent_too_long(pair, entries, info.start, as_of, silence)),
            ):
                if reason is not None:
                    reasons.append(reason)
                    risks.append(risk)
        rows.append(
            PairStatus(
                pair=pair.id,
                mentor=pair.mentor,
                mentee=pair.mentee,
                mentor_name=names.get(pair.mentor, pair.mentor),
                mentee_name=names.get(pair.mentee, pair.mentee),
                state=pair.status,
                planned=planned,
                held=len(held),
                missed=len(entries) - len(held),
                last_meeting=max(held) if held else None,
                at_risk="; ".join(reasons) or None,
                risks=tuple(risks),
                fit=tuple(
                    (role, fits[who])
                    for role, who in (("mentor", pair.mentor), ("mentee", pair.mentee))
                    if who in fits
                ),
            )
        )
    known = {p.id for p in pairs.pairs}
    logged = [m for m in meetings if m.pair in known and m.date <= today]
    planned_total = sum(r.planned for r in rows)
    held_total = sum(r.held for r in rows)
    notes: list[str] = []
    if not pairs.pairs:
        notes.append("no pairs yet: run `rmentor match`")
    elif not schedule.plans:
        notes.append("no schedule yet: run `rmentor schedule` to plan sessions")
    return Status(
        program=info.name,
        today=today,
        start=info.start,
        end=info.end,
        phase=phase,
        week=week,
        weeks=weeks,
        cadence=cadence,
        pairs_active=sum(1 for p in pairs.pairs if p.status == "active"),
        pairs_withdrawn=sum(1 for p in pairs.pairs if p.status == "withdrawn"),
        pairs_ended=sum(1 for p in pairs.pairs if p.status == "ended"),
        people_withdrawn=len(pairs.withdrawn),
        planned=planned_total,
        held=held_total,
        cancelled=sum(1 for m in logged if m.status == "cancelled"),
        no_show=sum(1 for m in logged if m.status == "no-show"),
        attendance_rate=held_total / planned_total if planned_total else None,
        pairs=tuple(rows),
        milestones=next_milestones(config.meetings.milestones, today),
        notes=tuple(notes),
    )


def next_milestones(
    milestones: Iterable[Milestone], today: dt.date, count: int = MILESTONES_SHOWN
) -> tuple[MilestoneDue, ...]:
    """The next `count` milestones on or after `today`, by date, time and name."""
    coming = sorted(
        (m for m in milestones if m.date >= today),
        key=lambda m: (m.date, m.time or dt.time.min, m.name),
    )
    return tuple(MilestoneDue(m.name, m.date, m.kind, m.audience, m.time) for m in coming[:count])
