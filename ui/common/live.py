"""Live training that a page drives tick by tick: the run's bounds, its metrics log, the NaN guard.

No Streamlit calls: a page keeps a ``LiveRun`` subclass in session state, starts a run, calls
``train_for(seconds)`` from a timed fragment, and draws what the metrics log holds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnn_core.train import Trainer


class MetricsLog:
    """Every iteration's figures (one dict each) and its per-step gradient norms."""

    COLUMNS = ["iteration", "loss", "grad_norm", "clipped", "seconds", "tokens"]

    def __init__(self):
        self.records: list[dict] = []
        self.step_norms: list[np.ndarray] = []           # (T,) ||dL/dh_t|| per iteration
        self.last_step_norms: list[np.ndarray] = []      # (T,) ||de_T/dh_t||, every LAST_STEP_EVERY iterations
        self.last_step_iterations: list[int] = []        # ... and which iterations those are
        self.step_losses: list[np.ndarray] = []          # (T,) e_t per iteration
        self.w_hh_terms: np.ndarray | None = None        # (T,) the latest sampled iteration's dL/dW_hh step terms

    def append(self, rec) -> None:
        self.records.append({"iteration": rec.iteration, "loss": rec.loss, "grad_norm": rec.grad_norm,
                             "clipped": rec.clipped, "seconds": rec.elapsed, "tokens": rec.tokens})
        self.step_norms.append(rec.grad_norm_per_step.astype(np.float32))
        if rec.last_step_grad_norm_per_step is not None:
            self.last_step_norms.append(rec.last_step_grad_norm_per_step.astype(np.float32))
            self.last_step_iterations.append(rec.iteration)
            self.w_hh_terms = rec.w_hh_terms
        self.step_losses.append(np.asarray(rec.loss_per_step, np.float32))

    def forget_after(self, iteration: int) -> None:
        keep = [i for i, r in enumerate(self.records) if r["iteration"] <= iteration]
        self.records = [self.records[i] for i in keep]
        self.step_norms = [self.step_norms[i] for i in keep]
        self.step_losses = [self.step_losses[i] for i in keep]
        kept = [i for i, it in enumerate(self.last_step_iterations) if it <= iteration]
        if len(kept) < len(self.last_step_iterations):
            self.w_hh_terms = None                       # it belonged to an iteration the model no longer has
        self.last_step_norms = [self.last_step_norms[i] for i in kept]
        self.last_step_iterations = [self.last_step_iterations[i] for i in kept]

    def since(self, iteration: int) -> list[dict]:
        return [r for r in self.records if r["iteration"] > iteration]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.records, columns=self.COLUMNS)

    def step_norm_matrix(self, which: str = "step_norms") -> np.ndarray:
        """(iterations, T) per-step values ("step_norms", "last_step_norms" or "step_losses"), NaN-padded
        if T changed."""
        rows = getattr(self, which)
        if not rows:
            return np.zeros((0, 0))
        T = max(len(s) for s in rows)
        out = np.full((len(rows), T), np.nan, np.float32)
        for i, s in enumerate(rows):
            out[i, : len(s)] = s
        return out


@dataclass
class LiveRun:
    """A model, its trainer and the run going on; subclasses add what their page keeps (``_kept``) and
    what ending a run logs (``_ended``)."""

    model: object = None
    trainer: Trainer | None = None
    metrics: MetricsLog = field(default_factory=MetricsLog)
    running: bool = False
    target: int = 0                                      # iteration at which the current run stops
    run_start: int = 0
    diverged: str | None = None
    version: int = 0                                     # changes whenever the weights do
    _anchor: tuple | None = field(default=None, repr=False)   # (iteration, tokens, weights) where this run started

    @property
    def iteration(self) -> int:
        return self.trainer.iteration if self.trainer else 0

    @property
    def records(self) -> list[dict]:
        return self.metrics.records

    def shape_changes(self, cfg) -> list[str]:
        """What in ``cfg`` (cell, hidden size, activation) the current weights cannot take."""
        if self.model is None:
            return ["no model yet"]
        why = []
        if cfg.cell != self.model.cell:
            why.append("cell")
        if cfg.hidden != self.model.hidden_size:
            why.append("hidden size")
        if cfg.cell == "rnn" and cfg.activation != self.model.activation:
            why.append("activation")
        return why

    def start(self, iterations: int) -> None:
        """A new run of ``iterations`` from here; a run still going on is logged first."""
        self.stop()
        self.running, self.diverged = True, None
        self.run_start = self.iteration
        self.target = self.iteration + int(iterations)
        if self.trainer is not None:
            self._anchor = (self.trainer.iteration, self.trainer.tokens,
                            {k: v.copy() for k, v in self.model.params.items()})

    def train_for(self, seconds: float) -> int:
        """Train until ``seconds`` pass or the run's target is reached; returns iterations done.

        On a non-finite value the trainer goes back to the last weights with a finite loss; the
        metrics of updates the model no longer has are dropped and the run stops, saying where."""
        if not self.running:
            return 0
        t_end = time.perf_counter() + seconds
        done = 0
        with np.errstate(all="ignore"):
            for rec in self.trainer.run(self.target - self.iteration):
                done += 1
                if rec.diverged:
                    self.diverged = rec.diverged + self._fall_back()
                    self._forget_after(self.iteration)
                    self.stop()
                    break
                self.metrics.append(rec)
                self._kept(rec)
                if time.perf_counter() >= t_end:
                    break
        self.version += 1
        if self.iteration >= self.target and self.running:
            self.stop()
        return done

    def baseline_loss(self) -> float:
        """The loss of a know-nothing guess (a subclass says what that is: log V for tokens)."""
        return float("inf")

    def _fall_back(self) -> str:
        """After a divergence the trainer kept the last weights whose loss was finite. If those overflow on
        the failing batch or the next few, or their loss there is more than twice that of the weights this
        run started from, go back to the run's start instead (a lower learning rate cannot save weights the
        large updates already blew up). If the weights kept in the end still overflow, or their loss is more
        than twice a know-nothing guess's, the network explodes at its initialisation: say what to change.
        Returns what the learner should know."""
        tr = self.trainer
        batches = tr.probe_batches(15)
        ok, loss = tr.check(batches)
        note = ""
        if self._anchor is not None and self._anchor[0] != tr.iteration:
            it, tokens, params = self._anchor
            current, count = {k: v.copy() for k, v in self.model.params.items()}, (tr.iteration, tr.tokens)
            tr.restore_to(params, it, tokens)
            start_ok, start_loss = tr.check(batches)
            if ok and not (start_ok and loss > 2 * start_loss):
                tr.restore_to(current, *count)                 # the kept weights are fine: keep them
            else:
                why = "overflow on the next batches" if not ok else \
                    f"have a loss of {loss:.3g} there against {start_loss:.3g} where this run started"
                note = (f" Those weights {why}: the large updates already blew them up, so the weights this run "
                        f"started from were kept (iteration {it}).")
                ok, loss = start_ok, start_loss
        base = self.baseline_loss()
        if not ok or loss > 2 * base:
            what = "overflow on the next batches" if not ok else \
                f"have a loss of {loss:.3g}, more than twice a know-nothing guess's {base:.3g}"
            return (note + f" Even the kept weights {what}: the network explodes at these weights (a large W_hh "
                    "spectral radius with relu, say), whatever the learning rate; lower the spectral radius or use "
                    "tanh, then press Reset weights.")
        return note + (" Lower the learning rate and press Train." if note else "")

    def stop(self) -> None:
        """End the current run, keeping every update so far."""
        if not self.running:
            return
        self.running = False
        self._ended()

    def _forget_after(self, iteration: int) -> None:
        """Drop the metrics of updates the model no longer has."""
        self.metrics.forget_after(iteration)
        self.run_start = min(self.run_start, iteration)

    def _kept(self, rec) -> None:
        """Called after each iteration's record is logged."""

    def _ended(self) -> None:
        """Called when a run ends (stopped, finished or diverged)."""

    def metrics_frame(self) -> pd.DataFrame:
        return self.metrics.frame()

    def step_norm_matrix(self, which: str = "step_norms") -> np.ndarray:
        return self.metrics.step_norm_matrix(which)
