"""Tests for rmentor.matching.solver: optimal assignment and stable matching."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

import rmentor.engines.matching.solver as solver_mod
from rmentor.engines.matching.solver import _topk, prefs_from_scores
from rmentor.matching import assign, blocking_pairs, stable_match
from tests.conftest import REPO

ORLIB = REPO.parent / "shared" / "data" / "orlib"
ORLIB_OPTIMA = {100: 305, 200: 475, 300: 626, 400: 804}

Pairs = list[tuple[int, int]]


# --------------------------------------------------------------------------- helpers


def load_orlib(n: int) -> npt.NDArray[np.int64]:
    path = ORLIB / f"assign{n}.txt"
    if not path.is_file():
        pytest.skip(f"OR-Library instance not found at {path} (shared data not mounted)")
    nums = np.array(path.read_text().split(), dtype=np.int64)
    assert nums[0] == n
    return nums[1:].reshape(n, n)


def total(scores: npt.ArrayLike, pairs: Pairs) -> float:
    arr = np.asarray(scores)
    return float(sum(arr[i, j] for i, j in pairs))


def check_valid(
    pairs: Pairs,
    shape: tuple[int, int],
    capacity: npt.ArrayLike | None = None,
    forbidden: npt.ArrayLike | None = None,
) -> None:
    """Rows used once, capacities respected, nothing forbidden, sorted by row."""
    n_rows, n_cols = shape
    cap = np.ones(n_cols, dtype=int) if capacity is None else np.asarray(capacity)
    rows = [i for i, _ in pairs]
    assert rows == sorted(rows)
    assert len(set(rows)) == len(rows), "a mentee is used twice"
    load = np.zeros(n_cols, dtype=int)
    for i, j in pairs:
        assert 0 <= i < n_rows
        assert 0 <= j < n_cols
        assert isinstance(i, int)
        assert isinstance(j, int)
        load[j] += 1
        if forbidden is not None:
            assert not np.asarray(forbidden)[i, j], f"forbidden pair {(i, j)} used"
    assert (load <= cap).all(), f"capacity exceeded: load {load} > {cap}"


def brute_force(
    scores: npt.NDArray[np.int64], capacity: list[int], forbidden: npt.NDArray[np.bool_]
) -> tuple[int, int]:
    """(max number of pairs, best total among those), over every possible assignment.

    Exhaustive: each row in turn takes any allowed column with room, or nothing.
    Memoised on (row, remaining capacities) so 6 x 6 stays fast.
    """
    n_rows, n_cols = scores.shape

    @cache
    def best(i: int, room: tuple[int, ...]) -> tuple[int, int]:
        if i == n_rows:
            return (0, 0)
        options = [best(i + 1, room)]
        for j in range(n_cols):
            if room[j] > 0 and not forbidden[i, j]:
                rest = (*room[:j], room[j] - 1, *room[j + 1 :])
                card, tot = best(i + 1, rest)
                options.append((card + 1, tot + int(scores[i, j])))
        return max(options)

    return best(0, tuple(capacity))


def max_cardinality(
    shape: tuple[int, int], capacity: list[int], forbidden: npt.NDArray[np.bool_]
) -> int:
    """Maximum number of pairs, by SciPy's Hopcroft-Karp on the slot-expanded graph."""
    n_rows, n_cols = shape
    owner = np.repeat(np.arange(n_cols), capacity)
    if n_rows == 0 or owner.size == 0:
        return 0
    allowed = ~forbidden[:, owner]
    if not allowed.any():
        return 0
    graph = csr_matrix(allowed.astype(np.int8))
    match = maximum_bipartite_matching(graph, perm_type="column")
    return int((match >= 0).sum())


# --------------------------------------------------------------------------- OR-Library


@pytest.mark.parametrize("n", sorted(ORLIB_OPTIMA))
def test_orlib_minimise(n: int) -> None:
    cost = load_orlib(n)
    pairs = assign(cost, maximize=False)
    assert len(pairs) == n
    check_valid(pairs, cost.shape)
    assert total(cost, pairs) == ORLIB_OPTIMA[n]


@pytest.mark.parametrize("n", sorted(ORLIB_OPTIMA))
def test_orlib_maximise(n: int) -> None:
    cost = load_orlib(n)
    pairs = assign(101 - cost)
    assert len(pairs) == n
    assert total(101 - cost, pairs) == 101 * n - ORLIB_OPTIMA[n]


@pytest.mark.parametrize("n", [100, 200])
@pytest.mark.parametrize("maximize", [False, True])
def test_orlib_sparse_path(n: int, maximize: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    cost = load_orlib(n)

    def no_dense(*args: object, **kwargs: object) -> None:
        raise AssertionError("dense solver used although dense_limit=0")

    monkeypatch.setattr(solver_mod, "linear_sum_assignment", no_dense)
    if maximize:
        pairs = assign(101 - cost, dense_limit=0)
        got = 101 * n - total(101 - cost, pairs)
    else:
        pairs = assign(cost, maximize=False, dense_limit=0)
        got = total(cost, pairs)
    assert len(pairs) == n
    check_valid(pairs, cost.shape)
    assert got <= ORLIB_OPTIMA[n] * 1.001


# --------------------------------------------------------------------------- hand examples


def test_capacity_hand_example() -> None:
    scores = [[5, 1], [4, 1], [3, 2]]
    assert assign(scores, capacity=[2, 1]) == [(0, 0), (1, 0), (2, 1)]
    assert assign(scores, capacity=[0, 3]) == [(0, 1), (1, 1), (2, 1)]
    # Only two slots for three mentees: the best two pairs that fit.
    assert assign(scores, capacity=[1, 1]) == [(0, 0), (2, 1)]


@pytest.mark.parametrize("dense_limit", [solver_mod.DEFAULT_DENSE_LIMIT, 0])
def test_most_pairs_before_best_total(dense_limit: int) -> None:
    # Pairing (0, 0) alone scores 100; two pairs score only 3 -- two pairs win.
    scores = np.array([[100, 1], [2, 0]])
    forbidden = np.array([[False, False], [False, True]])
    pairs = assign(scores, forbidden=forbidden, dense_limit=dense_limit)
    assert pairs == [(0, 1), (1, 0)]
    # Same when minimising: -100 alone would be cheaper, but two pairs come first.
    pairs = assign(-scores, forbidden=forbidden, maximize=False, dense_limit=dense_limit)
    assert pairs == [(0, 1), (1, 0)]


@pytest.mark.parametrize("dense_limit", [solver_mod.DEFAULT_DENSE_LIMIT, 0])
def test_forbidden_never_used(dense_limit: int) -> None:
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 100, size=(40, 30))
    forbidden = rng.random((40, 30)) < 0.3
    # Make forbidden cells the most attractive so any leak would be picked.
    scores[forbidden] = 10_000
    cap = rng.integers(0, 3, size=30)
    pairs = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=dense_limit, candidates=5)
    check_valid(pairs, scores.shape, cap, forbidden)
    assert len(pairs) == max_cardinality(scores.shape, list(cap), forbidden)


def test_row_with_everything_forbidden_is_left_out() -> None:
    scores = np.arange(9).reshape(3, 3)
    forbidden = np.zeros((3, 3), dtype=bool)
    forbidden[1] = True
    for dl in (solver_mod.DEFAULT_DENSE_LIMIT, 0):
        pairs = assign(scores, forbidden=forbidden, dense_limit=dl)
        assert [i for i, _ in pairs] == [0, 2]


def test_sparse_repairs_pairs_lost_by_candidate_graph() -> None:
    # With one candidate per side every mentee's best mentor is 0 and every
    # mentor's best mentee is 0, so the candidate graph pairs only two mentees;
    # the repair round gives the leftover mentee all its mentors back.
    scores = np.array([[10, 9, 8], [5, 1, 1], [5, 1, 1]])
    pairs = assign(scores, dense_limit=0, candidates=1)
    assert len(pairs) == 3
    assert total(scores, pairs) == 15 == total(scores, assign(scores))


def test_sparse_matches_dense_on_medium_instance() -> None:
    rng = np.random.default_rng(11)
    scores = rng.integers(0, 1000, size=(300, 120))
    cap = rng.integers(1, 4, size=120)
    forbidden = rng.random(scores.shape) < 0.1
    dense = assign(scores, capacity=cap, forbidden=forbidden)
    sparse = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=0, candidates=20)
    check_valid(dense, scores.shape, cap, forbidden)
    check_valid(sparse, scores.shape, cap, forbidden)
    assert len(sparse) == len(dense) == min(300, int(cap.sum()))
    assert total(scores, sparse) >= total(scores, dense) * 0.999


def test_rectangular_more_slots_than_mentees() -> None:
    scores = np.array([[1, 5, 3, 2]])
    assert assign(scores) == [(0, 1)]
    assert assign(scores, maximize=False) == [(0, 0)]
    assert assign(scores, dense_limit=0) == [(0, 1)]


def test_float_scores_and_list_input() -> None:
    scores = [[0.25, 0.5], [0.75, 0.125]]
    assert assign(scores) == [(0, 1), (1, 0)]
    assert assign(scores, maximize=False) == [(0, 0), (1, 1)]


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(40))
def test_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_rows, n_cols = (int(x) for x in rng.integers(1, 7, size=2))
    scores = rng.integers(-20, 21, size=(n_rows, n_cols))
    cap = [int(c) for c in rng.integers(0, 3, size=n_cols)]
    forbidden = rng.random((n_rows, n_cols)) < 0.35
    want_card, want_total = brute_force(scores, cap, forbidden)
    for dense_limit in (solver_mod.DEFAULT_DENSE_LIMIT, 0):
        pairs = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=dense_limit)
        check_valid(pairs, scores.shape, cap, forbidden)
        assert (len(pairs), total(scores, pairs)) == (want_card, want_total)
    # Minimising is maximising the negated scores.
    pairs = assign(-scores, capacity=cap, forbidden=forbidden, maximize=False)
    assert (len(pairs), total(scores, pairs)) == (want_card, want_total)


@st.composite
def instances(
    draw: st.DrawFn,
) -> tuple[npt.NDArray[np.int64], list[int], npt.NDArray[np.bool_]]:
    n_rows = draw(st.integers(0, 6))
    n_cols = draw(st.integers(0, 5))
    cells = n_rows * n_cols
    vals = draw(st.lists(st.integers(-5, 5), min_size=cells, max_size=cells))
    bans = draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    cap = draw(st.lists(st.integers(0, 3), min_size=n_cols, max_size=n_cols))
    scores = np.array(vals, dtype=np.int64).reshape(n_rows, n_cols)
    forbidden = np.array(bans, dtype=bool).reshape(n_rows, n_cols)
    return scores, cap, forbidden


@settings(max_examples=150, deadline=None)
@given(instances(), st.sampled_from([solver_mod.DEFAULT_DENSE_LIMIT, 0]))
def test_property_capacity_forbidden_cardinality(
    inst: tuple[npt.NDArray[np.int64], list[int], npt.NDArray[np.bool_]], dense_limit: int
) -> None:
    scores, cap, forbidden = inst
    pairs = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=dense_limit)
    check_valid(pairs, scores.shape, cap, forbidden)
    assert len(pairs) == max_cardinality(scores.shape, cap, forbidden)
    assert total(scores, pairs) == brute_force(scores, cap, forbidden)[1]


@settings(max_examples=60, deadline=None)
@given(instances())
def test_property_sparse_with_tiny_candidate_sets_stays_valid(
    inst: tuple[npt.NDArray[np.int64], list[int], npt.NDArray[np.bool_]],
) -> None:
    # With one candidate per side optimality is not promised, validity is.
    scores, cap, forbidden = inst
    pairs = assign(scores, capacity=cap, forbidden=forbidden, dense_limit=0, candidates=1)
    check_valid(pairs, scores.shape, cap, forbidden)


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("dense_limit", [solver_mod.DEFAULT_DENSE_LIMIT, 0])
def test_deterministic(dense_limit: int) -> None:
    rng = np.random.default_rng(3)
    # Few distinct values: many ties, the situation where solvers may wander.
    scores = rng.integers(0, 4, size=(250, 200))
    cap = rng.integers(1, 3, size=200)
    forbidden = rng.random(scores.shape) < 0.05

    def run(s: npt.ArrayLike) -> Pairs:
        return assign(s, capacity=cap, forbidden=forbidden, dense_limit=dense_limit, candidates=5)

    first = run(scores)
    assert run(scores.copy()) == first
    assert run(np.asfortranarray(scores.astype(np.float32))) == first
    assert run(scores.tolist()) == first


def test_topk_ties_go_to_lower_index() -> None:
    vals = np.array(
        [
            [1.0, 1.0, 1.0, 1.0],
            [0.0, 2.0, 1.0, 1.0],
            [1.0, -np.inf, 1.0, 3.0],
            [2.0, 2.0, 1.0, 2.0],
        ]
    )
    r, c = _topk(vals, 2)
    assert list(zip(r.tolist(), c.tolist(), strict=True)) == [
        (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 3), (3, 0), (3, 1)
    ]  # fmt: skip
    # Excluded (-inf) cells are never candidates, even if the row is short.
    r, c = _topk(np.array([[-np.inf, 5.0, -np.inf], [-np.inf] * 3]), 2)
    assert (r.tolist(), c.tolist()) == ([0], [1])
    # Same selection whatever the row order: each row stands alone.
    rng = np.random.default_rng(5)
    big = rng.integers(0, 3, size=(60, 40)).astype(np.float64)
    r, c = _topk(big, 7)
    assert np.bincount(r).tolist() == [7] * 60
    r2, c2 = _topk(big[::-1].copy(), 7)
    assert sorted(zip((59 - r2).tolist(), c2.tolist(), strict=True)) == sorted(
        zip(r.tolist(), c.tolist(), strict=True)
    )
    for row in range(60):
        chosen = c[r == row]
        order = sorted(range(40), key=lambda j: (-big[row, j], j))[:7]
        assert sorted(chosen.tolist()) == sorted(order)


def test_candidates_independent_of_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(9)
    scores = rng.integers(0, 5, size=(90, 70)).astype(np.float64)  # many ties
    cap = rng.integers(0, 3, size=70)
    banned = rng.random(scores.shape) < 0.2
    first = solver_mod._candidate_pairs(scores, cap, banned, 4)
    for cells in (1, 150, 10_000):
        monkeypatch.setattr(solver_mod, "_CHUNK_CELLS", cells)
        again = solver_mod._candidate_pairs(scores, cap, banned, 4)
        assert np.array_equal(again[0], first[0])
        assert np.array_equal(again[1], first[1])
    assert not banned[first].any()
    assert (cap[first[1]] > 0).all()


# --------------------------------------------------------------------------- validation


def test_empty_inputs() -> None:
    assert assign(np.zeros((0, 3))) == []
    assert assign(np.zeros((3, 0))) == []
    assert assign([]) == []
    assert assign([[]]) == []
    assert assign(np.ones((2, 2)), capacity=[0, 0]) == []
    assert assign(np.ones((2, 2)), forbidden=np.ones((2, 2), dtype=bool)) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": [1, 2, 3]}, "2-D"),
        ({"scores": [[1.0, float("nan")]]}, "NaN"),
        ({"scores": [[1.0, float("inf")]]}, "infinite"),
        ({"scores": [["a", "b"]]}, "numbers"),
        ({"scores": np.ones((2, 3)), "forbidden": np.zeros((3, 2), dtype=bool)}, "shape"),
        ({"scores": np.ones((2, 3)), "forbidden": np.zeros((2, 3), dtype=int)}, "boolean"),
        ({"scores": np.ones((2, 3)), "capacity": [1, 1]}, "one entry per mentor"),
        ({"scores": np.ones((2, 3)), "capacity": [1, -1, 1]}, ">= 0"),
        ({"scores": np.ones((2, 3)), "capacity": [1, 1.5, 1]}, "whole numbers"),
        ({"scores": np.ones((2, 3)), "candidates": 0}, "candidates"),
        ({"scores": np.ones((2, 3)), "dense_limit": -1}, "dense_limit"),
    ],
)
def test_invalid_input(kwargs: dict[str, object], message: str) -> None:
    scores = kwargs.pop("scores")
    with pytest.raises(ValueError, match=message):
        assign(scores, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- stable matching

A, B, C = 0, 1, 2
X, Y, Z = 0, 1, 2
MEN = [[X, Y, Z], [Y, Z, X], [Y, X, Z]]
WOMEN = [[B, C, A], [A, C, B], [A, B, C]]


def brute_blocking(
    matching: Pairs, m_prefs: list[list[int]], w_prefs: list[list[int]], cap: list[int]
) -> list[tuple[int, int]]:
    """Blocking pairs straight from the definition, for cross-checking."""
    partner = dict(matching)
    held = {j: [i for i, jj in matching if jj == j] for j in range(len(w_prefs))}
    out = []
    for i, lst in enumerate(m_prefs):
        for j in lst:
            if i not in w_prefs[j] or partner.get(i) == j:
                continue
            mentee_wants = i not in partner or lst.index(j) < lst.index(partner[i])
            mentor_wants = len(held[j]) < cap[j] or any(
                w_prefs[j].index(i) < w_prefs[j].index(k) for k in held[j]
            )
            if mentee_wants and mentor_wants:
                out.append((i, j))
    return sorted(out)


def all_matchings(
    m_prefs: list[list[int]], w_prefs: list[list[int]], cap: list[int]
) -> list[Pairs]:
    """Every individually rational matching (mutually acceptable pairs within capacity)."""
    options = [[None, *[j for j in lst if i in w_prefs[j]]] for i, lst in enumerate(m_prefs)]
    out = []
    for choice in itertools.product(*options):
        pairs = [(i, j) for i, j in enumerate(choice) if j is not None]
        load = [sum(1 for _, j in pairs if j == jj) for jj in range(len(w_prefs))]
        if all(x <= c for x, c in zip(load, cap, strict=True)):
            out.append(pairs)
    return out


def test_stable_marriage_reference_case() -> None:
    result = stable_match(MEN, WOMEN)
    assert result == [(A, X), (B, Z), (C, Y)]
    assert blocking_pairs(result, MEN, WOMEN) == []
    # The receiver-optimal matching {A:Y, B:Z, C:X} is also stable.
    assert blocking_pairs([(A, Y), (B, Z), (C, X)], MEN, WOMEN) == []
    # Women proposing yields it, as mentors-as-proposers on the swapped lists.
    swapped = stable_match(WOMEN, MEN)
    assert sorted((m, w) for w, m in swapped) == [(A, Y), (B, Z), (C, X)]


def test_blocking_pairs_on_unstable_matching() -> None:
    unstable = [(A, Z), (B, Y), (C, X)]
    # A prefers Y to Z and Y prefers A to B; C prefers Y to X and Y prefers C to B.
    assert blocking_pairs(unstable, MEN, WOMEN) == [(A, Y), (C, Y)]
    # Leaving someone unmatched also creates blocking pairs.
    assert blocking_pairs([(A, X), (B, Z)], MEN, WOMEN) != []


def test_stable_match_with_capacity_and_unacceptable_pairs() -> None:
    mentees = [[0, 1], [0, 1], [0], [1]]
    mentors = [[3, 2, 1, 0], [0, 1, 3]]  # mentor 1 finds mentee 2 unacceptable
    result = stable_match(mentees, mentors, capacity=[2, 1])
    # Mentor 0 keeps its two favourites among proposers (2 and 1); 0 falls to mentor 1.
    assert result == [(0, 1), (1, 0), (2, 0)]
    assert blocking_pairs(result, mentees, mentors, capacity=[2, 1]) == []
    # Mentee 3 only wants mentor 1, who prefers mentee 0: 3 stays unmatched, no block.
    assert 3 not in dict(result)


@pytest.mark.parametrize("seed", range(40))
def test_stable_match_random_is_stable_and_mentee_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_m, n_w = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    # Mostly short of slots and mostly long lists, so mentors often have to choose.
    cap = [int(c) for c in rng.choice([0, 1, 1, 2], size=n_w)]

    def random_prefs(n: int, n_other: int) -> list[list[int]]:
        lengths = rng.integers(n_other // 2, n_other + 1, size=n)
        return [[int(x) for x in rng.permutation(n_other)[:k]] for k in lengths]

    m_prefs, w_prefs = random_prefs(n_m, n_w), random_prefs(n_w, n_m)
    result = stable_match(m_prefs, w_prefs, cap)
    check_valid(result, (n_m, n_w), cap)
    assert blocking_pairs(result, m_prefs, w_prefs, cap) == []
    assert brute_blocking(result, m_prefs, w_prefs, cap) == []
    stable = []
    for matching in all_matchings(m_prefs, w_prefs, cap):
        found = blocking_pairs(matching, m_prefs, w_prefs, cap)
        assert found == brute_blocking(matching, m_prefs, w_prefs, cap)
        if not found:
            stable.append(matching)
    assert result in stable
    # Mentee-optimal: no stable matching gives any mentee a better partner.
    mine = dict(result)
    for matching in stable:
        for i, j in matching:
            assert i in mine
            assert m_prefs[i].index(mine[i]) <= m_prefs[i].index(j)


def test_stable_match_validation() -> None:
    with pytest.raises(ValueError, match="outside"):
        stable_match([[0, 5]], [[0]])
    with pytest.raises(ValueError, match="twice"):
        stable_match([[0, 0]], [[0]])
    with pytest.raises(ValueError, match="capacity"):
        stable_match([[0]], [[0]], capacity=[1, 1])
    with pytest.raises(ValueError, match="matched twice"):
        blocking_pairs([(0, 0), (0, 1)], [[0, 1]], [[0], [0]])
    with pytest.raises(ValueError, match="more than"):
        blocking_pairs([(0, 0), (1, 0)], [[0], [0]], [[0, 1]])
    with pytest.raises(ValueError, match="not mutually acceptable"):
        blocking_pairs([(0, 0)], [[0]], [[]])


def test_stable_match_empty() -> None:
    assert stable_match([], []) == []
    assert stable_match([[]], [[]]) == []
    assert blocking_pairs([], [], []) == []


def test_prefs_from_scores() -> None:
    scores = [[1, 3, 3], [2, 2, 0]]
    forbidden = [[False, False, True], [False, False, False]]
    mentees, mentors = prefs_from_scores(scores, forbidden)
    assert mentees == [[1, 0], [0, 1, 2]]
    assert mentors == [[1, 0], [0, 1], [1]]
    # Unforbidden: ties go to the lower index.
    mentees, _ = prefs_from_scores(scores)
    assert mentees[0] == [1, 2, 0]
    result = stable_match(mentees, prefs_from_scores(scores)[1])
    assert blocking_pairs(result, mentees, prefs_from_scores(scores)[1]) == []
