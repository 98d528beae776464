"""The figure style every page shares: colours, sizes, and the two ways a figure is built."""
from __future__ import annotations

import plotly.graph_objects as go


# the visual constants in one place
# the visual constants in one place
ACCENT = "#e4572e"       # the current step, the top prediction


BLUE = "#2e86ab"


GREY = "#9aa5b1"


DIVERGING = "RdBu_r"     # signed values (hidden states, gradients): red > 0 > blue


SEQUENTIAL = "Viridis"   # gates in [0, 1]


HEIGHT = 340


MARGIN = dict(l=10, r=10, t=48, b=10)

# what every st.plotly_chart call passes
CHART = dict(width="stretch", config={"displaylogo": False})


def layout(fig: go.Figure, title: str, height: int = HEIGHT, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title), height=height, margin=MARGIN, **kw)
    return fig


def figure(traces: list[dict], title: str, height: int = HEIGHT, **layout) -> go.Figure:
    """A figure built in one pass from plain dicts: Plotly validates once, not per update call.

    The figures that redraw on every time step are built this way (about 5x faster).
    """
    return go.Figure(data=traces, layout=dict(title=dict(text=title), height=height, margin=MARGIN, **layout))
