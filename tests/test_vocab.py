"""Vocabulary: tokenizing, encode/decode round trips, unknown tokens."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_core import UNK, Vocab, tokenize

SUSHI = "My favourite dish is sushi. So, my favourite cuisine is"


def test_word_level_lowercases_and_splits_punctuation():
    assert tokenize(SUSHI) == ["my", "favourite", "dish", "is", "sushi", ".", "so", ",", "my",
                               "favourite", "cuisine", "is"]


def test_char_level_keeps_every_character():
    assert tokenize("Hi, yo!", "char") == list("Hi, yo!")


def test_unknown_tokens_map_to_unk_id():
    v = Vocab.from_text("the cat sat")
    ids = v.encode("the dog sat")
    assert v.tokens[0] == UNK and ids[1] == v.unk_id == 0
    assert v.decode(ids) == "the <unk> sat"
    assert v.unknown_tokens("the dog and the emu 🍣") == ["dog", "and", "emu", "🍣"]


def test_decode_attaches_punctuation():
    v = Vocab.from_text(SUSHI)
    assert v.decode(v.encode(SUSHI)) == "my favourite dish is sushi. so, my favourite cuisine is"


def test_max_size_keeps_most_frequent():
    v = Vocab.from_text("a a a b b c", max_size=3)
    assert v.tokens == [UNK, "a", "b"]


def test_bad_level_is_rejected():
    with pytest.raises(ValueError, match="level"):
        Vocab.from_text("x", level="byte")


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_char_round_trip(text):
    v = Vocab.from_text(text, "char")
    ids = v.encode(text)
    assert ids.dtype.kind == "i" and ids.shape == (len(text),)
    assert v.decode(ids) == text


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
@settings(max_examples=200, deadline=None)
def test_word_round_trip_up_to_tokenizing(text):
    v = Vocab.from_text(text, "word")
    ids = v.encode(text)
    assert (ids > 0).all()                       # every token of its own text is known
    assert v.encode(v.decode(ids)).tolist() == ids.tolist()


@given(st.lists(st.sampled_from(["a", "b", "c", ".", "zz"]), max_size=50))
def test_dict_round_trip(tokens):
    v = Vocab.from_text(" ".join(tokens))
    assert Vocab.from_dict(v.to_dict()) == v
    assert len(v) == len(set(tokens)) + 1
