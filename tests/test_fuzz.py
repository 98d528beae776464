"""The core's public entry points under generated input: each call either works or raises ValueError
(ModelFileError is one) with a message; nothing else escapes."""
import io
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_core import Vocab, load_model, make_model, save_model

# FUZZ_EXAMPLES=1500 for a longer search (it found nothing more at 1,500)
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

anything = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=20), st.lists(st.integers(-3, 3), max_size=4), st.binary(max_size=8))


def _works_or_value_error(call):
    try:
        return call()
    except ValueError as e:
        assert str(e), "a ValueError must say what is wrong"
        return None


@SETTINGS
@given(text=st.one_of(st.text(max_size=300), anything), level=st.one_of(st.sampled_from(["word", "char"]), anything),
       max_size=st.one_of(st.none(), st.integers(-5, 50), anything))
def test_vocab_from_text(text, level, max_size):
    v = _works_or_value_error(lambda: Vocab.from_text(text, level, max_size=max_size))
    if v is not None:
        ids = v.encode(text)
        assert ids.dtype == np.int64 and (ids >= 0).all() and (ids < len(v)).all()
        v.decode(ids)


@SETTINGS
@given(tokens=st.one_of(st.lists(st.text(max_size=5), max_size=8), st.lists(anything, max_size=4), anything),
       level=st.one_of(st.sampled_from(["word", "char"]), anything))
def test_vocab_from_tokens(tokens, level):
    _works_or_value_error(lambda: Vocab(tokens, level))


cells = st.one_of(st.sampled_from(["rnn", "lstm", "gru"]), anything)
sizes = st.one_of(st.integers(-2, 12), anything)


@SETTINGS
@given(cell=cells, V=sizes, H=sizes, activation=st.one_of(st.sampled_from(["tanh", "relu", "sigmoid"]), anything),
       seed=st.one_of(st.integers(0, 2**32), anything), rho=st.one_of(st.none(), st.floats(-2, 5), anything),
       forget_bias=st.one_of(st.none(), st.floats(allow_nan=True), anything))
def test_make_model(cell, V, H, activation, seed, rho, forget_bias):
    m = _works_or_value_error(lambda: make_model(cell, V, H, activation, seed=seed, spectral_radius=rho,
                                                 forget_bias=forget_bias))
    if m is not None:
        assert all(np.isfinite(p).all() for p in m.params.values())


@pytest.mark.parametrize("kw", [dict(vocab_size=10**9), dict(hidden_size=10**6),
                                dict(vocab_size=10**6, hidden_size=10**4)])
def test_absurd_sizes_are_refused_before_allocating(kw):
    with pytest.raises(ValueError, match="size"):
        make_model("lstm", **{"vocab_size": 5, "hidden_size": 4, **kw})


ids_like = st.one_of(
    st.lists(st.integers(-2, 8), max_size=6),
    st.lists(st.lists(st.integers(-1, 7), min_size=1, max_size=4), min_size=1, max_size=3),
    st.lists(st.floats(allow_nan=True), max_size=4), anything)


@SETTINGS
@given(cell=st.sampled_from(["rnn", "lstm", "gru"]), ids=ids_like,
       h0=st.one_of(st.none(), st.lists(st.floats(-2, 2), min_size=1, max_size=5), anything))
def test_forward(cell, ids, h0):
    m = make_model(cell, 7, 4, seed=0)
    _works_or_value_error(lambda: m.forward(np.asarray(ids) if isinstance(ids, list) else ids, h0=h0))


@SETTINGS
@given(cell=st.sampled_from(["rnn", "lstm", "gru"]), inputs=ids_like, targets=ids_like,
       loss=st.one_of(st.sampled_from(["many_to_many", "many_to_one"]), anything))
def test_loss_and_grads(cell, inputs, targets, loss):
    m = make_model(cell, 7, 4, seed=0)
    as_array = lambda x: np.asarray(x) if isinstance(x, list) else x
    out = _works_or_value_error(lambda: m.loss_and_grads(as_array(inputs), as_array(targets), loss))
    if out is not None:
        value, grads, _ = out
        assert np.isfinite(value) and set(grads) == set(m.params)


def _model_bytes() -> bytes:
    v = Vocab.from_text("my favourite dish is sushi .")
    buf = io.BytesIO()
    save_model(buf, make_model("gru", len(v), 4, seed=1), v, {"lr": 0.01})
    return buf.getvalue()


GOOD = _model_bytes()


@SETTINGS
@given(data=st.data())
def test_load_model_of_mutated_files(data):
    raw = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    _works_or_value_error(lambda: load_model(bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw)))


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=200), st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=200))))
def test_load_model_of_random_bytes(raw):
    with pytest.raises(ValueError):
        load_model(raw)
