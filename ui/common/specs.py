"""Finished figures as the JSON-ready dicts ``st.plotly_chart`` sends, built once for their inputs.

A chart that redraws on every click (Step through's) costs the server its figure, its finishing (log
ticks, alt text) and Plotly's ``to_dict`` (a deep copy, then a walk of every value for arrays to encode:
3 ms a chart here even for an empty figure, most of it the template). ``cached`` keeps the finished
figure's dict under a key made of what the figure is computed from (the model's content digest, the
sentence, the step ...), in one bounded store per server process: a learner who steps back, and every
learner of a class on the same model and sentence, gets it without building it again. The key holds
everything the figure depends on, so a session can only ever be handed the figure of inputs it has
itself. ``Spec`` hands the dict to ``st.plotly_chart`` as it is.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from .i18n import language
from .style import config_for, count_ticks, describe, log_ticks

SPEC_BUDGET = 48_000_000        # bytes of finished figures one server process keeps (the oldest go first)


class Spec(go.Figure):
    """A finished figure: its JSON-ready dict (arrays already base64, as Plotly's ``to_dict`` leaves them),
    its alternative text and its toolbar config.

    It is a ``go.Figure`` for ``st.plotly_chart``'s sake only (a plain dict would be validated anew, into
    objects, on every call); ``to_dict`` returns the dict it holds, which nobody changes. Nothing else of
    the figure API is set up (the property objects are what would cost the time): read ``to_dict()``.
    """

    def __init__(self, spec: dict, alt: str, config: dict):     # no go.Figure.__init__: see above
        self._spec, self._alt, self._config = spec, alt, config

    def to_dict(self) -> dict:
        return self._spec

    @property
    def alt(self) -> str:
        return self._alt

    @property
    def config(self) -> dict:
        return self._config

    @property
    def nbytes(self) -> int:
        return _size(self._spec)


def _size(obj) -> int:
    """About the bytes a spec holds: its strings (base64 arrays are most of it) and a word per number."""
    if isinstance(obj, dict):
        return sum(len(k) + _size(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return sum(_size(v) for v in obj)
    if isinstance(obj, str):
        return len(obj)
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    return 8


def finish(fig: go.Figure, key: str) -> Spec:
    """What ``ui.common.charts.show`` does to every figure, done once: log ticks, count ticks, the alt text
    and the toolbar config, then the JSON-ready dict."""
    log_ticks(fig)
    count_ticks(fig)
    return Spec(fig.to_dict(), describe(fig), config_for(fig, key))


class SpecStore:
    """Finished figures by key, at most ``budget`` bytes (the least recently used go first). Its lock is held
    for a lookup or an insert, never while a figure is built."""

    def __init__(self, budget: int = SPEC_BUDGET):
        self.budget, self.nbytes = budget, 0
        self._items: OrderedDict[tuple, Spec] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Spec | None:
        with self._lock:
            spec = self._items.get(key)
            if spec is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return spec

    def put(self, key: tuple, spec: Spec) -> None:
        size = spec.nbytes
        if size > self.budget // 4:
            return                                   # a huge figure is drawn, not kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.nbytes -= old.nbytes
            self._items[key] = spec
            self.nbytes += size
            while self.nbytes > self.budget and self._items:
                _, dropped = self._items.popitem(last=False)
                self.nbytes -= dropped.nbytes

    def __len__(self) -> int:
        return len(self._items)


@st.cache_resource(show_spinner=False)
def store() -> SpecStore:
    """The server process's store (pure: a value depends only on its key's inputs)."""
    return SpecStore()


def cached(key: tuple, chart: str, build: Callable[[], go.Figure], where: SpecStore | None = None) -> Spec:
    """The finished figure for ``key`` (everything ``build`` reads, by value or content digest) as chart
    ``chart``; built and finished on the first call."""
    where = store() if where is None else where
    full = (chart, language(), *key)                 # titles and labels are in the session's language
    spec = where.get(full)
    if spec is None:
        spec = finish(build(), chart)
        where.put(full, spec)
    return spec


def digest(*arrays: np.ndarray, text: str = "") -> str:
    """A content digest of arrays (their dtype, shape and bytes) and some text: the key part that stands for a
    model's weights."""
    h = hashlib.blake2b(text.encode("utf-8"), digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.data)
    return h.hexdigest()
