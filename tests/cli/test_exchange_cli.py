"""Both sides of the exchange on the sample (issue 15), through the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from rmentor.cli.app import app


def rmentor(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--program", str(folder)])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_the_sample_measures_both_sides_and_names_the_poor_fit(matched: Path) -> None:
    """Issue 15 on the sample: the report shows the mentors' gain in insight and voice
    beside the mentees' skills, and `status` names the pair whose fit check said poor."""
    status = json.loads(rmentor(matched, "status", "--json", "--today", "2027-02-01"))
    concerns = {c["pair"]: c["reason"] for c in status["fit_check"]}
    pairs = tomllib.loads((matched / "state" / "pairings.toml").read_text())["pairs"]
    poor = next(pid for pid, p in pairs.items() if p["mentee"] == "E1006")  # Helmut Schreiber
    assert concerns[poor] == "the mentee answered poor in the fit check"
    assert len(concerns) == 2  # and a pair where both were unsure
    report = json.loads(rmentor(matched, "report", "--json", "--today", "2027-06-30"))
    metrics = report["metrics"]
    assert metrics["mentor_insight_delta"] > 1
    assert metrics["mentor_voice_delta"] > 1
    assert metrics["skill_delta"] is not None
    assert 0.9 < metrics["fit_rate"] < 1
