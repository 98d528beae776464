"""Regression models (real-valued inputs, a linear head, mean squared error): gradients against finite
differences in float64, the loss against its definition, diagnostics, validation, save and load."""
import io
import json
import zipfile

import numpy as np
import pytest

from rnn_core import ACTIVATIONS, ModelFileError, Vocab, load_model, make_model, save_model
from rnn_core.gradcheck import check_model

F, K, H, T, B = 3, 2, 4, 6, 3
COMBOS = [("rnn", a) for a in ACTIVATIONS] + [("lstm", "tanh"), ("gru", "tanh")]


def _model(cell, act="tanh", seed=1, **kw):
    return make_model(cell, hidden_size=H, input_size=F, output_size=K, head="linear", activation=act, seed=seed, **kw)


def _data(rng, batched, loss):
    x = rng.normal(size=(B, T, F) if batched else (T, F))
    if loss == "many_to_many":
        y = rng.normal(size=(B, T, K) if batched else (T, K))
    else:
        y = rng.normal(size=(B, K) if batched else (K,))
    return x, y


@pytest.mark.parametrize("cell, act", COMBOS)
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("batched", [True, False])
def test_gradients_match_finite_differences(cell, act, loss, batched):
    rng = np.random.default_rng(7)
    m = _model(cell, act)
    x, y = _data(rng, batched, loss)
    shape = (B, H) if batched else (H,)
    state = {name: rng.normal(0, 0.5, shape) for name in type(m).state_names}
    errors = check_model(m, x, y, loss, **state)
    assert set(errors) == set(m.params)
    worst = max(errors.values())
    assert worst < 1e-6, errors


@pytest.mark.parametrize("cell, act", COMBOS)
def test_loss_is_the_mean_squared_error_over_every_predicted_number(cell, act):
    rng = np.random.default_rng(0)
    m = _model(cell, act)
    x, y = _data(rng, True, "many_to_many")
    out = m.forward(x).outputs
    assert out.shape == (B, T, K)
    loss, _, diag = m.loss_and_grads(x, y)
    assert loss == pytest.approx(np.mean((out - y) ** 2), rel=1e-12)
    assert diag.loss_per_step.shape == (T,)
    assert diag.loss_per_step.mean() == pytest.approx(loss, rel=1e-12)
    loss1, _, diag1 = m.loss_and_grads(x, y[:, -1], loss="many_to_one")
    assert loss1 == pytest.approx(np.mean((out[:, -1] - y[:, -1]) ** 2), rel=1e-12)
    assert np.all(diag1.loss_per_step[:-1] == 0) and diag1.loss_per_step[-1] == pytest.approx(loss1)


def test_single_sequence_equals_batch_row():
    rng = np.random.default_rng(1)
    m = _model("gru")
    x, y = _data(rng, True, "many_to_many")
    whole = m.forward(x)
    one = m.forward(x[1])
    np.testing.assert_allclose(one.outputs, whole.outputs[1], atol=1e-12)
    np.testing.assert_allclose(one.hidden, whole.hidden[1], atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_per_step_diagnostics_work_for_real_inputs(cell):
    rng = np.random.default_rng(2)
    m = _model(cell)
    x, y = _data(rng, True, "many_to_many")
    _, _, diag = m.loss_and_grads(x, y, last_step=True)
    for name in ("grad_norm_per_step", "last_step_grad_norm_per_step", "w_hh_terms_along_total",
                 "w_hh_contribution_per_step"):
        v = getattr(diag, name)
        assert v.shape == (T,) and np.isfinite(v).all(), name
    assert diag.w_hh_terms_along_total.sum() == pytest.approx(
        np.linalg.norm(m.loss_and_grads(x, y)[1]["W_hh"]), rel=1e-9)
    jac = m.jacobian_norms(x[0])
    assert jac.shape == (T,) and jac[-1] == pytest.approx(1.0)
    assert m.step_jacobian_norms(x[0]).shape == (T - 1,)
    with pytest.raises(ValueError, match=r"one sequence of shape \(T, 3\)"):
        m.jacobian_norms(x)


def test_last_step_gradient_is_the_last_loss_alone():
    """||de_T/dh_t|| equals the gradient of a model whose only target is the last step, scaled to one step."""
    rng = np.random.default_rng(3)
    m = _model("rnn")
    x, y = _data(rng, True, "many_to_many")
    _, _, diag = m.loss_and_grads(x, y, last_step=True)
    _, _, alone = m.loss_and_grads(x, y[:, -1], loss="many_to_one")
    np.testing.assert_allclose(diag.last_step_grad_norm_per_step, alone.grad_norm_per_step, rtol=1e-10)


def test_float32_model_takes_float64_inputs():
    m = _model("lstm", dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(T, F))
    assert m.forward(x).outputs.dtype == np.float32


@pytest.mark.parametrize("kwargs, match", [
    ({"head": "linear", "vocab_size": 5}, "give input_size and output_size"),
    ({"head": "softmax", "vocab_size": 5, "input_size": 2}, "for head='linear'"),
    ({"head": "regression", "vocab_size": 5}, "unknown head"),
    ({"head": "linear", "input_size": 0}, "input_size must be a whole number"),
    ({"head": "linear", "output_size": 2.5}, "output_size must be a whole number"),
])
def test_make_model_names_the_bad_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_model("rnn", hidden_size=4, **kwargs)


def test_bad_inputs_and_targets_get_a_value_error():
    m = _model("rnn")
    rng = np.random.default_rng(0)
    x, y = _data(rng, True, "many_to_many")
    with pytest.raises(ValueError, match=r"shape \(T, 3\) or \(B, T, 3\)"):
        m.forward(x[..., :2])
    with pytest.raises(ValueError, match="finite"):
        m.forward(np.full((T, F), np.nan))
    with pytest.raises(ValueError, match="real numbers"):
        m.forward(np.array([["a"] * F] * T))
    with pytest.raises(ValueError, match=r"many_to_many targets must have shape \(3, 6, 2\)"):
        m.loss_and_grads(x, y[:, :, :1])
    with pytest.raises(ValueError, match=r"many_to_one targets must have shape \(3, 2\)"):
        m.loss_and_grads(x, y, loss="many_to_one")
    with pytest.raises(ValueError, match="finite"):
        m.loss_and_grads(x, np.full_like(y, np.inf))


def test_save_and_load_keep_the_head_and_the_normalisation(tmp_path):
    m = _model("lstm", dtype=np.float32)
    m.normalisation = {"mean": [12.5], "std": [3.0]}
    path = tmp_path / "series.npz"
    save_model(path, m, None, {"series": "Sine"})
    back, vocab = load_model(path)
    assert vocab is None
    assert back.head == "linear" and back.real_inputs
    assert (back.input_size, back.output_size, back.hidden_size, back.cell) == (F, K, H, "lstm")
    assert back.normalisation == {"mean": [12.5], "std": [3.0]}
    assert back.metadata == {"series": "Sine"}
    for k, p in m.params.items():
        np.testing.assert_array_equal(back.params[k], p)
    x = np.random.default_rng(0).normal(size=(T, F))
    np.testing.assert_array_equal(back.forward(x).outputs, m.forward(x).outputs)


def test_a_regression_model_takes_no_vocabulary_and_a_token_model_needs_one():
    with pytest.raises(ValueError, match="pass vocab=None"):
        save_model(io.BytesIO(), _model("rnn"), Vocab(["a", "b"]))
    with pytest.raises(ValueError, match="no vocabulary"):
        save_model(io.BytesIO(), make_model("rnn", 3, 4), None)
    bad = _model("rnn")
    bad.normalisation = {"mean": [1.0], "std": [0.0]}
    with pytest.raises(ValueError, match="positive scales"):
        save_model(io.BytesIO(), bad, None)


def _rewrite_meta(raw: bytes, change) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "__meta__.npy":
                meta = json.loads(str(np.load(io.BytesIO(data))))
                change(meta)
                buf = io.BytesIO()
                np.save(buf, np.array(json.dumps(meta)))
                data = buf.getvalue()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(normalisation={"mean": ["x"], "std": [1]}), "normalisation is unusable"),
    (lambda m: m.update(normalisation={"mean": [0.0], "std": [-1.0]}), "normalisation is unusable"),
    (lambda m: m.pop("input_size"), "lacks 'input_size'"),
    (lambda m: m.update(output_size=0), "output_size is 0"),
    (lambda m: m.update(head="tree"), "unknown head"),
    (lambda m: m.update(input_size=F + 1), "W_xh has shape"),
])
def test_inconsistent_regression_files_are_refused(change, match):
    buf = io.BytesIO()
    m = _model("gru")
    m.normalisation = {"mean": [0.0], "std": [1.0]}
    save_model(buf, m, None)
    with pytest.raises(ModelFileError, match=match):
        load_model(_rewrite_meta(buf.getvalue(), change))


def test_token_model_files_keep_their_layout():
    """A token model's metadata has exactly the keys it always had (no head, no normalisation)."""
    buf = io.BytesIO()
    save_model(buf, make_model("rnn", 4, 4), Vocab(["a", "b", "c"]))
    meta = json.loads(str(np.load(io.BytesIO(buf.getvalue()), allow_pickle=False)["__meta__"]))
    assert list(meta) == ["format", "version", "cell", "activation", "hidden_size", "vocab_size", "dtype", "vocab",
                          "training"]
