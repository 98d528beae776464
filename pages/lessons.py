"""Lessons: one idea a screen, a question before its answer, the figure it is about, and a record to hand in."""
import streamlit as st

from ui.common import links, state
from ui.lessons import sections as lessons

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("lessons", lessons.LINK)
lessons.lesson_screen()
st.divider()
lessons.record_section()
lessons.instructor_section()
