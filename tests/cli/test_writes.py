"""All or nothing: a command that fails leaves every file byte-identical.

Faults are simulated the way a full or failing disk shows them: the writer raises at
the k-th write (and at the k-th flush), for every k a command makes. The out/ and
state/ rules (real folders, not links; checked before any work) and the clean-up of
temporary files a killed run left behind are tested here too.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rmentor.cli.app import app
from rmentor.files import output
from rmentor.files.output import TEMP_SUFFIX
from tests.conftest import snapshot

runner = CliRunner()
TODAY = "2027-01-04"

PROGRAM = """\
program:
  name: Test Program
  organization: Testco
  leader: {name: Lee Leader, email: lee@example.com}
  start: 2027-01-11
  end: 2027-03-26
  timezone: Europe/Berlin
topics:
  - {id: social-media, title: Social media for business}
  - {id: video, title: Video meetings}
"""
ROSTER = """\
id,name,email,role,level,skills,interests,availability
m1,Mia Mentor,mia@example.com,mentor,2,social-media;video,,Mon-Fri 09:00-17:00
m2,Max Mentor,max@example.com,mentor,2,video,,Mon-Fri 09:00-17:00
e1,Eva Mentee,eva@example.com,mentee,6,,video,Mon-Fri 09:00-17:00
e2,Ede Mentee,ede@example.com,mentee,6,,social-media,Mon-Fri 09:00-17:00
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Two pairs: a whole build is about thirty files, so every k can be tried."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    (folder / "participants.csv").write_text(ROSTER, encoding="utf-8")
    return folder


def invoke(folder: Path, *args: str) -> Result:
    return runner.invoke(app, [*args, "--program", str(folder)])


def ok(folder: Path, *args: str) -> Result:
    result = invoke(folder, *args)
    assert result.exit_code == 0, result.output
    return result


BUILD = ("build", "--format", "md", "--today", TODAY, "-q")
SCHEDULE = ("schedule", "--today", TODAY, "-q")
MATCH = ("match", "--today", TODAY, "-q")
LOG = ("log", "m1", "--date", "2027-01-12", "--status", "held", "-q")


class Faults:
    """Makes the k-th call of `output._write` or `output._fsync` raise OSError(code)."""

    def __init__(self) -> None:
        self.seam, self.k, self.code, self.calls = "", 0, errno.ENOSPC, 0

    def arm(self, seam: str, k: int, code: int = errno.ENOSPC) -> None:
        """Fail the k-th call of `seam` (k = 0: only count the calls)."""
        self.seam, self.k, self.code, self.calls = seam, k, code, 0

    def wrap(self, seam: str, real: Callable[..., None]) -> Callable[..., None]:
        def fake(*args: object) -> None:
            if self.seam == seam:
                self.calls += 1
                if self.calls == self.k:
                    raise OSError(self.code, os.strerror(self.code))
            real(*args)

        return fake


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    found = Faults()
    for seam in ("_write", "_fsync"):
        monkeypatch.setattr(output, seam, found.wrap(seam, getattr(output, seam)))
    return found


CASES = {
    "match": ((), MATCH),
    "schedule": ((MATCH,), SCHEDULE),
    "log": ((MATCH, SCHEDULE), LOG),
    "build": ((), BUILD),
    # A second build a month on rewrites documents but no state: nothing to flush.
    "rebuild": ((BUILD,), ("build", "--format", "md", "--today", "2027-02-01", "-q")),
}


@pytest.mark.parametrize(
    ("seam", "prepare", "command"),
    [
        pytest.param(seam, *case, id=f"{seam.strip('_')}-{name}")
        for seam in ("_write", "_fsync")
        for name, case in CASES.items()
        if (seam, name) != ("_fsync", "rebuild")
    ],
)
def test_a_fault_at_any_write_leaves_every_file_as_it_was(
    tiny: Path,
    faults: Faults,
    prepare: tuple[tuple[str, ...], ...],
    command: tuple[str, ...],
    seam: str,
) -> None:
    for step in prepare:
        ok(tiny, *step)
    before = snapshot(tiny)
    # Count the calls a clean run makes, on a copy of the folder.
    spare = tiny.parent / "spare"
    shutil.copytree(tiny, spare)
    faults.arm(seam, 0)
    ok(spare, *command)
    calls = faults.calls
    assert calls >= 1
    for k in range(1, calls + 1):
        faults.arm(seam, k)
        result = invoke(tiny, *command)
        assert result.exit_code == 1, (k, result.output)
        assert "the disk is full" in result.output, result.output
        assert "Traceback" not in result.output
        assert snapshot(tiny) == before, f"fault at {seam} #{k} of {calls} changed files"
        assert not list(output.stale_temps([tiny]))
    faults.arm(seam, 0)
    ok(tiny, *command)  # and once the disk has room again, it all works
    assert snapshot(tiny) == snapshot(spare)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EROFS, "the disk is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EDQUOT, "quota"),
        (errno.EIO, "input/output error"),
    ],
)
def test_each_refusal_is_one_line_naming_the_file(
    tiny: Path, faults: Faults, code: int, words: str
) -> None:
    faults.arm("_write", 1, code)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: cannot write {tiny}"), lines
    assert words in lines[0]
    assert snapshot(tiny) == {"program.yaml": PROGRAM.encode(), "participants.csv": ROSTER.encode()}


def test_a_broken_template_after_match_and_schedule_writes_nothing(tiny: Path) -> None:
    ok(tiny, *BUILD)
    # A change that moves the state (a new person), and a template that breaks late.
    with (tiny / "participants.csv").open("a", encoding="utf-8") as roster:
        roster.write("m3,Mo Mentor,mo@example.com,mentor,2,video,,Mon-Fri 09:00-17:00\n")
    (tiny / "templates").mkdir()
    # The index is the last document build renders.
    (tiny / "templates" / "index.md.j2").write_text("{{ oops(", encoding="utf-8")
    (tiny / "state" / "pairings.toml").unlink()  # so build matches again
    before = snapshot(tiny)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1, result.output
    assert "index.md.j2" in result.output
    assert snapshot(tiny) == before


def test_out_being_a_file_is_refused_before_any_work(tiny: Path) -> None:
    (tiny / "out").write_text("not a folder", encoding="utf-8")
    before = snapshot(tiny)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1
    assert "it is a file, not a folder" in result.output
    assert snapshot(tiny) == before  # no state either: the check comes first


def test_a_file_where_out_letters_belongs(tiny: Path) -> None:
    (tiny / "out").mkdir()
    (tiny / "out" / "letters").write_text("", encoding="utf-8")
    before = snapshot(tiny)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1
    assert "not a folder" in result.output
    assert snapshot(tiny) == before


@pytest.mark.parametrize("name", ["out", "state"])
def test_a_linked_out_or_state_folder_is_refused(tiny: Path, tmp_path: Path, name: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tiny / name).symlink_to(elsewhere)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1
    assert f"{tiny / name} is a link to {elsewhere}" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (tiny / "state").is_dir() or name == "state"


def test_an_explicit_out_may_be_a_link(tiny: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared-drive"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    ok(tiny, *BUILD, "--out", str(tmp_path / "link"))
    assert (elsewhere / "index.md").is_file()


def test_a_link_inside_out_cannot_send_files_elsewhere(tiny: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tiny / "out").mkdir()
    (tiny / "out" / "letters").symlink_to(elsewhere)
    result = invoke(tiny, *BUILD)
    assert result.exit_code == 1
    assert "outside" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_killed_runs_temporary_files_are_removed_by_the_next(tiny: Path) -> None:
    ok(tiny, *BUILD)
    left = [
        tiny / f".meetings.csv.abc{TEMP_SUFFIX}",
        tiny / "state" / f".pairings.toml.abc{TEMP_SUFFIX}",
        tiny / "out" / "letters" / f".x.md.abc{TEMP_SUFFIX}",
    ]
    for path in left:
        path.write_bytes(b"half")
    ok(tiny, *BUILD)
    assert [p for p in left if p.exists()] == []


def test_a_dry_run_removes_nothing(tiny: Path) -> None:
    ok(tiny, *MATCH)
    stale = tiny / "state" / f".pairings.toml.abc{TEMP_SUFFIX}"
    stale.write_bytes(b"half")
    ok(tiny, *MATCH, "--dry-run")
    assert stale.exists()  # a dry run takes no lock, so it may not touch another run's files


def test_documents_commands_are_all_or_nothing_too(tiny: Path) -> None:
    ok(tiny, *BUILD)
    (tiny / "templates").mkdir()
    (tiny / "templates" / "agreement.md.j2").write_text("{% if %}", encoding="utf-8")
    (tiny / "templates" / "welcome_letter.md.j2").write_text("changed {{ 1 }}", encoding="utf-8")
    before = snapshot(tiny)
    for command in ("handouts", "packet"):
        result = invoke(tiny, command, "--format", "md", "--today", TODAY)
        assert result.exit_code == 1, result.output
        assert snapshot(tiny) == before
