"""What the benchmarks share: the standard sizes and a median timer."""
from __future__ import annotations

import time

import numpy as np

SIZES = [  # (V, H, B, T)
    (64, 64, 1, 25),      # min-char-rnn's shape
    (64, 128, 32, 64),
    (64, 512, 32, 64),
]


def median_seconds(fn, repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))
