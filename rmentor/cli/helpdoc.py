"""docs/commands.md: every command's `--help`, made from the app so the two never drift.

    python -m rmentor.cli.helpdoc > docs/commands.md

tests/cli/test_helpdoc.py checks the committed file against this output.
"""

from __future__ import annotations

from typing import Any

HEADER = """# Commands

Each command's `--help`, as `rmentor` prints it (made by `python -m rmentor.cli.helpdoc`;
a test checks that this page and the program agree). `rmentor COMMAND --help` shows the
same in the terminal.

Shell completion: `rmentor` is a Typer app, so bash, zsh and fish complete its commands
and options once the completion script is loaded, e.g. for bash
`eval "$(_RMENTOR_COMPLETE=bash_source rmentor)"` in `~/.bashrc` (`zsh_source` or
`fish_source` for the others).
"""

WIDTH = 88  # the help text's width here, whatever the terminal's


def _help(command: Any, name: str, parent: Any = None) -> str:
    import typer

    context = typer.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=WIDTH,
        help_option_names=["-h", "--help"],
    )
    context.max_content_width = WIDTH
    return str(command.get_help(context))


def commands_markdown() -> str:
    """The page: the app's help, then each command's, in `--help`'s order."""
    import typer

    from .app import COMMANDS, app

    group = typer.main.get_command(app)
    parts = [HEADER, "## rmentor\n", "```text\n" + _help(group, "rmentor") + "\n```\n"]
    root = typer.Context(group, info_name="rmentor", terminal_width=WIDTH)  # the parent
    for panel, name, _ in COMMANDS:
        command = group.get_command(root, name)  # type: ignore[attr-defined]
        text = _help(command, name, root)
        parts.append(f"## rmentor {name}\n\n*{panel}*\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(commands_markdown())
