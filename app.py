"""RNN Playground: page config, per-session state, navigation."""
import streamlit as st

from rnn_core import keep_freed_memory
from ui.common import about, charts, guard, state

keep_freed_memory()               # training here: keep freed arrays for the next BPTT step (once per process)

st.set_page_config(page_title="RNN Playground", page_icon=":material/replay:", layout="wide",
                   menu_items=about.menu_items())
state.init()

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/step_through.py", title="Step through", icon=":material/slow_motion_video:",
            url_path="step_through"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/gradient_lab.py", title="Gradient lab", icon=":material/science:", url_path="gradient_lab"),
    st.Page("pages/generate.py", title="Generate", icon=":material/edit_note:", url_path="generate"),
    st.Page("pages/time_series.py", title="Time series", icon=":material/show_chart:", url_path="time_series"),
]
st.navigation(pages).run()
charts.image_format_picker()      # every page's sidebar ends with it
guard.warn_before_leaving()       # after the page ran: a model it trained counts at once
