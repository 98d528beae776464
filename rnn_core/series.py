"""Sequences of numbers: built-in series, CSV columns, normalisation, training windows, prediction
and free-running forecasts for regression models (linear head, squared error).

Every built-in series is generated from a seed (the same seed, the same numbers); the real one
(yearly sunspot numbers) is read from the package's data (``assets/series`` in a checkout).
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .data import Batch, decode_text
from .resources import asset_bytes

MAX_SERIES = 1_000_000            # values in one series
MIN_SERIES = 16                   # a series shorter than this cannot give a window and a held-out part
MAX_CSV_BYTES = 20_000_000


@dataclass(frozen=True)
class BuiltinSeries:
    """A built-in series: how to make it, and what it shows."""

    name: str
    description: str
    unit: str
    make: Callable[[int, np.random.Generator], np.ndarray]
    length: int = 600
    first: int = 0                    # what the first value's position is called on a time axis (a year)
    axis: str = "time step t"         # the time axis's title


def _sine(n, rng):
    return np.sin(2 * np.pi * np.arange(n) / 40)


def _noisy_sines(n, rng):
    t = np.arange(n)
    return np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13 + 1.0) + 0.1 * rng.standard_normal(n)


def _damped(n, rng):
    t = np.arange(n) % 200                                # a ring that is struck again every 200 steps
    return np.exp(-t / 60) * np.cos(2 * np.pi * t / 25)


def _square(n, rng):
    return np.where((np.arange(n) // 20) % 2 == 0, 1.0, -1.0)


def _random_walk(n, rng):
    return np.cumsum(rng.standard_normal(n))


def _sunspots(n, rng):
    return read_series_csv(asset_bytes("series", "sunspots.csv"), "sunspots.csv")["SUNACTIVITY"]


SERIES: dict[str, BuiltinSeries] = {s.name: s for s in (
    BuiltinSeries("Sine", "sin(2 pi t / 40): one period is 40 steps", "", _sine),
    BuiltinSeries("Sum of sines with noise", "periods 50 and 13, plus Gaussian noise (sd 0.1)", "", _noisy_sines),
    BuiltinSeries("Damped oscillation", "a ring that fades (time constant 60 steps), struck every 200 steps", "",
                  _damped),
    BuiltinSeries("Square wave", "+1 for 20 steps, -1 for 20 steps", "", _square),
    BuiltinSeries("Random walk", "the sum of Gaussian steps: nothing to learn beyond 'tomorrow is like today'", "",
                  _random_walk),
    BuiltinSeries("Sunspots (yearly, 1700-2008)", "yearly mean sunspot number (a cycle of about 11 years)",
                  "sunspots", _sunspots, length=309, first=1700, axis="year"),
)}


def make_series(name: str, n: int | None = None, seed: int = 0) -> np.ndarray:
    """The built-in series ``name`` as float64 values (``n`` of them; a real series has its own length)."""
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}: choose one of {tuple(SERIES)}")
    s = SERIES[name]
    n = s.length if n is None else int(n)
    if not MIN_SERIES <= n <= MAX_SERIES:
        raise ValueError(f"a series needs {MIN_SERIES} to {MAX_SERIES:,} values, got {n}")
    values = np.asarray(s.make(n, np.random.default_rng(seed)), dtype=np.float64)[:n]
    values[np.abs(values) < 1e-12] = 0.0           # sin(k pi) is 1e-16 in floats: show it as 0
    return values


# ----- CSV files ---------------------------------------------------------------------------------
def read_series_csv(raw: bytes, name: str = "the file", max_rows: int = MAX_SERIES,
                    max_bytes: int = MAX_CSV_BYTES) -> dict[str, np.ndarray]:
    """The numeric columns of a CSV file with a header row, by name.

    Any line ending is read (``\\n``, ``\\r\\n``, and the lone ``\\r`` of old Mac files). Raises ValueError naming
    the problem: too large, not UTF-8, no header, a line the CSV reader cannot read (a cell over the reader's
    131,072 characters), fewer than two rows, more than ``max_rows`` rows, or no column whose every value is a
    finite number (a column with text, empty cells or NaN is left out; if none is left, the message says why
    each was). Columns that share a header name are all kept, each named with its position ("v (column 1)",
    "v (column 2)").
    """
    if len(raw) > max_bytes:
        raise ValueError(f"{name} is {len(raw) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB")
    text = decode_text(raw, name).removeprefix("\ufeff")     # a byte-order mark, as spreadsheets write
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line endings
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise ValueError(f"{name} has no header row (its first line is empty)")
        header = _unique_names([h.strip() or f"column {i + 1}" for i, h in enumerate(header)])
        cells: list[list[str]] = [[] for _ in header]
        n_rows = 0
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            n_rows += 1
            if n_rows > max_rows:
                raise ValueError(f"{name} has more than {max_rows:,} rows; the limit is {max_rows:,}")
            for i in range(len(header)):
                cells[i].append(row[i].strip() if i < len(row) else "")
    except csv.Error as e:
        raise ValueError(f"{name} cannot be read as CSV at line {reader.line_num}: {_csv_problem(e)}") from None
    if n_rows < 2:
        raise ValueError(f"{name} has {n_rows} data row{'s' if n_rows != 1 else ''} under its header; "
                         "a series needs at least 2")
    numeric, why = {}, {}
    for col, values in zip(header, cells):
        parsed, problem = _numbers(values)
        if problem:
            why[col] = problem
        else:
            numeric[col] = parsed
    if not numeric:
        reasons = "; ".join(f"{_short(c)}: {w}" for c, w in list(why.items())[:4])
        raise ValueError(f"{name} has no column of numbers ({reasons})")
    return numeric


def _unique_names(names: list[str]) -> list[str]:
    """Header names, each column that shares its name with another named with its position as well."""
    out = list(names)
    while len(set(out)) < len(out):               # twice: a header that already held "v (column 2)"
        out = [f"{n} (column {i + 1})" if out.count(o) > 1 and o == n else o
               for i, (n, o) in enumerate(zip(names, out))]
    return out


def _csv_problem(e: csv.Error) -> str:
    text = str(e)
    if "field larger than field limit" in text:
        return f"a cell holds more than {csv.field_size_limit():,} characters (no number is that long)"
    return text


def _numbers(values: list[str]) -> tuple[np.ndarray | None, str | None]:
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if not v:
            return None, f"row {i + 2} is empty (a gap)"
        try:
            x = float(v)
        except ValueError:
            return None, f"row {i + 2} holds text ({_short(v)!r})"
        if not math.isfinite(x):
            return None, f"row {i + 2} is {_short(v)} (a gap or an infinity)"
        out[i] = x
    return out, None


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ----- normalisation -------------------------------------------------------------------------
SMALLEST_SPREAD = float(np.finfo(np.float64).tiny)     # 2.2e-308: below it a float64 loses its precision


def _power_of_two(v: float) -> float:
    """A power of two near ``v`` (v / it lies in [1, 2)); 1 for 0. Dividing by it is exact, so sums and
    squares of the scaled values neither overflow (1e300) nor underflow (1e-300)."""
    return math.ldexp(1.0, math.frexp(v)[1] - 1) if v > 0 and math.isfinite(v) else 1.0


@dataclass(frozen=True)
class Normaliser:
    """z = (x - mean) / std, from the training part only (the held-out part must not leak in).

    Fitted and applied on values scaled by a power of two, so every finite series from about 1e-308 to
    1.8e308 gets its true mean and standard deviation (x.std() itself overflows for values of 1e300 and
    underflows to 0 for values of 1e-300). A series whose values are all equal keeps std = 1 (it is only
    shifted); one whose values differ by less than SMALLEST_SPREAD, or one that normalises past the largest
    float64, is refused with a ValueError that names the range.
    """

    mean: float
    std: float

    @classmethod
    def fit(cls, x: np.ndarray) -> "Normaliser":
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0 or not np.isfinite(x).all():
            raise ValueError("the values to normalise must be finite numbers (at least one)")
        s = _power_of_two(float(np.abs(x).max()))
        y = x / s
        mean, spread = float(y.mean()) * s, float(y.std())
        std = spread * s
        if spread > 0 and not std >= SMALLEST_SPREAD:
            raise ValueError(f"the values differ by too little to normalise: their standard deviation, {std:.3g}, "
                             f"is below {SMALLEST_SPREAD:.3g}, the smallest float64 that keeps its precision "
                             "(scale them up by a power of ten)")
        return cls(mean, std if spread > 0 else 1.0)

    @classmethod
    def from_dict(cls, d: dict) -> "Normaliser":
        return cls(float(d["mean"][0]), float(d["std"][0]))

    def to_dict(self) -> dict:
        return {"mean": [self.mean], "std": [self.std]}

    @property
    def _scale(self) -> float:
        return _power_of_two(max(abs(self.mean), self.std))

    def encode(self, x):
        """(x - mean) / std; ValueError if a value lies so far from the mean that it has no float64."""
        s = self._scale
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            z = (x / s - self.mean / s) / (self.std / s)
        if not np.isfinite(z[np.isfinite(x)]).all():
            far = float(np.max(np.abs(x[np.isfinite(x) & ~np.isfinite(z)])))
            raise ValueError(f"a value of {far:.4g} lies too many standard deviations ({self.std:.4g}) from the mean "
                             f"({self.mean:.4g}) to normalise: past {np.finfo(np.float64).max:.3g}, the largest "
                             "float64")
        return z

    def decode(self, z):
        """z * std + mean (inf where that passes the largest float64: a forecast that ran away)."""
        s = self._scale
        with np.errstate(over="ignore", invalid="ignore"):
            return (np.asarray(z, dtype=np.float64) * (self.std / s) + self.mean / s) * s


# ----- training data and evaluation ---------------------------------------------------------------
def split_point(n: int, held_out: float = 0.2) -> int:
    """Index where the held-out (last) part of a series of ``n`` values starts."""
    if not 0 < held_out < 1:
        raise ValueError("held_out must be a fraction between 0 and 1")
    return max(2, min(n - 1, int(round(n * (1 - held_out)))))


class SeriesWindows:
    """Random windows of a (normalised) series for training: each batch is B windows of ``window``
    steps; the target at every step is the next value (many-to-many), or only the value after the
    last step (many-to-one). Inputs (B, T, 1), targets (B, T, 1) or (B, 1)."""

    def __init__(self, z: np.ndarray, window: int = 20, batch: int = 16, seed: int = 0,
                 loss: str = "many_to_many", horizon: int = 1):
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 1 or not np.isfinite(z).all():
            raise ValueError("the series must be one column of finite numbers")
        if loss not in ("many_to_many", "many_to_one"):
            raise ValueError(f"unknown loss {loss!r}: choose 'many_to_many' or 'many_to_one'")
        self.window, self.batch, self.horizon = int(window), int(batch), int(horizon)
        if self.window < 1 or self.batch < 1 or self.horizon < 1:
            raise ValueError("window, batch and horizon must be at least 1")
        if z.size < self.window + self.horizon + 1:
            raise ValueError(f"the training part has {z.size} values: too few for windows of {self.window} "
                             f"steps (it needs at least {self.window + self.horizon + 1})")
        self.z, self.loss = z, loss
        self.n_starts = z.size - self.window - self.horizon + 1
        self.rng = np.random.default_rng(seed)

    def windows(self, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inputs (n, T, 1) at ``starts`` and targets ``horizon`` steps ahead."""
        idx = starts[:, None] + np.arange(self.window)
        x = self.z[idx][..., None]
        y = self.z[idx + self.horizon][..., None]
        return x, (y if self.loss == "many_to_many" else y[:, -1])

    def next_batch(self) -> Batch:
        x, y = self.windows(self.rng.integers(0, self.n_starts, self.batch))
        return Batch(x, y, self.loss, carry=False)


def one_step_predictions(model, z: np.ndarray, window: int, horizon: int = 1, every: int = 1) -> np.ndarray:
    """The prediction of z[t] from the ``window`` values that end ``horizon`` steps before it, for every t
    from ``window + horizon - 1`` on (each window read from a zero state, as in training); NaN before.
    ``every=k`` predicts only every k-th of those targets (the first and the last always), NaN between:
    the cost is one window's forward pass per prediction."""
    z = np.asarray(z, dtype=np.float64)
    out = np.full(z.size, np.nan)
    first = window + horizon - 1
    if z.size <= first:
        return out
    every = int(every)
    if every < 1:
        raise ValueError(f"every must be a positive integer, got {every}")
    starts = np.unique(np.r_[np.arange(0, z.size - first, every), z.size - first - 1])
    preds = np.empty(starts.size)
    for lo in range(0, starts.size, 4096):                     # bounded memory for long series
        part = starts[lo:lo + 4096]
        x = z[part[:, None] + np.arange(window)][..., None]
        preds[lo:lo + 4096] = model.forward(x.astype(model.dtype)).outputs[:, -1, 0]
    out[first + starts] = preds
    return out


def forecast(model, context: np.ndarray, steps: int) -> np.ndarray:
    """Free-running: read ``context`` (normalised values), then feed each prediction back as the next
    input for ``steps`` steps. Returns the (steps,) predictions."""
    context = np.asarray(context, dtype=np.float64)
    if context.ndim != 1 or context.size < 1:
        raise ValueError("the forecast needs at least one value of context")
    tr = model.forward(context[:, None].astype(model.dtype))
    state, nxt = tr.final_state, float(tr.outputs[-1, 0])
    out = np.empty(int(steps))
    for k in range(int(steps)):
        out[k] = nxt
        tr = model.forward(np.array([[nxt]], model.dtype), **state)
        state, nxt = tr.final_state, float(tr.outputs[-1, 0])
    return out


def held_out_mse(model, z: np.ndarray, split: int, window: int, horizon: int = 1,
                 max_targets: int | None = None) -> float:
    """Mean squared one-step error (normalised units) over the targets in the held-out part ``z[split:]``,
    each predicted from its own window (only those windows are run). ``max_targets``: past that many
    held-out targets, an evenly spaced sample of about that many (the first and the last among them)."""
    z = np.asarray(z, dtype=np.float64)
    lo = max(0, split - (window + horizon - 1))
    n = z.size - split
    every = max(1, -(-n // max_targets)) if max_targets else 1
    pred = one_step_predictions(model, z[lo:], window, horizon, every=every)[split - lo:]
    err = (pred - z[split:]) ** 2
    err = err[np.isfinite(err)]
    return float(err.mean()) if err.size else float("nan")


# ----- the adding problem --------------------------------------------------------------------------
class AddingTask:
    """The adding problem (Hochreiter & Schmidhuber 1997): each step reads a random value in [0, 1]
    and a marker; two steps are marked, one near the start and one in the second half, and the
    target at the end is the sum of the two marked values. ``gap`` steps lie between the first
    marker's latest place and the end, so the first value must be held at least that long.

    Inputs (B, gap + 2, 2), targets (B, 1); solved when |error| < 0.04. Predicting the mean sum
    (1.0) gives a squared error of 1/6 and lands within 0.04 for about 8% of sequences.
    """

    name = "adding"
    tolerance = 0.04

    def __init__(self, gap: int = 10, batch: int = 32, seed: int = 0):
        if gap < 0 or batch < 1:
            raise ValueError("gap >= 0 and a batch of 1")
        self.gap, self.batch = int(gap), int(batch)
        self.length = self.gap + 2
        self.rng = np.random.default_rng(seed)

    @property
    def chance(self) -> float:
        """P(|S - 1| < 0.04) for S, the sum of two uniform values: what guessing the mean scores."""
        d = self.tolerance
        return float(2 * d - d * d)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        T = self.length
        values = rng.random((n, T))
        first = rng.integers(0, 2, n)                         # position 0 or 1
        second = rng.integers(max(2, T // 2), T, n) if T > 2 else np.full(n, 1)
        second = np.where(second == first, (first + 1) % T, second)
        marks = np.zeros((n, T))
        rows = np.arange(n)
        marks[rows, first] = 1.0
        marks[rows, second] = 1.0
        x = np.stack([values, marks], axis=-1)
        y = (values[rows, first] + values[rows, second])[:, None]
        return x, y

    def next_batch(self) -> Batch:
        x, y = self.sample(self.batch, self.rng)
        return Batch(x, y, "many_to_one", carry=False)

    def new_model(self, cell: str, hidden_size: int, seed: int = 0, dtype=np.float32, **kw):
        from .cells import make_model
        return make_model(cell, hidden_size=hidden_size, input_size=2, output_size=1, head="linear", seed=seed,
                          dtype=dtype, **kw)
