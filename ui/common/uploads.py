"""An uploaded file handled exactly once, even when Streamlit stops the handler half-way.

Streamlit may stop a script run, and a widget callback inside it, at any read or write of
``st.session_state`` when another rerun is asked for meanwhile: a fragment ticking on Train or Time series
runs the uploader's callback, the learner's upload asks for a full rerun while the callback waits for the
training worker, and the callback's next ``st.session_state[...] = ...`` raises Streamlit's StopException.
The model was loaded, yet the page never heard of it, and the uploader's value no longer counts as changed,
so no callback comes again.

A ``Desk`` (one per uploader, a plain object kept in the session) makes that harmless: the handler reads
what it needs, does its work and returns the session-state writes it wants; the desk notes the file as
handled and keeps those writes in plain attributes (no Streamlit call between the work and the note), then
applies them. The page calls ``receive(..., page=True)`` itself before drawing the widgets those writes set:
it handles a file no callback got to and applies the writes once more, then forgets them. Once more, because
a callback that a fragment's run called wrote widget values that the browser does not know yet: the full run
that follows takes the browser's values for those widgets (the old ones) unless the page writes them again
before drawing them.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st


class Desk:
    """The last file handled for one uploader and the session-state writes not yet applied."""

    def __init__(self) -> None:
        self.file_id: str | None = None
        self.pending: dict | None = None


Handler = Callable[[object], dict]                  # the uploaded file -> the st.session_state writes it asks for


def _desk(desk_key: str) -> Desk:
    if desk_key not in st.session_state:
        st.session_state[desk_key] = Desk()
    return st.session_state[desk_key]


def receive(upload_key: str, desk_key: str, handle: Handler, page: bool = False) -> None:
    """The uploader's callback, and (``page``) the page's catch-up before its widgets: hand a new file to
    ``handle`` once (a file whose bytes Streamlit no longer holds is not one), then apply the writes it asked for;
    the page's run applies them last."""
    desk = _desk(desk_key)
    up = st.session_state.get(upload_key)
    file_id = getattr(up, "file_id", None)
    if hasattr(up, "getvalue") and file_id != desk.file_id:
        writes = handle(up)                         # reads first; after its slow work it touches no session state
        desk.pending, desk.file_id = writes, file_id
    elif up is None:
        desk.file_id = None                         # removed: the same file uploaded again is new again
    if desk.pending is not None:
        st.session_state.update(desk.pending)      # may be stopped too: it stays pending until the page is through
        if page:
            desk.pending = None
