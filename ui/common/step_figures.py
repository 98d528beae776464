"""Step through's figures (pure: no Streamlit, so tests build them from small frames)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .i18n import N_, _
from .style import ACCENT, BLUE, DIVERGING, GREY, INK, ORANGE, SEQUENTIAL, figure, layout
from .text import plotly_text

from .step_frames import frame_to_grid


SATURATION_ROW = N_("share of |h| > 0.95 (tanh's flat region)")
# the gates' names as the engine writes them (and the LSTM's cell state), for the gate heatmaps' titles
GATE_TITLES = {"input": N_("input"), "forget": N_("forget"), "cell candidate": N_("cell candidate"),
               "output": N_("output"), "reset": N_("reset"), "update": N_("update"), "new": N_("new"),
               "cell state c_t": N_("cell state c_t")}


def hidden_heatmap(df: pd.DataFrame, current_step: int | None = None, title: str = N_("Hidden state over time"),
                   colorscale: str = DIVERGING, zrange: tuple[float, float] = (-1, 1), selectable: bool = True,
                   height: int = 380, saturated: np.ndarray | None = None) -> go.Figure:
    """Units (rows) by time steps (columns); the current step boxed, its cells clickable. ``saturated``: (T,) the
    share of each step's values in tanh's flat region, written above its column (up to 40 steps)."""
    z, labels, units = frame_to_grid(df)
    xs = [plotly_text(s) for s in labels]
    traces = [dict(type="heatmap", z=z, x=xs, y=units, colorscale=colorscale, zmin=zrange[0], zmax=zrange[1],
                   hovertemplate=_("step %{x}<br>unit %{y}<br>value %{z:.4f}") + "<extra></extra>",
                   colorbar=dict(thickness=12))]
    if saturated is not None and 0 < len(xs) <= 40:
        traces.append(dict(type="scatter", x=xs, y=[-1.5] * len(xs), mode="text", name=_(SATURATION_ROW),
                           text=[f"{v:.0%}" for v in saturated], textfont=dict(size=10), showlegend=False,
                           hovertemplate=_("%{x}: %{text} of the values have |h| > 0.95") + "<extra></extra>"))
    shapes = []
    if current_step is not None and 1 <= current_step <= len(xs):
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=current_step - 1.5, x1=current_step - 0.5,
                           y0=0, y1=1, line=dict(color=ACCENT, width=3)))
        if selectable:
            # invisible markers on the boxed column make its cells clickable (one column, not T x H
            # markers: every marker is an SVG node the browser redraws on every step)
            H = len(units)
            traces.append(dict(type="scatter", x=[xs[current_step - 1]] * H, y=units, mode="markers",
                               marker=dict(size=8, opacity=0), name=_("cells"), hoverinfo="skip", showlegend=False,
                               customdata=np.column_stack([np.full(H, current_step), units])))
    return figure(traces, _(title), height=height, clickmode="event+select", dragmode=False, shapes=shapes,
                   xaxis=dict(type="category", title=dict(text=_("time step"))),
                   yaxis=dict(title=dict(text=_("hidden unit")), autorange="reversed"))


def pieces_figure(df: pd.DataFrame) -> go.Figure:
    """a_t as stacked bars of its terms per unit, with a_t and h_t = f(a_t) as markers."""
    traces = [dict(type="bar", x=df["unit"], y=df[name], name=name, marker=dict(color=color),
                   hovertemplate=_("unit %{{x}}<br>{name} = %{{y:.4f}}").format(name=name) + "<extra></extra>")
              for name, color in (("W_xh x_t", ORANGE), ("W_hh h_t-1", BLUE), ("b_h", GREY))]
    traces += [
        dict(type="scatter", x=df["unit"], y=df["a_t"], name=_("a_t (sum)"), mode="markers",
             marker=dict(symbol="line-ew-open", size=10, color=INK),
             hovertemplate=_("unit %{x}<br>a_t = %{y:.4f}") + "<extra></extra>"),
        dict(type="scatter", x=df["unit"], y=df["h_t"], name="h_t = f(a_t)", mode="markers",
             marker=dict(size=6, color=ACCENT),
             hovertemplate=_("unit %{x}<br>h_t = %{y:.4f}") + "<extra></extra>"),
    ]
    return figure(traces, _("The pieces of h_t"), barmode="relative", clickmode="event+select",
                   legend=dict(orientation="h", y=-0.2), xaxis=dict(title=dict(text=_("hidden unit"))))


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
    tx, ty, text, size = [], [], [], []
    for k, t in enumerate(steps):                         # text in the theme's colour; the current token bold
        token = plotly_text(tokens[t])
        tx += [k, k, k, k + 0.14, k + 0.14]
        ty += [1.0, 0.1, 2.1, 0.45, 1.6]
        text += [f"h<sub>{t + 1}</sub>", f"<b>{token}</b>" if k in lit else token, f"y<sub>{t + 1}</sub>", "W_xh",
                 "W_hy"]
        size += [14, 12, 12, 9, 9]
        if k > 0:
            tx.append(k - 0.5)
            ty.append(1.12)
            text.append("W_hh")
            size.append(9)
    traces.append(dict(type="scatter", x=tx, y=ty, mode="text", text=text, textfont=dict(size=size),
                       hoverinfo="skip", showlegend=False))
    traces.append(dict(type="scatter", x=list(range(n)), y=[1.0] * n, mode="markers", marker=dict(opacity=0),
                       customdata=[t + 1 for t in steps], hovertemplate=_("step %{customdata}") + "<extra></extra>",
                       showlegend=False))
    cell_name = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}.get(cell, cell)
    return figure(traces, _("Unrolled network ({cell}: the same weights at every step)").format(cell=cell_name),
                  height=260,
                   xaxis=dict(visible=False, range=[-0.6, max(n, 4) - 0.4]),
                   yaxis=dict(visible=False, range=[-0.1, 2.3]))


# trace names that captions look up (style.line_style, here and in the lessons): kept in English
LAST_STEP = N_("||de_T/dh_t||: the last step's loss alone")     # the English name is the lookup key (line_style);
UNTRAINED = N_("untrained RNN, same size: ||de_T/dh_t||")       # the legend shows _(name)
JACOBIAN = "||ds_T / ds_t||"


def gradient_figure(df: pd.DataFrame, from_step: int | None = None) -> go.Figure:
    """||dL/dh_t|| per step as bars (filled from the last step back to ``from_step``), ||d s_T/d s_t|| as a line."""
    g = df["grad_norm"].to_numpy(dtype=float).copy()
    if from_step is not None:
        g[df["step"].to_numpy() < from_step] = np.nan
    xs = [plotly_text(s) for s in df["label"]]
    traces = [dict(type="bar", x=xs, y=g, name="||dL/dh_t||", marker=dict(color=BLUE),
                   hovertemplate="%{x}<br>||dL/dh_t|| = %{y:.3e}<extra></extra>"),
              dict(type="scatter", x=xs, y=df["jacobian_norm"], name=JACOBIAN, mode="lines+markers",
                   line=dict(color=ACCENT), hovertemplate="%{x}<br>||ds_T/ds_t|| = %{y:.3e}<extra></extra>")]
    if "last_step" in df:
        traces.append(dict(type="scatter", x=xs, y=df["last_step"], name=_(LAST_STEP),
                           mode="lines", line=dict(color=GREY, dash="dash"),
                           hovertemplate="%{x}<br>||de_T/dh_t|| = %{y:.3e}<extra></extra>"))
    if "untrained" in df:
        traces.append(dict(type="scatter", x=xs, y=df["untrained"], name=_(UNTRAINED), mode="lines+markers",
                           line=dict(color=ORANGE, dash="dot", width=2.5), marker=dict(size=5, color=ORANGE),
                           hovertemplate=_("%{x}<br>untrained RNN ||de_T/dh_t|| = %{y:.3e}") + "<extra></extra>"))
    return figure(traces, _("Gradient norm per time step"), legend=dict(orientation="h", y=-0.35),
                   yaxis=dict(type="log", title=dict(text=_("norm (log scale)"))),
                   xaxis=dict(type="category", title=dict(text=_("time step"))))


def backward_figure(df: pd.DataFrame) -> go.Figure:
    """dL/dh_t per unit: the loss's own part at t, what flows back from t+1, and their sum."""
    traces = [dict(type="bar", x=df["unit"], y=df[name], name=_(name), marker=dict(color=color),
                   hovertemplate=_("unit %{{x}}<br>{name}: %{{y:.3e}}").format(name=_(name)) + "<extra></extra>")
              for name, color in ((N_("from the loss at t"), ORANGE), (N_("flowing back from t+1"), BLUE))]
    traces.append(dict(type="scatter", x=df["unit"], y=df["dL/dh_t"], name=_("dL/dh_t (sum)"), mode="markers",
                       marker=dict(symbol="line-ew-open", size=10, color=INK),
                       hovertemplate=_("unit %{x}<br>dL/dh_t = %{y:.3e}") + "<extra></extra>"))
    return figure(traces, _("How dL/dh_t is built"), barmode="relative", legend=dict(orientation="h", y=-0.2),
                   xaxis=dict(title=dict(text=_("hidden unit"))))


def gates_figure(frames: dict[str, pd.DataFrame], current_step: int) -> go.Figure:
    """One heatmap per gate (and the LSTM's cell state), units by time, sharing the time axis."""
    names = list(frames)
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[_(GATE_TITLES.get(n, n)) for n in names])
    for r, name in enumerate(names, start=1):
        z, labels, units = frame_to_grid(frames[name])
        signed = name in ("cell candidate", "new", "cell state c_t")
        lim = float(max(1.0, np.abs(z).max())) if name == "cell state c_t" else 1.0
        fig.add_trace(go.Heatmap(
            z=z, x=[plotly_text(s) for s in labels], y=units, coloraxis=None, showscale=False,
            colorscale=DIVERGING if signed else SEQUENTIAL, zmin=-lim if signed else 0, zmax=lim,
            hovertemplate=_("{name}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.4f}}").format(
                name=_(GATE_TITLES.get(name, name))) + "<extra></extra>"), row=r, col=1)
        fig.update_yaxes(autorange="reversed", row=r, col=1)
        fig.add_vrect(x0=current_step - 1.5, x1=current_step - 0.5, line=dict(color=ACCENT, width=2), row=r, col=1)
    fig.update_xaxes(type="category")
    return layout(fig, _("Gates over time"), height=170 * len(names) + 60)


def probe_figure(df: pd.DataFrame) -> go.Figure:
    """||h_t - h'_t|| per step: where the swapped word enters and how long the difference lasts."""
    xs = [f"{s} {plotly_text(a)}" + ("" if a == b else f"→{plotly_text(b)}")
          for s, a, b in zip(df["step"], df["original"], df["swapped"])]
    line = dict(type="scatter", x=xs, y=df["distance"], mode="lines+markers", line=dict(color=ACCENT),
                hovertemplate="%{x}<br>||h_t - h'_t|| = %{y:.4f}<extra></extra>")
    return figure([line], _("Distance between the two hidden-state paths"),
                   xaxis=dict(type="category", title=dict(text=_("time step"))),
                   yaxis=dict(title=dict(text=_("distance")), rangemode="tozero"))


WEIGHT_ROWS = {"W_xh": "dE/dU = dL/dW_xh", "W_hh": "dE/dW = dL/dW_hh", "W_hy": "dE/dV = dL/dW_hy"}


def weight_terms_figure(terms: dict[str, np.ndarray], labels: list[str]) -> go.Figure:
    """The seeds' three weight gradients as sums over time steps: one row of bars per weight (U, W, V), each step's
    term measured along the total, so a row adds up to that gradient's norm."""
    xs = [plotly_text(s) for s in labels]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=[WEIGHT_ROWS[k] for k in WEIGHT_ROWS])
    for r, (name, color) in enumerate((("W_xh", ORANGE), ("W_hh", BLUE), ("W_hy", ACCENT)), start=1):
        t = np.asarray(terms[name], float)
        fig.add_trace(go.Bar(x=xs, y=t, name=WEIGHT_ROWS[name], marker_color=color,
                             hovertemplate=_("%{{x}}<br>{name} term %{{y:.3e}}").format(name=name) + "<extra></extra>"),
                      row=r, col=1)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title=_("time step"), row=3, col=1)
    return layout(fig, _("dE/dU, dE/dW, dE/dV as sums over time steps"), height=460, showlegend=False)
