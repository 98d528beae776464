"""Class: an instructor's board of the class's runs and lesson answers; students join with a code and hand in."""
import streamlit as st

from ui.board import sections as board
from ui.common import state
from ui.common.i18n import _

state.init_page()                 # also when a link (a board's, a join code's) is a fresh server's first request
board.read_links()
st.title(_("Class"))
st.caption(_("An instructor creates a class and gets a code for the students and a secret link to the board; "
             "students join with the code and a nickname and hand in their runs and lesson records."))

store = board.store_ready()
if store is not None:
    board.show_note()
    teaching = board.instructor_board(store)
    joined = False if teaching else board.student_area(store)
    board.create_class_box(store, expanded=not teaching and not joined)
