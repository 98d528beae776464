"""Export to PyTorch, for people who outgrow the NumPy engine: a model's weights in ``torch.nn.RNN``,
``torch.nn.LSTM`` or ``torch.nn.GRU`` plus ``torch.nn.Linear``.

The layouts already match (gate blocks i, f, g, o for the LSTM and r, z, n for the GRU, as PyTorch
orders them); the RNN's and the LSTM's single bias goes into ``bias_ih_l0`` with ``bias_hh_l0`` zero,
the GRU's two biases into both. torch is imported only when ``to_torch`` is called: it is never a
dependency of rnn_core.

    from rnn_core import load_model
    from rnn_core.export import to_torch

    model, vocab = load_model("model.npz")
    rnn, head = to_torch(model)              # batch_first=True
    out, _ = rnn(torch.nn.functional.one_hot(torch.tensor([ids]), len(vocab)).float())
    logits = head(out)                       # the same numbers as model.forward(ids).logits
"""
from __future__ import annotations


def to_torch(model, dtype=None):
    """``(recurrent, linear)`` torch modules holding ``model``'s weights (``batch_first=True``).

    A token model reads one-hot vectors of its vocabulary size (``torch.nn.functional.one_hot``);
    a regression model reads its ``input_size`` real values per step. ``dtype`` defaults to the
    model's own float type. Raises ImportError with a plain message when torch is missing.
    """
    try:
        import torch
    except ImportError:
        raise ImportError("exporting to PyTorch needs torch: pip install torch") from None
    dtype = dtype or {"float32": torch.float32, "float64": torch.float64}[str(model.dtype)]
    F, H, K = model.input_size, model.hidden_size, model.output_size
    P = model.params
    if model.cell == "rnn":
        if model.activation not in ("tanh", "relu"):
            raise ValueError(f"torch.nn.RNN has tanh and relu only; this RNN uses {model.activation}")
        rec = torch.nn.RNN(F, H, nonlinearity=model.activation, batch_first=True)
    elif model.cell == "lstm":
        rec = torch.nn.LSTM(F, H, batch_first=True)
    elif model.cell == "gru":
        rec = torch.nn.GRU(F, H, batch_first=True)
    else:
        raise ValueError(f"no PyTorch module for the cell {model.cell!r}")
    head = torch.nn.Linear(H, K)
    rec, head = rec.to(dtype), head.to(dtype)
    t = lambda a: torch.as_tensor(a.copy(), dtype=dtype)
    with torch.no_grad():
        rec.weight_ih_l0.copy_(t(P["W_xh"]))
        rec.weight_hh_l0.copy_(t(P["W_hh"]))
        if model.cell == "gru":
            rec.bias_ih_l0.copy_(t(P["b_xh"]))
            rec.bias_hh_l0.copy_(t(P["b_hh"]))
        else:
            rec.bias_ih_l0.copy_(t(P["b_h"]))
            rec.bias_hh_l0.zero_()
        head.weight.copy_(t(P["W_hy"]))
        head.bias.copy_(t(P["b_y"]))
    return rec, head
