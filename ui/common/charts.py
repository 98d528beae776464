"""The one place a chart reaches the page: every figure is finished (log ticks, PNG export, alt text)
the same way."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from .specs import Spec
from .style import config_for, count_ticks, describe, log_ticks


def show(fig: go.Figure, key: str, alt: str | None = None, **kw):
    """``st.plotly_chart`` with the app's finishing: log axes in powers of ten, whole-number ticks on a short
    count axis, a PNG named after the figure
    at scale 2, and alternative text (``alt``, or one read from the figure's own numbers). ``kw`` goes to
    st.plotly_chart (on_select, selection_mode). A ``Spec`` (ui/common/specs.py) was finished when it was built."""
    if isinstance(fig, Spec):
        return st.plotly_chart(fig, key=key, width="stretch", config=fig.config, alt=alt or fig.alt, **kw)
    log_ticks(fig)
    count_ticks(fig)
    return st.plotly_chart(fig, key=key, width="stretch", config=config_for(fig, key), alt=alt or describe(fig), **kw)
