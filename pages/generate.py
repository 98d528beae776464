"""Generate: one-to-many. The network writes, reading each token it wrote as its next input."""
import streamlit as st

from ui.common import links, state
from ui.common.i18n import _
from ui.generate import sections as gen

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("generate", gen.LINK)
st.title(_("Generate"))
st.caption(_("One-to-many: after the prompt, each output token is fed back as the next input. Pick greedy or "
             "sampled decoding and see, for every token, the distribution it was drawn from."))

links.copy_box("generate", gen.LINK)
entry, prompt = gen.settings()
gen.output(entry, prompt)
