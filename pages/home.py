"""Home: what an RNN is, the sushi sentence with the demo model's answer, and where to go next."""
import streamlit as st

from ui.common import links, state
from ui.common.i18n import _
from ui.home import sections as home

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("home", home.LINK)
links.copy_box("home", home.LINK)
st.title("RNN Playground")
st.markdown(_(
    "A **recurrent neural network** reads a sentence one token at a time and keeps a *hidden state* "
    "h_t, a vector that summarises everything it has read so far: h_t = f(W_xh x_t + W_hh h_t-1 + b_h). "
    "From h_t it predicts the next token, y_t = softmax(W_hy h_t + b_y), with the same weights at every step."
))

home.demo_answer(home.home_sentence_input())
home.lessons()

st.subheader(_("Where to go"))
st.page_link("pages/step_through.py", label=_("Step through: watch h_t being computed token by token, "
             "with the real numbers, and BPTT carrying the gradient back."), icon=":material/slow_motion_video:")
st.page_link("pages/train.py", label=_("Train: backpropagation through time live, with the gradient norm at every "
             "time step, clipping and a NaN guard."), icon=":material/model_training:")
st.page_link("pages/gradient_lab.py", label=_("Gradient lab: vanishing and exploding gradients, clipping, and why "
             "LSTM and GRU gates remember longer."), icon=":material/science:")
st.page_link("pages/generate.py",
             label=_("Generate: the network writes, reading each token it wrote as its next input."),
             icon=":material/edit_note:")
st.page_link("pages/time_series.py", label=_("Time series: numbers instead of words, a squared-error loss, and a "
             "forecast that reads its own outputs."), icon=":material/show_chart:")
