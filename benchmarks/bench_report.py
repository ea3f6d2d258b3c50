"""Time `rmentor report` on a large finished program.

    python benchmarks/bench_report.py --people 10000 --meetings 50000

Generates N/2 mentors and N/2 mentees (everyone answers the three surveys, so each
export has N responses: the pre and midpoint ones as Google Forms CSV, the final one
as Microsoft Forms .xlsx), matches and schedules them, logs `--meetings` meetings
spread over the pairs' planned sessions (85 % held, the rest cancelled or no-show),
then times `report` in each format, as of a day after the program's end. Prints a
Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.generate import generate
from rmentor.files.state import read_schedule


def rmentor(*args: str) -> tuple[float, float]:
    """Run rmentor; return (wall seconds, peak memory in MB)."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "rmentor", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return wall, int(result.stderr.strip().splitlines()[-1]) / 1024


def log_meetings(folder: Path, count: int, seed: int) -> None:
    """meetings.csv with `count` rows on the pairs' planned sessions, oldest first."""
    rng = random.Random(seed)
    plans = read_schedule(folder).plans
    per_pair = -(-count // len(plans))
    rows = []
    for plan in plans:
        for session in plan.sessions[:per_pair]:
            roll = rng.random()
            status = "held" if roll < 0.85 else ("cancelled" if roll < 0.95 else "no-show")
            minutes = str(rng.choice([45, 50, 55, 60, 70])) if status == "held" else ""
            rows.append((plan.pair, session.start.date().isoformat(), status, minutes))
    rows = rows[:count]
    with (folder / "meetings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pair", "date", "status", "minutes", "topics", "notes"])
        writer.writerows(sorted(rows, key=lambda r: (r[1], r[0])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--formats", nargs="*", default=["json", "md", "html"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        half = args.people // 2
        folder = generate(Path(tmp) / "program", half, half, args.seed, everyone_answers=True)
        rmentor("match", "-q", "--program", str(folder))
        rmentor("schedule", "-q", "--today", "2027-01-04", "--program", str(folder))
        log_meetings(folder, args.meetings, args.seed)
        print("| people | meetings | survey responses | format | wall time | peak memory |")
        print("|---|---|---|---|---|---|")
        for fmt in args.formats:
            options = ["--json"] if fmt == "json" else ["--format", fmt]
            wall, rss = rmentor(
                "report", "-q", *options, "--today", "2027-06-30", "--program", str(folder)
            )
            print(
                f"| {args.people:,} | {args.meetings:,} | 3 x {args.people:,} | {fmt} | "
                f"{wall:.1f} s | {rss:,.0f} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
