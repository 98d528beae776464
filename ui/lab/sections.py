"""The Gradient lab's sections."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import ACTIVATIONS, CELLS
from rnn_core.cuisine import PROMPT
from rnn_core.tasks import experiment_settings, memory_experiment

from ui.common import state
from ui.common.frames import token_labels
from ui.common.limits import MAX_SENTENCE_CHARS, SENTENCE_LIMITS
from ui.common.links import Param, number, one_of, some_of, text_up_to
from ui.common.state import KEEP
from ui.common.charts import show
from ui.common.style import line_style
from ui.common.text import md_escape, validate_sentence

from ui.common import lab_compute as lab
from ui.common import lab_figures as figures

SWEEP_TASKS = {"cuisine": "The sushi sentence with N filler words", "delay": "Delay task (tokens)",
               "adding": "Adding problem (numbers)"}
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
    return f"{b:g} (starts at {1 / (1 + np.exp(-b)):.2f})"


def jacobian_section() -> None:
    st.subheader("Vanishing and exploding: ||ds_T/ds_t||")
    c1, c2, c3 = st.columns(3)
    rho = c1.slider("W_hh spectral radius", RHO[0], RHO[1], step=RHO[2], key=state.LAB_RHO, **KEEP)
    act = c2.selectbox("Activation", ACTIVATIONS, key=state.LAB_ACT, help="For the RNN.", **KEEP)
    T = c3.slider("Sequence length", *LENGTH, key=state.LAB_T, **KEEP)
    c1, c2 = st.columns(2)
    fb = c1.select_slider("LSTM forget-gate bias at init", GATE_BIASES, key=state.LAB_JAC_FB, **KEEP,
                          format_func=_bias_label,
                          help="The forget gate is sigmoid(bias + ...): the share of the cell state c_t-1 it keeps. "
                               "The lag sweep below starts the LSTM with the same bias.")
    ub = c2.select_slider("GRU update-gate bias at init", GATE_BIASES, key=state.LAB_JAC_UB, **KEEP,
                          format_func=_bias_label,
                          help="The update gate z is sigmoid(bias + ...): in h_t = (1 - z) n + z h_t-1 it is the share "
                               "of h_t-1 the GRU keeps. The same idea as the LSTM's forget bias.")
    lab_numbers = lab.jacobian_lab(rho, act, T, fb, ub)
    fig = figures.jacobian_lab_figure(lab_numbers.table)
    show(fig, key=state.CHART_LAB_JAC)
    st.caption(f"Fresh, untrained networks (H={lab.LAB_H}, same seed) reading one random sequence; s is h, or (h, c) "
               "for the LSTM. " + lab.jacobian_summary(lab_numbers, {name: line_style(fig, name) for name in
                                                                      ("rho^(T-t)", lab.FORGET_PATH, lab.UPDATE_PATH)}))
    eigs, radius, sigma = lab.w_hh_spectrum(rho)
    c1, c2 = st.columns([2, 1])
    with c1:
        show(figures.eigen_figure(eigs), key=state.CHART_LAB_EIGS)
        st.caption("Eigenvalues inside the unit circle shrink a vector each step; outside, they stretch it.")
    with c2:
        st.metric("Spectral radius of W_hh", f"{radius:.3f}")
        st.metric("Largest singular value of W_hh", f"{sigma:.3f}")
        st.caption("The largest singular value bounds how much one step can stretch the gradient; with tanh "
                   "(f' <= 1) a value below 1 guarantees vanishing.")


def clipping_section() -> None:
    st.subheader("Clipping")
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider("Learning rate (SGD)", CLIP_LRS, key=state.LAB_CLIP_LR, **KEEP)
    clip = c2.select_slider("Clipping threshold", CLIPS, key=state.LAB_CLIP, **KEEP)
    rho = c3.slider("W_hh spectral radius at init", CLIP_RHO[0], CLIP_RHO[1], step=CLIP_RHO[2], key=state.LAB_CLIP_RHO,
                    **KEEP)
    df = lab.clipping_runs(lr, rho, clip, 300)
    show(figures.clipping_figure(df), key=state.CHART_LAB_CLIP)
    st.caption("The same RNN, data and seed on the cuisine corpus, with and without clipping the global gradient "
               "norm. " + lab.clipping_summary(df))


def _task_defaults() -> None:
    """A new task starts from its own defaults (budget, gate biases): the settings its stored sweep was made with."""
    d = experiment_settings(st.session_state[state.LAB_TASK])
    st.session_state[state.LAB_BUDGET] = d["budget"]
    st.session_state[state.LAB_FB] = d["forget_bias"]
    st.session_state[state.LAB_UB] = d["update_bias"]


def _task_text(task: str) -> str:
    if task == "cuisine":
        return ("The sushi sentence with N filler words in the middle: “My favourite dish is sushi.” + N words such "
                "as “really truly always” + “So, my favourite cuisine is” → japanese, for 60 dishes of 14 cuisines. "
                "To answer, the network must carry the dish across the N words.")
    if task == "delay":
        return "Remember the first token: one of 4 symbols, then `gap` distractors, then a question mark."
    return ("The adding problem (Hochreiter & Schmidhuber, 1997): numbers in [0, 1], two of them marked (one in the "
            "first two steps, one in the second half); predict their sum at the end, within 0.04. A regression: real "
            "inputs, squared error.")


def lag_sweep_section() -> None:
    st.subheader("Lag sweep: what each cell remembers")
    task = st.segmented_control("Task", list(SWEEP_TASKS), key=state.LAB_TASK, format_func=SWEEP_TASKS.get,
                                required=True, on_change=_task_defaults, **KEEP)
    e = experiment_settings(task)
    st.caption(_task_text(task) + " Each cell trains on each gap with the same budget "
               f"(H={e['hidden_size']}, Adam lr {e['lr']:g}, clip {e['clip']:g}, batch {e['batch']}, seed 0).")
    c1, c2 = st.columns(2)
    cells = c1.multiselect("Cells", list(CELLS), key=state.LAB_CELLS, format_func=str.upper, **KEEP)
    budget = c2.select_slider("Budget (iterations per run)", BUDGETS, key=state.LAB_BUDGET, **KEEP)
    c1, c2 = st.columns(2)
    fb = c1.select_slider("LSTM forget-gate bias at init", FORGET_BIASES, key=state.LAB_FB, **KEEP,
                          format_func=_bias_label,
                          help="The forget gate is sigmoid(bias + ...): a large bias starts it open (it keeps the cell "
                               "state), a negative one starts it closed.")
    ub = c2.select_slider("GRU update-gate bias at init", GATE_BIASES, key=state.LAB_UB, **KEEP,
                          format_func=_bias_label,
                          help="The update gate z is the share of h_t-1 the GRU keeps; 0 starts it at 0.5.")
    gaps = SWEEP_GAPS[task]
    settings = lab.sweep_settings(task, gaps, budget, fb, ub)
    stored = lab.stored_sweep(settings, cells)
    own = st.session_state[state.LAB_SWEEP]
    own = own if own is not None and own.attrs.get("settings") == settings and \
        set(own["cell"]) == set(cells) else None
    runs = len(cells) * len(gaps)
    label = "Run it yourself" if stored is not None else "Run the lag sweep"
    if st.button(label, disabled=not cells,
                 help=f"Trains {runs} networks of {budget:,} iterations each here (minutes on a shared server)."):
        bar = st.progress(0.0, text="training...")

        def progress(done, total, rec):
            bar.progress(done / total,
                         text=f"{rec['cell'].upper()} at gap {rec['gap']}: accuracy {rec['accuracy']:.2f}")

        own = pd.DataFrame(memory_experiment(cells, gaps, budget, seed=0, forget_bias=fb, update_bias=ub, task=task,
                                             progress=progress))
        own.attrs.update(task=task, settings=settings)
        st.session_state[state.LAB_SWEEP] = own
    df = own if own is not None else stored
    if df is None:
        st.info(f"No result for these settings yet: **{label}** trains {runs} networks of {budget:,} iterations "
                "(minutes on a shared server). The defaults of each task show a stored result at once.")
        return
    show(figures.lag_sweep_figure(df), key=state.CHART_LAB_SWEEP)
    where = ("Your run of these settings." if own is not None else
             f"Computed once with these settings (seed 0) and stored with the app ({lab.STORED_NAME}): "
             "**Run it yourself** to train them again here, or change a setting and run that.")
    st.caption(where + " " + lab.sweep_summary(df))
    table = df[["cell", "gap", "accuracy", "loss", "grad_norm_first_step", "grad_ratio_first_last", "seconds"]]
    st.dataframe(table, hide_index=True, column_config={
        "accuracy": st.column_config.NumberColumn(format="%.3f"),
        "loss": st.column_config.NumberColumn(format="%.3f"),
        "grad_norm_first_step": st.column_config.NumberColumn("||dL/dh_0||", format="%.1e"),
        "grad_ratio_first_last": st.column_config.NumberColumn("||dL/dh_0|| / ||dL/dh_T||", format="%.1e"),
        "seconds": st.column_config.NumberColumn(format="%.1f")})


def late_loss_section() -> None:
    st.subheader("One late loss, three cells")
    st.caption("The demo RNN, LSTM and GRU read the same sentence; the loss of one word after its last token, e_T, "
               "is sent back alone. The same quantity for every cell: ||de_T/ds_t||, the gradient reaching the state "
               "s_t (h_t; for the LSTM (h_t, c_t)), as a share of its value at the last step.")
    models = st.session_state[state.MODELS]
    demos = {cell: models[f"Demo {cell.upper()}"] for cell in ("rnn", "lstm", "gru")}
    rnn = demos["rnn"]
    text = st.text_input("Sentence for all three", key=state.LAB_SENTENCE, **KEEP, help=SENTENCE_LIMITS)
    problem = validate_sentence(text, rnn)
    if problem:
        st.warning(problem + " Showing the default sentence.")
        text = PROMPT
    ids = rnn.vocab.encode(text)
    tokens = rnn.vocab.id_to_token(ids)
    labels = token_labels(tokens)
    _settle_cursor(len(ids))
    cursor = st.slider("Cursor", 1, len(ids), key=state.LAB_CURSOR, **KEEP) if len(ids) > 1 else 1
    target = rnn.vocab.tokens[int(rnn.model.forward(ids).probs[-1].argmax())]
    ll = lab.late_loss({c: (e.model, e.vocab) for c, e in demos.items()}, lambda v: v.encode(text), target)
    fig = figures.late_loss_figure(ll.norms, ll.products, labels, cursor)
    show(fig, key=state.CHART_LAB_SIDE)
    st.caption(f"e_T = -log p(“{md_escape(target)}”), the demo RNN's answer after the last token (p = "
               + ", ".join(f"{c.upper()} {ll.probs[c]:.3f}" for c in ll.probs) + "). "
               + lab.late_loss_summary(ll, cursor, [md_escape(t) for t in tokens],
                                       {"LSTM": line_style(fig, "LSTM")}))


def _settle_cursor(n_tokens: int) -> None:
    """The cursor in the middle of a sentence of a new length, else where the learner left it: the one
    place it is brought into range."""
    if st.session_state[state.LAB_CURSOR_N] != n_tokens or st.session_state[state.LAB_CURSOR] is None:
        st.session_state[state.LAB_CURSOR] = n_tokens // 2 or 1
        st.session_state[state.LAB_CURSOR_N] = n_tokens
