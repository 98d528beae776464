"""RNN Playground: page config, per-session state, navigation."""
import threading

import streamlit as st

from rnn_core import keep_freed_memory
from ui.common import about, charts, classroom, controls, display, guard, heap, i18n, state
from ui.common.i18n import _
from ui.common.driver import training_pool

# the modules every page draws with, imported before the heap is frozen (ui/common/heap.py)
PAGE_MODULES = ["ui.home.sections", "ui.lessons.sections", "ui.step.sections", "ui.train.sections", "ui.lab.sections",
                "ui.generate.sections", "ui.series.sections", "ui.board.sections", "ui.glossary.sections"]


@st.cache_resource(show_spinner=False)
def _started() -> int:
    """Once per server process: freed arrays kept for reuse (rnn_core/_alloc.py), the heap settled
    (ui/common/heap.py), the training workers booting in the background (ui/common/driver.py), so the first
    Train page does not wait for them, and the lessons' heavier defaults computed in a thread of their own."""
    keep_freed_memory()
    frozen = heap.settle(PAGE_MODULES)
    training_pool().start()
    from ui.lessons.screens import warm
    threading.Thread(target=warm, name="rnn-playground-warm-lessons", daemon=True).start()
    return frozen


st.set_page_config(page_title="RNN Playground", page_icon=":material/replay:", layout="wide",
                   menu_items=about.menu_items())
_started()
state.init()
i18n.read_language()
classroom.carry_member()
display.read_present()
display.page_css()

pages = [
    st.Page("pages/home.py", title=_("Home"), icon=":material/home:", default=True),
    st.Page("pages/lessons.py", title=_("Lessons"), icon=":material/school:", url_path="lessons"),
    st.Page("pages/step_through.py", title=_("Step through"), icon=":material/slow_motion_video:",
            url_path="step_through"),
    st.Page("pages/train.py", title=_("Train"), icon=":material/model_training:", url_path="train"),
    st.Page("pages/gradient_lab.py", title=_("Gradient lab"), icon=":material/science:", url_path="gradient_lab"),
    st.Page("pages/generate.py", title=_("Generate"), icon=":material/edit_note:", url_path="generate"),
    st.Page("pages/time_series.py", title=_("Time series"), icon=":material/show_chart:", url_path="time_series"),
    st.Page("pages/class.py", title=_("Class"), icon=":material/groups:", url_path="class"),
    st.Page("pages/glossary.py", title=_("Glossary"), icon=":material/translate:", url_path="glossary"),
]
st.navigation(pages).run()
i18n.picker()                     # every page's sidebar ends with these three
charts.image_format_picker()
controls.shortcuts_toggle()
guard.warn_before_leaving()       # after the page ran: a model it trained counts at once
guard.keep_runs_while_open()      # a run goes on while a tab of its session is open
