"""The Lessons page in AppTest: every lesson opens by its link with its figure, its question checks a right and a
wrong answer (the reason, a hint), the record lists both, the questions follow the model on screen, and the
instructor's worksheet and answer key are complete."""
import re

import pytest

from ui.common.lessons import BY_SLUG, LESSONS
from ui.lessons.questions import Question

from helpers import app_figures, open_page

PAGE = "pages/lessons.py"


def _question(at, slug: str) -> Question:
    """The question the page asked, rebuilt from the same screen (the page shows its prompt)."""
    from ui.lessons.screens import SCREENS, Defaults
    from ui.common.models import demo_models

    q = SCREENS[slug](Defaults(demo_models())).question
    shown = " ".join(m.value for m in at.markdown)
    assert q.prompt.replace("*", "")[:60] in shown.replace("\\", ""), (q.prompt, shown[:400])
    return q


def _wrong(q: Question):
    if q.kind == "choice":
        return next(o for o in q.options if o != q.answer)
    if q.kind == "step":
        right = q.answer if isinstance(q.answer, tuple) else (q.answer,)
        return next(s for s in range(1, len(q.options) + 1) if s not in right)
    return float(q.answer) + 10 * q.tolerance + 1.0


def _right(q: Question):
    if q.kind == "step":
        return q.answer[0] if isinstance(q.answer, tuple) else q.answer
    return q.answer


def _answer(at, slug: str, q: Question, value):
    key = f"ls_answer_{slug}"
    widget = {"choice": at.radio, "step": at.pills, "number": at.number_input}[q.kind](key=key)
    widget.set_value(value)
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("slug", list(BY_SLUG))
def test_each_lesson_opens_by_its_link_with_its_figure_and_checks_answers(slug):
    at = open_page(PAGE, lesson=slug)
    assert not at.exception, at.exception
    assert list(app_figures(at))[0].startswith(BY_SLUG[slug].figure)
    assert at.query_params["lesson"] == slug
    q = _question(at, slug)
    _answer(at, slug, q, _wrong(q))
    said = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Not quite. Hint:" in said and q.hint[:40] in said, said
    assert not at.success                                           # a wrong answer gets a hint, not the answer
    _answer(at, slug, q, _right(q))
    right = " ".join(s.value for s in at.success).replace("\\", "")
    assert right.startswith("Right.") and q.reason[:40] in right, right
    rec = at.session_state["lesson_record"][slug]
    assert len(rec.attempts) == 2 and rec.right and not rec.right_first


def test_a_right_first_answer_and_a_shown_answer_are_recorded_apart_and_downloaded():
    from ui.lessons.record import Record

    at = open_page(PAGE, lesson="chain")
    q = _question(at, "chain")
    _answer(at, "chain", q, q.answer)
    assert at.success[0].value.startswith("Right at the first try.")
    next(b for b in at.button if b.label.startswith("Forward") or b.key == "lesson_next").click().run()
    assert at.session_state["lesson"] == "vanishing"
    next(b for b in at.button if b.label == "Show me the answer").click().run()
    assert at.info and "The answer:" in at.info[0].value
    rec: Record = at.session_state["lesson_record"]
    assert rec["chain"].status == "right at the first try" and rec["vanishing"].status == "answer shown"
    md, csv = rec.to_markdown("Ada", len(LESSONS)), rec.to_csv()
    assert "of Ada" in md and "1 of 21 lessons answered right, 1 of them at the first try" in md
    assert "lesson=chain" in md and "lesson=vanishing" in md                          # the settings used, as links
    assert csv.splitlines()[0].startswith("lesson,question,answers given,expected,status")
    assert "answer shown" in csv and "right at the first try" in csv


def test_every_lesson_has_previous_and_next_in_the_seeds_order():
    at = open_page(PAGE, lesson=LESSONS[0].slug)
    seen = [at.session_state["lesson"]]
    for _ in range(len(LESSONS) - 1):
        next(b for b in at.button if b.key == "lesson_next").click().run()
        assert not at.exception, at.exception
        seen.append(at.session_state["lesson"])
    assert seen == [lesson.slug for lesson in LESSONS]
    assert not [b for b in at.button if b.key == "lesson_next"]
    next(b for b in at.button if b.key == "lesson_previous").click().run()
    assert at.session_state["lesson"] == LESSONS[-2].slug


def test_the_questions_follow_the_model_on_screen():
    from rnn_core.cuisine import PROMPT
    from rnn_core.cuisines import PROBE_DISHES, PROMPTS
    from ui.common.i18n import using
    from ui.common.lessons import TOKEN_MODELS
    from ui.common.models import demo_models
    from ui.common.state import demo_model
    from ui.lessons import compute as C

    models = demo_models()
    rnn, lstm = models["Demo RNN"], models["Demo LSTM"]
    a = C.feed_forward_question(rnn.model, 12)
    b = C.feed_forward_question(lstm.model, 12)
    assert a.answer != b.answer                                     # its own H and V, and the LSTM's four gates
    assert C.chain_question(rnn.model, C.read(rnn.model, rnn.vocab, PROMPT)).answer == 11
    assert C.chain_question(rnn.model, C.read(rnn.model, rnn.vocab, PROMPT + " japanese")).answer == 12
    memory = {name: C.memory(models[name].model, models[name].vocab, PROMPT, "pizza").question.answer
              for name in TOKEN_MODELS}
    assert set(memory.values()) == {"italian"}                      # the demo models remember the dish
    for code in ("da", "de", "fr", "ru", "zh"):                     # ... and each language's, in its own sentence
        m, (_, dish, answer) = models[demo_model(code)], PROBE_DISHES[code]
        with using(code):
            assert C.memory(m.model, m.vocab, PROMPTS[code], dish.lower()).question.answer == answer, code
    r = C.read(rnn.model, rnn.vocab, PROMPT)
    assert C.truncation_question(r, 5, 4).answer == "no" and C.truncation_question(r, 8, 4).answer == "yes"
    s1, s2 = (C.softmax_question(rnn.vocab, r, t).answer for t in (4, 12))
    assert s1 != s2
    # on the page: another model, another expected answer (and a fresh entry in the record)
    at = open_page(PAGE, lesson="why-not-feed-forward")
    before = _question(at, "why-not-feed-forward").answer
    at.selectbox(key="ls_model").set_value("Demo LSTM").run()
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "The LSTM has H = " in shown and str(b.answer) not in shown
    _answer(at, "why-not-feed-forward", b, b.answer)
    assert at.success and before != b.answer


def test_the_lab_lessons_follow_their_controls():
    from ui.common import lab_compute as lab
    from ui.lessons import compute as C

    low = lab.jacobian_lab(0.5, "tanh", 40, 5.0, 5.0)
    high = lab.jacobian_lab(1.5, "tanh", 40, 5.0, 5.0)
    assert C.vanishing_question(low.table, 40).kind == "step"
    assert C.vanishing_question(high.table, 40).answer == "no"
    closed = lab.jacobian_lab(0.9, "tanh", 40, -3.0, -3.0)
    open_q = C.gates_help_question(lab.jacobian_lab(0.9, "tanh", 40, 5.0, 5.0))
    assert open_q.answer == "the LSTM's forget gates alone"   # 0.99^39 against the RNN's product of Jacobians
    assert open_q.facts["forget_path"] > 10 * open_q.facts["at_step_1"]["RNN"]
    shut = C.gates_help_question(closed)
    assert shut.answer == "the RNN's path: W_hh and tanh' at every step"   # gates shut: the gate's path vanishes
    assert shut.facts["forget_path"] < shut.facts["at_step_1"]["RNN"] / 2


def test_the_worksheet_and_its_answer_key_are_complete():
    from ui.common.models import demo_models
    from ui.lessons import worksheet

    models = demo_models()
    sheet, key = worksheet.markdown(models, False), worksheet.markdown(models, True)
    assert sheet.count("\n## ") == key.count("\n## ") == len(LESSONS)
    assert "**Answer:**" not in sheet and key.count("**Answer:**") == len(LESSONS)
    for text in (sheet, key, worksheet.html(models, False), worksheet.html(models, True)):
        assert not re.search(r"\{[a-z_]+\}|None|nan|TODO|placeholder", text), re.search(
            r"\{[a-z_]+\}|None|nan|TODO|placeholder", text)
    for i, (lesson, q) in enumerate(worksheet.questions(models), 1):
        assert f"## {i}. {lesson.title}" in key and q.answer_text() in key and q.prompt in sheet
    html = worksheet.html(models, True)
    assert html.startswith("<!doctype html>") and "break-inside: avoid" in html and "<script" not in html



# ----- what a student found using the lessons -------------------------------------------------------------------
def test_the_squared_error_question_takes_its_numbers_from_the_screen_and_refuses_far_answers():
    from ui.lessons import compute as C
    from ui.lessons.screens import trained_sine

    d = trained_sine()
    q = C.squared_error_question(d["values"], d["pred"], d["split"])
    p, y = (float(x) for x in re.findall(r"(?:predicts|value is) (-?\d+(?:\.\d+)?(?:e-?\d+)?)", q.prompt))
    assert q.answer == pytest.approx((p - y) ** 2, rel=1e-12)          # what the learner computes from the prompt
    assert q.answer > 1e-4                                            # the step furthest off: not a rounding error
    assert q.accepts(q.answer * 1.03) and q.accepts(q.answer * 0.97)
    assert not q.accepts(0) and not q.accepts(q.answer * 14) and not q.accepts(q.answer / 2)


def test_an_answered_question_stays_in_the_record_when_a_control_changes_it_and_empty_cells_stay_empty():
    from ui.lessons.record import Record

    rec = Record()
    e = rec.entry("why-gates-help", "Why gates help", "question at bias 5", "LSTM", "link5")
    rec.answer(e, "LSTM", True)
    rec.entry("why-gates-help", "Why gates help", "question at bias -3", "RNN", "link-3")   # the slider moved
    assert rec.answered == 1 and rec.first_try == 1 and rec.lessons == 1
    rows = rec.rows()
    assert [r["status"] for r in rows] == ["not answered", "right at the first try"]
    csv_text = rec.to_csv()
    assert "'" not in csv_text                                        # no quote put before an empty cell
    rec.answer(rec["why-gates-help"], "-3 is RNN", False)             # a cell that a spreadsheet would run
    assert "'-3 is RNN" in rec.to_csv()


def test_the_lesson_questions_a_student_could_not_answer_from_the_screen():
    from ui.common import lab_compute as lab
    from ui.common.models import demo_models
    from ui.lessons import compute as C
    from ui.lessons.screens import PROMPT

    entry = demo_models()["Demo RNN"]
    r = C.read(entry.model, entry.vocab, PROMPT)
    q = C.one_input_per_step(r)
    d = q.facts["changes"]
    assert "after the first step the least is step" in q.reason
    low = int(re.search(r"the least is step (\d+)", q.reason).group(1))
    assert low >= 2 and d[low - 1] == pytest.approx(d[1:].min())
    v = C.vanishing_question(lab.jacobian_lab(0.7, "tanh", 40, 5.0, 5.0).table, 40)
    k = int(re.match(r"Step (\d+)", v.reason).group(1))
    assert v.answer == (k - 1, k, k + 1) and v.accepts(k + 1) and not v.accepts(k + 2)


@pytest.mark.parametrize("slug, held", [("why-gates-help", "The numbers once you answer"),
                                        ("lag-sweep", "What the curves say, once you answer"),
                                        ("forecasting", "How far it is off, once you answer"),
                                        ("why-not-feed-forward", "their numbers once you answer")])
def test_a_caption_that_tells_the_answer_waits_for_it(slug, held):
    at = open_page(PAGE, lesson=slug)
    q = _question(at, slug)
    captions = lambda: " ".join(c.value for c in at.caption).replace("\\", "")   # noqa: E731
    assert held in captions()
    if slug == "why-not-feed-forward":
        assert f"{q.answer:,}" not in str(list(app_figures(at).values())[0])
    _answer(at, slug, q, _right(q))
    assert held not in captions()
    if slug == "why-not-feed-forward":
        assert f"{q.answer:,}" in str(list(app_figures(at).values())[0])
