"""The program folder's names in one place, and the program lock."""

from __future__ import annotations

import threading
from pathlib import Path

from rmentor.files import layout
from rmentor.model import checks
from rmentor.model.activity import Meeting
from tests.conftest import snapshot


def test_names_the_model_spells_are_the_layouts() -> None:
    # The model reads no file, so where a problem points it spells the name itself.
    assert checks.PAIRINGS_FILE == layout.PAIRINGS_FILE
    assert Meeting("p", None, "held").source.file == layout.MEETINGS_FILE  # type: ignore[arg-type]


def test_the_lock_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text("program: {}\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with layout.program_lock(tmp_path):
        assert snapshot(tmp_path) == before
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "state").exists()


def test_two_holders_of_the_lock_take_turns(tmp_path: Path) -> None:
    events: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with layout.program_lock(tmp_path):
            events.append("first in")
            first_in.set()
            threading.Event().wait(0.2)  # the second is waiting meanwhile
            events.append("first out")

    def second() -> None:
        first_in.wait()
        with layout.program_lock(tmp_path):
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert events == ["first in", "first out", "second in"]


def test_a_dry_run_takes_no_lock(tmp_path: Path) -> None:
    with layout.program_lock(tmp_path), layout.program_lock(tmp_path, enabled=False):
        pass  # would wait forever if the second took the lock


def test_out_folder() -> None:
    assert layout.out_folder(Path("/p")) == Path("/p/out")
    assert layout.out_folder(Path("/p"), Path("/elsewhere")) == Path("/elsewhere")
