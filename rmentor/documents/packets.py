"""Which documents a program gets, and the data each template receives.

Pure: from the loaded program, pairs and schedule to a list of `Document`s (a file
name, a title and its parts). `documents.render` turns them into bytes;
`files.output` writes them.

Every template gets `program`, `goals`, `meetings`, `topics`, `counts`,
`evaluation`, `zones` and `today` (see `program_context`); per-person and per-pair documents
also get `person`, `partner` and `pair` (see `person_context`, `pair_context`). The
coordinator's documents also get `setup`, `at_risk`, `roster` and `left_out`
(`context_extra`): every figure there counts only what is dated on or before `today`.

Nobody is left out silently: everyone on the roster without an active pair who has
not withdrawn is in `left_out`, with the reason (`left_out`), named on the
coordinator's own page of the packet, and gets a letter (`reserve/<id>`).

Every time is on the reader's own clock, its zone named in words ("New York time",
never `America/New_York`): a letter uses its reader's zone (`person.zone_words`,
`person.milestones`); pair documents both partners' (`pair.slot_clocks`,
`pair.milestones`, each session's `mentor_start` and `mentee_start`); handouts many
people read use the program's zone and the readers' other clocks (`zones`, each
milestone's `elsewhere`). Only the coordinator's pages and the calendars name IANA zones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ..model.config import Milestone, ProgramConfig
from ..model.pairings import Pairing, PairingState
from ..model.people import Participant
from ..model.places import zone_place, zone_words
from ..model.program import Program
from ..model.sessions import NO_COMMON_TIME, PairPlan, Schedule, Session
from ..model.vocabulary import CADENCE_WORDS, KIND_WORDS, METRIC_WORDS, ROLE_WORDS
from ..text import file_stem
from .agenda import SESSION_PLANS, session_plan
from .forms import FEEDBACK_TEMPLATE, PACKET_SURVEY, feedback_documents
from .render import Document, Part


def _target(goal_metric: str, target: float) -> str:
    if goal_metric.endswith("_rate"):
        return f"{target * 100:g} %"
    return f"{target:g}"


# Every time in the reader's own zone. A zone reaches a reader as `place` ("New York":
# their office's name when that office keeps the zone's clocks, else the zone's city)
# and `words` ("New York time"), never as an IANA name; `zone` keeps the IANA name for
# the coordinator's pages. Milestone times in program.yaml are in the program's zone.


def _office_places(config: ProgramConfig) -> dict[str, str]:
    """Each zone that exactly one office keeps its clocks in, named after that office."""
    by_zone: dict[str, list[str]] = {}
    for name, office in sorted(config.program.offices.items()):
        if office.timezone:
            by_zone.setdefault(office.timezone, []).append(name)
    return {zone: names[0] for zone, names in by_zone.items() if len(names) == 1}


def zone_context(zone: str, place: str | None = None) -> dict[str, str]:
    """A zone as templates see it: `zone` (IANA), `place` and `words`."""
    return {"zone": zone, "place": place or zone_place(zone), "words": zone_words(zone, place)}


def person_zone(person: Participant, config: ProgramConfig | None = None) -> dict[str, str]:
    """A person's zone: their own (the program's when the roster gives none), named after
    their office when that office keeps the same clocks."""
    if config is None:
        return zone_context(person.timezone or "UTC")
    zone = person.timezone or config.program.timezone
    office = config.program.offices.get(person.location or "")
    if office is not None and office.timezone == zone and person.location:
        return zone_context(zone, person.location)
    return zone_context(zone, _office_places(config).get(zone))


def milestone_start(config: ProgramConfig, m: Milestone) -> dt.datetime | None:
    """When a milestone starts, in the program's zone; None for an all-day milestone."""
    if m.time is None:
        return None
    return dt.datetime.combine(m.date, m.time, tzinfo=ZoneInfo(config.program.timezone))


def _on_clock(config: ProgramConfig, m: Milestone, zone: str) -> dict[str, Any]:
    """A milestone on one zone's clock: the local `date` and `start` (None: all day; an
    all-day milestone keeps its date everywhere)."""
    start = milestone_start(config, m)
    if start is None:
        return {"date": m.date, "start": None}
    local = start.astimezone(ZoneInfo(zone))
    return {"date": local.date(), "start": local}


def _milestone_facts(m: Milestone) -> dict[str, Any]:
    return {
        "name": m.name,
        "kind": m.kind,
        "kind_words": KIND_WORDS[m.kind],
        "time": m.time,
        "all_day": m.time is None,
        "duration_minutes": m.duration_minutes,
        "audience": m.audience,
        "description": m.description,
    }


def _milestones(config: ProgramConfig) -> list[Milestone]:
    return sorted(config.meetings.milestones, key=lambda m: (m.date, m.name))


def person_milestones(config: ProgramConfig, person: Participant) -> list[dict[str, Any]]:
    """The milestones a person attends, with the date and start on their own clock."""
    zone = person_zone(person, config)["zone"]
    return [
        {**_milestone_facts(m), **_on_clock(config, m, zone)}
        for m in _milestones(config)
        if m.audience in ("everyone", f"{person.role}s")
    ]


def pair_milestones(
    config: ProgramConfig, mentor: Participant, mentee: Participant
) -> list[dict[str, Any]]:
    """The milestones a pair sees (not the coordinator's own), on both partners' clocks:
    `mentor` and `mentee` ({date, start}), `same_clock` when both read the same time."""
    zones = person_zone(mentor, config)["zone"], person_zone(mentee, config)["zone"]
    found = []
    for m in _milestones(config):
        if m.audience == "coordinator":
            continue
        one, two = (_on_clock(config, m, z) for z in zones)
        same = one["start"] is None or one["start"].utcoffset() == two["start"].utcoffset()
        found.append({**_milestone_facts(m), "mentor": one, "mentee": two, "same_clock": same})
    return found


def role_zones(
    config: ProgramConfig, participants: Sequence[Participant]
) -> dict[str, list[dict[str, str]]]:
    """The zones the mentors and the mentees work in, each once, by IANA name."""
    offices = _office_places(config)
    found: dict[str, dict[str, dict[str, str]]] = {"mentors": {}, "mentees": {}}
    for person in participants:
        zone = person.timezone or config.program.timezone
        seen = found.get(f"{person.role}s")
        if seen is not None and zone not in seen:
            seen[zone] = zone_context(zone, offices.get(zone))
    return {role: [seen[z] for z in sorted(seen)] for role, seen in found.items()}


def elsewhere(
    start: dt.datetime | None, zones: Sequence[Mapping[str, str]]
) -> list[dict[str, Any]]:
    """A program-zone time on the other clocks of `zones`, for handouts many people read:
    one entry per different local time (zones on the same clock share it: `places`,
    `place` "London and Lisbon"), east first; `shift` is the local date minus the
    program's (1: the next day). Zones on the program's own clock are left out."""
    if start is None:
        return []
    clocks: dict[dt.timedelta, tuple[dt.datetime, list[str]]] = {}
    for zone in zones:
        local = start.astimezone(ZoneInfo(zone["zone"]))
        offset = local.utcoffset()
        if offset is None or offset == start.utcoffset():
            continue
        places = clocks.setdefault(offset, (local, []))[1]
        if zone["place"] not in places:
            places.append(zone["place"])
    return [
        {
            "start": local,
            "places": places,
            "place": " and ".join(places),
            "shift": (local.date() - start.date()).days,
        }
        for _, (local, places) in sorted(clocks.items(), key=lambda kv: kv[0], reverse=True)
    ]


def handout_zones(
    config: ProgramConfig, zones: Mapping[str, Sequence[Mapping[str, str]]]
) -> dict[str, Any]:
    """`zones` for every template: the program's zone (`zones.program`) and, per reader
    role (`zones` from `role_zones`), the places of the other zones whose clocks differ
    at some milestone (`zones.mentors`, `zones.mentees`: ["London", "New York"])."""
    zone = config.program.timezone
    found: dict[str, Any] = {"program": zone_context(zone, _office_places(config).get(zone))}
    for role, theirs in zones.items():
        places: list[str] = []
        for m in _milestones(config):
            for entry in elsewhere(milestone_start(config, m), theirs):
                places += [p for p in entry["places"] if p not in places]
        found[role] = places
    return found


def program_context(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    today: dt.date,
) -> dict[str, Any]:
    """What every template can use."""
    info, meetings = config.program, config.meetings
    zones = role_zones(config, participants)
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
            "first_session": meetings.first_session,
            "reporting": meetings.reporting,
            "curriculum": [
                {
                    "number": i,
                    "title": c.title,
                    "description": c.description,
                    "at": c.at,
                    "kind": c.session_kind,
                }
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
                    # its start in the program's zone, and on the readers' other clocks
                    "start": milestone_start(config, m),
                    "elsewhere": {
                        role: elsewhere(milestone_start(config, m), theirs)
                        for role, theirs in zones.items()
                    },
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
        # One structure per kind of session, as the guides quote it (agenda sheets
        # quote the same, with the pair's names).
        "session_plans": {
            kind: session_plan(
                kind,
                meetings.duration_minutes,
                mentor="the mentor",
                mentee="the mentee",
                topic="the theme",
            )
            for kind in SESSION_PLANS
        },
        "zones": handout_zones(config, zones),
        # Said the same way in every participant document.
        "how_to_report": _how_to_report(config),
        "coordinator_sees": (
            "The coordinator sees whether a session took place, on which day, for how long "
            "and which topics it covered, with a short note if one is recorded: never what "
            "was said. Survey answers are reported only for groups of at least "
            f"{config.evaluation.anonymity_threshold} people, and names and e-mail addresses "
            "never appear in the program-wide report."
        ),
        "today": today,
    }


def _how_to_report(config: ProgramConfig) -> str:
    """How a pair reports a session it held (meetings.reporting, else the leader)."""
    channel = config.meetings.reporting.strip()
    leader = config.program.leader
    where = channel or (
        f"tell {leader.name}"
        + (f" ({leader.email})" if leader.email else "")
        + " the date, how long you met and the topics"
    )
    return (
        f"After each session, report it: {where}. Attendance, and your certificate, count "
        "only the sessions that are reported."
    )


def _first_name(person: Participant) -> str:
    return person.name.split()[0] if person.name.split() else person.name


def person_context(
    person: Participant, titles: Mapping[str, str], config: ProgramConfig | None = None
) -> dict[str, Any]:
    """A participant as templates see them (no birth year, no manager, no notes). With
    the program's `config`, also the milestones they attend on their own clock."""
    zone = person_zone(person, config)
    return {
        "id": person.id,
        "name": person.name,
        "first_name": _first_name(person),
        "email": person.email,
        "role": person.role,
        "role_words": ROLE_WORDS[person.role],
        "department": person.department,
        "title": person.title,
        "location": person.location,
        "timezone": person.timezone,
        "zone": zone["zone"],  # IANA, for the coordinator; readers see `zone_words`
        "place": zone["place"],
        "zone_words": zone["words"],
        "milestones": person_milestones(config, person) if config else [],
        "languages": list(person.languages),
        "skills": [titles.get(t, t) for t in person.skills],
        "interests": [titles.get(t, t) for t in person.interests],
    }


def _session(
    s: Session,
    mentor: Participant,
    mentee: Participant,
    titles: Mapping[str, str],
    zones: tuple[str, str] | None = None,
) -> dict[str, Any]:
    mentor_zone, mentee_zone = zones or (mentor.timezone or "UTC", mentee.timezone or "UTC")
    mentor_time = s.start.astimezone(ZoneInfo(mentor_zone))
    mentee_time = s.start.astimezone(ZoneInfo(mentee_zone))
    topics = [titles.get(t, t) for t in s.topics]
    minutes = int((s.end - s.start).total_seconds() // 60)
    plan = session_plan(
        s.kind,
        minutes,
        mentor=_first_name(mentor),
        mentee=_first_name(mentee),
        topic=", ".join(topics) or "the theme",
    )
    return {
        "number": s.number,
        "kind": s.kind,
        "plan": plan,
        "date": mentor_time.date(),
        "mentor_start": mentor_time,
        "mentee_start": mentee_time,
        "same_clock": mentor_time.utcoffset() == mentee_time.utcoffset(),
        "end": s.end,
        "theme": s.theme,
        "topics": topics,
        "status": s.status,
        "moved_from": s.moved_from,
    }


# A generation reason from matching ("27 years apart"; "hired 3 years apart" is seniority).
_AGE_GAP = re.compile(r"^\d+ years? apart$")


def is_request(reason: str) -> bool:
    """A reason saying someone asked for the other ("asked for each other", "E1 asked for E2")."""
    return reason == "asked for each other" or " asked for " in reason


def shown_reasons(reasons: Sequence[str]) -> list[str]:
    """A pair's reasons as documents show them: requests first, then the others in the
    matching's order; age gaps left out (a letter tells nobody their partner's age)."""
    kept = [r for r in reasons if not _AGE_GAP.match(r)]
    return [r for r in kept if is_request(r)] + [r for r in kept if not is_request(r)]


def slot_clocks(
    plan: PairPlan | None, zones: tuple[str, str], start: dt.date | None = None
) -> dict[str, Any] | None:
    """A pair's regular slot on both clocks: `mentor` and `mentee` (aware datetimes of
    its first week not moved by a holiday, or of the week of `start`), `same_clock`."""
    if plan is None:
        return None
    first = next(
        (s.start for s in plan.sessions if s.status == "planned" and s.moved_from is None),
        None,
    )
    if first is None and start is not None:
        day = start + dt.timedelta(days=(plan.slot.weekday - start.weekday()) % 7)
        first = dt.datetime.combine(day, plan.slot.start, tzinfo=ZoneInfo(plan.slot.zone))
    if first is None:
        return None
    one, two = (first.astimezone(ZoneInfo(z)) for z in zones)
    return {"mentor": one, "mentee": two, "same_clock": one.utcoffset() == two.utcoffset()}


def pair_context(
    pair: Pairing,
    people: Mapping[str, Participant],
    schedule: Schedule,
    titles: Mapping[str, str],
    config: ProgramConfig | None = None,
) -> dict[str, Any]:
    """A pair as templates see it: both people, why they were paired, their sessions;
    with `config`, the slot and the milestones on both partners' clocks."""
    mentor, mentee = people[pair.mentor], people[pair.mentee]
    plan = schedule.plan(pair.id)
    zones = person_zone(mentor, config)["zone"], person_zone(mentee, config)["zone"]
    sessions = [
        _session(s, mentor, mentee, titles, zones)
        for s in (plan.sessions if plan else ())
        if s.status == "planned"
    ]
    shared = [titles.get(t, t) for t in mentee.interests if t in mentor.skills]
    return {
        "id": pair.id,
        "mentor": person_context(mentor, titles, config),
        "mentee": person_context(mentee, titles, config),
        "score": pair.score,
        "reasons": list(pair.reasons),  # as matching stored them, age gaps included
        "shown_reasons": shown_reasons(pair.reasons),
        "since": pair.since,
        "locked": pair.locked,
        "shared_topics": shared,
        "slot": plan.slot.describe() if plan else None,
        "slot_fallback": bool(plan and plan.slot.fallback),
        "skipped": [{"date": k.date, "reason": k.reason} for k in schedule.skips(pair.id)],
        "session_plans": {
            kind: session_plan(
                kind,
                config.meetings.duration_minutes,
                mentor=_first_name(mentor),
                mentee=_first_name(mentee),
                topic="the session's topic",
            )
            for kind in SESSION_PLANS
        }
        if config
        else {},
        "no_common_time": [k.date for k in schedule.skips(pair.id) if k.reason == NO_COMMON_TIME],
        "slot_clocks": slot_clocks(plan, zones, config.program.start if config else None),
        "milestones": pair_milestones(config, mentor, mentee) if config else [],
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
)


class Contexts:
    """The templates' contexts of one program on one day, each made once.

    Handouts, packets and the coordinator's summary share them: a pair's context is
    worked out once, not once per document, and a part in several documents (a letter
    in its own file and in the packet; the guides and the survey form in every packet)
    has one context object, which `Renderer` knows again without comparing contents.
    """

    def __init__(
        self,
        config: ProgramConfig,
        participants: Sequence[Participant],
        pairs: PairingState,
        schedule: Schedule,
        today: dt.date,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.schedule = schedule
        self.base = {**program_context(config, participants, pairs, today), **(extra or {})}
        self.people = {p.id: p for p in participants}
        self.titles = _titles(config)
        self._pairs: dict[str, dict[str, Any]] = {}
        self._letters: dict[tuple[str, str], dict[str, Any]] = {}
        self._forms: dict[str, dict[str, Any]] = {}

    def pair(self, pair: Pairing) -> dict[str, Any]:
        """The base context with the pair's own (`pair_context`) as `pair`."""
        found = self._pairs.get(pair.id)
        if found is None:
            own = pair_context(pair, self.people, self.schedule, self.titles, self.config)
            found = self._pairs[pair.id] = {**self.base, "pair": own}
        return found

    def letter(self, pair: Pairing, who: str, other: str) -> dict[str, Any]:
        """The pair's context for `who`'s welcome letter: `person` and `partner`."""
        found = self._letters.get((pair.id, who))
        if found is None:
            found = self._letters[(pair.id, who)] = {
                **self.pair(pair),
                "person": person_context(self.people[who], self.titles, self.config),
                "partner": person_context(self.people[other], self.titles, self.config),
            }
        return found

    def form(self, survey_kind: str) -> dict[str, Any]:
        """The base context for the paper form of one survey kind."""
        found = self._forms.get(survey_kind)
        if found is None:
            found = self._forms[survey_kind] = {**self.base, "survey_kind": survey_kind}
        return found

    def paired(self, pairs: PairingState) -> list[Pairing]:
        """The active pairs whose two people are on the roster, by id."""
        return [
            p
            for p in sorted(pairs.active, key=lambda p: p.id)
            if p.mentor in self.people and p.mentee in self.people
        ]


def handouts(
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairs: PairingState,
    schedule: Schedule,
    today: dt.date,
    extra: Mapping[str, Any] | None = None,
    contexts: Contexts | None = None,
) -> list[Document]:
    """Guides, training outlines, the feedback forms; letters, agreements, agenda sheets.
    `contexts`: the build's, shared with `packets` (else made here)."""
    made = contexts or Contexts(config, participants, pairs, schedule, today, extra)
    base, people = made.base, made.people
    docs = [
        Document(f"handouts/{name}", title, (Part(template, base),), kind)
        for name, template, title, kind in HANDOUTS
    ]
    docs += feedback_documents(config, made.form)  # one paper form per survey kind used
    for pair in made.paired(pairs):
        context = made.pair(pair)
        names = f"{people[pair.mentor].name} and {people[pair.mentee].name}"
        for who, other in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
            docs.append(
                Document(
                    f"letters/{file_stem(who)}-{pair.id}",
                    f"Welcome, {people[who].name}",
                    (Part("welcome_letter.md.j2", made.letter(pair, who, other), "letter"),),
                )
            )
        docs.append(
            Document(
                f"agreements/{pair.id}",
                f"Pair agreement: {names}",
                (Part("agreement.md.j2", context, "form"),),
                "form",
            )
        )
        docs.append(
            Document(
                f"agendas/{pair.id}",
                f"Session agenda sheets: {names}",
                (Part("agenda_sheets.md.j2", context, "sheets"),),
                "sheets",
            )
        )
    titles = made.titles
    for entry in base.get("left_out", ()):
        if entry["id"] not in people:
            continue
        letter = {
            **base,
            "person": person_context(people[entry["id"]], titles, config),
            "reserve": entry,
        }
        what = {WAITING: "Not paired yet", RULES_EXCLUDE: "Next cohort"}.get(
            entry["kind"], "Reserve list"
        )
        docs.append(
            Document(
                entry["letter"],
                f"{what}: {entry['name']}",
                (Part("reserve_letter.md.j2", letter),),
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
    contexts: Contexts | None = None,
) -> list[Document]:
    """One packet per pair (and one for the coordinator, unless `only` names a pair).
    `contexts`: the build's, shared with `handouts` (else made here)."""
    made = contexts or Contexts(config, participants, pairs, schedule, today, extra)
    base, people = made.base, made.people
    docs: list[Document] = []
    for pair in made.paired(pairs):
        if only is not None and pair.id != only:
            continue
        context = made.pair(pair)
        letters = [
            Part("welcome_letter.md.j2", made.letter(pair, who, other), "letter")
            for who, other in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor))
        ]
        mentor, mentee = people[pair.mentor], people[pair.mentee]
        sheets = len(context["pair"]["sessions"])
        contents = [
            {"title": f"Welcome letter for {mentor.name}", "what": "your partner and why"},
            {"title": f"Welcome letter for {mentee.name}", "what": "your partner and why"},
            {"title": "Pair agreement", "what": "fill it in together at the first session"},
            {"title": "Your schedule", "what": "every session, its theme, and the events"},
            {
                "title": "Session agenda sheets",
                "what": f"one for each of your {sheets} sessions" if sheets else "none yet",
            },
            {"title": "Mentor guide", "what": "for the one who teaches the tools"},
            {"title": "Mentee guide", "what": "for the one who learns them"},
            {
                "title": "Final survey",
                "what": "the end-of-program questions on paper, for your certificate",
            },
        ]
        formal = config.program.format == "formal"
        if not formal:  # lighter: a plan instead of a signed agreement, no paper forms
            contents[2] = {"title": "Our plan", "what": "your goals, on one page"}
            contents.pop()
        parts = (
            Part("packet_cover.md.j2", {**context, "contents": contents}),
            *letters,
            Part("agreement.md.j2", context, "form"),
            Part("pair_schedule.md.j2", context),
            Part("agenda_sheets.md.j2", context, "sheets"),
            Part("mentor_guide.md.j2", base),
            Part("mentee_guide.md.j2", base),
            *([Part(FEEDBACK_TEMPLATE, made.form(PACKET_SURVEY), "form")] if formal else []),
        )
        name = f"{mentor.name} and {mentee.name}"
        docs.append(Document(f"packets/{pair.id}", f"Packet: {name}", parts, "packet"))
    if only is None:
        summary = {**base, "pairs": [made.pair(p)["pair"] for p in made.paired(pairs)]}
        parts = (
            Part("coordinator_summary.md.j2", summary),
            Part("coordinator_only.md.j2", summary),
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


# Why someone has no partner (`LeftOut.kind`).
FULL = "full"  # a mentee: every mentor who fits is paired up to their capacity
RULES_EXCLUDE = "rules"  # nobody on the other side fits the program's hard rules
SURPLUS = "surplus"  # a mentor: every mentee already has a mentor
WAITING = "waiting"  # someone who fits is free: the next `rmentor match` pairs them
LEFT_OUT_CHUNK = 1024  # unpaired mentees checked against every mentor at once


@dataclass(frozen=True)
class LeftOut:
    """Someone on the roster, not withdrawn, without an active pair, and why."""

    id: str
    role: str
    kind: str  # FULL, RULES_EXCLUDE, SURPLUS or WAITING
    reason: str  # in the coordinator's words


def left_out(program: Program) -> list[LeftOut]:
    """Everyone without an active pair who has not withdrawn, mentees first, by id.

    The reasons come from the program's own rules, as `match` words them: the hard
    rules are checked for each unpaired person against the other side, and mentor
    places are counted against the active pairs. Nobody is listed before the first
    `match` (there are no pairs yet to be left out of).
    """
    import numpy as np

    from ..engines.matching.criteria import RULES, Block, rule_mode
    from ..engines.matching.engine import MatchingProblem

    active = program.pairings.active
    if not active:
        return []
    gone = program.pairings.withdrawn_ids()
    people = [p for p in program.participants if p.id not in gone]
    paired = {p.mentor for p in active} | {p.mentee for p in active}
    mentees = sorted((p for p in people if p.role == "mentee" and p.id not in paired), key=_id)
    mentors = sorted((p for p in people if p.role == "mentor" and p.id not in paired), key=_id)
    if not mentees and not mentors:
        return []
    config = program.config
    problem = MatchingProblem.build(config, people, program.history, everyone=program.participants)
    side = problem.features.mentors
    load = Counter(p.mentor for p in active)
    places = np.array(
        [int(side.capacity[j]) - load[m.id] for j, m in enumerate(side.people)], dtype=np.int64
    )
    hard = [r for r in RULES if rule_mode(config, r) == "hard"]
    found: list[LeftOut] = []
    reachable = np.zeros(len(side), dtype=np.bool_)  # a mentor some unpaired mentee fits
    rows = np.array([problem.features.mentees.index[p.id] for p in mentees], dtype=np.int64)
    cols = np.arange(len(side), dtype=np.int64)
    for start in range(0, len(rows) if len(side) else 0, LEFT_OUT_CHUNK):
        chunk = mentees[start : start + LEFT_OUT_CHUNK]
        _, forbidden, broken = problem.scores(Block(rows[start : start + LEFT_OUT_CHUNK], cols))
        fits = ~forbidden
        reachable |= fits.any(axis=0)
        for k, person in enumerate(chunk):
            fit = int(fits[k].sum())
            free = int((fits[k] & (places > 0)).sum())
            if free:
                kind = WAITING
                why = f"not paired yet: {_mentors(free)} who fit{'s' * (free == 1)} "
                why += f"{'has' if free == 1 else 'have'} a free place"
            elif fit:
                kind = FULL
                why = f"all mentor places are taken: {_mentors(fit)} who fit"
                why += f"{'s is' if fit == 1 else ' are'} paired up to capacity"
            else:
                kind = RULES_EXCLUDE
                why = f"no mentor fits the program's rules ({_excluded(broken, hard, k)})"
            found.append(LeftOut(person.id, "mentee", kind, why))
    if not len(side):
        found += [
            LeftOut(p.id, "mentee", RULES_EXCLUDE, "no mentor on the roster") for p in mentees
        ]
    for person in mentors:
        if not mentees:
            kind, why = SURPLUS, "every mentee already has a mentor"
        elif reachable[side.index[person.id]]:
            kind, why = WAITING, "not paired yet: a mentee without a partner fits"
        else:
            kind, why = RULES_EXCLUDE, "no mentee still without a partner fits the program's rules"
        found.append(LeftOut(person.id, "mentor", kind, why))
    return found


def _id(person: Participant) -> str:
    return person.id


def _mentors(n: int) -> str:
    return "the 1 mentor" if n == 1 else f"the {n} mentors"


def _excluded(broken: Mapping[str, Any], hard: Sequence[str], k: int) -> str:
    """ "14 excluded by reporting line, 4 by seniority": each mentor counted under the
    first hard rule that excludes them, in the matching's order."""
    from ..engines.matching.criteria import RULE_WORDS

    taken = None
    parts: list[str] = []
    for rule in hard:
        row = broken[rule][k]
        hit = row if taken is None else row & ~taken
        if int(hit.sum()):
            parts.append(f"{int(hit.sum())} by {RULE_WORDS[rule]}")
        taken = row if taken is None else taken | row
    if not parts:
        return "every mentor excluded"
    parts[0] = parts[0].replace(" by ", " excluded by ", 1)
    return ", ".join(parts)


def context_extra(program: Program, today: dt.date) -> dict[str, Any]:
    """Setup status, pairs at risk, roster composition and the people without a partner,
    for the coordinator's documents (and the reserve-list letters). Counts are as of
    `today`: a meeting dated later is not counted as logged."""
    from ..engines.evaluation import answers_to_date
    from ..engines.status import FIT_NEXT_STEP, build_status

    config, pairs, schedule = program.config, program.pairings, program.schedule
    answers = answers_to_date(config, program.responses, today)
    status = build_status(
        config, program.participants, pairs, schedule, program.meetings, today, answers
    )
    names = {p.id: p.name for p in program.participants}
    answered = {r.survey_kind for r in answers}
    return {
        "setup": {
            "matched": bool(pairs.active),
            "scheduled": bool(schedule.plans),
            "meetings_logged": sum(1 for m in program.meetings if m.date <= today),
            "meetings_later": sum(1 for m in program.meetings if m.date > today),
            "surveys": len(config.evaluation.surveys),
            "surveys_answered": [s.kind for s in config.evaluation.surveys if s.kind in answered],
        },
        "at_risk": [
            {"pair": p.pair, "mentor": p.mentor_name, "mentee": p.mentee_name, "reason": p.at_risk}
            for p in status.at_risk
        ],
        "fit_concerns": [
            {
                "pair": p.pair,
                "mentor": p.mentor_name,
                "mentee": p.mentee_name,
                "reason": p.fit_concern,
                "next": FIT_NEXT_STEP,
            }
            for p in status.fit_concerns
        ],
        "roster": _roster(program),
        "left_out": [
            {
                "id": x.id,
                "name": names.get(x.id, x.id),
                "role": x.role,
                "role_words": ROLE_WORDS[x.role],
                "kind": x.kind,
                "reason": x.reason,
                "letter": f"reserve/{file_stem(x.id)}",
            }
            for x in left_out(program)
        ],
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
