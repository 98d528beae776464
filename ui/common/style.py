"""The figure style every page shares: one Plotly template, the palette, and the finishing every chart
gets before it is shown (log axes in powers of ten, a PNG export named after the figure, alt text).

Colours: every mark colour here has a contrast of at least 3:1 against both Streamlit's light
background (#ffffff) and its dark one (#171614), so a chart reads in either theme; text takes the
theme's own colour (the "streamlit" template swaps it with the theme). The three cells use the
Okabe-Ito colours for colour-blind readers, and each also has its own line dash.
"""
from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale

from .i18n import N_, _, ngettext, num

ACCENT = "#e4572e"       # the current step, the top prediction (3.7:1 on white, 4.9:1 on #171614)
BLUE = "#2e86ab"         # the main series (4.1:1, 4.4:1)
GREY = "#888888"         # secondary marks: a raw curve under its mean, reference lines (3.5:1, 5.1:1)
INK = "#5c6b7a"          # marks that would be black on paper: a sum, a true curve (5.5:1, 3.3:1)
ORANGE = "#b07a00"       # a third series beside ACCENT and BLUE (3.7:1, 4.8:1)
DIVERGING = "RdBu_r"     # signed values (hidden states, gradients): red > 0 > blue
SEQUENTIAL = "Viridis"   # gates in [0, 1]

# the cells: Okabe-Ito vermillion, blue and bluish green, and a dash each (readable without colour)
CELL_COLORS = {"RNN": "#D55E00", "LSTM": "#0072B2", "GRU": "#009E73"}
CELL_DASH = {"RNN": "solid", "LSTM": "dash", "GRU": "dot"}
PALETTE = [BLUE, ACCENT, "#009E73", ORANGE, "#CC79A7", "#0072B2", GREY]

# names for the marks' colours and dashes, for captions that name a line: a caption reads them from the figure's
# own traces (``line_style``), so it says what is drawn (in English here; ``line_style`` translates them)
COLOR_NAMES = {ACCENT: N_("red"), BLUE: N_("blue"), GREY: N_("grey"), INK: N_("slate"), ORANGE: N_("ochre"),
               "#D55E00": N_("vermillion"), "#0072B2": N_("blue"), "#009E73": N_("green"), "#CC79A7": N_("pink")}
DASH_NAMES = {"solid": N_("solid"), "dash": N_("dashed"), "dot": N_("dotted"), "dashdot": N_("dash-dot"),
              "longdash": N_("long-dashed"), "longdashdot": N_("long-dash-dot")}

HEIGHT = 340
MARGIN = dict(l=10, r=10, t=48, b=10)

def _template() -> go.layout.Template:
    """Streamlit's chart theme (it swaps text and grid colours with the light or dark theme) with this
    project's palette, margins and number format on top, built once."""
    import streamlit  # noqa: F401  (importing Streamlit registers its Plotly template, "streamlit")
    base = pio.templates["streamlit"] if "streamlit" in pio.templates else go.layout.Template()
    merged = go.layout.Template(base)
    merged.layout.update(colorway=PALETTE, margin=MARGIN, height=HEIGHT, hoverlabel=dict(namelength=-1),
                         xaxis=dict(exponentformat="power", automargin=True),
                         yaxis=dict(exponentformat="power", automargin=True))
    return merged


# one template for every figure, the process's default: set once here, the same for every session (a
# template per figure would cost 8 ms each, as Plotly validates it on every assignment)
pio.templates["rnn_playground"] = _template()
pio.templates.default = TEMPLATE = "rnn_playground"


def layout(fig: go.Figure, title: str, height: int = HEIGHT, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title), height=height, **kw)
    return fig


def _plain(value):
    """A value as Plotly's validators would leave it, for the few things they change: pandas columns become
    arrays, a named colour scale ("RdBu_r") its list of stops. Dicts and lists are gone through."""
    if isinstance(value, dict):
        out = {k: _plain(v) for k, v in value.items()}
        if isinstance(out.get("colorscale"), str):
            out["colorscale"] = [list(stop) for stop in get_colorscale(out["colorscale"])]
        return out
    if isinstance(value, (pd.Series, pd.Index)):
        return value.to_numpy()
    if isinstance(value, list) and any(isinstance(v, (dict, pd.Series, pd.Index)) for v in value):
        return [_plain(v) for v in value]
    return value


def figure(traces: list[dict], title: str, height: int = HEIGHT, **layout) -> go.Figure:
    """A figure built in one pass from plain dicts, without Plotly's per-property validation.

    The figures that redraw on every time step are built this way: validating them was most of a click's
    cost (about 10x this). What validation would change is done here (``_plain``), and
    tests/test_figure_specs.py holds every such figure to the JSON its validated build gives.
    """
    spec = _plain({"data": traces, "layout": dict(title=dict(text=title), height=height, margin=MARGIN, **layout)})
    return go.Figure(spec, _validate=False)


def color_name(color) -> str | None:
    """The word a caption uses for a mark colour (None for one without a name, e.g. a list of colours)."""
    if not isinstance(color, str):
        return None
    return {k.lower(): v for k, v in COLOR_NAMES.items()}.get(color.lower())


def trace_words(trace) -> tuple[str | None, str | None]:
    """(colour word, dash word) of a trace drawn as a line (dash None for bars and markers alone); a trace may be a
    Plotly object or its dict."""
    get = (lambda k, d=None: trace.get(k, d)) if isinstance(trace, dict) else (lambda k, d=None: getattr(trace, k, d))
    line, marker = get("line") or {}, get("marker") or {}
    line_get = (lambda k: line.get(k)) if isinstance(line, dict) else (lambda k: getattr(line, k, None))
    marker_get = (lambda k: marker.get(k)) if isinstance(marker, dict) else (lambda k: getattr(marker, k, None))
    kind, mode = get("type") or "scatter", get("mode") or ""
    drawn_as_line = kind == "scatter" and "lines" in mode
    color = line_get("color") if drawn_as_line else marker_get("color")
    dash = DASH_NAMES.get(line_get("dash") or "solid", line_get("dash")) if drawn_as_line else None
    return color_name(color), dash


def line_style(fig: go.Figure, name: str) -> str:
    """How the trace called ``name`` is drawn, in words a caption can use: "grey long-dash-dot", "red dashed" (in the
    session's language)."""
    for tr in fig.data:
        if tr.name in (name, _(name)):                  # a legend drawn in the session's language
            color, dash = trace_words(tr)
            return " ".join(_(w) for w in (color, dash) if w)
    raise KeyError(f"the figure has no trace called {name!r}")


# ----- finishing: what every chart gets on its way to the page (ui.common.charts.show) -----------------
def title_of(fig: go.Figure) -> str:
    text = fig.layout.title.text or ""
    return re.sub(r"<[^>]+>", "", text).strip()


def _values(v) -> np.ndarray:
    """A trace's coordinates as floats (NaN where they are not numbers)."""
    if v is None:
        return np.zeros(0)
    try:                                                  # numbers (the usual case): one conversion, no loop
        return np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        pass
    a = np.asarray(v, dtype=object).ravel()
    out = np.full(a.size, np.nan)
    for i, x in enumerate(a):
        try:
            out[i] = float(x)
        except (TypeError, ValueError):
            pass
    return out


def _axis_values(fig: go.Figure, name: str, shapes: bool) -> np.ndarray:
    """The finite coordinates the traces (not heatmaps) plot on axis ``name`` ("yaxis2"), and with ``shapes`` the
    ends of the lines drawn on it (threshold lines)."""
    letter, ref = name[0], name[0] + name[5:]             # "yaxis2" -> "y", "y2"
    vals = [_values(getattr(t, letter, None)) for t in fig.data
            if (getattr(t, letter + "axis", None) or letter) == ref and t.type != "heatmap"]
    if shapes:
        vals += [_values([sh[letter + "0"], sh[letter + "1"]]) for sh in fig.layout.shapes
                 if (sh[letter + "ref"] or letter) == ref]
    vals = np.concatenate(vals) if vals else np.zeros(0)
    return vals[np.isfinite(vals)]


def log_ticks(fig: go.Figure) -> go.Figure:
    """Log axes labelled in powers of ten (10^-3, 10^-2, ...) and nothing between, where the data span a
    decade or more (every 2, 5, 10 ... decades over a wide span, so at most about 8 labels); over less than
    a decade, plain numbers (0.2, 0.5) instead of Plotly's '2, 5'."""
    for name in [k for k in fig.layout if re.fullmatch(r"[xy]axis\d*", k)]:
        axis = fig.layout[name]
        if axis.type != "log":
            continue
        vals = _axis_values(fig, name, shapes=True)
        vals = vals[vals > 0]
        span = np.log10(vals.max() / vals.min()) if vals.size else 0.0
        if span >= 1:
            # a label every decade, or every 2, 5, 10 ... decades where that would crowd past 8 labels
            step = next(d for d in (1, 2, 5, 10, 20, 50, 100, 200, 500) if (span + 1) / d <= 8 or d == 500)
            axis.update(dtick=step, exponentformat="power", minor=dict(showgrid=False))
        else:
            axis.update(exponentformat="none", tickformat="~g")
            if vals.size and axis.range is None:
                # Plotly's autorange pads a lone value (a threshold line on an empty chart) to two decades and
                # then labels every digit: keep the range within about a decade around the data instead
                lo, hi = np.log10(vals.min()), np.log10(vals.max())
                half = max(0.55 * (hi - lo), 0.2)
                axis.update(range=[(lo + hi) / 2 - half, (lo + hi) / 2 + half])
    return fig


def count_ticks(fig: go.Figure) -> go.Figure:
    """An x axis of whole numbers (iterations, time steps) that spans fewer than 6 of them gets a tick at each
    and no more: Plotly would label the lone point of a run's first iteration -1, -0.5, 0, 0.5."""
    for name in [k for k in fig.layout if re.fullmatch(r"xaxis\d*", k)]:
        axis = fig.layout[name]
        if axis.type in ("log", "category", "date") or axis.range is not None or axis.dtick is not None:
            continue
        vals = _axis_values(fig, name, shapes=False)
        if vals.size and np.all(vals == np.round(vals)) and vals.max() - vals.min() < 6:
            axis.update(dtick=1, tick0=0, range=[vals.min() - 0.5, vals.max() + 0.5])
    return fig


def _num(x: float) -> str:
    return num(x, ".3g")


def describe(fig: go.Figure, limit: int = 5) -> str:
    """Alternative text read from the figure itself: its title, and for each trace what it is with its key
    numbers (a curve's first, last, lowest and highest values; the largest bar; a heatmap's range)."""
    parts = []
    for tr in fig.data:
        name = (tr.name or tr.type).strip()
        if tr.type == "heatmap":
            z = _values(tr.z)
            z = z[np.isfinite(z)]
            rows = len(tr.z) if tr.z is not None else 0
            if z.size:
                parts.append(ngettext("heatmap of {rows} rows, values from {lo} to {hi}",
                                      "heatmap of {rows} rows, values from {lo} to {hi}", rows).format(
                    rows=rows, lo=_num(z.min()), hi=_num(z.max())))
            else:
                parts.append(ngettext("heatmap of {rows} rows", "heatmap of {rows} rows", rows).format(rows=rows))
        elif tr.type == "bar":
            horizontal = tr.orientation == "h"
            vals, cats = (_values(tr.x), tr.y) if horizontal else (_values(tr.y), tr.x)
            ok = np.isfinite(vals)
            if not ok.any():
                continue
            i = int(np.nanargmax(np.where(ok, vals, -np.inf)))
            label = str(cats[i]) if cats is not None and len(cats) > i else str(i + 1)
            label = re.sub(r"<[^>]+>", "", label)
            n = int(ok.sum())
            parts.append(ngettext("{name}: {n} bars, the largest {label} at {value}",
                                  "{name}: {n} bars, the largest {label} at {value}", n).format(
                name=name, n=n, label=label, value=_num(vals[i])))
        else:
            y = _values(tr.y)
            ok = y[np.isfinite(y)]
            if ok.size == 0:
                continue
            if ok.size > 1:
                what = ngettext("{name}: {n} point from {first} to {last}, lowest {lo}, highest {hi}",
                                "{name}: {n} points from {first} to {last}, lowest {lo}, highest {hi}", ok.size).format(
                    name=name, n=ok.size, first=_num(ok[0]), last=_num(ok[-1]), lo=_num(ok.min()), hi=_num(ok.max()))
            else:
                what = _("{name}: 1 point at {value}").format(name=name, value=_num(ok[0]))
            parts.append(what)
    title = title_of(fig) or _("Chart")
    shown = parts[:limit] + ([_("and {n} more").format(n=len(parts) - limit)] if len(parts) > limit else [])
    return f"{title}. " + ("; ".join(shown) + "." if shown else _("No data yet."))


def file_name(fig: go.Figure, fallback: str = "chart") -> str:
    """A PNG's file name from the figure's title: 'Gradient norm per time step' -> gradient_norm_per_time_step."""
    slug = re.sub(r"[^a-z0-9]+", "_", title_of(fig).lower()).strip("_")
    return slug[:60] or fallback


IMAGE_FORMATS = ("png", "svg")


def config_for(fig: go.Figure, fallback: str = "chart", image: str = "png") -> dict:
    """Plotly's toolbar: no logo; the camera saves the figure named after it, a PNG at twice the size (slides) or
    an SVG (vector: print, editing)."""
    if image not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {image!r}")
    return {"displaylogo": False,
            "toImageButtonOptions": {"format": image, "filename": f"rnn_playground_{file_name(fig, fallback)}",
                                     "scale": 2 if image == "png" else 1}}


def _text(v):
    """A label as the reader saw it: Plotly labels carry user text HTML-escaped (text.plotly_text)."""
    return html.unescape(v) if isinstance(v, str) else v


def figure_frame(fig: go.Figure) -> pd.DataFrame:
    """The numbers a chart draws, one row per point: the trace's name, x, y, and z for a heatmap's cells
    (its x and y are the cell's column and row). What a chart's "Data (CSV)" download holds."""
    rows = []
    for i, tr in enumerate(fig.data):
        name = _text(re.sub(r"<[^>]+>", "", tr.name or "")).strip() or f"{tr.type} {i + 1}"
        if tr.type == "heatmap":
            if tr.z is None:
                continue
            z = [list(r) for r in tr.z]
            ys = list(tr.y) if tr.y is not None and len(tr.y) else list(range(len(z)))
            xs = list(tr.x) if tr.x is not None and len(tr.x) else list(range(max(map(len, z), default=0)))
            rows += [(name, _text(xs[c]), _text(ys[r]), v) for r, row in enumerate(z) if r < len(ys)
                     for c, v in enumerate(row) if c < len(xs)]
            continue
        x, y = getattr(tr, "x", None), getattr(tr, "y", None)
        if x is None and y is None:
            continue
        n = len(y if y is not None else x)
        xs = list(x) if x is not None else list(range(n))
        ys = list(y) if y is not None else [None] * n
        rows += [(name, _text(a), _text(b), None) for a, b in zip(xs, ys)]
    frame = pd.DataFrame(rows, columns=["trace", "x", "y", "z"])
    return frame if frame["z"].notna().any() else frame.drop(columns="z")


def figure_csv(fig: go.Figure) -> bytes:
    return figure_frame(fig).to_csv(index=False).encode("utf-8")
