"""The tutorials' languages in the engine: each language's sushi sentence, its corpus, its tokens, its demo model."""
import numpy as np
import pytest

from rnn_core import Vocab
from rnn_core.cuisines import ANSWERS, BY_LANG, LANGS, PROBE_DISHES, PROMPTS, make_corpus
from rnn_core.data import CORPORA
from rnn_core.io import load_model
from rnn_core.resources import asset_bytes
from rnn_core.vocab import tokenize

OTHER = [code for code in LANGS if code != "en"]


def test_chinese_is_read_a_character_at_a_time_and_written_back_without_spaces():
    toks = tokenize(PROMPTS["zh"])
    assert toks[:7] == ["我", "最", "喜", "欢", "的", "菜", "是"] and "。" in toks and "，" in toks
    assert all(len(t) == 1 for t in toks)
    v = Vocab.from_text(PROMPTS["zh"] + "日本菜")
    assert v.decode(v.encode(PROMPTS["zh"] + "日本菜。")) == PROMPTS["zh"] + "日本菜。"


def test_japanese_kana_split_per_character_and_spaced_scripts_by_word():
    assert tokenize("東京タワー") == ["東", "京", "タ", "ワ", "ー"]
    assert tokenize("Моё любимое блюдо — суши.") == ["моё", "любимое", "блюдо", "—", "суши", "."]
    assert tokenize("L'été, ma cuisine préférée") == ["l'été", ",", "ma", "cuisine", "préférée"]
    assert tokenize("Lieblingsküche ist Spätzle") == ["lieblingsküche", "ist", "spätzle"]
    assert tokenize("mit yndlingskøkken") == ["mit", "yndlingskøkken"]


def test_a_mixed_sentence_keeps_the_spaced_words_whole():
    assert tokenize("I love 寿司 and ramen") == ["i", "love", "寿", "司", "and", "ramen"]


@pytest.mark.parametrize("code", OTHER)
def test_each_corpus_file_is_what_its_generator_writes(code):
    assert CORPORA[f"cuisine_{code}"].read() == make_corpus(code)


@pytest.mark.parametrize("code", OTHER)
def test_each_corpus_holds_its_prompt_with_the_answer_and_every_dish(code):
    text = make_corpus(code)
    lang = BY_LANG[code]
    assert PROMPTS[code] in text
    v = Vocab.from_text(text)
    assert not v.unknown_tokens(PROMPTS[code])
    assert tokenize(text[text.index(PROMPTS[code]) + len(PROMPTS[code]):])[0] == ANSWERS[code]
    for dishes in lang.dishes.values():
        for dish in dishes:
            assert dish in text
    probe = PROMPTS[code].replace(lang.dish, lang.probe_dish)
    assert probe != PROMPTS[code] and not v.unknown_tokens(probe)


def test_make_corpus_rejects_a_language_it_does_not_have():
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        make_corpus("xx")


@pytest.mark.parametrize("code", OTHER)
def test_each_languages_demo_model_completes_its_sentence_and_follows_the_dish(code):
    """The tutorials' claim in every language: after the dish, the model names its cuisine; change the dish
    and the answer changes with it."""
    model, vocab = load_model(asset_bytes("models", f"demo_rnn_{code}.npz"))
    dish, probe_dish, probe_answer = PROBE_DISHES[code]

    def top(text):
        tr = model.forward(vocab.encode(text))
        return vocab.tokens[int(np.argmax(tr.probs[-1]))]

    assert top(PROMPTS[code]) == ANSWERS[code]
    assert top(PROMPTS[code].replace(dish, probe_dish)) == probe_answer
