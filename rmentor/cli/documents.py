"""The "Documents" panel: `handouts`, `packet`, `report`, `build` and `forms`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..text import count
from . import console
from .options import (
    JsonOption,
    OutOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    check_format,
    program_folder,
    progress_bar,
    settings,
    today_or,
)

if TYPE_CHECKING:
    import datetime as dt

    from ..documents.render import Document
    from ..documents.report import ReportRun
    from ..files.output import Batch, Written
    from ..model.program import Program

FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="md|html|pdf",
        help="md (for reading and diffs), html (to print) or pdf.",
        callback=check_format,
    ),
]


def _report_written(what: str, written: Written, out: Path, quiet: bool) -> None:
    if quiet or settings().quiet:
        return
    console.say(
        f"{what}: {count(len(written.files), 'file')} in {out} ({written.changed} changed, "
        f"{len(written.files) - written.changed} unchanged)."
    )


def _documents(
    what: str,
    which: Callable[[Program, dt.date], list[Document]],
    fmt: str,
    today: str | None,
    out: Path | None,
    program: Path | None,
    quiet: bool,
) -> None:
    """Load the program once, pick the documents, write them with a progress bar, report."""
    from ..files.layout import out_folder
    from .steps import changing, read_program, write_documents

    folder = program_folder(program)
    day = today_or(today)
    target = out_folder(folder, out)
    with (
        progress_bar(quiet) as bar,
        changing(folder, out=target, progress=bar) as batch,
    ):
        assert batch is not None
        loaded = read_program(folder, bar)
        docs = which(loaded, day)
        written = write_documents(batch, docs, loaded, fmt, target, bar)
    _report_written(what, written, target, quiet)


def handouts(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Guides, training outlines, feedback forms, welcome letters, agreements, agenda sheets."""
    from .steps import handout_documents

    _documents("Handouts", handout_documents, fmt, today, out, program, quiet)


def packet(
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair",
            metavar="ID",
            help="Only this pair's packet: a pair id, or either person's id.",
        ),
    ] = None,
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Printable packets: one per pair, and one for the coordinator."""
    from .steps import packet_documents

    def which(loaded: Program, day: dt.date) -> list[Document]:
        return packet_documents(loaded, day, pair)

    _documents("Packets", which, fmt, today, out, program, quiet)


def report(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    json_out: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Evaluation report against the program's goals, with charts; certificates."""
    from ..files.layout import out_folder
    from .steps import changing, read_program, report_step, write_report

    folder = program_folder(program)
    target = out_folder(folder, out)
    day = today_or(today)
    quiet = quiet or settings().quiet
    with (
        progress_bar(quiet, json_out) as bar,
        changing(folder, out=target, dry_run=json_out, progress=bar) as batch,
    ):
        run = report_step(read_program(folder, bar), day, bar)
        if batch is not None:
            written = write_report(batch, run, fmt, target, bar)
    if batch is None:
        console.print_json(run.report.to_json())
        return
    if not quiet:
        _print_goals(run)
        _report_notes(run)
    _report_written("Report", written, target, quiet)


def _report_notes(run: ReportRun) -> None:
    """What a report made too early lacks, and the command that brings it."""
    config = run.program.config
    if not run.program.pairings.pairs:
        console.say(
            "No pairs yet: the report counts no meetings until `rmentor match` has paired "
            "people and meetings are logged.",
            style="dim",
        )
    if not config.evaluation.surveys:
        console.say(
            "No surveys yet: satisfaction, nps and skill goals show no data until the "
            "survey exports are listed under evaluation.surveys in program.yaml.",
            style="dim",
        )


def _print_goals(run: ReportRun) -> None:
    from ..model.vocabulary import METRIC_TITLES, metric_text

    ev = run.report.evaluation
    goals = {g.id: g for g in run.program.config.goals}

    def measured(metric: str, goal_id: str) -> str:
        goal = goals.get(goal_id)
        limits = [x for x in (goal and goal.topic, goal and goal.role and f"{goal.role}s") if x]
        return METRIC_TITLES.get(metric, metric) + (f" ({', '.join(limits)})" if limits else "")

    def target(metric: str, goal_id: str, value: float) -> str:
        goal = goals.get(goal_id)
        sign = "≤" if goal is not None and goal.lower_is_better else "≥"
        return f"{sign} {metric_text(metric, value)}"

    if ev.goals:
        console.print_table(
            f"Goals as of {run.report.today.isoformat()}",
            ("goal", "measured as", "value", "target", "status"),
            (
                (
                    g.id,
                    measured(g.metric, g.id),
                    metric_text(g.metric, g.value),
                    target(g.metric, g.id, g.target),
                    g.status,
                )
                for g in ev.goals
            ),
        )
    certificates = len(run.report.certificates)
    console.say(
        f"{run.report.people} people in {run.report.pairs_started} pairs; "
        f"{run.report.at_risk} pairs at risk; {len(run.report.recommendations)} "
        f"recommendations; {certificates} certificates."
    )


def build(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Everything in one go: match (if no pairs yet), schedule, handouts, packets, report,
    certificates, index."""
    from ..files.layout import out_folder
    from . import steps

    folder = program_folder(program)
    target = out_folder(folder, out)
    quiet = quiet or settings().quiet
    with progress_bar(quiet) as bar:
        run = steps.build(folder, today=today_or(today), fmt=fmt, out=out, progress=bar)
    if not quiet:  # one summary: what was done, what was written, where to start
        files, changed = len(run.written.files), run.written.changed
        console.say(
            f"Built in {target} ({', '.join(run.steps)}): {count(files, 'document')} "
            f"({changed} changed), {count(run.calendars, 'calendar')}. "
            f"Start with {target / ('index.' + fmt)}."
        )


def forms(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="md|html|pdf",
            help="The question sheets: md (for reading and diffs), html (to print) or pdf.",
            callback=check_format,
        ),
    ] = "md",
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Sign-up, check-in and survey forms: question sheets, Apps Scripts, mapping.yaml."""
    from ..files.layout import out_folder
    from .steps import changing

    folder = program_folder(program)
    target = out_folder(folder, out)
    with changing(folder, out=target) as batch:
        assert batch is not None
        written = write_forms(batch, forms_config(folder), fmt, target)
    _report_written("Forms", written, target, quiet)


def forms_config(folder: Path) -> Program:
    """The program, for its forms. Forms come before the sign-ups, meetings and surveys
    they bring in, so only program.yaml counts: a section with errors, or topics, goals
    and dates that do not hold together, stop it; a missing roster does not."""
    from ..errors import InvalidProgram, has_errors
    from ..files.layout import PROGRAM_FILE
    from ..files.load import load
    from ..model.checks import check_dates, check_topics_and_goals

    loaded = load(folder)
    fatal = [p for p in loaded.problems if p.location.file == PROGRAM_FILE] if loaded.broken else []
    if not loaded.broken:
        fatal = check_topics_and_goals(loaded) + check_dates(loaded)
    if has_errors(fatal):
        raise InvalidProgram(fatal)
    return loaded


def write_forms(batch: Batch, loaded: Program, fmt: str, out: Path) -> Written:
    """Stage out/forms/: each form's question sheet (in `fmt`), its .gs, and mapping.yaml."""
    from ..documents.forms import build_forms, form_files, sheet_document
    from ..files.output import Written, inside
    from .steps import write_documents

    made = build_forms(loaded.config)
    sheets = write_documents(batch, [sheet_document(f) for f in made], loaded, fmt, out)
    files, changed = list(sheets.files), sheets.changed
    for name, data in form_files(made).items():
        changed += batch.add(inside(out, name), data)
        files.append(name)
    return Written(tuple(files), changed)
