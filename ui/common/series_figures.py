"""The Time series page's figures (pure: no Streamlit). Values are in the series' own units."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import loss_curve_traces
from .frames import decimate
from .i18n import _, N_
from .style import ACCENT, BLUE, DIVERGING, GREY, INK, layout

TRUTH = INK              # the true curve


def _units(unit: str) -> str:
    return _("value ({unit})").format(unit=unit) if unit else _("value")


# the baseline's trace: line_style looks it up by this name (here and in ui/lessons/screens.py), so it is drawn
# under this English name; the message is marked for when both look it up translated
PERSISTENCE = N_("persistence: the previous value")


def persistence(values: np.ndarray) -> np.ndarray:
    """The baseline that copies: the prediction for step t is the value at t-1 (none for the first)."""
    out = np.full(values.size, np.nan)
    out[1:] = values[:-1]
    return out


def prediction_figure(values: np.ndarray, pred: np.ndarray, split: int, unit: str = "", first: int = 0,
                      x_title: str = N_("time step t")) -> go.Figure:
    """The true series, the one-step-ahead prediction and the persistence baseline (the previous value) beside it,
    the held-out part shaded (a long series' curves thinned to draw: ``decimate``). ``first``: what the first value's
    position is called (the sunspots' year 1700)."""
    t = np.arange(values.size)
    shown = np.isfinite(pred) | (t < np.argmax(np.isfinite(pred)))       # a long series' gaps close; the start stays
    fig = go.Figure()
    tx, ty = decimate(t + first, values)
    px, py = decimate(t[shown] + first, pred[shown])
    base = persistence(values)
    bx, by = decimate(t[shown] + first, base[shown])
    fig.add_trace(go.Scatter(x=tx, y=ty, mode="lines", name=_("true series"), line=dict(color=TRUTH, width=1.5),
                             hovertemplate=_("%{x}<br>true %{y:.4g}<extra></extra>")))
    fig.add_trace(go.Scatter(x=px, y=py, mode="lines", name=_("one-step prediction"), line=dict(color=BLUE, width=2),
                             hovertemplate=_("%{x}<br>predicted %{y:.4g}<extra></extra>")))
    fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", name=PERSISTENCE, line=dict(color=GREY, width=1, dash="dot"),
                             hovertemplate=_("%{x}<br>previous value %{y:.4g}<extra></extra>")))
    fig.add_vrect(x0=first + split - 0.5, x1=first + values.size - 0.5, fillcolor=ACCENT, opacity=0.08, line_width=0,
                  annotation_text=_("held out"), annotation_position="top left")
    fig.add_vrect(x0=first - 0.5, x1=first + split - 0.5, fillcolor=BLUE, opacity=0.04, line_width=0,
                  annotation_text=_("training"), annotation_position="top left")
    fig.update_xaxes(title=_(x_title))
    fig.update_yaxes(title=_units(unit))
    return layout(fig, _("Prediction over the series"), legend=dict(orientation="h", y=-0.25))


def forecast_figure(values: np.ndarray, start: int, window: int, fc: np.ndarray, unit: str = "", first: int = 0,
                    x_title: str = N_("time step t")) -> go.Figure:
    """Free-running from ``start``: the context window the model read, then its own outputs fed back,
    with the truth beside them."""
    lo, hi = max(0, start - window), min(values.size, start + fc.size)
    t = np.arange(lo, hi) + first
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=values[lo:hi], mode="lines", name=_("true series"),
                             line=dict(color=TRUTH, width=1.5),
                             hovertemplate=_("%{x}<br>true %{y:.4g}<extra></extra>")))
    fig.add_trace(go.Scatter(x=np.arange(start, start + fc.size) + first, y=fc, mode="lines",
                             name=_("forecast (own outputs fed back)"),
                             line=dict(color=ACCENT, width=2.5),
                             hovertemplate=_("%{x}<br>forecast %{y:.4g}<extra></extra>")))
    fig.add_vrect(x0=first + lo - 0.5, x1=first + start - 0.5, fillcolor=BLUE, opacity=0.08, line_width=0,
                  annotation_text=_("context read"), annotation_position="top left")
    fig.update_xaxes(title=_(x_title))
    fig.update_yaxes(title=_units(unit))
    return layout(fig, _("Forecast"), legend=dict(orientation="h", y=-0.25))


def hidden_figure(values: np.ndarray, hidden: np.ndarray, split: int, unit: str = "", t: np.ndarray | None = None,
                  x_title: str = N_("time step t")) -> go.Figure:
    """The series above and every hidden unit's value below it, on one time axis (``t``: each value's position on
    it, 0, 1, ... by default; ``split`` indexes the values)."""
    t = np.arange(values.size) if t is None else np.asarray(t)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.35, 0.65], vertical_spacing=0.04)
    fig.add_trace(go.Scatter(x=t, y=values, mode="lines", name=_("series"), line=dict(color=TRUTH, width=1.5),
                             hovertemplate="%{x}<br>%{y:.4g}<extra></extra>"), row=1, col=1)
    lim = float(np.nanmax(np.abs(hidden))) if hidden.size and np.isfinite(hidden).any() else 1.0
    fig.add_trace(go.Heatmap(z=hidden.T, x=t, y=np.arange(hidden.shape[1]), colorscale=DIVERGING, zmid=0,
                             zmin=-lim, zmax=lim, colorbar=dict(title="h", thickness=12, len=0.6, y=0.3),
                             hovertemplate=_("%{x}<br>unit %{y}<br>h = %{z:.3f}<extra></extra>")), row=2, col=1)
    if 0 < split < t.size:
        fig.add_vline(x=(t[split - 1] + t[split]) / 2, line=dict(color=ACCENT, dash="dot"))
    fig.update_yaxes(title=_units(unit), row=1, col=1)
    fig.update_yaxes(title=_("hidden unit"), row=2, col=1)
    fig.update_xaxes(title=_(x_title), row=2, col=1)
    return layout(fig, _("Hidden state over time"), height=420, showlegend=False)


def series_loss_figure(df: pd.DataFrame, evals: list[tuple[int, float]], window: int = 20) -> go.Figure:
    """The training batches' MSE per iteration (light), its running mean, and the held-out one-step MSE."""
    fig = go.Figure(loss_curve_traces(df, window, (_("training batch"), _("training, mean of last {window}")),
                                      ".3e"))
    if evals:
        its, mse = decimate(*map(np.asarray, zip(*evals)))
        fig.add_trace(go.Scatter(x=its, y=mse, mode="lines+markers" if its.size <= 200 else "lines",
                                 name=_("held out (one step ahead)"),
                                 line=dict(color=ACCENT, width=2, dash="dash"), marker=dict(size=6),
                                 hovertemplate=_("iteration %{x}<br>held-out MSE %{y:.3e}<extra></extra>")))
    fig.update_xaxes(title=_("iteration"))
    fig.update_yaxes(type="log", title=_("mean squared error (normalised units)"))
    return layout(fig, _("Training loss"), legend=dict(orientation="h", y=-0.25))


def window_figure(values: np.ndarray, pred: np.ndarray, lo: int, step: int, unit: str = "", first: int = 0,
                  x_title: str = N_("time step t")) -> go.Figure:
    """The window being stepped through: each input x_t, and the prediction made after it for t+1;
    the current step marked."""
    T = pred.size
    t = np.arange(lo, lo + T) + first
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=values[lo:lo + T], mode="lines+markers", name=_("input x_t"),
                             line=dict(color=TRUTH),
                             marker=dict(size=[12 if k == step - 1 else 6 for k in range(T)],
                                         color=[ACCENT if k == step - 1 else TRUTH for k in range(T)]),
                             hovertemplate=_("%{x}<br>x_t %{y:.4g}<extra></extra>")))
    fig.add_trace(go.Scatter(x=t + 1, y=pred, mode="markers", name=_("prediction for t+1"),
                             marker=dict(color=BLUE, symbol="x", size=8),
                             hovertemplate=_("%{x}<br>predicted %{y:.4g}<extra></extra>")))
    if lo + T < values.size:
        fig.add_trace(go.Scatter(x=[first + lo + T], y=[values[lo + T]], mode="markers", name=_("true next value"),
                                 marker=dict(color=TRUTH, symbol="circle-open", size=10)))
    fig.update_xaxes(title=_(x_title))
    fig.update_yaxes(title=_units(unit))
    return layout(fig, _("Stepping through the window"), legend=dict(orientation="h", y=-0.25))
