"""The one place rmentor writes files: staged beside their target, then renamed into place.

Every write goes through a `Batch`. `add` writes a file's bytes to a temporary file in
the target's own folder as soon as they are produced (so a build of thousands of
documents holds none of them in memory); `commit` renames every temporary file over
its target; `abort` removes them. A command that fails half way (a broken template, a
full disk, a kill) therefore leaves every target byte-identical. What can still
fail during `commit` is a rename within one folder, which needs no new space.

- Unchanged files are not rewritten (their modification time stays).
- A new file gets the mode `open()` would give (0666 less the umask), an existing one
  keeps its mode: `mkstemp` alone would make everything 0600.
- `durable` files (state, the meeting log) are flushed to disk before the rename, and
  their folder after it, so a power cut leaves the old or the new file, never a hole.
  Generated documents skip it: the next build rewrites them anyway.
- Temporary files are named `.<name>.<random>.rmentor.tmp`; `remove_stale` deletes those
  a killed run left behind (call it inside the program lock only).
- Every OS error (full disk, read-only disk, permissions, a file where a folder should
  be) becomes a `WriteFailed`: one line naming the path and what to do, exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import RmentorError

TEMP_SUFFIX = ".rmentor.tmp"


class UnsafePath(RmentorError):
    """A file name that would land outside the folder it belongs in."""


class WriteFailed(RmentorError):
    """The operating system refused a write (full disk, permissions, read-only, …)."""


def inside(root: Path, relative: str | Path) -> Path:
    """`root / relative`, refusing anything that escapes `root` (`..`, absolute paths)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise UnsafePath(f"refusing to write `{relative}` outside {root}")
    return target


# What to do about each refusal; anything else gets the system's own words.
_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EROFS: "the disk is read-only: copy the program folder somewhere writable, "
    "or pass --out DIR for documents",
    errno.EACCES: "permission denied: close the file if another program (Excel, a PDF "
    "viewer) has it open, or check who owns the folder and its permissions",
    errno.EPERM: "not permitted: check who owns the folder and its permissions",
    errno.ENOTDIR: "a part of this path is a file, not a folder: move the file away",
    errno.EISDIR: "this is a folder where a file belongs: move the folder away",
    errno.ENAMETOOLONG: "the file name is too long for this disk",
}


def describe(exc: OSError, path: Path | str | None = None, verb: str = "write") -> str:
    """One line for the user: what could not be done to which path, and what to do."""
    where = exc.filename if exc.filename is not None else path
    advice = _ADVICE.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return f"cannot {verb} {where}: {advice}" if where is not None else f"cannot {verb}: {advice}"


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # The only way to read the umask is to set it; put it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _write(fd: int, data: bytes) -> None:
    """Write all of `data` to `fd` (the seam the fault-injection tests replace)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync(fd: int) -> None:
    os.fsync(fd)


def _fsync_folder(folder: Path) -> None:
    # Best effort: the files are already in place, so a refusal here (Windows cannot
    # open a folder, some network disks cannot flush one) must not report a failure
    # that did not happen.
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@dataclass(frozen=True)
class _Staged:
    temp: Path
    target: Path
    durable: bool


class Batch:
    """Files written as one step: staged as they come, all renamed into place at the end.

    Use as a context manager: leaving the block normally commits, leaving it by an
    exception aborts (nothing changes). `add` returns whether the file will change.
    """

    def __init__(self) -> None:
        self._staged: list[_Staged] = []
        self._created: list[Path] = []  # folders made for new files, removed on abort
        self._targets: set[Path] = set()

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if exc is None:
            self.commit()
        else:
            self.abort()

    def add(self, path: Path, data: bytes, *, durable: bool = False) -> bool:
        """Stage `data` for `path`; False (and nothing staged) when the file already holds it."""
        if path in self._targets:
            # Two documents with one file name would silently lose one: a bug upstream.
            raise AssertionError(f"{path} is written twice in one step")
        self._targets.add(path)
        if path.is_dir():  # found now, not at the rename: the batch must still be whole
            raise WriteFailed(describe(IsADirectoryError(errno.EISDIR, "", str(path))))
        try:
            if path.read_bytes() == data:
                return False
        except OSError:
            pass
        try:
            self._make_folder(path.parent)
            fd, name = tempfile.mkstemp(
                prefix=f".{path.name[:100]}.", suffix=TEMP_SUFFIX, dir=path.parent
            )
        except OSError as exc:
            raise WriteFailed(describe(exc, path)) from None
        temp = Path(name)
        self._staged.append(_Staged(temp, path, durable))
        try:
            # mkstemp makes the file 0600; give it what `open()` would (see the module).
            os.chmod(fd, _mode_for(path))
            _write(fd, data)
            if durable:
                _fsync(fd)
        except OSError as exc:
            raise WriteFailed(describe(exc, path)) from None
        finally:
            os.close(fd)
        return True

    def _make_folder(self, folder: Path) -> None:
        missing: list[Path] = []
        while not folder.is_dir():
            if folder.exists() or folder.is_symlink():
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self._created.append(made)

    @property
    def changed(self) -> int:
        """How many files the commit will change."""
        return len(self._staged)

    def commit(self) -> None:
        """Rename every staged file over its target (durable ones first), then flush folders."""
        staged = sorted(self._staged, key=lambda s: not s.durable)
        try:
            for item in staged:
                os.replace(item.temp, item.target)
            for folder in sorted({s.target.parent for s in staged if s.durable}):
                _fsync_folder(folder)
        except OSError as exc:
            self.abort()
            raise WriteFailed(describe(exc)) from None
        self._staged.clear()
        self._created.clear()

    def abort(self) -> None:
        """Remove every staged file and the folders made for them."""
        for item in self._staged:
            item.temp.unlink(missing_ok=True)
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):  # not empty: something else put a file there
                folder.rmdir()
        self._staged.clear()
        self._created.clear()


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write one file through a one-file `Batch`; False (and nothing touched) if unchanged."""
    with Batch() as batch:
        return batch.add(path, data, durable=durable)


def write_text_atomic(path: Path, text: str) -> bool:
    """Write UTF-8 text with LF line endings atomically; False if the file was unchanged."""
    return write_bytes_atomic(path, text.replace("\r\n", "\n").encode("utf-8"))


def stale_temps(folders: Iterable[Path], *, deep: bool = True) -> Iterator[Path]:
    """Temporary files a killed run left in `folders` (and, if `deep`, the folders below)."""
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for root, _, names in os.walk(folder):
            for name in names:
                if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                    yield Path(root) / name
            if not deep:
                break


def remove_stale(folders: Iterable[Path], *, deep: bool = True) -> int:
    """Delete what `stale_temps` finds; how many. Only inside the program lock, where no
    other run of rmentor can be half way through its own writes."""
    count = 0
    for path in stale_temps(folders, deep=deep):
        try:
            path.unlink()
            count += 1
        except OSError:
            pass  # read-only or gone: harmless, it is never read
    return count


def check_folder(path: Path, what: str) -> None:
    """Refuse before any work when `path` cannot be written into: it is a file, a link
    pointing elsewhere, or its disk or permissions refuse writes."""
    existing = path
    while not existing.exists() and not existing.is_symlink():
        existing = existing.parent
    if existing != path and not existing.is_dir():
        raise WriteFailed(f"cannot write {path}: {existing} is a file, not a folder")
    if existing == path and not path.is_dir():
        raise WriteFailed(f"cannot write {what} into {path}: it is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        code = errno.EROFS if _read_only(existing) else errno.EACCES
        raise WriteFailed(describe(OSError(code, os.strerror(code), str(existing))))


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


@dataclass(frozen=True)
class Written:
    """What a document command produced."""

    files: tuple[str, ...]  # relative to the out folder
    changed: int
