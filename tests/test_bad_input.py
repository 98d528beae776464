"""The bad-input matrix: every surface a learner (or a script) can type, paste, upload or link into, tried
with what a class will try. Each answer is a clear message (the API: a ValueError naming the argument; the
CLI: one line on stderr and exit status 2; the app: a short message by the input), no traceback, and the
last good state kept. The README's "Bad input" table lists the same surfaces and inputs: a test below
holds the two together.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers import open_page
from rnn_core import Vocab, make_model
from rnn_core.data import decode_text
from rnn_core.io import ModelFileError, load_model, model_to_bytes
from rnn_core.series import read_series_csv
from rnn_core.train import Trainer
from ui.common.config import TrainConfig
from ui.common.limits import MAX_MODEL_BYTES, MAX_SERIES_CSV_BYTES, MAX_SERIES_VALUES, MAX_TRAIN_TEXT_BYTES
from ui.common.models import load_upload
from ui.train.session import TrainSession, build_data

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# ----- the inputs ---------------------------------------------------------------------------------------
TEXTS = {
    "empty": "",
    "whitespace": "  \t \n ",
    "one token": "sushi",
    "100,000 characters": "sushi " * 16_667,
    "emoji and right-to-left": "my 😀 dish is مرحبا sushi",
    "HTML and <script>": "<script>alert(1)</script> <b>my</b> dish",
    "NUL bytes": "my\x00 dish",
    "LaTeX control characters": r"my \frac{1}{2} $x^2$ \\ \textbf{dish} } { ^ _ & % #",
}
NUMBERS = {"negative": "-5", "zero": "0", "huge": "1e300", "NaN": "nan", "text": "abc"}


def _model_bytes(**kw) -> bytes:
    vocab = Vocab.from_text("my favourite dish is sushi", "word")
    model = make_model("rnn", len(vocab), 4, seed=0, dtype=np.float32)
    for name, value in kw.items():
        model.params[name][...] = value
    return model_to_bytes(model, vocab)


def _with_member(raw: bytes, name: str, data: bytes) -> bytes:
    """``raw`` (an .npz) with member ``name`` replaced by ``data``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.namelist():
            zout.writestr(item, data if item == name else zin.read(item))
    return out.getvalue()


def _pickled_member(raw: bytes) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    return _with_member(raw, "param/W_hh.npy", buf.getvalue())


def _other_shape(raw: bytes) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros((3, 3), np.float32))
    return _with_member(raw, "param/W_hh.npy", buf.getvalue())


def _other_vocabulary(raw: bytes) -> bytes:
    """The file's vocabulary one token short of what its weights expect."""
    meta = json.loads(str(np.load(io.BytesIO(raw))["__meta__"]))
    meta["vocab"]["tokens"] = meta["vocab"]["tokens"][:-1]
    buf = io.BytesIO()
    np.save(buf, np.array(json.dumps(meta)))
    return _with_member(raw, "__meta__.npy", buf.getvalue())


GOOD = _model_bytes()
MODEL_FILES = {
    "empty": b"",
    "not an .npz": b"my favourite dish is sushi",
    "truncated .npz": GOOD[: len(GOOD) // 2],
    "a pickled object inside": _pickled_member(GOOD),
    "shapes that do not match": _other_shape(GOOD),
    "a vocabulary that does not match": _other_vocabulary(GOOD),
    "NaN weights": _model_bytes(W_hh=np.nan),
    "over the limit": b"PK" + b"\0" * (MAX_MODEL_BYTES + 1),
}
TEXT_FILES = {
    "empty": b"",
    "whitespace": b" \n\t\n",
    "one token": b"sushi",
    "invalid UTF-8": "caf\xe9".encode("latin-1"),
    "NUL bytes": b"my\x00dish",
    "emoji and right-to-left": "my 😀 dish is مرحبا sushi . my dish".encode(),
    "over the limit": b"a " * (MAX_TRAIN_TEXT_BYTES // 2 + 1),
}
CSV_FILES = {
    "empty": b"",
    "one row": b"v\n1\n",
    "text only": b"name\nalice\nbob\n",
    "NaN gaps": b"v\n1\n\n2\nnan\n3\n",
    "invalid UTF-8": "v\n\xe9\n1\n".encode("latin-1"),
    "NUL bytes": b"v\n1\x00\n2\n",
    "over the limit": b"v\n" + b"1\n" * (MAX_SERIES_VALUES + 1),
}


# ----- the app: sentence boxes ---------------------------------------------------------------------------
SENTENCE_BOXES = {"pages/home.py": "home_sentence", "pages/step_through.py": "sentence_input",
                  "pages/gradient_lab.py": "lab_sentence", "pages/generate.py": "gen_prompt"}
REFUSED_SENTENCES = {"empty": "is empty", "whitespace": "is empty", "100,000 characters": "at most"}


@pytest.mark.parametrize("path", SENTENCE_BOXES)
def test_sentence_boxes(path):
    """Empty and too long: a message, the chart keeps its figure; everything else is read as text."""
    at = open_page(path)
    key = SENTENCE_BOXES[path]
    for name, text in TEXTS.items():
        at.text_input(key=key).set_value(text).run()
        assert not at.exception, (path, name, at.exception)
        said = " ".join(w.value for w in [*at.warning, *at.error])
        if name in REFUSED_SENTENCES:
            assert REFUSED_SENTENCES[name] in said, (path, name, said)
        else:
            assert not said, (path, name, said)
        if path != "pages/generate.py" or name not in REFUSED_SENTENCES:     # Generate: "Nothing generated."
            assert at.get("plotly_chart"), (path, name)                   # the figures stay


def test_step_through_keeps_the_last_good_sentence():
    at = open_page("pages/step_through.py")
    at.text_input(key="sentence_input").set_value("my favourite dish is pizza").run()
    for name in REFUSED_SENTENCES:
        at.text_input(key="sentence_input").set_value(TEXTS[name]).run()
        assert at.session_state["sentence"] == "my favourite dish is pizza", name


# ----- the app: pasted and uploaded training text, uploaded models, uploaded series --------------------
REFUSED_PASTES = {"empty": "The text is empty", "whitespace": "The text is empty",
                  "one token": "at least three tokens", "over the limit": "larger than 2 MB"}


def test_pasted_training_text():
    at = open_page("pages/train.py")
    sess = at.session_state["train_session"]
    model, weights = sess.model, sess.model.params["W_hh"].copy()
    at.selectbox(key="tr_source").set_value("Pasted text").run()
    for name, text in {**TEXTS, "over the limit": "a " * (MAX_TRAIN_TEXT_BYTES // 2 + 1)}.items():
        at.text_area(key="tr_text").set_value(text).run()
        assert not at.exception, (name, at.exception)
        said = " ".join(w.value for w in at.warning)
        if name in REFUSED_PASTES:
            assert REFUSED_PASTES[name] in said and "are kept" in said, (name, said)
            assert sess.model is model and np.array_equal(sess.model.params["W_hh"], weights)
        else:
            assert not said, (name, said)
            assert any("needs new weights" in i.value for i in at.info), name     # a new vocabulary: not yet used


def _train_text(raw: bytes) -> str:
    """What Train does with an uploaded .txt (ui/train/sections.text_from_state, then build_data)."""
    if len(raw) > MAX_TRAIN_TEXT_BYTES:
        return f"upload.txt is {len(raw) / 1e6:.1f} MB; the limit is {MAX_TRAIN_TEXT_BYTES // 1_000_000} MB"
    try:
        build_data(TrainConfig(source="Uploaded .txt"), decode_text(raw, "upload.txt"))
    except ValueError as e:
        return str(e)
    return ""


REFUSED_TEXT_FILES = {"empty": "is empty", "whitespace": "is empty", "one token": "at least three tokens",
                      "invalid UTF-8": "is not UTF-8 text", "NUL bytes": "NUL bytes",
                      "over the limit": "the limit is 2 MB"}


def test_uploaded_training_text():
    for name, raw in TEXT_FILES.items():
        said = _train_text(raw)
        assert (REFUSED_TEXT_FILES[name] in said) if name in REFUSED_TEXT_FILES else not said, (name, said)


MODEL_ANSWERS = {"empty": "it is empty", "not an .npz": "not an .npz archive", "truncated .npz": "corrupt or truncated",
                 "a pickled object inside": "pickled Python objects", "shapes that do not match": "W_hh",
                 "a vocabulary that does not match": "vocabulary", "NaN weights": "NaN",
                 "over the limit": "50 MB"}


def test_uploaded_models_on_step_through_and_train():
    files = MODEL_FILES
    cfg = TrainConfig(hidden=8, batch=2, seq_len=5)
    sess = TrainSession()
    sess.reset_weights(cfg, build_data(cfg))
    model, weights = sess.model, sess.model.params["W_hh"].copy()
    for name, raw in files.items():
        for where, load in (("Step through", lambda r: load_upload("x.npz", r)),
                            ("Train", lambda r: sess.continue_from(r, cfg, max_bytes=MAX_MODEL_BYTES))):
            with pytest.raises(ModelFileError if where == "Step through" else (ModelFileError, ValueError)) as e:
                load(raw)                                  # what each page's upload callback catches
            assert MODEL_ANSWERS[name] in str(e.value), (where, name, str(e.value))
            assert "Traceback" not in str(e.value) and len(str(e.value)) < 300
        assert sess.model is model and np.array_equal(sess.model.params["W_hh"], weights)   # Train kept its model


CSV_ANSWERS = {"empty": "empty", "one row": "1 data row", "text only": "no column of numbers",
               "NaN gaps": "nan", "invalid UTF-8": "not UTF-8", "NUL bytes": "NUL bytes",
               "over the limit": f"the limit is {MAX_SERIES_VALUES:,}"}


def test_uploaded_series():
    for name, raw in CSV_FILES.items():
        with pytest.raises(ValueError) as e:
            read_series_csv(raw, "s.csv", max_rows=MAX_SERIES_VALUES, max_bytes=MAX_SERIES_CSV_BYTES)
        assert CSV_ANSWERS[name] in str(e.value), (name, str(e.value))


# ----- the app: every setting's URL parameter ----------------------------------------------------------
URL_PAGES = {"pages/train.py": ("hidden", "lr", "iterations", "seed", "spectral_radius", "seq_len", "batch", "clip"),
             "pages/time_series.py": ("hidden", "lr", "iterations", "seed", "window", "horizon", "batch"),
             "pages/gradient_lab.py": ("rho", "T", "clip_lr", "clip", "budget")}


@pytest.mark.parametrize("path", URL_PAGES)
def test_url_parameters(path):
    """Each setting's parameter set to each bad number: the warning names it, the setting keeps its value."""
    clean = open_page(path)
    for param in URL_PAGES[path]:
        for name, value in NUMBERS.items():
            at = open_page(path, **{param: value})
            assert not at.exception, (param, value)
            said = " ".join(w.value for w in at.warning).replace("\\", "")      # markdown escapes off
            widgets = {k: clean.session_state[k] for k in clean.session_state._state.filtered_state
                       if isinstance(clean.session_state[k], (int, float, str))}
            if name == "zero" and param in ("seed", "spectral_radius", "clip", "rho", "clip_rho"):
                continue                                                     # zero is a valid value of these
            assert f"{param}=" in said and "kept the current settings" in said, (path, param, value, said)
            same = {k: at.session_state[k] for k in widgets}
            assert same == widgets, (path, param, value)


# ----- the command line ---------------------------------------------------------------------------------
def _cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnn_core", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          timeout=120)


CLI_NUMBERS = ("--hidden", "--lr", "--steps", "--seed", "--batch", "--seq-len", "--clip", "--spectral-radius")


@pytest.mark.parametrize("flag", CLI_NUMBERS)
def test_cli_numbers(flag, tmp_path):
    for name, value in NUMBERS.items():
        if name == "zero" and flag in ("--seed", "--clip", "--spectral-radius"):
            continue
        r = _cli("train", "--corpus", "assets/corpora/cuisine.txt", "--out", str(tmp_path / "m.npz"), "--quiet",
                 "--steps", "1", f"{flag}={value}")
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and flag in lines[0], (flag, value, r.stderr)
        assert "Traceback" not in r.stderr and not (tmp_path / "m.npz").exists()


def test_cli_files(tmp_path):
    for name, raw in TEXT_FILES.items():
        if name in REFUSED_TEXT_FILES and name not in ("one token", "over the limit"):   # the CLI takes big corpora
            (tmp_path / "c.txt").write_bytes(raw)
            r = _cli("train", "--corpus", str(tmp_path / "c.txt"), "--out", str(tmp_path / "m.npz"), "--quiet")
            assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (name, r.stderr)
    for name, raw in MODEL_FILES.items():
        (tmp_path / "m.npz").write_bytes(raw)
        for args in (("info", str(tmp_path / "m.npz")), ("complete", "--model", str(tmp_path / "m.npz"), "my dish")):
            r = _cli(*args)
            line = r.stderr.strip()
            assert r.returncode == 2 and "\n" not in line and "Traceback" not in line, (name, args, r.stderr)
    r = _cli("info", str(tmp_path / "nothing-here.npz"))
    assert r.returncode == 2 and "no such model file" in r.stderr


# ----- the Python API -----------------------------------------------------------------------------------
API_CASES = {
    "make_model hidden_size": (lambda v: make_model("rnn", 10, v), "hidden_size"),
    "make_model vocab_size": (lambda v: make_model("rnn", v, 4), "vocab_size"),
    "make_model spectral_radius": (lambda v: make_model("rnn", 10, 4, spectral_radius=v), "spectral_radius"),
    "make_model seed": (lambda v: make_model("rnn", 10, 4, seed=v), "seed"),
    "Trainer lr": (lambda v: Trainer(make_model("rnn", 10, 4), None, lr=v), "learning rate"),
    "Vocab max_size": (lambda v: Vocab.from_text("a b", "word", max_size=v), "max_size"),
}
API_NUMBERS = {"negative": -5, "zero": 0, "huge": 10**300, "NaN": float("nan"), "text": "abc"}


@pytest.mark.parametrize("case", API_CASES)
def test_api_numbers(case):
    call, names = API_CASES[case]
    for name, value in API_NUMBERS.items():
        if name == "zero" and case in ("make_model spectral_radius", "make_model seed") \
                or name == "huge" and case in ("Vocab max_size", "Trainer lr"):
            continue        # valid: no cap on the vocabulary; a huge rate is for the NaN guard to catch
        with pytest.raises(ValueError, match=re.escape(names)):
            call(value)


def test_api_texts_and_ids():
    model = make_model("rnn", 10, 4, seed=0)
    for bad, says in ((np.array([], int), "ids"), (np.array([-1]), "token ids"), (np.array([10]), "token ids"),
                      (np.array([0.5]), "ids"), ("abc", "ids")):
        with pytest.raises(ValueError, match=says):
            model.forward(bad)
    with pytest.raises(ValueError, match="targets"):
        model.loss_and_grads(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError, match="text"):
        Vocab.from_text(b"\xff", "word")
    for name, text in TEXTS.items():                     # any str makes a vocabulary (maybe just <unk>)
        assert len(Vocab.from_text(text, "word")) >= 1 and len(Vocab.from_text(text, "char")) >= 1, name
    for name, raw in MODEL_FILES.items():
        with pytest.raises(ValueError):
            load_model(raw, max_bytes=MAX_MODEL_BYTES)


# ----- the README's table -------------------------------------------------------------------------------
TABLE = {
    "Sentence boxes (Home, Step through, Gradient lab, Generate)": set(TEXTS),
    "Pasted training text (Train)": set(TEXTS) | {"over the limit"},
    "Uploaded training text (Train, .txt; the CLI's --corpus)": set(TEXT_FILES),
    "Uploaded model (Step through, Train; the CLI's --model and info)": set(MODEL_FILES),
    "Uploaded series (Time series, .csv)": set(CSV_FILES),
    "URL parameters of every setting (Train, Time series, Gradient lab)": set(NUMBERS),
    "CLI number arguments": set(NUMBERS),
    "Python API number arguments": set(NUMBERS),
}


def test_the_readme_table_lists_every_surface_and_input():
    text = README.read_text()
    lines = text[text.index("### Bad input"):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| surface"))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    rows = [r.strip().strip("|").split("|") for r in lines[start:end] if "---" not in r]
    table = {cells[0].strip(): {x.strip().replace("`", "") for x in cells[1].split(";")} for cells in rows[1:]}
    assert table == TABLE


# ----- limits shown by their widgets ----------------------------------------------------------------------
def test_each_limit_is_shown_by_its_widget():
    """Hidden size, iterations, seed and the pasted text say their range in their labels; every sentence box
    says its limit in its tooltip; the upload boxes say theirs (checked in Chromium, and the server's upload
    limit against the app's in test_defects)."""
    from ui.common.controls import ITERATIONS
    from ui.common.limits import MAX_SENTENCE_CHARS, MAX_TRAIN_TOKENS

    at = open_page("pages/train.py")
    assert "4 to 256" in at.select_slider(key="tr_hidden").label
    assert f"{ITERATIONS[1]:,}" in at.number_input(key="tr_iterations").label
    assert "2,147,483,647" in at.number_input(key="tr_seed").label
    at.selectbox(key="tr_source").set_value("Pasted text").run()
    box = at.text_area(key="tr_text")
    assert "2 MB" in box.label and f"{MAX_TRAIN_TOKENS:,}" in box.label
    box.set_value("my dish is sushi").run()
    assert any(c.value == f"16 bytes of {MAX_TRAIN_TEXT_BYTES:,}." for c in at.sidebar.caption)
    for path, key in SENTENCE_BOXES.items():
        at = open_page(path)
        assert f"{MAX_SENTENCE_CHARS:,} characters" in at.text_input(key=key).help, path
    at = open_page("pages/time_series.py")
    assert f"{ITERATIONS[1]:,}" in at.number_input(key="ts_iterations").label
