"""Pairing mentees with mentors: optimal assignment and stable matching."""

from .solver import assign, blocking_pairs, stable_match

__all__ = ["assign", "blocking_pairs", "stable_match"]
