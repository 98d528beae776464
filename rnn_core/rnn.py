"""The vanilla (Elman) RNN cell: h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)."""
from __future__ import annotations

import numpy as np

from .model import BPTTResult, ForwardCache, RecurrentModel

ACTIVATIONS = ("tanh", "relu", "sigmoid")
# with B at least this, multiply by a contiguous copy of W_hh^T (a transposed view is slower there)
_COPY_TRANSPOSE_MIN_B = 8


def sigmoid(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = 1 / (1 + exp(-x)), in place."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def transposed_for_batch(W: np.ndarray, B: int) -> np.ndarray:
    """W^T as the right operand of (B, H) @ W^T: a contiguous copy from B = 8 on, where a
    transposed view is slower; below that the copy costs more than it saves."""
    return np.ascontiguousarray(W.T) if B >= _COPY_TRANSPOSE_MIN_B else W.T


def activate(name: str, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = f(a) for f in tanh, relu, sigmoid."""
    if name == "tanh":
        return np.tanh(a, out=out)
    if name == "relu":
        return np.maximum(a, 0.0, out=out)
    if name == "sigmoid":
        return sigmoid(a, out)
    raise ValueError(f"unknown activation {name!r}: choose one of {ACTIVATIONS}")


def activation_grad(name: str, a: np.ndarray, h: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = f'(a), written with h = f(a) where that is cheaper."""
    if name == "tanh":               # 1 - tanh^2
        np.multiply(h, h, out=out)
        return np.subtract(1.0, out, out=out)
    if name == "relu":               # 1 where a > 0
        return np.greater(a, 0.0, out=out, casting="unsafe")
    if name == "sigmoid":            # s (1 - s)
        np.subtract(1.0, h, out=out)
        return np.multiply(out, h, out=out)
    raise ValueError(f"unknown activation {name!r}: choose one of {ACTIVATIONS}")


class RNN(RecurrentModel):
    """Vanilla RNN. params: W_xh (H,V), W_hh (H,H), b_h (H,), W_hy (V,H), b_y (V,)."""

    cell = "rnn"

    @classmethod
    def check_activation(cls, activation):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}: choose one of {ACTIVATIONS}")

    def _run(self, ids_tm, states):
        T, B = ids_tm.shape[:2]
        H = self.hidden_size
        a = self._input_projection(ids_tm)              # (T, B, H): W_xh x_t + b_h, completed below
        hs = np.empty((T + 1, B, H), self.dtype)        # hs[0] = h0, hs[t + 1] = h_t: h and h_prev are views
        rec = np.empty((B, H), self.dtype)
        W_hh_T = transposed_for_batch(self.params["W_hh"], B)
        hs[0] = states["h0"]
        for t in range(T):
            np.matmul(hs[t], W_hh_T, out=rec)           # W_hh h_{t-1}
            a[t] += rec                                 # a_t = W_xh x_t + W_hh h_{t-1} + b_h
            activate(self.activation, a[t], hs[t + 1])  # h_t = f(a_t)
        return ForwardCache(ids=ids_tm, h=hs[1:], h_prev=hs[:-1], pre=a, final={"h0": hs[T]})

    def _backprop(self, dh, cache):
        a, h = cache.pre, cache.h
        T, B, H = h.shape
        W_hh = self.params["W_hh"]
        fprime = activation_grad(self.activation, a, h, np.empty_like(a))   # f'(a_t) for all steps at once
        da = np.empty_like(a)
        dh_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh[t] += dh_next                                   # backprop into h: loss at t + flow from t+1
            np.multiply(dh[t], fprime[t], out=da[t])           # backprop through the nonlinearity
            np.matmul(da[t], W_hh, out=dh_next)                # dL/dh_{t-1} = W_hh^T da_t
        da = da.reshape(T * B, H)
        return BPTTResult(dh=dh, dh0=dh_next, d_in=da, d_rec=da, h_prev=cache.h_prev.reshape(T * B, H))

    def _step_jacobians(self, cache):
        a, h = cache.pre[:, 0], cache.h[:, 0]            # batch row 0, (T, H)
        fprime = activation_grad(self.activation, a, h, np.empty_like(a))
        # d h_{t+1} / d h_t = diag(f'(a_{t+1})) W_hh
        return fprime[1:, :, None] * self.params["W_hh"][None]
