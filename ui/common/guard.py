"""Nothing lost unknowingly, nothing trained for nobody: the browser asks before a page is left while a trained
model is neither saved nor downloaded, and a run stops soon after its tab is closed.

A refresh or a closed tab ends the Streamlit session and its state with it; a run saved in the run store
(ui/common/saving.py) comes back from the page's address. While a model trained on Train or Time series is
training, or differs from both its last save and its last download (the store is off, the disk is full), the
page keeps a flag that a ``beforeunload`` listener reads: the browser then shows its own "Leave site?" question.
"""
from __future__ import annotations

import streamlit as st

from . import saving, state

# the flag lives in the element (rerun after rerun React updates it); the script runs when the element is
# first drawn and adds the listener once per page load
_HTML = """<span hidden data-rnn-playground-unsaved="%s"></span><script>
(() => {
  if (window.rnnPlaygroundUnsaved) return;
  window.rnnPlaygroundUnsaved = () =>
    document.querySelector('[data-rnn-playground-unsaved="true"]') !== null;
  window.addEventListener("beforeunload", (event) => {
    if (window.rnnPlaygroundUnsaved()) { event.preventDefault(); event.returnValue = ""; }
  });
})();
</script>"""


def unsaved_models() -> list[str]:
    """The pages whose trained model would be lost with this session: training, or neither saved nor downloaded."""
    pages = {state.TRAIN_SESSION: "Train", state.TS_SESSION: "Time series"}
    handles = {page: st.session_state.get(key) for key, page in pages.items()}
    return [page for page, h in handles.items()
            if getattr(h, "unsaved", False) and not saving.saved(h)]


HEARTBEAT_SECONDS = 5.0     # how often an open page tells a run of its session that it is still wanted


def keep_runs_while_open() -> None:
    """While a run of this session trains (in a worker process), a timer on whichever page is open renews its
    lease; when the tab is closed the renewals stop and the worker stops the run about a minute later, keeping
    every update (ui/common/worker.py, LEASE_SECONDS). Call once per full run (app.py does)."""
    runs = [st.session_state.get(key) for key in (state.TRAIN_SESSION, state.TS_SESSION)]
    runs = [run for run in runs if run is not None and run.view.running]
    if not runs:
        return

    @st.fragment(run_every=HEARTBEAT_SECONDS)
    def heartbeat():                                 # draws nothing: a sign of life
        for run in runs:
            run.touch()

    heartbeat()


def warn_before_leaving() -> None:
    """Set the page's flag (the listener is added once per page load); call at the end of every full run."""
    st.html(_HTML % ("true" if unsaved_models() else "false"), unsafe_allow_javascript=True)
