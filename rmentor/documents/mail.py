"""E-mail to participants and managers: what is due, and each message as RFC 5322 bytes.

`drafts` decides what `rmentor mail` writes as of a day, against what was already
written (`files.mail_state`): each message has a key (kind, person, what about), and a
key already recorded is never written again.

- **welcome**: each person in an active pair, once per pair: their welcome letter (the
  same template as the printed one) with their invitation attached (`text/calendar;
  method=REQUEST`: their sessions and their role's milestones still ahead, with
  ATTENDEEs and a reminder).
- **update**: each person whose events changed since they were last written about:
  a REQUEST with the events whose SEQUENCE went up (or that are new to them: a new
  milestone, a new partner's sessions), and a separate CANCEL with the cancelled ones
  (iTIP allows one METHOD a message). Only the people affected.
- **reminder**: the two people of a pair at risk (once a week while it is), and each
  person of a pair whose session in the last fortnight has nothing logged ("report
  your session", once a session).
- **survey**: everyone a survey milestone is for, once, in the fortnight from its date.
- **reserve**: each person without a partner, their reserve letter, once.
- **manager**: the manager of each mentor in an active pair (when the roster names one
  with an e-mail address: a manager on the roster, or a `manager_email` column), once:
  a request for the protected hour a week.

`message_bytes` writes one message: UTF-8, `multipart/alternative` (the Markdown as
`text/plain`, rendered as `text/html`), the calendar as a third alternative and as an
`.ics` attachment (what Outlook and Gmail both read). Deterministic: the Date is the
day's 09:00 in the program's zone and the Message-ID is made of the key, so the same
files give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ..model.activity import Meeting
from ..model.config import ProgramConfig
from ..model.pairings import PairingState
from ..model.people import Participant
from ..model.sessions import Schedule
from ..text import file_stem, visible
from .calendar import Invitations, _Item
from .render import Document, Part, Renderer, markdown_to_html

MailKind = Literal["welcome", "update", "reminder", "reserve", "manager", "survey"]
MAIL_KINDS: tuple[MailKind, ...] = ("welcome", "update", "reminder", "reserve", "manager", "survey")
SURVEY_MILESTONES = ("midpoint_survey", "final_survey")
REMINDER_DAYS = 14  # a session or survey older than this gets no reminder
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


@dataclass(frozen=True)
class Draft:
    """One message to write."""

    key: str
    kind: MailKind
    person: str  # whom it is about (the mentor, for the note to their manager)
    to: tuple[tuple[str, str], ...]  # (name, address)
    subject: str
    body: str  # Markdown: the text/plain part, and the source of the HTML one
    file: str  # relative to the out folder
    calendar: bytes | None = None
    method: str | None = None  # REQUEST or CANCEL
    events: Mapping[str, int] = field(default_factory=dict)  # UID -> SEQUENCE carried


@dataclass(frozen=True)
class MailInput:
    """What the drafts are made of."""

    config: ProgramConfig
    participants: Sequence[Participant]
    pairings: PairingState
    schedule: Schedule
    meetings: Sequence[Meeting]
    today: dt.date
    at_risk: Mapping[str, str]  # pair -> why, as of today
    letters: Sequence[Document]  # the handouts: welcome and reserve letters among them
    topic_titles: Mapping[str, str]


def address_of(person: Participant | None) -> str | None:
    """A person's usable e-mail address, or None."""
    email = (person.email or "").strip() if person is not None else ""
    return email if _ADDRESS.match(email) else None


def drafts(
    given: MailInput,
    renderer: Renderer,
    kinds: Iterable[MailKind],
    written: set[str],
    sequences: Mapping[str, Mapping[str, int]],
) -> tuple[list[Draft], list[str]]:
    """The messages due as of `given.today` and not written yet, and notes on who could
    not be written to (no e-mail address). `written`: the keys already recorded;
    `sequences`: person -> the SEQUENCE of each event they were last written about."""
    composer = _Composer(given, renderer, sequences, written)
    wanted = set(kinds)
    for kind in MAIL_KINDS:  # welcome before update: a new pair's events go once
        if kind in wanted:
            getattr(composer, kind)()
    return composer.found, composer.notes


class _Composer:
    def __init__(
        self,
        given: MailInput,
        renderer: Renderer,
        sequences: Mapping[str, Mapping[str, int]],
        written: set[str],
    ) -> None:
        self.given = given
        self.written = written
        self.config = given.config
        self.renderer = renderer
        self.people = {p.id: p for p in given.participants}
        self.invitations = Invitations(
            given.config, self.people, given.schedule, given.topic_titles
        )
        self.given_events = {person: dict(seen) for person, seen in sequences.items()}
        self.letters = {d.path: d for d in given.letters}
        self.found: list[Draft] = []
        self.notes: list[str] = []
        self.zone = ZoneInfo(given.config.program.timezone)
        self.now = dt.datetime.combine(given.today, dt.time(), self.zone)
        self.base = {
            "program": {
                "name": given.config.program.name,
                "organization": given.config.program.organization,
                "leader": given.config.program.leader.name,
                "reporting": given.config.meetings.reporting,
                "format": given.config.program.format,
            },
            "today": given.today,
        }

    # -- helpers ----------------------------------------------------------------------

    def add(
        self,
        key: str,
        kind: MailKind,
        person: str,
        recipient: Participant | tuple[str, str],
        subject: str,
        body: str,
        suffix: str = "",
        calendar: tuple[Sequence[_Item], str] | None = None,
    ) -> None:
        """Queue one message (or a note when the recipient has no usable address),
        unless a message with its key was written before."""
        if key in self.written:
            return
        if isinstance(recipient, Participant):
            name, address = recipient.name, address_of(recipient)
        else:
            name, address = recipient
        if not address:
            self.notes.append(f"{kind}: `{person}` has no usable e-mail address; not written")
            return
        stem = file_stem(person)
        data = method = None
        events: dict[str, int] = {}
        if calendar is not None:
            items, method = calendar
            data = self.invitations.calendar(person, items, method)
            events = {i.uid: i.sequence for i in items}
            seen = self.given_events.setdefault(person, {})
            for uid, sequence in events.items():
                seen[uid] = max(sequence, seen.get(uid, -1))
        self.found.append(
            Draft(
                key=key,
                kind=kind,
                person=person,
                to=((visible(name), address),),
                subject=visible(f"{self.config.program.name}: {subject}"),
                body=body,
                file=f"mail/{kind}/{stem}{'-' + suffix if suffix else ''}.eml",
                calendar=data,
                method=method,
                events=events,
            )
        )

    def render(self, template: str, **context: Any) -> str:
        return self.renderer.markdown(Part(template, {**self.base, **context}))

    def first_name(self, person: Participant) -> str:
        return person.name.split()[0] if person.name.split() else person.id

    def ahead(self, items: Iterable[_Item]) -> list[_Item]:
        """Events not cancelled and not over before today."""
        return [i for i in items if not i.cancelled and i.instant >= self.now]

    # -- kinds ----------------------------------------------------------------------

    def welcome(self) -> None:
        for pair in sorted(self.given.pairings.active, key=lambda p: p.id):
            for who in (pair.mentor, pair.mentee):
                person = self.people.get(who)
                letter = self.letters.get(f"letters/{file_stem(who)}-{pair.id}")
                if person is None or letter is None:
                    continue
                body = self.renderer.document_markdown(letter.parts)
                items = self.ahead(self.invitations.of(who))
                self.add(
                    f"welcome:{who}:{pair.id}",
                    "welcome",
                    who,
                    person,
                    "welcome, and your sessions",
                    body,
                    pair.id,
                    (items, "REQUEST") if items else None,
                )

    def update(self) -> None:
        for who in sorted(self.invitations.events):
            seen = self.given_events.get(who)
            person = self.people.get(who)
            if not seen or person is None:
                continue  # never written to: their welcome carries everything
            items = self.invitations.of(who)
            changed = [
                i
                for i in items
                if (i.uid in seen and i.sequence > seen[i.uid])
                or (i.uid not in seen and not i.cancelled and i.instant >= self.now)
            ]
            moved = [i for i in changed if not i.cancelled]
            cancelled = [i for i in changed if i.cancelled]
            for group, method, words in (
                (moved, "REQUEST", "changes to your calendar"),
                (cancelled, "CANCEL", "cancelled in your calendar"),
            ):
                if not group:
                    continue
                mark = _digest(f"{i.uid}={i.sequence}" for i in group)
                body = self.render(
                    "mail_update.md.j2",
                    person={"first_name": self.first_name(person)},
                    events=[_event_words(i, _zone_of(person, self.zone)) for i in group],
                    cancelled=method == "CANCEL",
                )
                self.add(
                    f"update:{who}:{method.lower()}:{mark}",
                    "update",
                    who,
                    person,
                    words,
                    body,
                    f"{method.lower()}-{mark[:8]}",
                    (group, method),
                )

    def reminder(self) -> None:
        today = self.given.today
        year, week, _ = today.isocalendar()
        logged = {(m.pair, m.date) for m in self.given.meetings}
        plans = {p.pair: p for p in self.given.schedule.plans}
        for pair in sorted(self.given.pairings.active, key=lambda p: p.id):
            why = self.given.at_risk.get(pair.id)
            for who, other in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
                person, partner = self.people.get(who), self.people.get(other)
                if person is None or partner is None:
                    continue
                if why:
                    body = self.render(
                        "mail_checkin.md.j2",
                        person={"first_name": self.first_name(person)},
                        partner={"name": partner.name},
                    )
                    self.add(
                        f"reminder:risk:{pair.id}:{who}:{year}-W{week:02d}",
                        "reminder",
                        who,
                        person,
                        "shall we find a new time?",
                        body,
                        f"checkin-{year}-w{week:02d}",
                    )
                plan = plans.get(pair.id)
                for session in plan.sessions if plan else ():
                    day = session.start.date()
                    if (
                        session.status == "planned"
                        and session.end.astimezone(self.zone) <= self.now
                        and (today - day).days <= REMINDER_DAYS
                        and (pair.id, day) not in logged
                    ):
                        body = self.render(
                            "mail_report.md.j2",
                            person={"first_name": self.first_name(person)},
                            partner={"name": partner.name},
                            session={"number": session.number, "date": day},
                        )
                        self.add(
                            f"reminder:report:{pair.id}:{session.number}:{who}",
                            "reminder",
                            who,
                            person,
                            f"how did session {session.number} go?",
                            body,
                            f"report-{pair.id}-{session.number}",
                        )

    def survey(self) -> None:
        today = self.given.today
        active = {p for pair in self.given.pairings.active for p in (pair.mentor, pair.mentee)}
        links: dict[str, str] = {s.kind: s.link for s in self.config.evaluation.surveys if s.link}
        for milestone in self.config.meetings.milestones:
            if milestone.kind not in SURVEY_MILESTONES:
                continue
            if not 0 <= (today - milestone.date).days <= REMINDER_DAYS:
                continue
            for who in sorted(active):
                person = self.people.get(who)
                if person is None:
                    continue
                if milestone.audience not in ("everyone", f"{person.role}s"):
                    continue
                kind = "final" if milestone.kind == "final_survey" else "midpoint"
                body = self.render(
                    "mail_survey.md.j2",
                    person={"first_name": self.first_name(person), "id": person.id},
                    survey={"kind": kind, "link": links.get(kind, "")},
                )
                self.add(
                    f"survey:{milestone.key}:{who}",
                    "survey",
                    who,
                    person,
                    milestone.name,
                    body,
                    milestone.key,
                )

    def reserve(self) -> None:
        for path, letter in sorted(self.letters.items()):
            if not path.startswith("reserve/"):
                continue
            who = next(
                (p.id for p in self.given.participants if path == f"reserve/{file_stem(p.id)}"),
                None,
            )
            if who is None:
                continue
            self.add(
                f"reserve:{who}",
                "reserve",
                who,
                self.people[who],
                letter.title.split(":")[0].lower(),
                self.renderer.document_markdown(letter.parts),
            )

    def manager(self) -> None:
        mentors = sorted({pair.mentor for pair in self.given.pairings.active})
        for who in mentors:
            mentor = self.people.get(who)
            if mentor is None:
                continue
            boss = self.people.get(mentor.manager or "")
            address = address_of(boss) or _clean_address(mentor.extra.get("manager_email"))
            if address is None:
                continue
            name = boss.name if boss is not None else ""
            body = self.render(
                "mail_manager.md.j2",
                manager={"first_name": name.split()[0] if name.split() else ""},
                mentor={"name": mentor.name, "first_name": self.first_name(mentor)},
                meetings={
                    "cadence": self.config.meetings.cadence,
                    "minutes": self.config.meetings.duration_minutes,
                },
            )
            self.add(
                f"manager:{who}",
                "manager",
                who,
                (name, address),
                f"{mentor.name} is a mentor in our program",
                body,
            )


def message_id(draft: Draft, domain: str) -> str:
    """A message's Message-ID: made of its key, so a message keeps it."""
    return f"<{_digest([draft.key])}.{draft.kind}@{domain}>"


def message_bytes(
    draft: Draft, config: ProgramConfig, domain: str, today: dt.date, renderer: Renderer
) -> bytes:
    """One message as RFC 5322 bytes (CRLF line ends, UTF-8)."""
    leader = config.program.leader
    sender = config.mail.sender or leader.email or ""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(visible(leader.name), addr_spec=sender)
    message["To"] = [Address(name, addr_spec=address) for name, address in draft.to]
    message["Subject"] = draft.subject
    zone = ZoneInfo(config.program.timezone)
    message["Date"] = format_datetime(dt.datetime.combine(today, dt.time(9), zone))
    message["Message-ID"] = message_id(draft, domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(draft.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    html = renderer.html_env.from_string(_HTML).render(
        title=draft.subject, body=markdown_to_html(draft.body)
    )
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if draft.calendar is not None and draft.method is not None:
        # The calendar twice, as invitations from Outlook and Gmail carry it: as an
        # alternative (what clients turn into Accept / Decline) and as a file to open.
        params = {"method": draft.method}
        message.add_alternative(
            draft.calendar.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            cte="base64",
            params=params,
        )
        message.add_attachment(
            draft.calendar,
            maintype="application",
            subtype="ics",
            filename="invite.ics" if draft.method == "REQUEST" else "cancel.ics",
        )
    data = message.as_bytes()
    return _fixed_boundaries(data, draft.key)


_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family: sans-serif; max-width: 40em; line-height: 1.45">
{{ body | safe }}
</body></html>
"""


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _clean_address(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _ADDRESS.match(value) else None


_BOUNDARY = re.compile(rb'boundary="(=+\d+==)"')


def _fixed_boundaries(data: bytes, key: str) -> bytes:
    """The email package draws MIME boundaries at random: replace each by one made of
    the key, so the same message is the same bytes."""
    for n, found in enumerate(dict.fromkeys(_BOUNDARY.findall(data))):
        fixed = f"==rmentor{n}{_digest([key, str(n)])}==".encode()
        data = data.replace(found, fixed)
    return data


def _zone_of(person: Participant, default: ZoneInfo) -> ZoneInfo:
    """A person's own clock (the program's when the roster gives none)."""
    return ZoneInfo(person.timezone) if person.timezone else default


def _event_words(item: _Item, zone: ZoneInfo) -> dict[str, Any]:
    """An event as the update letter lists it: what and when, on the program's clock."""
    start = item.instant.astimezone(zone)
    return {"summary": item.summary, "start": start, "all_day": item.tzids == frozenset()}
