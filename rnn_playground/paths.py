"""Where the app's files are: inside the installed package, or at a checkout's top level."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def app_dir() -> Path:
    """The folder that holds ``app.py``, ``pages/``, ``ui/`` and ``.streamlit/``."""
    packaged = files(__package__) / "app"
    if isinstance(packaged, Path) and (packaged / "app.py").is_file():
        return packaged
    if (CHECKOUT / "app.py").is_file() and (CHECKOUT / "ui").is_dir():
        return CHECKOUT
    raise FileNotFoundError("the app's files are missing: neither rnn_playground/app/app.py in the installed package "
                            f"nor {CHECKOUT / 'app.py'} in a checkout (reinstall rnn-playground)")
