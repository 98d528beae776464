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


# ----- odd files a new user met: every one is refused with a message, before anything draws it -------
def _odd_meta(path, text: str) -> bytes:
    return _rewrite(path, lambda a: a.__setitem__("__meta__", np.array(text)))


@pytest.mark.parametrize("value", ['"abc"', "null", "Infinity", "0", "-3", "true", "2.5", "100000"])
def test_hidden_size_of_the_wrong_type_or_range(saved, value):
    _, _, path = saved
    with np.load(path, allow_pickle=False) as z:
        meta = str(z["__meta__"])
    text = meta.replace('"hidden_size": 6', f'"hidden_size": {value}')
    assert text != meta
    with pytest.raises(ModelFileError, match="hidden_size"):
        load_model(_odd_meta(path, text))


def test_metadata_nested_100000_levels_deep(saved):
    _, _, path = saved
    with np.load(path, allow_pickle=False) as z:
        meta = str(z["__meta__"])
    deep = meta[:-1] + ', "training2": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ModelFileError, match="nested too deeply"):
        load_model(_odd_meta(path, deep))


def test_training_settings_that_are_not_a_table(saved):
    _, _, path = saved
    with pytest.raises(ModelFileError, match="training settings"):
        load_model(_rewrite(path, lambda a: _set_meta(a, training=[1, 2])))


def test_a_vocabulary_of_only_unk_is_refused():
    v = Vocab([])
    assert len(v) == 1
    m = make_model("rnn", 1, 4, seed=0)
    with pytest.raises(ModelFileError, match="vocab_size"):
        load_model(model_to_bytes(m, v))


def test_tokens_that_are_not_text(saved):
    _, _, path = saved
    with pytest.raises(ModelFileError, match="vocabulary"):
        bad = {"level": "word", "tokens": ["<unk>", 1, 2, 3, 4, 5, 6]}
        load_model(_rewrite(path, lambda a: _set_meta(a, vocab=bad)))


def test_finite_weights_too_large_to_compute_with(saved):
    """3e38 is finite in float32, but a forward pass overflows: refused, naming the largest weight."""
    _, _, path = saved

    def huge(arrays):
        for k in arrays:
            if k.startswith("param/"):
                arrays[k].fill(3e38)
    with pytest.raises(ModelFileError, match="too large to compute with.*3e"):
        load_model(_rewrite(path, huge))


def _zip_with_member(name: str, size: int) -> bytes:
    """A small archive whose member unpacks to ``size`` zero bytes."""
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


def test_a_member_that_inflates_is_refused_from_the_headers():
    raw = _zip_with_member("param/W_hh.npy", 120_000_000)
    assert len(raw) < 1_000_000                          # a small upload ...
    with pytest.raises(ModelFileError, match="unpack to 120 MB, more than the 50 MB"):
        load_model(raw, max_bytes=50_000_000)            # ... refused before anything is unpacked


def test_an_array_header_that_declares_a_huge_shape_is_refused_before_reading(saved):
    """The member is small, but its .npy header claims 20 GB: the shape is checked first."""
    _, _, path = saved
    good = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False, "shape": (50_000, 50_000)})
    members["param/W_hh.npy"] = hdr.getvalue() + b"\0" * 64
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for n, data in members.items():
            zout.writestr(n, data)
    with pytest.raises(ModelFileError, match=r"W_hh has shape \(50000, 50000\)"):
        load_model(buf.getvalue())


def test_refusing_an_inflating_upload_keeps_memory_flat(tmp_path):
    """Measured in a fresh process: the peak resident memory grows by far less than the member's size."""
    import subprocess
    import sys
    from pathlib import Path

    bomb = tmp_path / "bomb.npz"
    bomb.write_bytes(_zip_with_member("param/W_hh.npy", 400_000_000))
    code = (
        "import resource, sys\n"
        "from rnn_core.io import ModelFileError, load_model\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    load_model(raw)\nexcept ModelFileError as e:\n    print(e)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code, str(bomb)], cwd=root, capture_output=True, text=True,
                         timeout=60, check=True).stdout.splitlines()
    assert "unpack to 400 MB" in out[0]
    assert int(out[1]) < 20                              # MB of peak growth while refusing it
