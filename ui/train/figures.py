"""The Train page's figures (no Streamlit calls; their words in the session's language)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.common.figures import loss_curve_traces
from ui.common.frames import decimate, thin_rows
from ui.common.i18n import N_, _, num
from ui.common.style import ACCENT, BLUE, GREY, SEQUENTIAL, layout, line_style
from ui.common.text import sig


def training_loss_figure(df: pd.DataFrame, window: int = 20) -> go.Figure:
    """Loss per iteration (light) and its running mean over ``window`` iterations."""
    fig = go.Figure(loss_curve_traces(df, window))
    fig.update_xaxes(title=_("iteration"))
    fig.update_yaxes(title=_("cross-entropy (nats)"), rangemode="tozero")
    return layout(fig, _("Training loss"), legend=dict(orientation="h", y=-0.25))


def step_norm_heatmap(matrix: np.ndarray, iterations) -> go.Figure:
    """Every kept iteration's per-step norms: iterations (rows) by time steps, log10 colour (at most
    MAX_HEATMAP_ROWS rows drawn, evenly spaced)."""
    matrix, iterations = thin_rows(matrix, iterations)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(matrix > 0, matrix, np.nan)).astype(np.float32)
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, matrix.shape[1] + 1) if matrix.size else [],
                               y=np.asarray(iterations),
                               colorscale=SEQUENTIAL, colorbar=dict(title="log10", thickness=12),
                               hovertemplate=_("iteration %{y}<br>step %{x}<br>log10 ||dL/dh_t|| = %{z:.2f}")
                                             + "<extra></extra>"))
    fig.update_xaxes(title=_("time step within the chunk"))
    fig.update_yaxes(title=_("iteration"))
    return layout(fig, _("Gradient norm per time step, every iteration"))


def global_norm_figure(df: pd.DataFrame, clip: float | None) -> go.Figure:
    """The global gradient norm (before clipping) per iteration; clipped iterations marked."""
    fig = go.Figure()
    if len(df):
        x, y = decimate(df["iteration"].to_numpy(), df["grad_norm"].to_numpy())
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=_("global norm"), line=dict(color=BLUE),
                                 hovertemplate=_("iteration %{x}<br>norm %{y:.3e}") + "<extra></extra>"))
        hit = df[df["clipped"]]
        hit_x, hit_y = decimate(hit["iteration"].to_numpy(), hit["grad_norm"].to_numpy())
        fig.add_trace(go.Scatter(x=hit_x, y=hit_y, mode="markers", name=_("clipped"),
                                 marker=dict(color=ACCENT, size=5)))
    if clip:
        fig.add_hline(y=clip, line=dict(color=ACCENT, dash="dash"))
    fig.update_yaxes(type="log", title=_("norm (log scale)"))
    fig.update_xaxes(title=_("iteration"))
    return layout(fig, _("Global gradient norm"), legend=dict(orientation="h", y=-0.25))


def runs_figure(runs: list[dict]) -> go.Figure:
    """Loss curves of chosen runs overlaid (x: iteration within the run)."""
    fig = go.Figure()
    for r in runs:
        name = _("run {run}: {cell} H={H} lr={lr} {optimizer}").format(run=r["run"], cell=r["cell"], H=r["hidden"],
                                                                        lr=num(r["lr"], "g"), optimizer=r["optimizer"])
        fig.add_trace(go.Scatter(y=r["losses"], x=r["loss_at"], mode="lines", name=name))
    fig.update_xaxes(title=_("iteration within the run"))
    fig.update_yaxes(title=_("loss (nats)"), rangemode="tozero")
    return layout(fig, _("Loss curves of chosen runs"), legend=dict(orientation="h", y=-0.25))


# the run history table's columns: the runs' keys (English), shown in the session's language
RUN_COLUMNS = (N_("run"), N_("source"), N_("cell"), N_("hidden"), N_("activation"), N_("optimizer"), N_("lr"),
               N_("clip"), N_("seq_len"), N_("batch"), N_("spectral_radius"), N_("seed"), N_("from iteration"),
               N_("to iteration"), N_("final loss"), N_("seconds"), N_("diverged"))


def runs_frame(runs: list[dict]) -> pd.DataFrame:
    """The run history as a table (settings and final figures; the loss curves left out), its columns named as
    the runs' keys (English: the page shows them with ``_``; see ``shown_runs``)."""
    cols = list(RUN_COLUMNS)
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in runs], columns=cols)


def shown_runs(table: pd.DataFrame) -> pd.DataFrame:
    """``runs_frame``'s table as the page shows it: its column names and data sources in the session's language."""
    source = table["source"].map(lambda s: _(s) if isinstance(s, str) else s)
    return table.assign(source=source).rename(columns=_)


LAST_NOW = N_("||de_T/dh_t||: the last step's loss alone, now")
LAST_FIRST = N_("... in the first iteration")
TOTAL = N_("total ||dL/dh_t||")


def last_step_figure(last: np.ndarray, total: np.ndarray, first: np.ndarray | None = None,
                     first_it: int | None = None, now_it: int | None = None) -> go.Figure:
    """||de_T/dh_t||: the last step's loss alone going back, in the first iteration kept and now, beside the total
    ||dL/dh_t|| of the latest such iteration, log axis."""
    steps = np.arange(1, len(last) + 1)
    traces = [go.Scatter(x=steps, y=total, mode="lines", name=_(TOTAL), line=dict(color=GREY, dash="dot"),
                         hovertemplate=_("step %{x}<br>||dL/dh_t|| = %{y:.3e}") + "<extra></extra>")]
    if first is not None and len(first) == len(last) and first_it != now_it:
        traces.append(go.Scatter(x=steps, y=first, mode="lines", name=f"{_(LAST_FIRST)} ({first_it})",
                                 line=dict(color=BLUE, dash="dash"),
                                 hovertemplate=_("iteration {it}").format(it=first_it) + "<br>"
                                 + _("step %{x}<br>||de_T/dh_t|| = %{y:.3e}") + "<extra></extra>"))
    traces.append(go.Scatter(x=steps, y=last, mode="lines+markers",
                             name=_(LAST_NOW) + (f" ({now_it})" if now_it else ""), line=dict(color=ACCENT),
                             hovertemplate=_("step %{x}<br>||de_T/dh_t|| = %{y:.3e}") + "<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_xaxes(title=_("time step within the chunk"))
    fig.update_yaxes(type="log", title=_("norm (log scale)"))
    return layout(fig, _("The last step's gradient going back"), legend=dict(orientation="h", y=-0.25))


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
    now_text = (_("One late loss going back: e_{T}, the loss at the chunk's last step alone, reaches step 1 with "
                  "{share} of its value at step {T} in iteration {it} (the {style} line): it vanishes")
                if kept(now) < 0.01 else
                _("One late loss going back: e_{T}, the loss at the chunk's last step alone, reaches step 1 with "
                  "{share} of its value at step {T} in iteration {it} (the {style} line)"))
    text = now_text.format(T=T, share=_sig(kept(now)), it=its[-1], style=_style(fig, _(LAST_NOW)))
    if first is not None and len(first) == T and its[0] != its[-1]:
        first_text = (_("in iteration {it} (the {style} line) {share}: it vanished before training shaped the weights")
                      if kept(first) < 0.01 else
                      _("in iteration {it} (the {style} line) {share}: it reached back before training shaped the "
                        "weights"))
        text += "; " + first_text.format(it=its[0], style=_style(fig, _(LAST_FIRST)), share=_sig(kept(first)))
    text += ". " + _("The total (the {style} line) is every step's own loss added where it arises: at step 1 it is "
                     "{share} of its value at step {T}. A many-to-many total can hold up or grow going back even "
                     "while each loss's own gradient vanishes, because every step brings a fresh one.").format(
        style=_style(fig, _(TOTAL)), share=_sig(kept(total)), T=T)
    return text


def _sig(x: float) -> str:
    """``sig(x)`` with the session's decimal sign and thousands separator (as ``num`` writes them)."""
    point, group = num(0.5, ".1f")[1], num(1000, ",")[1]
    return sig(x).replace(",", "\0").replace(".", point).replace("\0", group)


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
                               hovertemplate=_("iteration %{y}<br>step %{x}<br>log10 of step T's = %{z:.2f}")
                                             + "<extra></extra>"))
    fig.update_xaxes(title=_("time step within the chunk"))
    fig.update_yaxes(title=_("iteration"))
    return layout(fig, _("The last step's gradient going back, over training"))
