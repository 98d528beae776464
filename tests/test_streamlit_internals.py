"""The one place that names what the app relies on inside Streamlit beyond its public API; it fails loudly when an
upgrade changes any of it.

- ui/common/state.py (_run_inside_the_app): a fresh server's first request for a page file runs it alone, in
  Streamlit's older pages/ mode, until st.navigation is called; the app leaves that mode as st.navigation does,
  by setting PagesManager.uses_pages_directory = False (no public way: the page files stay in pages/).
- ui/common/specs.py (Spec): st.plotly_chart turns a go.Figure into its dict with to_dict()
  (tests/test_figure_specs.py holds that; if it stops, pages still draw, only slower).
- runner.postScriptGC and the other options the profiles set (checked to exist below).
- bench/protocol.py speaks Streamlit's websocket protocol (streamlit.proto, /_stcore/stream).
Everything else goes through public APIs: the live-training workers count no thread names, and the Plotly
template comes from importing streamlit, not from its theme module.
"""
import inspect
import re
import tomllib
from pathlib import Path

import plotly.io as pio
import streamlit
from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent.parent
PINNED = next(line.split("==")[1].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.startswith("streamlit=="))
TESTED_MINOR = (1, 67)


def test_the_pinned_streamlit_is_the_one_these_internals_were_checked_against():
    assert streamlit.__version__ == PINNED == "1.67.0", (
        f"Streamlit {streamlit.__version__} (requirements.txt pins {PINNED}): re-check every internal this module "
        "names, then update the version here")


def test_st_navigation_leaves_the_pages_directory_mode_by_the_flag_the_app_sets():
    import streamlit.commands.navigation as navigation

    assert "uses_pages_directory" in vars(PagesManager)                         # a class attribute ...
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)   # ... st.navigation clears
    from ui.common import state
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(state._run_inside_the_app)


def test_importing_streamlit_registers_its_plotly_template():
    from ui.common import style

    assert "streamlit" in pio.templates and style.TEMPLATE in pio.templates


def test_no_other_streamlit_internal_is_imported_by_the_app():
    allowed = {"ui/common/state.py": {"streamlit.runtime.pages_manager"}}
    for path in [*(ROOT / "ui").glob("**/*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        rel = str(path.relative_to(ROOT))
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["from"], ["import"]) and len(words) > 1 and words[1].startswith("streamlit."):
                module = words[1]
                assert module.startswith("streamlit.testing") or module in allowed.get(rel, set()), f"{rel}: {line}"


def test_the_extra_and_the_lock_name_the_streamlit_minor_these_tests_pass_on():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (spec,) = [d for d in project["optional-dependencies"]["app"] if d.startswith("streamlit")]
    major, minor = TESTED_MINOR
    assert spec == f"streamlit>={major}.{minor},<{major}.{minor + 1}", spec
    locked = re.search(r"^streamlit==(\d+)\.(\d+)\.", (ROOT / "requirements.lock").read_text(), re.M)
    assert (int(locked[1]), int(locked[2])) == TESTED_MINOR


def test_the_config_options_the_app_and_the_deployment_set_exist():
    """The profiles (.streamlit/config.toml, production.toml) and the launcher's --embedded name these; a renamed
    one would be refused, or silently ignored, at start."""
    from streamlit import config

    from rnn_playground.launch import profile_options

    names = {o.split("=", 1)[0][2:] for o in profile_options(ROOT / ".streamlit" / "production.toml")}
    names |= {o.split("=", 1)[0][2:] for o in profile_options(ROOT / ".streamlit" / "config.toml")}
    names |= {"server.xsrfCookieSameSite", "server.cookieSecret", "server.maxUploadSize"}
    options = config.get_config_options()
    assert names <= set(options), names - set(options)
