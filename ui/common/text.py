"""Showing user text safely (never as HTML, Markdown syntax neutralised), and numbers and sentences read from
the figures they describe."""
from __future__ import annotations

import html
import math
import re

from .limits import MAX_SENTENCE_CHARS, MAX_SENTENCE_TOKENS

SATURATED = 0.95        # |h| above this is tanh's flat region: f'(a) = 1 - h^2 < 0.1, where gradients die
CERTAIN = 0.99          # a top probability at or above this is named as certainty


# the session's language (ui/common/i18n.py): i18n imports state, which imports this module, so its functions are
# looked up when called
def _(message: str) -> str:
    from . import i18n
    return i18n._(message)


def N_(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    from . import i18n
    return i18n.ngettext(singular, plural, n)


def num(x: float, spec: str = "g") -> str:
    from . import i18n
    return i18n.num(x, spec)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so user text renders literally in Markdown contexts."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_text(text: str) -> str:
    """Plotly renders a subset of HTML in labels; show user text literally instead."""
    return html.escape(text, quote=False)


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def sig(x: float, digits: int = 2, local: bool = False) -> str:
    """A number for people: 0.14, 34, or 1.6e-12 (never 22 zeros), ``digits`` significant digits; ``local``: written
    the session's language's way (0,14 in da, de, fr, ru), for a translated message."""
    x = float(x)
    fmt = num if local else format
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    if 1e-3 <= abs(x) < 1e4:
        return fmt(x, f".{digits}g") if abs(x) < 10 ** digits else fmt(x, ",.0f")
    mantissa, exponent = fmt(x, f".{max(digits - 1, 0)}e").split("e")
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
        return _("The sentence is empty: type a few words for the network to read.")
    n = len(entry.vocab.tokenize(text))
    if n == 0:
        return _("That text holds no tokens the network could read.")
    if n > MAX_SENTENCE_TOKENS:
        return _("That text has {n} tokens; Step through reads at most {most}. Shorten it to step through it.").format(
            n=num(n, ","), most=MAX_SENTENCE_TOKENS)
    if len(text) > MAX_SENTENCE_CHARS:
        return _("That text has {n} characters; the sentence box takes at most {most}. Paste a shorter part.").format(
            n=num(len(text), ","), most=num(MAX_SENTENCE_CHARS, ","))
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
    text += ", …" if len(runs) > most else ""
    return ngettext("step {steps}", "steps {steps}", len(indices)).format(steps=text)


def fade_caption(norms, what: str = N_("The gradient"), items: str = N_("tokens")) -> str:
    """How a per-step gradient norm changes from the last step back to the first, read from its numbers:
    a fall or rise by a power of ten, or "stays within k-fold". A norm that is exactly 0 at some steps (an
    underflow below the smallest float, or no path back) or not finite is named, never divided by.
    ``items``: what the steps read. ``what`` and ``items`` are shown through ``_()`` (pass them marked with N_)."""
    import math

    n = [float(v) for v in norms]
    T = len(n)
    if T < 2:
        return ""
    what, items = _(what), _(items)
    bad = [i for i, v in enumerate(n) if not math.isfinite(v)]
    if bad:
        return _("{what} is not a finite number at {steps}: it overflowed.").format(what=what, steps=_steps(bad))
    zeros = [i for i, v in enumerate(n) if v == 0]
    if len(zeros) == T:
        return _("{what} is exactly 0 at every step: nothing flows back.").format(what=what)
    if n[0] == 0:
        k = next(i for i, v in enumerate(n) if v != 0)             # steps 1..k are 0
        rest = [i for i in zeros if i >= k]
        if k == 1 and rest:
            text = _("{what} is exactly 0 at step 1 (below the smallest number a float holds, or no path back; also "
                     "at {steps}): it vanishes before it reaches the first {items}.")
        elif k == 1:
            text = _("{what} is exactly 0 at step 1 (below the smallest number a float holds, or no path back): it "
                     "vanishes before it reaches the first {items}.")
        elif rest:
            text = _("{what} is exactly 0 from step {k} back to step 1 (below the smallest number a float holds, or "
                     "no path back; also at {steps}): it vanishes before it reaches the first {items}.")
        else:
            text = _("{what} is exactly 0 from step {k} back to step 1 (below the smallest number a float holds, or "
                     "no path back): it vanishes before it reaches the first {items}.")
        return text.format(what=what, k=k, steps=_steps(rest) if rest else "", items=items)
    zero_note = (" " + _("It is exactly 0 at {steps} (below the smallest number a float holds, or no path back).")
                 .format(steps=_steps(zeros))) if zeros else ""
    if n[-1] == 0:
        return _("{what} is {value} at step 1.").format(what=what, value=num(n[0], ".2g")) + zero_note
    ratio = n[0] / n[-1]
    positive = [v for v in n if v > 0]
    lo, hi = min(positive), max(positive)
    if ratio < 0.01:
        return _("{what} falls about 10^{power}-fold from step {T} back to step 1: it vanishes before it reaches the "
                 "first {items}.").format(what=what, power=round(-math.log10(ratio)), T=T, items=items) + zero_note
    if ratio > 100:
        return _("{what} grows about 10^{power}-fold from step {T} back to step 1: it explodes.").format(
            what=what, power=round(math.log10(ratio)), T=T) + zero_note
    if zeros:
        return _("{what} at step 1 is {ratio} times its value at step {T}.").format(
            what=what, ratio=num(ratio, ".2g"), T=T) + zero_note
    return _("{what} stays within {fold}-fold of itself over the {T} steps (step 1 gets {ratio} of step {T}'s): it "
             "reaches the first {items}.").format(what=what, fold=num(hi / lo, ".1f"), T=T, ratio=num(ratio, ".2g"),
                                                  items=items)


def loss_sum_text(per_step, last_only: bool) -> str:
    """E written with its numbers as the seeds write it, E = e_1 + ... + e_T (its largest terms always shown), and the
    mean E / T that the app trains on and reports (or e_T alone for many-to-one)."""
    e = [float(v) for v in per_step]
    T = len(e)
    short = lambda v: num(v, ".3f") if v == 0 or abs(v) >= 0.001 else num(v, ".1e")     # noqa: E731
    if last_only:
        return _("E = e_{T} = {value} (only the last step has a target)").format(T=T, value=short(e[-1]))
    largest = sorted(range(T), key=lambda i: -e[i])[:3]
    shown = sorted(set(range(T)) if T <= 12 else {0, 1, T - 1, *largest})
    parts, prev = [], -1
    for i in shown:
        if i > prev + 1:
            parts.append("…")
        parts.append(num(e[i], ".2f"))
        prev = i
    top = ", ".join(f"e_{i + 1} = {num(e[i], '.2f')}" for i in largest[:2])
    total = sum(e)
    return _("E = e_1 + … + e_{T} = {terms} = {total} (the sum, as tutorials write it; largest {top}); the app trains "
             "on and reports the mean, E / {T} = {mean}").format(T=T, terms=" + ".join(parts), total=short(total),
                                                                  top=top, mean=short(total / T))


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
        parts.append(_("||dE/d{seed}|| = ||dL/d{name}|| = {total} (step {k} the most, {share})").format(
            seed=seed, name=name, total=sig(total, 3, local=True), k=k + 1, share=num(t[k] / total, ".0%")))
    text = _("Each row's bars add up to its gradient's norm: {terms}.").format(terms="; ".join(parts)) + " "
    text += (_("V's term at step t is e_t's own gradient: V maps h_t to y_t and reaches no earlier step, so its terms "
               "need no backpropagation through time (here only the last step has a loss, so only its bar is not "
               "zero).") if last_only else
             _("V's term at step t is e_t's own gradient: V maps h_t to y_t and reaches no earlier step, so its terms "
               "need no backpropagation through time.")) + " "
    text += _("U's and W's term at step t collects every later loss e_k, k >= t, carried back through the chain "
              "ds_k/ds_t: BPTT. Each bar is step t's term measured along the total (of the mean the app trains on; "
              "the tutorials' sum E has T times these numbers).")
    return text


def terms_caption(terms) -> str:
    """What the W_hh bars show, read from their numbers: the total they add up to and the largest term."""
    t = [float(v) for v in terms]
    if not t or sum(t) <= 0:
        return ""
    k = max(range(len(t)), key=lambda i: t[i])
    return _("The bars add up to ||dL/dW_hh|| = {total}: dE/dW is a sum over time. Step {k} contributes the most "
             "({share}); the first half of the steps {half}.").format(
        total=num(sum(t), ".3g"), k=k + 1, share=num(t[k] / sum(t), ".0%"),
        half=num(sum(t[: len(t) // 2]) / sum(t), ".0%"))
