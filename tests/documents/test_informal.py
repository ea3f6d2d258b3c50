"""`program.format: informal` makes the pair's documents lighter, not only the greeting."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import SAMPLE


def _build(tmp_path: Path, fmt: str) -> Path:
    folder = tmp_path / fmt
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    yaml = folder / "program.yaml"
    text = yaml.read_text(encoding="utf-8")
    text, count = re.subn(r"^(\s+format:\s*)formal\b", rf"\g<1>{fmt}", text, flags=re.MULTILINE)
    assert count == 1
    yaml.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", "--format", "md", "--today", "2027-01-04", "--program", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.mark.parametrize("fmt", ["formal", "informal"])
def test_informal_documents_are_lighter(tmp_path: Path, fmt: str) -> None:
    out = _build(tmp_path, fmt)
    agreement = next((out / "agreements").glob("*.md")).read_text(encoding="utf-8")
    packet = next(p for p in (out / "packets").glob("p*.md")).read_text(encoding="utf-8")
    letter = next((out / "letters").glob("*.md")).read_text(encoding="utf-8")
    formal = fmt == "formal"
    assert ("Signature ____" in agreement) is formal
    assert ("## The parties" in agreement) is formal
    assert agreement.count("\n| ") < 30 or formal  # fewer boxes to fill in
    assert ("# Feedback form" in packet) is formal
    assert letter.startswith("# ")
    assert ("Dear " in letter) is formal
