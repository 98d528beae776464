"""Links that reproduce a page: its settings mirrored into the URL, read back from a shared link, and
a "copy link" box. Each page names its parameters (``Param``: a session-state key and how to read it)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from rnn_core._checks import number_from_text

from . import state
from .i18n import _, num
from .text import md_escape, shorten


@dataclass(frozen=True)
class Param:
    """One URL parameter: the session-state key it sets, and ``parse`` (text -> value, or ValueError)."""

    key: str
    parse: Callable[[str], object]
    after: Callable[[], None] | None = None        # what the page does once the value is set (checks a sentence)

    def show(self, value) -> str:
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)


def one_of(options) -> Callable[[str], object]:
    """A value that must be one of ``options`` (numbers compared as numbers: lr=0.010 is lr=0.01)."""
    options = list(options)

    def parse(text: str):
        for o in options:
            if isinstance(o, (int, float)) and not isinstance(o, bool):
                try:
                    if math.isclose(float(text), float(o), rel_tol=1e-9):
                        return o
                except ValueError:
                    continue
            elif text == str(o):
                return o
        raise ValueError(_("not one of {options}").format(options=", ".join(map(str, options[:12]))))
    return parse


def number(lo, hi, kind=int, step=None) -> Callable[[str], object]:
    """A number from lo to hi (whole for ``kind=int``; a multiple of ``step`` from lo when given), written
    as the command line reads one: ASCII digits, a sign, a decimal point, an exponent (1e5)."""
    shown = (lambda v: num(v, ",")) if kind is int else (lambda v: num(v, "g"))

    def parse(text: str):
        v = number_from_text(text, whole=kind is int)
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(_("not within {lo} to {hi}").format(lo=shown(lo), hi=shown(hi)))
        if step is not None:
            v = round(lo + round((v - lo) / step) * step, 10)
        return v
    return parse


def some_of(options) -> Callable[[str], object]:
    """A comma-separated list, each one of ``options`` and each once."""
    def parse(text: str):
        vals = [v for v in text.split(",") if v]
        if not vals or any(v not in options for v in vals):
            raise ValueError(_("not a list of {options}").format(options=", ".join(options)))
        twice = sorted({v for v in vals if vals.count(v) > 1})
        if twice:
            raise ValueError(_("{values} listed twice").format(values=", ".join(twice)))
        return vals
    return parse


def text_up_to(n: int) -> Callable[[str], object]:
    def parse(text: str):
        if not text.strip() or len(text) > n:
            raise ValueError(_("empty or longer than {n} characters").format(n=num(n, ",")))
        return text
    return parse


def read(page: str, params: dict[str, Param]) -> None:
    """Apply this page's parameters from the URL when they are not what the page last wrote there (a shared
    link, or a URL edited by hand); a value that cannot be used is named, and the current one stays."""
    qp = {k: st.query_params[k] for k in params if k in st.query_params}
    written = st.session_state[state.LINKS_WRITTEN]
    if not qp or qp == written.get(page):
        return
    problems = []
    for name, text in qp.items():
        try:
            st.session_state[params[name].key] = params[name].parse(text)
            if params[name].after:
                params[name].after()
        except ValueError as e:
            problems.append(f"{name}={shorten(text, 30)} ({e})")
    written[page] = qp
    st.session_state[state.LINK_PROBLEMS] = problems


def write(page: str, params: dict[str, Param]) -> dict[str, str]:
    """Mirror the page's settings into the URL; returns them (for the copy-link box). Shows what a link
    carried that could not be used."""
    show_problems()
    want = {name: p.show(st.session_state[p.key]) for name, p in params.items()}
    st.session_state[state.LINKS_WRITTEN][page] = want
    if {k: st.query_params.get(k) for k in want} != want:
        st.query_params.update(want)
    return want


def show_problems() -> None:
    """Name what the last link carried that could not be used (once), and say the current settings stay."""
    problems = st.session_state[state.LINK_PROBLEMS]
    if problems:
        st.warning(_("The link's {problems}: kept the current settings.").format(
            problems="; ".join(md_escape(p) for p in problems)))
        st.session_state[state.LINK_PROBLEMS] = []


def known_model(text: str) -> str:
    """A link's model: one this browser tab holds (each tab is a session of its own: a model trained or
    uploaded in another tab is not here)."""
    models = st.session_state[state.MODELS]
    if text not in models:
        raise ValueError(_("not a model of this browser tab; it has {models}").format(
            models=", ".join(shorten(m, 30) for m in models)))
    return text


def link_to(want: dict[str, str]) -> str:
    """The page's address with ``want`` as its query."""
    parts = urlsplit(st.context.url or "")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(want), ""))


def share(want: dict[str, str], where=None) -> None:
    """A "Copy link" box (in ``where``, the sidebar by default) holding this page's address with ``want``."""
    box = (where or st.sidebar).popover(_("Copy link"), icon=":material/link:",
                                        help=_("A link that opens this page with these settings."))
    box.code(link_to(want), language=None, wrap_lines=True)
    box.caption(_("Copy it with the button at the box's corner."))


def copy_box(page: str, params: dict[str, Param], where=None) -> None:
    """Write the page's settings into the URL and offer the link in a box with a copy button."""
    share(write(page, params), where)
