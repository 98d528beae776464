"""The Train page's figures (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.common.figures import loss_curve_traces
from ui.common.frames import decimate, thin_rows
from ui.common.style import ACCENT, BLUE, GREY, SEQUENTIAL, layout, line_style
from ui.common.text import sig


def training_loss_figure(df: pd.DataFrame, window: int = 20) -> go.Figure:
    """Loss per iteration (light) and its running mean over ``window`` iterations."""
    fig = go.Figure(loss_curve_traces(df, window))
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title="cross-entropy (nats)", rangemode="tozero")
    return layout(fig, "Training loss", legend=dict(orientation="h", y=-0.25))


def step_norm_heatmap(matrix: np.ndarray, iterations) -> go.Figure:
    """Every kept iteration's per-step norms: iterations (rows) by time steps, log10 colour (at most
    MAX_HEATMAP_ROWS rows drawn, evenly spaced)."""
    matrix, iterations = thin_rows(matrix, iterations)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(matrix > 0, matrix, np.nan)).astype(np.float32)
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, matrix.shape[1] + 1) if matrix.size else [],
                               y=np.asarray(iterations),
                               colorscale=SEQUENTIAL, colorbar=dict(title="log10", thickness=12),
                               hovertemplate="iteration %{y}<br>step %{x}<br>log10 ||dL/dh_t|| = %{z:.2f}"
                                             "<extra></extra>"))
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(title="iteration")
    return layout(fig, "Gradient norm per time step, every iteration")


def global_norm_figure(df: pd.DataFrame, clip: float | None) -> go.Figure:
    """The global gradient norm (before clipping) per iteration; clipped iterations marked."""
    fig = go.Figure()
    if len(df):
        x, y = decimate(df["iteration"].to_numpy(), df["grad_norm"].to_numpy())
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name="global norm",
                                 line=dict(color=BLUE), hovertemplate="iteration %{x}<br>norm %{y:.3e}<extra></extra>"))
        hit = df[df["clipped"]]
        hit_x, hit_y = decimate(hit["iteration"].to_numpy(), hit["grad_norm"].to_numpy())
        fig.add_trace(go.Scatter(x=hit_x, y=hit_y, mode="markers", name="clipped",
                                 marker=dict(color=ACCENT, size=5)))
    if clip:
        fig.add_hline(y=clip, line=dict(color=ACCENT, dash="dash"))
    fig.update_yaxes(type="log", title="norm (log scale)")
    fig.update_xaxes(title="iteration")
    return layout(fig, "Global gradient norm", legend=dict(orientation="h", y=-0.25))


def runs_figure(runs: list[dict]) -> go.Figure:
    """Loss curves of chosen runs overlaid (x: iteration within the run)."""
    fig = go.Figure()
    for r in runs:
        fig.add_trace(go.Scatter(y=r["losses"], x=r["loss_at"], mode="lines",
                                 name=f"run {r['run']}: {r['cell']} H={r['hidden']} lr={r['lr']:g} {r['optimizer']}"))
    fig.update_xaxes(title="iteration within the run")
    fig.update_yaxes(title="loss (nats)", rangemode="tozero")
    return layout(fig, "Loss curves of chosen runs", legend=dict(orientation="h", y=-0.25))


def runs_frame(runs: list[dict]) -> pd.DataFrame:
    """The run history as a table (settings and final figures; the loss curves left out)."""
    cols = ["run", "source", "cell", "hidden", "activation", "optimizer", "lr", "clip", "seq_len", "batch",
            "spectral_radius", "seed", "from iteration", "to iteration", "final loss", "seconds", "diverged"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in runs], columns=cols)


LAST_NOW = "||de_T/dh_t||: the last step's loss alone, now"
LAST_FIRST = "... in the first iteration"
TOTAL = "total ||dL/dh_t||"


def last_step_figure(last: np.ndarray, total: np.ndarray, first: np.ndarray | None = None,
                     first_it: int | None = None, now_it: int | None = None) -> go.Figure:
    """||de_T/dh_t||: the last step's loss alone going back, in the first iteration kept and now, beside the total
    ||dL/dh_t|| of the latest such iteration, log axis."""
    steps = np.arange(1, len(last) + 1)
    traces = [go.Scatter(x=steps, y=total, mode="lines", name=TOTAL, line=dict(color=GREY, dash="dot"),
                         hovertemplate="step %{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>")]
    if first is not None and len(first) == len(last) and first_it != now_it:
        traces.append(go.Scatter(x=steps, y=first, mode="lines", name=f"{LAST_FIRST} ({first_it})",
                                 line=dict(color=BLUE, dash="dash"),
                                 hovertemplate=f"iteration {first_it}<br>step %{{x}}<br>||de_T/dh_t|| = %{{y:.3e}}"
                                               "<extra></extra>"))
    traces.append(go.Scatter(x=steps, y=last, mode="lines+markers",
                             name=LAST_NOW + (f" ({now_it})" if now_it else ""), line=dict(color=ACCENT),
                             hovertemplate="step %{x}<br>||de_T/dh_t|| = %{y:.3e}<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(type="log", title="norm (log scale)")
    return layout(fig, "The last step's gradient going back", legend=dict(orientation="h", y=-0.25))


def _style(fig: go.Figure, prefix: str) -> str:
    for tr in fig.data:
        if (tr.name or "").startswith(prefix):
            return line_style(fig, tr.name)
    return ""


def last_step_caption(fig: go.Figure, its: list[int], first: np.ndarray | None, now: np.ndarray,
                      total: np.ndarray) -> str:
    """The Train page's first gradient chart in words, read from its numbers and the figure's own line styles."""
    def kept(v):
        return float(v[0] / v[-1]) if len(v) and v[-1] > 0 else 0.0

    T = len(now)
    text = (f"One late loss going back: e_{T}, the loss at the chunk's last step alone, reaches step 1 with "
            f"{sig(kept(now))} of its value at step {T} in iteration {its[-1]} (the {_style(fig, LAST_NOW)} line)"
            + (": it vanishes" if kept(now) < 0.01 else ""))
    if first is not None and len(first) == T and its[0] != its[-1]:
        verdict = "it vanished" if kept(first) < 0.01 else "it reached back"
        text += (f"; in iteration {its[0]} (the {_style(fig, LAST_FIRST)} line) {sig(kept(first))}: {verdict} before "
                 "training shaped the weights")
    text += (f". The total (the {_style(fig, TOTAL)} line) is every step's own loss added where it arises: "
             f"at step 1 it is {sig(kept(total))} of its value at step {T}. A many-to-many total can hold up or "
             "grow going back even while each loss's own gradient vanishes, because every step brings a fresh one.")
    return text


def last_step_heatmap(matrix: np.ndarray, iterations) -> go.Figure:
    """||de_T/dh_t|| at the sampled ``iterations`` (rows), relative to its value at the last step, log10
    colour: training opening the network's memory shows as the left side warming up."""
    matrix, iterations = thin_rows(matrix, iterations)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = matrix / matrix[:, -1:] if matrix.size else matrix
        z = np.log10(np.where(rel > 0, rel, np.nan)).astype(np.float32)
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, matrix.shape[1] + 1) if matrix.size else [],
                               y=np.asarray(iterations),
                               colorscale=SEQUENTIAL, colorbar=dict(title="log10", thickness=12),
                               hovertemplate="iteration %{y}<br>step %{x}<br>log10 of step T's = %{z:.2f}"
                                             "<extra></extra>"))
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(title="iteration")
    return layout(fig, "The last step's gradient going back, over training")
