"""Train and Gradient lab in AppTest: runs, live settings, Stop, the NaN guard, figures with the core's numbers."""
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from helpers import app_figures, click, decode_plotly, finish_run, open_page, push_to_divergence

APP = str(Path(__file__).resolve().parent.parent / "app.py")


_page, _click = open_page, click


@pytest.fixture
def train_page():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(25).run()
    return at


def test_navigation_lists_all_pages():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for path in ("pages/train.py", "pages/gradient_lab.py", "pages/step_through.py", "pages/home.py"):
        at.switch_page(path).run()
        assert not at.exception


def test_train_runs_and_figures_hold_the_cores_numbers(train_page):
    at = train_page
    _click(at, "Train")
    sess = finish_run(at)                                           # it trained in a worker process
    assert sess.iteration == 25 and not sess.running
    figs = app_figures(at)
    loss = figs["Training loss"]["data"][0]
    np.testing.assert_array_equal(decode_plotly(loss["y"]), [r["loss"] for r in sess.records])
    steps = figs["Gradient norm per time step"]["data"][0]
    np.testing.assert_allclose(decode_plotly(steps["y"]), sess.step_norms[-1])
    assert "Gradient norm per time step, every iteration" in figs and "Global gradient norm" in figs
    assert any("Probe" in m.value for m in at.markdown)
    assert "Trained on the Train page" in at.session_state["models"]
    assert len(sess.runs) == 1 and at.dataframe[0].value["run"].tolist() == [1]


def test_live_rate_change_keeps_weights_and_shape_change_says_reset(train_page):
    at = train_page
    _click(at, "Train")
    sess = finish_run(at)
    w = sess.model.params["W_hh"].copy()
    at.select_slider(key="tr_lr").set_value(0.001).run()
    assert not at.info                                              # no reset needed for a rate
    at.selectbox(key="tr_cell").set_value("gru").run()
    assert any("needs new weights" in i.value and "cell" in i.value for i in at.info)
    assert sess.model.cell == "rnn" and np.array_equal(sess.model.params["W_hh"], w)   # kept until Train
    _click(at, "Train")
    finish_run(at)
    assert sess.model.cell == "gru" and sess.iteration == 25


def test_stop_keeps_what_was_trained(train_page):
    at = train_page
    at.number_input(key="tr_iterations").set_value(100_000).run()
    _click(at, "Train")                                             # it trains in a worker process meanwhile
    sess = at.session_state["train_session"]
    n = sess.wait(lambda v: v.iteration > 0).iteration
    assert 0 < n < 100_000 and sess.running
    _click(at, "Stop")
    assert not sess.running and sess.iteration >= n and sess.runs[-1]["to iteration"] == sess.iteration
    w, stopped = sess.model.params["W_hh"].copy(), sess.iteration
    time.sleep(0.5)
    at.run()
    assert np.array_equal(sess.model.params["W_hh"], w) and sess.iteration == stopped   # nothing trains after Stop


def test_nan_guard_triggers_and_recovers(train_page):
    at = train_page
    push_to_divergence(at)
    _click(at, "Train")
    sess = finish_run(at)
    assert any("diverged at iteration" in e.value for e in at.error)
    assert all(np.isfinite(p).all() for p in sess.model.params.values())
    _click(at, "Reset weights")
    at.select_slider(key="tr_lr").set_value(0.01).run()
    at.selectbox(key="tr_optimizer").set_value("adam").run()
    _click(at, "Train")
    finish_run(at)
    assert not sess.diverged and sess.iteration == 25 and not at.error


@pytest.mark.parametrize("text, message", [("", "empty"), ("word " * 100_000, "at most 60,000")])
def test_bad_pasted_text_keeps_the_model(train_page, text, message):
    at = train_page
    _click(at, "Train")
    sess = finish_run(at)
    at.selectbox(key="tr_source").set_value("Pasted text").run()
    at.text_area(key="tr_text").set_value(text).run()
    assert not at.exception and any(message in w.value for w in at.warning)
    assert sess.iteration == 25 and sess.data.probe.startswith("My favourite dish")


def test_trained_model_is_offered_on_step_through(train_page):
    at = train_page
    _click(at, "Train")
    finish_run(at)
    at.switch_page("pages/step_through.py").run()
    at.selectbox(key="model_name").set_value("Trained on the Train page").run()
    assert not at.exception and "Next-token probabilities" in app_figures(at)


def test_gradient_lab_figures():
    at = _page("pages/gradient_lab.py")
    figs = app_figures(at)
    jac = figs["How much gradient survives: ||ds_T/ds_t||"]
    names = [t["name"] for t in jac["data"]]
    assert names == ["RNN", "LSTM", "GRU", "rho^(T-t)", "LSTM: forget gates f_t+1 ... f_T",
                     "GRU: update gates z_t+1 ... z_T"]
    theory = decode_plotly(jac["data"][3]["y"])
    np.testing.assert_allclose(theory, 0.9 ** np.arange(39, -1, -1))
    assert "Eigenvalues of W_hh" in figs and "Training loss with and without clipping" in figs
    assert any(m.label == "Spectral radius of W_hh" and m.value == "0.900" for m in at.metric)
    at.slider(key="lab_rho").set_value(1.5).run()
    assert any(m.value == "1.500" for m in at.metric)


def test_lag_sweep_one_click():
    at = _page("pages/gradient_lab.py")
    at.multiselect(key="lab_cells").set_value(["rnn", "gru"]).run()
    at.select_slider(key="lab_budget").set_value(100).run()
    _click(at, "Run the lag sweep")
    df = at.session_state["lab_sweep_result"]
    assert df["cell"].tolist() == ["rnn", "gru"] * 5 and df["gap"].tolist() == [0, 0, 5, 5, 10, 10, 20, 20, 30, 30]
    fig = app_figures(at)["Lag sweep: what each cell remembers"]
    np.testing.assert_allclose(decode_plotly(fig["data"][0]["y"]), df[df["cell"] == "rnn"]["accuracy"])
