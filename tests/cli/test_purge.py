"""`rmentor purge`: a finished program without its personal data, still useful to the next.

End to end on the sample program: refused before the end, a dry run that changes
nothing, what is removed and what remains (no name, e-mail, id or note left), all or
nothing when a write fails or the run is killed, and a later program that names the
purged one under matching.history and evaluation.compare: no pair repeated, the cohort
shown with the figures the report had shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.engines.purge import archived_cohort
from rmentor.errors import InvalidProgram
from rmentor.files import archive as archive_files
from rmentor.files.archive import read_history, read_standing, recover
from rmentor.files.layout import ARCHIVE_FILE, PURGE_TRASH_DIR
from rmentor.files.output import write_bytes_atomic
from rmentor.model.archive import Standing, pseudonym
from rmentor.model.pairings import pair_id
from tests.conftest import SAMPLE, snapshot

runner = CliRunner()
SETUP_DAY = "2027-01-04"  # before the sample starts
END_DAY = "2027-06-25"  # the sample's last day
AFTER = "2027-06-30"  # after it: purge may run
LOCKED = ("E2113", "E1017")  # sample_program/program.yaml: matching.locked
WRITER = "rmentor.files.archive"  # where purge's file operations are looked up
LEADER = "Dana Whitfield"  # the program's organizer, kept in the purged program.yaml


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return str(result.stdout)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, matched, scheduled and built (documents, calendars) once per module."""
    folder = tmp_path_factory.mktemp("prepared") / "df-2027"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    (folder / "templates").mkdir()
    (folder / "templates" / "README.txt").write_text("our own templates\n", encoding="utf-8")
    (folder / ".gitignore").write_text("out/\n", encoding="utf-8")
    run("build", "-q", "--today", SETUP_DAY, "--program", str(folder))
    return folder


@pytest.fixture
def program(prepared: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared sample."""
    target = tmp_path / "df-2027"
    shutil.copytree(prepared, target, symlinks=True)
    return target


def purge(folder: Path, *extra: str, today: str = AFTER) -> Any:
    return invoke("purge", "--today", today, "--program", str(folder), *extra)


def roster(folder: Path) -> list[dict[str, str]]:
    with (folder / "participants.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def personal_words(folder: Path) -> set[str]:
    """Every name, e-mail and id on the roster, and every note in the meeting log."""
    words: set[str] = set()
    for row in roster(folder):
        words |= {row["id"], row["name"], row["email"]}
    with (folder / "meetings.csv").open(encoding="utf-8", newline="") as handle:
        words |= {row["notes"] for row in csv.DictReader(handle) if row["notes"]}
    return {w for w in words if w}


# -- refusing, and the dry run --------------------------------------------------------------


def test_purge_is_refused_before_the_programs_end(program: Path) -> None:
    before = snapshot(program)
    for day in ("2027-03-01", END_DAY):
        result = purge(program, today=day)
        assert result.exit_code == 1
        assert "2027-06-26" in result.stderr  # the first day it may run
        assert "--force" in result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(program) == before


def test_force_purges_before_the_end(program: Path) -> None:
    result = purge(program, "--force", "-q", today="2027-04-01")
    assert result.exit_code == 0, result.stderr
    standing = read_standing(program)
    assert standing is not None
    assert standing.as_of == dt.date(2027, 4, 1)  # the figures as they stood that day


def test_dry_run_lists_everything_and_changes_nothing(program: Path) -> None:
    before = snapshot(program)
    data = json.loads(run("purge", "--dry-run", "--json", "--today", AFTER, "-p", str(program)))
    assert snapshot(program) == before
    assert data["dry_run"] is True
    assert set(data["removed"]) == {
        "participants.csv",
        "feedback/pre-survey.csv",
        "feedback/fit-check.csv",
        "feedback/midpoint-survey.csv",
        "feedback/final-survey.xlsx",
        "state/schedule.toml",
        "out",
    }
    assert data["rewritten"] == ["program.yaml", "state/pairings.toml", "meetings.csv"]
    assert data["written"] == [ARCHIVE_FILE]
    assert data["kept"] == [".gitignore", "templates/README.txt"]
    assert data["left_alone"] == ["README.md"]  # not rmentor's: listed for the coordinator
    assert data["pairs"] == 18
    # In words too, and before the end it says that purge itself would refuse.
    result = purge(program, "--dry-run", today="2027-05-01")
    assert result.exit_code == 0, result.stderr
    assert "would be removed" in result.stdout
    assert "participants.csv" in result.stdout
    assert "README.md" in result.stderr
    assert "--force" in result.stderr
    assert snapshot(program) == before


def test_a_purged_program_is_not_purged_twice(program: Path) -> None:
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    before = snapshot(program)
    result = purge(program)
    assert result.exit_code == 1
    assert "purged already" in result.stderr
    assert snapshot(program) == before


# -- what goes and what stays ---------------------------------------------------------------


def test_purge_leaves_no_personal_data(program: Path) -> None:
    words = personal_words(program)
    birth_years = {row["birth_year"] for row in roster(program) if row["birth_year"]}
    assert len(words) > 100  # 36 people: ids, names, e-mails; and notes
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    left = snapshot(program)
    assert set(left) == {
        ".gitignore",
        "README.md",  # left alone, and listed
        "meetings.csv",
        "program.yaml",
        "state/archive.toml",
        "state/pairings.toml",
        "templates/README.txt",
    }
    assert not (program / "out").exists()
    assert not (program / "feedback").exists()  # emptied, so removed
    for name, data in left.items():
        if name == "README.md":
            continue
        text = data.decode("utf-8")
        for word in words:
            # \b: an id like E1001 must not be found inside a pseudonym's hex digits
            assert not re.search(rf"(?i)\b{re.escape(word)}\b", text), (name, word)
        for year in birth_years:
            assert not re.search(rf"\b{year}\b", text), (name, year)
    assert LEADER in left["program.yaml"].decode("utf-8")
    assert "dana.whitfield@" not in left["program.yaml"].decode("utf-8")


def test_the_purged_meeting_log_keeps_facts_not_notes(program: Path) -> None:
    with (program / "meetings.csv").open(encoding="utf-8", newline="") as handle:
        before = list(csv.DictReader(handle))
    pairs = tomllib.loads((program / "state/pairings.toml").read_text(encoding="utf-8"))["pairs"]
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    with (program / "meetings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["pair", "date", "status", "minutes", "topics"]
    assert {r["pair"] for r in before} <= set(pairs)  # every row of a known pair
    assert len(rows) == len(before)
    purged = tomllib.loads((program / "state/pairings.toml").read_text(encoding="utf-8"))
    salt = purged["purged"]["salt"]
    renamed = {
        k: pair_id(pseudonym(salt, v["mentor"]), pseudonym(salt, v["mentee"]))
        for k, v in pairs.items()
    }
    facts = sorted((renamed[r["pair"]], r["date"], r["status"], r["minutes"]) for r in before)
    assert sorted((r["pair"], r["date"], r["status"], r["minutes"]) for r in rows) == facts
    assert set(purged["pairs"]) == set(renamed.values())


def test_the_archive_keeps_the_figures_as_the_report_showed_them(program: Path) -> None:
    shown = json.loads(run("report", "--json", "--today", AFTER, "--program", str(program)))
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    standing = read_standing(program)
    assert standing is not None
    assert (standing.name, standing.start, standing.end) == (
        "Digital Fluency 2027",
        dt.date(2027, 1, 11),
        dt.date(2027, 6, 25),
    )
    metrics = {
        k: (int(v) if k == "meetings_held" and v is not None else v)
        for k, v in standing.metrics.items()
    }
    assert metrics == shown["metrics"]
    assert [(g.id, g.value, g.status) for g in standing.goals] == [
        (g["id"], g["value"], g["status"]) for g in shown["goals"]
    ]
    assert standing.threshold == shown["anonymity_threshold"]


# -- the next program -----------------------------------------------------------------------


def next_program(earlier: Path, tmp_path: Path) -> Path:
    """The same people a year later: the sample again, naming `earlier` as its history and
    cohort, with an empty meeting log (its own pairs have not met yet)."""
    later = tmp_path / "df-2028"
    shutil.copytree(SAMPLE, later, ignore=shutil.ignore_patterns("out", "state"))
    yaml = (later / "program.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("name: Digital Fluency 2027", "name: Digital Fluency 2028", 1)
    yaml, n = re.subn(
        r"(?m)^  history: \[\].*$", f"  history: [../{earlier.name}/state/pairings.toml]", yaml
    )
    assert n == 1
    yaml, n = re.subn(r"(?m)^  compare: \[\].*$", f"  compare: [../{earlier.name}]", yaml)
    assert n == 1
    (later / "program.yaml").write_text(yaml, encoding="utf-8")
    (later / "meetings.csv").write_text("pair,date,status,minutes,topics,notes\n", "utf-8")
    return later


def test_after_purge_the_next_program_repeats_no_pair_and_shows_the_cohort(
    program: Path, tmp_path: Path
) -> None:
    earlier = tomllib.loads((program / "state/pairings.toml").read_text(encoding="utf-8"))
    pairs_before = {(p["mentor"], p["mentee"]) for p in earlier["pairs"].values()}
    shown = json.loads(run("report", "--json", "--today", AFTER, "--program", str(program)))
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    later = next_program(program, tmp_path)

    data = json.loads(run("match", "--json", "--today", "2028-01-03", "--program", str(later)))
    now = {(p["mentor"], p["mentee"]) for p in data["pairs"]}
    assert len(now) == 18
    assert now & pairs_before == {LOCKED}  # only the locked pair repeats, with a warning
    assert any(pair_id(*LOCKED) in w for w in data["warnings"])

    report = json.loads(run("report", "--json", "--today", "2028-01-03", "--program", str(later)))
    (cohort,) = report["cohorts"]
    assert cohort["name"] == "Digital Fluency 2027"
    assert (cohort["start"], cohort["end"]) == ("2027-01-11", "2027-06-25")
    assert cohort["metrics"] == shown["metrics"]
    assert [g["id"] for g in cohort["goals"]] == [g["id"] for g in shown["goals"]]
    run("report", "--format", "md", "--today", "2028-01-03", "--program", str(later), "-q")
    text = (later / "out" / "report.md").read_text(encoding="utf-8")
    assert "| Digital Fluency 2028 | Digital Fluency 2027 |" in text


def test_without_purge_the_same_history_still_works(program: Path, tmp_path: Path) -> None:
    """The reader takes both shapes: the unpurged pairings file as match wrote it."""
    earlier = tomllib.loads((program / "state/pairings.toml").read_text(encoding="utf-8"))
    pairs_before = {(p["mentor"], p["mentee"]) for p in earlier["pairs"].values()}
    later = next_program(program, tmp_path)
    ids = [row["id"] for row in roster(later)]
    assert read_history(later, f"../{program.name}/state/pairings.toml", ids) == pairs_before
    data = json.loads(run("match", "--json", "--today", "2028-01-03", "--program", str(later)))
    assert {(p["mentor"], p["mentee"]) for p in data["pairs"]} & pairs_before == {LOCKED}


def test_a_stricter_later_threshold_hides_archived_survey_figures(
    program: Path, tmp_path: Path
) -> None:
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    later = next_program(program, tmp_path)
    yaml = (later / "program.yaml").read_text(encoding="utf-8")
    stricter, n = re.subn(r"anonymity_threshold: 5\b", "anonymity_threshold: 31", yaml)
    assert n == 1
    (later / "program.yaml").write_text(stricter, encoding="utf-8")
    report = json.loads(run("report", "--json", "--today", "2028-01-03", "--program", str(later)))
    metrics = report["cohorts"][0]["metrics"]
    # 30 answers: enough for the purged program's 5, too few for the later 31
    assert metrics["satisfaction"] is None
    assert metrics["nps"] is None
    assert metrics["attendance_rate"] is not None  # counts of meetings: shown at any size
    goals = {g["id"]: g for g in report["cohorts"][0]["goals"]}
    assert goals["skills"]["value"] is None  # one role's answers: no count kept, hidden
    assert goals["attendance"]["value"] is not None


def test_archived_cohort_applies_only_a_stricter_threshold() -> None:
    standing = Standing(
        name="Old",
        organization="Org",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 30),
        as_of=dt.date(2026, 7, 1),
        threshold=5,
        metrics={"satisfaction": 4.0, "nps": None, "attendance_rate": 0.9},
        answers={"satisfaction": 7},
    )
    assert archived_cohort(standing, 5).metrics == standing.metrics
    assert archived_cohort(standing, 3).metrics == standing.metrics  # never looser
    assert archived_cohort(standing, 7).metrics["satisfaction"] == 4.0
    assert archived_cohort(standing, 8).metrics["satisfaction"] is None
    assert archived_cohort(standing, 8).metrics["attendance_rate"] == 0.9


# -- pseudonyms -----------------------------------------------------------------------------


def test_pseudonyms_depend_on_the_salt_and_fold_the_id() -> None:
    assert pseudonym("salt", "E1001") == pseudonym("salt", "e1001 ")
    assert pseudonym("salt", "E1001") != pseudonym("pepper", "E1001")
    assert pseudonym("salt", "E1001") != pseudonym("salt", "E1002")
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym("salt", "E1001"))


def test_a_purged_history_matches_only_people_on_the_later_roster(program: Path) -> None:
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    data = tomllib.loads((program / "state/pairings.toml").read_text(encoding="utf-8"))
    assert "salt" in data["purged"]
    mentor, mentee = LOCKED
    found = read_history(program, "state/pairings.toml", [mentor, mentee, "E9999"])
    assert found == {LOCKED}
    assert read_history(program, "state/pairings.toml", [mentor]) == set()
    # a purged file whose salt was lost is an error, not a silent empty history
    text = (program / "state/pairings.toml").read_text(encoding="utf-8")
    (program / "state/pairings.toml").write_text(re.sub(r"(?m)^salt = .*$", "", text), "utf-8")
    with pytest.raises(InvalidProgram) as raised:
        read_history(program, "state/pairings.toml", [mentor, mentee])
    assert "salt" in raised.value.problems[0].message


# -- all or nothing -------------------------------------------------------------------------


def failing_at(k: int, real: Callable[..., bool]) -> Callable[..., bool]:
    calls = iter(range(1, 1000))

    def write(path: Path, data: bytes, **kwargs: Any) -> bool:
        if next(calls) == k:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, **kwargs)

    return write


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_a_failed_write_changes_nothing(
    program: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    before = snapshot(program)
    monkeypatch.setattr(f"{WRITER}.write_bytes_atomic", failing_at(k, write_bytes_atomic))
    result = purge(program)
    assert result.exit_code == 1, result.stdout
    assert "changed nothing" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(program) == before
    assert not (program / PURGE_TRASH_DIR).exists()


def test_a_failed_move_changes_nothing(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(program)
    real = archive_files._move
    moves = iter(range(1, 1000))

    def move(source: Path, target: Path) -> None:
        if next(moves) == 4:
            raise PermissionError(13, "Permission denied", str(source))
        real(source, target)

    monkeypatch.setattr(archive_files, "_move", move)
    result = purge(program)
    assert result.exit_code == 1
    assert "changed nothing" in result.stderr
    assert snapshot(program) == before


@pytest.fixture
def killed(program: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Run purge and 'kill' it just before its k-th write: nothing put back, trash left."""

    def kill_at(k: int) -> None:
        with monkeypatch.context() as patch:
            writes = iter(range(1, 1000))

            def write(path: Path, data: bytes, **kwargs: Any) -> bool:
                if next(writes) == k:
                    raise KeyboardInterrupt  # stands for the kill
                return write_bytes_atomic(path, data, **kwargs)

            patch.setattr(f"{WRITER}.write_bytes_atomic", write)
            patch.setattr(archive_files, "_put_back", lambda folder, trash: None)
            with pytest.raises(KeyboardInterrupt):
                archive_files.apply_purge(program, plan(program))

    return kill_at


def plan(folder: Path) -> archive_files.PurgePlan:
    from rmentor.cli.steps import evaluate_program
    from rmentor.engines.purge import build_archive
    from rmentor.files.load import open_program

    loaded = open_program(folder)
    day = dt.date(2027, 6, 30)
    archive = build_archive(loaded, evaluate_program(loaded, day), today=day, salt="s" * 32)
    return archive_files.purge_plan(loaded.config, archive, archive_files.program_files(folder))


@pytest.mark.parametrize("k", [1, 3, 4])
def test_a_killed_purge_is_undone_by_the_next_run(
    program: Path, killed: Callable[[int], None], k: int
) -> None:
    before = snapshot(program)
    killed(k)  # before the archive is written: the next run puts everything back
    assert (program / PURGE_TRASH_DIR).is_dir()
    assert recover(program) == "undid an interrupted purge"
    assert snapshot(program) == before
    assert not (program / PURGE_TRASH_DIR).exists()


def test_a_purge_killed_after_its_archive_is_finished_by_the_next_run(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(f"{WRITER}.shutil.rmtree", lambda path: None)  # killed here
        archive_files.apply_purge(program, plan(program))
    assert (program / PURGE_TRASH_DIR).is_dir()
    result = purge(program)  # recovers first, then finds the program purged
    assert result.exit_code == 1
    assert "finished an interrupted purge" in result.stderr
    assert "purged already" in result.stderr
    assert not (program / PURGE_TRASH_DIR).exists()
    assert (program / ARCHIVE_FILE).is_file()
    assert not (program / "participants.csv").exists()


def test_unknown_files_are_left_alone_and_outside_files_named(
    program: Path, tmp_path: Path
) -> None:
    (program / "feedback" / "checkin-export.csv").write_text("who,when\nE1001,x\n", "utf-8")
    shared = tmp_path / "hr.csv"
    shutil.copy(program / "participants.csv", shared)
    yaml = (program / "program.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("files: [participants.csv]", "files: [../hr.csv]", 1)
    (program / "program.yaml").write_text(yaml, encoding="utf-8")
    data = json.loads(run("purge", "--json", "--today", AFTER, "--program", str(program)))
    assert "feedback/checkin-export.csv" in data["left_alone"]
    assert data["outside"] == ["../hr.csv"]
    assert shared.is_file()  # outside the folder: named, never removed
    assert (program / "feedback" / "checkin-export.csv").is_file()
    assert "participants.csv" in data["left_alone"]  # no longer the roster program.yaml names


def test_temporary_files_of_killed_runs_go_too(program: Path) -> None:
    """A killed `log` can leave a copy of meetings.csv, notes and all, beside it."""
    stale = program / ".meetings.csv.k3x9.rmentor.tmp"
    stale.write_text("pair,date,status,minutes,topics,notes\np1,2027-02-01,held,60,,secret\n")
    data = json.loads(run("purge", "--json", "--today", AFTER, "--program", str(program)))
    assert stale.name in data["removed"]
    assert not stale.exists()


def test_a_broken_archive_is_reported_with_its_file(program: Path, tmp_path: Path) -> None:
    run("purge", "-q", "--today", AFTER, "--program", str(program))
    later = next_program(program, tmp_path)
    archive = program / ARCHIVE_FILE
    archive.write_text(archive.read_text(encoding="utf-8").replace("name =", "nome =", 1))
    result = invoke("report", "--json", "--today", "2028-01-03", "--program", str(later))
    assert result.exit_code == 1
    assert "archive.toml" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("k", [1, 4])
def test_a_full_disk_changes_nothing(
    program: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    """Through the real writer: the disk fills at purge's k-th file."""
    import errno

    from rmentor.files import output

    real = output._write
    calls = iter(range(1, 1000))

    def write(fd: int, data: bytes) -> None:
        if next(calls) == k:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(output, "_write", write)
    before = snapshot(program)
    result = purge(program)
    assert result.exit_code == 1, result.stdout
    assert "purge changed nothing" in result.stderr
    assert "disk is full" in result.stderr
    assert snapshot(program) == before
