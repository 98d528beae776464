"""The core calls behind Step through, cached per session: a sentence is analysed once per model."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import make_model
from rnn_core.cells import spectral_radius_of
from rnn_core.model import Trace

from . import state
from .i18n import _, ngettext, num
from .models import LoadedModel
from .text import CERTAIN, SATURATED, fade_caption, md_escape, sig

from .step_figures import JACOBIAN, LAST_STEP, UNTRAINED

_CACHE_SIZE = 16


@dataclass
class SentenceAnalysis:
    """What the forward pass over one sentence gives the page."""

    tokens: list[str]            # as the model reads them ("<unk>" for words it never saw)
    typed: list[str]             # as typed (tokenized)
    unknown: list[str]           # distinct typed tokens the model never saw
    ids: np.ndarray
    trace: Trace
    h_prev: np.ndarray           # (T, H): h_{t-1} at each step, zeros first


def _cached(key, compute):
    cache: dict = st.session_state[state.CACHE]
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = compute()
    return cache[key]


def analyse(entry: LoadedModel, sentence: str) -> SentenceAnalysis:
    def compute():
        vocab, model = entry.vocab, entry.model
        typed = vocab.tokenize(sentence)
        ids = vocab.encode(typed)
        trace = model.forward(ids)
        h_prev = np.vstack([np.zeros((1, model.hidden_size), trace.hidden.dtype), trace.hidden[:-1]])
        return SentenceAnalysis(vocab.id_to_token(ids), typed, vocab.unknown_tokens(sentence), ids, trace, h_prev)
    return _cached(("forward", entry.key, sentence), compute)


def hidden_frame(entry: LoadedModel, sentence: str, a: SentenceAnalysis) -> pd.DataFrame:
    """The hidden states as a long frame (the heatmap's), once per sentence and model."""
    from .step_frames import hidden_frame as frame
    return _cached(("hidden frame", entry.key, sentence), lambda: frame(a.trace.hidden, a.tokens))


def pca_frame(entry: LoadedModel, sentence: str, a: SentenceAnalysis) -> pd.DataFrame:
    """The PCA path of the hidden states, once per sentence and model."""
    from .frames import pca_frame as frame
    return _cached(("pca frame", entry.key, sentence), lambda: frame(a.trace.hidden, a.tokens))


def jacobian_norms(entry: LoadedModel, sentence: str, a: SentenceAnalysis) -> np.ndarray:
    return _cached(("jacobian", entry.key, sentence), lambda: entry.model.jacobian_norms(a.ids))


def step_jacobian_norms(entry: LoadedModel, sentence: str, a: SentenceAnalysis) -> np.ndarray:
    return _cached(("step jacobians", entry.key, sentence), lambda: entry.model.step_jacobian_norms(a.ids))


def _targets(a: SentenceAnalysis, target_id: int, loss: str):
    """The targets of the sentence's loss: the target word after the last token ("many_to_one"), or the
    sentence's own next words and the target after the last ("many_to_many")."""
    return np.int64(target_id) if loss == "many_to_one" else np.append(a.ids[1:], target_id)


def backward(entry: LoadedModel, sentence: str, a: SentenceAnalysis, target_id: int, loss: str = "many_to_one"):
    """BPTT's per-step diagnostics (float64) for one of two losses over the sentence: "many_to_one",
    -log p(target) after the last token; "many_to_many", the next token at every step (the sentence's
    own next words, and the target after the last), E = the mean of e_t."""
    def compute():
        m64 = entry.model.astype(np.float64)
        value, _grads, diag = m64.loss_and_grads(a.ids, _targets(a, target_id, loss), loss=loss, last_step=True)
        return value, diag
    return _cached(("backward", entry.key, sentence, int(target_id), loss), compute)


@dataclass
class Untrained:
    """The contrast on the Backward view: the same sentence and target through a fresh, untrained RNN of the same
    size, where the late loss's gradient vanishes."""

    norms: np.ndarray           # (T,) ||de_T/dh_t||
    radius: float               # W_hh's spectral radius at init
    fprime: float               # the median f'(a_t) over the sentence


def untrained(entry: LoadedModel, sentence: str, a: SentenceAnalysis, target_id: int) -> Untrained:
    """||de_T/dh_t|| of an untrained RNN (the same vocabulary and hidden size, seed 0, the default initialisation)
    for the loss of ``target_id`` after the last token."""
    return _cached(("untrained", entry.model.vocab_size, entry.model.hidden_size, sentence, int(target_id)),
                   lambda: untrained_rnn(entry.model, a.ids, target_id))


def untrained_rnn(model, ids: np.ndarray, target_id: int) -> Untrained:
    """The computation behind ``untrained`` (pure): a fresh RNN the size of ``model`` reading ``ids``."""
    fresh = make_model("rnn", vocab_size=model.vocab_size, hidden_size=model.hidden_size, seed=0, dtype=np.float64)
    norms = np.linalg.norm(fresh.state_grads(ids, np.int64(target_id)), axis=1)
    tr = fresh.forward(ids)
    fprime = float(np.median(1.0 - tr.hidden ** 2))
    return Untrained(norms, spectral_radius_of(fresh.params["W_hh"]), fprime)


def probe(entry: LoadedModel, a: SentenceAnalysis, position: int, word: str) -> SentenceAnalysis:
    """The same sentence with the token at ``position`` (0-based) swapped for ``word``."""
    def compute():
        vocab, model = entry.vocab, entry.model
        typed = list(a.typed)
        typed[position] = word
        ids = vocab.encode(typed)
        trace = model.forward(ids)
        return SentenceAnalysis(vocab.id_to_token(ids), typed, [], ids, trace, a.h_prev)
    return _cached(("probe", entry.key, tuple(a.typed), position, word), compute)


def without_recurrence(entry: LoadedModel) -> LoadedModel:
    """The same model with W_hh = 0 (a session copy): a feed-forward network reading one token at a time."""
    def compute():
        model = entry.model.copy()
        model.params["W_hh"][...] = 0.0
        return LoadedModel(f"{entry.name} without W_hh", model, entry.vocab, entry.version)
    return _cached(("no recurrence", entry.key), compute)


def parameter_counts(model, T: int) -> tuple[int, int]:
    """(weights of the one cell every step shares, weights of T separate layers of the same size): the
    recurrent layer's W_xh, W_hh and biases (the output layer is shared either way)."""
    cell = sum(p.size for k, p in model.params.items() if k not in ("W_hy", "b_y"))
    return cell, cell * T


def sgd_step(entry: LoadedModel, a: SentenceAnalysis, target_id: int, loss: str, lr: float, unit: int) -> tuple:
    """One step W := W - lr dL/dW on a copy of ``entry``'s model for this sentence and target.

    Returns (the updated copy, a record of the step for the chosen hidden unit: its W_hh row and b_h
    before, the gradient and after, and the target's probability before and after)."""
    model = entry.model.copy()
    m64 = model.astype(np.float64)
    value, grads, _diag = m64.loss_and_grads(a.ids, _targets(a, target_id, loss), loss=loss)
    row = {"W_hh": (unit, slice(None)), model.in_bias: (unit,)}
    before = {k: model.params[k][idx].astype(np.float64).copy() for k, idx in row.items()}
    for k, g in grads.items():
        model.params[k] -= (lr * g).astype(model.dtype)           # W := W - eta dL/dW, every weight
    after = {k: model.params[k][idx].astype(np.float64).copy() for k, idx in row.items()}
    p_before = float(entry.model.forward(a.ids).probs[-1, target_id])
    p_after = float(model.forward(a.ids).probs[-1, target_id])
    record = {"unit": unit, "lr": lr, "loss": value, "p_before": p_before, "p_after": p_after,
              "before": before, "grad": {k: grads[k][idx] for k, idx in row.items()}, "after": after}
    return model, record


def sgd_frame(record: dict, n: int = 8) -> pd.DataFrame:
    """The chosen unit's weights with the largest gradients: before, dL/dW, eta dL/dW, after."""
    rows = []
    for name in record["before"]:
        before, grad, after = (np.atleast_1d(record[k][name]) for k in ("before", "grad", "after"))
        for j in range(before.size):
            label = f"{name}[{record['unit']}, {j}]" if before.size > 1 else f"{name}[{record['unit']}]"
            rows.append({"weight": label, "before": before[j], "dL/dW": grad[j], "eta * dL/dW": record["lr"] * grad[j],
                         "after": after[j]})
    df = pd.DataFrame(rows)
    return df.reindex(df["dL/dW"].abs().sort_values(ascending=False).index).head(n).reset_index(drop=True)


# ----- saturation and certainty: the extreme values on screen, named ------------------------------------------
def flat_mask(activation: str, h: np.ndarray) -> np.ndarray:
    """Where a value sits in its nonlinearity's flat region, where f' is (nearly) zero: |h| > 0.95 for tanh (and the
    gated cells' h), h < 0.05 or > 0.95 for sigmoid (f' < 0.05), h = 0 for relu (f' = 0)."""
    h = np.asarray(h, float)
    if activation == "relu":
        return h <= 0
    if activation == "sigmoid":
        return (h < 1 - SATURATED) | (h > SATURATED)
    return np.abs(h) > SATURATED


def saturated_shares(a: SentenceAnalysis, activation: str = "tanh") -> np.ndarray:
    """(T,) the share of each step's hidden values in the flat region."""
    return flat_mask(activation, a.trace.hidden).mean(axis=1)


def saturation_note(a: SentenceAnalysis, step: int, activation: str = "tanh", cell: str = "rnn") -> str:
    """The share of the sentence's hidden values in the flat region, and at this step, and what that does."""
    h = a.trace.hidden
    T, H = h.shape
    mask = flat_mask(activation, h)
    total, here = float(mask.mean()), float(mask[step - 1].mean())
    if activation == "relu":
        return _("{total} of the {T} × {H} values are 0 ({here} at this step): there relu's f' = 0, so no "
                 "gradient passes back through them.").format(total=num(total, ".0%"), T=T, H=H, here=num(here, ".0%"))
    region = _("h < 0.05 or h > 0.95") if activation == "sigmoid" else f"|h| > {num(SATURATED)}"
    text = _("{total} of the {T} × {H} values have {region} ({here} at this step, written above each column): "
             "there the nonlinearity is flat, f'(a) < {limit}, so a gradient going back through them is cut to a "
             "tenth or less. That is the first reason gradients vanish.").format(
        total=num(total, ".0%"), T=T, H=H, region=region, here=num(here, ".0%"),
        limit=num(1 - SATURATED ** 2 if activation != "sigmoid" else 0.05, ".2g"))
    if cell == "lstm":
        text += " " + _("(The LSTM's h_t = o_t tanh(c_t); its cell state c_t passes gradient back through f_t, "
                        "not tanh.)")
    return text


def activation_slope(activation: str, a: float, h: float) -> tuple[float, str]:
    """f'(a) at one unit and the formula it comes from (LaTeX), written with h = f(a) where the math does."""
    if activation == "tanh":
        return 1.0 - h * h, rf"1 - h^2 = 1 - ({h:.3f})^2"
    if activation == "sigmoid":
        return h * (1.0 - h), rf"h (1 - h) = {h:.3f} \cdot {1 - h:.3f}"
    return float(a > 0), rf"[a > 0] = [{a:.3f} > 0]"


def slope_note(activation: str, slope: float, h: float, where: str = "tanh") -> str:
    """Say when a unit sits in its nonlinearity's flat region (the formula's f' then is about 0). ``where``: the
    nonlinearity's name as shown (translated by the caller)."""
    if activation == "relu":
        return (_("f' = 0: relu passes no gradient back through this unit at this step.") if slope == 0 else
                _("f' = 1: relu passes this unit's gradient back unchanged."))
    if slope < 1 - SATURATED ** 2:
        return _("{where} is saturated here: its value {h} is close to ±1, where the curve is flat, so f' = "
                 "{slope} and almost no gradient flows back through this unit at this step.").format(
            where=where, h=num(h, ".3f"), slope=num(slope, ".2g"))
    return _("f' = {slope}: {where} passes {share} of the gradient back through this unit at this step.").format(
        slope=num(slope, ".2f"), where=where, share=num(slope, ".0%"))


def logit_note(z: np.ndarray, p: np.ndarray, tokens: list[str]) -> str:
    """The softmax's input behind the two most likely tokens: the logit gap is the log of their probability ratio."""
    order = np.argsort(-p, kind="stable")
    if order.size < 2:
        return ""
    i, j = int(order[0]), int(order[1])
    gap = float(z[i] - z[j])
    return _("The bars read the logits z = W_hy h_t + b_y behind the softmax: “{first}” {z_first}, “{second}” "
             "{z_second}. A gap of {gap} in z is a ratio e^{gap} = {ratio} between their probabilities.").format(
        first=tokens[i], z_first=num(float(z[i]), ".2f"), second=tokens[j], z_second=num(float(z[j]), ".2f"),
        gap=num(gap, ".2f"), ratio=sig(np.exp(gap), local=True))


def certainty_note(probs: np.ndarray, t: int, entry) -> str | None:
    """When the top probability at step t is CERTAIN or more: name it and say where such certainty comes from."""
    p = float(probs[t].max())
    if p < CERTAIN:
        return None
    n = int(np.sum(probs.max(axis=1) >= CERTAIN))
    word = entry.vocab.tokens[int(probs[t].argmax())]
    text = ngettext("p(“{word}”) = {p}: the network is all but certain ({n} of the sentence's {T} steps give their "
                    "top token {certain} or more).",
                    "p(“{word}”) = {p}: the network is all but certain ({n} of the sentence's {T} steps give their "
                    "top token {certain} or more).", n).format(
        word=md_escape(word), p=num(p, ".2%"), n=n, T=len(probs), certain=num(CERTAIN, ".0%")) + " "
    if entry.name.startswith("Demo ") and "sonnets" not in entry.name:
        text += _("The demo models learned a small corpus (about 2,300 sentences written from 6 templates): after "
                  "these words the next one is nearly always the same there, so the model says so. Real text is "
                  "rarely this predictable.")
    else:
        text += _("A model this sure has usually seen this context many times with the same next token.")
    return text


def vanishing_caption(entry: LoadedModel, diag, fresh: Untrained, last_only: bool, styles: dict[str, str]) -> str:
    """The Backward view's gradient chart in words: the famous problem, visible in the untrained RNN, and this model's
    own result beside it; every line named as the figure draws it."""
    own = diag.grad_norm_per_step if last_only else diag.last_step_grad_norm_per_step
    cell = entry.model.cell.upper()
    what = (_("The gradient of L of this trained {cell}").format(cell=cell) if last_only else
            _("The last step's loss alone (the {style} line) of this trained {cell}").format(style=styles[LAST_STEP],
                                                                                             cell=cell))
    text = _("Bars fill as you step back.") + " "
    text += fade_caption(fresh.norms, _("The {style} line, an untrained RNN of the same size reading the same "
                                        "sentence toward the same word,").format(style=styles[UNTRAINED]))
    text += " " + _("Each step back multiplies by W_hh^T diag(f'(a_t)): its W_hh starts with spectral radius "
                    "{radius} and |f'| <= 1 (median {fprime}), so the product shrinks geometrically.").format(
        radius=num(fresh.radius, ".2f"), fprime=num(fresh.fprime, ".2f")) + " "
    mine = float(own[0] / own[-1]) if own[-1] > 0 else 0.0
    text += fade_caption(own, what)
    if mine >= 0.01:
        text += " " + _("Training has grown the weights the gradient passes through.")
    text += " " + (_("The {style} line is ||ds_T/ds_t||, the most of the last state's gradient that can reach step t "
                     "(s = (h, c) for the LSTM).") if entry.model.cell == "lstm" else
                   _("The {style} line is ||ds_T/ds_t||, the most of the last state's gradient that can reach step "
                     "t.")).format(style=styles[JACOBIAN])
    if len(own) < 20 and mine >= 0.01:
        text += " " + _("A longer sentence, or the Gradient lab's lag sweep, shows where a trained RNN runs out.")
    return text
