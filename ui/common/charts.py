"""The one place a chart reaches the page: every figure is finished (log ticks, image export, alt text) and gets
its data download the same way, so a new chart has them all without asking."""
from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from . import state
from .display import for_the_room, presenting
from .i18n import N_, _
from .specs import Spec
from .style import IMAGE_FORMATS, config_for, count_ticks, describe, figure_csv, file_name, log_ticks

IMAGE_LABELS = {"png": N_("PNG (slides)"), "svg": N_("SVG (print, editing)")}


def _decoded(obj):
    """A figure dict with Plotly's base64 arrays ({"dtype", "bdata", "shape"}) back as NumPy arrays."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            shape = obj.get("shape")
            return a.reshape([int(s) for s in str(shape).split(",")]) if shape else a
        return {k: _decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decoded(v) for v in obj]
    return obj


def as_figure(fig: go.Figure) -> go.Figure:
    """A plain figure for reading its traces: a Spec's dict decoded (only when a download asks for it)."""
    return go.Figure(_decoded(fig.to_dict())) if isinstance(fig, Spec) else fig


def show(fig: go.Figure, key: str, alt: str | None = None, **kw):
    """``st.plotly_chart`` with the app's finishing: log axes in powers of ten, whole-number ticks on a short
    count axis, the camera button saving the image named after the figure (a PNG at scale 2, or an SVG: the
    session's choice in the sidebar), alternative text (``alt``, or one read from the figure's own numbers), and
    under it a **Data (CSV)** download of the numbers it draws, built when clicked. ``kw`` goes to
    st.plotly_chart (on_select, selection_mode). A ``Spec`` (ui/common/specs.py) was finished when it was built:
    only its camera's format is the session's own."""
    image = st.session_state.get(state.CHART_IMAGE, IMAGE_FORMATS[0])
    if image not in IMAGE_FORMATS:                  # never a chart lost to a stale choice: the first format
        image = st.session_state[state.CHART_IMAGE] = IMAGE_FORMATS[0]
    if isinstance(fig, Spec) and presenting():          # a shared finished figure is never changed: a copy for the room
        fig = as_figure(fig)
    if isinstance(fig, Spec):
        config = {**fig.config, "toImageButtonOptions": {**fig.config["toImageButtonOptions"], "format": image,
                                                         "scale": 2 if image == "png" else 1}}
        out = st.plotly_chart(fig, key=key, width="stretch", config=config, alt=alt or fig.alt, **kw)
        name = config["toImageButtonOptions"]["filename"]
    else:
        log_ticks(fig)
        count_ticks(fig)
        if presenting():
            for_the_room(fig)
        out = st.plotly_chart(fig, key=key, width="stretch", config=config_for(fig, key, image),
                              alt=alt or describe(fig), **kw)
        name = f"rnn_playground_{file_name(fig, key)}"
    st.download_button(_("Data (CSV)"), lambda: figure_csv(as_figure(fig)), f"{name}.csv",
                       mime="text/csv", key=state.csv_key(key), on_click="ignore", type="tertiary",
                       icon=":material/download:", help=_("The numbers this chart draws, one row per point."))
    return out


def image_format_picker() -> None:
    """The sidebar's choice of what every chart's camera button saves (kept for the session)."""
    st.sidebar.radio(_("Chart images (the camera above each chart)"), IMAGE_FORMATS, key=state.CHART_IMAGE,
                     format_func=lambda f: _(IMAGE_LABELS[f]), horizontal=True,
                     **state.KEEP, help=_("PNG: a picture at twice the chart's size. SVG: lines and text that stay "
                                          "sharp at any size and open in a drawing program."))
