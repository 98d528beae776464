"""Peak memory of training runs: each in a fresh process, peak RSS minus the RSS after imports.

    .venv/bin/python bench/memory.py [--steps 50]

Sizes as in the throughput benchmarks (random token streams), plus a 1 MB word-level corpus
(the cuisine corpus repeated), all float32 with the Trainer (Adam, clip 5).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [  # (label, cell, V, H, B, T, corpus)
    ("V=64 H=64 B=1 T=25", "rnn", 64, 64, 1, 25, None),
    ("V=64 H=128 B=32 T=64", "rnn", 64, 128, 32, 64, None),
    ("V=64 H=512 B=32 T=64", "rnn", 64, 512, 32, 64, None),
    ("V=64 H=512 B=32 T=64", "lstm", 64, 512, 32, 64, None),
    ("1 MB corpus, H=128 B=32 T=64", "rnn", 0, 128, 32, 64, "cuisine x 7"),
]

WORKER = r"""
import json, resource, sys
sys.path.insert(0, ROOT)
import numpy as np
from rnn_core import Vocab, keep_freed_memory, make_model
keep_freed_memory()
from rnn_core.data import CORPORA, TokenStream
from rnn_core.train import Trainer
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cell, V, H, B, T, corpus, steps = ARGS
if corpus:
    text = CORPORA["cuisine"].read() * 7
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    V = len(vocab)
    size_mb = len(text.encode()) / 1e6
else:
    ids = np.random.default_rng(0).integers(0, V, 200_000)
    size_mb = 0
model = make_model(cell, V, H, seed=0, dtype=np.float32)
for _ in Trainer(model, TokenStream(ids, B, T), "adam", 0.001, 5.0).run(steps):
    pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_mb": base / 1024, "peak_mb": peak / 1024, "tokens": int(ids.size), "corpus_mb": size_mb}))
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50)
    a = ap.parse_args(argv)
    print(f"{'case':32s} {'cell':5s} {'after imports':>14s} {'peak':>9s} {'training adds':>14s}")
    for label, cell, V, H, B, T, corpus in CASES:
        code = WORKER.replace("ROOT", repr(str(ROOT))).replace("ARGS", repr((cell, V, H, B, T, corpus, a.steps)))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        extra = f" ({r['corpus_mb']:.2f} MB, {r['tokens']:,} tokens)" if r["corpus_mb"] else ""
        print(f"{label:32s} {cell:5s} {r['base_mb']:11.1f} MB {r['peak_mb']:6.1f} MB "
              f"{r['peak_mb'] - r['base_mb']:11.1f} MB{extra}")


if __name__ == "__main__":
    main()
