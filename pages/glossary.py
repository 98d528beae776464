"""Glossary: the core terms of recurrent networks in six languages."""
import streamlit as st

from ui.common import state
from ui.common.i18n import _
from ui.glossary import sections as glossary

state.init_page()
st.title(_("Glossary"))
st.caption(_("The words of recurrent networks in English, Danish, German, French, Russian and Chinese, with their "
             "symbols: read a tutorial in one language, use the app in another."))
glossary.glossary()
