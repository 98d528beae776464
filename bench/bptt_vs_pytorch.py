"""Forward + BPTT (loss and every gradient) of rnn_core against PyTorch's nn.RNN / nn.LSTM / nn.GRU.

    .venv/bin/python bench/bptt_vs_pytorch.py [--rounds 5] [--repeats 20] [--cells rnn,lstm,gru] [--sizes V:H:B:T,...]

Same sizes, float32. Each side runs in its own worker process (a spinning OpenBLAS thread in
the same process slows PyTorch badly), and the runs alternate. Each round is a sandwich, ours,
theirs on 1 thread, theirs on 2 threads, ours again, so both sides of a round meet the same state
of a host that drifts; the figure per run is the median of ``repeats`` timed steps. The table
shows medians over ``rounds`` rounds, PyTorch at its better thread count, and the median of the
per-round ratios (PyTorch's time over the mean of ours before and after it; above 1: rnn_core is
faster). PyTorch is optional: without it installed the
benchmark says so and prints rnn_core's column only. PyTorch's side is the module as a user
would write it for one-hot input: nn.RNN(input_size=V) + nn.Linear + cross_entropy, autograd.

Also printed: the roofline (rnn_core's achieved GFLOP/s against the machine's float32 GEMM
rate); "GEMMs ms", the time of the matrix products the cell cannot avoid (T recurrent products
forward, T backward, the W_hh gradient and the output layer's three), timed alone with NumPy's
BLAS, a floor for any NumPy implementation; and for the LSTM, PyTorch with oneDNN switched off
(2 threads). PyTorch's CPU nn.LSTM runs oneDNN's fused LSTM kernel (aten::mkldnn_rnn_layer),
while nn.RNN and nn.GRU run step by step, op by op, as rnn_core does; the extra column shows
the LSTM on that same footing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from timing import SIZES, median_seconds  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
def flops(cell: str, V: int, H: int, B: int, T: int) -> float:
    """Useful float operations of one forward + backward: 3 GEMM-sized passes over each weight product."""
    G = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    recurrent = 2 * B * T * H * G * H          # W_hh h_{t-1}
    output = 2 * B * T * H * V                 # W_hy h_t
    return 3 * (recurrent + output)            # forward, and two products each in backward


def worker(a) -> None:
    """Time one implementation at one size; print a JSON line with the median seconds."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, a.V, (a.B, a.T))
    y = rng.integers(0, a.V, (a.B, a.T))
    if a.impl == "gemms":                                     # the faster of the two layouts
        print(json.dumps({"seconds": min(median_seconds(gemms_only(a.cell, a.V, a.H, a.B, a.T, rng, fm), a.repeats,
                                                        warmup=3)
                                         for fm in (False, True))}))
        return
    if a.impl == "numpy":
        sys.path.insert(0, str(ROOT))
        from rnn_core import keep_freed_memory, make_model
        keep_freed_memory()                                   # as the project's entry points do
        model = make_model(a.cell, a.V, a.H, seed=0, dtype=np.float32)
        step = lambda: model.loss_and_grads(x, y)
    else:
        import torch
        torch.set_num_threads(a.threads)
        torch.backends.mkldnn.enabled = not a.no_onednn
        torch.manual_seed(0)
        rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[a.cell](a.V, a.H, batch_first=True)
        lin = torch.nn.Linear(a.H, a.V)
        params = list(rnn.parameters()) + list(lin.parameters())
        xt = torch.nn.functional.one_hot(torch.from_numpy(x), a.V).float()
        yt = torch.from_numpy(y).reshape(-1)

        def step():
            for p in params:
                p.grad = None
            out, _ = rnn(xt)
            loss = torch.nn.functional.cross_entropy(lin(out).reshape(-1, a.V), yt)
            loss.backward()
    print(json.dumps({"seconds": median_seconds(step, a.repeats, warmup=3)}))


def gemms_only(cell: str, V: int, H: int, B: int, T: int, rng, feature_major: bool):
    """The products a forward + BPTT of ``cell`` must do, and nothing else, float32; the recurrent
    ones batch-major ((B, H) @ (H, G)) or feature-major ((G, H) @ (H, B))."""
    G = {"rnn": 1, "lstm": 4, "gru": 3}[cell] * H
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    if feature_major:
        fwd = (f32(G, H), f32(H, B), np.empty((G, B), np.float32))
        bwd = (f32(H, G), f32(G, B), np.empty((H, B), np.float32))
    else:
        fwd = (f32(B, H), f32(H, G), np.empty((B, G), np.float32))
        bwd = (f32(B, G), f32(G, H), np.empty((B, H), np.float32))
    d_all, h_all, W_hy, dlogits = f32(T * B, G), f32(T * B, H), f32(V, H), f32(T * B, V)

    def step():
        for _ in range(T):
            np.matmul(fwd[0], fwd[1], out=fwd[2])             # forward recurrence
        for _ in range(T):
            np.matmul(bwd[0], bwd[1], out=bwd[2])             # backward recurrence
        d_all.T @ h_all                                       # dW_hh
        h_all @ W_hy.T, dlogits.T @ h_all, dlogits @ W_hy     # output layer, dW_hy, its dL/dh
    return step


def gemm_rate(n: int = 1024, repeats: int = 20) -> float:
    """The machine's float32 GEMM rate in GFLOP/s (NumPy's BLAS, as configured), in a worker."""
    code = ("import numpy as np, time; a = np.ones((%d, %d), np.float32); b = a.copy(); c = a @ b; ts = []\n"
            "for _ in range(%d):\n t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)\n"
            "print(2 * %d ** 3 / np.median(ts) / 1e9)") % (n, n, repeats, n)
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def run_worker(impl: str, cell: str, size, threads: int, repeats: int, no_onednn: bool = False) -> float:
    V, H, B, T = size
    cmd = [sys.executable, __file__, "--worker", impl, "--cell", cell, "--V", str(V), "--H", str(H), "--B", str(B),
           "--T", str(T), "--threads", str(threads), "--repeats", str(repeats)] + (["--no-onednn"] if no_onednn else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def has_torch() -> bool:
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="rnn_core vs PyTorch, forward + BPTT, float32")
    ap.add_argument("--worker", choices=("numpy", "gemms", "torch"))
    ap.add_argument("--no-onednn", action="store_true", help="(torch worker) switch oneDNN off")
    ap.add_argument("--cell", default="rnn")
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--V", type=int)
    ap.add_argument("--H", type=int)
    ap.add_argument("--B", type=int)
    ap.add_argument("--T", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", help="V:H:B:T[,V:H:B:T...] instead of the standard three")
    a = ap.parse_args(argv)
    if a.worker:
        a.impl = a.worker
        worker(a)
        return
    torch_ok = has_torch()
    env = {k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"numpy {np.__version__}; {env}; PyTorch {'found' if torch_ok else 'not installed: its column is skipped'}")
    peak = gemm_rate()
    print(f"float32 GEMM rate (1024^3, NumPy's BLAS): {peak:.0f} GFLOP/s")
    head = (f"{'cell':5s} {'V':>3s} {'H':>4s} {'B':>3s} {'T':>3s} {'ours ms':>8s} {'GFLOP/s':>8s} {'of GEMM':>7s}"
            f" {'GEMMs ms':>8s}")
    print(head + (f" {'torch ms':>9s} {'threads':>7s} {'ratio':>6s} {'no-oneDNN ms':>12s} {'ratio':>6s}"
                  if torch_ok else ""))
    sizes = [tuple(int(n) for n in x.split(":")) for x in a.sizes.split(",")] if a.sizes else SIZES
    for cell in a.cells.split(","):
        for size in sizes:
            ours, floor, t1, t2, op = [], [], [], [], []
            for _ in range(a.rounds):                       # a sandwich per round: ours, theirs, ours
                before = run_worker("numpy", cell, size, 2, a.repeats)
                if torch_ok:
                    t1.append(run_worker("torch", cell, size, 1, a.repeats))
                    t2.append(run_worker("torch", cell, size, 2, a.repeats))
                    if cell == "lstm":
                        op.append(run_worker("torch", cell, size, 2, a.repeats, no_onednn=True))
                ours.append((before + run_worker("numpy", cell, size, 2, a.repeats)) / 2)
                floor.append(run_worker("gemms", cell, size, 2, a.repeats))
            ours_a = np.array(ours)
            o = float(np.median(ours_a))
            rate = flops(cell, *size) / o / 1e9
            line = (f"{cell:5s} {size[0]:3d} {size[1]:4d} {size[2]:3d} {size[3]:3d} {o * 1e3:8.3f} {rate:8.1f}"
                    f" {rate / peak:7.0%} {float(np.median(floor)) * 1e3:8.3f}")
            if torch_ok:
                th = 1 if np.median(t1) <= np.median(t2) else 2
                theirs = np.array(t1 if th == 1 else t2)
                line += f" {float(np.median(theirs)) * 1e3:9.3f} {th:7d} {float(np.median(theirs / ours_a)):6.2f}"
                if op:
                    op_a = np.array(op)
                    line += f" {float(np.median(op_a)) * 1e3:12.3f} {float(np.median(op_a / ours_a)):6.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
