"""Save/load round trip and every broken-file message."""
import io
import json
import zipfile

import numpy as np
import pytest

from rnn_core import Vocab, make_model
from rnn_core.io import ModelFileError, load_model, model_to_bytes, save_model


@pytest.fixture
def saved(tmp_path):
    v = Vocab.from_text("my favourite dish is sushi .")
    m = make_model("rnn", len(v), 6, "relu", seed=3, dtype=np.float32)
    path = tmp_path / "m.npz"
    save_model(path, m, v, {"lr": 0.01, "steps": 5})
    return m, v, path


def test_round_trip(saved):
    m, v, path = saved
    m2, v2 = load_model(path)
    assert v2 == v and m2.cell == "rnn" and m2.activation == "relu" and m2.dtype == np.float32
    assert m2.metadata == {"lr": 0.01, "steps": 5}
    for k in m.params:
        assert np.array_equal(m.params[k], m2.params[k])
    ids = v.encode("sushi is my dish")
    np.testing.assert_array_equal(m.forward(ids).probs, m2.forward(ids).probs)
    assert load_model(path.read_bytes())[1] == v        # bytes and file objects too
    assert load_model(io.BytesIO(path.read_bytes()))[1] == v


def _rewrite(path, mutate):
    """Rewrite the archive with its members changed by mutate(dict name -> array)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {n: z[n] for n in z.files}
    mutate(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _meta(arrays):
    return json.loads(str(arrays["__meta__"]))


def _set_meta(arrays, **changes):
    meta = _meta(arrays)
    meta.update(changes)
    arrays["__meta__"] = np.array(json.dumps(meta))


@pytest.mark.parametrize("case, pattern", [
    ("empty", "empty"),
    ("text", "not an .npz"),
    ("truncated", "corrupt or truncated"),
    ("foreign", "no model metadata"),
    ("pickle", "pickled"),
    ("bad_json", "not valid JSON"),
    ("other_format", "another format"),
    ("version", "version"),
    ("missing_param", "lacks the parameter"),
    ("extra_param", "does not have"),
    ("wrong_shape", "has shape"),
    ("nan", "NaN"),
    ("vocab_mismatch", "vocabulary holds"),
    ("unknown_cell", "inconsistent"),
    ("int_param", "not floats"),
])
def test_broken_files_get_a_clear_message(saved, case, pattern):
    _, _, path = saved
    good = path.read_bytes()
    bad = {
        "empty": lambda: b"",
        "text": lambda: b"hello, I am not a model",
        "truncated": lambda: good[: len(good) // 2],
        "foreign": lambda: _npz(x=np.ones(3)),
        "pickle": lambda: _rewrite(path, lambda a: a.__setitem__("param/b_y", np.array([{"evil": 1}], dtype=object))),
        "bad_json": lambda: _rewrite(path, lambda a: a.__setitem__("__meta__", np.array("{not json"))),
        "other_format": lambda: _rewrite(path, lambda a: _set_meta(a, format="keras")),
        "version": lambda: _rewrite(path, lambda a: _set_meta(a, version=99)),
        "missing_param": lambda: _rewrite(path, lambda a: a.pop("param/W_hh")),
        "extra_param": lambda: _rewrite(path, lambda a: a.__setitem__("param/W_zz", np.ones(2, np.float32))),
        "wrong_shape": lambda: _rewrite(path, lambda a: a.__setitem__("param/W_hh", np.ones((3, 3), np.float32))),
        "nan": lambda: _rewrite(path, lambda a: a["param/W_hh"].__setitem__((0, 0), np.nan)),
        "vocab_mismatch": lambda: _rewrite(path, lambda a: _set_meta(a, vocab_size=99)),
        "unknown_cell": lambda: _rewrite(path, lambda a: _set_meta(a, cell="transformer")),
        "int_param": lambda: _rewrite(path, lambda a: a.__setitem__("param/b_y", np.ones(7, np.int64))),
    }[case]()
    with pytest.raises(ModelFileError, match=pattern):
        load_model(bad)


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "nope.npz")


def test_saved_file_is_a_plain_npz_without_pickles(saved):
    _, _, path = saved
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
    assert "__meta__.npy" in names and "param/W_hh.npy" in names
    with np.load(path, allow_pickle=False) as z:      # loads with pickling forbidden
        assert _meta({"__meta__": z["__meta__"]})["cell"] == "rnn"


def test_vocab_size_mismatch_on_save():
    m = make_model("rnn", 5, 3)
    with pytest.raises(ValueError, match="vocabulary"):
        model_to_bytes(m, Vocab.from_text("a b"))
