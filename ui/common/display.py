"""How the page fits its screen: a phone (390 px wide), a laptop, or a room's projector in presenter mode.

Presenter mode (``?present=1`` on any page) hides the sidebar and sets type and chart text large enough to
read from the back of a room: chart tick labels PRESENT_TICK px, titles PRESENT_TITLE px. On a narrow screen
equations scale down to fit and scroll inside their own box rather than widen the page.
"""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from . import state

PRESENT_TICK = 18          # px: chart tick labels and legend text in presenter mode
PRESENT_TITLE = 26         # px: chart titles in presenter mode
PRESENT_TEXT = 22          # px: body text in presenter mode

_PHONE_CSS = """
@media (max-width: 640px) {
  /* an equation wider than the screen scales down, and what is still too wide scrolls inside its own box */
  [data-testid="stMarkdownContainer"] .katex-display, .stLatex .katex-display {
    overflow-x: auto; overflow-y: hidden; max-width: 100%; font-size: 0.82em; }
  [data-testid="stMainBlockContainer"] { padding-left: 0.9rem; padding-right: 0.9rem; }
}
"""

_PRESENT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%% !important; padding: 1.2rem 2rem 2rem 2rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"], .stRadio label p, .stButton button p {
  font-size: %(text)dpx !important; line-height: 1.45 !important; }
h1 { font-size: 2.6rem !important; }
.katex { font-size: 1.35em !important; }
.katex-display { overflow-x: auto; overflow-y: hidden; max-width: 100%%; }
""" % {"text": PRESENT_TEXT}


def presenting() -> bool:
    return bool(st.session_state.get(state.PRESENT))


def read_present() -> None:
    """``?present=1`` turns presenter mode on for the session, ``?present=0`` off; other values are ignored."""
    value = st.query_params.get("present")
    if value in ("1", "0"):
        st.session_state[state.PRESENT] = value == "1"


def page_css() -> None:
    """The layout rules for this screen (every page, once per run)."""
    st.html("<style>" + _PHONE_CSS + (_PRESENT_CSS if presenting() else "") + "</style>")


def for_the_room(fig: go.Figure) -> go.Figure:
    """Chart text for a projector: every tick label, legend and annotation at least PRESENT_TICK px, the title
    PRESENT_TITLE px (a figure's own smaller sizes are raised, never lowered)."""
    fig.update_layout(font=dict(size=PRESENT_TICK), title_font=dict(size=PRESENT_TITLE),
                      legend=dict(font=dict(size=PRESENT_TICK)))
    for name in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
        fig.layout[name].update(tickfont=dict(size=PRESENT_TICK), title_font=dict(size=PRESENT_TICK))
    for ann in fig.layout.annotations or ():
        ann.font = dict(size=max(PRESENT_TICK, (ann.font.size or 0)))
    for tr in fig.data:
        if getattr(tr, "textfont", None) is not None and tr.type in ("scatter", "bar"):
            size = tr.textfont.size
            if isinstance(size, (tuple, list)):                # one size per point (the unrolled network)
                tr.textfont.size = [max(PRESENT_TICK, s or 0) for s in size]
            else:
                tr.textfont.size = max(PRESENT_TICK, size or 0)
        if tr.type == "heatmap" and tr.colorbar is not None:
            tr.colorbar.tickfont = dict(size=PRESENT_TICK)
    if fig.layout.height:
        fig.layout.height = max(fig.layout.height, 440)
    return fig
