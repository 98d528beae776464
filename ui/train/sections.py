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
from .text import md_escape, shorten
from .limits import MAX_MODEL_BYTES
from .training import (MAX_TEXT_BYTES, SOURCES, TASK_SOURCES, Data, TrainConfig, TrainSession,
                       build_data, text_key)

SESSION = "train_session"
DATA_CACHE = "train_data_cache"
TRAINED_NAME = "Trained on the Train page"
TICK_SECONDS = 1.0          # train this long between redraws while a run goes on (about 85% stays training)
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]
CLIPS = [0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0]
CHART = dict(width="stretch", config={"displaylogo": False})


HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)
UPLOAD_RESULT = "tr_upload_result"      # ("success" | "error", message) of the last "Continue from" upload
# every sidebar widget's key and its starting value (TrainConfig's defaults)
_D = TrainConfig()
DEFAULTS = {
    "tr_source": _D.source, "tr_text": "", "tr_level": _D.level, "tr_gap": _D.gap, "tr_cell": _D.cell,
    "tr_hidden": _D.hidden, "tr_activation": _D.activation, "tr_lr": _D.lr, "tr_optimizer": _D.optimizer,
    "tr_clip": _D.clip, "tr_k": _D.seq_len, "tr_batch": _D.batch, "tr_rho": _D.spectral_radius,
    "tr_iterations": _D.iterations, "tr_seed": _D.seed,
}


def session() -> TrainSession:
    for k, v in DEFAULTS.items():
        st.session_state.setdefault(k, v)
    if SESSION not in st.session_state:
        st.session_state[SESSION] = TrainSession()
        st.session_state[DATA_CACHE] = {}
        st.session_state[UPLOAD_RESULT] = None
    return st.session_state[SESSION]


def config_from_state() -> TrainConfig:
    """The sidebar's settings as a TrainConfig (also usable in callbacks, before the sidebar is drawn)."""
    ss = st.session_state
    cell = ss["tr_cell"]
    return TrainConfig(
        source=ss["tr_source"], level=ss["tr_level"], gap=int(ss["tr_gap"]), cell=cell, hidden=int(ss["tr_hidden"]),
        activation=ss["tr_activation"] if cell == "rnn" else "tanh", lr=float(ss["tr_lr"]),
        optimizer=ss["tr_optimizer"], clip=float(ss["tr_clip"]), seq_len=int(ss["tr_k"]), batch=int(ss["tr_batch"]),
        spectral_radius=float(ss["tr_rho"]), iterations=int(ss["tr_iterations"]), seed=int(ss["tr_seed"]))


def text_from_state(source: str) -> tuple[str | None, str | None]:
    """(text, problem) for the pasted or uploaded text sources; (None, None) for the others."""
    if source == "Pasted text":
        return st.session_state["tr_text"], None
    if source != "Uploaded .txt":
        return None, None
    f = st.session_state.get("tr_file")
    if f is None:
        return None, "Upload a .txt file to train on it."
    if f.size > MAX_TEXT_BYTES:
        return None, f"{shorten(f.name, 60)} is {f.size / 1e6:.1f} MB; the limit is {MAX_TEXT_BYTES // 1_000_000} MB."
    try:
        return decode_text(f.getvalue(), f.name), None
    except ValueError as e:
        return None, str(e) + "."


def sidebar_config() -> tuple[TrainConfig, str | None, str | None]:
    """The hyperparameters in the sidebar; returns (config, text for text sources, a problem with it)."""
    sb, keep = st.sidebar, state.KEEP
    sb.header("Settings")
    source = sb.selectbox("Data", SOURCES, key="tr_source", **keep)
    if source == "Pasted text":
        sb.text_area("Text to train on", key="tr_text", height=150, **keep,
                     help=f"Up to {MAX_TEXT_BYTES // 1_000_000} MB; at most 60,000 tokens.")
        sb.radio("Tokens", ("word", "char"), key="tr_level", horizontal=True, **keep)
    elif source == "Uploaded .txt":
        sb.file_uploader(f"Text file (.txt, UTF-8, at most {MAX_TEXT_BYTES // 1_000_000} MB)", type=["txt"],
                         key="tr_file")
        sb.radio("Tokens", ("word", "char"), key="tr_level", horizontal=True, **keep)
    elif source in TASK_SOURCES:
        sb.slider("Gap (distractor tokens)", 0, 100, key="tr_gap", **keep)
    cell = sb.selectbox("Cell", ("rnn", "lstm", "gru"), key="tr_cell", format_func=str.upper, **keep)
    sizes = sorted({*HIDDEN_SIZES, int(st.session_state["tr_hidden"])})     # a loaded model's size too
    sb.select_slider("Hidden size", sizes, key="tr_hidden", **keep)
    sb.selectbox("Activation", ACTIVATIONS, key="tr_activation", disabled=cell != "rnn", **keep,
                 help="The LSTM and GRU use sigmoid gates and tanh.")
    sb.select_slider("Learning rate", LRS, key="tr_lr", format_func=lambda v: f"{v:g}", **keep)
    sb.selectbox("Optimizer", OPTIMIZERS, key="tr_optimizer", **keep)
    sb.select_slider("Clipping threshold", CLIPS, key="tr_clip", format_func=lambda v: "off" if v == 0 else f"{v:g}",
                     **keep)
    sb.slider("Truncation length k", 2, 100, key="tr_k", **keep)
    sb.select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64], key="tr_batch", **keep)
    sb.slider("W_hh spectral radius at init", 0.0, 3.0, step=0.05, key="tr_rho", **keep,
              help="0 keeps the default initialisation; applies when the weights are reset.")
    sb.number_input("Iterations", 1, 100_000, step=100, key="tr_iterations", **keep)
    sb.number_input("Seed", 0, 2**31 - 1, key="tr_seed", help="Applies when the weights are reset.", **keep)
    text, problem = text_from_state(source)
    return config_from_state(), text, problem


def data_for(cfg: TrainConfig, text: str | None, problem: str | None, sess: TrainSession) -> Data | None:
    """The data for these settings (cached per session), or None with the problem shown on the page.

    Text that a loaded model was continued on is encoded with that model's vocabulary.
    """
    if problem:
        st.warning(problem + " The current model and its history are kept.")
        return None
    reuse = sess.vocab if sess.vocab_for is not None and sess.vocab_for == text_key(cfg, text) else None
    key = (cfg.source, cfg.level, cfg.gap, cfg.batch, cfg.seq_len, cfg.seed, hash(text), reuse is not None)
    cache = st.session_state[DATA_CACHE]
    if key not in cache:
        try:
            cache.clear()
            cache[key] = build_data(cfg, text, vocab=reuse)
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

    ticking = sess.running

    @st.fragment(run_every=0.05 if ticking else None)
    def area():
        if ticking and not sess.running:            # stopped by something outside this fragment: drop the timer
            st.rerun()
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
    if st.session_state.get("tr_replay") not in keys:        # new snapshots since: start at the latest
        st.session_state["tr_replay"] = keys[-1]
    it = st.select_slider("Replay training at iteration", keys, key="tr_replay", **state.KEEP)
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
    runs = table["run"].tolist()
    kept = st.session_state.get("tr_runs")
    st.session_state["tr_runs"] = [r for r in kept if r in runs] if kept is not None else runs[-3:]
    chosen = st.multiselect("Overlay the loss curves of runs", runs, key="tr_runs", **state.KEEP)
    st.plotly_chart(figures.runs_figure([r for r in sess.runs if r["run"] in chosen]), key="tr_runs_fig", **CHART)
    st.caption("Same data, different settings: which curve falls fastest, and which one blows up?")


def _on_continue_upload() -> None:
    """Load the uploaded model before the page runs, so the sidebar follows its shape and no timer is left."""
    up = st.session_state.get("tr_upload")
    if up is None:
        return
    sess = session()
    cfg = config_from_state()
    text, problem = text_from_state(cfg.source)
    try:
        if problem:
            raise ValueError(problem.rstrip("."))
        what = sess.continue_from(up.getvalue(), cfg, text, max_bytes=MAX_MODEL_BYTES)
    except (ModelFileError, ValueError) as e:
        st.session_state[UPLOAD_RESULT] = ("error", f"That model cannot be used: {e}. "
                                                    "The current model and its history are kept.")
        return
    cfg = sess.config                               # the sidebar follows the loaded model
    st.session_state.update({"tr_cell": cfg.cell, "tr_hidden": cfg.hidden, "tr_activation": cfg.activation,
                             "tr_level": cfg.level})
    publish(sess)
    st.session_state[UPLOAD_RESULT] = ("success", f"Continuing from {md_escape(shorten(up.name, 60))}: {what}.")


def files_section(sess: TrainSession) -> None:
    st.subheader("Save and continue")
    c1, c2, c3 = st.columns(3)
    if sess.model is not None:
        c1.download_button("Download the model (.npz)", sess.model_bytes(), "rnn_playground_model.npz",
                           mime="application/octet-stream", key="tr_dl_model")
        c2.download_button("Download the metrics (CSV)", sess.metrics_frame().to_csv(index=False).encode(),
                           "training_metrics.csv", mime="text/csv", key="tr_dl_csv")
    c3.file_uploader(f"Continue from a saved model (.npz, at most {MAX_MODEL_BYTES // 1_000_000} MB)", type=["npz"],
                     key="tr_upload", on_change=_on_continue_upload)
    result = st.session_state[UPLOAD_RESULT]
    if result:
        (st.success if result[0] == "success" else st.error)(result[1])
