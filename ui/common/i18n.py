"""The app in six languages: gettext catalogues, the session's language, numbers written the locale's way.

Every text the app shows is an English message marked for translation: ``_("...")`` where it is shown,
``N_("...")`` where it is only defined (a table of titles at import time; translated by ``_()`` where
drawn). Babel extracts the marked messages into ``ui/locales/messages.pot`` and keeps one catalogue per
language in ``ui/locales/<lang>/LC_MESSAGES/messages.po``, compiled to ``.mo`` (``make translations``; the
README's "Add a language"). A message with numbers in it is a template: ``_("{n} steps").format(n=...)``;
the template is translated, the numbers stay computed, and ``num()`` writes them with the locale's decimal
sign.

The language is the session's (``?lang=`` in the URL, the picker in the sidebar, else the browser's
language where the app offers it, else English); a catalogue is read once per server process and only
read after that.
"""
from __future__ import annotations

import contextlib
import contextvars
import gettext
from pathlib import Path

import streamlit as st

from . import state

LANGUAGES = {"en": "English", "da": "Dansk", "de": "Deutsch", "fr": "Français", "ru": "Русский", "zh": "中文"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locales"     # ui/locales (shipped with the app)
DOMAIN = "messages"
URL_PARAM = "lang"
# the decimal sign and the thousands separator each language writes numbers with (CLDR's, as Babel has them)
_SIGNS = {"en": (".", ","), "da": (",", "."), "de": (",", "."), "fr": (",", "\u202f"), "ru": (",", "\u00a0"),
          "zh": (".", ",")}


# a language set for one block of code (a download built after its click, outside the page's run, where the
# session cannot be read): per thread and context, never shared between sessions
_USING: contextvars.ContextVar[str | None] = contextvars.ContextVar("rnn_playground_language", default=None)


@st.cache_resource(show_spinner=False)
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the messages themselves). Pure: read-only once made."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)


def language() -> str:
    """The session's language code (one of LANGUAGES), or the one ``using()`` set for the block running."""
    if _USING.get() is not None:
        return _USING.get()
    try:
        lang = st.session_state.get(state.LANG)
    except Exception:                                   # outside a Streamlit run (a worker thread, the CLI)
        lang = None
    return lang if lang in LANGUAGES else DEFAULT


def _(message: str) -> str:
    """``message`` in the session's language."""
    return catalogue(language()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the session's language (Russian has three)."""
    return catalogue(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for translation where it is defined; ``_()`` translates it where it is shown."""
    return message


@contextlib.contextmanager
def using(lang: str):
    """Translate into ``lang`` inside the block, whatever the session's language (or where there is none)."""
    token = _USING.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _USING.reset(token)


def translator(lang: str | None = None):
    """``_`` bound to one language: for code that must not touch session state after it starts (a widget
    callback doing slow work), read the language first, then translate with the returned function."""
    cat = catalogue(lang or language())
    return lambda message: cat.gettext(message) if message else message


def num(x: float, spec: str = "g", lang: str | None = None) -> str:
    """``format(x, spec)`` with the language's decimal sign and thousands separator (0,25 in da, de, fr, ru)."""
    text = format(x, spec)
    point, group = _SIGNS[lang or language()]
    if (point, group) == (".", ","):
        return text
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


def from_browser(locale: str | None) -> str:
    """The app's language for a browser's ``da-DK``, ``zh-Hans-CN``, ``fr`` ... (English if it has none)."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT


def read_language() -> None:
    """Once per run, before anything is drawn: ``?lang=`` sets the session's language; a session that has
    none takes the browser's; the URL keeps carrying a language that is not English across pages."""
    asked = st.query_params.get(URL_PARAM)
    if asked in LANGUAGES:
        if st.session_state.get(state.LANG) not in (None, asked):
            state.restate_formatted_widgets()           # the same session in another language (an edited address)
        st.session_state[state.LANG] = asked
    elif st.session_state.get(state.LANG) not in LANGUAGES:
        try:
            browser = st.context.locale
        except Exception:                               # no browser (AppTest)
            browser = None
        st.session_state[state.LANG] = from_browser(browser)
    lang = st.session_state[state.LANG]
    state.follow_language(lang)
    if lang != DEFAULT and st.query_params.get(URL_PARAM) != lang:
        st.query_params[URL_PARAM] = lang
    elif lang == DEFAULT and asked is not None and asked != DEFAULT:
        del st.query_params[URL_PARAM]                  # an unknown language: the page is in English
    st.session_state[state.LANG_PICK] = lang


def _on_pick() -> None:
    lang = st.session_state[state.LANG_PICK]
    state.restate_formatted_widgets()                   # before LANG changes: values read with their old labels
    st.session_state[state.LANG] = lang
    state.follow_language(lang)
    if lang == DEFAULT:
        if URL_PARAM in st.query_params:
            del st.query_params[URL_PARAM]
    else:
        st.query_params[URL_PARAM] = lang


def picker() -> None:
    """The language picker in the sidebar: each language named in itself."""
    st.sidebar.selectbox(":material/translate: " + _("Language"), list(LANGUAGES), format_func=LANGUAGES.get,
                         key=state.LANG_PICK, on_change=_on_pick)
