"""The Time series page's sections: the sidebar, the buttons, the live training area, the forecast, the
hidden state, stepping through a window, and the model file."""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from rnn_core.series import SERIES, read_series_csv

from ui.common import i18n, runlinks, saving, state, uploads
from ui.common.config import SERIES_SOURCES, SERIES_UPLOAD, SeriesConfig
from ui.common.controls import (Length, hyperparameter_params, hyperparameters, keyboard, live_status, page_session,
                               read_config, run_buttons, step_keys)
from ui.common.links import Param, number, one_of
from ui.common.figures import step_norm_figure
from ui.common.i18n import _, N_, ngettext, num
from ui.common.limits import MAX_HIDDEN_COLUMNS, MAX_SERIES_CSV_BYTES, MAX_SERIES_VALUES
from ui.common.charts import show
from ui.common.style import line_style
from ui.common.travel import pytorch_downloads
from ui.common.text import fade_caption, md_escape, shorten

from ui.common import series_compute as compute
from ui.common import series_figures as figures
from ui.common.series_compute import fixed as _f, number as _g, number_text as _gt
from .session import SeriesData, SeriesError, SeriesRun, SeriesView, build_series

REDRAW_SECONDS = 1.0        # the live charts redraw this often while a run goes on (the run itself is elsewhere)
KEYS = {name: key for key, name in state.SERIES_FIELDS.items()}     # setting -> its widget's key
WINDOW = Length(N_("Window length (BPTT steps)"), state.TS_WINDOW, 2, 100,
                help=N_("Each training example is a window of this many values; the loss is the next value's "
                        "squared error at every step."))
HORIZON = (1, 200)
# what a link to this page carries: the built-in series and every setting (not an uploaded file)
LINK = {"series": Param(state.TS_SOURCE, one_of(SERIES)), "horizon": Param(state.TS_HORIZON, number(*HORIZON)),
        **hyperparameter_params(KEYS, WINDOW, "window")}
# what the engine's built-in series (rnn_core/series.py) show on this page: their names, descriptions, unit and
# time axis, marked here for translation (the engine stays English; the page translates them where it shows them)
ENGINE_TEXT = (
    N_("Sine"), N_("sin(2 pi t / 40): one period is 40 steps"),
    N_("Sum of sines with noise"), N_("periods 50 and 13, plus Gaussian noise (sd 0.1)"),
    N_("Damped oscillation"), N_("a ring that fades (time constant 60 steps), struck every 200 steps"),
    N_("Square wave"), N_("+1 for 20 steps, -1 for 20 steps"),
    N_("Random walk"), N_("the sum of Gaussian steps: nothing to learn beyond 'tomorrow is like today'"),
    N_("Sunspots (yearly, 1700-2008)"), N_("yearly mean sunspot number (a cycle of about 11 years)"),
    N_("sunspots"), N_("year"),
)


def session() -> SeriesRun:
    """This browser session's series job (made on its first visit)."""
    return page_session(state.TS_SESSION, SeriesRun)


def config_from_state() -> SeriesConfig:
    return read_config(state.SERIES_FIELDS, SeriesConfig)


def series_name(d: SeriesData) -> str:
    """The series' name as the page shows it: a built-in one's in the session's language, a column's as it is."""
    return _(d.name) if d.key[0] == "builtin" else d.name


def series_problem(e: ValueError) -> str:
    """Why a series cannot be used, in the session's language (a SeriesError's template; else the message)."""
    if not isinstance(e, SeriesError):
        return str(e)
    return _(e.template).format(**{k: v if isinstance(v, str) else num(v, spec) for k, (v, spec) in e.values.items()})


def _on_csv_upload(page: bool = False) -> None:
    """Read the uploaded CSV once, in the uploader's callback (or the page's next run, if a rerun stopped the
    callback: see ui/common/uploads.py)."""
    uploads.receive(state.TS_FILE, state.TS_FILE_DESK, _read_csv, page)


def _read_csv(f) -> dict:
    """The session-state writes for the CSV ``f``: its numeric columns, or why it has none (in the language read
    before the work: see ui/common/uploads.py)."""
    lang = i18n.language()
    tr = i18n.translator(lang)
    name = shorten(f.name, 60)
    try:
        if f.size > MAX_SERIES_CSV_BYTES:
            raise ValueError(tr(N_("{name} is {size} MB; the limit is {limit} MB")).format(
                name=name, size=num(f.size / 1e6, ".1f", lang), limit=num(MAX_SERIES_CSV_BYTES / 1e6, "g", lang)))
        raw = f.getvalue()
        columns = read_series_csv(raw, name, max_rows=MAX_SERIES_VALUES, max_bytes=MAX_SERIES_CSV_BYTES)
    except ValueError as e:
        return {state.TS_CSV_ERROR: tr(N_("That file cannot be used: {error}. The current series and model are "
                                          "kept.")).format(error=e)}
    return {state.TS_CSV: {"name": name, "digest": hashlib.sha1(raw).hexdigest()[:12], "columns": columns},
            state.TS_CSV_ERROR: None, state.TS_COLUMN: next(iter(columns)), state.TS_SOURCE: SERIES_UPLOAD}


def sidebar() -> SeriesConfig:
    """The series and its windows, then the same hyperparameter controls as Train."""
    sb, keep = st.sidebar, state.KEEP
    sb.header(_("Settings"))
    source = sb.selectbox(_("Series"), SERIES_SOURCES, key=state.TS_SOURCE, format_func=_, **keep)
    if source == SERIES_UPLOAD:
        sb.file_uploader(_("Series (.csv with a header row, at most {mb} MB and {rows} rows)").format(
                             mb=MAX_SERIES_CSV_BYTES // 1_000_000, rows=num(MAX_SERIES_VALUES, ",")),
                         type=["csv"], key=state.TS_FILE, on_change=_on_csv_upload,
                         max_upload_size=MAX_SERIES_CSV_BYTES // 1_000_000)   # the browser says so and refuses
        csv = st.session_state[state.TS_CSV]
        if csv:
            sb.selectbox(_("Column"), list(csv["columns"]), key=state.TS_COLUMN, **keep)
    else:
        sb.caption(_(SERIES[source].description))
    sb.slider(_("Forecast horizon (steps)"), *HORIZON, key=state.TS_HORIZON, **keep,
              help=_("How many steps the forecast runs on its own outputs."))
    hyperparameters(sb, KEYS, WINDOW)
    return config_from_state()


def data_for(cfg: SeriesConfig) -> SeriesData | None:
    """The series for these settings (cached per session), or None with the problem shown."""
    problem = st.session_state[state.TS_CSV_ERROR] if cfg.source == SERIES_UPLOAD else None
    if problem:
        st.error(problem)
    csv = st.session_state[state.TS_CSV]
    digest = csv["digest"] if csv else ""
    key = (cfg.source, cfg.column, cfg.window, cfg.seed, digest)
    cache = st.session_state[state.TS_DATA_CACHE]
    if key not in cache:
        try:
            data = build_series(cfg, csv["columns"] if csv else None, digest)
            if csv and cfg.source == SERIES_UPLOAD:
                data.csv_name = csv["name"]
        except ValueError as e:
            if not problem:
                st.warning(_("{problem}. The current series and model are kept.").format(
                    problem=md_escape(series_problem(e))))
            return None
        cache.clear()
        cache[key] = data
    return cache[key]


def open_links(sess: SeriesRun) -> None:
    """The URL's saved run (``run=``) or a model link's copy (``shared=``) into this session's job, before the
    sidebar draws: the sidebar follows its settings (an uploaded series comes back with its values)."""
    out = runlinks.restore_from_url(sess, "time_series") or runlinks.copy_from_url(sess, "time_series")
    if out:
        cfg = out["config"]
        if out["csv"] is not None:
            st.session_state[state.TS_CSV] = out["csv"]
            st.session_state[state.TS_CSV_ERROR] = None
        st.session_state.update({key: getattr(cfg, name) for key, name in state.SERIES_FIELDS.items()})
        st.session_state[state.TS_DATA_CACHE].clear()
    runlinks.show_note("time_series")


def model_and_data(sess: SeriesRun) -> tuple[SeriesConfig, SeriesData | None]:
    _on_csv_upload(page=True)                       # what a callback did not finish, or a fragment's run wrote
    cfg = sidebar()
    data = data_for(cfg)
    view = sess.view
    if data is None and view.data is None:               # first visit with unusable settings: the sine
        data = build_series(SeriesConfig())
    if view.model is None:
        sess.reset_weights(cfg, data)
    return cfg, data


def status_and_buttons(run: SeriesRun, cfg: SeriesConfig, data: SeriesData | None) -> None:
    """What needs new weights (said after the buttons, so Train and Reset weights answer it at once) and **Train**,
    **Stop**, **Reset weights** (the series and model line is drawn in the live area, beside the progress bar)."""
    sess = run.view
    reasons = sess.needs_new_weights(cfg, data) if data is not None else []
    if reasons and sess.iteration == 0 and not sess.running:     # an untrained model: nothing to lose
        run.reset_weights(cfg, data)
        sess, reasons = run.view, []
    if not reasons and data is not None and sess.running:
        run.apply_live(cfg)
    notice = st.empty()
    pressed = run_buttons(run, cfg, data, reasons, lambda: run.apply_live(cfg))
    if pressed == "train":
        saving.begin(run)                                   # from now on the run is saved (the URL carries its id)
    if pressed in ("train", "reset"):
        sess = run.view
        reasons = sess.needs_new_weights(cfg, data) if data is not None else []
    if reasons:
        notice.info(ngettext("Changing the {reasons} needs new weights: **Train** starts from fresh weights (until "
                             "then the page shows the current model, trained {n} iterations on {series}).",
                             "Changing the {reasons} needs new weights: **Train** starts from fresh weights (until "
                             "then the page shows the current model, trained {n} iterations on {series}).",
                             sess.iteration).format(
            reasons=", ".join(_(r) for r in reasons), n=num(sess.iteration, ","),
            series=md_escape(shorten(series_name(sess.data), 60))))


def model_line(sess: SeriesView) -> None:
    """The series the model reads, its normalisation, the model and its iteration count: drawn in the live
    area from the same view as the progress bar, so it follows Reset weights and the run at once."""
    d = sess.data
    unit = f" ({md_escape(_(d.unit))})" if d.unit else ""
    train = d.values[: d.split]
    values = dict(name=md_escape(shorten(series_name(d), 60)), unit=unit, n=num(d.n, ","), split=num(d.split, ","),
                  held=num(d.n - d.split, ","), cell=sess.model.cell.upper(), H=sess.model.hidden_size,
                  iterations=num(sess.iteration, ","))
    if train.min() == train.max():
        st.markdown(_("**Series:** {name}{unit}, {n} values: the first {split} for training, the last {held} held "
                      "out; its training part is constant ({value}), so values are only shifted by it: a standard "
                      "deviation of 0 cannot scale them. **Model:** {cell}, H={H}, {iterations} iterations so "
                      "far.").format(value=_gt(train[0], abs(train[0]) or 1.0), **values))
    else:
        st.markdown(_("**Series:** {name}{unit}, {n} values: the first {split} for training, the last {held} held "
                      "out; normalised with the training part's mean {mean} and standard deviation {std}. "
                      "**Model:** {cell}, H={H}, {iterations} iterations so far.").format(
            mean=_gt(d.norm.mean, d.norm.std), std=_gt(d.norm.std, d.norm.std), **values))


def live_area(run: SeriesRun) -> None:
    """The prediction, the loss and the gradient per step, redrawn every second while a run goes on (the run
    trains in a worker process; this only reads what it published)."""
    ticking = run.view.running

    @st.fragment(run_every=REDRAW_SECONDS if ticking else None)
    def area():
        sess = live_status(run, ticking, model_line)
        draw_live(sess)

    area()


def draw_live(sess: SeriesView) -> None:
    d = sess.data
    unit = _(d.unit)
    pred = d.norm.decode(sess.predictions())
    fig = figures.prediction_figure(d.values, pred, d.split, unit, d.first, d.axis)
    show(fig, key=state.CHART_TS_PRED)
    st.caption(compute.prediction_caption(d.values, pred, d.split, unit, sess.prediction_stride(),
                                          line_style(fig, figures.PERSISTENCE)))
    df = sess.metrics_frame()
    c1, c2 = st.columns(2)
    with c1:
        show(figures.series_loss_figure(df, sess.evals), key=state.CHART_TS_LOSS)
        st.caption(compute.loss_caption(df["loss"].to_numpy(), sess.evals))
    with c2:
        matrix = sess.step_norm_matrix()
        latest = matrix[-1] if len(matrix) else np.zeros(0)
        n_clipped = int(df["clipped"].sum()) if len(df) else 0
        fig = step_norm_figure(latest, sess.config.clip or None, n_clipped, len(df), sess.iteration or None,
                               x_title=_("time step within the window"))
        show(fig, key=state.CHART_TS_STEPS)
        st.caption(_("The latest iteration's ||dL/dh_t|| within a window, every step's squared error together.")
                   + " " + (fade_caption(latest, _("The total gradient"), _("values")) if len(latest)
                            else _("Press Train to see it.")))


def _settle_forecast(n: int, split: int, window: int) -> int:
    """The forecast's start: the start of the held-out part until the learner moves it, and in range."""
    if st.session_state[state.TS_FROM_N] != n or st.session_state[state.TS_FROM] is None:
        st.session_state[state.TS_FROM] = split
        st.session_state[state.TS_FROM_N] = n
    st.session_state[state.TS_FROM] = int(min(max(st.session_state[state.TS_FROM], window), n - 1))
    return st.session_state[state.TS_FROM]


def forecast_section(sess: SeriesView, horizon: int) -> None:
    """Free-running from a chosen step for ``horizon`` steps (the sidebar's setting: it needs no training)."""
    if sess.running:
        return
    st.subheader(_("On its own outputs"))
    d = sess.data
    w = sess.config.window
    _settle_forecast(d.n, d.split, w)
    start = st.slider(_("Forecast from time step"), w, d.n - 1, key=state.TS_FROM, **state.KEEP,
                      help=_("The model reads the window before this step, then runs on its own outputs."))
    fc = sess.forecast_from(start, horizon)
    show(figures.forecast_figure(d.values, start, w, fc, _(d.unit), d.first, d.axis), key=state.CHART_TS_FORECAST)
    st.caption(compute.forecast_caption(d.values, start, fc, _(d.unit)))
    st.download_button(_("Download the forecast (CSV)"),
                       lambda: compute.forecast_frame(d.values, start, fc, d.unit).to_csv(index=False).encode(),
                       f"rnn_playground_forecast_from_{start}.csv", mime="text/csv", key=state.TS_DL_FORECAST,
                       on_click="ignore", help=_("Each forecast step: the time step, the forecast, the true value "
                                                 "where the series has one, and the error."))


def hidden_section(sess: SeriesView) -> None:
    if sess.running:
        return
    d = sess.data
    hidden = sess.hidden_over_time()
    stride = max(1, -(-d.n // MAX_HIDDEN_COLUMNS))
    shown = np.arange(0, d.n, stride)
    show(figures.hidden_figure(d.values[shown], hidden[shown], int(np.searchsorted(shown, d.split)), _(d.unit),
                               d.first + shown, d.axis),
                    key=state.CHART_TS_HIDDEN)
    note = " " + _("Every {stride}th step is drawn.").format(stride=stride) if stride > 1 else ""
    st.caption(_("The network reads the whole series once from a zero state.") + " "
               + compute.hidden_caption(d.values, hidden) + note)


def _step_by(delta: int, T: int) -> None:
    st.session_state[state.TS_STEP] = int(min(max(1, st.session_state[state.TS_STEP] + delta), T))


def step_section(sess: SeriesView) -> None:
    """Step through the window the forecast reads, with the real numbers of one hidden unit: a fragment, so a
    step or a unit reruns only this section, not the forecast and the hidden states above it."""
    if sess.running:
        return
    st.subheader(_("Step through the window"))
    st.fragment(_step_area)(sess)


def _step_area(sess: SeriesView) -> None:
    d, m = sess.data, sess.model
    start = st.session_state[state.TS_FROM]
    lo, trace = sess.window_trace(start)
    T = trace.hidden.shape[0]
    st.session_state[state.TS_STEP] = int(min(max(1, st.session_state[state.TS_STEP]), T))
    st.session_state[state.TS_UNIT] = int(min(max(0, st.session_state[state.TS_UNIT]), m.hidden_size - 1))
    c1, c2, c3, c4 = st.columns([1, 1, 3, 2])
    k = step_keys()
    c1.button(_("Previous step"), on_click=_step_by, args=(-1, T), width="stretch", shortcut=k["previous"],
              help=_("One step back in the window{keyboard}.").format(keyboard=keyboard(k, "previous")))
    c2.button(_("Next step"), on_click=_step_by, args=(1, T), width="stretch", shortcut=k["next"],
              help=_("One step on in the window{keyboard}.").format(keyboard=keyboard(k, "next")))
    step = c3.slider(_("Step t in the window"), 1, T, key=state.TS_STEP, **state.KEEP) if T > 1 else 1
    unit = c4.number_input(_("Hidden unit"), 0, m.hidden_size - 1, key=state.TS_UNIT, **state.KEEP)
    pred = d.norm.decode(trace.outputs[:, 0])
    left, right = st.columns([1, 1])               # the formulas need the room: a wider one would scroll
    with left:
        show(figures.window_figure(d.values, pred, lo, step, _(d.unit), d.first, d.axis), key=state.CHART_TS_WINDOW)
    with right:
        step_formula(sess, trace, lo, step - 1, int(unit))


def step_formula(sess: SeriesView, trace, lo: int, t: int, unit: int) -> None:
    """The step's equations with the real numbers: x_t, one hidden unit, the prediction and its error."""
    d, m, P = sess.data, sess.model, sess.model.params
    x_units, x = float(d.values[lo + t]), float(d.z[lo + t])
    mean, std = _g(d.norm.mean, d.norm.std), _g(d.norm.std, d.norm.std)
    st.latex(rf"x_{{{t + 1}}} = \frac{{{_g(x_units, d.norm.std)} - ({mean})}}{{{std}}} = {_f(x)}")
    h_prev = trace.hidden[t - 1] if t > 0 else np.zeros(m.hidden_size)
    h = float(trace.hidden[t, unit])
    if m.cell == "rnn":
        x_in = float(P["W_xh"][unit, 0]) * x
        rec = float(P["W_hh"][unit] @ h_prev)
        b = float(P["b_h"][unit])
        f = {"tanh": r"\tanh", "relu": r"\mathrm{relu}", "sigmoid": r"\sigma"}[m.activation]
        st.latex(r"h_t = f(W_{xh} x_t + W_{hh} h_{t-1} + b_h)")
        terms = "".join(rf"\underbrace{{{_f(v, sign=True)}}}_{{{name}}}"
                        for v, name in ((x_in, r"W_{xh} x_t"), (rec, r"W_{hh} h_{t-1}"), (b, "b_h")))
        # two formulas, the sum and then h: one line ran past its column, and a formula that scrolls cannot be
        # reached from the keyboard (axe-core's scrollable-region-focusable; KaTeX's aligned environment always
        # overflows its box by 2 px, so these are separate formulas, not one aligned block)
        a = rf"a_{{{t + 1}}}[{unit}]"
        st.latex(rf"{a} = {terms} = {_f(x_in + rec + b)}")          # ends in a number: an underbrace last overhangs
        st.latex(rf"h_{{{t + 1}}}[{unit}] = {f}({a}) = {_f(h)}")
    else:
        g = {k: float(v[t, unit]) for k, v in trace.gates.items()}
        if m.cell == "lstm":
            c_prev = float(trace.cell_state[t - 1, unit]) if t > 0 else 0.0
            c = float(trace.cell_state[t, unit])
            st.latex(r"c_t = f \odot c_{t-1} + i \odot g, \quad h_t = o \odot \tanh(c_t)")
            st.latex(rf"c_{{{t + 1}}}[{unit}] = {_f(g['forget'])} \cdot {_f(c_prev)} + {_f(g['input'])} \cdot "
                     rf"{_f(g['cell candidate'])} = {_f(c)}")
            st.latex(rf"h_{{{t + 1}}}[{unit}] = {_f(g['output'])} \cdot \tanh({_f(c)}) = {_f(h)}")
        else:
            st.latex(r"h_t = (1 - z) \odot n + z \odot h_{t-1}")
            st.latex(rf"h_{{{t + 1}}}[{unit}] = (1 - {_f(g['update'])}) \cdot {_f(g['new'])} + {_f(g['update'])} "
                     rf"\cdot {_f(float(h_prev[unit]))} = {_f(h)}")
    y = float(trace.outputs[t, 0])
    y_units = float(d.norm.decode(y))
    st.latex(rf"\hat y_{{{t + 2}}} = W_{{hy}} h_{{{t + 1}}} + b_y = {_f(y)}")
    in_units = _("in the series' units:")
    st.latex(rf"\text{{{in_units} }} {_f(y)} \times {std} + ({mean}) = {_g(y_units, d.norm.std)}")
    nxt = lo + t + 1
    if nxt < d.n:
        true, true_z = float(d.values[nxt]), float(d.z[nxt])
        st.latex(rf"(\hat y - y)^2 = ({_f(y)} - ({_f(true_z)}))^2 = {_f((y - true_z) ** 2, 4)}")
        u = f" {_(d.unit)}" if d.unit else ""
        st.caption(_("Step {t} reads {x}{u}; the model predicts {y}{u} for the next value, which is {true}{u}: off "
                     "by {off}{u}. The loss is the square of this error in normalised units (above).").format(
            t=t + 1, x=_gt(x_units, d.norm.std), y=_gt(y_units, d.norm.std), true=num(true, ".4g"),
            off=num(y_units - true, "+.4g"), u=u))


def files_section(sess: SeriesRun) -> None:
    st.subheader(_("Save"))
    st.download_button(_("Download the model (.npz)"), sess.model_bytes, "rnn_playground_series_model.npz",
                       mime="application/octet-stream", key=state.TS_DL_MODEL, on_click=sess.mark_saved,
                       help=_("The weights, the cell, and the normalisation the model reads its values in."))
    pytorch_downloads(sess, state.TS_DL_TORCH, state.TS_DL_SAFETENSORS, "rnn_playground_series_model")
    runlinks.share_box(sess, state.TS_SHARE)
