"""The GRU cell, gate blocks in PyTorch's order (r, z, n).

    r = sigma(W_xr x + b_xr + W_hr h + b_hr)
    z = sigma(W_xz x + b_xz + W_hz h + b_hz)
    n = tanh(W_xn x + b_xn + r * (W_hn h + b_hn))
    h_t = (1 - z) * n + z * h_{t-1}
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import BPTTResult, ForwardCache, RecurrentModel
from .rnn import sigmoid, transposed_for_batch


@dataclass
class GRUCache(ForwardCache):
    """The GRU also keeps its recurrent projections and gate activations, (T, B, 3H) each."""

    gh: np.ndarray | None = None     # W_h* h_{t-1} + b_h*, blocks r, z, n
    act: np.ndarray | None = None    # r, z, n


class GRU(RecurrentModel):
    """GRU. params: W_xh (3H,V), W_hh (3H,H), b_xh (3H,), b_hh (3H,), W_hy (V,H), b_y (V,)."""

    cell = "gru"
    n_blocks = 3
    in_bias = "b_xh"
    rec_bias = "b_hh"
    gate_names = ("reset", "update", "new")

    def _run(self, ids_tm, states):
        T, B = ids_tm.shape[:2]
        H = self.hidden_size
        gx = self._input_projection(ids_tm)                   # (T, B, 3H): W_x* x + b_x*
        gh = np.empty_like(gx)                                # (T, B, 3H): W_h* h_{t-1} + b_h*
        pre = np.empty_like(gx)                               # what goes into each nonlinearity
        act = np.empty_like(gx)                               # r, z, n
        h_prev = np.empty((T, B, H), self.dtype)
        h = np.empty((T, B, H), self.dtype)
        W_hh_T = transposed_for_batch(self.params["W_hh"], B)
        b_hh = self.params["b_hh"]
        h_prev[0] = states["h0"]
        for t in range(T):
            np.matmul(h_prev[t], W_hh_T, out=gh[t])
            gh[t] += b_hh
            p, a = pre[t], act[t]
            np.add(gx[t, :, :2 * H], gh[t, :, :2 * H], out=p[:, :2 * H])
            sigmoid(p[:, :2 * H], out=a[:, :2 * H])           # r, z
            r, z = a[:, :H], a[:, H:2 * H]
            np.multiply(r, gh[t, :, 2 * H:], out=p[:, 2 * H:])
            p[:, 2 * H:] += gx[t, :, 2 * H:]
            n = np.tanh(p[:, 2 * H:], out=a[:, 2 * H:])       # n = tanh(W_xn x + b_xn + r (W_hn h + b_hn))
            np.subtract(h_prev[t], n, out=h[t])
            h[t] *= z
            h[t] += n                                         # h_t = n + z (h_{t-1} - n)
            if t + 1 < T:
                h_prev[t + 1] = h[t]
        return GRUCache(ids=ids_tm, h=h, h_prev=h_prev, pre=pre, final={"h0": h[-1]}, gh=gh, act=act)

    def _backprop(self, dh, cache):
        act, gh, h_prev = cache.act, cache.gh, cache.h_prev
        T, B, H = h_prev.shape
        W_hh = self.params["W_hh"]
        d_in = np.empty_like(act)
        d_rec = np.empty_like(act)
        dh_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh[t] += dh_next                                  # total dL/dh_t
            a = act[t]
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            dn_pre = dh[t] * (1.0 - z) * (1.0 - n * n)        # through n's tanh
            di = d_in[t]
            di[:, :H] = dn_pre * gh[t, :, 2 * H:] * r * (1.0 - r)         # reset gate
            di[:, H:2 * H] = dh[t] * (h_prev[t] - n) * z * (1.0 - z)      # update gate
            di[:, 2 * H:] = dn_pre
            dr = d_rec[t]
            dr[:, :2 * H] = di[:, :2 * H]
            np.multiply(dn_pre, r, out=dr[:, 2 * H:])         # W_hn h + b_hn is scaled by r
            np.matmul(dr, W_hh, out=dh_next)
            dh_next += dh[t] * z                              # the direct path h_{t-1} -> h_t
        N, G = T * B, 3 * H
        return BPTTResult(dh=dh, dh0=dh_next, d_in=d_in.reshape(N, G), d_rec=d_rec.reshape(N, G),
                          h_prev=h_prev.reshape(N, H))

    def _step_jacobians(self, cache):
        """d h_{t+1} / d h_t, (T-1, H, H), for batch row 0."""
        H = self.hidden_size
        W = self.params["W_hh"]
        Wr, Wz, Wn = W[:H], W[H:2 * H], W[2 * H:]
        act, gh, h_prev = cache.act[1:, 0], cache.gh[1:, 0], cache.h_prev[1:, 0]
        r, z, n = act[:, :H], act[:, H:2 * H], act[:, 2 * H:]
        col = lambda v: v[:, :, None]
        dn = col(1 - n * n) * (col(r) * Wn + col(gh[:, 2 * H:] * r * (1 - r)) * Wr)
        J = col((h_prev - n) * z * (1 - z)) * Wz + col(1 - z) * dn
        idx = np.arange(H)
        J[:, idx, idx] += z
        return J

    def _trace_extras(self, cache):
        H = self.hidden_size
        act = cache.act
        return {"gates": {name: act[:, :, k * H:(k + 1) * H] for k, name in enumerate(self.gate_names)}}
