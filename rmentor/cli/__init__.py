"""Wing 5 · the command line (Typer + Rich): load once, run the steps, write, print."""

from __future__ import annotations

import sys


def main() -> None:
    """The `rmentor` console script.

    `rmentor --version` answers before the app is built: it is what scripts and
    support requests run most, and building sixteen commands' options is most of a
    start-up (docs/performance.md). Everything else goes through the Typer app.
    """
    if sys.argv[1:] == ["--version"]:
        from .. import __version__

        sys.stdout.write(f"rmentor {__version__}\n")
        return
    from .app import main as run

    run()
