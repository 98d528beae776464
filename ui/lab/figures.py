"""The Gradient lab's figures (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.common.style import ACCENT, BLUE, CELL_COLORS, CELL_DASH, GREY, SEQUENTIAL, layout
from ui.common.text import plotly_text


COLORS = {**CELL_COLORS, "rho^(T-t)": GREY}
DASHES = {**CELL_DASH, "rho^(T-t)": "longdashdot"}


def jacobian_lab_figure(df: pd.DataFrame) -> go.Figure:
    """||dh_T/dh_t|| against t for each cell, log axis, with the rho^(T-t) line."""
    fig = go.Figure()
    for cell, part in df.groupby("cell", sort=False):
        fig.add_trace(go.Scatter(x=part["t"], y=part["norm"], mode="lines", name=cell,
                                 line=dict(color=COLORS.get(cell), dash=DASHES.get(cell), width=2.5),
                                 hovertemplate=f"{cell}<br>t = %{{x}}<br>%{{y:.3e}}<extra></extra>"))
    fig.update_yaxes(type="log", title="||dh_T / dh_t|| (log scale)")
    fig.update_xaxes(title="time step t")
    return layout(fig, "How much gradient survives: ||dh_T/dh_t||", height=380, legend=dict(orientation="h", y=-0.2))


def eigen_figure(eigs: np.ndarray) -> go.Figure:
    """Eigenvalues of W_hh in the complex plane with the unit circle."""
    th = np.linspace(0, 2 * np.pi, 200)
    fig = go.Figure([
        go.Scatter(x=np.cos(th), y=np.sin(th), mode="lines", name="unit circle", line=dict(color=GREY, dash="dot")),
        go.Scatter(x=eigs.real, y=eigs.imag, mode="markers", name="eigenvalues", marker=dict(color=ACCENT, size=6),
                   hovertemplate="%{x:.3f} + %{y:.3f}i<extra></extra>"),
    ])
    lim = max(1.2, float(np.abs(eigs).max()) * 1.1)
    fig.update_xaxes(range=[-lim, lim], title="real", zeroline=True)
    fig.update_yaxes(range=[-lim, lim], title="imaginary", scaleanchor="x", zeroline=True)
    return layout(fig, "Eigenvalues of W_hh", height=380, legend=dict(orientation="h", y=-0.2))


def clipping_figure(df: pd.DataFrame) -> go.Figure:
    """Loss curves of the same run without and with clipping, side by side on one y range."""
    runs = list(dict.fromkeys(df["run"]))
    fig = make_subplots(rows=1, cols=len(runs), shared_yaxes=True, subplot_titles=runs)
    for c, name in enumerate(runs, start=1):
        part = df[df["run"] == name]
        fig.add_trace(go.Scatter(x=part["iteration"], y=part["loss"], mode="lines", name=name,
                                 line=dict(color=ACCENT if c == 1 else BLUE)), row=1, col=c)
        if part["diverged"].any():
            it = int(part.loc[part["diverged"], "iteration"].iloc[0])
            fig.add_vline(x=it, line=dict(color=ACCENT, dash="dash"), row=1, col=c)
    fig.update_yaxes(title="loss (nats)", row=1, col=1)
    fig.update_xaxes(title="iteration")
    return layout(fig, "Training loss with and without clipping", showlegend=False)


def lag_sweep_figure(df: pd.DataFrame) -> go.Figure:
    """Accuracy and the gradient reaching the remembered token against the gap, one line per cell."""
    acc = "accuracy (within 0.04 of the sum)" if df.attrs.get("task") == "adding" else "accuracy"
    fig = make_subplots(rows=1, cols=2, subplot_titles=(acc, "||dL/dh_0|| / ||dL/dh_T|| (log)"))
    for cell, part in df.groupby("cell", sort=False):
        color, dash = CELL_COLORS.get(cell.upper()), CELL_DASH.get(cell.upper())
        fig.add_trace(go.Scatter(x=part["gap"], y=part["accuracy"], mode="lines+markers", name=cell.upper(),
                                 line=dict(color=color, dash=dash)), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["gap"], y=part["grad_ratio_first_last"], mode="lines+markers",
                                 name=cell.upper(), line=dict(color=color, dash=dash), showlegend=False), row=1, col=2)
    if len(df):
        fig.add_hline(y=float(df["chance"].iloc[0]), line=dict(color=GREY, dash="dot"), row=1, col=1,
                      annotation_text="chance")
    fig.update_yaxes(range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_xaxes(title="gap (steps between the first marked number and the end)"
                     if df.attrs.get("task") == "adding" else "gap (tokens between the symbol and the question)")
    return layout(fig, "Lag sweep: what each cell remembers", height=380, legend=dict(orientation="h", y=-0.25))


def side_by_side_figure(jac: np.ndarray, forget_prod: np.ndarray, labels: list[str], cursor: int) -> go.Figure:
    """Left: the RNN's ||dh_T/dh_t||; right: the LSTM's forget-gate products per unit; one time cursor."""
    xs = [plotly_text(s) for s in labels]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("RNN: ||dh_T/dh_t|| (log)",
                                                        "LSTM: product of forget gates from t to T"))
    fig.add_trace(go.Bar(x=xs, y=jac, marker_color=[ACCENT if i == cursor - 1 else BLUE for i in range(len(xs))],
                         name="RNN", hovertemplate="%{x}<br>%{y:.3e}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Heatmap(z=forget_prod.T, x=xs, colorscale=SEQUENTIAL, zmin=0, zmax=1, colorbar=dict(thickness=12),
                             hovertemplate="%{x}<br>unit %{y}<br>product %{z:.3f}<extra></extra>"), row=1, col=2)
    fig.add_vrect(x0=cursor - 1.5, x1=cursor - 0.5, line=dict(color=ACCENT, width=2), row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="category")
    return layout(fig, "RNN vs LSTM: what reaches the last step", height=400, showlegend=False)
