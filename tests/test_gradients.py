"""Every BPTT gradient against central finite differences in float64."""
import numpy as np
import pytest

from rnn_core import ACTIVATIONS, make_model

from helpers import assert_grads_match

V, H, T, B = 6, 5, 6, 3


@pytest.fixture
def rng():
    return np.random.default_rng(123)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("with_h0", [False, True])
def test_rnn_gradients_batched(activation, loss, with_h0, rng):
    model = make_model("rnn", V, H, activation, seed=1)
    inputs = rng.integers(0, V, (B, T))
    targets = rng.integers(0, V, (B, T)) if loss == "many_to_many" else rng.integers(0, V, B)
    h0 = rng.normal(0, 0.5, (B, H)) if with_h0 else None
    assert_grads_match(model, inputs, targets, loss, h0=h0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
def test_rnn_gradients_single_sequence(activation, loss, rng):
    model = make_model("rnn", V, H, activation, seed=2)
    inputs = rng.integers(0, V, T)
    targets = rng.integers(0, V, T) if loss == "many_to_many" else np.int64(3)
    assert_grads_match(model, inputs, targets, loss, h0=rng.normal(0, 0.5, H))


def test_gradients_with_large_spectral_radius(rng):
    """Exploding regime: the gradients are still exact."""
    model = make_model("rnn", V, H, "tanh", seed=3, spectral_radius=1.8)
    inputs = rng.integers(0, V, (2, 10))
    assert_grads_match(model, inputs, rng.integers(0, V, (2, 10)))


def test_truncated_chunk_gradient_treats_carried_state_as_constant(rng):
    """Truncated BPTT: chunk 2's gradient is that of a sequence starting from chunk 1's final state."""
    model = make_model("rnn", V, H, "tanh", seed=4)
    x = rng.integers(0, V, (B, 2 * T))
    y = rng.integers(0, V, (B, 2 * T))
    _, _, diag1 = model.loss_and_grads(x[:, :T], y[:, :T])
    carried = diag1.final_state
    np.testing.assert_allclose(carried["h0"], model.forward(x[:, :T]).hidden[:, -1])
    assert_grads_match(model, x[:, T:], y[:, T:], **carried)
    # and the carried state continues the forward pass exactly
    full = model.forward(x).hidden
    np.testing.assert_allclose(model.forward(x[:, T:], **carried).hidden, full[:, T:], atol=1e-12)


def test_grad_norm_per_step_is_norm_of_total_dh(rng):
    """diag.grad_norm_per_step[t] = ||dL/dh_t||, checked by perturbing h_t through h0 at a later split."""
    model = make_model("rnn", V, H, "tanh", seed=5)
    x, y = rng.integers(0, V, T), rng.integers(0, V, T)
    loss, _, diag = model.loss_and_grads(x, y)
    # dL/dh_t: split the sequence after t; the tail's loss depends on h_t through its h0
    for t in [0, 2, T - 2]:
        h_t = model.forward(x[: t + 1]).hidden[-1]
        n_tail = T - t - 1

        def tail_loss(h):
            return model.loss_and_grads(x[t + 1:], y[t + 1:], h0=h)[0] * n_tail / T

        g = np.zeros(H)
        for i in range(H):
            e = np.zeros(H)
            e[i] = 1e-6
            g[i] = (tail_loss(h_t + e) - tail_loss(h_t - e)) / 2e-6
        # plus the loss's own part at t: dL_t/dh_t
        local = diag.dh_local[t]
        np.testing.assert_allclose(diag.dh[t], g + local, rtol=1e-6, atol=1e-10)
        assert diag.grad_norm_per_step[t] == pytest.approx(np.linalg.norm(g + local), rel=1e-6)


def test_w_hh_contribution_per_step_matches_outer_products(rng):
    model = make_model("rnn", V, H, "tanh", seed=6)
    x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    _, grads, diag = model.loss_and_grads(x, y)
    hid = model.forward(x).hidden                                 # (B, T, H)
    h_prev = np.concatenate([np.zeros((B, 1, H)), hid[:, :-1]], axis=1)
    da = diag.dh * (1 - hid ** 2)                                 # tanh'
    terms = np.einsum("bth,btk->thk", da, h_prev)                 # (T, H, H) step terms of dW_hh
    np.testing.assert_allclose(terms.sum(0), grads["W_hh"], atol=1e-12)
    np.testing.assert_allclose(diag.w_hh_contribution_per_step, np.linalg.norm(terms, axis=(1, 2)), rtol=1e-9)


def test_grad_h0_matches_finite_differences(rng):
    model = make_model("rnn", V, H, "relu", seed=7)
    x, y = rng.integers(0, V, T), rng.integers(0, V, T)
    h0 = rng.normal(0, 0.5, H)
    _, _, diag = model.loss_and_grads(x, y, h0=h0)
    num = np.array([(model.loss_and_grads(x, y, h0=h0 + e)[0] - model.loss_and_grads(x, y, h0=h0 - e)[0]) / 2e-6
                    for e in np.eye(H) * 1e-6])
    np.testing.assert_allclose(diag.grad_h0, num, rtol=1e-6, atol=1e-10)


def test_large_vocabulary_input_gradient_path(rng):
    """Above the one-hot GEMM threshold dW_xh is summed by sorting; it must give the same numbers."""
    model = make_model("rnn", 600, 4, "tanh", seed=8)
    x, y = rng.integers(0, 600, (2, 7)), rng.integers(0, 600, (2, 7))
    x[0, :3] = 5                                                  # repeated ids are summed
    _, grads, diag = model.loss_and_grads(x, y)
    da = diag.dh * (1 - model.forward(x).hidden ** 2)
    expected = np.zeros((4, 600))
    np.add.at(expected.T, x.reshape(-1), da.reshape(-1, 4))
    np.testing.assert_allclose(grads["W_xh"], expected, atol=1e-14)
