"""Figure builders from small DataFrames: titles, traces and the numbers they carry."""
import numpy as np
import pandas as pd

from types import SimpleNamespace

from rnn_core import make_model
from ui.common import figures as common_figures
from ui.common import frames as common_frames
from ui.common.text import md_escape, plotly_text
from ui.common import step_figures
from ui.common import step_frames

# the builders these tests read live with the page that draws them (step/) or in common/ when shared
figures = SimpleNamespace(**{**vars(common_figures), **vars(step_figures)})
frames = SimpleNamespace(**{**vars(common_frames), **vars(step_frames)})

TOKENS = ["my", "dish", "is", "<script>"]


def test_top_k_frame_and_next_token_figure():
    probs = np.array([0.1, 0.6, 0.05, 0.25])
    df = frames.top_k_frame(probs, ["a", "b", "c", "<b>x</b>"], k=3)
    assert df["token"].tolist() == ["b", "<b>x</b>", "a"] and df["rank"].tolist() == [1, 2, 3]
    fig = figures.next_token_figure(df)
    assert fig.layout.title.text == "Next-token probabilities"
    bar = fig.data[0]
    np.testing.assert_array_equal(bar.x, [0.6, 0.25, 0.1])
    assert list(bar.y) == ["b", "&lt;b&gt;x&lt;/b&gt;", "a"]       # user text never becomes markup


def test_hidden_frame_and_heatmap_carry_the_states():
    hidden = np.arange(12, dtype=float).reshape(4, 3) / 12        # (T, H)
    df = frames.hidden_frame(hidden, TOKENS)
    assert len(df) == 12 and set(df.columns) == {"step", "token", "label", "unit", "value"}
    fig = figures.hidden_heatmap(df, current_step=2)
    assert fig.layout.title.text == "Hidden state over time"
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), hidden.T)
    assert list(fig.data[0].x) == ["1 my", "2 dish", "3 is", "4 &lt;script&gt;"]
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 0.5   # the current step's box
    cells = fig.data[1]                                          # the boxed column is clickable: (step, unit)
    assert list(cells.x) == ["2 dish"] * 3 and [tuple(c) for c in cells.customdata] == [(2, 0), (2, 1), (2, 2)]


def test_pieces_sum_to_the_pre_activation():
    m = make_model("rnn", 6, 5, seed=0)
    ids = np.array([1, 3, 2])
    tr = m.forward(ids)
    h_prev = tr.hidden[0]
    df = frames.pieces_frame(m, tr, ids, 1, h_prev)
    np.testing.assert_allclose(df["W_xh x_t"] + df["W_hh h_t-1"] + df["b_h"], df["a_t"], atol=1e-12)
    np.testing.assert_allclose(np.tanh(df["a_t"]), df["h_t"], atol=1e-12)
    fig = figures.pieces_figure(df)
    assert fig.layout.title.text == "The pieces of h_t" and fig.layout.barmode == "relative"
    terms = frames.unit_terms_frame(m, h_prev, 2)
    assert np.isclose(terms["product"].sum(), m.params["W_hh"][2] @ h_prev)
    assert terms["product"].abs().is_monotonic_decreasing


def test_gradient_figure_fills_from_the_end():
    df = frames.gradient_frame(np.array([1e-4, 1e-3, 1e-2, 1e-1]), np.array([0.01, 0.1, 0.5, 1.0]), TOKENS)
    fig = figures.gradient_figure(df, from_step=3)
    assert fig.layout.title.text == "Gradient norm per time step" and fig.layout.yaxis.type == "log"
    bars = np.asarray(fig.data[0].y, dtype=float)
    assert np.isnan(bars[:2]).all() and np.allclose(bars[2:], [1e-2, 1e-1])
    np.testing.assert_allclose(np.asarray(fig.data[1].y), [0.01, 0.1, 0.5, 1.0])


def test_backward_frame_splits_the_gradient():
    dh = np.array([[1.0, 2.0], [3.0, 4.0]])
    local = np.array([[0.5, 0.0], [3.0, 4.0]])
    df = frames.backward_frame(dh, local, 0)
    np.testing.assert_allclose(df["from the loss at t"] + df["flowing back from t+1"], df["dL/dh_t"])
    assert figures.backward_figure(df).layout.title.text == "How dL/dh_t is built"


def test_pca_frame_is_centered_and_stable():
    rng = np.random.default_rng(0)
    hidden = rng.normal(size=(6, 4))
    df = frames.pca_frame(hidden, ["a"] * 6)
    assert abs(df["pc1"].mean()) < 1e-12 and df["explained1"].iloc[0] >= df["explained2"].iloc[0]
    again = frames.pca_frame(hidden.copy(), ["a"] * 6)
    pd.testing.assert_frame_equal(df, again)
    fig = figures.pca_figure(df, current_step=3)
    assert len(fig.data[0].x) == 3                                  # the path so far
    one = frames.pca_frame(hidden[:1], ["a"])                       # one step: no crash, a point at 0
    assert one[["pc1", "pc2"]].to_numpy().tolist() == [[0.0, 0.0]]


def test_gates_figure_and_unrolled_and_probe():
    m = make_model("lstm", 6, 3, seed=0)
    tr = m.forward(np.array([1, 2, 3, 4]))
    gf = frames.gates_frames(tr, TOKENS)
    assert list(gf) == ["input", "forget", "cell candidate", "output", "cell state c_t"]
    fig = figures.gates_figure(gf, 2)
    assert fig.layout.title.text == "Gates over time" and len(fig.data) == 5
    np.testing.assert_allclose(np.asarray(fig.data[1].z), tr.gates["forget"].T)
    un = figures.unrolled_figure(TOKENS, 2, "lstm")
    texts = [t for tr in un.data if tr.mode == "text" for t in tr.text]
    assert "&lt;script&gt;" in texts and "<script>" not in texts
    assert texts.count("W_hh") == 3 and texts.count("W_xh") == 4          # the same weights on every arrow
    assert un.layout.title.text.startswith("Unrolled network (LSTM")
    pf = frames.probe_frame(tr.hidden, tr.hidden + 1.0, TOKENS, TOKENS)
    np.testing.assert_allclose(pf["distance"], np.sqrt(3))
    assert figures.probe_figure(pf).layout.title.text == "Distance between the two hidden-state paths"


def test_text_escaping():
    assert md_escape("**bold** [x](y) <b>") == r"\*\*bold\*\* \[x\]\(y\) \<b\>"
    assert plotly_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
