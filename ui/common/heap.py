"""The server process's heap, set once per process: a click never pays for walking every object.

Streamlit's own full collection after every script run is off (``runner.postScriptGC`` in
.streamlit/config.toml): it walked every object of every session in the process, so a click cost more
the more sessions there were. Python's generational collector still runs on its own; ``settle`` imports
what the pages draw with, collects once, and freezes what is left (modules, Plotly's validators, the
template), so the collector's full passes walk only the sessions' own objects from then on.
"""
from __future__ import annotations

import gc
import importlib


def settle(modules: list[str]) -> int:
    """Import ``modules``, collect once and freeze every object alive; returns how many were frozen.

    Call it once per process, before sessions hold much (app.py does, through st.cache_resource): a
    frozen object is never collected as part of a cycle, so only what lives as long as the process
    belongs there (the first session's few objects of that moment are the bounded exception).
    """
    for name in modules:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
