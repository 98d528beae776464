"""The Train page's per-session state: data, model, trainer, metrics, snapshots and run history.

No Streamlit calls here. A ``TrainSession`` lives in a training worker (ui/common/driver.py), which trains
it and publishes ``TrainView``s; the page keeps a ``TrainRun`` (its handle to that job) in session state,
sends it commands and draws the latest view. Tests drive a ``TrainSession`` directly too.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from rnn_core import Vocab, make_model
from rnn_core.data import CORPORA, TokenStream
from rnn_core.export import to_safetensors, torch_bundle
from rnn_core.io import ModelFileError, load_model, model_to_bytes
from rnn_core.sampling import complete
from rnn_core.tasks import make_task
from rnn_core.train import Trainer

from ui.common.config import LANGUAGE_CORPORA, TASK_SOURCES, TEXT_SOURCES, TrainConfig
from ui.common.driver import RunHandle
from ui.common.frames import decimate
from ui.common.live import N_, LiveRun, LiveView, MetricsLog, StepRows, config_from, said
from ui.common.limits import MAX_MODEL_BYTES, MAX_TRAIN_TEXT_BYTES, MAX_TRAIN_TOKENS, MAX_TRAIN_VOCAB
from ui.common.runfile import RunFile, RunFileError, read_run

MAX_SNAPSHOTS = 120
SNAPSHOT_BUDGET = 64_000_000  # bytes of weight copies a session keeps for History (an LSTM H=256 V=3,000: 3 of them)
MAX_RUNS = 200                # runs in the run history (the oldest go first)
MAX_RUN_POINTS = 2_000        # points kept of each run's loss curve (min and max of each stretch: spikes stay)
LAST_STEP_EVERY = 10      # the last step's gradient going back costs one more backward pass: every 10th iteration
# weight snapshots a saved run keeps for History (evenly spread, the first first), written when a run has ended:
# the saves every few seconds during one leave them out
SAVED_SNAPSHOTS_BYTES = 2_000_000


@dataclass
class Data:
    """Training data ready for the trainer, with what to show about it."""

    vocab: Vocab
    source: object                    # TokenStream or a task (next_batch)
    probe: str
    n_tokens: int
    key: tuple
    text: str | None = None           # pasted or uploaded text (what a saved run rebuilds its data from)


def text_error(text: str) -> ValueError | None:
    """None if pasted text can be trained on, else a ValueError saying what is wrong with it (``said``: a page
    shows it in the session's language)."""
    if not text.strip():
        return said(ValueError, N_("The text is empty: paste a few sentences to train on."))
    if len(text.encode("utf-8")) > MAX_TRAIN_TEXT_BYTES:
        return said(ValueError, N_("The text is larger than {limit} MB; paste or upload less."),
                    limit=(MAX_TRAIN_TEXT_BYTES // 1_000_000, ""))
    return None


def text_key(cfg: TrainConfig, text: str | None) -> tuple:
    """What identifies the text a vocabulary was built for: the source, and for typed text its level and digest."""
    if cfg.source in TEXT_SOURCES:
        return (cfg.source, cfg.level, hashlib.sha1((text or "").encode("utf-8")).hexdigest())
    return (cfg.source,)


def build_data(cfg: TrainConfig, text: str | None = None, vocab: Vocab | None = None) -> Data:
    """Data for ``cfg``; ``text`` for pasted/uploaded sources; ``vocab`` to reuse a loaded model's vocabulary."""
    if cfg.source in TASK_SOURCES:
        task = make_task("delay" if cfg.source == "Delay task" else "cuisine", cfg.gap, cfg.batch, cfg.seed)
        x, _ = task.sample(1, np.random.default_rng(cfg.seed))
        probe = task.vocab.decode(x[0])
        return Data(task.vocab, task, probe, cfg.batch, ("task", cfg.source, cfg.gap, cfg.batch, cfg.seed))
    if cfg.source == "Cuisine corpus":
        corpus = CORPORA["cuisine"]
        text, level, probe = corpus.read(), corpus.level, corpus.probe
    elif cfg.source in LANGUAGE_CORPORA:
        corpus = CORPORA[LANGUAGE_CORPORA[cfg.source]]
        text, level, probe = corpus.read(), corpus.level, corpus.probe
    elif cfg.source == "Sonnets (characters)":
        corpus = CORPORA["sonnets"]
        text, level, probe = corpus.read(), corpus.level, corpus.probe
    else:
        problem = text_error(text or "")
        if problem:
            raise problem
        level = cfg.level
        probe = text.strip()[: 40 if level == "char" else 200]
        probe = " ".join(probe.split()[:8]) if level == "word" else probe
    v = vocab if vocab is not None else Vocab.from_text(text, level, max_size=MAX_TRAIN_VOCAB)
    ids = v.encode(text)
    if ids.size > MAX_TRAIN_TOKENS:
        raise said(ValueError, N_("That text has {n} tokens; the Train page takes at most {limit}. Train on a shorter "
                                  "text (or use the command line for big corpora)."),
                   n=(int(ids.size), ","), limit=(MAX_TRAIN_TOKENS, ","))
    if ids.size < 3:
        raise said(ValueError, N_("That text is too short to train on: it needs at least three tokens."))
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    stream = TokenStream(ids, cfg.batch, cfg.seq_len, cfg.loss)
    return Data(v, stream, probe, int(ids.size), ("text", digest, level, cfg.batch, cfg.seq_len, len(v), cfg.loss),
                text if cfg.source in TEXT_SOURCES else None)


class Snapshots(dict):
    """iteration -> a copy of the weights: at most MAX_SNAPSHOTS, and at most SNAPSHOT_BUDGET bytes (but
    never fewer than the first and the latest). Past either, every other one between them is dropped."""

    every: int = 10

    def take(self, iteration: int, params: dict) -> None:
        self[iteration] = {k: v.copy() for k, v in params.items()}
        size = sum(v.nbytes for v in params.values())
        limit = max(2, min(MAX_SNAPSHOTS, SNAPSHOT_BUDGET // max(1, size)))
        while len(self) > limit:
            keys = sorted(self)
            for k in (keys[1:-1:2] if len(keys) > 3 else keys[1:2]):
                del self[k]

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for p in self.values() for v in p.values())

    def nearest(self, iteration: int) -> int:
        keys = np.array(sorted(self))
        return int(keys[np.argmin(np.abs(keys - iteration))])

    def forget_after(self, iteration: int, params: dict) -> None:
        for k in [k for k in self if k > iteration]:
            del self[k]
        if not self:
            self.take(iteration, params)


class RunHistory(list):
    """One dict per finished run: its settings, where it started and ended, its final figures and loss curve
    (at most MAX_RUN_POINTS points of it: see ``decimate``). At most MAX_RUNS runs (the oldest go first)."""

    def log(self, config: TrainConfig, start: int, end: int, run: dict[str, np.ndarray], diverged: bool) -> None:
        losses, seconds = run["loss"], run["seconds"]
        at, curve = decimate(np.arange(1, losses.size + 1), losses, MAX_RUN_POINTS)
        number = self[-1]["run"] + 1 if self else 1
        self.append({
            "run": number, **asdict(config), "from iteration": start, "to iteration": end,
            "final loss": float(np.mean(losses[-20:])) if losses.size else float("nan"),
            "seconds": float(seconds[-1] - seconds[0]) if seconds.size else 0.0,
            "diverged": diverged, "losses": curve.astype(np.float32), "loss_at": at.astype(np.int32),
        })
        del self[: max(0, len(self) - MAX_RUNS)]

    @property
    def nbytes(self) -> int:
        return sum(r["losses"].nbytes + r["loss_at"].nbytes for r in self)


@dataclass
class TrainSession(LiveRun):
    """One learner's training: the model and its trainer, and the live run, with its parts: the metrics
    log, the weight snapshots and the run history. No Streamlit calls: the page reads and drives it."""

    vocab: Vocab | None = None
    data: Data | None = None
    config: TrainConfig = field(default_factory=TrainConfig)
    snapshots: Snapshots = field(default_factory=Snapshots)
    runs: RunHistory = field(default_factory=RunHistory)
    vocab_for: tuple | None = None                       # the data a loaded model's vocabulary encodes (see text_key)
    _paths: dict = field(default_factory=dict, repr=False)   # history_paths' cache ...
    _paths_key: tuple | None = field(default=None, repr=False)  # ... and what it was computed for

    @property
    def step_norms(self) -> StepRows:
        return self.metrics.step_norms

    # ----- set-up ---------------------------------------------------------------------------------
    def reset_weights(self, cfg: TrainConfig, data: Data) -> None:
        """Fresh weights for ``cfg`` on ``data``; the metrics and snapshots start over (runs stay)."""
        extra = {"spectral_radius": cfg.spectral_radius} if cfg.spectral_radius > 0 else {}
        model = make_model(cfg.cell, len(data.vocab), cfg.hidden, cfg.activation, seed=cfg.seed,
                           dtype=np.float32, **extra)
        self._start_over(model, data.vocab, cfg, data)
        self.vocab_for = None

    def adopt(self, model, vocab: Vocab, cfg: TrainConfig, data: Data) -> None:
        """Continue training a loaded model (its vocabulary encodes the data)."""
        self._start_over(model.astype(np.float32), vocab, cfg, data)

    def _start_over(self, model, vocab: Vocab, cfg: TrainConfig, data: Data) -> None:
        """Train ``model`` from here on: a new trainer, metrics and snapshots (a run going on is logged first)."""
        self.stop()
        self.model, self.vocab, self.data, self.config = model, vocab, data, cfg
        self.trainer = Trainer(self.model, data.source, cfg.optimizer, cfg.lr, cfg.clip or None,
                               last_step_every=LAST_STEP_EVERY)
        self.metrics, self.snapshots = MetricsLog(), Snapshots()
        self.snapshots.take(0, self.model.params)
        self.running, self.diverged = False, None
        self.version += 1
    def continue_from(self, raw: bytes, cfg: TrainConfig, text: str | None = None,
                      max_bytes: int = MAX_MODEL_BYTES) -> str:
        """Continue training a saved model on the chosen data; returns what was loaded.

        ``config`` then holds the settings that match the model (cell, hidden size, activation, its
        vocabulary's level). Text sources are encoded with the model's own vocabulary (kept for that
        text: ``vocab_for``); a task must be the one the model was trained on. Raises
        ModelFileError or ValueError (the current model stays) otherwise.
        """
        model, vocab = load_model(raw, max_bytes=max_bytes)
        is_task = cfg.source in TASK_SOURCES
        cfg = replace(cfg, cell=model.cell, hidden=model.hidden_size, activation=model.activation,
                      level=vocab.level if not is_task else cfg.level)
        data = build_data(cfg, text, vocab=None if is_task else vocab)
        if data.vocab != vocab:
            raise said(ModelFileError, N_("its vocabulary does not match the chosen task; pick the task it was "
                                          "trained on"))
        self.adopt(model, vocab, cfg, data)
        self.vocab_for = None if is_task else text_key(cfg, text)
        return f"a {model.cell.upper()} with H={model.hidden_size} and {len(vocab):,} tokens"   # (the page says it)

    def needs_new_weights(self, cfg: TrainConfig, data: Data) -> list[str]:
        """What in ``cfg``/``data`` the current weights cannot take (cell, size, activation, vocabulary)."""
        why = self.shape_changes(cfg)
        if self.model is not None and data.vocab != self.vocab:
            why.append(N_("vocabulary (the data changed)"))
        return why

    def apply_live(self, cfg: TrainConfig, data: Data) -> None:
        """Learning rate, optimizer, clipping and the data stream change without touching the weights."""
        self.trainer.set_optimizer(cfg.optimizer, cfg.lr)
        self.trainer.clip = cfg.clip or None
        if data.key != self.data.key:
            self.data = data
            self.trainer.set_data(data.source)
        self.config = replace(self.config, lr=cfg.lr, optimizer=cfg.optimizer, clip=cfg.clip, seq_len=cfg.seq_len,
                              loss=cfg.loss,
                              batch=cfg.batch, iterations=cfg.iterations, gap=cfg.gap)

    # ----- training -------------------------------------------------------------------------------
    def start(self, iterations: int) -> None:
        super().start(iterations)
        self.snapshots.every = max(1, int(iterations) // 60)

    def _kept(self, rec) -> None:
        if rec.iteration % self.snapshots.every == 0:
            self.snapshots.take(rec.iteration, self.model.params)

    def _ended(self) -> None:
        """Keep the weights the run ended with, and log the run in the history."""
        self.snapshots.take(self.iteration, self.model.params)
        if self.iteration > self.run_start or self.diverged:
            self.runs.log(self.config, self.run_start, self.iteration, self.metrics.since(self.run_start),
                          bool(self.diverged))

    def baseline_loss(self) -> float:
        """A uniform guess over the vocabulary: log V nats."""
        return float(np.log(len(self.vocab))) if self.vocab is not None else float("inf")

    def _forget_after(self, iteration: int) -> None:
        """Drop metrics and snapshots of updates the model no longer has."""
        super()._forget_after(iteration)
        self.snapshots.forget_after(iteration, self.model.params)

    # ----- saved runs (the run store) ----------------------------------------------------------------
    kind = "train"

    def label(self) -> str:
        where = self.config.source if self.config.source not in TEXT_SOURCES else "pasted text"
        return super().label() + f" on {where.lower() if where == 'pasted text' else where}"

    def _checkpoint_extra(self) -> tuple[dict, dict]:
        """The text a text source trained on, the run history (its curves as arrays) and, between runs, a few weight
        snapshots (at most SAVED_SNAPSHOTS_BYTES, evenly spread from the first; the current weights are the model)."""
        meta = {"text": self.data.text if self.data is not None else None,
                "runs": [{k: v for k, v in r.items() if k not in ("losses", "loss_at")} for r in self.runs]}
        arrays = {}
        for i, r in enumerate(self.runs):
            arrays[f"runs/{i}/losses"], arrays[f"runs/{i}/loss_at"] = r["losses"], r["loss_at"]
        keys = sorted(k for k in self.snapshots if k != self.iteration)
        size = max(1, sum(v.nbytes for v in self.model.params.values()))
        n = 0 if self.running else min(len(keys), SAVED_SNAPSHOTS_BYTES // size)
        for k in sorted({keys[round(i)] for i in np.linspace(0, len(keys) - 1, n)}) if n else ():
            for name, a in self.snapshots[k].items():
                arrays[f"snap/{k}/{name}"] = a
        return meta, arrays

    def restore(self, raw: bytes) -> dict:
        """Take up a saved run (a refresh, a link, a model link's copy): its model, counts, settings, metrics, run
        history and snapshots. A text source's text comes back as pasted text. Returns what the page's widgets
        follow: {"config", "text"}. RunFileError (the current model stays) if it cannot be used."""
        rf = read_run(raw, "train")
        if rf.vocab is None:
            raise RunFileError(N_("its model reads numbers, not tokens"))
        try:
            cfg = config_from(TrainConfig, rf.meta.get("config", {}))
        except (TypeError, ValueError) as e:
            raise RunFileError(N_("its settings cannot be read ({why})"), why=str(e)) from None
        text = rf.meta.get("text")
        if cfg.source in TEXT_SOURCES:
            if not isinstance(text, str):
                raise RunFileError(N_("it was trained on a text that it does not hold"))
            cfg = replace(cfg, source="Pasted text")
        is_task = cfg.source in TASK_SOURCES
        model = rf.model
        cfg = replace(cfg, cell=model.cell, hidden=model.hidden_size, activation=model.activation,
                      level=rf.vocab.level if not is_task else cfg.level)
        try:
            data = build_data(cfg, text, vocab=None if is_task else rf.vocab)
        except ValueError as e:
            raise RunFileError(N_("its data cannot be rebuilt ({why})"), why=str(e)) from None
        if data.vocab != rf.vocab:
            raise RunFileError(N_("its vocabulary does not match its data"))
        self.adopt(model, rf.vocab, cfg, data)
        self.vocab_for = None if is_task else text_key(cfg, text)
        self._restore_counts(rf)
        self.runs = _runs_from(rf)
        self.snapshots = _snapshots_from(rf, self.model.params, self.iteration)
        return {"config": self.config, "text": text if cfg.source in TEXT_SOURCES else None}

    # ----- reading ----------------------------------------------------------------------------------
    def stuck_facts(self, window: int = 20) -> dict | None:
        """Why the loss is stuck high without a NaN, measured: the mean loss of the last ``window``
        iterations against a uniform guess's log V, and what share of the probe's hidden values sit where
        the activation is flat (|h| > 0.99 for tanh, h < 0.01 or > 0.99 for sigmoid). None when the loss
        is not above twice log V. The numbers travel in the view; the page says them (``stuck_text``)."""
        if self.model is None or len(self.metrics) < window:
            return None
        loss, uniform = float(np.mean(self.metrics.column("loss")[-window:])), float(np.log(len(self.vocab)))
        if not loss > 2 * uniform:
            return None
        facts = {"loss": loss, "window": window, "uniform": uniform, "flat": None, "act": None}
        ids = self.vocab.encode(self.data.probe)
        act = self.model.activation if self.model.cell == "rnn" else "tanh"
        if ids.size and act in ("tanh", "sigmoid"):
            with np.errstate(all="ignore"):
                h = self.model.forward(ids).hidden
            flat = np.abs(h) > 0.99 if act == "tanh" else (h < 0.01) | (h > 0.99)
            facts["flat"], facts["act"] = float(flat.mean()), act
        return facts

    def stuck_report(self, window: int = 20) -> str | None:
        """``stuck_facts`` in words (English)."""
        facts = self.stuck_facts(window)
        return stuck_text(facts) if facts else None

    def completion(self, n_tokens: int | None = None) -> str:
        if self.model is None or self.data is None:
            return ""
        if self.data.key[0] == "task":
            n = 1
        else:
            n = n_tokens or (1 if self.vocab.level == "word" else 40)
        toks = complete(self.model, self.vocab, self.data.probe, n)
        return "".join(toks) if self.vocab.level == "char" else " ".join(toks)

    def model_at(self, iteration: int):
        """A copy of the model with the weights of the snapshot nearest ``iteration``."""
        k = self.snapshots.nearest(iteration)
        m = self.model.copy()
        for name, p in self.snapshots[k].items():
            m.params[name][...] = p
        return m, k

    def history_paths(self, ids: np.ndarray) -> dict[int, np.ndarray]:
        """The probe's hidden-state path at every kept snapshot, computed once per weights version."""
        key = (self.version, tuple(sorted(self.snapshots)), ids.tobytes())   # Stop adds a snapshot too
        if self._paths_key != key:
            self._paths = {k: self.model_at(k)[0].forward(ids).hidden for k in sorted(self.snapshots)}
            self._paths_key = key
        return self._paths

    def model_bytes(self) -> bytes:
        """The model file: weights and iteration count of one iteration (the worker builds it between two)."""
        settings = {**asdict(self.config), "iterations_trained": self.iteration}
        return model_to_bytes(self.model, self.vocab, settings)

    def export_torch(self) -> bytes:
        """The model for PyTorch: a zip (state_dict, config with the vocabulary, a loader script), built by the
        worker between two iterations, as model_bytes."""
        return torch_bundle(self.model, self.vocab, {**asdict(self.config), "iterations_trained": self.iteration})

    def export_safetensors(self) -> bytes:
        """One safetensors file with the weights and the vocabulary inside."""
        return to_safetensors(self.model, self.vocab, {**asdict(self.config), "iterations_trained": self.iteration})

    def metrics_csv(self) -> bytes:
        return self.metrics.frame().to_csv(index=False).encode()

    # ----- the view ----------------------------------------------------------------------------------
    def _published(self, sent: dict) -> dict:
        """Train's fields of the next view: what changed of the data, the snapshots and the runs, the probe's
        completion and why a run is stuck (computed here, beside the weights), and, between runs, the History
        replay's predictions and hidden-state paths at every snapshot."""
        out = {"vocab_for": self.vocab_for, "stuck": self.stuck_facts(), "probe_completion": self.completion()}
        if sent.get("vocab") is not self.vocab:
            out["vocab"] = sent["vocab"] = self.vocab
        if self.data is not None and sent.get("data") != self.data.key:
            out["data"], sent["data"] = replace(self.data, source=None), self.data.key   # not the token stream
        keys = tuple(sorted(self.snapshots))
        if sent.get("snapshots") != keys:
            out["snapshots"] = sent["snapshots"] = keys
        if sent.get("runs") != (len(self.runs), self.runs[-1]["run"] if self.runs else 0):
            sent["runs"] = (len(self.runs), self.runs[-1]["run"] if self.runs else 0)
            out["runs"] = RunHistory(self.runs)
        history_key = (self.version, keys, self.data.probe if self.data else None)
        if not self.running and self.model is not None and sent.get("history") != history_key:
            sent["history"] = history_key
            out["history"] = self.history()
        return out

    def history(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """iteration -> (the next-token probabilities after the probe, the probe's hidden-state path (T, H)) at
        every kept snapshot: what the History replay draws."""
        ids = self.vocab.encode(self.data.probe) if self.data is not None else np.zeros(0, int)
        if ids.size == 0:
            return {}
        paths = self.history_paths(ids)
        return {k: (self.model_at(k)[0].forward(ids).probs[-1], paths[k]) for k in sorted(self.snapshots)}


def _english(message: str) -> str:
    return message


STUCK = N_("The loss ({loss} nats over the last {window} iterations) is far above a uniform guess's log V = {uniform}: "
           "the network is confidently wrong.")
STUCK_FLAT = N_("{share} of the probe's hidden values sit where {act} is flat, so their gradients are near zero and "
                "the weights cannot come back.")
STUCK_WHAT_TO_DO = N_("Lower the learning rate or clip, then press Reset weights.")


def stuck_text(facts: dict, tr=_english, fmt=format) -> str:
    """``TrainSession.stuck_facts`` in words (``tr``, ``fmt``: a page's translation and number format)."""
    text = tr(STUCK).format(loss=fmt(facts["loss"], ".1f"), window=facts["window"],
                            uniform=fmt(facts["uniform"], ".2f"))
    if facts["flat"] is not None:
        text += " " + tr(STUCK_FLAT).format(share=fmt(facts["flat"], ".0%"), act=facts["act"])
    return text + " " + tr(STUCK_WHAT_TO_DO)


def _runs_from(rf: RunFile) -> RunHistory:
    runs = RunHistory()
    try:
        for i, r in enumerate(rf.meta.get("runs", [])):
            runs.append({**r, "losses": np.asarray(rf.arrays[f"runs/{i}/losses"], np.float32),
                         "loss_at": np.asarray(rf.arrays[f"runs/{i}/loss_at"], np.int32)})
    except (KeyError, TypeError, ValueError) as e:
        raise RunFileError(N_("its run history cannot be read ({why})"), why=str(e)) from None
    del runs[: max(0, len(runs) - MAX_RUNS)]
    return runs


def _snapshots_from(rf: RunFile, params: dict, iteration: int) -> Snapshots:
    """The saved snapshots with the weights' own shapes (up to ``iteration``), and the current weights at it."""
    snaps = Snapshots()
    for key, a in rf.arrays.items():
        if key.startswith("snap/"):
            _, it, name = key.split("/", 2)
            if name in params and a.shape == params[name].shape and it.isdigit() and int(it) <= iteration:
                snaps.setdefault(int(it), {})[name] = np.array(a, params[name].dtype)
    for it in [k for k, p in snaps.items() if set(p) != set(params)]:
        del snaps[it]
    snaps.take(iteration, params)
    return snaps


class TrainView(LiveView):
    """What the Train page draws of a ``TrainSession`` at one moment (see ``LiveView``): the session's reading
    API, from the fields it published."""

    vocab = data = vocab_for = stuck = None
    probe_completion = ""
    snapshots: tuple = ()
    runs: list = ()
    history: dict = {}

    @property
    def step_norms(self) -> StepRows:
        return self.metrics.step_norms

    def needs_new_weights(self, cfg: TrainConfig, data: Data) -> list[str]:
        why = self.shape_changes(cfg)
        if self.model is not None and data.vocab != self.vocab:
            why.append(N_("vocabulary (the data changed)"))
        return why

    def stuck_report(self) -> str | None:
        """Why the loss is stuck, in English (the page says ``stuck`` in the session's language: ``stuck_text``)."""
        return stuck_text(self.stuck) if self.stuck else None

    def completion(self) -> str:
        return self.probe_completion


TRAINED_NAME = "Trained on the Train page"          # a model's name (the model pickers' value): not translated


class TrainRun(RunHandle):
    """This session's Train job in the training pool: its commands, and ``view``, the latest TrainView."""

    session_class, view_class = TrainSession, TrainView

    def reset_weights(self, cfg: TrainConfig, data: Data) -> None:
        self.call("reset_weights", cfg, data)

    def restore(self, raw: bytes) -> dict:
        return self.call("restore", raw)

    def continue_from(self, raw: bytes, cfg: TrainConfig, text: str | None = None,
                      max_bytes: int = MAX_MODEL_BYTES) -> str:
        return self.call("continue_from", raw, cfg, text, max_bytes)

    def apply_live(self, cfg: TrainConfig, data: Data) -> None:
        """The running model's learning rate, optimizer, clipping and data stream; sent only when they differ
        from what the view says the run has (the page asks on every rerun)."""
        v = self.view
        live = (cfg.lr, cfg.optimizer, cfg.clip, cfg.seq_len, cfg.loss, cfg.batch, cfg.iterations, cfg.gap)
        have = v.config and (v.config.lr, v.config.optimizer, v.config.clip, v.config.seq_len, v.config.loss,
                             v.config.batch, v.config.iterations, v.config.gap)
        if live != have or (v.data is not None and data.key != v.data.key):
            self.call("apply_live", cfg, data)

    def model_bytes(self) -> bytes:
        return self.fetch("model_bytes")

    def metrics_csv(self) -> bytes:
        return self.fetch("metrics_csv")

    def export_bytes(self, kind: str) -> bytes:
        """For PyTorch (``"torch"``: a zip) or one ``"safetensors"`` file, built in the worker when clicked."""
        return self.fetch("export_torch" if kind == "torch" else "export_safetensors")

    def publish(self, models: dict) -> None:
        """Offer the trained weights on Step through, Generate and the lab: the view's copy (it never changes),
        as a new LoadedModel whenever they do."""
        from ui.common.models import LoadedModel

        v = self.view
        entry = models.get(TRAINED_NAME)
        if v.model is not None and v.vocab is not None and (entry is None or entry.version != v.model_version):
            models[TRAINED_NAME] = LoadedModel(TRAINED_NAME, v.model, v.vocab, v.model_version)
