"""A test-only Streamlit script that raises an exception no page foresaw (tests/test_browser.py serves it from
the project's root, so the project's .streamlit/config.toml applies). Never part of the app."""
import streamlit as st

st.title("Before the error")
raise RuntimeError("a secret detail from /srv/rnn-playground")
