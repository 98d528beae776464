"""Completion: greedy, temperature and top-k sampling of the tokens after a prompt."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import as_number, shorten_repr
from .cells import _whole
from .vocab import Vocab


def next_token_distribution(model, vocab: Vocab, prompt: str, temperature: float = 1.0) -> np.ndarray:
    """(V,) probabilities of the token after ``prompt`` (read from a zero state)."""
    ids = vocab.encode(prompt)
    if ids.size == 0:
        raise ValueError("the prompt holds no tokens")
    logits = model.forward(ids).logits[-1]
    return _probs(logits, temperature)


def _probs(logits: np.ndarray, temperature: float, top_k: int | None = None) -> np.ndarray:
    """softmax(logits / temperature), top-k applied. The largest logit is taken off before the division, so
    every z is <= 0 and the arithmetic stays finite at any positive temperature: a tiny one (5e-324) sends
    the others to -inf (probability 0), which is the greedy choice it tends to."""
    t = as_number(temperature)
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(f"temperature must be a positive finite number, got {shorten_repr(temperature)}")
    z = logits.astype(np.float64)
    with np.errstate(over="ignore"):
        z = (z - z.max()) / t
    if top_k is not None and 0 < top_k < z.size:
        cut = np.partition(z, -top_k)[-top_k]
        z = np.where(z >= cut, z, -np.inf)
    p = np.exp(z)
    return p / p.sum()


@dataclass
class Generated:
    """One generated token and the distribution it was drawn from."""

    token: str
    id: int
    probs: np.ndarray        # (V,) what the choice was made from: softmax at the temperature, top-k applied


def generate(model, vocab: Vocab, prompt: str, n_tokens: int = 1, strategy: str = "greedy",
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = 0) -> list[Generated]:
    """The next ``n_tokens`` tokens after ``prompt``, each fed back as the next input (one-to-many).

    strategy "greedy" takes the most likely token each time; "sample" draws from the softmax at
    ``temperature``, restricted to the ``top_k`` most likely tokens if given, with ``seed``.
    """
    if strategy not in ("greedy", "sample"):
        raise ValueError("strategy must be 'greedy' or 'sample'")
    n_tokens = _whole("n_tokens", n_tokens, 0, 10_000)
    if top_k is not None:
        top_k = _whole("top_k", top_k, 1, 10**9)
    ids = vocab.encode(prompt)
    if ids.size == 0:
        raise ValueError("the prompt holds no tokens the model can read")
    rng = np.random.default_rng(seed)
    trace = model.forward(ids)
    logits, state = trace.logits[-1], trace.final_state
    out: list[Generated] = []
    for _ in range(int(n_tokens)):
        if strategy == "greedy":
            probs = _probs(logits, 1.0)
            nxt = int(np.argmax(logits))
        else:
            probs = _probs(logits, temperature, top_k)
            nxt = int(rng.choice(logits.size, p=probs))
        out.append(Generated(vocab.tokens[nxt], nxt, probs))
        trace = model.forward(np.array([nxt]), **state)
        logits, state = trace.logits[-1], trace.final_state
    return out


def complete(model, vocab: Vocab, prompt: str, n_tokens: int = 1, strategy: str = "greedy",
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = 0) -> list[str]:
    """The next ``n_tokens`` tokens after ``prompt`` (``generate`` without the distributions)."""
    return [g.token for g in generate(model, vocab, prompt, n_tokens, strategy, temperature, top_k, seed)]
