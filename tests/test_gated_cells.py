"""LSTM and GRU: gradients, Jacobians over the whole state, gate ranges, the constant error carousel."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_core import make_model

from helpers import assert_grads_match

V, H, T, B = 6, 4, 6, 3


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _state(cell, rng, shape):
    s = {"h0": rng.normal(0, 0.5, shape)}
    if cell == "lstm":
        s["c0"] = rng.normal(0, 0.5, shape)
    return s


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("with_state", [False, True])
def test_gradients_batched(cell, loss, with_state, rng):
    m = make_model(cell, V, H, seed=1)
    x = rng.integers(0, V, (B, T))
    y = rng.integers(0, V, (B, T)) if loss == "many_to_many" else rng.integers(0, V, B)
    state = _state(cell, rng, (B, H)) if with_state else {}
    assert_grads_match(m, x, y, loss, **state)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
def test_gradients_single_sequence(cell, loss, rng):
    m = make_model(cell, V, H, seed=2, spectral_radius=1.5)
    x = rng.integers(0, V, T)
    y = rng.integers(0, V, T) if loss == "many_to_many" else np.int64(2)
    assert_grads_match(m, x, y, loss, **_state(cell, rng, (H,)))


def test_parameter_layout_follows_pytorch():
    lstm, gru = make_model("lstm", V, H), make_model("gru", V, H)
    assert {k: v.shape for k, v in lstm.params.items()} == {
        "W_xh": (4 * H, V), "W_hh": (4 * H, H), "b_h": (4 * H,), "W_hy": (V, H), "b_y": (V,)}
    assert {k: v.shape for k, v in gru.params.items()} == {
        "W_xh": (3 * H, V), "W_hh": (3 * H, H), "b_xh": (3 * H,), "b_hh": (3 * H,), "W_hy": (V, H), "b_y": (V,)}
    np.testing.assert_array_equal(lstm.params["b_h"], np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])


def test_gated_cells_take_tanh_only():
    with pytest.raises(ValueError, match="vanilla RNN only"):
        make_model("lstm", V, H, activation="relu")


def _numeric_state_jacobian(m, ids, t):
    """d s_{T-1} / d s_t with s = (h, c) for the LSTM, h for the GRU, by central differences."""
    tr = m.forward(ids[: t + 1])
    s_t = np.concatenate([tr.hidden[-1]] + ([tr.cell_state[-1]] if m.cell == "lstm" else []))
    n = s_t.size

    def final(s):
        kw = {"h0": s[:H], "c0": s[H:]} if m.cell == "lstm" else {"h0": s}
        out = m.forward(ids[t + 1:], **kw)
        return np.concatenate([out.hidden[-1]] + ([out.cell_state[-1]] if m.cell == "lstm" else []))

    J = np.zeros((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = 1e-6
        J[:, i] = (final(s_t + e) - final(s_t - e)) / 2e-6
    return J


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_jacobian_norms_over_the_whole_state(cell):
    m = make_model(cell, V, H, seed=3, spectral_radius=1.3)
    ids = np.array([1, 4, 2, 0, 5, 3, 3])
    norms = m.jacobian_norms(ids)
    assert norms.shape == (7,) and norms[-1] == pytest.approx(1.0)
    for t in range(len(ids) - 1):
        assert norms[t] == pytest.approx(np.linalg.norm(_numeric_state_jacobian(m, ids, t), 2), rel=1e-6)


def test_lstm_cell_gradient_norm_is_total_dl_dc(rng):
    """||dL/dc_t||: perturb c_t (and so h_t = o_t tanh(c_t)), then rerun the step's loss and the rest."""
    m = make_model("lstm", V, H, seed=4)
    P = m.params
    x, y = rng.integers(0, V, T), rng.integers(0, V, T)
    _, _, diag = m.loss_and_grads(x, y)
    assert diag.cell_grad_norm_per_step.shape == (T,)
    for t in [0, 3, T - 1]:
        tr = m.forward(x[: t + 1])
        o_t, c_t = tr.gates["output"][-1], tr.cell_state[-1]

        def total(c):
            h = o_t * np.tanh(c)
            z = P["W_hy"] @ h + P["b_y"]
            own = -(z[y[t]] - np.log(np.exp(z).sum())) / T
            rest = m.loss_and_grads(x[t + 1:], y[t + 1:], h0=h, c0=c)[0] * (T - t - 1) / T if t < T - 1 else 0.0
            return own + rest

        g = np.array([(total(c_t + e) - total(c_t - e)) / 2e-6 for e in np.eye(H) * 1e-6])
        assert diag.cell_grad_norm_per_step[t] == pytest.approx(np.linalg.norm(g), rel=1e-6)


@given(seed=st.integers(0, 10_000), cell=st.sampled_from(["lstm", "gru"]))
@settings(max_examples=30, deadline=None)
def test_gate_values_stay_in_range(seed, cell):
    rng = np.random.default_rng(seed)
    m = make_model(cell, V, H, seed=seed, spectral_radius=float(rng.uniform(0.1, 3)))
    state = _state(cell, rng, (2, H))
    tr = m.forward(rng.integers(0, V, (2, 9)), **state)
    for name, g in tr.gates.items():
        assert g.shape == (2, 9, H)
        lo, hi = (-1, 1) if name in ("cell candidate", "new") else (0, 1)
        assert np.all(g >= lo) and np.all(g <= hi), name
    # LSTM: h = o tanh(c) lies in [-1, 1]; GRU: h_t mixes h_{t-1} and n, so |h_t| <= max(1, |h_0|)
    bound = 1.0 if cell == "lstm" else max(1.0, float(np.abs(state["h0"]).max()))
    assert np.all(np.abs(tr.hidden) <= bound + 1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(tr.hidden, tr.gates["output"] * np.tanh(tr.cell_state), atol=1e-14)


@given(seed=st.integers(0, 10_000), steps=st.integers(1, 40))
@settings(max_examples=40, deadline=None)
def test_lstm_carousel_keeps_its_cell_state_exactly(seed, steps):
    """Forget gate held at 1 and input gate at 0: c_t = c_0 at every step, whatever the input."""
    rng = np.random.default_rng(seed)
    m = make_model("lstm", V, H, seed=seed)
    P = m.params
    for blk, bias in ((0, -1e3), (1, 1e3)):          # input gate -> 0, forget gate -> 1
        rows = slice(blk * H, (blk + 1) * H)
        P["W_xh"][rows] = 0.0
        P["W_hh"][rows] = 0.0
        P["b_h"][rows] = bias
    c0 = rng.normal(0, 2, H)
    with np.errstate(over="ignore"):
        tr = m.forward(rng.integers(0, V, steps), h0=rng.normal(0, 1, H), c0=c0)
    assert np.array_equal(tr.cell_state, np.broadcast_to(c0, (steps, H)))
    assert np.all(tr.gates["forget"] == 1.0) and np.all(tr.gates["input"] == 0.0)


def test_gru_trace_exposes_gates_and_no_cell_state():
    m = make_model("gru", V, H)
    tr = m.forward(np.array([1, 2, 3]))
    assert set(tr.gates) == {"reset", "update", "new"} and tr.cell_state is None
    assert set(tr.final_state) == {"h0"}
    assert set(make_model("lstm", V, H).forward(np.array([1])).final_state) == {"h0", "c0"}
