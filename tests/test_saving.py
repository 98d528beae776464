"""Nothing lost, something shared, in AppTest: a run saved by Train and Time series and restored from the URL, the
leave question only for what is not saved, a run opened elsewhere, model links, the class board and its
security. The run store here is SQLite in this test session's folder (tests/conftest.py); tests/test_store.py
runs the store itself against SQLite and PostgreSQL."""
import json
import time

import numpy as np
import pytest

from helpers import click, finish_run, open_page

from rnn_core.store import HANDIN_EVERY
from ui.common import saving


def _saved(at, key="train_session", timeout=60.0):
    """Wait until the saver has written the run as it is now, then rerun the page (the status line)."""
    h = at.session_state[key]
    end = time.time() + timeout
    while not saving.saved(h):
        assert time.time() < end, (h.saving, h.view.version)
        time.sleep(0.1)
    at.run()
    assert not at.exception, at.exception
    return h


def _train(at, iterations=20, key="train_session", iters_key="tr_iterations"):
    at.number_input(key=iters_key).set_value(iterations).run()
    click(at, "Train")
    return finish_run(at, key)


def _small_train_page(**query):
    at = open_page("pages/train.py", **query)
    at.select_slider(key="tr_hidden").set_value(16).run()
    at.select_slider(key="tr_lr").set_value(0.01).run()
    return at


def _texts(at) -> str:
    kinds = ("subheader", "markdown", "caption", "success", "warning", "info", "error", "code")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def _unsaved_flag(at) -> bool:
    """What the leave question's flag reads (ui/common/guard.py) for this AppTest's session."""
    from ui.common import guard

    with pytest.MonkeyPatch().context() as mp:
        mp.setattr("streamlit.session_state", {k: at.session_state[k] for k in ("train_session", "ts_session")
                                               if k in at.session_state})
        return bool(guard.unsaved_models())


def test_a_trained_run_comes_back_from_its_address():
    at = _small_train_page()
    assert "run" not in at.query_params                          # nothing trained: nothing saved, no id
    h = _train(at, 20)
    run = at.query_params["run"]
    assert run == h.saving.run_id and len(run) >= 32
    h = _saved(at)
    assert "Saved: this page's address restores the model at iteration 20" in _texts(at)
    assert not _unsaved_flag(at)                                  # saved: leaving asks nothing
    weights = {k: v.copy() for k, v in h.view.model.params.items()}
    losses = h.view.metrics.column("loss").copy()

    again = open_page("pages/train.py", run=run)                  # a refresh: a new session with the same address
    r = again.session_state["train_session"]
    assert "RNN, H=16, 20 iterations so far" in _texts(again)
    assert "Restored the saved run" in _texts(again)
    for k, w in weights.items():
        np.testing.assert_array_equal(r.view.model.params[k], w)
    np.testing.assert_array_equal(r.view.metrics.column("loss"), losses)
    assert len(r.view.runs) == 1 and r.view.runs[0]["to iteration"] == 20
    assert again.select_slider(key="tr_hidden").value == 16 and again.select_slider(key="tr_lr").value == 0.01
    assert not _unsaved_flag(again)
    _train(again, 5)                                              # and it trains on from there, saved again
    h2 = _saved(again)
    assert h2.view.iteration == 25 and again.query_params["run"] == run


def test_a_run_opened_elsewhere_is_not_overwritten_by_the_tab_that_had_it():
    a = _small_train_page()
    _train(a, 10)
    ha = _saved(a)
    run = ha.saving.run_id
    b = open_page("pages/train.py", run=run)                      # another tab (or process) takes it up
    _train(a, 5)                                                  # the first tab trains on: its save is refused
    end = time.time() + 60
    while not ha.saving.superseded:
        assert time.time() < end
        time.sleep(0.1)
    a.run()
    assert "is saved there now" in _texts(a) and a.query_params["run"] != run     # it goes on under a new id
    ha = _saved(a)
    store = saving.run_store()
    assert store.open_run(run).summary["iteration"] == 10         # what the other tab holds is unchanged
    assert store.open_run(ha.saving.run_id).summary["iteration"] == 15
    assert b.session_state["train_session"].view.iteration == 10


def test_a_link_to_a_run_that_is_not_there_changes_nothing_and_shows_no_other_run():
    owner = _small_train_page()
    _train(owner, 5)
    theirs = _saved(owner).saving.run_id
    for wrong in ("x" * 32, theirs[:-2] + "zz"):
        at = open_page("pages/train.py", run=wrong)
        assert "cannot be opened" in _texts(at) and "not in the store" in _texts(at)
        h = at.session_state["train_session"]
        assert h.view.iteration == 0 and h.saving.run_id is None and "run" not in at.query_params
        assert theirs not in _texts(at) and theirs not in json.dumps(dict(at.query_params))


def test_the_leave_question_stays_while_a_save_fails_on_a_full_disk():
    at = _small_train_page()
    store = saving.run_store()
    conn = store.db.conn
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        h = _train(at, 10)
        end = time.time() + 60
        while h.saving.error is None:
            assert time.time() < end
            time.sleep(0.1)
        at.run()
        assert "Not saved: The server's disk is full" in _texts(at) and "Download the model" in _texts(at)
        assert _unsaved_flag(at)
        assert not saving.saved(h)
    finally:
        conn.execute("PRAGMA max_page_count = 1073741823")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_model_link_is_a_copy_on_every_page_and_its_owner_withdraws_it():
    from helpers import app_figures
    from ui.common.lessons import BY_SLUG, lesson_models
    from ui.common.models import SHARED, demo_models

    owner = _small_train_page()
    _train(owner, 10)
    h = _saved(owner)
    click(owner, "Make a link to the model as it is now")
    assert len(h.saving.shares) == 1
    link = h.saving.shares[0]["id"]
    assert f"shared={link}" in _texts(owner)
    frozen = saving.run_store().open_share(link).state

    step = open_page("pages/step_through.py", shared=link)        # another learner, on Step through
    name = step.session_state["model_name"]
    assert name.startswith("Shared: RNN, H=16, 10 iterations")
    assert step.session_state["models"][name].model.hidden_size == 16
    gen = open_page("pages/generate.py", shared=link)
    assert gen.session_state["gen_model"].startswith("Shared: ")
    lesson = open_page("pages/lessons.py", shared=link, lesson="softmax")   # it reads the lessons' sentences
    assert lesson.session_state["ls_model"] == name
    picker = lesson.selectbox(key="ls_model")
    assert picker.value == name and picker.options[:3] == ["Demo RNN", "Demo LSTM", "Demo GRU"]
    assert lesson.query_params["model"] == name and not lesson.session_state["link_problems"]
    again = open_page("pages/lessons.py", **lesson.query_params)  # its address, in a new tab: the same model
    assert again.session_state["ls_model"] == name and not again.session_state["link_problems"]
    assert list(app_figures(lesson))[0].startswith(BY_SLUG["softmax"].figure)
    models = demo_models()                                        # a model of characters does not read them
    models[SHARED + "sonnets"] = models["Demo sonnets (LSTM, characters)"]
    assert lesson_models(models) == ("Demo RNN", "Demo LSTM", "Demo GRU")

    copy = open_page("pages/train.py", shared=link)                # on Train: their own copy, saved as their run
    c = copy.session_state["train_session"]
    assert c.view.iteration == 10 and "your own copy" in _texts(copy)
    _train(copy, 5)
    _saved(copy)
    assert c.saving.run_id not in (None, h.saving.run_id)
    assert saving.run_store().open_share(link).state == frozen    # the original never changes
    assert saving.run_store().open_run(h.saving.run_id).summary["iteration"] == 10

    owner.run()
    click(owner, "Withdraw this link")
    assert h.saving.shares == []
    from streamlit.testing.v1 import AppTest

    from helpers import APP

    late = AppTest.from_file(APP, default_timeout=120)
    late.query_params["shared"] = link
    late.run()                                                    # the first page opened says so
    assert any("does not open: its owner withdrew it" in t.value for t in late.get("toast"))
    late.switch_page("pages/step_through.py").run()
    assert not late.session_state["model_name"].startswith("Shared:")
    assert not any(n.startswith("Shared:") for n in late.session_state["models"])


def test_time_series_saves_and_restores_its_run():
    at = open_page("pages/time_series.py")
    h = _train(at, 30, "ts_session", "ts_iterations")
    h = _saved(at, "ts_session")
    again = open_page("pages/time_series.py", run=h.saving.run_id)
    r = again.session_state["ts_session"]
    assert r.view.iteration == 30 and "30 iterations so far" in _texts(again)
    np.testing.assert_array_equal(r.view.model.params["W_hh"], h.view.model.params["W_hh"])
    assert r.view.evals[-1] == h.view.evals[-1]
    wrong_page = open_page("pages/train.py", run=h.saving.run_id)  # a Time series run on Train: named, not opened
    assert "run of the Time series page" in _texts(wrong_page)


# ----- the class board ---------------------------------------------------------------------------------------
def _create_class(name="Period 3"):
    t = open_page("pages/class.py")
    t.text_input(key="class_name_input").set_value(name)
    next(b for b in t.button if b.label == "Create a class").click().run()
    assert not t.exception
    code = next(m.value for m in t.markdown if "join with the code" in m.value).split("**")[1]
    return t, code, t.query_params["board"]


def _join(code, nickname, page="pages/class.py", at=None):
    s = at or open_page(page)
    if at is not None:
        s.switch_page("pages/class.py").run()
    s.text_input(key="class_code_input").set_value(code)
    s.text_input(key="class_nick_input").set_value(nickname)
    next(b for b in s.button if b.label == "Join").click().run()
    assert not s.exception, s.exception
    return s


def test_a_class_hands_in_and_the_board_shows_each_run_and_the_lesson_answers():
    from ui.common.classroom import hand_in_record
    from ui.lessons.record import Record

    teacher, code, secret = _create_class()
    students = []
    for nick in ("ada", '<img src=x onerror="alert(1)">bo'):
        s = _small_train_page()
        _train(s, 8)
        _join(code, nick, at=s)
        click(s, "Hand in my Train run")
        assert "Handed in your Train run" in _texts(s)
        students.append(s)
    # a lesson record, handed in as the Lessons page would
    rec = Record()
    e = rec.entry("softmax", "Softmax", "Which word?", "japanese", "/?sentence=x")
    rec.answer(e, "=cmd|' /C calc'!A0", False)
    rec.answer(e, "japanese", True)
    with _session(students[0]):
        ok, text = hand_in_record(rec)                             # right after the run: too soon
        assert not ok and "a moment ago" in text
        time.sleep(HANDIN_EVERY)
        ok, text = hand_in_record(rec)
    assert ok and "1 lessons" in text
    teacher.run()
    texts = _texts(teacher)
    assert "Board of Period 3" in texts
    runs = next(d.value for d in teacher.dataframe if "final loss" in d.value.columns and "cell" in d.value.columns)
    assert list(runs["student"]) == ["ada", '<img src=x onerror="alert(1)">bo'] and (runs["iterations"] == 8).all()
    fig = json.loads(teacher.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in fig["data"]]
    assert names == ["ada", "&lt;img src=x onerror=\"alert(1)\"&gt;bo"]      # plain text in Plotly, not markup
    grid = next(d.value for d in teacher.dataframe if "Softmax" in d.value.columns)
    assert grid.loc["ada", "Softmax"] == "right at try 2"
    # the CSV downloads quote a cell a spreadsheet would run
    from ui.board import figures
    board = saving.run_store().board(secret)
    csv = figures.csv_bytes(figures.lessons_frame(board)).decode()
    assert "'=cmd" in csv and "\n=cmd" not in csv and ",=cmd" not in csv
    import pandas as pd
    plain = figures.csv_bytes(pd.DataFrame({"a": ["", "-0.5", "+3", "-x", "@here"]})).decode().splitlines()
    assert plain[1:] == ['""', "-0.5", "+3", "'-x", "'@here"]              # an empty cell and a number stay as they are
    both = figures.students_and_runs(figures.students_frame(board), figures.runs_frame(board))
    assert set(both["student"]) == {m for m, _ in board.members}              # a student with no run is there too
    assert len(figures.curves_frame(board)["run"].unique()) == 2
    # a student sees only their own hand-ins, and never the board
    mine = students[1]
    mine.run()
    assert "ada" not in _texts(mine) and "Board of" not in _texts(mine)


class _session:
    """Call ui.common.classroom as the Lessons page would inside an AppTest's session: with its membership."""

    def __init__(self, at):
        self.at = at

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr("streamlit.session_state", {"class_member": self.at.session_state["class_member"]})
        return self

    def __exit__(self, *exc):
        self.patch.undo()


def test_the_board_opens_only_with_its_secret():
    teacher, code, secret = _create_class("Secret class")
    _join(code, "cy")
    for wrong in (secret[:-1], "x" * 32, code):
        at = open_page("pages/class.py", board=wrong)
        assert "Board of" not in _texts(at) and "does not open" in _texts(at)
        assert "board" not in at.query_params
    ok = open_page("pages/class.py", board=secret)
    assert "Board of Secret class" in _texts(ok) and "cy" in _texts(ok) + str(ok.dataframe[0].value)


@pytest.mark.parametrize("nick, message", [("", "nickname is empty"), ("\u200b\x07 ", "nickname is empty"),
                                           ("dee", "already called dee")])
def test_a_bad_nickname_or_code_gets_a_message(nick, message):
    _, code, _ = _create_class("c")
    _join(code, "dee")
    s = _join(code, nick)
    assert message in _texts(s) and "you are" not in _texts(s)
    s = _join("NOPE99", "eve")
    assert "No class has that code" in _texts(s)


def test_a_run_saved_while_it_went_on_is_saved_again_once_it_ends_at_the_same_version(tmp_path):
    """Stop between two iterations ends a run without changing its weights' version: the save made during the run
    (no run history entry, no snapshots yet) must not count as the run's end."""
    from types import SimpleNamespace

    from rnn_core.store import Settings, Store

    store = Store(Settings(data_dir=tmp_path / "data"))
    saver = saving.Saver.__new__(saving.Saver)                    # its save_if_due alone, without its thread
    saver.store = store
    view = SimpleNamespace(model=object(), version=7, running=True, error=None, iteration=30)
    handle = SimpleNamespace(saving=saving.Saving(run_id="r" * 32), view=view, lost=False, kind="train")
    handle.fetch = lambda what, timeout: (view.version, {"iteration": view.iteration, "label": "RNN",
                                                         "running": view.running}, b"state-%d" % view.running)
    assert saver.save_if_due(handle, now=100.0)
    assert store.open_run(handle.saving.run_id).state == b"state-1"
    assert not saving.saved(handle)
    assert not saver.save_if_due(handle, now=101.0)               # the run goes on: the next save in SAVE_EVERY
    view.running = False                                          # Stop: the same weights, the run has ended
    assert saving.pending(handle) and not saving.saved(handle)
    assert saver.save_if_due(handle, now=101.5)
    assert store.open_run(handle.saving.run_id).state == b"state-0"
    assert saving.saved(handle) and not saving.pending(handle)
    assert not saver.save_if_due(handle, now=200.0)               # nothing changed since
    store.close()


def test_the_lessons_page_hands_the_record_in_to_the_class_this_session_joined():
    from test_lessons_page import _answer, _question, _right, _wrong

    teacher, code, secret = _create_class("Period 5")
    s = open_page("pages/lessons.py", lesson="chain")
    q = _question(s, "chain")
    _answer(s, "chain", q, _wrong(q))
    assert not any(b.key == "lesson_hand_in" for b in s.button)          # not in a class: only where to join one
    assert "Join it on the Class page" in _texts(s)
    _join(code, "<b>ada</b>", at=s)
    s.switch_page("pages/lessons.py").run()
    _answer(s, "chain", q, _right(q))
    button = next(b for b in s.button if b.key == "lesson_hand_in")
    assert button.label == "Hand in to Period 5 as <b>ada</b>"
    button.click().run()
    assert not s.exception, s.exception
    said = " ".join(x.value for x in s.success)
    assert "Handed in to Period 5" in said and "1 lessons" in said, said
    next(b for b in s.button if b.key == "lesson_hand_in").click().run()  # at once again: the store's rate limit
    assert "a moment ago" in " ".join(x.value for x in s.error)
    board = saving.run_store().board(secret)
    [h] = [h for h in board.handins if h.kind == "lessons"]
    assert h.nickname == "<b>ada</b>" and h.summary["right"] == 1
    [row] = h.summary["rows"]
    assert row["lesson"] == "The chain of Jacobians" and row["status"] == "right at try 2"
    assert len(row["answers given"].split(" | ")) == 2                              # the wrong, then the right
    teacher.run()
    grid = next(d.value for d in teacher.dataframe if "The chain of Jacobians" in d.value.columns)
    assert list(grid.index) == ["<b>ada</b>"] and grid.loc["<b>ada</b>", "The chain of Jacobians"] == "right at try 2"


def test_a_model_uploaded_on_train_is_saved_as_a_run_of_its_own():
    """The upload's handler (run by ui/common/uploads.py's desk) starts saving the run it loaded."""
    from ui.train import sections

    at = _small_train_page()
    h = at.session_state["train_session"]
    raw = h.fetch("model_bytes", timeout=60)                       # this page's own untrained model, as a file
    assert h.saving.run_id is None                                 # nothing trained: nothing saved yet
    keys = ("train_session", *sections.state.TRAIN_FIELDS, "tr_text", "tr_file")
    with pytest.MonkeyPatch().context() as mp:
        mp.setattr("streamlit.session_state", {k: at.session_state[k] for k in keys if k in at.session_state})
        writes = sections._continue_from(type("Up", (), {"name": "mine.npz", "getvalue": lambda self: raw})())
    assert writes["tr_upload_result"][0] == "success", writes
    assert h.saving.run_id is not None
    at.run()
    _saved(at)
    summary = saving.run_store().open_run(h.saving.run_id).summary
    assert summary["hidden"] == writes["tr_hidden"] == h.view.model.hidden_size and summary["iteration"] == 0


def test_a_students_place_in_the_class_stays_in_the_address_on_every_page():
    """member= travels from page to page like the language, so a refresh of Train (its run restored by run=) is
    still the joined student's tab and the run can be handed in."""
    from ui.common import state

    at = open_page("pages/train.py", member="m-123")
    assert at.session_state[state.CLASS_MEMBER] == "m-123" and at.query_params["member"] == "m-123"
    at.switch_page("pages/step_through.py").run()
    assert not at.exception and at.query_params["member"] == "m-123"
