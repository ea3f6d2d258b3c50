"""Shared fixtures: the sample program and small program folders built in a test."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples every run, so a red build is reproducible; locally
# each run tries new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_program"

MINIMAL_YAML = """\
program:
  name: Test Program
  organization: Testco
  leader: {name: Lee Leader, email: lee@example.com}
  start: 2027-01-11
  end: 2027-06-25
  timezone: Europe/Berlin
topics:
  - {id: social-media, title: Social media for business}
  - {id: video, title: Video meetings}
  - {id: ai, title: AI assistants}
"""

MakeProgram = Callable[..., Path]


@pytest.fixture
def make_program(tmp_path: Path) -> MakeProgram:
    """Write a program folder: program.yaml (default: minimal) plus the given files."""

    def make(yaml: str = MINIMAL_YAML, **files: str | bytes) -> Path:
        folder = tmp_path / "prog"
        folder.mkdir(exist_ok=True)
        (folder / "program.yaml").write_text(textwrap.dedent(yaml), encoding="utf-8")
        for name, content in files.items():
            path = folder / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return folder

    return make


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample program."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out"))
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


MATCH_DAY = "2027-01-04"  # the day the `matched` sample is matched


@pytest.fixture(scope="module")
def matched_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample program after `match` on MATCH_DAY, made once per test module."""
    from typer.testing import CliRunner

    from rmentor.cli.app import app

    folder = tmp_path_factory.mktemp("matched") / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    result = CliRunner().invoke(app, ["match", "--program", str(folder), "--today", MATCH_DAY])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def matched(matched_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample program after `match`."""
    target = tmp_path / "sample"
    shutil.copytree(matched_template, target)
    return target


def google_csv(header: list[str], rows: list[list[str]]) -> str:
    """Google's "Download responses (.csv)": every cell quoted, CRLF line ends."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


@pytest.fixture
def serve() -> Iterator[Callable[..., int]]:
    """Start SMTP servers on 127.0.0.1 (`tests/smtp_server.py`); stopped after the test."""
    from tests.smtp_server import serving

    yield from serving()
