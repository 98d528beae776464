"""Live training: the run's bounds, its metrics log, the NaN guard, and the views a page draws.

No Streamlit calls. A ``LiveRun`` (a page's session: Train's, Time series') lives in a training worker
process (ui/common/driver.py), which trains it in time slices with ``train_for`` and publishes what a page
draws as a ``LiveView``: an immutable copy that a page's script run only reads. The metrics log travels as
what was appended since the last view (``LogView.extended``), so a view costs what changed, not the run.
"""
from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from rnn_core.train import Trainer


def N_(message: str) -> str:
    """Marks ``message`` for translation, as ui/common/i18n.py's ``N_`` (which this module cannot import: it runs in
    training workers, which have no session and load no Streamlit); a page translates it where it shows it."""
    return message


def said(cls, template: str, **values):
    """An exception of ``cls`` that says ``template`` with ``values`` (``name=(value, format spec)``) in English and
    keeps both, so that a page can say it in the session's language: a worker builds it, a page shows it (the
    training driver carries the two across: ui/common/driver.py). (A RunFileError keeps them itself, its values
    as they are: ui/common/runfile.py.)"""
    err = cls(template.format(**{k: format(v, spec) for k, (v, spec) in values.items()}))
    err.template, err.values = template, values
    return err


MAX_RECORDS = 250_000     # iterations whose figures are kept one by one (41 bytes each); older ones thinned beyond
MAX_STEP_ROWS = 2_000     # per-step rows kept for each heatmap ((T,) float32 each: at most 800 kB at T = 100)


def thin_mask(iterations: np.ndarray, stride: int) -> np.ndarray:
    """Which of ``iterations`` (ascending) a log keeps when it halves: those on the doubled stride, and the last."""
    keep = iterations % (2 * stride) == 0
    if keep.size:
        keep[-1] = True
    return keep


def _padded(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of maybe different lengths as one (rows, T) float32 matrix, NaN where a row is shorter."""
    if not rows:
        return np.zeros((0, 0), np.float32)
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan, np.float32)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


class StepRows:
    """One (T,) row of per-step values an iteration, at most ``max_rows`` of them: when full, every other
    row is dropped and from then on only every ``stride``-th iteration is kept (the latest row always is:
    ``rows[-1]``), so the memory is bounded and the rows still span the whole run evenly."""

    def __init__(self, max_rows: int = MAX_STEP_ROWS):
        self.max_rows, self.stride = max_rows, 1
        self.rows: list[np.ndarray] = []
        self.iterations: list[int] = []
        self._tail_off_stride = False                    # the last row is kept only because it is the latest
        self.changed_from = 0                            # the first row that changed since take_changes()

    def add(self, iteration: int, row: np.ndarray) -> None:
        if self._tail_off_stride:
            self.rows.pop()
            self.iterations.pop()
            self.changed_from = min(self.changed_from, len(self.rows))
        self.rows.append(np.asarray(row, np.float32))
        self.iterations.append(int(iteration))
        self._tail_off_stride = iteration % self.stride != 0
        if len(self.rows) > self.max_rows:
            keep = thin_mask(np.asarray(self.iterations), self.stride)
            self.rows = [r for r, k in zip(self.rows, keep) if k]
            self.iterations = [i for i, k in zip(self.iterations, keep) if k]
            self.stride *= 2
            self.changed_from = 0
            self._tail_off_stride = self.iterations[-1] % self.stride != 0

    def forget_after(self, iteration: int) -> None:
        n = sum(1 for i in self.iterations if i <= iteration)
        del self.rows[n:], self.iterations[n:]
        self._tail_off_stride = False
        self.changed_from = min(self.changed_from, n)

    def matrix(self, start: int = 0) -> np.ndarray:
        """(rows, T) from row ``start`` on, NaN-padded where T changed."""
        return _padded(self.rows[start:])

    def take_changes(self) -> tuple[int, np.ndarray, list[int], list[int]]:
        """(first changed row, those rows as a matrix, their lengths, their iterations) since the last call."""
        start = min(self.changed_from, len(self.rows))
        self.changed_from = len(self.rows)
        return start, self.matrix(start), [len(r) for r in self.rows[start:]], self.iterations[start:]

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
        self.changed_from = 0                            # the first kept iteration that changed since take_changes()
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
            self.changed_from = 0
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
        self.changed_from = min(self.changed_from, self._n)
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


    def take_changes(self) -> "LogChanges":
        """What changed since the last call (the iterations appended, or from the first one that changed on), for
        a ``LogView`` to be extended by."""
        start = min(self.changed_from, self._n)
        self.changed_from = self._n
        return LogChanges(start, {c: self.column(c)[start:].copy() for c in self.COLUMNS},
                          {k: getattr(self, k).take_changes() for k in ROW_KINDS},
                          self.w_hh_terms, self.last_step_total)


ROW_KINDS = ("step_norms", "last_step_norms", "step_losses")


@dataclass
class LogChanges:
    """A metrics log's changes since the last view: rows from ``start`` on, per column and per row kind."""

    start: int
    columns: dict[str, np.ndarray]
    rows: dict[str, tuple]                               # kind -> (start, matrix, lengths, iterations)
    w_hh_terms: np.ndarray | None
    last_step_total: np.ndarray | None


def _extend(buf: np.ndarray, n: int, start: int, new: np.ndarray) -> np.ndarray:
    """``buf[:n]`` with its rows from ``start`` on replaced by ``new``, as a buffer whose first ``start + len(new)``
    rows hold that. Past ``n`` it writes in place (a view of this buffer reads only its own first rows); it
    copies into a new buffer when rows a view may read would change, the rows are wider, or it is full."""
    end = start + len(new)
    width = new.shape[1:]
    if start == n and end <= len(buf) and buf.shape[1:] == width:
        buf[start:end] = new
        return buf
    if buf.ndim == 2 and new.ndim == 2:
        width = (max(buf.shape[1], new.shape[1]),)
    out = np.full((max(256, 2 * end), *width), np.nan if buf.dtype.kind == "f" else 0, dtype=buf.dtype)
    keep = buf[:start]
    out[:start, ...] = keep if out.ndim == 1 else np.pad(keep, ((0, 0), (0, width[0] - keep.shape[1])),
                                                         constant_values=np.nan)
    if out.ndim == 2:
        out[start:end, : new.shape[1]] = new
    else:
        out[start:end] = new
    return out


class RowsView:
    """Per-step rows as a page reads them (``StepRows``' reading API), at one moment: never changes."""

    def __init__(self, buf: np.ndarray | None = None, n: int = 0, lengths: tuple = (), iterations: tuple = ()):
        self._buf = buf if buf is not None else np.zeros((0, 0), np.float32)
        self._n, self._lengths, self.iterations = n, lengths, list(iterations)

    def extended(self, change: tuple) -> "RowsView":
        start, matrix, lengths, iterations = change
        if not lengths:                                  # nothing new; rows past ``start`` may have gone
            return self if start >= self._n else RowsView(self._buf, start, self._lengths[:start],
                                                              self.iterations[:start])
        buf = _extend(self._buf, self._n, start, matrix.astype(np.float32, copy=False).reshape(len(lengths), -1))
        return RowsView(buf, start + len(lengths), self._lengths[:start] + tuple(lengths),
                        self.iterations[:start] + list(iterations))

    def matrix(self) -> np.ndarray:
        """(rows, T), NaN-padded where T changed."""
        if not self._n:
            return np.zeros((0, 0), np.float32)
        return self._buf[: self._n, : max(self._lengths)]

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        i = range(self._n)[i]
        return self._buf[i, : self._lengths[i]]

    @property
    def nbytes(self) -> int:
        return int(self._buf.nbytes)


class LogView:
    """A ``MetricsLog`` at one moment, with its reading API: what a page's charts read. ``extended`` makes the
    next view from a log's ``LogChanges`` without touching this one."""

    COLUMNS = MetricsLog.COLUMNS

    def __init__(self, cols: dict | None = None, n: int = 0, rows: dict | None = None,
                 w_hh_terms: np.ndarray | None = None, last_step_total: np.ndarray | None = None):
        self._cols = cols if cols is not None else {c: np.zeros(0, t) for c, t in self.COLUMNS.items()}
        self._n = n
        self._rows = rows if rows is not None else {k: RowsView() for k in ROW_KINDS}
        self.w_hh_terms, self.last_step_total = w_hh_terms, last_step_total

    @classmethod
    def of(cls, log: MetricsLog) -> "LogView":
        """A view of all of ``log`` (it also marks every change as taken)."""
        log.changed_from = 0
        for k in ROW_KINDS:
            getattr(log, k).changed_from = 0
        return cls().extended(log.take_changes())

    def extended(self, ch: LogChanges) -> "LogView":
        n = ch.start + len(ch.columns["iteration"])
        cols = {c: _extend(self._cols[c], self._n, ch.start, ch.columns[c]) for c in self.COLUMNS}
        rows = {k: self._rows[k].extended(ch.rows[k]) for k in ROW_KINDS}
        return LogView(cols, n, rows, ch.w_hh_terms, ch.last_step_total)

    step_norms = property(lambda self: self._rows["step_norms"])
    last_step_norms = property(lambda self: self._rows["last_step_norms"])
    step_losses = property(lambda self: self._rows["step_losses"])

    @property
    def last_step_iterations(self) -> list[int]:
        return self.last_step_norms.iterations

    def column(self, name: str) -> np.ndarray:
        return self._cols[name][: self._n]

    def __len__(self) -> int:
        return self._n

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: self.column(c) for c in self.COLUMNS})

    @property
    def records(self) -> list[dict]:
        return self.frame().to_dict("records")

    def since(self, iteration: int) -> dict[str, np.ndarray]:
        i = int(np.searchsorted(self.column("iteration"), iteration, side="right"))
        return {c: self.column(c)[i:].copy() for c in self.COLUMNS}

    def step_norm_matrix(self, which: str = "step_norms") -> np.ndarray:
        return self._rows[which].matrix()

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._cols.values()) + sum(r.nbytes for r in self._rows.values())


WEIGHTS_EVERY = 2.0       # seconds between copies of the weights in the views while a run goes on


@dataclass
class LiveRun:
    """A model, its trainer and the run going on; subclasses add what their page keeps (``_kept``), what ending
    a run logs (``_ended``) and what their page's view holds (``_published``). Lives in one training worker
    (ui/common/driver.py); a page reads its ``LiveView``s."""

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
        return shape_changes(self.model, cfg)

    def start(self, iterations: int) -> None:
        """A new run of ``iterations`` from here; a run still going on is logged first."""
        self.stop()
        self.running, self.diverged = True, None
        self.run_start = self.iteration
        self.target = self.iteration + int(iterations)
        if self.trainer is not None:
            self._anchor = (self.trainer.iteration, self.trainer.tokens,
                            {k: v.copy() for k, v in self.model.params.items()})

    def train_for(self, seconds: float, interrupted=lambda: False) -> int:
        """Train until ``seconds`` pass, the run's target is reached or ``interrupted()`` says a command waits
        (checked after every iteration); returns iterations done.

        On a non-finite value the trainer goes back to the last weights with a finite loss; the metrics of
        updates the model no longer has are dropped and the run stops, saying where."""
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
                if time.perf_counter() >= t_end or interrupted():
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

    # ----- what a page reads: the view ----------------------------------------------------------------
    def publish(self, sent: dict, now: float) -> dict:
        """The fields of this run's next view (``LiveView``): what changed since the view before, which ``sent``
        remembers (the worker keeps one per run). The weights go along when they changed and the run ended, or
        every WEIGHTS_EVERY seconds while it goes on."""
        fields = {"iteration": self.iteration, "running": self.running, "run_start": self.run_start,
                  "target": self.target, "diverged": self.diverged, "version": self.version,
                  "saved_version": self.saved_version, "config": self.config}
        if sent.get("log") is not self.metrics:            # a new log: all of it
            sent["log"] = self.metrics
            fields["metrics"] = LogView.of(self.metrics)
        else:
            fields["metrics_changes"] = self.metrics.take_changes()
        due = not self.running or now - sent.get("weights_at", -1e9) >= WEIGHTS_EVERY
        if self.model is not None and sent.get("weights") != self.version and due:
            fields["model"], fields["model_version"] = self.model.copy(), self.version
            sent["weights"], sent["weights_at"] = self.version, now
        fields.update(self._published(sent))
        return fields

    def _published(self, sent: dict) -> dict:
        """The page's own fields of the next view (a subclass: its data, its history ...)."""
        return {}

    # ----- what the run store keeps: the run as one file (ui/common/runfile.py) ---------------------------
    kind = "run"                                        # a subclass: "train", "series"

    def checkpoint(self) -> tuple[int, dict, bytes]:
        """(the weights' version, a short summary, the run file): the model, its counts, settings, metrics log
        and optimizer state, and what the page adds, all of one iteration (the worker builds it between two)."""
        from .runfile import metrics_arrays, optimizer_arrays, write_run

        metrics_meta, arrays = metrics_arrays(self.metrics)
        opt_meta, opt_arrays = optimizer_arrays(self.trainer.optimizer)
        meta = {"kind": self.kind, "iteration": self.iteration, "tokens": int(self.trainer.tokens),
                "config": asdict(self.config), "metrics": metrics_meta, "optimizer": opt_meta}
        extra_meta, extra_arrays = self._checkpoint_extra()
        meta.update(extra_meta)
        arrays.update(opt_arrays, **extra_arrays)
        summary = {"kind": self.kind, "iteration": self.iteration, "cell": self.model.cell,
                   "hidden": self.model.hidden_size, "label": self.label(), "running": self.running}
        return self.version, summary, write_run(meta, self.model_bytes(), arrays)

    def label(self) -> str:
        """The model in a few words (a model link's name): "RNN, H=128, 2,000 iterations"."""
        return f"{self.model.cell.upper()}, H={self.model.hidden_size}, {self.iteration:,} iterations"

    def _checkpoint_extra(self) -> tuple[dict, dict]:
        """The page's own fields and arrays of its run file."""
        return {}, {}

    def _restore_counts(self, rf) -> None:
        """After a subclass put the file's model in place with a fresh trainer: the iteration and token counts,
        the optimizer's moments and the metrics log, as they were saved; no run goes on."""
        from .runfile import metrics_from, restore_optimizer

        meta = rf.meta
        try:
            it, tokens = int(meta["iteration"]), int(meta.get("tokens", 0))
        except (KeyError, TypeError, ValueError):
            from .runfile import RunFileError
            raise RunFileError(N_("its iteration count cannot be read")) from None
        tr = self.trainer
        tr.restore_to({k: v.copy() for k, v in self.model.params.items()}, it, tokens)
        restore_optimizer(tr.optimizer, meta.get("optimizer", {}), rf.arrays, self.model.params)
        self.metrics = metrics_from(meta.get("metrics", {}), rf.arrays)
        self.metrics.forget_after(it)
        self.running, self.diverged = False, None
        self.run_start = self.target = it
        self.version += 1


def config_from(cls, values: dict):
    """A settings dataclass (TrainConfig, SeriesConfig) from a saved dict: each known field cast to its type,
    a missing one at its default, an unknown one dropped; ValueError if a value cannot be read."""
    cast = {"int": int, "float": float, "str": str}
    known = {}
    for f in fields(cls):
        if f.name in values:
            known[f.name] = cast[f.type](values[f.name])
    return cls(**known)


def shape_changes(model, cfg) -> list[str]:
    """What in ``cfg`` (cell, hidden size, activation) the weights of ``model`` cannot take."""
    if model is None:
        return [N_("no model yet")]                     # (in English: a page translates each where it names them)
    why = []
    if cfg.cell != model.cell:
        why.append(N_("cell"))
    if cfg.hidden != model.hidden_size:
        why.append(N_("hidden size"))
    if cfg.cell == "rnn" and cfg.activation != model.activation:
        why.append(N_("activation"))
    return why


class LiveView:
    """What a page draws of a ``LiveRun`` at one moment, published by its training worker. Nothing changes it
    after it is made (the next one is a new object): a script run takes one and reads it throughout, so two
    runs of a session never see a run half-updated.

    ``model`` is a copy of the weights of ``model_version`` (while a run goes on, at most WEIGHTS_EVERY seconds
    behind ``version``); ``error`` says why the run is gone if its worker stopped."""

    iteration = run_start = target = 0
    running = False
    diverged = error = None
    version = 0
    saved_version = -1
    config = None
    model = None
    model_version = -1

    def __init__(self):
        self.metrics = LogView()

    def updated(self, fields: dict) -> "LiveView":
        """The next view: this one with ``fields`` replaced (``metrics_changes`` extends the log)."""
        new = copy.copy(self)
        changes = fields.pop("metrics_changes", None)
        new.__dict__.update(fields)
        if changes is not None:
            new.metrics = self.metrics.extended(changes)
        return new

    @property
    def records(self) -> list[dict]:
        return self.metrics.records

    @property
    def unsaved(self) -> bool:
        return self.model is not None and (self.running or (self.iteration > 0 and self.saved_version != self.version))

    def shape_changes(self, cfg) -> list[str]:
        return shape_changes(self.model, cfg)

    def metrics_frame(self) -> pd.DataFrame:
        return self.metrics.frame()

    def step_norm_matrix(self, which: str = "step_norms") -> np.ndarray:
        return self.metrics.step_norm_matrix(which)
