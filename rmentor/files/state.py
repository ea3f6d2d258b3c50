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

import rtoml
import tomli_w

from ..errors import InvalidProgram, Location, Problem, error
from ..model.pairings import Pairing, PairingState, Status, Withdrawal
from ..model.places import is_timezone
from ..model.sessions import (
    MilestoneEvent,
    PairPlan,
    Schedule,
    Session,
    SessionStatus,
    Skip,
    Slot,
)
from ..model.vocabulary import SESSION_KINDS, SessionKind
from .layout import PAIRINGS_FILE, SCHEDULE_FILE
from .output import write_text_atomic
from .reading import (
    MAX_FILE_PROBLEMS,
    PAIRINGS_BYTES,
    SCHEDULE_BYTES,
    TOML_TABLES,
    read_capped,
)

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
    text = read_state_text(folder / name, name, "the pairings file", PAIRINGS_BYTES)
    return PairingState() if text is None else parse_pairings(text, name)


def read_state_text(path: Path, name: str, what: str, cap: int = PAIRINGS_BYTES) -> str | None:
    """A state file's text (None when there is none), read through `read_capped`.

    Raises `InvalidProgram` for a file that cannot be read, is not a regular file, is
    larger than `cap` bytes, or is not UTF-8 (the problem at the undecodable byte).
    """
    try:
        data = read_capped(path, cap)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidProgram([_problem(name, f"cannot read {what}: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"byte 0x{data[exc.start]:02x} is not valid UTF-8"
        raise InvalidProgram([error(Location(name, line, column), message)]) from None


_LONG_NUMBER = re.compile(r"[0-9_]{100,}")
# A line that starts with `[`, after spaces and tabs (each line start but the text's
# own, which `load_toml` looks at apart): a leading newline lets `re` skip ahead to the
# next newline, four times faster on 33 MB than `^` in MULTILINE mode.
_TABLE_HEADER = re.compile(r"\n[ \t]*\[")
# rtoml keeps a parsed document's every key and value with its place while it converts
# it: ~20 bytes of memory a byte of TOML. A larger text is read in parts of about
# TOML_PART characters, each cut before a pair's own table header as `pairings_text` and
# `schedule_text` write it; a part of more than TOML_PART_MAX characters (a text without
# such headers, or with a huge pair) leaves the whole text to tomllib.
TOML_PART = 1_000_000
TOML_PART_MAX = 4_000_000
_PAIR_HEADER = re.compile(r"\n\[pairs\.([A-Za-z0-9_-]+)\](?=\n)")
_FIRST_PAIR_HEADER = re.compile(r"\[pairs\.([A-Za-z0-9_-]+)\](?=\n)")
# A header that may declare `pairs` itself (`[pairs]`, or any quoted key): TOML refuses
# a table declared twice, which parts read apart would not see.
_PAIRS_TABLE = r"[ \t]*\[[ \t]*(?:pairs[ \t]*\]|[\"'])"
_PAIRS_FIRST = re.compile(_PAIRS_TABLE)
_PAIRS_LATER = re.compile("\n" + _PAIRS_TABLE)


# rtoml reads TOML 1.1, tomllib 1.0: what only 1.1 allows must stay an error. That is
# the \e and \x escapes, a time without seconds, and an inline table over several lines
# or with a trailing comma. Each pattern finds more than that (the same text inside a
# literal string, say), never less; what it finds is left to tomllib.
_NEW_ESCAPE = re.compile(r"\\[ex]")
# `HH:MM` not after a digit, colon or sign (an offset) and not followed by `:SS`; it
# starts at the colon, which lets `re` skip ahead: 30 times faster on 33 MB.
_SHORT_TIME = re.compile(r":(?<=(?<![\d:+-])\d\d:)\d\d(?!:\d)")
_BRACE = re.compile(r"[{}]")
# A line with an inline table of scalars, opened and closed on it, as tomli-w writes an
# entry of an array of tables (`skipped`): `    { pair = "p1", date = 2027-04-05 },`.
# Every quantifier is possessive (`*+`, `++`): with backtracking, a brace and a long
# run of spaces took time in the square of the line's length (a hostile file could
# stop a command for hours). A brace line longer than INLINE_LINE_MAX is not looked at.
_KEY = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_SCALAR = r"""(?:"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+'|[A-Za-z0-9_:.+-]++(?: [0-9:.+-]++)?+)"""
_PAIR = rf"{_KEY}(?:[ \t]*+\.[ \t]*+{_KEY})*+[ \t]*+=[ \t]*+{_SCALAR}"
_INLINE_LINE = re.compile(
    rf"[ \t]*+(?:{_KEY}[ \t]*+=[ \t]*+)?+\{{[ \t]*+(?:{_PAIR}(?:[ \t]*+,[ \t]*+{_PAIR})*+)?+"
    r"[ \t]*+\}[ \t]*+,?+[ \t]*+(?:#[^\n]*+)?+"
)
INLINE_LINE_MAX = 2_000  # characters; tomli-w's inline tables are a line of ~60


def load_toml(text: str, name: str) -> dict[str, Any]:
    """TOML text as data; every failure of the parser is an `InvalidProgram` at its line.

    The table headers are counted first: they are what costs a parser most memory. Then
    rtoml (Rust) reads the text, five times faster than tomllib (a 10,000-person
    schedule is 33 MB), in parts when it is large (`_rtoml_parts`). Whatever rtoml
    refuses (a syntax error, an integer beyond 64 bits, nesting deeper than ~80 levels)
    is read again by tomllib, so that what the user is told of a bad file, and how a
    file only tomllib accepts reads, stay tomllib's (`_load_tomllib`).

    An offset date-time from rtoml carries `rtoml.TzInfo`: equal to tomllib's
    `datetime.timezone`, printed and written by tomli-w the same, but it cannot be
    pickled. A reader that keeps one in its model passes it through `fixed_offset`.
    """
    tables = len(_TABLE_HEADER.findall(text)) + (1 if _starts_table(text) else 0)
    if tables > TOML_TABLES:
        message = f"the file has {tables:,} tables ([...] lines); at most {TOML_TABLES:,} are read"
        raise InvalidProgram([error(Location(name, 1, 1), message)])
    data = _load_rtoml(text)
    return _load_tomllib(text, name) if data is None else data


def _starts_table(text: str) -> bool:
    """The text's first line is a table header (`_TABLE_HEADER` counts the others)."""
    return text.lstrip(" \t").startswith("[")


def _load_rtoml(text: str) -> dict[str, Any] | None:
    """rtoml's reading of `text`; None when tomllib is to read it instead."""
    if text.startswith("\ufeff") or _toml_1_1(text):
        return None  # a byte-order mark (rtoml skips it, tomllib refuses it), or TOML 1.1
    if "\r" in text:  # tomllib reads CRLF in a multi-line string as LF, rtoml keeps it
        text = text.replace("\r\n", "\n")  # (a bare CR stays: both refuse it)
    try:
        if len(text) <= TOML_PART_MAX:
            return rtoml.loads(text)
        parts = _rtoml_parts(text)
        return None if parts is None else _join_parts(text, parts)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any refusal (pyo3's PanicException is no Exception)
        return None


def _toml_1_1(text: str) -> bool:
    """`text` may hold what TOML 1.1 allows and 1.0 does not (see `_NEW_ESCAPE`)."""
    if _NEW_ESCAPE.search(text) or _SHORT_TIME.search(text):
        return True
    at = 0
    while (brace := _BRACE.search(text, at)) is not None:  # each line with a brace, once
        start = text.rfind("\n", 0, brace.start()) + 1
        end = text.find("\n", brace.start())
        at = len(text) if end < 0 else end
        if at - start > INLINE_LINE_MAX or not _INLINE_LINE.fullmatch(text, start, at):
            return True
    return False


def _rtoml_parts(text: str) -> list[tuple[int, int, set[str]]] | None:
    """Where rtoml may read a large `text` apart: (start, end, the pair ids whose
    `[pairs.ID]` lines the part holds); None when tomllib is to read it (TOML_PART).

    Each cut is before a line `[pairs.ID]`, which is a table header at the top level of
    the document: were it inside a multi-line string or array, the part before it would
    end inside that string or array, and rtoml refuse it.
    """
    if _PAIRS_FIRST.match(text) or _PAIRS_LATER.search(text):
        return None
    parts: list[tuple[int, int, set[str]]] = []
    begin = 0
    first = _FIRST_PAIR_HEADER.match(text)  # the text's first line, which no newline precedes
    ids: set[str] = set() if first is None else {first[1]}
    for header in _PAIR_HEADER.finditer(text):
        cut = header.start() + 1  # after the newline
        if cut - begin >= TOML_PART:
            parts.append((begin, cut, ids))
            begin, ids = cut, set()
        if header[1] in ids:
            return None  # a pair declared twice: tomllib says where
        ids.add(header[1])
    parts.append((begin, len(text), ids))
    if any(end - start > TOML_PART_MAX for start, end, _ in parts):
        return None
    return parts


def _join_parts(text: str, parts: list[tuple[int, int, set[str]]]) -> dict[str, Any] | None:
    """The parts read by rtoml as one document (keys in the order tomllib gives them);
    None when they do not join as TOML would read the whole text.

    A part's `pairs` must be the ones its `[pairs.ID]` lines open, none of another part
    (whose `[pairs.ID.slot]` would extend it), and no other top-level key may be in two
    parts: that leaves nothing the parts could declare twice.
    """
    data: dict[str, Any] = {}
    pairs: dict[str, Any] = {}
    for begin, end, ids in parts:
        for key, value in rtoml.loads(text[begin:end]).items():
            if key != "pairs":
                if key in data:
                    return None
                data[key] = value
            else:
                if not (isinstance(value, dict) and ids and value.keys() == ids):
                    return None
                if ids & pairs.keys():
                    return None
                data.setdefault("pairs", pairs)
                pairs |= value
    return data


def fixed_offset(value: dt.datetime) -> dt.datetime:
    """`value` with a `datetime.timezone` of its offset (as tomllib gives it), when aware.

    rtoml's `TzInfo` cannot be pickled, and worker processes receive the model pickled.
    """
    offset = value.utcoffset()
    if offset is None or isinstance(value.tzinfo, dt.timezone):
        return value
    return value.replace(tzinfo=dt.timezone(offset))


def _load_tomllib(text: str, name: str) -> dict[str, Any]:
    """`load_toml` by tomllib, which names the line and column of a syntax error.

    Besides syntax errors, tomllib raises a plain ValueError for an integer of more than
    4,300 digits, and recurses once per level of nested arrays and inline tables.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (1, 1)
        message = _TOML_WHERE.sub("", str(exc)).strip()
        raise InvalidProgram([error(Location(name, line, col), f"TOML: {message}")]) from None
    except ValueError:
        long = _LONG_NUMBER.search(text)
        at = Location(name, 1, 1)
        digits = 0
        if long is not None:
            line = text.count("\n", 0, long.start()) + 1
            at = Location(name, line, long.start() - (text.rfind("\n", 0, long.start()) + 1) + 1)
            digits = len(long[0].replace("_", ""))
        message = (
            f"TOML: a number of {digits:,} digits is too long to read"
            if digits
            else "TOML: a value cannot be read"
        )
        raise InvalidProgram([error(at, message)]) from None
    except RecursionError:
        message = "TOML: arrays or inline tables are nested too deeply to read"
        raise InvalidProgram([error(Location(name, 1, 1), message)]) from None


def parse_pairings(text: str, name: str) -> PairingState:
    """Parse pairings.toml text into a `PairingState`, reporting every bad table."""
    data = load_toml(text, name)
    problems: list[Problem] = []
    pairs: list[Pairing] = []
    headers: dict[str, int] = {}  # each `[pairs.ID]` line, looked up once
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("[pairs."):
            headers.setdefault(line.strip(), number)

    def line_of(key: str) -> int:
        return headers.get(f"[pairs.{key}]") or headers.get(f'[pairs."{key}"]') or 1

    for key, table in sorted(_tables(data, "pairs", name).items()):
        if len(problems) >= MAX_FILE_PROBLEMS:
            more = f"more than {MAX_FILE_PROBLEMS:,} problems; the rest is not checked"
            problems.append(_problem(name, more, line_of(key)))
            break
        try:
            pair = Pairing(
                mentor=str(table["mentor"]),
                mentee=str(table["mentee"]),
                score=float(table.get("score", 0.0)),
                since=toml_date(table["since"]),
                breakdown={str(k): float(v) for k, v in _table(table.get("breakdown", {})).items()},
                reasons=tuple(str(r) for r in _list(table.get("reasons", []))),
                locked=bool(table.get("locked", False)),
                status=_status(table.get("status", "active")),
                ended=toml_date(table["ended"]) if "ended" in table else None,
                end_reason=_text(table.get("end_reason")),
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
    for person, table in sorted(_tables(data, "withdrawn", name).items()):
        try:
            withdrawn.append(
                Withdrawal(person, toml_date(table["date"]), _text(table.get("reason")))
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(_problem(name, f"withdrawal of `{person}` is wrong: {exc}"))
    if problems:
        raise InvalidProgram(problems)
    return PairingState(tuple(pairs), tuple(withdrawn))


def _tables(data: dict[str, Any], key: str, name: str) -> dict[str, dict[str, Any]]:
    """A table of tables (`[pairs.ID]`), or InvalidProgram when it is anything else."""
    value = data.get(key) or {}
    if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
        return value
    raise InvalidProgram([_problem(name, f"`{key}` must hold one table per entry")])


def _table(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise ValueError(f"`{value}` is not a table")


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    raise ValueError(f"`{value}` is not a list")


def _text(value: object) -> str | None:
    """An optional text (None when absent)."""
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"`{value}` is not text")


def toml_date(value: object) -> dt.date:
    """A TOML date (or date-time, cut to its day) from a state or archive file."""
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


def _weekday(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    raise ValueError(f"weekday `{value}` is not 0 (Monday) to 6")


def _session_status(value: object) -> SessionStatus:
    if value in ("planned", "cancelled"):
        return value
    raise ValueError(f"session status `{value}` is not planned or cancelled")


def _optional_date(value: object) -> dt.date | None:
    return None if value is None else toml_date(value)


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
    if session.fingerprint:
        table["fingerprint"] = session.fingerprint
    return table


def _milestone_table(event: MilestoneEvent) -> dict[str, Any]:
    """A milestone's table in schedule.toml (its calendar event as last written)."""
    table: dict[str, Any] = {"id": event.key, "name": event.name, "date": event.date}
    if event.time is not None:
        table["time"] = event.time
    if event.duration_minutes is not None:
        table["duration_minutes"] = event.duration_minutes
    table |= {"kind": event.kind, "audience": event.audience}
    if event.description:
        table["description"] = event.description
    table |= {"status": event.status, "sequence": event.sequence}
    if event.updated is not None:
        table["updated"] = event.updated
    if event.fingerprint:
        table["fingerprint"] = event.fingerprint
    return table


def _milestone_event(table: dict[str, Any]) -> MilestoneEvent:
    time = table.get("time")
    minutes = table.get("duration_minutes")
    return MilestoneEvent(
        key=str(table["id"]),
        name=str(table["name"]),
        date=toml_date(table["date"]),
        time=None if time is None else _clock(time),
        duration_minutes=None if minutes is None else int(minutes),
        kind=str(table.get("kind", "other")),
        audience=str(table.get("audience", "everyone")),
        description=str(table.get("description", "")),
        status=_session_status(table.get("status", "planned")),
        sequence=int(table.get("sequence", 0)),
        updated=_optional_date(table.get("updated")),
        fingerprint=str(table.get("fingerprint", "")),
    )


def schedule_text(schedule: Schedule) -> str:
    """schedule.toml's text: pairs by id, sessions by number.

    A pair with a slot per daylight-saving period has a `periods` array, one
    `{from, weekday, start, fallback}` per period (the zone is the slot's); `slot` stays
    the pair's regular slot, so a reader that knows no periods still reads the file.
    """
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if schedule.uid_domain:
        document["uid_domain"] = schedule.uid_domain
    document["pairs"] = {}
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
    if schedule.milestones:
        document["milestones"] = [
            _milestone_table(m) for m in sorted(schedule.milestones, key=lambda m: m.key)
        ]
    return SCHEDULE_HEADER + tomli_w.dumps(document)


def parse_schedule(text: str, name: str = SCHEDULE_FILE) -> Schedule:
    """Read schedule.toml text; raises InvalidProgram with the line of a bad entry."""
    data = load_toml(text, name)
    plans: list[PairPlan] = []
    skipped: list[Skip] = []
    try:
        for pair, table in sorted(_tables(data, "pairs", name).items()):
            slot_table = _table(table["slot"])
            zone = str(slot_table["zone"])
            if not is_timezone(zone):
                raise ValueError(f"`{zone}` is not an IANA time zone")
            slot = Slot(
                weekday=_weekday(slot_table["weekday"]),
                start=_clock(slot_table["start"]),
                zone=zone,
                fallback=bool(slot_table.get("fallback", False)),
            )
            sessions = tuple(
                Session(
                    pair=pair,
                    number=int(s["number"]),
                    start=_aware(s["start"], zone),
                    end=_aware(s["end"], zone),
                    theme=str(s.get("theme", "")),
                    topics=tuple(str(t) for t in _list(s.get("topics", []))),
                    kind=_kind(s.get("kind", "teaching")),
                    status=_session_status(s.get("status", "planned")),
                    sequence=int(s.get("sequence", 0)),
                    updated=_optional_date(s.get("updated")),
                    moved_from=_optional_date(s.get("moved_from")),
                    fallback=bool(s.get("fallback", False)),
                    fingerprint=str(s.get("fingerprint", "")),
                )
                for s in map(_table, _list(table.get("sessions", [])))
            )
            periods = tuple(
                (
                    toml_date(p["from"]),
                    Slot(_weekday(p["weekday"]), _clock(p["start"]), zone, bool(p.get("fallback"))),
                )
                for p in map(_table, _list(table.get("periods", [])))
            )
            plans.append(
                PairPlan(pair, str(table["mentor"]), str(table["mentee"]), slot, sessions, periods)
            )
        for item in map(_table, _list(data.get("skipped", []))):
            skipped.append(Skip(str(item["pair"]), toml_date(item["date"]), str(item["reason"])))
        milestones = tuple(map(_milestone_event, map(_table, _list(data.get("milestones", [])))))
        domain = _text(data.get("uid_domain")) or ""
    # OverflowError: a datetime in year 1 moved to a zone west of its offset, or an
    # infinite number where a whole one belongs
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidProgram(
            [error(Location(name, 1, 1), f"schedule file is incomplete or wrong: {exc}")]
        ) from None
    return Schedule(tuple(plans), tuple(skipped), domain, milestones)


def read_schedule(folder: Path) -> Schedule:
    """state/schedule.toml, or an empty schedule when there is none yet."""
    path = folder / SCHEDULE_FILE
    text = read_state_text(path, SCHEDULE_FILE, "the schedule file", SCHEDULE_BYTES)
    return Schedule() if text is None else parse_schedule(text)


def write_schedule(folder: Path, schedule: Schedule) -> bool:
    """Write state/schedule.toml atomically; False when nothing changed."""
    return write_text_atomic(folder / SCHEDULE_FILE, schedule_text(schedule))
