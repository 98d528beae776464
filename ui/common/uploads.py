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
it handles a file no callback got to and writes again any value the browser has put back. A callback that a
fragment's run called wrote widget values the browser does not know yet, and every request the browser sent
before it saw them (a full run, another fragment's tick) carries the old values for those widgets. So the desk
keeps the values from before the upload: while a widget reads its old value again, the page writes the
upload's value once more; once none does (and the page has drawn them), the desk forgets the writes, and a
learner's own later choice stands.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st


class Desk:
    """The last file handled for one uploader and the session-state writes not yet applied."""

    def __init__(self) -> None:
        self.file_id: str | None = None
        self.pending: dict | None = None
        self.before: dict = {}                      # the written keys' values before the upload
        self.drawn = False                          # a page run has drawn the pending values


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
        desk.pending, desk.file_id, desk.drawn = writes, file_id, False
        desk.before = {}
    elif up is None:
        desk.file_id = None                         # removed: the same file uploaded again is new again
    if desk.pending is None:
        return
    now = {k: st.session_state.get(k) for k in desk.pending}
    if not desk.before:                             # the first time, before any write: the values before the upload
        desk.before = dict(now)
    reverted = [k for k, v in desk.pending.items() if now[k] != v and now[k] == desk.before[k]]
    if page and desk.drawn and not reverted:
        desk.pending, desk.before = None, {}        # the browser has them (or the learner chose anew)
        return
    st.session_state.update(desk.pending if not desk.drawn else {k: desk.pending[k] for k in reverted})
    desk.drawn = desk.drawn or page
