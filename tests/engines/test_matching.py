"""Tests for the matching engine: rules, optimality, determinism, stability, withdraw, explain.

The rules are checked by a checker written here, independently of the engine's
vectorised rule functions: per pair, in plain Python, straight from SPEC §3 and the
documentation in rmentor/matching/criteria.py.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

import rmentor.engines.matching.engine as engine
from rmentor.engines.matching.criteria import Block
from rmentor.engines.matching.engine import MatchingProblem, MatchResult, match, withdraw
from rmentor.engines.matching.explain import explain
from rmentor.errors import RmentorError, Severity
from rmentor.files.load import read_program
from rmentor.files.state import pairings_text, parse_pairings, read_pairings
from rmentor.model.config import (
    GenderRule,
    Matching,
    ProgramConfig,
    Rule,
    Rules,
    SeniorityRule,
    SharedHoursRule,
    Weights,
)
from rmentor.model.pairings import Pairing, PairingState, Withdrawal, pair_id
from rmentor.model.people import Participant
from tests.engines.test_shared_hours import worst_minutes
from tests.rosters import (
    Roster,
    make_config,
    person,
    program_yaml,
    roster_csv,
    rosters,
    window,
)

TODAY = dt.date(2027, 1, 4)
LATER = dt.date(2027, 2, 15)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# How a feasibility reason names each hard rule ("… 2 excluded by reporting line").
RULE_WORDS = {
    "excluded": "excluded pairs",
    "avoid": "avoid lists",
    "reporting_line": "reporting line",
    "history": "earlier cohorts",
    "seniority": "seniority",
    "gender": "gender rule",
    "shared_hours": "shared hours",
}
WORD_RULES = {v: k for k, v in RULE_WORDS.items()}


# --------------------------------------------------------------------------- the checker


def managers_above(pid: str, people: Mapping[str, Participant]) -> set[str]:
    """Everyone up a person's manager chain."""
    found: set[str] = set()
    current = people[pid].manager
    while current is not None and current in people and current not in found:
        found.add(current)
        current = people[current].manager
    return found


def shared_hours(a: Participant, b: Participant, config: ProgramConfig) -> float:
    """Hours a and b share in whole sessions in the program's worst week: the brute force
    of tests/engines/test_shared_hours.py (every date's offsets, minute by minute)."""
    return worst_minutes(a, b, config) / 60


def mentor_is_junior(mentor: Participant, mentee: Participant, min_gap: int) -> bool:
    """Level (by min_gap), else hired later, else born later; nothing known: fine."""
    if mentor.level is not None and mentee.level is not None:
        return mentee.level - mentor.level >= min_gap
    if mentor.hire_date is not None and mentee.hire_date is not None:
        return mentor.hire_date > mentee.hire_date
    if mentor.birth_year is not None and mentee.birth_year is not None:
        return mentor.birth_year > mentee.birth_year
    return True


def broken_rules(
    mentor: Participant,
    mentee: Participant,
    config: ProgramConfig,
    people: Mapping[str, Participant],
    history: Iterable[tuple[str, str]] = (),
    modes: Iterable[str] = ("hard",),
) -> set[str]:
    """The rules (in the given modes) that a pair breaks; excluded pairs are always hard."""
    rules = config.matching.rules
    modes = set(modes)
    out: set[str] = set()
    both = {(mentor.id, mentee.id), (mentee.id, mentor.id)}
    if "hard" in modes and both & set(config.matching.excluded):
        out.add("excluded")
    if rules.avoid.mode in modes and (mentee.id in mentor.avoid or mentor.id in mentee.avoid):
        out.add("avoid")
    if rules.reporting_line.mode in modes and (
        mentor.id in managers_above(mentee.id, people)
        or mentee.id in managers_above(mentor.id, people)
    ):
        out.add("reporting_line")
    if rules.history.mode in modes and both & set(history):
        out.add("history")
    if rules.seniority.mode in modes and not mentor_is_junior(
        mentor, mentee, rules.seniority.min_gap
    ):
        out.add("seniority")
    if rules.gender.mode in modes and mentor.gender and mentee.gender:
        same = mentor.gender == mentee.gender
        if (rules.gender.policy == "same" and not same) or (
            rules.gender.policy == "mixed" and same
        ):
            out.add("gender")
    if (
        rules.shared_hours.mode in modes
        and mentor.availability
        and mentee.availability
        and shared_hours(mentor, mentee, config) < rules.shared_hours.min_hours
    ):
        out.add("shared_hours")
    return out


def capacity_of(mentor: Participant, config: ProgramConfig) -> int:
    return mentor.capacity or config.matching.capacity


def most_pairs(
    allowed: np.ndarray, capacities: Sequence[int], rows: Sequence[int] | None = None
) -> int:
    """The maximum number of pairs (rows x mentor places) the allowed graph admits."""
    rows = list(range(allowed.shape[0])) if rows is None else list(rows)
    slots = [j for j, c in enumerate(capacities) for _ in range(max(c, 0))]
    if not rows or not slots:
        return 0
    graph = csr_matrix(allowed[np.ix_(rows, slots)].astype(np.int8))
    found = maximum_bipartite_matching(graph, perm_type="column")
    return int((found >= 0).sum())


def allowed_matrix(roster: Roster, people: Sequence[Participant] | None = None) -> np.ndarray:
    """mentees x mentors (both sorted by id): True where no hard rule is broken.

    Rows and columns are `people` (default: everyone); reporting lines run through
    the whole roster, people who withdrew included.
    """
    present = {p.id: p for p in (people or roster.people)}
    everyone = {p.id: p for p in roster.people}
    mentees = sorted((p for p in present.values() if p.role == "mentee"), key=lambda p: p.id)
    mentors = sorted((p for p in present.values() if p.role == "mentor"), key=lambda p: p.id)
    return np.array(
        [
            [not broken_rules(r, e, roster.config, everyone, roster.history) for r in mentors]
            for e in mentees
        ],
        dtype=bool,
    ).reshape(len(mentees), len(mentors))


def run(roster: Roster, previous: PairingState | None = None, **kw: object) -> MatchResult:
    return match(
        roster.config,
        roster.people,
        previous or PairingState(),
        today=kw.pop("today", TODAY),  # type: ignore[arg-type]
        history=roster.history,
        **kw,  # type: ignore[arg-type]
    )


def check_pairs_obey_rules(
    roster: Roster, pairs: Iterable[Pairing], people: Sequence[Participant] | None = None
) -> None:
    everyone = {p.id: p for p in roster.people}
    present = {p.id for p in (people or roster.people)}
    for pair in pairs:
        assert pair.mentor in present
        assert pair.mentee in present
        mentor, mentee = everyone[pair.mentor], everyone[pair.mentee]
        assert (mentor.role, mentee.role) == ("mentor", "mentee")
        broken = broken_rules(mentor, mentee, roster.config, everyone, roster.history)
        assert not broken, f"{pair.id} ({mentor.id} with {mentee.id}) breaks {broken}"


def check_capacity(roster: Roster, pairs: Sequence[Pairing]) -> None:
    mentors = {p.id: p for p in roster.mentors}
    load = Counter(p.mentor for p in pairs)
    for mentor_id, n in load.items():
        assert n <= capacity_of(mentors[mentor_id], roster.config), mentor_id
    mentees = Counter(p.mentee for p in pairs)
    assert all(n == 1 for n in mentees.values()), mentees


def parse_zero_reason(reason: str) -> dict[str, int]:
    """{'reporting_line': 2, …} from "0 eligible mentors: 2 excluded by reporting line, 1 by …"."""
    assert reason.startswith("0 eligible mentors: "), reason
    counts = {}
    for part in reason.removeprefix("0 eligible mentors: ").split(", "):
        found = re.fullmatch(r"(\d+) (?:excluded )?by (.+)", part)
        assert found, f"cannot read `{part}` in `{reason}`"
        counts[WORD_RULES[found[2]]] = int(found[1])
    return counts


# --------------------------------------------------------------------------- properties


@PROPERTY
@given(roster=rosters())
def test_random_rosters_break_no_hard_rule_and_pair_as_many_as_possible(roster: Roster) -> None:
    result = run(roster)
    pairs = result.pairs
    assert all(p.active for p in pairs)
    check_pairs_obey_rules(roster, pairs)
    check_capacity(roster, pairs)

    mentees = sorted(roster.mentees, key=lambda p: p.id)
    mentors = sorted(roster.mentors, key=lambda p: p.id)
    allowed = allowed_matrix(roster)
    capacities = [capacity_of(m, roster.config) for m in mentors]
    assert len(pairs) == most_pairs(allowed, capacities)

    # Nobody is dropped silently.
    paired = {p.mentee for p in pairs}
    unmatched = {u.id: u for u in result.unmatched}
    hard = {r for r, w in RULE_WORDS.items() if r == "excluded" or _mode(roster, r) == "hard"}
    everyone = {p.id: p for p in roster.people}
    for row, mentee in enumerate(mentees):
        if mentee.id in paired:
            assert mentee.id not in unmatched
            continue
        assert mentee.id in unmatched, f"{mentee.id} is unpaired and not reported"
        why = unmatched[mentee.id]
        assert why.role == "mentee"
        assert why.reason.strip()
        if not allowed[row].any():
            counts = parse_zero_reason(why.reason)
            assert sum(counts.values()) == len(mentors), why.reason
            assert set(counts) <= hard, why.reason
            for rule, n in counts.items():
                breakers = sum(
                    rule in broken_rules(m, mentee, roster.config, everyone, roster.history)
                    for m in mentors
                )
                assert 0 < n <= breakers, (rule, why.reason)
        else:
            assert not why.reason.startswith("0 eligible"), why.reason
    for mentor in mentors:
        has_pair = any(p.mentor == mentor.id for p in pairs)
        assert (mentor.id in unmatched) == (not has_pair)

    # A first run: everything is new; nothing locked; the only warning is a shortfall
    # of mentor places, exactly when there is one.
    assert [p.id for p in result.added] == sorted(p.id for p in pairs)
    assert result.ended == result.unchanged == ()
    places = sum(capacity_of(m, roster.config) for m in mentors)
    short = len(mentees) > places
    assert [w for w in result.warnings if "free mentor places" in w] == (
        [
            f"{len(mentees)} mentees to pair but only {places} free mentor places: at least "
            f"{len(mentees) - places} will stay without a mentor"
        ]
        if short
        else []
    )
    assert [w for w in result.warnings if "free mentor places" not in w] == []
    assert all(p.since == TODAY and not p.locked for p in pairs)
    assert result.total_score == pytest.approx(sum(p.score for p in pairs), abs=1e-3)
    # The state survives its own file format.
    text = pairings_text(result.state)
    parsed = parse_pairings(text, "state/pairings.toml")
    assert sorted(parsed.pairs, key=lambda p: p.id) == sorted(
        result.state.pairs, key=lambda p: p.id
    )
    assert pairings_text(parsed) == text


def _mode(roster: Roster, rule: str) -> str:
    return str(getattr(roster.config.matching.rules, rule).mode)


@PROPERTY
@given(roster=rosters(), data=st.data())
def test_rerun_keeps_every_pair_and_pairs_newcomers_around_them(
    roster: Roster, data: st.DataObject
) -> None:
    # The same roster again: nothing changes, not even a byte.
    first = run(roster)
    again = run(roster, first.state, today=LATER)
    assert {p.id for p in again.unchanged} == {p.id for p in first.pairs}
    assert again.added == again.ended == ()
    assert pairings_text(again.state) == pairings_text(first.state)

    # A first wave of people, then everyone: the first wave's pairs all hold.
    ids = sorted(p.id for p in roster.people)
    late = data.draw(st.sets(st.sampled_from(ids), max_size=len(ids) // 2), label="late")
    early_people = tuple(p for p in roster.people if p.id not in late)
    early = Roster(roster.config, early_people, roster.history)
    wave1 = run(early)
    wave2 = run(roster, wave1.state, today=LATER)
    before = {p.id: p for p in wave1.pairs}
    now = {p.id: p for p in wave2.pairs}
    assert set(before) <= set(now), "a committed pair was dropped"
    for pid, pair in before.items():
        assert now[pid] == pair  # same since, score, reasons
    assert {p.id for p in wave2.unchanged} == set(before)
    assert wave2.ended == ()
    added = [p for p in wave2.pairs if p.id not in before]
    assert sorted(p.id for p in wave2.added) == sorted(p.id for p in added)
    assert all(p.since == LATER for p in added)
    check_pairs_obey_rules(roster, added)
    check_capacity(roster, wave2.pairs)
    # As many new pairs as the free mentees and free places allow.
    mentees = sorted(roster.mentees, key=lambda p: p.id)
    mentors = sorted(roster.mentors, key=lambda p: p.id)
    load = Counter(p.mentor for p in wave1.pairs)
    free_rows = [i for i, p in enumerate(mentees) if p.id not in {q.mentee for q in wave1.pairs}]
    places = [capacity_of(m, roster.config) - load[m.id] for m in mentors]
    assert len(added) == most_pairs(allowed_matrix(roster), places, free_rows)
    # A committed pair that the newcomers put in breach of a hard rule is kept, with a warning.
    everyone = {p.id: p for p in roster.people}
    for pair in wave1.pairs:
        broken = broken_rules(
            everyone[pair.mentor], everyone[pair.mentee], roster.config, everyone, roster.history
        )
        if broken:
            assert any(pair.id in w for w in wave2.warnings), (pair.id, broken)


@FEWER
@given(roster=rosters(max_mentors=8, max_mentees=8), data=st.data())
def test_withdraw_ends_only_that_persons_pairs(roster: Roster, data: st.DataObject) -> None:
    first = run(roster)
    pairs = first.pairs
    if not pairs:
        return
    who = data.draw(
        st.sampled_from(sorted({p.mentor for p in pairs} | {p.mentee for p in pairs})),
        label="who",
    )
    result = withdraw(
        roster.config,
        roster.people,
        first.state,
        who,
        today=LATER,
        reason="moved abroad",
        history=roster.history,
    )
    theirs = [p for p in pairs if who in (p.mentor, p.mentee)]
    others = {p.id: p for p in pairs if who not in (p.mentor, p.mentee)}
    stored = {p.id: p for p in result.state.pairs}
    for pair in theirs:
        ended = stored[pair.id]
        assert (ended.status, ended.ended, ended.end_reason) == ("withdrawn", LATER, "moved abroad")
        assert not ended.active
    assert {p.id for p in result.ended} >= {p.id for p in theirs}
    now = {p.id: p for p in result.pairs}
    for pid, pair in others.items():
        assert now[pid] == pair, "a pair not touched by the withdrawal changed"
    assert {p.id for p in result.unchanged} == set(others)
    assert all(who not in (p.mentor, p.mentee) for p in result.pairs)
    assert who in result.state.withdrawn_ids()
    assert [(w.person, w.date, w.reason) for w in result.state.withdrawn] == [
        (who, LATER, "moved abroad")
    ]
    # The orphans (and anyone else unpaired) take the free places, as many as the rules allow.
    remaining = [p for p in roster.people if p.id != who]
    added = [p for p in result.pairs if p.id not in others]
    check_pairs_obey_rules(roster, added, remaining)
    check_capacity(roster, result.pairs)
    mentees = sorted((p for p in remaining if p.role == "mentee"), key=lambda p: p.id)
    mentors = sorted((p for p in remaining if p.role == "mentor"), key=lambda p: p.id)
    load = Counter(p.mentor for p in others.values())
    kept = {p.mentee for p in others.values()}
    free_rows = [i for i, p in enumerate(mentees) if p.id not in kept]
    places = [capacity_of(m, roster.config) - load[m.id] for m in mentors]
    allowed = allowed_matrix(roster, remaining)
    assert len(added) == most_pairs(allowed, places, free_rows)
    # Never paired again: not on a plain re-run, not on a rematch.
    for rematch in (False, True):
        later = run(roster, result.state, today=LATER + dt.timedelta(days=7), rematch=rematch)
        assert all(who not in (p.mentor, p.mentee) for p in later.pairs)
        assert all(u.id != who for u in later.unmatched)


@FEWER
@given(roster=rosters(method="stable"))
def test_stable_method_leaves_no_blocking_pair(roster: Roster) -> None:
    result = run(roster)
    pairs = result.pairs
    assert result.blocking == ()
    check_pairs_obey_rules(roster, pairs)
    check_capacity(roster, pairs)
    # Blocking pairs, checked here on the preferences the method documents: each
    # side's own stated `prefer` ranking first, then the score, then id order.
    problem = MatchingProblem.build(roster.config, roster.people, roster.history)
    ee, or_ = problem.features.mentees, problem.features.mentors
    block = Block(np.arange(len(ee)), np.arange(len(or_)))
    total, _, _ = problem.scores(block)
    allowed = allowed_matrix(roster)
    wish = {"mentee": np.zeros(total.shape), "mentor": np.zeros(total.shape)}
    for p in roster.people:
        for rank, other in enumerate(p.prefer):
            i, j = (p.id, other) if p.role == "mentee" else (other, p.id)
            if i in ee.index and j in or_.index:
                wish[p.role][ee.index[i], or_.index[j]] = max(
                    wish[p.role][ee.index[i], or_.index[j]], 1 / (rank + 1)
                )

    def mentee_key(i: int, j: int) -> tuple[float, float, int]:
        return (-wish["mentee"][i, j], -total[i, j], j)

    def mentor_key(i: int, j: int) -> tuple[float, float, int]:
        return (-wish["mentor"][i, j], -total[i, j], i)

    partner = {ee.index[p.mentee]: or_.index[p.mentor] for p in pairs}
    holding: dict[int, list[int]] = {}
    for i, j in partner.items():
        holding.setdefault(j, []).append(i)
    for i in range(len(ee)):
        for j in range(len(or_)):
            if not allowed[i, j] or partner.get(i) == j:
                continue
            wants = i not in partner or mentee_key(i, j) < mentee_key(i, partner[i])
            held = holding.get(j, [])
            cap = capacity_of(or_.people[j], roster.config)
            takes = len(held) < cap or any(mentor_key(i, j) < mentor_key(k, j) for k in held)
            assert not (wants and takes), f"blocking pair {ee.people[i].id}, {or_.people[j].id}"


@FEWER
@given(roster=rosters(max_mentors=8, max_mentees=8))
def test_explain_adds_up_on_random_rosters(roster: Roster) -> None:
    result = run(roster)
    for pair in result.pairs:
        (item,) = explain(roster.config, roster.people, result.state, pair.id, roster.history)
        assert item.pair == pair
        weights = sum(line.weight for line in item.lines)
        points = sum(line.points for line in item.lines) / weights if weights else 0.0
        penalties = sum(
            getattr(roster.config.matching.rules, WORD_RULES[rule]).penalty
            for rule, mode, ok in item.rules
            if mode == "soft" and not ok
        )
        assert points - penalties == pytest.approx(pair.score, abs=1e-3)
        assert all(ok for _, mode, ok in item.rules if mode == "hard")
        scores = [a.score for a in item.alternatives]
        assert scores == sorted(scores, reverse=True)
        assert all(a.why_not for a in item.alternatives)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(max_mentors=8, max_mentees=8), seed=st.integers(0, 2**32 - 1))
def test_same_files_in_any_row_order_give_the_same_bytes(roster: Roster, seed: int) -> None:
    shuffled = list(roster.people)
    random.Random(seed).shuffle(shuffled)
    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, people in enumerate((roster.people, shuffled, roster.people)):
            folder = Path(tmp) / f"p{k}"
            folder.mkdir()
            (folder / "program.yaml").write_text(program_yaml(roster.config), encoding="utf-8")
            (folder / "participants.csv").write_text(roster_csv(people), encoding="utf-8")
            program = read_program(folder)
            assert not [p for p in program.problems if p.severity is Severity.ERROR]
            result = match(
                program.config,
                program.participants,
                PairingState(),
                today=TODAY,
                history=roster.history,
            )
            texts.append(pairings_text(result.state))
    assert texts[0] == texts[1] == texts[2]
    assert texts[0] == pairings_text(run(roster).state) == pairings_text(run(roster).state)


# ------------------------------------------------------------ candidate graph (large programs)


def _sparse(candidates: int | None = None, chunk_cells: int | None = None) -> Any:
    """Force the engine onto its candidate-graph path (the one for very large programs)."""
    patches = {"DENSE_LIMIT": 0}
    if candidates is not None:
        patches["CANDIDATES"] = candidates
    if chunk_cells is not None:
        patches["CHUNK_CELLS"] = chunk_cells
    return mock.patch.multiple(engine, **patches)


@FEWER
@given(roster=rosters())
def test_candidate_graph_path_obeys_the_same_rules(roster: Roster) -> None:
    dense = run(roster)
    with _sparse():
        sparse = run(roster)
    check_pairs_obey_rules(roster, sparse.pairs)
    check_capacity(roster, sparse.pairs)
    mentors = sorted(roster.mentors, key=lambda p: p.id)
    capacities = [capacity_of(m, roster.config) for m in mentors]
    assert len(sparse.pairs) == most_pairs(allowed_matrix(roster), capacities)
    assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-3)
    # With very few candidates per person the graph is thin, but no rule may break.
    with _sparse(candidates=2, chunk_cells=7):
        thin = run(roster)
    check_pairs_obey_rules(roster, thin.pairs)
    check_capacity(roster, thin.pairs)


def test_candidate_graph_path_pairs_everyone_when_all_scores_tie() -> None:
    # A roster with only id, name and role: every pair scores the same. At scale
    # (thousands of people) the engine uses a candidate graph of each person's best
    # few partners; here 2 candidates and tiny chunks stand in for 50 and 10,000s.
    # Every pair is allowed, so everyone must be paired (found: at N = 6,000 with the
    # real settings only 766 of 6,000 mentees were paired).
    people = [person(f"R{k:02d}", "mentor") for k in range(12)]
    people += [person(f"E{k:02d}", "mentee") for k in range(12)]
    with _sparse(candidates=2, chunk_cells=12):
        result = match(make_config(), people, PairingState(), today=TODAY)
    assert len(result.pairs) == 12, [u.reason for u in result.unmatched]


# --------------------------------------------------------------------------- hand examples


def _config(**matching: object) -> ProgramConfig:
    return make_config(Matching(**matching))  # type: ignore[arg-type]


def _team() -> list[Participant]:
    """Three mentees, three mentors; every pair is allowed under the default rules."""
    return [
        person("E1", "mentee", level=8, interests=("ai", "video"), department="Sales"),
        person("E2", "mentee", level=7, interests=("social-media",), department="Finance"),
        person("E3", "mentee", level=6, interests=("dashboards",), department="Operations"),
        person("R1", "mentor", level=1, skills=("ai", "video"), department="Engineering"),
        person("R2", "mentor", level=2, skills=("social-media",), department="Engineering"),
        person("R3", "mentor", level=1, skills=("dashboards",), department="Engineering"),
    ]


def _pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.mentor, p.mentee) for p in result.pairs}


def test_hand_example_pairs_by_topic() -> None:
    result = match(_config(), _team(), PairingState(), today=TODAY)
    assert _pairs(result) == {("R1", "E1"), ("R2", "E2"), ("R3", "E3")}
    assert result.unmatched == ()


def test_locked_pair_holds_even_against_a_hard_rule_and_warns() -> None:
    people = _team()
    people[3] = people[3].model_copy(update={"manager": "E1"})  # R1 reports to E1
    config = _config(locked=(("R1", "E1"),), excluded=(("R2", "E2"),))
    result = match(config, people, PairingState(), today=TODAY)
    pair = next(p for p in result.pairs if (p.mentor, p.mentee) == ("R1", "E1"))
    assert pair.locked
    assert ("R2", "E2") not in _pairs(result)
    assert any(pair.id in w and "reporting line" in w for w in result.warnings), result.warnings
    # And it holds on a re-run and on a rematch.
    for rematch in (False, True):
        again = match(config, people, result.state, today=LATER, rematch=rematch)
        held = next(p for p in again.pairs if p.id == pair.id)
        assert held.locked
        assert held.since == TODAY


def test_rematch_may_change_pairs_but_keeps_locked_ones() -> None:
    people = _team()
    # Yesterday's poor pairs: every mentee with the wrong mentor.
    poor = PairingState(
        tuple(
            Pairing(mentor=r, mentee=e, score=0.0, since=TODAY)
            for r, e in (("R2", "E1"), ("R3", "E2"), ("R1", "E3"))
        )
    )
    kept = match(_config(), people, poor, today=LATER)
    assert _pairs(kept) == {("R2", "E1"), ("R3", "E2"), ("R1", "E3")}
    assert len(kept.unchanged) == 3

    config = _config(locked=(("R2", "E1"),))
    redone = match(config, people, poor, today=LATER, rematch=True)
    assert ("R2", "E1") in _pairs(redone)
    assert next(p for p in redone.pairs if p.mentee == "E1").locked
    assert _pairs(redone) != _pairs(kept)
    assert {p.mentee for p in redone.pairs} == {"E1", "E2", "E3"}
    ended = {p.id: p for p in redone.ended}
    assert ended, "a rematch that changes pairs ends the old ones"
    for pair in ended.values():
        assert pair.status == "ended"
        assert pair.ended == LATER
        assert pair.end_reason


def test_pair_of_someone_who_left_the_roster_ends_with_a_reason() -> None:
    people = [*_team(), person("R4", "mentor", level=3)]
    first = match(_config(), people, PairingState(), today=TODAY)
    gone = next(p for p in first.pairs if p.mentor == "R1")
    without = [p for p in people if p.id != "R1"]
    result = match(_config(), without, first.state, today=LATER)
    (ended,) = result.ended
    assert ended.id == gone.id
    assert ended.status == "ended"
    assert ended.ended == LATER
    assert "roster" in (ended.end_reason or "")
    stored = {p.id: p for p in result.state.pairs}
    assert stored[gone.id].status == "ended"
    # Its mentee finds the spare mentor; the other pairs stay.
    assert (("R4", gone.mentee)) in _pairs(result)
    assert len(result.unchanged) == 2


def test_withdraw_repairs_the_orphan_and_leaves_everyone_else() -> None:
    people = [*_team(), person("R4", "mentor", level=3, skills=("ai",))]
    first = match(_config(), people, PairingState(), today=TODAY)
    assert ("R1", "E1") in _pairs(first)
    result = withdraw(_config(), people, first.state, "R1", today=LATER, reason="left the company")
    assert _pairs(result) == {("R4", "E1"), ("R2", "E2"), ("R3", "E3")}
    old = next(p for p in result.state.pairs if p.id == pair_id("R1", "E1"))
    assert (old.status, old.ended, old.end_reason) == ("withdrawn", LATER, "left the company")
    assert {p.id for p in result.unchanged} == {pair_id("R2", "E2"), pair_id("R3", "E3")}
    assert [p.id for p in result.added] == [pair_id("R4", "E1")]
    assert result.state.withdrawn == (Withdrawal("R1", LATER, "left the company"),)


def test_withdraw_of_a_mentee_frees_the_place_for_someone_waiting() -> None:
    people = [*_team(), person("E4", "mentee", level=9, interests=("ai",))]
    first = match(_config(), people, PairingState(), today=TODAY)
    waiting = {u.id for u in first.unmatched if u.role == "mentee"}
    assert len(waiting) == 1
    (left,) = waiting
    leaver = next(p.mentee for p in first.pairs if p.mentee != left and p.mentor == "R1")
    result = withdraw(_config(), people, first.state, leaver, today=LATER)
    assert ("R1", left) in _pairs(result)
    assert all(leaver not in (p.mentor, p.mentee) for p in result.pairs)
    old = next(p for p in result.state.pairs if p.id == pair_id("R1", leaver))
    assert old.status == "withdrawn"
    assert leaver in (old.end_reason or "")  # the default reason names who left


def test_reporting_line_still_runs_through_someone_who_withdrew() -> None:
    # R1 reports to RM, who reports to E1: R1 and E1 are in one reporting line,
    # also after RM leaves the program (RM is still R1's manager).
    people = [
        person("E1", "mentee", level=8),
        person("RM", "mentor", level=4, manager="E1"),
        person("R1", "mentor", level=1, manager="RM"),
        person("R2", "mentor", level=2),
    ]
    config = _config()
    first = match(config, people, PairingState(), today=TODAY)
    assert _pairs(first) == {("R2", "E1")}
    after = withdraw(config, people, first.state, "RM", today=LATER)
    assert _pairs(after) == {("R2", "E1")}
    orphaned = withdraw(config, people, after.state, "R2", today=LATER)
    assert ("R1", "E1") not in _pairs(orphaned), "paired across a reporting line"
    (why,) = [u for u in orphaned.unmatched if u.id == "E1"]
    assert "reporting line" in why.reason


def test_zero_eligible_mentors_reason_counts_each_rule() -> None:
    people = [
        person("E1", "mentee", level=5, gender="female", avoid=("R4",)),
        person("R1", "mentor", level=1, manager="E1"),  # reporting line
        person("R2", "mentor", level=1, manager="R1"),  # reporting line (two up)
        person("R3", "mentor", level=5),  # seniority: same level
        person("R4", "mentor", level=1),  # avoid
        person("R5", "mentor", level=1, gender="male"),  # gender
        person("R6", "mentor", level=1),  # excluded
    ]
    config = _config(
        rules=Rules(gender=GenderRule(mode="hard", policy="same")), excluded=(("R6", "E1"),)
    )
    result = match(config, people, PairingState(), today=TODAY)
    assert result.pairs == []
    (why,) = [u for u in result.unmatched if u.id == "E1"]
    assert parse_zero_reason(why.reason) == {
        "excluded": 1,
        "avoid": 1,
        "reporting_line": 2,
        "seniority": 1,
        "gender": 1,
    }
    assert re.search(r"\b2 (excluded )?by reporting line", why.reason), why.reason


def test_unpaired_for_lack_of_places_is_said_so() -> None:
    people = [
        person("E1", "mentee", level=8),
        person("E2", "mentee", level=8),
        person("E3", "mentee", level=8),
        person("R1", "mentor", level=1, capacity=2),
    ]
    result = match(_config(), people, PairingState(), today=TODAY)
    assert len(result.pairs) == 2
    (why,) = [u for u in result.unmatched if u.role == "mentee"]
    assert not why.reason.startswith("0 eligible")
    assert "1 eligible" in why.reason or "capacity" in why.reason or "places" in why.reason


def test_history_file_pairs_are_never_formed_again(tmp_path: Path) -> None:
    people = _team()
    earlier = match(_config(), people, PairingState(), today=dt.date(2026, 1, 5))
    assert ("R1", "E1") in _pairs(earlier)
    old = tmp_path / "df-2026" / "state"
    old.mkdir(parents=True)
    (old / "pairings.toml").write_text(pairings_text(earlier.state), encoding="utf-8")
    read = read_pairings(tmp_path, "df-2026/state/pairings.toml")
    history = {(p.mentor, p.mentee) for p in read.pairs}
    assert history == _pairs(earlier)

    now = match(_config(), people, PairingState(), today=TODAY, history=history)
    assert not (_pairs(now) & history)
    assert len(now.pairs) == 3  # a derangement exists: everyone still gets a mentor
    off = _config(rules=Rules(history=Rule(mode="off")))
    assert _pairs(match(off, people, PairingState(), today=TODAY, history=history)) == history
    # Soft: allowed but penalised.
    soft = _config(rules=Rules(history=Rule(mode="soft", penalty=0.25)))
    penalised = match(soft, people, PairingState(), today=TODAY, history=history)
    free = match(off, people, PairingState(), today=TODAY)
    for pair in penalised.pairs:
        if (pair.mentor, pair.mentee) in history:
            same = next(p for p in free.pairs if p.id == pair.id)
            assert pair.score == pytest.approx(same.score - 0.25, abs=1e-4)


def test_stable_method_follows_stated_preferences() -> None:
    people = [
        person("E1", "mentee", level=8, interests=("ai",), prefer=("R2",)),
        person("R1", "mentor", level=1, skills=("ai",)),
        person("R2", "mentor", level=1),
    ]
    optimal = match(_config(), people, PairingState(), today=TODAY)
    assert _pairs(optimal) == {("R1", "E1")}  # topic fit (3) beats the stated wish (2)
    stable = match(_config(method="stable"), people, PairingState(), today=TODAY)
    assert _pairs(stable) == {("R2", "E1")}  # in a stable matching the wish comes first
    assert stable.blocking == ()


def test_stable_method_respects_the_mentors_side_too() -> None:
    # Both mentees want R1; R1 asked for E2. E2 gets R1, E1 gets R2.
    people = [
        person("E1", "mentee", level=8, prefer=("R1",)),
        person("E2", "mentee", level=8, prefer=("R1",)),
        person("R1", "mentor", level=1, prefer=("E2",)),
        person("R2", "mentor", level=1),
    ]
    result = match(_config(method="stable"), people, PairingState(), today=TODAY)
    assert _pairs(result) == {("R1", "E2"), ("R2", "E1")}
    assert result.blocking == ()


# --------------------------------------------------------------------------- scoring


def _score(mentee: Participant, mentor: Participant, config: ProgramConfig) -> Pairing:
    result = match(config, [mentee, mentor], PairingState(), today=TODAY)
    (pair,) = result.pairs
    return pair


BASE_MENTEE = {"level": 7, "birth_year": 1968, "timezone": "Europe/Berlin"}
BASE_MENTOR = {"level": 2, "birth_year": 1998, "timezone": "Europe/Berlin"}
MONDAY_9_TO_5 = (window(0, "09:00", "17:00"),)


@pytest.mark.parametrize(
    ("criterion", "mentee", "better", "worse"),
    [
        ("topics", {"interests": ("ai", "video")}, {"skills": ("ai", "video")}, {"skills": ()}),
        ("topics", {"interests": ("ai", "video")}, {"skills": ("ai",)}, {"skills": ("video",)}),
        (
            "department",
            {"department": "Finance"},
            {"department": "Sales"},
            {"department": "Finance"},
        ),
        (
            "language",
            {"languages": ("German",)},
            {"languages": ("German",)},
            {"languages": ("French",)},
        ),
        (
            "hours",
            {"availability": MONDAY_9_TO_5},
            {"availability": (window(0, "09:00", "12:00"),)},
            {"availability": (window(0, "09:00", "10:30"),)},
        ),
        ("seniority", {}, {"level": 1}, {"level": 5}),
        ("generation", {}, {"birth_year": 2001}, {"birth_year": 1980}),
        ("location", {"location": "Berlin"}, {"location": "Berlin"}, {"location": "London"}),
    ],
)
def test_each_criterion_moves_the_score_the_right_way(
    criterion: str, mentee: dict[str, object], better: dict[str, object], worse: dict[str, object]
) -> None:
    config = make_config(
        Matching(
            weights=Weights(location=1.0), rules=Rules(shared_hours=SharedHoursRule(min_hours=1))
        )
    )
    ee = person("E1", "mentee", **{**BASE_MENTEE, **mentee})
    good = _score(ee, person("R1", "mentor", **{**BASE_MENTOR, **better}), config)
    bad = _score(ee, person("R1", "mentor", **{**BASE_MENTOR, **worse}), config)
    assert good.breakdown[criterion] > bad.breakdown[criterion]
    assert good.score > bad.score
    others = {c: v for c, v in good.breakdown.items() if c != criterion}
    assert others == {c: v for c, v in bad.breakdown.items() if c != criterion}


def test_prefer_moves_the_score_and_either_side_counts() -> None:
    config = make_config()
    mentor = person("R1", "mentor", **BASE_MENTOR)
    plain = _score(person("E1", "mentee", **BASE_MENTEE), mentor, config)
    asked = _score(person("E1", "mentee", prefer=("R1",), **BASE_MENTEE), mentor, config)
    other = person("R1", "mentor", prefer=("E1",), **BASE_MENTOR)
    asked_back = _score(person("E1", "mentee", **BASE_MENTEE), other, config)
    assert asked.score > plain.score
    assert asked_back.score > plain.score
    assert asked.breakdown["prefer"] == 0.5  # one side's first wish: half a mutual one
    assert plain.breakdown["prefer"] == 0.0
    assert "E1 asked for R1" in asked.reasons


def test_a_mutual_wish_counts_more_than_a_one_sided_one() -> None:
    config = make_config()
    one_sided = _score(
        person("E1", "mentee", prefer=("R1",), **BASE_MENTEE),
        person("R1", "mentor", **BASE_MENTOR),
        config,
    )
    mutual = _score(
        person("E1", "mentee", prefer=("R1",), **BASE_MENTEE),
        person("R1", "mentor", prefer=("E1",), **BASE_MENTOR),
        config,
    )
    assert "asked for each other" in mutual.reasons
    assert mutual.score > one_sided.score


def test_a_zero_weight_switches_a_criterion_off() -> None:
    config = make_config(Matching(weights=Weights(department=0.0)))
    ee = person("E1", "mentee", department="Finance", **BASE_MENTEE)
    a = _score(ee, person("R1", "mentor", department="Sales", **BASE_MENTOR), config)
    b = _score(ee, person("R1", "mentor", department="Finance", **BASE_MENTOR), config)
    assert a.score == b.score
    assert "department" not in a.breakdown


def test_reasons_name_topics_departments_and_shared_hours() -> None:
    mentee = person(
        "E1",
        "mentee",
        level=8,
        department="Engineering",
        interests=("social-media", "video"),
        timezone="Europe/Berlin",
        availability=(window(0, "14:00", "17:00"),),  # 13:00-16:00 UTC
    )
    mentor = person(
        "R1",
        "mentor",
        level=2,
        department="Sales",
        skills=("video", "social-media", "ai"),
        timezone="America/New_York",
        availability=(window(0, "09:00", "12:00"),),  # 14:00-17:00 UTC
    )
    pair = _score(mentee, mentor, make_config())
    assert "both: Social media for business, Video meetings" in pair.reasons
    assert "Sales ↔ Engineering" in pair.reasons
    assert "2 h/week of shared working hours" in pair.reasons
    # 13:00-15:30 UTC against 14:00-17:00 UTC: 1.5 h shared, room for one 60-min session
    half = mentee.model_copy(update={"availability": (window(0, "14:00", "16:30"),)})
    assert "1 h/week of shared working hours" in _score(half, mentor, make_config()).reasons
    meetings = make_config().meetings.model_copy(update={"duration_minutes": 45})
    config = make_config().model_copy(update={"meetings": meetings})
    assert "1.5 h/week of shared working hours" in _score(half, mentor, config).reasons


def test_shared_hours_rule_across_time_zones() -> None:
    # Berlin 09:00-12:00 is 03:00-06:00 in New York: no working hour in common.
    mentee = person(
        "E1",
        "mentee",
        level=8,
        timezone="Europe/Berlin",
        availability=(window(0, "09:00", "12:00"),),
    )
    far = person("R1", "mentor", level=1, timezone="America/New_York", availability=MONDAY_9_TO_5)
    near = person("R2", "mentor", level=1, timezone="Europe/London", availability=MONDAY_9_TO_5)
    result = match(make_config(), [mentee, far, near], PairingState(), today=TODAY)
    assert _pairs(result) == {("R2", "E1")}
    alone = match(make_config(), [mentee, far], PairingState(), today=TODAY)
    (why,) = [u for u in alone.unmatched if u.id == "E1"]
    assert parse_zero_reason(why.reason) == {"shared_hours": 1}


def test_seniority_falls_back_to_hire_date_then_birth_year() -> None:
    config = make_config(Matching(rules=Rules(seniority=SeniorityRule(min_gap=2))))
    ee = person("E1", "mentee", level=6, hire_date=dt.date(2005, 1, 1), birth_year=1970)

    def allowed(**mentor: object) -> bool:
        result = match(config, [ee, person("R1", "mentor", **mentor)], PairingState(), today=TODAY)
        return bool(result.pairs)

    assert allowed(level=4)  # gap 2
    assert not allowed(level=5, hire_date=dt.date(2020, 1, 1))  # gap 1: level decides
    assert allowed(hire_date=dt.date(2020, 1, 1), birth_year=1960)  # no level: hired later
    assert not allowed(hire_date=dt.date(2005, 1, 1), birth_year=2000)  # same day: not junior
    assert allowed(birth_year=1990)  # only birth years: born later
    assert not allowed(birth_year=1970)
    assert allowed()  # nothing known: the rule cannot object


# --------------------------------------------------------------------------- explain


def test_explain_a_pair_and_a_person(sample: Path) -> None:
    program = read_program(sample)
    config, people = program.config, program.participants
    result = match(config, people, PairingState(), today=TODAY)
    assert len(result.pairs) == 18
    for pair in result.pairs:
        (item,) = explain(config, people, result.state, pair.id)
        assert item.pair == pair
        assert item.person.id == pair.mentee
        assert item.partner is not None
        assert item.partner.id == pair.mentor
        total_weight = sum(x.weight for x in item.lines)
        assert sum(x.points for x in item.lines) / total_weight == pytest.approx(
            pair.score, abs=1e-3
        )
        assert {x.criterion for x in item.lines} == set(pair.breakdown)
        assert item.rules
        assert all(ok for _, _, ok in item.rules)
        assert item.alternatives
        scores = [a.score for a in item.alternatives]
        assert scores == sorted(scores, reverse=True)
        assert all(a.why_not for a in item.alternatives)
        assert all(a.id != pair.mentor for a in item.alternatives)
        # The same pair, asked for by its mentor's id.
        by_mentor = explain(config, people, result.state, pair.mentor)
        assert any(e.pair == pair and e.person.id == pair.mentor for e in by_mentor)
    as_json = explain(config, people, result.state, result.pairs[0].mentee)[0].to_json()
    assert as_json["pair"] == result.pairs[0].id
    assert {"breakdown", "rules", "alternatives"} <= set(as_json)

    unpaired = [u.id for u in result.unmatched]
    assert unpaired
    (item,) = explain(config, people, result.state, unpaired[0])
    assert item.partner is None
    assert item.pair is None
    assert item.alternatives

    with pytest.raises(RmentorError, match="nobody"):
        explain(config, people, result.state, "nobody")


def test_explain_a_mentor_with_two_mentees_gives_two_explanations() -> None:
    people = [
        person("E1", "mentee", level=8, interests=("ai",)),
        person("E2", "mentee", level=8, interests=("ai",)),
        person("R1", "mentor", level=1, skills=("ai",), capacity=2),
        person("R2", "mentor", level=1),
    ]
    result = match(_config(), people, PairingState(), today=TODAY)
    assert _pairs(result) == {("R1", "E1"), ("R1", "E2")}
    found = explain(_config(), people, result.state, "R1")
    assert sorted(e.pair.id for e in found if e.pair) == sorted(p.id for p in result.pairs)
    # R2 is the mentees' next best; R1 is full, so taking it would displace someone.
    (e1,) = explain(_config(), people, result.state, "E1")
    assert [a.id for a in e1.alternatives] == ["R2"]
    (r2,) = explain(_config(), people, result.state, "R2")
    assert r2.partner is None
    assert all("R1" in a.why_not or "scores" in a.why_not for a in r2.alternatives)


def test_explain_says_why_a_better_scoring_alternative_was_not_chosen() -> None:
    people = [
        person("E1", "mentee", level=8, interests=("ai",), department="Sales"),
        person("R1", "mentor", level=1, skills=("ai",), department="Sales", manager="E1"),
        person("R2", "mentor", level=1),
    ]
    result = match(_config(), people, PairingState(), today=TODAY)
    assert _pairs(result) == {("R2", "E1")}
    (item,) = explain(_config(), people, result.state, "E1")
    (alt,) = item.alternatives
    assert alt.id == "R1"
    assert "reporting line" in alt.why_not
