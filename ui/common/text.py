"""Showing user text safely: never as HTML, and with Markdown syntax neutralised."""
from __future__ import annotations

import html
import re

from .limits import MAX_SENTENCE_CHARS, MAX_SENTENCE_TOKENS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so user text renders literally in Markdown contexts."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_text(text: str) -> str:
    """Plotly renders a subset of HTML in labels; show user text literally instead."""
    return html.escape(text, quote=False)


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
    """E written with its numbers: the mean of the per-step losses e_t (or e_T alone for many-to-one)."""
    e = [float(v) for v in per_step]
    T = len(e)
    num = lambda v: f"{v:.3f}" if v == 0 or abs(v) >= 0.001 else f"{v:.1e}"     # noqa: E731
    if last_only:
        return f"E = e_{T} = {num(e[-1])} (only the last step has a target)"
    shown = " + ".join(f"{v:.2f}" for v in e[:3]) + (" + … + " + f"{e[-1]:.2f}" if T > 4 else
                                                       "".join(f" + {v:.2f}" for v in e[3:]))
    return f"E = (e_1 + … + e_{T}) / {T} = ({shown}) / {T} = {num(sum(e) / T)}"


def terms_caption(terms) -> str:
    """What the W_hh bars show, read from their numbers: the total they add up to and the largest term."""
    t = [float(v) for v in terms]
    if not t or sum(t) <= 0:
        return ""
    k = max(range(len(t)), key=lambda i: t[i])
    return (f"The bars add up to ||dL/dW_hh|| = {sum(t):.3g}: dE/dW is a sum over time. Step {k + 1} contributes "
            f"the most ({t[k] / sum(t):.0%}); the first half of the steps {sum(t[: len(t) // 2]) / sum(t):.0%}.")
