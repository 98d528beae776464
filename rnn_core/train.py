"""The training loop: a generator of per-iteration records, with clipping, truncated BPTT and a NaN guard."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .cells import model_class
from .optim import check_lr, clip_by_global_norm, make_optimizer


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
    loss_per_step: np.ndarray | None = None          # (T,) e_t, the batch's loss at each step
    last_step_grad_norm_per_step: np.ndarray | None = None   # (T,) ||de_T/dh_t||, when the trainer is asked
    w_hh_terms: np.ndarray | None = None             # (T,) dL/dW_hh's step terms along the total, likewise


class Trainer:
    """Trains ``model`` in place on ``data`` (anything with ``next_batch() -> Batch``).

    ``run(n)`` is a generator: stop iterating at any time and the model keeps every update so
    far. If a loss, gradient or weight becomes non-finite, the run ends, ``diverged`` says where,
    and the model goes back to the last weights whose loss was finite: the weights before the
    update that made them non-finite, or, when the loss itself is non-finite, the weights before
    the update that led there. ``iteration`` then counts the updates those weights have had.
    """

    def __init__(self, model, data, optimizer: str = "adam", lr: float = 0.01, clip: float | None = 5.0,
                 last_step_every: int = 0, weight_decay: float = 0.0):
        """``last_step_every=n``: iterations 1, n+1, 2n+1, ... also carry ||de_T/dh_t||, the last step's loss
        alone going back (one more backward pass of the hidden state: +33-47% for that iteration,
        bench/last_step.py). ``weight_decay=wd``: each update first shrinks every weight matrix W_* by the
        factor 1 - lr * wd (decoupled weight decay, as AdamW; biases are left alone): smaller weights keep
        tanh out of its flat region and the softmax less sure."""
        wd = float(weight_decay)
        if not (np.isfinite(wd) and 0 <= wd <= 1e3):
            raise ValueError(f"weight_decay must be a number from 0 to 1000, got {weight_decay!r}")
        self.weight_decay = wd
        self.model = model
        self.last_step_every = int(last_step_every)
        self.data = data
        self.optimizer = make_optimizer(optimizer, lr)
        self.clip = clip
        self.iteration = 0
        self.tokens = 0
        self.diverged: str | None = None
        self._state: dict | None = None
        self._good = {k: v.copy() for k, v in model.params.items()}   # the last weights with a finite loss
        self._good_count = (0, 0)                                     # ... and their (iteration, tokens)
        self.failed_batch = None          # after a divergence: (batch, state) of the iteration that failed
        self._elapsed = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds spent in ``run`` so far."""
        return self._elapsed

    # live changes that keep the weights
    def set_lr(self, lr: float) -> None:
        self.optimizer.lr = check_lr(lr)

    def set_optimizer(self, name: str, lr: float | None = None) -> None:
        if name != self.optimizer.name:
            self.optimizer = make_optimizer(name, lr if lr is not None else self.optimizer.lr)
        elif lr is not None:
            self.set_lr(lr)

    def set_data(self, data) -> None:
        """Train on other data from the next iteration; the hidden state carried between chunks starts afresh."""
        self.data = data
        self._state = None

    def run(self, steps: int) -> Iterator[TrainRecord]:
        self.diverged = None
        params = self.model.params
        t0 = time.perf_counter() - self._elapsed
        for _ in range(int(steps)):
            batch = self.data.next_batch()
            state = self._state if (batch.carry and self._state is not None) else {}
            last_step = self.last_step_every > 0 and self.iteration % self.last_step_every == 0
            loss, grads, diag = self.model.loss_and_grads(batch.inputs, batch.targets, batch.loss,
                                                          last_step=last_step, **state)
            norm, clipped = clip_by_global_norm(grads, self.clip)
            it = self.iteration + 1
            if not (np.isfinite(loss) and np.isfinite(norm)):
                self.failed_batch = (batch, state)
                yield self._diverge(it, loss, norm, grads, diag, batch, state, t0)
                return
            for k, p in params.items():              # the weights this loss was finite for
                np.copyto(self._good[k], p)
            self._good_count = (self.iteration, self.tokens)
            if self.weight_decay:
                shrink = 1.0 - self.optimizer.lr * self.weight_decay
                for k, p in params.items():
                    if k.startswith("W_"):
                        p *= shrink                      # decoupled weight decay: W := (1 - lr wd) W, then the step
            self.optimizer.step(params, grads)
            bad = [k for k, p in params.items() if not np.isfinite(p).all()]
            self._state = diag.final_state
            self.iteration = it
            self.tokens += int(np.size(batch.targets))
            self._elapsed = time.perf_counter() - t0
            if bad:
                self.failed_batch = (batch, state)
                self._restore()
                self.diverged = (f"Training diverged at iteration {it}: the update made {bad[0]} non-finite "
                                 f"(loss before it was {loss:.4g}, gradient norm {norm:.4g}). The weights from "
                                 f"before that update were kept; lower the learning rate or clip, then continue.")
                yield TrainRecord(it, loss, norm, clipped, diag.grad_norm_per_step, self._elapsed,
                                  self.tokens, self.diverged)
                return
            yield TrainRecord(it, loss, norm, clipped, diag.grad_norm_per_step, self._elapsed, self.tokens,
                              loss_per_step=diag.loss_per_step,
                              last_step_grad_norm_per_step=diag.last_step_grad_norm_per_step,
                              w_hh_terms=diag.w_hh_terms_along_total if last_step else None)

    def _restore(self) -> None:
        """Back to the last weights whose loss was finite, and to the count of updates they have had."""
        self.restore_to(self._good, *self._good_count)

    def restore_to(self, params: dict, iteration: int, tokens: int) -> None:
        """Put ``params`` (copies of earlier weights) back, with the counts they had; the optimizer starts afresh."""
        for k, p in self.model.params.items():
            np.copyto(p, params[k])
        self.iteration, self.tokens = iteration, tokens
        for k, p in self._good.items():
            np.copyto(p, params[k])
        self._good_count = (iteration, tokens)
        self.optimizer = make_optimizer(self.optimizer.name, self.optimizer.lr)   # its moments led here too
        self._state = None

    def probe_batches(self, extra: int = 3) -> list:
        """The batch that failed (with its carried state) and the next ``extra`` batches of the data."""
        batches = [self.failed_batch] if self.failed_batch else []
        return batches + [(self.data.next_batch(), {}) for _ in range(extra)]

    def check(self, batches: list) -> tuple[bool, float]:
        """(finite, mean loss) of the current weights on ``batches``: finite when every loss and gradient is."""
        losses = []
        with np.errstate(all="ignore"):
            for batch, state in batches:
                state = state if batch.carry else {}
                loss, grads, _ = self.model.loss_and_grads(batch.inputs, batch.targets, batch.loss, **state)
                norm = np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
                if not (np.isfinite(loss) and np.isfinite(norm)):
                    return False, float("inf")
                losses.append(loss)
        return True, float(np.mean(losses)) if losses else float("nan")

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


# bytes per (sequence, step) per hidden unit during one BPTT iteration, and per token of the output layer;
# measured with tracemalloc (tests/test_train.py holds the estimate above the measured peak)
_PER_UNIT = {"rnn": 8, "lstm": 24, "gru": 24}
_PER_TOKEN = 2
_PARAM_COPIES = 8                 # weights, gradients, two optimizer moments, the last good copy, slack


def estimate_bytes(cell: str, hidden_size: int, vocab_size: int, batch: int, steps: int,
                   dtype=np.float32) -> int:
    """About how much memory one training iteration takes (an upper estimate, within ~2x).

    Forward and backward keep O(batch * steps * (hidden_size + vocab_size)) numbers; the
    parameters, their gradients and the optimizer's state O(n_params). No array is allocated.
    """
    H, V, B, T = (int(v) for v in (hidden_size, vocab_size, batch, steps))
    n_params = sum(int(np.prod(s)) for s in model_class(cell).shapes_for(H, V).values())
    per_position = _PER_UNIT[cell] * H + _PER_TOKEN * V
    return int(np.dtype(dtype).itemsize * (B * T * per_position + _PARAM_COPIES * n_params))


def available_bytes() -> int:
    """Memory this process can still take: MemAvailable on Linux, else the physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def train(model, data, steps: int, optimizer: str = "adam", lr: float = 0.01, clip: float | None = 5.0):
    """Convenience: train for ``steps`` iterations, yielding one record per iteration."""
    yield from Trainer(model, data, optimizer, lr, clip).run(steps)
