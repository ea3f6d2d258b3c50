"""docs/commands.md is the app's own `--help`, word for word (issue 16)."""

from __future__ import annotations

from rmentor.cli.helpdoc import commands_markdown
from tests.conftest import REPO


def test_the_commands_page_matches_the_app() -> None:
    page = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert page == commands_markdown(), (
        "docs/commands.md is out of date: python -m rmentor.cli.helpdoc > docs/commands.md"
    )
    assert page.count("\n## rmentor ") == 15  # every command
