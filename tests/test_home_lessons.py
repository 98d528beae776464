"""Home's path through the lessons: each opens its lesson on the Lessons page, and each lesson's full page opens
with the same figure, set up for the idea."""
import pytest

from ui.common.lessons import LESSONS, LESSONS_PAGE

from helpers import app_figures, open_page


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_each_lessons_full_page_opens_with_its_figure(lesson):
    at = open_page(lesson.page, **lesson.query)
    assert not at.exception
    titles = list(app_figures(at))
    want = lesson.page_figure or lesson.figure
    assert any(t.startswith(want) for t in titles), (want, titles)
    for k, v in lesson.query.items():                      # the settings the link carries are the page's now
        assert at.query_params[k] == v


def test_home_lists_the_lessons_in_the_seeds_order_and_links_each_to_its_screen():
    at = open_page("pages/home.py")
    titles = [lesson.title.split(":")[0] for lesson in LESSONS]
    assert titles[0] == "Memory" and titles[-3] == "Generation" and titles[-1] == "Forecasting on its own outputs"
    assert titles.index("Vanishing and exploding gradients") < titles.index("Why gates help")
    links = [e for e in at.get("page_link")]
    lesson_links = [e.proto for e in links if e.proto.page.endswith("lessons")]
    assert [p.label for p in lesson_links] == [f"{i}. {lesson.title}" for i, lesson in enumerate(LESSONS, 1)]
    assert all(f"lesson={lesson.slug}" in p.query_string for p, lesson in zip(lesson_links, LESSONS))
    assert LESSONS_PAGE == "pages/lessons.py"


def test_a_full_page_link_applies_its_settings_in_a_session_that_already_stepped():
    """A link followed later in the same session still applies its settings (not only a session's first URL)."""
    at = open_page("pages/step_through.py")
    at.slider[0].set_value(3).run()
    lesson = next(lesson for lesson in LESSONS if lesson.slug == "loss-over-time")
    for k, v in lesson.query.items():
        at.query_params[k] = v
    at.run()
    assert at.slider[0].value == 12 and at.session_state["view"] == "Backward"
    assert at.session_state["loss_shape"] == "many_to_many"
