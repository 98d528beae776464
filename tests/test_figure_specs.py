"""Figures built without Plotly's validation send what validation would have sent, and a finished figure
(ui/common/specs.py) reaches st.plotly_chart as it is: built once, for its inputs."""
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from rnn_core import load_model
from rnn_core.cuisine import PROMPT
from ui.common import figures as common
from ui.common import specs
from ui.common.frames import pca_frame, top_k_frame
from ui.common.models import DEMO_DIR, LoadedModel
from ui.common import step_figures as figures, step_frames as frames


def _demo(name: str = "demo_rnn.npz"):
    model, vocab = load_model((DEMO_DIR / name).read_bytes())
    ids = vocab.encode(vocab.tokenize(PROMPT))
    trace = model.forward(ids)
    return model, vocab, ids, trace, vocab.id_to_token(ids)


def _step_figures(name: str):
    """Every figure Step through builds with ui.common.style.figure, at step 4 of the demo sentence."""
    model, vocab, ids, tr, toks = _demo(name)
    t = 3
    h_prev = tr.hidden[t - 1]
    diag = model.astype(np.float64).loss_and_grads(ids, np.append(ids[1:], 0), loss="many_to_many",
                                                    last_step=True)[2]
    out = {
        "next": common.next_token_figure(top_k_frame(tr.probs[t], vocab.tokens)),
        "heatmap": figures.hidden_heatmap(frames.hidden_frame(tr.hidden, toks), t + 1),
        "pca": common.pca_figure(pca_frame(tr.hidden, toks), t + 1),
        "unrolled": figures.unrolled_figure(toks, t + 1, model.cell),
        "backward": figures.backward_figure(frames.backward_frame(diag.dh, diag.dh_local, t)),
        "gradient": figures.gradient_figure(frames.gradient_frame(diag.grad_norm_per_step, model.jacobian_norms(ids),
                                                                  toks, diag.last_step_grad_norm_per_step), t + 1),
        "loss": common.loss_per_step_figure(diag.loss_per_step, toks),
        "terms": common.w_hh_terms_figure(diag.w_hh_terms_along_total, toks),
        "probe": figures.probe_figure(frames.probe_frame(tr.hidden, tr.hidden[::-1], toks, toks[::-1])),
    }
    if model.cell == "rnn":
        out["pieces"] = figures.pieces_figure(frames.pieces_frame(model, tr, ids, t, h_prev).iloc[:32])
    return out


@pytest.mark.parametrize("demo", ["demo_rnn.npz", "demo_lstm.npz"])
def test_unvalidated_figures_send_what_validation_would(demo):
    """style.figure skips Plotly's per-property validation (most of a click's cost); validating the same
    figure must raise nothing and give the same JSON (a colour scale by name, a pandas column: see _plain)."""
    for name, fig in _step_figures(demo).items():
        sent = json.loads(pio.to_json(fig, validate=False))
        validated = json.loads(pio.to_json(go.Figure(fig.to_dict()), validate=False))   # raises on a bad property
        assert sent == validated, name


def test_a_named_colour_scale_is_sent_as_its_stops():
    fig = figures.hidden_heatmap(frames.hidden_frame(np.zeros((2, 3)), ["a", "b"]), 1)
    scale = fig.to_dict()["data"][0]["colorscale"]
    assert isinstance(scale, list) and scale[0][0] == 0 and scale[-1][0] == 1      # "RdBu_r" means nothing to plotly.js


def test_a_spec_reaches_plotly_chart_as_it_is(monkeypatch):
    """st.plotly_chart turns a go.Figure into its dict with to_dict(); a Spec answers with the dict it holds, so
    a cached figure is neither rebuilt nor deep-copied. If a Streamlit upgrade stops calling to_dict, the page
    still draws (a Spec is a go.Figure) but this test fails: the saving is gone."""
    from streamlit.testing.v1 import AppTest

    calls = []
    original = specs.Spec.to_dict
    monkeypatch.setattr(specs.Spec, "to_dict", lambda self: calls.append(1) or original(self))
    at = AppTest.from_function(_draw_one_spec, default_timeout=60)
    at.run()
    assert not at.exception
    drawn = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert calls and drawn["layout"]["title"]["text"] == "Next-token probabilities"
    assert at.get("plotly_chart")[0].proto.alt.startswith("Next-token probabilities.")


def _draw_one_spec():
    import numpy as np

    from ui.common import specs
    from ui.common.charts import show
    from ui.common.figures import next_token_figure
    from ui.common.frames import top_k_frame

    fig = next_token_figure(top_k_frame(np.array([0.7, 0.2, 0.1]), ["a", "b", "c"]))
    show(specs.finish(fig, "next"), key="next")


def test_the_store_hands_back_a_figure_for_its_key_only_and_stays_in_its_budget():
    store = specs.SpecStore(budget=200_000)
    built = []

    def build(p):
        built.append(p)
        return common.next_token_figure(top_k_frame(np.array([p, 1 - p]), ["a", "b"]))

    a = specs.cached(("m", 0.25), "next", lambda: build(0.25), store)
    again = specs.cached(("m", 0.25), "next", lambda: build(0.25), store)
    other = specs.cached(("m", 0.75), "next", lambda: build(0.75), store)
    assert again is a and other is not a and built == [0.25, 0.75]
    top = lambda s: s.to_dict()["data"][0]["y"][0]                  # the most likely token
    assert (top(a), top(other)) == ("b", "a")
    for p in np.linspace(0.01, 0.99, 200):                           # many more than fit
        specs.cached(("m", float(p)), "next", lambda: build(float(p)), store)
    assert store.nbytes <= 200_000 and 0 < len(store) < 200


def test_a_model_digest_follows_its_weights_not_its_name():
    model, vocab = load_model((DEMO_DIR / "demo_rnn.npz").read_bytes())
    a, b = LoadedModel("Demo RNN", model, vocab), LoadedModel("Demo RNN", model.copy(), vocab)
    assert a.digest == b.digest                                        # two sessions' copies share figures
    changed = model.copy()
    changed.params["W_hh"][0, 0] += 1e-3
    assert LoadedModel("Demo RNN", changed, vocab).digest != a.digest   # same name, other weights: other figures
