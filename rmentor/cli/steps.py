"""What each command does below Typer: one loaded `Program` in, engines called, files written.

Every step takes the program as loaded (or as the step before left it) and returns
it updated, as mkdocs passes its config: `build` is load → match → schedule →
documents → report → index on one `Program`, and the separate commands are the same
steps, one at a time. Steps that write state run inside the program lock, which the
command takes before it loads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ..documents.packets import handouts, index_document, packets
from ..documents.render import Document, Progress, Renderer, render_documents
from ..documents.report import CHART_DIR, ReportRun, certificate_documents, charts, report_document
from ..engines.evaluation import answers_to_date, evaluate
from ..engines.matching.engine import MatchResult, match, withdraw
from ..engines.report import Cohort, Report, build_report
from ..engines.schedule import plan_schedule
from ..engines.status import Status, build_status
from ..errors import InvalidProgram, NoPairs, Problem, RmentorError, has_errors, sorted_problems
from ..files.layout import CALENDAR_DIR, MEETINGS_FILE, TEMPLATES_DIR, out_folder, program_lock
from ..files.load import load, open_program
from ..files.meetings import append_meeting, check_minutes, parse_status
from ..files.output import Written, inside, write_bytes_atomic
from ..files.state import write_pairings, write_schedule
from ..files.tables import split_list
from ..model.activity import Meeting
from ..model.checks import Summary, feasibility, summarize
from ..model.config import TopicIndex
from ..model.pairings import Pairing, resolve_pair
from ..model.program import Program


def validate_program(folder: Path) -> tuple[list[Problem], Summary]:
    """Everything `rmentor validate` reports: all problems, sorted, and the summary."""
    program = load(folder)
    summary = summarize(program)
    problems = list(program.problems)
    problems += feasibility(program, summary, failed=has_errors(problems))
    return sorted_problems(problems), summary


# -- pairing --------------------------------------------------------------------------------


def match_step(
    program: Program,
    *,
    today: dt.date,
    rematch: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """Match; write state/pairings.toml unless `dry_run`; the program with its new pairs."""
    result = match(
        program.config,
        program.participants,
        program.pairings,
        today=today,
        rematch=rematch,
        history=set(program.history),
        progress=progress,
    )
    if not dry_run:
        write_pairings(program.folder, result.state)
    return replace(program, pairings=result.state), result


def run_match(
    folder: Path,
    *,
    today: dt.date,
    rematch: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """`rmentor match`: load inside the lock, match, write."""
    with program_lock(folder, enabled=not dry_run):
        program = open_program(folder)
        return match_step(program, today=today, rematch=rematch, dry_run=dry_run, progress=progress)


def run_withdraw(
    folder: Path, person: str, *, today: dt.date, reason: str | None, dry_run: bool = False
) -> tuple[Program, MatchResult]:
    """`rmentor withdraw`: record that `person` left, end their pairs, re-pair their partners."""
    with program_lock(folder, enabled=not dry_run):
        program = open_program(folder)
        if person not in {p.id for p in program.participants}:
            raise RmentorError(f"`{person}` is not on the roster")
        if person in program.pairings.withdrawn_ids():
            raise RmentorError(f"`{person}` has already withdrawn")
        if not program.pairings.pairs:
            raise NoPairs
        result = withdraw(
            program.config,
            program.participants,
            program.pairings,
            person,
            today=today,
            reason=reason,
            history=set(program.history),
        )
        if not dry_run:
            write_pairings(folder, result.state)
    return replace(program, pairings=result.state), result


# -- the meeting log and the dashboard -------------------------------------------------------


@dataclass(frozen=True)
class LogRun:
    """What `rmentor log` did."""

    pair: Pairing
    meeting: Meeting  # the row appended, with its line
    earlier: tuple[Meeting, ...]  # entries of that pair on that day before this one
    names: dict[str, str]  # participant id -> name


def _topic_ids(program: Program, given: list[str]) -> tuple[str, ...]:
    index = TopicIndex(program.config.topics)
    separator = program.config.roster.list_separator
    found: list[str] = []
    for text in given:
        whole = index.resolve(text)
        items = (text,) if whole else split_list(text, separator if separator in text else ",")
        for item in items:
            topic = index.resolve(item)
            if topic is None:
                raise RmentorError(f"unknown topic `{item}` ({index.hint(item)})")
            if topic not in found:
                found.append(topic)
    return tuple(found)


def run_log(
    folder: Path,
    pair: str,
    day: dt.date,
    status: str,
    minutes: int | None,
    topics: list[str],
    notes: str | None,
    same_day: Literal["refuse", "add", "replace"] = "refuse",
) -> LogRun:
    """`rmentor log`: check the entry against the program, append it to meetings.csv.

    A second entry for one pair on one day is refused unless `same_day` says to add it
    (two meetings that day) or to replace the earlier entries.
    """
    try:
        state_word = parse_status(status)
    except ValueError as exc:
        raise RmentorError(str(exc)) from None
    if minutes is not None:
        try:
            check_minutes(minutes)
        except ValueError as exc:
            raise RmentorError(f"--minutes: {exc}") from None
    with program_lock(folder):
        program = open_program(folder)
        info = program.config.program
        if not info.start <= day <= info.end:
            raise RmentorError(
                f"{day} is outside the program ({info.start} to {info.end}); check --date"
            )
        names = {p.id: p.name for p in program.participants}
        topic_ids = _topic_ids(program, topics)
        chosen = resolve_pair(program.pairings, pair, names)
        if chosen.ended is not None and day > chosen.ended:
            raise RmentorError(f"pair `{chosen.id}` ended on {chosen.ended}, before {day}")
        earlier = tuple(m for m in program.meetings if m.pair == chosen.id and m.date == day)
        if earlier and same_day == "refuse":
            lines = ", ".join(f"line {m.source.line}: {m.status}" for m in earlier)
            raise RmentorError(
                f"{chosen.id} already has an entry on {day} ({MEETINGS_FILE} {lines}); "
                "use --replace to replace it, or --add for a second meeting that day"
            )
        longest = 3 * program.config.meetings.duration_minutes
        if minutes is not None and not 1 <= minutes <= longest:
            raise RmentorError(
                f"--minutes {minutes}: a session lasts from 1 to {longest} minutes here "
                f"(three times meetings.duration_minutes)"
            )
        meeting = append_meeting(
            folder,
            chosen.id,
            day,
            state_word,
            minutes,
            topic_ids,
            notes,
            list_separator=program.config.roster.list_separator,
            replacing=earlier if same_day == "replace" else (),
        )
    return LogRun(chosen, meeting, earlier if same_day != "replace" else (), names)


def load_status(folder: Path, today: dt.date) -> Status:
    """`rmentor status`: everything the dashboard needs, from one load."""
    program = open_program(folder)
    return build_status(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        program.meetings,
        today,
    )


# -- scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRun:
    """What `rmentor schedule` did."""

    program: Program  # with its new schedule
    calendars: tuple[str, ...]  # files written or unchanged, relative to the out folder


def schedule_step(
    program: Program, *, today: dt.date, out: Path | None = None, dry_run: bool = False
) -> ScheduleRun:
    """Plan every pair's meetings; write state/schedule.toml and the .ics calendars."""
    from ..documents.calendar import build_calendars

    config = program.config
    if not program.pairings.pairs:
        raise NoPairs
    logged = {(m.pair, m.date) for m in program.meetings}  # held or not: those never move
    schedule = plan_schedule(
        config, program.participants, program.pairings.pairs, program.schedule, logged, today
    )
    people = {p.id: p for p in program.participants}
    titles = {t.id: t.title for t in config.topics}
    files = build_calendars(config, people, program.pairings.pairs, schedule, titles)
    if not dry_run:
        write_schedule(program.folder, schedule)
        target = out_folder(program.folder, out) / CALENDAR_DIR
        for name, data in sorted(files.items()):
            write_bytes_atomic(inside(target, name), data, durable=False)
    return ScheduleRun(replace(program, schedule=schedule), tuple(sorted(files)))


def run_schedule(
    folder: Path, *, today: dt.date, out: Path | None = None, dry_run: bool = False
) -> ScheduleRun:
    """`rmentor schedule`: load inside the lock, plan, write."""
    with program_lock(folder, enabled=not dry_run):
        return schedule_step(open_program(folder), today=today, out=out, dry_run=dry_run)


# -- documents ------------------------------------------------------------------------------


def renderer(program: Program) -> Renderer:
    """The program's renderer: its own templates/ first, then the shipped ones."""
    return Renderer(program.folder / TEMPLATES_DIR, program.config.program.paper)


def handout_documents(
    program: Program, today: dt.date, extra: dict[str, Any] | None = None
) -> list[Document]:
    """The `handouts` command's documents (`extra`: `context_extra`, if already made)."""
    from ..documents.packets import context_extra

    return handouts(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        today,
        extra if extra is not None else context_extra(program, today),
    )


def packet_documents(
    program: Program,
    today: dt.date,
    only: str | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Document]:
    """The `packet` command's documents (one pair's, or every pair's and the coordinator's)."""
    from ..documents.packets import context_extra

    if only is not None and only not in {p.id for p in program.pairings.active}:
        raise RmentorError(f"`{only}` is not the id of an active pair")
    return packets(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        today,
        only,
        extra if extra is not None else context_extra(program, today),
    )


def write_documents(
    docs: Sequence[Document],
    program: Program,
    fmt: str,
    out: Path,
    progress: Progress | None = None,
) -> Written:
    """Render each document and write `out/<path>.<fmt>`; count the files that changed.

    Files are written atomically and only when their bytes change, so a second build
    touches nothing.
    """
    files: list[str] = []
    changed = 0
    for name, data in render_documents(docs, renderer(program), fmt, program.header, progress):
        files.append(name)
        changed += write_bytes_atomic(inside(out, name), data, durable=False)
    return Written(tuple(files), changed)


# -- evaluation -----------------------------------------------------------------------------


def evaluate_program(program: Program, today: dt.date, threshold: int | None = None) -> Report:
    """The program's report as of `today` (no cohorts); `threshold` raises its anonymity
    threshold (an earlier cohort is shown with the current program's, if stricter)."""
    config = program.config
    if threshold is not None and threshold > config.evaluation.anonymity_threshold:
        stricter = config.evaluation.model_copy(update={"anonymity_threshold": threshold})
        config = config.model_copy(update={"evaluation": stricter})
    people, pairs, schedule = program.participants, program.pairings, program.schedule
    meetings = list(program.meetings)
    responses = answers_to_date(config, list(program.responses), today)
    evaluation = evaluate(config, people, pairs, schedule, meetings, responses, today)
    status = build_status(config, people, pairs, schedule, meetings, today)
    return build_report(
        config, people, pairs, schedule, meetings, responses, evaluation, status, today
    )


def report_step(program: Program, today: dt.date) -> ReportRun:
    """The report as of `today`, with its earlier cohorts (evaluation.compare)."""
    config = program.config
    report = evaluate_program(program, today)
    cohorts: list[Cohort] = []
    for name in config.evaluation.compare:
        try:
            earlier = open_program((program.folder / name).resolve())
        except InvalidProgram as exc:
            count = sum(1 for p in exc.problems if p.severity.value == "error")
            errors = "1 error" if count == 1 else f"{count} errors"
            raise RmentorError(
                f"evaluation.compare names `{name}`, whose files have {errors}: "
                f"run `rmentor validate --program {name}` there"
            ) from None
        found = evaluate_program(earlier, today, config.evaluation.anonymity_threshold)
        info = earlier.config.program
        cohorts.append(
            Cohort(
                info.name,
                info.start,
                info.end,
                found.evaluation.metrics,
                tuple(found.evaluation.goals),
            )
        )
    if cohorts:
        report = replace(report, cohorts=cohorts)
    return ReportRun(program, report)


def write_report(run: ReportRun, fmt: str, out: Path) -> Written:
    """out/report.<fmt>, its charts and the certificates; only changed files rewritten.

    In Markdown the charts are files in out/report-charts/ that the report links; in
    HTML and PDF they are inline. Certificates are for printing: HTML when the report
    is Markdown.
    """
    drawn = charts(run)
    figures = {f"{CHART_DIR}/{name}.svg": chart.svg for name, chart in drawn.items()}
    files: list[str] = []
    changed = 0
    if fmt == "md":
        for path, svg in sorted(figures.items()):
            changed += write_bytes_atomic(inside(out, path), svg.encode("utf-8"), durable=False)
            files.append(path)
    report = write_documents([report_document(run, figures)], run.program, fmt, out)
    certificate_fmt = "html" if fmt == "md" else fmt
    certificates = write_documents(certificate_documents(run), run.program, certificate_fmt, out)
    return Written(
        (*files, *report.files, *certificates.files),
        changed + report.changed + certificates.changed,
    )


# -- build ----------------------------------------------------------------------------------


def _calendar_labels(program: Program) -> dict[str, str]:
    """How the index names each calendar file: the person, or the pair's two names."""
    from ..documents.calendar import COORDINATOR_FILE, pair_file_name, person_file_name

    names = {p.id: p.name for p in program.participants}
    labels = {COORDINATOR_FILE: "Coordinator: every session and milestone"}
    for plan in program.schedule.plans:
        mentor, mentee = names.get(plan.mentor, plan.mentor), names.get(plan.mentee, plan.mentee)
        labels[pair_file_name(plan.pair)] = f"Pair: {mentor} and {mentee}"
        for person in (plan.mentor, plan.mentee):
            labels[person_file_name(person)] = names.get(person, person)
    return labels


GROUPS = {
    "handouts": "Handouts",
    "letters": "Welcome letters",
    "reserve": "Letters to people without a partner",
    "agreements": "Pair agreements",
    "agendas": "Session agenda sheets",
    "packets": "Packets",
}


@dataclass(frozen=True)
class BuildRun:
    """What `rmentor build` did."""

    steps: tuple[str, ...]  # matched?, scheduled, evaluated
    calendars: int
    written: Written


def build(
    folder: Path,
    *,
    today: dt.date,
    fmt: str,
    out: Path | None = None,
    progress: Progress | None = None,
) -> BuildRun:
    """Everything in one go, on one loaded program: match (if no pairs yet), schedule,
    handouts, packets, report, certificates, index."""
    target = out_folder(folder, out)
    steps: list[str] = []
    with program_lock(folder):
        program = open_program(folder)
        if not program.pairings.active:
            program, _ = match_step(program, today=today)
            steps.append("matched")
        scheduled = schedule_step(program, today=today, out=target)
    program = scheduled.program
    steps.append("scheduled")
    evaluated = report_step(program, today)  # before writing documents: its inputs may be wrong
    from ..documents.packets import context_extra

    extra = context_extra(program, today)  # status and who is left out: worked out once
    docs = handout_documents(program, today, extra) + packet_documents(program, today, None, extra)
    written = write_documents(docs, program, fmt, target, progress)
    evaluation = write_report(evaluated, fmt, target)
    entries = [
        (GROUPS.get(d.path.split("/")[0], "Other"), d.title, f"{d.path}.{fmt}") for d in docs
    ]
    entries.append(("Evaluation", "Evaluation report", f"report.{fmt}"))
    certificate_fmt = "html" if fmt == "md" else fmt
    entries += [
        ("Certificates of completion", d.title, f"{d.path}.{certificate_fmt}")
        for d in certificate_documents(evaluated)
    ]
    labels = _calendar_labels(program)
    # The coordinator's, then each person's, then each pair's (by name within each).
    ordered = sorted(
        scheduled.calendars,
        key=lambda n: (not n.startswith("coord"), not n.startswith("people/"), labels.get(n, n)),
    )
    entries += [
        ("Calendars", labels.get(name, name.removesuffix(".ics")), f"{CALENDAR_DIR}/{name}")
        for name in ordered
    ]
    index_fmt = "md" if fmt == "md" else "html"
    index = write_documents(
        [index_document(program.config, today, entries, index_fmt)], program, index_fmt, target
    )
    total = Written(
        written.files + evaluation.files + index.files,
        written.changed + evaluation.changed + index.changed,
    )
    return BuildRun((*steps, "evaluated"), len(scheduled.calendars), total)
