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
    with torch.no_grad():
        mod.weight_ih_l0.copy_(t(P["W_xh"]))
        mod.weight_hh_l0.copy_(t(P["W_hh"]))
        mod.bias_ih_l0.copy_(t(P["b_xh"] if cell == "gru" else P["b_h"]))
        mod.bias_hh_l0.copy_(t(P["b_hh"]) if cell == "gru" else torch.zeros(mod.bias_hh_l0.shape, dtype=torch.float64))
        lin.weight.copy_(t(P["W_hy"]))
        lin.bias.copy_(t(P["b_y"]))
    return mod, lin


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
