"""The LSTM cell, gate blocks in PyTorch's order (i, f, g, o).

    [i, f, g, o] = [sigma, sigma, tanh, sigma](W_xh x_t + W_hh h_{t-1} + b_h)
    c_t = f * c_{t-1} + i * g          (the cell state: the "constant error carousel")
    h_t = o * tanh(c_t)
"""
from __future__ import annotations

import numpy as np

from .model import RecurrentModel
from .rnn import _COPY_TRANSPOSE_MIN_B


def sigmoid(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


class LSTM(RecurrentModel):
    """LSTM. params: W_xh (4H,V), W_hh (4H,H), b_h (4H,), W_hy (V,H), b_y (V,)."""

    cell = "lstm"
    n_blocks = 4
    state_names = ("h0", "c0")
    gate_names = ("input", "forget", "cell candidate", "output")

    def __init__(self, params, activation="tanh"):
        if activation != "tanh":
            raise ValueError("the LSTM uses sigmoid gates and tanh; activation applies to the vanilla RNN only")
        super().__init__(params, activation)

    @classmethod
    def init_biases(cls, params, hidden_size):
        params["b_h"][hidden_size:2 * hidden_size] = 1.0      # forget gate open at the start

    def _run(self, ids_tm, states):
        T, B = ids_tm.shape
        H = self.hidden_size
        z = self._input_projection(ids_tm)                    # (T, B, 4H) gate pre-activations
        act = np.empty_like(z)                                # (T, B, 4H) i, f, g, o
        h_prev = np.empty((T, B, H), self.dtype)
        c_prev = np.empty((T, B, H), self.dtype)
        h = np.empty((T, B, H), self.dtype)
        c = np.empty((T, B, H), self.dtype)
        tc = np.empty((T, B, H), self.dtype)                  # tanh(c_t)
        rec = np.empty((B, 4 * H), self.dtype)
        W_hh = self.params["W_hh"]
        W_hh_T = np.ascontiguousarray(W_hh.T) if B >= _COPY_TRANSPOSE_MIN_B else W_hh.T
        h_prev[0], c_prev[0] = states["h0"], states["c0"]
        g_blk = slice(2 * H, 3 * H)
        for t in range(T):
            np.matmul(h_prev[t], W_hh_T, out=rec)
            z[t] += rec
            a = act[t]
            sigmoid(z[t], out=a)
            np.tanh(z[t][:, g_blk], out=a[:, g_blk])
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, g_blk], a[:, 3 * H:]
            np.multiply(f, c_prev[t], out=c[t])
            c[t] += i * g                                     # c_t = f c_{t-1} + i g
            np.tanh(c[t], out=tc[t])
            np.multiply(o, tc[t], out=h[t])                   # h_t = o tanh(c_t)
            if t + 1 < T:
                h_prev[t + 1], c_prev[t + 1] = h[t], c[t]
        return {"h": h, "h_prev": h_prev, "c": c, "c_prev": c_prev, "tc": tc, "act": act, "pre": z,
                "final": {"h0": h[-1], "c0": c[-1]}}

    def _backprop(self, dh, cache):
        act, c_prev, tc = cache["act"], cache["c_prev"], cache["tc"]
        T, B, H = tc.shape
        W_hh = self.params["W_hh"]
        dz = np.empty_like(act)
        dc_all = np.empty((T, B, H), self.dtype)
        dh_next = np.zeros((B, H), self.dtype)
        dc_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh[t] += dh_next                                  # total dL/dh_t
            a = act[t]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            dc = dc_all[t]
            np.multiply(dh[t], o * (1.0 - tc[t] ** 2), out=dc)
            dc += dc_next                                     # total dL/dc_t: through h_t and c_{t+1}
            d = dz[t]
            d[:, :H] = dc * g * i * (1.0 - i)                 # input gate
            d[:, H:2 * H] = dc * c_prev[t] * f * (1.0 - f)    # forget gate
            d[:, 2 * H:3 * H] = dc * i * (1.0 - g * g)        # cell candidate
            d[:, 3 * H:] = dh[t] * tc[t] * o * (1.0 - o)      # output gate
            np.multiply(dc, f, out=dc_next)                   # carousel: dL/dc_{t-1} += f dL/dc_t
            np.matmul(d, W_hh, out=dh_next)
        return {"d_in": dz, "d_rec": dz, "dh0": dh_next, "dc0": dc_next,
                "cell_grad_norm": np.sqrt(np.einsum("tbh,tbh->t", dc_all, dc_all))}

    def _step_jacobians(self, cache):
        """d (h_{t+1}, c_{t+1}) / d (h_t, c_t), (T-1, 2H, 2H), for batch row 0."""
        H = self.hidden_size
        W = self.params["W_hh"]
        Wi, Wf, Wg, Wo = W[:H], W[H:2 * H], W[2 * H:3 * H], W[3 * H:]
        act, c_prev, tc = cache["act"][1:, 0], cache["c_prev"][1:, 0], cache["tc"][1:, 0]
        i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
        col = lambda v: v[:, :, None]                                              # diag(v) @ M
        dc_dh = col(c_prev * f * (1 - f)) * Wf + col(g * i * (1 - i)) * Wi + col(i * (1 - g * g)) * Wg
        k = o * (1 - tc * tc)                                                      # dh'/dc' = diag(k)
        dh_dh = col(tc * o * (1 - o)) * Wo + col(k) * dc_dh
        n = act.shape[0]
        J = np.zeros((n, 2 * H, 2 * H), self.dtype)
        J[:, :H, :H] = dh_dh
        J[:, :H, H:] = _diag(k * f)
        J[:, H:, :H] = dc_dh
        J[:, H:, H:] = _diag(f)
        return J

    def _trace_extras(self, cache):
        H = self.hidden_size
        act = cache["act"]
        gates = {name: act[:, :, k * H:(k + 1) * H] for k, name in enumerate(self.gate_names)}
        return {"gates": gates, "c": cache["c"]}


def _diag(v: np.ndarray) -> np.ndarray:
    """(n, H) -> (n, H, H) diagonal matrices."""
    out = np.zeros(v.shape + (v.shape[-1],), v.dtype)
    idx = np.arange(v.shape[-1])
    out[:, idx, idx] = v
    return out
