"""What happened: each logged meeting and each survey answer, with the file:line it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..errors import Location
from .vocabulary import SurveyKind

# Where a record came from when it was built in memory, not read from a file
# (files.layout.MEETINGS_FILE; tests/files keep the two equal).
_MEETING_LOG = Location("meetings.csv")
_SURVEY = Location("survey")

MeetingStatus = Literal["held", "cancelled", "no-show"]


STATUSES: tuple[MeetingStatus, ...] = ("held", "cancelled", "no-show")


@dataclass(frozen=True)
class Meeting:
    """One line of the meeting log: a pair met (or did not) on a day."""

    pair: str
    date: dt.date
    status: MeetingStatus
    minutes: int | None = None
    topics: tuple[str, ...] = ()  # topic ids
    notes: str | None = None
    source: Location = _MEETING_LOG  # the row's first line
    cells: Mapping[str, Location] = field(default_factory=dict, compare=False, hash=False)

    @property
    def held(self) -> bool:
        """True when the meeting took place."""
        return self.status == "held"

    def where(self, name: str) -> Location:
        """The cell a field came from, or the row's start when it had none."""
        return self.cells.get(name, self.source)


@dataclass(frozen=True)
class Response:
    """One answered survey (one row of an export)."""

    survey_kind: SurveyKind
    respondent: str | None = None  # participant id; None when anonymous
    satisfaction: int | None = None  # 1-5
    recommend: int | None = None  # 0-10
    skills: Mapping[str, int] = field(default_factory=dict, hash=False)  # topic id -> 1-5
    goal_progress: int | None = None  # 1-5
    comments: str | None = None
    insight: int | None = None  # 1-5: "I understand how decisions are made in the business"
    voice: int | None = None  # 1-5: "I feel confident giving feedback to senior colleagues"
    safety: int | None = None  # 1-5: "I can speak openly with my partner"
    fit: str | None = None  # good | unsure | poor (the fit check)
    changes: str | None = None  # free text: what I do differently (the follow-up)
    source: Location = _SURVEY  # the row's first line
