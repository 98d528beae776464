"""The seeds' lessons on Step through: without recurrence the memory is gone; the seeds' notation
names the same numbers."""
import re

import numpy as np

from rnn_core.cuisine import PROMPT

from helpers import app_figures, decode_plotly, open_page

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


def test_the_seeds_notation_gives_the_same_numbers():
    at = open_page(STEP_PAGE, step="5")
    at.number_input(key="unit").set_value(3).run()
    entry = at.session_state["models"]["Demo RNN"]
    trace = entry.model.forward(entry.vocab.encode(PROMPT))
    pre = float(trace.pre_activation[4, 3])
    line = next(m.value for m in at.latex if m.value.strip("$\n").startswith("W[3]"))
    values = [float(v) for v in re.findall(r"= (-?\d+\.\d+)", line)]
    assert len(values) == 2 and values[0] == values[1] and abs(values[0] - pre) < 1e-4
    assert any("U" in m.value and "S_t" in m.value for m in at.latex)


def test_the_notation_covers_every_gate_block_of_the_lstm():
    at = open_page(STEP_PAGE, model="Demo LSTM", step="3")
    lines = [m.value for m in at.latex if m.value.strip("$\n").startswith("W[")]
    assert len(lines) == 4 and all("block" in ln for ln in lines)
