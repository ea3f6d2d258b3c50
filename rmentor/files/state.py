"""The committed truth of a program: state/pairings.toml and state/schedule.toml.

Both are written with tomli-w, sorted, rounded and free of timestamps (dates come from
`--today`), so that a file's diff in git shows exactly what changed. Both are read with
the line of a bad entry, and raise `InvalidProgram` (all problems) when wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

from ..errors import InvalidProgram, Location, Problem, error
from ..model.pairings import Pairing, PairingState, Status, Withdrawal
from ..model.sessions import PairPlan, Schedule, Session, Skip, Slot
from ..model.vocabulary import SESSION_KINDS, SessionKind
from .layout import PAIRINGS_FILE, SCHEDULE_FILE
from .output import write_text_atomic

FORMAT_VERSION = 1
HEADER = (
    "# Written by `rmentor match` and `rmentor withdraw`; commit it with the program.\n"
    "# Each [pairs.ID] table is one pair. Edit with care: `rmentor validate` checks it.\n\n"
)


# -- pairings.toml ---------------------------------------------------------------------------


def _pair_table(pair: Pairing) -> dict[str, Any]:
    """A pair's table in pairings.toml."""
    table: dict[str, Any] = {
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "status": pair.status,
        "locked": pair.locked,
        "since": pair.since,
        "score": round(pair.score, 4),
    }
    if pair.ended is not None:
        table["ended"] = pair.ended
    if pair.end_reason is not None:
        table["end_reason"] = pair.end_reason
    table["reasons"] = list(pair.reasons)
    table["breakdown"] = {k: round(v, 4) for k, v in sorted(pair.breakdown.items())}
    return table


def pairings_text(state: PairingState) -> str:
    """pairings.toml's text: sorted tables, a header comment, LF endings."""
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    ordered = sorted(state.pairs, key=lambda p: (p.mentee, p.mentor, p.id))
    document["pairs"] = {p.id: _pair_table(p) for p in ordered}
    if state.withdrawn:
        document["withdrawn"] = {
            w.person: {"date": w.date, **({"reason": w.reason} if w.reason else {})}
            for w in sorted(state.withdrawn, key=lambda w: w.person)
        }
    return HEADER + tomli_w.dumps(document)


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _problem(file: str, message: str, line: int = 1) -> Problem:
    return error(Location(file, line, 1), message)


def read_pairings(folder: Path, name: str = PAIRINGS_FILE) -> PairingState:
    """Read a pairings file; a missing file is an empty state. Raises InvalidProgram."""
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PairingState()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProgram([_problem(name, f"cannot read the pairings file: {exc}")]) from None
    return parse_pairings(text, name)


def parse_pairings(text: str, name: str) -> PairingState:
    """Parse pairings.toml text into a `PairingState`, reporting every bad table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (1, 1)
        message = _TOML_WHERE.sub("", str(exc)).strip()
        raise InvalidProgram([error(Location(name, line, col), f"TOML: {message}")]) from None
    problems: list[Problem] = []
    pairs: list[Pairing] = []
    lines = text.splitlines()

    def line_of(key: str) -> int:
        marker = f"[pairs.{key}]"
        quoted = f'[pairs."{key}"]'
        for number, line in enumerate(lines, start=1):
            if line.strip() in (marker, quoted):
                return number
        return 1

    for key, table in sorted((data.get("pairs") or {}).items()):
        try:
            pair = Pairing(
                mentor=str(table["mentor"]),
                mentee=str(table["mentee"]),
                score=float(table.get("score", 0.0)),
                since=_date(table["since"]),
                breakdown={str(k): float(v) for k, v in table.get("breakdown", {}).items()},
                reasons=tuple(str(r) for r in table.get("reasons", ())),
                locked=bool(table.get("locked", False)),
                status=_status(table.get("status", "active")),
                ended=_date(table["ended"]) if "ended" in table else None,
                end_reason=table.get("end_reason"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                _problem(name, f"pair `{key}` is incomplete or wrong: {exc}", line_of(key))
            )
            continue
        if pair.id != key:
            problems.append(
                _problem(
                    name,
                    f"pair `{key}` should have the id `{pair.id}` "
                    f"({pair.mentor} with {pair.mentee})",
                    line_of(key),
                )
            )
            continue
        pairs.append(pair)
    withdrawn = []
    for person, table in sorted((data.get("withdrawn") or {}).items()):
        try:
            withdrawn.append(Withdrawal(person, _date(table["date"]), table.get("reason")))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(_problem(name, f"withdrawal of `{person}` is wrong: {exc}"))
    if problems:
        raise InvalidProgram(problems)
    return PairingState(tuple(pairs), tuple(withdrawn))


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"`{value}` is not a date")


def _status(value: object) -> Status:
    if value in ("active", "withdrawn", "ended"):
        return value
    raise ValueError(f"status `{value}` is not active, withdrawn or ended")


def write_pairings(folder: Path, state: PairingState) -> bool:
    """Write state/pairings.toml atomically; False when nothing changed."""
    return write_text_atomic(folder / PAIRINGS_FILE, pairings_text(state))


# -- schedule.toml ---------------------------------------------------------------------------


SCHEDULE_HEADER = (
    "# Written by `rmentor schedule`; commit it with the program.\n"
    "# Sessions on or before the day of a run, and every logged one, never move.\n\n"
)


def _kind(value: object) -> SessionKind:
    if value in SESSION_KINDS:
        return value  # type: ignore[return-value]
    raise ValueError(f"session kind `{value}` is not one of {', '.join(SESSION_KINDS)}")


def _clock(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    raise ValueError(f"`{value}` is not a time of day")


def _aware(value: Any, zone: str) -> dt.datetime:
    """A TOML offset datetime back in the pair's zone (same instant)."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"`{value}` is not a date and time with an offset")
    return value.astimezone(ZoneInfo(zone))


def _session_table(session: Session) -> dict[str, Any]:
    """A session's table in schedule.toml."""
    table: dict[str, Any] = {
        "number": session.number,
        "start": session.start,
        "end": session.end,
        "theme": session.theme,
        "topics": list(session.topics),
        "kind": session.kind,
        "status": session.status,
        "sequence": session.sequence,
    }
    if session.updated is not None:
        table["updated"] = session.updated
    if session.moved_from is not None:
        table["moved_from"] = session.moved_from
    if session.fallback:
        table["fallback"] = True
    return table


def schedule_text(schedule: Schedule) -> str:
    """schedule.toml's text: pairs by id, sessions by number.

    A pair with a slot per daylight-saving period has a `periods` array, one
    `{from, weekday, start, fallback}` per period (the zone is the slot's); `slot` stays
    the pair's regular slot, so a reader that knows no periods still reads the file.
    """
    document: dict[str, Any] = {"version": FORMAT_VERSION, "pairs": {}}
    for plan in sorted(schedule.plans, key=lambda p: p.pair):
        table: dict[str, Any] = {
            "mentor": plan.mentor,
            "mentee": plan.mentee,
            "slot": {
                "weekday": plan.slot.weekday,
                "start": plan.slot.start,
                "zone": plan.slot.zone,
                "fallback": plan.slot.fallback,
            },
        }
        if plan.periods:
            table["periods"] = [
                {"from": day, "weekday": s.weekday, "start": s.start, "fallback": s.fallback}
                for day, s in plan.periods
            ]
        table["sessions"] = [
            _session_table(s) for s in sorted(plan.sessions, key=lambda s: s.number)
        ]
        document["pairs"][plan.pair] = table
    if schedule.skipped:
        document["skipped"] = [
            {"pair": s.pair, "date": s.date, "reason": s.reason}
            for s in sorted(schedule.skipped, key=lambda s: (s.pair, s.date))
        ]
    return SCHEDULE_HEADER + tomli_w.dumps(document)


def parse_schedule(text: str, name: str = SCHEDULE_FILE) -> Schedule:
    """Read schedule.toml text; raises InvalidProgram with the line of a bad entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidProgram([error(Location(name, 1, 1), f"TOML: {exc}")]) from None
    plans: list[PairPlan] = []
    skipped: list[Skip] = []
    try:
        for pair, table in sorted((data.get("pairs") or {}).items()):
            zone = str(table["slot"]["zone"])
            slot = Slot(
                weekday=int(table["slot"]["weekday"]),
                start=table["slot"]["start"],
                zone=zone,
                fallback=bool(table["slot"].get("fallback", False)),
            )
            sessions = tuple(
                Session(
                    pair=pair,
                    number=int(s["number"]),
                    start=_aware(s["start"], zone),
                    end=_aware(s["end"], zone),
                    theme=str(s.get("theme", "")),
                    topics=tuple(str(t) for t in s.get("topics", ())),
                    kind=_kind(s.get("kind", "teaching")),
                    status=s.get("status", "planned"),
                    sequence=int(s.get("sequence", 0)),
                    updated=s.get("updated"),
                    moved_from=s.get("moved_from"),
                    fallback=bool(s.get("fallback", False)),
                )
                for s in table.get("sessions", ())
            )
            periods = tuple(
                (
                    _date(p["from"]),
                    Slot(
                        int(p["weekday"]), _clock(p["start"]), zone, bool(p.get("fallback", False))
                    ),
                )
                for p in table.get("periods", ())
            )
            plans.append(
                PairPlan(pair, str(table["mentor"]), str(table["mentee"]), slot, sessions, periods)
            )
        for item in data.get("skipped", ()):
            skipped.append(Skip(str(item["pair"]), item["date"], str(item["reason"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProgram(
            [error(Location(name, 1, 1), f"schedule file is incomplete or wrong: {exc}")]
        ) from None
    return Schedule(tuple(plans), tuple(skipped))


def read_schedule(folder: Path) -> Schedule:
    """state/schedule.toml, or an empty schedule when there is none yet."""
    path = folder / SCHEDULE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Schedule()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProgram(
            [error(Location(SCHEDULE_FILE, 1, 1), f"cannot read: {exc}")]
        ) from None
    return parse_schedule(text)


def write_schedule(folder: Path, schedule: Schedule) -> bool:
    """Write state/schedule.toml atomically; False when nothing changed."""
    return write_text_atomic(folder / SCHEDULE_FILE, schedule_text(schedule))
