"""Building models: ``make_model`` and the registry of cells."""
from __future__ import annotations

import numpy as np

from ._checks import as_number, shorten_repr
from .gru import GRU
from .lstm import LSTM
from .model import RecurrentModel
from .rnn import ACTIVATIONS, RNN

CELLS: dict[str, type[RecurrentModel]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
MAX_HIDDEN = 4096                 # the largest hidden size a model may have
MAX_VOCAB = 1_000_000             # the largest vocabulary
MAX_INPUTS = 4096                 # the most real inputs (and outputs) per step of a linear head


def model_class(cell: str) -> type[RecurrentModel]:
    if not isinstance(cell, str) or cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}: choose one of {tuple(CELLS)}")
    return CELLS[cell]


def _whole(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in lo..hi, or a ValueError that names the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,}, got {value!r}")
    return int(value)


def _finite(name: str, value, lo: float = -np.inf, hi: float = np.inf) -> float:
    number = as_number(value)
    if not (np.isfinite(number) and lo <= number <= hi):
        raise ValueError(f"{name} must be a finite number from {lo:g} to {hi:g}, got {shorten_repr(value)}")
    return number


def spectral_radius_of(W: np.ndarray) -> float:
    """Largest |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W)))) if W.size else 0.0


MAX_SEED = 2**31 - 1      # the seeds the app and the command line take (make_model takes any up to 2**63 - 1)


def make_model(cell: str = "rnn", vocab_size: int | None = None, hidden_size: int = 32, activation: str = "tanh",
               seed: int = 0, dtype=np.float64, spectral_radius: float | None = None,
               forget_bias: float | None = None, *, update_bias: float | None = None,
               input_size: int | None = None,
               output_size: int | None = None, head: str = "softmax") -> RecurrentModel:
    """A freshly initialised model.

    A token model (``head="softmax"``) reads token ids from a vocabulary of ``vocab_size`` and
    predicts the next one. A regression model (``head="linear"``) reads ``input_size`` real
    numbers per step and predicts ``output_size`` numbers (mean squared error).

    Weights are uniform in [-1/sqrt(H), 1/sqrt(H)] (PyTorch's default), biases zero (the LSTM's
    forget-gate bias one). ``spectral_radius=rho`` rescales each H x H block of W_hh so that its
    largest |eigenvalue| is rho: rho < 1 makes gradients vanish, rho > 1 lets them explode.
    ``forget_bias`` (LSTM only) overrides the initial forget-gate bias of 1. ``update_bias`` (GRU only)
    sets the update gate's initial bias (0 by default, so z starts near sigmoid(0) = 0.5): in
    h_t = (1 - z) n + z h_{t-1} the update gate z is the share of h_{t-1} kept, so a bias of 3 starts
    the GRU keeping about sigmoid(3) = 0.95 of its state each step, as a forget bias of 3 does the LSTM's cell.
    """
    cls = model_class(cell)
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {ACTIVATIONS}")
    cls.check_activation(activation)             # the cell's own check (gated cells take tanh only)
    if head == "linear":
        if vocab_size is not None:
            raise ValueError("a linear head reads real inputs: give input_size and output_size, not vocab_size")
        V = _whole("input_size", 1 if input_size is None else input_size, 1, MAX_INPUTS)
        K = _whole("output_size", 1 if output_size is None else output_size, 1, MAX_INPUTS)
    elif head == "softmax":
        if input_size is not None or output_size is not None:
            raise ValueError("input_size and output_size are for head='linear'; a token model takes vocab_size")
        V = _whole("vocab_size", 2 if vocab_size is None else vocab_size, 1, MAX_VOCAB)
        K = V
    else:
        raise ValueError(f"unknown head {head!r}: choose 'softmax' (token ids) or 'linear' (real values)")
    H = _whole("hidden_size", hidden_size, 1, MAX_HIDDEN)
    if cls.n_blocks * H * (V + H) + K * H > 250_000_000:
        raise ValueError(f"{'vocab' if head == 'softmax' else 'input'}_size {V:,} with hidden_size {H:,} "
                         "makes more than 250 million weights")
    if spectral_radius is not None:
        spectral_radius = _finite("spectral_radius", spectral_radius, 0, 1e6)
    if forget_bias is not None:
        forget_bias = _finite("forget_bias", forget_bias)
    if update_bias is not None:
        update_bias = _finite("update_bias", update_bias)
    rng = np.random.default_rng(_whole("seed", seed, 0, 2**63 - 1))
    k = 1.0 / np.sqrt(H)
    params = {}
    for name, shape in cls.shapes_for(H, V, K).items():
        if name.startswith("W_"):
            params[name] = rng.uniform(-k, k, size=shape)
        else:
            params[name] = np.zeros(shape)
    cls.init_biases(params, H)
    if forget_bias is not None:
        if cell != "lstm":
            raise ValueError("forget_bias applies to the LSTM only")
        params["b_h"][H:2 * H] = float(forget_bias)
    if update_bias is not None:
        if cell != "gru":
            raise ValueError("update_bias applies to the GRU only")
        params["b_xh"][H:2 * H] = float(update_bias)             # blocks r, z, n: the update gate's input bias
    if spectral_radius is not None:
        W_hh = params["W_hh"]
        for blk in range(cls.n_blocks):
            block = W_hh[blk * H:(blk + 1) * H]
            rho = spectral_radius_of(block)
            if rho > 0:
                block *= spectral_radius / rho
    return cls({k_: v.astype(dtype) for k_, v in params.items()}, activation, head)

