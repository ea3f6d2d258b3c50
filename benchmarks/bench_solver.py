"""Benchmark rmentor.matching.assign: dense (exact) vs sparse candidate graph.

Usage::

    python benchmarks/bench_solver.py --sizes 1000 2000 5000 --seed 0

For each size N it builds an N mentees x N mentors score matrix shaped like a real
programme (topic overlap, seniority gap, department mix, integer fixed-point scores,
same-department pairs forbidden), then times ``assign`` on the dense path and on
the sparse path.  Each measurement runs in a fresh subprocess; memory is the
kernel's RSS high-water mark (``VmHWM``, reset just before the solve via
/proc/self/clear_refs; ``ru_maxrss`` elsewhere), which unlike tracemalloc also
covers SciPy's C++ allocations.  "solve extra" = peak during assign() minus the
resident size just before it (scores, forbidden mask and interpreter).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
import numpy.typing as npt

N_TOPICS = 60
TOPICS_EACH = 4
N_DEPARTMENTS = 12
N_LEVELS = 6


def make_problem(
    n: int, seed: int, capacity: int = 1
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Scores, forbidden mask and capacities: ``n`` mentees, ``ceil(n / capacity)``
    mentors taking ``capacity`` mentees each."""
    rng = np.random.default_rng(seed)
    n_mentors = -(-n // capacity)

    def people(
        n: int,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        topics = np.zeros((n, N_TOPICS), dtype=np.float32)
        # Topic popularity is skewed (a few hot topics), as in real sign-up forms.
        weights = 1.0 / np.arange(1, N_TOPICS + 1)
        weights /= weights.sum()
        for i in range(n):
            topics[i, rng.choice(N_TOPICS, size=TOPICS_EACH, replace=False, p=weights)] = 1.0
        dept = rng.integers(0, N_DEPARTMENTS, size=n)
        level = rng.integers(0, N_LEVELS, size=n)
        return topics, dept, level

    t_me, d_me, l_me = people(n)  # mentees: senior staff
    t_mo, d_mo, l_mo = people(n_mentors)  # mentors: junior staff
    scores = np.empty((n, n_mentors), dtype=np.float64)
    # Built in row chunks: the full float32 product at 10k would double peak memory.
    for start in range(0, n, 1000):
        stop = min(start + 1000, n)
        overlap = t_me[start:stop] @ t_mo.T
        gap = np.abs(l_me[start:stop, None] - l_mo[None, :])
        scores[start:stop] = 100.0 * overlap + 15.0 * np.minimum(gap, 3)
    scores += rng.integers(0, 20, size=scores.shape)  # personal preference noise
    forbidden = d_me[:, None] == d_mo[None, :]
    return scores, forbidden, np.full(n_mentors, capacity, dtype=np.int64)


def _status_kib(field: str) -> int | None:
    """A ``VmRSS``/``VmHWM`` figure from /proc/self/status (Linux), in KiB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark, so the next peak is the solve's own."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def child(method: str, n: int, seed: int, k: int, capacity: int) -> dict[str, Any]:
    """One measurement, meant to run in its own process."""
    from rmentor.engines.matching import assign
    from rmentor.engines.matching.solver import DEFAULT_DENSE_LIMIT, _candidate_pairs

    t0 = time.perf_counter()
    scores, forbidden, cap = make_problem(n, seed, capacity)
    t_build = time.perf_counter() - t0
    # Building the scores has its own transient peak; measure the solve from the
    # resident size just before it, with the high-water mark reset where possible.
    rss_before = _status_kib("VmRSS") or 0
    exact_peak = _reset_peak_rss()
    dense_limit = 2**62 if method == "dense" else 0
    t_cand = float("nan")
    if method == "sparse":
        # Timed apart as well: at large N the candidate pass rivals the solve.
        t0 = time.perf_counter()
        _candidate_pairs(scores, cap, forbidden, k)
        t_cand = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=dense_limit, candidates=k)
    t_solve = time.perf_counter() - t0
    peak = _status_kib("VmHWM") if exact_peak else None
    rss_after = peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    return {
        "method": method,
        "n": n,
        "build_s": t_build,
        "assign_s": t_solve,
        "candidates_s": t_cand,
        "peak_rss_mb": rss_after / 1024,  # KiB on Linux
        "solve_rss_mb": (rss_after - rss_before) / 1024,
        "rss_before_mb": rss_before / 1024,
        "pairs": len(pairs),
        "total": float(scores[rows, cols].sum()) if pairs else 0.0,
        "default_path": "dense" if n * int(cap.sum()) <= DEFAULT_DENSE_LIMIT else "sparse",
    }


def measure(method: str, n: int, seed: int, k: int, capacity: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", method, "--sizes", str(n)]
    cmd += ["--seed", str(seed), "--candidates", str(k), "--capacity", str(capacity)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidates", type=int, default=50, help="k for the sparse path")
    parser.add_argument(
        "--capacity", type=int, default=1, help="mentees per mentor (N / capacity mentors)"
    )
    parser.add_argument(
        "--dense-max",
        type=int,
        default=10_000,
        help="skip the dense solve above this N (10,000 takes ~1 min and ~2 GB)",
    )
    parser.add_argument("--child", choices=["dense", "sparse"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = child(args.child, args.sizes[0], args.seed, args.candidates, args.capacity)
        print(json.dumps(result))
        return 0

    print(
        "| N | path | assign() s | of which candidates s | RSS before MB | peak RSS MB "
        "| solve extra MB | pairs | total | gap vs dense |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        run = (n, args.seed, args.candidates, args.capacity)
        dense = measure("dense", *run) if n <= args.dense_max else None
        sparse = measure("sparse", *run)
        for r in (dense, sparse):
            if r is None:
                print(f"| {n:,} | dense | skipped | | | | | | | |")
                continue
            cand = "" if r["method"] == "dense" else f"{r['candidates_s']:.2f}"
            gap = ""
            if r["method"] == "sparse" and dense is not None and dense["total"]:
                gap = f"{100 * (dense['total'] - r['total']) / dense['total']:.3f} %"
            print(
                f"| {n:,} | {r['method']} | {r['assign_s']:.2f} | {cand} "
                f"| {r['rss_before_mb']:.0f} | {r['peak_rss_mb']:.0f} "
                f"| {r['solve_rss_mb']:.0f} | {r['pairs']:,} "
                f"| {r['total']:,.0f} | {gap} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
