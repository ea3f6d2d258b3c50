"""The frozen model of a program: program.yaml's sections and the roster's people.

Every model refuses unknown keys (`extra="forbid"`), so a misspelt key is an error
naming the key and its line. Shape and types live here; rules that need the whole
program (start before end, known metrics, ids that exist) live in `model.checks`,
where they can be reported all at once with a precise location.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..text import fold, parse_date, slug, suggest
from .places import check_timezone
from .vocabulary import ANCHOR_KINDS, LOWER_IS_BETTER, MilestoneKind, Role, SessionKind, SurveyKind

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_iso_date(value: Any) -> Any:
    """Accept a date only as YYYY-MM-DD text (or a date), with a message a person reads."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"`{value}` is not a date as YYYY-MM-DD")
    return parse_date(value.strip())


def minutes_of_day(t: dt.time) -> int:
    """Minutes since midnight; the end of the day (`24:00`, kept as 23:59) is 1440."""
    return 1440 if t >= dt.time(23, 59) else t.hour * 60 + t.minute


def parse_clock_time(value: Any) -> Any:
    """Accept a time of day as HH:MM (24-hour), quoted or not; `24:00` means midnight."""
    if isinstance(value, dt.time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected a time as HH:MM, not `{value}`")
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return dt.time.max.replace(second=0, microsecond=0)  # 23:59, "end of day"
    if hour > 23 or minute > 59:
        raise ValueError(f"`{value}` is not a time of day")
    return dt.time(hour, minute)


def check_encoding(name: str) -> str:
    """Accept the name of a text encoding (not a codec like rot13 or base64)."""
    try:
        b"a".decode(name)  # empty bytes would not reach the codec
    except UnicodeError:
        pass  # a text encoding, which simply cannot decode this one byte
    except LookupError:
        raise ValueError(
            f"`{name}` is not a text encoding Python knows (use utf-8, cp1252 or latin-1)"
        ) from None
    return name


def check_separator(text: str) -> str:
    """Accept one visible character as the separator of list cells."""
    if len(text) != 1 or text.isspace():
        raise ValueError(f"must be one visible character such as `;`, not `{text}`")
    return text


IsoDate = Annotated[dt.date, BeforeValidator(parse_iso_date)]
Encoding = Annotated[str, AfterValidator(check_encoding)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
ClockTime = Annotated[dt.time, BeforeValidator(parse_clock_time)]


class Model(BaseModel):
    """Base for every program.yaml section: frozen, strict about unknown keys."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,  # `name: 2027` is the text "2027"
        str_strip_whitespace=True,
        populate_by_name=True,
    )


class Contact(Model):
    """A named person with an email address (the program leader)."""

    name: str
    email: str | None = None


class HolidayCalendar(Model):
    """Which public holidays apply: a country code and optional subdivision."""

    country: str
    subdivision: str | None = None


class DateRange(Model):
    """An inclusive range of days, e.g. a blackout week."""

    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")
    name: str | None = None


class Office(Model):
    """A location's own holiday calendar and time zone."""

    country: str | None = None
    subdivision: str | None = None
    timezone: TimeZoneName | None = None


class ProgramInfo(Model):
    """The `program:` section: who runs it, when, where."""

    name: str
    organization: str
    leader: Contact
    start: IsoDate
    end: IsoDate
    timezone: TimeZoneName = "UTC"
    format: Literal["formal", "informal"] = "formal"
    description: str | None = None
    holidays: HolidayCalendar | None = None
    blackout: tuple[DateRange, ...] = ()
    channels: tuple[str, ...] = ("video call",)
    paper: Literal["a4", "letter"] = "a4"
    offices: dict[str, Office] = Field(default_factory=dict)


class Goal(Model):
    """What success means, measured by one built-in metric against a target."""

    id: str
    description: str
    metric: str
    target: float
    direction: Literal["at_least", "at_most"] | None = None
    topic: str | None = None  # for skill_delta: one topic instead of all
    role: Role | None = None  # survey metrics: this role's answers only

    @property
    def lower_is_better(self) -> bool:
        """True when the goal is met at or below its target."""
        if self.direction is not None:
            return self.direction == "at_most"
        return self.metric in LOWER_IS_BETTER


class CurriculumItem(Model):
    """One session theme; a plain string in YAML is its title.

    `at` anchors it (`first`, `midpoint`, `last` or a session number); unanchored
    themes spread evenly, in order, over each pair's other sessions. `topics` are the
    topics that fit the theme: a pair sharing one of them is taught it that session.
    """

    title: str
    description: str | None = None
    at: Literal["first", "midpoint", "last"] | int | None = None
    kind: SessionKind | None = None
    topics: tuple[str, ...] = ()

    @property
    def session_kind(self) -> SessionKind:
        """The kind given, else the one its anchor implies, else teaching."""
        if self.kind is not None:
            return self.kind
        return ANCHOR_KINDS.get(self.at, "teaching") if isinstance(self.at, str) else "teaching"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"title": value} if isinstance(value, str) else value


def check_event_id(text: str) -> str:
    """Accept a short id for a calendar event: lower-case letters, digits, `-` and `_`."""
    if not _EVENT_ID.match(text):
        raise ValueError(
            f"`{text}` is not an id: use lower-case letters, digits, `-` or `_` (at most 40)"
        )
    return text


_EVENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class Milestone(Model):
    """A program-wide event everyone sees on their schedule."""

    name: str
    # What keeps the milestone's calendar event the same event when it is renamed or
    # moved (its UID); without it, the name's slug does.
    id: Annotated[str, AfterValidator(check_event_id)] | None = None
    date: IsoDate
    kind: MilestoneKind = "other"
    time: ClockTime | None = None
    duration_minutes: int | None = None
    audience: Literal["everyone", "mentors", "mentees", "coordinator"] = "everyone"
    description: str | None = None

    @property
    def key(self) -> str:
        """What the milestone's calendar UID is made of: its `id`, else its name's slug
        (never its place in the list, so inserting a milestone moves no other)."""
        return self.id or slug(self.name, "milestone", limit=40)


class Meetings(Model):
    """The `meetings:` section: rhythm, hours, themes and milestones."""

    cadence: Literal["weekly", "biweekly", "monthly"] = "weekly"
    duration_minutes: int = 60
    day_start: ClockTime = dt.time(9, 0)
    day_end: ClockTime = dt.time(17, 0)
    on_holiday: Literal["skip", "next_free_day"] = "skip"
    # after_training: a pair's first session comes after the last training its people
    # attend (so the training's "plan your first session" can be done); start: from the
    # program start (or the kickoff, if later).
    first_session: Literal["after_training", "start"] = "after_training"
    # How pairs report a session (a form link, an e-mail address), printed for
    # participants: attendance counts only what is reported.
    reporting: str = ""
    curriculum: tuple[CurriculumItem, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    # Where pairs meet (a room, or a video link for everyone); a roster's `meeting_link`
    # column gives a pair its own (the mentor's, else the mentee's).
    location: str = ""
    # A calendar reminder this many minutes before each session (0: none).
    reminder_minutes: int = Field(default=30, ge=0, le=10080)
    # How `rmentor log --import` reads a check-in form's export (issue 13, part 7).
    checkin: Checkin = Field(default_factory=lambda: Checkin())


class Topic(Model):
    """Something a junior mentor can teach."""

    id: str
    title: str
    description: str | None = None


# What an export's header feeds: a field, several fields, or nothing (`~`).
ColumnTarget = str | tuple[str, ...] | None
Separator = Annotated[str, AfterValidator(check_separator)]


def check_date_format(text: str) -> str:
    """Accept a strptime format that names at least a day, a month and a year."""
    if not all(code in text for code in ("%d", "%m")) and "%b" not in text and "%B" not in text:
        raise ValueError(f"`{text}` needs %d and %m (or %b), like `%d/%m/%Y`")
    if "%Y" not in text and "%y" not in text:
        raise ValueError(f"`{text}` needs a year: %Y (2027) or %y (27)")
    return text


DateFormat = Annotated[str, AfterValidator(check_date_format)]


class RosterFile(Model):
    """One roster file with its own settings; a key left out takes the roster's."""

    file: str
    role: Role | None = None  # every row of this file has this role
    columns: dict[str, ColumnTarget] | None = None
    values: dict[str, dict[str, str]] | None = None
    sheet: str | None = None
    encoding: Encoding | None = None
    list_separator: Separator | None = None
    date_format: DateFormat | None = None


class RosterConfig(Model):
    """Where the roster is and how to read it."""

    files: tuple[str | RosterFile, ...] = ("participants.csv",)
    columns: dict[str, ColumnTarget] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    list_separator: Separator = ";"
    encoding: Encoding = "utf-8"
    sheet: str | None = None  # for .xlsx: the sheet to read (default: the first)
    date_format: DateFormat | None = None  # strptime format besides ISO dates

    @property
    def paths(self) -> tuple[str, ...]:
        """The roster files' names, in order."""
        return tuple(f if isinstance(f, str) else f.file for f in self.files)

    def for_file(self, index: int) -> RosterConfig:
        """The settings that read `files[index]`: its own keys over the roster's (`values`
        field by field, so a file may add answers for one field and keep the rest)."""
        item = self.files[index]
        if isinstance(item, str):
            return self.model_copy(update={"files": (item,)})
        own = {k: v for k, v in item.model_dump(exclude={"file", "role"}).items() if v is not None}
        if item.values is not None:  # a file's answers map field by field over the roster's
            own["values"] = {**self.values, **item.values}
        return self.model_copy(update={"files": (item.file,), **own})

    def role_of(self, index: int) -> Role | None:
        """The role every row of `files[index]` has, if the file says."""
        item = self.files[index]
        return None if isinstance(item, str) else item.role


class Weights(Model):
    """How much each matching criterion counts (0 switches it off)."""

    topics: float = 3.0
    seniority: float = 1.0
    generation: float = 1.0
    department: float = 1.0
    hours: float = 1.0
    language: float = 1.0
    location: float = 0.0
    prefer: float = 2.0


Mode = Literal["hard", "soft", "off"]


class Rule(Model):
    """A matching rule: `hard` (never broken), `soft` (a penalty) or `off`."""

    mode: Mode = "hard"
    penalty: float = 1.0  # subtracted from the pair's score when soft and broken

    @model_validator(mode="before")
    @classmethod
    def _from_mode(cls, value: Any) -> Any:
        return {"mode": value} if isinstance(value, str) else value


class SeniorityRule(Rule):
    """The mentor must be more junior than the mentee, by at least `min_gap` levels."""

    min_gap: int = 1


class SharedHoursRule(Rule):
    """Both people must share at least `min_hours` of working time per week."""

    min_hours: float = 1.0


class GenderRule(Rule):
    """Pairs of the `same` gender, `mixed` genders, or `any`.

    `gender: same` is read as a person means it: a hard rule with that policy.
    """

    mode: Mode = "off"
    policy: Literal["same", "mixed", "any"] = "any"

    @model_validator(mode="before")
    @classmethod
    def _from_policy(cls, value: Any) -> Any:
        if value in ("same", "mixed", "any"):
            return {"mode": "off" if value == "any" else "hard", "policy": value}
        return value


class Rules(Model):
    """The `matching.rules` section."""

    seniority: SeniorityRule = SeniorityRule()
    reporting_line: Rule = Rule()
    avoid: Rule = Rule()
    shared_hours: SharedHoursRule = SharedHoursRule()
    gender: GenderRule = GenderRule()
    history: Rule = Rule()


PairIds = tuple[str, str]


class Matching(Model):
    """The `matching:` section."""

    method: Literal["optimal", "stable"] = "optimal"
    weights: Weights = Weights()
    rules: Rules = Rules()
    capacity: int = 1
    locked: tuple[PairIds, ...] = ()
    excluded: tuple[PairIds, ...] = ()
    history: tuple[str, ...] = ()


class Checkin(Model):
    """`meetings.checkin`: how a check-in form's export maps to the check-in fields."""

    columns: dict[str, ColumnTarget] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    list_separator: Separator = ";"
    date_format: DateFormat | None = None


class Survey(Model):
    """One survey export and how its headers map to the canonical survey columns."""

    file: str
    kind: SurveyKind
    # The form's address, given in the survey invitations `rmentor mail` writes.
    link: str = ""
    columns: dict[str, ColumnTarget] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    encoding: Encoding = "utf-8"
    sheet: str | None = None
    list_separator: Separator = ";"
    date_format: DateFormat | None = None


class Certificate(Model):
    """Who earns a certificate of completion."""

    min_sessions: int = 6
    final_survey: bool = True


class Evaluation(Model):
    """The `evaluation:` section."""

    surveys: tuple[Survey, ...] = ()
    anonymity_threshold: int = 5
    min_sessions: int = 6  # a pair that held this many sessions has completed
    certificate: Certificate = Certificate()
    compare: tuple[str, ...] = ()


class Smtp(Model):
    """`mail.smtp`: the server `rmentor mail --send` delivers through. The password is
    never in the file: `password_env` names the environment variable that holds it."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str = "RMENTOR_SMTP_PASSWORD"


def check_address(text: str) -> str:
    """Accept one plain e-mail address (no name, no angle brackets)."""
    if not re.fullmatch(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+", text):
        raise ValueError(f"`{text}` is not an e-mail address like name@example.com")
    return text


class Mail(Model):
    """The `mail:` section: who the messages come from and how they are sent."""

    # The From address; the program leader's when not given.
    sender: Annotated[str, AfterValidator(check_address)] | None = Field(default=None, alias="from")
    smtp: Smtp | None = None


class ProgramConfig(Model):
    """Everything program.yaml says."""

    program: ProgramInfo
    goals: tuple[Goal, ...] = ()
    meetings: Meetings = Meetings()
    topics: tuple[Topic, ...] = ()
    roster: RosterConfig = RosterConfig()
    matching: Matching = Matching()
    evaluation: Evaluation = Evaluation()
    mail: Mail = Mail()


class TopicIndex:
    """Finds a topic by id or title, case-insensitively (form exports carry titles)."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.ids = tuple(t.id for t in topics)
        self._by_key: dict[str, str] = {}
        for topic in topics:
            self._by_key.setdefault(fold(topic.title), topic.id)
        for topic in topics:  # ids win over titles when the two collide
            self._by_key[fold(topic.id)] = topic.id
        self._titles = tuple(t.title for t in topics)

    def resolve(self, text: str) -> str | None:
        """The topic id that `text` names, or None."""
        return self._by_key.get(fold(text))

    def hint(self, text: str) -> str:
        """A did-you-mean for an unknown topic, else the list of ids."""
        close = suggest(text, self.ids + self._titles)
        if close:
            return close
        return f"known topics: {', '.join(self.ids)}" if self.ids else "no topics are defined"
