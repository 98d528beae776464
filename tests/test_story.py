"""The central story, true on every screen: why gradients vanish and why gates help.

One test (or a few) per part of it: captions that name only the line styles their figures have, the Gradient lab's
three figures with their defaults, vanishing first on the Backward view and on Train, saturation and certainty
named, one SGD step that every number follows, the loss and the weight gradients as the seeds write them, and the
small ones (the spectral radius's 0, the sunspots' years, the baseline that copies)."""
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnn_core.cuisine import PROMPT
from rnn_core.tasks import experiment_settings, memory_experiment
from ui.common import style
from ui.common.text import latex_num, loss_sum_text, sig

from helpers import APP, app_figures, click, decode_plotly, finish_run, open_page

ROOT = Path(__file__).resolve().parent.parent
STEP, LAB, TRAIN = "pages/step_through.py", "pages/gradient_lab.py", "pages/train.py"


# ----- 1. every caption names only what its figures draw -----------------------------------------------------------
DASH_WORDS = sorted(set(style.DASH_NAMES.values()), key=len, reverse=True)
COLOR_WORDS = sorted(set(style.COLOR_NAMES.values()), key=len, reverse=True)
STYLE_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in DASH_WORDS + COLOR_WORDS) + r")\b", re.IGNORECASE)
LINE_RE = re.compile(r"\bthe ((?:" + "|".join(COLOR_WORDS) + r") (?:" + "|".join(DASH_WORDS) + r")) line\b")


def _figure_styles(fig: dict) -> tuple[set[str], set[str]]:
    """(every style word a figure's traces and lines are drawn with, the 'colour dash' pairs of its lines)."""
    words, pairs = set(), set()
    for tr in fig.get("data", []):
        color, dash = style.trace_words(tr)
        marker = tr.get("marker") or {}
        words |= {w for w in (color, dash, style.color_name(marker.get("color"))) if w}
        if color and dash:
            pairs.add(f"{color} {dash}")
    for sh in fig.get("layout", {}).get("shapes", []):
        line = sh.get("line") or {}
        color, dash = style.color_name(line.get("color")), style.DASH_NAMES.get(line.get("dash") or "solid")
        words |= {w for w in (color, dash) if w}
        if color and dash:
            pairs.add(f"{color} {dash}")
    return words, pairs


def _check_captions(at, where: str) -> int:
    """Fail on a caption (or note) that names a trace style no figure on the page has; returns how many style words
    were checked."""
    words, pairs = set(), set()
    for fig in app_figures(at).values():
        w, p = _figure_styles(fig)
        words |= w
        pairs |= p
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown] + [i.value for i in at.info]
    checked = 0
    for text in texts:
        for m in STYLE_RE.finditer(text):
            checked += 1
            assert m.group(1).lower() in words, f"{where}: “{m.group(1)}” in {text[:160]!r}; the figures draw {words}"
        for m in LINE_RE.finditer(text):
            assert m.group(1) in pairs, f"{where}: “the {m.group(1)} line” but the figures draw {pairs}"
    return checked


@pytest.mark.parametrize("page, query", [
    ("pages/home.py", {}), (STEP, {}), (STEP, {"view": "Backward", "step": "12"}),
    (STEP, {"view": "Backward", "step": "12", "loss": "many_to_many"}), (LAB, {}), ("pages/generate.py", {}),
    ("pages/time_series.py", {}), (TRAIN, {})])
def test_every_page_names_only_the_line_styles_its_figures_have(page, query):
    at = open_page(page, **query)
    _check_captions(at, f"{page} {query}")


def test_the_captions_that_name_lines_are_checked_after_training():
    at = open_page(TRAIN)
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(11).run()
    click(at, "Train")
    finish_run(at)                                       # the run trains in a worker; draw what it ended with
    assert _check_captions(at, "Train after 11 iterations") >= 3          # the last step's chart names its lines
    at.switch_page(STEP).run()
    at.segmented_control(key="view").set_value("Backward").run()
    assert _check_captions(at, "Backward") >= 2


def test_a_caption_naming_a_style_the_figure_lacks_fails():
    """The check itself: a caption that says 'dashed' about a figure drawn with dots is caught."""
    fig = {"data": [{"type": "scatter", "mode": "lines", "line": {"color": style.GREY, "dash": "dot"}}]}
    words, pairs = _figure_styles(fig)
    assert words == {"grey", "dotted"} and pairs == {"grey dotted"}
    assert STYLE_RE.search("the dashed line is rho") and not STYLE_RE.search("the curve is read")


def test_step_controls_say_what_they_do_in_each_view():
    at = open_page(STEP)
    labels = [b.label for b in at.button][:2]
    assert labels == ["Previous step", "Next step"]
    at.segmented_control(key="view").set_value("Backward").run()
    buttons = {b.label: b for b in at.button}
    assert "Back to t-1" in buttons and "Forward to t+1" in buttons and "Next step" not in buttons
    assert "t-1" in buttons["Back to t-1"].help and "keyboard: L" in buttons["Back to t-1"].help
    click(at, "Back to t-1")
    assert at.slider[0].value == 11


def test_numbers_are_written_for_people():
    assert sig(1e-22) == "1.0e-22" and sig(0.1353) == "0.14" and sig(34.2) == "34" and sig(2520.0) == "2,520"
    assert latex_num(7.925e-05) == r"7.92 \times 10^{-5}" and "e-" not in latex_num(1.2e-7)
    assert latex_num(0.5) == "0.5"


# ----- 2. the vanishing-gradient story in three honest figures ----------------------------------------------------
@pytest.fixture(scope="module")
def lab():
    at = open_page(LAB)
    return at


def _first_step(fig: dict) -> dict[str, float]:
    return {t["name"]: float(decode_plotly(t["y"])[0]) for t in fig["data"]}


def test_the_first_chart_shows_the_gated_cells_above_the_rnn_with_the_defaults(lab):
    fig = app_figures(lab)["How much gradient survives: ||ds_T/ds_t||"]
    first = _first_step(fig)
    assert first["LSTM"] > first["RNN"] and first["GRU"] > first["RNN"]
    d = experiment_settings("cuisine")                     # the lag sweep's gate biases
    assert lab.select_slider(key="lab_jac_forget_bias").value == d["forget_bias"]
    assert lab.select_slider(key="lab_jac_update_bias").value == d["update_bias"]
    cap = next(c.value for c in lab.caption if c.value.startswith("Fresh, untrained networks"))
    assert "sigmoid(5) = 0.99" in cap and "0.99^39" in cap and "no W_hh and no squashing derivative" in cap
    assert "(the grey long-dash-dot line)" in cap and "(the blue dash-dot line)" in cap


def test_the_first_charts_caption_explains_a_low_gate_bias_and_a_large_spectral_radius():
    from ui.common import lab_compute as compute, lab_figures as figures

    low = compute.jacobian_lab(0.9, "tanh", 40, -3.0, 0.0)
    first = low.table[low.table.t == 1].set_index("cell")["norm"]
    assert first["LSTM"] < first["RNN"] and first["GRU"] < first["RNN"]
    text = compute.jacobian_summary(low)
    assert "sigmoid(-3) = 0.05" in text and "the LSTM vanishes too" in text
    assert "sigmoid(0) = 0.50 (it halves what is carried each step)" in text and "the GRU vanishes too" in text
    big = compute.jacobian_lab(1.5, "tanh", 40, 5.0, 5.0)
    first = big.table[big.table.t == 1].set_index("cell")["norm"]
    assert first["RNN"] < 1e-2 * 1.5 ** 39                       # far below rho^(T-1): what caps it is named
    text = compute.jacobian_summary(big, {n: style.line_style(figures.jacobian_lab_figure(big.table), n)
                                          for n in ("rho^(T-t)", compute.FORGET_PATH, compute.UPDATE_PATH)})
    assert "tanh saturates" in text and f"{big.rnn_saturated:.0%} of the RNN's h_t have |h| > 0.95" in text
    assert "which a spectral radius above 1 stretches" in text


def test_the_gate_paths_are_products_of_the_gates():
    from ui.common.lab_compute import gate_paths

    g = np.array([[0.5, 0.9], [0.8, 0.5], [0.25, 1.0]])
    np.testing.assert_allclose(gate_paths(g), [np.median([0.8 * 0.25, 0.5]), np.median([0.25, 1.0]), 1.0])


def test_one_late_loss_three_cells_like_with_like(lab):
    models = lab.session_state["models"]
    fig = app_figures(lab)["One late loss, three cells: what reaches each step"]
    lines = {t["name"]: decode_plotly(t["y"]).astype(float) for t in fig["data"] if t["type"] == "scatter"}
    assert set(lines) == {"RNN", "LSTM", "GRU"}
    rnn = models["Demo RNN"]
    ids = rnn.vocab.encode(PROMPT)
    target = np.int64(rnn.model.forward(ids).probs[-1].argmax())
    for cell in ("rnn", "lstm", "gru"):
        m = models[f"Demo {cell.upper()}"].model.astype(np.float64)
        n = np.linalg.norm(m.state_grads(ids, target), axis=1)
        np.testing.assert_allclose(lines[cell.upper()], n / n[-1], rtol=1e-9)
    lstm = models["Demo LSTM"].model
    heat = next(t for t in fig["data"] if t["type"] == "heatmap")
    f = lstm.forward(ids).gates["forget"]
    prod = np.array([np.prod(f[t + 1:], axis=0) for t in range(len(ids))])
    np.testing.assert_allclose(np.array(decode_plotly(heat["z"]), float).T, prod, rtol=1e-5)
    cap = next(c.value for c in lab.caption if "forget gates alone" in c.value)
    g = lstm.astype(np.float64).state_grads(ids, target)
    H, t = lstm.hidden_size, lab.slider(key="lab_cursor").value - 1
    share = float(np.sum(g[t, H:] ** 2) / np.sum(g[t] ** 2))             # the part of the gradient that is in c_t
    assert (f"{share:.0%} of the LSTM's ||de_T/ds_{t + 1}||^2 is in c_{t + 1}" in cap
            and ("that path is why its curve (blue dashed) stays up" in cap) == (share >= 0.5))


def test_the_lag_sweeps_stored_result_is_on_the_page_at_once():
    open_page(LAB)                                        # a server that has served the page before (its caches warm)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(LAB)
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    assert not at.exception
    fig = app_figures(at)["Lag sweep: what each cell remembers"]
    stored = json.loads((ROOT / "assets/lab/lag_sweep_cuisine.json").read_text())
    rnn = [r for r in stored["records"] if r["cell"] == "rnn"]
    np.testing.assert_allclose(decode_plotly(fig["data"][0]["y"]), [r["accuracy"] for r in rnn])
    assert any("Computed once with these settings" in c.value for c in at.caption)
    assert any(b.label == "Run it yourself" for b in at.button)
    assert seconds < 2.0, f"the Gradient lab took {seconds:.1f} s"


def test_a_stored_sweep_cell_recomputed_gives_the_same_numbers():
    stored = json.loads((ROOT / "assets/lab/lag_sweep_cuisine.json").read_text())
    s = stored["settings"]
    rec = next(r for r in stored["records"] if r["cell"] == "rnn" and r["gap"] == min(s["gaps"]))
    again = memory_experiment(["rnn"], [rec["gap"]], s["budget"], seed=s["seed"], task=s["task"],
                              hidden_size=s["hidden_size"], lr=s["lr"], batch=s["batch"], clip=s["clip"],
                              forget_bias=s["forget_bias"], update_bias=s["update_bias"])[0]
    assert again["accuracy"] == rec["accuracy"]
    assert again["loss"] == pytest.approx(rec["loss"], rel=1e-3, abs=1e-4)


def test_the_stored_sweeps_match_their_tasks_defaults_and_the_readme():
    """Each stored sweep was made with its task's defaults (the page opens on them), and the README's table of the
    sushi task at its longest gap for seeds 0-4 is the stored numbers: the RNN at chance, the LSTM and GRU >= 0.9."""
    from ui.common.lab_compute import sweep_settings
    from ui.lab.sections import SWEEP_GAPS

    for task in ("cuisine", "delay", "adding"):
        d = experiment_settings(task)
        want = sweep_settings(task, SWEEP_GAPS[task], d["budget"], d["forget_bias"], d["update_bias"])
        have = json.loads((ROOT / f"assets/lab/lag_sweep_{task}.json").read_text())["settings"]
        assert {k: have[k] for k in want} == want, task
    cuisine = json.loads((ROOT / "assets/lab/lag_sweep_cuisine.json").read_text())
    longest = max(cuisine["settings"]["gaps"])
    rows = {0: [r for r in cuisine["records"] if r["gap"] == longest]}
    for seed in (1, 2, 3, 4):
        path = ROOT / f"assets/lab/seeds/cuisine_gap{longest}_seed{seed}.json"
        rows[seed] = json.loads(path.read_text())["records"]
    readme = (ROOT / "README.md").read_text()
    for seed, recs in rows.items():
        acc = {r["cell"]: r["accuracy"] for r in recs}
        chance = recs[0]["chance"]
        assert acc["rnn"] <= chance + 0.05 and acc["lstm"] >= 0.9 and acc["gru"] >= 0.9, (seed, acc)
        row = f"| {seed} | {acc['rnn']:.3f} | {acc['lstm']:.3f} | {acc['gru']:.3f} |"
        assert row in readme, row


def test_the_lag_sweep_figure_keeps_equal_cells_apart():
    from ui.common.lab_figures import lag_sweep_figure

    df = pd.DataFrame([{"cell": c, "gap": g, "accuracy": 1.0, "grad_ratio_first_last": 0.1, "chance": 0.25}
                       for g in (5, 10) for c in ("rnn", "lstm", "gru")])
    fig = lag_sweep_figure(df)
    xs = [tuple(tr.x) for tr in fig.data[::2]]
    assert len(set(xs)) == 3 and {tr.marker.symbol for tr in fig.data} == {"circle", "square", "diamond"}
    assert [tr.customdata.tolist() for tr in fig.data[::2]] == [[5, 10]] * 3      # the true gap in the hover


def test_the_sweep_caption_names_the_chance_level_by_the_loss():
    from ui.common.lab_compute import sweep_summary

    df = pd.DataFrame([{"cell": c, "gap": 30, "accuracy": a, "loss": loss, "grad_ratio_first_last": 1e-9,
                        "chance": 1 / 14} for c, a, loss in (("rnn", 0.09, 2.63), ("lstm", 1.0, 0.01),
                                                             ("gru", 1.0, 0.01))])
    df.attrs["task"] = "cuisine"
    text = sweep_summary(df)
    assert "At gap 30 the loss (RNN 2.63 nats) is a uniform guess's, ln 14 = 2.64: at chance" in text
    assert "LSTM and GRU reach the same accuracy there (1.000)" in text and "1.0e-9" in text


# ----- 3. the Backward view and Train put vanishing first -----------------------------------------------------------
def test_the_backward_view_shows_vanishing_by_default_beside_the_trained_rnn():
    from rnn_core import make_model

    at = open_page(STEP, view="Backward", step="12")
    titles = list(app_figures(at))
    assert titles.index("Gradient norm per time step") < titles.index("How dL/dh_t is built")   # the gradient first
    fig = app_figures(at)["Gradient norm per time step"]
    fresh = next(t for t in fig["data"] if t["name"].startswith("untrained RNN"))
    y = decode_plotly(fresh["y"]).astype(float)
    entry = at.session_state["models"]["Demo RNN"]
    ids = entry.vocab.encode(PROMPT)
    tid = np.int64(entry.vocab.tokens.index(at.session_state["target_word"]))
    m = make_model("rnn", vocab_size=len(entry.vocab), hidden_size=entry.model.hidden_size, seed=0)
    np.testing.assert_allclose(y, np.linalg.norm(m.state_grads(ids, tid), axis=1), rtol=1e-9)
    assert y[0] < 0.01 * y[-1]                                     # it vanishes over the 12 tokens
    cap = next(c.value for c in at.caption if c.value.startswith("Bars fill"))
    assert "The ochre dotted line, an untrained RNN of the same size" in cap
    assert f"falls about 10^{round(-np.log10(y[0] / y[-1]))}-fold from step 12 back to step 1: it vanishes" in cap
    _, _, diag = entry.model.astype(np.float64).loss_and_grads(ids, tid, loss="many_to_one")
    g = diag.grad_norm_per_step
    assert f"step 1 gets {g[0] / g[-1]:.2g} of step 12's" in cap


def test_train_shows_the_last_steps_gradient_first_then_and_now():
    at = open_page(TRAIN)
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.number_input(key="tr_iterations").set_value(11).run()
    click(at, "Train")
    finish_run(at)                                       # the run trains in a worker; draw what it ended with
    titles = list(app_figures(at))
    assert titles.index("The last step's gradient going back") < titles.index("Gradient norm per time step")
    fig = app_figures(at)["The last step's gradient going back"]
    names = [t["name"] for t in fig["data"]]
    assert names[0] == "total ||dL/dh_t||" and names[1].startswith("... in the first iteration (1)")
    assert names[2].endswith("now (11)")
    sess = at.session_state["train_session"]
    rows = sess.step_norm_matrix("last_step_norms")
    np.testing.assert_allclose(decode_plotly(fig["data"][1]["y"]), rows[0], rtol=1e-6)
    cap = next(c.value for c in at.caption if c.value.startswith("One late loss going back"))
    assert "in iteration 1 (the blue dashed line)" in cap and "A many-to-many total can hold up or grow" in cap


# ----- 4. saturation and certainty, named --------------------------------------------------------------------------
def test_the_forward_view_names_saturation_with_the_slope_and_the_share():
    at = open_page(STEP, step="12")
    entry = at.session_state["models"]["Demo RNN"]
    tr = entry.model.forward(entry.vocab.encode(PROMPT))
    h = float(tr.hidden[11, 0])
    slope = next(m.value for m in at.latex if "f'(a_{12}[0])" in m.value)
    assert latex_num(1 - h * h) in slope
    heat = app_figures(at)["Hidden state over time"]
    row = next(t for t in heat["data"] if t.get("name", "").startswith("share of |h| > 0.95"))
    shares = np.mean(np.abs(tr.hidden) > 0.95, axis=1)
    assert row["text"] == [f"{v:.0%}" for v in shares]
    cap = next(c.value for c in at.caption if "values have |h| > 0.95" in c.value)
    assert f"{np.mean(np.abs(tr.hidden) > 0.95):.0%} of the 12 × {entry.model.hidden_size} values" in cap
    assert f"({shares[11]:.0%} at this step" in cap


def test_the_logits_beside_the_probabilities_and_the_log_probability_option():
    at = open_page(STEP, step="12")
    entry = at.session_state["models"]["Demo RNN"]
    tr = entry.model.forward(entry.vocab.encode(PROMPT))
    z, p = tr.logits[11].astype(float), tr.probs[11].astype(float)
    bars = app_figures(at)["Next-token probabilities"]["data"][0]
    top = int(np.argmax(p))
    assert bars["text"][0] == f"{p[top]:.1%} · z {z[top]:.1f}"
    at.radio(key="next_scale").set_value("log-probability").run()
    bars = app_figures(at)["Next-token probabilities"]["data"][0]
    logp = z - (z.max() + np.log(np.exp(z - z.max()).sum()))
    np.testing.assert_allclose(decode_plotly(bars["x"]), np.sort(logp)[::-1][:10], rtol=1e-5, atol=1e-6)
    assert any("behind the softmax" in c.value for c in at.caption)


def test_certainty_is_named_where_the_top_probability_is_at_least_099():
    at = open_page(STEP)
    entry = at.session_state["models"]["Demo RNN"]
    top = entry.model.forward(entry.vocab.encode(PROMPT)).probs.max(axis=1)
    sure, unsure = int(np.argmax(top >= 0.99)) + 1, int(np.argmin(top)) + 1
    assert top[sure - 1] >= 0.99 and top[unsure - 1] < 0.99
    at.slider[0].set_value(sure).run()
    assert any("all but certain" in i.value and "templates" in i.value for i in at.info)
    at.slider[0].set_value(unsure).run()
    assert not any("all but certain" in i.value for i in at.info)


def test_the_demo_models_still_remember_the_dish_and_are_less_saturated_and_less_certain():
    """Retrained (``make demo-model``) to be less saturated and less sure; measured before and after in the README."""
    from rnn_core import load_model
    from ui.common.models import DEMO_DIR

    for cell in ("rnn", "lstm", "gru"):
        model, vocab = load_model(DEMO_DIR / f"demo_{cell}.npz")
        for dish, cuisine in (("sushi", "japanese"), ("pizza", "italian")):
            tr = model.forward(vocab.encode(PROMPT.replace("sushi", dish)))
            assert vocab.tokens[int(tr.probs[-1].argmax())] == cuisine, (cell, dish)
    # before (3000 steps each): on the sushi sentence 56.4% of the RNN's 12 x 128 values had |h| > 0.95 and 10 of
    # its 12 steps predicted at 0.99 or more; the GRU's 34.7% and 10
    for cell, saturated_before, certain_before in (("rnn", 0.564, 10), ("gru", 0.347, 10)):
        model, vocab = load_model(DEMO_DIR / f"demo_{cell}.npz")
        tr = model.forward(vocab.encode(PROMPT))
        assert np.mean(np.abs(tr.hidden) > 0.95) < saturated_before - 0.05, cell
        assert int(np.sum(tr.probs.max(axis=1) >= 0.99)) < certain_before, cell


# ----- 5. one SGD step, consistent ---------------------------------------------------------------------------------
def test_one_sgd_step_moves_every_number_on_the_page():
    at = open_page(STEP, view="Backward", step="12")
    entry = at.session_state["models"]["Demo RNN"]
    ids = entry.vocab.encode(PROMPT)
    p0 = entry.model.forward(ids).probs[-1]
    target = at.session_state["sgd_target"]
    tid = entry.vocab.tokens.index(target)
    assert tid != int(p0.argmax()) and p0[tid] < 0.5          # the default is a word the model gets wrong
    click(at, "Apply one SGD step")
    click(at, "Apply one SGD step")
    copy, n, start = at.session_state["sgd_models"]["Demo RNN"]
    assert n == 2 and start == pytest.approx(float(p0[tid]), rel=1e-6)
    p2 = copy.model.forward(ids).probs[-1]
    assert p2[tid] > 10 * p0[tid]                                   # the default step visibly moves p
    word = at.session_state["target_word"]
    loss_line = next(m.value for m in at.markdown if m.value.startswith("Loss after the last token"))
    assert f"(p = {p2[entry.vocab.tokens.index(word)]:.4f})" in loss_line          # the loss line reads the copy
    summary = next(m.value for m in at.markdown if m.value.startswith("After 2 step(s)"))
    assert f"{start:.4f} (the loaded model) → {p2[tid]:.4f} (now)" in summary
    assert not any(re.search(r"\de-0\d", m.value) for m in at.latex)                  # KaTeX numbers, not 1e-05
    at.segmented_control(key="view").set_value("Forward").run()
    bars = app_figures(at)["Next-token probabilities"]["data"][0]
    assert float(decode_plotly(bars["x"])[0]) == pytest.approx(float(np.sort(p2)[-1]), rel=1e-6)
    assert any(i.value.startswith("Showing Demo RNN after 2 SGD step") for i in at.info)
    at.segmented_control(key="view").set_value("Backward").run()
    click(at, "Undo")
    loss_line = next(m.value for m in at.markdown if m.value.startswith("Loss after the last token"))
    assert f"(p = {p0[entry.vocab.tokens.index(word)]:.4f})" in loss_line


# ----- 6. the loss and the weight gradients as the seeds write them -------------------------------------------------
def test_e_is_written_as_the_seeds_sum_and_as_the_mean_with_its_largest_terms():
    e = [0.0] * 25
    e[12], e[3] = 5.6, 1.3
    text = loss_sum_text(e, False)
    assert "5.60" in text and "1.30" in text and "largest e_13 = 5.60, e_4 = 1.30" in text
    assert "= 6.900 (the sum, as tutorials write it" in text and "the mean, E / 25 = 0.276" in text
    short = loss_sum_text([1.0, 2.0, 3.0], False)
    assert short.startswith("E = e_1 + … + e_3 = 1.00 + 2.00 + 3.00 = 6.000") and "E / 3 = 2.000" in short


def test_du_dw_dv_as_sums_over_steps_on_the_backward_view():
    at = open_page(STEP, view="Backward", step="12")
    entry = at.session_state["models"]["Demo RNN"]
    ids = entry.vocab.encode(PROMPT)
    tid = np.int64(entry.vocab.tokens.index(at.session_state["target_word"]))
    _, grads, diag = entry.model.astype(np.float64).loss_and_grads(ids, tid, loss="many_to_one")
    fig = app_figures(at)["dE/dU, dE/dW, dE/dV as sums over time steps"]
    for tr, name in zip(fig["data"], ("W_xh", "W_hh", "W_hy")):
        bars = decode_plotly(tr["y"]).astype(float)
        np.testing.assert_allclose(bars, diag.terms_along_total(name), rtol=1e-9, atol=1e-15)
        assert bars.sum() == pytest.approx(np.linalg.norm(grads[name]), rel=1e-9)
    v = decode_plotly(fig["data"][2]["y"]).astype(float)
    assert np.all(v[:-1] == 0) and v[-1] > 0                     # V's terms reach no earlier step
    cap = next(c.value for c in at.caption if c.value.startswith("Each row's bars add up"))
    assert "need no backpropagation through time" in cap and "||dE/dW|| = ||dL/dW_hh||" in cap
    at.radio(key="loss_shape").set_value("many_to_many").run()
    line = next(m.value for m in at.markdown if m.value.startswith("Loss over the sentence"))
    assert "the sum, as tutorials write it" in line and "E / 12 = " in line


# ----- 7. the small ones -------------------------------------------------------------------------------------------
def test_a_spectral_radius_of_0_says_it_keeps_the_default_initialisation():
    at = open_page(TRAIN)
    assert at.slider(key="tr_rho").value == 0
    assert any("not W_hh = 0" in c.value and "0.58" in c.value for c in at.sidebar.caption)
    at.slider(key="tr_rho").set_value(1.0).run()
    assert not any("not W_hh = 0" in c.value for c in at.sidebar.caption)


def test_sunspots_on_a_year_axis_with_the_baseline_that_copies():
    at = open_page("pages/time_series.py")
    at.selectbox(key="ts_source").set_value("Sunspots (yearly, 1700-2008)").run()
    assert not at.exception
    fig = app_figures(at)["Prediction over the series"]
    true = next(t for t in fig["data"] if t["name"] == "true series")
    x = decode_plotly(true["x"])
    assert x[0] == 1700 and x[-1] == 2008 and fig["layout"]["xaxis"]["title"]["text"] == "year"
    base = next(t for t in fig["data"] if t["name"] == "persistence: the previous value")
    values = at.session_state["ts_session"].data.values
    np.testing.assert_allclose(decode_plotly(base["y"])[1:], values[:-1][: len(decode_plotly(base["y"])) - 1])
    cap = next(c.value for c in at.caption if c.value.startswith("One step ahead"))
    assert "Persistence (predict the previous value, the grey dotted line)" in cap and "copying" in cap


def test_a_step_that_overshoots_says_so():
    at = open_page(STEP, view="Backward", step="12", model="Demo LSTM")
    at.number_input(key="sgd_lr").set_value(0.5).run()
    click(at, "Apply one SGD step")
    record = at.session_state["sgd_last"]
    said = any("The last step overshot" in m.value for m in at.markdown)
    assert said == (record["p_after"] < record["p_before"])
    assert said                                                     # measured: 0.43 -> 0.0000 for the demo LSTM
