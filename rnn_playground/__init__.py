"""RNN Playground as an installed package: the ``rnn-playground`` command that starts the app
(``rnn_playground.launch``) and the app's figures for a notebook (``rnn_playground.figures``).

The engine is ``rnn_core``; the app's own files (``app.py``, ``pages/``, ``ui/``, ``.streamlit/``) sit at a
checkout's top level and inside this package (``rnn_playground/app``) in a wheel.
"""
from rnn_core import __version__

__all__ = ["__version__"]
