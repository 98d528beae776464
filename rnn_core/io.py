"""Save and load models as ``.npz``: parameters plus JSON metadata, never pickle."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from .cells import model_class
from .vocab import Vocab

FORMAT = "rnn-playground-model"
VERSION = 1
_META_KEY = "__meta__"
MAX_BYTES = 200_000_000


class ModelFileError(ValueError):
    """A model file that cannot be used, with a message naming the problem."""


def save_model(path_or_file, model, vocab: Vocab, training: dict | None = None) -> None:
    """Write ``model``, its ``vocab`` and the ``training`` settings to an ``.npz`` file or file object."""
    if len(vocab) != model.vocab_size:
        raise ValueError(f"vocabulary has {len(vocab)} tokens but the model expects {model.vocab_size}")
    meta = {
        "format": FORMAT, "version": VERSION, "cell": model.cell, "activation": model.activation,
        "hidden_size": model.hidden_size, "vocab_size": model.vocab_size, "dtype": str(model.dtype),
        "vocab": vocab.to_dict(), "training": training if training is not None else model.metadata,
    }
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "wb") as f:
            np.savez(f, **arrays)
    else:
        np.savez(path_or_file, **arrays)


def model_to_bytes(model, vocab: Vocab, training: dict | None = None) -> bytes:
    buf = io.BytesIO()
    save_model(buf, model, vocab, training)
    return buf.getvalue()


def load_model(path_or_file):
    """Read a model written by ``save_model``; returns ``(model, vocab)``, settings in ``model.metadata``.

    Accepts a path, bytes, or a binary file object. Raises ``ModelFileError`` with a plain
    message for a missing, corrupt, truncated, foreign or inconsistent file.
    """
    raw = _read_bytes(path_or_file)
    if not raw.startswith(b"PK\x03\x04"):
        what = "empty" if not raw else "not an .npz archive"
        raise ModelFileError(f"not a model file: it is {what}")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            names = list(z.files)
            if _META_KEY not in names:
                raise ModelFileError("not an RNN Playground model: the file has no model metadata")
            raw_meta = z[_META_KEY]
            arrays = {n[len("param/"):]: z[n] for n in names if n.startswith("param/")}
    except ModelFileError:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ModelFileError("the file holds pickled Python objects, which are never loaded") from None
        raise ModelFileError(f"not a readable .npz model file ({e})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as e:
        raise ModelFileError(f"not a readable .npz model file: it is corrupt or truncated ({e})") from None
    meta = _parse_meta(raw_meta)
    return _build(meta, arrays)


def _read_bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, (bytes, bytearray)):
        raw = bytes(path_or_file)
    elif isinstance(path_or_file, (str, Path)):
        p = Path(path_or_file)
        if not p.is_file():
            raise ModelFileError(f"no such model file: {p}")
        if p.stat().st_size > MAX_BYTES:
            raise ModelFileError(f"the model file is larger than {MAX_BYTES // 1_000_000} MB")
        raw = p.read_bytes()
    else:
        raw = path_or_file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ModelFileError(f"the model file is larger than {MAX_BYTES // 1_000_000} MB")
    return raw


def _parse_meta(raw) -> dict:
    try:
        meta = json.loads(str(raw))
    except (TypeError, ValueError):
        raise ModelFileError("the model metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError("not an RNN Playground model: the metadata names another format")
    if meta.get("version") != VERSION:
        raise ModelFileError(f"unsupported model file version {meta.get('version')!r} (this is {VERSION})")
    for key in ("cell", "activation", "hidden_size", "vocab_size", "vocab"):
        if key not in meta:
            raise ModelFileError(f"the model metadata lacks {key!r}")
    return meta


def _build(meta: dict, arrays: dict):
    try:
        cls = model_class(meta["cell"])
        vocab = Vocab.from_dict(meta["vocab"])
    except (ValueError, KeyError, TypeError) as e:
        raise ModelFileError(f"the model metadata is inconsistent: {e}") from None
    if len(vocab) != meta["vocab_size"]:
        raise ModelFileError(f"the vocabulary holds {len(vocab)} tokens but the metadata says {meta['vocab_size']}")
    H, V = int(meta["hidden_size"]), int(meta["vocab_size"])
    expected = cls.shapes_for(H, V)
    missing = sorted(set(expected) - set(arrays))
    if missing:
        raise ModelFileError(f"the file lacks the parameter(s) {', '.join(missing)}")
    extra = sorted(set(arrays) - set(expected))
    if extra:
        raise ModelFileError(f"the file holds parameter(s) a {meta['cell']} model does not have: {', '.join(extra)}")
    params = {}
    for name, shape in expected.items():
        a = arrays[name]
        if a.shape != shape:
            raise ModelFileError(f"{name} has shape {a.shape}, but a {meta['cell']} with hidden size {H} "
                                 f"and {V} tokens needs {shape}")
        if a.dtype not in (np.float32, np.float64):
            raise ModelFileError(f"{name} holds {a.dtype} values, not floats")
        if not np.isfinite(a).all():
            raise ModelFileError(f"{name} holds NaN or infinite values")
        params[name] = np.array(a)
    dtypes = {a.dtype for a in params.values()}
    if len(dtypes) != 1:
        raise ModelFileError("the parameters mix float32 and float64")
    try:
        model = cls(params, meta["activation"])
    except ValueError as e:
        raise ModelFileError(f"the model metadata is inconsistent: {e}") from None
    model.metadata = meta.get("training") or {}
    return model, vocab
