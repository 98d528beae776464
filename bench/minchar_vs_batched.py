"""Batched, vectorised BPTT against a per-step loop in the style of min-char-rnn (batch 1).

    .venv/bin/python bench/minchar_vs_batched.py [--steps 200]

The loop is a faithful re-statement of min-char-rnn's algorithm written here from the math:
one-hot column vectors, a Python loop over time in both directions, every weight gradient
accumulated per step with np.outer, Adagrad, float64, T=25, H=100, character vocabulary of
the sonnets. The batched side is rnn_core's Trainer (Adagrad, same T and H, B=32, float32).
Both train for the same wall-clock-independent number of optimizer steps; the figure is tokens
per second (predicted positions per second), median of 5 alternating rounds.

Also measures what the per-step diagnostics cost: loss_and_grads with and without computing
||dL/dh_t|| (the only diagnostic computed on every step; the W_hh contribution is lazy).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rnn_core import Vocab, keep_freed_memory, make_model  # noqa: E402
from rnn_core.data import CORPORA, TokenStream  # noqa: E402
from rnn_core.train import Trainer  # noqa: E402

keep_freed_memory()           # as the project's entry points do (rnn_core/_alloc.py)


def minchar_loop(ids: np.ndarray, V: int, H: int, T: int, steps: int, lr: float = 0.1, seed: int = 0) -> float:
    """min-char-rnn's training loop, restated: returns seconds for ``steps`` updates."""
    rng = np.random.default_rng(seed)
    Wxh, Whh, Why = rng.normal(0, 0.01, (H, V)), rng.normal(0, 0.01, (H, H)), rng.normal(0, 0.01, (V, H))
    bh, by = np.zeros((H, 1)), np.zeros((V, 1))
    mem = [np.zeros_like(p) for p in (Wxh, Whh, Why, bh, by)]
    hprev = np.zeros((H, 1))
    p = 0
    t0 = time.perf_counter()
    for _ in range(steps):
        if p + T + 1 >= len(ids):
            p, hprev = 0, np.zeros((H, 1))
        inputs, targets = ids[p:p + T], ids[p + 1:p + T + 1]
        xs, hs, ps = {}, {-1: hprev}, {}
        loss = 0.0
        for t in range(T):                                        # forward, one column at a time
            xs[t] = np.zeros((V, 1))
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            y = Why @ hs[t] + by
            ps[t] = np.exp(y - y.max()) / np.sum(np.exp(y - y.max()))
            loss += -np.log(ps[t][targets[t], 0])
        dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
        dbh, dby = np.zeros_like(bh), np.zeros_like(by)
        dhnext = np.zeros((H, 1))
        for t in reversed(range(T)):                              # backward, one step at a time
            dy = ps[t].copy()
            dy[targets[t]] -= 1                                   # backprop into y
            dWhy += dy @ hs[t].T
            dby += dy
            dh = Why.T @ dy + dhnext                              # backprop into h
            dhraw = (1 - hs[t] * hs[t]) * dh                      # backprop through tanh
            dbh += dhraw
            dWxh += dhraw @ xs[t].T
            dWhh += dhraw @ hs[t - 1].T
            dhnext = Whh.T @ dhraw
        for d in (dWxh, dWhh, dWhy, dbh, dby):
            np.clip(d, -5, 5, out=d)
        for param, d, m in zip((Wxh, Whh, Why, bh, by), (dWxh, dWhh, dWhy, dbh, dby), mem):
            m += d * d
            param += -lr * d / np.sqrt(m + 1e-8)                  # Adagrad
        hprev = hs[T - 1]
        p += T
    return time.perf_counter() - t0


def batched(ids: np.ndarray, V: int, H: int, T: int, B: int, steps: int) -> float:
    model = make_model("rnn", V, H, seed=0, dtype=np.float32)
    tr = Trainer(model, TokenStream(ids, B, T), "adagrad", 0.1, 5.0)
    t0 = time.perf_counter()
    for _ in tr.run(steps):
        pass
    return time.perf_counter() - t0


def diagnostics_share(V: int, H: int, B: int, T: int, repeats: int = 50) -> tuple[float, float]:
    """Median seconds of loss_and_grads, and of the per-step norm computation alone on its output."""
    rng = np.random.default_rng(0)
    model = make_model("rnn", V, H, seed=0, dtype=np.float32)
    x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    full, norms = [], []
    for _ in range(repeats + 3):
        t0 = time.perf_counter()
        _, _, diag = model.loss_and_grads(x, y)
        t1 = time.perf_counter()
        dh = diag._dh
        np.sqrt(np.einsum("tbh,tbh->t", dh, dh))                  # exactly what every step pays for
        t2 = time.perf_counter()
        full.append(t1 - t0)
        norms.append(t2 - t1)
    return float(np.median(full[3:])), float(np.median(norms[3:]))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="batched BPTT vs a min-char-rnn-style loop")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    text = CORPORA["sonnets"].read()
    vocab = Vocab.from_text(text, "char")
    ids = vocab.encode(text)
    V, H, T, B = len(vocab), 100, 25, 32
    loop_tps, batch_tps = [], []
    for _ in range(a.rounds):                                     # alternate the two
        loop_tps.append(a.steps * T / minchar_loop(ids, V, H, T, a.steps))
        batch_tps.append(a.steps * T * B / batched(ids, V, H, T, B, a.steps))
    lo, ba = float(np.median(loop_tps)), float(np.median(batch_tps))
    print(f"character vocabulary {V}, H={H}, T={T}; {a.steps} optimizer steps per run, median of {a.rounds}")
    print(f"min-char-rnn-style loop (B=1, float64): {lo:12,.0f} tokens/s")
    print(f"rnn_core Trainer (B={B}, float32):       {ba:12,.0f} tokens/s   ({ba / lo:.1f}x)")
    for size in [(64, 64, 1, 25), (64, 128, 32, 64), (64, 512, 32, 64)]:
        full, norm = diagnostics_share(*size)
        print(f"per-step ||dL/dh_t|| at V,H,B,T={size}: {norm * 1e6:7.1f} us of a {full * 1e3:7.3f} ms step "
              f"({norm / full:.1%})")


if __name__ == "__main__":
    main()
