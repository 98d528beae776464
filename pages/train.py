"""Train: BPTT live, with the loss and the gradient norm at every time step as they happen."""
import streamlit as st

from ui.common import links, runlinks, state
from ui.common.i18n import _
from ui.train import sections as train

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("train", train.LINK)
st.title(_("Train"))
st.caption(_("Train a recurrent network with backpropagation through time and watch the gradient at every step. "
             "Learning rate, optimizer and clipping apply to the running model at once."))

sess = train.session()            # this session's job: it trains in a worker process; the page reads its views
train.open_links(sess)            # ?run= restores a saved run, ?shared= opens a model link's copy
cfg, data = train.model_and_data(sess)
links.copy_box("train", train.LINK)
train.status_and_buttons(sess, cfg, data)
runlinks.write_url(sess, "train")   # the run's id in the URL: a refresh restores it
runlinks.status(sess)
view = sess.view                  # what the buttons left: the rest of this run reads this one view
train.settle(view)
train.live_area(sess)
train.history_section(view)
train.runs_section(view)
train.files_section(sess)
