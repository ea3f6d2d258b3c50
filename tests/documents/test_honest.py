"""Honest counts and safe sharing: figures as of --today, letters without ages and with
the requests first, and a sponsor page that names nobody."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.files.load import open_program
from rmentor.text import slug

runner = CliRunner()
AGE = re.compile(r"^\d+ years? apart$")


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def build(folder: Path, today: dt.date | str) -> None:
    run("build", "--format", "md", "--today", str(today), "--program", str(folder), "-q")


def active_pairs(folder: Path) -> dict[str, dict[str, Any]]:
    data = tomllib.loads((folder / "state" / "pairings.toml").read_text(encoding="utf-8"))
    return {k: v for k, v in data["pairs"].items() if v["status"] == "active"}


def coordinator_parts(folder: Path) -> tuple[str, str]:
    """The sponsor page (the summary) and the coordinator's own page of the packet."""
    text = (folder / "out" / "packets" / "coordinator.md").read_text(encoding="utf-8")
    parts = text.split("\n---\n\n")
    assert parts[0].startswith("# Coordinator summary")
    (mine,) = [p for p in parts if p.startswith("# For the coordinator only")]
    return parts[0], mine


def test_nothing_is_logged_before_the_program_starts(sample: Path) -> None:
    logged = (sample / "meetings.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(logged) > 10  # the sample's log has rows, all dated in the program
    start = open_program(sample).config.program.start
    build(sample, start - dt.timedelta(days=1))
    summary, _ = coordinator_parts(sample)
    assert "| Meetings logged | 0 so far" in summary
    assert "not counted" in summary  # says why the log's rows are not counted
    guide = (sample / "out" / "handouts" / "coordinator-guide.md").read_text(encoding="utf-8")
    assert "No meetings logged yet" in guide
    assert not re.search(r"\d+ meetings logged so far", guide)


def empty_log(folder: Path) -> None:
    """Only the meeting log's header (no meeting held, and no pair named)."""
    log = folder / "meetings.csv"
    log.write_text(log.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def test_letters_give_no_ages_and_lead_with_requests(sample: Path) -> None:
    empty_log(sample)
    names = {p.id: p.name for p in open_program(sample).participants}
    build(sample, "2026-11-28")
    pairs = active_pairs(sample)
    assert any(AGE.match(r) for p in pairs.values() for r in p["reasons"])  # matching has them
    letters = sorted((sample / "out" / "letters").glob("*.md"))
    letters += sorted((sample / "out" / "reserve").glob("*.md"))
    assert letters
    for path in letters:
        text = path.read_text(encoding="utf-8").lower()
        assert "years apart" not in text, path.name
        assert "generation" not in text, path.name

    asked = 0
    for pair_id, pair in pairs.items():
        for reason in pair["reasons"]:
            found = re.fullmatch(r"(\S+) asked for (\S+)", reason)
            if reason == "asked for each other":
                wishes = [(pair["mentor"], pair["mentee"]), (pair["mentee"], pair["mentor"])]
            elif found:
                wishes = [(found[1], found[2])]
            else:
                continue
            for who, whom in wishes:
                asked += 1
                letter = sample / "out" / "letters" / f"{slug(who)}-{pair_id}.md"
                text = letter.read_text(encoding="utf-8")
                bullets = [line for line in text.splitlines() if line.startswith("- ")]
                first = names[whom].split()[0]
                wanted = (
                    "- you asked to work with each other"
                    if reason == "asked for each other"
                    else f"- you asked to work with {first}"
                )
                assert bullets[0] == wanted, (letter.name, bullets[:4])
                if reason != "asked for each other":
                    theirs = sample / "out" / "letters" / f"{slug(whom)}-{pair_id}.md"
                    assert "asked to work with you" in theirs.read_text(encoding="utf-8")
    assert asked  # the sample has people who asked for someone


def test_the_sponsor_page_names_no_pair_at_risk(sample: Path) -> None:
    empty_log(sample)  # nobody meets
    program = open_program(sample)
    start = program.config.program.start
    names = {p.id: p.name for p in program.participants}
    build(sample, start - dt.timedelta(days=7))  # paired and scheduled before the start
    later = start + dt.timedelta(days=63)
    build(sample, later)
    status = json.loads(run("status", "--json", "--today", str(later), "--program", str(sample)))
    at_risk = {r["pair"] for r in status["at_risk"]}
    assert at_risk
    pairs = active_pairs(sample)
    summary, mine = coordinator_parts(sample)
    assert "can go to the program's sponsors" in summary
    assert f"| Pairs at risk | {len(at_risk)} |" in summary  # a figure, no names
    for pair_id, pair in pairs.items():
        assert pair_id not in summary
        assert names[pair["mentor"]] not in summary
        assert names[pair["mentee"]] not in summary
    assert not any(name in summary for name in names.values())
    assert "Do not forward this page" in mine
    for pair_id in at_risk:
        pair = pairs[pair_id]
        row = f"| {pair_id} | {names[pair['mentor']]} | {names[pair['mentee']]} |"
        assert row in mine.split("## Pairs at risk")[1].split("## ")[0]
