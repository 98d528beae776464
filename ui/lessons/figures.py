"""The two figures only a lesson draws (pure: no Streamlit); every other lesson draws a page's own figure."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.common.i18n import N_, _, num
from ui.common.style import ACCENT, BLUE, GREY, figure
from ui.common.text import plotly_text


def weights_figure(counts: dict[str, int], numbers: bool = True) -> go.Figure:
    """The recurrent layer's weights: one shared cell, one layer per position, one layer over the whole input
    (``numbers``: each bar's count written on it; without them the lengths on a log axis)."""
    names = list(counts)
    bar = dict(type="bar", x=[counts[n] for n in names], y=names, orientation="h",
               marker=dict(color=[ACCENT if i == 0 else BLUE for i in range(len(names))]),
               text=[num(counts[n], ",") for n in names] if numbers else None, textposition="auto",
               hovertemplate=_("%{y}: %{x:,} weights") + "<extra></extra>" if numbers else "%{y}<extra></extra>")
    return figure([bar], _("Weights: one shared cell or one layer per position"), height=260,
                  yaxis=dict(autorange="reversed", type="category"),
                  xaxis=dict(title=dict(text=_("weights (log scale)")), type="log"))


FULL, TRUNCATED = N_("full BPTT"), N_("truncated to k steps")     # trace names, drawn and looked up as _(FULL)


def truncation_figure(full: np.ndarray, cut: np.ndarray, tokens: list[str], k: int) -> go.Figure:
    """||de_T/dh_t||, the last step's loss going back: with full BPTT and truncated to ``k`` steps (zero before)."""
    xs = [f"{i + 1} {plotly_text(w)}" for i, w in enumerate(tokens)]
    shown = np.where(cut > 0, cut, np.nan)
    traces = [dict(type="scatter", x=xs, y=np.asarray(full, float), name=_(FULL), mode="lines+markers",
                   line=dict(color=GREY, dash="dash"),
                   hovertemplate="%{x}<br>" + _("full: %{y:.3e}") + "<extra></extra>"),
              dict(type="bar", x=xs, y=shown, name=f"{_(TRUNCATED)} (k = {k})", marker=dict(color=BLUE),
                   hovertemplate="%{x}<br>" + _("truncated: %{y:.3e}") + "<extra></extra>")]
    lo = len(tokens) - k
    shapes = [dict(type="rect", xref="x", yref="paper", x0=-0.5, x1=lo - 0.5, y0=0, y1=1, fillcolor=GREY,
                   opacity=0.12, line=dict(width=0))] if lo > 0 else []
    return figure(traces, _("The last step's gradient with truncation"), shapes=shapes,
                  legend=dict(orientation="h", y=-0.3), xaxis=dict(type="category", title=dict(text=_("time step"))),
                  yaxis=dict(type="log", title=dict(text=_("||de_T/dh_t|| (log scale)"))))
