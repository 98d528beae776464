"""Home: what an RNN is, the sushi sentence with the demo model's answer, and where to go next."""
import streamlit as st

from ui import controls, figures, frames, state
from ui.text import word_list

state.init_page()                 # also when a deep link is a fresh server's first request
st.title("RNN Playground")
st.markdown(
    "A **recurrent neural network** reads a sentence one token at a time and keeps a *hidden state* "
    "h_t, a vector that summarises everything it has read so far: h_t = f(W_xh x_t + W_hh h_t-1 + b_h). "
    "From h_t it predicts the next token, y_t = softmax(W_hy h_t + b_y), with the same weights at every step."
)

entry = st.session_state[state.MODELS][state.DEFAULT_MODEL]
text = controls.home_sentence_input()
probs = entry.model.forward(entry.vocab.encode(text)).probs[-1]
unknown = entry.vocab.unknown_tokens(text)
if unknown:
    st.info(f"The demo model never saw {word_list(unknown)}; it reads such words as `<unk>`.")
st.plotly_chart(figures.next_token_figure(frames.top_k_frame(probs, entry.vocab.tokens, k=8)),
                width="stretch", key="home_next_token")
st.caption("The demo RNN's guess for the next word. After “sushi … cuisine is” it says japanese: "
           "it kept the dish in its hidden state across six tokens.")

st.subheader("Where to go")
st.page_link("pages/step_through.py", label="Step through: watch h_t being computed token by token, "
             "with the real numbers, and BPTT carrying the gradient back.", icon=":material/slow_motion_video:")
st.page_link("pages/train.py", label="Train: backpropagation through time live, with the gradient norm at every "
             "time step, clipping and a NaN guard.", icon=":material/model_training:")
st.page_link("pages/gradient_lab.py", label="Gradient lab: vanishing and exploding gradients, clipping, and why "
             "LSTM and GRU gates remember longer.", icon=":material/science:")
