"""The Train page's sections: sidebar settings, the live training area, history, runs and files."""
from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_core.data import decode_text
from rnn_core.io import ModelFileError
from rnn_core.optim import OPTIMIZERS
from rnn_core.rnn import ACTIVATIONS

from . import figures, frames, state
from .models import LoadedModel
from .text import md_escape
from .training import MAX_TEXT_BYTES, SOURCES, Data, TrainConfig, TrainSession, build_data

SESSION = "train_session"
DATA_CACHE = "train_data_cache"
TRAINED_NAME = "Trained on the Train page"
TICK_SECONDS = 1.0          # train this long between redraws while a run goes on (about 85% stays training)
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]
CLIPS = [0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0]
CHART = dict(width="stretch", config={"displaylogo": False})


def session() -> TrainSession:
    if SESSION not in st.session_state:
        st.session_state[SESSION] = TrainSession()
        st.session_state[DATA_CACHE] = {}
    return st.session_state[SESSION]


def sidebar_config() -> tuple[TrainConfig, str | None, str | None]:
    """The hyperparameters in the sidebar; returns (config, text for text sources, a problem with it)."""
    sb = st.sidebar
    sb.header("Settings")
    source = sb.selectbox("Data", SOURCES, key="tr_source")
    text, problem, level, gap = None, None, "word", 10
    if source == "Pasted text":
        text = sb.text_area("Text to train on", key="tr_text", height=150,
                            help=f"Up to {MAX_TEXT_BYTES // 1_000_000} MB; at most 60,000 tokens.")
        level = sb.radio("Tokens", ("word", "char"), key="tr_level", horizontal=True)
    elif source == "Uploaded .txt":
        f = sb.file_uploader(f"Text file (.txt, UTF-8, at most {MAX_TEXT_BYTES // 1_000_000} MB)", type=["txt"],
                             key="tr_file")
        level = sb.radio("Tokens", ("word", "char"), key="tr_level", horizontal=True)
        if f is None:
            problem = "Upload a .txt file to train on it."
        elif f.size > MAX_TEXT_BYTES:
            problem = f"{f.name} is {f.size / 1e6:.1f} MB; the limit is {MAX_TEXT_BYTES // 1_000_000} MB."
        else:
            try:
                text = decode_text(f.getvalue(), f.name)
            except ValueError as e:
                problem = str(e) + "."
    elif source in ("Delay task", "Cuisine sentence with a gap"):
        gap = sb.slider("Gap (distractor tokens)", 0, 100, 10, key="tr_gap")
    cell = sb.selectbox("Cell", ("rnn", "lstm", "gru"), key="tr_cell", format_func=str.upper)
    hidden = sb.select_slider("Hidden size", [4, 8, 16, 32, 64, 128, 256], 128, key="tr_hidden")
    activation = sb.selectbox("Activation", ACTIVATIONS, key="tr_activation", disabled=cell != "rnn",
                              help="The LSTM and GRU use sigmoid gates and tanh.")
    lr = sb.select_slider("Learning rate", LRS, 5e-3, key="tr_lr", format_func=lambda v: f"{v:g}")
    optimizer = sb.selectbox("Optimizer", OPTIMIZERS, index=2, key="tr_optimizer")
    clip = sb.select_slider("Clipping threshold", CLIPS, 5.0, key="tr_clip",
                            format_func=lambda v: "off" if v == 0 else f"{v:g}")
    seq_len = sb.slider("Truncation length k", 2, 100, 25, key="tr_k")
    batch = sb.select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64], 32, key="tr_batch")
    rho = sb.slider("W_hh spectral radius at init", 0.0, 3.0, 0.0, 0.05, key="tr_rho",
                    help="0 keeps the default initialisation; applies when the weights are reset.")
    iterations = sb.number_input("Iterations", 1, 100_000, 2000, 100, key="tr_iterations")
    seed = sb.number_input("Seed", 0, 2**31 - 1, 0, key="tr_seed", help="Applies when the weights are reset.")
    cfg = TrainConfig(source, level, int(gap), cell, int(hidden), activation if cell == "rnn" else "tanh",
                      float(lr), optimizer, float(clip), int(seq_len), int(batch), float(rho), int(iterations), int(seed))
    return cfg, text, problem


def data_for(cfg: TrainConfig, text: str | None, problem: str | None, sess: TrainSession) -> Data | None:
    """The data for these settings (cached per session), or None with the problem shown on the page."""
    if problem:
        st.warning(problem + " The current model and its history are kept.")
        return None
    key = (cfg.source, cfg.level, cfg.gap, cfg.batch, cfg.seq_len, cfg.seed, hash(text))
    cache = st.session_state[DATA_CACHE]
    if key not in cache:
        try:
            cache.clear()
            cache[key] = build_data(cfg, text)
        except ValueError as e:
            st.warning(f"{e} The current model and its history are kept.")
            return None
    return cache[key]


def publish(sess: TrainSession) -> None:
    """Offer the trained model on Step through (its version changes whenever the weights do)."""
    if sess.model is not None:
        st.session_state[state.MODELS][TRAINED_NAME] = LoadedModel(TRAINED_NAME, sess.model, sess.vocab, sess.version)


def live_area(sess: TrainSession) -> None:
    """Charts that update while a run goes on: a fragment that trains a tick, then redraws."""

    @st.fragment(run_every=0.05 if sess.running else None)
    def area():
        was_running = sess.running
        sess.train_for(TICK_SECONDS)
        publish(sess)
        done = sess.iteration - sess.run_start
        total = max(1, sess.target - sess.run_start)
        if sess.running or was_running:
            st.progress(min(1.0, done / total), text=f"iteration {sess.iteration} ({done} of {total} in this run)")
        if sess.diverged:
            st.error(sess.diverged + " If it diverges again at once, the kept weights are already too large: "
                     "press Reset weights.")
        draw_metrics(sess)
        if was_running and not sess.running:
            st.rerun()                              # the run ended: redraw the page without the timer

    area()


def draw_metrics(sess: TrainSession) -> None:
    df = sess.metrics_frame()
    c1, c2 = st.columns(2)
    with c1:
        st.plotly_chart(figures.training_loss_figure(df), key="tr_loss", **CHART)
        st.caption("The loss should fall; spikes that shoot up are exploding gradients.")
    with c2:
        matrix = sess.step_norm_matrix()
        latest = matrix[-1] if len(matrix) else np.zeros(0)
        st.plotly_chart(figures.step_norm_figure(latest, sess.config.clip or None, int(df["clipped"].sum()) if len(df) else 0,
                                                 len(df), sess.iteration or None), key="tr_steps", **CHART)
        st.caption("The latest iteration: a line falling towards step 1 is the gradient vanishing back in time.")
    c3, c4 = st.columns(2)
    with c3:
        first = int(df["iteration"].iloc[0]) if len(df) else 1
        st.plotly_chart(figures.step_norm_heatmap(matrix, first), key="tr_heat", **CHART)
        st.caption("Every iteration's per-step norms: look for the colour fading to the left as training goes on.")
    with c4:
        st.plotly_chart(figures.global_norm_figure(df, sess.config.clip or None), key="tr_global", **CHART)
        st.caption("Red dots are iterations whose gradient was clipped to the threshold.")
    if sess.model is not None and sess.data is not None:
        st.markdown(f"**Probe:** “{md_escape(sess.data.probe)}” → **{md_escape(sess.completion())}**")


def history_section(sess: TrainSession) -> None:
    """Replay the prediction and the hidden-state path at any kept point of training, on fixed axes."""
    if sess.model is None or len(sess.snapshots) < 2 or sess.running:
        return
    st.subheader("History")
    keys = sorted(sess.snapshots)
    it = st.select_slider("Replay training at iteration", keys, value=keys[-1], key="tr_replay")
    model, _ = sess.model_at(it)
    ids = sess.vocab.encode(sess.data.probe)
    if ids.size == 0:
        return
    trace = model.forward(ids)
    paths = sess.history_paths(ids)                  # every kept point, for axes that stay fixed
    final_hidden = paths[keys[-1]]                   # the last snapshot is the current model
    tokens = sess.vocab.id_to_token(ids)
    c1, c2 = st.columns(2)
    with c1:
        probs = trace.probs[-1]
        st.plotly_chart(figures.next_token_figure(frames.top_k_frame(probs, sess.vocab.tokens, 8)), key="tr_hist_pred",
                        **CHART)
        st.caption(f"What the model at iteration {it} predicts after the probe.")
    with c2:
        df = frames.pca_frame_fixed(trace.hidden, final_hidden, tokens)
        st.plotly_chart(figures.pca_figure(df, len(tokens), fixed=frames.pca_range(final_hidden, list(paths.values()))),
                        key="tr_hist_pca", **CHART)
        st.caption("The probe's hidden-state path, in the final model's PCA axes (fixed, so paths compare).")


def runs_section(sess: TrainSession) -> None:
    if not sess.runs:
        return
    st.subheader("Run history")
    table = frames.runs_frame(sess.runs)
    st.dataframe(table, hide_index=True)
    chosen = st.multiselect("Overlay the loss curves of runs", table["run"].tolist(),
                            default=table["run"].tolist()[-3:], key="tr_runs")
    st.plotly_chart(figures.runs_figure([r for r in sess.runs if r["run"] in chosen]), key="tr_runs_fig", **CHART)
    st.caption("Same data, different settings: which curve falls fastest, and which one blows up?")


def files_section(sess: TrainSession, cfg: TrainConfig, text: str | None) -> None:
    st.subheader("Save and continue")
    c1, c2, c3 = st.columns(3)
    if sess.model is not None:
        c1.download_button("Download the model (.npz)", sess.model_bytes(), "rnn_playground_model.npz",
                           mime="application/octet-stream", key="tr_dl_model")
        c2.download_button("Download the metrics (CSV)", sess.metrics_frame().to_csv(index=False).encode(),
                           "training_metrics.csv", mime="text/csv", key="tr_dl_csv")
    up = c3.file_uploader("Continue from a saved model (.npz)", type=["npz"], key="tr_upload")
    if up is not None and st.session_state.get("tr_upload_done") != (up.name, up.size):
        st.session_state["tr_upload_done"] = (up.name, up.size)          # load each upload once
        try:
            what = sess.continue_from(up.getvalue(), cfg, text)
            publish(sess)
            st.success(f"Continuing from {md_escape(up.name)}: {what}.")
        except (ModelFileError, ValueError) as e:
            st.error(f"That model cannot be used: {e}. The current model and its history are kept.")
