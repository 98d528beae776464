"""Optional: the same weights in PyTorch give the same loss and gradients (skipped without torch).

PyTorch is never a dependency; this runs where the CPU wheel happens to be installed.
"""
import numpy as np
import pytest

from rnn_core import make_model

torch = pytest.importorskip("torch")


def _torch_twin(model, cell, act, n_in, H, n_out):
    """nn.RNN/LSTM/GRU + nn.Linear holding ``model``'s weights (float64); the LSTM's second bias is zero."""
    P = model.params
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    mod = {"rnn": lambda: torch.nn.RNN(n_in, H, nonlinearity=act, batch_first=True),
           "lstm": lambda: torch.nn.LSTM(n_in, H, batch_first=True),
           "gru": lambda: torch.nn.GRU(n_in, H, batch_first=True)}[cell]().double()
    lin = torch.nn.Linear(H, n_out).double()
    _copy_recurrent_weights(model, cell, mod, "_l0")
    with torch.no_grad():
        lin.weight.copy_(t(P["W_hy"]))
        lin.bias.copy_(t(P["b_y"]))
    return mod, lin


def _copy_recurrent_weights(model, cell, mod, suffix):
    """``model``'s W_xh, W_hh and biases into a torch module's weight_ih{suffix}... (nn.RNN: "_l0", a cell: "")."""
    P = model.params
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    b_hh = getattr(mod, "bias_hh" + suffix)
    with torch.no_grad():
        getattr(mod, "weight_ih" + suffix).copy_(t(P["W_xh"]))
        getattr(mod, "weight_hh" + suffix).copy_(t(P["W_hh"]))
        getattr(mod, "bias_ih" + suffix).copy_(t(P["b_xh"] if cell == "gru" else P["b_h"]))
        b_hh.copy_(t(P["b_hh"]) if cell == "gru" else torch.zeros(b_hh.shape, dtype=torch.float64))


def _assert_same_gradients(grads, cell, mod, lin):
    theirs = {"W_xh": mod.weight_ih_l0.grad, "W_hh": mod.weight_hh_l0.grad, "W_hy": lin.weight.grad,
              "b_y": lin.bias.grad}
    theirs["b_xh" if cell == "gru" else "b_h"] = mod.bias_ih_l0.grad
    if cell == "gru":
        theirs["b_hh"] = mod.bias_hh_l0.grad
    for k, g in theirs.items():
        np.testing.assert_allclose(grads[k], g.numpy(), atol=1e-12, err_msg=k)


@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_matches_pytorch(cell, act):
    V, H, B, T = 7, 5, 3, 6
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    m = make_model(cell, V, H, act, seed=1)
    mod, lin = _torch_twin(m, cell, act, V, H, V)
    h0, c0 = rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.5, (B, H))
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    state = (t(h0)[None], t(c0)[None]) if cell == "lstm" else t(h0)[None]
    out, _ = mod(torch.nn.functional.one_hot(torch.tensor(x), V).double(), state)
    loss = torch.nn.functional.cross_entropy(lin(out).reshape(-1, V), torch.tensor(y).reshape(-1))
    loss.backward()
    kw = {"h0": h0, "c0": c0} if cell == "lstm" else {"h0": h0}
    ours, grads, _ = m.loss_and_grads(x, y, **kw)
    assert ours == pytest.approx(loss.item(), abs=1e-12)
    _assert_same_gradients(grads, cell, mod, lin)


@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_regression_matches_pytorch_mse(cell, act, loss):
    """Real inputs (B, T, F), nn.Linear to K outputs, torch.nn.functional.mse_loss with its default mean."""
    F, K, H, B, T = 3, 2, 5, 4, 7
    rng = np.random.default_rng(1)
    x = rng.normal(size=(B, T, F))
    y = rng.normal(size=(B, T, K)) if loss == "many_to_many" else rng.normal(size=(B, K))
    m = make_model(cell, hidden_size=H, input_size=F, output_size=K, head="linear", activation=act, seed=2)
    mod, lin = _torch_twin(m, cell, act, F, H, K)
    out, _ = mod(torch.tensor(x, dtype=torch.float64))
    pred = lin(out) if loss == "many_to_many" else lin(out[:, -1])
    ref = torch.nn.functional.mse_loss(pred, torch.tensor(y, dtype=torch.float64))
    ref.backward()
    ours, grads, _ = m.loss_and_grads(x, y, loss=loss)
    assert ours == pytest.approx(ref.item(), abs=1e-12)
    _assert_same_gradients(grads, cell, mod, lin)


def _torch_cell(model, cell, act, n_in, H):
    """nn.RNNCell/LSTMCell/GRUCell holding ``model``'s weights (float64), for a loop that keeps every h_t."""
    mod = {"rnn": lambda: torch.nn.RNNCell(n_in, H, nonlinearity=act), "lstm": lambda: torch.nn.LSTMCell(n_in, H),
           "gru": lambda: torch.nn.GRUCell(n_in, H)}[cell]().double()
    _copy_recurrent_weights(model, cell, mod, "")
    return mod


def _unrolled(mod, cell, xs, h0, c0):
    """Step the cell through xs (T, B, n_in); every h_t (and c_t) is a leaf of the graph autograd keeps."""
    h, c, hs, cs = h0, c0, [], []
    for x in xs:
        if cell == "lstm":
            h, c = mod(x, (h, c))
            c.retain_grad()
            cs.append(c)
        else:
            h = mod(x, h)
        h.retain_grad()
        hs.append(h)
    return hs, cs


@pytest.mark.parametrize("head", ["softmax", "linear"])
@pytest.mark.parametrize("loss", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_per_step_diagnostics_match_autograd(cell, act, loss, head):
    """What the playground plots, against autograd on an unrolled nn.*Cell loop: ||dL/dh_t|| at every step
    (the chart of vanishing gradients), ||dL/dc_t|| for the LSTM, e_t, ||de_T/dh_t|| and dL/dh_0."""
    V, F, K, H, B, T = 6, 2, 3, 5, 3, 8
    rng = np.random.default_rng(3)
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    if head == "softmax":
        m = make_model(cell, V, H, act, seed=4)
        x = rng.integers(0, V, (B, T))
        y = rng.integers(0, V, (B, T) if loss == "many_to_many" else (B,))
        xs = torch.nn.functional.one_hot(torch.tensor(x), V).double().transpose(0, 1)
        n_in, n_out = V, V
    else:
        m = make_model(cell, hidden_size=H, input_size=F, output_size=K, head="linear", activation=act, seed=4)
        x = rng.normal(size=(B, T, F))
        y = rng.normal(size=(B, T, K) if loss == "many_to_many" else (B, K))
        xs, n_in, n_out = t(x).transpose(0, 1), F, K
    h0, c0 = rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.5, (B, H))
    h0_t = t(h0).requires_grad_()
    mod = _torch_cell(m, cell, act, n_in, H)
    lin = _torch_twin(m, cell, act, n_in, H, n_out)[1]

    def step_loss(h, target):                                     # e_t: the batch mean at one step
        if head == "softmax":
            return torch.nn.functional.cross_entropy(lin(h), torch.tensor(target))
        return torch.nn.functional.mse_loss(lin(h), t(target))

    hs, cs = _unrolled(mod, cell, xs, h0_t, t(c0) if cell == "lstm" else None)
    if loss == "many_to_many":
        e = [step_loss(h, y[:, i]) for i, h in enumerate(hs)]
        total = torch.stack(e).mean()
    else:
        e = [step_loss(hs[-1], y)]
        total = e[0]
    total.backward(retain_graph=True)
    kw = {"h0": h0, "c0": c0} if cell == "lstm" else {"h0": h0}
    ours, _, diag = m.loss_and_grads(x, y, loss=loss, last_step=True, **kw)

    assert ours == pytest.approx(total.item(), abs=1e-12)
    np.testing.assert_allclose(diag.grad_norm_per_step, [h.grad.norm().item() for h in hs], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(diag.grad_h0, h0_t.grad.numpy(), rtol=1e-9, atol=1e-15)
    if cell == "lstm":
        np.testing.assert_allclose(diag.cell_grad_norm_per_step, [c.grad.norm().item() for c in cs], rtol=1e-9,
                                   atol=1e-15)
    per_step = [v.item() for v in e] if loss == "many_to_many" else [0.0] * (T - 1) + [e[0].item()]
    np.testing.assert_allclose(diag.loss_per_step, per_step, rtol=1e-10, atol=1e-15)
    for h in hs:                                                  # now the last step's loss alone
        h.grad = None
    e[-1].backward()
    np.testing.assert_allclose(diag.last_step_grad_norm_per_step, [h.grad.norm().item() for h in hs], rtol=1e-9,
                               atol=1e-15)


@pytest.mark.parametrize("head", ["softmax", "linear"])
@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_jacobian_norms_match_autograd(cell, act, head):
    """||d s_{T-1} / d s_t||_2 (s = h, or (h, c) for the LSTM): the Gradient lab's curves, from autograd's
    Jacobian of the unrolled cells."""
    V, F, H, T = 6, 2, 4, 7
    rng = np.random.default_rng(5)
    if head == "softmax":
        m = make_model(cell, V, H, act, seed=6, spectral_radius=1.2)
        x = rng.integers(0, V, T)
        xs = torch.nn.functional.one_hot(torch.tensor(x), V).double()[:, None]
        n_in = V
    else:
        m = make_model(cell, hidden_size=H, input_size=F, output_size=1, head="linear", activation=act, seed=6,
                       spectral_radius=1.2)
        x = rng.normal(size=(T, F))
        xs, n_in = torch.tensor(x, dtype=torch.float64)[:, None], F
    mod = _torch_cell(m, cell, act, n_in, H)
    hs, cs = _unrolled(mod, cell, xs, torch.zeros(1, H, dtype=torch.float64),
                       torch.zeros(1, H, dtype=torch.float64) if cell == "lstm" else None)
    states = [torch.cat([h, c], 1) if cell == "lstm" else h for h, c in zip(hs, cs or hs)]

    def run_from(t0, s):                                          # s_{T-1} as a function of s_t0
        h, c = (s[:, :H], s[:, H:]) if cell == "lstm" else (s, None)
        for x_t in xs[t0 + 1:]:
            if cell == "lstm":
                h, c = mod(x_t, (h, c))
            else:
                h = mod(x_t, h)
        return torch.cat([h, c], 1) if cell == "lstm" else h

    theirs = []
    for t0 in range(T):
        J = torch.autograd.functional.jacobian(lambda s: run_from(t0, s), states[t0].detach())
        theirs.append(torch.linalg.matrix_norm(J.reshape(J.shape[1], J.shape[3]), ord=2).item())
    np.testing.assert_allclose(m.jacobian_norms(x), theirs, rtol=1e-9, atol=1e-15)
