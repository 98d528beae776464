"""Forward + BPTT throughput of rnn_core (tokens per second), float32, at a few sizes.

    .venv/bin/python bench/throughput.py [--repeats 15]

Prints the median over repeats for each cell and size (the share of a step spent on the
per-step diagnostics is in bench/minchar_vs_batched.py). Run nothing else meanwhile: these
machines are noisy, so compare figures from one run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rnn_core import keep_freed_memory, make_model  # noqa: E402
from timing import SIZES, median_seconds  # noqa: E402  (bench/ is the script's folder)

keep_freed_memory()           # as the project's entry points do (rnn_core/_alloc.py)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    a = ap.parse_args(argv)
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('architecture', '?')} x{i['num_threads']}"
                         for i in threadpool_info())
    except ImportError:
        blas = "unknown"
    print(f"numpy {np.__version__}, BLAS: {blas}")
    print(f"{'cell':5s} {'V':>4s} {'H':>4s} {'B':>3s} {'T':>3s} {'ms/step':>9s} {'tokens/s':>11s}")
    for cell in ("rnn", "lstm", "gru"):
        for V, H, B, T in SIZES:
            rng = np.random.default_rng(0)
            model = make_model(cell, V, H, seed=0, dtype=np.float32)
            x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
            sec = median_seconds(lambda: model.loss_and_grads(x, y), a.repeats)
            print(f"{cell:5s} {V:4d} {H:4d} {B:3d} {T:3d} {sec * 1e3:9.3f} {B * T / sec:11,.0f}", flush=True)


if __name__ == "__main__":
    main()
