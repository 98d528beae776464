"""Train: BPTT live, with the loss and the gradient norm at every time step as they happen."""
import streamlit as st

from ui import state
from ui import train_views as tv

state.init_page()                 # also when a deep link is a fresh server's first request
st.title("Train")
st.caption("Train a recurrent network with backpropagation through time and watch the gradient at every step. "
           "Learning rate, optimizer and clipping apply to the running model at once.")

sess = tv.session()
cfg, text, problem = tv.sidebar_config()
data = tv.data_for(cfg, text, problem, sess)
if data is None and sess.data is None:                  # first visit with unusable data: start on the corpus
    from ui.training import TrainConfig, build_data
    data = build_data(TrainConfig())
if sess.model is None:
    sess.reset_weights(cfg, data)
    tv.publish(sess)

reasons = sess.needs_new_weights(cfg, data) if data is not None else []
if reasons:
    st.info(f"Changing the {', '.join(reasons)} needs new weights: **Train** starts from fresh weights "
            "(the current model stays until then).")
elif data is not None and sess.running:
    sess.apply_live(cfg, data)

shown = data or sess.data
st.markdown(f"**Data:** {shown.n_tokens:,} tokens per pass, vocabulary {len(shown.vocab):,}. "
            f"**Model:** {sess.model.cell.upper()}, H={sess.model.hidden_size}, {sess.iteration:,} iterations so far.")

c1, c2, c3 = st.columns(3)
if c1.button("Train", type="primary", width="stretch", disabled=data is None):
    if reasons:
        sess.reset_weights(cfg, data)
    else:
        sess.apply_live(cfg, data)
    sess.start(cfg.iterations)
if c2.button("Stop", width="stretch"):
    sess.stop()
if c3.button("Reset weights", width="stretch", disabled=data is None):
    sess.stop()
    sess.reset_weights(cfg, data)
    tv.publish(sess)

tv.live_area(sess)
tv.history_section(sess)
tv.runs_section(sess)
tv.files_section(sess)
