"""The recurrent model shared by every cell: input projection, output layer, losses, BPTT plumbing.

A token model maps token ids to next-token probabilities::

    a_t = W_xh x_t + W_hh h_{t-1} + b_h          (the cell decides what happens to a_t)
    y_t = softmax(W_hy h_t + b_y)                 (head "softmax", cross-entropy loss)

with x_t one-hot, so ``W_xh x_t`` is a column of W_xh. A regression model (head "linear") reads
real-valued inputs x_t with F features and predicts K numbers, y_t = W_hy h_t + b_y, with the mean
squared error as its loss. The cell subclasses (``rnn.py``, ``lstm.py``,
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
HEADS = ("softmax", "linear")     # token ids in, cross-entropy | real values in, mean squared error
# above this vocabulary size dW_xh is summed by sorting token ids instead of a one-hot GEMM
_ONEHOT_MAX_V = 512


@dataclass
class Trace:
    """Everything the forward pass computed, for the step-through view.

    Shapes are (T, ...) for a (T,) input and (B, T, ...) for a (B, T) input.
    """

    ids: np.ndarray             # the inputs: token ids, or (.., T, F) real values for a linear head
    hidden: np.ndarray          # h_t, (.., T, H)
    pre_activation: np.ndarray  # the recurrent pre-activation, (.., T, G*H): a_t for the RNN, gate inputs otherwise
    logits: np.ndarray          # W_hy h_t + b_y, (.., T, V) (for a linear head: the outputs)
    probs: np.ndarray | None    # softmax(logits), (.., T, V); None for a linear head
    gates: dict = field(default_factory=dict)  # name -> (.., T, H) gate activations (LSTM, GRU)
    cell_state: np.ndarray | None = None       # c_t for the LSTM, (.., T, H)
    final_state: dict = field(default_factory=dict)  # keyword arguments that continue from here (h0=..., c0=...)
    outputs: np.ndarray | None = None          # the linear head's predictions, (.., T, K); None for softmax


@dataclass
class ForwardCache:
    """What a cell's forward loop keeps, time-major, for the trace, the backward pass and the next chunk.
    A cell that keeps more subclasses it (``LSTMCache``, ``GRUCache``)."""

    ids: np.ndarray                  # (T, B) token ids, or (T, B, F) real inputs
    h: np.ndarray                    # (T, B, H) h_t
    h_prev: np.ndarray               # (T, B, H) h_{t-1}, h0 at t = 0
    final: dict                      # state name -> (B, H): what continues from the last step
    pre: np.ndarray | None = None    # (T, B, G) the recurrent pre-activation, where the cell keeps it


@dataclass
class BPTTResult:
    """What a cell's backward loop hands to the shared weight-gradient step and to the diagnostics.

    Per-position arrays are (N, ...) with N = T*B positions in (t, b) order. A cell may give a
    transposed view of its own layout (the LSTM's are feature-major): the GEMMs take either.
    """

    dh: np.ndarray                   # (T, B, H) the total dL/dh_t
    dh0: np.ndarray                  # (B, H) dL/dh0: the gradient that leaves the sequence
    d_in: np.ndarray                 # (N, G) dL/d(input projection W_xh x_t + b) at every position
    d_rec: np.ndarray                # (N, G) dL/d(recurrent projection W_hh h_{t-1} (+ b_hh))
    h_prev: np.ndarray               # (N, H) h_{t-1} at every position
    rows: np.ndarray | None = None   # puts the cell's G gate rows in the public order (the LSTM's)
    cell_grad_norm: np.ndarray | None = None   # (T,) ||dL/dc_t|| (LSTM)
    dc_state: np.ndarray | None = None         # (T, B, H) dL/dc_t with h_t held fixed: the state gradient (LSTM)


class Diagnostics:
    """What BPTT saw at every time step.

    grad_norm_per_step: (T,) ||dL/dh_t|| over the whole batch, the total gradient reaching h_t.
    w_hh_contribution_per_step: (T,) ||step-t term of dL/dW_hh||_F (computed on first access).
    w_hh_terms_along_total: (T,) the step-t terms projected on the total: they add up to ||dL/dW_hh||.
    terms_along_total(name), step_terms(name): the same for "W_xh" (U), "W_hh" (W) and "W_hy" (V): each weight's
        gradient is a sum over the steps of the unrolled network. The W_xh and W_hh terms of step t collect
        every later loss through BPTT; the W_hy term of step t is the loss at step t's own (V reaches no
        earlier step), so for "many_to_one" only the last one is non-zero.
    cell_grad_norm_per_step: (T,) ||dL/dc_t|| for the LSTM, else None.
    dh, dh_local: (.., T, H) total dL/dh_t, and the part of it that comes from the loss at step t.
    loss_per_step: (T,) e_t, the cross-entropy (linear head: squared error) at step t averaged over the batch
        (zero before the last step for "many_to_one"); the loss L is their mean over the steps that have a target.
    last_step_grad_norm_per_step: (T,) ||de_T/dh_t||, the gradient of the last step's loss alone as it
        reaches each earlier step; computed when loss_and_grads is asked for it (last_step=True),
        else None. For "many_to_one" it equals grad_norm_per_step.
    dc_state: (.., T, H) dL/dc_t with h_t held fixed (LSTM, else None): with dh it is the gradient with
        respect to the LSTM's whole state s_t = (h_t, c_t), what reaches c_t along the cell-state path.
    grad_h0: dL/dh0, the gradient that leaves the sequence (what truncation throws away).
    final_state: keyword arguments that continue from the last step (for truncated BPTT).
    """

    def __init__(self, *, dh, local, d_rec, h_prev, batched, final_state, grad_h0, cell_grad_norm=None,
                 loss_per_step=None, last_step_grad_norm=None, dc_state=None, terms=None):
        """dh (T,B,H), d_rec (T,B,G), h_prev (T,B,H) and dc_state (T,B,H) time-major;
        local = (dlogits, W_hy, last_only); terms = (d_in (T*B, G), inputs (T,B) ids or (T,B,F), h (T,B,H),
        rows (the cell's gate rows in the public order, or None), V the input width): what the per-step weight
        terms are made of."""
        self.loss_per_step = loss_per_step
        self._dc_state = dc_state
        self._terms = terms
        self._along = {}
        self.last_step_grad_norm_per_step = last_step_grad_norm
        self._dh, self._d_rec, self._h_prev = dh, d_rec, h_prev
        self._local = local          # (dlogits, W_hy copy, last_only): the loss's part of dL/dh_t, made on demand
        self._dh_local = None
        self._batched = batched
        self.grad_norm_per_step = np.sqrt(np.einsum("tbh,tbh->t", dh, dh))
        self.cell_grad_norm_per_step = cell_grad_norm
        self.final_state = final_state
        self.grad_h0 = grad_h0
        self._w_hh = None
        self._w_hh_along = None

    @property
    def w_hh_terms_along_total(self) -> np.ndarray:
        """(T,) each step's term of dL/dW_hh projected on the total, <G_t, G> / ||G||: they add up to
        ||dL/dW_hh||, so as bars they show how much each step contributes to the update (computed on
        first access from (T*B)^2 Gram products, without forming any G_t)."""
        if self._w_hh_along is None:
            T, B, G = self._d_rec.shape
            D = self._d_rec.reshape(T * B, G)
            Hp = self._h_prev.reshape(T * B, -1)
            self._w_hh_along = _along_total(D @ D.T, Hp @ Hp.T, T, B)
        return self._w_hh_along

    def _factors(self, name: str):
        """(D, X) with the step-t term of d(name) = sum over the batch of D_t X_t^T, both (T, B, .); X is None for
        one-hot token inputs (their ids stand for it)."""
        if name == "W_hh":
            return self._d_rec, self._h_prev
        if self._terms is None:
            raise ValueError("these diagnostics do not keep the per-step terms")
        d_in, inputs, h = self._terms[:3]
        if name == "W_xh":
            T, B = inputs.shape[:2]
            return d_in.reshape(T, B, -1), (None if inputs.ndim == 2 else inputs)
        if name == "W_hy":
            dlogits, _, last_only = self._local
            T, B, H = h.shape
            D = np.zeros((T, B, dlogits.shape[-1]), dlogits.dtype)
            if last_only:
                D[-1] = dlogits
            else:
                D.reshape(T * B, -1)[:] = dlogits
            return D, h
        raise ValueError(f"no per-step terms for {name!r}: choose W_xh, W_hh or W_hy")

    def terms_along_total(self, name: str) -> np.ndarray:
        """(T,) each step's term of d(name) ("W_xh", "W_hh", "W_hy") projected on the total: they add up to
        its norm (Gram products over the T*B positions, no per-step matrix formed)."""
        if name == "W_hh":
            return self.w_hh_terms_along_total
        if name not in self._along:
            D, X = self._factors(name)
            T, B = D.shape[:2]
            D2 = D.reshape(T * B, -1)
            if X is None:                                             # one-hot inputs: x_i . x_j = [id_i == id_j]
                ids = self._terms[1].reshape(-1)
                gx = (ids[:, None] == ids[None, :]).astype(D2.dtype)
            else:
                X2 = X.reshape(T * B, -1)
                gx = X2 @ X2.T
            self._along[name] = _along_total(D2 @ D2.T, gx, T, B)
        return self._along[name]

    def step_terms(self, name: str) -> np.ndarray:
        """(T, *shape of name) each step's term of d(name), summed over the batch: they add up to the gradient.
        (T times the weight's size: for small models and tests; the charts use ``terms_along_total``.)"""
        D, X = self._factors(name)
        T, B, G = D.shape
        if X is None:                                                 # one-hot token inputs
            X = np.zeros((T, B, self._terms[4]), D.dtype)
            np.put_along_axis(X, self._terms[1][..., None], 1.0, axis=-1)
        out = np.einsum("tbg,tbk->tgk", D, X)
        rows = self._terms[3] if self._terms is not None and name != "W_hy" else None
        return out[:, rows] if rows is not None else out

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
    def dc_state(self) -> np.ndarray | None:
        return None if self._dc_state is None else _to_api(self._dc_state, self._batched)

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


def _along_total(gram_d: np.ndarray, gram_x: np.ndarray, T: int, B: int) -> np.ndarray:
    """(T,) <G_t, G> / ||G|| for G_t = sum over step t's positions of d_i x_i^T, from the positions' Gram
    matrices: <d_i x_i^T, d_j x_j^T> = (d_i . d_j)(x_i . x_j)."""
    per_step = (gram_d * gram_x).reshape(T, B, T * B).sum(axis=(1, 2))
    total = np.sqrt(max(float(per_step.sum()), 0.0))
    return per_step / total if total > 0 else np.zeros(T)


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

    def __init__(self, params: dict[str, np.ndarray], activation: str = "tanh", head: str = "softmax"):
        self.check_activation(activation)
        if head not in HEADS:
            raise ValueError(f"unknown head {head!r}: choose one of {HEADS}")
        self.params = params
        self.activation = activation
        self.head = head
        self.metadata: dict = {}
        self.normalisation: dict | None = None    # a regression model's {"mean": [..], "std": [..]}, if any

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
        """Token models: the vocabulary size (the width of W_xh; for a linear head, the input size)."""
        return self.params["W_xh"].shape[1]

    @property
    def input_size(self) -> int:
        """F: numbers per input step (the vocabulary size for a token model)."""
        return self.params["W_xh"].shape[1]

    @property
    def output_size(self) -> int:
        """K: outputs per step (the vocabulary size for a token model)."""
        return self.params["W_hy"].shape[0]

    @property
    def real_inputs(self) -> bool:
        """True for a regression model: real-valued inputs, linear head, squared error."""
        return self.head == "linear"

    @property
    def dtype(self) -> np.dtype:
        return self.params["W_hh"].dtype

    def param_shapes(self) -> dict[str, tuple]:
        return self.shapes_for(self.hidden_size, self.input_size, self.output_size)

    @classmethod
    def shapes_for(cls, hidden_size: int, vocab_size: int, output_size: int | None = None) -> dict[str, tuple]:
        """Parameter name -> shape for this cell at the given sizes (``vocab_size``: the input width;
        ``output_size``: K outputs, the vocabulary size unless given)."""
        H, V, G = hidden_size, vocab_size, cls.n_blocks * hidden_size
        K = V if output_size is None else output_size
        shapes = {"W_xh": (G, V), "W_hh": (G, H), cls.in_bias: (G,), "W_hy": (K, H), "b_y": (K,)}
        if cls.rec_bias:
            shapes[cls.rec_bias] = (G,)
        return shapes

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def copy(self) -> "RecurrentModel":
        return self._like({k: v.copy() for k, v in self.params.items()})

    def astype(self, dtype) -> "RecurrentModel":
        return self._like({k: v.astype(dtype) for k, v in self.params.items()})

    def _like(self, params: dict) -> "RecurrentModel":
        new = type(self)(params, self.activation, self.head)
        new.metadata = dict(self.metadata)
        new.normalisation = self.normalisation
        return new

    def initial_state(self, batch: int | None = None) -> dict[str, np.ndarray]:
        shape = (self.hidden_size,) if batch is None else (batch, self.hidden_size)
        return {name: np.zeros(shape, self.dtype) for name in self.state_names}

    # ----- input handling ---------------------------------------------------------------------
    def _prepare(self, ids, state: dict):
        """ids (T,) or (B, T) -> time-major (T, B) ints, batched flag, time-major initial states.
        A linear head's real inputs (T, F) or (B, T, F) -> time-major (T, B, F) floats."""
        if self.real_inputs:
            return self._prepare_real(ids, state)
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
        return ids_tm, batched, self._initial_states(state, ids_tm.shape[1])

    def _prepare_real(self, x, state: dict):
        F = self.input_size
        x = np.asarray(x)
        if x.ndim not in (2, 3) or x.shape[-1] != F or x.shape[-2] == 0:
            raise ValueError(f"inputs must be real values of shape (T, {F}) or (B, T, {F}) with T >= 1, "
                             f"got {x.shape}")
        if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
            raise ValueError(f"inputs must be real numbers, got {x.dtype}")
        if not np.isfinite(x).all():
            raise ValueError("inputs must be finite numbers (no NaN or infinity)")
        batched = x.ndim == 3
        x_tm = np.ascontiguousarray((x.swapaxes(0, 1) if batched else x[:, None]), dtype=self.dtype)
        return x_tm, batched, self._initial_states(state, x_tm.shape[1])

    def _initial_states(self, state: dict, B: int) -> dict:
        H = self.hidden_size
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
        return states

    def _input_projection(self, ids_tm: np.ndarray) -> np.ndarray:
        """W_xh x_t + b for all steps at once: a gather of W_xh's columns, (T, B, G) (for real inputs
        (T, B, F), one GEMM)."""
        if self.real_inputs:
            xw = ids_tm @ self.params["W_xh"].T
            xw += self.params[self.in_bias]
            return xw
        W_xh_T = np.ascontiguousarray(self.params["W_xh"].T)    # (V, G): rows gather fast
        xw = W_xh_T[ids_tm]
        xw += self.params[self.in_bias]
        return xw

    def _final_state(self, cache: ForwardCache, batched: bool) -> dict:
        return {name: (s.copy() if batched else s[0].copy()) for name, s in cache.final.items()}

    # ----- public API ---------------------------------------------------------------------------
    def forward(self, ids, h0=None, **state) -> Trace:
        """Run the network over ``ids`` ((T,) or (B, T)) from ``h0`` (zeros if None)."""
        ids_tm, batched, states = self._prepare(ids, {"h0": h0, **state})
        cache = self._run(ids_tm, states)
        hs = cache.h                                             # (T, B, H)
        logits = hs @ self.params["W_hy"].T + self.params["b_y"]  # (T, B, V)
        linear = self.real_inputs
        extras = self._trace_extras(cache)
        return Trace(
            ids=np.asarray(ids),
            hidden=_to_api(hs, batched),
            pre_activation=_to_api(self._pre_activation(cache), batched),
            logits=_to_api(logits, batched),
            probs=None if linear else _to_api(softmax(logits), batched),
            outputs=_to_api(logits, batched) if linear else None,
            gates={k: _to_api(v, batched) for k, v in extras.get("gates", {}).items()},
            cell_state=_to_api(extras["c"], batched) if "c" in extras else None,
            final_state=self._final_state(cache, batched),
        )

    def loss_and_grads(self, inputs, targets, loss: str = "many_to_many", h0=None, *, last_step: bool = False,
                       **state):
        """Mean cross-entropy (nats), gradients of every parameter, and per-step diagnostics.

        inputs: (T,) or (B, T) token ids. targets: the same shape for "many_to_many"; one id per
        sequence for "many_to_one" (a scalar for (T,) inputs, (B,) for (B, T) inputs).
        A linear head: inputs (T, F) or (B, T, F) floats, targets (.., T, K) for "many_to_many" or
        (.., K) for "many_to_one", and the loss is the mean squared error over every predicted number.
        Returns (loss, grads, diag) with grads keyed and shaped like ``params``. ``last_step=True``
        also sends the last step's loss alone back (one more backward pass of the hidden state):
        diag.last_step_grad_norm_per_step.
        """
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}: choose one of {LOSSES}")
        ids_tm, batched, states = self._prepare(inputs, {"h0": h0, **state})
        T, B = ids_tm.shape[:2]
        cache = self._run(ids_tm, states)
        if self.real_inputs:
            h_out, tgt = self._real_outputs_and_targets(cache, batched, targets, loss)
        else:
            h_out, tgt = self._outputs_and_targets(cache, batched, np.asarray(targets), loss, np.shape(inputs))
        last_only = loss == "many_to_one"
        loss_value, dlogits, grads, losses = self._output_layer(h_out, tgt)    # 1) cross-entropy (or MSE)
        dh = self._output_backward(dlogits, T, B, last_only)                     # 2) the loss's part of dL/dh_t
        back = self._backprop(dh, cache)                                         # 3) BPTT completes dL/dh_t
        grads.update(self._weight_grads(back, ids_tm))                           # 4) weight GEMMs
        G = back.d_rec.shape[1]
        if last_only:
            per_step = np.zeros(T, losses.dtype)
            per_step[-1] = losses.mean()
        else:
            per_step = losses.reshape(T, B).mean(axis=1)
        last_step_norms = None
        if last_step and not last_only:                           # (for many-to-one, e_T is L itself: below)
            # e_T alone (its batch mean): its dlogits are the last B rows, scaled from 1/N to 1/B; one more
            # backward pass of the hidden state (the weight GEMMs are skipped)
            back_T = self._backprop(self._output_backward(dlogits[-B:] * T, T, B, True), cache)
            last_step_norms = np.sqrt(np.einsum("tbh,tbh->t", back_T.dh, back_T.dh))
        diag = Diagnostics(dh=back.dh, local=(dlogits, self.params["W_hy"].copy(), last_only),
                           d_rec=back.d_rec.reshape(T, B, G), h_prev=back.h_prev.reshape(T, B, -1),
                           batched=batched, final_state=self._final_state(cache, batched),
                           grad_h0=back.dh0 if batched else back.dh0[0], cell_grad_norm=back.cell_grad_norm,
                           loss_per_step=per_step, last_step_grad_norm=last_step_norms, dc_state=back.dc_state,
                           terms=(back.d_in, ids_tm, cache.h, back.rows, self.input_size))
        if last_step and last_only:
            diag.last_step_grad_norm_per_step = diag.grad_norm_per_step
        return loss_value, {k: grads[k] for k in self.params}, diag

    def _outputs_and_targets(self, cache: ForwardCache, batched: bool, targets: np.ndarray, loss: str,
                             input_shape: tuple):
        """The hidden states the loss reads, (N, H), and their target ids, (N,): every step or the last."""
        T, B = cache.ids.shape
        if not np.issubdtype(targets.dtype, np.integer):
            raise ValueError("targets must be integer token ids")
        if loss == "many_to_many":
            if targets.shape != tuple(input_shape):
                raise ValueError(f"many_to_many targets must have the inputs' shape {input_shape}")
            tgt = targets.T if batched else targets[:, None]      # (T, B)
            h_out, tgt = cache.h.reshape(T * B, -1), tgt.reshape(T * B)
        else:
            tgt = targets.reshape(-1)
            if tgt.shape != (B,) or (not batched and targets.ndim != 0):
                want = f"shape ({B},)" if batched else "a scalar"
                raise ValueError(f"many_to_one targets must be {want}, one id per sequence")
            h_out = cache.h[-1]                                   # (B, H)
        if tgt.min() < 0 or tgt.max() >= self.vocab_size:
            raise ValueError(f"target ids must lie in [0, {self.vocab_size})")
        return h_out, tgt

    def _real_outputs_and_targets(self, cache: ForwardCache, batched: bool, targets, loss: str):
        """A linear head's (N, H) hidden states and their (N, K) real targets: every step or the last."""
        T, B = cache.ids.shape[:2]
        K = self.output_size
        y = np.asarray(targets)
        if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
            raise ValueError(f"targets must be real numbers, got {y.dtype}")
        if loss == "many_to_many":
            want = (B, T, K) if batched else (T, K)
            if y.shape != want:
                raise ValueError(f"many_to_many targets must have shape {want}, got {y.shape}")
            y_tm = y.swapaxes(0, 1) if batched else y[:, None]   # (T, B, K)
            h_out, tgt = cache.h.reshape(T * B, -1), y_tm.reshape(T * B, K)
        else:
            want = (B, K) if batched else (K,)
            if y.shape != want:
                raise ValueError(f"many_to_one targets must have shape {want}, got {y.shape}")
            h_out, tgt = cache.h[-1], y.reshape(B, K)
        if not np.isfinite(tgt).all():
            raise ValueError("targets must be finite numbers (no NaN or infinity)")
        return h_out, np.asarray(tgt, dtype=self.dtype)

    def _output_layer(self, h_out: np.ndarray, tgt: np.ndarray):
        """Mean cross-entropy of softmax(W_hy h + b_y) at N positions; dlogits = (p - onehot(target)) / N;
        and the N positions' own losses. For a linear head: the mean squared error over N x K numbers,
        dlogits = 2 (y_hat - y) / (N K), and each position's mean over its K outputs."""
        if self.real_inputs:
            return self._squared_error(h_out, tgt)
        P = self.params
        n = h_out.shape[0]
        logits = h_out @ P["W_hy"].T
        logits += P["b_y"]
        probs = _softmax_inplace(logits)                          # (N, V)
        rows = np.arange(n)
        losses = -np.log(np.maximum(probs[rows, tgt], np.finfo(probs.dtype).tiny))   # (N,) e at each position
        dlogits = probs
        dlogits[rows, tgt] -= 1.0
        dlogits /= n
        return float(np.mean(losses)), dlogits, {"W_hy": dlogits.T @ h_out, "b_y": dlogits.sum(axis=0)}, losses

    def _squared_error(self, h_out: np.ndarray, tgt: np.ndarray):
        P = self.params
        n, K = tgt.shape
        diff = h_out @ P["W_hy"].T
        diff += P["b_y"]
        diff -= tgt                                               # y_hat - y, (N, K)
        losses = np.mean(diff * diff, axis=1)                     # (N,)
        dout = diff
        dout *= 2.0 / (n * K)
        return float(np.mean(losses)), dout, {"W_hy": dout.T @ h_out, "b_y": dout.sum(axis=0)}, losses

    def _output_backward(self, dlogits: np.ndarray, T: int, B: int, last_only: bool) -> np.ndarray:
        """(T, B, H) dL/dh_t from the loss at step t alone: W_hy^T dlogits (zero before the last step if
        only the last step has a loss). The cell's backward loop completes it in place."""
        H, W_hy = self.hidden_size, self.params["W_hy"]
        if last_only:
            dh = np.zeros((T, B, H), self.dtype)
            np.matmul(dlogits, W_hy, out=dh[-1])
        else:
            dh = np.empty((T, B, H), self.dtype)
            np.matmul(dlogits, W_hy, out=dh.reshape(T * B, H))
        return dh

    def _weight_grads(self, back: BPTTResult, ids_tm: np.ndarray) -> dict:
        """dW_hh, dW_xh and the biases from BPTT's per-position gradients: single GEMMs over all T*B
        positions, the same for every cell."""
        if self.real_inputs:                                      # sum_t d_in x_t^T: one GEMM
            W_xh = back.d_in.T @ ids_tm.reshape(-1, ids_tm.shape[-1])
        else:
            W_xh = self._input_weight_grad(back.d_in, ids_tm.reshape(-1))
        grads = {"W_hh": back.d_rec.T @ back.h_prev,
                 "W_xh": W_xh,
                 self.in_bias: back.d_in.sum(axis=0)}
        if self.rec_bias:
            grads[self.rec_bias] = back.d_rec.sum(axis=0)
        if back.rows is not None:
            grads = {k: g[back.rows] for k, g in grads.items()}
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

    def _one_sequence(self, ids, what: str) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim != (2 if self.real_inputs else 1):
            shape = f"(T, {self.input_size})" if self.real_inputs else "(T,)"
            raise ValueError(f"{what} takes one sequence of shape {shape}")
        return ids

    def state_grads(self, ids, target, h0=None, **state) -> np.ndarray:
        """(T, S) de_T/ds_t for one sequence: the gradient of the last step's loss alone (e_T, the loss of
        ``target`` after the last input) with respect to the state after step t, s_t = h_t (S = H), or
        (h_t, c_t) for the LSTM (S = 2H, h first). Each norm ||de_T/ds_t|| compares like with like across
        cells: how much of one late loss's gradient reaches the state at step t.

        It is the chain de_T/ds_T . ds_T/ds_{T-1} ... ds_{t+1}/ds_t; for the RNN and the GRU it equals the
        many-to-one dL/dh_t, and the LSTM adds dL/dc_t with h_t held fixed.
        """
        ids = self._one_sequence(ids, "state_grads")
        _, _, diag = self.loss_and_grads(ids, target, loss="many_to_one", h0=h0, **state)
        dh = diag.dh
        return dh if diag.dc_state is None else np.concatenate([dh, diag.dc_state], axis=-1)

    def step_jacobian_norms(self, ids, h0=None, **state) -> np.ndarray:
        """(T-1,) spectral norm of each factor d s_{t+1} / d s_t of the chain rule, for one sequence."""
        ids = self._one_sequence(ids, "step_jacobian_norms")
        ids_tm, _, states = self._prepare(ids, {"h0": h0, **state})
        if ids.shape[0] < 2:
            return np.zeros(0)
        return np.linalg.norm(self._step_jacobians(self._run(ids_tm, states)), ord=2, axis=(1, 2))

    def jacobian_norms(self, ids, h0=None, **state) -> np.ndarray:
        """(T,) spectral norm of d s_{T-1} / d s_t for one sequence (s = h, or (h, c) for the LSTM).

        How much of the last state's gradient can survive back to step t; 1 at t = T-1.
        """
        ids = self._one_sequence(ids, "jacobian_norms")
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

    def _run(self, ids_tm: np.ndarray, states: dict) -> ForwardCache:
        """Forward loop over time-major ids (T, B) (or real inputs (T, B, F)) from ``states`` (name -> (B, H))."""
        raise NotImplementedError

    def _backprop(self, dh: np.ndarray, cache: ForwardCache) -> BPTTResult:
        """Backward loop; ``dh`` (T,B,H) holds the loss's part and is completed to the total dL/dh_t."""
        raise NotImplementedError

    def _step_jacobians(self, cache: ForwardCache) -> np.ndarray:
        """(T-1, S, S) Jacobians d s_{t+1} / d s_t for batch row 0."""
        raise NotImplementedError

    def _trace_extras(self, cache: ForwardCache) -> dict:
        return {}

    def _pre_activation(self, cache: ForwardCache) -> np.ndarray:
        """The pre-activations the trace shows (the cell may keep them in another form)."""
        return cache.pre

    def __repr__(self) -> str:
        if self.real_inputs:
            return (f"{type(self).__name__}(cell={self.cell!r}, input_size={self.input_size}, "
                    f"output_size={self.output_size}, head='linear', hidden_size={self.hidden_size}, "
                    f"activation={self.activation!r}, dtype={self.dtype})")
        return (f"{type(self).__name__}(cell={self.cell!r}, vocab_size={self.vocab_size}, "
                f"hidden_size={self.hidden_size}, activation={self.activation!r}, dtype={self.dtype})")
