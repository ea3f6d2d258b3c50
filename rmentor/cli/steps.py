"""What each command does below Typer: one loaded `Program` in, engines called, files written.

Every step takes the program as loaded (or as the step before left it) and returns
it updated, as mkdocs passes its config: `build` is load → match → schedule →
documents → report → index on one `Program`, and the separate commands are the same
steps, one at a time.

A command that writes runs inside `changing`: the program lock (taken before it
loads), its folders checked writable before any work, a killed run's temporary files
removed, and one `Batch` that every step stages its files in. The batch is committed
when the command's work is all done, so `build` is all or nothing: a broken template
or a full disk leaves state, calendars and documents byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..engines.evaluation import answers_to_date, evaluate
from ..engines.status import Status, build_status
from ..errors import (
    InvalidProgram,
    Location,
    NoPairs,
    Problem,
    RmentorError,
    Severity,
    has_errors,
    sorted_problems,
)
from ..files.layout import (
    CALENDAR_DIR,
    MEETINGS_FILE,
    OUT_DIR,
    PAIRINGS_FILE,
    PROGRAM_FILE,
    SCHEDULE_FILE,
    STATE_DIR,
    TEMPLATES_DIR,
    out_folder,
    program_lock,
)
from ..files.load import load, open_program
from ..files.mail_state import MailRecord
from ..files.meetings import append_meeting, append_meetings, check_minutes, parse_status
from ..files.output import Batch, WriteFailed, Written, check_folder, inside, remove_stale
from ..files.state import pairings_text, schedule_text
from ..files.tables import split_list
from ..model.activity import Meeting
from ..model.checks import Summary, feasibility, summarize
from ..model.config import TopicIndex
from ..model.pairings import Pairing, resolve_pair
from ..model.program import Program
from . import console

if TYPE_CHECKING:  # the heavy modules (SciPy, Jinja, the documents) load in the steps
    # that use them, not in every command (status and validate use none of them)
    from ..documents.packets import Contexts
    from ..documents.render import Document, Progress, Renderer
    from ..documents.report import ReportRun
    from ..engines.matching.engine import MatchResult
    from ..engines.report import Report


@contextmanager
def changing(
    folder: Path,
    *,
    state: bool = False,
    out: Path | None = None,
    log: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Iterator[Batch | None]:
    """Around a command that writes: the lock, its folders checked, one batch committed
    at the end (`None` for a dry run, which takes no lock and writes nothing).

    `state`: the command writes state/; `out`: the out folder it writes documents to;
    `log`: it rewrites meetings.csv, in the program folder itself.
    The program's own state/ and out/ must be real folders: a link committed to a
    shared folder could send files anywhere (`--out DIR` writes elsewhere on purpose).
    While another run holds the program's lock, `progress` says so instead of hanging.
    """
    if dry_run:
        yield None
        return
    with ExitStack() as locked:
        with console.working(progress, "waiting for another rmentor run on this program"):
            locked.enter_context(program_lock(folder))
        checks = [(folder, "the meeting log")] if log else []
        if state:
            checks.append((folder / STATE_DIR, "state"))
        if out is not None:
            checks.append((out, "documents"))
        for path, what in checks:
            if path.is_symlink() and path.parent == folder:
                raise WriteFailed(
                    f"{path} is a link to {path.resolve()}: rmentor writes only into a real "
                    f"{path.name}/ folder of the program; remove the link"
                    + (", or pass --out DIR to write there" if path.name == OUT_DIR else "")
                )
            check_folder(path, what)
        remove_stale([p for p, _ in checks if p != folder])
        # meetings.csv's own folder: only its files, not the program's subfolders
        remove_stale([folder], deep=False)
        with Batch() as batch:
            yield batch


def read_program(folder: Path, progress: Progress | None = None) -> Program:
    """`open_program`, with "reading the program" drawn while it takes long (10,000
    people take seconds); stops with every problem when the files have errors."""
    with console.working(progress, console.READING):
        return open_program(folder)


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
    batch: Batch | None,
    *,
    today: dt.date,
    rematch: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """Match; stage state/pairings.toml in `batch` (None: a dry run); the program with its
    new pairs. An empty roster is the user's to fill, said as such."""
    from ..engines.matching.engine import match

    if not program.participants:
        files = ", ".join(
            str(f) if isinstance(f, str) else f.file for f in program.config.roster.files
        )
        raise RmentorError(
            f"the roster is empty: {files or 'roster.files'} lists no one yet. Export the "
            "sign-up form into it (or list the export under roster.files in program.yaml), "
            "then run `rmentor validate`"
        )
    result = match(
        program.config,
        program.participants,
        program.pairings,
        today=today,
        rematch=rematch,
        history=set(program.history),
        progress=progress,
    )
    if batch is not None:
        _stage_state(batch, program.folder, PAIRINGS_FILE, pairings_text(result.state))
    return replace(program, pairings=result.state), result


def _stage_state(batch: Batch, folder: Path, name: str, text: str) -> None:
    batch.add(folder / name, text.encode("utf-8"), durable=True)


def run_match(
    folder: Path,
    *,
    today: dt.date,
    rematch: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """`rmentor match`: load inside the lock, match, write."""
    with changing(folder, state=True, dry_run=dry_run, progress=progress) as batch:
        program = read_program(folder, progress)
        return match_step(program, batch, today=today, rematch=rematch, progress=progress)


def run_withdraw(
    folder: Path,
    person: str,
    *,
    today: dt.date,
    reason: str | None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """`rmentor withdraw`: record that `person` left, end their pairs, re-pair their partners."""
    from ..engines.matching.engine import withdraw

    with changing(folder, state=True, dry_run=dry_run, progress=progress) as batch:
        program = read_program(folder, progress)
        ids = [p.id for p in program.participants]
        if person not in ids:
            from ..text import suggest

            hint = suggest(person, ids)
            raise RmentorError(
                f"`{person}` is not on the roster: give the id from the roster's id column "
                "(ids are matched exactly)" + (f"; {hint}" if hint else "")
            )
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
        if batch is not None:
            _stage_state(batch, folder, PAIRINGS_FILE, pairings_text(result.state))
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
    *,
    dated: bool = True,
    progress: Progress | None = None,
) -> LogRun:
    """`rmentor log`: check the entry against the program, append it to meetings.csv.

    A second entry for one pair on one day is refused unless `same_day` says to add it
    (two meetings that day) or to replace the earlier entries. `dated`: the day was
    given with --date (else it is today's, which a message then says).
    """
    try:
        state_word = parse_status(status)
    except ValueError as exc:
        raise RmentorError(f"--status: {exc}") from None
    if minutes is not None:
        try:
            check_minutes(minutes)
        except ValueError as exc:
            raise RmentorError(f"--minutes: {exc}") from None
    with changing(folder, log=True, progress=progress):
        program = read_program(folder, progress)
        info = program.config.program
        if not info.start <= day <= info.end:
            if not dated:
                raise RmentorError(
                    f"no --date given, and today ({day}) is outside the program "
                    f"({info.start} to {info.end}): give the meeting's day with "
                    "--date YYYY-MM-DD"
                )
            raise RmentorError(
                f"--date {day} is outside the program ({info.start} to {info.end}): give "
                "the day the pair met, or correct program.start and program.end in "
                f"{PROGRAM_FILE}"
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
        meeting = append_meeting(  # its own one-file write: the log is all this changes
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


@dataclass(frozen=True)
class ImportRun:
    """What `rmentor log --import` did."""

    meetings: tuple[Meeting, ...]  # the rows appended, with their lines
    already: int  # sessions meetings.csv already held
    both: int  # second reports of one session
    skipped: int  # rows that could not be placed
    problems: tuple[Problem, ...]  # why those rows were skipped (and any warnings)


class NothingImported(InvalidProgram):
    """No row of a check-in export could be imported; every reason is carried."""

    def __init__(self, problems: Sequence[Problem], name: str) -> None:
        super().__init__(problems)
        errors = sum(1 for p in self.problems if p.severity is Severity.ERROR)
        noun = "error" if errors == 1 else "errors"
        self.args = (
            f"no session of {name} could be imported ({errors} {noun}); nothing was written",
        )


def _export_path(folder: Path, name: str) -> Path:
    """The export `name` names: absolute, or from the current folder; a name that is not
    there but is in the program folder is read from there."""
    given = Path(name)
    for path in (given, folder / given):
        if path.is_file():
            return path
    raise RmentorError(
        f"file `{name}` not found (looked in {Path.cwd()} and in the program folder)"
    )


def run_import(folder: Path, name: str, progress: Progress | None = None) -> ImportRun:
    """`rmentor log --import FILE`: a check-in export's sessions appended to
    meetings.csv in one write. When no row can be imported and some were bad, nothing
    is written and every problem is raised (`NothingImported`); otherwise the skipped
    rows' errors come back as warnings."""
    from ..files.checkin import import_checkins
    from ..files.tables import read_table

    path = _export_path(folder, name)
    with changing(folder, log=True, progress=progress) as batch:
        assert batch is not None  # not a dry run
        program = read_program(folder, progress)
        if not program.pairings.pairs:
            raise NoPairs
        table, problems = read_table(path.parent, path.name, Location(name))
        if table is None or has_errors(problems):
            raise InvalidProgram(problems)
        table = replace(table, file=name)
        found = import_checkins(
            table, program.config, program.participants, program.pairings, program.meetings
        )
        problems += found.problems
        if has_errors(problems) and not (found.meetings or found.already or found.both):
            raise NothingImported(problems, name)
        written = (
            append_meetings(
                folder,
                found.meetings,
                list_separator=program.config.roster.list_separator,
                batch=batch,
            )
            if found.meetings
            else []
        )
    skipped = [replace(p, severity=Severity.WARNING) for p in problems]
    return ImportRun(
        tuple(written), found.already, found.both, found.skipped, tuple(sorted_problems(skipped))
    )


def load_status(folder: Path, today: dt.date, progress: Progress | None = None) -> Status:
    """`rmentor status`: everything the dashboard needs, from one load."""
    program = read_program(folder, progress)
    return build_status(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        program.meetings,
        today,
        answers_to_date(program.config, program.responses, today),
    )


# -- scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRun:
    """What `rmentor schedule` did."""

    program: Program  # with its new schedule
    calendars: tuple[str, ...]  # files written or unchanged, relative to the out folder


def schedule_step(
    program: Program,
    batch: Batch | None,
    *,
    today: dt.date,
    out: Path | None = None,
    progress: Progress | None = None,
) -> ScheduleRun:
    """Plan every pair's meetings; stage state/schedule.toml and the .ics calendars in
    `batch` (None: a dry run)."""
    from ..documents.calendar import build_calendars, stamp_schedule
    from ..engines.schedule import plan_schedule

    config = program.config
    if not program.pairings.pairs:
        raise NoPairs
    logged = {(m.pair, m.date) for m in program.meetings}  # held or not: those never move
    schedule = plan_schedule(
        config,
        program.participants,
        program.pairings.pairs,
        program.schedule,
        logged,
        today,
        progress,
    )
    people = {p.id: p for p in program.participants}
    titles = {t.id: t.title for t in config.topics}
    built: dict[Any, Any] = {}  # the events stamping built, used again for the files
    schedule = stamp_schedule(config, people, schedule, program.schedule, today, titles, built)
    files = build_calendars(
        config, people, program.pairings.pairs, schedule, titles, progress=progress, built=built
    )
    if batch is not None:
        _stage_state(batch, program.folder, SCHEDULE_FILE, schedule_text(schedule))
        target = out_folder(program.folder, out) / CALENDAR_DIR
        for name, data in sorted(files.items()):
            batch.add(inside(target, name), data)
    return ScheduleRun(replace(program, schedule=schedule), tuple(sorted(files)))


def run_schedule(
    folder: Path,
    *,
    today: dt.date,
    out: Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ScheduleRun:
    """`rmentor schedule`: load inside the lock, plan, write."""
    target = out_folder(folder, out)
    with changing(folder, state=True, out=target, dry_run=dry_run, progress=progress) as batch:
        program = read_program(folder, progress)
        return schedule_step(program, batch, today=today, out=out, progress=progress)


# -- documents ------------------------------------------------------------------------------


def renderer(program: Program) -> Renderer:
    """The program's renderer: its own templates/ first, then the shipped ones."""
    from ..documents.render import Renderer

    return Renderer(program.folder / TEMPLATES_DIR, program.config.program.paper)


def document_contexts(
    program: Program, today: dt.date, extra: dict[str, Any] | None = None
) -> Contexts:
    """The documents' contexts, made once for handouts and packets (`extra`:
    `context_extra`, if already made)."""
    from ..documents.packets import Contexts, context_extra

    return Contexts(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        today,
        extra if extra is not None else context_extra(program, today),
    )


def handout_documents(
    program: Program, today: dt.date, contexts: Contexts | None = None
) -> list[Document]:
    """The `handouts` command's documents (`contexts`: `document_contexts`, if made)."""
    from ..documents.packets import handouts

    made = contexts or document_contexts(program, today)
    return handouts(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        today,
        contexts=made,
    )


def packet_documents(
    program: Program,
    today: dt.date,
    only: str | None = None,
    contexts: Contexts | None = None,
) -> list[Document]:
    """The `packet` command's documents (one pair's, or every pair's and the coordinator's)."""
    from ..documents.packets import packets

    if only is not None:  # a pair id, or a person's id as `log` and `explain` take
        names = {p.id: p.name for p in program.participants}
        pair = resolve_pair(program.pairings, only, names)
        if not pair.active:
            raise RmentorError(f"pair `{pair.id}` has ended ({pair.status}): it gets no packet")
        only = pair.id
    return packets(
        program.config,
        program.participants,
        program.pairings,
        program.schedule,
        today,
        only,
        contexts=contexts or document_contexts(program, today),
    )


def write_documents(
    batch: Batch,
    docs: Sequence[Document],
    program: Program,
    fmt: str,
    out: Path,
    progress: Progress | None = None,
) -> Written:
    """Render each document and stage `out/<path>.<fmt>`; count the files that change.

    Only files whose bytes change are staged, so a second build touches nothing.
    """
    from ..documents.render import render_documents

    files: list[str] = []
    changed = 0
    for name, data in render_documents(docs, renderer(program), fmt, program.header, progress):
        files.append(name)
        changed += batch.add(inside(out, name), data)
    return Written(tuple(files), changed)


# -- evaluation -----------------------------------------------------------------------------


def evaluate_program(program: Program, today: dt.date, threshold: int | None = None) -> Report:
    """The program's report as of `today` (no cohorts); `threshold` raises its anonymity
    threshold (an earlier cohort is shown with the current program's, if stricter)."""
    from ..engines.report import build_report

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


def report_step(program: Program, today: dt.date, progress: Progress | None = None) -> ReportRun:
    """The report as of `today`, with its earlier cohorts (evaluation.compare)."""
    from ..documents.report import ReportRun
    from ..engines.purge import archived_cohort
    from ..engines.report import Cohort
    from ..files.archive import read_standing

    config = program.config
    with console.working(progress, "evaluating the program"):
        report = evaluate_program(program, today)
    cohorts: list[Cohort] = []
    for done, name in enumerate(config.evaluation.compare):
        if progress is not None:
            progress("comparing earlier cohorts", done, len(config.evaluation.compare))
        # A purged program (`rmentor purge`) has only the figures its report showed.
        standing = read_standing((program.folder / name).resolve())
        if standing is not None:
            cohorts.append(archived_cohort(standing, config.evaluation.anonymity_threshold))
            continue
        try:
            earlier = read_program((program.folder / name).resolve())
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


def write_report(
    batch: Batch, run: ReportRun, fmt: str, out: Path, progress: Progress | None = None
) -> Written:
    """out/report.<fmt>, its charts and the certificates; only changed files rewritten.

    In Markdown the charts are files in out/report-charts/ that the report links; in
    HTML and PDF they are inline. Certificates are for printing: HTML when the report
    is Markdown.
    """
    from ..documents.report import CHART_DIR, certificate_documents, charts, report_document

    with console.working(progress, "drawing the charts"):
        drawn = charts(run)
    figures = {f"{CHART_DIR}/{name}.svg": chart.svg for name, chart in drawn.items()}
    files: list[str] = []
    changed = 0
    if fmt == "md":
        for path, svg in sorted(figures.items()):
            changed += batch.add(inside(out, path), svg.encode("utf-8"))
            files.append(path)
    report = write_documents(
        batch, [report_document(run, figures)], run.program, fmt, out, progress
    )
    certificate_fmt = "html" if fmt == "md" else fmt
    certificates = write_documents(
        batch, certificate_documents(run), run.program, certificate_fmt, out, progress
    )
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
    handouts, packets, report, certificates, index — written all at once at the end."""
    from ..documents.packets import index_document

    target = out_folder(folder, out)
    steps: list[str] = []
    with changing(folder, state=True, out=target, progress=progress) as batch:
        assert batch is not None
        program = read_program(folder, progress)
        if not program.pairings.active:
            program, _ = match_step(program, batch, today=today, progress=progress)
            steps.append("matched")
        scheduled = schedule_step(program, batch, today=today, out=target, progress=progress)
        program = scheduled.program
        steps.append("scheduled")
        evaluated = report_step(program, today, progress)
        # the status and who is left out worked out once, and each context made once
        contexts = document_contexts(program, today)
        docs = handout_documents(program, today, contexts)
        docs += packet_documents(program, today, None, contexts)
        written = write_documents(batch, docs, program, fmt, target, progress)
        evaluation = write_report(batch, evaluated, fmt, target, progress)
        index_fmt = "md" if fmt == "md" else "html"
        entries = _index_entries(program, docs, evaluated, scheduled.calendars, fmt)
        index_doc = index_document(program.config, today, entries, index_fmt)
        index = write_documents(batch, [index_doc], program, index_fmt, target)
    total = Written(
        written.files + evaluation.files + index.files,
        written.changed + evaluation.changed + index.changed,
    )
    return BuildRun((*steps, "evaluated"), len(scheduled.calendars), total)


def _index_entries(
    program: Program,
    docs: Sequence[Document],
    evaluated: ReportRun,
    calendars: Sequence[str],
    fmt: str,
) -> list[tuple[str, str, str]]:
    """The index page's (group, title, file) rows, in the order it lists them."""
    from ..documents.report import certificate_documents

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
        calendars,
        key=lambda n: (not n.startswith("coord"), not n.startswith("people/"), labels.get(n, n)),
    )
    entries += [
        ("Calendars", labels.get(name, name.removesuffix(".ics")), f"{CALENDAR_DIR}/{name}")
        for name in ordered
    ]
    return entries


# -- mail -----------------------------------------------------------------------------------


@dataclass
class MailRun:
    """What `rmentor mail` wrote and sent."""

    written: list[MailRecord]  # new messages this run
    notes: list[str]  # people who could not be written to
    sent: list[MailRecord] | None = None  # None: --send not asked
    refused: dict[str, list[str]] | None = None  # message key -> refused recipients, why
    not_sent: list[MailRecord] | None = None
    stopped: str | None = None
    paired: bool = True  # `match` has run: without pairs, there is little to write


def mail_step(
    program: Program,
    batch: Batch | None,
    *,
    today: dt.date,
    kinds: Sequence[str],
    out: Path | None = None,
    progress: Progress | None = None,
) -> tuple[list[MailRecord], list[str]]:
    """Compose the messages due and not written yet; stage them and state/mail.toml."""
    from ..documents.calendar import default_uid_domain
    from ..documents.mail import MailInput, drafts, message_bytes, message_id
    from ..files.layout import MAIL_FILE
    from ..files.mail_state import MailRecord, MailState, mail_text, read_mail

    config = program.config
    if not (config.mail.sender or config.program.leader.email):
        from ..errors import error

        raise InvalidProgram(
            [
                error(
                    program.where.at("program", "leader"),
                    "e-mail needs a sender, and program.leader has no email",
                    "add `email: you@example.com` to program.leader, or set mail.from",
                )
            ]
        )
    from ..documents.packets import context_extra

    state = read_mail(program.folder)
    if "welcome" in kinds:
        _check_scheduled(program, state.keys())
    extra = context_extra(program, today)  # the status (pairs at risk) and the letters' data
    given = MailInput(
        config=config,
        participants=program.participants,
        pairings=program.pairings,
        schedule=program.schedule,
        meetings=program.meetings,
        today=today,
        at_risk={r["pair"]: r["reason"] for r in extra["at_risk"] if r["reason"]},
        letters=handout_documents(program, today, document_contexts(program, today, extra)),
        topic_titles={t.id: t.title for t in config.topics},
    )
    people = {p.id for p in program.participants}
    render = renderer(program)
    found, notes = drafts(
        given,
        render,
        kinds,  # type: ignore[arg-type]  # checked by the CLI
        state.keys(),
        {person: state.sequences(person) for person in people},
    )
    domain = program.schedule.uid_domain or default_uid_domain(config)
    target = out_folder(program.folder, out)
    records = []
    for done, draft in enumerate(found):
        if progress is not None:
            progress("writing the messages", done, len(found))
        data = message_bytes(draft, config, domain, today, render)
        records.append(
            MailRecord(
                key=draft.key,
                kind=draft.kind,
                person=draft.person,
                to=tuple(address for _, address in draft.to),
                message_id=message_id(draft, domain),
                file=draft.file,
                written=today,
                events=dict(draft.events),
            )
        )
        if batch is not None:
            batch.add(inside(target, draft.file), data)
    if batch is not None and records:
        new = MailState(state.messages + tuple(records))
        _stage_state(batch, program.folder, MAIL_FILE, mail_text(new))
    return records, notes


def _check_scheduled(program: Program, written: set[str]) -> None:
    """A welcome letter carries the pair's calendar invitations, and goes once: written
    before `rmentor schedule`, it would go without them, and they would never follow."""
    planned = {plan.pair for plan in program.schedule.plans}
    waiting = sorted(
        pair.id
        for pair in program.pairings.active
        if pair.id not in planned
        and any(f"welcome:{who}:{pair.id}" not in written for who in (pair.mentor, pair.mentee))
    )
    if waiting:
        more = len(waiting) - 5
        shown = ", ".join(waiting[:5]) + (f" and {more} more" if more > 0 else "")
        raise RmentorError(
            f"no meetings are planned yet for {len(waiting)} "
            f"{'pair' if len(waiting) == 1 else 'pairs'} ({shown}), and their welcome "
            "letters would go without the calendar invitations: run `rmentor schedule` "
            "first (or leave welcome out with --kind)"
        )


def run_mail(
    folder: Path,
    *,
    today: dt.date,
    kinds: Sequence[str],
    send: bool = False,
    out: Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MailRun:
    """`rmentor mail`: write the messages due; with `send`, deliver every message
    written and not sent yet, recording each in state/mail.toml as the server accepts it."""
    target = out_folder(folder, out)
    with changing(folder, state=True, out=target, dry_run=dry_run, progress=progress) as batch:
        program = read_program(folder, progress)
        if send and program.config.mail.smtp is None:
            raise RmentorError(
                "mail.smtp is not set in program.yaml: add `mail: {smtp: {host: ..., "
                "port: 587}}` to send, or leave out --send and send the .eml files yourself"
            )
        written, notes = mail_step(
            program, batch, today=today, kinds=kinds, out=out, progress=progress
        )
    run = MailRun(written, notes, paired=bool(program.pairings.pairs))
    if send and not dry_run:
        _send(program, target, run)
    return run


def _send(program: Program, target: Path, run: MailRun) -> None:
    """Deliver the unsent messages through SMTP, recording each as it is accepted."""
    import os

    from ..files.layout import program_lock
    from ..files.mail_state import read_mail, write_mail
    from ..files.reading import read_capped
    from ..files.smtp import Outgoing, SmtpError, SmtpSettings, deliver

    smtp = program.config.mail.smtp
    assert smtp is not None  # run_mail checked
    password = os.environ.get(smtp.password_env) if smtp.username else None
    if smtp.username and not password:
        raise RmentorError(
            f"mail.smtp.username is set but the environment variable {smtp.password_env} "
            "is empty: set it to the password (it is never read from program.yaml)"
        )
    settings = SmtpSettings(smtp.host, smtp.port, smtp.security, smtp.username, password)
    leader = program.config.program.leader
    sender = program.config.mail.sender or leader.email or ""
    with program_lock(program.folder):
        state = read_mail(program.folder)
        pending = state.unsent()
        outgoing = []
        for record in pending:
            try:
                data = read_capped(inside(target, record.file), 64 * 1024 * 1024)
            except FileNotFoundError:
                raise RmentorError(
                    f"{record.file} was written but is missing from {target}; restore it, "
                    f"or remove its entry (key `{record.key}`) from state/mail.toml"
                ) from None
            outgoing.append(Outgoing(record.key, sender, record.to, data))
        by_key = {r.key: r for r in pending}
        current = [state]

        def accepted(message: Outgoing, refusals: Sequence[Any]) -> None:
            when = dt.datetime.now(dt.UTC).replace(microsecond=0)
            refused = tuple(f"{r.address} ({r.code} {r.reason})" for r in refusals)
            current[0] = current[0].with_sent(message.key, when, refused)
            write_mail(program.folder, current[0])

        try:
            report = deliver(outgoing, settings, accepted)
        except SmtpError as exc:
            raise RmentorError(str(exc)) from None
    run.sent = [by_key[k] for k in report.sent]
    run.not_sent = [by_key[k] for k in report.not_sent]
    run.refused = {
        k: [f"{r.address}: {r.code} {r.reason}" for r in refusals]
        for k, refusals in report.refused.items()
    }
    run.stopped = report.stopped
