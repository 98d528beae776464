"""Reading a number argument without letting a TypeError or OverflowError escape (the API's checks)."""
from __future__ import annotations

import numpy as np


def as_number(value) -> float:
    """``value`` as a float; NaN for anything that is not a real number (a bool, a string) or that a float
    cannot hold (a Python int past 1e308), so the caller's range check refuses it with its own message."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return float("nan")
    try:
        return float(value)
    except OverflowError:
        return float("nan")


def shorten_repr(value, limit: int = 40) -> str:
    """repr(value), cut to ``limit`` characters (a huge number or string stays readable in a message)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
