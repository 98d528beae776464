"""Bounded memory per session: byte budgets for logs, snapshots, runs and uploads, thinned figures, and
the per-session ceiling the README states."""
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import app_figures, open_page
from ui.common.config import SeriesConfig, TrainConfig
from ui.common.frames import MAX_CURVE_POINTS, MAX_HEATMAP_ROWS, decimate
from ui.common.live import MAX_RECORDS, MAX_STEP_ROWS, LogView, MetricsLog
from ui.common.memory import (SERIES_CEILING, SESSION_CEILING, SGD_COPIES_BUDGET, TRAIN_CEILING,
                              UPLOADED_MODELS_BUDGET, held_bytes)
from ui.common.models import LoadedModel, add_upload
from ui.series.session import MAX_EVALS, SeriesSession, build_series
from ui.train.session import MAX_RUN_POINTS, MAX_RUNS, SNAPSHOT_BUDGET, RunHistory, TrainSession, build_data

README = Path(__file__).resolve().parent.parent / "README.md"


def fake_record(i: int, T: int = 25, rng=np.random.default_rng(0)):
    """What the trainer yields for iteration ``i`` (made up, with the shapes a real one has)."""
    return SimpleNamespace(iteration=i, loss=2 + np.sin(i / 500) + 0.1 * rng.standard_normal(), grad_norm=1.0 + i % 7,
                           clipped=i % 13 == 0, elapsed=i * 1e-3, tokens=i * 16,
                           grad_norm_per_step=np.full(T, i, float),
                           loss_per_step=np.full(T, 1.0), w_hh_terms=np.ones(T),
                           last_step_grad_norm_per_step=np.full(T, i, float) if i % 10 == 1 else None)


def fill(log: MetricsLog, n: int, T: int = 25, first: int = 1) -> MetricsLog:
    for i in range(first, first + n):
        log.append(fake_record(i, T))
    return log


# ----- the logs -------------------------------------------------------------------------------------------
def test_a_short_run_keeps_every_iteration_and_row():
    log = fill(MetricsLog(), 300)
    assert log.column("iteration").tolist() == list(range(1, 301))
    assert log.step_norms.iterations == list(range(1, 301)) and log.step_norm_matrix().shape == (300, 25)
    assert log.last_step_iterations == list(range(1, 301, 10))


def test_per_step_rows_are_thinned_evenly_and_keep_the_latest():
    log = fill(MetricsLog(max_rows=100), 1_000)
    its = log.step_norms.iterations
    assert len(its) <= 100 and its[0] <= 16 and its[-1] == 1_000          # the whole run, to its last iteration
    gaps = np.diff(its[:-1])
    assert gaps.min() == gaps.max()                                      # evenly spaced
    assert log.step_norms[-1][0] == 1_000                                 # the latest row is the latest iteration's
    m = log.step_norm_matrix()
    np.testing.assert_array_equal(m[:, 0], its)                           # each row is its own iteration's


def test_columns_thin_the_older_half_past_their_limit():
    log = fill(MetricsLog(max_records=1_000), 5_000)
    its = log.column("iteration")
    assert len(log) <= 1_000 and its[-1] == 5_000 and its[0] == 1 and np.all(np.diff(its) > 0)
    assert np.all(np.diff(its[-400:]) == 1)                               # the newest iterations one by one
    assert log.since(4_900)["iteration"].tolist() == list(range(4_901, 5_001))


def test_forget_after_drops_later_rows_and_the_sampled_terms():
    log = fill(MetricsLog(), 100)
    log.forget_after(55)
    assert log.column("iteration")[-1] == 55 and log.step_norms.iterations[-1] == 55
    assert log.last_step_iterations[-1] == 51 and log.w_hh_terms is None
    log.append(fake_record(56))
    assert log.column("iteration")[-1] == 56 and log.step_norms.iterations[-2:] == [55, 56]


def test_a_full_log_stays_within_its_budget():
    """Up to ``max_records`` iterations one by one (41 bytes each, in columns that grow by doubling from 1,024)
    and MAX_STEP_ROWS rows of T=100 for each of the three per-step logs; the log's own count agrees with what
    held_bytes finds. At the real limits that is at most 14 MB."""
    def bound(records):
        capacity = 1024 * 2 ** int(np.ceil(np.log2(records / 1024)))
        return capacity * per_record + 3 * MAX_STEP_ROWS * 100 * 4

    per_record = sum(np.dtype(t).itemsize for t in MetricsLog.COLUMNS.values())
    log = fill(MetricsLog(max_records=20_000, max_rows=MAX_STEP_ROWS), 30_000, T=100)
    assert len(log.step_norms) <= MAX_STEP_ROWS and len(log) <= 20_000
    assert per_record == 41 and log.nbytes <= bound(20_000) and bound(MAX_RECORDS + 1) <= 14_000_000
    assert log.nbytes <= held_bytes(log) <= 1.3 * log.nbytes + 2 * MAX_STEP_ROWS * 3 * 150


def test_decimate_keeps_every_spike_and_at_most_max_points():
    x = np.arange(100_000)
    y = np.ones(100_000)
    y[[5, 31_337, 99_998]] = [50, 80, -3]
    dx, dy = decimate(x, y, 2_000)
    assert len(dx) <= 2_000 and np.all(np.diff(dx) > 0)
    assert {5, 31_337, 99_998} <= set(dx.tolist()) and dy.max() == 80 and dy.min() == -3
    short_x, short_y = decimate(x[:50], y[:50])
    assert short_x is not None and len(short_x) == 50


# ----- a Train session at its largest ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def biggest_train():
    """The largest model Train can make (LSTM, H=256, a 3,000-token vocabulary, Adam), run with a snapshot at
    every iteration, its log at its limits and 300 runs logged: what a session holds at most."""
    words = " ".join(f"w{i}" for i in range(3_200)) + " ."
    cfg = TrainConfig(source="Pasted text", level="word", cell="lstm", hidden=256, batch=1, seq_len=4,
                      optimizer="adam", iterations=30)
    sess = TrainSession()
    data = build_data(cfg, words)
    sess.reset_weights(cfg, data)
    sess.start(30)
    sess.snapshots.every = 1
    while sess.running:
        sess.train_for(30.0)
    sess.metrics = fill(MetricsLog(), MAX_RECORDS + 10_000, T=100)
    for _ in range(MAX_RUNS + 100):
        sess.runs.log(cfg, 0, 100_000, {"loss": np.ones(100_000), "seconds": np.arange(100_000.0)}, False)
    return sess


def test_snapshots_keep_to_their_byte_budget(biggest_train):
    sess = biggest_train
    size = sum(p.nbytes for p in sess.model.params.values())
    assert len(sess.model.params) and size > 16_000_000 and len(sess.vocab) == 3_000
    assert 2 <= len(sess.snapshots) <= max(2, SNAPSHOT_BUDGET // size) and sess.snapshots.nbytes <= SNAPSHOT_BUDGET
    assert {0, 30} <= set(sess.snapshots)                                 # the start and the latest stay


def test_runs_keep_a_bounded_curve_each(biggest_train):
    runs = biggest_train.runs
    assert len(runs) == MAX_RUNS and runs[-1]["run"] == MAX_RUNS + 101 and runs[0]["run"] > 1
    assert max(len(r["losses"]) for r in runs) <= MAX_RUN_POINTS
    assert runs.nbytes <= MAX_RUNS * MAX_RUN_POINTS * 8


def test_the_largest_train_session_stays_under_its_ceiling(biggest_train, capsys):
    with capsys.disabled():
        print(f"\nthe largest Train session holds {held_bytes(biggest_train) / 1e6:.1f} MB")
    assert held_bytes(biggest_train) <= TRAIN_CEILING


def test_the_largest_series_session_stays_under_its_ceiling(capsys):
    values = np.sin(np.arange(20_000) / 7.0)
    cfg = SeriesConfig(source="Uploaded CSV", column="v", cell="lstm", hidden=256, window=100, batch=4,
                       iterations=10)
    sess = SeriesSession()
    sess.reset_weights(cfg, build_series(cfg, {"v": values}, "digest"))
    sess.start(10)
    while sess.running:
        sess.train_for(30.0)
    sess.predictions()
    sess.metrics = fill(MetricsLog(), MAX_RECORDS + 10_000, T=100)
    sess.evals = [(i, 0.5) for i in range(0, 10 * MAX_EVALS, 10)]
    with capsys.disabled():
        print(f"\nthe largest Time series session holds {held_bytes(sess) / 1e6:.1f} MB")
    assert held_bytes(sess) <= SERIES_CEILING


def test_evals_are_thinned_past_their_limit():
    cfg = SeriesConfig(hidden=8, iterations=10)
    sess = SeriesSession()
    sess.reset_weights(cfg, build_series(cfg))
    sess.evals = [(i, 0.5) for i in range(0, 10 * MAX_EVALS, 10)]
    sess._kept(SimpleNamespace(iteration=10 * MAX_EVALS))
    assert len(sess.evals) < MAX_EVALS and sess.evals[0][0] == 0 and sess.evals[-1][0] == 10 * MAX_EVALS


# ----- uploads ------------------------------------------------------------------------------------------
def test_uploaded_models_keep_to_their_budget():
    def upload(name, mb):
        return LoadedModel(f"Uploaded: {name}", SimpleNamespace(params={"W": np.zeros(mb * 250_000, np.float32)}),
                           None)

    models = {"Demo RNN": LoadedModel("Demo RNN", None, None)}
    assert add_upload(models, upload("a", 40)) == []
    assert add_upload(models, upload("b", 40)) == []
    assert add_upload(models, upload("c", 40)) == ["Uploaded: a"]              # 120 MB > 100 MB: the oldest goes
    assert list(models) == ["Demo RNN", "Uploaded: b", "Uploaded: c"]
    assert add_upload(models, upload("huge", 150)) == ["Uploaded: b", "Uploaded: c"]   # never the new one
    assert list(models) == ["Demo RNN", "Uploaded: huge"] and UPLOADED_MODELS_BUDGET == 100_000_000


# ----- what one redraw sends ------------------------------------------------------------------------------
def test_a_100k_iteration_redraw_sends_under_1_mb_of_chart_data(capsys):
    """Train after 100,000 iterations (the log filled in, T=100): every chart together is under 1 MB, the
    curves are thinned to MAX_CURVE_POINTS and the heatmaps to MAX_HEATMAP_ROWS, and the loss curve still
    reaches the last iteration."""
    at = open_page("pages/train.py")
    run = at.session_state["train_session"]
    runs = RunHistory()
    for _ in range(5):
        runs.log(run.view.config, 0, 100_000, {"loss": np.ones(100_000), "seconds": np.arange(100_000.0)}, False)
    log = LogView.of(fill(MetricsLog(), 100_000, T=100))
    run._job.latest = run.view.updated({"metrics": log, "iteration": 100_000, "runs": runs})   # what a view holds then
    at.run()
    assert not at.exception
    figs = app_figures(at)
    sizes = {title: len(json.dumps(f)) for title, f in figs.items()}
    with capsys.disabled():
        print(f"\none redraw of Train after 100,000 iterations: {sum(sizes.values()) / 1e3:.0f} kB of chart data")
    assert sum(sizes.values()) < 1_000_000, sizes
    from helpers import decode_plotly
    loss = figs["Training loss"]["data"][0]
    x = decode_plotly(loss["x"])
    assert len(x) <= MAX_CURVE_POINTS and x[-1] == 100_000 and x[0] == 1
    heat = figs["Gradient norm per time step, every iteration"]["data"][0]
    assert len(decode_plotly(heat["y"])) <= MAX_HEATMAP_ROWS and decode_plotly(heat["y"])[-1] == 100_000


# ----- the README ---------------------------------------------------------------------------------------
def test_readme_states_the_ceilings_the_code_holds():
    text = README.read_text()
    for what, value in (("per session", SESSION_CEILING), ("Train", TRAIN_CEILING), ("Time series", SERIES_CEILING),
                        ("uploaded models", UPLOADED_MODELS_BUDGET), ("snapshots", SNAPSHOT_BUDGET)):
        mb = f"{value // 1_000_000} MB"
        assert re.search(rf"\|[^|\n]*{re.escape(what)}[^|\n]*\|[^\n]*{mb}", text, re.I), (what, mb)
    assert TRAIN_CEILING + SERIES_CEILING + UPLOADED_MODELS_BUDGET + SGD_COPIES_BUDGET + 8_000_000 <= SESSION_CEILING


def test_a_session_that_visited_every_page_holds_little(capsys):
    """Defaults, every page visited once, a short Train and Time series run: what a typical learner holds
    (the rest of the ceiling is room for the largest settings)."""
    from helpers import click
    at = open_page("pages/step_through.py")
    for page in ("pages/home.py", "pages/gradient_lab.py", "pages/generate.py", "pages/time_series.py"):
        at.switch_page(page).run()
        assert not at.exception
    click(at, "Train")
    at.switch_page("pages/train.py").run()
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(50).run()
    click(at, "Train")
    state = at.session_state._state.filtered_state          # every key the app set (widgets too)
    total = held_bytes(state)
    with capsys.disabled():
        print(f"\na session that visited every page holds {total / 1e6:.1f} MB")
    assert 0 < total <= 8_000_000
