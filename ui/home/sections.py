"""Home's sections: the sentence box and the demo model's answer."""
from __future__ import annotations

import streamlit as st

from ui.common import state
from ui.common.figures import next_token_figure
from ui.common.frames import top_k_frame
from ui.common.i18n import _, language, ngettext, num
from ui.common.limits import MAX_SENTENCE_CHARS, sentence_limits
from ui.common.links import Param, text_up_to
from ui.common.sentences import commit
from ui.common.charts import show
from ui.common.lessons import LESSONS, LESSONS_PAGE
from ui.common.text import md_escape, shorten, word_list


def _home_model():
    """The demo RNN of the session's language (the English one in English)."""
    return st.session_state[state.MODELS][state.demo_model(language())]


def _commit_home_sentence() -> None:
    commit(state.HOME_SENTENCE, state.HOME_SHOWN, state.HOME_ERROR, _home_model())


# a link to Home carries its sentence (checked as if typed)
LINK = {"sentence": Param(state.HOME_SENTENCE, text_up_to(MAX_SENTENCE_CHARS), after=_commit_home_sentence)}


def home_sentence_input() -> str:
    """Home's **Sentence** box; returns the last sentence the demo model could read."""
    st.text_input(_("Sentence"), key=state.HOME_SENTENCE, on_change=_commit_home_sentence, **state.KEEP,
                  help=_("Type anything; the demo RNN was trained on sentences about dishes and cuisines.") + " "
                       + sentence_limits())
    if st.session_state[state.HOME_ERROR]:
        st.warning(st.session_state[state.HOME_ERROR] + " " + _("Still showing the previous sentence."))
    return st.session_state[state.HOME_SHOWN]


def demo_answer(text: str) -> None:
    """The demo RNN's next-word probabilities after ``text``."""
    entry = _home_model()
    probs = entry.model.forward(entry.vocab.encode(text)).probs[-1]
    unknown = entry.vocab.unknown_tokens(text)
    if unknown:
        st.info(_("The demo model never saw {words}; it reads such words as `<unk>`.").format(words=word_list(unknown)))
    show(next_token_figure(top_k_frame(probs, entry.vocab.tokens, k=8)), key=state.CHART_HOME_NEXT)
    top = int(probs.argmax())
    st.caption(_("The demo RNN's guess for the word after “{text}”: “{word}” ({p}).").format(
        text=md_escape(shorten(text, 80)), word=md_escape(entry.vocab.tokens[top]), p=num(probs[top], ".0%")))


def lessons() -> None:
    """The seeds' ideas in their order, each a link to its lesson: one idea a screen, with a question first."""
    st.subheader(_("The lessons, in order"))
    st.caption(ngettext("{n} lesson, one idea a screen: each asks a question before it shows the answer, computed "
                        "from the model on screen, and keeps your answers in a record you can download.",
                        "{n} lessons, one idea a screen: each asks a question before it shows the answer, computed "
                        "from the model on screen, and keeps your answers in a record you can download.",
                        len(LESSONS)).format(n=len(LESSONS)))
    for i, lesson in enumerate(LESSONS, 1):
        st.page_link(LESSONS_PAGE, label=f"{i}. {_(lesson.title)}", icon=":material/arrow_forward:",
                     query_params={"lesson": lesson.slug})
