"""Optimal and stable pairing of mentees (rows) with mentors (columns).

Two families of matching live here:

* :func:`assign` -- the *optimal* assignment: as many pairs as possible, then the
  best total score.  It delegates to SciPy (``linear_sum_assignment`` on a dense
  matrix, ``min_weight_full_bipartite_matching`` on a sparse candidate graph for
  large programmes); no assignment algorithm is hand-written here.
* :func:`stable_match` / :func:`blocking_pairs` -- deferred acceptance
  (Gale-Shapley, hospitals/residents form) and its stability check, for
  programmes that prefer "nobody would rather swap" over "best total".

Determinism: every function returns the same pairs for the same input.  Ties
(equal scores, equal totals) are broken by index position, so the *order* of the
rows and columns can change which of several equally good pairings is returned.
Callers should sort mentees and mentors by a stable id before building the score
matrix, and round scores to fixed-point values (e.g. integers) so that equal
scores really compare equal.  SciPy documents that among equally optimal
solutions its output may differ between SciPy versions.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

__all__ = ["DEFAULT_DENSE_LIMIT", "assign", "blocking_pairs", "prefs_from_scores", "stable_match"]

Pair = tuple[int, int]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Above this many cells (mentees x mentor slots) :func:`assign` switches from the
#: exact dense solver to the sparse candidate graph.  25 M cells is ~5,000 x 5,000:
#: 200 MB of float64 plus SciPy's working copy, and ~10 s on a 2-core machine.
DEFAULT_DENSE_LIMIT = 25_000_000

# Cells handled at a time when selecting sparse candidates: bounds the temporary
# memory to a few 16 MB arrays regardless of the programme size.
_CHUNK_CELLS = 2_000_000


# --------------------------------------------------------------------------- validation


def _as_scores(scores: npt.ArrayLike, *, allow_empty_list: bool = False) -> FloatArray:
    try:
        arr = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scores must be a 2-D array of numbers: {exc}") from exc
    if allow_empty_list and arr.shape == (0,):
        return arr
    if arr.ndim != 2:
        raise ValueError(f"scores must be 2-D (mentees x mentors), got {arr.ndim}-D")
    if np.isnan(arr).any():
        bad = np.argwhere(np.isnan(arr))[0]
        raise ValueError(f"scores contain NaN (first at row {bad[0]}, column {bad[1]})")
    if np.isinf(arr).any():
        bad = np.argwhere(np.isinf(arr))[0]
        raise ValueError(
            f"scores contain an infinite value (first at row {bad[0]}, column {bad[1]}); "
            "use `forbidden` to exclude a pair"
        )
    return arr


def _as_forbidden(forbidden: npt.ArrayLike | None, shape: tuple[int, int]) -> BoolArray:
    if forbidden is None:
        return np.zeros(shape, dtype=np.bool_)
    arr = np.asarray(forbidden)
    if arr.shape != shape:
        raise ValueError(f"forbidden has shape {arr.shape}, expected {shape} (same as scores)")
    if arr.dtype != np.bool_:
        raise ValueError(f"forbidden must be a boolean array, got dtype {arr.dtype}")
    return arr


def _as_capacity(capacity: npt.ArrayLike | None, n_cols: int) -> IntArray:
    if capacity is None:
        return np.ones(n_cols, dtype=np.int64)
    raw = np.asarray(capacity)
    if raw.ndim != 1 or raw.shape[0] != n_cols:
        raise ValueError(
            f"capacity must be 1-D with one entry per mentor ({n_cols}), got shape {raw.shape}"
        )
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        as_float = raw.astype(np.float64)
        if not np.all(np.isfinite(as_float)) or not np.all(as_float == np.round(as_float)):
            raise ValueError("capacity must contain whole numbers")
    cap = raw.astype(np.int64)
    if (cap < 0).any():
        j = int(np.flatnonzero(cap < 0)[0])
        raise ValueError(f"capacity must be >= 0, got {int(cap[j])} for mentor {j}")
    return cap


# --------------------------------------------------------------------------- assign


def assign(
    scores: npt.ArrayLike,
    *,
    capacity: npt.ArrayLike | None = None,
    forbidden: npt.ArrayLike | None = None,
    maximize: bool = True,
    dense_limit: int = DEFAULT_DENSE_LIMIT,
    candidates: int = 50,
) -> list[Pair]:
    """Pair mentees with mentors: as many pairs as possible, then the best total score.

    Args:
        scores: 2-D array, ``scores[i, j]`` is the value of pairing mentee ``i``
            (row) with mentor ``j`` (column).  Must be finite.
        capacity: mentees each mentor may take (1-D, one non-negative integer per
            column).  Default: 1 for every mentor.  Each mentee is used at most once.
        forbidden: boolean array shaped like ``scores``; ``True`` cells are never
            returned.  Default: nothing forbidden.
        maximize: maximise the total score (default); ``False`` minimises it, e.g.
            for costs or distances.
        dense_limit: largest problem, in cells (mentees x total mentor slots), solved
            exactly by the dense solver.  Larger problems use a sparse candidate graph.
            ``0`` forces the sparse path (useful in tests).
        candidates: for the sparse path, the ``k`` best mentors of every mentee and
            the ``k x capacity`` best mentees of every mentor become candidate pairs.

    Returns:
        ``(row, column)`` pairs sorted by row.  Rows that cannot be paired (all
        their mentors forbidden or full) are absent.

    Raises:
        ValueError: on malformed input (not 2-D, NaN or infinite scores, shape
            mismatch, negative or fractional capacity, bad ``candidates``).

    The dense path is exact: it returns a maximum-cardinality matching and, among
    those, one with the optimal total.  The sparse path is exact *on its candidate
    graph*; if that leaves mentees unpaired while slots remain, those mentees get
    all their allowed mentors and it is solved once more.  That is not a proof of
    maximum cardinality, but on realistic scores it pairs everyone the dense path
    pairs and stays within 0.01 % of the optimal total with ``candidates=50``
    (see docs/performance-solver.md).

    Deterministic: the same input gives the same output.  Ties are broken by index,
    so sort mentees and mentors by id before building ``scores`` if you need the
    result to be independent of input order.
    """
    w = _as_scores(scores, allow_empty_list=True)
    if w.ndim == 1:
        return []  # `[]`: no mentees at all
    n_rows, n_cols = w.shape
    banned = _as_forbidden(forbidden, (n_rows, n_cols))
    cap = _as_capacity(capacity, n_cols)
    if isinstance(candidates, bool) or not isinstance(candidates, int) or candidates < 1:
        raise ValueError(f"candidates must be a positive integer, got {candidates!r}")
    if isinstance(dense_limit, bool) or not isinstance(dense_limit, int) or dense_limit < 0:
        raise ValueError(f"dense_limit must be a non-negative integer, got {dense_limit!r}")

    n_slots = int(cap.sum())
    if n_rows == 0 or n_slots == 0 or banned.all():
        return []
    if not maximize:
        w = -w
    # Everything below maximises w.  Work with gains shifted to [0, span] over the
    # allowed cells, so that penalties can be sized from the score range alone.
    w_min, w_max = _allowed_range(w, banned)
    span = w_max - w_min

    if n_rows * n_slots <= dense_limit:
        pairs = _assign_dense(w, w_max, span, cap, banned)
    else:
        pairs = _assign_sparse(w, w_max, span, cap, banned, candidates)
    pairs.sort()
    return pairs


def _allowed_range(w: FloatArray, banned: BoolArray) -> tuple[float, float]:
    """Min and max score over allowed cells, in chunks: ``w[~banned]`` would copy
    almost the whole matrix (0.7 GB at 10,000 x 10,000) just to read two numbers."""
    lo, hi = np.inf, -np.inf
    step = max(1, _CHUNK_CELLS // w.shape[1])
    for start in range(0, w.shape[0], step):
        ok = ~banned[start : start + step]
        chunk = w[start : start + step]
        lo = min(lo, float(np.min(chunk, where=ok, initial=np.inf)))
        hi = max(hi, float(np.max(chunk, where=ok, initial=-np.inf)))
    return lo, hi


def _assign_dense(
    w: FloatArray, w_max: float, span: float, cap: IntArray, banned: BoolArray
) -> list[Pair]:
    n_rows = w.shape[0]
    # Cost of an allowed cell is its shortfall from the best score: in [0, span].
    # A forbidden cell costs more than any full set of allowed cells could
    # (n_rows * span), so trading one forbidden cell for an allowed one always
    # lowers the total: the solver first maximises the number of allowed pairs and
    # only then their total.  A true +inf would make SciPy reject the matrix as
    # infeasible whenever not every row can be paired.
    penalty = n_rows * span + 1.0
    cost = np.ascontiguousarray(w_max - w)
    cost[banned] = penalty
    owner = np.repeat(np.arange(cap.shape[0], dtype=np.int64), cap)
    # One column per mentor slot (C-contiguous float64, which SciPy uses without a
    # conversion copy).  With capacity 1 everywhere the cost matrix already is that,
    # and skipping np.repeat saves a full copy (0.8 GB at 10,000 x 10,000).
    if (cap == 1).all():
        slot_cost = cost
    else:
        slot_cost = np.repeat(cost, cap, axis=1)
        del cost
    rows, slots = linear_sum_assignment(slot_cost)
    cols = owner[slots]
    keep = ~banned[rows, cols]
    return [(int(r), int(c)) for r, c in zip(rows[keep], cols[keep], strict=True)]


def _topk(vals: FloatArray, k: int) -> tuple[IntArray, IntArray]:
    """(row, col) of the ``k`` largest finite entries of every row, ties to the lower index.

    ``np.argpartition`` does not promise which of several equal values it keeps, so
    only the k-th largest *value* is taken from ``np.partition`` (that value is
    unambiguous); cells strictly above it are in, and cells equal to it are added
    in index order until the row has ``k``.  ``-inf`` marks excluded cells.  The
    result for a row depends on that row alone, so chunking cannot change it.
    """
    n = vals.shape[1]
    if k >= n:
        r, c = np.nonzero(np.isfinite(vals))
        return r.astype(np.int64), c.astype(np.int64)
    kth = np.partition(vals, n - k, axis=1)[:, n - k]
    # Only the few cells >= the k-th value are examined further; np.nonzero lists
    # them in row-major order, i.e. by row, then by column index.
    r, c = np.nonzero(vals >= kth[:, None])
    v = vals[r, c]
    tied = v == kth[r]
    room = k - np.bincount(r[~tied], minlength=vals.shape[0])
    # Rank of each tied cell among its row's tied cells (1, 2, ...), in column order.
    seen = np.cumsum(tied)
    row_first = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    before = (seen - tied)[row_first]
    rank = seen - np.repeat(before, np.diff(np.r_[row_first, r.shape[0]]))
    keep = (~tied | (rank <= room[r])) & np.isfinite(v)
    return r[keep].astype(np.int64), c[keep].astype(np.int64)


def _candidate_pairs(
    w: FloatArray, cap: IntArray, banned: BoolArray, k: int
) -> tuple[IntArray, IntArray]:
    """Allowed (row, col) pairs: each row's top-k columns and each column's top-k rows.

    Top-k per mentee alone is a trap: popular mentors collect every mentee's
    candidacy and unpopular ones none, leaving mentees unpaired and losing several
    percent of the total.  Adding each mentor's own best mentees fixes that.
    """
    n_rows, n_cols = w.shape
    unusable = cap <= 0
    keys: list[IntArray] = []
    # Rows, a chunk at a time to bound temporaries.
    step = max(1, _CHUNK_CELLS // n_cols)
    for start in range(0, n_rows, step):
        vals = np.where(banned[start : start + step] | unusable, -np.inf, w[start : start + step])
        r, c = _topk(vals, k)
        keys.append((r + start) * n_cols + c)
    # Columns, grouped by capacity: a mentor with c slots needs about k * c mentees.
    step = max(1, _CHUNK_CELLS // n_rows)
    for c_val in np.unique(cap[~unusable]):
        cols = np.flatnonzero(cap == c_val)
        kc = int(min(n_rows, k * int(c_val)))
        for start in range(0, cols.shape[0], step):
            block = cols[start : start + step]
            # A contiguous run of columns is read as a slice (no gather).  Mask while
            # reading row-major, then transpose once so each mentor is a C row.
            if block[-1] - block[0] + 1 == block.shape[0]:
                part: slice | IntArray = slice(int(block[0]), int(block[-1]) + 1)
            else:
                part = block
            vals = np.ascontiguousarray(np.where(banned[:, part], -np.inf, w[:, part]).T)
            jj, ii = _topk(vals, kc)
            keys.append(ii * n_cols + block[jj])
    key = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    return key // n_cols, key % n_cols


def _solve_sparse(
    n_rows: int,
    rows: IntArray,
    cols: IntArray,
    values: FloatArray,
    w_max: float,
    span: float,
    cap: IntArray,
) -> list[Pair]:
    """Exact optimum on the given candidate pairs (values[k] for rows[k], cols[k]),
    each pair expanded to all of its mentor's slots."""
    slot_start = np.concatenate(([0], np.cumsum(cap)[:-1])).astype(np.int64)
    n_slots = int(cap.sum())
    reps = cap[cols]
    e_rows = np.repeat(rows, reps)
    e_cols = np.repeat(cols, reps)
    # Slot index within the mentor: 0..cap-1 for each expanded pair.
    offsets = np.arange(e_rows.shape[0], dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
    e_slots = slot_start[e_cols] + offsets
    # SciPy treats zero weights as missing edges, so real costs live in [1, span + 1].
    e_cost = (w_max - np.repeat(values, reps)) + 1.0
    # Private dummy column per row: the graph always has a full matching, so the
    # solver never reports "infeasible".  Its cost exceeds any full set of real
    # edges (n_rows * (span + 1)), so a real pair always beats leaving a row unpaired.
    dummy = n_rows * (span + 1.0) + 1.0
    all_rows = np.concatenate((e_rows, np.arange(n_rows, dtype=np.int64)))
    all_cols = np.concatenate((e_slots, n_slots + np.arange(n_rows, dtype=np.int64)))
    all_cost = np.concatenate((e_cost, np.full(n_rows, dummy)))
    graph = csr_matrix((all_cost, (all_rows, all_cols)), shape=(n_rows, n_slots + n_rows))
    r_ind, s_ind = min_weight_full_bipartite_matching(graph)
    owner = np.repeat(np.arange(cap.shape[0], dtype=np.int64), cap)
    real = s_ind < n_slots
    return [(int(r), int(c)) for r, c in zip(r_ind[real], owner[s_ind[real]], strict=True)]


def _assign_sparse(
    w: FloatArray, w_max: float, span: float, cap: IntArray, banned: BoolArray, k: int
) -> list[Pair]:
    n_rows, n_cols = w.shape
    rows, cols = _candidate_pairs(w, cap, banned, k)
    pairs = _solve_sparse(n_rows, rows, cols, w[rows, cols], w_max, span, cap)
    if len(pairs) == min(n_rows, int(cap.sum())):
        return pairs  # every mentee or every slot is taken: cardinality is maximal
    unpaired = np.setdiff1d(np.arange(n_rows), [r for r, _ in pairs])
    # Some mentees were left out.  Often that is forced (their mentors are full or
    # forbidden), but it can also be an artefact of the candidate graph, so give
    # those mentees every allowed mentor and solve once more.  Bounded to the size
    # of the existing graph so a heavily constrained programme cannot blow memory.
    budget = max(rows.shape[0], n_cols)
    keys = [rows * n_cols + cols]
    used = 0
    for i in unpaired:
        ok = np.flatnonzero(~banned[i] & (cap > 0))
        if used + ok.shape[0] > budget:
            break
        keys.append(int(i) * n_cols + ok.astype(np.int64))
        used += ok.shape[0]
    if used == 0:
        return pairs
    key = np.unique(np.concatenate(keys))
    rows, cols = key // n_cols, key % n_cols
    return _solve_sparse(n_rows, rows, cols, w[rows, cols], w_max, span, cap)


def assign_candidates(
    rows: npt.ArrayLike,
    cols: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    n_rows: int,
    capacity: npt.ArrayLike,
) -> list[Pair]:
    """`assign` on a candidate graph given as (row, column, score) triples.

    For problems too large for a dense matrix: the caller picks the candidates (each
    mentee's best mentors and each mentor's best mentees, see `top_k`) and gives their
    scores; pairs outside the candidates are never formed. Maximises the number of
    pairs, then the total score, exactly on that graph. Returns (row, column) pairs
    sorted by row.
    """
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    cap = _as_capacity(capacity, int(np.asarray(capacity).shape[0]))
    if not (r.shape == c.shape == v.shape) or r.ndim != 1:
        raise ValueError("rows, cols and values must be 1-D arrays of one length")
    if not np.isfinite(v).all():
        raise ValueError("candidate scores must be finite")
    usable = cap[c] > 0 if c.size else np.zeros(0, dtype=np.bool_)
    r, c, v = r[usable], c[usable], v[usable]
    if n_rows == 0 or r.size == 0:
        return []
    key = r * cap.shape[0] + c
    key, first = np.unique(key, return_index=True)
    r, c, v = key // cap.shape[0], key % cap.shape[0], v[first]
    w_max, span = float(v.max()), float(v.max() - v.min())
    pairs = _solve_sparse(n_rows, r, c, v, w_max, span, cap)
    pairs.sort()
    return pairs


def top_k(vals: FloatArray, k: int) -> tuple[IntArray, IntArray]:
    """(row, col) of the `k` largest finite entries of every row; ties to the lower index.

    `-inf` marks cells that must not be chosen. Deterministic: a row's result depends
    on that row alone, never on chunking or on np.argpartition's tie order.
    """
    return _topk(vals, k)


# --------------------------------------------------------------------------- stable matching


def _check_prefs(prefs: Sequence[Sequence[int]], n_other: int, side: str) -> None:
    for who, lst in enumerate(prefs):
        seen: set[int] = set()
        for x in lst:
            if not 0 <= x < n_other:
                raise ValueError(f"{side} {who} lists {x}, outside 0..{n_other - 1}")
            if x in seen:
                raise ValueError(f"{side} {who} lists {x} twice")
            seen.add(x)


def _capacity_list(capacity: Sequence[int] | None, n_mentors: int) -> list[int]:
    if capacity is None:
        return [1] * n_mentors
    cap = [int(c) for c in capacity]
    if len(cap) != n_mentors:
        raise ValueError(f"capacity has {len(cap)} entries, expected {n_mentors} (one per mentor)")
    if any(c < 0 for c in cap):
        raise ValueError("capacity must be >= 0")
    return cap


def stable_match(
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: Sequence[int] | None = None,
) -> list[Pair]:
    """Mentee-proposing deferred acceptance (Gale-Shapley, hospitals/residents form).

    Args:
        mentee_prefs: for each mentee, mentor indices from most to least preferred.
        mentor_prefs: for each mentor, mentee indices from most to least preferred.
        capacity: mentees each mentor may take; default 1 each.

    A pair is acceptable only if each side lists the other; unlisted means
    unacceptable.  The result is stable (see :func:`blocking_pairs`) and the best
    stable matching for every mentee (mentee-optimal).  Returns ``(mentee, mentor)``
    pairs sorted by mentee.

    Raises:
        ValueError: an index out of range, listed twice, or a bad capacity.
    """
    n_mentees, n_mentors = len(mentee_prefs), len(mentor_prefs)
    _check_prefs(mentee_prefs, n_mentors, "mentee")
    _check_prefs(mentor_prefs, n_mentees, "mentor")
    cap = _capacity_list(capacity, n_mentors)
    rank = [{m: r for r, m in enumerate(lst)} for lst in mentor_prefs]
    nxt = [0] * n_mentees  # next position to propose to in each mentee's list
    held: list[list[tuple[int, int]]] = [[] for _ in range(n_mentors)]  # heaps of (-rank, mentee)
    free = deque(range(n_mentees))
    while free:
        i = free.popleft()
        while nxt[i] < len(mentee_prefs[i]):
            j = mentee_prefs[i][nxt[i]]
            nxt[i] += 1
            r = rank[j].get(i)
            if r is None or cap[j] == 0:
                continue  # mentor does not accept this mentee at all
            if len(held[j]) < cap[j]:
                heapq.heappush(held[j], (-r, i))
                break
            if r < -held[j][0][0]:  # preferred to the worst mentee currently held
                _, bumped = heapq.heapreplace(held[j], (-r, i))
                free.append(bumped)
                break
    return sorted((i, j) for j, heap in enumerate(held) for _, i in heap)


def blocking_pairs(
    matching: Sequence[tuple[int, int]],
    mentee_prefs: Sequence[Sequence[int]],
    mentor_prefs: Sequence[Sequence[int]],
    capacity: Sequence[int] | None = None,
) -> list[Pair]:
    """Every pair ``(mentee, mentor)`` that would rather be together than as matched.

    A mutually acceptable pair blocks when the mentee is unpaired or prefers the
    mentor to its partner, and the mentor has a free slot or prefers the mentee to
    its least preferred current mentee.  An empty list means the matching is stable.

    Raises:
        ValueError: the matching is malformed (index out of range, a mentee twice,
            a mentor over capacity, or a pair that is not mutually acceptable).
    """
    n_mentees, n_mentors = len(mentee_prefs), len(mentor_prefs)
    _check_prefs(mentee_prefs, n_mentors, "mentee")
    _check_prefs(mentor_prefs, n_mentees, "mentor")
    cap = _capacity_list(capacity, n_mentors)
    mentee_rank = [{m: r for r, m in enumerate(lst)} for lst in mentee_prefs]
    mentor_rank = [{m: r for r, m in enumerate(lst)} for lst in mentor_prefs]
    partner: dict[int, int] = {}
    load = [0] * n_mentors
    worst = [-1] * n_mentors  # rank of the least preferred mentee each mentor holds
    for i, j in matching:
        if not (0 <= i < n_mentees and 0 <= j < n_mentors):
            raise ValueError(f"pair ({i}, {j}) is out of range")
        if i in partner:
            raise ValueError(f"mentee {i} is matched twice")
        if j not in mentee_rank[i] or i not in mentor_rank[j]:
            raise ValueError(f"pair ({i}, {j}) is not mutually acceptable")
        partner[i] = j
        load[j] += 1
        if load[j] > cap[j]:
            raise ValueError(f"mentor {j} has more than {cap[j]} mentees")
        worst[j] = max(worst[j], mentor_rank[j][i])
    out: list[Pair] = []
    for i, lst in enumerate(mentee_prefs):
        stop = mentee_rank[i][partner[i]] if i in partner else len(lst)
        for j in lst[:stop]:  # mentors i prefers to its current situation
            r = mentor_rank[j].get(i)
            if r is not None and (load[j] < cap[j] or r < worst[j]):
                out.append((i, j))
    return sorted(out)


def prefs_from_scores(
    scores: npt.ArrayLike, forbidden: npt.ArrayLike | None = None
) -> tuple[list[list[int]], list[list[int]]]:
    """Preference lists for both sides from a score matrix (higher score = preferred).

    Returns ``(mentee_prefs, mentor_prefs)`` as used by :func:`stable_match`: each
    mentee's mentors by descending ``scores[i, :]`` and each mentor's mentees by
    descending ``scores[:, j]``; ties go to the lower index; forbidden cells are
    left out (unacceptable).

    Raises:
        ValueError: on malformed input, as for :func:`assign`.
    """
    w = _as_scores(scores)
    banned = _as_forbidden(forbidden, w.shape)
    # A stable sort of the negated scores orders by descending score, ties by index.
    by_row = np.argsort(-w, axis=1, kind="stable")
    by_col = np.argsort(-w, axis=0, kind="stable")
    mentee_prefs = [[int(j) for j in by_row[i] if not banned[i, j]] for i in range(w.shape[0])]
    mentor_prefs = [[int(i) for i in by_col[:, j] if not banned[i, j]] for j in range(w.shape[1])]
    return mentee_prefs, mentor_prefs
