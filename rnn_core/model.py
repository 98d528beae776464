"""The recurrent language model shared by every cell: embedding, output layer, losses, BPTT plumbing.

A model maps token ids to next-token probabilities::

    a_t = W_xh x_t + W_hh h_{t-1} + b_h          (the cell decides what happens to a_t)
    y_t = softmax(W_hy h_t + b_y)

with x_t one-hot, so ``W_xh x_t`` is a column of W_xh. The cell subclasses (``rnn.py``, ``lstm.py``,
``gru.py``) supply the recurrence: ``_run`` (forward loop), ``_backprop`` (backward loop) and
``_step_jacobians``. Everything else, including the weight gradients as single GEMMs over all
B*T positions, lives here.

Internally arrays are time-major, (T, B, H); the public API takes and returns batch-major
(B, T, ...) arrays for batched input and (T, ...) arrays for a single sequence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LOSSES = ("many_to_many", "many_to_one")
# above this vocabulary size dW_xh is summed by sorting token ids instead of a one-hot GEMM
_ONEHOT_MAX_V = 512


@dataclass
class Trace:
    """Everything the forward pass computed, for the step-through view.

    Shapes are (T, ...) for a (T,) input and (B, T, ...) for a (B, T) input.
    """

    ids: np.ndarray
    hidden: np.ndarray          # h_t, (.., T, H)
    pre_activation: np.ndarray  # the recurrent pre-activation, (.., T, G*H): a_t for the RNN, gate inputs otherwise
    logits: np.ndarray          # W_hy h_t + b_y, (.., T, V)
    probs: np.ndarray           # softmax(logits), (.., T, V)
    gates: dict = field(default_factory=dict)  # name -> (.., T, H) gate activations (LSTM, GRU)
    cell_state: np.ndarray | None = None       # c_t for the LSTM, (.., T, H)
    final_state: dict = field(default_factory=dict)  # keyword arguments that continue from here (h0=..., c0=...)


class Diagnostics:
    """What BPTT saw at every time step.

    grad_norm_per_step: (T,) ||dL/dh_t|| over the whole batch, the total gradient reaching h_t.
    w_hh_contribution_per_step: (T,) ||step-t term of dL/dW_hh||_F (computed on first access).
    cell_grad_norm_per_step: (T,) ||dL/dc_t|| for the LSTM, else None.
    dh, dh_local: (.., T, H) total dL/dh_t, and the part of it that comes from the loss at step t.
    grad_h0: dL/dh0, the gradient that leaves the sequence (what truncation throws away).
    final_state: keyword arguments that continue from the last step (for truncated BPTT).
    """

    def __init__(self, dh, local, d_rec, h_prev, batched, final_state, grad_h0, cell_grad_norm=None):
        self._dh, self._d_rec, self._h_prev = dh, d_rec, h_prev  # time-major
        self._local = local          # (dlogits, W_hy copy, last_only): the loss's part of dL/dh_t, made on demand
        self._dh_local = None
        self._batched = batched
        self.grad_norm_per_step = np.sqrt(np.einsum("tbh,tbh->t", dh, dh))
        self.cell_grad_norm_per_step = cell_grad_norm
        self.final_state = final_state
        self.grad_h0 = grad_h0
        self._w_hh = None

    @property
    def w_hh_contribution_per_step(self) -> np.ndarray:
        if self._w_hh is None:
            # ||sum_b d_b h_b^T||_F^2 = sum_{b,b'} (d_b . d_b')(h_b . h_b'): two (T, B, B) Gram products
            gd = np.matmul(self._d_rec, self._d_rec.transpose(0, 2, 1))
            gh = np.matmul(self._h_prev, self._h_prev.transpose(0, 2, 1))
            self._w_hh = np.sqrt(np.maximum(np.einsum("tij,tij->t", gd, gh), 0.0))
        return self._w_hh

    @property
    def dh(self) -> np.ndarray:
        return _to_api(self._dh, self._batched)

    @property
    def dh_local(self) -> np.ndarray:
        if self._dh_local is None:
            dlogits, W_hy, last_only = self._local
            out = np.zeros_like(self._dh)
            if last_only:
                out[-1] = dlogits @ W_hy
            else:
                out.reshape(-1, out.shape[-1])[:] = dlogits @ W_hy
            self._dh_local = out
        return _to_api(self._dh_local, self._batched)


def _to_api(x: np.ndarray, batched: bool) -> np.ndarray:
    """(T, B, ...) -> (B, T, ...) when batched, else (T, ...)."""
    return x.swapaxes(0, 1) if batched else x[:, 0]


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, stable for large logits."""
    z = np.asarray(z)
    return _softmax_inplace(z.astype(np.result_type(z, np.float32)))     # a float copy


def _softmax_inplace(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, overwriting the (float) logits."""
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


class RecurrentModel:
    """Base class: parameters, output layer, losses and diagnostics; cells subclass it."""

    cell = "base"
    n_blocks = 1               # how many H-row blocks W_xh / W_hh have (4 for the LSTM, 3 for the GRU)
    in_bias = "b_h"            # bias added to the input projection
    rec_bias: str | None = None  # bias added to the recurrent projection (the GRU's b_hh)
    state_names = ("h0",)

    def __init__(self, params: dict[str, np.ndarray], activation: str = "tanh"):
        self.check_activation(activation)
        self.params = params
        self.activation = activation
        self.metadata: dict = {}

    @classmethod
    def check_activation(cls, activation: str) -> None:
        """Raise ValueError unless this cell can use ``activation``: the gated cells take tanh only
        (the vanilla RNN overrides this)."""
        if activation != "tanh":
            raise ValueError(f"the {cls.cell.upper()} uses sigmoid gates and tanh; "
                             "activation applies to the vanilla RNN only")

    # ----- sizes -----------------------------------------------------------------------------
    @property
    def hidden_size(self) -> int:
        return self.params["W_hh"].shape[1]

    @property
    def vocab_size(self) -> int:
        return self.params["W_xh"].shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.params["W_hh"].dtype

    def param_shapes(self) -> dict[str, tuple]:
        return self.shapes_for(self.hidden_size, self.vocab_size)

    @classmethod
    def shapes_for(cls, hidden_size: int, vocab_size: int) -> dict[str, tuple]:
        """Parameter name -> shape for this cell at the given sizes."""
        H, V, G = hidden_size, vocab_size, cls.n_blocks * hidden_size
        shapes = {"W_xh": (G, V), "W_hh": (G, H), cls.in_bias: (G,), "W_hy": (V, H), "b_y": (V,)}
        if cls.rec_bias:
            shapes[cls.rec_bias] = (G,)
        return shapes

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def copy(self) -> "RecurrentModel":
        new = type(self)({k: v.copy() for k, v in self.params.items()}, self.activation)
        new.metadata = dict(self.metadata)
        return new

    def astype(self, dtype) -> "RecurrentModel":
        new = type(self)({k: v.astype(dtype) for k, v in self.params.items()}, self.activation)
        new.metadata = dict(self.metadata)
        return new

    def initial_state(self, batch: int | None = None) -> dict[str, np.ndarray]:
        shape = (self.hidden_size,) if batch is None else (batch, self.hidden_size)
        return {name: np.zeros(shape, self.dtype) for name in self.state_names}

    # ----- input handling ---------------------------------------------------------------------
    def _prepare(self, ids, state: dict):
        """ids (T,) or (B, T) -> time-major (T, B) ints, batched flag, time-major initial states."""
        ids = np.asarray(ids)
        if ids.ndim not in (1, 2) or ids.shape[-1] == 0:
            raise ValueError(f"ids must have shape (T,) or (B, T) with T >= 1, got {ids.shape}")
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError("ids must be integer token ids")
        if ids.min() < 0 or ids.max() >= self.vocab_size:
            raise ValueError(f"token ids must lie in [0, {self.vocab_size})")
        batched = ids.ndim == 2
        # (T, B), C-contiguous: arrays gathered with it (and made with empty_like) inherit its layout,
        # and the per-step slices must be contiguous for the loops to be fast
        ids_tm = np.ascontiguousarray(ids.T if batched else ids[:, None])
        B, H = ids_tm.shape[1], self.hidden_size
        states = {}
        for name in self.state_names:
            s = state.get(name)
            if s is None:
                states[name] = np.zeros((B, H), self.dtype)
            else:
                s = np.asarray(s, dtype=self.dtype)
                if s.shape not in ((H,), (B, H)):
                    raise ValueError(f"{name} must have shape ({H},) or ({B}, {H}), got {s.shape}")
                states[name] = np.ascontiguousarray(np.broadcast_to(s, (B, H)))
        return ids_tm, batched, states

    def _input_projection(self, ids_tm: np.ndarray) -> np.ndarray:
        """W_xh x_t + b for all steps at once: a gather of W_xh's columns, (T, B, G)."""
        W_xh_T = np.ascontiguousarray(self.params["W_xh"].T)    # (V, G): rows gather fast
        xw = W_xh_T[ids_tm]
        xw += self.params[self.in_bias]
        return xw

    def _final_state(self, cache: dict, batched: bool) -> dict:
        return {name: (s.copy() if batched else s[0].copy()) for name, s in cache["final"].items()}

    # ----- public API ---------------------------------------------------------------------------
    def forward(self, ids, h0=None, **state) -> Trace:
        """Run the network over ``ids`` ((T,) or (B, T)) from ``h0`` (zeros if None)."""
        ids_tm, batched, states = self._prepare(ids, {"h0": h0, **state})
        cache = self._run(ids_tm, states)
        hs = cache["h"]                                          # (T, B, H)
        logits = hs @ self.params["W_hy"].T + self.params["b_y"]  # (T, B, V)
        probs = softmax(logits)
        extras = self._trace_extras(cache)
        return Trace(
            ids=np.asarray(ids),
            hidden=_to_api(hs, batched),
            pre_activation=_to_api(self._pre_activation(cache), batched),
            logits=_to_api(logits, batched),
            probs=_to_api(probs, batched),
            gates={k: _to_api(v, batched) for k, v in extras.get("gates", {}).items()},
            cell_state=_to_api(extras["c"], batched) if "c" in extras else None,
            final_state=self._final_state(cache, batched),
        )

    def loss_and_grads(self, inputs, targets, loss: str = "many_to_many", h0=None, **state):
        """Mean cross-entropy (nats), gradients of every parameter, and per-step diagnostics.

        inputs: (T,) or (B, T) token ids. targets: the same shape for "many_to_many"; one id per
        sequence for "many_to_one" (a scalar for (T,) inputs, (B,) for (B, T) inputs).
        Returns (loss, grads, diag) with grads keyed and shaped like ``params``.
        """
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}: choose one of {LOSSES}")
        ids_tm, batched, states = self._prepare(inputs, {"h0": h0, **state})
        T, B = ids_tm.shape
        H, V = self.hidden_size, self.vocab_size
        P = self.params
        targets = np.asarray(targets)
        cache = self._run(ids_tm, states)
        hs = cache["h"]                                           # (T, B, H)
        grads: dict[str, np.ndarray] = {}

        # 1) output layer and softmax cross-entropy; dlogits = (p - onehot(target)) / N
        if loss == "many_to_many":
            tgt = targets.T if batched else targets[:, None]      # (T, B)
            if tgt.shape != (T, B):
                raise ValueError(f"many_to_many targets must have the inputs' shape {np.shape(inputs)}")
            h_out = hs.reshape(T * B, H)
            tgt_flat = tgt.reshape(T * B)
        else:
            tgt_flat = targets.reshape(-1)
            if tgt_flat.shape != (B,) or (not batched and targets.ndim != 0):
                want = f"shape ({B},)" if batched else "a scalar"
                raise ValueError(f"many_to_one targets must be {want}, one id per sequence")
            h_out = hs[-1]                                        # (B, H)
        if tgt_flat.min() < 0 or tgt_flat.max() >= V:
            raise ValueError(f"target ids must lie in [0, {V})")
        n = h_out.shape[0]
        logits = h_out @ P["W_hy"].T
        logits += P["b_y"]
        probs = _softmax_inplace(logits)                          # (N, V)
        rows = np.arange(n)
        loss_value = float(-np.mean(np.log(np.maximum(probs[rows, tgt_flat], np.finfo(probs.dtype).tiny))))
        dlogits = probs
        dlogits[rows, tgt_flat] -= 1.0
        dlogits /= n
        grads["W_hy"] = dlogits.T @ h_out                         # (V, H)
        grads["b_y"] = dlogits.sum(axis=0)

        # 2) the loss's own part of dL/dh_t at every step, then 3) BPTT completes dh in place
        #    (the cell's loop): dh becomes the total dL/dh_t; d_in, d_rec feed the weight GEMMs
        dh = np.zeros((T, B, H), self.dtype) if loss == "many_to_one" else np.empty((T, B, H), self.dtype)
        if loss == "many_to_many":
            np.matmul(dlogits, P["W_hy"], out=dh.reshape(T * B, H))
        else:
            np.matmul(dlogits, P["W_hy"], out=dh[-1])
        local = (dlogits, P["W_hy"].copy(), loss == "many_to_one")
        back = self._backprop(dh, cache)
        dh = back.get("dh", dh)                                   # a cell may complete dh in its own layout

        # 4) weight gradients as single GEMMs over all T*B positions
        grads.update(self._weight_grads(back, cache, ids_tm))
        grads = {k: grads[k] for k in P}                          # same key order as params

        grad_h0 = back["dh0"] if batched else back["dh0"][0]
        diag = Diagnostics(
            dh, local, back["d_rec"], cache["h_prev"], batched, self._final_state(cache, batched), grad_h0,
            cell_grad_norm=back.get("cell_grad_norm"),
        )
        return loss_value, grads, diag

    def _weight_grads(self, back: dict, cache: dict, ids_tm: np.ndarray) -> dict:
        """Gradients of W_hh, W_xh and the biases from BPTT's d_in, d_rec (T, B, G) and h_{t-1}."""
        T, B, G = back["d_in"].shape
        d_in = back["d_in"].reshape(T * B, G)
        d_rec = back["d_rec"].reshape(T * B, G)
        h_prev = cache["h_prev"]                                  # (T, B, H): h_{t-1}, h0 at t = 0
        grads = {"W_hh": d_rec.T @ h_prev.reshape(T * B, -1),
                 "W_xh": self._input_weight_grad(d_in, ids_tm.reshape(T * B)),
                 self.in_bias: d_in.sum(axis=0)}
        if self.rec_bias:
            grads[self.rec_bias] = d_rec.sum(axis=0)
        return grads

    def _input_weight_grad(self, d_in: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """dW_xh = sum over positions of d_in outer onehot(x): a one-hot GEMM, or a sorted sum for big V."""
        V = self.vocab_size
        if V <= _ONEHOT_MAX_V:
            onehot = np.zeros((ids.size, V), d_in.dtype)
            onehot[np.arange(ids.size), ids] = 1.0
            return d_in.T @ onehot
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
        sums = np.add.reduceat(d_in[order], starts, axis=0)       # (n_unique, G)
        out = np.zeros((V, d_in.shape[1]), d_in.dtype)
        out[sorted_ids[starts]] = sums
        return out.T.copy()

    def jacobian_norms(self, ids, h0=None, **state) -> np.ndarray:
        """(T,) spectral norm of d s_{T-1} / d s_t for one sequence (s = h, or (h, c) for the LSTM).

        How much of the last state's gradient can survive back to step t; 1 at t = T-1.
        """
        ids = np.asarray(ids)
        if ids.ndim != 1:
            raise ValueError("jacobian_norms takes one sequence of shape (T,)")
        ids_tm, _, states = self._prepare(ids, {"h0": h0, **state})
        cache = self._run(ids_tm, states)
        J = self._step_jacobians(cache)                           # (T-1, S, S): d s_{t+1} / d s_t
        T = ids.shape[0]
        S = J.shape[1] if T > 1 else self.hidden_size * len(self.state_names)
        prods = np.empty((T, S, S), J.dtype if T > 1 else self.dtype)
        prods[T - 1] = np.eye(S)
        for t in range(T - 2, -1, -1):
            np.matmul(prods[t + 1], J[t], out=prods[t])           # chain rule, right to left
        return np.linalg.norm(prods, ord=2, axis=(1, 2))

    # ----- what a cell provides -----------------------------------------------------------------
    @classmethod
    def init_biases(cls, params: dict, hidden_size: int) -> None:
        """Set non-zero initial biases in place (the LSTM's forget gate); zeros by default."""

    def _run(self, ids_tm: np.ndarray, states: dict) -> dict:
        """Forward loop. Returns a cache with at least h (T,B,H), h_prev (T,B,H), pre, final."""
        raise NotImplementedError

    def _backprop(self, dh: np.ndarray, cache: dict) -> dict:
        """Backward loop; ``dh`` holds the loss's part and is completed in place to the total dL/dh_t.

        Returns d_in, d_rec (T,B,G): gradients w.r.t. the input and recurrent projections; dh0;
        and, for a cell that completes dL/dh_t in a layout of its own, dh (a (T,B,H) view of it).
        """
        raise NotImplementedError

    def _step_jacobians(self, cache: dict) -> np.ndarray:
        """(T-1, S, S) Jacobians d s_{t+1} / d s_t for batch row 0."""
        raise NotImplementedError

    def _trace_extras(self, cache: dict) -> dict:
        return {}

    def _pre_activation(self, cache: dict) -> np.ndarray:
        """The pre-activations the trace shows (the cell may keep them in another form)."""
        return cache["pre"]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(cell={self.cell!r}, vocab_size={self.vocab_size}, "
                f"hidden_size={self.hidden_size}, activation={self.activation!r}, dtype={self.dtype})")
