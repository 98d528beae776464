"""Every st.session_state key the app uses, initialised in one place; URL <-> state sync."""
from __future__ import annotations

import streamlit as st

from rnn_core.cuisine import PROMPT

from .text import validate_sentence

# keys
MODELS = "models"              # dict name -> LoadedModel, this session's models
MODEL = "model_name"           # the model Step through shows
SENTENCE = "sentence"          # the last good sentence (what the page shows)
SENTENCE_INPUT = "sentence_input"
SENTENCE_ERROR = "sentence_error"
STEP = "step"                  # 1-based time step
VIEW = "view"                  # "Forward" | "Backward"
UNIT = "unit"                  # the hidden unit written out term by term
PLAYING = "playing"
TARGET = "target_word"         # Backward view: the word whose loss flows back
PROBE_POS = "probe_position"
PROBE_WORD = "probe_word"
UPLOAD_ERROR = "upload_error"
CACHE = "analysis_cache"       # small per-session cache of analyses
URL_READ = "url_read"          # query parameters applied once per session
HOME_SENTENCE = "home_sentence"
HOME_SHOWN = "home_shown"      # the last sentence Home's chart could show
HOME_ERROR = "home_error"

# every keyed widget keeps its value while it is not drawn (another view, another page)
KEEP = {"persist_state": "session"}

VIEWS = ("Forward", "Backward")
DEFAULT_MODEL = "Demo RNN"


def _run_inside_the_app() -> None:
    """A fresh server's first request for a page (a shared link) runs that page file alone, with a menu
    made from the file names: Streamlit's older mode for apps with a ``pages/`` folder, which lasts
    until ``st.navigation`` is first called. Leave that mode and run again, through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False     # what st.navigation itself sets
        st.rerun()


def init_page() -> None:
    """What every page file calls first: run inside app.py's navigation, with every key set.

    Only a session's first run can be a fresh server's page run alone (nobody has called
    st.navigation yet), and a first run has no click that a rerun could lose.
    """
    if MODELS not in st.session_state:
        _run_inside_the_app()
    init()


def init() -> None:
    """Set every key once per session."""
    defaults = {
        SENTENCE: PROMPT, SENTENCE_INPUT: PROMPT, SENTENCE_ERROR: None, STEP: 1, VIEW: "Forward", UNIT: 0,
        PLAYING: False, TARGET: None, PROBE_POS: None, PROBE_WORD: None, UPLOAD_ERROR: None, CACHE: {},
        MODEL: DEFAULT_MODEL, HOME_SENTENCE: PROMPT, HOME_SHOWN: PROMPT, HOME_ERROR: None,
    }
    for k, v in defaults.items():
        if k not in st.session_state:
            st.session_state[k] = v
    if MODELS not in st.session_state:
        from .models import demo_models
        st.session_state[MODELS] = demo_models()


def read_url_once() -> None:
    """Apply ?sentence=..&step=..&model=..&view=.. the first time a session opens a page."""
    if st.session_state.get(URL_READ):
        return
    st.session_state[URL_READ] = True
    qp = st.query_params
    if qp.get("model") in st.session_state[MODELS]:
        st.session_state[MODEL] = qp["model"]
    if "sentence" in qp and qp["sentence"].strip():
        text = qp["sentence"]
        st.session_state[SENTENCE_INPUT] = text
        error = validate_sentence(text, st.session_state[MODELS][st.session_state[MODEL]])
        st.session_state[SENTENCE_ERROR] = error and f"The link's sentence cannot be read: {error}"
        if error is None:
            st.session_state[SENTENCE] = text
    if qp.get("view") in VIEWS:
        st.session_state[VIEW] = qp["view"]
    try:
        st.session_state[STEP] = max(1, int(qp.get("step", st.session_state[STEP])))
    except ValueError:
        pass


def write_url() -> None:
    """Mirror the Step through screen into the URL, so a link reproduces it."""
    want = {"sentence": st.session_state[SENTENCE], "step": str(st.session_state[STEP]),
            "model": st.session_state[MODEL], "view": st.session_state[VIEW]}
    if {k: st.query_params.get(k) for k in want} != want:
        st.query_params.update(want)
