"""The glossary page's table: one row a term, the session's language first."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.common import state
from ui.common.i18n import LANGUAGES, _, language, ngettext

from .terms import LANGS, TERMS


def table(lang: str, find: str = "") -> pd.DataFrame:
    """The terms as a table: the symbols in both notations, the term in ``lang`` then in the other five, and
    the explanation in the session's language; only rows with ``find`` in any column when it is given."""
    order = [lang, *(code for code in LANGS if code != lang)]
    rows = []
    for symbol, uvw, names, explanation in TERMS:
        by_lang = dict(zip(LANGS, names))
        rows.append({_("Symbol"): symbol, _("U, W, V notation"): uvw,
                     **{LANGUAGES[code]: by_lang[code] for code in order}, _("What it means"): _(explanation)})
    df = pd.DataFrame(rows)
    if find.strip():
        needle = find.strip().lower()
        df = df[df.apply(lambda row: any(needle in str(v).lower() for v in row), axis=1)]
    return df


def glossary() -> None:
    """A filter box and the table."""
    find = st.text_input(_("Find a term (in any language)"), key=state.GLOSSARY_FIND, max_chars=80)
    df = table(language(), find)
    if df.empty:
        st.info(_("No term contains “{text}”.").format(text=find.strip()))
        return
    wide = {name: st.column_config.TextColumn(width="medium") for name in LANGUAGES.values()}
    wide[_("What it means")] = st.column_config.TextColumn(width="large")
    st.dataframe(df, hide_index=True, width="stretch", height=min(38 * (len(df) + 1), 1200), column_config=wide)
    st.caption(ngettext("{n} term.", "{n} terms.", len(df)).format(n=len(df)) + " "
               + _("The symbol columns show this app's notation (h_t, W_xh, W_hh, W_hy) and the U, W, V notation "
                   "with S_t and O_t that some tutorials use."))
