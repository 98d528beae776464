"""Home: what an RNN is, the sushi sentence with the demo model's answer, and where to go next."""
import streamlit as st

from ui import figures, frames, state
from ui.controls import validate_sentence
from ui.text import md_escape

state.init()                      # also when a deep link is a fresh server's first request
st.title("RNN Playground")
st.markdown(
    "A **recurrent neural network** reads a sentence one token at a time and keeps a *hidden state* "
    "h_t, a vector that summarises everything it has read so far: h_t = f(W_xh x_t + W_hh h_t-1 + b_h). "
    "From h_t it predicts the next token, y_t = softmax(W_hy h_t + b_y), with the same weights at every step."
)

entry = st.session_state[state.MODELS][state.DEFAULT_MODEL]
text = st.text_input("Sentence", key=state.HOME_SENTENCE, max_chars=20_000,
                     help="Type anything; the demo RNN was trained on sentences about dishes and cuisines.")
error = validate_sentence(text, entry)
if error:
    st.warning(error)
else:
    ids = entry.vocab.encode(text)
    probs = entry.model.forward(ids).probs[-1]
    unknown = entry.vocab.unknown_tokens(text)
    if unknown:
        st.info("The demo model never saw " + ", ".join(f"“{md_escape(w)}”" for w in unknown[:12])
                + "; it reads such words as `<unk>`.")
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
