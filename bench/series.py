"""Regression models (real inputs, linear head, squared error): how fast the Time series page's defaults
learn the sine, and forward + BPTT against PyTorch's nn.RNN / nn.LSTM / nn.GRU + nn.Linear + mse_loss.

    .venv/bin/python bench/series.py [--repeats 5] [--rounds 5] [--steps 20]

1. The sine at the page's defaults (RNN, H=16, Adam 0.01, clip 1, window 20, batch 16, float32):
   ``repeats`` fresh trainings of 300 iterations; the held-out one-step MSE is measured every 10
   iterations outside the clock. Prints the median seconds to the first measurement below 1% of the
   series' variance, and for all 300 iterations.
2. One forward + BPTT step at three sizes, each side in its own worker process, alternating round
   by round (as bench/bptt_vs_pytorch.py does for tokens); PyTorch at its better of 1 and 2 threads;
   the ratio is the median of per-round ratios (above 1: rnn_core is faster). PyTorch is optional.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from timing import median_seconds  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
SIZES = [  # (F, K, H, B, T, loss)
    (1, 1, 16, 16, 20, "many_to_many"),      # the Time series page's defaults
    (1, 1, 128, 32, 64, "many_to_many"),
    (2, 1, 32, 32, 42, "many_to_one"),       # the adding problem at gap 40
]


def sine_to_one_percent(repeats: int) -> None:
    sys.path.insert(0, str(ROOT))
    from rnn_core import keep_freed_memory, make_model
    from rnn_core.series import Normaliser, SeriesWindows, held_out_mse, make_series, split_point
    from rnn_core.train import Trainer

    keep_freed_memory()                                   # as the project's entry points do
    z = make_series("Sine")
    sp = split_point(z.size)
    norm = Normaliser.fit(z[:sp])
    zz, var = norm.encode(z), z.var() / norm.std ** 2
    reach, whole, at = [], [], []
    for r in range(repeats):
        m = make_model("rnn", hidden_size=16, input_size=1, output_size=1, head="linear", seed=r, dtype=np.float32)
        trainer = Trainer(m, SeriesWindows(zz[:sp], 20, 16, seed=r), "adam", 0.01, 1.0)
        clock, first = 0.0, None
        for _ in range(30):
            t0 = time.perf_counter()
            for _ in trainer.run(10):
                pass
            clock += time.perf_counter() - t0
            if first is None and held_out_mse(m, zz, sp, 20) / var < 0.01:
                first = (clock, trainer.iteration)
        whole.append(clock)
        if first:
            reach.append(first[0])
            at.append(first[1])
    print(f"sine, page defaults, {repeats} seeds: below 1% of the variance in {len(reach)} of {repeats}; median "
          f"{np.median(reach):.3f} s (iteration {int(np.median(at))}); 300 iterations take {np.median(whole):.3f} s")


def worker(a) -> None:
    F, K, H, B, T, loss = a.F, a.K, a.H, a.B, a.T, a.loss
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    y = rng.standard_normal((B, T, K) if loss == "many_to_many" else (B, K)).astype(np.float32)
    if a.impl == "numpy":
        sys.path.insert(0, str(ROOT))
        from rnn_core import keep_freed_memory, make_model
        keep_freed_memory()
        model = make_model(a.cell, hidden_size=H, input_size=F, output_size=K, head="linear", seed=0,
                           dtype=np.float32)
        step = lambda: model.loss_and_grads(x, y, loss=loss)
    else:
        import torch
        torch.set_num_threads(a.threads)
        torch.backends.mkldnn.enabled = False          # op by op, as rnn_core (and nn.RNN / nn.GRU) run
        torch.manual_seed(0)
        rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[a.cell](F, H, batch_first=True)
        lin = torch.nn.Linear(H, K)
        params = list(rnn.parameters()) + list(lin.parameters())
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def step():
            for p in params:
                p.grad = None
            out, _ = rnn(xt)
            pred = lin(out) if loss == "many_to_many" else lin(out[:, -1])
            torch.nn.functional.mse_loss(pred, yt).backward()
    print(json.dumps({"seconds": median_seconds(step, a.repeats, warmup=3)}))


def run_worker(impl, cell, size, threads, repeats) -> float:
    F, K, H, B, T, loss = size
    cmd = [sys.executable, __file__, "--worker", impl, "--cell", cell, "--F", str(F), "--K", str(K), "--H", str(H),
           "--B", str(B), "--T", str(T), "--loss", loss, "--threads", str(threads), "--repeats", str(repeats)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def against_pytorch(rounds: int, repeats: int) -> None:
    torch_ok = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0
    print(f"forward + BPTT, float32, MSE; PyTorch {'found' if torch_ok else 'not installed: its column is skipped'}")
    print(f"{'cell':5s} {'F':>2s} {'H':>4s} {'B':>3s} {'T':>3s} {'loss':>12s} {'ours ms':>8s}"
          + (f" {'torch ms':>9s} {'threads':>7s} {'ratio':>6s}" if torch_ok else ""))
    for cell in ("rnn", "lstm", "gru"):
        for size in SIZES:
            ours, t1, t2 = [], [], []
            for _ in range(rounds):
                before = run_worker("numpy", cell, size, 2, repeats)
                if torch_ok:
                    t1.append(run_worker("torch", cell, size, 1, repeats))
                    t2.append(run_worker("torch", cell, size, 2, repeats))
                ours.append((before + run_worker("numpy", cell, size, 2, repeats)) / 2)
            o = np.array(ours)
            F, K, H, B, T, loss = size
            line = f"{cell:5s} {F:2d} {H:4d} {B:3d} {T:3d} {loss:>12s} {np.median(o) * 1e3:8.3f}"
            if torch_ok:
                th = 1 if np.median(t1) <= np.median(t2) else 2
                theirs = np.array(t1 if th == 1 else t2)
                line += f" {np.median(theirs) * 1e3:9.3f} {th:7d} {np.median(theirs / o):6.2f}"
            print(line, flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=("numpy", "torch"))
    ap.add_argument("--cell", default="rnn")
    for k in ("F", "K", "H", "B", "T"):
        ap.add_argument(f"--{k}", type=int)
    ap.add_argument("--loss", default="many_to_many")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5, help="sine trainings; in the workers: timed steps")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per worker run")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    if a.worker:
        a.impl = a.worker
        worker(a)
        return
    sine_to_one_percent(a.repeats)
    against_pytorch(a.rounds, a.steps)


if __name__ == "__main__":
    main()
