"""Atomic writes: unchanged files untouched, durable ones flushed, nothing outside root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rmentor.files.output import UnsafePath, inside, write_bytes_atomic


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    assert write_bytes_atomic(target, b"one") is True
    before = target.stat().st_mtime_ns
    assert write_bytes_atomic(target, b"one") is False
    assert target.stat().st_mtime_ns == before
    assert write_bytes_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]  # no temporary left


def test_only_durable_writes_are_flushed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    write_bytes_atomic(tmp_path / "state.toml", b"x")
    assert len(calls) == 1
    write_bytes_atomic(tmp_path / "letter.html", b"x", durable=False)
    assert len(calls) == 1
    assert (tmp_path / "letter.html").read_bytes() == b"x"


def test_inside_refuses_to_leave_the_root(tmp_path: Path) -> None:
    assert inside(tmp_path, "letters/x.md") == (tmp_path / "letters" / "x.md").resolve()
    for bad in ("../x.md", "/etc/passwd", "letters/../../x"):
        with pytest.raises(UnsafePath):
            inside(tmp_path, bad)


def test_files_get_the_modes_open_would_give(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        new = tmp_path / "out" / "letter.md"
        write_bytes_atomic(new, b"hello")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # not mkstemp's 0600
        kept = tmp_path / "meetings.csv"
        kept.write_bytes(b"a\n")
        kept.chmod(0o640)
        write_bytes_atomic(kept, b"a\nb\n")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640  # an existing file keeps its mode
    finally:
        os.umask(old)
