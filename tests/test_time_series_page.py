"""The Time series page in AppTest: defaults, training, stopping, the forecast, stepping through a window,
the lag sweep's adding problem, and settings that cannot be used."""
import time

import numpy as np
import pytest

from rnn_core.series import make_series
from ui.common.series_compute import fixed

from helpers import app_figures, click, decode_plotly, finish_run, open_page

PAGE = "pages/time_series.py"


@pytest.fixture
def page():
    return open_page(PAGE)


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_defaults_draw_every_figure_from_the_models_numbers(page):
    at = page
    figs = app_figures(at)
    for title in ("Prediction over the series", "Training loss", "Gradient norm per time step", "Forecast",
                  "Hidden state over time", "Stepping through the window"):
        assert title in figs, title
    sess = at.session_state["ts_session"]
    truth = decode_plotly(figs["Prediction over the series"]["data"][0]["y"])
    np.testing.assert_array_equal(truth, make_series("Sine"))
    pred = decode_plotly(figs["Prediction over the series"]["data"][1]["y"])
    np.testing.assert_allclose(pred, sess.data.norm.decode(sess.predictions()), equal_nan=True)
    assert sess.iteration == 0 and sess.model.real_inputs
    assert any("the first 480 for training, the last 120 held out" in m.value for m in at.markdown)


def test_training_with_the_defaults_learns_the_sine_and_the_captions_say_so(page):
    at = page
    before = at.session_state["ts_session"].held_out_fraction()
    click(at, "Train")
    sess = finish_run(at, "ts_session")               # it trained in a worker process
    assert sess.iteration == 300 and not sess.running
    after = sess.held_out_fraction()
    assert before > 0.5 and after < 0.01, (before, after)
    figs = app_figures(at)
    loss = figs["Training loss"]["data"]
    np.testing.assert_array_equal(decode_plotly(loss[0]["y"]), [r["loss"] for r in sess.records])
    assert [e[0] for e in sess.evals] == list(range(0, 301, 10))         # measured every 10 iterations
    assert sess.evals[-1][1] == pytest.approx(sess.held_out_mse(), rel=1e-4)
    caps = " ".join(_captions(at))
    assert f"{after:.2%} of the series' variance" in caps
    assert "Held out: from" in caps and "at iteration 300" in caps


def test_stop_keeps_the_updates_so_far(page):
    at = page
    at.number_input(key="ts_iterations").set_value(100_000).run()
    click(at, "Train")
    sess = at.session_state["ts_session"]
    assert sess.running
    sess.wait(lambda v: v.iteration > 0)
    click(at, "Stop")
    assert not sess.running and 0 < sess.iteration < 100_000
    n = sess.iteration
    time.sleep(0.5)
    at.run()
    assert sess.iteration == n


def test_forecast_start_moves_and_its_caption_follows(page):
    at = page
    click(at, "Train")
    finish_run(at, "ts_session")
    assert at.slider(key="ts_forecast_from").value == 480
    at.slider(key="ts_forecast_from").set_value(300).run()
    fig = app_figures(at)["Forecast"]
    fc_x = decode_plotly(fig["data"][1]["x"])
    assert fc_x[0] == 300 and len(fc_x) == 60
    assert any(c.startswith("Root mean squared error over the first 15 steps") for c in _captions(at))
    at.slider(key="ts_horizon").set_value(10).run()
    assert len(decode_plotly(app_figures(at)["Forecast"]["data"][1]["x"])) == 10


def test_step_through_the_window_writes_out_the_numbers(page):
    at = page
    assert at.slider(key="ts_step").value == 1
    latex = " ".join(x.value for x in at.latex)                  # the sine starts at 0: x_1 reads 0.000
    assert r"a_{1}[0] = \underbrace{" in latex and r"h_{1}[0] = \tanh(a_{1}[0]) = " in latex
    assert "= 0.000" in latex and "-0.000" not in latex
    click(at, "Next step")
    click(at, "Next step")
    assert at.session_state["ts_step"] == 3
    latex = " ".join(x.value for x in at.latex)
    assert "x_{3}" in latex and r"\hat y_{4}" in latex and r"(\hat y - y)^2" in latex
    at.selectbox(key="ts_cell").set_value("lstm").run()
    click(at, "Reset weights")
    latex = " ".join(x.value for x in at.latex)
    assert r"c_t = f \odot c_{t-1}" in latex


def _train(at, n):
    at.number_input(key="ts_iterations").set_value(n).run()
    click(at, "Train")
    finish_run(at, "ts_session")


def test_a_change_to_a_trained_model_says_it_needs_new_weights_and_train_makes_them(page):
    at = page
    at.selectbox(key="ts_cell").set_value("lstm").run()               # untrained: the new cell at once
    assert at.session_state["ts_session"].model.cell == "lstm" and not at.info
    _train(at, 5)
    at.selectbox(key="ts_cell").set_value("gru").run()
    assert any("needs new weights" in i.value and "trained 5 iterations on Sine" in i.value for i in at.info)
    assert at.session_state["ts_session"].model.cell == "lstm"
    _train(at, 5)
    sess = at.session_state["ts_session"]
    assert sess.model.cell == "gru" and sess.iteration == 5


def test_uploaded_csv_without_a_file_asks_for_one_and_keeps_the_model(page):
    at = page
    sess = at.session_state["ts_session"]
    at.selectbox(key="ts_source").set_value("Uploaded CSV").run()
    assert not at.exception
    assert any("Upload a CSV file to train on it" in w.value for w in at.warning)
    assert at.session_state["ts_session"] is sess and sess.data.name == "Sine"


def test_sunspots_are_shown_in_their_own_units(page):
    at = page
    at.selectbox(key="ts_source").set_value("Sunspots (yearly, 1700-2008)").run()
    at.slider(key="ts_window").set_value(100).run()
    click(at, "Reset weights")
    sess = at.session_state["ts_session"]
    assert sess.data.name.startswith("Sunspots") and sess.data.unit == "sunspots"
    assert sess.data.norm.mean == pytest.approx(np.mean(make_series("Sunspots (yearly, 1700-2008)")[:247]))
    fig = app_figures(at)["Prediction over the series"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "value (sunspots)"
    assert max(decode_plotly(fig["data"][0]["y"])) == 190.2


def test_a_series_too_short_for_the_window_is_refused_with_the_reason():
    from ui.common.config import SeriesConfig
    from ui.series.session import build_series

    cfg = SeriesConfig(source="Uploaded CSV", column="v", window=50)
    with pytest.raises(ValueError, match=r"training part \(32\) is too short for windows of 50 steps"):
        build_series(cfg, {"v": np.arange(40.0)}, "d")
    with pytest.raises(ValueError, match="Upload a CSV file"):
        build_series(cfg, None)
    assert build_series(SeriesConfig(source="Uploaded CSV", column="v", window=10), {"v": np.arange(40.0)}).split == 32


def test_the_lag_sweep_runs_the_adding_problem():
    at = open_page("pages/gradient_lab.py")
    at.segmented_control(key="lab_task").set_value("adding").run()
    at.multiselect(key="lab_cells").set_value(["rnn"]).run()
    at.select_slider(key="lab_budget").set_value(100).run()
    click(at, "Run the lag sweep")
    df = at.session_state["lab_sweep_result"]
    assert df.attrs["task"] == "adding" and df["gap"].tolist() == [5, 10, 20, 40]
    assert any("within 0.04 of the sum counts as remembering" in c.value for c in at.caption)
    fig = app_figures(at)["Lag sweep: what each cell remembers"]
    assert "first marked number" in fig["layout"]["xaxis"]["title"]["text"]


def test_a_long_uploaded_series_draws_a_bounded_heatmap(page):
    """20,000 values (the upload limit): the hidden-state heatmap draws every 10th step, 2,000 columns; the
    prediction is made for every 10th value, and the curves are thinned to 2,000 points."""
    at = page
    values = np.sin(np.arange(20_000) / 7.0) * 3 + 10
    at.session_state["ts_csv"] = {"name": "long.csv", "digest": "abc", "columns": {"v": values}}
    at.selectbox(key="ts_source").set_value("Uploaded CSV").run()
    assert not at.exception
    sess = at.session_state["ts_session"]
    assert sess.data.name == "v" and sess.data.n == 20_000            # untrained: adopted at once
    figs = app_figures(at)
    heat = figs["Hidden state over time"]["data"][1]
    assert len(decode_plotly(heat["x"])) == 2_000
    true, pred = figs["Prediction over the series"]["data"][:2]
    tx, ty = decode_plotly(true["x"]), decode_plotly(true["y"])
    assert len(tx) <= 2_000 and tx[0] == 0 and tx[-1] == 19_999                 # thinned, end to end ...
    assert ty.max() == pytest.approx(values.max()) and ty.min() == pytest.approx(values.min())   # ... peaks kept
    px = decode_plotly(pred["x"])
    assert len(px) <= 2_000 and px[-1] == 19_999 and sess.prediction_stride() == 10   # every 10th value predicted
    assert any("Every 10th step is drawn" in c for c in _captions(at))
    assert any("every 10th value of this long series predicted" in c for c in _captions(at))


def test_a_run_pushed_to_nan_says_where_and_keeps_the_last_finite_weights(page):
    at = page
    at.selectbox(key="ts_activation").set_value("relu").run()
    at.select_slider(key="ts_lr").set_value(100.0).run()
    at.selectbox(key="ts_optimizer").set_value("sgd").run()
    at.select_slider(key="ts_clip").set_value(0.0).run()
    at.slider(key="ts_rho").set_value(3.0).run()
    click(at, "Reset weights")
    _train(at, 200)
    sess = at.session_state["ts_session"]
    assert sess.diverged and "Training diverged at iteration" in sess.diverged
    assert any("Training diverged at iteration" in e.value for e in at.error)
    assert all(np.isfinite(p).all() for p in sess.model.params.values())
    assert len(sess.records) == sess.iteration and sess.evals[-1][0] <= sess.iteration
    assert not at.exception


def test_formula_numbers_never_show_a_negative_zero():
    assert fixed(-1e-9) == "0.000" and fixed(-1e-9, sign=True) == "+0.000" and fixed(-0.0004, 4) == "-0.0004"
    assert fixed(-0.0006) == "-0.001" and fixed(2.5, sign=True) == "+2.500" and fixed(0.12345, 4) == "0.1235"
