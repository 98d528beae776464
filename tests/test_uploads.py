"""An upload is handled once and its outcome reaches the page even when Streamlit stops the callback half-way
(ui/common/uploads.py): Streamlit raises its StopException at a read or write of st.session_state when a
rerun was asked for meanwhile, which a ticking fragment and an upload together make happen."""
import types

import pytest

from ui.common import uploads


class Stop(Exception):
    """Stands for Streamlit's StopException."""


class State(dict):
    """st.session_state that stops the run at its ``stop_at``-th access (reads and writes alike)."""

    def __init__(self, *a, stop_at=None, **k):
        super().__init__(*a, **k)
        self.accesses, self.stop_at = 0, stop_at

    def _tick(self):
        self.accesses += 1
        if self.stop_at is not None and self.accesses == self.stop_at:
            raise Stop()

    def __getitem__(self, key):
        self._tick()
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        self._tick()
        super().__setitem__(key, value)

    def __contains__(self, key):
        self._tick()
        return super().__contains__(key)

    def get(self, key, default=None):
        self._tick()
        return super().get(key, default)

    def update(self, other):
        for k, v in other.items():
            self[k] = v


class File:
    def __init__(self, file_id, name="m.npz"):
        self.file_id, self.name = file_id, name

    def getvalue(self):
        return b"bytes"


def _run(monkeypatch, state, handle, page=False):
    monkeypatch.setattr(uploads, "st", types.SimpleNamespace(session_state=state))
    uploads.receive("up", "desk", handle, page)


def _handler(calls):
    def handle(f):
        calls.append(f.file_id)
        return {"result": f"loaded {f.file_id}", "hidden": 16}
    return handle


def test_a_new_file_is_handled_once_and_its_writes_applied(monkeypatch):
    state, calls = State(up=File("a")), []
    _run(monkeypatch, state, _handler(calls))
    _run(monkeypatch, state, _handler(calls), page=True)       # the page's own run: nothing new
    assert calls == ["a"]
    assert state["result"] == "loaded a" and state["hidden"] == 16
    state["up"] = File("b")
    _run(monkeypatch, state, _handler(calls))
    assert calls == ["a", "b"] and state["result"] == "loaded b"


def test_writes_a_stop_cut_short_are_applied_by_the_next_run_without_loading_again(monkeypatch):
    state, calls = State(up=File("a")), []
    state.stop_at = 5                         # the desk (3 accesses), the file (1): stopped after the load
    with pytest.raises(Stop):
        _run(monkeypatch, state, _handler(calls))
    assert calls == ["a"] and "result" not in state            # loaded, but the page has not heard of it
    state.stop_at = None
    _run(monkeypatch, state, _handler(calls), page=True)       # the page's next run, before its widgets
    assert calls == ["a"]                                      # not loaded twice
    assert state["result"] == "loaded a" and state["hidden"] == 16


def test_a_callback_stopped_before_the_handler_leaves_the_file_to_the_page(monkeypatch):
    state, calls = State(up=File("a")), []
    state.stop_at = 4                                          # stopped reading the uploader's value
    with pytest.raises(Stop):
        _run(monkeypatch, state, _handler(calls))
    assert calls == []
    state.stop_at = None
    _run(monkeypatch, state, _handler(calls), page=True)
    assert calls == ["a"] and state["result"] == "loaded a"


def test_the_page_writes_again_what_a_fragments_callback_wrote_then_forgets_it(monkeypatch):
    """A callback in a fragment's run wrote hidden = 16; the full run after it brings the browser's old value
    (128) for that widget: the page writes 16 again before its widgets, once; a later choice of the learner's
    stays."""
    state, calls = State(up=File("a"), hidden=128), []
    _run(monkeypatch, state, _handler(calls))                  # the callback, in a fragment's run
    assert state["hidden"] == 16
    state["hidden"] = 128                                      # the full run: the browser's value for the widget
    _run(monkeypatch, state, _handler(calls), page=True)
    assert state["hidden"] == 16 and calls == ["a"]
    state["hidden"] = 32                                       # the learner picks another size
    _run(monkeypatch, state, _handler(calls), page=True)
    assert state["hidden"] == 32


def test_a_removed_file_uploaded_again_is_new_and_a_file_without_bytes_is_not_one(monkeypatch):
    state, calls = State(up=File("a")), []
    _run(monkeypatch, state, _handler(calls))
    state["up"] = None
    _run(monkeypatch, state, _handler(calls))
    state["up"] = File("a")
    _run(monkeypatch, state, _handler(calls))
    assert calls == ["a", "a"]
    state["up"] = types.SimpleNamespace(file_id="gone")         # Streamlit's DeletedFile: an id, no bytes
    _run(monkeypatch, state, _handler(calls))
    assert calls == ["a", "a"]


def test_old_values_that_come_back_again_are_written_again_until_the_browser_has_the_new_ones(monkeypatch):
    """More than one request the browser sent before it saw the upload's values (a full run, another fragment's
    tick) brings the old size back: each time the page writes the upload's again; once the browser sends the
    new value back, the desk forgets it."""
    state, calls = State(up=File("a"), hidden=128), []
    _run(monkeypatch, state, _handler(calls))                  # the callback, in a fragment's run
    for _ in range(3):
        state["hidden"] = 128                                  # a stale request
        _run(monkeypatch, state, _handler(calls), page=True)
        assert state["hidden"] == 16
    _run(monkeypatch, state, _handler(calls), page=True)       # the browser sends 16: done
    assert uploads._desk("desk").pending is None and calls == ["a"]
