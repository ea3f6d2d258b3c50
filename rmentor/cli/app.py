"""The `rmentor` command line: the Typer app, its global options, and its commands by panel.

Each command lives in the module of its `--help` panel (`setup`, `pairing`, `meetings`,
`documents`) and does: read options, load the program once, run the steps
(`steps`), print. Errors in the user's files are `RmentorError`s; one wrapper turns
them into a red message on stderr and exit code 1. Anything else is a bug: said
plainly, with the traceback only under --debug.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import documents, mail, meetings, pairing, setup
from .options import (
    DOCUMENTS,
    MEETINGS,
    PAIRING,
    SETUP,
    ProgramOption,
    Settings,
    handles_errors,
    set_settings,
    show_version,
)


class PanelGroup(TyperGroup):
    """Plain help, with the commands in their panels (Set up, Pairing, …).

    Typer's Rich help loads Rich's Markdown, syntax and traceback modules (about 80 ms,
    more than all of rmentor's own start-up); plain help prints the same panels at
    the speed of Click, and shows flags without a `<bool>` metavar."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands, panel by panel, in the order `COMMANDS` lists them."""
        found = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in found if command and not command.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, command in shown:
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((name, command.get_short_help_str(limit)))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)


app = typer.Typer(
    name="rmentor",
    cls=PanelGroup,
    rich_markup_mode=None,
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


# In the order `rmentor --help` lists them, panel by panel.
COMMANDS = (
    (SETUP, "init", setup.init),
    (SETUP, "validate", setup.validate),
    (SETUP, "purge", setup.purge),
    (PAIRING, "match", pairing.match),
    (PAIRING, "withdraw", pairing.withdraw),
    (PAIRING, "explain", pairing.explain),
    (MEETINGS, "schedule", meetings.schedule),
    (DOCUMENTS, "handouts", documents.handouts),
    (DOCUMENTS, "packet", documents.packet),
    (DOCUMENTS, "report", documents.report),
    (DOCUMENTS, "build", documents.build),
    (DOCUMENTS, "forms", documents.forms),
    (MEETINGS, "log", meetings.log_command),
    (MEETINGS, "status", meetings.status_command),
    (MEETINGS, "mail", mail.mail),
)
for panel, name, command in COMMANDS:
    app.command(name, rich_help_panel=panel)(handles_errors(command))


def main() -> None:
    """Entry point of the `rmentor` console script."""
    app()
