"""The sentence boxes' shared rule: a typed sentence is taken only if the model can read it."""
from __future__ import annotations

import streamlit as st

from .models import LoadedModel
from .text import validate_sentence


def commit(box: str, shown: str, error: str, entry: LoadedModel) -> bool:
    """A sentence box's callback: keep the typed text as the shown one if ``entry`` can read it,
    else keep the old one and store why; True when it was taken."""
    text = st.session_state[box]
    st.session_state[error] = validate_sentence(text, entry)
    if st.session_state[error] is None:
        st.session_state[shown] = text
    return st.session_state[error] is None
