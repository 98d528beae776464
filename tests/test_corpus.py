"""The committed corpora: the cuisine text is what its generator writes; both read as text."""
from rnn_core import Vocab
from rnn_core.cuisine import CUISINE_OF, PROMPT, make_corpus
from rnn_core.data import CORPORA, decode_text

import pytest


def test_cuisine_file_is_reproducible():
    assert CORPORA["cuisine"].read() == make_corpus()


def test_cuisine_corpus_holds_the_seed_sentence_and_every_dish():
    text = CORPORA["cuisine"].read()
    assert "My favourite dish is sushi. So, my favourite cuisine is japanese." in text
    for dish, cuisine in CUISINE_OF.items():
        assert f"dish is {dish}. So, " in text
    v = Vocab.from_text(text)
    assert not v.unknown_tokens(PROMPT)


def test_sonnets_are_char_level_text():
    c = CORPORA["sonnets"]
    text = c.read()
    assert c.level == "char" and len(text) > 3000 and c.probe in text


@pytest.mark.parametrize("raw, msg", [(b"", "empty"), (b"  \n", "empty"), (b"\x00\x01", "binary"),
                                      (b"\xff\xfe\xfa", "UTF-8")])
def test_bad_text_files(raw, msg):
    with pytest.raises(ValueError, match=msg):
        decode_text(raw)
