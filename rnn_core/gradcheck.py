"""Finite-difference checks of the analytic BPTT gradients (float64)."""
from __future__ import annotations

import numpy as np

from .cells import CELLS, make_model
from .rnn import ACTIVATIONS


def numerical_grads(model, inputs, targets, loss="many_to_many", eps=1e-6, **state) -> dict[str, np.ndarray]:
    """Central differences (L(p + eps) - L(p - eps)) / 2 eps for every entry of every parameter."""
    num = {}
    for name, p in model.params.items():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            lp = model.loss_and_grads(inputs, targets, loss, **state)[0]
            flat[i] = old - eps
            lm = model.loss_and_grads(inputs, targets, loss, **state)[0]
            flat[i] = old
            gflat[i] = (lp - lm) / (2 * eps)
        num[name] = g
    return num


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are 0."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0


def check_model(model, inputs, targets, loss="many_to_many", eps=1e-6, **state) -> dict[str, float]:
    """Relative error between analytic and numerical gradients, per parameter."""
    if model.dtype != np.float64:
        raise ValueError("gradient checks need a float64 model")
    _, grads, _ = model.loss_and_grads(inputs, targets, loss, **state)
    num = numerical_grads(model, inputs, targets, loss, eps, **state)
    return {k: relative_error(grads[k], num[k]) for k in grads}


def check_all(seed: int = 0, vocab_size: int = 6, hidden_size: int = 5, T: int = 5, B: int = 3):
    """Every cell x activation x loss mode, batched, with a random initial state: token models
    (cross-entropy), then regression models (real inputs, a linear head, squared error: the loss
    is named "mse/many_to_many" and "mse/many_to_one").

    Yields (cell, activation, loss, param, relative error).
    """
    rng = np.random.default_rng(seed)
    inputs = rng.integers(0, vocab_size, (B, T))
    for cell, cls in CELLS.items():
        acts = ACTIVATIONS if cell == "rnn" else ("tanh",)
        for act in acts:
            model = make_model(cell, vocab_size, hidden_size, act, seed=seed, dtype=np.float64)
            state = {name: rng.normal(0, 0.5, (B, hidden_size)) for name in cls.state_names}
            for loss, targets in (("many_to_many", rng.integers(0, vocab_size, (B, T))),
                                  ("many_to_one", rng.integers(0, vocab_size, B))):
                for name, err in check_model(model, inputs, targets, loss, **state).items():
                    yield cell, act, loss, name, err
    F, K = 3, 2
    x = rng.normal(size=(B, T, F))
    for cell, cls in CELLS.items():
        for act in (ACTIVATIONS if cell == "rnn" else ("tanh",)):
            model = make_model(cell, hidden_size=hidden_size, input_size=F, output_size=K, head="linear",
                               activation=act, seed=seed)
            state = {name: rng.normal(0, 0.5, (B, hidden_size)) for name in cls.state_names}
            pairs = (("many_to_many", rng.normal(size=(B, T, K))), ("many_to_one", rng.normal(size=(B, K))))
            for loss, targets in pairs:
                for name, err in check_model(model, x, targets, loss, **state).items():
                    yield cell, act, f"mse/{loss}", name, err
