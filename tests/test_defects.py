"""Regression tests for the defects a new user hit on the most common paths (AppTest and the engine).

The browser-only paths (a fragment's view switch, navigation in a real page, uploads, a fresh
server's first page) are in test_browser.py.
"""
import tomllib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.cuisine import PROMPT
from rnn_core.io import ModelFileError, load_model, model_to_bytes
from ui.common.limits import MAX_MODEL_BYTES
from ui.common.config import TrainConfig
from ui.train.session import TrainSession, build_data

from helpers import APP, app_figures, click, finish_run, open_page, push_to_divergence

ROOT = Path(__file__).resolve().parent.parent


_page, _click = open_page, click


# 2. leaving a page and coming back keeps its widgets ---------------------------------------------------
def test_step_through_keeps_its_state_across_pages():
    at = _page("pages/step_through.py")
    at.text_input(key="sentence_input").set_value("my favourite dish is pizza").run()
    at.selectbox(key="model_name").set_value("Demo GRU").run()
    for _ in range(3):
        _click(at, "Next step")
    at.number_input(key="unit").set_value(7).run()
    for other in ("pages/home.py", "pages/train.py"):
        at.switch_page(other).run()
        assert not at.exception
        at.switch_page("pages/step_through.py").run()
        assert not at.exception, at.exception
        assert at.selectbox(key="model_name").value == "Demo GRU"
        assert at.text_input(key="sentence_input").value == "my favourite dish is pizza"
        assert at.slider[0].value == 4 and at.slider[0].max == 5
        assert at.segmented_control(key="view").value == "Forward" and at.number_input(key="unit").value == 7
    _click(at, "Next step")
    assert at.slider[0].value == 5


def test_backward_then_forward_keeps_the_hidden_unit():
    at = _page("pages/step_through.py")
    at.number_input(key="unit").set_value(5).run()
    at.segmented_control(key="view").set_value("Backward").run()
    assert not at.exception
    at.segmented_control(key="view").set_value("Forward").run()
    assert not at.exception and at.number_input(key="unit").value == 5
    _click(at, "Previous step")


def test_train_and_lab_settings_survive_navigation():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.selectbox(key="tr_cell").set_value("gru").run()
    at.switch_page("pages/gradient_lab.py").run()
    at.slider(key="lab_rho").set_value(1.5).run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/train.py").run()
    assert at.select_slider(key="tr_hidden").value == 16 and at.selectbox(key="tr_cell").value == "gru"
    at.switch_page("pages/gradient_lab.py").run()
    assert not at.exception and at.slider(key="lab_rho").value == 1.5


# 6. every iteration trained belongs to a recorded run -------------------------------------------------
def test_pressing_train_mid_run_records_the_interrupted_part():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(100_000).run()
    _click(at, "Train")                                      # it trains in a worker process meanwhile
    sess = at.session_state["train_session"]
    sess.wait(lambda v: v.iteration > 0)
    assert sess.running
    _click(at, "Train")                                      # again, mid-run
    first = sess.runs[0]["to iteration"]                     # where the worker was when the click came
    assert first > 0 and sess.runs[0]["from iteration"] == 0 and sess.run_start == first
    _click(at, "Stop")
    runs = sess.runs
    assert [r["from iteration"] for r in runs] == [0, first] and runs[-1]["to iteration"] == sess.iteration
    assert sum(r["to iteration"] - r["from iteration"] for r in runs) == sess.iteration
    assert sess.target == first + 100_000                    # the second run's own target


def test_changing_the_data_and_pressing_train_mid_run_keeps_the_run():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(100_000).run()
    _click(at, "Train")
    sess = at.session_state["train_session"]
    sess.wait(lambda v: v.iteration > 0)
    at.selectbox(key="tr_source").set_value("Sonnets (characters)").run()   # the run goes on meanwhile
    assert any("needs new weights" in i.value for i in at.info)
    _click(at, "Train")                                      # fresh weights for the new vocabulary
    run = sess.runs[0]
    n = run["to iteration"]                                  # where the worker was when the click came
    assert n > 0
    assert run["to iteration"] == n and run["loss_at"][-1] == n and run["loss_at"][0] == 1     # the whole run ...
    assert (len(run["losses"]) == n) if n <= 2_000 else (1_000 <= len(run["losses"]) <= 2_000)   # or thinned
    _click(at, "Stop")


# 7. continuing from a model whose shape differs from the sidebar ---------------------------------------
def _saved_model(cfg: TrainConfig, iterations: int = 5) -> bytes:
    sess = TrainSession()
    sess.reset_weights(cfg, build_data(cfg))
    sess.start(iterations)
    while sess.running:
        sess.train_for(1.0)
    return sess.model_bytes()


def test_continue_from_a_model_of_another_size_and_vocabulary_trains_that_model():
    """The engine part: the settings returned follow the model; the data keeps its vocabulary."""
    raw = _saved_model(TrainConfig(source="Sonnets (characters)", cell="gru", hidden=12, batch=4, seq_len=10))
    model, vocab = load_model(raw)
    sess = TrainSession()
    sess.reset_weights(TrainConfig(hidden=16), build_data(TrainConfig(hidden=16)))
    text = "to be or not to be, that is the question; " * 40
    what = sess.continue_from(raw, TrainConfig(source="Pasted text", level="word", hidden=128, cell="rnn"), text)
    cfg = sess.config
    assert "GRU with H=12" in what and (cfg.cell, cfg.hidden, cfg.level) == ("gru", 12, "char")
    assert sess.vocab == vocab and sess.model.hidden_size == 12
    data = build_data(cfg, text, vocab=sess.vocab)           # what the page builds for these settings
    assert sess.needs_new_weights(cfg, data) == []
    w = sess.model.params["W_hh"].copy()
    sess.start(3)
    sess.train_for(5.0)
    assert sess.model.hidden_size == 12 and not np.array_equal(sess.model.params["W_hh"], w)


def test_a_model_over_the_upload_limit_is_refused_on_train_too():
    raw = _saved_model(TrainConfig(hidden=8, batch=4, seq_len=10))
    sess = TrainSession()
    with pytest.raises(ModelFileError, match="larger than"):
        sess.continue_from(raw, TrainConfig(), max_bytes=len(raw) - 1)


def test_the_server_upload_limit_matches_the_apps():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server_bytes = cfg["server"]["maxUploadSize"] * 2**20       # Streamlit's megabytes are MiB
    assert MAX_MODEL_BYTES <= server_bytes < 1.1 * MAX_MODEL_BYTES


# 8. the count after the NaN guard matches the weights ------------------------------------------------
def test_after_divergence_the_page_counts_the_updates_the_weights_have():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(25).run()
    push_to_divergence(at)
    _click(at, "Train")
    sess = finish_run(at)
    assert sess.diverged
    n = sess.iteration
    assert [r["iteration"] for r in sess.records] == list(range(1, n + 1))
    assert sess.runs[-1]["to iteration"] == n and max(sess.snapshots) == n
    assert any(f"{n} iterations so far" in m.value for m in at.markdown)


# 9. the URL and the sentence boxes -------------------------------------------------------------------------
def test_a_linked_sentence_of_201_tokens_says_why_it_is_not_shown():
    text = " ".join(["sushi"] * 201)
    at = _page("pages/step_through.py", sentence=text)
    assert at.text_input(key="sentence_input").value == text
    assert any("link" in w.value and "at most 200" in w.value for w in at.warning)
    assert at.slider[0].max == 12                            # the default prompt, said so


def test_a_sentence_over_the_character_limit_gets_a_message():
    at = _page("pages/step_through.py")
    at.text_input(key="sentence_input").set_value("a" * 25_000).run()
    assert not at.exception and any("25,000 characters" in w.value for w in at.warning)
    assert at.session_state["sentence"] == PROMPT


def test_a_huge_unknown_word_is_shortened_in_the_note():
    word = "q" * 19_999
    at = _page("pages/step_through.py")
    at.text_input(key="sentence_input").set_value(word).run()
    note = next(i.value for i in at.info if "never saw" in i.value)
    assert "qqqq" in note and len(note) < 300


def test_home_keeps_its_chart_on_an_empty_sentence():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    before = app_figures(at)["Next-token probabilities"]
    at.text_input[0].set_value("").run()
    assert not at.exception and any("empty" in w.value for w in at.warning)
    assert app_figures(at)["Next-token probabilities"] == before


# 3. the smallest model a file may hold draws every view ---------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_smallest_loadable_model_draws_every_view(cell):
    from rnn_core import Vocab, make_model
    from ui.common.models import load_upload

    vocab = Vocab(["sushi"])
    entry = load_upload("tiny.npz", model_to_bytes(make_model(cell, 2, 1, seed=0, dtype=np.float32), vocab))
    at = _page("pages/step_through.py", sentence="sushi sushi sushi")
    at.session_state["models"][entry.name] = entry
    at.run()
    at.selectbox(key="model_name").set_value(entry.name).run()
    assert not at.exception, at.exception
    _click(at, "Next step")
    at.segmented_control(key="view").set_value("Backward").run()
    assert not at.exception, at.exception
    assert {"Next-token probabilities", "Gradient norm per time step"} & set(app_figures(at))


def test_the_replay_slider_follows_the_latest_snapshot_until_moved():
    at = _page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(30).run()
    _click(at, "Train")
    sess = finish_run(at)
    replay = at.select_slider(key="tr_replay")
    assert replay.value == max(sess.snapshots) == 30
    replay.set_value(0).run()
    _click(at, "Train")                                      # 30 more: the learner's choice stays
    finish_run(at)
    assert at.select_slider(key="tr_replay").value == 0 and max(sess.snapshots) == 60


# issue 13: a run pushed to the extreme saturates tanh without a NaN: the page says why the loss is stuck
def test_a_saturated_run_says_why_its_loss_is_stuck():
    at = _page("pages/train.py")
    at.select_slider(key="tr_lr").set_value(100.0).run()
    at.selectbox(key="tr_optimizer").set_value("sgd").run()
    at.select_slider(key="tr_clip").set_value(0.0).run()
    at.slider(key="tr_rho").set_value(3.0).run()
    at.number_input(key="tr_iterations").set_value(30).run()     # (by 50-60 float32 rounding may reach a NaN)
    _click(at, "Train")
    sess = finish_run(at)
    assert not sess.diverged and sess.iteration == 30
    warning = next(w.value for w in at.warning if "confidently wrong" in w.value)
    assert "log V = 4.62" in warning and "where tanh is flat" in warning
