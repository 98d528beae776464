"""The Time series page's per-session state: the series, the regression model, its trainer and its
evaluations. No Streamlit calls: a ``SeriesSession`` lives in a training worker (ui/common/driver.py); the
page keeps a ``SeriesRun`` handle, sends it commands and draws the latest ``SeriesView``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from rnn_core import make_model
from rnn_core.export import to_safetensors, torch_bundle
from rnn_core.io import save_model
from rnn_core.series import (SERIES, Normaliser, SeriesWindows, forecast, held_out_mse, make_series,
                             one_step_predictions, split_point)
from rnn_core.train import Trainer

from ui.common.config import SERIES_UPLOAD, SeriesConfig
from ui.common.driver import RunHandle
from ui.common.live import LiveRun, LiveView, MetricsLog, config_from
from ui.common.runfile import RunFileError, read_run

LAST_STEP_EVERY = 10
HELD_OUT = 0.2                    # the last fifth of a series is never trained on
EVAL_EVERY = 10                   # iterations between measurements of the held-out error
MAX_PREDICTED = 2_000             # one-step predictions drawn over a series (a longer one: every k-th value)
MAX_HELD_OUT = 1_000              # held-out targets measured (a longer held-out part: an even sample of them)
MAX_EVALS = 5_000                 # measurements kept (a run of 50,000 iterations; beyond, older ones thinned)


def N_(message: str) -> str:
    """Marks ``message`` for translation, as ui/common/i18n.py's ``N_`` (this module runs in the training worker,
    which loads no Streamlit): the page translates it where it shows it."""
    return message


class SeriesError(ValueError):
    """Why a series cannot be trained on: ``str()`` in English; ``template`` (a message marked for translation)
    and ``values`` (name -> (value, format spec)) for the page to say it in the learner's language."""

    def __init__(self, template: str, **values: tuple):
        super().__init__(template.format(**{k: format(v, spec) for k, (v, spec) in values.items()}))
        self.template, self.values = template, values

    def __reduce__(self):                               # pickled (a worker's answer): the English message only
        return ValueError, self.args


@dataclass
class SeriesData:
    """A series ready for training: its values in its own units, the split, and the normalisation
    (fitted on the training part only)."""

    name: str
    values: np.ndarray                # (n,) in the series' units
    unit: str
    split: int                        # values[split:] are held out
    norm: Normaliser
    z: np.ndarray                     # (n,) normalised
    key: tuple
    first: int = 0                    # the first value's position on the time axis (the sunspots' 1700)
    axis: str = N_("time step t")     # the time axis's title ("year"; translated where drawn)
    csv_name: str = ""                # an uploaded CSV's file name (what a saved run shows it as again)

    @property
    def n(self) -> int:
        return int(self.values.size)


def build_series(cfg: SeriesConfig, uploaded: dict[str, np.ndarray] | None = None, digest: str = "") -> SeriesData:
    """The series ``cfg`` names (a built-in one, or ``uploaded[cfg.column]``); ValueError if it cannot be
    trained on with these settings."""
    if cfg.source in SERIES:
        values, unit, name = make_series(cfg.source, seed=cfg.seed), SERIES[cfg.source].unit, cfg.source
        key = ("builtin", cfg.source, cfg.seed)
        first, axis = SERIES[cfg.source].first, SERIES[cfg.source].axis
    else:
        if not uploaded:
            raise SeriesError(N_("Upload a CSV file to train on it"))
        if cfg.column not in uploaded:
            raise SeriesError(N_("The file has no numeric column {column}"), column=(repr(cfg.column), ""))
        values, unit, name = uploaded[cfg.column], "", cfg.column
        key = ("upload", digest, cfg.column)
        first, axis = 0, N_("time step t")
    n = values.size
    split = split_point(n, HELD_OUT)
    need = cfg.window + 2
    if split < need:
        raise SeriesError(N_("The series has {n} values: its training part ({split}) is too short for windows of "
                             "{window} steps (it needs at least {need}); use a shorter window or a longer series"),
                          n=(n, ","), split=(split, ""), window=(cfg.window, ""), need=(need, ""))
    try:
        norm = Normaliser.fit(values[:split])
        z = norm.encode(values)
    except ValueError as e:
        raise SeriesError(N_("{name} cannot be normalised: {error}"), name=(name, ""), error=(str(e), "")) from None
    reach = float(np.abs(z).max())
    if reach > np.finfo(np.float32).max:                   # the model reads float32
        raise SeriesError(N_("{name} cannot be normalised for the model: its values reach {reach} standard "
                             "deviations from the training part's mean, past the largest float32 ({largest})"),
                          name=(name, ""), reach=(reach, ".3g"), largest=(np.finfo(np.float32).max, ".3g"))
    return SeriesData(name, values, unit, split, norm, z, key, first, axis)


class SeriesReading:
    """What the page computes from a series model: shared by the session (in its worker) and its views (in the
    page, from the view's copy of the weights). Needs ``model``, ``data`` and ``config``."""

    def needs_new_weights(self, cfg: SeriesConfig, data: SeriesData) -> list[str]:
        """What in ``cfg``/``data`` the current weights cannot take (cell, size, activation, the series)."""
        why = self.shape_changes(cfg)
        if self.model is not None and data.key != self.data.key:
            why.append(N_("series (its normalisation changes)"))     # English: the page translates each reason
        return why

    # normalised units inside, the series' units for the page
    def prediction_stride(self) -> int:
        """Every how many values ``predictions`` predicts one: 1 up to MAX_PREDICTED targets (each costs a
        window's forward pass, and the chart is narrower than that anyway)."""
        return max(1, -(-(self.data.n - self.config.window) // MAX_PREDICTED))

    def held_out_mse(self) -> float:
        """Mean squared one-step error over the held-out part (at most MAX_HELD_OUT targets of it, evenly
        spaced), normalised units."""
        d = self.data
        with np.errstate(all="ignore"):
            return held_out_mse(self.model, d.z, d.split, self.config.window, max_targets=MAX_HELD_OUT)

    def held_out_fraction(self) -> float:
        """The held-out MSE as a fraction of the whole series' variance (units cancel: both are read in
        normalised units, so a series of 1e300 or of 1e-300 neither overflows nor underflows here)."""
        var = float(np.var(self.data.z))
        return self.held_out_mse() / var if var > 0 else float("nan")

    def forecast_from(self, start: int, steps: int) -> np.ndarray:
        """Free-running predictions (series units) for steps start .. start+steps-1, reading the window
        before ``start`` and then its own outputs."""
        w = self.config.window
        context = self.data.z[max(0, start - w):start]
        with np.errstate(all="ignore"):
            return self.data.norm.decode(forecast(self.model, context, steps))

    def hidden_over_time(self) -> np.ndarray:
        """(n, H) the hidden state reading the whole series once from a zero state."""
        with np.errstate(all="ignore"):
            return self.model.forward(self.data.z[:, None].astype(self.model.dtype)).hidden

    def window_trace(self, start: int):
        """The forward trace of the window of ``config.window`` values that ends before ``start``."""
        w = self.config.window
        lo = max(0, start - w)
        x = self.data.z[lo:start]
        return lo, self.model.forward(x[:, None].astype(self.model.dtype))


@dataclass
class SeriesSession(SeriesReading, LiveRun):
    """One learner's series model and its training; held-out error measured as it trains."""

    data: SeriesData | None = None
    config: SeriesConfig = field(default_factory=SeriesConfig)
    evals: list[tuple[int, float]] = field(default_factory=list)   # (iteration, held-out MSE, normalised)
    _pred: tuple | None = field(default=None, repr=False)          # (version, window, predictions)

    def reset_weights(self, cfg: SeriesConfig, data: SeriesData) -> None:
        """Fresh weights for ``cfg`` on ``data``; metrics start over."""
        self.stop()
        extra = {"spectral_radius": cfg.spectral_radius} if cfg.spectral_radius > 0 else {}
        model = make_model(cfg.cell, hidden_size=cfg.hidden, input_size=1, output_size=1, head="linear",
                           activation=cfg.activation, seed=cfg.seed, dtype=np.float32, **extra)
        model.normalisation = data.norm.to_dict()
        self.model, self.data, self.config = model, data, cfg
        self.trainer = Trainer(model, self._windows(cfg, data), cfg.optimizer, cfg.lr, cfg.clip or None,
                               last_step_every=LAST_STEP_EVERY)
        self.metrics = MetricsLog()
        self.evals = [(0, self.held_out_mse())]
        self.running, self.diverged = False, None
        self.version += 1

    @staticmethod
    def _windows(cfg: SeriesConfig, data: SeriesData) -> SeriesWindows:
        return SeriesWindows(data.z[: data.split], cfg.window, cfg.batch, seed=cfg.seed)

    def apply_live(self, cfg: SeriesConfig) -> None:
        """Learning rate, optimizer, clipping, window and batch change without touching the weights."""
        self.trainer.set_optimizer(cfg.optimizer, cfg.lr)
        self.trainer.clip = cfg.clip or None
        if (cfg.window, cfg.batch) != (self.config.window, self.config.batch):
            self.trainer.set_data(self._windows(cfg, self.data))
        self.config = replace(self.config, lr=cfg.lr, optimizer=cfg.optimizer, clip=cfg.clip, window=cfg.window,
                              batch=cfg.batch, iterations=cfg.iterations, horizon=cfg.horizon)

    def _kept(self, rec) -> None:
        """Every EVAL_EVERY iterations: the held-out error (its windows only: about 3% of the training time)."""
        if rec.iteration % EVAL_EVERY == 0:
            self.evals.append((rec.iteration, self.held_out_mse()))
            if len(self.evals) > MAX_EVALS:                      # every other one of the older half goes
                del self.evals[1: len(self.evals) // 2: 2]

    def _ended(self) -> None:
        if self.evals[-1][0] != self.iteration:
            self.evals.append((self.iteration, self.held_out_mse()))

    def baseline_loss(self) -> float:
        """Predicting the mean: a squared error of 1 in normalised units (the training part's variance)."""
        return 1.0

    def _forget_after(self, iteration: int) -> None:
        super()._forget_after(iteration)
        self.evals = [e for e in self.evals if e[0] <= iteration]

    def predictions(self) -> np.ndarray:
        """One-step-ahead predictions over the whole series, normalised (NaN for the first window, and between
        the predicted values of a long series: see ``prediction_stride``)."""
        key = (self.version, self.config.window, self.data.key)
        if self._pred is None or self._pred[0] != key:
            with np.errstate(all="ignore"):
                self._pred = (key, one_step_predictions(self.model, self.data.z, self.config.window,
                                                        every=self.prediction_stride()))
        return self._pred[1]

    def model_bytes(self) -> bytes:
        """The model file: weights and iteration count of one iteration (the worker builds it between two)."""
        import io
        buf = io.BytesIO()
        settings = {**asdict(self.config), "iterations_trained": self.iteration, "series": self.data.name}
        save_model(buf, self.model, None, settings)
        return buf.getvalue()

    def export_torch(self) -> bytes:
        """For PyTorch: a zip with the normalisation inside (built by the worker between two iterations)."""
        settings = {**asdict(self.config), "iterations_trained": self.iteration, "series": self.data.name}
        return torch_bundle(self.model, None, settings)

    def export_safetensors(self) -> bytes:
        settings = {**asdict(self.config), "iterations_trained": self.iteration, "series": self.data.name}
        return to_safetensors(self.model, None, settings)

    # ----- saved runs (the run store) ----------------------------------------------------------------
    kind = "series"

    def label(self) -> str:
        return super().label() + f" on {self.data.name}"

    def _checkpoint_extra(self) -> tuple[dict, dict]:
        """The held-out measurements, and an uploaded series' values (a built-in one is made again from its seed)."""
        meta, arrays = {}, {"evals": np.array(self.evals, np.float64).reshape(-1, 2)}
        if self.data.key[0] == "upload":
            meta["csv"] = {"name": self.data.csv_name or self.config.column, "digest": self.data.key[1]}
            arrays["series/values"] = self.data.values
        return meta, arrays

    def restore(self, raw: bytes) -> dict:
        """Take up a saved run: its model, counts, settings, metrics and held-out measurements. Returns what the
        page's widgets follow: {"config", "csv"} (an uploaded series' {"name", "digest", "columns"}, or None).
        RunFileError (the current model stays) if it cannot be used."""
        rf = read_run(raw, "series")
        if rf.vocab is not None or not rf.model.real_inputs:
            raise RunFileError("its model reads tokens, not numbers")
        try:
            cfg = config_from(SeriesConfig, rf.meta.get("config", {}))
        except (TypeError, ValueError) as e:
            raise RunFileError(f"its settings cannot be read ({e})") from None
        model = rf.model
        cfg = replace(cfg, cell=model.cell, hidden=model.hidden_size, activation=model.activation)
        csv = None
        try:
            if cfg.source == SERIES_UPLOAD:
                info = rf.meta.get("csv") or {}
                values = np.asarray(rf.arrays["series/values"], np.float64)
                csv = {"name": str(info.get("name", cfg.column)), "digest": str(info.get("digest", "")),
                       "columns": {cfg.column: values}}
                data = build_series(cfg, csv["columns"], csv["digest"])
                data = replace(data, csv_name=csv["name"])
            else:
                data = build_series(cfg)
            evals = [(int(i), float(v)) for i, v in np.asarray(rf.arrays.get("evals", np.zeros((0, 2))))]
        except (KeyError, ValueError, TypeError) as e:
            raise RunFileError(f"its series cannot be rebuilt ({e})") from None
        self.stop()
        model.normalisation = data.norm.to_dict()
        self.model, self.data, self.config = model.astype(np.float32), data, cfg
        self.trainer = Trainer(self.model, self._windows(cfg, data), cfg.optimizer, cfg.lr, cfg.clip or None,
                               last_step_every=LAST_STEP_EVERY)
        self._restore_counts(rf)
        self.evals = [e for e in evals if e[0] <= self.iteration] or [(self.iteration, self.held_out_mse())]
        return {"config": self.config, "csv": csv}

    def _published(self, sent: dict) -> dict:
        """Time series' fields of the next view: the series when it changed, the held-out measurements, and the
        one-step predictions over the series whenever the weights in the view change."""
        out = {}
        if self.data is not None and sent.get("data") != self.data.key:
            out["data"], sent["data"] = self.data, self.data.key
        if sent.get("evals") != (len(self.evals), self.evals[-1] if self.evals else None):
            sent["evals"] = (len(self.evals), self.evals[-1] if self.evals else None)
            out["evals"] = list(self.evals)
        if self.model is not None and sent.get("predicted") != (sent.get("weights"), self.config.window):
            sent["predicted"] = (sent.get("weights"), self.config.window)
            out["predicted"], out["stride"] = self.predictions(), self.prediction_stride()
        return out


class SeriesView(SeriesReading, LiveView):
    """What the Time series page draws of a ``SeriesSession`` at one moment (see ``LiveView``); the forecast,
    the hidden states and the window's step are computed from its copy of the weights."""

    data = None
    evals: list = ()
    predicted = None
    stride = 1

    def predictions(self) -> np.ndarray:
        return self.predicted


class SeriesRun(RunHandle):
    """This session's Time series job in the training pool: its commands, and ``view``, the latest SeriesView."""

    session_class, view_class = SeriesSession, SeriesView

    def reset_weights(self, cfg: SeriesConfig, data: SeriesData) -> None:
        self.call("reset_weights", cfg, data)

    def restore(self, raw: bytes) -> dict:
        return self.call("restore", raw)

    def apply_live(self, cfg: SeriesConfig) -> None:
        """Learning rate, optimizer, clipping, window and batch of the running model, sent when they differ from
        the view's (the page asks on every rerun)."""
        c = self.view.config
        live = (cfg.lr, cfg.optimizer, cfg.clip, cfg.window, cfg.batch, cfg.iterations, cfg.horizon)
        if c is None or live != (c.lr, c.optimizer, c.clip, c.window, c.batch, c.iterations, c.horizon):
            self.call("apply_live", cfg)

    def model_bytes(self) -> bytes:
        return self.fetch("model_bytes")

    def export_bytes(self, kind: str) -> bytes:
        """For PyTorch (``"torch"``: a zip) or one ``"safetensors"`` file, built in the worker when clicked."""
        return self.fetch("export_torch" if kind == "torch" else "export_safetensors")
