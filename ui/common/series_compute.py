"""What the Time series page's figures show, read from their numbers (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .i18n import _, ngettext, num


def number(x: float, scale: float) -> str:
    """x with 4 significant digits, 0 for float noise next to ``scale`` (a sine's mean is 1e-18, not a
    value to show)."""
    return f"{0.0 if abs(x) < 1e-9 * scale else x:.4g}"


def number_text(x: float, scale: float) -> str:
    """``number`` for a sentence: written with the language's decimal sign (``number`` is for LaTeX)."""
    return num(0.0 if abs(x) < 1e-9 * scale else x, ".4g")


def fixed(x: float, digits: int = 3, sign: bool = False) -> str:
    """x with ``digits`` decimals, without a minus on a value that rounds to zero ("0.000", not "-0.000")."""
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0.0:+.{digits}f}" if sign else f"{0.0:.{digits}f}"
    return text


def _scale(*arrays: np.ndarray) -> float:
    """A power of two near the largest finite |value| of ``arrays`` (1 if none): dividing by it is exact and
    keeps squares and sums of series of 1e300 or 1e-300 inside the float64 range."""
    finite = [np.abs(a[np.isfinite(a)]) for a in map(np.asarray, arrays)]
    top = max((float(f.max()) for f in finite if f.size), default=0.0)
    return float(np.ldexp(1.0, np.frexp(top)[1] - 1)) if top > 0 else 1.0


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    """Root mean squared difference over the positions where both hold a value (NaN: not predicted there);
    inf if either passed the largest float64 there."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    if not a.size:
        return float("nan")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    s = _scale(a, b)
    d = a / s - b / s
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean(d * d)) * s)


def _share(rmse: float, values: np.ndarray) -> str:
    """rmse squared as a share of the variance of ``values`` (both scaled first: no overflow, no underflow)."""
    s = _scale(values)
    var = float(np.var(np.asarray(values, float) / s))
    return num((rmse / s) ** 2 / var, ".2%") if var > 0 else _("n/a")


def prediction_caption(values: np.ndarray, pred: np.ndarray, split: int, unit: str = "", every: int = 1,
                       style: str = "grey dotted") -> str:
    """The one-step error on the held-out and the training part, in the series' units and as a share of
    its variance (``every``: one value in that many was predicted), and the same error of the baseline that copies
    the previous value (drawn as ``style``), so the caption says whether the network beats copying."""
    held, train = _rmse(pred[split:], values[split:]), _rmse(pred[:split], values[:split])
    u = f" {unit}" if unit else ""
    if np.isnan(held):                     # the held-out part always holds predicted values: these are NaN
        return _("No prediction: the model's outputs are not numbers (NaN). Press Reset weights.")
    if np.isinf(held):
        return _("The one-step predictions, in the series' units, pass the largest number a float64 holds "
                 "(about {largest}): their error cannot be measured.").format(largest=num(np.finfo(np.float64).max,
                                                                                          ".3g"))
    numbers = dict(held=num(held, ".4g"), train=num(train, ".4g"), u=u, held_share=_share(held, values),
                   train_share=_share(train, values))
    if every == 1:
        text = _("One step ahead, each value predicted from the window before it. Held-out part: root mean squared "
                 "error {held}{u}, a mean squared error of {held_share} of the series' variance; training part: "
                 "{train}{u} ({train_share}).").format(**numbers)
    else:
        text = _("One step ahead, every {every}th value of this long series predicted from the window before it. "
                 "Held-out part: root mean squared error {held}{u}, a mean squared error of {held_share} of the "
                 "series' variance; training part: {train}{u} ({train_share}).").format(every=every, **numbers)
    # the baseline that copies: predict the previous value, on the same held-out steps
    prev = np.full(values.size, np.nan)
    prev[1:] = values[:-1]
    same = np.isfinite(pred)
    same[:split] = False
    copy = _rmse(prev[same], values[same])
    if np.isfinite(copy) and copy > 0:
        ratio = held / copy
        if ratio < 0.9:
            verdict = _("Persistence (predict the previous value, the {style} line) has a held-out error of "
                        "{copy}{u}: the network's error is {ratio} of copying's: it beats copying.")
        elif ratio > 1.1:
            verdict = _("Persistence (predict the previous value, the {style} line) has a held-out error of "
                        "{copy}{u}: the network's error is {ratio} of copying's: it does not beat copying.")
        else:
            verdict = _("Persistence (predict the previous value, the {style} line) has a held-out error of "
                        "{copy}{u}: the network's error is {ratio} of copying's: about as good as copying.")
        text += " " + verdict.format(style=style, copy=num(copy, ".4g"), u=u, ratio=num(ratio, ".2f"))
    return text


def forecast_frame(values: np.ndarray, start: int, fc: np.ndarray, unit: str = "") -> pd.DataFrame:
    """The forecast as a table: time step t, the forecast, the truth (empty past the data's end), the error."""
    t = np.arange(start, start + fc.size)
    truth = np.full(fc.size, np.nan)
    known = values[start:start + fc.size]
    truth[:known.size] = known
    u = f" ({unit})" if unit else ""
    return pd.DataFrame({"t": t, "steps ahead": np.arange(1, fc.size + 1), f"forecast{u}": fc, f"true{u}": truth,
                         f"forecast - true{u}": fc - truth})


def forecast_caption(values: np.ndarray, start: int, fc: np.ndarray, unit: str = "") -> str:
    """How far the free-running forecast is off at its start and at its end (errors compound or not)."""
    truth = values[start:start + fc.size]
    n = truth.size
    if n < 4:
        if n == 0:
            return ngettext("The forecast runs {n} steps past the end of the data: there is no truth to compare with.",
                            "The forecast runs {n} steps past the end of the data: there is no truth to compare with.",
                            fc.size).format(n=fc.size)
        return _("Too few true values after this point to compare with.")
    q = max(1, n // 4)
    first, last = _rmse(fc[:q], truth[:q]), _rmse(fc[n - q:n], truth[n - q:])
    u = f" {unit}" if unit else ""
    if not (np.isfinite(first) and np.isfinite(last)):
        return _("The forecast left the range of numbers: the model's outputs fed back grew without bound.")
    if last > 1.5 * first and first > 0:
        text = _("Root mean squared error over the first {q} steps: {first}{u}; over the last {q} of the {n} with a "
                 "true value: {last}{u}: the error grows {fold}-fold as its own outputs are fed back.")
    elif last > 1.5 * first:
        text = _("Root mean squared error over the first {q} steps: {first}{u}; over the last {q} of the {n} with a "
                 "true value: {last}{u}: the error grows from exactly 0 as its own outputs are fed back.")
    elif last < first / 1.5:
        text = _("Root mean squared error over the first {q} steps: {first}{u}; over the last {q} of the {n} with a "
                 "true value: {last}{u}: the error shrinks: the model settles onto the series' rhythm.")
    else:
        text = _("Root mean squared error over the first {q} steps: {first}{u}; over the last {q} of the {n} with a "
                 "true value: {last}{u}: the error stays about the same as its own outputs are fed back.")
    fold = num(last / first, ".1f") if first > 0 else ""
    return text.format(q=q, n=n, first=num(first, ".3g"), last=num(last, ".3g"), u=u, fold=fold)


def hidden_caption(values: np.ndarray, hidden: np.ndarray) -> str:
    """Which hidden unit follows the series most closely, and how many are nearly constant."""
    if hidden.size == 0 or not np.isfinite(hidden).all():
        return _("The hidden state is not finite: reset the weights.")
    sd = hidden.std(axis=0)
    live = sd > 1e-6
    corr = np.zeros(hidden.shape[1])
    values = np.asarray(values, float) / _scale(values)        # a series of 1e300 (or 1e-300) correlates too
    if np.std(values) > 0:
        for k in np.flatnonzero(live):
            corr[k] = np.corrcoef(hidden[:, k], values)[0, 1]
    k = int(np.argmax(np.abs(corr)))
    flat = int((sd < 0.01).sum())
    return _("Unit {k} follows the series most closely (correlation {corr}); {flat} of {H} units barely move "
             "(standard deviation below 0.01). The dotted line marks the start of the held-out part.").format(
        k=k, corr=num(corr[k], "+.2f"), flat=flat, H=hidden.shape[1])


def loss_caption(losses: np.ndarray, evals: list[tuple[int, float]]) -> str:
    if not len(losses):
        return _("Press Train to start.")
    first_eval, last_eval = evals[0], evals[-1]
    return _("Training batches: from {first} at the first iteration to {recent} (mean of the last 20). Held out: from "
             "{first_held} at iteration {first_it} to {last_held} at iteration {last_it} (normalised units: 1 is the "
             "training part's variance). The batches average every step of a window, the first ones read from a zero "
             "state; the held-out error is each window's last step, after the whole window.").format(
        first=num(losses[0], ".3g"), recent=num(np.mean(losses[-20:]), ".3g"), first_held=num(first_eval[1], ".3g"),
        first_it=first_eval[0], last_held=num(last_eval[1], ".3g"), last_it=last_eval[0])
