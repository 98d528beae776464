"""Nothing lost unknowingly: the browser asks before a page with an undownloaded trained model is left.

A refresh or a closed tab ends the Streamlit session and its state with it. While a model trained on
Train or Time series differs from its last download (or is training), the page keeps a flag that a
``beforeunload`` listener reads: the browser then shows its own "Leave site?" question.
"""
from __future__ import annotations

import streamlit as st

from . import state

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
    """The pages whose trained model would be lost with this session."""
    pages = {state.TRAIN_SESSION: "Train", state.TS_SESSION: "Time series"}
    return [page for key, page in pages.items() if getattr(st.session_state.get(key), "unsaved", False)]


def warn_before_leaving() -> None:
    """Set the page's flag (the listener is added once per page load); call at the end of every full run."""
    st.html(_HTML % ("true" if unsaved_models() else "false"), unsafe_allow_javascript=True)
