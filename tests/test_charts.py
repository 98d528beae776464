"""Every chart goes through one door (ui.common.charts.show): readable log axes, a PNG named after the figure,
alternative text read from its numbers, and colours that read in the light and the dark theme."""
import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from ui.common import style

from helpers import open_page

ROOT = Path(__file__).resolve().parent.parent
LIGHT, DARK = "#ffffff", "#171614"          # Streamlit 1.67's two backgrounds


def luminance(color: str) -> float:
    h = color.lstrip("#")
    f = lambda c: c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (f(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_chart_call_goes_through_show():
    calls = []
    for path in [*(ROOT / "ui").glob("**/*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        if path.name == "charts.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if "plotly_chart(" in line:
                calls.append(f"{path.relative_to(ROOT)}:{n}")
    assert not calls, f"call ui.common.charts.show instead: {calls}"


@pytest.mark.parametrize("color", [style.ACCENT, style.BLUE, style.GREY, style.INK, style.ORANGE,
                                   *style.CELL_COLORS.values(), *style.PALETTE])
def test_mark_colours_read_on_both_backgrounds(color):
    assert contrast(color, LIGHT) >= 3 and contrast(color, DARK) >= 3, color


def test_cells_differ_by_dash_as_well_as_colour():
    assert len(set(style.CELL_DASH.values())) == 3 and len(set(style.CELL_COLORS.values())) == 3


def test_log_axes_show_powers_of_ten_and_plain_numbers_over_less_than_a_decade():
    wide = go.Figure(go.Scatter(x=[1, 2, 3], y=[1e-5, 1e-2, 3.0]))
    wide.update_yaxes(type="log")
    style.log_ticks(wide)
    assert wide.layout.yaxis.dtick == 1 and wide.layout.yaxis.exponentformat == "power"
    vast = go.Figure(go.Scatter(x=[5, 10, 20, 40], y=[1.0, 1e-7, 1e-15, 1e-36]))    # the lag sweep's RNN ratio
    vast.update_yaxes(type="log")
    style.log_ticks(vast)
    assert vast.layout.yaxis.dtick == 5 and 37 / vast.layout.yaxis.dtick <= 8
    narrow = go.Figure(go.Scatter(x=[1, 2], y=[0.2, 0.5]))
    narrow.update_yaxes(type="log")
    style.log_ticks(narrow)
    assert narrow.layout.yaxis.dtick is None and narrow.layout.yaxis.tickformat == "~g"
    lo, hi = narrow.layout.yaxis.range                    # the data inside, the axis under a decade and a half
    assert lo < np.log10(0.2) and np.log10(0.5) < hi and hi - lo < 1.1
    lone = go.Figure(go.Scatter(x=[], y=[]))              # an empty chart with only its clipping line
    lone.update_yaxes(type="log")
    lone.add_hline(y=5.0)
    style.log_ticks(lone)
    lo, hi = lone.layout.yaxis.range
    assert lo < np.log10(5.0) < hi and hi - lo < 0.5
    fixed = go.Figure(go.Scatter(x=[1, 2], y=[0.2, 0.5]))
    fixed.update_yaxes(type="log", range=[-3, 1])          # a range the figure chose is left alone
    style.log_ticks(fixed)
    assert tuple(fixed.layout.yaxis.range) == (-3, 1)
    with_line = go.Figure(go.Scatter(x=[1, 2], y=[0.004, 0.02]))
    with_line.update_yaxes(type="log")
    with_line.add_hline(y=5.0)                           # a clipping threshold widens the axis to 3 decades
    style.log_ticks(with_line)
    assert with_line.layout.yaxis.dtick == 1
    linear = go.Figure(go.Scatter(x=[1, 2], y=[1e-5, 3.0]))
    style.log_ticks(linear)
    assert linear.layout.yaxis.dtick is None


def test_a_short_axis_of_whole_numbers_has_one_tick_each():
    first = go.Figure(go.Scatter(x=[0], y=[1.1], mode="markers"))          # a run's first held-out point
    style.count_ticks(first)
    assert first.layout.xaxis.dtick == 1 and tuple(first.layout.xaxis.range) == (-0.5, 0.5)
    for x in ([0, 10, 20, 300], [0.5, 1.5], []):                            # long, fractional, empty: Plotly's own
        fig = go.Figure(go.Scatter(x=x, y=[1.0] * len(x)))
        style.count_ticks(fig)
        assert fig.layout.xaxis.dtick is None and fig.layout.xaxis.range is None, x


def test_alt_text_is_read_from_the_figure():
    fig = style.figure([dict(type="bar", x=[0.1, 0.7, 0.2], y=["a", "japanese", "c"], orientation="h",
                             name="p")], "Next-token probabilities")
    assert style.describe(fig) == "Next-token probabilities. p: 3 bars, the largest japanese at 0.7."
    line = style.layout(go.Figure(go.Scatter(y=[3.0, 1.0, 2.0], name="loss")), "Training loss")
    assert style.describe(line) == "Training loss. loss: 3 points from 3 to 2, lowest 1, highest 3."
    heat = style.layout(go.Figure(go.Heatmap(z=[[0.0, np.nan], [-2.0, 5.0]])), "Heat")
    assert style.describe(heat) == "Heat. heatmap of 2 rows, values from -2 to 5."
    assert style.describe(style.layout(go.Figure(), "Empty")) == "Empty. No data yet."


def test_png_export_is_named_after_the_figure_at_twice_the_size():
    cfg = style.config_for(style.layout(go.Figure(), "Gradient norm per time step"))
    assert cfg["toImageButtonOptions"] == {"format": "png", "filename": "rnn_playground_gradient_norm_per_time_step",
                                           "scale": 2}
    assert cfg["displaylogo"] is False


PAGES = ["pages/home.py", "pages/step_through.py", "pages/train.py", "pages/gradient_lab.py", "pages/generate.py",
         "pages/time_series.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_every_page_has_alt_text_with_its_numbers(page):
    at = open_page(page)
    charts = at.get("plotly_chart")
    assert charts
    for el in charts:
        spec = json.loads(el.proto.spec)
        title = re.sub(r"<[^>]+>", "", spec["layout"].get("title", {}).get("text", ""))
        assert el.proto.alt.startswith(title + "."), (title, el.proto.alt)
        assert re.search(r"\d", el.proto.alt) or el.proto.alt.endswith("No data yet."), el.proto.alt
        config = json.loads(el.proto.config) if el.proto.config else {}
        assert config["toImageButtonOptions"]["scale"] == 2


def test_the_camera_saves_an_svg_when_the_session_asks_for_one():
    fig = style.layout(go.Figure(), "Gradient norm per time step")
    cfg = style.config_for(fig, image="svg")
    assert cfg["toImageButtonOptions"] == {"format": "svg", "filename": "rnn_playground_gradient_norm_per_time_step",
                                           "scale": 1}
    with pytest.raises(ValueError):
        style.config_for(fig, image="gif")


def test_a_charts_data_is_every_point_it_draws():
    fig = style.figure([dict(type="bar", x=[0.1, 0.7], y=["&lt;unk&gt;", "japanese"], orientation="h", name="p"),
                        dict(type="scatter", y=[3.0, np.nan, 1.0], name="<b>loss</b>")], "Two traces")
    frame = style.figure_frame(fig)
    assert list(frame.columns) == ["trace", "x", "y"]
    assert frame.values.tolist()[:2] == [["p", 0.1, "<unk>"], ["p", 0.7, "japanese"]]    # user text as typed
    assert frame["trace"].tolist()[2:] == ["loss"] * 3 and frame["x"].tolist()[2:] == [0, 1, 2]
    assert np.isnan(frame["y"].iloc[3]) and frame["y"].iloc[4] == 1.0
    heat = style.layout(go.Figure(go.Heatmap(z=[[0.5, -1.0], [2.0, 3.0]], x=["a", "b"], y=[10, 20], name="h")), "H")
    cells = style.figure_frame(heat)
    assert cells.values.tolist() == [["h", "a", 10, 0.5], ["h", "b", 10, -1.0], ["h", "a", 20, 2.0],
                                     ["h", "b", 20, 3.0]]
    assert style.figure_csv(heat).decode().splitlines()[0] == "trace,x,y,z"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_every_page_has_its_data_download_and_the_sessions_image_format(page):
    from ui.common import state

    at = open_page(page)
    charts = at.get("plotly_chart")
    downloads = {el.proto.id: el for el in at.get("download_button")}
    labels = [el.proto.label for el in at.get("download_button")]
    assert labels.count("Data (CSV)") == len(charts) > 0
    for el in charts:
        assert any(state.csv_key(el.key) in wid for wid in downloads), el.key
    at.session_state[state.CHART_IMAGE] = "svg"
    at.run()
    for el in at.get("plotly_chart"):
        assert json.loads(el.proto.config)["toImageButtonOptions"]["format"] == "svg"
