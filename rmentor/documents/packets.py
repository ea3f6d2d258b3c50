"""Which documents a program gets, and the data each template receives.

Pure: from the loaded program, pairs and schedule to a list of `Document`s (a file
name, a title and its parts). `documents.render` turns them into bytes;
`files.output` writes them.

Every template gets `program`, `goals`, `meetings`, `topics`, `counts`,
`evaluation` and `today` (see `program_context`); per-person and per-pair documents
also get `person`, `partner` and `pair` (see `person_context`, `pair_context`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from ..model.config import ProgramConfig
from ..model.pairings import Pairing, PairingState
from ..model.people import Participant
from ..model.program import Program
from ..model.sessions import Schedule, Session
from ..model.vocabulary import CADENCE_WORDS, KIND_WORDS, METRIC_WORDS, ROLE_WORDS
from ..text import slug
from .render import Document, Part


def _target(goal_metric: str, target: float) -> str:
    if goal_metric.endswith("_rate"):
        return f"{target * 100:g} %"
    return f"{target:g}"


def program_context(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    today: dt.date,
) -> dict[str, Any]:
    """What every template can use."""
    info, meetings = config.program, config.meetings
    active = pairs.active
    return {
        "program": {
            "name": info.name,
            "organization": info.organization,
            "description": info.description,
            "leader": {"name": info.leader.name, "email": info.leader.email},
            "start": info.start,
            "end": info.end,
            "weeks": (info.end - info.start).days // 7 + 1,
            "timezone": info.timezone,
            "format": info.format,
            "channels": list(info.channels),
            "paper": info.paper,
            "offices": sorted(info.offices),
        },
        "goals": [
            {
                "id": g.id,
                "description": g.description,
                "metric": g.metric,
                "metric_words": METRIC_WORDS.get(g.metric, g.metric),
                "target": g.target,
                "target_words": _target(g.metric, g.target),
                "lower_is_better": g.lower_is_better,
            }
            for g in config.goals
        ],
        "meetings": {
            "cadence": meetings.cadence,
            "cadence_words": CADENCE_WORDS[meetings.cadence],
            "duration_minutes": meetings.duration_minutes,
            "day_start": meetings.day_start,
            "day_end": meetings.day_end,
            "on_holiday": meetings.on_holiday,
            "curriculum": [
                {"number": i, "title": c.title, "description": c.description}
                for i, c in enumerate(meetings.curriculum, start=1)
            ],
            "milestones": [
                {
                    "name": m.name,
                    "kind": m.kind,
                    "kind_words": KIND_WORDS[m.kind],
                    "date": m.date,
                    "time": m.time,
                    "duration_minutes": m.duration_minutes,
                    "audience": m.audience,
                    "description": m.description,
                }
                for m in sorted(meetings.milestones, key=lambda m: (m.date, m.name))
            ],
        },
        "topics": [
            {"id": t.id, "title": t.title, "description": t.description} for t in config.topics
        ],
        "counts": {
            "participants": len(participants),
            "mentors": sum(1 for p in participants if p.role == "mentor"),
            "mentees": sum(1 for p in participants if p.role == "mentee"),
            "pairs": len(active),
            "departments": len({p.department for p in participants if p.department}),
            "locations": len({p.location for p in participants if p.location}),
        },
        "evaluation": {
            "anonymity_threshold": config.evaluation.anonymity_threshold,
            "min_sessions": config.evaluation.min_sessions,
            "certificate": {
                "min_sessions": config.evaluation.certificate.min_sessions,
                "final_survey": config.evaluation.certificate.final_survey,
            },
            "surveys": [s.kind for s in config.evaluation.surveys],
        },
        "today": today,
    }


def person_context(person: Participant, titles: Mapping[str, str]) -> dict[str, Any]:
    """A participant as templates see them (no birth year, no manager, no notes)."""
    return {
        "id": person.id,
        "name": person.name,
        "first_name": person.name.split()[0] if person.name.split() else person.name,
        "email": person.email,
        "role": person.role,
        "role_words": ROLE_WORDS[person.role],
        "department": person.department,
        "title": person.title,
        "location": person.location,
        "timezone": person.timezone,
        "languages": list(person.languages),
        "skills": [titles.get(t, t) for t in person.skills],
        "interests": [titles.get(t, t) for t in person.interests],
    }


def _session(
    s: Session, mentor: Participant, mentee: Participant, titles: Mapping[str, str]
) -> dict[str, Any]:
    mentor_time = s.start.astimezone(ZoneInfo(mentor.timezone or "UTC"))
    mentee_time = s.start.astimezone(ZoneInfo(mentee.timezone or "UTC"))
    return {
        "number": s.number,
        "date": mentor_time.date(),
        "mentor_start": mentor_time,
        "mentee_start": mentee_time,
        "same_clock": mentor_time.utcoffset() == mentee_time.utcoffset(),
        "end": s.end,
        "theme": s.theme,
        "topics": [titles.get(t, t) for t in s.topics],
        "status": s.status,
        "moved_from": s.moved_from,
    }


def pair_context(
    pair: Pairing,
    people: Mapping[str, Participant],
    schedule: Schedule,
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """A pair as templates see it: both people, why they were paired, their sessions."""
    mentor, mentee = people[pair.mentor], people[pair.mentee]
    plan = schedule.plan(pair.id)
    sessions = [
        _session(s, mentor, mentee, titles)
        for s in (plan.sessions if plan else ())
        if s.status == "planned"
    ]
    shared = [titles.get(t, t) for t in mentee.interests if t in mentor.skills]
    return {
        "id": pair.id,
        "mentor": person_context(mentor, titles),
        "mentee": person_context(mentee, titles),
        "score": pair.score,
        "reasons": list(pair.reasons),
        "since": pair.since,
        "locked": pair.locked,
        "shared_topics": shared,
        "slot": plan.slot.describe() if plan else None,
        "slot_fallback": bool(plan and plan.slot.fallback),
        "sessions": sessions,
        "first_session": sessions[0] if sessions else None,
    }


def _titles(config: ProgramConfig) -> dict[str, str]:
    return {t.id: t.title for t in config.topics}


HANDOUTS: tuple[tuple[str, str, str, str], ...] = (
    # (file, template, title, layout kind)
    ("mentor-guide", "mentor_guide.md.j2", "Guide for mentors", "document"),
    ("mentee-guide", "mentee_guide.md.j2", "Guide for mentees", "document"),
    ("coordinator-guide", "coordinator_guide.md.j2", "Guide for the coordinator", "document"),
    ("training-mentors", "training_mentors.md.j2", "Training outline: mentors", "document"),
    ("training-mentees", "training_mentees.md.j2", "Training outline: mentees", "document"),
    ("feedback-form", "feedback_form.md.j2", "Feedback form", "form"),
)


def handouts(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    schedule: Schedule,
    today: dt.date,
    extra: Mapping[str, Any] | None = None,
) -> list[Document]:
    """Guides, training outlines, the feedback form; letters, agreements, agenda sheets."""
    base = {**program_context(config, participants, pairs, today), **(extra or {})}
    docs = [
        Document(f"handouts/{name}", title, (Part(template, base),), kind)
        for name, template, title, kind in HANDOUTS
    ]
    people = {p.id: p for p in participants}
    titles = _titles(config)
    for pair in sorted(pairs.active, key=lambda p: p.id):
        if pair.mentor not in people or pair.mentee not in people:
            continue
        context = {**base, "pair": pair_context(pair, people, schedule, titles)}
        for who, other in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
            letter = {
                **context,
                "person": person_context(people[who], titles),
                "partner": person_context(people[other], titles),
            }
            docs.append(
                Document(
                    f"letters/{slug(who)}-{pair.id}",
                    f"Welcome, {people[who].name}",
                    (Part("welcome_letter.md.j2", letter),),
                )
            )
        docs.append(
            Document(
                f"agreements/{pair.id}",
                "Pair agreement",
                (Part("agreement.md.j2", context),),
                "form",
            )
        )
        docs.append(
            Document(
                f"agendas/{pair.id}",
                "Session agenda sheets",
                (Part("agenda_sheets.md.j2", context),),
                "sheets",
            )
        )
    return docs


def packets(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    schedule: Schedule,
    today: dt.date,
    only: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[Document]:
    """One packet per pair (and one for the coordinator, unless `only` names a pair)."""
    base = {**program_context(config, participants, pairs, today), **(extra or {})}
    people = {p.id: p for p in participants}
    titles = _titles(config)
    docs: list[Document] = []
    for pair in sorted(pairs.active, key=lambda p: p.id):
        if only is not None and pair.id != only:
            continue
        if pair.mentor not in people or pair.mentee not in people:
            continue
        context = {**base, "pair": pair_context(pair, people, schedule, titles)}
        letters = [
            Part(
                "welcome_letter.md.j2",
                {
                    **context,
                    "person": person_context(people[who], titles),
                    "partner": person_context(people[other], titles),
                },
            )
            for who, other in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor))
        ]
        parts = (
            *letters,
            Part("agreement.md.j2", context),
            Part("pair_schedule.md.j2", context),
            Part("mentor_guide.md.j2", base),
            Part("mentee_guide.md.j2", base),
            Part("feedback_form.md.j2", base),
        )
        name = f"{people[pair.mentor].name} and {people[pair.mentee].name}"
        docs.append(Document(f"packets/{pair.id}", f"Packet: {name}", parts, "packet"))
    if only is None:
        summary = {
            **base,
            "pairs": [
                pair_context(p, people, schedule, titles)
                for p in sorted(pairs.active, key=lambda p: p.id)
                if p.mentor in people and p.mentee in people
            ],
        }
        parts = (
            Part("coordinator_summary.md.j2", summary),
            Part("coordinator_guide.md.j2", base),
            Part("mentor_guide.md.j2", base),
            Part("mentee_guide.md.j2", base),
        )
        docs.append(Document("packets/coordinator", "Coordinator packet", parts, "packet"))
    return docs


INDEX = "index"


def _roster(program: Program) -> dict[str, Any]:
    def table(key: str) -> list[dict[str, Any]]:
        counts: Counter[tuple[str, str]] = Counter(
            (getattr(p, key) or "(not given)", p.role) for p in program.participants
        )
        names = sorted({name for name, _ in counts})
        return [
            {"name": n, "mentors": counts[(n, "mentor")], "mentees": counts[(n, "mentee")]}
            for n in names
        ]

    return {"departments": table("department"), "locations": table("location")}


def context_extra(program: Program, today: dt.date) -> dict[str, Any]:
    """Setup status, pairs at risk and roster composition, for the coordinator's documents."""
    from ..engines.status import build_status

    config, pairs, schedule = program.config, program.pairings, program.schedule
    status = build_status(config, program.participants, pairs, schedule, program.meetings, today)
    return {
        "setup": {
            "matched": bool(pairs.active),
            "scheduled": bool(schedule.plans),
            "meetings_logged": len(program.meetings),
            "surveys": len(config.evaluation.surveys),
        },
        "at_risk": [
            {"pair": p.pair, "mentor": p.mentor_name, "mentee": p.mentee_name, "reason": p.at_risk}
            for p in status.at_risk
        ],
        "roster": _roster(program),
    }


def index_document(
    config: ProgramConfig, today: dt.date, entries: Sequence[tuple[str, str, str]], fmt: str
) -> Document:
    """out/index: every file written, grouped, with links relative to out/."""
    groups: dict[str, list[dict[str, str]]] = {}
    for group, title, href in entries:
        # An index in HTML links the HTML/PDF files; in Markdown the Markdown ones.
        groups.setdefault(group, []).append({"title": title, "href": href})
    context = {
        "program": {"name": config.program.name, "organization": config.program.organization},
        "today": today,
        "format": fmt,
        "groups": [{"name": k, "entries": v} for k, v in groups.items()],
    }
    return Document(INDEX, f"{config.program.name}: documents", (Part("index.md.j2", context),))
