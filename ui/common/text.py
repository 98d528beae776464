"""Showing user text safely (never as HTML, Markdown syntax neutralised), and numbers and sentences read from
the figures they describe."""
from __future__ import annotations

import html
import math
import re

from .limits import MAX_SENTENCE_CHARS, MAX_SENTENCE_TOKENS

SATURATED = 0.95        # |h| above this is tanh's flat region: f'(a) = 1 - h^2 < 0.1, where gradients die
CERTAIN = 0.99          # a top probability at or above this is named as certainty

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so user text renders literally in Markdown contexts."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_text(text: str) -> str:
    """Plotly renders a subset of HTML in labels; show user text literally instead."""
    return html.escape(text, quote=False)


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def sig(x: float, digits: int = 2) -> str:
    """A number for people: 0.14, 34, or 1.6e-12 (never 22 zeros), ``digits`` significant digits."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:,.0f}"
    mantissa, exponent = f"{x:.{max(digits - 1, 0)}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def latex_num(x: float, digits: int = 3) -> str:
    """A number for KaTeX: 7.93 \times 10^{-5} (a bare 7.925e-05 would render as "7.925e - 05")."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else r"\infty"
    e = int(math.floor(math.log10(abs(x))))
    if -3 <= e <= 3:
        return f"{x:.{digits + 1}g}"
    return rf"{x / 10 ** e:.{digits}g} \times 10^{{{e}}}"


def validate_sentence(text: str, entry) -> str | None:
    """None if the model of ``entry`` can read ``text``, else what is wrong, in words."""
    if not text.strip():
        return "The sentence is empty: type a few words for the network to read."
    n = len(entry.vocab.tokenize(text))
    if n == 0:
        return "That text holds no tokens the network could read."
    if n > MAX_SENTENCE_TOKENS:
        return (f"That text has {n:,} tokens; Step through reads at most {MAX_SENTENCE_TOKENS}. "
                "Shorten it to step through it.")
    if len(text) > MAX_SENTENCE_CHARS:
        return (f"That text has {len(text):,} characters; the sentence box takes at most {MAX_SENTENCE_CHARS:,}. "
                "Paste a shorter part.")
    return None


def word_list(words: list[str], n: int = 12, width: int = 40) -> str:
    """Up to ``n`` user words for Markdown, each shortened to ``width`` characters and escaped."""
    shown = ", ".join(f"“{md_escape(shorten(w, width))}”" for w in words[:n])
    return shown + (" …" if len(words) > n else "")


def _steps(indices: list[int], most: int = 4) -> str:
    """0-based step indices as 1-based runs: "step 3", "steps 3-7, 9" (the first ``most`` runs, then "…")."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    text = ", ".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in runs[:most])
    return ("step " if len(indices) == 1 else "steps ") + text + (", …" if len(runs) > most else "")


def fade_caption(norms, what: str = "The gradient", items: str = "tokens") -> str:
    """How a per-step gradient norm changes from the last step back to the first, read from its numbers:
    a fall or rise by a power of ten, or "stays within k-fold". A norm that is exactly 0 at some steps (an
    underflow below the smallest float, or no path back) or not finite is named, never divided by.
    ``items``: what the steps read."""
    import math

    n = [float(v) for v in norms]
    T = len(n)
    if T < 2:
        return ""
    bad = [i for i, v in enumerate(n) if not math.isfinite(v)]
    if bad:
        return f"{what} is not a finite number at {_steps(bad)}: it overflowed."
    zeros = [i for i, v in enumerate(n) if v == 0]
    if len(zeros) == T:
        return f"{what} is exactly 0 at every step: nothing flows back."
    why = "below the smallest number a float holds, or no path back"
    if n[0] == 0:
        k = next(i for i, v in enumerate(n) if v != 0)             # steps 1..k are 0
        rest = [i for i in zeros if i >= k]
        where = "at step 1" if k == 1 else f"from step {k} back to step 1"
        return (f"{what} is exactly 0 {where} ({why}" + (f"; also at {_steps(rest)}" if rest else "")
                + f"): it vanishes before it reaches the first {items}.")
    zero_note = f" It is exactly 0 at {_steps(zeros)} ({why})." if zeros else ""
    if n[-1] == 0:
        return f"{what} is {n[0]:.2g} at step 1.{zero_note}"
    ratio = n[0] / n[-1]
    positive = [v for v in n if v > 0]
    lo, hi = min(positive), max(positive)
    if ratio < 0.01:
        return (f"{what} falls about 10^{round(-math.log10(ratio))}-fold from step {T} back to step 1: it "
                f"vanishes before it reaches the first {items}.{zero_note}")
    if ratio > 100:
        return (f"{what} grows about 10^{round(math.log10(ratio))}-fold from step {T} back to step 1: it explodes."
                f"{zero_note}")
    if zeros:
        return f"{what} at step 1 is {ratio:.2g} times its value at step {T}.{zero_note}"
    return (f"{what} stays within {hi / lo:.1f}-fold of itself over the {T} steps (step 1 gets {ratio:.2g} of step "
            f"{T}'s): it reaches the first {items}.")


def loss_sum_text(per_step, last_only: bool) -> str:
    """E written with its numbers as the seeds write it, E = e_1 + ... + e_T (its largest terms always shown), and the
    mean E / T that the app trains on and reports (or e_T alone for many-to-one)."""
    e = [float(v) for v in per_step]
    T = len(e)
    num = lambda v: f"{v:.3f}" if v == 0 or abs(v) >= 0.001 else f"{v:.1e}"     # noqa: E731
    if last_only:
        return f"E = e_{T} = {num(e[-1])} (only the last step has a target)"
    largest = sorted(range(T), key=lambda i: -e[i])[:3]
    shown = sorted(set(range(T)) if T <= 12 else {0, 1, T - 1, *largest})
    parts, prev = [], -1
    for i in shown:
        if i > prev + 1:
            parts.append("…")
        parts.append(f"{e[i]:.2f}")
        prev = i
    top = ", ".join(f"e_{i + 1} = {e[i]:.2f}" for i in largest[:2])
    total = sum(e)
    return (f"E = e_1 + … + e_{T} = {' + '.join(parts)} = {num(total)} (the sum, as tutorials write it; largest "
            f"{top}); the app trains on and reports the mean, E / {T} = {num(total / T)}")


def weight_terms_caption(terms: dict, last_only: bool) -> str:
    """What the U, W, V bars show, read from their numbers: each row adds up to its gradient's norm; V's terms are
    each step's own loss (no backpropagation through time), U's and W's collect every later loss."""
    parts = []
    for name, seed in (("W_xh", "U"), ("W_hh", "W"), ("W_hy", "V")):
        t = [float(v) for v in terms[name]]
        total = sum(t)
        if total <= 0:
            continue
        k = max(range(len(t)), key=lambda i: t[i])
        parts.append(f"||dE/d{seed}|| = ||dL/d{name}|| = {sig(total, 3)} (step {k + 1} the most, {t[k] / total:.0%})")
    text = "Each row's bars add up to its gradient's norm: " + "; ".join(parts) + ". "
    text += ("V's term at step t is e_t's own gradient: V maps h_t to y_t and reaches no earlier step, so its terms "
             "need no backpropagation through time"
             + (" (here only the last step has a loss, so only its bar is not zero). " if last_only else ". "))
    text += ("U's and W's term at step t collects every later loss e_k, k >= t, carried back through the chain "
             "ds_k/ds_t: BPTT. Each bar is step t's term measured along the total (of the mean the app trains on; "
             "the tutorials' sum E has T times these numbers).")
    return text


def terms_caption(terms) -> str:
    """What the W_hh bars show, read from their numbers: the total they add up to and the largest term."""
    t = [float(v) for v in terms]
    if not t or sum(t) <= 0:
        return ""
    k = max(range(len(t)), key=lambda i: t[i])
    return (f"The bars add up to ||dL/dW_hh|| = {sum(t):.3g}: dE/dW is a sum over time. Step {k + 1} contributes "
            f"the most ({t[k] / sum(t):.0%}); the first half of the steps {sum(t[: len(t) // 2]) / sum(t):.0%}.")
