"""The "Pairing" panel: `match`, `withdraw` and `explain`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..text import count
from . import console
from .options import (
    DryRunOption,
    JsonOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    program_folder,
    progress_bar,
    settings,
    today_or,
)

if TYPE_CHECKING:
    from ..engines.matching.engine import MatchResult
    from ..model.program import Program


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
        f"{count(len(pairs), 'pair')}, {count(mentees, 'mentee')} without a mentor, "
        f"mean score {mean:.3f}, total {result.total_score:.3f}."
    )
    console.say(
        f"Changes: {len(result.added)} added, {len(result.ended)} ended, "
        f"{len(result.unchanged)} unchanged."
    )
    for pair in result.ended:
        console.say(f"  ended {pair.id} ({pair.mentor} with {pair.mentee}): {pair.end_reason}")
    if result.blocking is not None:
        console.say(f"Stable matching: {len(result.blocking)} blocking pairs.")


def _show_withdrawal(
    program: Program, person: str, result: MatchResult, *, dry_run: bool, folder: str | None
) -> None:
    """Who was left behind and their new partner (or why none), then what to run next."""
    names = {p.id: p.name for p in program.participants}

    def who(pid: str) -> str:
        return f"{names.get(pid, pid)} ({pid})"

    left = sorted(
        {
            p.mentee if p.mentor == person else p.mentor
            for p in result.ended
            if p.status == "withdrawn" and person in (p.mentor, p.mentee)
        }
    )
    unmatched = {u.id: u for u in result.unmatched}
    told: set[str] = set()
    for partner in left:
        new = [p for p in result.added if partner in (p.mentor, p.mentee)]
        for pair in new:
            other = pair.mentee if pair.mentor == partner else pair.mentor
            console.say(
                f"New pair {pair.id}: {who(partner)}, whose partner left, with {who(other)}."
            )
            told.add(pair.id)
        if not new:
            why = unmatched[partner].reason if partner in unmatched else "not paired again"
            console.say(f"{who(partner)}, whose partner left, has no new partner: {why}.")
    for pair in result.added:
        if pair.id not in told:
            console.say(f"New pair {pair.id}: {who(pair.mentor)} with {who(pair.mentee)}.")
    where = f" --program {folder}" if folder is not None else ""
    if dry_run:
        console.say("Dry run: nothing was written. Run it again without --dry-run to commit it.")
    elif result.added:
        console.say(
            f"Next: `rmentor schedule{where}` plans the new "
            + ("pair's" if len(result.added) == 1 else "pairs'")
            + " sessions, then "
            f"`rmentor build{where}` writes the new letters to send."
        )
    else:
        console.say(
            f"Next: `rmentor schedule{where}` updates the schedule, then `rmentor build{where}` "
            "writes the letters for anyone now without a partner."
        )


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
    with progress_bar(quiet, json_output) as bar:
        loaded, result = run_match(
            program_folder(program),
            today=today_or(today),
            rematch=rematch,
            dry_run=dry_run,
            progress=bar,
        )
    if json_output:
        console.print_json(_match_json(result))
    else:
        _show_result(loaded, result, quiet)
        if dry_run and not quiet:
            console.say("Dry run: nothing was written.")


def withdraw(
    person: Annotated[str, typer.Argument(help="Id of the participant who leaves.", metavar="ID")],
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Why they leave (kept in the state)."),
    ] = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
    today: TodayOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """A participant leaves: end their pairs and re-pair their partners."""
    from .steps import run_withdraw

    quiet = quiet or settings().quiet
    with progress_bar(quiet, json_output) as bar:
        loaded, result = run_withdraw(
            program_folder(program),
            person,
            today=today_or(today),
            reason=reason,
            dry_run=dry_run,
            progress=bar,
        )
    if json_output:
        console.print_json(_match_json(result))
        return
    _show_result(loaded, result, quiet)
    if not quiet:
        folder = str(program) if program is not None else None
        _show_withdrawal(loaded, person, result, dry_run=dry_run, folder=folder)


def explain(
    target: Annotated[str, typer.Argument(help="A pair id or a participant id.", metavar="ID")],
    json_output: JsonOption = False,
    program: ProgramOption = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Only the pair and its score: no tables."),
    ] = False,
) -> None:
    """Why a person got their partner: score per criterion, rules, best alternatives."""
    from ..engines.matching.explain import explain as explain_pairing
    from .steps import read_program

    quiet = quiet or settings().quiet
    with progress_bar(quiet, json_output) as bar:
        loaded = read_program(program_folder(program), bar)
        found = explain_pairing(
            loaded.config, loaded.participants, loaded.pairings, target, set(loaded.history)
        )
    if json_output:
        console.print_json({"explanations": [e.to_json() for e in found]})
        return
    for item in found:
        person = f"{item.person.name} ({item.person.id}, {item.person.role})"
        if item.pair is None or item.partner is None:
            console.say(f"{person} has no partner.", style="bold")
        elif quiet:
            console.say(
                f"{item.pair.id}: {person} with {item.partner.name} ({item.partner.id}), "
                f"score {item.pair.score:.3f}" + (" [locked]" if item.pair.locked else "")
            )
            continue
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
        if quiet:
            continue
        console.print_table(
            "Best alternatives",
            ("id", "name", "score", "why not"),
            ((a.id, a.name, f"{a.score:.3f}", a.why_not) for a in item.alternatives),
        )
