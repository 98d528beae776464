"""The seeds' lessons on Step through: without recurrence the memory is gone; the seeds' notation
names the same numbers."""
import re

import numpy as np

from rnn_core.cuisine import PROMPT

from helpers import app_figures, decode_plotly, finish_run, open_page

STEP_PAGE = "pages/step_through.py"


def _top(at) -> str:
    return app_figures(at)["Next-token probabilities"]["data"][0]["y"][0]


def test_without_recurrence_the_sushi_sentence_no_longer_names_the_cuisine():
    at = open_page(STEP_PAGE, step="12")
    assert _top(at) == "japanese"
    demo = at.session_state["models"]["Demo RNN"].model
    w_hh = demo.params["W_hh"].copy()
    at.toggle(key="no_recurrence").set_value(True).run()
    assert not at.exception
    assert _top(at) != "japanese"
    note = next(c.value for c in at.caption if "separate layers" in c.value)
    T, cell = 12, sum(p.size for k, p in demo.params.items() if k not in ("W_hy", "b_y"))
    assert f"{cell:,} weights" in note and f"need {T * cell:,}" in note and "now predicts" in note
    z = decode_plotly(app_figures(at)["Hidden state over time"]["data"][0]["z"])     # units x steps
    assert np.allclose(z[:, 0], z[:, 8])              # "my" at steps 1 and 9: the heatmap has lost its memory
    assert np.array_equal(demo.params["W_hh"], w_hh)                  # the model itself is untouched
    at.toggle(key="no_recurrence").set_value(False).run()
    assert _top(at) == "japanese"


def test_without_recurrence_each_hidden_state_depends_on_its_own_token_only():
    at = open_page(STEP_PAGE)
    at.toggle(key="no_recurrence").set_value(True).run()
    entry = at.session_state["models"]["Demo RNN"]
    vocab, model = entry.vocab, entry.model.copy()
    model.params["W_hh"][...] = 0
    ids = vocab.encode(PROMPT)
    h = model.forward(ids).hidden
    # "my" at steps 1 and 9 (and "favourite" at 2 and 10) give the same h_t: no memory of what came before
    assert np.allclose(h[0], h[8]) and np.allclose(h[1], h[9])


def _open_notation(at):
    """Open the other-notations expander: its content is built only while it is open."""
    assert not any(m.value.strip("$\n").startswith("W[") for m in at.latex)      # closed: not built, not sent
    at.session_state["notation_open"] = True
    at.run()


def test_the_seeds_notation_gives_the_same_numbers():
    at = open_page(STEP_PAGE, step="5")
    at.number_input(key="unit").set_value(3).run()
    _open_notation(at)
    entry = at.session_state["models"]["Demo RNN"]
    trace = entry.model.forward(entry.vocab.encode(PROMPT))
    pre = float(trace.pre_activation[4, 3])
    line = next(m.value for m in at.latex if m.value.strip("$\n").startswith("W[3]"))
    values = [float(v) for v in re.findall(r"= (-?\d+\.\d+)", line)]
    assert len(values) == 2 and values[0] == values[1] and abs(values[0] - pre) < 1e-4
    assert any("U" in m.value and "S_t" in m.value for m in at.latex)


def test_the_notation_covers_every_gate_block_of_the_lstm():
    at = open_page(STEP_PAGE, model="Demo LSTM", step="3")
    _open_notation(at)
    lines = [m.value for m in at.latex if m.value.strip("$\n").startswith("W[")]
    assert len(lines) == 4 and all("block" in ln for ln in lines)


# ----- the loss over time and the gradient of a late loss -------------------------------------------------
def test_the_default_train_runs_first_iteration_shows_the_last_steps_gradient_vanish():
    at = open_page("pages/train.py")
    at.number_input(key="tr_iterations").set_value(1).run()
    next(b for b in at.button if b.label == "Train").click().run()
    finish_run(at)                                                       # it trained in a worker process
    assert not at.exception
    fig = app_figures(at)["The last step's gradient going back"]
    last = decode_plotly(fig["data"][1]["y"]).astype(float)
    assert len(last) == 25 and last[0] < last[-1] / 100                 # measured: about 2e-6 of step 25's
    assert any(c.value.startswith("One late loss going back") and "it vanishes" in c.value for c in at.caption)
    losses = decode_plotly(app_figures(at)["Loss at each time step e_t"]["data"][0]["y"]).astype(float)
    sess = at.session_state["train_session"]
    assert losses.mean() == __import__("pytest").approx(sess.records[-1]["loss"], rel=1e-5)
    assert any(c.value.startswith("E = e_1 + … + e_25 = ") and "E / 25 = " in c.value for c in at.caption)


def test_train_with_a_many_to_one_loss():
    at = open_page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(3).run()
    at.selectbox(key="tr_loss_shape").set_value("many_to_one").run()
    next(b for b in at.button if b.label == "Train").click().run()
    finish_run(at)                                                       # it trained in a worker process
    assert not at.exception
    fig = app_figures(at)["Loss at each time step e_t (many-to-one: the last step only)"]
    e = decode_plotly(fig["data"][0]["y"]).astype(float)
    assert np.all(e[:-1] == 0) and e[-1] > 0
    assert any(c.value.startswith("E = e_25 = ") for c in at.caption)


def test_the_backward_views_loss_shapes():
    at = open_page(STEP_PAGE, view="Backward", step="12")
    entry = at.session_state["models"]["Demo RNN"]
    figs = app_figures(at)
    e = decode_plotly(figs["Loss at each time step e_t (many-to-one: the last step only)"]["data"][0]["y"])
    assert np.all(e[:-1] == 0) and len(figs["Gradient norm per time step"]["data"]) == 3   # + an untrained RNN
    at.radio(key="loss_shape").set_value("many_to_many").run()
    assert not at.exception
    figs = app_figures(at)
    e = decode_plotly(figs["Loss at each time step e_t"]["data"][0]["y"]).astype(float)
    ids = entry.vocab.encode(PROMPT)
    probs = entry.model.astype(np.float64).forward(ids).probs
    targets = np.append(ids[1:], entry.vocab.tokens.index("japanese"))
    np.testing.assert_allclose(e, -np.log(probs[np.arange(12), targets]), rtol=1e-9)
    assert len(figs["Gradient norm per time step"]["data"]) == 4            # + the last step's loss alone
    assert any("E = e_1 + … + e_12 = " in m.value and "E / 12 = " in m.value for m in at.markdown)


def test_the_backward_caption_reads_the_numbers():
    at = open_page(STEP_PAGE, view="Backward", step="12")
    cap = next(c.value for c in at.caption if c.value.startswith("Bars fill"))
    assert "falling staircase" not in cap and ("stays within" in cap or "falls about" in cap or "grows about" in cap)


def test_captions_are_read_from_the_numbers():
    from ui.common.text import fade_caption, loss_sum_text

    assert "falls about 10^6-fold from step 25" in fade_caption(np.geomspace(1e-6, 1, 25))
    assert "grows about 10^3-fold" in fade_caption(np.geomspace(1e3, 1, 10))
    assert "stays within 4.0-fold" in fade_caption(np.array([0.5, 2.0, 1.0]))
    assert fade_caption(np.array([0.0, 1.0])).startswith("The gradient is exactly 0 at step 1")   # named, not divided
    assert loss_sum_text([1.0, 2.0, 3.0], False).startswith("E = e_1 + … + e_3 = 1.00 + 2.00 + 3.00 = 6.000")
    assert loss_sum_text([0, 0, 0.5], True) == "E = e_3 = 0.500 (only the last step has a target)"
    assert "+ … + 11.00 + 12.00 + 13.00" in loss_sum_text(list(range(1, 14)), False)   # the largest terms shown


def test_one_sgd_step_raises_the_targets_probability_and_undo_restores_every_weight():
    from rnn_core import load_model
    from ui.common.models import DEMO_DIR

    at = open_page(STEP_PAGE, view="Backward", step="12")
    at.selectbox(key="sgd_target").set_value("italian").run()
    demo = at.session_state["models"]["Demo RNN"].model
    saved, _ = load_model(DEMO_DIR / "demo_rnn.npz")
    p0 = float(_bar_prob(at, "italian"))
    next(b for b in at.button if b.label == "Apply one SGD step").click().run()
    assert not at.exception
    record = at.session_state["sgd_last"]
    assert record["p_after"] > record["p_before"] and abs(record["p_before"] - p0) < 1e-6
    table = at.dataframe[-1].value
    np.testing.assert_allclose(table["after"], table["before"] - table["eta * dL/dW"], rtol=1e-4, atol=1e-6)
    assert any("→" in m.value and "p(“italian”)" in m.value for m in at.markdown)
    for k in demo.params:                                       # the demo model itself never changes
        np.testing.assert_array_equal(demo.params[k], saved.params[k])
    next(b for b in at.button if b.label == "Apply one SGD step").click().run()
    assert at.session_state["sgd_models"]["Demo RNN"][1] == 2
    next(b for b in at.button if b.label == "Undo").click().run()
    assert not at.exception and "Demo RNN" not in at.session_state["sgd_models"]
    shown = at.session_state["models"]["Demo RNN"].model
    for k in shown.params:
        np.testing.assert_array_equal(shown.params[k], saved.params[k])
    assert abs(float(_bar_prob(at, "italian")) - p0) < 1e-12


def _bar_prob(at, word):
    """p(word) after the prompt's last token, from the model the page shows (its SGD copy if there is one)."""
    entry = at.session_state["sgd_models"].get("Demo RNN", (at.session_state["models"]["Demo RNN"], 0))[0]
    ids = entry.vocab.encode(PROMPT)
    return entry.model.forward(ids).probs[-1, entry.vocab.tokens.index(word)]


def test_dl_dw_hh_as_a_sum_over_time_and_the_chain_of_jacobians():
    at = open_page(STEP_PAGE, view="Backward", step="5")
    assert not at.exception
    entry = at.session_state["models"]["Demo RNN"]
    m64 = entry.model.astype(np.float64)
    ids = entry.vocab.encode(PROMPT)
    _, grads, _ = m64.loss_and_grads(ids, np.int64(entry.vocab.tokens.index("japanese")), loss="many_to_one")
    fig = app_figures(at)["dE/dU, dE/dW, dE/dV as sums over time steps"]
    bars = decode_plotly(fig["data"][1]["y"]).astype(float)
    assert len(bars) == 12 and bars.sum() == __import__("pytest").approx(np.linalg.norm(grads["W_hh"]), rel=1e-9)
    assert any("||dE/dW|| = ||dL/dW_hh||" in c.value for c in at.caption)
    from ui.step.sections import _sci

    chain = [m.value for m in at.latex if "factor norms" in m.value]
    factors = entry.model.step_jacobian_norms(ids)[4:]
    assert len(chain) == 1 and _sci(float(np.prod(factors))) in chain[0]
    assert any(_sci(float(entry.model.jacobian_norms(ids)[4])) in m.value and m.value.strip("$\n").startswith("\\geq")
               for m in at.latex)


def test_train_shows_the_w_hh_terms():
    at = open_page("pages/train.py")
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(12).run()
    next(b for b in at.button if b.label == "Train").click().run()
    finish_run(at)                                                       # it trained in a worker process
    bars = decode_plotly(app_figures(at)["dL/dW_hh as a sum over time steps"]["data"][0]["y"]).astype(float)
    assert len(bars) == 25 and bars.sum() > 0
    assert any(c.value.startswith("Iteration 11. The bars add up") for c in at.caption)
