"""The Lessons page: one lesson a screen, its question before its answer, Previous / Next, the learner's record and
the instructor's worksheet."""
from __future__ import annotations

import re

import streamlit as st

from ui.common import i18n, state
from ui.common.charts import show
from ui.common.classroom import hand_in_record, membership
from ui.common.i18n import N_, _, language
from ui.common.lessons import ALL_DISHES, BY_SLUG, LESSONS, lesson_models, token_models
from ui.common.saving import run_store
from ui.common.links import Param, known_model, link_to, number, one_of, share, write
from ui.common.text import md_escape

from . import worksheet
from .questions import Question
from .record import Record
from .screens import GATE_BIASES, RHOS, SCREENS, Controls

SLUGS = [lesson.slug for lesson in LESSONS]
# every lesson control a link can carry; a lesson's own link carries the lesson and the controls it draws


def _lesson_model(text: str) -> str:
    """A link's lesson model: a demo model, or a model link's copy this tab holds that reads the lessons."""
    if text in token_models(language()):
        return text
    known_model(text)
    if text not in lesson_models(st.session_state[state.MODELS], language()):
        raise ValueError(_("that model does not read the lessons' sentences word by word"))
    return text


LINK = {"lesson": Param(state.LESSON, one_of(SLUGS)), "model": Param(state.LS_MODEL, _lesson_model),
        "dish": Param(state.LS_DISH, one_of(ALL_DISHES)), "step": Param(state.LS_STEP, number(1, 200)),
        "unit": Param(state.LS_UNIT, number(0, 4095)), "at_step": Param(state.LS_SOFTMAX_STEP, number(1, 200)),
        "gate_step": Param(state.LS_GATE_STEP, number(1, 200)), "rho": Param(state.LS_RHO, one_of(RHOS)),
        "forget_bias": Param(state.LS_FB, one_of(GATE_BIASES)), "update_bias": Param(state.LS_UB, one_of(GATE_BIASES)),
        "k": Param(state.LS_K, number(2, 200))}
CONTROLS = {"memory": ("model", "dish"), "one-step-at-a-time": ("model",), "forward": ("step", "unit"),
            "softmax": ("model", "at_step"), "unrolled": ("model",), "why-not-feed-forward": ("model",),
            "loss-over-time": ("model",), "bptt": ("model",), "sum-over-steps": ("model",), "chain": ("model",),
            "vanishing": ("rho", "forget_bias", "update_bias"), "saturation": (), "clipping": (), "truncation": ("k",),
            "lstm": ("gate_step", "unit"), "gru": ("gate_step", "unit"),
            "why-gates-help": ("forget_bias", "update_bias"),
            "lag-sweep": (), "generation": ("model",), "numbers": (), "forecasting": ()}


def record() -> Record:
    """This session's lesson record (made on the first lesson it answers)."""
    if state.LESSON_RECORD not in st.session_state:
        st.session_state[state.LESSON_RECORD] = Record()
    return st.session_state[state.LESSON_RECORD]


def _go(slug: str) -> None:
    st.session_state[state.LESSON] = slug


def _short(title: str) -> str:
    """A lesson's title up to its colon, in the session's language (a Previous / Next button's label)."""
    return re.split("[:：]", _(title))[0].strip()


def _given(q: Question, value) -> str:
    if value is None:
        return ""
    if q.kind == "step":
        if q.options and len(q.options[0]):
            return _("step {n} ({token})").format(n=value, token=q.options[int(value) - 1])
        return _("step {n}").format(n=value)
    return str(value)


def _check(slug: str, q: Question, link: str) -> None:
    value = st.session_state.get(state.lesson_answer_key(slug))
    if value is None:          # kept in English, shown through _()
        st.session_state[state.LESSON_VERDICT][slug] = (q.prompt, None, N_("Pick or type an answer first."))
        return
    verdict = q.check(value)
    rec = record()
    entry = rec.entry(slug, BY_SLUG[slug].title, q.prompt, q.answer_text(), link)
    rec.answer(entry, _given(q, value), verdict.right)
    st.session_state[state.LESSON_VERDICT][slug] = (q.prompt, verdict.right, verdict.message)


def _reveal(slug: str, q: Question, link: str) -> None:
    rec = record()
    rec.reveal(rec.entry(slug, BY_SLUG[slug].title, q.prompt, q.answer_text(), link))


def _answer_widget(slug: str, q: Question):
    key = state.lesson_answer_key(slug)
    if q.kind == "choice":
        if st.session_state.get(key) not in q.options:
            st.session_state.pop(key, None)
        return st.radio(_("Your answer"), q.options, index=None, key=key, format_func=_)   # values stay English
    if q.kind == "step":
        steps = list(range(1, len(q.options) + 1))
        label = (lambda s: f"{s} {q.options[s - 1]}") if not q.options[0].isdigit() else str
        return st.pills(_("Your answer: click a step"), steps, format_func=label, key=key)
    whole = float(q.answer) == int(float(q.answer)) and q.tolerance == 0
    return st.number_input(_("Your answer"), value=None, step=1 if whole else 0.01, format="%d" if whole else "%g",
                           key=key, placeholder=_("a number"))


def question_block(slug: str, q: Question, link: str) -> bool:
    """The question, its answer box and Check (a form: nothing reruns until Check), then the verdict: the reason
    with its numbers when right or shown, a hint when wrong. Returns whether the answer is on screen."""
    st.markdown(_("**Predict, then check.** {prompt}").format(prompt=md_escape(q.prompt)))
    with st.form(state.lesson_form_key(slug), border=False):
        _answer_widget(slug, q)
        st.form_submit_button(_("Check"), type="primary", on_click=_check, args=(slug, q, link))
    entry = record().entry(slug, BY_SLUG[slug].title, q.prompt, q.answer_text(), link)   # a new question: a new entry
    said = st.session_state[state.LESSON_VERDICT].get(slug)
    said = said if said and said[0] == q.prompt else None
    if entry.right:
        st.success((_("Right at the first try. {reason}") if entry.right_first else _("Right. {reason}")).format(
            reason=md_escape(q.reason)))
    elif entry.revealed:
        st.info(_("The answer: **{answer}**. {reason}").format(answer=md_escape(q.answer_text()),
                                                               reason=md_escape(q.reason)))
    elif said and said[1] is False:
        st.warning(_("Not quite. Hint: {hint} Try again, or show the answer.").format(hint=md_escape(said[2])))
    elif said and said[1] is None:
        st.warning(_(said[2]))
    if not (entry.right or entry.revealed):
        st.button(_("Show me the answer"), on_click=_reveal, args=(slug, q, link), type="tertiary",
                  help=_("No one is locked out: the answer and its reason, with the numbers."))
    return entry.right or entry.revealed


def _nav(i: int) -> None:
    c1, c2, c3 = st.columns([1, 1, 2])
    if i > 0:
        c1.button(f"← {_short(LESSONS[i - 1].title)}", on_click=_go, args=(LESSONS[i - 1].slug,),
                  width="stretch", key=state.LESSON_PREVIOUS, help=_("Previous lesson"))
    if i + 1 < len(LESSONS):
        c2.button(f"{_short(LESSONS[i + 1].title)} →", on_click=_go, args=(LESSONS[i + 1].slug,),
                  width="stretch", type="primary", key=state.LESSON_NEXT, help=_("Next lesson"))
    rec = record()
    c3.caption(_("Lesson {i} of {n} · {right} answered right, {first} at the first try.").format(
        i=i + 1, n=len(LESSONS), right=rec.answered, first=rec.first_try))


def lesson_screen() -> None:
    slug = st.session_state[state.LESSON]
    if slug not in BY_SLUG:
        slug = st.session_state[state.LESSON] = LESSONS[0].slug
    lesson, i = BY_SLUG[slug], SLUGS.index(slug)
    own = {"lesson": LINK["lesson"], **{k: LINK[k] for k in CONTROLS[slug]}}
    for k in set(LINK) - set(own):                       # the last lesson's controls leave the address
        if k in st.query_params:
            del st.query_params[k]
    want = write("lessons", own)
    link = link_to(want)
    st.caption(_("Lesson {i} of {n}").format(i=i + 1, n=len(LESSONS)))
    st.subheader(_(lesson.title), anchor=False)
    st.markdown(_(lesson.idea))
    left, right = st.columns([2, 3], gap="medium")
    screen = SCREENS[slug](Controls(left, st.session_state[state.MODELS]))
    with left:
        answered = question_block(slug, screen.question, link)
    with right:
        show(screen.figure_answered if answered and screen.figure_answered is not None else screen.figure,
             key=state.CHART_LESSON)
        st.caption(screen.caption if answered or screen.hold is None else screen.hold)
        if answered and screen.after is not None:
            screen.after()
        st.page_link(lesson.page, label=_("Open in the full page"), icon=":material/open_in_new:",
                     query_params=screen.query or None)
    _nav(i)
    share(want, st.container())


def record_section() -> None:
    rec = record()
    with st.expander(_("Your record: {right} of {n} answered right").format(right=rec.answered, n=len(LESSONS))):
        st.text_input(_("Your name (on the file only)"), key=state.LESSON_NAME, max_chars=80)
        member = membership()
        if not rec:
            st.caption(_("Answer a lesson's question and it appears here. It lives in this browser tab's session: "
                         "download it, or hand it in to your class, to keep it."))
            _class_line(member)
            return
        st.dataframe(rec.shown_rows(), hide_index=True)
        name, lang = st.session_state[state.LESSON_NAME], i18n.language()     # the download is made off the script
        c1, c2 = st.columns(2)
        c1.download_button(_("Download (Markdown)"), lambda: rec.to_markdown(name, len(LESSONS), lang),
                           "rnn_playground_lessons.md", mime="text/markdown", on_click="ignore")
        c2.download_button(_("Download (CSV)"), rec.to_csv, "rnn_playground_lessons.csv", mime="text/csv",
                           on_click="ignore")
        if member is not None:
            st.button(_("Hand in to {group} as {nickname}").format(group=member.class_name, nickname=member.nickname),
                      key=state.LESSON_HAND_IN, on_click=_hand_in,
                      help=_("Your instructor's board shows each lesson's status and answers, with your nickname (not "
                             "the name above). Hand in again after more lessons: the board shows your latest "
                             "record."))
            handed = st.session_state[state.LESSON_HANDED]
            if handed:
                (st.success if handed[0] else st.error)(md_escape(handed[1]))
        else:
            _class_line(member)


def _class_line(member) -> None:
    """Where a student who has not joined a class joins one (only when this server keeps classes)."""
    if member is None and run_store() is not None:
        st.caption(_("In a class? Join it on the Class page with your instructor's code, then hand this record in "
                     "here."))
        st.page_link("pages/class.py", label=_("Join your class"), icon=":material/groups:")


def _hand_in() -> None:
    ok, text = hand_in_record(record())
    st.session_state[state.LESSON_HANDED] = (ok, text)


def instructor_section() -> None:
    with st.expander(_("For instructors: a worksheet and its answer key")):
        st.caption(_("Every lesson's question with the demo models at the lessons' default settings, as students see "
                     "them when they open each lesson; the answer key has the computed answers and their reasons. "
                     "The HTML prints cleanly (one lesson never splits across pages)."))
        models, base, lang = st.session_state[state.MODELS], link_to({}), i18n.language()
        c1, c2 = st.columns(2)
        labels = {False: (_("Worksheet (HTML)"), _("Worksheet (Markdown)")),
                  True: (_("Answer key (HTML)"), _("Answer key (Markdown)"))}
        for col, key in ((c1, False), (c2, True)):
            stem = "rnn_answer_key" if key else "rnn_worksheet"
            col.download_button(labels[key][0], lambda key=key: worksheet.html(models, key, base, lang),
                                f"{stem}.html", mime="text/html", on_click="ignore")
            col.download_button(labels[key][1], lambda key=key: worksheet.markdown(models, key, base, lang),
                                f"{stem}.md", mime="text/markdown", on_click="ignore")
