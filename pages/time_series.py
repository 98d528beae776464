"""Time series: a recurrent network that reads numbers, predicts the next one, and forecasts on its own outputs."""
import streamlit as st

from ui.common import links, runlinks, state
from ui.common.i18n import _
from ui.series import sections as series

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("time_series", series.LINK)
st.title(_("Time series"))
st.caption(_("A recurrent network reads a series one number at a time and predicts the next number; the loss is "
             "the squared error. Train it live, then let it forecast on its own outputs."))

sess = series.session()           # this session's job: it trains in a worker process; the page reads its views
series.open_links(sess)           # ?run= restores a saved run, ?shared= opens a model link's copy
cfg, data = series.model_and_data(sess)
links.copy_box("time_series", series.LINK)
series.status_and_buttons(sess, cfg, data)
runlinks.write_url(sess, "time_series")   # the run's id in the URL: a refresh restores it
runlinks.status(sess)
series.live_area(sess)
view = sess.view                  # what the buttons left: the rest of this run reads this one view
series.forecast_section(view, cfg.horizon)
series.hidden_section(view)
series.step_section(view)
series.files_section(sess)
