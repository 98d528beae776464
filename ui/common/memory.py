"""What a session holds, in bytes: the arrays reachable from an object (weights, optimizer state, logs).

Used by the tests that hold each page to its share of the per-session ceiling (README, limits), and by
the Step through page to keep its uploaded models within a budget. No Streamlit calls.
"""
from __future__ import annotations

import sys

import numpy as np

# what one session may hold between reruns, page by page (the README's limits table quotes these)
TRAIN_CEILING = 160_000_000        # Train: an LSTM H=256 V=3,000 with Adam, its snapshots, logs and runs
SERIES_CEILING = 32_000_000        # Time series: its model, Adam, its logs and a 20,000-value series
UPLOADED_MODELS_BUDGET = 100_000_000   # Step through: uploaded models (the oldest go first past this)
SGD_COPIES_BUDGET = 50_000_000     # Step through: models changed by "Apply one SGD step" (the oldest go first)
SESSION_CEILING = 350_000_000      # all of it together, with the demo models and the small caches


def held_bytes(obj, _seen: set | None = None) -> int:
    """The bytes held by ``obj`` and everything reachable from it through attributes, dicts, lists, tuples
    and sets: NumPy arrays by their data (each counted once; a view by its own size), other objects by
    ``sys.getsizeof``. Classes and functions are not followed."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen or isinstance(obj, type) or callable(obj) and not hasattr(obj, "__dict__"):
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes) if obj.dtype != object else sum(held_bytes(x, seen) for x in obj.flat)
    size = sys.getsizeof(obj)
    if isinstance(obj, (str, bytes, int, float, bool, type(None), np.generic)):
        return size
    if isinstance(obj, dict):
        return size + sum(held_bytes(k, seen) + held_bytes(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return size + sum(held_bytes(x, seen) for x in obj)
    state = getattr(obj, "__dict__", None)
    total = size + (held_bytes(state, seen) if state is not None else 0)
    for name in getattr(type(obj), "__slots__", ()):
        total += held_bytes(getattr(obj, name, None), seen)
    return total
