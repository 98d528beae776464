"""Export to PyTorch: a saved model's weights in torch.nn.RNN/LSTM/GRU + nn.Linear give the same outputs
(skipped without torch, which is never a dependency)."""
import numpy as np
import pytest

from rnn_core import Vocab, load_model, make_model, save_model
from rnn_core.export import to_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_a_saved_token_model_runs_the_same_in_pytorch(cell, act, tmp_path):
    V, H = 9, 6
    m = make_model(cell, V, H, act, seed=3, dtype=np.float32)
    for p in m.params.values():                                   # non-zero biases, so every copy matters
        p += np.random.default_rng(1).normal(0, 0.1, p.shape).astype(np.float32)
    save_model(tmp_path / "m.npz", m, Vocab([f"w{i}" for i in range(V - 1)]))
    model, vocab = load_model(tmp_path / "m.npz")
    rec, head = to_torch(model)
    ids = np.array([[1, 4, 2, 8, 0, 3], [5, 5, 6, 7, 1, 2]])
    with torch.no_grad():
        out, _ = rec(torch.nn.functional.one_hot(torch.tensor(ids), V).float())
        logits = head(out).numpy()
    np.testing.assert_allclose(logits, model.forward(ids).logits, atol=1e-5)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_regression_model_runs_the_same_in_pytorch(cell):
    m = make_model(cell, hidden_size=5, input_size=2, output_size=3, head="linear", seed=0)
    x = np.random.default_rng(0).normal(size=(4, 7, 2))
    rec, head = to_torch(m)
    assert next(rec.parameters()).dtype == torch.float64
    with torch.no_grad():
        y = head(rec(torch.tensor(x))[0]).numpy()
    np.testing.assert_allclose(y, m.forward(x).outputs, atol=1e-12)


def test_a_sigmoid_rnn_has_no_pytorch_twin():
    with pytest.raises(ValueError, match="tanh and relu only"):
        to_torch(make_model("rnn", 4, 3, "sigmoid"))
