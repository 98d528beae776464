"""Reading a number argument without letting a TypeError or OverflowError escape (the API's checks), and
reading a number typed as text the same way in links and on the command line."""
from __future__ import annotations

import math
import re

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


_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)
_SPECIAL = {"nan": float("nan"), "inf": float("inf"), "+inf": float("inf"), "-inf": float("-inf"),
            "infinity": float("inf"), "+infinity": float("inf"), "-infinity": float("-inf")}


def number_from_text(text: str, whole: bool = False) -> int | float:
    """A number typed as text (a link's parameter, a command-line argument), read one way everywhere:
    ASCII digits with an optional sign, decimal point and exponent ("12", "-0.5", "1e5"). ``whole``: it must
    be a whole number ("1e5" is 100000, "2.5" is refused) and comes back as an int. "nan" and "inf" come back
    as floats, for the caller's range check to refuse by name. Raises ValueError ("not a number", "not a
    whole number") for anything else, such as "5_000" or other scripts' digits, which Python's own int() and
    float() would take."""
    t = text.strip()
    if t.lower() in _SPECIAL:
        return _SPECIAL[t.lower()]
    if whole and _WHOLE.fullmatch(t):
        return int(t)
    if not _DECIMAL.fullmatch(t):
        raise ValueError("not a number")
    v = float(t)
    if whole and math.isfinite(v):
        if v != math.floor(v):
            raise ValueError("not a whole number")
        return int(v)
    return v                                    # "1e999" is inf: out of every range
