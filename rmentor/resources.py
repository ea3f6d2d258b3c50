"""Where the files that ship with rmentor are: built-in templates, the sample program.

In a wheel they sit inside the package (`rmentor/_data/…`, force-included from the
repository's top level); in a checkout or editable install, at the repository root.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _shipped(name: str) -> Path:
    packaged = Path(str(files("rmentor") / "_data" / name))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"rmentor is installed without its `{name}` folder")


def templates_dir() -> Path:
    """The built-in templates folder."""
    return _shipped("templates")


def sample_program_dir() -> Path:
    """The worked sample program that `init --example` copies."""
    return _shipped("sample_program")
