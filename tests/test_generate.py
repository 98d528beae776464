"""Generate (one-to-many): the tokens and the distribution each was drawn from, from the engine."""
import numpy as np
import pytest

from rnn_core.sampling import complete, generate
from ui.common.text import md_escape

from helpers import app_figures, decode_plotly, open_page

PAGE = "pages/generate.py"


def _shown_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**My favourite dish is**"))


def test_greedy_generation_and_each_tokens_distribution():
    at = open_page(PAGE)
    at.radio(key="gen_strategy").set_value("greedy").run()
    at.slider(key="gen_tokens").set_value(6).run()
    assert not at.exception
    entry = at.session_state["models"]["Demo RNN"]
    want = complete(entry.model, entry.vocab, "My favourite dish is", 6)
    for k in range(6):
        at.pills(key="gen_pick").set_value(k).run()
        bars = app_figures(at)["Next-token probabilities"]["data"][0]
        assert bars["y"][0] == want[k]                            # greedy: the chosen token is the most likely
        assert any(f"Token {k + 1}, “{md_escape(want[k])}”" in c.value for c in at.caption)


def test_sampling_is_seeded_and_the_distribution_is_the_one_drawn_from():
    at = open_page(PAGE)
    at.select_slider(key="gen_temperature").set_value(0.7).run()
    at.number_input(key="gen_top_k").set_value(5).run()
    first = _shown_text(at)
    entry = at.session_state["models"]["Demo RNN"]
    out = generate(entry.model, entry.vocab, "My favourite dish is", 20, "sample", 0.7, 5, 0)
    at.pills(key="gen_pick").set_value(3).run()
    probs = decode_plotly(app_figures(at)["Next-token probabilities"]["data"][0]["x"]).astype(float)
    assert (probs > 0).sum() <= 5                                  # top-k: at most 5 tokens could be drawn
    np.testing.assert_allclose(np.sort(probs)[::-1], np.sort(out[3].probs)[::-1][: len(probs)], rtol=1e-6)
    at.run()
    assert _shown_text(at) == first                               # same seed, same text
    at.number_input(key="gen_seed").set_value(1).run()
    assert _shown_text(at) != first


def test_the_sonnets_model_writes_characters():
    at = open_page(PAGE)
    at.selectbox(key="gen_model").set_value("Demo sonnets (LSTM, characters)").run()
    at.text_input(key="gen_prompt").set_value("Shall I compare thee to a summer").run()
    assert not at.exception
    text = next(m.value for m in at.markdown if m.value.startswith("**Shall I compare"))
    assert len(text) > 40


def test_an_empty_prompt_says_why():
    at = open_page(PAGE)
    at.text_input(key="gen_prompt").set_value("   ").run()
    assert not at.exception and any("empty" in w.value for w in at.warning)


@pytest.mark.parametrize("kw", [dict(n_tokens=-1), dict(n_tokens=1.5), dict(top_k=0), dict(strategy="beam")])
def test_generate_refuses_bad_arguments(kw):
    from rnn_core import Vocab, make_model

    v = Vocab.from_text("a b c")
    with pytest.raises(ValueError):
        generate(make_model("rnn", len(v), 4), v, "a b", **{"n_tokens": 2, **kw})
