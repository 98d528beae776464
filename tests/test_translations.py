"""The catalogues: every message of the app in every language, its placeholders kept, compiled as committed."""
import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ui.common.i18n import LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
OTHER = [code for code in LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z_0-9]*)(?:[^{}]*)\}(?!\})")
PLURAL_FORMS = {"da": 2, "de": 2, "fr": 2, "ru": 3, "zh": 1}


def _catalogue(code: str):
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


def _template():
    with open(LOCALE_DIR / "messages.pot", "rb") as f:
        return read_po(f)


def _ids(catalog) -> set:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _extracted() -> set:
    """What the code marks today (the extraction `make translations` runs)."""
    found = set()
    for path in ("app.py", "pages", "ui"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT, method_map=[(f"{path}/**.py" if path != "app.py" else "app.py", "python")],
                keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_template_holds_every_message_the_code_marks():
    missing = _extracted() - _ids(_template())
    assert not missing, f"run `make translations`: {sorted(missing)[:5]}"


@pytest.mark.parametrize("code", OTHER)
def test_every_message_has_a_translation(code):
    cat = _catalogue(code)
    untranslated = [m.id for m in cat if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))
                                                   or m.fuzzy)]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert _ids(_template()) <= _ids(cat)


@pytest.mark.parametrize("code", OTHER)
def test_every_placeholder_survives(code):
    """A translation names exactly the placeholders of its message (a lost {n} would show a wrong sentence, a
    new one would raise KeyError on screen)."""
    bad = []
    for m in _catalogue(code):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        forms = [set(PLACEHOLDER.findall(s)) for s in strings]
        if any(f - want for f in forms) or set().union(*forms) != want:
            bad.append((ids[0], strings))
    assert not bad, f"{code}: {bad[:3]}"


@pytest.mark.parametrize("code", OTHER)
def test_plural_messages_have_the_languages_forms(code):
    for m in _catalogue(code):
        if m.id and isinstance(m.id, tuple):
            assert len(m.string) == PLURAL_FORMS[code], (code, m.id[0])


@pytest.mark.parametrize("code", OTHER)
def test_the_compiled_catalogue_is_the_committed_one(code):
    """The .mo the app reads says what the .po says (`make translations` compiles it)."""
    buf = io.BytesIO()
    write_mo(buf, _catalogue(code))
    fresh = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "messages.mo", "rb") as f:
        committed = gettext.GNUTranslations(f)
    assert fresh._catalog == committed._catalog


@pytest.mark.parametrize("code", OTHER)
def test_a_translated_message_formats_with_its_values(code):
    """Every translated template takes the values its English one takes."""
    from ui.common.i18n import catalogue

    cat = catalogue(code)
    for m in _template():
        if not m.id or isinstance(m.id, tuple):
            continue
        names = set(PLACEHOLDER.findall(m.id))
        if not names or "{{" in m.id:
            continue
        values = {n: 1 for n in names}
        try:
            m.id.format(**values)
        except (ValueError, IndexError, KeyError):
            continue                                  # not a str.format template (a literal brace)
        cat.gettext(m.id).format(**values)
