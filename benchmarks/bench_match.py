"""Time `rmentor match` end to end on generated rosters, split by phase.

    python benchmarks/bench_match.py --sizes 100 1000 2000 10000 [--compare 400]

Each size runs in a fresh process (so peak memory is its own): load (program.yaml
and roster, every check), score (features and the score matrix), solve, pairs
(reasons and breakdowns of the chosen pairs), write (state/pairings.toml). Then,
with --compare N, one roster of N is solved three ways: our `assign`, networkx
`max_weight_matching` (needs `pip install networkx`) and a greedy baseline. Prints
Markdown tables for docs/performance.md.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.generate import generate


def child(folder: Path) -> None:
    """Run one match in this process and print its phase times as JSON."""
    from rmentor.engines.matching.engine import match
    from rmentor.files.load import open_program
    from rmentor.files.state import write_pairings
    from rmentor.model.pairings import PairingState

    marks: dict[str, float] = {}

    def progress(step: str, done: int, total: int) -> None:
        marks.setdefault(f"{step}-start", time.perf_counter())
        if done >= total:
            marks[f"{step}-end"] = time.perf_counter()

    t0 = time.perf_counter()
    program = open_program(folder)
    t1 = time.perf_counter()
    result = match(
        program.config,
        program.participants,
        PairingState(),
        today=dt.date(2026, 12, 1),
        progress=progress,
    )
    t2 = time.perf_counter()
    write_pairings(folder, result.state)
    t3 = time.perf_counter()
    mentees = sum(1 for p in program.participants if p.role == "mentee")
    print(
        json.dumps(
            {
                "load": t1 - t0,
                "score": marks["scoring-end"] - t1 if "scoring-end" in marks else 0.0,
                "solve": marks["solving-end"] - marks["solving-start"],
                "pairs": t2 - marks["solving-end"],
                "write": t3 - t2,
                "total": t3 - t0,
                "paired": len(result.pairs),
                "mentees": mentees,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def run_size(n: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "program", n, n, seed)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(json.loads(out.stdout))


def bare_lsa(n: int) -> float:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    matrix = np.random.default_rng(0).random((n, n))
    start = time.perf_counter()
    linear_sum_assignment(matrix, maximize=True)
    return time.perf_counter() - start


def compare(n: int, seed: int) -> None:
    import numpy as np

    from rmentor.engines.matching import assign
    from rmentor.engines.matching.criteria import Block
    from rmentor.engines.matching.engine import MatchingProblem
    from rmentor.files.load import open_program

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "program", n, n, seed)
        program = open_program(folder)
        problem = MatchingProblem.build(program.config, program.participants)
        block = Block(
            np.arange(len(problem.features.mentees)), np.arange(len(problem.features.mentors))
        )
        total, forbidden, _ = problem.scores(block)
    # capacity 1 everywhere so that all three solve the same problem
    start = time.perf_counter()
    ours = assign(total, forbidden=forbidden)
    t_ours = time.perf_counter() - start
    ours_total = sum(total[i, j] for i, j in ours)

    start = time.perf_counter()
    order = np.lexsort((np.arange(total.size), -total.ravel()))
    used_r, used_c, greedy = set(), set(), 0.0
    count = 0
    for cell in order:
        i, j = divmod(int(cell), total.shape[1])
        if forbidden[i, j] or i in used_r or j in used_c:
            continue
        used_r.add(i)
        used_c.add(j)
        greedy += total[i, j]
        count += 1
    t_greedy = time.perf_counter() - start
    print(f"\n### Solvers side by side, N = {n} (capacity 1, same scores)\n")
    print("| solver | pairs | total score | time |")
    print("|---|---|---|---|")
    print(f"| rmentor `assign` (scipy) | {len(ours)} | {ours_total:.4f} | {t_ours:.3f} s |")
    try:
        import networkx as nx
    except ImportError:
        print("| networkx `max_weight_matching` | (networkx not installed) | | |")
    else:
        graph = nx.Graph()
        big = float(total.shape[0] + 1)  # max cardinality first, as assign does
        for i in range(total.shape[0]):
            for j in range(total.shape[1]):
                if not forbidden[i, j]:
                    graph.add_edge(("e", i), ("m", j), weight=big + float(total[i, j]))
        start = time.perf_counter()
        found = nx.max_weight_matching(graph)
        t_nx = time.perf_counter() - start
        nx_total = sum(total[a[1], b[1]] if a[0] == "e" else total[b[1], a[1]] for a, b in found)
        print(
            f"| networkx `max_weight_matching` | {len(found)} | {nx_total:.4f} | "
            f"{t_nx:.1f} s ({t_nx / t_ours:.0f}x) |"
        )
    gain = (ours_total - greedy) / greedy * 100 if greedy else 0.0
    print(f"| greedy (best pair first) | {count} | {greedy:.4f} | {t_greedy:.3f} s |")
    print(f"\nThe optimum's total is {gain:.2f} % above greedy's.")


def gap(n: int, seed: int) -> None:
    """The candidate graph's total against the exact dense optimum on one roster."""
    import rmentor.engines.matching.engine as engine
    from rmentor.files.load import open_program
    from rmentor.model.pairings import PairingState

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "program", n, n, seed)
        program = open_program(folder)
        results = {}
        for name, limit in (("dense", 10**12), ("sparse", 0)):
            engine.DENSE_LIMIT = limit
            start = time.perf_counter()
            result = engine.match(
                program.config, program.participants, PairingState(), today=dt.date(2026, 12, 1)
            )
            results[name] = (time.perf_counter() - start, len(result.pairs), result.total_score)
    (t_d, n_d, s_d), (t_s, n_s, s_s) = results["dense"], results["sparse"]
    print(f"\n### Candidate graph against the dense optimum, N = {n:,}\n")
    print("| path | time | pairs | total score |")
    print("|---|---|---|---|")
    print(f"| dense (exact) | {t_d:.1f} s | {n_d:,} | {s_d:.4f} |")
    print(f"| candidate graph (k = {engine.CANDIDATES}) | {t_s:.1f} s | {n_s:,} | {s_s:.4f} |")
    print(f"\nGap: {(s_d - s_s) / s_d * 100:.4f} % below the optimum.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 2000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", type=int, default=0)
    parser.add_argument("--gap", type=int, default=0)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.sizes:
        print(
            "| N mentors = N mentees | load | score | solve | pairs | write | total | "
            "peak memory | paired |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for n in args.sizes:
            r = run_size(n, args.seed)
            print(
                f"| {n:,} | {r['load']:.2f} s | {r['score']:.2f} s | {r['solve']:.2f} s | "
                f"{r['pairs']:.2f} s | {r['write']:.2f} s | **{r['total']:.1f} s** | "
                f"{r['rss_mb']:,.0f} MB | {r['paired']:,}/{r['mentees']:,} |",
                flush=True,
            )
        print(
            f"\nBare `linear_sum_assignment` on a random 2,000 x 2,000 matrix: "
            f"{bare_lsa(2000):.2f} s"
        )
    if args.compare:
        compare(args.compare, args.seed)
    if args.gap:
        gap(args.gap, args.seed)


if __name__ == "__main__":
    main()
