"""Optional: the same weights in PyTorch give the same loss and gradients (skipped without torch).

PyTorch is never a dependency; this runs where the CPU wheel happens to be installed.
"""
import numpy as np
import pytest

from rnn_core import make_model

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_matches_pytorch(cell, act):
    V, H, B, T = 7, 5, 3, 6
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    m = make_model(cell, V, H, act, seed=1)
    P = m.params
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    mod = {"rnn": lambda: torch.nn.RNN(V, H, nonlinearity=act, batch_first=True),
           "lstm": lambda: torch.nn.LSTM(V, H, batch_first=True),
           "gru": lambda: torch.nn.GRU(V, H, batch_first=True)}[cell]().double()
    lin = torch.nn.Linear(H, V).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(t(P["W_xh"]))
        mod.weight_hh_l0.copy_(t(P["W_hh"]))
        mod.bias_ih_l0.copy_(t(P["b_xh"] if cell == "gru" else P["b_h"]))
        mod.bias_hh_l0.copy_(t(P["b_hh"]) if cell == "gru" else torch.zeros(mod.bias_hh_l0.shape, dtype=torch.float64))
        lin.weight.copy_(t(P["W_hy"]))
        lin.bias.copy_(t(P["b_y"]))
    h0, c0 = rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.5, (B, H))
    state = (t(h0)[None], t(c0)[None]) if cell == "lstm" else t(h0)[None]
    out, _ = mod(torch.nn.functional.one_hot(torch.tensor(x), V).double(), state)
    loss = torch.nn.functional.cross_entropy(lin(out).reshape(-1, V), torch.tensor(y).reshape(-1))
    loss.backward()
    kw = {"h0": h0, "c0": c0} if cell == "lstm" else {"h0": h0}
    ours, grads, _ = m.loss_and_grads(x, y, **kw)
    assert ours == pytest.approx(loss.item(), abs=1e-12)
    theirs = {"W_xh": mod.weight_ih_l0.grad, "W_hh": mod.weight_hh_l0.grad, "W_hy": lin.weight.grad, "b_y": lin.bias.grad}
    theirs["b_xh" if cell == "gru" else "b_h"] = mod.bias_ih_l0.grad
    if cell == "gru":
        theirs["b_hh"] = mod.bias_hh_l0.grad
    for k, g in theirs.items():
        np.testing.assert_allclose(grads[k], g.numpy(), atol=1e-12, err_msg=k)
