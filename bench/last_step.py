"""What the last step's gradient going back costs: loss_and_grads with last_step=True against without,
alternating in one process, per cell and size; the median of per-round ratios.

    .venv/bin/python bench/last_step.py [--rounds 15]

The Train page asks for it at every iteration (the chart "The last step's gradient going back").
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rnn_core import keep_freed_memory, make_model  # noqa: E402

from timing import SIZES  # noqa: E402  (bench/ is the script's folder)

keep_freed_memory()           # as the project's entry points do (rnn_core/_alloc.py)


def _time(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--cells", default="rnn,lstm,gru")
    a = p.parse_args(argv)
    print(f"{'cell':5s} {'V':>4s} {'H':>4s} {'B':>3s} {'T':>3s} {'plain ms':>9s} {'+last ms':>9s} {'cost':>6s}")
    rng = np.random.default_rng(0)
    for cell in a.cells.split(","):
        for V, H, B, T in SIZES:
            m = make_model(cell, V, H, seed=0, dtype=np.float32)
            x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
            n = max(1, int(0.05 / max(1e-4, _time(lambda: m.loss_and_grads(x, y), 2))))
            plain, extra, ratios = [], [], []
            for _ in range(a.rounds):
                t0 = _time(lambda: m.loss_and_grads(x, y), n)
                t1 = _time(lambda: m.loss_and_grads(x, y, last_step=True), n)
                plain.append(t0)
                extra.append(t1)
                ratios.append(t1 / t0)
            print(f"{cell:5s} {V:4d} {H:4d} {B:3d} {T:3d} {1e3 * np.median(plain):9.3f} {1e3 * np.median(extra):9.3f} "
                  f"{np.median(ratios) - 1:+6.0%}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
