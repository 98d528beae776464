"""DataFrame -> plotly Figure builders. Pure: no Streamlit, so tests build them from small frames."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .frames import frame_to_grid
from .text import plotly_text

# the visual constants in one place
ACCENT = "#e4572e"       # the current step, the top prediction
BLUE = "#2e86ab"
GREY = "#9aa5b1"
DIVERGING = "RdBu_r"     # signed values (hidden states, gradients): red > 0 > blue
SEQUENTIAL = "Viridis"   # gates in [0, 1]
HEIGHT = 340
MARGIN = dict(l=10, r=10, t=48, b=10)


def _layout(fig: go.Figure, title: str, height: int = HEIGHT, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title), height=height, margin=MARGIN, **kw)
    return fig


def next_token_figure(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the top-k next tokens (frame from ``frames.top_k_frame``)."""
    labels = [plotly_text(t) for t in df["token"]]
    colors = [ACCENT if r == 1 else BLUE for r in df["rank"]]
    fig = go.Figure(go.Bar(
        x=df["probability"].to_numpy(), y=labels, orientation="h", marker_color=colors,
        text=[f"{p:.1%}" for p in df["probability"]], textposition="auto",
        hovertemplate="%{y}: p = %{x:.6f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="probability", range=[0, 1])
    return _layout(fig, "Next-token probabilities", height=max(220, 40 + 26 * len(df)))


def hidden_heatmap(df: pd.DataFrame, current_step: int | None = None, title: str = "Hidden state over time",
                   colorscale: str = DIVERGING, zrange: tuple[float, float] = (-1, 1), selectable: bool = True,
                   height: int = 380) -> go.Figure:
    """Units (rows) by time steps (columns); the current step boxed. Invisible markers make cells clickable."""
    z, labels, units = frame_to_grid(df)
    xs = [plotly_text(s) for s in labels]
    fig = go.Figure(go.Heatmap(
        z=z, x=xs, y=units, colorscale=colorscale, zmin=zrange[0], zmax=zrange[1],
        hovertemplate="step %{x}<br>unit %{y}<br>value %{z:.4f}<extra></extra>", colorbar=dict(thickness=12),
    ))
    if selectable:
        T, H = len(xs), len(units)
        fig.add_trace(go.Scatter(
            x=np.repeat(xs, H), y=np.tile(units, T), mode="markers", marker=dict(size=8, opacity=0),
            customdata=np.column_stack([np.repeat(np.arange(1, T + 1), H), np.tile(units, T)]),
            hoverinfo="skip", showlegend=False, name="cells",
        ))
    if current_step is not None and 1 <= current_step <= len(xs):
        fig.add_vrect(x0=current_step - 1.5, x1=current_step - 0.5, line=dict(color=ACCENT, width=3))
    fig.update_xaxes(type="category", title="time step")
    fig.update_yaxes(title="hidden unit", autorange="reversed")
    return _layout(fig, title, height=height, clickmode="event+select", dragmode=False)


def pieces_figure(df: pd.DataFrame) -> go.Figure:
    """a_t as stacked bars of its terms per unit, with a_t and h_t = f(a_t) as markers."""
    fig = go.Figure()
    for name, color in (("W_xh x_t", "#f2a541"), ("W_hh h_t-1", BLUE), ("b_h", GREY)):
        fig.add_trace(go.Bar(x=df["unit"], y=df[name], name=name, marker_color=color,
                             hovertemplate=f"unit %{{x}}<br>{name} = %{{y:.4f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=df["unit"], y=df["a_t"], name="a_t (sum)", mode="markers",
                             marker=dict(symbol="line-ew-open", size=10, color="black"),
                             hovertemplate="unit %{x}<br>a_t = %{y:.4f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=df["unit"], y=df["h_t"], name="h_t = f(a_t)", mode="markers",
                             marker=dict(size=6, color=ACCENT),
                             hovertemplate="unit %{x}<br>h_t = %{y:.4f}<extra></extra>"))
    fig.update_xaxes(title="hidden unit")
    return _layout(fig, "The pieces of h_t", barmode="relative", clickmode="event+select",
                   legend=dict(orientation="h", y=-0.2))


def pca_figure(df: pd.DataFrame, current_step: int) -> go.Figure:
    """The path of h_1..h_t in the sentence's first two principal components, on fixed axes."""
    shown = df[df["step"] <= current_step]
    pad = lambda s: (float(s.min()) - 0.1 * (float(np.ptp(s)) + 1e-9), float(s.max()) + 0.1 * (float(np.ptp(s)) + 1e-9))
    fig = go.Figure(go.Scatter(
        x=shown["pc1"], y=shown["pc2"], mode="lines+markers+text",
        text=[plotly_text(t) for t in shown["token"]], textposition="top center",
        marker=dict(size=9, color=[ACCENT if s == current_step else BLUE for s in shown["step"]]),
        line=dict(color=GREY), customdata=shown["step"],
        hovertemplate="step %{customdata}: %{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
    ))
    e1, e2 = (float(df["explained1"].iloc[0]), float(df["explained2"].iloc[0])) if len(df) else (0.0, 0.0)
    fig.update_xaxes(range=pad(df["pc1"]), title=f"PC1 ({e1:.0%} of variance)")
    fig.update_yaxes(range=pad(df["pc2"]), title=f"PC2 ({e2:.0%})")
    return _layout(fig, "Hidden-state path (PCA)")


def unrolled_figure(tokens: list[str], current_step: int, cell: str = "rnn", max_steps: int = 14) -> go.Figure:
    """One box per step, the same W_xh, W_hh, W_hy on every arrow; the current step lit.

    Long sentences show a window of ``max_steps`` steps around the current one.
    """
    T = len(tokens)
    lo = max(0, min(current_step - 1 - max_steps // 2, T - max_steps))
    steps = range(lo, min(T, lo + max_steps))
    fig = go.Figure()
    shapes, notes = [], []
    for k, t in enumerate(steps):
        lit = t == current_step - 1
        color = ACCENT if lit else BLUE
        shapes.append(dict(type="rect", x0=k - 0.3, x1=k + 0.3, y0=0.7, y1=1.3, line=dict(color=color, width=3 if lit else 1),
                           fillcolor="rgba(228,87,46,0.15)" if lit else "rgba(46,134,171,0.08)"))
        notes += [
            dict(x=k, y=1.0, text=f"h<sub>{t + 1}</sub>", showarrow=False, font=dict(size=14)),
            dict(x=k, y=0.1, text=plotly_text(tokens[t]), showarrow=False, font=dict(color=color)),
            dict(x=k, y=0.7, ax=k, ay=0.25, xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                 arrowhead=2, arrowcolor=GREY),
            dict(x=k + 0.12, y=0.45, text="W_xh", showarrow=False, font=dict(size=9, color=GREY)),
            dict(x=k, y=1.95, ax=k, ay=1.3, xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                 arrowhead=2, arrowcolor=GREY),
            dict(x=k + 0.12, y=1.6, text="W_hy", showarrow=False, font=dict(size=9, color=GREY)),
            dict(x=k, y=2.1, text=f"y<sub>{t + 1}</sub>", showarrow=False),
        ]
        if k > 0:
            notes += [dict(x=k - 0.3, y=1.0, ax=k - 0.7, ay=1.0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=2, arrowcolor=GREY),
                      dict(x=k - 0.5, y=1.12, text="W_hh", showarrow=False, font=dict(size=9, color=GREY))]
    n = len(steps)
    fig.add_trace(go.Scatter(x=list(range(n)), y=[1.0] * n, mode="markers", marker=dict(opacity=0),
                             customdata=[t + 1 for t in steps], hovertemplate="step %{customdata}<extra></extra>",
                             showlegend=False))
    fig.update_layout(shapes=shapes, annotations=notes)
    fig.update_xaxes(visible=False, range=[-0.6, max(n, 4) - 0.4])
    fig.update_yaxes(visible=False, range=[-0.1, 2.3])
    cell_name = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}.get(cell, cell)
    return _layout(fig, f"Unrolled network ({cell_name}: the same weights at every step)", height=260)


def gradient_figure(df: pd.DataFrame, from_step: int | None = None) -> go.Figure:
    """||dL/dh_t|| per step as bars (filled from the last step back to ``from_step``), ||d s_T/d s_t|| as a line."""
    g = df["grad_norm"].to_numpy(dtype=float).copy()
    if from_step is not None:
        g[df["step"].to_numpy() < from_step] = np.nan
    xs = [plotly_text(s) for s in df["label"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=xs, y=g, name="||dL/dh_t||", marker_color=BLUE,
                         hovertemplate="%{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>"))
    fig.add_trace(go.Scatter(x=xs, y=df["jacobian_norm"], name="||dh_T / dh_t||", mode="lines+markers",
                             line=dict(color=ACCENT), hovertemplate="%{x}<br>||dh_T/dh_t|| = %{y:.3e}<extra></extra>"))
    fig.update_yaxes(type="log", title="norm (log scale)")
    fig.update_xaxes(type="category", title="time step")
    return _layout(fig, "Gradient norm per time step", legend=dict(orientation="h", y=-0.35))


def backward_figure(df: pd.DataFrame) -> go.Figure:
    """dL/dh_t per unit: the loss's own part at t, what flows back from t+1, and their sum."""
    fig = go.Figure()
    for name, color in (("from the loss at t", "#f2a541"), ("flowing back from t+1", BLUE)):
        fig.add_trace(go.Bar(x=df["unit"], y=df[name], name=name, marker_color=color,
                             hovertemplate=f"unit %{{x}}<br>{name}: %{{y:.3e}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=df["unit"], y=df["dL/dh_t"], name="dL/dh_t (sum)", mode="markers",
                             marker=dict(symbol="line-ew-open", size=10, color="black"),
                             hovertemplate="unit %{x}<br>dL/dh_t = %{y:.3e}<extra></extra>"))
    fig.update_xaxes(title="hidden unit")
    return _layout(fig, "How dL/dh_t is built", barmode="relative", legend=dict(orientation="h", y=-0.2))


def gates_figure(frames: dict[str, pd.DataFrame], current_step: int) -> go.Figure:
    """One heatmap per gate (and the LSTM's cell state), units by time, sharing the time axis."""
    names = list(frames)
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=names, vertical_spacing=0.06)
    for r, name in enumerate(names, start=1):
        z, labels, units = frame_to_grid(frames[name])
        signed = name in ("cell candidate", "new", "cell state c_t")
        lim = float(max(1.0, np.abs(z).max())) if name == "cell state c_t" else 1.0
        fig.add_trace(go.Heatmap(
            z=z, x=[plotly_text(s) for s in labels], y=units, coloraxis=None, showscale=False,
            colorscale=DIVERGING if signed else SEQUENTIAL, zmin=-lim if signed else 0, zmax=lim,
            hovertemplate=f"{name}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.4f}}<extra></extra>"), row=r, col=1)
        fig.update_yaxes(autorange="reversed", row=r, col=1)
        fig.add_vrect(x0=current_step - 1.5, x1=current_step - 0.5, line=dict(color=ACCENT, width=2), row=r, col=1)
    fig.update_xaxes(type="category")
    return _layout(fig, "Gates over time", height=170 * len(names) + 60)


def probe_figure(df: pd.DataFrame) -> go.Figure:
    """||h_t - h'_t|| per step: where the swapped word enters and how long the difference lasts."""
    xs = [f"{s} {plotly_text(a)}" + ("" if a == b else f"→{plotly_text(b)}")
          for s, a, b in zip(df["step"], df["original"], df["swapped"])]
    fig = go.Figure(go.Scatter(x=xs, y=df["distance"], mode="lines+markers", line=dict(color=ACCENT),
                               hovertemplate="%{x}<br>||h_t - h'_t|| = %{y:.4f}<extra></extra>"))
    fig.update_xaxes(type="category", title="time step")
    fig.update_yaxes(title="distance", rangemode="tozero")
    return _layout(fig, "Distance between the two hidden-state paths")
