"""Pairing mentees with mentors: optimal assignment and stable matching."""

from rmentor.matching.solver import assign, blocking_pairs, stable_match

__all__ = ["assign", "blocking_pairs", "stable_match"]
