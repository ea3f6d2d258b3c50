"""Time `rmentor build` on generated programs of N pairs, per format.

    python benchmarks/bench_build.py --sizes 100 2000 --formats md html
    python benchmarks/bench_build.py --sizes 100 --formats pdf

Each run is a fresh process on a fresh copy (match and schedule happen inside build,
as for a coordinator's first build). Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100])
    parser.add_argument("--formats", nargs="*", default=["md", "html"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| pairs | format | files | wall time | peak memory (main process) |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        for fmt in args.formats:
            with tempfile.TemporaryDirectory() as tmp:
                folder = generate(Path(tmp) / "program", n, n, args.seed)
                start = time.perf_counter()
                result = subprocess.run(
                    [
                        "/usr/bin/time",
                        "-f",
                        "%M",
                        sys.executable,
                        "-m",
                        "rmentor",
                        "build",
                        "-q",
                        "--format",
                        fmt,
                        "--today",
                        "2027-01-04",
                        "--program",
                        str(folder),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                wall = time.perf_counter() - start
                rss_mb = int(result.stderr.strip().splitlines()[-1]) / 1024
                files = sum(1 for p in (folder / "out").rglob("*") if p.is_file())
                print(
                    f"| {n:,} | {fmt} | {files:,} | {wall:.1f} s | {rss_mb:,.0f} MB |", flush=True
                )


if __name__ == "__main__":
    main()
