"""The core calls behind Step through, cached per session: a sentence is analysed once per model."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.model import Trace

from ui.common import state
from ui.common.models import LoadedModel

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
    from .frames import hidden_frame as frame
    return _cached(("hidden frame", entry.key, sentence), lambda: frame(a.trace.hidden, a.tokens))


def pca_frame(entry: LoadedModel, sentence: str, a: SentenceAnalysis) -> pd.DataFrame:
    """The PCA path of the hidden states, once per sentence and model."""
    from ui.common.frames import pca_frame as frame
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
        value, _, diag = m64.loss_and_grads(a.ids, _targets(a, target_id, loss), loss=loss, last_step=True)
        return value, diag
    return _cached(("backward", entry.key, sentence, int(target_id), loss), compute)


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
    value, grads, _ = m64.loss_and_grads(a.ids, _targets(a, target_id, loss), loss=loss)
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
