"""Time `rmentor schedule` on generated programs of N pairs.

    python benchmarks/bench_schedule.py --sizes 2000 10000

For each size: a roster of N mentors and N mentees (benchmarks/generate.py) is paired
with `rmentor match` (not timed), then `rmentor schedule` is timed in a fresh process:
load, plan, calendars (the events stamped with their fingerprints, then one .ics per
pair, one per person and the coordinator's), write. Prints a
Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.generate import generate


def child(folder: Path) -> None:
    """Run one schedule in this process and print its phase times as JSON."""
    from rmentor.documents.calendar import build_calendars, stamp_schedule
    from rmentor.engines.schedule import plan_schedule
    from rmentor.files.load import open_program
    from rmentor.files.output import write_bytes_atomic
    from rmentor.files.state import write_schedule
    from rmentor.model.sessions import Schedule

    t0 = time.perf_counter()
    program = open_program(folder)
    pairs = program.pairings
    t1 = time.perf_counter()
    schedule = plan_schedule(
        program.config,
        program.participants,
        pairs.pairs,
        Schedule(),
        {(m.pair, m.date) for m in program.meetings},
        dt.date(2027, 1, 4),
    )
    t2 = time.perf_counter()
    people = {p.id: p for p in program.participants}
    titles = {t.id: t.title for t in program.config.topics}
    day = dt.date(2027, 1, 4)
    built: dict[Any, Any] = {}  # as `rmentor schedule` does: stamped events used again
    config = program.config
    schedule = stamp_schedule(config, people, schedule, program.schedule, day, titles, built)
    files = build_calendars(config, people, pairs.pairs, schedule, titles, built=built)
    t3 = time.perf_counter()
    write_schedule(folder, schedule)
    for name, data in files.items():
        write_bytes_atomic(folder / "out" / "calendars" / name, data)
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "load": t1 - t0,
                "plan": t2 - t1,
                "calendars": t3 - t2,
                "write": t4 - t3,
                "total": t4 - t0,
                "pairs": len(schedule.plans),
                "sessions": len(schedule.sessions),
                "fallback": sum(p.slot.fallback for p in schedule.plans),
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(
        "| pairs | load | plan | calendars | write | total | peak memory | sessions | "
        "no common slot |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(Path(tmp) / "program", n, n, args.seed)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "rmentor",
                    "match",
                    "-q",
                    "--today",
                    "2027-01-04",
                    "--program",
                    str(folder),
                ],
                check=True,
            )
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout)
            print(
                f"| {r['pairs']:,} | {r['load']:.1f} s | {r['plan']:.1f} s | "
                f"{r['calendars']:.1f} s | {r['write']:.1f} s | **{r['total']:.1f} s** | "
                f"{r['rss_mb']:,.0f} MB | {r['sessions']:,} | {r['fallback']:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
