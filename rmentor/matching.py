"""The public matching API (SPEC §2): the solver on a plain score matrix.

The engine lives in `rmentor.engines.matching`; this name stays for scripts.
"""

from .engines.matching.solver import assign, blocking_pairs, stable_match

__all__ = ["assign", "blocking_pairs", "stable_match"]
