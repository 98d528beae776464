"""Series: the built-in ones, CSV columns (and bad files), windows, predictions, forecasts, and the
default settings' result on the sine."""
import numpy as np
import pytest

from rnn_core import make_model
from rnn_core.series import (SERIES, AddingTask, Normaliser, SeriesWindows, forecast, held_out_mse, make_series,
                             one_step_predictions, read_series_csv, split_point)
from rnn_core.train import Trainer


@pytest.mark.parametrize("name", list(SERIES))
def test_builtin_series_are_finite_and_repeatable(name):
    a, b = make_series(name, seed=3), make_series(name, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.ndim == 1 and a.size >= 300 and np.isfinite(a).all() and a.std() > 0


def test_seeded_series_change_with_the_seed_and_the_real_one_does_not():
    assert not np.array_equal(make_series("Random walk", seed=0), make_series("Random walk", seed=1))
    spots = make_series("Sunspots (yearly, 1700-2008)", seed=5)
    assert spots.size == 309 and spots[:3].tolist() == [5.0, 11.0, 16.0]


def test_sine_has_the_stated_period():
    s = make_series("Sine")
    np.testing.assert_allclose(s[:-40], s[40:], atol=1e-9)
    assert s[10] == pytest.approx(1.0)


def test_unknown_series_and_bad_lengths():
    with pytest.raises(ValueError, match="unknown series"):
        make_series("Cosine")
    with pytest.raises(ValueError, match="16 to 1,000,000"):
        make_series("Sine", n=3)


def test_csv_numeric_columns_are_read():
    raw = b"year,value,name\n2000,1.5,a\n2001,2.5,b\n2002,-3e2,c\n"
    cols = read_series_csv(raw, "t.csv")
    assert list(cols) == ["year", "value"]
    np.testing.assert_array_equal(cols["value"], [1.5, 2.5, -300.0])


def test_csv_with_semicolons_and_a_byte_order_mark():
    cols = read_series_csv("\ufeffa;b\n1;2\n3;4\n".encode(), "t.csv")
    np.testing.assert_array_equal(cols["b"], [2, 4])


@pytest.mark.parametrize("raw, match", [
    (b"", "is empty"),
    (b"name\nalice\nbob\n", r"no column of numbers \(name: row 2 holds text"),
    (b"v\n1\n\n2\nx\n", r"no column of numbers \(v: row 4 holds text"),
    (b"v,w\n1,2\n,3\nnan,x\n", r"v: row 3 is empty \(a gap\); w: row 4 holds text"),
    (b"v\n1\nnan\n3\n", r"v: row 3 is nan"),
    (b"v\n1\n", "1 data row under its header; a series needs at least 2"),
    (b"v\n\xff\xfe1\n2\n", "not UTF-8"),
    (b"v\n1\x002\n", "NUL bytes"),
])
def test_bad_csv_files_say_what_is_wrong(raw, match):
    with pytest.raises(ValueError, match=match):
        read_series_csv(raw, "bad.csv")


def test_csv_with_a_gap_in_one_column_keeps_the_others():
    cols = read_series_csv(b"v,w\n1,2\n,3\n5,4\n", "t.csv")
    assert list(cols) == ["w"]


def test_csv_row_and_byte_limits():
    ten_million = b"v\n" + b"1\n" * 10_000_000
    with pytest.raises(ValueError, match="20.0 MB; the limit is 5 MB"):
        read_series_csv(ten_million, "big.csv", max_bytes=5_000_000)
    with pytest.raises(ValueError, match="more than 1,000 rows"):
        read_series_csv(b"v\n" + b"1\n" * 1001, "long.csv", max_rows=1000)


def test_normaliser_round_trip_and_flat_series():
    n = Normaliser.fit(np.array([1.0, 3.0]))
    assert (n.mean, n.std) == (2.0, 1.0)
    np.testing.assert_allclose(n.decode(n.encode([5.0, -1.0])), [5.0, -1.0])
    assert Normaliser.fit(np.ones(5)).std == 1.0
    assert Normaliser.from_dict(n.to_dict()) == n


def test_windows_target_the_next_value():
    z = np.arange(50.0)
    w = SeriesWindows(z, window=5, batch=4, seed=0)
    b = w.next_batch()
    assert b.inputs.shape == (4, 5, 1) and b.targets.shape == (4, 5, 1) and not b.carry
    np.testing.assert_array_equal(b.targets, b.inputs + 1)
    one = SeriesWindows(z, window=5, batch=4, seed=0, loss="many_to_one").next_batch()
    np.testing.assert_array_equal(one.targets[:, 0], one.inputs[:, -1, 0] + 1)
    with pytest.raises(ValueError, match="too few for windows of 60 steps"):
        SeriesWindows(z, window=60)


def test_one_step_predictions_read_the_window_before_each_value():
    m = make_model("gru", hidden_size=5, input_size=1, output_size=1, head="linear", seed=0)
    z = np.sin(np.arange(40) / 3)
    pred = one_step_predictions(m, z, window=6)
    assert np.isnan(pred[:6]).all() and np.isfinite(pred[6:]).all()
    t = 17
    direct = m.forward(z[t - 6:t, None]).outputs[-1, 0]
    assert pred[t] == pytest.approx(direct, abs=1e-12)


def test_forecast_feeds_its_own_outputs_back():
    m = make_model("rnn", hidden_size=4, input_size=1, output_size=1, head="linear", seed=0)
    ctx = np.array([0.1, 0.5, -0.2])
    fc = forecast(m, ctx, 3)
    seq = list(ctx)
    for k in range(3):                       # the same by hand: read everything so far from the start
        y = m.forward(np.array(seq)[:, None]).outputs[-1, 0]
        assert fc[k] == pytest.approx(y, abs=1e-12)
        seq.append(y)


def test_default_settings_learn_the_sine():
    """The page's defaults (RNN, H=16, Adam 0.01, clip 1, window 20, batch 16, 300 iterations) reach a
    held-out one-step MSE below 1% of the series' variance (bench/series.py times it)."""
    z = make_series("Sine")
    sp = split_point(z.size)
    norm = Normaliser.fit(z[:sp])
    zz = norm.encode(z)
    m = make_model("rnn", hidden_size=16, input_size=1, output_size=1, head="linear", seed=0, dtype=np.float32)
    before = held_out_mse(m, zz, sp, 20) * norm.std ** 2 / z.var()
    for _ in Trainer(m, SeriesWindows(zz[:sp], 20, 16, seed=0), "adam", 0.01, 1.0).run(300):
        pass
    after = held_out_mse(m, zz, sp, 20) * norm.std ** 2 / z.var()
    assert before > 0.5 and after < 0.01, (before, after)


def test_adding_task_sequences():
    tk = AddingTask(gap=8, batch=5, seed=0)
    b = tk.next_batch()
    assert b.inputs.shape == (5, 10, 2) and b.targets.shape == (5, 1) and b.loss == "many_to_one"
    marks = b.inputs[..., 1]
    assert (marks.sum(axis=1) == 2).all() and (marks[:, :2].sum(axis=1) == 1).all()
    assert (marks[:, 5:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(b.targets[:, 0], (b.inputs[..., 0] * marks).sum(axis=1))
    assert tk.chance == pytest.approx(0.0784)
    m = tk.new_model("lstm", 8)
    assert m.real_inputs and m.input_size == 2 and m.output_size == 1


def test_predictions_every_kth_value_and_a_sampled_held_out_error_match_the_full_ones():
    m = make_model("lstm", hidden_size=6, input_size=1, output_size=1, head="linear", seed=1)
    z = np.sin(np.arange(300) / 5) + 0.1 * np.cos(np.arange(300))
    full = one_step_predictions(m, z, window=8)
    some = one_step_predictions(m, z, window=8, every=7)
    done = np.isfinite(some)
    assert done.sum() == len(range(0, 292, 7)) + 1 and done[8] and done[-1]     # the first and the last target
    np.testing.assert_allclose(some[done], full[done], rtol=1e-12)
    assert held_out_mse(m, z, 240, 8, max_targets=60) == pytest.approx(held_out_mse(m, z, 240, 8), rel=1e-12)
    sample = held_out_mse(m, z, 240, 8, max_targets=20)
    err = (full[240:] - z[240:]) ** 2
    assert sample == pytest.approx(np.mean(err[::3].tolist() + [err[-1]] * (59 % 3 != 0)), rel=1e-12)
    with pytest.raises(ValueError, match="every"):
        one_step_predictions(m, z, window=8, every=0)
