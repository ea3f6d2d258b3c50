"""Every command explains itself: help for each command, option and argument (as sqlite-utils).

The app is walked through the Click objects Typer builds (`typer.main.get_command`): a new
command is checked as soon as it is added to COMMANDS, which must name them all.
"""

from __future__ import annotations

from typing import Annotated

import pytest
import typer
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from rmentor.cli.app import app

COMMANDS = frozenset(
    {
        "init",
        "validate",
        "purge",
        "match",
        "withdraw",
        "explain",
        "schedule",
        "mail",
        "log",
        "status",
        "handouts",
        "packet",
        "report",
        "build",
        "forms",
    }
)

runner = CliRunner()


def group() -> TyperGroup:
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


def commands() -> dict[str, TyperCommand]:
    found = group().commands
    assert all(isinstance(c, TyperCommand) for c in found.values())
    return dict(found)  # type: ignore[arg-type]


def missing_help(command: TyperCommand | TyperGroup) -> list[str]:
    """The options and arguments of a command that say nothing about themselves."""
    return [
        param.name or "?"
        for param in command.params
        if not (getattr(param, "help", None) or "").strip()
    ]


def test_the_commands_are_the_documented_ones() -> None:
    assert set(commands()) == COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    command = commands()[name]
    assert (command.help or "").strip(), f"`rmentor {name}` has no help text"
    assert not missing_help(command), f"`rmentor {name}`: no help for {missing_help(command)}"


def test_the_global_options_have_help() -> None:
    assert (group().help or "").strip()
    assert not missing_help(group()), f"global options without help: {missing_help(group())}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_exits_zero(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert name in result.output


def test_missing_help_finds_a_silent_option() -> None:
    toy = typer.Typer()

    @toy.command()
    def one(
        loud: Annotated[bool, typer.Option("--loud", help="Say it loudly.")] = False,
        silent: Annotated[bool, typer.Option("--silent")] = False,
    ) -> None:
        """Do one thing."""

    @toy.command()
    def two() -> None:
        """Do another thing."""

    command = typer.main.get_command(toy)
    assert isinstance(command, TyperGroup)
    assert missing_help(command.commands["one"]) == ["silent"]  # type: ignore[arg-type]
