"""Step through: read a sentence token by token, forward and backward in time."""
import streamlit as st

from ui.common import links, state
from ui.common import analysis
from ui.common.i18n import _
from ui.step import controls
from ui.step import sections as views

state.init_page()                 # also when a deep link is a fresh server's first request
state.read_url()
st.title(_("Step through"))
links.show_problems()          # what the link carried that could not be used
st.caption(_("Pick a model, type a sentence, then step through time: every number comes from the NumPy engine."))

c1, c2 = st.columns([1, 2])
with c1:
    entry = controls.model_picker()
with c2:
    sentence = controls.sentence_input()
no_recurrence = controls.recurrence_toggle()
if no_recurrence:
    entry = analysis.without_recurrence(entry)

a = analysis.analyse(entry, sentence)
views.recurrence_note(entry, a, no_recurrence)
views.unknown_note(a)
views.step_area(entry, a, sentence)
st.divider()
views.memory_probe(entry, a)
