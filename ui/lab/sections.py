"""The Gradient lab's sections."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import ACTIVATIONS, CELLS
from rnn_core.cuisine import PROMPT
from rnn_core.tasks import experiment_settings, memory_experiment

from ui.common import i18n, state
from ui.common.frames import token_labels
from ui.common.i18n import N_, _, ngettext, num
from ui.common.limits import MAX_SENTENCE_CHARS, sentence_limits
from ui.common.links import Param, number, one_of, some_of, text_up_to
from ui.common.state import KEEP
from ui.common.charts import show
from ui.common.style import line_style
from ui.common.text import md_escape, validate_sentence

from ui.common import lab_compute as lab
from ui.common import lab_figures as figures

SWEEP_TASKS = {"cuisine": N_("The sushi sentence with N filler words"), "delay": N_("Delay task (tokens)"),
               "adding": N_("Adding problem (numbers)")}
SWEEP_GAPS = {"cuisine": (0, 5, 10, 20, 30), "delay": (5, 10, 20, 40), "adding": (5, 10, 20, 40)}
FORGET_BIASES = (-3.0, 0.0, 1.0, 2.0, 3.0, 5.0)
GATE_BIASES = (-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0)
RHO, LENGTH = (0.1, 2.0, 0.05), (5, 100)
CLIP_LRS, CLIPS, CLIP_RHO = (0.1, 0.3, 0.5, 1.0, 2.0, 3.0), (0.1, 0.5, 1.0, 2.0, 5.0), (0.5, 2.0, 0.1)
BUDGETS = (100, 200, 300, 500, 1000, 2000)
# what a link to this page carries: every slider and choice on it
LINK = {"rho": Param(state.LAB_RHO, number(*RHO[:2], float, RHO[2])),
        "activation": Param(state.LAB_ACT, one_of(ACTIVATIONS)),
        "T": Param(state.LAB_T, number(*LENGTH)), "lstm_forget_bias": Param(state.LAB_JAC_FB, one_of(GATE_BIASES)),
        "gru_update_bias": Param(state.LAB_JAC_UB, one_of(GATE_BIASES)),
        "clip_lr": Param(state.LAB_CLIP_LR, one_of(CLIP_LRS)),
        "clip": Param(state.LAB_CLIP, one_of(CLIPS)),
        "clip_rho": Param(state.LAB_CLIP_RHO, number(*CLIP_RHO[:2], float, CLIP_RHO[2])),
        "task": Param(state.LAB_TASK, one_of(SWEEP_TASKS)), "cells": Param(state.LAB_CELLS, some_of(list(CELLS))),
        "budget": Param(state.LAB_BUDGET, one_of(BUDGETS)), "forget_bias": Param(state.LAB_FB, one_of(FORGET_BIASES)),
        "update_bias": Param(state.LAB_UB, one_of(GATE_BIASES)),
        "sentence": Param(state.LAB_SENTENCE, text_up_to(MAX_SENTENCE_CHARS))}


def _bias_label(b: float) -> str:
    return _("{bias} (starts at {share})").format(bias=num(b, "g"), share=num(1 / (1 + np.exp(-b)), ".2f"))


def jacobian_section() -> None:
    st.subheader(_("Vanishing and exploding: ||ds_T/ds_t||"))
    c1, c2, c3 = st.columns(3)
    rho = c1.slider(_("W_hh spectral radius"), RHO[0], RHO[1], step=RHO[2], key=state.LAB_RHO, **KEEP)
    act = c2.selectbox(_("Activation"), ACTIVATIONS, key=state.LAB_ACT, help=_("For the RNN."), **KEEP)
    T = c3.slider(_("Sequence length"), *LENGTH, key=state.LAB_T, **KEEP)
    c1, c2 = st.columns(2)
    fb = c1.select_slider(_("LSTM forget-gate bias at init"), GATE_BIASES, key=state.LAB_JAC_FB, **KEEP,
                          format_func=_bias_label,
                          help=_("The forget gate is sigmoid(bias + ...): the share of the cell state c_t-1 it keeps. "
                                 "The lag sweep below starts the LSTM with the same bias."))
    ub = c2.select_slider(_("GRU update-gate bias at init"), GATE_BIASES, key=state.LAB_JAC_UB, **KEEP,
                          format_func=_bias_label,
                          help=_("The update gate z is sigmoid(bias + ...): in h_t = (1 - z) n + z h_t-1 it is the "
                                 "share of h_t-1 the GRU keeps. The same idea as the LSTM's forget bias."))
    lab_numbers = lab.jacobian_lab(rho, act, T, fb, ub)
    fig = figures.jacobian_lab_figure(lab_numbers.table)
    show(fig, key=state.CHART_LAB_JAC)
    styles = {name: line_style(fig, name) for name in ("rho^(T-t)", lab.FORGET_PATH, lab.UPDATE_PATH)}
    st.caption(_("Fresh, untrained networks (H={H}, same seed) reading one random sequence; s is h, or (h, c) for "
                 "the LSTM.").format(H=lab.LAB_H) + " " + lab.jacobian_summary(lab_numbers, styles))
    eigs, radius, sigma = lab.w_hh_spectrum(rho)
    c1, c2 = st.columns([2, 1])
    with c1:
        show(figures.eigen_figure(eigs), key=state.CHART_LAB_EIGS)
        st.caption(_("Eigenvalues inside the unit circle shrink a vector each step; outside, they stretch it."))
    with c2:
        st.metric(_("Spectral radius of W_hh"), num(radius, ".3f"))
        st.metric(_("Largest singular value of W_hh"), num(sigma, ".3f"))
        st.caption(_("The largest singular value bounds how much one step can stretch the gradient; with tanh "
                     "(f' <= 1) a value below 1 guarantees vanishing."))


def clipping_section() -> None:
    st.subheader(_("Clipping"))
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(_("Learning rate (SGD)"), CLIP_LRS, key=state.LAB_CLIP_LR, **KEEP)
    clip = c2.select_slider(_("Clipping threshold"), CLIPS, key=state.LAB_CLIP, **KEEP)
    rho = c3.slider(_("W_hh spectral radius at init"), CLIP_RHO[0], CLIP_RHO[1], step=CLIP_RHO[2],
                    key=state.LAB_CLIP_RHO, **KEEP)
    df = lab.clipping_runs(lr, rho, clip, 300)
    show(figures.clipping_figure(df), key=state.CHART_LAB_CLIP)
    st.caption(_("The same RNN, data and seed on the cuisine corpus, with and without clipping the global gradient "
                 "norm.") + " " + lab.clipping_summary(df))


def _task_defaults() -> None:
    """A new task starts from its own defaults (budget, gate biases): the settings its stored sweep was made with."""
    d = experiment_settings(st.session_state[state.LAB_TASK])
    st.session_state[state.LAB_BUDGET] = d["budget"]
    st.session_state[state.LAB_FB] = d["forget_bias"]
    st.session_state[state.LAB_UB] = d["update_bias"]


def _task_text(task: str) -> str:
    if task == "cuisine":
        return _("The sushi sentence with N filler words in the middle: “My favourite dish is sushi.” + N words such "
                 "as “really truly always” + “So, my favourite cuisine is” → japanese, for 60 dishes of 14 cuisines. "
                 "To answer, the network must carry the dish across the N words.")
    if task == "delay":
        return _("Remember the first token: one of 4 symbols, then `gap` distractors, then a question mark.")
    return _("The adding problem (Hochreiter & Schmidhuber, 1997): numbers in [0, 1], two of them marked (one in the "
             "first two steps, one in the second half); predict their sum at the end, within 0.04. A regression: "
             "real inputs, squared error.")


def lag_sweep_section() -> None:
    st.subheader(_("Lag sweep: what each cell remembers"))
    task = st.segmented_control(_("Task"), list(SWEEP_TASKS), key=state.LAB_TASK,
                                format_func=lambda t: _(SWEEP_TASKS[t]), required=True, on_change=_task_defaults,
                                **KEEP)
    e = experiment_settings(task)
    st.caption(_task_text(task) + " " + _("Each cell trains on each gap with the same budget (H={H}, Adam lr {lr}, "
                                          "clip {clip}, batch {batch}, seed 0).").format(
        H=e["hidden_size"], lr=num(e["lr"], "g"), clip=num(e["clip"], "g"), batch=e["batch"]))
    c1, c2 = st.columns(2)
    cells = c1.multiselect(_("Cells"), list(CELLS), key=state.LAB_CELLS, format_func=str.upper, **KEEP)
    budget = c2.select_slider(_("Budget (iterations per run)"), BUDGETS, key=state.LAB_BUDGET, **KEEP)
    c1, c2 = st.columns(2)
    fb = c1.select_slider(_("LSTM forget-gate bias at init"), FORGET_BIASES, key=state.LAB_FB, **KEEP,
                          format_func=_bias_label,
                          help=_("The forget gate is sigmoid(bias + ...): a large bias starts it open (it keeps the "
                                 "cell state), a negative one starts it closed."))
    ub = c2.select_slider(_("GRU update-gate bias at init"), GATE_BIASES, key=state.LAB_UB, **KEEP,
                          format_func=_bias_label,
                          help=_("The update gate z is the share of h_t-1 the GRU keeps; 0 starts it at 0.5."))
    gaps = SWEEP_GAPS[task]
    settings = lab.sweep_settings(task, gaps, budget, fb, ub)
    stored = lab.stored_sweep(settings, cells)
    own = st.session_state[state.LAB_SWEEP]
    own = own if own is not None and own.attrs.get("settings") == settings and \
        set(own["cell"]) == set(cells) else None
    runs = len(cells) * len(gaps)
    label = _("Run it yourself") if stored is not None else _("Run the lag sweep")
    if st.button(label, disabled=not cells,
                 help=ngettext("Trains {runs} networks of {budget} iterations each here (minutes on a shared server).",
                               "Trains {runs} networks of {budget} iterations each here (minutes on a shared server).",
                               runs).format(runs=runs, budget=num(budget, ","))):
        lang = i18n.language()                  # read once: the progress below reports during the slow part
        tr = i18n.translator(lang)
        bar = st.progress(0.0, text=tr("training..."))

        def progress(done, total, rec):
            bar.progress(done / total, text=tr("{cell} at gap {gap}: accuracy {accuracy}").format(
                cell=rec["cell"].upper(), gap=rec["gap"], accuracy=num(rec["accuracy"], ".2f", lang)))

        own = pd.DataFrame(memory_experiment(cells, gaps, budget, seed=0, forget_bias=fb, update_bias=ub, task=task,
                                             progress=progress))
        own.attrs.update(task=task, settings=settings)
        st.session_state[state.LAB_SWEEP] = own
    df = own if own is not None else stored
    if df is None:
        st.info(ngettext("No result for these settings yet: **{label}** trains {runs} networks of {budget} iterations "
                         "(minutes on a shared server). The defaults of each task show a stored result at once.",
                         "No result for these settings yet: **{label}** trains {runs} networks of {budget} iterations "
                         "(minutes on a shared server). The defaults of each task show a stored result at once.",
                         runs).format(label=label, runs=runs, budget=num(budget, ",")))
        return
    show(figures.lag_sweep_figure(df), key=state.CHART_LAB_SWEEP)
    where = (_("Your run of these settings.") if own is not None else
             _("Computed once with these settings (seed 0) and stored with the app ({name}): **Run it yourself** to "
               "train them again here, or change a setting and run that.").format(name=lab.STORED_NAME))
    st.caption(where + " " + lab.sweep_summary(df))
    table = df[["cell", "gap", "accuracy", "loss", "grad_norm_first_step", "grad_ratio_first_last", "seconds"]]
    st.dataframe(table, hide_index=True, column_config={
        "cell": st.column_config.Column(_("cell")), "gap": st.column_config.Column(_("gap")),
        "accuracy": st.column_config.NumberColumn(_("accuracy"), format="%.3f"),
        "loss": st.column_config.NumberColumn(_("loss"), format="%.3f"),
        "grad_norm_first_step": st.column_config.NumberColumn("||dL/dh_0||", format="%.1e"),
        "grad_ratio_first_last": st.column_config.NumberColumn("||dL/dh_0|| / ||dL/dh_T||", format="%.1e"),
        "seconds": st.column_config.NumberColumn(_("seconds"), format="%.1f")})


def late_loss_section() -> None:
    st.subheader(_("One late loss, three cells"))
    st.caption(_("The demo RNN, LSTM and GRU read the same sentence; the loss of one word after its last token, e_T, "
                 "is sent back alone. The same quantity for every cell: ||de_T/ds_t||, the gradient reaching the "
                 "state s_t (h_t; for the LSTM (h_t, c_t)), as a share of its value at the last step."))
    models = st.session_state[state.MODELS]
    demos = {cell: models[f"Demo {cell.upper()}"] for cell in ("rnn", "lstm", "gru")}
    rnn = demos["rnn"]
    text = st.text_input(_("Sentence for all three"), key=state.LAB_SENTENCE, **KEEP, help=sentence_limits())
    problem = validate_sentence(text, rnn)
    if problem:
        st.warning(problem + " " + _("Showing the default sentence."))
        text = PROMPT
    ids = rnn.vocab.encode(text)
    tokens = rnn.vocab.id_to_token(ids)
    labels = token_labels(tokens)
    _settle_cursor(len(ids))
    cursor = st.slider(_("Cursor"), 1, len(ids), key=state.LAB_CURSOR, **KEEP) if len(ids) > 1 else 1
    target = rnn.vocab.tokens[int(rnn.model.forward(ids).probs[-1].argmax())]
    ll = lab.late_loss({c: (e.model, e.vocab) for c, e in demos.items()}, lambda v: v.encode(text), target)
    fig = figures.late_loss_figure(ll.norms, ll.products, labels, cursor)
    show(fig, key=state.CHART_LAB_SIDE)
    st.caption(_("e_T = -log p(“{target}”), the demo RNN's answer after the last token (p = {probs}).").format(
        target=md_escape(target), probs=", ".join(f"{c.upper()} {num(ll.probs[c], '.3f')}" for c in ll.probs))
               + " " + lab.late_loss_summary(ll, cursor, [md_escape(t) for t in tokens],
                                       {"LSTM": line_style(fig, "LSTM")}))


def _settle_cursor(n_tokens: int) -> None:
    """The cursor in the middle of a sentence of a new length, else where the learner left it: the one
    place it is brought into range."""
    if st.session_state[state.LAB_CURSOR_N] != n_tokens or st.session_state[state.LAB_CURSOR] is None:
        st.session_state[state.LAB_CURSOR] = n_tokens // 2 or 1
        st.session_state[state.LAB_CURSOR_N] = n_tokens
