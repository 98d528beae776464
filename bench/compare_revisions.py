"""A code change's speed-up: rnn_core at a git revision against the working tree, in one process.

    .venv/bin/python bench/compare_revisions.py REV [--cells lstm] [--rounds 15]

The host drifts between a fast and a slow state, so two separate runs cannot judge a change of
10-20%. Here the revision's rnn_core is unpacked beside the working tree's under another package
name, and the two alternate round after round on the same inputs; each round times a batch of
forward + BPTT steps of each. Prints, per cell and size, both medians and the median of the
per-round ratios (above 1: the working tree is faster), with its spread.
"""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from timing import SIZES  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent


def load_revision(rev: str, into: Path):
    """Import rnn_core as it was at ``rev`` under the name rnn_core_at_rev."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "rnn_core"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    (into / "rnn_core").rename(into / "rnn_core_at_rev")
    sys.path.insert(0, str(into))
    return importlib.import_module("rnn_core_at_rev")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="a git revision, e.g. HEAD~1")
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import rnn_core
    rnn_core.keep_freed_memory()           # a process-wide setting (the older revisions set it on import)
    with tempfile.TemporaryDirectory() as tmp:
        old_core = load_revision(a.rev, Path(tmp))
        print(f"{'cell':5s} {'V':>3s} {'H':>4s} {'B':>3s} {'T':>3s} {a.rev + ' ms':>12s} {'now ms':>9s} "
              f"{'speed-up':>8s} {'spread':>11s}")
        for cell in a.cells.split(","):
            for V, H, B, T in SIZES:
                rng = np.random.default_rng(0)
                x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
                models = [core.make_model(cell, V, H, seed=0, dtype=np.float32) for core in (old_core, rnn_core)]
                steps = max(1, int(2e5 / (B * T * H)))          # about as long a batch at every size
                times = np.empty((a.rounds, 2))
                for r in range(a.rounds):
                    for k, m in enumerate(models):
                        m.loss_and_grads(x, y)
                        t0 = time.perf_counter()
                        for _ in range(steps):
                            m.loss_and_grads(x, y)
                        times[r, k] = (time.perf_counter() - t0) / steps
                ratio = times[:, 0] / times[:, 1]
                old_ms, new_ms = np.median(times, axis=0) * 1e3
                print(f"{cell:5s} {V:3d} {H:4d} {B:3d} {T:3d} {old_ms:12.3f} {new_ms:9.3f} {np.median(ratio):8.2f} "
                      f"{ratio.min():5.2f}-{ratio.max():.2f}", flush=True)


if __name__ == "__main__":
    main()
