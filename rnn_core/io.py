"""Save and load models as ``.npz``: parameters plus JSON metadata, never pickle."""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .cells import CELLS, MAX_HIDDEN, MAX_INPUTS, MAX_VOCAB, model_class
from .rnn import ACTIVATIONS
from .vocab import LEVELS, Vocab

FORMAT = "rnn-playground-model"
VERSION = 1
_META_KEY = "__meta__"
MAX_BYTES = 200_000_000          # a model file, and the total its arrays unpack to
MAX_META_BYTES = 20_000_000      # the JSON metadata (the vocabulary is most of it)
_CHECK_STEPS = 64                # tokens of the forward/backward pass a loaded model must survive


class ModelFileError(ValueError):
    """A model file that cannot be used, with a message naming the problem."""


def save_model(path_or_file, model, vocab: Vocab | None = None, training: dict | None = None) -> None:
    """Write ``model``, its ``vocab`` and the ``training`` settings to an ``.npz`` file or file object.

    A regression model (linear head) has no vocabulary (pass None): its file keeps the head, its
    input and output sizes and ``model.normalisation`` (the mean and scale its values were trained in).
    """
    meta = {
        "format": FORMAT, "version": VERSION, "cell": model.cell, "activation": model.activation,
        "hidden_size": model.hidden_size,
    }
    if model.real_inputs:
        if vocab is not None:
            raise ValueError("a regression model (linear head) reads numbers, not tokens: pass vocab=None")
        meta.update({"head": "linear", "input_size": model.input_size, "output_size": model.output_size,
                     "normalisation": _check_normalisation(model.normalisation, model.input_size)})
    else:
        if vocab is None or len(vocab) != model.vocab_size:
            have = "no vocabulary" if vocab is None else f"a vocabulary of {len(vocab)} tokens"
            raise ValueError(f"{have}, but the model expects {model.vocab_size}")
        meta.update({"vocab_size": model.vocab_size})
    meta["dtype"] = str(model.dtype)
    if not model.real_inputs:
        meta["vocab"] = vocab.to_dict()
    meta["training"] = training if training is not None else model.metadata
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "wb") as f:
            np.savez(f, **arrays)
    else:
        np.savez(path_or_file, **arrays)


def _check_normalisation(norm, n: int) -> dict | None:
    """None, or {"mean": [n numbers], "std": [n positive numbers]} as plain lists; ValueError otherwise."""
    if norm is None:
        return None
    try:
        mean = [float(v) for v in np.ravel(norm["mean"])]
        std = [float(v) for v in np.ravel(norm["std"])]
    except (TypeError, KeyError, ValueError, IndexError):
        raise ValueError("normalisation must be {'mean': [...], 'std': [...]} with numbers") from None
    if len(mean) != len(std) or len(mean) not in (1, n) or not all(np.isfinite(mean + std)) or min(std) <= 0:
        raise ValueError(f"normalisation needs 1 or {n} finite means and as many positive scales")
    return {"mean": mean, "std": std}


def model_to_bytes(model, vocab: Vocab, training: dict | None = None) -> bytes:
    buf = io.BytesIO()
    save_model(buf, model, vocab, training)
    return buf.getvalue()


def load_model(path_or_file, max_bytes: int = MAX_BYTES):
    """Read a model written by ``save_model``; returns ``(model, vocab)``, settings in ``model.metadata``
    (a regression model: ``(model, None)``, its normalisation in ``model.normalisation``).

    Accepts a path, bytes, or a binary file object. Everything is checked before it is used: the
    file's size and its arrays' unpacked size (at most ``max_bytes`` each, read from the archive's
    headers before anything is unpacked), the metadata's types and ranges, every array's declared
    shape and type (from its header, before its data is read), the weights' finiteness, and a
    forward and backward pass that must stay finite. Raises ``ModelFileError`` with a plain message
    for a missing, corrupt, truncated, oversized, foreign or inconsistent file.
    """
    raw = _read_bytes(path_or_file, max_bytes)
    if not raw.startswith(b"PK\x03\x04"):
        what = "empty" if not raw else "not an .npz archive"
        raise ModelFileError(f"not a model file: it is {what}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = _members(zf, max_bytes)
            if _META_KEY not in members:
                raise ModelFileError("not an RNN Playground model: the file has no model metadata")
            meta = _parse_meta(_read_meta(zf, members[_META_KEY]))
            cls = model_class(meta["cell"])
            if meta.get("head") == "linear":
                expected = cls.shapes_for(meta["hidden_size"], meta["input_size"], meta["output_size"])
            else:
                expected = cls.shapes_for(meta["hidden_size"], meta["vocab_size"])
            arrays = _read_params(zf, members, expected, meta)
    except ModelFileError:
        raise
    except RecursionError:
        raise ModelFileError("the model metadata is nested too deeply to be a model's") from None
    except MemoryError:
        raise ModelFileError("the file's arrays do not fit in memory") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
            NotImplementedError, RuntimeError, struct.error) as e:
        raise ModelFileError(f"not a readable .npz model file: it is corrupt or truncated ({e})") from None
    return _build(meta, arrays)


def _read_bytes(path_or_file, max_bytes: int) -> bytes:
    too_big = f"the model file is larger than {_mb(max_bytes)}"
    if isinstance(path_or_file, (bytes, bytearray)):
        raw = bytes(path_or_file)
    elif isinstance(path_or_file, (str, Path)):
        p = Path(path_or_file)
        if not p.is_file():
            raise ModelFileError(f"no such model file: {p}")
        if p.stat().st_size > max_bytes:
            raise ModelFileError(too_big)
        raw = p.read_bytes()
    else:
        raw = path_or_file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ModelFileError(too_big)
    return raw


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def _members(zf: zipfile.ZipFile, max_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """The archive's ``.npy`` members by name, refused if they would unpack to more than ``max_bytes``."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)           # sizes as the headers declare them; reading stops there
    if total > max_bytes:
        raise ModelFileError(f"its arrays would unpack to {total / 1_000_000:,.0f} MB, more than the "
                             f"{_mb(max_bytes)} a model may take")
    return {i.filename[: -len(".npy")]: i for i in infos if i.filename.endswith(".npy")}


def _npy_header(f) -> tuple[tuple, np.dtype]:
    """(shape, dtype) from a ``.npy`` member's header, before any of its data is read."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ModelFileError(f"an array is stored in .npy format {version}, which model files do not use")
    return shape, dtype


def _read_meta(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    with zf.open(info) as f:
        shape, dtype = _npy_header(f)
        if shape != () or dtype.kind != "U":
            raise ModelFileError("the model metadata is not a JSON text")
        if dtype.itemsize > MAX_META_BYTES:
            raise ModelFileError(f"the model metadata is larger than {_mb(MAX_META_BYTES)}")
        return str(np.frombuffer(f.read(dtype.itemsize), dtype=dtype)[0])


def _read_params(zf, members: dict, expected: dict, meta: dict) -> dict[str, np.ndarray]:
    """Each parameter, after its header shows the shape and float type the metadata asks for."""
    names = {n[len("param/"):]: info for n, info in members.items() if n.startswith("param/")}
    missing = sorted(set(expected) - set(names))
    if missing:
        raise ModelFileError(f"the file lacks the parameter(s) {', '.join(missing)}")
    extra = sorted(set(names) - set(expected))
    if extra:
        raise ModelFileError(f"the file holds parameter(s) a {meta['cell']} model does not have: {', '.join(extra)}")
    arrays = {}
    for name, shape in expected.items():
        with zf.open(names[name]) as f:
            got, dtype = _npy_header(f)
            if dtype.hasobject:
                raise ModelFileError("the file holds pickled Python objects, which are never loaded")
            if got != shape:
                sizes = (f"{meta['input_size']} inputs" if meta.get("head") == "linear"
                         else f"{meta['vocab_size']} tokens")
                raise ModelFileError(f"{name} has shape {got}, but a {meta['cell']} with hidden size "
                                     f"{meta['hidden_size']} and {sizes} needs {shape}")
            if dtype not in (np.float32, np.float64):
                raise ModelFileError(f"{name} holds {dtype} values, not floats")
        with zf.open(names[name]) as f:
            arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
    return arrays


def _parse_meta(text: str) -> dict:
    """The metadata as a dict whose every field the loader uses has the right type and range."""
    try:
        meta = json.loads(text)
    except (TypeError, ValueError):
        raise ModelFileError("the model metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError("not an RNN Playground model: the metadata names another format")
    if meta.get("version") != VERSION:
        raise ModelFileError(f"unsupported model file version {_shorten(repr(meta.get('version')))} "
                             f"(this is {VERSION})")
    linear = meta.get("head", "softmax") == "linear"
    if meta.get("head", "softmax") not in ("softmax", "linear"):
        raise ModelFileError(f"the model metadata is inconsistent: unknown head {_shorten(repr(meta['head']))}")
    sizes = ("input_size", "output_size") if linear else ("vocab_size",)
    for key in ("cell", "activation", "hidden_size", *sizes, *(() if linear else ("vocab",))):
        if key not in meta:
            raise ModelFileError(f"the model metadata lacks {key!r}")
    if meta["cell"] not in CELLS:
        raise ModelFileError(f"the model metadata is inconsistent: unknown cell {_shorten(repr(meta['cell']))} "
                             f"(a model is one of {', '.join(CELLS)})")
    if meta["activation"] not in ACTIVATIONS:
        raise ModelFileError(f"the model metadata is inconsistent: unknown activation "
                             f"{_shorten(repr(meta['activation']))} (one of {', '.join(ACTIVATIONS)})")
    limits = {"hidden_size": (1, MAX_HIDDEN), "vocab_size": (2, MAX_VOCAB), "input_size": (1, MAX_INPUTS),
              "output_size": (1, MAX_INPUTS)}
    for key in ("hidden_size", *sizes):
        v = meta[key]
        lo, hi = limits[key]
        if not (isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi):
            raise ModelFileError(f"the metadata's {key} is {_shorten(repr(v))}; it must be a whole number "
                                 f"from {lo} to {hi:,}")
    if linear:
        try:
            meta["normalisation"] = _check_normalisation(meta.get("normalisation"), meta["input_size"])
        except ValueError as e:
            raise ModelFileError(f"the metadata's normalisation is unusable: {e}") from None
    else:
        vocab = meta["vocab"]
        if not (isinstance(vocab, dict) and vocab.get("level") in LEVELS and isinstance(vocab.get("tokens"), list)
                and all(isinstance(t, str) for t in vocab["tokens"])):
            raise ModelFileError("the metadata's vocabulary is not a list of tokens with a level (word or char)")
        if len(vocab["tokens"]) != meta["vocab_size"]:
            raise ModelFileError(f"the vocabulary holds {len(vocab['tokens']):,} tokens but the metadata says "
                                 f"{meta['vocab_size']:,}")
    training = meta.get("training")
    if training is not None and not isinstance(training, dict):
        raise ModelFileError("the metadata's training settings are not a table of names and values")
    return meta


def _build(meta: dict, arrays: dict):
    cls = model_class(meta["cell"])
    linear = meta.get("head") == "linear"
    try:
        vocab = None if linear else Vocab.from_dict(meta["vocab"])
        cls.check_activation(meta["activation"])
    except ValueError as e:
        raise ModelFileError(f"the model metadata is inconsistent: {e}") from None
    for name, a in arrays.items():
        if not np.isfinite(a).all():
            raise ModelFileError(f"{name} holds NaN or infinite values")
    if len({a.dtype for a in arrays.values()}) != 1:
        raise ModelFileError("the parameters mix float32 and float64")
    try:
        model = cls(arrays, meta["activation"], "linear" if linear else "softmax")
    except ValueError as e:
        raise ModelFileError(f"the model metadata is inconsistent: {e}") from None
    _check_finite_passes(model)
    model.metadata = meta.get("training") or {}
    if linear:
        model.normalisation = meta["normalisation"]
    return model, vocab


def _check_finite_passes(model) -> None:
    """Refuse weights so large that reading a few tokens (or BPTT in float64) overflows."""
    n = _CHECK_STEPS
    if model.real_inputs:            # values a normalised series takes: a ramp from -3 to 3 in every feature
        x = np.repeat(np.linspace(-3, 3, n)[:, None], model.input_size, axis=1)
        y, what = np.zeros((n, model.output_size)), f"{n} steps"
    else:
        V = model.vocab_size
        x = y = np.arange(min(V, n)) % V
        what = f"{x.size} tokens"
    with np.errstate(all="ignore"):
        tr = model.forward(x)
        ok = all(np.isfinite(a).all() for a in (tr.hidden, tr.logits) + (() if tr.probs is None else (tr.probs,)))
        if ok:
            _, grads, _ = model.astype(np.float64).loss_and_grads(x, y, loss="many_to_many")
            ok = all(np.isfinite(g).all() for g in grads.values())
    if not ok:
        name, big = max(((k, float(np.abs(p).max())) for k, p in model.params.items()), key=lambda kv: kv[1])
        raise ModelFileError(f"its weights are too large to compute with: reading {what} overflows "
                             f"(the largest weight, in {name}, is {big:.3g})")


def _shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
