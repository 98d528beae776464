"""Live training that a page drives tick by tick: the run's bounds, its metrics log, the NaN guard.

No Streamlit calls: a page keeps a ``LiveRun`` subclass in session state, starts a run, calls
``train_for(seconds)`` from a timed fragment, and draws what the metrics log holds.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnn_core.train import Trainer


YIELD_SECONDS = 0.004      # a training iteration's pause for each other script run going on (at most 10 of them)
SCRIPT_THREAD = "ScriptRunner.scriptThread"   # what Streamlit names the thread of each script run


def other_script_runs() -> int:
    """How many script runs of other sessions are going on in this server process now, not counting those
    that are training themselves (they yield to clicks, not to each other): Streamlit runs each script run
    in a thread of its own, named SCRIPT_THREAD. Reads the threads, shares nothing."""
    me = threading.current_thread()
    return sum(1 for t in threading.enumerate()
               if t is not me and t.name == SCRIPT_THREAD and not getattr(t, "rnn_playground_training", False))


MAX_RECORDS = 250_000     # iterations whose figures are kept one by one (41 bytes each); older ones thinned beyond
MAX_STEP_ROWS = 2_000     # per-step rows kept for each heatmap ((T,) float32 each: at most 800 kB at T = 100)


def thin_mask(iterations: np.ndarray, stride: int) -> np.ndarray:
    """Which of ``iterations`` (ascending) a log keeps when it halves: those on the doubled stride, and the last."""
    keep = iterations % (2 * stride) == 0
    if keep.size:
        keep[-1] = True
    return keep


class StepRows:
    """One (T,) row of per-step values an iteration, at most ``max_rows`` of them: when full, every other
    row is dropped and from then on only every ``stride``-th iteration is kept (the latest row always is:
    ``rows[-1]``), so the memory is bounded and the rows still span the whole run evenly."""

    def __init__(self, max_rows: int = MAX_STEP_ROWS):
        self.max_rows, self.stride = max_rows, 1
        self.rows: list[np.ndarray] = []
        self.iterations: list[int] = []
        self._tail_off_stride = False                    # the last row is kept only because it is the latest

    def add(self, iteration: int, row: np.ndarray) -> None:
        if self._tail_off_stride:
            self.rows.pop()
            self.iterations.pop()
        self.rows.append(np.asarray(row, np.float32))
        self.iterations.append(int(iteration))
        self._tail_off_stride = iteration % self.stride != 0
        if len(self.rows) > self.max_rows:
            keep = thin_mask(np.asarray(self.iterations), self.stride)
            self.rows = [r for r, k in zip(self.rows, keep) if k]
            self.iterations = [i for i, k in zip(self.iterations, keep) if k]
            self.stride *= 2
            self._tail_off_stride = self.iterations[-1] % self.stride != 0

    def forget_after(self, iteration: int) -> None:
        n = sum(1 for i in self.iterations if i <= iteration)
        del self.rows[n:], self.iterations[n:]
        self._tail_off_stride = False

    def matrix(self) -> np.ndarray:
        """(rows, T), NaN-padded where T changed."""
        if not self.rows:
            return np.zeros((0, 0), np.float32)
        out = np.full((len(self.rows), max(len(r) for r in self.rows)), np.nan, np.float32)
        for i, r in enumerate(self.rows):
            out[i, : len(r)] = r
        return out

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


class MetricsLog:
    """Every iteration's figures, in columns (up to MAX_RECORDS iterations one by one; past that, every other
    one of the older half is dropped), and per-step rows thinned to MAX_STEP_ROWS: a run of any length
    holds bounded memory."""

    COLUMNS = {"iteration": np.int64, "loss": np.float64, "grad_norm": np.float64, "clipped": bool,
               "seconds": np.float64, "tokens": np.int64}

    def __init__(self, max_records: int = MAX_RECORDS, max_rows: int = MAX_STEP_ROWS):
        self.max_records = max_records
        self._cols = {c: np.zeros(1024, t) for c, t in self.COLUMNS.items()}
        self._n = 0
        self.step_norms = StepRows(max_rows)             # ||dL/dh_t|| per iteration
        self.last_step_norms = StepRows(max_rows)        # ||de_T/dh_t||, every LAST_STEP_EVERY iterations
        self.step_losses = StepRows(max_rows)            # e_t per iteration
        self.w_hh_terms: np.ndarray | None = None        # (T,) the latest sampled iteration's dL/dW_hh step terms
        self.last_step_total: np.ndarray | None = None   # (T,) ... and its ||dL/dh_t||

    @property
    def last_step_iterations(self) -> list[int]:
        return self.last_step_norms.iterations

    def append(self, rec) -> None:
        if self._n == len(self._cols["iteration"]):
            self._cols = {c: np.concatenate([a, np.zeros_like(a)]) for c, a in self._cols.items()}
        for c, v in (("iteration", rec.iteration), ("loss", rec.loss), ("grad_norm", rec.grad_norm),
                     ("clipped", rec.clipped), ("seconds", rec.elapsed), ("tokens", rec.tokens)):
            self._cols[c][self._n] = v
        self._n += 1
        if self._n > self.max_records:                   # every other one of the older half goes
            keep = np.ones(self._n, bool)
            keep[1: self._n // 2: 2] = False
            m = int(keep.sum())
            for a in self._cols.values():
                a[:m] = a[: self._n][keep]
            self._n = m
        self.step_norms.add(rec.iteration, rec.grad_norm_per_step)
        if rec.last_step_grad_norm_per_step is not None:
            self.last_step_norms.add(rec.iteration, rec.last_step_grad_norm_per_step)
            self.w_hh_terms = rec.w_hh_terms
            self.last_step_total = np.asarray(rec.grad_norm_per_step, np.float32)
        self.step_losses.add(rec.iteration, np.asarray(rec.loss_per_step))

    def column(self, name: str) -> np.ndarray:
        """A view of one column over the kept iterations."""
        return self._cols[name][: self._n]

    def __len__(self) -> int:
        return self._n

    @property
    def records(self) -> list[dict]:
        """The kept iterations as dicts (for tests and small runs; the page reads columns)."""
        return self.frame().to_dict("records")

    def forget_after(self, iteration: int) -> None:
        self._n = int(np.searchsorted(self.column("iteration"), iteration, side="right"))
        if self.last_step_norms.iterations and self.last_step_norms.iterations[-1] > iteration:
            self.w_hh_terms = self.last_step_total = None   # of an iteration the model no longer has
        for rows in (self.step_norms, self.last_step_norms, self.step_losses):
            rows.forget_after(iteration)

    def since(self, iteration: int) -> dict[str, np.ndarray]:
        """The columns of the iterations after ``iteration`` (copies)."""
        i = int(np.searchsorted(self.column("iteration"), iteration, side="right"))
        return {c: self.column(c)[i:].copy() for c in self.COLUMNS}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: self.column(c) for c in self.COLUMNS})

    def step_norm_matrix(self, which: str = "step_norms") -> np.ndarray:
        """(rows, T) per-step values ("step_norms", "last_step_norms" or "step_losses"), NaN-padded if T
        changed; the rows' iterations are ``getattr(self, which).iterations``."""
        return getattr(self, which).matrix()

    @property
    def nbytes(self) -> int:
        """What the log holds, in bytes (its arrays)."""
        return (sum(a.nbytes for a in self._cols.values()) + self.step_norms.nbytes + self.last_step_norms.nbytes
                + self.step_losses.nbytes)


def end_stale_ticks(runs) -> None:
    """Before a page reads a model that a LiveRun trains (Step through shows Train's model): a training tick
    that the page the learner just left was still running, in another thread, ends after its current
    iteration, and this waits for it. ``runs``: the session's LiveRuns (None where there is none yet)."""
    for run in runs:
        if run is not None:
            with run.exclusive():
                pass


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
    saved_version: int = -1                              # the version last downloaded
    _anchor: tuple | None = field(default=None, repr=False)   # (iteration, tokens, weights) where this run started
    # one script run at a time touches the run (see exclusive); per session, never shared
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _turn: int = field(default=0, repr=False, compare=False)  # raised by each exclusive(): a newer run wants it

    @contextmanager
    def exclusive(self):
        """Hold the run for this script run alone (re-entrant). Streamlit may start a session's next script
        run (a click, a fragment tick) while the one before it is still inside a training tick, in another
        thread; unguarded, the two would train the same weights at once, or one would draw a log while the
        other appends to it. Asking for the run makes a training loop in another thread stop after its current
        iteration (see train_for), and then waits for that thread to let go."""
        self._turn += 1
        with self._lock:
            yield self

    @contextmanager
    def steady(self):
        """The weights as a training tick leaves them, for a reader outside any script run (a download, built
        in a worker thread when clicked): waits for a tick going on to end (at most one tick), stops nothing."""
        with self._lock:
            yield self

    @property
    def iteration(self) -> int:
        return self.trainer.iteration if self.trainer else 0

    @property
    def records(self) -> list[dict]:
        return self.metrics.records

    @property
    def unsaved(self) -> bool:
        """Training has changed the weights since they were last downloaded (or a run is going on)."""
        return self.model is not None and (self.running or (self.iteration > 0 and self.saved_version != self.version))

    def mark_saved(self) -> None:
        """The download button's callback: these weights are in the learner's hands."""
        self.saved_version = self.version

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

    def train_for(self, seconds: float, others_waiting=lambda: 0) -> int:
        """Train until ``seconds`` pass or the run's target is reached; returns iterations done.

        ``others_waiting()`` says how many other sessions' script runs are going on (see
        ``other_script_runs``): while any are, each iteration is followed by a short sleep that leaves
        the CPU and the interpreter to them, so a learner's click is not queued behind someone's training.
        On a non-finite value the trainer goes back to the last weights with a finite loss; the
        metrics of updates the model no longer has are dropped and the run stops, saying where."""
        with self._lock:
            return self._train_for(seconds, others_waiting)

    def _train_for(self, seconds: float, others_waiting) -> int:
        if not self.running:
            return 0
        t_end = time.perf_counter() + seconds
        done = 0
        turn = self._turn
        thread = threading.current_thread()
        thread.rnn_playground_training = True             # other trainers do not wait for this one
        with np.errstate(all="ignore"):
            for rec in self.trainer.run(self.target - self.iteration):
                done += 1
                waiting = others_waiting()
                if waiting:
                    time.sleep(YIELD_SECONDS * min(waiting, 10))
                if rec.diverged:
                    self.diverged = rec.diverged + self._fall_back()
                    self._forget_after(self.iteration)
                    self.stop()
                    break
                self.metrics.append(rec)
                self._kept(rec)
                if time.perf_counter() >= t_end or self._turn != turn:    # out of time, or a newer script run
                    break                                                 # of this session waits for the run
        thread.rnn_playground_training = False
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
