"""The server process's heap: no full collection after every script run, the process's own objects frozen."""
import gc
import tomllib
from pathlib import Path

from ui.common import heap

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_does_not_walk_every_session_after_each_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_settle_freezes_what_lives_as_long_as_the_process():
    before = gc.get_freeze_count()
    try:
        frozen = heap.settle(["ui.common.style", "plotly.graph_objects"])
        assert frozen > before > -1 and gc.get_freeze_count() >= frozen - 100
        assert gc.collect() >= 0                                    # a full pass still runs, over the rest
    finally:
        gc.unfreeze()                                               # the test process's objects go back
