"""The Class page's sections: create a class, the instructor's board (behind its secret link), and for a student
joining with a code and a nickname, handing in, and their own hand-ins (never anyone else's)."""
from __future__ import annotations

import streamlit as st

from rnn_core.store import NotFound, Store, StoreError

from ui.common import state
from ui.common.charts import show
from ui.common.classroom import MEMBER_PARAM, hand_in_run, membership
from ui.common.i18n import _, N_, ngettext, num
from ui.common.runlinks import page_url
from ui.common.saving import run_store
from ui.common.text import md_escape

from . import figures

BOARD_PARAM, JOIN_PARAM = "board", "join"
REFRESH_SECONDS = 10.0          # the board looks for new hand-ins this often
PAGE = "class"


def _shown(df):
    """A table as the page shows it: its column headers (marked in ui/board/figures.py; the CSV downloads keep them
    in English) in the session's language, its cells what was handed in, as they were ("—" where nothing was)."""
    return df.astype(object).where(df.notna(), "—").rename(columns=_)


def read_links() -> None:
    """``board=`` (the instructor's secret), ``member=`` (a joined student: a refresh stays joined), ``join=`` (a
    class code to fill in)."""
    qp = st.query_params
    if qp.get(BOARD_PARAM):
        st.session_state[state.CLASS_SECRET] = qp[BOARD_PARAM]
    if qp.get(MEMBER_PARAM) and not st.session_state[state.CLASS_MEMBER]:
        st.session_state[state.CLASS_MEMBER] = qp[MEMBER_PARAM]
    if qp.get(JOIN_PARAM) and not st.session_state.get(state.CLASS_CODE_INPUT):
        st.session_state[state.CLASS_CODE_INPUT] = Store.normal_code(qp[JOIN_PARAM])


def store_ready() -> Store | None:
    store = run_store()
    if store is None:
        st.info(_("Classes need the run store, and this server runs without one (RNN_PLAYGROUND_STORE=off, or its "
                  "folder or database cannot be opened): ask whoever runs it."))
    return store


def _say(kind: str, text: str) -> None:
    st.session_state[state.CLASS_NOTE] = (kind, text)


def show_note() -> None:
    note = st.session_state[state.CLASS_NOTE]
    if note:
        {"success": st.success, "error": st.error}.get(note[0], st.warning)(md_escape(note[1]))
        st.session_state[state.CLASS_NOTE] = None


# ----- the instructor ---------------------------------------------------------------------------------------
def instructor_board(store: Store) -> bool:
    """The board of the class whose secret this session holds; False when it holds none (or a wrong one)."""
    secret = st.session_state[state.CLASS_SECRET]
    if not secret:
        return False
    try:
        store.board(secret)
    except (NotFound, StoreError) as e:
        st.warning(md_escape(str(e)))
        st.session_state[state.CLASS_SECRET] = None
        if BOARD_PARAM in st.query_params:
            del st.query_params[BOARD_PARAM]
        return False
    if st.query_params.get(BOARD_PARAM) != secret:
        st.query_params[BOARD_PARAM] = secret
    st.fragment(_board, run_every=REFRESH_SECONDS)(store, secret)
    return True


def _board(store: Store, secret: str) -> None:
    board = store.board(secret)
    st.subheader(_("Board of {name}").format(name=md_escape(board.name)))
    st.markdown(_("Students open the Class page and join with the code **{code}**, or open this link:").format(
        code=board.code))
    st.code(page_url(PAGE, {JOIN_PARAM: board.code}), language=None, wrap_lines=True)
    st.caption(_("This page's own address is the board's secret link: whoever has it sees the board, so keep it to "
                 "yourself. The board looks for new hand-ins every {seconds} seconds.").format(
        seconds=num(REFRESH_SECONDS, "g")))
    runs, students, lessons = figures.runs_frame(board), figures.students_frame(board), figures.lessons_frame(board)
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Students"), len(students))
    c2.metric(_("Runs handed in"), len(runs))
    c3.metric(_("Lesson records"), students["lesson records handed in"].astype(bool).sum() if len(students) else 0)
    st.markdown(_("**Students**"))
    st.dataframe(_shown(students), hide_index=True)
    st.markdown(_("**Runs**"))
    if runs.empty:
        st.caption(_("No run handed in yet: students train on Train or Time series, then hand in here."))
    else:
        st.dataframe(_shown(runs), hide_index=True)
        st.caption(_("Final loss: the mean of a run's last 20 iterations (its curve below shows every iteration)."))
        fig = figures.curves_figure(board)
        show(fig, key=state.CHART_CLASS_CURVES)
        best = runs.dropna(subset=["final loss"]).sort_values("final loss")
        if len(best):
            top = best.iloc[0]
            st.caption(ngettext("{n} curves. The lowest final loss: {loss} ({student}, {cell} H={hidden}, lr {lr}, "
                                "{optimizer}). Losses of different data or pages are not comparable: see the source "
                                "column.",
                                "{n} curves. The lowest final loss: {loss} ({student}, {cell} H={hidden}, lr {lr}, "
                                "{optimizer}). Losses of different data or pages are not comparable: see the source "
                                "column.", len(fig.data)).format(
                n=len(fig.data), loss=num(top["final loss"], ".3f"), student=md_escape(str(top["student"])),
                cell=top["cell"], hidden=top["hidden"], lr=num(top["lr"], "g"), optimizer=top["optimizer"]))
    st.markdown(_("**Lesson answers**"))
    if lessons.empty:
        st.caption(_("No lesson record handed in yet: students hand theirs in on the Lessons page."))
    else:
        st.dataframe(figures.lessons_grid(lessons).rename_axis(index=_, columns=_))   # headers: the lessons
        with st.expander(_("Every answer")):
            st.dataframe(_shown(lessons), hide_index=True)
    d1, d2, d3 = st.columns(3)
    d1.download_button(_("Download students and runs (CSV)"),
                       figures.csv_bytes(figures.students_and_runs(students, runs)), "class_runs.csv",
                       mime="text/csv", key=state.CLASS_DL_RUNS, on_click="ignore")
    d2.download_button(_("Download the loss curves (CSV)"), figures.csv_bytes(figures.curves_frame(board)),
                       "class_loss_curves.csv", mime="text/csv", key=state.CLASS_DL_CURVES, on_click="ignore")
    d3.download_button(_("Download the lesson answers (CSV)"), figures.csv_bytes(lessons), "class_lesson_answers.csv",
                       mime="text/csv", key=state.CLASS_DL_LESSONS, on_click="ignore")


def create_class_box(store: Store, expanded: bool) -> None:
    """Run a class: a name, then the code for students and the board's secret link."""
    with st.expander(_("Run a class: create one"), expanded=expanded):
        with st.form(state.CLASS_FORM_CREATE, border=False):
            name = st.text_input(_("Class name"), key=state.CLASS_NAME_INPUT, max_chars=80,
                                 placeholder=_("e.g. Period 3, RNNs"))
            if st.form_submit_button(_("Create a class"), key=state.CLASS_CREATE):
                try:
                    _code, secret = store.create_class(name)
                except (ValueError, StoreError) as e:
                    _say("error", _("No class was made: {error}").format(error=str(e)[:1].lower() + str(e)[1:]))
                else:
                    st.session_state[state.CLASS_SECRET] = secret
                    st.query_params[BOARD_PARAM] = secret
                    _say("success", _("Your class is made. Keep this page's address: it is the board's secret "
                                      "link."))
                st.rerun()


# ----- a student --------------------------------------------------------------------------------------------
def student_area(store: Store) -> bool:
    """Join a class, or (joined) hand in and see one's own hand-ins. Returns whether this session has joined."""
    member = membership()
    if member is None:
        if st.session_state[state.CLASS_MEMBER]:
            st.session_state[state.CLASS_MEMBER] = None
            if MEMBER_PARAM in st.query_params:
                del st.query_params[MEMBER_PARAM]
            st.warning(_("That class membership is not in the store any more (the class expired): join again."))
        _join_form(store)
        return False
    if st.query_params.get(MEMBER_PARAM) != st.session_state[state.CLASS_MEMBER]:
        st.query_params[MEMBER_PARAM] = st.session_state[state.CLASS_MEMBER]
    st.subheader(_("{name}: you are {nickname}").format(name=md_escape(member.class_name),
                                                         nickname=md_escape(member.nickname)))
    st.caption(_("Your instructor sees what you hand in, with your nickname; nobody else does. This page's address "
                 "keeps you in the class after a refresh."))
    c1, c2 = st.columns(2)
    for col, key, handle_key, label in ((c1, state.CLASS_HAND_RUN, state.TRAIN_SESSION, N_("Hand in my Train run")),
                                        (c2, state.CLASS_HAND_SERIES, state.TS_SESSION,
                                         N_("Hand in my Time series run"))):
        handle = st.session_state.get(handle_key)
        ready = handle is not None and handle.view.model is not None and handle.view.iteration > 0
        if col.button(_(label), key=key, disabled=not ready,
                      help=_("Its settings, final loss and loss curve go to the board.") if ready
                      else _("Train a model on that page first.")):
            ok, text = hand_in_run(handle)
            _say("success" if ok else "error", text)
            st.rerun()
    st.caption(_("Your lesson record is handed in on the Lessons page."))
    mine = store.my_handins(st.session_state[state.CLASS_MEMBER])
    if mine:
        st.markdown(_("**What you handed in**"))
        st.dataframe([{_("handed in"): figures.when(h.created),
                       _("what"): _(h.summary.get("page", N_("lesson record")) if h.kind == "run"
                                    else N_("lesson record")),
                       _("final loss"): h.summary.get("final loss"), _("iterations"): h.summary.get("iterations"),
                       _("lessons"): h.summary.get("lessons")} for h in mine], hide_index=True)
    if st.button(_("Leave this class"), key=state.CLASS_LEAVE,
                 help=_("This tab stops handing in to it (what you handed in stays on the board).")):
        st.session_state[state.CLASS_MEMBER] = None
        if MEMBER_PARAM in st.query_params:
            del st.query_params[MEMBER_PARAM]
        st.rerun()
    return True


def _join_form(store: Store) -> None:
    st.subheader(_("Join a class"))
    with st.form(state.CLASS_FORM_JOIN):
        code = st.text_input(_("Class code"), key=state.CLASS_CODE_INPUT, max_chars=20,
                             help=_("The code your instructor gives (6 letters and digits)."))
        nick = st.text_input(_("Nickname"), key=state.CLASS_NICK_INPUT, max_chars=40,
                             help=_("How your instructor sees you on the board (plain text, 40 characters at most)."))
        if st.form_submit_button(_("Join"), key=state.CLASS_JOIN, type="primary"):
            try:
                member_id = store.join(code, nick)
            except (ValueError, StoreError) as e:
                _say("error", str(e))
            else:
                st.session_state[state.CLASS_MEMBER] = member_id
                st.query_params[MEMBER_PARAM] = member_id
                _say("success", _("You have joined the class."))
            st.rerun()
