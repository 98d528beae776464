"""The Train page's sections: sidebar settings, the buttons, the live training area, history, runs and files."""
from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_core.data import decode_text
from rnn_core.io import ModelFileError
from rnn_core.vocab import LEVELS

from ui.common import i18n, runlinks, saving, state, uploads
from ui.common.config import LANGUAGE_CORPORA, LOSS_SHAPES, SOURCES, TASK_SOURCES, TrainConfig
from ui.common.controls import (Length, hyperparameter_params, hyperparameters, live_status, page_session,
                               read_config, run_buttons)
from ui.common.links import Param, number, one_of
from ui.common.figures import loss_per_step_figure, next_token_figure, pca_figure, step_norm_figure, w_hh_terms_figure
from ui.common.i18n import N_, _, num
from ui.common.frames import pca_frame_fixed, pca_range, top_k_frame
from ui.common.limits import MAX_MODEL_BYTES, MAX_TRAIN_TEXT_BYTES, MAX_TRAIN_TOKENS, MAX_TRAIN_VOCAB
from ui.common.charts import show
from ui.common.travel import pytorch_downloads
from ui.common.text import fade_caption, loss_sum_text, md_escape, shorten, terms_caption

from . import figures
from .session import LAST_STEP_EVERY, Data, TrainRun, TrainView, build_data, stuck_text, text_key

KEYS = {name: key for key, name in state.TRAIN_FIELDS.items()}       # setting -> its widget's key
TRUNCATION = Length(N_("Truncation length k"), state.TR_K)
LEVEL_NAMES = {"word": N_("word"), "char": N_("char")}               # the Tokens choice's values, shown
GAPS = (0, 100)
# what a link to this page carries: every sidebar setting but the pasted text and the uploaded file
LINK = {"source": Param(state.TR_SOURCE, one_of(SOURCES)), "level": Param(state.TR_LEVEL, one_of(LEVELS)),
        "gap": Param(state.TR_GAP, number(*GAPS)), **hyperparameter_params(KEYS, TRUNCATION, "seq_len"),
        "loss": Param(state.TR_LOSS, one_of(LOSS_SHAPES))}
# while a run goes on (it trains in a worker), the loss and the last step's gradient redraw every second and the rest
# of the charts every three: a redraw costs the server about 10 ms a chart, and a class may have several runs going
CURVES_SECONDS, DETAILS_SECONDS = 1.0, 3.0



def _source_label(source: str) -> str:
    """A Data choice in the session's language (a corpus in another language keeps that language's name)."""
    if source in LANGUAGE_CORPORA:
        return _("Cuisine corpus") + source[len("Cuisine corpus"):]
    return _(source)

def session() -> TrainRun:
    """This browser session's training job (made on its first visit)."""
    return page_session(state.TRAIN_SESSION, TrainRun)


def config_from_state() -> TrainConfig:
    """The sidebar's settings as a TrainConfig (also usable in callbacks, before the sidebar draws)."""
    return read_config(state.TRAIN_FIELDS, TrainConfig)


def in_words(e: Exception, tr=None, lang: str | None = None) -> str:
    """What an exception says, in the session's language (``tr``, ``lang``: a callback's, read before its slow
    work) when it keeps its template (ui/common/live.said: a worker's or the data's; values as (value, format
    spec), or as they are), else as it is."""
    template = getattr(e, "template", None)
    if template is None:
        return str(e)
    lang = lang or i18n.language()

    def shown(v):
        if not (isinstance(v, tuple) and len(v) == 2):
            return v
        v, spec = v
        return num(v, spec, lang) if isinstance(v, (int, float)) else format(v, spec)

    return (tr or _)(template).format(**{k: shown(v) for k, v in (e.values or {}).items()})


def text_from_state(source: str, tr=None, lang: str | None = None) -> tuple[str | None, str | None]:
    """(text, problem) for the pasted or uploaded text sources; (None, None) for the others (``tr``, ``lang``: a
    callback's translation, read before its slow work)."""
    tr = tr or _
    if source == "Pasted text":
        return st.session_state[state.TR_TEXT], None
    if source != "Uploaded .txt":
        return None, None
    f = st.session_state.get(state.TR_FILE)
    if f is None:
        return None, tr("Upload a .txt file to train on it.")
    if f.size > MAX_TRAIN_TEXT_BYTES:
        limit = MAX_TRAIN_TEXT_BYTES // 1_000_000
        return None, tr("{name} is {size} MB; the limit is {limit} MB.").format(
            name=shorten(f.name, 60), size=num(f.size / 1e6, ".1f", lang), limit=limit)
    try:
        return decode_text(f.getvalue(), f.name), None
    except ValueError as e:
        return None, str(e) + "."


def sidebar_config() -> tuple[TrainConfig, str | None, str | None]:
    """The hyperparameters in the sidebar; returns (config, text for text sources, a problem with it)."""
    sb, keep = st.sidebar, state.KEEP
    sb.header(_("Settings"))
    source = sb.selectbox(_("Data"), SOURCES, key=state.TR_SOURCE, format_func=_source_label, **keep)
    levels = {"format_func": lambda v: _(LEVEL_NAMES.get(v, v))}
    if source == "Pasted text":
        sb.text_area(_("Text to train on (at most {mb} MB and {tokens} tokens)").format(
                         mb=MAX_TRAIN_TEXT_BYTES // 1_000_000, tokens=num(MAX_TRAIN_TOKENS, ",")),
                     key=state.TR_TEXT, height=150, **keep,
                     help=_("The {n} most frequent tokens make the vocabulary; the rest read as <unk>.").format(
                         n=num(MAX_TRAIN_VOCAB, ",")))
        size = len(st.session_state[state.TR_TEXT].encode("utf-8"))
        sb.caption(_("{size} bytes of {limit}.").format(size=num(size, ","), limit=num(MAX_TRAIN_TEXT_BYTES, ",")))
        sb.radio(_("Tokens"), LEVELS, key=state.TR_LEVEL, horizontal=True, **levels, **keep)
    elif source == "Uploaded .txt":
        sb.file_uploader(_("Text file (.txt, UTF-8, at most {mb} MB)").format(mb=MAX_TRAIN_TEXT_BYTES // 1_000_000),
                         type=["txt"], key=state.TR_FILE, max_upload_size=MAX_TRAIN_TEXT_BYTES // 1_000_000)
        sb.radio(_("Tokens"), LEVELS, key=state.TR_LEVEL, horizontal=True, **levels, **keep)
    elif source in TASK_SOURCES:
        sb.slider(_("Gap (distractor tokens)"), *GAPS, key=state.TR_GAP, **keep)
    hyperparameters(sb, KEYS, TRUNCATION)
    sb.selectbox(_("Loss"), list(LOSS_SHAPES), key=state.TR_LOSS, format_func=lambda v: _(LOSS_SHAPES[v]), **keep,
                 disabled=source in TASK_SOURCES,
                 help=_("Many-to-many: every step has a loss e_t; E is their sum (as tutorials write it) and "
                        "training minimises their mean. Many-to-one: only the last step of each chunk has a target "
                        "(the long-memory tasks are always many-to-one)."))
    text, problem = text_from_state(source)
    return config_from_state(), text, problem


def data_for(cfg: TrainConfig, text: str | None, problem: str | None, sess: TrainView) -> Data | None:
    """The data for these settings (cached per session), or None with the problem shown on the page.

    Text that a loaded model was continued on is encoded with that model's vocabulary.
    """
    if problem:
        st.warning(_("{problem} The current model and its history are kept.").format(problem=problem))
        return None
    reuse = sess.vocab if sess.vocab_for is not None and sess.vocab_for == text_key(cfg, text) else None
    key = (cfg.source, cfg.level, cfg.gap, cfg.batch, cfg.seq_len, cfg.seed, cfg.loss, hash(text), reuse is not None)
    cache = st.session_state[state.TRAIN_DATA_CACHE]
    if key not in cache:
        try:
            cache.clear()
            cache[key] = build_data(cfg, text, vocab=reuse)
        except ValueError as e:
            st.warning(_("{problem} The current model and its history are kept.").format(problem=in_words(e)))
            return None
    return cache[key]


def settle(sess: TrainView) -> None:
    """Bring the page's own values into range before anything draws: the replay point, the overlaid runs."""
    keys = sorted(sess.snapshots)
    if not st.session_state.get(state.TR_REPLAY_CHOSEN) or st.session_state.get(state.TR_REPLAY) not in keys:
        st.session_state[state.TR_REPLAY] = keys[-1]                    # until the learner moves it: the latest
    runs = [r["run"] for r in sess.runs]
    if st.session_state.get(state.TR_RUNS_CHOSEN):
        st.session_state[state.TR_RUNS] = [r for r in st.session_state[state.TR_RUNS] if r in runs]
    else:
        st.session_state[state.TR_RUNS] = runs[-3:]                     # until the learner picks: the last three


def _runs_chosen() -> None:
    st.session_state[state.TR_RUNS_CHOSEN] = True


def _replay_chosen() -> None:
    st.session_state[state.TR_REPLAY_CHOSEN] = True


def open_links(sess: TrainRun) -> None:
    """The URL's saved run (``run=``: a refresh, a new tab, another process) or a model link's copy (``shared=``)
    into this session's job, before the sidebar draws: the sidebar follows the run's settings."""
    out = runlinks.restore_from_url(sess, "train") or runlinks.copy_from_url(sess, "train")
    if out:
        cfg = out["config"]
        st.session_state.update({key: getattr(cfg, name) for key, name in state.TRAIN_FIELDS.items()})
        if out["text"] is not None:
            st.session_state[state.TR_TEXT] = out["text"]
        st.session_state[state.TRAIN_DATA_CACHE].clear()
        publish(sess)
    runlinks.show_note("train")


def model_and_data(sess: TrainRun) -> tuple[TrainConfig, Data | None]:
    """The sidebar's settings and their data; a first visit starts a model on them (or on the corpus)."""
    _on_continue_upload(page=True)                  # what a callback did not finish, or a fragment's run wrote
    cfg, text, problem = sidebar_config()
    view = sess.view
    data = data_for(cfg, text, problem, view)
    if data is None and view.data is None:                  # first visit with unusable data: start on the corpus
        data = build_data(TrainConfig())
    if view.model is None:
        sess.reset_weights(cfg, data)
        publish(sess)
    return cfg, data


def status_and_buttons(sess: TrainRun, cfg: TrainConfig, data: Data | None) -> None:
    """What needs new weights (if anything, said after the buttons, so Train and Reset weights answer it at once),
    the data line, and **Train**, **Stop**, **Reset weights** (the model line is drawn in the live area, beside
    the progress bar it must agree with)."""
    view = sess.view
    reasons = view.needs_new_weights(cfg, data) if data is not None else []
    if not reasons and data is not None and view.running:
        sess.apply_live(cfg, data)
    notice = st.empty()
    shown = data or view.data
    st.markdown(_("**Data:** {n} tokens per pass, vocabulary {v}.").format(n=num(shown.n_tokens, ","),
                                                                          v=num(len(shown.vocab), ",")))
    pressed = run_buttons(sess, cfg, data, reasons, lambda: sess.apply_live(cfg, data))
    if pressed == "train":
        saving.begin(sess)                                  # from now on the run is saved (the URL carries its id)
    if pressed in ("train", "reset"):
        publish(sess)
        reasons = sess.view.needs_new_weights(cfg, data) if data is not None else []
    if reasons:
        notice.info(_("Changing the {what} needs new weights: **Train** starts from fresh weights (the current model "
                      "stays until then).").format(what=", ".join(_(r) for r in reasons)))


def model_line(view: TrainView) -> None:
    """The model and its iteration count, drawn from the same view as the progress bar."""
    st.markdown(_("**Model:** {cell}, H={H}, {n} iterations so far.").format(
        cell=view.model.cell.upper(), H=view.model.hidden_size, n=num(view.iteration, ",")))


def publish(sess: TrainRun) -> None:
    """Offer the trained model on Step through, Generate and the lab (a copy: it never changes)."""
    sess.publish(st.session_state[state.MODELS])


def live_area(sess: TrainRun) -> None:
    """Charts that update while a run goes on: two fragments that redraw the latest view, the curves every
    CURVES_SECONDS and the rest every DETAILS_SECONDS (the run trains in a worker process; these only read
    what it published)."""
    ticking = sess.view.running

    @st.fragment(run_every=CURVES_SECONDS if ticking else None)
    def curves():
        view = live_status(sess, ticking, model_line, " " + _("If it diverges again at once, the kept weights are "
                                                              "already too large: press Reset weights."))
        publish(sess)
        if view.stuck and not view.diverged:
            st.warning(stuck_text(view.stuck, _, num))
        draw_metrics(view, "curves")

    @st.fragment(run_every=DETAILS_SECONDS if ticking else None)
    def details():
        draw_metrics(sess.view, "details")

    curves()
    details()


def draw_metrics(sess: TrainView, part: str = "all") -> None:
    """The training charts: ``part`` "curves" (the loss, and the last step's gradient going back: vanishing
    first), "details" (the rest) or "all"."""
    df = sess.metrics_frame()
    matrix = sess.step_norm_matrix()
    latest = matrix[-1] if len(matrix) else np.zeros(0)
    if part != "details":
        _curves(sess, df, latest)
    if part != "curves":
        _details(sess, df, matrix, latest)


def _curves(sess: TrainView, df, latest) -> None:
    its = sess.metrics.last_step_iterations
    last_matrix = sess.step_norm_matrix("last_step_norms")
    total = sess.metrics.last_step_total                     # the total of the same iteration
    total = total if total is not None else latest
    c1, c2 = st.columns(2)
    with c1:
        show(figures.training_loss_figure(df), key=state.CHART_TR_LOSS)
        st.caption(_("From {first} nats at iteration {it} to {last} (mean of the last 20); a spike that shoots up is "
                     "an exploding gradient.").format(first=num(df["loss"].iloc[0], ".2f"),
                                                      it=int(df["iteration"].iloc[0]),
                                                      last=num(df["loss"].tail(20).mean(), ".2f"))
                   if len(df) else _("Press Train to start."))
    with c2:                                              # vanishing first: one late loss, going back
        first = last_matrix[0] if len(last_matrix) else None
        now = last_matrix[-1] if len(last_matrix) else np.zeros(0)
        fig = figures.last_step_figure(now, total, first, its[0] if its else None, its[-1] if its else None)
        show(fig, key=state.CHART_TR_LAST)
        st.caption(figures.last_step_caption(fig, its, first, now, total) if its else
                   _("Train to see the last step's gradient going back: the loss of step T alone, at every earlier "
                     "step, in the first iteration and now."))


def _details(sess: TrainView, df, matrix, latest) -> None:
    its = sess.metrics.last_step_iterations
    last_matrix = sess.step_norm_matrix("last_step_norms")
    c3, c4 = st.columns(2)
    with c3:
        show(step_norm_figure(latest, sess.config.clip or None, int(df["clipped"].sum()) if len(df) else 0,
                              len(df), sess.iteration or None), key=state.CHART_TR_STEPS)
        st.caption(_("The latest iteration, the loss of every step together.") + " "
                   + (fade_caption(latest, _("The total gradient")) if len(latest) else ""))
    with c4:
        show(figures.last_step_heatmap(last_matrix, its), key=state.CHART_TR_LAST_HEAT)
        if len(last_matrix) > 1:
            early, later = last_matrix[0], last_matrix[-1]
            st.caption(_("Every {every}th iteration, the last step's gradient at each step relative to its value at "
                         "step T. At step 1 it was {early} in iteration {first} and is {later} in iteration {last}.")
                       .format(every=LAST_STEP_EVERY, early=_of_step_t(early), first=its[0], later=_of_step_t(later),
                               last=its[-1]))
    c5, c6 = st.columns(2)
    with c5:
        show(figures.step_norm_heatmap(matrix, sess.metrics.step_norms.iterations), key=state.CHART_TR_HEAT)
        st.caption(_("Every iteration's per-step norms, log10 colour: a colour that fades to the left is a gradient "
                     "vanishing back in time."))
    with c6:
        show(figures.global_norm_figure(df, sess.config.clip or None), key=state.CHART_TR_GLOBAL)
        st.caption(_("Red dots are iterations whose gradient was clipped to the threshold."))
    c7, c8 = st.columns(2)
    last_only = sess.config.loss == "many_to_one" or (sess.data is not None and sess.data.key[0] == "task")
    losses = sess.metrics.step_losses[-1] if sess.metrics.step_losses else np.zeros(0)
    with c7:
        show(loss_per_step_figure(losses, last_only=last_only), key=state.CHART_TR_LOSS_STEPS)
        st.caption(loss_sum_text(losses, last_only) + "." if len(losses) else _("Train to see the loss at each step."))
    with c8:
        terms = sess.metrics.w_hh_terms
        show(w_hh_terms_figure(terms if terms is not None else np.zeros(0)), key=state.CHART_TR_W_HH)
        if terms is not None:
            st.caption(_("Iteration {it}.").format(it=its[-1]) + " " + terms_caption(terms))
    if sess.model is not None and sess.data is not None:
        st.markdown(_("**Probe:** “{probe}” → **{completion}**").format(probe=md_escape(sess.data.probe),
                                                                        completion=md_escape(sess.completion())))


def _of_step_t(row: np.ndarray) -> str:
    """Step 1's value as a share of step T's, in words that stay true when either is 0 (an underflow)."""
    first, last = float(row[0]), float(row[-1])
    if not (np.isfinite(first) and np.isfinite(last)):
        return _("not a finite number")
    if last == 0:
        return _("undefined (the gradient is exactly 0 at step T)")
    return _("exactly 0 of step T's") if first == 0 else _("{share} of step T's").format(share=num(first / last, ".1e"))


def history_section(sess: TrainView) -> None:
    """Replay the prediction and the hidden-state path at any kept point of training, on fixed axes (the worker
    computed both at every snapshot when the run ended: ``TrainSession.history``)."""
    if sess.model is None or len(sess.snapshots) < 2 or sess.running or not sess.history:
        return
    st.subheader(_("History"))
    keys = sorted(sess.history)
    it = st.select_slider(_("Replay training at iteration"), keys, key=state.TR_REPLAY, on_change=_replay_chosen,
                          **state.KEEP)
    probs, hidden = sess.history[it]
    paths = {k: h for k, (_probs, h) in sess.history.items()}    # every kept point, for axes that stay fixed
    final_hidden = paths[keys[-1]]                   # the last snapshot is the current model
    tokens = sess.vocab.id_to_token(sess.vocab.encode(sess.data.probe))
    c1, c2 = st.columns(2)
    with c1:
        show(next_token_figure(top_k_frame(probs, sess.vocab.tokens, 8)), key=state.CHART_TR_HIST_PRED)
        st.caption(_("What the model at iteration {it} predicts after the probe.").format(it=it))
    with c2:
        df = pca_frame_fixed(hidden, final_hidden, tokens)
        show(pca_figure(df, len(tokens), fixed=pca_range(final_hidden, list(paths.values()))),
                        key=state.CHART_TR_HIST_PCA)
        st.caption(_("The probe's hidden-state path, in the final model's PCA axes (fixed, so paths compare)."))


def runs_section(sess: TrainView) -> None:
    if not sess.runs:
        return
    st.subheader(_("Run history"))
    table = figures.runs_frame(sess.runs)
    st.dataframe(figures.shown_runs(table), hide_index=True)
    runs = table["run"].tolist()
    chosen = st.multiselect(_("Overlay the loss curves of runs"), runs, key=state.TR_RUNS, on_change=_runs_chosen,
                            **state.KEEP)
    show(figures.runs_figure([r for r in sess.runs if r["run"] in chosen]), key=state.CHART_TR_RUNS)
    st.caption(_("Same data, different settings: which curve falls fastest, and which one blows up?"))


def _on_continue_upload(page: bool = False) -> None:
    """Load the uploaded model before the page runs, so the sidebar follows its shape and no timer is left
    (the page calls it too, before its sidebar: see ui/common/uploads.py)."""
    uploads.receive(state.TR_UPLOAD, state.TR_UPLOAD_DESK, _continue_from, page)


def _continue_from(up) -> dict:
    """The model in ``up`` replaces the current one (the run, if any, stops); the session-state writes that
    say so: the sidebar's shape settings and the message. Nothing reads st.session_state after the load."""
    sess = session()
    lang = i18n.language()                          # read first: after the slow load, no session state
    tr = i18n.translator(lang)
    cfg = config_from_state()
    text, problem = text_from_state(cfg.source, tr, lang)
    try:
        if problem:
            raise ValueError(problem.rstrip("."))
        sess.continue_from(up.getvalue(), cfg, text, max_bytes=MAX_MODEL_BYTES)
    except (ModelFileError, ValueError) as e:
        return {state.TR_UPLOAD_RESULT: ("error", tr("That model cannot be used: {why}. The current model and its "
                                                     "history are kept.").format(why=in_words(e, tr, lang)))}
    view = sess.view                                # the loaded model's (the view that followed the load)
    cfg = view.config                               # the sidebar follows the loaded model
    saving.begin(sess)                              # from now on the run is saved (no session state touched)
    message = tr("Continuing from {name}: a {cell} with H={H} and {n} tokens.").format(
        name=md_escape(shorten(up.name, 60)), cell=view.model.cell.upper(), H=view.model.hidden_size,
        n=num(len(view.vocab), ",", lang))
    return {state.TR_CELL: cfg.cell, state.TR_HIDDEN: cfg.hidden, state.TR_ACTIVATION: cfg.activation,
            state.TR_LEVEL: cfg.level, state.TR_UPLOAD_RESULT: ("success", message)}


def files_section(sess: TrainRun) -> None:
    st.subheader(_("Save and continue"))
    c1, c2, c3 = st.columns(3)
    if sess.view.model is not None:
        # built when clicked, not on every rerun (a model file can be megabytes), by the worker between two
        # iterations: the weights and the iteration count of one iteration, while the run goes on
        c1.download_button(_("Download the model (.npz)"), sess.model_bytes, "rnn_playground_model.npz",
                           mime="application/octet-stream", key=state.TR_DL_MODEL, on_click=sess.mark_saved)
        c2.download_button(_("Download the metrics (CSV)"), sess.metrics_csv,
                           "training_metrics.csv", mime="text/csv", key=state.TR_DL_CSV, on_click="ignore")
    c3.file_uploader(_("Continue from a saved model (.npz, at most {mb} MB)").format(mb=MAX_MODEL_BYTES // 1_000_000),
                     type=["npz"], key=state.TR_UPLOAD, on_change=_on_continue_upload,
                     max_upload_size=MAX_MODEL_BYTES // 1_000_000)
    if sess.model is not None:
        pytorch_downloads(sess, state.TR_DL_TORCH, state.TR_DL_SAFETENSORS, "rnn_playground_model")
        runlinks.share_box(sess, state.TR_SHARE)
    result = st.session_state[state.TR_UPLOAD_RESULT]
    if result:
        (st.success if result[0] == "success" else st.error)(result[1])
