"""How long the app makes a learner wait: script reruns (AppTest), cold start and clicks (a real browser).

    .venv/bin/python bench/ui_latency.py [--clicks 15]

1. Step through, AppTest: script-run time after a Next step click, H=64 RNN, a 20-token sentence.
2. Train, AppTest: one live redraw while the run trains in its worker process, and the run's iterations
   per second there against the Trainer's own rate on the same settings.
3. Server cold start: `streamlit run` to /_stcore/health, and to a rendered Home in Chromium.
4. Browser: click Next step -> the Next-token chart shows the new step's data (median).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SENTENCE_20 = "My favourite dish is sushi. So, my favourite cuisine is japanese. I love ramen. So, my"


def _median_ms(xs) -> float:
    return float(np.median(xs) * 1e3)


def step_through_reruns(clicks: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from rnn_core import make_model
    from ui.common.models import LoadedModel

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/step_through.py").run()
    vocab = at.session_state["models"]["Demo RNN"].vocab
    at.session_state["models"]["Bench H=64"] = LoadedModel("Bench H=64", make_model("rnn", len(vocab), 64, seed=0,
                                                                                    dtype=np.float32), vocab)
    at.run()                                       # the Model box now offers it
    at.selectbox(key="model_name").set_value("Bench H=64").run()
    at.text_input(key="sentence_input").set_value(SENTENCE_20).run()
    n = len(vocab.tokenize(SENTENCE_20))
    times = []
    for k in range(clicks):
        if at.slider[0].value == n:
            next(b for b in at.button if b.label == "Reset").click().run()
        btn = next(b for b in at.button if b.label == "Next step")
        t0 = time.perf_counter()
        btn.click().run()
        times.append(time.perf_counter() - t0)
        assert not at.exception
    return {"tokens": n, "median_ms": _median_ms(times)}


def train_updates(ticks: int) -> dict:
    """Train's live redraw while a run trains in its worker process (AppTest reruns the page), and the run's
    iterations per second there against the Trainer alone on the same settings in this process."""
    from streamlit.testing.v1 import AppTest

    from ui.common.config import TrainConfig
    from ui.train.session import TrainSession, build_data

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/train.py").run()
    at.number_input(key="tr_iterations").set_value(100_000).run()  # the box allows at most 100,000
    next(b for b in at.button if b.label == "Train").click().run()
    run = at.session_state["train_session"]
    run.wait(lambda v: v.iteration > 0)
    times = []
    t_start, it_start = time.perf_counter(), run.view.iteration
    for _ in range(ticks):
        t0 = time.perf_counter()
        at.run()                                   # a redraw: the page reads the latest view
        times.append(time.perf_counter() - t0)
        time.sleep(0.5)
    live = (run.view.iteration - it_start) / (time.perf_counter() - t_start)
    next(b for b in at.button if b.label == "Stop").click().run()
    cfg = TrainConfig()
    core = TrainSession()
    core.reset_weights(cfg, build_data(cfg))
    core.start(100_000)
    t0 = time.perf_counter()
    n = core.train_for(5.0)
    core_rate = n / (time.perf_counter() - t0)
    return {"update_ms": _median_ms(times), "live_it_s": live, "core_it_s": core_rate}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(clicks: int) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    from test_browser import CHROMIUM, FIGURE_DATA, FLAGS

    port = _port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.05)
        health = time.perf_counter() - t0
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = b.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(url + "/")
            page.wait_for_function(f"() => ({FIGURE_DATA})('Next-token probabilities') !== null", timeout=60_000)
            home = time.perf_counter() - t0
            page.goto(url + "/step_through")
            page.wait_for_function(f"() => ({FIGURE_DATA})('Next-token probabilities') !== null", timeout=60_000)
            slider = page.get_by_role("slider")
            times, missed = [], 0
            for k in range(clicks):
                step = int(slider.get_attribute("aria-valuetext"))
                if step == 12:
                    page.get_by_role("button", name="Reset", exact=True).click()
                    expect(slider).to_have_attribute("aria-valuetext", "1")
                    page.wait_for_timeout(300)
                    step = 1
                before = page.evaluate(FIGURE_DATA, "Next-token probabilities")[0]["x"]
                t1 = time.perf_counter()
                page.get_by_role("button", name="Next step").click()
                try:
                    page.wait_for_function(
                        f"(prev) => {{ const d = ({FIGURE_DATA})('Next-token probabilities');"
                        f" return d && JSON.stringify(d[0].x) !== JSON.stringify(prev); }}", arg=before, timeout=10_000)
                    times.append(time.perf_counter() - t1)
                except PlaywrightTimeout:
                    missed += 1                         # reported below, never silently dropped
                page.wait_for_timeout(300)
            b.close()
        return {"health_s": health, "home_s": home, "click_ms": _median_ms(times), "missed": missed}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clicks", type=int, default=15)
    a = ap.parse_args(argv)
    s = step_through_reruns(a.clicks)
    print(f"Step through rerun after Next step (AppTest, H=64, {s['tokens']} tokens): median {s['median_ms']:.1f} ms")
    t = train_updates(8)
    print(f"Train live redraw (AppTest): median {t['update_ms']:.0f} ms; the run {t['live_it_s']:.0f} it/s "
          f"vs the Trainer alone {t['core_it_s']:.0f} it/s ({t['live_it_s'] / t['core_it_s']:.0%})")
    b = browser(a.clicks)
    print(f"Server cold start: healthy after {b['health_s']:.2f} s, Home rendered in Chromium after "
          f"{b['home_s']:.2f} s")
    print(f"Browser click on Next step -> updated Next-token chart: median {b['click_ms']:.0f} ms"
          + (f" ({b['missed']} of {a.clicks} clicks showed no new chart within 10 s)" if b["missed"] else ""))


if __name__ == "__main__":
    main()
