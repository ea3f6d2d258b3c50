"""Make the README's two pictures from the sample program (run from the repository root):

    .venv/bin/python docs/images/make.py

- packet-page.png: the first page of a pair's printed packet (WeasyPrint, then pdftoppm);
- status.svg: `rmentor status` in a terminal (Rich's own SVG export of its colours).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RMENTOR = [sys.executable, "-m", "rmentor"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sample"
        shutil.copytree(ROOT / "sample_program", folder, ignore=shutil.ignore_patterns("out"))
        where = ["--program", str(folder)]
        day = ["--today", "2027-01-04"]
        packet = ["packet", "--pair", "E1003", "-f", "pdf"]
        for step in (["match", "-q"], ["schedule", "-q"], packet):
            subprocess.run([*RMENTOR, *step, *day, *where], check=True)
        pdf = next((folder / "out" / "packets").glob("*.pdf"))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-l", "1", "-singlefile", pdf, HERE / "packet-page"],
            check=True,
        )
        env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "96", "TERM": "xterm-256color"}
        shown = subprocess.run(
            [*RMENTOR, "status", "--today", "2027-03-01", *where],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    console = Console(record=True, width=96, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(Text.from_ansi(shown))
    console.save_svg(str(HERE / "status.svg"), title="rmentor status --today 2027-03-01")


if __name__ == "__main__":
    main()
