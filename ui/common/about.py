"""The app's menu (the three dots, top right): what RNN Playground is, and where a school's server sends a
learner for help or to report a problem (RNN_PLAYGROUND_HELP_URL, RNN_PLAYGROUND_ISSUES_URL). Without them the
menu has no help links (Streamlit's own would point to Streamlit's forum, not to this app)."""
from __future__ import annotations

import os
import re

from rnn_core import __version__

from .i18n import N_, _

HELP_URL = "RNN_PLAYGROUND_HELP_URL"
ISSUES_URL = "RNN_PLAYGROUND_ISSUES_URL"

ABOUT = N_("**RNN Playground {version}**: watch a recurrent neural network work. Step through a sentence token "
           "by token with the real numbers, train with backpropagation through time and see the gradient at every "
           "step, and compare the RNN with the LSTM and the GRU. The engine is NumPy; MIT licence. Nothing you type "
           "or upload leaves this server, and nothing is kept after your session ends.")


def _url(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value if re.fullmatch(r"(https?://|mailto:)\S+", value) else None


def menu_items() -> dict:
    """Streamlit's menu: its keys are Streamlit's own names; the About text is in the session's language (English on
    a session's first run, before its language is read)."""
    return {"Get help": _url(HELP_URL), "Report a bug": _url(ISSUES_URL), "About": _(ABOUT).format(version=__version__)}
