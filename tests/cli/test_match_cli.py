"""End to end through the command line: `match`, `explain`, `withdraw` on the sample program."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.model.pairings import pair_id
from tests.conftest import snapshot

runner = CliRunner()
TODAY = "2027-01-04"
LATER = "2027-02-15"
STATE = Path("state") / "pairings.toml"
LOCKED = ("E2113", "E1017")  # sample_program/program.yaml: matching.locked
EXCLUDED = ("E2108", "E1010")  # sample_program/program.yaml: matching.excluded


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def match(folder: Path, *extra: str, today: str = TODAY) -> tuple[int, str, str]:
    return run("match", "--program", str(folder), "--today", today, *extra)


def pairs_in(folder: Path) -> dict[str, dict[str, Any]]:
    """The [pairs.*] tables of the program's state file."""
    data = tomllib.loads((folder / STATE).read_text(encoding="utf-8"))
    return dict(data["pairs"])


def active(folder: Path) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in pairs_in(folder).items() if v["status"] == "active"}


def mentees_of(folder: Path) -> set[str]:
    lines = (folder / "participants.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0] for line in lines if ",mentee," in line}


@pytest.fixture
def matched(sample: Path) -> Path:
    """The sample program after one `match`."""
    code, out, err = match(sample)
    assert code == 0, out + err
    return sample


def test_match_pairs_every_sample_mentee_and_writes_the_state(sample: Path) -> None:
    code, out, err = match(sample)
    assert code == 0, out + err
    assert (sample / STATE).is_file()
    pairs = active(sample)
    mentees = mentees_of(sample)
    assert len(mentees) == 18
    assert sorted(p["mentee"] for p in pairs.values()) == sorted(mentees)
    for key, pair in pairs.items():
        assert key == pair_id(pair["mentor"], pair["mentee"])
        assert key in out
        assert pair["reasons"]
        assert str(pair["since"]) == TODAY
    assert "Changes: 18 added" in out
    assert "18 pairs" in out


def test_rerun_changes_nothing_not_even_a_byte(matched: Path) -> None:
    before = (matched / STATE).read_bytes()
    code, out, err = match(matched, today=LATER)
    assert code == 0, out + err
    assert "0 added, 0 ended, 18 unchanged" in out
    assert (matched / STATE).read_bytes() == before


def test_dry_run_writes_nothing(sample: Path) -> None:
    before = snapshot(sample)
    code, out, err = match(sample, "--dry-run")
    assert code == 0, out + err
    assert "Changes: 18 added" in out
    assert snapshot(sample) == before
    assert not (sample / "state").exists()
    # Nor on top of a committed state.
    assert match(sample)[0] == 0
    committed = snapshot(sample)
    code, out, _ = match(sample, "--dry-run", "--rematch", today=LATER)
    assert code == 0
    assert snapshot(sample) == committed


def test_match_json_has_the_spec_keys(sample: Path) -> None:
    code, out, err = match(sample, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"pairs", "unmatched", "total_score"} <= set(data)
    assert len(data["pairs"]) == 18
    for pair in data["pairs"]:
        assert {"id", "mentor", "mentee", "score", "reasons"} <= set(pair)
        assert isinstance(pair["score"], float | int)
        assert isinstance(pair["reasons"], list)
        assert all(isinstance(r, str) for r in pair["reasons"])
        assert pair["id"] == pair_id(pair["mentor"], pair["mentee"])
    for person in data["unmatched"]:
        assert {"id", "reason"} <= set(person)
        assert person["reason"]
    assert {u["id"] for u in data["unmatched"]}.isdisjoint(
        {p["mentor"] for p in data["pairs"]} | {p["mentee"] for p in data["pairs"]}
    )
    assert data["total_score"] == pytest.approx(sum(p["score"] for p in data["pairs"]), abs=1e-3)
    # The JSON agrees with the state file it wrote.
    assert {p["id"] for p in data["pairs"]} == set(active(sample))


def test_locked_pair_is_kept_and_flagged_and_excluded_pair_is_absent(sample: Path) -> None:
    code, out, err = match(sample, "--json")
    assert code == 0, err
    pairs = {(p["mentor"], p["mentee"]): p for p in json.loads(out)["pairs"]}
    assert LOCKED in pairs
    assert pairs[LOCKED]["locked"] is True
    assert all(not p["locked"] for k, p in pairs.items() if k != LOCKED)
    assert EXCLUDED not in pairs
    stored = pairs_in(sample)
    assert stored[pair_id(*LOCKED)]["locked"] is True
    assert pair_id(*EXCLUDED) not in stored
    # A rematch still keeps the locked pair.
    code, out, err = match(sample, "--json", "--rematch", today=LATER)
    assert code == 0, err
    again = {(p["mentor"], p["mentee"]): p for p in json.loads(out)["pairs"]}
    assert again[LOCKED]["locked"] is True


def test_explain_a_person_and_a_pair(matched: Path) -> None:
    mentor, mentee = LOCKED
    for target in (mentee, mentor, pair_id(mentor, mentee)):
        code, out, err = run("explain", target, "--program", str(matched))
        assert code == 0, out + err
        assert "Score by criterion" in out
        assert "Best alternatives" in out
        assert pair_id(mentor, mentee) in out
    code, out, err = run("explain", pair_id(mentor, mentee), "--json", "--program", str(matched))
    assert code == 0, err
    (item,) = json.loads(out)["explanations"]
    assert (item["person"], item["partner"]) == (mentee, mentor)
    assert item["breakdown"]
    assert item["alternatives"]


def test_explain_an_unpaired_mentor(matched: Path) -> None:
    pairs = active(matched)
    taken = {p["mentor"] for p in pairs.values()}
    code, out, _ = match(matched, "--json", "--dry-run")
    free = [u["id"] for u in json.loads(out)["unmatched"] if u["id"] not in taken]
    assert free
    code, out, err = run("explain", free[0], "--program", str(matched))
    assert code == 0, out + err
    assert "no partner" in out
    assert "Best alternatives" in out


def test_explain_an_unknown_id_fails_cleanly(matched: Path) -> None:
    code, out, err = run("explain", "nobody", "--program", str(matched))
    assert code == 1
    assert "nobody" in err
    assert "Traceback" not in out + err
    assert "bug" not in err


def _a_mentor_whose_mentee_could_move(folder: Path) -> tuple[str, str]:
    """(mentor, mentee) of a pair whose mentee is eligible for a mentor with a free place.

    Found as `explain` tells it: a free mentor's alternative "paired with MENTOR".
    """
    pairs = active(folder)
    load = Counter(p["mentor"] for p in pairs.values())
    code, out, _ = match(folder, "--json", "--dry-run")
    assert code == 0
    free = [u["id"] for u in json.loads(out)["unmatched"] if u["id"] not in load]
    assert free, "the sample has mentors to spare"
    for spare in free:
        code, out, err = run("explain", spare, "--json", "--program", str(folder))
        assert code == 0, err
        for alt in json.loads(out)["explanations"][0]["alternatives"]:
            found = re.match(r"paired with (\S+)", alt["why_not"])
            if found and found[1] != LOCKED[0] and load[found[1]] == 1:
                return found[1], alt["id"]
    raise AssertionError("no mentee could move to a free mentor")


def test_withdraw_repairs_the_mentee_and_leaves_every_other_pair(matched: Path) -> None:
    before = active(matched)
    mentor, orphan = _a_mentor_whose_mentee_could_move(matched)
    key = pair_id(mentor, orphan)
    assert key in before
    code, out, err = run(
        "withdraw",
        mentor,
        "--reason",
        "moved to another company",
        "--today",
        LATER,
        "--program",
        str(matched),
    )
    assert code == 0, out + err
    stored = pairs_in(matched)
    assert stored[key]["status"] == "withdrawn"
    assert stored[key]["end_reason"] == "moved to another company"
    assert str(stored[key]["ended"]) == LATER
    now = active(matched)
    for other, pair in before.items():
        if other != key:
            assert now[other] == pair, f"{other} changed"
    (repaired,) = [p for p in now.values() if p["mentee"] == orphan]
    assert repaired["mentor"] != mentor
    assert str(repaired["since"]) == LATER
    assert all(mentor not in (p["mentor"], p["mentee"]) for p in now.values())
    data = tomllib.loads((matched / STATE).read_text(encoding="utf-8"))
    assert str(data["withdrawn"][mentor]["date"]) == LATER
    assert data["withdrawn"][mentor]["reason"] == "moved to another company"

    # Once only; and a later match never pairs them again.
    state = (matched / STATE).read_bytes()
    code, out, err = run("withdraw", mentor, "--today", LATER, "--program", str(matched))
    assert code == 1
    assert "already" in err
    assert (matched / STATE).read_bytes() == state
    code, out, err = match(matched, "--rematch", "--json", today=LATER)
    assert code == 0, err
    assert all(mentor not in (p["mentor"], p["mentee"]) for p in json.loads(out)["pairs"])


def test_withdraw_of_someone_not_on_the_roster_fails(matched: Path) -> None:
    before = snapshot(matched)
    code, _, err = run("withdraw", "E9999", "--today", LATER, "--program", str(matched))
    assert code == 1
    assert "E9999" in err
    assert snapshot(matched) == before


def test_history_file_pairs_are_not_formed_again(matched: Path) -> None:
    earlier = {(p["mentor"], p["mentee"]) for p in active(matched).values()}
    (matched / "earlier").mkdir()
    (matched / STATE).rename(matched / "earlier" / "pairings.toml")
    yaml = (matched / "program.yaml").read_text(encoding="utf-8")
    yaml, n = re.subn(r"(?m)^  history: \[\]", "  history: [earlier/pairings.toml]", yaml)
    assert n == 1
    (matched / "program.yaml").write_text(yaml, encoding="utf-8")
    code, out, err = match(matched, "--json", today=LATER)
    assert code == 0, err
    data = json.loads(out)
    now = {(p["mentor"], p["mentee"]) for p in data["pairs"]}
    assert now & earlier <= {LOCKED}  # only the locked pair may repeat (with a warning)
    if LOCKED in now:
        assert any(pair_id(*LOCKED) in w for w in data["warnings"])


def test_match_on_a_program_with_errors_writes_nothing(sample: Path) -> None:
    roster = sample / "participants.csv"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(text.replace(",mentee,", ",boss,", 1), encoding="utf-8")
    before = snapshot(sample)
    code, out, err = match(sample)
    assert code == 1
    assert "participants.csv:2" in err
    assert "Traceback" not in out + err
    assert snapshot(sample) == before


def test_invalid_state_file_is_reported_with_its_line_and_column(matched: Path) -> None:
    path = matched / STATE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(k for k, line in enumerate(lines, start=1) if line.startswith("mentor = "))
    lines[number - 1] = 'mentor = "E2105\n'  # unterminated string
    path.write_text("".join(lines), encoding="utf-8")
    broken = path.read_bytes()
    code, out, err = match(matched, today=LATER)
    assert code == 1
    assert re.search(rf"state/pairings\.toml:{number}:\d+", err), err
    assert "Traceback" not in out + err
    assert path.read_bytes() == broken


def test_explain_before_any_match_says_what_to_do(sample: Path) -> None:
    result = runner.invoke(app, ["explain", "E1001", "--program", str(sample)])
    assert result.exit_code == 1
    assert "run `rmentor match` first" in result.stderr
