"""The app in the tutorials' languages (AppTest): ?lang= and the picker, each language's sentence and demo model,
a switch that keeps what the learner did, the glossary."""
import numpy as np
import pytest

from rnn_core.cuisines import ANSWERS, PROMPTS
from rnn_core.io import load_model
from ui.common import state
from ui.common.i18n import from_browser, num, using
from ui.common.models import DEMO_DIR

from helpers import app_figures, open_page

STEP_PAGE = "pages/step_through.py"


def _open(path: str, lang: str):
    """AppTest opens a page with ?lang=; AppTest itself formats a widget's options again between runs, outside
    the script (where the session's language cannot be read): it does so in the same language."""
    with using(lang):
        return open_page(path, lang=lang)


def _top_word(at) -> str:
    """The first bar of the next-token chart (whatever its title says in this language)."""
    for fig in app_figures(at).values():
        tr = fig["data"][0] if fig.get("data") else {}
        if tr.get("type") == "bar" and tr.get("orientation") == "h":
            return tr["y"][0]
    raise AssertionError("no next-token chart")


@pytest.mark.parametrize("code", ["fr", "zh"])
def test_a_language_in_the_link_opens_its_own_sentence_and_demo_model(code):
    at = _open("pages/home.py", code)
    assert at.session_state[state.LANG] == code
    assert at.text_input(key=state.HOME_SENTENCE).value == PROMPTS[code]
    assert _top_word(at) == ANSWERS[code]
    assert at.query_params["lang"] == code


def test_step_through_in_french_reads_the_french_sentence_with_the_french_model():
    at = _open(STEP_PAGE, "fr")
    assert at.session_state[state.MODEL] == "Demo RNN (Français)"
    assert at.session_state[state.SENTENCE] == PROMPTS["fr"]
    model, vocab = load_model(DEMO_DIR / "demo_rnn_fr.npz")
    probs = model.forward(vocab.encode(PROMPTS["fr"])).probs[-1]
    assert vocab.tokens[int(np.argmax(probs))] == "japonaise"


def test_chinese_is_stepped_through_a_character_at_a_time():
    at = _open(STEP_PAGE, "zh")
    assert at.session_state[state.MODEL] == "Demo RNN (中文)"
    T = len(PROMPTS["zh"])                      # every character is a token (no spaces in the sentence)
    assert at.slider(key=state.STEP).max == T


def test_switching_language_keeps_what_the_learner_typed_and_follows_the_defaults(monkeypatch):
    """What the picker does (the picker itself is clicked in the browser tests): the old language's defaults
    become the new one's, anything the learner chose stays."""
    from types import SimpleNamespace

    session = dict(state.DEFAULTS)
    monkeypatch.setattr(state, "st", SimpleNamespace(session_state=session))
    typed = "My favourite dish is pizza. So, my favourite cuisine is"
    session[state.HOME_SENTENCE] = typed
    state.follow_language("de")
    assert session[state.SENTENCE] == PROMPTS["de"] and session[state.MODEL] == "Demo RNN (Deutsch)"
    assert session[state.LS_DISH] == "pizza" and session[state.GEN_PROMPT] == "Mein Lieblingsgericht ist"
    assert session[state.HOME_SENTENCE] == typed                     # typed by the learner: stays
    session[state.MODEL] = "Demo LSTM"                               # chosen by the learner: stays
    state.follow_language("zh")
    assert session[state.SENTENCE] == PROMPTS["zh"] and session[state.MODEL] == "Demo LSTM"
    assert session[state.LS_MODEL] == "Demo RNN (中文)" and session[state.LS_DISH] == "披萨"
    state.follow_language("en")
    assert session[state.SENTENCE] == PROMPTS["en"] and session[state.GEN_PROMPT] == "My favourite dish is"


def test_an_unknown_language_is_english():
    at = _open("pages/home.py", "xx")
    assert at.session_state[state.LANG] == "en"
    assert _top_word(at) == "japanese"


def test_the_browsers_language_picks_the_default():
    assert from_browser("da-DK") == "da" and from_browser("zh-Hans-CN") == "zh" and from_browser("pt-BR") == "en"
    assert from_browser(None) == "en" and from_browser("de_AT") == "de"


def test_numbers_use_the_languages_decimal_sign():
    assert num(0.25, ".2f", "en") == "0.25" and num(0.25, ".2f", "de") == "0,25"
    assert num(12345.5, ",.1f", "fr") == "12\u202f345,5" and num(12345.5, ",.1f", "da") == "12.345,5"
    assert num(0.1234, ".0%", "ru") == "12%" and num(1.5e-7, ".2g", "de") == "1,5e-07"


def test_the_glossary_lists_every_term_in_six_languages_and_filters():
    at = _open("pages/glossary.py", "ru")
    df = at.dataframe[0].value
    assert list(df.columns[2:8]) == ["Русский", "English", "Dansk", "Deutsch", "Français", "中文"]
    assert "скрытое состояние" in set(df["Русский"]) and "遗忘门" in set(df["中文"])
    at.text_input(key=state.GLOSSARY_FIND).set_value("forget").run()
    small = at.dataframe[0].value
    assert 0 < len(small) < len(df) and all("forget" in " ".join(map(str, r)).lower() for r in small.values)


def test_the_memory_lesson_swaps_the_dish_in_the_learners_language():
    at = _open("pages/lessons.py", "fr")
    assert at.session_state[state.LS_MODEL] == "Demo RNN (Français)"
    assert at.session_state[state.LS_DISH] == "risotto"
    dish_box = at.selectbox(key=state.LS_DISH)
    assert "risotto" in dish_box.options and "pizza" not in dish_box.options


def test_train_offers_each_languages_cuisine_corpus():
    from ui.common.config import SOURCES, TrainConfig
    from ui.train.session import build_data

    assert "Cuisine corpus (Français)" in SOURCES and "Cuisine corpus (中文)" in SOURCES
    data = build_data(TrainConfig(source="Cuisine corpus (Français)"))
    assert data.probe == PROMPTS["fr"] and "japonaise" in data.vocab
    zh = build_data(TrainConfig(source="Cuisine corpus (中文)"))
    assert zh.vocab.level == "word" and "日" in zh.vocab and all(len(t) == 1 for t in zh.vocab.tokens[1:])


@pytest.mark.parametrize("code, position, word", [("fr", 5, "risotto"), ("ru", 4, "пицца"), ("en", 4, "pizza")])
def test_step_throughs_memory_probe_swaps_the_dish_in_the_language(code, position, word):
    at = _open(STEP_PAGE, code)
    assert at.session_state[state.PROBE_POS] == position and at.session_state[state.PROBE_WORD] == word
