"""The gradient quantities behind the vanishing-gradient story, checked against central finite differences in
float64: ||de_T/ds_t|| (the same late loss for every cell; the LSTM's state is (h, c)), the weight gradients
as sums of per-step terms (dE/dU, dE/dW, dE/dV) and the gate biases that start a gated cell keeping its state."""
import numpy as np
import pytest

from rnn_core import make_model
from rnn_core.model import softmax

CELLS = ("rnn", "lstm", "gru")
IDS = np.array([1, 4, 2, 6, 3, 5, 0])
TARGET = np.int64(3)


def _last_loss_from_state(model, ids, t, s):
    """e_T = -log p(TARGET) after the last input, the state after step t (0-based) being ``s``."""
    H = model.hidden_size
    state = {"h0": s[:H]} | ({"c0": s[H:]} if model.cell == "lstm" else {})
    if t == len(ids) - 1:
        logits = model.params["W_hy"] @ s[:H] + model.params["b_y"]
    else:
        logits = model.forward(ids[t + 1:], **state).logits[-1]
    return -np.log(softmax(logits)[TARGET])


def _state_after(model, ids, t):
    tr = model.forward(ids[: t + 1])
    h = tr.hidden[-1]
    return np.concatenate([h, tr.cell_state[-1]]) if model.cell == "lstm" else h.copy()


@pytest.mark.parametrize("cell", CELLS)
def test_de_T_ds_t_matches_finite_differences(cell):
    model = make_model(cell, 7, 5, seed=3, dtype=np.float64, spectral_radius=1.2)
    g = model.state_grads(IDS, TARGET)
    S = 10 if cell == "lstm" else 5
    assert g.shape == (len(IDS), S)
    eps = 1e-6
    for t in range(len(IDS)):
        s = _state_after(model, IDS, t)
        num = np.zeros_like(s)
        for k in range(s.size):
            d = np.zeros_like(s)
            d[k] = eps
            up, down = _last_loss_from_state(model, IDS, t, s + d), _last_loss_from_state(model, IDS, t, s - d)
            num[k] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g[t], num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("cell", CELLS)
def test_de_T_ds_t_is_the_chain_of_step_jacobians(cell):
    """de_T/ds_t = de_T/ds_{t+1} . ds_{t+1}/ds_t: the product BPTT forms, one Jacobian per step."""
    model = make_model(cell, 7, 5, seed=4, dtype=np.float64)
    g = model.state_grads(IDS, TARGET)
    J = model._step_jacobians(model._run(*[model._prepare(IDS, {"h0": None})[i] for i in (0, 2)]))
    for t in range(len(IDS) - 1):
        np.testing.assert_allclose(g[t], g[t + 1] @ J[t], rtol=1e-10, atol=1e-14)
    if cell != "lstm":                    # the RNN's and GRU's state is h: the many-to-one dL/dh_t itself
        _, _, diag = model.loss_and_grads(IDS, TARGET, loss="many_to_one")
        np.testing.assert_allclose(g, diag.dh, rtol=1e-12)


def test_the_lstm_cell_state_gradient_is_the_forget_gate_carousel():
    """With h_t held fixed, c_t reaches the loss only through c_{t+1} = f_{t+1} c_t + ...: dL/dc_t = f_{t+1} dL/dc_{t+1}
    (the total, through h_{t+1} and c_{t+2}), elementwise, with no weight matrix and no squashing derivative."""
    model = make_model("lstm", 7, 5, seed=5, dtype=np.float64, forget_bias=3.0)
    _, _, diag = model.loss_and_grads(IDS, TARGET, loss="many_to_one")
    tr = model.forward(IDS)
    f, o, c = tr.gates["forget"], tr.gates["output"], tr.cell_state
    total_dc = diag.dh * o * (1 - np.tanh(c) ** 2)             # through h_t ...
    total_dc[:-1] += diag.dc_state[:-1]                         # ... and through c_{t+1}
    np.testing.assert_allclose(diag.dc_state[:-1], f[1:] * total_dc[1:], rtol=1e-12)
    assert np.all(diag.dc_state[-1] == 0)


@pytest.mark.parametrize("cell, bias, name", [("lstm", 3.0, "forget"), ("gru", 3.0, "update")])
def test_a_gate_bias_starts_the_gate_near_sigmoid_of_it(cell, bias, name):
    kw = {"forget_bias": bias} if cell == "lstm" else {"update_bias": bias}
    model = make_model(cell, 7, 16, seed=0, **kw)
    gate = model.forward(IDS).gates[name]
    assert abs(float(np.median(gate)) - 1 / (1 + np.exp(-bias))) < 0.02
    with pytest.raises(ValueError, match="GRU only"):
        make_model("lstm", 7, 4, update_bias=1.0)
    with pytest.raises(ValueError, match="update_bias"):
        make_model("gru", 7, 4, update_bias=float("nan"))


# ----- dE/dU, dE/dW, dE/dV as sums over the steps of the unrolled network --------------------------------------
def _loss_with_one_copy_changed(model, ids, targets, loss, t, name, delta):
    """The loss when only step t's copy of weight ``name`` is ``W + delta``: the unrolled network's steps before and
    after t use the shared W. Run in three pieces, the state handed on between them."""
    changed = model.copy()
    changed.params[name] = changed.params[name] + delta
    logits, state = [], {}
    for lo, hi, m in ((0, t, model), (t, t + 1, changed), (t + 1, len(ids), model)):
        if hi > lo:
            tr = m.forward(ids[lo:hi], **state)
            logits.append(tr.logits)
            state = tr.final_state
    p = softmax(np.concatenate(logits))
    if loss == "many_to_one":
        return -np.log(p[-1, targets])
    return float(np.mean(-np.log(p[np.arange(len(ids)), targets])))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
def test_each_steps_weight_term_is_the_gradient_of_that_steps_copy(cell, loss):
    model = make_model(cell, 5, 3, seed=6, dtype=np.float64)
    ids = np.array([1, 3, 0, 4])
    targets = np.array([3, 0, 4, 2]) if loss == "many_to_many" else np.int64(2)
    _, grads, diag = model.loss_and_grads(ids, targets, loss=loss)
    eps = 1e-6
    for name in ("W_xh", "W_hh", "W_hy"):
        terms = diag.step_terms(name)
        assert terms.shape == (len(ids), *model.params[name].shape)
        np.testing.assert_allclose(terms.sum(axis=0), grads[name], rtol=1e-10, atol=1e-14)
        for t in range(len(ids)):
            num = np.zeros_like(model.params[name])
            for idx in np.ndindex(num.shape):
                d = np.zeros_like(num)
                d[idx] = eps
                num[idx] = (_loss_with_one_copy_changed(model, ids, targets, loss, t, name, d)
                            - _loss_with_one_copy_changed(model, ids, targets, loss, t, name, -d)) / (2 * eps)
            np.testing.assert_allclose(terms[t], num, rtol=1e-6, atol=1e-9, err_msg=f"{name} step {t + 1}")
        along = diag.terms_along_total(name)
        G = grads[name]
        np.testing.assert_allclose(along, [np.sum(g * G) / np.linalg.norm(G) for g in terms], rtol=1e-9, atol=1e-14)
        assert along.sum() == pytest.approx(np.linalg.norm(G), rel=1e-9)
    if loss == "many_to_one":                 # V's terms reach no earlier step: only the last step's loss has one
        assert np.all(diag.step_terms("W_hy")[:-1] == 0) and np.any(diag.step_terms("W_xh")[0] != 0)


def test_the_terms_of_a_batch_and_of_real_inputs():
    model = make_model("gru", 6, 4, seed=2, dtype=np.float64)
    ids = np.array([[1, 2, 3], [4, 5, 1]])
    _, grads, diag = model.loss_and_grads(ids, np.array([[2, 3, 4], [5, 1, 0]]))
    for name in ("W_xh", "W_hh", "W_hy"):
        np.testing.assert_allclose(diag.step_terms(name).sum(axis=0), grads[name], rtol=1e-10, atol=1e-14)
        assert diag.terms_along_total(name).sum() == pytest.approx(np.linalg.norm(grads[name]), rel=1e-9)
    reg = make_model("lstm", hidden_size=3, input_size=2, output_size=1, head="linear", seed=1, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(5, 2))
    _, grads, diag = reg.loss_and_grads(x, x[:, :1])
    for name in ("W_xh", "W_hh", "W_hy"):
        np.testing.assert_allclose(diag.step_terms(name).sum(axis=0), grads[name], rtol=1e-10, atol=1e-14)
        assert diag.terms_along_total(name).sum() == pytest.approx(np.linalg.norm(grads[name]), rel=1e-9)
