"""The app in Streamlit's AppTest: pages run, controls change the view, figures hold the core's numbers."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.cuisine import PROMPT
from rnn_core.io import ModelFileError, load_model
from ui.common.models import DEMO_DIR, load_upload

from helpers import app_figures, decode_plotly, open_page

from pathlib import Path

APP = str(Path(__file__).resolve().parent.parent / "app.py")
STEP_PAGE = "pages/step_through.py"


@pytest.fixture(scope="module")
def demo():
    return load_model(DEMO_DIR / "demo_rnn.npz")


def _app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _step_page(**query):
    return open_page(STEP_PAGE, timeout=60, **query)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _bar(fig):
    tr = fig["data"][0]
    return list(tr["y"]), decode_plotly(tr["x"])


def test_home_shows_the_demo_models_answer(demo):
    at = _app()
    model, vocab = demo
    figs = app_figures(at)
    labels, probs = _bar(figs["Next-token probabilities"])
    assert labels[0] == "japanese"
    expected = model.forward(vocab.encode(PROMPT)).probs[-1]
    np.testing.assert_array_equal(probs, np.sort(expected)[::-1][: len(probs)])
    assert [t.label for t in at.text_input] == ["Sentence"]


def test_home_sentence_change_and_empty():
    at = _app()
    at.text_input[0].set_value("My favourite dish is pizza. So, my favourite cuisine is").run()
    assert _bar(app_figures(at)["Next-token probabilities"])[0][0] == "italian"
    at.text_input[0].set_value("   ").run()
    assert not at.exception and any("empty" in w.value for w in at.warning)


def test_step_page_controls_exist():
    at = _step_page()
    assert [b.label for b in at.button] == ["Previous step", "Next step", "Play", "Reset"]
    assert at.slider[0].label == "Time step" and at.slider[0].value == 1
    assert at.text_input(key="sentence_input").label == "Sentence"
    titles = set(app_figures(at))
    assert {"Next-token probabilities", "Hidden state over time"} <= titles


def test_next_step_to_the_end_predicts_japanese_with_the_cores_numbers(demo):
    at = _step_page()
    model, vocab = demo
    ids = vocab.encode(PROMPT)
    trace = model.forward(ids)
    for step in range(2, len(ids) + 1):
        _button(at, "Next step").click().run()
        assert at.slider[0].value == step and at.query_params["step"] == str(step)
    _button(at, "Next step").click().run()                       # stays at the end
    assert at.slider[0].value == len(ids)
    figs = app_figures(at)
    labels, probs = _bar(figs["Next-token probabilities"])
    assert labels[0] == "japanese"
    np.testing.assert_array_equal(probs, np.sort(trace.probs[-1])[::-1][: len(probs)])
    z = decode_plotly(figs["Hidden state over time"]["data"][0]["z"])
    np.testing.assert_array_equal(z, trace.hidden.T)


def test_slider_previous_and_reset_move_the_cursor(demo):
    at = _step_page()
    model, vocab = demo
    trace = model.forward(vocab.encode(PROMPT))
    at.slider[0].set_value(5).run()
    _, probs = _bar(app_figures(at)["Next-token probabilities"])
    np.testing.assert_array_equal(probs, np.sort(trace.probs[4])[::-1][: len(probs)])
    _button(at, "Previous step").click().run()
    assert at.slider[0].value == 4
    _button(at, "Reset").click().run()
    assert at.slider[0].value == 1


def test_typing_a_sentence_changes_the_view():
    at = _step_page()
    at.slider[0].set_value(3).run()
    at.text_input(key="sentence_input").set_value("I love ramen. So, my favourite cuisine is").run()
    assert not at.exception
    assert at.slider[0].value == 1 and at.slider[0].max == 10
    assert at.query_params["sentence"] == "I love ramen. So, my favourite cuisine is"
    at.slider[0].set_value(10).run()
    assert _bar(app_figures(at)["Next-token probabilities"])[0][0] == "japanese"


def test_play_advances_and_stops_at_the_end():
    at = _step_page(sentence="sushi is japanese")
    _button(at, "Play").click().run()
    assert at.session_state["playing"] and at.slider[0].value == 2
    assert [b.label for b in at.button][2] == "Pause"
    at.run()                                                         # a timer tick reruns the page
    assert at.slider[0].value == 3
    at.run()
    assert not at.session_state["playing"] and at.slider[0].value == 3


def test_backward_view_fills_gradient_norms_from_the_end(demo):
    at = _step_page()
    model, vocab = demo
    ids = vocab.encode(PROMPT)
    at.segmented_control(key="view").set_value("Backward").run()
    assert not at.exception and at.slider[0].value == len(ids)
    assert at.selectbox(key="target_word").value == "japanese"
    assert [b.label for b in at.button][:2] == ["Forward to t+1", "Back to t-1"]    # each says what it does
    _button(at, "Back to t-1").click().run()                        # BPTT's next step: one step back in time
    _button(at, "Back to t-1").click().run()
    assert at.slider[0].value == len(ids) - 2
    fig = app_figures(at)["Gradient norm per time step"]
    bars = decode_plotly(fig["data"][0]["y"]).astype(float)
    m64 = model.astype(np.float64)
    _, _, diag = m64.loss_and_grads(ids, np.int64(vocab.tokens.index("japanese")), loss="many_to_one")
    assert np.isnan(bars[: len(ids) - 3]).all()
    np.testing.assert_allclose(bars[len(ids) - 3:], diag.grad_norm_per_step[len(ids) - 3:], rtol=1e-12)
    np.testing.assert_allclose(decode_plotly(fig["data"][1]["y"]), model.jacobian_norms(ids), rtol=1e-6)
    at.selectbox(key="target_word").set_value("italian").run()
    assert not at.exception and any("italian" in m.value for m in at.markdown)


def test_memory_probe_swaps_sushi_for_pizza():
    at = _step_page()
    assert at.selectbox(key="probe_position").value == 4           # "sushi", found by itself
    assert at.selectbox(key="probe_word").value == "pizza"
    assert any("japanese" in m.value and "italian" in m.value for m in at.markdown)
    fig = app_figures(at)["Distance between the two hidden-state paths"]
    d = decode_plotly(fig["data"][0]["y"])
    assert np.all(d[:4] == 0) and d[4] > 0


def test_lstm_and_gru_show_their_gates():
    for name in ("Demo LSTM", "Demo GRU"):
        at = _step_page()
        at.selectbox(key="model_name").set_value(name).run()
        assert not at.exception
        figs = app_figures(at)
        assert "Gates over time" in figs and "Next-token probabilities" in figs
        at.slider[0].set_value(12).run()
        assert _bar(app_figures(at)["Next-token probabilities"])[0][0] == "japanese"


def test_url_reproduces_the_screen():
    at = _step_page(sentence="I love pizza. So, my favourite cuisine is", step="10", model="Demo GRU",
                    view="Forward")
    assert at.slider[0].value == 10 and at.selectbox(key="model_name").value == "Demo GRU"
    assert _bar(app_figures(at)["Next-token probabilities"])[0][0] == "italian"


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("     ", "empty"),
    (" ".join(["word"] * 10_000), "at most 200"),
])
def test_bad_sentences_keep_the_previous_view(text, message):
    at = _step_page()
    at.slider[0].set_value(6).run()
    at.text_input(key="sentence_input").set_value(text).run()
    assert not at.exception
    assert any(message in w.value for w in at.warning)
    assert at.session_state["sentence"] == PROMPT and at.slider[0].value == 6


@pytest.mark.parametrize("text, unknown", [
    ("...!?", None),
    ("My favourite dish is 🍣. So, my favourite cuisine is", "🍣"),
    ("<script>alert('x')</script> sushi", "script"),
    ("**bold** [link](http://example.com) sushi", "bold"),
])
def test_odd_sentences_are_read_safely(text, unknown):
    at = _step_page()
    at.text_input(key="sentence_input").set_value(text).run()
    assert not at.exception and not at.warning
    assert at.session_state["sentence"] == text
    if unknown:
        note = next(i.value for i in at.info if "never saw" in i.value)
        assert unknown in note
    for el in at.markdown:                                           # nothing rendered as raw HTML
        assert "<script" not in el.value.replace("\\<", "")
        assert not getattr(el.proto, "allow_html", False)


def test_corrupt_uploads_are_refused_with_a_message(tmp_path):
    with pytest.raises(ModelFileError, match="not an .npz"):
        load_upload("x.npz", b"this is not a model")
    with pytest.raises(ModelFileError, match="no model metadata"):
        import io
        buf = io.BytesIO()
        np.savez(buf, W=np.ones(3))
        load_upload("foreign.npz", buf.getvalue())
    entry = load_upload("demo.npz", (DEMO_DIR / "demo_gru.npz").read_bytes())
    assert entry.name == "Uploaded: demo.npz" and entry.model.cell == "gru"


def test_sessions_do_not_share_models():
    a, b = _step_page(), _step_page()
    ma = a.session_state["models"]["Demo RNN"].model
    mb = b.session_state["models"]["Demo RNN"].model
    assert ma is not mb and ma.params["W_hh"] is not mb.params["W_hh"]
