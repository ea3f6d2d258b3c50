"""People on the roster: a participant, with the cell each value came from."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Location
from .vocabulary import Role

# The canonical roster columns (SPEC §1), in the order `init` writes them.
PARTICIPANT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "email",
    "role",
    "department",
    "title",
    "level",
    "manager",
    "birth_year",
    "hire_date",
    "skills",
    "interests",
    "timezone",
    "availability",
    "location",
    "languages",
    "gender",
    "capacity",
    "prefer",
    "avoid",
    "notes",
)


REQUIRED_FIELDS: tuple[str, ...] = ("id", "name", "role")


LIST_FIELDS = frozenset({"skills", "interests", "languages", "prefer", "avoid"})


class Window(BaseModel):
    """A weekly availability window in the person's own time zone (minutes from 00:00)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: int = Field(ge=0, le=6)  # 0 = Monday
    start: int = Field(ge=0, le=1440)
    end: int = Field(ge=0, le=1440)


class Participant(BaseModel):
    """One person on the roster, with where each of their values came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    role: Role
    email: str | None = None
    department: str | None = None
    title: str | None = None
    level: int | None = None
    manager: str | None = None
    birth_year: int | None = None
    hire_date: dt.date | None = None
    skills: tuple[str, ...] = ()  # topic ids, in the person's order of preference
    interests: tuple[str, ...] = ()  # topic ids, in the person's order of preference
    timezone: str | None = None
    availability: tuple[Window, ...] = ()
    location: str | None = None
    languages: tuple[str, ...] = ()
    gender: str | None = None
    capacity: int | None = None
    prefer: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    notes: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)  # columns rmentor does not know
    source: Location  # the record's first line
    cells: dict[str, Location] = Field(default_factory=dict)  # field -> its cell

    def where(self, field: str) -> Location:
        """The cell a field came from, or the record's start when it had none."""
        return self.cells.get(field, self.source)
