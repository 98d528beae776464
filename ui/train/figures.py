"""The Train page's figures (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.common.figures import loss_curve_traces
from ui.common.frames import decimate, thin_rows
from ui.common.style import ACCENT, BLUE, GREY, SEQUENTIAL, layout


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


def last_step_figure(last: np.ndarray, total: np.ndarray) -> go.Figure:
    """||de_T/dh_t||: the last step's loss alone going back, beside the total ||dL/dh_t||, log axis."""
    steps = np.arange(1, len(last) + 1)
    fig = go.Figure([
        go.Scatter(x=steps, y=total, mode="lines", name="total ||dL/dh_t||", line=dict(color=GREY, dash="dot"),
                   hovertemplate="step %{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>"),
        go.Scatter(x=steps, y=last, mode="lines+markers", name="||de_T/dh_t||: the last step's loss alone",
                   line=dict(color=ACCENT), hovertemplate="step %{x}<br>||de_T/dh_t|| = %{y:.3e}<extra></extra>"),
    ])
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(type="log", title="norm (log scale)")
    return layout(fig, "The last step's gradient going back", legend=dict(orientation="h", y=-0.25))


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
