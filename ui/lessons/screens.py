"""One function per lesson: it draws the lesson's two or three controls (into ``ctl``, beside the figure) and
returns its Screen: the question (computed from the model and settings on screen), the one figure the idea is
about, drawn by the same figure code its full page uses, a caption read from that figure's numbers, and the full
page's settings."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from rnn_core import make_model
from rnn_core.cuisine import PROMPT
from rnn_core.cuisines import PROBE_DISHES, PROMPTS, probe_dishes
from rnn_core.model import softmax as softmax_of
from rnn_core.series import Normaliser, SeriesWindows, forecast, make_series, one_step_predictions, split_point
from rnn_core.train import Trainer

from ui.common import analysis
from ui.common import lab_compute as lab
from ui.common import lab_figures, series_figures, state, step_figures, step_frames
from ui.common.charts import show
from ui.common.figures import loss_per_step_figure, next_token_figure
from ui.common.i18n import _, language, num
from ui.common.frames import token_labels, top_k_frame
from ui.common.lessons import BY_SLUG, lesson_models
from ui.common.series_compute import forecast_caption, prediction_caption
from ui.common.style import line_style
from ui.common.text import SATURATED, fade_caption, sig

from . import compute as C
from .figures import FULL, TRUNCATED, truncation_figure, weights_figure
from .questions import Question

KEEP = state.KEEP
RHOS = (0.5, 0.7, 0.9, 1.0, 1.2, 1.5)
GATE_BIASES = (-3.0, 0.0, 1.0, 3.0, 5.0)
LAB_T = 40
GATES_RHO = 0.9            # why gates help: the Gradient lab's default radius
SERIES = {"name": "Sine", "window": 20, "hidden": 16, "lr": 0.01, "clip": 1.0, "batch": 16, "iterations": 300,
          "horizon": 60}


@dataclass
class Screen:
    question: Question
    figure: go.Figure
    caption: str
    query: dict = field(default_factory=dict)         # the full page's settings for what is on screen
    after: Callable[[], None] | None = None            # what answering reveals besides the reason (drawn with st)
    hold: str | None = None                            # the caption until answered, where ``caption`` tells the answer
    figure_answered: go.Figure | None = None           # the figure once answered, where ``figure`` holds numbers back


class Controls:
    """A lesson's controls drawn into ``where`` (the column beside its figure), each bound to its session-state
    key; values with a range are brought into it here, before the widget is drawn."""

    def __init__(self, where, models: dict):
        self.where, self.models = where, models

    def entry(self, name: str):
        return self.models.get(name) or self.models[state.DEFAULT_MODEL]

    def selectbox(self, label: str, options, key: str, **kw):
        if st.session_state[key] not in options:
            st.session_state[key] = options[0]
        return self.where.selectbox(label, options, key=key, **KEEP, **kw)

    def select_slider(self, label: str, options, key: str, **kw):
        if st.session_state[key] not in options:
            st.session_state[key] = state.DEFAULTS[key]
        return self.where.select_slider(label, options, key=key, **KEEP, **kw)

    def slider(self, label: str, lo: int, hi: int, key: str) -> int:
        st.session_state[key] = int(min(max(lo, st.session_state[key] or lo), hi))
        return self.where.slider(label, lo, hi, key=key, **KEEP) if hi > lo else lo

    def number(self, label: str, lo: int, hi: int, key: str) -> int:
        st.session_state[key] = int(min(max(lo, st.session_state[key]), hi))
        return int(self.where.number_input(label, lo, hi, key=key, **KEEP))

    def remember(self, key: str, first) -> int:
        """A value the lesson picks itself the first time (the least certain step), then the learner's."""
        if st.session_state[key] is None:
            st.session_state[key] = first()
        return st.session_state[key]


class Defaults(Controls):
    """The same lessons with every control at its default and nothing drawn: the worksheet's numbers."""

    def __init__(self, models: dict):
        super().__init__(None, models)
        self.values = dict(state.DEFAULTS)

    def selectbox(self, label, options, key, **kw):
        return self.values[key] if self.values[key] in options else options[0]

    def select_slider(self, label, options, key, **kw):
        return self.values[key]

    def slider(self, label, lo, hi, key):
        return int(min(max(lo, self.values[key] or lo), hi))

    def number(self, label, lo, hi, key):
        return int(min(max(lo, self.values[key]), hi))

    def remember(self, key, first):
        if self.values[key] is None:
            self.values[key] = first()
        return self.values[key]


def _prompt(entry) -> str:
    """The sushi sentence in the session's language, where the model reads it (the demo RNN of that language,
    a model trained on its corpus); else the English one (the English demo models)."""
    prompt = PROMPTS[language()]
    return prompt if not entry.vocab.unknown_tokens(prompt) else PROMPT


def _model_picker(ctl: Controls):
    name = ctl.selectbox(_("Model"), lesson_models(ctl.models, language()), state.LS_MODEL,
                         help=_("The demo models were trained on sentences about dishes and cuisines; a model opened "
                                "from a model link is here too when it reads those sentences word by word."))
    return ctl.entry(name)


def _step(ctl: Controls, T: int, key: str = state.LS_STEP, label: str | None = None) -> int:
    return ctl.slider(label or _("Time step"), 1, T, key)


def _unit(ctl: Controls, H: int) -> int:
    return ctl.number(_("Hidden unit"), 0, H - 1, state.LS_UNIT)


def _show_after(fig: go.Figure, key: str, caption: str) -> Callable[[], None]:
    def draw():
        show(fig, key=key)
        st.caption(caption)
    return draw


# ----- the lessons --------------------------------------------------------------------------------------------
def memory(ctl) -> Screen:
    entry = _model_picker(ctl)
    prompt = _prompt(entry)
    lang = language() if prompt == PROMPTS[language()] else "en"
    dish = ctl.selectbox(_("Swap “{dish}” for").format(dish=PROBE_DISHES[lang][0].lower()), probe_dishes(lang),
                         state.LS_DISH)
    m = C.memory(entry.model, entry.vocab, prompt, dish, lang)
    a, b = m.original, m.swapped
    fig = step_figures.probe_figure(step_frames.probe_frame(a.trace.hidden, b.trace.hidden, a.tokens, b.tokens))
    d = np.linalg.norm(a.trace.hidden.astype(float) - b.trace.hidden.astype(float), axis=1)
    caption = _("||h_t − h'_t|| between the two sentences: 0 before the swap, {at} at step {step}, {last} after "
                "the last word. The difference the swap made is still there at the end: that is the memory.").format(
        at=num(d[m.position], ".2f"), step=m.position + 1, last=num(d[-1], ".2f"))
    after = _show_after(next_token_figure(top_k_frame(b.trace.probs[-1], entry.vocab.tokens, k=6)),
                        state.CHART_LS_AFTER,
                        _("What the {model} says after the sentence with “{dish}”.").format(model=entry.name,
                                                                                            dish=dish))
    return Screen(m.question, fig, caption, {"step": "12", "view": "Forward", "model": entry.name}, after)


def one_step_at_a_time(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    fig = step_figures.hidden_heatmap(step_frames.hidden_frame(r.trace.hidden, r.tokens), None, selectable=False)
    h = r.trace.hidden
    caption = _("{T} columns, one h_t per word, each {H} numbers (from {lo} to {hi}): the same cell computed every "
                "one of them.").format(T=r.T, H=h.shape[1], lo=num(h.min(), ".2f"), hi=num(h.max(), ".2f"))
    return Screen(C.one_input_per_step(r), fig, caption, {"step": "5", "view": "Forward", "model": entry.name})


def forward(ctl) -> Screen:
    entry = ctl.entry(state.demo_model(language()))
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    step = _step(ctl, r.T)
    unit = _unit(ctl, entry.model.hidden_size)
    f = C.forward_step(entry.model, r, step, unit)
    H, n = entry.model.hidden_size, 32
    lo = max(0, min(unit - n // 2, H - n))
    pieces = step_frames.pieces_frame(entry.model, r.trace, r.ids, step - 1, r.h_prev(step - 1)).iloc[lo:lo + n]
    fig = step_figures.pieces_figure(pieces)
    caption = _("Units {first}-{last} of {H} at step {step}: each stack is one unit's W_xh x_t, W_hh h_t−1 and b_h; "
                "the largest |a_t| here is {largest}.").format(first=lo, last=lo + len(pieces) - 1, H=H, step=step,
                                                               largest=num(np.abs(pieces["a_t"]).max(), ".2f"))
    return Screen(f.question, fig, caption, {"step": str(step), "view": "Forward", "model": entry.name})


def softmax(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    ctl.remember(state.LS_SOFTMAX_STEP, lambda: C.least_certain_step(r))
    step = _step(ctl, r.T, state.LS_SOFTMAX_STEP, _("After the word at step"))
    q = C.softmax_question(entry.vocab, r, step)
    t = step - 1
    fig = next_token_figure(top_k_frame(r.trace.probs[t], entry.vocab.tokens, k=6, logits=r.trace.logits[t]))
    z = np.sort(r.trace.logits[t])[::-1]
    caption = _("After “{token}”: each bar reads its probability and its logit z. The top two logits differ by "
                "{gap}, so the top word is e^{gap} = {ratio} times as likely as the second.").format(
        token=r.tokens[t], gap=num(z[0] - z[1], ".2f"), ratio=num(np.exp(z[0] - z[1]), ".3g"))
    hot = top_k_frame(softmax_of(2 * r.trace.logits[t].astype(float)), entry.vocab.tokens, k=6)
    after = _show_after(next_token_figure(hot), state.CHART_LS_AFTER, _("The same logits doubled (temperature 0.5)."))
    return Screen(q, fig, caption, {"step": str(step), "view": "Forward", "model": entry.name}, after)


def unrolled(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    fig = step_figures.unrolled_figure(r.tokens, r.T, entry.model.cell)
    off = C.read(C.without_recurrence(entry.model), entry.vocab, _prompt(entry))
    caption = _("{T} copies of one {cell} cell, the same W_xh, W_hh and W_hy on every arrow; the horizontal arrows "
                "are W_hh.").format(T=r.T, cell=entry.model.cell.upper())
    after = _show_after(next_token_figure(top_k_frame(off.trace.probs[-1], entry.vocab.tokens, k=6)),
                        state.CHART_LS_AFTER,
                        _("The {model} with W_hh = 0, after the last word.").format(model=entry.name))
    return Screen(C.no_recurrence_question(entry.model, entry.vocab, _prompt(entry)), fig, caption,
                  {"step": "12", "view": "Forward", "model": entry.name}, after)


def why_not_feed_forward(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    counts = C.weight_counts(entry.model, r.T)
    fig = weights_figure(counts)
    names = list(counts)
    caption = _("For this {T}-word sentence: {per_position} need {ratio} times the shared cell's weights; {whole} "
                "needs {n} and a fixed input of {T} words.").format(
        T=r.T, per_position=names[1], ratio=num(counts[names[1]] / counts[names[0]], ".0f"), whole=names[2],
        n=num(counts[names[2]], ","))
    hold = _("The bars' lengths (log scale) for this {T}-word sentence; their numbers once you answer.").format(T=r.T)
    return Screen(C.feed_forward_question(entry.model, r.T), weights_figure(counts, numbers=False), caption,
                  {"step": "12", "view": "Forward", "model": entry.name}, hold=hold, figure_answered=fig)


def _target(entry, r) -> int:
    """The word the model itself predicts after the sentence: the lessons' target for the loss."""
    return int(np.argmax(r.trace.probs[-1]))


def loss_over_time(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    tid = _target(entry, r)
    q = C.loss_question(entry.model, r, tid)
    e = q.facts["e"]
    fig = loss_per_step_figure(e, token_labels(r.tokens))
    k = int(np.argmax(e))
    caption = _("Many-to-many, with “{target}” after the last word: e_t from {lo} to {hi} (at “{token}”).").format(
        target=entry.vocab.tokens[tid], lo=sig(e.min(), local=True), hi=sig(e.max(), local=True), token=r.tokens[k])
    after = _show_after(loss_per_step_figure(C.losses(entry.model, r, tid, "many_to_one"), token_labels(r.tokens),
                                             last_only=True), state.CHART_LS_AFTER,
                        _("The same sentence, many-to-one."))
    return Screen(q, fig, caption, {"step": "12", "view": "Backward", "loss": "many_to_many", "model": entry.name},
                  after)


def _gradient_screen(entry, r, q, diag, query: dict, first: Callable[[np.ndarray], str]) -> Screen:
    """BPTT's and the chain's figure: the model's ||dL/dh_t|| (bars) and ||ds_T/ds_t||, beside an untrained RNN
    of the same size on the same sentence and target, whose gradient vanishes (a trained demo model's need not:
    training grew its weights); the caption says which way each goes, from their numbers (``diag``: the model's
    BPTT for the lessons' target; ``first``: the caption's opening, from the ||ds_T/ds_t|| line)."""
    jac = entry.model.astype(np.float64).jacobian_norms(r.ids)
    fresh = analysis.untrained_rnn(entry.model, r.ids, _target(entry, r))
    fig = step_figures.gradient_figure(step_frames.gradient_frame(diag.grad_norm_per_step, jac, r.tokens,
                                                                  untrained=fresh.norms))
    styles = {name: line_style(fig, name) for name in (step_figures.JACOBIAN, step_figures.UNTRAINED)}
    own = diag.grad_norm_per_step
    grown = own[-1] > 0 and own[0] / own[-1] >= 0.01
    product = fresh.radius * fresh.fprime
    radius, fprime = num(fresh.radius, ".2f"), num(fresh.fprime, ".2f")
    caption = (first(jac) + " " + fade_caption(own, _("The {model}'s ||dL/dh_t|| (the bars)").format(model=entry.name))
               + (" " + _("Training grew the weights the gradient passes through.") if grown else "")
               + " " + fade_caption(fresh.norms, _("The {style} line, an untrained RNN of the same size,").format(
                   style=styles[step_figures.UNTRAINED]))
               + " " + (_("Its W_hh has spectral radius {radius} and its median f' is {fprime}: about {product} a step "
                          "back, below 1, so the product shrinks geometrically.").format(
                   radius=radius, fprime=fprime, product=num(product, ".2f")) if product < 1 else
                        _("Its W_hh has spectral radius {radius} and its median f' is {fprime}.").format(
                   radius=radius, fprime=fprime)))
    return Screen(q, fig, caption, query)


def bptt(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    q, diag = C.bptt_question(entry.model, r, _target(entry, r))
    return _gradient_screen(entry, r, q, diag, {"step": "12", "view": "Backward", "loss": "many_to_one",
                                                "model": entry.name},
                            lambda jac: _("Many-to-one: the loss is at step {T} and BPTT carries its gradient back "
                                          "to step 1.").format(T=r.T))


def sum_over_steps(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    tid = _target(entry, r)
    terms = C.weight_terms(entry.model, r, tid, "many_to_many")
    fig = step_figures.weight_terms_figure(terms, token_labels(r.tokens))
    caption = _("Many-to-many: each bar is one step's term measured along the whole gradient's direction, so a "
                "row adds up to that gradient's norm: {norms}.").format(
        norms=", ".join(f"{C.WEIGHT_NAMES[k]} {sig(v.sum(), local=True)}" for k, v in terms.items()))
    one = C.weight_terms(entry.model, r, tid, "many_to_one")
    after = _show_after(step_figures.weight_terms_figure(one, token_labels(r.tokens)), state.CHART_LS_AFTER,
                        _("The same three rows, many-to-one."))
    return Screen(C.sum_over_steps_question(entry.model, r, tid), fig, caption,
                  {"step": "12", "view": "Backward", "loss": "many_to_many", "model": entry.name}, after)


def chain(ctl) -> Screen:
    entry = _model_picker(ctl)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    diag = C.bptt_question(entry.model, r, _target(entry, r))[1]
    first = (lambda jac: _("The {line} line: the product of Jacobians for the {model}, from {last} at step {T} to "
                           "{first} at step 1, each point one more factor.").format(
        line=_(step_figures.JACOBIAN), model=entry.name, last=sig(jac[-1], local=True), T=r.T,
        first=sig(jac[0], local=True)))
    return _gradient_screen(entry, r, C.chain_question(entry.model, r), diag,
                            {"step": "1", "view": "Backward", "loss": "many_to_one", "model": entry.name}, first)


def _bias(b: float) -> str:
    return _("{bias} (starts at {gate})").format(bias=num(b, "g"), gate=num(1 / (1 + np.exp(-b)), ".2f"))


def _lab(ctl: Controls, with_rho: bool = True):
    rho = ctl.select_slider(_("W_hh spectral radius"), RHOS, state.LS_RHO, format_func=lambda v: num(v, "")) \
        if with_rho else GATES_RHO
    fb = ctl.select_slider(_("LSTM forget-gate bias"), GATE_BIASES, state.LS_FB, format_func=_bias)
    ub = ctl.select_slider(_("GRU update-gate bias"), GATE_BIASES, state.LS_UB, format_func=_bias)
    numbers = lab.jacobian_lab(rho, "tanh", LAB_T, fb, ub)
    fig = lab_figures.jacobian_lab_figure(numbers.table)
    styles = {name: line_style(fig, name) for name in ("rho^(T-t)", lab.FORGET_PATH, lab.UPDATE_PATH)}
    query = {"rho": f"{rho:g}", "T": str(LAB_T), "lstm_forget_bias": f"{fb:g}", "gru_update_bias": f"{ub:g}"}
    return numbers, fig, lab.jacobian_summary(numbers, styles), query


def vanishing(ctl) -> Screen:
    numbers, fig, caption, query = _lab(ctl)
    return Screen(C.vanishing_question(numbers.table, LAB_T), fig, caption, query)


def saturation(ctl) -> Screen:
    entry = ctl.entry(state.demo_model(language()))
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    q = C.saturation_question(entry.model, r)
    shares = np.mean(np.abs(r.trace.hidden) > SATURATED, axis=1)
    fig = step_figures.hidden_heatmap(step_frames.hidden_frame(r.trace.hidden, r.tokens), None, selectable=False,
                                      saturated=shares)
    caption = _("The numbers above the columns: the share of each step's {H} values with |h| > {limit}, from {lo} to "
                "{hi} ({share} over the sentence). Dark red and dark blue cells are saturated.").format(
        H=entry.model.hidden_size, limit=num(SATURATED, ""), lo=num(shares.min(), ".0%"),
        hi=num(shares.max(), ".0%"), share=num(q.facts["share"], ".0%"))
    return Screen(q, fig, caption, {"step": "3", "view": "Forward", "model": entry.name})


CLIP_LR, CLIP, CLIP_RHO, CLIP_ITERATIONS = 2.0, 1.0, 1.0, 60     # the unclipped loss jumps by iteration 20


def clipping(ctl) -> Screen:
    df = lab.clipping_runs(CLIP_LR, CLIP_RHO, CLIP, CLIP_ITERATIONS)
    free = df[df["run"] == "without clipping"]
    q = C.clipping_question(df, CLIP)
    fig = lab_figures.clipping_figure(free)
    loss = free["loss"].to_numpy(float)
    caption = (_("Plain SGD at learning rate {lr} on the cuisine corpus: the loss starts at {start} and reaches "
                 "{top}.").format(lr=num(CLIP_LR, "g"), start=num(loss[0], ".2f"), top=num(np.nanmax(loss), ".2f"))
               if np.isfinite(loss).all() else
               _("Plain SGD at learning rate {lr} on the cuisine corpus: the loss starts at {start} and ends in "
                 "NaN.").format(lr=num(CLIP_LR, "g"), start=num(loss[0], ".2f")))
    after = _show_after(lab_figures.clipping_figure(df), state.CHART_LS_AFTER, lab.clipping_summary(df))
    return Screen(q, fig, caption, {"clip_lr": f"{CLIP_LR:g}", "clip": f"{CLIP:g}", "clip_rho": f"{CLIP_RHO:g}"}, after)


def truncation(ctl) -> Screen:
    entry = ctl.entry(state.demo_model(language()))
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    k = ctl.slider(_("Truncation length k"), 2, r.T, state.LS_K)
    g = entry.model.astype(np.float64).state_grads(r.ids, np.int64(_target(entry, r)))
    full = np.linalg.norm(g, axis=1)
    cut = C.truncated(full, k)
    fig = truncation_figure(full, cut, r.tokens, k)
    pos = C.dish_position(r.tokens, language() if _prompt(entry) == PROMPTS[language()] else "en") or 0
    caption = _("The {style} line is full BPTT; the {truncated} bars stop at step {step}: before it the last loss "
                "sends nothing back (shaded).").format(style=line_style(fig, _(FULL)), truncated=_(TRUNCATED),
                                                       step=r.T - k + 1)
    return Screen(C.truncation_question(r, k, pos), fig, caption, {"seq_len": str(max(2, k))})


def _gates(ctl, name: str, ask) -> Screen:
    entry = ctl.entry(name)
    r = C.read(entry.model, entry.vocab, _prompt(entry))
    step = _step(ctl, r.T, state.LS_GATE_STEP)
    unit = _unit(ctl, entry.model.hidden_size)
    fig = step_figures.gates_figure(step_frames.gates_frames(r.trace, r.tokens), step)
    gate = "forget" if "forget" in r.trace.gates else "update"
    v = r.trace.gates[gate][step - 1]
    said = (_("Step {step} boxed. The forget gate there: median {median} over the {H} units, {share} of them above "
              "0.9 (keeping nearly all of the old state).") if gate == "forget" else
            _("Step {step} boxed. The update gate there: median {median} over the {H} units, {share} of them above "
              "0.9 (keeping nearly all of the old state)."))
    caption = said.format(step=step, median=num(np.median(v), ".2f"), H=entry.model.hidden_size,
                          share=num(np.mean(v > 0.9), ".0%"))
    return Screen(ask(r, step, unit), fig, caption, {"step": str(step), "view": "Forward", "model": entry.name})


def lstm(ctl) -> Screen:
    return _gates(ctl, "Demo LSTM", C.lstm_question)


def gru(ctl) -> Screen:
    return _gates(ctl, "Demo GRU", C.gru_question)


def why_gates_help(ctl) -> Screen:
    numbers, fig, caption, query = _lab(ctl, with_rho=False)
    styles = {name: line_style(fig, name) for name in (lab.FORGET_PATH, lab.UPDATE_PATH)}
    hold = _("Each cell's whole ||ds_T/ds_t|| at spectral radius {rho}, and the gates' own paths back: {forget} "
             "({forget_style}) and {update} ({update_style}). The numbers once you answer.").format(
        rho=num(GATES_RHO, "g"), forget=_(lab.FORGET_PATH), forget_style=styles[lab.FORGET_PATH],
        update=_(lab.UPDATE_PATH), update_style=styles[lab.UPDATE_PATH])
    return Screen(C.gates_help_question(numbers), fig, caption, query, hold=hold)


def lag_sweep(ctl) -> Screen:
    df = lab.stored_default_sweep("cuisine")
    fig = lab_figures.lag_sweep_figure(df)
    return Screen(C.lag_sweep_question(df), fig, lab.sweep_summary(df), {"task": "cuisine"},
                  hold=_("Accuracy on held-out sentences (chance: one cuisine in fourteen) and the share of the "
                         "gradient that crosses the gap, for each cell and gap. What the curves say, once you "
                         "answer."))


def generation(ctl) -> Screen:
    entry = _model_picker(ctl)
    prompt = "My favourite dish is"
    r = C.read(entry.model, entry.vocab, prompt)
    fig = next_token_figure(top_k_frame(r.trace.probs[-1], entry.vocab.tokens, k=6))
    top = int(np.argmax(r.trace.probs[-1]))
    caption = _("After “{prompt}” the {model} gives “{token}” p = {p}.").format(
        prompt=prompt, model=entry.name, token=entry.vocab.tokens[top], p=num(r.trace.probs[-1, top], ".2f"))
    return Screen(C.generation_question(entry.model, entry.vocab, prompt), fig, caption,
                  {"prompt": prompt, "strategy": "greedy", "model": entry.name})


@st.cache_data(show_spinner=False, max_entries=1)
def trained_sine() -> dict:
    """The Time series page's defaults trained once per server (deterministic; about 0.3 s): the series, the
    one-step predictions and a forecast from the start of the held-out part, in the series' units."""
    s = SERIES
    values = make_series(s["name"], seed=0)
    split = split_point(values.size)
    norm = Normaliser.fit(values[:split])
    z = norm.encode(values)
    model = make_model("rnn", hidden_size=s["hidden"], input_size=1, output_size=1, head="linear", seed=0,
                       dtype=np.float32)
    trainer = Trainer(model, SeriesWindows(z[:split], s["window"], s["batch"], seed=0), "adam", s["lr"], s["clip"])
    for _it in trainer.run(s["iterations"]):
        pass
    pred = norm.decode(one_step_predictions(model, z, s["window"]))
    fc = norm.decode(forecast(model, z[split - s["window"]:split], s["horizon"]))
    return {"values": values, "pred": pred, "split": split, "forecast": fc}


def numbers(ctl) -> Screen:
    d = trained_sine()
    fig = series_figures.prediction_figure(d["values"], d["pred"], d["split"])
    caption = prediction_caption(d["values"], d["pred"], d["split"], style=line_style(fig, series_figures.PERSISTENCE))
    q = C.squared_error_question(d["values"], d["pred"], d["split"])
    trained = _("An RNN (H = {H}) trained {n} iterations on the sine.").format(H=SERIES["hidden"],
                                                                               n=SERIES["iterations"])
    return Screen(q, fig, trained + " " + caption, {"series": SERIES["name"]})


def forecasting(ctl) -> Screen:
    d = trained_sine()
    fig = series_figures.forecast_figure(d["values"], d["split"], SERIES["window"], d["forecast"])
    q = C.forecast_question(d["values"], d["split"], d["forecast"])
    return Screen(q, fig, forecast_caption(d["values"], d["split"], d["forecast"]),
                  {"series": SERIES["name"], "horizon": str(SERIES["horizon"])},
                  hold=_("The forecast from step {step}: the network reads its own outputs back, {n} steps. How "
                         "far it is off, once you answer.").format(step=d["split"], n=SERIES["horizon"]))


def warm() -> None:
    """Compute the lessons' heavier defaults once per server, in the background at start-up (a thread of its own),
    so that opening the clipping or the time-series lessons costs no training (each is cached per server)."""
    lab.clipping_runs(CLIP_LR, CLIP_RHO, CLIP, CLIP_ITERATIONS)
    trained_sine()
    for rho in (state.DEFAULTS[state.LS_RHO], GATES_RHO):
        lab.jacobian_lab(rho, "tanh", LAB_T, state.DEFAULTS[state.LS_FB], state.DEFAULTS[state.LS_UB])


SCREENS: dict[str, Callable] = {
    "memory": memory, "one-step-at-a-time": one_step_at_a_time, "forward": forward, "softmax": softmax,
    "unrolled": unrolled, "why-not-feed-forward": why_not_feed_forward, "loss-over-time": loss_over_time,
    "bptt": bptt, "sum-over-steps": sum_over_steps, "chain": chain, "vanishing": vanishing, "saturation": saturation,
    "clipping": clipping, "truncation": truncation, "lstm": lstm, "gru": gru, "why-gates-help": why_gates_help,
    "lag-sweep": lag_sweep, "generation": generation, "numbers": numbers, "forecasting": forecasting,
}
assert set(SCREENS) == set(BY_SLUG), set(SCREENS) ^ set(BY_SLUG)
