"""Start-up (issue 16): `rmentor --help` and `rmentor --version` load no heavy module.

Guarded by what they import, not by timing (timings live in docs/performance.md): each
command runs in a fresh interpreter, which lists the top-level packages it loaded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

# Loaded only by the commands that use them.
HEAVY = frozenset(
    {
        "numpy",
        "scipy",
        "pydantic",
        "jinja2",
        "icalendar",
        "holidays",
        "matplotlib",
        "openpyxl",
        "weasyprint",
        "yaml",
        "rich",
        "cmarkgfm",
        "markdown_it",
        "tomli_w",
        "pypdf",
    }
)

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write(
    "\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + "\\n"))
sys.argv = ["rmentor", *ARGS]
from rmentor.cli import main
main()
"""


def loaded(*args: str) -> tuple[set[str], str]:
    """The top-level packages `rmentor ARGS` imports, and what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("ARGS", repr(list(args)))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = [x for x in result.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return set(json.loads(line.removeprefix("MODULES "))), result.stdout + result.stderr


@pytest.mark.parametrize("args", [("--help",), ("-h",), ()])
def test_help_loads_no_heavy_module(args: tuple[str, ...]) -> None:
    modules, output = loaded(*args)
    assert "Usage: rmentor" in output
    assert "Set up:" in output  # the panels, without Rich
    assert "<bool>" not in output
    assert not modules & HEAVY, sorted(modules & HEAVY)
    assert "rmentor" in modules  # the probe did run rmentor


def test_version_loads_not_even_typer() -> None:
    modules, output = loaded("--version")
    assert re.match(r"rmentor \d+\.\d+", output), output
    assert not modules & (HEAVY | {"typer", "click"}), sorted(modules & (HEAVY | {"typer"}))


def test_a_command_still_loads_what_it_needs() -> None:
    """The control: the guard sees imports (validate --help builds its options)."""
    modules, _ = loaded("validate", "--help")
    assert "typer" in modules
