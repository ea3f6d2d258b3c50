"""`program.format: informal` makes the pair's documents lighter, not only the greeting."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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


def test_informal_documents_are_lighter(tmp_path: Path) -> None:
    read = {}
    for fmt in ("formal", "informal"):
        out = _build(tmp_path, fmt)
        read[fmt] = {
            "agreement": next((out / "agreements").glob("*.md")).read_text(encoding="utf-8"),
            "packet": next((out / "packets").glob("p*.md")).read_text(encoding="utf-8"),
            "letter": next((out / "letters").glob("*.md")).read_text(encoding="utf-8"),
        }
    formal, informal = read["formal"], read["informal"]
    assert "Signature ____" in formal["agreement"]
    assert "Signature" not in informal["agreement"]
    assert "## The parties" not in informal["agreement"]
    assert len(informal["agreement"]) < len(formal["agreement"]) * 0.8  # really shorter
    assert informal["agreement"].count("\n| ") < formal["agreement"].count("\n| ")
    assert "# Feedback form" in formal["packet"]
    assert "# Feedback form" not in informal["packet"]
    assert "Dear " in formal["letter"]
    assert "Hi " in informal["letter"]
