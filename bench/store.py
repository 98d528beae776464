"""Saving and restoring a run: what the run store costs the training worker, the saver thread and a page that
opens a run's address.

    .venv/bin/python bench/store.py [--repeats 5] [--database-url postgresql://...] [--quick]

For each case (Train's default run of 2,000 iterations: an RNN, H=128, on the cuisine corpus; the largest Train
model: an LSTM, H=256, on a 3,000-token vocabulary with Adam, 200 iterations; Time series' default run) it
prints the run file's size and the median of ``repeats`` timings of:

- checkpoint: the worker builds the run file between two iterations (``LiveRun.checkpoint``),
- save: the saver writes it to the store (one transaction; SQLite in a temporary folder, and PostgreSQL when
  ``--database-url`` names an empty database),
- open + restore: a page opens the run's address: read it from the store and take it up in a session
  (``TrainSession.restore``: the model checked as an upload is, the data, metrics and history rebuilt).

``--quick`` trains 20 iterations instead (a check that it runs; the figures then mean little).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402  (bench/ is the script's folder)

from rnn_core import keep_freed_memory  # noqa: E402
from rnn_core.store import Settings, Store, new_id  # noqa: E402
from ui.common.config import SeriesConfig, TrainConfig  # noqa: E402
from ui.series.session import SeriesSession, build_series  # noqa: E402
from ui.train.session import TrainSession, build_data  # noqa: E402


def _trained(cls, cfg, data, iterations: int):
    sess = cls()
    sess.reset_weights(cfg, data)
    sess.start(iterations)
    while sess.running:
        sess.train_for(5.0)
    return sess


def cases(quick: bool):
    n = 20 if quick else None
    text = " ".join(f"w{i % 3000} w{(i * 7) % 3000}" for i in range(30_000))      # 3,000 distinct words
    big = TrainConfig(source="Pasted text", cell="lstm", hidden=256, batch=8, seq_len=25)
    yield "Train default: RNN H=128, cuisine", TrainSession, lambda: _trained(
        TrainSession, TrainConfig(), build_data(TrainConfig()), n or 2000)
    yield "Train largest: LSTM H=256, V=3,000", TrainSession, lambda: _trained(
        TrainSession, big, build_data(big, text), n or 200)
    yield "Time series default: RNN H=16, sine", SeriesSession, lambda: _trained(
        SeriesSession, SeriesConfig(), build_series(SeriesConfig()), n or 300)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--database-url", default=None, help="also time PostgreSQL (an empty database)")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    keep_freed_memory()
    stores = {"SQLite": Store(Settings(data_dir=Path(tempfile.mkdtemp(prefix="rnnp-bench-"))))}
    if a.database_url:
        stores["PostgreSQL"] = Store(Settings(database_url=a.database_url))
    print("| run | run file MB | checkpoint ms | " + " | ".join(f"save to {k} ms | open + restore from {k} ms"
                                                            for k in stores) + " |")
    print("|---|---:|---:|" + "---:|---:|" * len(stores))
    for name, cls, make in cases(a.quick):
        sess = make()
        raw = sess.checkpoint()[2]
        build = median_seconds(sess.checkpoint, a.repeats)
        row = [name, f"{len(raw) / 1e6:.2f}", f"{build * 1e3:.1f}"]
        for store in stores.values():
            run_id = new_id()
            save = median_seconds(lambda: store.save_run(run_id, "bench", sess.kind, {"iteration": 1}, raw),
                                  a.repeats)
            restore = median_seconds(lambda: cls().restore(store.open_run(run_id).state), a.repeats)
            row += [f"{save * 1e3:.1f}", f"{restore * 1e3:.1f}"]
            store.delete_run(run_id)
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
