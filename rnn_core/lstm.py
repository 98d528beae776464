"""The LSTM cell, gate blocks in PyTorch's order (i, f, g, o).

    [i, f, g, o] = [sigma, sigma, tanh, sigma](W_xh x_t + W_hh h_{t-1} + b_h)
    c_t = f * c_{t-1} + i * g          (the cell state: the "constant error carousel")
    h_t = o * tanh(c_t)

How the loops are laid out, for speed (the public API does not see any of it):

- feature-major: every per-step array is (rows, B) with the batch innermost, so each gate's block
  of a step is one contiguous (H, B) chunk; NumPy is 3-5x slower on strided views of that size;
- gate blocks in the order (g, i, f, o): the three sigmoid gates are one block, and sigma(z) =
  (1 + tanh(z / 2)) / 2 lets one ``tanh`` call per step compute all four gates (the sigmoid rows
  of the weights are halved once per call); in the backward pass g, i and f all get their
  gradient from dL/dc_t, so one broadcast multiply per step makes the three of them.

Gradients are mapped back to the public (i, f, g, o) layout at the end.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import BPTTResult, ForwardCache, RecurrentModel

_INTERNAL = (2, 0, 1, 3)          # internal block k holds public block _INTERNAL[k]: g, i, f, o


def _block_order(H: int) -> np.ndarray:
    """Row indices that put the public H-row blocks in the internal order."""
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in _INTERNAL])


def _batch_major(x: np.ndarray) -> np.ndarray:
    """(T, rows, B) -> a (T, B, rows) view."""
    return x.transpose(0, 2, 1)


@dataclass
class LSTMCache(ForwardCache):
    """The LSTM's loops keep feature-major arrays, internal gate order (g, i, f, o)."""

    c: np.ndarray | None = None      # (T, B, H) view of c_t
    hs: np.ndarray | None = None     # (T + 1, H, B): hs[t + 1] = h_t, hs[0] = h0
    cs: np.ndarray | None = None     # (T + 1, H, B): c_t likewise
    tc: np.ndarray | None = None     # (T, H, B) tanh(c_t)
    act: np.ndarray | None = None    # (T, 4H, B) gate activations g, i, f, o
    perm: np.ndarray | None = None   # public rows in the internal order


class LSTM(RecurrentModel):
    """LSTM. params: W_xh (4H,V), W_hh (4H,H), b_h (4H,), W_hy (V,H), b_y (V,) (V: F inputs, K outputs
    for a linear head)."""

    cell = "lstm"
    n_blocks = 4
    state_names = ("h0", "c0")
    gate_names = ("input", "forget", "cell candidate", "output")

    @classmethod
    def init_biases(cls, params, hidden_size):
        params["b_h"][hidden_size:2 * hidden_size] = 1.0      # forget gate open at the start

    def _run(self, ids_tm, states):
        T, B = ids_tm.shape[:2]
        H = self.hidden_size
        P = self.params
        perm = _block_order(H)
        half = np.ones((4 * H, 1), self.dtype)
        half[H:] = 0.5                                        # sigmoid rows: tanh(z / 2)
        W_hh = P["W_hh"][perm] * half                         # (4H, H)
        if self.real_inputs:                                  # (T, 4H, B): every step's input part at once
            zx = (ids_tm @ P["W_xh"][perm].T + P["b_h"][perm]) * half[:, 0]
            zx = np.ascontiguousarray(zx.transpose(0, 2, 1))
        else:
            zx = None
            table = (P["W_xh"][perm] + P["b_h"][perm, None]) * half   # (4H, V): input column + bias per token
        act = np.empty((T, 4 * H, B), self.dtype)             # g, i, f, o
        hs = np.empty((T + 1, H, B), self.dtype)              # hs[t + 1] = h_t, hs[0] = h0
        cs = np.empty((T + 1, H, B), self.dtype)              # cs[t + 1] = c_t, cs[0] = c0
        tc = np.empty((T, H, B), self.dtype)                  # tanh(c_t)
        z = np.empty((4 * H, B), self.dtype)
        rec = np.empty((4 * H, B), self.dtype)
        ig = np.empty((H, B), self.dtype)
        hs[0], cs[0] = states["h0"].T, states["c0"].T
        for t in range(T):
            if zx is None:
                np.take(table, ids_tm[t], axis=1, out=z)      # step by step: the sum below then reads hot memory
            else:
                z = zx[t]
            np.matmul(W_hh, hs[t], out=rec)
            z += rec                                          # (half) gate pre-activations
            a = act[t]
            np.tanh(z, out=a)                                 # tanh(z) for g; tanh(z/2) for i, f, o
            s = a[H:]
            s *= 0.5
            s += 0.5                                          # sigma(z) = (1 + tanh(z/2)) / 2
            np.multiply(a[:H], a[H:2 * H], out=ig)            # i g
            np.multiply(a[2 * H:3 * H], cs[t], out=cs[t + 1])
            cs[t + 1] += ig                                   # c_t = f c_{t-1} + i g
            np.tanh(cs[t + 1], out=tc[t])
            np.multiply(a[3 * H:], tc[t], out=hs[t + 1])      # h_t = o tanh(c_t)
        return LSTMCache(ids=ids_tm, h=_batch_major(hs[1:]), h_prev=_batch_major(hs[:-1]),
                         final={"h0": hs[T].T, "c0": cs[T].T}, c=_batch_major(cs[1:]), hs=hs, cs=cs, tc=tc,
                         act=act, perm=perm)

    def _gates(self, cache):
        """(T, B, H) views of the gate activations, public order i, f, g, o."""
        act, H = cache.act, self.hidden_size
        g, i, f, o = (_batch_major(act[:, k * H:(k + 1) * H]) for k in range(4))
        return i, f, g, o

    def _backprop(self, dh, cache):
        act, cs, tc = cache.act, cache.cs, cache.tc
        T, H, B = tc.shape
        dh = np.ascontiguousarray(_batch_major(dh))          # (T, H, B), completed below
        g, i, f, o = (act[:, k * H:(k + 1) * H] for k in range(4))
        # every factor that does not depend on the recurrence, for all steps at once (no temporaries)
        k = np.multiply(tc, tc)
        np.subtract(1.0, k, out=k)
        k *= o                                                # dh_t -> dc_t: o (1 - tanh^2 c_t)
        fac = np.empty_like(act)                              # dz / dc for g, i, f; dz / dh for o
        sig, sig_act = fac[:, H:], act[:, H:]
        np.subtract(1.0, sig_act, out=sig)
        sig *= sig_act                                        # sigma' = sigma (1 - sigma) for i, f, o
        fac[:, H:2 * H] *= g                                  # input gate: times g
        fac[:, 2 * H:3 * H] *= cs[:-1]                        # forget gate: times c_{t-1}
        fac[:, 3 * H:] *= tc                                  # output gate: times tanh(c_t)
        fg = fac[:, :H]
        np.multiply(g, g, out=fg)
        np.subtract(1.0, fg, out=fg)
        fg *= i                                               # cell candidate: i (1 - g^2)
        W_hh_T = np.ascontiguousarray(self.params["W_hh"][cache.perm].T)     # (H, 4H), unscaled
        dz = np.empty_like(act)
        fac3 = fac[:, :3 * H].reshape(T, 3, H, B)             # g, i, f: each dz = fac * dL/dc_t
        dz3 = dz[:, :3 * H].reshape(T, 3, H, B)
        dc_all = np.empty((T, H, B), self.dtype)
        # carry[t] = f_t dL/dc_t: what reaches c_{t-1} along the cell-state path alone (h_{t-1} held fixed);
        # carry[0] is the gradient that leaves the sequence through c0
        carry = np.empty((T + 1, H, B), self.dtype)
        carry[T] = 0.0
        dh_next = np.zeros((H, B), self.dtype)
        for t in range(T - 1, -1, -1):
            d = dh[t]
            d += dh_next                                      # total dL/dh_t
            dc = dc_all[t]
            np.multiply(d, k[t], out=dc)
            dc += carry[t + 1]                                # total dL/dc_t: through h_t and c_{t+1}
            np.multiply(fac3[t], dc, out=dz3[t])              # g, i, f at once
            np.multiply(fac[t, 3 * H:], d, out=dz[t, 3 * H:])  # output gate
            np.multiply(dc, f[t], out=carry[t])               # carousel: dL/dc_{t-1} gets f dL/dc_t
            np.matmul(W_hh_T, dz[t], out=dh_next)
        # the shared weight-gradient step takes (N, G) per-position arrays: give it transposed views of
        # feature-major copies, (G, N) and (H, N) with positions in (t, b) order, so its GEMMs stay fast
        dz_fm = np.ascontiguousarray(dz.transpose(1, 0, 2)).reshape(4 * H, T * B)
        h_prev_fm = np.ascontiguousarray(cache.hs[:-1].transpose(1, 0, 2)).reshape(H, T * B)
        return BPTTResult(dh=_batch_major(dh), dh0=dh_next.T, d_in=dz_fm.T, d_rec=dz_fm.T, h_prev=h_prev_fm.T,
                          rows=np.argsort(cache.perm),                # internal (g, i, f, o) -> public order
                          cell_grad_norm=np.sqrt(np.einsum("thb,thb->t", dc_all, dc_all)),
                          dc_state=_batch_major(carry[1:]))

    def _step_jacobians(self, cache):
        """d (h_{t+1}, c_{t+1}) / d (h_t, c_t), (T-1, 2H, 2H), for batch row 0."""
        H = self.hidden_size
        W = self.params["W_hh"]
        Wi, Wf, Wg, Wo = W[:H], W[H:2 * H], W[2 * H:3 * H], W[3 * H:]
        i, f, g, o = (x[1:, 0] for x in self._gates(cache))
        c_prev, tc = cache.cs[1:-1, :, 0], cache.tc[1:, :, 0]
        col = lambda v: v[:, :, None]                                              # diag(v) @ M
        dc_dh = col(c_prev * f * (1 - f)) * Wf + col(g * i * (1 - i)) * Wi + col(i * (1 - g * g)) * Wg
        k = o * (1 - tc * tc)                                                      # dh'/dc' = diag(k)
        dh_dh = col(tc * o * (1 - o)) * Wo + col(k) * dc_dh
        n = i.shape[0]
        J = np.zeros((n, 2 * H, 2 * H), self.dtype)
        J[:, :H, :H] = dh_dh
        J[:, :H, H:] = _diag(k * f)
        J[:, H:, :H] = dc_dh
        J[:, H:, H:] = _diag(f)
        return J

    def _trace_extras(self, cache):
        return {"gates": dict(zip(self.gate_names, self._gates(cache))), "c": cache.c}

    def _pre_activation(self, cache):
        """The gate pre-activations W_xh x + W_hh h + b_h, (T, B, 4H) in the public order."""
        z = self._input_projection(cache.ids)
        z += cache.h_prev @ self.params["W_hh"].T
        return z


def _diag(v: np.ndarray) -> np.ndarray:
    """(n, H) -> (n, H, H) diagonal matrices."""
    out = np.zeros(v.shape + (v.shape[-1],), v.dtype)
    idx = np.arange(v.shape[-1])
    out[:, idx, idx] = v
    return out
