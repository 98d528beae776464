"""Showing user text safely: never as HTML, and with Markdown syntax neutralised."""
from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so user text renders literally in Markdown contexts."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plotly_text(text: str) -> str:
    """Plotly renders a subset of HTML in labels; show user text literally instead."""
    return html.escape(text, quote=False)


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
