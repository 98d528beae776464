"""The training loop: a generator of per-iteration records, with clipping, truncated BPTT and a NaN guard."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .optim import clip_by_global_norm, make_optimizer


@dataclass
class TrainRecord:
    """What one optimizer iteration did."""

    iteration: int                   # 1-based count of updates applied to this model by this trainer
    loss: float                      # mean cross-entropy (nats) of the batch before the update
    grad_norm: float                 # global gradient norm before clipping
    clipped: bool
    grad_norm_per_step: np.ndarray   # (T,) ||dL/dh_t||
    elapsed: float                   # seconds since this trainer started
    tokens: int                      # predicted positions seen so far
    diverged: str | None = None      # set on the last record when training stopped on a non-finite value


class Trainer:
    """Trains ``model`` in place on ``data`` (anything with ``next_batch() -> Batch``).

    ``run(n)`` is a generator: stop iterating at any time and the model keeps every update so
    far. If a loss, gradient or weight becomes non-finite, the weights from before the update
    that caused it are restored, ``diverged`` says where it happened, and the run ends.
    """

    def __init__(self, model, data, optimizer: str = "adam", lr: float = 0.01, clip: float | None = 5.0):
        self.model = model
        self.data = data
        self.optimizer = make_optimizer(optimizer, lr)
        self.clip = clip
        self.iteration = 0
        self.tokens = 0
        self.diverged: str | None = None
        self._state: dict | None = None
        self._good = {k: v.copy() for k, v in model.params.items()}
        self._elapsed = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds spent in ``run`` so far."""
        return self._elapsed

    # live changes that keep the weights
    def set_lr(self, lr: float) -> None:
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError("learning rate must be a positive number")
        self.optimizer.lr = float(lr)

    def set_optimizer(self, name: str, lr: float | None = None) -> None:
        if name != self.optimizer.name:
            self.optimizer = make_optimizer(name, lr if lr is not None else self.optimizer.lr)
        elif lr is not None:
            self.set_lr(lr)

    def run(self, steps: int) -> Iterator[TrainRecord]:
        self.diverged = None
        params = self.model.params
        t0 = time.perf_counter() - self._elapsed
        for _ in range(int(steps)):
            batch = self.data.next_batch()
            state = self._state if (batch.carry and self._state is not None) else {}
            loss, grads, diag = self.model.loss_and_grads(batch.inputs, batch.targets, batch.loss, **state)
            norm, clipped = clip_by_global_norm(grads, self.clip)
            it = self.iteration + 1
            if not (np.isfinite(loss) and np.isfinite(norm)):
                yield self._diverge(it, loss, norm, grads, diag, batch, state, t0)
                return
            for k, p in params.items():              # the weights this loss was finite for
                np.copyto(self._good[k], p)
            self.optimizer.step(params, grads)
            bad = [k for k, p in params.items() if not np.isfinite(p).all()]
            self._state = diag.final_state
            self.iteration = it
            self.tokens += int(np.size(batch.targets))
            self._elapsed = time.perf_counter() - t0
            if bad:
                self._restore()
                self.iteration -= 1
                self.diverged = (f"Training diverged at iteration {it}: the update made {bad[0]} non-finite "
                                 f"(loss before it was {loss:.4g}, gradient norm {norm:.4g}). The weights from "
                                 f"before that update were kept; lower the learning rate or clip, then continue.")
                yield TrainRecord(it, loss, norm, clipped, diag.grad_norm_per_step, self._elapsed,
                                  self.tokens, self.diverged)
                return
            yield TrainRecord(it, loss, norm, clipped, diag.grad_norm_per_step, self._elapsed, self.tokens)

    def _restore(self) -> None:
        for k, p in self.model.params.items():
            np.copyto(p, self._good[k])
        self._state = None

    def _diverge(self, it, loss, norm, grads, diag, batch, state, t0) -> TrainRecord:
        self._restore()
        self._elapsed = time.perf_counter() - t0
        self.diverged = (f"Training diverged at iteration {it}: the loss was {loss:.4g} and the gradient norm "
                         f"{norm:.4g}; {_locate(self.model, grads, diag, batch, state)}. The last good weights "
                         f"were kept; lower the learning rate or clip, then continue.")
        return TrainRecord(it, float(loss), float(norm), False, diag.grad_norm_per_step, self._elapsed,
                           self.tokens, self.diverged)


def _locate(model, grads, diag, batch, state) -> str:
    """Where a non-finite value first appeared: forward in time, then backward, then which weight."""
    with np.errstate(all="ignore"):
        hidden = model.forward(batch.inputs, **state).hidden                # (B, T, H)
        per_step = diag.grad_norm_per_step
        gnorms = {k: float(np.sqrt(np.vdot(g, g))) for k, g in grads.items()}
    bad_fwd = np.flatnonzero(~np.isfinite(hidden).all(axis=(0, 2)))
    if bad_fwd.size:
        return f"the hidden state first overflowed at time step {int(bad_fwd[0])}"
    bad_bwd = np.flatnonzero(~np.isfinite(per_step))
    where = (f"dL/dh_t first overflowed flowing back, at time step {int(bad_bwd[-1])}" if bad_bwd.size
             else "the output layer overflowed")
    bad_w = [k for k, n in gnorms.items() if not np.isfinite(n)]
    if bad_w:
        return f"{where}; the gradient of {bad_w[0]} became non-finite"
    return f"{where}; the largest gradient was that of {max(gnorms, key=gnorms.get)}"


def train(model, data, steps: int, optimizer: str = "adam", lr: float = 0.01, clip: float | None = 5.0):
    """Convenience: train for ``steps`` iterations, yielding one record per iteration."""
    yield from Trainer(model, data, optimizer, lr, clip).run(steps)
