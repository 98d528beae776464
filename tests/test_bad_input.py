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

from helpers import click, finish_run, open_page
from test_browser import UNKNOWN_PATHS
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


# ----- found later: odd CSV files and odd series ----------------------------------------------------------
STEPS = np.arange(600)
LONG_CELL = b"v\n1\n" + b"7" * 131_073 + b"\n2\n"
# files the reader takes, and the columns it gives
CSV_READ = {
    "old Mac line endings": (b"t,v\r1,2\r2,4\r3,8\r", {"t": [1, 2, 3], "v": [2, 4, 8]}),
    "two columns with one name": (b"v,v\n1,2\n3,4\n", {"v (column 1)": [1, 3], "v (column 2)": [2, 4]}),
}
CSV_REFUSED = {"a cell of 131,073 characters": (LONG_CELL, "cannot be read as CSV at line 3: a cell holds more "
                                                             "than 131,072 characters")}
# values the reader takes: the normaliser gives them their true spread, or names the range it cannot reach
SERIES_SCALES = {"values of 1e300": 1e300, "values of 1e-300": 1e-300, "values of 1e-310": 1e-310}


def test_odd_csv_files_are_read_or_refused_by_name():
    for name, (raw, columns) in CSV_READ.items():
        got = read_series_csv(raw, "s.csv", max_rows=MAX_SERIES_VALUES, max_bytes=MAX_SERIES_CSV_BYTES)
        assert {k: v.tolist() for k, v in got.items()} == columns, name
    for name, (raw, says) in CSV_REFUSED.items():
        with pytest.raises(ValueError) as e:                 # never csv.Error: the page catches ValueError
            read_series_csv(raw, "s.csv", max_rows=MAX_SERIES_VALUES, max_bytes=MAX_SERIES_CSV_BYTES)
        assert f"s.csv {says}" in str(e.value), str(e.value)


def test_the_normaliser_gives_huge_and_tiny_series_their_true_spread():
    from rnn_core.series import Normaliser

    for name, scale in SERIES_SCALES.items():
        x = scale * np.sin(STEPS / 8)
        if scale < 1e-308:
            with pytest.raises(ValueError, match=r"standard deviation, 7\.05e-311, is below 2\.23e-308"):
                Normaliser.fit(x[:480])
            continue
        norm = Normaliser.fit(x[:480])
        unit = Normaliser.fit(np.sin(STEPS / 8)[:480])
        assert norm.std == pytest.approx(scale * unit.std, rel=1e-12), name        # not inf, not 0 shown as 1
        assert norm.mean == pytest.approx(scale * unit.mean, rel=1e-9), name
        z = norm.encode(x)
        np.testing.assert_allclose(z, unit.encode(np.sin(STEPS / 8)), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(norm.decode(z), x, rtol=1e-12, atol=scale * 1e-15)
    with pytest.raises(ValueError, match="largest float64"):                 # a value past the float64 range
        Normaliser.fit(np.array([1e-300, 2e-300])).encode([1e300])


def _series_page(values):
    """Time series with ``values`` as an uploaded CSV's column, as the upload callback leaves it."""
    at = open_page("pages/time_series.py")
    at.session_state["ts_csv"] = {"name": "odd.csv", "digest": f"{values[1]!r}", "columns": {"v": values}}
    at.selectbox(key="ts_source").set_value("Uploaded CSV").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name", ["values of 1e300", "values of 1e-300"])
def test_huge_and_tiny_series_show_their_true_numbers(name):
    scale = SERIES_SCALES[name]
    at = _series_page(scale * np.sin(STEPS / 8))
    sess = at.session_state["ts_session"]
    assert sess.data.name == "v" and np.isfinite(sess.data.z).all()        # untrained: adopted at once
    line = next(m.value for m in at.markdown if "**Series:**" in m.value)
    assert f"standard deviation {sess.data.norm.std:.4g}" in line and f"{0.7046 * scale:.4g}"[:4] in line, line
    captions = " ".join(c.value for c in at.caption)
    for false in ("No prediction", "left the range of numbers", "not finite", "n/a"):
        assert false not in captions, (false, captions)
    before = sess.held_out_fraction()
    at.number_input(key="ts_iterations").set_value(60).run()
    click(at, "Train")
    sess = finish_run(at, "ts_session")
    assert sess.iteration == 60 and not sess.diverged
    after = sess.held_out_fraction()
    assert 0 < after < 0.5 * before, (before, after)                        # it learned: the error is real
    held = float(re.search(r"root mean squared error ([0-9.e+-]+)", " ".join(c.value for c in at.caption)).group(1))
    assert held == pytest.approx(np.sqrt(sess.held_out_mse()) * sess.data.norm.std, rel=0.01)


def test_a_series_too_fine_to_normalise_is_refused_and_the_sine_stays():
    at = _series_page(SERIES_SCALES["values of 1e-310"] * np.sin(STEPS / 8))
    said = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "v cannot be normalised" in said and "below 2.23e-308" in said and "are kept" in said, said
    assert at.session_state["ts_session"].data.name == "Sine"


# ----- found later: a gradient of exactly 0 in a caption ----------------------------------------------
ZERO_NORMS = {"an interior 0": [1.0, 0.0, 1.0], "0 at step 1": [0.0, 0.0, 1e-3, 1.0], "every step 0": [0.0, 0.0],
              "0 at step T": [0.5, 0.0]}


def test_fade_caption_names_an_exact_zero_and_never_divides_by_it():
    from ui.common.text import fade_caption

    said = {name: fade_caption(np.array(n, np.float32), "The total gradient") for name, n in ZERO_NORMS.items()}
    assert said["an interior 0"] == ("The total gradient at step 1 is 1 times its value at step 3. It is exactly 0 at "
                                     "step 2 (below the smallest number a float holds, or no path back).")
    assert said["0 at step 1"].startswith("The total gradient is exactly 0 from step 2 back to step 1")
    assert "vanishes before it reaches the first tokens" in said["0 at step 1"]
    assert said["every step 0"] == "The total gradient is exactly 0 at every step: nothing flows back."
    assert "exactly 0 at step 2" in said["0 at step T"] and "fold" not in said["0 at step T"]
    assert "not a finite number at step 2" in fade_caption([1.0, float("nan"), 1.0])


def _live_area_with_zero_norms(page: str) -> None:
    """Train's or Time series' live charts drawn for a session whose log holds per-step norms that are exactly 0
    inside (what a worker publishes after float32 underflow), as the page draws a view."""
    import numpy as np
    import streamlit as st

    from ui.common import state

    state.init()

    class Record:
        def __init__(self, iteration, norms):
            self.iteration, self.loss, self.grad_norm, self.clipped = iteration, 1.0, 1.0, False
            self.elapsed, self.tokens, self.w_hh_terms = 0.01, 10, np.ones(len(norms), np.float32)
            self.grad_norm_per_step = self.last_step_grad_norm_per_step = np.asarray(norms, np.float32)
            self.loss_per_step = np.ones(len(norms))

    if page == "train":
        from ui.common.config import TrainConfig
        from ui.train.sections import draw_metrics
        from ui.train.session import TrainSession, build_data

        cfg = TrainConfig(hidden=16)
        sess, draw = TrainSession(), draw_metrics
        sess.reset_weights(cfg, build_data(cfg))
    else:
        from ui.common.config import SeriesConfig
        from ui.series.sections import draw_live
        from ui.series.session import SeriesSession, build_series

        cfg = SeriesConfig(hidden=16)
        sess, draw = SeriesSession(), draw_live
        sess.reset_weights(cfg, build_series(cfg))
    rows = [[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]]
    if st.session_state.get("zero_at_T"):
        rows.append([1.0, 0.0, 0.0, 0.0])
    for it, norms in zip((1, 11, 21), rows):
        sess.metrics.append(Record(it, norms))
    draw(sess)


@pytest.mark.parametrize("page", ["train", "time_series"])
def test_a_live_area_with_an_exact_zero_gradient_draws_true_captions(page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_live_area_with_zero_norms, args=(page,), default_timeout=60).run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "exactly 0 at steps 2-3" in captions, captions
    if page == "train":                                            # the heatmap's caption: 1 of step T's
        assert "At step 1 it was 1.0e+00 of step T's in iteration 1" in captions
        at.session_state["zero_at_T"] = True
        at.run()
        captions = " ".join(c.value for c in at.caption)
        assert not at.exception and "undefined (the gradient is exactly 0 at step T)" in captions, captions


# ----- found later: the status line after Reset weights and during a run -------------------------------
@pytest.mark.parametrize("path, prefix, key", [("pages/train.py", "tr", "train_session"),
                                               ("pages/time_series.py", "ts", "ts_session")])
def test_reset_weights_updates_the_status_at_once(path, prefix, key):
    at = open_page(path)
    at.select_slider(key=f"{prefix}_hidden").set_value(16).run()
    at.number_input(key=f"{prefix}_iterations").set_value(20).run()
    click(at, "Train")
    sess = at.session_state[key]
    while sess.running:
        at.run()
    assert sess.iteration == 20
    at.selectbox(key=f"{prefix}_cell").set_value("gru").run()
    assert any("needs new weights" in i.value for i in at.info)
    click(at, "Reset weights")
    assert sess.model.cell == "gru" and sess.iteration == 0
    assert not any("needs new weights" in i.value for i in at.info), [i.value for i in at.info]
    lines = [m.value for m in at.markdown if "iterations so far" in m.value]
    assert len(lines) == 1 and "GRU, H=16, 0 iterations so far" in lines[0], lines


@pytest.mark.parametrize("path, prefix, key", [("pages/train.py", "tr", "train_session"),
                                               ("pages/time_series.py", "ts", "ts_session")])
def test_the_status_line_counts_what_the_progress_bar_counts(path, prefix, key):
    at = open_page(path)
    at.select_slider(key=f"{prefix}_hidden").set_value(16).run()
    at.number_input(key=f"{prefix}_iterations").set_value(100_000).run()
    click(at, "Train")
    sess = at.session_state[key]
    counts = []
    for _ in range(2):                                   # two more redraws: the count moves on
        sess.wait(lambda v: v.iteration > (counts[-1] if counts else 0), timeout=120)
        at.run()
        bar = [e.proto.text for e in at.get("progress")]
        assert bar and bar[0].startswith("iteration "), bar
        n = int(bar[0].split()[1])                       # what the progress bar says, this redraw
        lines = [m.value for m in at.markdown if "iterations so far" in m.value]
        assert len(lines) == 1 and f"{n:,} iterations so far" in lines[0], (n, lines)
        counts.append(n)
    assert counts[0] < counts[1], counts
    click(at, "Stop")


# ----- found later: links to Step through and Generate, and how a number is written in a link ------------
# (page, parameter, value, what the warning says; None: taken)
STEP_LINKS = {
    "an unknown model": ("pages/step_through.py", "model", "nope", "not a model of this browser tab"),
    "a step past the sentence": ("pages/step_through.py", "step", "99",
                                 "not within 1 to 12: the sentence has 12 tokens"),
    "a step that is not a number": ("pages/step_through.py", "step", "abc", "not a number"),
    "an unknown view": ("pages/step_through.py", "view", "Sideways", "not one of Forward, Backward"),
    "an unknown loss": ("pages/step_through.py", "loss", "all", "not one of many_to_one, many_to_many"),
    "an empty sentence": ("pages/step_through.py", "sentence", " ", "empty"),
    "Generate's unknown model": ("pages/generate.py", "model", "nope", "not a model of this browser tab"),
}
NUMBER_LINKS = {
    "1e5": ("pages/train.py", "iterations", "1e5", None),
    "5_000": ("pages/train.py", "iterations", "5_000", "not a number"),
    "Arabic-Indic digits": ("pages/train.py", "iterations", "\u0665\u0660\u0660", "not a number"),
    "a seed past 2,147,483,647": ("pages/train.py", "seed", "2147483648", "not within 0 to 2,147,483,647"),
    "a list with a repeat": ("pages/gradient_lab.py", "cells", "rnn,rnn", "rnn listed twice"),
}


@pytest.mark.parametrize("case", [*STEP_LINKS, *NUMBER_LINKS])
def test_every_link_value_is_taken_or_named(case):
    path, param, value, says = {**STEP_LINKS, **NUMBER_LINKS}[case]
    at = open_page(path)
    keys = ("model_name", "step", "view", "loss_shape", "sentence", "gen_model", "tr_iterations", "tr_seed",
            "lab_cells")
    before = {k: at.session_state[k] for k in keys if k in at.session_state}
    at.query_params[param] = value                          # a link followed, or the address edited by hand
    at.run()
    assert not at.exception, at.exception
    said = " ".join(w.value for w in at.warning).replace("\\", "")           # markdown escapes off
    if says is None:
        assert not said and at.session_state["tr_iterations"] == 100_000, said
        return
    assert f"{param}=" in said and says in said and "kept the current settings" in said, (case, said)
    assert {k: at.session_state[k] for k in before} == before, case
    if path == "pages/generate.py":                          # the page's own link names the model it shows
        assert at.query_params["model"] in ("Demo RNN", ["Demo RNN"]), at.query_params["model"]


# ----- found later: two browser tabs are two sessions --------------------------------------------------
TABS = {"a model trained in another tab": "not a model of this browser tab"}


def test_each_model_picker_says_a_tab_is_a_session_of_its_own():
    for path, key in (("pages/step_through.py", "model_name"), ("pages/generate.py", "gen_model")):
        at = open_page(path)
        assert "another browser tab" in at.selectbox(key=key).help, path
    train = open_page("pages/train.py")
    train.number_input(key="tr_iterations").set_value(1).run()
    click(train, "Train")
    assert "Trained on the Train page" in train.session_state["models"]
    other = open_page("pages/step_through.py", model="Trained on the Train page")     # another tab: a new session
    said = " ".join(w.value for w in other.warning).replace("\\", "")
    assert TABS["a model trained in another tab"] in said and other.session_state["model_name"] == "Demo RNN"
    assert "two tabs are two sessions" in " ".join(README.read_text().split())


# ----- found later: the command line's files and flags --------------------------------------------------
CLI_MORE = {
    "--out in a missing folder": (("train", "--corpus", "assets/corpora/cuisine.txt", "--out", "/nonexistent/m.npz"),
                                  "argument --out: the folder /nonexistent does not exist"),
    "--out a folder": (("train", "--corpus", "assets/corpora/cuisine.txt", "--out", "{tmp}"),
                       "argument --out: {tmp} is a folder"),
    "--corpus /dev/null": (("train", "--corpus", "/dev/null", "--out", "{tmp}/m.npz"),
                           "/dev/null is a device or a pipe, not a text file"),
    "--corpus a folder": (("train", "--corpus", "{tmp}", "--out", "{tmp}/m.npz"), "{tmp} is a folder, not a text file"),
    "--gap with a corpus": (("train", "--corpus", "assets/corpora/cuisine.txt", "--gap", "3", "--out", "{tmp}/m.npz"),
                            "argument --gap: applies only with --task"),
    "--level char with a task": (("train", "--task", "delay", "--level", "char", "--out", "{tmp}/m.npz"),
                                 "argument --level: applies only with --corpus"),
    "--temperature with greedy": (("complete", "--model", "assets/models/demo_rnn.npz", "--temperature", "0.5", "hi"),
                                  "argument --temperature: applies only with --strategy sample"),
    "--temperature 5e-324": (("complete", "--model", "assets/models/demo_rnn.npz", "--strategy", "sample",
                              "--temperature", "5e-324", "hi"),
                             "argument --temperature: 5e-324 is outside [0.01, 100]"),
    "a seed past 2,147,483,647": (("train", "--task", "delay", "--seed", "2147483648", "--out", "{tmp}/m.npz"),
                                  "argument --seed: 2147483648 is outside 0..2147483647"),
}


@pytest.mark.parametrize("case", CLI_MORE)
def test_cli_files_and_flags_are_checked_before_anything_runs(case, tmp_path):
    args, says = CLI_MORE[case]
    r = _cli(*(a.format(tmp=tmp_path) for a in args))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("rnn-core: error: "), r.stderr
    assert says.format(tmp=tmp_path) in lines[0] and not r.stdout and not (tmp_path / "m.npz").exists(), r.stderr


def test_a_tiny_temperature_stays_finite_in_the_api():
    import warnings

    from rnn_core.sampling import generate

    model, vocab = load_model(ROOT / "assets" / "models" / "demo_rnn.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # no RuntimeWarning either
        tiny = generate(model, vocab, "my favourite dish is sushi . so , my favourite cuisine is", 3, "sample", 5e-324)
    greedy = generate(model, vocab, "my favourite dish is sushi . so , my favourite cuisine is", 3, "greedy")
    assert [g.token for g in tiny] == [g.token for g in greedy]
    assert all(np.isfinite(g.probs).all() and g.probs.max() == 1.0 for g in tiny)
    with pytest.raises(ValueError, match="temperature"):
        generate(model, vocab, "my dish", 1, "sample", float("inf"))


# ----- found later: an exception no page foresaw ------------------------------------------------------
ERRORS = {"an exception in a page": "This app has encountered an error"}


def test_an_unforeseen_exception_shows_a_short_message_and_no_traceback(monkeypatch):
    """The project's .streamlit/config.toml sets client.showErrorDetails = "none": an exception injected into
    Home shows Streamlit's short message, without its type, its text or a traceback."""
    import tomllib

    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from helpers import APP
    import ui.home.sections as home

    setting = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]["showErrorDetails"]
    assert setting == "none"
    before = config.get_option("client.showErrorDetails")      # what the file gave this process, or the default
    config.set_option("client.showErrorDetails", setting)       # as `streamlit run` in the project's root reads it

    def lessons():
        raise RuntimeError("a secret detail from /srv/app")

    monkeypatch.setattr(home, "lessons", lessons)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
    finally:
        config.set_option("client.showErrorDetails", before)
    (shown,) = at.exception
    assert shown.message.startswith(ERRORS["an exception in a page"]) and not shown.stack_trace
    assert "secret" not in str(shown.proto) and "RuntimeError" not in str(shown.proto)


# ----- saved runs, model links and the Class page ------------------------------------------------------------
RUN_LINKS = {
    "a run id that is not in the store": "This link's run is not in the store: it expired, was removed, or the link "
                                         "is mistyped",
    "a run of another page": "it is a run of the Time series page: open it there",
    "a withdrawn or mistyped model link": "its owner withdrew it, it expired, or it is mistyped",
}


def _page_texts(at) -> str:
    kinds = ("markdown", "caption", "success", "warning", "info", "error", "subheader")
    return " ".join(str(e.value) for k in kinds for e in at.get(k)).replace("\\", "")


def test_run_and_model_links_that_cannot_be_used_are_named_and_change_nothing():
    from streamlit.testing.v1 import AppTest

    from helpers import APP
    from rnn_core.store import new_id
    from ui.common.config import SeriesConfig
    from ui.common.saving import run_store
    from ui.series.session import SeriesSession, build_series

    at = open_page("pages/train.py", run=new_id())
    assert RUN_LINKS["a run id that is not in the store"] in _page_texts(at)
    assert at.session_state["train_session"].view.iteration == 0
    series = SeriesSession()
    series.reset_weights(SeriesConfig(), build_series(SeriesConfig()))
    run = new_id()
    run_store().save_run(run, new_id(), "series", {"iteration": 0}, series.checkpoint()[2])
    at = open_page("pages/train.py", run=run)
    assert RUN_LINKS["a run of another page"] in _page_texts(at) and "The current model is kept" in _page_texts(at)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["shared"] = new_id()
    at.run()
    assert any(RUN_LINKS["a withdrawn or mistyped model link"] in t.value for t in at.get("toast"))
    assert not any(n.startswith("Shared:") for n in at.session_state["models"])


CLASS_INPUTS = {
    "an unknown code": "No class has that code: check it with your instructor.",
    "an empty nickname": "The nickname is empty.",
    "a nickname already taken": "Someone in this class is already called ada. If that is you, open the address you "
                                "joined with to come back; else pick another nickname.",
    "a nickname of HTML": "<b>bo</b>",
    "a hand-in too soon": "You handed in a moment ago",
    "a wrong board link": "This board link does not open: the class expired or the link is mistyped.",
}


def test_the_class_page_names_what_it_cannot_take():
    from rnn_core.store import Refused
    from ui.common.saving import run_store

    def join(code, nick):
        s = open_page("pages/class.py")
        s.text_input(key="class_code_input").set_value(code)
        s.text_input(key="class_nick_input").set_value(nick)
        next(b for b in s.button if b.label == "Join").click().run()
        assert not s.exception, s.exception
        return s

    store = run_store()
    code, secret = store.create_class("Bad input")
    assert CLASS_INPUTS["an unknown code"] in _page_texts(join("QQQQQQ" if code != "QQQQQQ" else "RRRRRR", "cy"))
    assert CLASS_INPUTS["an empty nickname"] in _page_texts(join(code, "   "))
    join(code, "ada")
    assert CLASS_INPUTS["a nickname already taken"] in _page_texts(join(code, "ada"))
    bo = join(code, "<b>bo</b>")
    assert f"you are {CLASS_INPUTS['a nickname of HTML']}" in _page_texts(bo)        # shown as typed, not bold
    member = bo.session_state["class_member"]
    store.hand_in(member, "lessons", {})
    with pytest.raises(Refused, match=CLASS_INPUTS["a hand-in too soon"]):
        store.hand_in(member, "lessons", {})
    wrong = open_page("pages/class.py", board=secret[:-3] + "abc")
    assert CLASS_INPUTS["a wrong board link"] in _page_texts(wrong) and "Board of" not in _page_texts(wrong)


# ----- the README's table -------------------------------------------------------------------------------
TABLE = {
    "Sentence boxes (Home, Step through, Gradient lab, Generate)": set(TEXTS),
    "Pasted training text (Train)": set(TEXTS) | {"over the limit"},
    "Uploaded training text (Train, .txt; the CLI's --corpus)": set(TEXT_FILES),
    "Uploaded model (Step through, Train; the CLI's --model and info)": set(MODEL_FILES),
    "Uploaded series (Time series, .csv)": set(CSV_FILES) | set(CSV_READ) | set(CSV_REFUSED) | set(SERIES_SCALES),
    "URL parameters of every setting (Train, Time series, Gradient lab)": set(NUMBERS),
    "Links to Step through and Generate": set(STEP_LINKS),
    "Numbers in links (every page)": set(NUMBER_LINKS),
    "Page addresses": set(UNKNOWN_PATHS),
    "Two browser tabs": set(TABS),
    "Run and model links (Train, Time series; a model link on any page)": set(RUN_LINKS),
    "Class page": set(CLASS_INPUTS),
    "Gradient norms (Train, Time series, Backward view)": set(ZERO_NORMS),
    "An unforeseen error (any page)": set(ERRORS),
    "CLI number arguments": set(NUMBERS),
    "CLI files and flags": set(CLI_MORE),
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
