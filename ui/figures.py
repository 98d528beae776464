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


def _figure(traces: list[dict], title: str, height: int = HEIGHT, **layout) -> go.Figure:
    """A figure built in one pass from plain dicts: Plotly validates once, not per update call.

    The figures that redraw on every time step are built this way (about 5x faster).
    """
    return go.Figure(data=traces, layout=dict(title=dict(text=title), height=height, margin=MARGIN, **layout))


def next_token_figure(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the top-k next tokens (frame from ``frames.top_k_frame``)."""
    bar = dict(type="bar", x=df["probability"].to_numpy(), y=[plotly_text(t) for t in df["token"]], orientation="h",
               marker=dict(color=[ACCENT if r == 1 else BLUE for r in df["rank"]]),
               text=[f"{p:.1%}" for p in df["probability"]], textposition="auto",
               hovertemplate="%{y}: p = %{x:.6f}<extra></extra>")
    return _figure([bar], "Next-token probabilities", height=max(220, 40 + 26 * len(df)),
                   yaxis=dict(autorange="reversed", type="category"),
                   xaxis=dict(title=dict(text="probability"), range=[0, 1]))

def hidden_heatmap(df: pd.DataFrame, current_step: int | None = None, title: str = "Hidden state over time",
                   colorscale: str = DIVERGING, zrange: tuple[float, float] = (-1, 1), selectable: bool = True,
                   height: int = 380) -> go.Figure:
    """Units (rows) by time steps (columns); the current step boxed, its cells clickable."""
    z, labels, units = frame_to_grid(df)
    xs = [plotly_text(s) for s in labels]
    traces = [dict(type="heatmap", z=z, x=xs, y=units, colorscale=colorscale, zmin=zrange[0], zmax=zrange[1],
                   hovertemplate="step %{x}<br>unit %{y}<br>value %{z:.4f}<extra></extra>",
                   colorbar=dict(thickness=12))]
    shapes = []
    if current_step is not None and 1 <= current_step <= len(xs):
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=current_step - 1.5, x1=current_step - 0.5,
                           y0=0, y1=1, line=dict(color=ACCENT, width=3)))
        if selectable:
            # invisible markers on the boxed column make its cells clickable (one column, not T x H
            # markers: every marker is an SVG node the browser redraws on every step)
            H = len(units)
            traces.append(dict(type="scatter", x=[xs[current_step - 1]] * H, y=units, mode="markers",
                               marker=dict(size=8, opacity=0), name="cells", hoverinfo="skip", showlegend=False,
                               customdata=np.column_stack([np.full(H, current_step), units])))
    return _figure(traces, title, height=height, clickmode="event+select", dragmode=False, shapes=shapes,
                   xaxis=dict(type="category", title=dict(text="time step")),
                   yaxis=dict(title=dict(text="hidden unit"), autorange="reversed"))

def pieces_figure(df: pd.DataFrame) -> go.Figure:
    """a_t as stacked bars of its terms per unit, with a_t and h_t = f(a_t) as markers."""
    traces = [dict(type="bar", x=df["unit"], y=df[name], name=name, marker=dict(color=color),
                   hovertemplate=f"unit %{{x}}<br>{name} = %{{y:.4f}}<extra></extra>")
              for name, color in (("W_xh x_t", "#f2a541"), ("W_hh h_t-1", BLUE), ("b_h", GREY))]
    traces += [
        dict(type="scatter", x=df["unit"], y=df["a_t"], name="a_t (sum)", mode="markers",
             marker=dict(symbol="line-ew-open", size=10, color="black"),
             hovertemplate="unit %{x}<br>a_t = %{y:.4f}<extra></extra>"),
        dict(type="scatter", x=df["unit"], y=df["h_t"], name="h_t = f(a_t)", mode="markers",
             marker=dict(size=6, color=ACCENT), hovertemplate="unit %{x}<br>h_t = %{y:.4f}<extra></extra>"),
    ]
    return _figure(traces, "The pieces of h_t", barmode="relative", clickmode="event+select",
                   legend=dict(orientation="h", y=-0.2), xaxis=dict(title=dict(text="hidden unit")))

def pca_figure(df: pd.DataFrame, current_step: int, fixed: tuple | None = None) -> go.Figure:
    """The path of h_1..h_t in two principal components, on fixed axes (``fixed`` = (x range, y range))."""
    shown = df[df["step"] <= current_step]
    pad = lambda s: (float(s.min()) - 0.1 * (float(np.ptp(s)) + 1e-9), float(s.max()) + 0.1 * (float(np.ptp(s)) + 1e-9))
    path = dict(type="scatter", x=shown["pc1"], y=shown["pc2"], mode="lines+markers+text",
                text=[plotly_text(t) for t in shown["token"]], textposition="top center",
                marker=dict(size=9, color=[ACCENT if s == current_step else BLUE for s in shown["step"]]),
                line=dict(color=GREY), customdata=shown["step"],
                hovertemplate="step %{customdata}: %{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>")
    e1, e2 = (float(df["explained1"].iloc[0]), float(df["explained2"].iloc[0])) if len(df) else (0.0, 0.0)
    xr, yr = fixed if fixed is not None else (pad(df["pc1"]), pad(df["pc2"]))
    return _figure([path], "Hidden-state path (PCA)",
                   xaxis=dict(range=list(xr), title=dict(text=f"PC1 ({e1:.0%} of variance)")),
                   yaxis=dict(range=list(yr), title=dict(text=f"PC2 ({e2:.0%})")))

def unrolled_figure(tokens: list[str], current_step: int, cell: str = "rnn", max_steps: int = 14) -> go.Figure:
    """One box per step, the same W_xh, W_hh, W_hy on every arrow; the current step lit.

    Long sentences show a window of ``max_steps`` steps around the current one. Drawn with a few
    batched traces (boxes, arrows, arrowheads, labels), not one annotation per item: it redraws
    on every step.
    """
    T = len(tokens)
    lo = max(0, min(current_step - 1 - max_steps // 2, T - max_steps))
    steps = list(range(lo, min(T, lo + max_steps)))
    n = len(steps)
    lit = [k for k, t in enumerate(steps) if t == current_step - 1]

    def boxes(ks):
        xs, ys = [], []
        for k in ks:
            xs += [k - 0.3, k + 0.3, k + 0.3, k - 0.3, k - 0.3, None]
            ys += [0.7, 0.7, 1.3, 1.3, 0.7, None]
        return xs, ys

    bx, by = boxes([k for k in range(n) if k not in lit])
    lx, ly = boxes(lit)
    traces = [dict(type="scatter", x=bx, y=by, mode="lines", fill="toself", fillcolor="rgba(46,134,171,0.08)",
                   line=dict(color=BLUE, width=1), hoverinfo="skip", showlegend=False),
              dict(type="scatter", x=lx, y=ly, mode="lines", fill="toself", fillcolor="rgba(228,87,46,0.15)",
                   line=dict(color=ACCENT, width=3), hoverinfo="skip", showlegend=False)]
    ax, ay, hx, hy, sym = [], [], [], [], []
    for k in range(n):
        ax += [k, k, None, k, k, None]                   # x_t -> h_t and h_t -> y_t
        ay += [0.25, 0.68, None, 1.3, 1.88, None]
        hx += [k, k]
        hy += [0.68, 1.88]
        sym += ["triangle-up", "triangle-up"]
        if k > 0:                                        # h_{t-1} -> h_t
            ax += [k - 0.7, k - 0.32, None]
            ay += [1.0, 1.0, None]
            hx.append(k - 0.32)
            hy.append(1.0)
            sym.append("triangle-right")
    traces.append(dict(type="scatter", x=ax, y=ay, mode="lines", line=dict(color=GREY, width=1.5),
                       hoverinfo="skip", showlegend=False))
    traces.append(dict(type="scatter", x=hx, y=hy, mode="markers", marker=dict(symbol=sym, size=8, color=GREY),
                       hoverinfo="skip", showlegend=False))
    tx, ty, text, size, color = [], [], [], [], []
    for k, t in enumerate(steps):
        c = ACCENT if k in lit else BLUE
        tx += [k, k, k, k + 0.14, k + 0.14]
        ty += [1.0, 0.1, 2.1, 0.45, 1.6]
        text += [f"h<sub>{t + 1}</sub>", plotly_text(tokens[t]), f"y<sub>{t + 1}</sub>", "W_xh", "W_hy"]
        size += [14, 12, 12, 9, 9]
        color += ["#333333", c, "#333333", GREY, GREY]
        if k > 0:
            tx.append(k - 0.5)
            ty.append(1.12)
            text.append("W_hh")
            size.append(9)
            color.append(GREY)
    traces.append(dict(type="scatter", x=tx, y=ty, mode="text", text=text, textfont=dict(size=size, color=color),
                       hoverinfo="skip", showlegend=False))
    traces.append(dict(type="scatter", x=list(range(n)), y=[1.0] * n, mode="markers", marker=dict(opacity=0),
                       customdata=[t + 1 for t in steps], hovertemplate="step %{customdata}<extra></extra>",
                       showlegend=False))
    cell_name = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}.get(cell, cell)
    return _figure(traces, f"Unrolled network ({cell_name}: the same weights at every step)", height=260,
                   xaxis=dict(visible=False, range=[-0.6, max(n, 4) - 0.4]),
                   yaxis=dict(visible=False, range=[-0.1, 2.3]))


def gradient_figure(df: pd.DataFrame, from_step: int | None = None) -> go.Figure:
    """||dL/dh_t|| per step as bars (filled from the last step back to ``from_step``), ||d s_T/d s_t|| as a line."""
    g = df["grad_norm"].to_numpy(dtype=float).copy()
    if from_step is not None:
        g[df["step"].to_numpy() < from_step] = np.nan
    xs = [plotly_text(s) for s in df["label"]]
    traces = [dict(type="bar", x=xs, y=g, name="||dL/dh_t||", marker=dict(color=BLUE),
                   hovertemplate="%{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>"),
              dict(type="scatter", x=xs, y=df["jacobian_norm"], name="||dh_T / dh_t||", mode="lines+markers",
                   line=dict(color=ACCENT), hovertemplate="%{x}<br>||dh_T/dh_t|| = %{y:.3e}<extra></extra>")]
    return _figure(traces, "Gradient norm per time step", legend=dict(orientation="h", y=-0.35),
                   yaxis=dict(type="log", title=dict(text="norm (log scale)")),
                   xaxis=dict(type="category", title=dict(text="time step")))

def backward_figure(df: pd.DataFrame) -> go.Figure:
    """dL/dh_t per unit: the loss's own part at t, what flows back from t+1, and their sum."""
    traces = [dict(type="bar", x=df["unit"], y=df[name], name=name, marker=dict(color=color),
                   hovertemplate=f"unit %{{x}}<br>{name}: %{{y:.3e}}<extra></extra>")
              for name, color in (("from the loss at t", "#f2a541"), ("flowing back from t+1", BLUE))]
    traces.append(dict(type="scatter", x=df["unit"], y=df["dL/dh_t"], name="dL/dh_t (sum)", mode="markers",
                       marker=dict(symbol="line-ew-open", size=10, color="black"),
                       hovertemplate="unit %{x}<br>dL/dh_t = %{y:.3e}<extra></extra>"))
    return _figure(traces, "How dL/dh_t is built", barmode="relative", legend=dict(orientation="h", y=-0.2),
                   xaxis=dict(title=dict(text="hidden unit")))

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
    line = dict(type="scatter", x=xs, y=df["distance"], mode="lines+markers", line=dict(color=ACCENT),
                hovertemplate="%{x}<br>||h_t - h'_t|| = %{y:.4f}<extra></extra>")
    return _figure([line], "Distance between the two hidden-state paths",
                   xaxis=dict(type="category", title=dict(text="time step")),
                   yaxis=dict(title=dict(text="distance"), rangemode="tozero"))

# ----- Train page ---------------------------------------------------------------------------------
def training_loss_figure(df: pd.DataFrame, window: int = 20) -> go.Figure:
    """Loss per iteration (light) and its running mean over ``window`` iterations."""
    fig = go.Figure()
    if len(df):
        fig.add_trace(go.Scatter(x=df["iteration"], y=df["loss"], mode="lines", name="loss", line=dict(color=GREY, width=1),
                                 hovertemplate="iteration %{x}<br>loss %{y:.4f}<extra></extra>"))
        smooth = df["loss"].rolling(window, min_periods=1).mean()
        fig.add_trace(go.Scatter(x=df["iteration"], y=smooth, mode="lines", name=f"mean of last {window}",
                                 line=dict(color=BLUE, width=2.5), hovertemplate="iteration %{x}<br>mean %{y:.4f}<extra></extra>"))
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title="cross-entropy (nats)", rangemode="tozero")
    return _layout(fig, "Training loss", legend=dict(orientation="h", y=-0.25))


def step_norm_figure(norms: np.ndarray, clip: float | None, n_clipped: int, n_total: int,
                     iteration: int | None = None) -> go.Figure:
    """The latest iteration's ||dL/dh_t|| per step on a log axis, the clipping threshold drawn."""
    steps = np.arange(1, len(norms) + 1)
    fig = go.Figure(go.Scatter(x=steps, y=norms, mode="lines+markers", name="||dL/dh_t||", line=dict(color=BLUE),
                               hovertemplate="step %{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>"))
    if clip:
        fig.add_hline(y=clip, line=dict(color=ACCENT, dash="dash"),
                      annotation_text=f"clipping threshold {clip:g} (global norm)", annotation_position="top left")
    where = f"iteration {iteration}: " if iteration else ""
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(type="log", title="norm (log scale)")
    return _layout(fig, "Gradient norm per time step",
                   annotations=[dict(text=f"{where}clipped in {n_clipped} of {n_total} iterations", xref="paper",
                                     yref="paper", x=1, y=1.08, showarrow=False, font=dict(size=11, color=GREY))])


def step_norm_heatmap(matrix: np.ndarray, first_iteration: int = 1) -> go.Figure:
    """Every iteration's per-step norms: iterations (rows) by time steps, log10 colour."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(matrix > 0, matrix, np.nan))
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, matrix.shape[1] + 1) if matrix.size else [],
                               y=np.arange(first_iteration, first_iteration + matrix.shape[0]),
                               colorscale=SEQUENTIAL, colorbar=dict(title="log10", thickness=12),
                               hovertemplate="iteration %{y}<br>step %{x}<br>log10 ||dL/dh_t|| = %{z:.2f}<extra></extra>"))
    fig.update_xaxes(title="time step within the chunk")
    fig.update_yaxes(title="iteration")
    return _layout(fig, "Gradient norm per time step, every iteration")


def global_norm_figure(df: pd.DataFrame, clip: float | None) -> go.Figure:
    """The global gradient norm (before clipping) per iteration; clipped iterations marked."""
    fig = go.Figure()
    if len(df):
        fig.add_trace(go.Scatter(x=df["iteration"], y=df["grad_norm"], mode="lines", name="global norm",
                                 line=dict(color=BLUE), hovertemplate="iteration %{x}<br>norm %{y:.3e}<extra></extra>"))
        hit = df[df["clipped"]]
        fig.add_trace(go.Scatter(x=hit["iteration"], y=hit["grad_norm"], mode="markers", name="clipped",
                                 marker=dict(color=ACCENT, size=5)))
    if clip:
        fig.add_hline(y=clip, line=dict(color=ACCENT, dash="dash"))
    fig.update_yaxes(type="log", title="norm (log scale)")
    fig.update_xaxes(title="iteration")
    return _layout(fig, "Global gradient norm", legend=dict(orientation="h", y=-0.25))


def runs_figure(runs: list[dict]) -> go.Figure:
    """Loss curves of chosen runs overlaid (x: iteration within the run)."""
    fig = go.Figure()
    for r in runs:
        fig.add_trace(go.Scatter(y=r["losses"], x=np.arange(1, len(r["losses"]) + 1), mode="lines",
                                 name=f"run {r['run']}: {r['cell']} H={r['hidden']} lr={r['lr']:g} {r['optimizer']}"))
    fig.update_xaxes(title="iteration within the run")
    fig.update_yaxes(title="loss (nats)", rangemode="tozero")
    return _layout(fig, "Loss curves of chosen runs", legend=dict(orientation="h", y=-0.25))


# ----- Gradient lab -----------------------------------------------------------------------------------
CELL_COLORS = {"RNN": ACCENT, "LSTM": BLUE, "GRU": "#3bb273", "rho^(T-t)": GREY}


def jacobian_lab_figure(df: pd.DataFrame) -> go.Figure:
    """||dh_T/dh_t|| against t for each cell, log axis, with the rho^(T-t) line."""
    fig = go.Figure()
    for cell, part in df.groupby("cell", sort=False):
        dash = "dash" if cell == "rho^(T-t)" else None
        fig.add_trace(go.Scatter(x=part["t"], y=part["norm"], mode="lines", name=cell,
                                 line=dict(color=CELL_COLORS.get(cell), dash=dash, width=2.5),
                                 hovertemplate=f"{cell}<br>t = %{{x}}<br>%{{y:.3e}}<extra></extra>"))
    fig.update_yaxes(type="log", title="||dh_T / dh_t|| (log scale)", exponentformat="power")
    fig.update_xaxes(title="time step t")
    return _layout(fig, "How much gradient survives: ||dh_T/dh_t||", height=380, legend=dict(orientation="h", y=-0.2))


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
    return _layout(fig, "Eigenvalues of W_hh", height=380, legend=dict(orientation="h", y=-0.2))


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
    return _layout(fig, "Training loss with and without clipping", showlegend=False)


def lag_sweep_figure(df: pd.DataFrame) -> go.Figure:
    """Accuracy and the gradient reaching the remembered token against the gap, one line per cell."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("accuracy", "||dL/dh_0|| / ||dL/dh_T|| (log)"))
    for cell, part in df.groupby("cell", sort=False):
        color = CELL_COLORS.get(cell.upper())
        fig.add_trace(go.Scatter(x=part["gap"], y=part["accuracy"], mode="lines+markers", name=cell.upper(),
                                 line=dict(color=color)), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["gap"], y=part["grad_ratio_first_last"], mode="lines+markers",
                                 name=cell.upper(), line=dict(color=color), showlegend=False), row=1, col=2)
    if len(df):
        fig.add_hline(y=float(df["chance"].iloc[0]), line=dict(color=GREY, dash="dot"), row=1, col=1,
                      annotation_text="chance")
    fig.update_yaxes(range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    fig.update_xaxes(title="gap (tokens between the symbol and the question)")
    return _layout(fig, "Lag sweep: what each cell remembers", height=380, legend=dict(orientation="h", y=-0.25))


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
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_xaxes(type="category")
    return _layout(fig, "RNN vs LSTM: what reaches the last step", height=400, showlegend=False)
