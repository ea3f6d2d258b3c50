"""The `schedule` command's work: load, plan, write state and calendars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..engines.schedule import plan_schedule
from ..errors import RmentorError
from ..files.load import Program, open_program
from ..files.output import inside, program_lock, write_bytes_atomic
from ..files.state import PairingState, read_pairings
from ..model.sessions import Schedule, read_schedule, write_schedule

CALENDAR_DIR = "calendars"


@dataclass(frozen=True)
class ScheduleRun:
    """What `rmentor schedule` did."""

    program: Program
    pairs: PairingState
    schedule: Schedule
    calendars: tuple[str, ...]  # files written or unchanged, relative to the out folder


def logged_meetings(program: Program) -> set[tuple[str, dt.date]]:
    """(pair, date) of every meeting in meetings.csv (held or not): those never move."""
    from ..files.meetings import load_meetings

    assert program.config is not None
    meetings, _ = load_meetings(
        program.folder, program.config.topics, program.config.roster.list_separator
    )
    return {(m.pair, m.date) for m in meetings}


def run_schedule(
    folder: Path, *, today: dt.date, out: Path | None = None, dry_run: bool = False
) -> ScheduleRun:
    """Plan every pair's meetings; write state/schedule.toml and the .ics calendars."""
    from ..documents.calendar import build_calendars

    program = open_program(folder)
    config = program.config
    assert config is not None
    with program_lock(folder, enabled=not dry_run):
        pairs = read_pairings(folder)
        if not pairs.pairs:
            raise RmentorError("there are no pairs yet; run `rmentor match` first")
        schedule = plan_schedule(
            config,
            program.participants,
            pairs.pairs,
            read_schedule(folder),
            logged_meetings(program),
            today,
        )
        people = {p.id: p for p in program.participants}
        titles = {t.id: t.title for t in config.topics}
        files = build_calendars(config, people, pairs.pairs, schedule, titles)
        if not dry_run:
            write_schedule(folder, schedule)
            target = out if out is not None else folder / "out"
            for name, data in sorted(files.items()):
                write_bytes_atomic(inside(target / CALENDAR_DIR, name), data, durable=False)
    return ScheduleRun(program, pairs, schedule, tuple(sorted(files)))
