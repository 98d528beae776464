"""Figures that more than one page draws (pure: no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .frames import decimate
from .i18n import N_, _, ngettext, num
from .style import ACCENT, BLUE, GREY, figure, layout
from .text import plotly_text


def next_token_figure(df: pd.DataFrame, scale: str = "probability") -> go.Figure:
    """Horizontal bars of the top-k next tokens (frame from ``frames.top_k_frame``): their probability, or with
    ``scale="log-probability"`` log p (which shows the small ones that probability bars squash to nothing). Where the
    frame has logits, each bar also reads the logit z behind the softmax."""
    logp = scale == "log-probability"
    x = df["log-probability" if logp else "probability"].to_numpy()
    text = [_("log p {value}").format(value=num(lp, ".2f")) if logp else num(p, ".1%") for p, lp in
            zip(df["probability"], df["log-probability"] if logp else df["probability"])]
    if "logit" in df:
        text = [f"{t} · z {num(z, '.1f')}" for t, z in zip(text, df["logit"])]
    bar = dict(type="bar", x=x, y=[plotly_text(t) for t in df["token"]], orientation="h",
               marker=dict(color=[ACCENT if r == 1 else BLUE for r in df["rank"]]),
               text=text, textposition="auto",
               hovertemplate="%{y}: " + ("log p = %{x:.3f}" if logp else "p = %{x:.6f}") + "<extra></extra>")
    axis = dict(title=dict(text=_("log-probability (nats)"))) if logp else dict(title=dict(text=_("probability")),
                                                                                 range=[0, 1])
    return figure([bar], _("Next-token probabilities"), height=max(220, 40 + 26 * len(df)),
                   yaxis=dict(autorange="reversed", type="category"), xaxis=axis)


def pca_figure(df: pd.DataFrame, current_step: int, fixed: tuple | None = None) -> go.Figure:
    """The path of h_1..h_t in two principal components, on fixed axes (``fixed`` = (x range, y range))."""
    shown = df[df["step"] <= current_step]
    pad = lambda s: (float(s.min()) - 0.1 * (float(np.ptp(s)) + 1e-9), float(s.max()) + 0.1 * (float(np.ptp(s)) + 1e-9))
    path = dict(type="scatter", x=shown["pc1"], y=shown["pc2"], mode="lines+markers+text",
                text=[plotly_text(t) for t in shown["token"]], textposition="top center",
                marker=dict(size=9, color=[ACCENT if s == current_step else BLUE for s in shown["step"]]),
                line=dict(color=GREY), customdata=shown["step"],
                hovertemplate=_("step %{customdata}: %{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}") + "<extra></extra>")
    e1, e2 = (float(df["explained1"].iloc[0]), float(df["explained2"].iloc[0])) if len(df) else (0.0, 0.0)
    xr, yr = fixed if fixed is not None else (pad(df["pc1"]), pad(df["pc2"]))
    return figure([path], _("Hidden-state path (PCA)"),
                   xaxis=dict(range=list(xr), title=dict(text=_("PC1 ({share} of variance)").format(
                       share=num(e1, ".0%")))),
                   yaxis=dict(range=list(yr), title=dict(text=_("PC2 ({share})").format(share=num(e2, ".0%")))))


def loss_per_step_figure(losses: np.ndarray, labels: list[str] | None = None, last_only: bool = False) -> go.Figure:
    """e_t, the loss at each time step, as bars (only the last one for many-to-one); ``labels`` name the steps
    (tokens), else they are numbered."""
    x = [plotly_text(s) for s in labels] if labels is not None else list(range(1, len(losses) + 1))
    bar = dict(type="bar", x=x, y=np.asarray(losses, float), marker=dict(color=BLUE), name="e_t",
               hovertemplate=_("%{x}<br>e_t = %{y:.3f} nats") + "<extra></extra>")
    title = _("Loss at each time step e_t (many-to-one: the last step only)") if last_only else \
        _("Loss at each time step e_t")
    return figure([bar], title, yaxis=dict(title=dict(text=_("e_t (nats)")), rangemode="tozero"),
                  xaxis=dict(type="category" if labels is not None else "linear",
                             title=dict(text=_("time step") if labels is not None else
                                        _("time step within the chunk"))))


def w_hh_terms_figure(terms: np.ndarray, labels: list[str] | None = None) -> go.Figure:
    """Each time step's term of dL/dW_hh projected on the total: bars that add up to ||dL/dW_hh||."""
    x = [plotly_text(s) for s in labels] if labels is not None else list(range(1, len(terms) + 1))
    t = np.asarray(terms, float)
    bar = dict(type="bar", x=x, y=t, marker=dict(color=[BLUE if v >= 0 else ACCENT for v in t]), name=_("term"),
               hovertemplate=_("%{x}<br>term %{y:.3e}") + "<extra></extra>")
    return figure([bar], _("dL/dW_hh as a sum over time steps"),
                  yaxis=dict(title=dict(text=_("step t's term along the total"))),
                  xaxis=dict(type="category" if labels is not None else "linear",
                             title=dict(text=_("time step") if labels is not None else
                                        _("time step within the chunk"))))


def step_norm_figure(norms: np.ndarray, clip: float | None, n_clipped: int, n_total: int,
                     iteration: int | None = None, x_title: str = N_("time step within the chunk")) -> go.Figure:
    """The latest iteration's ||dL/dh_t|| per step on a log axis, the clipping threshold drawn."""
    steps = np.arange(1, len(norms) + 1)
    fig = go.Figure(go.Scatter(x=steps, y=norms, mode="lines+markers", name="||dL/dh_t||", line=dict(color=BLUE),
                               hovertemplate=_("step %{x}<br>||dL/dh_t|| = %{y:.3e}") + "<extra></extra>"))
    if clip:
        fig.add_hline(y=clip, line=dict(color=ACCENT, dash="dash"),
                      annotation_text=_("clipping threshold {clip} (global norm)").format(clip=num(clip, "g")),
                      annotation_position="top left")
    if iteration:
        note = ngettext("iteration {i}: clipped in {n} of {total} iterations",
                        "iteration {i}: clipped in {n} of {total} iterations", n_total)
    else:
        note = ngettext("clipped in {n} of {total} iterations", "clipped in {n} of {total} iterations", n_total)
    fig.update_xaxes(title=_(x_title))
    fig.update_yaxes(type="log", title=_("norm (log scale)"))
    return layout(fig, _("Gradient norm per time step"),
                   annotations=[dict(text=note.format(i=iteration, n=n_clipped, total=n_total), xref="paper",
                                     yref="paper", x=1, y=1.08, showarrow=False, font=dict(size=11))])


def loss_curve_traces(df: pd.DataFrame, window: int = 20, names=(N_("loss"), N_("mean of last {window}")),
                      number: str = ".4f") -> list[go.Scatter]:
    """A training loss per iteration (thin, grey) and its running mean over ``window`` iterations (blue): what
    Train's and Time series' loss charts both start with. A long run's curves are thinned (``decimate``)."""
    if not len(df):
        return []
    smooth = df["loss"].rolling(window, min_periods=1).mean()       # over every iteration, then thinned to draw
    raw_name, mean_name = _(names[0]), _(names[1]).format(window=window)
    x, y = decimate(df["iteration"].to_numpy(), df["loss"].to_numpy())
    xs, ys = decimate(df["iteration"].to_numpy(), smooth.to_numpy())
    return [go.Scatter(x=x, y=y, mode="lines", name=raw_name, line=dict(color=GREY, width=1),
                       hovertemplate=_("iteration %{{x}}<br>{name} %{{y:{number}}}").format(name=raw_name,
                                                                                            number=number)
                       + "<extra></extra>"),
            go.Scatter(x=xs, y=ys, mode="lines", name=mean_name, line=dict(color=BLUE, width=2.5),
                       hovertemplate=_("iteration %{{x}}<br>mean %{{y:{number}}}").format(number=number)
                       + "<extra></extra>")]
