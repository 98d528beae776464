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
