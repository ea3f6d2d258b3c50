"""Safe writes: atomic (temporary file, then rename), LF endings, inside a root folder."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import RmentorError


class UnsafePath(RmentorError):
    """A file name that would land outside the folder it belongs in."""


def inside(root: Path, relative: str | Path) -> Path:
    """`root / relative`, refusing anything that escapes `root` (`..`, absolute paths)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise UnsafePath(f"refusing to write `{relative}` outside {root}")
    return target


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write `data` to `path` atomically; return False (and touch nothing) if unchanged.

    `durable` flushes the data to disk before the rename (state and logs); generated
    documents, which the next build rewrites anyway, skip it: at thousands of files
    the flushes cost more than the rendering.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; give it what `open()` would: the old file's mode,
        # or 0666 less the umask (so that a served out/ and a shared log stay readable).
        os.chmod(temp, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


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


def write_text_atomic(path: Path, text: str) -> bool:
    """Write UTF-8 text with LF line endings atomically; False if the file was unchanged."""
    return write_bytes_atomic(path, text.replace("\r\n", "\n").encode("utf-8"))


@dataclass(frozen=True)
class Written:
    """What a document command produced."""

    files: tuple[str, ...]  # relative to the out folder
    changed: int
