"""Home's sections: the sentence box and the demo model's answer."""
from __future__ import annotations

import streamlit as st

from ui.common import state
from ui.common.figures import next_token_figure
from ui.common.frames import top_k_frame
from ui.common.limits import MAX_SENTENCE_CHARS, SENTENCE_LIMITS
from ui.common.links import Param, text_up_to
from ui.common.sentences import commit
from ui.common.charts import show
from ui.common.lessons import LESSONS, LESSONS_PAGE
from ui.common.text import md_escape, shorten, word_list



def _commit_home_sentence() -> None:
    commit(state.HOME_SENTENCE, state.HOME_SHOWN, state.HOME_ERROR, st.session_state[state.MODELS][state.DEFAULT_MODEL])


# a link to Home carries its sentence (checked as if typed)
LINK = {"sentence": Param(state.HOME_SENTENCE, text_up_to(MAX_SENTENCE_CHARS), after=_commit_home_sentence)}


def home_sentence_input() -> str:
    """Home's **Sentence** box; returns the last sentence the demo model could read."""
    st.text_input("Sentence", key=state.HOME_SENTENCE, on_change=_commit_home_sentence, **state.KEEP,
                  help="Type anything; the demo RNN was trained on sentences about dishes and cuisines. "
                       + SENTENCE_LIMITS)
    if st.session_state[state.HOME_ERROR]:
        st.warning(st.session_state[state.HOME_ERROR] + " Still showing the previous sentence.")
    return st.session_state[state.HOME_SHOWN]


def demo_answer(text: str) -> None:
    """The demo RNN's next-word probabilities after ``text``."""
    entry = st.session_state[state.MODELS][state.DEFAULT_MODEL]
    probs = entry.model.forward(entry.vocab.encode(text)).probs[-1]
    unknown = entry.vocab.unknown_tokens(text)
    if unknown:
        st.info(f"The demo model never saw {word_list(unknown)}; it reads such words as `<unk>`.")
    show(next_token_figure(top_k_frame(probs, entry.vocab.tokens, k=8)), key=state.CHART_HOME_NEXT)
    top = int(probs.argmax())
    st.caption(f"The demo RNN's guess for the word after “{md_escape(shorten(text, 80))}”: "
               f"“{md_escape(entry.vocab.tokens[top])}” ({probs[top]:.0%}).")


def lessons() -> None:
    """The seeds' ideas in their order, each a link to its lesson: one idea a screen, with a question first."""
    st.subheader("The lessons, in order")
    st.caption(f"{len(LESSONS)} lessons, one idea a screen: each asks a question before it shows the answer, computed "
               "from the model on screen, and keeps your answers in a record you can download.")
    for i, lesson in enumerate(LESSONS, 1):
        st.page_link(LESSONS_PAGE, label=f"{i}. {lesson.title}", icon=":material/arrow_forward:",
                     query_params={"lesson": lesson.slug})
