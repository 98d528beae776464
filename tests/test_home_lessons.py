"""Home's path through the lessons: every link opens its page, set up, with the figure it names."""
import pytest

from ui.home.lessons import LESSONS

from helpers import app_figures, open_page


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.title for lesson in LESSONS])
def test_each_lesson_link_opens_its_page_with_its_figure(lesson):
    at = open_page(lesson.page, **lesson.query)
    assert not at.exception
    titles = list(app_figures(at))
    assert any(t.startswith(lesson.figure) for t in titles), (lesson.figure, titles)
    for k, v in lesson.query.items():                      # the settings the link carries are the page's now
        assert at.query_params[k] == v


def test_home_lists_the_lessons_in_the_seeds_order():
    at = open_page("pages/home.py")
    titles = [lesson.title.split(":")[0] for lesson in LESSONS]
    assert titles[0] == "Memory" and titles[-2] == "Generation" and titles[-1] == "Numbers" and len(titles) == 12
    shown = [c.value for c in at.caption]
    assert all(lesson.look_for in shown for lesson in LESSONS)


def test_a_lesson_link_applies_its_settings_in_a_session_that_already_stepped():
    """A link followed later in the same session still applies its settings (not only a session's first URL)."""
    at = open_page("pages/step_through.py")
    at.slider[0].set_value(3).run()
    lesson = next(lesson for lesson in LESSONS if lesson.title == "The loss over time")
    for k, v in lesson.query.items():
        at.query_params[k] = v
    at.run()
    assert at.slider[0].value == 12 and at.session_state["view"] == "Backward"
    assert at.session_state["loss_shape"] == "many_to_many"
