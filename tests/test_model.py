"""Forward pass, traces, shapes, Jacobian norms, initialisation and determinism."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_core import make_model, spectral_radius_of


def test_forward_matches_the_seed_formula_by_hand():
    """h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h), y_t = softmax(W_hy h_t + b_y), written out per step."""
    m = make_model("rnn", vocab_size=4, hidden_size=3, seed=0)
    P = m.params
    ids = np.array([2, 0, 3])
    tr = m.forward(ids)
    h = np.zeros(3)
    for t, i in enumerate(ids):
        x = np.eye(4)[i]
        a = P["W_xh"] @ x + P["W_hh"] @ h + P["b_h"]
        h = np.tanh(a)
        z = P["W_hy"] @ h + P["b_y"]
        y = np.exp(z) / np.exp(z).sum()
        np.testing.assert_allclose(tr.pre_activation[t], a, atol=1e-14)
        np.testing.assert_allclose(tr.hidden[t], h, atol=1e-14)
        np.testing.assert_allclose(tr.logits[t], z, atol=1e-14)
        np.testing.assert_allclose(tr.probs[t], y, atol=1e-14)


@given(B=st.integers(1, 4), T=st.integers(1, 7), H=st.integers(1, 6), V=st.integers(1, 9),
       act=st.sampled_from(["tanh", "relu", "sigmoid"]))
@settings(max_examples=60, deadline=None)
def test_shapes(B, T, H, V, act):
    m = make_model("rnn", V, H, act, seed=0)
    ids = np.random.default_rng(0).integers(0, V, (B, T))
    tr = m.forward(ids)
    assert tr.hidden.shape == (B, T, H) and tr.probs.shape == (B, T, V) and tr.logits.shape == (B, T, V)
    assert tr.pre_activation.shape == (B, T, H)
    np.testing.assert_allclose(tr.probs.sum(-1), 1.0)
    single = m.forward(ids[0])
    assert single.hidden.shape == (T, H) and single.probs.shape == (T, V)
    loss, grads, diag = m.loss_and_grads(ids, ids)
    assert np.isfinite(loss) and loss >= 0
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape for k, p in m.params.items()}
    assert diag.grad_norm_per_step.shape == (T,) and diag.w_hh_contribution_per_step.shape == (T,)
    assert m.jacobian_norms(ids[0]).shape == (T,)


def test_batch_rows_are_independent_sequences():
    m = make_model("rnn", 7, 5, seed=1)
    ids = np.random.default_rng(1).integers(0, 7, (3, 6))
    batched = m.forward(ids)
    for b in range(3):
        np.testing.assert_allclose(batched.hidden[b], m.forward(ids[b]).hidden, atol=1e-14)
    # the mean loss over the batch is the mean of the per-row losses
    rows = [m.loss_and_grads(ids[b], ids[b])[0] for b in range(3)]
    assert m.loss_and_grads(ids, ids)[0] == pytest.approx(np.mean(rows))


def test_many_to_one_loss_uses_last_step_only():
    m = make_model("rnn", 5, 4, seed=2)
    ids = np.array([[1, 2, 3], [4, 0, 1]])
    loss, _, diag = m.loss_and_grads(ids, np.array([2, 3]), loss="many_to_one")
    p = m.forward(ids).probs[:, -1]
    assert loss == pytest.approx(-np.mean(np.log([p[0, 2], p[1, 3]])))
    assert np.all(diag.dh_local[:, :-1] == 0)


def test_bad_inputs_are_rejected():
    m = make_model("rnn", 5, 4)
    with pytest.raises(ValueError, match="ids must lie|token ids"):
        m.forward(np.array([0, 5]))
    with pytest.raises(ValueError, match="shape"):
        m.forward(np.zeros((0,), int))
    with pytest.raises(ValueError, match="many_to_one"):
        m.loss_and_grads(np.array([[1, 2]]), np.array([1, 2]), loss="many_to_one")
    with pytest.raises(ValueError, match="loss"):
        m.loss_and_grads(np.array([1, 2]), np.array([1, 2]), loss="bogus")
    with pytest.raises(ValueError, match="h0"):
        m.forward(np.array([1, 2]), h0=np.zeros(3))
    with pytest.raises(ValueError):
        make_model("transformer", 5, 4)
    with pytest.raises(ValueError):
        make_model("rnn", 5, 4, activation="swish")


@pytest.mark.parametrize("rho", [0.5, 1.0, 1.7])
def test_spectral_radius_rescales_w_hh(rho):
    m = make_model("rnn", 10, 16, seed=3, spectral_radius=rho)
    assert spectral_radius_of(m.params["W_hh"]) == pytest.approx(rho, rel=1e-9)


def test_same_seed_same_numbers():
    a, b = make_model("rnn", 10, 8, seed=9), make_model("rnn", 10, 8, seed=9)
    c = make_model("rnn", 10, 8, seed=10)
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W_hh"], c.params["W_hh"])


def test_float32_model_stays_float32():
    m = make_model("rnn", 10, 8, dtype=np.float32)
    ids = np.arange(10)
    tr = m.forward(ids)
    _, grads, _ = m.loss_and_grads(ids, ids)
    assert tr.hidden.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())


def _numeric_jacobian(m, ids, t):
    """d h_{T-1} / d h_t by finite differences: rerun steps t+1.. from a perturbed h_t."""
    h_t = m.forward(ids[: t + 1]).hidden[-1]
    H = h_t.size
    J = np.zeros((H, H))
    for i in range(H):
        e = np.zeros(H)
        e[i] = 1e-6
        J[:, i] = (m.forward(ids[t + 1:], h0=h_t + e).hidden[-1] - m.forward(ids[t + 1:], h0=h_t - e).hidden[-1]) / 2e-6
    return J


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_jacobian_norms_against_finite_differences(activation):
    m = make_model("rnn", 6, 5, activation, seed=4, spectral_radius=1.2)
    ids = np.array([1, 4, 2, 0, 5, 3, 3])
    norms = m.jacobian_norms(ids)
    assert norms[-1] == pytest.approx(1.0)
    for t in range(len(ids) - 1):
        assert norms[t] == pytest.approx(np.linalg.norm(_numeric_jacobian(m, ids, t), 2), rel=1e-6)


def test_jacobian_norms_vanish_for_small_radius_and_grow_for_large():
    ids = np.random.default_rng(0).integers(0, 8, 30)
    small = make_model("rnn", 8, 32, seed=0, spectral_radius=0.5).jacobian_norms(ids)
    large = make_model("rnn", 8, 32, "relu", seed=0, spectral_radius=1.5)
    large.params["W_xh"][:] = np.abs(large.params["W_xh"])  # keep relu units on
    assert small[0] < 1e-6 * small[-1]
    assert large.jacobian_norms(ids)[0] > 10
