"""Nobody left out silently: everyone without a partner gets a letter and a line, with the
reason, on the coordinator's page; `withdraw` names the new pair and what to run next."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.files.load import open_program
from rmentor.text import slug

runner = CliRunner()
TODAY = "2026-11-28"
LATER = "2027-02-15"
# More mentees than the sample's mentors have places for: four who fit many mentors
# (then some mentees, these or others, find every place taken), and one at level 1,
# whom no mentor can be two levels below (the seniority rule).
EXTRA = {
    "E1901": ("Astrid Lindqvist", "7"),
    "E1902": ("Bernd Vogt", "7"),
    "E1903": ("Carla Mendes", "7"),
    "E1904": ("Dmitri Volkov", "7"),
    "E1905": ("Edith Amsel", "1"),
}


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def add_mentees(folder: Path) -> None:
    path = folder / "participants.csv"
    text = path.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    for pid, (name, level) in EXTRA.items():
        row = {
            "id": pid,
            "name": name,
            "email": f"{pid.lower()}@northwind.example",
            "role": "mentee",
            "department": "Finance",
            "title": "Director",
            "level": level,
            "birth_year": "1970",
            "hire_date": "2000-01-03",
            "interests": "ai-assistants;dashboards;automation",
            "timezone": "Europe/Berlin",
            "availability": "Mon-Fri 09:00-17:00",
            "location": "Berlin",
            "languages": "English;German",
        }
        writer.writerow({k: row.get(k, "") for k in header})
    path.write_text(text.rstrip("\n") + "\n" + out.getvalue(), encoding="utf-8")


def empty_log(folder: Path) -> None:
    """Only the meeting log's header: these tests are about pairs, which may differ from
    the ones the sample's log names."""
    log = folder / "meetings.csv"
    log.write_text(log.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def roster(folder: Path) -> dict[str, str]:
    """Participant id -> name, from the roster file."""
    with (folder / "participants.csv").open(encoding="utf-8", newline="") as f:
        return {row["id"]: row["name"] for row in csv.DictReader(f)}


def parts(folder: Path) -> list[str]:
    """The coordinator packet's parts, each on its own page."""
    text = (folder / "out" / "packets" / "coordinator.md").read_text(encoding="utf-8")
    return text.split("\n---\n\n")


def coordinator_only(folder: Path) -> str:
    (page,) = [p for p in parts(folder) if p.startswith("# For the coordinator only")]
    return page


def unmatched(folder: Path) -> dict[str, str]:
    """Who `match` (committed pairs kept) says is without a partner: id -> role."""
    out = run("match", "--dry-run", "--json", "--today", TODAY, "--program", str(folder))
    return {u["id"]: u["role"] for u in json.loads(out)["unmatched"]}


def active_pairs(folder: Path) -> dict[str, dict[str, Any]]:
    data = tomllib.loads((folder / "state" / "pairings.toml").read_text(encoding="utf-8"))
    return {k: v for k, v in data["pairs"].items() if v["status"] == "active"}


@pytest.fixture
def crowded(sample: Path) -> Path:
    """The sample with five mentees too many, built (matched, scheduled, documents)."""
    add_mentees(sample)
    empty_log(sample)
    run("build", "--format", "md", "--today", TODAY, "--program", str(sample), "-q")
    return sample


def test_everyone_without_a_partner_gets_a_letter_and_a_reason(crowded: Path) -> None:
    program = open_program(crowded)
    names = {p.id: p.name for p in program.participants}
    leader = program.config.program.leader
    alone = unmatched(crowded)
    full = sorted(pid for pid, role in alone.items() if role == "mentee" and pid != "E1905")
    assert "E1905" in alone
    assert full  # 23 mentees for 20 mentor places: some mentees wait
    paired = {p[k] for p in active_pairs(crowded).values() for k in ("mentor", "mentee")}
    assert not paired & set(alone)

    reserve = crowded / "out" / "reserve"
    assert sorted(p.stem for p in reserve.glob("*.md")) == sorted(slug(pid) for pid in alone)
    page = coordinator_only(crowded)
    rows = {
        line.split(" | ")[1]: line
        for line in page.splitlines()
        if line.startswith("| ") and line.split(" | ")[1] in alone
    }
    for pid in alone:
        letter = (reserve / f"{slug(pid)}.md").read_text(encoding="utf-8")
        first = names[pid].split()[0]
        assert f"Dear {first}," in letter or f"Hi {first}," in letter
        assert "reserve list" in letter or "next cohort" in letter
        assert leader.name in letter
        assert leader.email in letter
        assert "What happens next" in letter
        # the coordinator's row: name, id, role, a reason, the letter
        cells = [c.strip() for c in rows[pid].strip("|").split(" | ")]
        name, _, role, why, where = cells
        assert name == names[pid]
        assert role in ("mentor", "mentee")
        assert why
        assert where == f"reserve/{slug(pid)}"
    assert "no mentor fits the program's rules" in rows["E1905"]
    assert "seniority" in rows["E1905"]
    assert all("all mentor places are taken" in rows[pid] for pid in full)
    letter = (reserve / f"{slug(full[0])}.md").read_text(encoding="utf-8")
    assert "every mentor place is taken" in letter
    assert "you are on the reserve list" in letter
    letter = (reserve / "e1905.md").read_text(encoding="utf-8")
    assert "pairing rules" in letter
    assert "you are on the list for the next cohort" in letter

    # the page to share gives the figure, not the names
    summary = parts(crowded)[0]
    assert summary.startswith("# Coordinator summary")
    assert not any(names[pid] in summary for pid in alone)
    index = (crowded / "out" / "index.md").read_text(encoding="utf-8")
    assert "Letters to people without a partner" in index


def test_withdraw_names_the_new_pair_and_the_next_commands(crowded: Path) -> None:
    program = open_program(crowded)
    names = {p.id: p.name for p in program.participants}
    locked = {m for m, _ in program.config.matching.locked}
    waiting = [pid for pid, role in unmatched(crowded).items() if role == "mentee"]
    assert waiting
    pairs = active_pairs(crowded)
    load: dict[str, int] = {}
    for p in pairs.values():
        load[p["mentor"]] = load.get(p["mentor"], 0) + 1
    pair = next(
        p for _, p in sorted(pairs.items()) if p["mentor"] not in locked and load[p["mentor"]] == 1
    )
    leaving, freed = pair["mentee"], pair["mentor"]

    out = run(
        "withdraw", leaving, "--reason", "new role", "--today", LATER, "--program", str(crowded)
    )
    text = " ".join(out.split())  # as one line, whatever the terminal's width
    (new,) = [p for p in active_pairs(crowded).values() if p["mentor"] == freed]
    assert new["mentee"] in waiting
    new_id = next(k for k, p in active_pairs(crowded).items() if p == new)
    assert f"New pair {new_id}: {names[freed]} ({freed}), whose partner left" in text
    assert names[new["mentee"]] in text
    assert "rmentor schedule" in text
    assert "rmentor build" in text
    assert text.index("rmentor schedule") < text.index("rmentor build")

    # The new pair gets its letters; the person who left is on no list.
    run("schedule", "-q", "--today", LATER, "--program", str(crowded))
    run("build", "--format", "md", "--today", LATER, "--program", str(crowded), "-q")
    letters = crowded / "out" / "letters"
    assert (letters / f"{slug(new['mentee'])}-{new_id}.md").is_file()
    assert (letters / f"{slug(freed)}-{new_id}.md").is_file()
    page = coordinator_only(crowded)
    assert f"| {names[leaving]} | {leaving} |" not in page
    assert f"| {names[new['mentee']]} | {new['mentee']} |" not in page


def test_withdraw_says_when_the_partner_stays_without_one(sample: Path) -> None:
    """In the sample every mentee has a mentor: a mentor whose mentee leaves waits."""
    empty_log(sample)
    run("match", "-q", "--today", TODAY, "--program", str(sample))
    assert "mentee" not in unmatched(sample).values()
    names = roster(sample)
    pair = next(p for _, p in sorted(active_pairs(sample).items()))
    out = run("withdraw", pair["mentee"], "--dry-run", "--today", LATER, "--program", str(sample))
    text = " ".join(out.split())
    mentor = pair["mentor"]
    assert (
        f"{names[mentor]} ({mentor}), whose partner left, has no new partner: "
        "every mentee already has a mentor" in text
    )
    assert "Dry run: nothing was written" in text
