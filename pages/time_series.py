"""Time series: a recurrent network that reads numbers, predicts the next one, and forecasts on its own outputs."""
import streamlit as st

from ui.common import links, state
from ui.series import sections as series

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("time_series", series.LINK)
st.title("Time series")
st.caption("A recurrent network reads a series one number at a time and predicts the next number; the loss is "
           "the squared error. Train it live, then let it forecast on its own outputs.")

sess = series.session()
with sess.exclusive():            # this script run alone touches the run (a stale one may still be training)
    cfg, data = series.model_and_data(sess)
    links.copy_box("time_series", series.LINK)
    series.status_and_buttons(sess, cfg, data)
    series.live_area(sess)
    series.forecast_section(sess, cfg.horizon)
    series.hidden_section(sess)
    series.step_section(sess)
    series.files_section(sess)
