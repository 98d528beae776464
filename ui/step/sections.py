"""The sections of Step through: each reads an analysis, builds frames and figures, and draws them."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ui.common import state
from ui.common.config import LOSS_SHAPES
from ui.common.figures import loss_per_step_figure, next_token_figure, pca_figure
from ui.common.frames import token_labels, top_k_frame
from ui.common.i18n import N_, _, ngettext, num
from ui.common.models import LoadedModel
from ui.common.charts import show
from ui.common.specs import cached
from ui.common.links import share
from ui.common.style import line_style
from ui.common.text import latex_num, loss_sum_text, md_escape, weight_terms_caption, word_list

from ui.common import analysis
from ui.common import step_figures as figures
from ui.common import step_frames as frames

from . import controls

PLAY_SECONDS = 0.9
NEXT_SCALES = (N_("probability"), N_("log-probability"))          # the values stay English; shown with _()
PIECES_UNITS = 32        # units drawn in the pieces chart (all of them are in the heatmap)
SGD_COLUMNS = {"weight": N_("weight"), "before": N_("before"), "after": N_("after")}   # the SGD table's headers


def _select_unit_and_step(key: str):
    """on_select callback of a clickable chart: a clicked cell picks the hidden unit (and the step)."""
    def cb():
        sel = st.session_state.get(key)
        points = (sel or {}).get("selection", {}).get("points", []) if sel else []
        for p in points:
            cd = p.get("customdata")
            if isinstance(cd, (list, tuple)) and len(cd) == 2:
                st.session_state[state.STEP], st.session_state[state.UNIT] = int(cd[0]), int(cd[1])
                return
            if "x" in p and isinstance(p["x"], (int, float)):
                st.session_state[state.UNIT] = int(p["x"])
                return
    return cb


def _sci(x: float) -> str:
    """LaTeX for x in scientific notation: 8.61 \times 10^{-4}."""
    if x == 0 or not np.isfinite(x):
        return "0" if x == 0 else r"\infty"
    e = int(np.floor(np.log10(abs(x))))
    return rf"{x / 10 ** e:.3f} \times 10^{{{e}}}" if not -2 <= e <= 2 else f"{x:.4f}"


def _p(x: float) -> str:
    """A number for a LaTeX product: negatives in parentheses."""
    return f"({x:.3f})" if x < 0 else f"{x:.3f}"


def unknown_note(a: analysis.SentenceAnalysis) -> None:
    if a.unknown:
        st.info(ngettext("The model never saw {words} in training, so it reads it as `<unk>`.",
                         "The model never saw {words} in training, so it reads them as `<unk>`.",
                         len(a.unknown)).format(words=word_list(a.unknown)))


def recurrence_note(entry: LoadedModel, a: analysis.SentenceAnalysis, off: bool) -> None:
    """What the recurrence buys: the shared cell's weights against T separate layers, and, with W_hh = 0,
    what the network predicts without memory."""
    T = len(a.tokens)
    cell, separate = analysis.parameter_counts(entry.model, T)
    text = ngettext("One {cell} cell is reused at all {T} steps: {weights} weights in W_xh, W_hh and the biases, "
                    "where {T} separate layers of the same size would need {separate}.",
                    "One {cell} cell is reused at all {T} steps: {weights} weights in W_xh, W_hh and the biases, "
                    "where {T} separate layers of the same size would need {separate}.", T).format(
        cell=entry.model.cell.upper(), T=T, weights=num(cell, ","), separate=num(separate, ","))
    if off:
        top = entry.vocab.tokens[int(np.argmax(a.trace.probs[-1]))]
        text += " " + _("With W_hh = 0 each h_t depends on its own token only; after the last token the network "
                        "now predicts “{word}”.").format(word=md_escape(top))
    st.caption(text)


def notation(entry: LoadedModel, a: analysis.SentenceAnalysis, t: int, unit: int) -> None:
    """The seeds' names for the same numbers: U, W, V and S_t, and the concatenated form W[h_{t-1}, x_t] + b."""
    m, P = entry.model, entry.model.params
    H, V, G = m.hidden_size, m.vocab_size, P["W_hh"].shape[0]
    box = st.expander(_("The same step in other notations (U, W, V; S_t; W[h_t-1, x_t] + b)"),
                      key=state.NOTATION_OPEN, on_change="rerun")
    if not box.open:                                     # built only when opened: a click costs what it shows
        return
    with box:
        st.markdown(_("Tutorials name the same matrices differently. **U** = W_xh ({G}×{V}), the input weights; "
                      "**W** = W_hh ({G}×{H}), the recurrent weights; **V** = W_hy ({V}×{H}), the output weights; "
                      "the state **S_t** (or s_t) = h_t; the biases **b** = b_h and **c** = b_y:").format(
                        G=G, V=V, H=H))
        st.latex(r"S_t = f(U x_t + W S_{t-1} + b), \qquad O_t = g(V S_t + c)")
        st.markdown(_("Stacking the two matrices side by side gives one matrix **W** = [W_hh | W_xh] "
                      "({G}×{columns}) that multiplies the stacked vector [h_t-1, x_t]:").format(G=G, columns=H + V))
        st.latex(r"h_t = f\left(W \begin{bmatrix} h_{t-1} \\ x_t \end{bmatrix} + b\right)")
        x = np.zeros(V, P["W_hh"].dtype)
        x[a.ids[t]] = 1.0
        stacked = np.concatenate([a.h_prev[t], x])
        rows = range(unit, G, H)                          # the unit's row in every gate block
        for r in rows:
            w_cat = np.concatenate([P["W_hh"][r], P["W_xh"][r]])
            value = float(w_cat @ stacked + P[m.in_bias][r])
            direct = float(P["W_hh"][r] @ a.h_prev[t] + P["W_xh"][r, a.ids[t]] + P[m.in_bias][r])
            block = "" if G == H else (r"\quad\text{" + _("(block {k} of {n})").format(k=r // H + 1, n=G // H) + "}")
            st.latex(rf"W[{r}] \cdot [h_{{{t}}}, x_{{{t + 1}}}] + b[{r}] = {value:.4f}"
                     rf" = W_{{hh}}[{r}]\, h_{{{t}}} + W_{{xh}}[{r}]\, x_{{{t + 1}}} + b_h[{r}] = {direct:.4f}{block}")
        if m.cell == "gru":
            st.caption(_("For the GRU's candidate block n, W_hh h_t-1 is scaled by the reset gate before it is "
                         "added (and b_hh joins it), so only the sum above is the stacked product; the gates r and z "
                         "are exactly W[h_t-1, x_t] + b."))


def forward_formula(entry: LoadedModel, a: analysis.SentenceAnalysis, t: int, unit: int) -> None:
    """The step's equations with the real numbers of one hidden unit (t 0-based)."""
    m, P = entry.model, entry.model.params
    tok = a.tokens[t]
    if m.cell == "rnn":
        x_in = float(P["W_xh"][unit, a.ids[t]])
        rec = float(P["W_hh"][unit] @ a.h_prev[t])
        b = float(P["b_h"][unit])
        pre, h = float(a.trace.pre_activation[t, unit]), float(a.trace.hidden[t, unit])
        f = {"tanh": r"\tanh", "relu": r"\mathrm{relu}", "sigmoid": r"\sigma"}[m.activation]
        st.latex(r"h_t = f(W_{xh} x_t + W_{hh} h_{t-1} + b_h)")
        st.latex(rf"h_{{{t + 1}}}[{unit}] = {f}(\underbrace{{{x_in:+.3f}}}_{{W_{{xh}} x_t}}"
                 rf"\underbrace{{{rec:+.3f}}}_{{W_{{hh}} h_{{t-1}}}}\underbrace{{{b:+.3f}}}_{{b_h}})"
                 rf" = {f}({pre:.3f}) = {h:.3f}")
        slope, formula = analysis.activation_slope(m.activation, pre, h)
        st.latex(rf"f'(a_{{{t + 1}}}[{unit}]) = {formula} = {latex_num(slope)}")
        st.caption(analysis.slope_note(m.activation, slope, h))
    else:
        gates = {k: float(v[t, unit]) for k, v in a.trace.gates.items()}
        h = float(a.trace.hidden[t, unit])
        if m.cell == "lstm":
            c_prev = float(a.trace.cell_state[t - 1, unit]) if t > 0 else 0.0
            c = float(a.trace.cell_state[t, unit])
            st.latex(r"c_t = f \odot c_{t-1} + i \odot g, \quad h_t = o \odot \tanh(c_t)")
            st.latex(rf"c_{{{t + 1}}}[{unit}] = {_p(gates['forget'])} \cdot {_p(c_prev)} + {_p(gates['input'])}"
                     rf" \cdot {_p(gates['cell candidate'])} = {c:.3f}")
            st.latex(rf"h_{{{t + 1}}}[{unit}] = {_p(gates['output'])} \cdot \tanh({c:.3f}) = {h:.3f}")
            slope = 1.0 - np.tanh(c) ** 2
            st.latex(rf"\tanh'(c_{{{t + 1}}}[{unit}]) = 1 - \tanh^2({c:.3f}) = {latex_num(slope)}")
            st.caption(analysis.slope_note("tanh", slope, float(np.tanh(c)), _("c_t's tanh")) + " "
                       + _("The cell state itself passes its gradient back through f alone, without this slope."))
        else:
            h_prev = float(a.h_prev[t, unit])
            st.latex(r"h_t = (1 - z) \odot n + z \odot h_{t-1}")
            st.latex(rf"h_{{{t + 1}}}[{unit}] = (1 - {_p(gates['update'])}) \cdot {_p(gates['new'])} + "
                     rf"{_p(gates['update'])} \cdot {_p(h_prev)} = {h:.3f}")
            n = gates["new"]
            of = _("of")
            st.latex(rf"\tanh'(\cdot) \text{{ {of} }} n_{{{t + 1}}}[{unit}] = 1 - n^2 = {latex_num(1.0 - n * n)}")
            st.caption(_("reset gate r = {r}.").format(r=num(gates["reset"], ".3f")) + " "
                       + analysis.slope_note("tanh", 1.0 - n * n, n, _("n_t's tanh"))
                       + " " + _("The direct path z h_t-1 passes its gradient back without this slope."))
    probs = a.trace.probs[t]
    top = int(np.argmax(probs))
    z = a.trace.logits[t]
    top_word = _("top")
    st.latex(rf"y_t = \mathrm{{softmax}}(W_{{hy}} h_t + b_y): \quad y_{{{t + 1}}}[\text{{{top_word}}}] = "
             rf"\frac{{e^{{{float(z[top]):.2f}}}}}{{\sum_v e^{{z_v}}}} = {float(probs[top]):.3f}")
    st.caption(_("Step {t} reads “{token}”; the most likely next token is “{next}” ({p}).").format(
        t=t + 1, token=md_escape(tok), next=md_escape(entry.vocab.tokens[top]), p=num(float(probs[top]), ".1%")))


def forward_view(entry: LoadedModel, a: analysis.SentenceAnalysis, sentence: str, step: int) -> None:
    """The forward step. Its charts are finished figures cached under what they are drawn from (the model's
    digest, the sentence, the step), so a step already drawn, by this learner or another, costs no rebuild."""
    t, m = step - 1, entry.model
    H = m.hidden_size
    on = (entry.digest, sentence)
    left, right = st.columns([3, 2])
    with left:
        unit = st.number_input(_("Hidden unit"), 0, H - 1, key=state.UNIT, **state.KEEP,
                               help=_("Or click a cell in the heatmap's boxed column (or a bar below)."))
        forward_formula(entry, a, t, unit)
        notation(entry, a, t, unit)
        if m.cell == "rnn":
            lo = max(0, min(unit - PIECES_UNITS // 2, H - PIECES_UNITS))    # a window around the chosen unit
            n_shown = min(PIECES_UNITS, H - lo)
            show(cached((*on, t, lo), state.CHART_PIECES, lambda: figures.pieces_figure(
                     frames.pieces_frame(m, a.trace, a.ids, t, a.h_prev[t]).iloc[lo:lo + PIECES_UNITS])),
                 key=state.CHART_PIECES, on_select=_select_unit_and_step(state.CHART_PIECES),
                 selection_mode="points")
            shown = "" if H <= PIECES_UNITS else " " + _("Units {first}-{last} of {H}, around the chosen one.").format(
                first=lo, last=lo + n_shown - 1, H=H)
            st.caption(_("Each bar stack is one unit's sum a_t; the grey dash is the sum, the red dot h_t = f(a_t).")
                       + shown)
            terms = st.expander(_("Unit {unit}: the recurrent sum W_hh h_t-1 written out term by term").format(
                unit=unit), key=state.TERMS_OPEN, on_change="rerun")
            if terms.open:                               # the table is built only when it is shown
                terms.dataframe(frames.unit_terms_frame(m, a.h_prev[t], unit).rename(columns={"product": _("product")}),
                                hide_index=True, height=240)
    with right:
        scale = st.radio(_("Show"), NEXT_SCALES, key=state.NEXT_SCALE, horizontal=True, format_func=_, **state.KEEP,
                         help=_("Log-probabilities show the small probabilities that the bars squash to nothing."))
        show(cached((*on, t, scale), state.CHART_NEXT, lambda: next_token_figure(
                 top_k_frame(a.trace.probs[t], entry.vocab.tokens, logits=a.trace.logits[t]), scale)),
             key=state.CHART_NEXT)
        st.caption(_("What the network expects next after reading up to this step.") + " " + analysis.logit_note(
            a.trace.logits[t], a.trace.probs[t], [md_escape(w) for w in entry.vocab.tokens]))
        certain = analysis.certainty_note(a.trace.probs, t, entry)
        if certain:
            st.info(certain)
    act = m.activation if m.cell == "rnn" else "tanh"
    shares = analysis.saturated_shares(a, act)
    show(cached((*on, step), state.CHART_HIDDEN,
                lambda: figures.hidden_heatmap(analysis.hidden_frame(entry, sentence, a), step, saturated=shares)),
         key=state.CHART_HIDDEN, on_select=_select_unit_and_step(state.CHART_HIDDEN), selection_mode="points")
    st.caption(_("Each column is h_t, the network's whole memory after that token; the box marks this step. "
                 "Click a cell in the box to write that unit out.") + " "
               + analysis.saturation_note(a, step, act, m.cell))
    c1, c2 = st.columns(2)
    with c1:
        show(cached((*on, step), state.CHART_PCA,
                    lambda: pca_figure(analysis.pca_frame(entry, sentence, a), step)),
             key=state.CHART_PCA)
        st.caption(_("The hidden state's path in its two main directions: similar contexts land close together."))
    with c2:
        show(cached((tuple(a.tokens), step, m.cell), state.CHART_UNROLLED,
                    lambda: figures.unrolled_figure(a.tokens, step, m.cell)), key=state.CHART_UNROLLED)
        st.caption(_("Unrolled in time, the network is one cell copied per step: the weights are shared."))
    if a.trace.gates:
        show(cached((*on, step), state.CHART_GATES,
                    lambda: figures.gates_figure(frames.gates_frames(a.trace, a.tokens), step)), key=state.CHART_GATES)
        st.caption(_("Gate values per unit and step: a forget/update gate near 1 keeps memory, near 0 erases it."))


def backward_view(entry: LoadedModel, a: analysis.SentenceAnalysis, sentence: str, step: int) -> None:
    vocab = entry.vocab
    last = a.trace.probs[-1]
    c1, c2 = st.columns([1, 2])
    target = c1.selectbox(_("Target word"), vocab.tokens, key=state.TARGET, **state.KEEP,
                          help=_("The word the network should predict after the last token."))
    shape = c2.radio(_("Loss"), LOSS_SHAPES, key=state.LOSS_SHAPE, format_func=lambda v: _(LOSS_SHAPES[v]),
                     horizontal=True, **state.KEEP,
                     help=_("Many-to-one: only the last step has a target. Many-to-many: every step predicts its next "
                            "word: E = e_1 + ... + e_T, whose mean training minimises."))
    last_only = shape == "many_to_one"
    tid = vocab.tokens.index(target)
    loss, diag = analysis.backward(entry, sentence, a, tid, shape)
    jac = analysis.jacobian_norms(entry, sentence, a)
    t = step - 1
    dh, dh_local = diag.dh, diag.dh_local
    flow = dh[t] - dh_local[t]
    if last_only:
        st.markdown(_("Loss after the last token: **L = -log p(“{word}”) = {loss}** (p = {p}).").format(
            word=md_escape(target), loss=num(loss, ".4f"), p=num(float(last[tid]), ".4f")))
    else:
        st.markdown(_("Loss over the sentence, each step predicting the next word (the last one “{word}”): "
                      "**{sum}**.").format(word=md_escape(target), sum=loss_sum_text(diag.loss_per_step, False)))
    c1, c2 = st.columns(2)
    with c1:
        last_step = None if last_only else diag.last_step_grad_norm_per_step
        fresh = analysis.untrained(entry, sentence, a, tid)
        fig = figures.gradient_figure(frames.gradient_frame(diag.grad_norm_per_step, jac, a.tokens, last_step,
                                                            fresh.norms), step)
        show(fig, key=state.CHART_GRAD_NORM)
        names = [figures.JACOBIAN, figures.UNTRAINED] + ([] if last_only else [figures.LAST_STEP])
        st.caption(analysis.vanishing_caption(entry, diag, fresh, last_only,
                                              {name: line_style(fig, name) for name in names}))
    with c2:
        show(figures.backward_figure(frames.backward_frame(dh, dh_local, t)), key=state.CHART_BACKWARD)
        st.caption(_("Per unit: the gradient arriving at h_t, split into its two sources."))
    loss_at, came = _("loss at"), _("from")                          # the formulas' words (in \text{})
    if entry.model.cell == "rnn":
        st.latex(r"\frac{\partial L}{\partial h_t} = \underbrace{W_{hy}^\top (y_t - \hat y_t)}_{\text{" + loss_at
                 + r" } t} + \underbrace{W_{hh}^\top \operatorname{diag}(f'(a_{t+1}))\, "
                   r"\frac{\partial L}{\partial h_{t+1}}}_{\text{" + came + r" } t+1}")
    else:
        st.latex(r"\frac{\partial L}{\partial h_t} = \text{" + loss_at + r" } t + \text{"
                 + _("what the gates pass back from") + r" } t+1")
    st.latex(rf"\left\|\frac{{\partial L}}{{\partial h_{{{step}}}}}\right\| = {_sci(np.linalg.norm(dh[t]))}"
             rf"\quad (\text{{{loss_at} }} t: {_sci(np.linalg.norm(dh_local[t]))},\ \text{{{came} }} t+1: "
             rf"{_sci(np.linalg.norm(flow))})")
    show(loss_per_step_figure(diag.loss_per_step, token_labels(a.tokens), last_only), key=state.CHART_LOSS_STEPS)
    st.caption(loss_sum_text(diag.loss_per_step, last_only) + ".")
    c1, c2 = st.columns(2)
    with c1:
        terms = {name: diag.terms_along_total(name) for name in ("W_xh", "W_hh", "W_hy")}
        show(figures.weight_terms_figure(terms, token_labels(a.tokens)), key=state.CHART_W_HH_TERMS)
        st.caption(weight_terms_caption(terms, last_only))
    with c2:
        jacobian_chain(entry, a, sentence, step, jac)
    update_section(entry, a)


def jacobian_chain(entry: LoadedModel, a: analysis.SentenceAnalysis, sentence: str, k: int, jac) -> None:
    """ds_T/ds_k as the chain rule's product of one Jacobian per step, with the norm of every factor."""
    T = len(a.tokens)
    s = "h" if entry.model.cell != "lstm" else "s"
    st.markdown((_("**The chain from step {T} back to step {k}** (s = (h, c) for the LSTM)") if s == "s" else
                 _("**The chain from step {T} back to step {k}**")).format(T=T, k=k))
    if k >= T:
        st.caption(_("At the last step the chain is empty: {d} = I. Step back to see it grow.").format(
            d=f"d{s}_{T}/d{s}_{T}"))
        return
    factors = analysis.step_jacobian_norms(entry, sentence, a)[k - 1:]            # d s_{t+1}/d s_t, t = k..T-1
    terms = [rf"\frac{{\partial {s}_{{{t + 1}}}}}{{\partial {s}_{{{t}}}}}" for t in range(T - 1, k - 1, -1)]
    norms = [f"{v:.2f}" for v in factors[::-1]]
    if len(terms) > 4:
        terms, norms = terms[:2] + [r"\cdots"] + terms[-1:], norms[:2] + [r"\cdots"] + norms[-1:]
    st.latex(rf"\frac{{\partial {s}_{{{T}}}}}{{\partial {s}_{{{k}}}}} = " + r" \, ".join(terms))
    product = float(np.prod(factors.astype(np.float64)))                      # float32 overflows on long chains
    st.latex(r"\text{" + _("factor norms:") + r" } " + r" \times ".join(norms) + rf" = {_sci(product)}")
    st.latex(rf"\geq \left\|\frac{{\partial {s}_{{{T}}}}}{{\partial {s}_{{{k}}}}}\right\| = "
             rf"{_sci(float(jac[k - 1]))}")
    st.caption(ngettext("{n} factors, one per step: the product of their norms bounds how much of the last step's "
                        "gradient can reach step {k}; here the largest factor is {largest} and the smallest "
                        "{smallest}.",
                        "{n} factors, one per step: the product of their norms bounds how much of the last step's "
                        "gradient can reach step {k}; here the largest factor is {largest} and the smallest "
                        "{smallest}.", T - k).format(n=T - k, k=k, largest=num(factors.max(), ".2f"),
                                                     smallest=num(factors.min(), ".2f")))


def update_section(entry: LoadedModel, a: analysis.SentenceAnalysis) -> None:
    """One SGD step on this sentence toward a chosen word, with the chosen unit's weights before and after; every
    number on the page then reads the updated copy."""
    st.subheader(_("One update you can watch"))
    st.latex(r"W := W - \eta\, \frac{\partial L}{\partial W}")
    controls.sgd_controls(a, entry.vocab.tokens)
    record, steps = st.session_state[state.SGD_LAST], controls.sgd_steps()
    word = md_escape(st.session_state[state.SGD_TARGET])
    if record is None or steps == 0:
        tid = entry.vocab.tokens.index(st.session_state[state.SGD_TARGET])
        st.caption(_("The network now gives “{word}” p = {p} after the last token. Apply a step to see the chosen "
                     "hidden unit's weights change and that probability with them; every number on this page then "
                     "reads the updated copy.").format(word=word, p=num(float(a.trace.probs[-1, tid]), ".4f")))
        return
    df = analysis.sgd_frame(record)
    top = df.iloc[0]
    name = str(top["weight"]).replace("_", "_{", 1).replace("[", "}[", 1)       # W_hh[0, 2] -> W_{hh}[0, 2]
    st.latex(rf"{name} := {latex_num(top['before'], 4)} - {latex_num(record['lr'])} \times "
             rf"({latex_num(top['dL/dW'], 4)}) = {latex_num(top['after'], 4)}")
    headers = {k: _(SGD_COLUMNS[k]) if k in SGD_COLUMNS else k for k in df.columns}     # the shown names
    st.dataframe(df.rename(columns=headers), hide_index=True, width="stretch", column_config={
        headers[k]: st.column_config.NumberColumn(format="%.4g") for k in ("before", "dL/dW", "eta * dL/dW", "after")})
    start = controls.sgd_start()
    probs = a.trace.probs[-1]
    top = int(np.argmax(probs))
    st.markdown(
        ngettext("After {steps} step(s) toward “{word}”: p(“{word}”) **{start} (the loaded model) → {now} (now)**; "
                 "the last step took it from {before} (its loss {loss}).",
                 "After {steps} step(s) toward “{word}”: p(“{word}”) **{start} (the loaded model) → {now} (now)**; "
                 "the last step took it from {before} (its loss {loss}).", steps).format(
            steps=steps, word=word, start=num(start, ".4f"), now=num(record["p_after"], ".4f"),
            before=num(record["p_before"], ".4f"), loss=num(record["loss"], ".4f"))
        + " " + _("The top prediction after the last token is now “{top}” ({p}): a step changes every weight, so "
                  "more than one word's probability moves. Every number on this page reads the updated copy, "
                  "“{model}”: the loss line, the charts, the Forward view. **Undo** returns to the loaded "
                  "model.").format(
            top=md_escape(entry.vocab.tokens[top]), p=num(float(probs[top]), ".1%"), model=md_escape(entry.name))
        + (" " + _("The last step overshot: it lowered p instead of raising it. The gradient describes the loss only "
                   "near W, and a step this long left that region; a smaller learning rate stays inside it.")
           if record["p_after"] < record["p_before"] else ""))


def step_area(entry: LoadedModel, a: analysis.SentenceAnalysis, sentence: str) -> None:
    """Everything that follows the time cursor, in a fragment so Play can tick it on a timer."""
    T = len(a.tokens)

    @st.fragment(run_every=PLAY_SECONDS if st.session_state[state.PLAYING] else None)
    def area():
        controls.rerun_after_sgd()
        was_playing = st.session_state[state.PLAYING]
        controls.advance_if_playing(T)
        if was_playing and not st.session_state[state.PLAYING]:
            st.rerun()                                   # reached the end: drop the timer
        controls.settle(entry, a.tokens, a.trace.probs[-1])
        view = controls.view_choice(T)
        step = st.session_state[state.STEP]
        controls.token_strip(a.tokens, step)
        step = controls.step_controls(T)
        (backward_view if view == "Backward" else forward_view)(entry, a, sentence, step)
        share(state.write_url(), st.container())         # inside the fragment: the link follows every step

    area()


def memory_probe(entry: LoadedModel, a: analysis.SentenceAnalysis) -> None:
    """Swap one earlier word and watch the prediction and the hidden-state path change."""
    st.subheader(_("Memory probe"))
    st.caption(_("Swap one word (sushi → pizza) and see whether the network's answer changes, and for how long "
                 "the two hidden-state paths stay apart."))
    T = len(a.tokens)
    if T < 2:
        st.info(_("The probe needs a sentence of at least two tokens."))
        return
    positions = list(range(T - 1))
    words = [w for w in entry.vocab.tokens if w != "<unk>"]
    if not words:
        st.info(_("The probe needs a model whose vocabulary holds at least one word besides <unk>."))
        return
    c1, c2 = st.columns(2)
    pos = c1.selectbox(_("Swap the word at"), positions, key=state.PROBE_POS,
                       format_func=lambda i: _("step {n}: {token}").format(n=i + 1, token=a.tokens[i]), **state.KEEP)
    word = c2.selectbox(_("Replace it with"), words, key=state.PROBE_WORD, **state.KEEP)
    b = analysis.probe(entry, a, pos, word)
    p_a, p_b = a.trace.probs[-1], b.trace.probs[-1]
    ta, tb = int(np.argmax(p_a)), int(np.argmax(p_b))
    st.markdown(_("Prediction after the last word: **{before}** ({p_before}) → **{after}** ({p_after})").format(
        before=md_escape(entry.vocab.tokens[ta]), p_before=num(p_a[ta], ".1%"),
        after=md_escape(entry.vocab.tokens[tb]), p_after=num(p_b[tb], ".1%")))
    show(figures.probe_figure(frames.probe_frame(a.trace.hidden, b.trace.hidden, a.tokens, b.tokens)),
                    key=state.CHART_PROBE)
    d = np.linalg.norm(a.trace.hidden - b.trace.hidden, axis=-1)
    st.caption(_("Zero before the swap (step {step}); {at_swap} at the swap, {most} at most, and {last} after the last "
                 "word: how slowly it decays is how long the network remembers the word.").format(
        step=pos + 1, at_swap=num(d[pos], ".2f"), most=num(d.max(), ".2f"), last=num(d[-1], ".2f")))
