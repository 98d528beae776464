"""How long a lesson takes to open: the Lessons page's script run for each lesson by its link (AppTest, one session,
the server's caches warm as they are a moment after start-up), and the cold cost of what the background warm-up
computes.

    .venv/bin/python bench/lessons.py [--rounds 3]

Prints, per lesson, the median script-run time of opening it by its link; then the warm-up's own time (the lab's
clipping runs, the sine's training, the lab's networks) measured cold in this process.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    from rnn_core import keep_freed_memory

    keep_freed_memory()
    from helpers import app_figures, open_page
    from ui.common.lessons import LESSONS
    from ui.lessons.screens import warm

    t = time.perf_counter()
    warm()
    print(f"background warm-up, cold: {time.perf_counter() - t:.2f} s")
    open_page("pages/lessons.py")                         # the app's imports and the demo models, once
    worst = 0.0
    for lesson in LESSONS:
        times = []
        for _ in range(a.rounds):
            t = time.perf_counter()
            at = open_page("pages/lessons.py", lesson=lesson.slug)
            times.append(time.perf_counter() - t)
            assert not at.exception and list(app_figures(at))
        med = float(np.median(times))
        worst = max(worst, med)
        print(f"{lesson.slug:22s} {med * 1e3:7.0f} ms (median of {a.rounds}: open by its link, figure drawn)")
    print(f"slowest lesson: {worst:.2f} s")


if __name__ == "__main__":
    main()
