"""The `rmentor` command line. Each command: read options, call the library, print.

Errors in the user's files are `RmentorError`s; one wrapper turns them into a red
message on stderr and exit code 1. Anything else is a bug: said plainly, with the
traceback only under --debug.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import Severity
from ..files.load import Program
from . import console
from .meetings import log_command, status_command
from .options import (
    DryRunOption,
    JsonOption,
    ProgramOption,
    QuietOption,
    Settings,
    TodayOption,
    handles_errors,
    parse_date,
    program_folder,
    set_settings,
    settings,
    show_version,
    today_or,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..documents.packets import Document
    from ..documents.report import ReportRun
    from ..engines.matching.engine import MatchResult
    from .publishing import Written

SETUP = "Set up"
PAIRING = "Pairing"
MEETINGS = "Meetings"
DOCUMENTS = "Documents"

app = typer.Typer(
    name="rmentor",
    help="Run a reverse-mentoring program from plain files.\n\n"
    "Juniors (mentors) teach seniors (mentees) digital tools and new ways of working. "
    "rmentor validates the program folder, pairs people, plans meetings, prints packets "
    "and evaluates the program against its goals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main_options(
    program: ProgramOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of bugs.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run a reverse-mentoring program from plain files."""
    set_settings(Settings(program=program, quiet=quiet, debug=debug))


@app.command(rich_help_panel=SETUP)
@handles_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (must be new or empty).")],
    example: Annotated[
        bool, typer.Option("--example", help="Copy the worked sample program.")
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Program name (default: from the folder).")
    ] = None,
    today: TodayOption = None,
    quiet: QuietOption = False,
) -> None:
    """Create a new program folder: program.yaml, an empty roster, .gitignore."""
    from ..files.scaffold import create_program

    written = create_program(
        directory, example=example, name=name, today=parse_date(today) or dt.date.today()
    )
    if not (quiet or settings().quiet):
        what = "the sample program" if example else "a new program"
        console.success(f"Created {what} in {directory} ({len(written)} files).")
        if example:
            console.say(f"Next: cd {directory} && rmentor build   (then open out/index.html)")
        else:
            console.say(
                f"Next: add people to {directory}/participants.csv, edit program.yaml, "
                "then: rmentor validate"
            )


@app.command(rich_help_panel=SETUP)
@handles_errors
def validate(
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    json_output: JsonOption = False,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check every file of the program and report all problems at once."""
    from ..model.checks import validate_program

    problems, summary = validate_program(program_folder(program))
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if json_output:
        console.print_json(
            {
                "problems": [p.to_json() for p in problems],
                "summary": summary.to_json(),
                "ok": not failed,
            }
        )
    else:
        console.print_problems(problems)
        if not (quiet or settings().quiet):
            console.say(
                f"{summary.participants} participants: {summary.mentors} mentors "
                f"({summary.capacity} places), {summary.mentees} mentees, "
                f"{summary.departments} departments, {len(summary.timezones)} time zones."
            )
            counts = (
                f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            )
            if failed:
                console.fail(f"validation failed: {counts}")
            else:
                console.success(f"The program is valid ({counts}).")
    if failed:
        raise typer.Exit(1)


def _show_result(program: Program, result: MatchResult, quiet: bool) -> None:
    names = {p.id: p.name for p in program.participants}
    for message in result.warnings:
        console.warn(message)
    if quiet:
        return
    console.print_table(
        "Pairs",
        ("pair", "mentor", "mentee", "score", "why"),
        (
            (
                p.id,
                names.get(p.mentor, p.mentor),
                names.get(p.mentee, p.mentee),
                f"{p.score:.3f}",
                "; ".join(p.reasons[:2]),
            )
            for p in result.pairs
        ),
    )
    if result.unmatched:
        console.print_table(
            "Without a partner",
            ("id", "name", "role", "why"),
            ((u.id, names.get(u.id, ""), u.role, u.reason) for u in result.unmatched),
        )
    pairs = result.pairs
    mean = sum(p.score for p in pairs) / len(pairs) if pairs else 0.0
    mentees = sum(1 for u in result.unmatched if u.role == "mentee")
    console.say(
        f"{len(pairs)} pairs, {mentees} mentees without a mentor, mean score {mean:.3f}, "
        f"total {result.total_score:.3f}."
    )
    console.say(
        f"Changes: {len(result.added)} added, {len(result.ended)} ended, "
        f"{len(result.unchanged)} unchanged."
    )
    for pair in result.ended:
        console.say(f"  ended {pair.id} ({pair.mentor} with {pair.mentee}): {pair.end_reason}")
    if result.blocking is not None:
        console.say(f"Stable matching: {len(result.blocking)} blocking pairs.")


def _match_json(result: MatchResult) -> dict[str, object]:
    return {
        "pairs": [
            {
                "id": p.id,
                "mentor": p.mentor,
                "mentee": p.mentee,
                "score": p.score,
                "reasons": list(p.reasons),
                "locked": p.locked,
                "since": p.since.isoformat(),
            }
            for p in result.pairs
        ],
        "unmatched": [{"id": u.id, "role": u.role, "reason": u.reason} for u in result.unmatched],
        "total_score": result.total_score,
        "changes": {
            "added": [p.id for p in result.added],
            "ended": [p.id for p in result.ended],
            "unchanged": [p.id for p in result.unchanged],
        },
        "warnings": list(result.warnings),
        **(
            {"blocking_pairs": [list(b) for b in result.blocking]}
            if result.blocking is not None
            else {}
        ),
    }


@app.command(rich_help_panel=PAIRING)
@handles_errors
def match(
    dry_run: DryRunOption = False,
    rematch: Annotated[
        bool, typer.Option("--rematch", help="Start over (locked pairs still hold).")
    ] = False,
    json_output: JsonOption = False,
    today: TodayOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Pair mentors and mentees; keep the committed pairs; write state/pairings.toml."""
    from .steps import run_match

    quiet = quiet or settings().quiet
    bar = console.Progress(enabled=not (quiet or json_output))
    try:
        loaded, result = run_match(
            program_folder(program),
            today=today_or(today),
            rematch=rematch,
            dry_run=dry_run,
            progress=bar,
        )
    finally:
        bar.close()
    if json_output:
        console.print_json(_match_json(result))
    else:
        _show_result(loaded, result, quiet)
        if dry_run and not quiet:
            console.say("Dry run: nothing was written.")


@app.command(rich_help_panel=PAIRING)
@handles_errors
def withdraw(
    person: Annotated[str, typer.Argument(help="Id of the participant who leaves.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why they leave (kept in the state).")
    ] = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
    today: TodayOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """A participant leaves: end their pairs and re-pair their partners."""
    from .steps import run_withdraw

    loaded, result = run_withdraw(
        program_folder(program), person, today=today_or(today), reason=reason, dry_run=dry_run
    )
    if json_output:
        console.print_json(_match_json(result))
    else:
        _show_result(loaded, result, quiet or settings().quiet)


@app.command(rich_help_panel=PAIRING)
@handles_errors
def explain(
    target: Annotated[str, typer.Argument(help="A pair id or a participant id.", metavar="ID")],
    json_output: JsonOption = False,
    program: ProgramOption = None,
) -> None:
    """Why a person got their partner: score per criterion, rules, best alternatives."""
    from ..engines.matching.explain import explain as explain_pairing
    from ..files.state import history_pairs
    from .steps import load_pairings

    loaded, state = load_pairings(program_folder(program))
    assert loaded.config is not None
    history = history_pairs(loaded.folder, loaded.config.matching.history)
    found = explain_pairing(loaded.config, loaded.participants, state, target, history)
    if json_output:
        console.print_json({"explanations": [e.to_json() for e in found]})
        return
    for item in found:
        person = f"{item.person.name} ({item.person.id}, {item.person.role})"
        if item.pair is None or item.partner is None:
            console.say(f"{person} has no partner.", style="bold")
        else:
            console.say(
                f"{item.pair.id}: {person} with {item.partner.name} ({item.partner.id}), "
                f"score {item.pair.score:.3f}" + (" [locked]" if item.pair.locked else ""),
                style="bold",
            )
            for reason in item.pair.reasons:
                console.say(f"  - {reason}")
            console.print_table(
                "Score by criterion",
                ("criterion", "weight", "score", "points"),
                (
                    (x.criterion, f"{x.weight:g}", f"{x.score:.3f}", f"{x.points:.3f}")
                    for x in item.lines
                ),
            )
            console.print_table(
                "Rules",
                ("rule", "mode", "result"),
                ((r, m, "satisfied" if ok else "BROKEN") for r, m, ok in item.rules),
            )
        console.print_table(
            "Best alternatives",
            ("id", "name", "score", "why not"),
            ((a.id, a.name, f"{a.score:.3f}", a.why_not) for a in item.alternatives),
        )


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Output folder (default: out/ in the program folder).",
        file_okay=False,
        show_default=False,
    ),
]


@app.command(rich_help_panel=MEETINGS)
@handles_errors
def schedule(
    json_output: JsonOption = False,
    today: TodayOption = None,
    dry_run: DryRunOption = False,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Plan every pair's meetings; write state/schedule.toml and .ics calendars."""
    from .planning import CALENDAR_DIR, run_schedule

    run = run_schedule(program_folder(program), today=today_or(today), out=out, dry_run=dry_run)
    sessions = run.schedule.sessions
    config = run.program.config
    assert config is not None
    if json_output:
        console.print_json(
            {
                "sessions": [
                    {
                        "pair": s.pair,
                        "number": s.number,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "theme": s.theme,
                        "topics": list(s.topics),
                        "status": s.status,
                        "sequence": s.sequence,
                    }
                    for s in sessions
                ],
                "milestones": [
                    {
                        "name": m.name,
                        "kind": m.kind,
                        "date": m.date.isoformat(),
                        "audience": m.audience,
                    }
                    for m in sorted(config.meetings.milestones, key=lambda m: (m.date, m.name))
                ],
                "fallback_pairs": [p.pair for p in run.schedule.plans if p.slot.fallback],
                "skipped": [
                    {"pair": k.pair, "date": k.date.isoformat(), "reason": k.reason}
                    for k in run.schedule.skipped
                ],
            }
        )
        return
    if quiet or settings().quiet:
        return
    names = {p.id: p.name for p in run.program.participants}
    active = {p.id for p in run.pairs.active}
    console.print_table(
        "Meeting slots",
        ("pair", "mentor", "mentee", "slot", "sessions"),
        (
            (
                p.pair,
                names.get(p.mentor, p.mentor),
                names.get(p.mentee, p.mentee),
                p.slot.describe() + (" (no common time)" if p.slot.fallback else ""),
                str(sum(1 for s in p.sessions if s.status == "planned")),
            )
            for p in run.schedule.plans
            if p.pair in active
        ),
    )
    planned = [s for s in sessions if s.status == "planned"]
    moved = sum(1 for s in planned if s.moved_from is not None)
    fallback = [p.pair for p in run.schedule.plans if p.slot.fallback and p.pair in active]
    console.say(
        f"{len(active)} pairs, {len(planned)} sessions planned, {moved} moved for holidays, "
        f"{len(run.schedule.skipped)} skipped for holidays or blackouts, "
        f"{len(config.meetings.milestones)} milestones."
    )
    if fallback:
        console.warn(
            f"no common time inside both people's hours for {len(fallback)} pairs: "
            f"{', '.join(fallback)} (they got the mentor's first free time)"
        )
    where = (out or run.program.folder / "out") / CALENDAR_DIR
    what = "would be written" if dry_run else "written"
    console.say(f"Calendars {what} to {where}: {len(run.calendars)} files.")


FormatOption = Annotated[
    str,
    typer.Option("--format", "-f", help="md (for reading and diffs), html (to print) or pdf."),
]


def _out_folder(folder: Path, out: Path | None) -> Path:
    return out if out is not None else folder / "out"


def _report_written(what: str, written: Written, out: Path, quiet: bool) -> None:
    if quiet or settings().quiet:
        return
    console.say(
        f"{what}: {len(written.files)} files in {out} ({written.changed} changed, "
        f"{len(written.files) - written.changed} unchanged)."
    )


@app.command(rich_help_panel=DOCUMENTS)
@handles_errors
def handouts(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Guides, training outlines, feedback form, welcome letters, agreements, agenda sheets."""
    from .publishing import handout_documents

    _documents("Handouts", handout_documents, fmt, today, out, program, quiet)


def _documents(
    what: str,
    which: Callable[..., list[Document]],
    fmt: str,
    today: str | None,
    out: Path | None,
    program: Path | None,
    quiet: bool,
    *args: object,
) -> None:
    """Load the program, pick the documents, write them with a progress bar, report."""
    from .publishing import load, write_documents

    folder = program_folder(program)
    day = today_or(today)
    loaded = load(folder, day)
    target = _out_folder(folder, out)
    bar = console.Progress(enabled=not (quiet or settings().quiet))
    try:
        docs = which(loaded, day, *args)
        written = write_documents(docs, loaded.renderer, fmt, target, _header(loaded.program), bar)
    finally:
        bar.close()
    _report_written(what, written, target, quiet)


@app.command(rich_help_panel=DOCUMENTS)
@handles_errors
def packet(
    pair: Annotated[
        str | None, typer.Option("--pair", help="Only this pair's packet (a pair id).")
    ] = None,
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Printable packets: one per pair, and one for the coordinator."""
    from .publishing import packet_documents

    _documents("Packets", packet_documents, fmt, today, out, program, quiet, pair)


@app.command(rich_help_panel=DOCUMENTS)
@handles_errors
def report(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    json_out: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Evaluation report against the program's goals, with charts; certificates."""
    from ..documents.report import run_report, write_report

    folder = program_folder(program)
    day = today_or(today)
    run = run_report(folder, day)
    if json_out:
        console.print_json(run.report.to_json())
        return
    from ..documents.render import Renderer

    config = run.program.config
    assert config is not None
    renderer = Renderer(folder / "templates", config.program.paper)
    target = _out_folder(folder, out)
    written = write_report(run, renderer, fmt, target, _header(run.program))
    quiet = quiet or settings().quiet
    if not quiet:
        _print_goals(run)
    _report_written("Report", written, target, quiet)


def _print_goals(run: ReportRun) -> None:
    from ..engines.report import METRIC_TITLES, metric_text

    ev = run.report.evaluation
    assert run.program.config is not None
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


@app.command(rich_help_panel=DOCUMENTS)
@handles_errors
def build(
    fmt: FormatOption = "html",
    today: TodayOption = None,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Everything in one go: match (if no pairs yet), schedule, handouts, packets, report,
    certificates, index."""
    from ..documents.report import certificate_documents, run_report, write_report
    from ..files.state import read_pairings
    from .planning import CALENDAR_DIR, run_schedule
    from .publishing import (
        Written,
        handout_documents,
        index_document,
        load,
        packet_documents,
        write_documents,
    )
    from .steps import run_match

    folder = program_folder(program)
    day = today_or(today)
    target = _out_folder(folder, out)
    quiet = quiet or settings().quiet
    steps: list[str] = []
    if not read_pairings(folder).active:
        run_match(folder, today=day)
        steps.append("matched")
    run = run_schedule(folder, today=day, out=target)
    steps.append("scheduled")
    loaded = load(folder, day)
    evaluated = run_report(folder, day)  # before writing anything: its inputs may be wrong
    docs = handout_documents(loaded, day) + packet_documents(loaded, day)
    bar = console.Progress(enabled=not quiet)
    try:
        written = write_documents(docs, loaded.renderer, fmt, target, _header(loaded.program), bar)
    finally:
        bar.close()
    evaluation = write_report(evaluated, loaded.renderer, fmt, target, _header(loaded.program))
    groups = {
        "handouts": "Handouts",
        "letters": "Welcome letters",
        "agreements": "Pair agreements",
        "agendas": "Session agenda sheets",
        "packets": "Packets",
    }
    entries = [
        (groups.get(d.path.split("/")[0], "Other"), d.title, f"{d.path}.{fmt}") for d in docs
    ]
    entries.append(("Evaluation", "Evaluation report", f"report.{fmt}"))
    certificate_fmt = "html" if fmt == "md" else fmt
    entries += [
        ("Certificates of completion", d.title, f"{d.path}.{certificate_fmt}")
        for d in certificate_documents(evaluated)
    ]
    entries += [
        ("Calendars", name.removesuffix(".ics"), f"{CALENDAR_DIR}/{name}") for name in run.calendars
    ]
    index_fmt = "md" if fmt == "md" else "html"
    index = write_documents(
        [index_document(loaded, day, entries, index_fmt)],
        loaded.renderer,
        index_fmt,
        target,
        _header(loaded.program),
    )
    total = Written(
        written.files + evaluation.files + index.files,
        written.changed + evaluation.changed + index.changed,
    )
    if not quiet:
        steps.append("evaluated")
        console.say(f"Build: {', '.join(steps)}; {len(run.calendars)} calendars.")
    _report_written("Documents", total, target, quiet)


def _header(program: Program) -> str:
    config = program.config
    assert config is not None
    return f"{config.program.organization} · {config.program.name}"


app.command("log", rich_help_panel=MEETINGS)(handles_errors(log_command))
app.command("status", rich_help_panel=MEETINGS)(handles_errors(status_command))


def main() -> None:
    """Entry point of the `rmentor` console script."""
    app()
