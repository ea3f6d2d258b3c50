"""Why a pair is a good pair, in words a coordinator can read out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...model.config import ProgramConfig
from ...model.people import Participant
from .criteria import CRITERIA


def _years(n: float) -> str:
    whole = round(n)
    return f"{whole} year{'s' * (whole != 1)}"


def describe(
    criterion: str,
    mentee: Participant,
    mentor: Participant,
    hours: float,
    config: ProgramConfig,
) -> str | None:
    """One criterion's reason for a pair, or None when it says nothing.

    `hours`: the pair's shared hours in the program's worst week, counted in whole
    sessions (`criteria.shared_hours`), so the figure holds after the clocks change.
    """
    if criterion == "topics":
        titles = {t.id: t.title for t in config.topics}
        shared = [titles.get(t, t) for t in mentee.interests if t in mentor.skills]
        return f"both: {', '.join(shared)}" if shared else None
    if criterion == "seniority":
        if mentee.level is not None and mentor.level is not None:
            return f"mentor level {mentor.level}, mentee level {mentee.level}"
        if mentee.hire_date is not None and mentor.hire_date is not None:
            gap = (mentor.hire_date - mentee.hire_date).days / 365.2425
            return f"hired {_years(gap)} apart" if gap >= 0.5 else None
        return None
    if criterion == "generation":
        if mentee.birth_year is None or mentor.birth_year is None:
            return None
        return f"{_years(abs(mentor.birth_year - mentee.birth_year))} apart"
    if criterion == "department":
        if mentor.department and mentee.department:
            return f"{mentor.department} ↔ {mentee.department}"
        return None
    if criterion == "hours":
        return f"{hours:g} h/week of shared working hours" if hours > 0 else None
    if criterion == "language":
        theirs = {lang.casefold() for lang in mentor.languages}
        shared = [lang for lang in mentee.languages if lang.casefold() in theirs]
        return f"both speak {', '.join(shared)}" if shared else None
    if criterion == "location":
        return f"both in {mentee.location}" if mentee.location else None
    if criterion == "prefer":
        asked = [(a.id, b.id) for a, b in ((mentee, mentor), (mentor, mentee)) if b.id in a.prefer]
        if len(asked) == 2:
            return "asked for each other"
        return f"{asked[0][0]} asked for {asked[0][1]}" if asked else None
    raise ValueError(f"unknown criterion {criterion}")


def reasons_for(
    breakdown: Mapping[str, float],
    mentee: Participant,
    mentor: Participant,
    hours: float,
    config: ProgramConfig,
) -> tuple[str, ...]:
    """Reasons for a pair, the criteria that count most first."""
    weights = config.matching.weights
    ranked = sorted(
        (c for c in CRITERIA if breakdown.get(c, 0.0) > 0 and getattr(weights, c) > 0),
        key=lambda c: (-getattr(weights, c) * breakdown[c], CRITERIA.index(c)),
    )
    found = (describe(c, mentee, mentor, hours, config) for c in ranked)
    return tuple(r for r in found if r)


def round_hours(value: float) -> float:
    """Shared hours to the quarter hour, as shown."""
    return float(np.round(value * 4) / 4)
