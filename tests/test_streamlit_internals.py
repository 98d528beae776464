"""The Streamlit internals the app relies on, each checked where it lives. The [app] extra allows only the
Streamlit minor these pass on; when a new Streamlit moves one, this file names it before a page breaks."""
import re
import tomllib
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parent.parent
TESTED_MINOR = (1, 67)


def test_the_extra_and_the_lock_name_the_streamlit_minor_these_tests_pass_on():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (spec,) = [d for d in project["optional-dependencies"]["app"] if d.startswith("streamlit")]
    major, minor = TESTED_MINOR
    assert spec == f"streamlit>={major}.{minor},<{major}.{minor + 1}", spec
    locked = re.search(r"^streamlit==(\d+)\.(\d+)\.", (ROOT / "requirements.lock").read_text(), re.M)
    assert (int(locked[1]), int(locked[2])) == TESTED_MINOR
    assert tuple(int(x) for x in streamlit.__version__.split(".")[:2]) == TESTED_MINOR, (
        f"Streamlit {streamlit.__version__} is installed; the app is tested on {major}.{minor}")


def test_each_script_run_is_a_thread_named_as_live_py_counts_them():
    """ui/common/live.py counts other sessions' script runs by their thread's name (the training tick yields)."""
    from streamlit.testing.v1 import AppTest

    from ui.common.live import SCRIPT_THREAD

    def script():
        import threading

        import streamlit as st
        st.write(threading.current_thread().name)

    at = AppTest.from_function(script).run()
    assert at.markdown[0].value == SCRIPT_THREAD, (
        f"Streamlit now names its script thread {at.markdown[0].value!r}: update SCRIPT_THREAD in ui/common/live.py")


def test_the_pages_manager_flag_that_state_py_resets():
    """ui/common/state.py leaves the pages/-folder mode of a fresh server's first page run through this flag."""
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in vars(PagesManager), "PagesManager.uses_pages_directory moved"
    assert "uses_pages_directory" in (ROOT / "ui" / "common" / "state.py").read_text()


def test_the_plotly_theme_module_that_style_py_builds_on():
    """ui/common/style.py builds the app's template on Streamlit's (text and grid colours follow the theme)."""
    import plotly.io as pio
    from streamlit.elements.lib.streamlit_plotly_theme import configure_streamlit_plotly_theme

    from ui.common import style

    default = pio.templates.default
    try:
        configure_streamlit_plotly_theme()              # (it makes "streamlit" the default: put ours back after)
        assert "streamlit" in pio.templates
    finally:
        pio.templates.default = default
    theirs = pio.templates["streamlit"].layout.to_plotly_json()
    ours = pio.templates[style.TEMPLATE].layout.to_plotly_json()
    assert theirs and all(ours[k] == v for k, v in theirs.items() if k != "colorway")   # ours is built on theirs


def test_the_config_options_the_deployment_sets_exist():
    """The production profile and the launcher's --embedded name these; a renamed one would be refused at start."""
    from streamlit import config

    from rnn_playground.launch import profile_options

    names = {o.split("=", 1)[0][2:] for o in profile_options(ROOT / ".streamlit" / "production.toml")}
    names |= {"server.xsrfCookieSameSite", "server.cookieSecret", "server.maxUploadSize"}
    options = config.get_config_options()
    assert names <= set(options), names - set(options)
