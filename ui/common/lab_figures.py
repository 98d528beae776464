"""The Gradient lab's figures (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .i18n import _
from .lab_compute import run_label
from .style import ACCENT, BLUE, CELL_COLORS, CELL_DASH, GREY, SEQUENTIAL, layout
from .text import plotly_text


# the gated cells' own paths (product of their gates) in the cell's colour, thinner, dash-dot; their trace names stay
# English: captions find the lines by them (style.line_style)
GATE_PATHS = {"LSTM: forget gates f_t+1 ... f_T": "LSTM", "GRU: update gates z_t+1 ... z_T": "GRU"}
COLORS = {**CELL_COLORS, "rho^(T-t)": GREY, **{k: CELL_COLORS[c] for k, c in GATE_PATHS.items()}}
DASHES = {**CELL_DASH, "rho^(T-t)": "longdashdot", **{k: "dashdot" for k in GATE_PATHS}}


def jacobian_lab_figure(df: pd.DataFrame) -> go.Figure:
    """||ds_T/ds_t|| against t for each cell (s = h, or (h, c) for the LSTM), log axis, with the rho^(T-t) line."""
    fig = go.Figure()
    for cell, part in df.groupby("cell", sort=False):
        fig.add_trace(go.Scatter(x=part["t"], y=part["norm"], mode="lines", name=_(cell),
                                 line=dict(color=COLORS.get(cell), dash=DASHES.get(cell),
                                           width=1.5 if cell in GATE_PATHS else 2.5),
                                 hovertemplate=f"{cell}<br>t = %{{x}}<br>%{{y:.3e}}<extra></extra>"))
    fig.update_yaxes(type="log", title=_("||ds_T / ds_t|| (log scale)"))
    fig.update_xaxes(title=_("time step t"))
    return layout(fig, _("How much gradient survives: ||ds_T/ds_t||"), height=380,
                  legend=dict(orientation="h", y=-0.2))


def eigen_figure(eigs: np.ndarray) -> go.Figure:
    """Eigenvalues of W_hh in the complex plane with the unit circle."""
    th = np.linspace(0, 2 * np.pi, 200)
    fig = go.Figure([
        go.Scatter(x=np.cos(th), y=np.sin(th), mode="lines", name=_("unit circle"), line=dict(color=GREY, dash="dot")),
        go.Scatter(x=eigs.real, y=eigs.imag, mode="markers", name=_("eigenvalues"), marker=dict(color=ACCENT, size=6),
                   hovertemplate="%{x:.3f} + %{y:.3f}i<extra></extra>"),
    ])
    lim = max(1.2, float(np.abs(eigs).max()) * 1.1)
    fig.update_xaxes(range=[-lim, lim], title=_("real"), zeroline=True)
    fig.update_yaxes(range=[-lim, lim], title=_("imaginary"), scaleanchor="x", zeroline=True)
    return layout(fig, _("Eigenvalues of W_hh"), height=380, legend=dict(orientation="h", y=-0.2))


def clipping_figure(df: pd.DataFrame) -> go.Figure:
    """Loss curves of the same run without and with clipping, side by side on one y range."""
    runs = list(dict.fromkeys(df["run"]))
    fig = make_subplots(rows=1, cols=len(runs), shared_yaxes=True, subplot_titles=[run_label(r) for r in runs])
    for c, name in enumerate(runs, start=1):
        part = df[df["run"] == name]
        fig.add_trace(go.Scatter(x=part["iteration"], y=part["loss"], mode="lines", name=run_label(name),
                                 line=dict(color=ACCENT if c == 1 else BLUE)), row=1, col=c)
        if part["diverged"].any():
            it = int(part.loc[part["diverged"], "iteration"].iloc[0])
            fig.add_vline(x=it, line=dict(color=ACCENT, dash="dash"), row=1, col=c)
    fig.update_yaxes(title=_("loss (nats)"), row=1, col=1)
    fig.update_xaxes(title=_("iteration"))
    return layout(fig, _("Training loss with and without clipping"), showlegend=False)


CELL_SYMBOLS = {"RNN": "circle", "LSTM": "square", "GRU": "diamond"}


def lag_sweep_figure(df: pd.DataFrame) -> go.Figure:
    """Accuracy and the gradient reaching the remembered token against the gap, one line per cell. The cells' points
    sit side by side around each gap (a small offset, the true gap in the hover) with their own marker, so two cells
    at the same value (the LSTM and the GRU at 1.0) are both seen."""
    acc = _("accuracy (within 0.04 of the sum)") if df.attrs.get("task") == "adding" else _("accuracy")
    fig = make_subplots(rows=1, cols=2, subplot_titles=(acc, _("||dL/dh_0|| / ||dL/dh_T|| (log)")))
    gaps = sorted(df["gap"].unique())
    step = min(np.diff(gaps)) if len(gaps) > 1 else 1.0
    cells = list(dict.fromkeys(df["cell"]))
    for k, (cell, part) in enumerate(df.groupby("cell", sort=False)):
        name = cell.upper()
        color, dash = CELL_COLORS.get(name), CELL_DASH.get(name)
        x = part["gap"].to_numpy(float) + (k - (len(cells) - 1) / 2) * 0.12 * step
        style = dict(mode="lines+markers", line=dict(color=color, dash=dash),
                     marker=dict(symbol=CELL_SYMBOLS.get(name, "circle"), size=9), customdata=part["gap"])
        fig.add_trace(go.Scatter(x=x, y=part["accuracy"], name=name, **style,
                                 hovertemplate=f"{name}<br>" + _("gap %{customdata}<br>accuracy %{y:.3f}")
                                 + "<extra></extra>"),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=x, y=part["grad_ratio_first_last"], name=name, showlegend=False, **style,
                                 hovertemplate=f"{name}<br>" + _("gap %{customdata}<br>ratio %{y:.1e}")
                                 + "<extra></extra>"),
                      row=1, col=2)
    if len(df):
        fig.add_hline(y=float(df["chance"].iloc[0]), line=dict(color=GREY, dash="dot"), row=1, col=1,
                      annotation_text=_("chance"))
    fig.update_yaxes(range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_xaxes(tickvals=gaps, title=_("gap (steps between the first marked number and the end)")
                     if df.attrs.get("task") == "adding" else
                     _("gap (filler words between the dish and “So, ...”)") if df.attrs.get("task") == "cuisine" else
                     _("gap (tokens between the symbol and the question)"))
    return layout(fig, _("Lag sweep: what each cell remembers"), height=380, legend=dict(orientation="h", y=-0.25))


def late_loss_figure(norms: dict[str, np.ndarray], forget_prod: np.ndarray, labels: list[str],
                     cursor: int) -> go.Figure:
    """Left: ||de_T/ds_t|| relative to step T for each cell (s = h, or (h, c) for the LSTM), log axis; right: the
    LSTM's forget-gate products f_t+1 ... f_T per unit; one time cursor on both."""
    xs = [plotly_text(s) for s in labels]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        subplot_titles=(_("||de_T/ds_t|| / ||de_T/ds_T|| (log)"),
                                        _("LSTM: forget gates f_t+1 ... f_T, per unit")))
    for cell, n in norms.items():
        name = cell.upper()
        rel = n / n[-1] if n[-1] > 0 else np.zeros_like(n)
        fig.add_trace(go.Scatter(x=xs, y=rel, mode="lines+markers", name=name,
                                 line=dict(color=CELL_COLORS.get(name), dash=CELL_DASH.get(name), width=2.5),
                                 marker=dict(symbol=CELL_SYMBOLS.get(name, "circle"), size=7), customdata=n,
                                 hovertemplate=f"{name}<br>%{{x}}<br>"
                                 + _("%{y:.3g} of step T's (||de_T/ds_t|| = %{customdata:.3e})") + "<extra></extra>"),
                      row=1, col=1)
    fig.add_trace(go.Heatmap(z=forget_prod.T, x=xs, colorscale=SEQUENTIAL, zmin=0, zmax=1,
                             colorbar=dict(thickness=12, x=1.0),
                             hovertemplate="%{x}<br>" + _("unit %{y}<br>product %{z:.3f}") + "<extra></extra>"),
                  row=1, col=2)
    for col in (1, 2):
        fig.add_vrect(x0=cursor - 1.5, x1=cursor - 0.5, line=dict(color=ACCENT, width=2), row=1, col=col)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(title=_("unit"), autorange="reversed", row=1, col=2)
    fig.update_xaxes(type="category")
    return layout(fig, _("One late loss, three cells: what reaches each step"), height=420,
                  legend=dict(orientation="h", y=-0.3))
