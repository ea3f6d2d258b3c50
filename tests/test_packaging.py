"""A built wheel carries its templates and sample program and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("rmentor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rmentor/_data/templates/init/program.yaml.j2" in names
    assert "rmentor/_data/sample_program/program.yaml" in names
    assert "rmentor/_data/sample_program/participants.csv" in names

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}

    def rmentor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rmentor", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import rmentor.resources as r; print(r.templates_dir())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(site)), where  # the installed copy, not the checkout

    result = rmentor("init", "x", "--example", cwd=work)
    assert result.returncode == 0, result.stderr
    result = rmentor("validate", cwd=work / "x")
    assert result.returncode == 0, result.stdout + result.stderr
    result = rmentor("build", "--format", "md", "--today", "2027-01-04", cwd=work / "x")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (work / "x" / "out" / "handouts" / "mentor-guide.md").is_file()
    assert (work / "x" / "out" / "index.md").is_file()
    result = rmentor("init", "y", "--today", "2026-11-22", cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "y" / "program.yaml").is_file()
