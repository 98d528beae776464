"""One browser session without the browser: Streamlit's own websocket protocol, spoken from Python.

A ``Session`` opens ``/_stcore/stream`` as the browser does (the same subprotocol, the same first
``rerun_script`` BackMsg with the page's name and the browser's context), reads every ForwardMsg the
server sends (``streamlit.proto``), keeps what a browser keeps (the page's elements by delta path,
every widget's value, the query string, the hashes of cached messages) and sends what a browser sends
on a click: one ``rerun_script`` with every widget's state, the clicked button's trigger, and the
button's fragment. A fragment with ``run_every`` asks for reruns (``auto_rerun``); the session sends
them on that timer, as the browser's ``setInterval`` does, until the server says stop or a full run
starts. Nothing here imports the app: the widget ids and labels come from the deltas.

Used by ``bench/load.py``; the same numbers a browser would produce, at under 3% of a core per session.
"""
from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
ITERATION = re.compile(r"iteration ([\d,]+)")


def widget_state(el) -> WidgetState | None:
    """The state a browser reports for a widget element as drawn (its value, else its default); None for an
    element that is not a widget with a value (a button reports only a trigger, when clicked)."""
    kind = el.WhichOneof("type")
    w = getattr(el, kind)
    wid = getattr(w, "id", "")
    if not wid:
        return None
    s = WidgetState(id=wid)
    if kind == "slider" and w.type == w.SELECT_SLIDER:        # its options by their formatted names
        s.string_array_value.data.extend(list(w.raw_value) if w.set_value and len(w.raw_value)
                                         else [w.options[int(i)] for i in w.default])
    elif kind == "slider":
        s.double_array_value.data.extend(list(w.value) if w.set_value and len(w.value) else list(w.default))
    elif kind == "number_input":
        v = w.value if w.set_value else w.default
        if w.data_type == w.INT:
            s.int_value = int(v)
        else:
            s.double_value = float(v)
    elif kind in ("selectbox", "radio"):
        if w.set_value and w.HasField("raw_value"):
            s.string_value = w.raw_value
        elif w.HasField("default") and 0 <= w.default < len(w.options):
            s.string_value = w.options[w.default]
        else:
            return None
    elif kind in ("text_input", "text_area"):
        s.string_value = w.value if w.set_value and w.HasField("value") else w.default
    elif kind == "checkbox":
        s.bool_value = w.value if w.set_value else w.default
    elif kind == "multiselect":
        s.string_array_value.data.extend(list(w.raw_values) if w.set_value else [w.options[i] for i in w.default])
    elif kind == "button_group":
        values = list(w.raw_values) if w.set_value else [w.options[i].content for i in w.default]
        s.string_array_value.data.extend(values)
    elif kind == "file_uploader":
        s.file_uploader_state_value.SetInParent()
    else:
        return None
    return s


def element_text(el) -> str:
    """The words an element shows (a progress bar's text, markdown, a caption), for reading the page."""
    kind = el.WhichOneof("type")
    if kind == "progress":
        return el.progress.text
    if kind == "markdown":
        return el.markdown.body
    if kind == "alert":
        return el.alert.body
    return ""


@dataclass
class RunStats:
    """What one script run sent back: messages, bytes, and when it finished."""

    messages: int = 0
    bytes: int = 0
    finished: float | None = None
    status: int | None = None
    fragment_ids: tuple = ()
    exceptions: int = 0


@dataclass
class Session:
    """One session of the app at ``base`` (http://host:port), on the page at ``path`` (e.g. "step_through")."""

    base: str
    path: str = ""
    query: str = ""
    elements: dict = field(default_factory=dict)        # delta path -> (element proto, fragment id)
    widgets: dict = field(default_factory=dict)         # widget id -> WidgetState
    cached: dict = field(default_factory=dict)          # hash of a cacheable message -> the run it was last seen in
    runs: list = field(default_factory=list)            # RunStats per script run the server started, in order
    errors: list = field(default_factory=list)
    received_messages: int = 0
    received_bytes: int = 0
    sent: list = field(default_factory=list)            # the BackMsgs sent (for the comparison with a browser)

    def __post_init__(self):
        self._ws = None
        self._reader = None
        self._page_hash = ""
        self._max_age = 2
        self._timers: dict[str, asyncio.Task] = {}
        self._finished = asyncio.Condition()
        self._cookie = ""

    # ----- connection ---------------------------------------------------------------------------------
    async def open(self, timeout: float = 120.0) -> float:
        """Connect and run the page once, as a browser's first load; returns the seconds to its first finish."""
        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        loop = asyncio.get_running_loop()
        self._cookie = await loop.run_in_executor(None, self._first_get)
        headers = {"Cookie": self._cookie} if self._cookie else {}
        # permessage-deflate, as browsers offer it: the server then compresses what it sends, as for them
        self._ws = await websockets.connect(ws_url, subprotocols=["streamlit"], additional_headers=headers,
                                            max_size=None, compression="deflate", open_timeout=timeout)
        self._reader = asyncio.create_task(self._read())
        t0, index = time.perf_counter(), len(self.runs)
        await self._rerun(first=True)
        await self.wait_finished(index, None, timeout)
        return time.perf_counter() - t0

    def _first_get(self) -> str:
        """The page's HTML, as the browser loads it first: behind the proxy its answer pins this session to a
        process (a cookie)."""
        with urllib.request.urlopen(f"{self.base}/{self.path}", timeout=60) as r:
            r.read()
            cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
        return "; ".join(cookies)

    async def close(self) -> None:
        for t in list(self._timers.values()):
            t.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # ----- what the browser sends -------------------------------------------------------------------
    async def _rerun(self, first: bool = False, trigger: str | None = None, fragment: str = "",
                     auto: bool = False) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if first:
            cs.page_name = self.path
        else:
            cs.page_script_hash = self._page_hash
            for s in self.widgets.values():
                cs.widget_states.widgets.add().CopyFrom(s)
            cs.cached_message_hashes.extend(sorted(self.cached))
        if trigger:
            cs.widget_states.widgets.add(id=trigger, trigger_value=True)
        if fragment:
            cs.fragment_id = fragment
        cs.is_auto_rerun = auto
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url, ci.is_embedded, ci.color_scheme = f"{self.base}/{self.path}", False, "light"
        self.sent.append(msg)
        await self._ws.send(msg.SerializeToString())

    def button(self, label: str):
        """The (widget id, fragment id) of the button labelled ``label`` as last drawn."""
        found = None
        for el, frag in self.elements.values():
            if el.WhichOneof("type") == "button" and el.button.label == label:
                found = (el.button.id, frag)
        if found is None:
            raise LookupError(f"no button {label!r} on the page")
        return found

    async def click(self, label: str, timeout: float = 120.0) -> float:
        """Click a button: returns the seconds from the BackMsg to the server's "script finished" of its run."""
        wid, frag = self.button(label)
        index = len(self.runs)
        t0 = time.perf_counter()
        await self._rerun(trigger=wid, fragment=frag)
        await self.wait_finished(index, frag, timeout)
        return time.perf_counter() - t0

    async def set_slider(self, label: str, value: float, timeout: float = 120.0) -> float:
        """Move the slider labelled ``label`` to ``value``: seconds to the answer's "script finished"."""
        found = None
        for el, frag in self.elements.values():
            if el.WhichOneof("type") == "slider" and el.slider.label == label:
                found = (el.slider.id, frag)
        if found is None:
            raise LookupError(f"no slider {label!r} on the page")
        wid, frag = found
        state = WidgetState(id=wid)
        state.double_array_value.data.append(float(value))
        self.widgets[wid] = state
        index = len(self.runs)
        t0 = time.perf_counter()
        await self._rerun(fragment=frag)
        await self.wait_finished(index, frag, timeout)
        return time.perf_counter() - t0

    async def wait_finished(self, index: int, fragment: str | None, timeout: float) -> RunStats:
        """Wait until a run the server started after ``index`` runs (the one that answers a request sent then)
        has finished: a full run, or a run of ``fragment``."""
        async def done():
            async with self._finished:
                await self._finished.wait_for(lambda: self._answered(index, fragment) is not None)
        await asyncio.wait_for(done(), timeout)
        return self._answered(index, fragment)

    def _answered(self, index: int, fragment: str | None) -> RunStats | None:
        for r in self.runs[index:]:
            if r.finished is not None and r.status in FINISHED_OK and (
                    not fragment or not r.fragment_ids or fragment in r.fragment_ids):
                return r
        return None

    # ----- what the browser reads -------------------------------------------------------------------
    def texts(self) -> list[str]:
        return [element_text(el) for el, _ in self.elements.values()]

    def iteration(self) -> int | None:
        """The training iteration the page shows last (its progress line), or None."""
        for t in self.texts():
            m = ITERATION.search(t or "")
            if m and t.startswith("iteration"):
                return int(m.group(1).replace(",", ""))
        return None

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                await self._on_message(raw)
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass

    async def _on_message(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        self.received_messages += 1
        self.received_bytes += len(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":                           # every script run starts with one
            self.runs.append(RunStats())
        run = self.runs[-1] if self.runs else RunStats()
        run.messages += 1
        run.bytes += len(raw)
        if kind == "new_session":
            ns = msg.new_session
            self._page_hash = ns.page_script_hash
            self._max_age = ns.config.max_cached_message_age or 2
            if not msg.metadata.run.fragment_ids:          # a full run: the browser drops its timers
                for t in list(self._timers.values()):
                    t.cancel()
                self._timers.clear()
            age = len(self.runs)
            self.cached = {h: a for h, a in self.cached.items() if age - a < self._max_age}
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            if msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                self._element(path, el, msg.delta.fragment_id)
                if msg.metadata.cacheable:
                    self.cached[msg.hash] = len(self.runs)
        elif kind == "ref_hash":
            self.cached[msg.ref_hash] = len(self.runs)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":                          # st.navigation names the page this run drew
            self._page_hash = msg.navigation.page_script_hash or self._page_hash
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for f in msg.stop_auto_rerun.fragment_ids:
                t = self._timers.pop(f, None)
                if t:
                    t.cancel()
        elif kind == "script_finished":
            run.finished = time.perf_counter()
            run.status = msg.script_finished
            run.fragment_ids = tuple(msg.metadata.run.fragment_ids)
            async with self._finished:
                self._finished.notify_all()

    def _element(self, path: tuple, el, fragment: str) -> None:
        self.elements[path] = (el, fragment)
        kind = el.WhichOneof("type")
        if kind == "exception":
            if self.runs:
                self.runs[-1].exceptions += 1
            self.errors.append(f"exception on the page: {el.exception.message[:120]}")
        s = widget_state(el)
        if s is not None:
            w = getattr(el, kind)
            if s.id not in self.widgets or getattr(w, "set_value", False):
                self.widgets[s.id] = s

    def _start_timer(self, fragment: str, interval: float) -> None:
        old = self._timers.get(fragment)
        if old is not None and getattr(old, "interval", None) == interval:
            return
        if old is not None:
            old.cancel()

        async def tick():
            while True:
                await asyncio.sleep(interval)
                if fragment in self._timers:
                    await self._rerun(fragment=fragment, auto=True)

        task = asyncio.create_task(tick())
        task.interval = interval
        self._timers[fragment] = task
