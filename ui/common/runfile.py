"""A page's run as one file of bytes: what the run store keeps of Train's or Time series' session, and what a
model link freezes.

No Streamlit. An ``.npz`` archive (NumPy's, never pickled) of plain arrays with one JSON string:

    __meta__          {"format", "version", "kind", the run's counts and settings, the page's own fields}
    __model__         the model file (rnn_core.io's .npz, as bytes): checked on read exactly as an upload is
    metrics/<column>  the metrics log's columns (iteration, loss, ...), one array each: columnar
    rows/<kind>/...   its per-step rows (a NaN-padded matrix, each row's length and iteration)
    opt/<slot>/<name> the optimizer's moments, so training goes on where it stopped
    ...               what the page adds (Train: the run history's curves and weight snapshots)

``read_run`` checks the archive before anything is unpacked (its size, and what its arrays would unpack to)
and refuses anything else with a plain ``RunFileError``.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import numpy as np

from rnn_core.io import ModelFileError, load_model

from .limits import MAX_MODEL_BYTES
from .live import ROW_KINDS, MetricsLog, StepRows

FORMAT = "rnn-playground-run"
VERSION = 1
MAX_RUN_FILE_BYTES = 64_000_000          # a run file and what its arrays unpack to (the store's default row limit)
META, MODEL = "__meta__", "__model__"


def N_(message: str) -> str:
    """Marks a message for translation, as ``ui.common.i18n.N_`` does (this module imports no Streamlit: the training
    workers read run files); a page translates it where it shows it."""
    return message


class RunFileError(ValueError):
    """A run file that cannot be used, with a plain message. Made from a message marked with N_ and the values of its
    placeholders, it keeps both (``template``, ``values``), so a page can show it in the session's language
    (ui/common/runlinks.py); its text is the English one."""

    def __init__(self, message: str, **values):
        super().__init__(message.format(**values) if values else message)
        self.template, self.values = message, values


@dataclass
class RunFile:
    meta: dict
    model: object
    vocab: object
    arrays: dict[str, np.ndarray]

    @property
    def kind(self) -> str:
        return self.meta["kind"]


def write_run(meta: dict, model_bytes: bytes, arrays: dict[str, np.ndarray]) -> bytes:
    """One run file from its JSON fields, its model file and its arrays (names as in the module's docstring)."""
    buf = io.BytesIO()
    np.savez(buf, **{META: np.array(json.dumps({"format": FORMAT, "version": VERSION, **meta})),
                     MODEL: np.frombuffer(bytes(model_bytes), np.uint8)}, **arrays)
    return buf.getvalue()


def read_run(raw: bytes, kind: str | None = None, max_bytes: int = MAX_RUN_FILE_BYTES) -> RunFile:
    """The run file ``raw`` (of ``kind``, "train" or "series", when given), its model checked as an upload is;
    RunFileError naming the problem otherwise."""
    if len(raw) > max_bytes:
        raise RunFileError(N_("the saved run is {size} MB, over {limit} MB"), size=f"{len(raw) / 1e6:.1f}",
                           limit=f"{max_bytes / 1e6:g}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > max_bytes:
                raise RunFileError(N_("the saved run would unpack to more than {limit} MB"),
                                   limit=f"{max_bytes / 1e6:g}")
            names = {i.filename[:-4] for i in infos if i.filename.endswith(".npy")}
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            arrays = {name: z[name] for name in names}
    except RunFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise RunFileError(N_("the saved run cannot be read ({error})"), error=str(e)) from None
    try:
        meta = json.loads(str(arrays.pop(META)))
        model_raw = arrays.pop(MODEL)
    except (KeyError, ValueError, TypeError):
        raise RunFileError(N_("the saved run has no settings or no model")) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise RunFileError(N_("it is not a run saved by this version of RNN Playground"))
    if kind is not None and meta.get("kind") != kind:
        where = {"train": N_("Train"), "series": N_("Time series")}
        raise RunFileError(N_("it is a run of the {page} page, not of {other}"),
                           page=where.get(meta.get("kind"), N_("another")), other=where.get(kind, kind))
    try:
        model, vocab = load_model(model_raw.tobytes(), max_bytes=MAX_MODEL_BYTES)
    except ModelFileError as e:
        raise RunFileError(N_("its model cannot be used: {error}"), error=str(e)) from None
    return RunFile(meta, model, vocab, arrays)


# ----- the parts every page's run has: the metrics log, the optimizer ---------------------------------------
def metrics_arrays(log: MetricsLog) -> tuple[dict, dict[str, np.ndarray]]:
    """A metrics log as (its JSON fields, its arrays)."""
    arrays = {f"metrics/{c}": log.column(c).copy() for c in log.COLUMNS}
    meta = {"strides": {}}
    for k in ROW_KINDS:
        rows: StepRows = getattr(log, k)
        arrays[f"rows/{k}/matrix"] = rows.matrix()
        arrays[f"rows/{k}/lengths"] = np.array([len(r) for r in rows.rows], np.int64)
        arrays[f"rows/{k}/iterations"] = np.array(rows.iterations, np.int64)
        meta["strides"][k] = rows.stride
    for name in ("w_hh_terms", "last_step_total"):
        if getattr(log, name) is not None:
            arrays[f"metrics_extra/{name}"] = np.asarray(getattr(log, name), np.float32)
    return meta, arrays


def metrics_from(meta: dict, arrays: dict[str, np.ndarray]) -> MetricsLog:
    """The metrics log ``metrics_arrays`` wrote."""
    log = MetricsLog()
    try:
        cols = {c: np.asarray(arrays[f"metrics/{c}"], t) for c, t in log.COLUMNS.items()}
        n = len(cols["iteration"])
        if any(len(v) != n for v in cols.values()):
            raise ValueError("columns of different lengths")
        log._cols = {c: np.concatenate([v, np.zeros(max(1024, n), v.dtype)]) for c, v in cols.items()}
        log._n = n
        for k in ROW_KINDS:
            matrix = np.asarray(arrays[f"rows/{k}/matrix"], np.float32)
            lengths = np.asarray(arrays[f"rows/{k}/lengths"], np.int64)
            its = np.asarray(arrays[f"rows/{k}/iterations"], np.int64)
            if not (len(lengths) == len(its) == (len(matrix) if lengths.size else 0)):
                raise ValueError(f"{k}: rows, lengths and iterations disagree")
            rows: StepRows = getattr(log, k)
            rows.rows = [matrix[i, : int(length)].copy() for i, length in enumerate(lengths)]
            rows.iterations = [int(i) for i in its]
            rows.stride = max(1, int(meta.get("strides", {}).get(k, 1)))
        for name in ("w_hh_terms", "last_step_total"):
            if f"metrics_extra/{name}" in arrays:
                setattr(log, name, np.asarray(arrays[f"metrics_extra/{name}"], np.float32))
    except (KeyError, ValueError, IndexError, TypeError) as e:
        raise RunFileError(N_("its metrics cannot be read ({error})"), error=str(e)) from None
    return log


def optimizer_arrays(optimizer) -> tuple[dict, dict[str, np.ndarray]]:
    meta = {"name": optimizer.name, "lr": optimizer.lr, "t": optimizer.t}
    arrays = {f"opt/{slot}/{name}": a for slot, bufs in optimizer.state.items() for name, a in bufs.items()}
    return meta, arrays


def restore_optimizer(optimizer, meta: dict, arrays: dict[str, np.ndarray], params: dict) -> None:
    """Put the saved moments back (each the shape of its weight; anything else is left to start afresh)."""
    if meta.get("name") != optimizer.name:
        return
    optimizer.t = int(meta.get("t", 0))
    for key, a in arrays.items():
        if key.startswith("opt/"):
            _, slot, name = key.split("/", 2)
            if name in params and a.shape == params[name].shape:
                optimizer.state.setdefault(slot, {})[name] = np.array(a, params[name].dtype)
