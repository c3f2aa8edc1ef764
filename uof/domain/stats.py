"""Small descriptive statistics shared by the alert rules and the dashboards, so both say the same thing."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0–100) by linear interpolation between closest ranks (NumPy's default).

    None for no values: a team with nobody in it has no 95th percentile.
    """
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * p / 100
    lower, upper = math.floor(rank), math.ceil(rank)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)
