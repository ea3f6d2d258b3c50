"""The `rmentor` command line: the Typer app, its global options, and its commands by panel.

Each command lives in the module of its `--help` panel (`setup`, `pairing`, `meetings`,
`documents`) and does: read options, load the program once, run the steps
(`steps`), print. Errors in the user's files are `RmentorError`s; one wrapper turns
them into a red message on stderr and exit code 1. Anything else is a bug: said
plainly, with the traceback only under --debug.
"""

from __future__ import annotations

from typing import Annotated

import typer

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
