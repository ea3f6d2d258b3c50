"""Atomic writes: unchanged files untouched, durable ones flushed, nothing outside root."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rmentor.files.output import (
    TEMP_SUFFIX,
    Batch,
    UnsafePath,
    WriteFailed,
    check_folder,
    inside,
    remove_stale,
    stale_temps,
    write_bytes_atomic,
)


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
    assert len(calls) == 2  # the file, then its folder (so the rename itself is durable)
    write_bytes_atomic(tmp_path / "letter.html", b"x", durable=False)
    assert len(calls) == 2
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


def test_an_aborted_batch_changes_nothing(tmp_path: Path) -> None:
    kept = tmp_path / "state.toml"
    kept.write_bytes(b"old")

    def build() -> None:
        with Batch() as batch:
            assert batch.add(kept, b"new", durable=True) is True
            assert batch.add(tmp_path / "out" / "letters" / "a.md", b"letter") is True
            raise RuntimeError("a template broke")

    with pytest.raises(RuntimeError):
        build()
    assert kept.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.toml"]  # no out/, no temp


def test_a_batch_commits_everything_at_the_end(tmp_path: Path) -> None:
    with Batch() as batch:
        batch.add(tmp_path / "a.md", b"a")
        batch.add(tmp_path / "b" / "c.md", b"c")
        assert not (tmp_path / "a.md").exists()  # staged only
        assert batch.changed == 2
    assert (tmp_path / "a.md").read_bytes() == b"a"
    assert (tmp_path / "b" / "c.md").read_bytes() == b"c"
    assert list(stale_temps([tmp_path])) == []


def test_a_file_written_twice_in_one_batch_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="written twice"):
        _write_all(tmp_path / "a.md", tmp_path / "a.md")
    assert not (tmp_path / "a.md").exists()


def test_stale_temporary_files_are_found_and_removed(tmp_path: Path) -> None:
    (tmp_path / "out" / "letters").mkdir(parents=True)
    stale = tmp_path / "out" / "letters" / f".a.md.x1y2{TEMP_SUFFIX}"
    stale.write_bytes(b"half")
    mine = tmp_path / "out" / ".notes.tmp"  # not rmentor's: left alone
    mine.write_bytes(b"")
    assert list(stale_temps([tmp_path / "out"])) == [stale]
    assert remove_stale([tmp_path / "out"]) == 1
    assert not stale.exists()
    assert mine.exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission denied"),
        (errno.ENOTDIR, "is a file, not a folder"),
        (errno.EISDIR, "a folder where a file belongs"),
        (errno.EIO, "input/output error"),
    ],
)
def test_os_errors_become_one_line_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    from rmentor.files import output

    def refuse(fd: int, data: bytes) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output, "_write", refuse)
    target = tmp_path / "state.toml"
    target.write_bytes(b"old")
    with pytest.raises(WriteFailed) as caught:
        write_bytes_atomic(target, b"new")
    assert str(caught.value).startswith(f"cannot write {target}: ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.toml"]


def test_a_folder_where_a_file_belongs_is_refused_before_anything_moves(tmp_path: Path) -> None:
    (tmp_path / "b.md").mkdir()
    with pytest.raises(WriteFailed, match="a folder where a file belongs"):
        _write_all(tmp_path / "a.md", tmp_path / "b.md")
    assert not (tmp_path / "a.md").exists()


def test_check_folder(tmp_path: Path) -> None:
    check_folder(tmp_path / "out" / "deeper", "documents")  # missing: made when needed
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(WriteFailed, match="it is a file, not a folder"):
        check_folder(tmp_path / "file", "documents")
    with pytest.raises(WriteFailed, match="is a file, not a folder"):
        check_folder(tmp_path / "file" / "out", "documents")


def _write_all(*paths: Path) -> None:
    with Batch() as batch:
        for path in paths:
            batch.add(path, path.name.encode())
