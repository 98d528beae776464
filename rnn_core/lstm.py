"""The LSTM cell, gate blocks in PyTorch's order (i, f, g, o).

    [i, f, g, o] = [sigma, sigma, tanh, sigma](W_xh x_t + W_hh h_{t-1} + b_h)
    c_t = f * c_{t-1} + i * g          (the cell state: the "constant error carousel")
    h_t = o * tanh(c_t)

Inside the loops the gates are kept in the order (i, f, o, g), so the three sigmoid gates are one
contiguous block, and sigma(z) = (1 + tanh(z / 2)) / 2 lets one ``tanh`` call per step compute all
four gates (the sigmoid rows of the weights are halved once per call). Gradients are mapped back
to the public (i, f, g, o) layout at the end.
"""
from __future__ import annotations

import numpy as np

from .model import RecurrentModel
from .rnn import transposed_for_batch


def _block_order(H: int, order: tuple[int, ...]) -> np.ndarray:
    """Row indices that put H-row blocks in ``order``."""
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])


class LSTM(RecurrentModel):
    """LSTM. params: W_xh (4H,V), W_hh (4H,H), b_h (4H,), W_hy (V,H), b_y (V,)."""

    cell = "lstm"
    n_blocks = 4
    state_names = ("h0", "c0")
    gate_names = ("input", "forget", "cell candidate", "output")
    _INTERNAL = (0, 1, 3, 2)          # public blocks i, f, g, o -> internal i, f, o, g

    def __init__(self, params, activation="tanh"):
        if activation != "tanh":
            raise ValueError("the LSTM uses sigmoid gates and tanh; activation applies to the vanilla RNN only")
        super().__init__(params, activation)

    @classmethod
    def init_biases(cls, params, hidden_size):
        params["b_h"][hidden_size:2 * hidden_size] = 1.0      # forget gate open at the start

    def _internal_weights(self, B: int):
        """W_xh^T, W_hh^T (laid out for batch B) and b_h in the internal gate order, sigmoid rows halved."""
        H = self.hidden_size
        perm = _block_order(H, self._INTERNAL)
        scale = np.ones(4 * H, self.dtype)
        scale[:3 * H] = 0.5
        P = self.params
        W_xh_T = np.ascontiguousarray((P["W_xh"][perm] * scale[:, None]).T)   # (V, 4H)
        W_hh_T = transposed_for_batch(P["W_hh"][perm] * scale[:, None], B)     # (H, 4H)
        return W_xh_T, W_hh_T, P["b_h"][perm] * scale, perm

    def _run(self, ids_tm, states):
        T, B = ids_tm.shape
        H = self.hidden_size
        W_xh_T, W_hh_T, b, perm = self._internal_weights(B)
        z = W_xh_T[ids_tm]                                    # (T, B, 4H): (half) gate pre-activations
        z += b
        act = np.empty_like(z)                                # internal i, f, o, g
        hs = np.empty((T + 1, B, H), self.dtype)              # hs[t + 1] = h_t, hs[0] = h0
        cs = np.empty((T + 1, B, H), self.dtype)              # cs[t + 1] = c_t, cs[0] = c0
        tc = np.empty((T, B, H), self.dtype)                  # tanh(c_t)
        rec = np.empty((B, 4 * H), self.dtype)
        ig = np.empty((B, H), self.dtype)
        hs[0], cs[0] = states["h0"], states["c0"]
        for t in range(T):
            np.matmul(hs[t], W_hh_T, out=rec)
            z[t] += rec
            a = act[t]
            np.tanh(z[t], out=a)                              # tanh(z/2) for i, f, o; tanh(z) for g
            s = a[:, :3 * H]
            s *= 0.5
            s += 0.5                                          # sigma(z) = (1 + tanh(z/2)) / 2
            np.multiply(a[:, :H], a[:, 3 * H:], out=ig)       # i g
            np.multiply(a[:, H:2 * H], cs[t], out=cs[t + 1])
            cs[t + 1] += ig                                   # c_t = f c_{t-1} + i g
            np.tanh(cs[t + 1], out=tc[t])
            np.multiply(a[:, 2 * H:3 * H], tc[t], out=hs[t + 1])  # h_t = o tanh(c_t)
        return {"h": hs[1:], "h_prev": hs[:-1], "c": cs[1:], "c_prev": cs[:-1], "tc": tc, "act": act, "z": z,
                "pre_scale": 3 * H, "perm": perm, "final": {"h0": hs[T], "c0": cs[T]}}

    def _gates(self, act):
        """Internal (.., 4H) activations -> i, f, o, g views."""
        H = self.hidden_size
        return act[..., :H], act[..., H:2 * H], act[..., 2 * H:3 * H], act[..., 3 * H:]

    def _backprop(self, dh, cache):
        act, c_prev, tc = cache["act"], cache["c_prev"], cache["tc"]
        T, B, H = tc.shape
        i, f, o, g = self._gates(act)
        # every factor that does not depend on the recurrence, for all steps at once (no temporaries)
        k = np.multiply(tc, tc)
        np.subtract(1.0, k, out=k)
        k *= o                                                # dh_t -> dc_t: o (1 - tanh^2 c_t)
        fac = np.empty_like(act)                              # dz / (dc or dh), internal order
        fi, ff, fo, fg = self._gates(fac)
        for out, gate, other in ((fi, i, g), (ff, f, c_prev), (fo, o, tc)):
            np.subtract(1.0, gate, out=out)
            out *= gate
            out *= other                                      # sigma' times what multiplies the gate
        np.multiply(g, g, out=fg)
        np.subtract(1.0, fg, out=fg)
        fg *= i                                               # cell candidate: i (1 - g^2)
        W_hh = self.params["W_hh"][cache["perm"]]             # internal row order, unscaled
        dz = np.empty_like(act)
        dc_all = np.empty((T, B, H), self.dtype)
        dh_next = np.zeros((B, H), self.dtype)
        dc_next = np.zeros((B, H), self.dtype)
        dzi, dzf, dzo, dzg = self._gates(dz)
        for t in range(T - 1, -1, -1):
            dh[t] += dh_next                                  # total dL/dh_t
            dc = dc_all[t]
            np.multiply(dh[t], k[t], out=dc)
            dc += dc_next                                     # total dL/dc_t: through h_t and c_{t+1}
            np.multiply(fi[t], dc, out=dzi[t])                # input gate
            np.multiply(ff[t], dc, out=dzf[t])                # forget gate
            np.multiply(fg[t], dc, out=dzg[t])                # cell candidate
            np.multiply(fo[t], dh[t], out=dzo[t])             # output gate
            np.multiply(dc, f[t], out=dc_next)                # carousel: dL/dc_{t-1} gets f dL/dc_t
            np.matmul(dz[t], W_hh, out=dh_next)
        return {"d_in": dz, "d_rec": dz, "dh0": dh_next, "dc0": dc_next,
                "cell_grad_norm": np.sqrt(np.einsum("tbh,tbh->t", dc_all, dc_all))}

    def _finish_grads(self, grads):
        inv = np.argsort(_block_order(self.hidden_size, self._INTERNAL))
        for name in ("W_xh", "W_hh", "b_h"):
            grads[name] = grads[name][inv]

    def _public_act(self, cache):
        """(T, B, 4H) gate activations in the public order i, f, g, o."""
        i, f, o, g = self._gates(cache["act"])
        return np.concatenate([i, f, g, o], axis=-1)

    def _step_jacobians(self, cache):
        """d (h_{t+1}, c_{t+1}) / d (h_t, c_t), (T-1, 2H, 2H), for batch row 0."""
        H = self.hidden_size
        W = self.params["W_hh"]
        Wi, Wf, Wg, Wo = W[:H], W[H:2 * H], W[2 * H:3 * H], W[3 * H:]
        i, f, o, g = (x[1:, 0] for x in self._gates(cache["act"]))
        c_prev, tc = cache["c_prev"][1:, 0], cache["tc"][1:, 0]
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
        i, f, o, g = self._gates(cache["act"])
        return {"gates": dict(zip(self.gate_names, (i, f, g, o))), "c": cache["c"]}

    def _pre_activation(self, cache):
        """The true gate pre-activations W_xh x + W_hh h + b_h in the public order (undo the halving)."""
        z = cache["z"].copy()
        z[..., :cache["pre_scale"]] *= 2.0
        H = self.hidden_size
        zi, zf, zo, zg = z[..., :H], z[..., H:2 * H], z[..., 2 * H:3 * H], z[..., 3 * H:]
        return np.concatenate([zi, zf, zg, zo], axis=-1)


def _diag(v: np.ndarray) -> np.ndarray:
    """(n, H) -> (n, H, H) diagonal matrices."""
    out = np.zeros(v.shape + (v.shape[-1],), v.dtype)
    idx = np.arange(v.shape[-1])
    out[:, idx, idx] = v
    return out
