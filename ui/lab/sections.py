"""The Gradient lab's sections."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import ACTIVATIONS, CELLS
from rnn_core.cuisine import PROMPT
from rnn_core.tasks import EXPERIMENT, experiment_lr, memory_experiment

from ui.common import state
from ui.common.frames import token_labels
from ui.common.limits import MAX_SENTENCE_CHARS, SENTENCE_LIMITS
from ui.common.links import Param, number, one_of, some_of, text_up_to
from ui.common.state import KEEP
from ui.common.charts import show
from ui.common.text import validate_sentence

from . import compute as lab
from . import figures

GAPS = (5, 10, 20, 40)
SWEEP_TASKS = {"delay": "Delay task (tokens)", "adding": "Adding problem (numbers)"}
FORGET_BIASES = (-3.0, 0.0, 1.0, 2.0, 3.0)
RHO, LENGTH = (0.1, 2.0, 0.05), (5, 100)
CLIP_LRS, CLIPS, CLIP_RHO = (0.1, 0.3, 0.5, 1.0, 2.0, 3.0), (0.1, 0.5, 1.0, 2.0, 5.0), (0.5, 2.0, 0.1)
BUDGETS = (100, 200, 300, 500, 1000)
# what a link to this page carries: every slider and choice on it
LINK = {"rho": Param(state.LAB_RHO, number(*RHO[:2], float, RHO[2])),
        "activation": Param(state.LAB_ACT, one_of(ACTIVATIONS)),
        "T": Param(state.LAB_T, number(*LENGTH)), "clip_lr": Param(state.LAB_CLIP_LR, one_of(CLIP_LRS)),
        "clip": Param(state.LAB_CLIP, one_of(CLIPS)),
        "clip_rho": Param(state.LAB_CLIP_RHO, number(*CLIP_RHO[:2], float, CLIP_RHO[2])),
        "task": Param(state.LAB_TASK, one_of(SWEEP_TASKS)), "cells": Param(state.LAB_CELLS, some_of(list(CELLS))),
        "budget": Param(state.LAB_BUDGET, one_of(BUDGETS)), "forget_bias": Param(state.LAB_FB, one_of(FORGET_BIASES)),
        "sentence": Param(state.LAB_SENTENCE, text_up_to(MAX_SENTENCE_CHARS))}


def jacobian_section() -> None:
    st.subheader("Vanishing and exploding: ||dh_T/dh_t||")
    c1, c2, c3 = st.columns(3)
    rho = c1.slider("W_hh spectral radius", RHO[0], RHO[1], step=RHO[2], key=state.LAB_RHO, **KEEP)
    act = c2.selectbox("Activation", ACTIVATIONS, key=state.LAB_ACT, help="For the RNN.", **KEEP)
    T = c3.slider("Sequence length", *LENGTH, key=state.LAB_T, **KEEP)
    table = lab.jacobian_table(rho, act, T)
    show(figures.jacobian_lab_figure(table), key=state.CHART_LAB_JAC)
    st.caption("Fresh, untrained networks (H=64, same seed) reading one random sequence; the dashed line is "
               "rho^(T-t). " + lab.jacobian_summary(table))
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


def lag_sweep_section() -> None:
    st.subheader("Lag sweep")
    e = EXPERIMENT
    task = st.segmented_control("Task", list(SWEEP_TASKS), key=state.LAB_TASK, format_func=SWEEP_TASKS.get,
                                required=True, **KEEP)
    what = ("Remember the first token: one of 4 symbols, then *gap* distractors, then a question mark."
            if task == "delay" else
            "The adding problem (Hochreiter & Schmidhuber, 1997): numbers in [0, 1], two of them marked (one in "
            "the first two steps, one in the second half); predict their sum at the end, within 0.04. A "
            "regression: real inputs, squared error.")
    st.caption(what + " Each cell trains on each gap with the same budget "
               f"(H={e['hidden_size']}, Adam lr {experiment_lr(task):g}, clip {e['clip']:g}, batch {e['batch']}).")
    c1, c2, c3 = st.columns(3)
    cells = c1.multiselect("Cells", list(CELLS), key=state.LAB_CELLS,
                           format_func=str.upper, **KEEP)
    budget = c2.select_slider("Budget (iterations per run)", BUDGETS, key=state.LAB_BUDGET, **KEEP)
    fb = c3.select_slider("LSTM forget-gate bias at init", FORGET_BIASES, key=state.LAB_FB, **KEEP,
                          format_func=lambda b: f"{b:g} (gate starts at {1 / (1 + np.exp(-b)):.2f})",
                          help="The forget gate is sigmoid(bias + ...): a large bias starts it open (it keeps "
                               "the cell state), a negative one starts it closed.")
    gaps = GAPS
    if st.button("Run the lag sweep", disabled=not cells):
        bar = st.progress(0.0, text="training...")

        def progress(done, total, rec):
            bar.progress(done / total,
                         text=f"{rec['cell'].upper()} at gap {rec['gap']}: accuracy {rec['accuracy']:.2f}")

        df = pd.DataFrame(memory_experiment(cells, gaps, budget, seed=0, forget_bias=fb, task=task,
                                            progress=progress))
        df.attrs["task"] = task
        st.session_state[state.LAB_SWEEP] = df
    df = st.session_state[state.LAB_SWEEP]
    if df is not None:
        show(figures.lag_sweep_figure(df), key=state.CHART_LAB_SWEEP)
        st.caption(lab.sweep_summary(df))
        st.dataframe(df[["cell", "gap", "accuracy", "loss", "grad_norm_first_step", "grad_ratio_first_last",
                         "seconds"]], hide_index=True)


def side_by_side_section() -> None:
    st.subheader("RNN vs LSTM, side by side")
    models = st.session_state[state.MODELS]
    rnn, lstm = models["Demo RNN"], models["Demo LSTM"]
    text = st.text_input("Sentence for both", key=state.LAB_SENTENCE, **KEEP, help=SENTENCE_LIMITS)
    problem = validate_sentence(text, rnn)
    if problem:
        st.warning(problem + " Showing the default sentence.")
        text = PROMPT
    ids = rnn.vocab.encode(text)
    labels = token_labels(rnn.vocab.id_to_token(ids))
    _settle_cursor(len(ids))
    cursor = st.slider("Cursor", 1, len(ids), key=state.LAB_CURSOR, **KEEP) if len(ids) > 1 else 1
    jac = rnn.model.jacobian_norms(ids)
    forget = lstm.model.forward(ids).gates["forget"]
    prod = lab.forget_products(forget)
    show(figures.side_by_side_figure(jac, prod, labels, cursor), key=state.CHART_LAB_SIDE)
    t = cursor - 1
    st.caption(f"Both demo models (seed 0) read the same sentence. At step {cursor}: the RNN's Jacobian product "
               f"has norm {jac[t]:.3g}; the LSTM keeps a median {np.median(prod[t]):.3g} of each cell-state unit "
               f"through its forget gates to the last step (max {prod[t].max():.3g}).")


def _settle_cursor(n_tokens: int) -> None:
    """The cursor in the middle of a sentence of a new length, else where the learner left it: the one
    place it is brought into range."""
    if st.session_state[state.LAB_CURSOR_N] != n_tokens or st.session_state[state.LAB_CURSOR] is None:
        st.session_state[state.LAB_CURSOR] = n_tokens // 2 or 1
        st.session_state[state.LAB_CURSOR_N] = n_tokens
