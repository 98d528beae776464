"""Models that travel between rnn_core and PyTorch, both ways, and as safetensors files.

The layouts already match ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` (gate blocks i, f, g, o
for the LSTM and r, z, n for the GRU, as PyTorch orders them), so moving a model is renaming its
arrays: W_xh -> weight_ih_l0, W_hh -> weight_hh_l0, W_hy / b_y -> the ``torch.nn.Linear`` head's weight and
bias. The RNN's and the LSTM's single bias goes out as ``bias_ih_l0`` with ``bias_hh_l0`` zero, and comes
back as their sum; the GRU keeps both.

    rnn, head = to_torch(model)                     # torch modules (imports torch only here)
    model, vocab = from_torch(rnn, head, vocab)     # and back: a PyTorch-trained RNN, LSTM or GRU
    raw = to_safetensors(model, vocab)              # the state_dict's names ("rnn.weight_ih_l0", "head.weight")
    model, vocab = load_safetensors(raw)            # with the configuration and vocabulary it carries
    load_safetensors(raw_from_pytorch, vocab=json.load(open("vocab.json")))   # a file PyTorch wrote

A token model reads one-hot vectors of its vocabulary (``torch.nn.functional.one_hot``); an
``nn.Embedding`` in front of a PyTorch cell is folded into W_xh on the way in (W_ih E^T, exact for one-hot
input). torch is never a dependency: only ``to_torch``, ``from_torch`` and the ``.pt`` in ``torch_bundle``
import it; the safetensors path is NumPy alone (``rnn_core.safetensors``).
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np

from . import safetensors
from .cells import model_class
from .io import MAX_BYTES, ModelFileError, _build, _check_normalisation, _parse_meta
from .io import FORMAT as NPZ_FORMAT
from .io import VERSION as NPZ_VERSION
from .vocab import LEVELS, UNK, Vocab

FORMAT = "rnn-playground-pytorch"
CELL_OF_BLOCKS = {1: "rnn", 4: "lstm", 3: "gru"}
UNK_LOGIT_BELOW = 1e4      # an added <unk> is never predicted: its logit sits this far below every other bias
MAX_CONFIG_BYTES = 20_000_000


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("this needs PyTorch: pip install torch (rnn_core itself never needs it)") from None
    return torch


# ----- rnn_core -> PyTorch names ---------------------------------------------------------------------------
def state_dict(model) -> dict[str, np.ndarray]:
    """The model's weights under the names of a module with ``self.rnn`` (the cell) and ``self.head`` (Linear)."""
    P = model.params
    if model.cell == "gru":
        b_ih, b_hh = P["b_xh"], P["b_hh"]
    else:
        b_ih, b_hh = P["b_h"], np.zeros_like(P["b_h"])
    return {"rnn.weight_ih_l0": P["W_xh"], "rnn.weight_hh_l0": P["W_hh"], "rnn.bias_ih_l0": b_ih,
            "rnn.bias_hh_l0": b_hh, "head.weight": P["W_hy"], "head.bias": P["b_y"]}


def config(model, vocab: Vocab | None = None, training: dict | None = None) -> dict:
    """What a PyTorch user needs beside the weights: the module to build, and the vocabulary (token models) or the
    normalisation (regression models). Written as ``config.json`` and inside every safetensors file."""
    out = {"format": FORMAT, "version": 1, "cell": model.cell, "activation": model.activation,
           "torch_module": {"rnn": "torch.nn.RNN", "lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU"}[model.cell],
           "nonlinearity": model.activation if model.cell == "rnn" else None,
           "input_size": model.input_size, "hidden_size": model.hidden_size, "output_size": model.output_size,
           "head": model.head, "batch_first": True, "dtype": str(model.dtype)}
    if model.real_inputs:
        out["input"] = "real values, normalised with normalisation (x - mean) / std"
        out["normalisation"] = _check_normalisation(model.normalisation, model.input_size)
    else:
        if vocab is None or len(vocab) != model.vocab_size:
            raise ValueError("a token model travels with its vocabulary")
        out["input"] = "one-hot token ids of vocab (id 0 is <unk>, the id of any unknown token)"
        out["vocab"] = vocab.to_dict()
    out["training"] = training if training is not None else model.metadata
    return out


def to_safetensors(model, vocab: Vocab | None = None, training: dict | None = None) -> bytes:
    """A safetensors file: the PyTorch state_dict (``rnn.*``, ``head.*``) and, in its metadata, ``config``."""
    meta = {"format": FORMAT, "config": json.dumps(config(model, vocab, training))}
    return safetensors.write(state_dict(model), meta)


def to_torch(model, dtype=None):
    """``(recurrent, linear)`` torch modules holding ``model``'s weights (``batch_first=True``).

    A token model reads one-hot vectors of its vocabulary size (``torch.nn.functional.one_hot``);
    a regression model reads its ``input_size`` real values per step. ``dtype`` defaults to the
    model's own float type. Raises ImportError with a plain message when torch is missing.
    """
    torch = _torch()
    dtype = dtype or {"float32": torch.float32, "float64": torch.float64}[str(model.dtype)]
    F, H, K = model.input_size, model.hidden_size, model.output_size
    if model.cell == "rnn":
        if model.activation not in ("tanh", "relu"):
            raise ValueError(f"torch.nn.RNN has tanh and relu only; this RNN uses {model.activation}")
        rec = torch.nn.RNN(F, H, nonlinearity=model.activation, batch_first=True)
    elif model.cell == "lstm":
        rec = torch.nn.LSTM(F, H, batch_first=True)
    elif model.cell == "gru":
        rec = torch.nn.GRU(F, H, batch_first=True)
    else:
        raise ValueError(f"no PyTorch module for the cell {model.cell!r}")
    head = torch.nn.Linear(H, K)
    rec, head = rec.to(dtype), head.to(dtype)
    sd = {k: torch.as_tensor(np.array(v), dtype=dtype) for k, v in state_dict(model).items()}
    rec.load_state_dict({k[4:]: v for k, v in sd.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith("head.")})
    return rec, head


LOAD_SCRIPT = '''"""Load this model in PyTorch: python load_pytorch.py (pip install torch safetensors first).

Exported by RNN Playground. The weights are a state_dict for the module below (model.safetensors, and
state_dict.pt where the exporting machine had torch); config.json says which cell, its sizes, and the
vocabulary (token models) or the normalisation (models of numbers).
"""
import json
from pathlib import Path

import torch
from safetensors.torch import load_file

HERE = Path(__file__).parent
config = json.loads((HERE / "config.json").read_text(encoding="utf-8"))


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[c["cell"]]
        extra = {"nonlinearity": c["nonlinearity"]} if c["cell"] == "rnn" else {}
        self.rnn = cell(c["input_size"], c["hidden_size"], batch_first=True, **extra)
        self.head = torch.nn.Linear(c["hidden_size"], c["output_size"])

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), state            # logits (token models) or predicted values, every step


model = Model(config).to(getattr(torch, config["dtype"]))
model.load_state_dict(load_file(HERE / "model.safetensors"))
model.train(False)                    # inference mode: dropout and the like off

if config["head"] == "softmax":
    tokens = config["vocab"]["tokens"]
    index = {t: i for i, t in enumerate(tokens)}
    words = "my favourite dish is sushi . so , my favourite cuisine is".split()
    ids = torch.tensor([[index.get(w, 0) for w in words]])          # 0 is <unk>
    x = torch.nn.functional.one_hot(ids, len(tokens)).to(getattr(torch, config["dtype"]))
    with torch.no_grad():
        logits, _ = model(x)
    print("next token after", " ".join(words), "->", tokens[int(logits[0, -1].argmax())])
else:
    print(model)
'''


def torch_bundle(model, vocab: Vocab | None = None, training: dict | None = None) -> bytes:
    """A zip for PyTorch: model.safetensors (the state_dict), config.json (the module and the vocabulary),
    load_pytorch.py (builds the module and loads them), and state_dict.pt where torch is installed here."""
    if model.cell == "rnn" and model.activation not in ("tanh", "relu"):
        raise ValueError(f"torch.nn.RNN has tanh and relu only; this RNN uses {model.activation}")
    cfg = config(model, vocab, training)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.safetensors", to_safetensors(model, vocab, training))
        z.writestr("config.json", json.dumps(cfg, indent=1, ensure_ascii=False))
        z.writestr("load_pytorch.py", LOAD_SCRIPT)
        pt = _state_dict_pt(model)
        if pt is not None:
            z.writestr("state_dict.pt", pt)
    return buf.getvalue()


def _state_dict_pt(model) -> bytes | None:
    """``torch.save`` of the state_dict, where torch is installed; else None."""
    try:
        torch = _torch()
    except ImportError:
        return None
    buf = io.BytesIO()
    torch.save({k: torch.from_numpy(np.array(v)) for k, v in state_dict(model).items()}, buf)
    return buf.getvalue()


def save_torch(path, model, vocab: Vocab | None = None, training: dict | None = None) -> list[str]:
    """``path`` (.pt: the state_dict, ``torch.save``) and its config and vocabulary beside it (``.json``)."""
    from pathlib import Path

    pt = _state_dict_pt(model)
    if pt is None:
        raise ImportError("writing a .pt file needs PyTorch: pip install torch (or export to safetensors, which "
                          "PyTorch reads with safetensors.torch.load_file)")
    path = Path(path)
    side = path.with_suffix(".json")
    cfg = json.dumps(config(model, vocab, training), indent=1, ensure_ascii=False)
    path.write_bytes(pt)
    side.write_text(cfg, encoding="utf-8")
    return [str(path), str(side)]


# ----- PyTorch -> rnn_core ----------------------------------------------------------------------------------
def from_torch(module, head, vocab=None):
    """``(model, vocab)`` from a trained ``torch.nn.RNN``, ``LSTM`` or ``GRU`` (one layer, one direction) and
    its ``torch.nn.Linear`` head.

    ``vocab``: a ``Vocab``, a list of tokens in id order, or a ``{token: id}`` table (a token model reading
    one-hot ids); None for a model of numbers (real inputs, linear head).
    """
    torch = _torch()
    kinds = {torch.nn.RNN: "rnn", torch.nn.LSTM: "lstm", torch.nn.GRU: "gru"}
    cell = next((c for t, c in kinds.items() if isinstance(module, t)), None)
    if cell is None:
        raise ValueError(f"from_torch takes a torch.nn.RNN, LSTM or GRU, not {type(module).__name__}")
    if not isinstance(head, torch.nn.Linear):
        raise ValueError(f"the head must be a torch.nn.Linear, not {type(head).__name__}")
    arrays = {f"rnn.{k}": v for k, v in module.state_dict().items()}
    arrays.update({f"head.{k}": v for k, v in head.state_dict().items()})
    arrays = {k: (v.float() if v.dtype in (torch.float16, torch.bfloat16) else v).detach().cpu().numpy()
              for k, v in arrays.items()}
    nonlinearity = getattr(module, "nonlinearity", "tanh") if cell == "rnn" else "tanh"
    return from_state_dict(arrays, vocab, activation=nonlinearity, head="linear" if vocab is None else "softmax")


def from_state_dict(tensors: dict[str, np.ndarray], vocab=None, activation: str | None = None,
                    head: str | None = None, normalisation: dict | None = None, training: dict | None = None):
    """``(model, vocab)`` from a PyTorch-style state_dict (NumPy arrays): one cell's ``*weight_ih_l0``,
    ``*weight_hh_l0`` and biases, one Linear's ``*.weight`` and ``*.bias``, and an optional ``nn.Embedding`` in
    front (folded into W_xh). Every check of ``load_model`` applies; ModelFileError names what does not fit."""
    try:
        return _from_state_dict(tensors, vocab, activation, head, normalisation, training)
    except ModelFileError:
        raise
    except (ValueError, KeyError, TypeError) as e:
        raise ModelFileError(str(e)) from None


def _from_state_dict(tensors, vocab, activation, head, normalisation, training):
    prefixes = [k[: -len("weight_ih_l0")] for k in tensors if k.endswith("weight_ih_l0")]
    if len(prefixes) != 1:
        raise ModelFileError("it holds no recurrent cell (no weight_ih_l0)" if not prefixes else
                             f"it holds {len(prefixes)} recurrent cells ({', '.join(prefixes)}); one is expected")
    p = prefixes[0]
    own = {k for k in tensors if k.startswith(p) and re.fullmatch(r"(weight|bias)_(ih|hh|hr)_l\d+(_reverse)?",
                                                                   k[len(p):])}
    if any(k[len(p):] not in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0") for k in own):
        raise ModelFileError("its cell has more than one layer, two directions or a projection (proj_size); "
                             "rnn_core's cells have one layer and one direction")
    W_ih, W_hh = _matrix(tensors, p + "weight_ih_l0"), _matrix(tensors, p + "weight_hh_l0")
    H = W_hh.shape[1]
    G, rem = divmod(W_hh.shape[0], H) if H else (0, 1)
    if rem or G not in CELL_OF_BLOCKS or W_ih.shape[0] != W_hh.shape[0]:
        raise ModelFileError(f"weight_ih_l0 {W_ih.shape} and weight_hh_l0 {W_hh.shape} are not an RNN's, an LSTM's "
                             "or a GRU's (1, 4 or 3 blocks of H rows)")
    cell = CELL_OF_BLOCKS[G]
    zeros = np.zeros(G * H, W_hh.dtype)
    b_ih = _vector(tensors, p + "bias_ih_l0", G * H, zeros)
    b_hh = _vector(tensors, p + "bias_hh_l0", G * H, zeros)
    rest = {k: v for k, v in tensors.items() if k not in own}
    heads = [k[: -len("weight")] for k, v in rest.items() if k.endswith("weight") and np.ndim(v) == 2
             and np.shape(v)[1] == H]
    if len(heads) != 1:
        raise ModelFileError(f"it holds no output layer (a Linear from the hidden size {H} to the outputs)" if not heads
                             else f"it holds {len(heads)} layers that could be the output layer "
                                  f"({', '.join(h.rstrip('.') or '(top level)' for h in heads)}); one is expected")
    q = heads[0]
    W_hy = _matrix(rest, q + "weight")
    b_y = _vector(rest, q + "bias", W_hy.shape[0], np.zeros(W_hy.shape[0], W_hy.dtype))
    rest = {k: v for k, v in rest.items() if k not in (q + "weight", q + "bias")}
    embedding = [k for k, v in rest.items() if np.ndim(v) == 2 and np.shape(v)[1] == W_ih.shape[1]]
    if len(embedding) == 1:
        E = _matrix(rest, embedding[0])              # (V, E): a token's input is W_ih E[token] = (W_ih E^T) one_hot
        W_ih = W_ih @ E.T
        rest.pop(embedding[0])
    if rest:
        raise ModelFileError(f"it holds tensors this cell and head do not use: {', '.join(sorted(rest)[:5])}")

    head = head or ("softmax" if vocab is not None else None)
    if head is None:
        raise ModelFileError("a token model needs its vocabulary (a JSON list of its tokens in id order); "
                             "a model of numbers says head: linear in its config")
    arrays = {"W_xh": W_ih, "W_hh": W_hh, "W_hy": W_hy, "b_y": b_y}
    if cell == "gru":
        arrays.update(b_xh=b_ih, b_hh=b_hh)
    else:
        arrays["b_h"] = b_ih + b_hh
    widest = np.result_type(*arrays.values(), np.float32)
    arrays = {k: np.ascontiguousarray(v, dtype=widest if widest == np.float64 else np.float32)
              for k, v in arrays.items()}
    meta = {"format": NPZ_FORMAT, "version": NPZ_VERSION, "cell": cell, "activation": activation or "tanh",
            "hidden_size": H, "training": training or {}}
    if head == "linear":
        meta.update(head="linear", input_size=arrays["W_xh"].shape[1], output_size=arrays["W_hy"].shape[0],
                    normalisation=normalisation)
    else:
        tokens, level = vocab_tokens(vocab)
        tokens, arrays = _put_unk_first(tokens, arrays)
        if arrays["W_hy"].shape[0] != len(tokens) or arrays["W_xh"].shape[1] != len(tokens):
            raise ModelFileError(f"the vocabulary holds {len(tokens):,} tokens, but the model reads "
                                 f"{arrays['W_xh'].shape[1]:,} and predicts {arrays['W_hy'].shape[0]:,}")
        meta.update(vocab_size=len(tokens), vocab={"level": level, "tokens": tokens})
    meta = _parse_meta(json.dumps(meta))
    cls = model_class(cell)
    expected = (cls.shapes_for(H, meta["input_size"], meta["output_size"]) if head == "linear"
                else cls.shapes_for(H, meta["vocab_size"]))
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise ModelFileError(f"{name} has shape {arrays[name].shape}; a {cell} of this size needs {shape}")
    return _build(meta, arrays)


def _matrix(tensors, name):
    if name not in tensors:
        raise ModelFileError(f"it lacks {name}")
    a = np.asarray(tensors[name])
    if a.ndim != 2 or a.dtype.kind != "f":
        raise ModelFileError(f"{name} is not a matrix of floats")
    return a


def _vector(tensors, name, n, default):
    if name not in tensors:
        return default
    a = np.asarray(tensors[name])
    if a.shape != (n,) or a.dtype.kind != "f":
        raise ModelFileError(f"{name} has shape {a.shape}; {(n,)} is expected")
    return a


def _put_unk_first(tokens: list[str], arrays: dict) -> tuple[list[str], dict]:
    """rnn_core's vocabularies give id 0 to <unk>. Where the model's list has it elsewhere, its row and column
    move to 0 (the same model); where it has none, one is added that reads as no input (a zero column) and is
    never predicted (its logit far below every other)."""
    if tokens and tokens[0] == UNK:
        return tokens, arrays
    W_xh, W_hy, b_y = arrays["W_xh"], arrays["W_hy"], arrays["b_y"]
    if UNK in tokens:
        j = tokens.index(UNK)
        order = [j, *(i for i in range(len(tokens)) if i != j)]
        return [tokens[i] for i in order], {**arrays, "W_xh": W_xh[:, order], "W_hy": W_hy[order], "b_y": b_y[order]}
    if W_xh.shape[1] != len(tokens):
        return tokens, arrays                            # the size check after this names the mismatch
    low = (b_y.min() if b_y.size else 0) - UNK_LOGIT_BELOW
    return [UNK, *tokens], {**arrays, "W_xh": np.concatenate([np.zeros_like(W_xh[:, :1]), W_xh], axis=1),
                            "W_hy": np.concatenate([np.zeros_like(W_hy[:1]), W_hy]),
                            "b_y": np.concatenate([np.full(1, low, b_y.dtype), b_y])}


def vocab_tokens(vocab) -> tuple[list[str], str]:
    """``(tokens in id order, level)`` from a Vocab, ``{"level": .., "tokens": [..]}`` (also inside a config as
    ``"vocab"``), a list of tokens, or a ``{token: id}`` table. A list's level is "char" when every token but
    <unk> is one character."""
    if isinstance(vocab, Vocab):
        return list(vocab.tokens), vocab.level
    level = None
    if isinstance(vocab, dict) and isinstance(vocab.get("vocab"), (dict, list)):
        vocab = vocab["vocab"]
    if isinstance(vocab, dict) and "tokens" in vocab:
        level, vocab = vocab.get("level"), vocab["tokens"]
        if level not in LEVELS:
            raise ModelFileError(f"the vocabulary's level is {str(level)[:20]!r}; it must be word or char")
    if isinstance(vocab, dict):                          # {token: id}
        ids = list(vocab.values())
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) or sorted(ids) != list(range(len(ids))):
            raise ModelFileError("a {token: id} vocabulary needs the ids 0, 1, 2, ... once each")
        vocab = sorted(vocab, key=vocab.get)
    if not (isinstance(vocab, list) and vocab and all(isinstance(t, str) for t in vocab)):
        raise ModelFileError("the vocabulary is not a list of tokens (JSON: [\"<unk>\", \"the\", ...], "
                             "{\"level\": \"word\", \"tokens\": [...]} or {\"the\": 1, ...})")
    if len(set(vocab)) != len(vocab):
        raise ModelFileError("the vocabulary lists a token twice")
    if level is None:
        level = "char" if all(len(t) == 1 for t in vocab if t != UNK) else "word"
    return list(vocab), level


def read_vocab_json(raw: bytes, max_bytes: int = MAX_CONFIG_BYTES):
    """The parsed JSON of an uploaded vocabulary (or config.json), checked to be one; ModelFileError otherwise."""
    if len(raw) > max_bytes:
        raise ModelFileError(f"the vocabulary file is larger than {max_bytes / 1e6:g} MB")
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError("the vocabulary file is not JSON text") from None
    vocab_tokens(parsed)                                 # raises with a message if it holds no vocabulary
    return parsed


def load_safetensors(src, vocab=None, max_bytes: int = MAX_BYTES):
    """``(model, vocab)`` from a safetensors file (path, bytes or binary file): one this project wrote (its
    configuration and vocabulary inside), or a PyTorch state_dict saved with ``safetensors.torch.save_file``
    plus ``vocab`` (see ``vocab_tokens``; a config.json's parsed contents also do). ModelFileError otherwise."""
    from .io import _read_bytes

    raw = _read_bytes(src, max_bytes)
    try:
        tensors, meta = safetensors.read(raw, max_bytes)
    except safetensors.SafetensorsError as e:
        raise ModelFileError(str(e)) from None
    cfg = {}
    if "config" in meta:
        try:
            cfg = json.loads(meta["config"])
        except (ValueError, RecursionError):
            raise ModelFileError("the file's configuration is not JSON") from None
        if not isinstance(cfg, dict):
            raise ModelFileError("the file's configuration is not a table")
    side = vocab if isinstance(vocab, dict) and ("vocab" in vocab or "head" in vocab) else {}
    head = cfg.get("head") or side.get("head")
    if vocab is None and head != "linear":
        vocab = cfg.get("vocab")
    activation = cfg.get("activation") or side.get("activation") or side.get("nonlinearity") or "tanh"
    training = cfg.get("training") if isinstance(cfg.get("training"), dict) else None
    return from_state_dict(tensors, vocab if head != "linear" else None, activation=activation, head=head,
                           normalisation=cfg.get("normalisation") or side.get("normalisation"), training=training)


def load_any(src, vocab=None, max_bytes: int = MAX_BYTES):
    """A model file of either kind: ``.npz`` (``load_model``) or ``.safetensors`` (``load_safetensors``)."""
    from .io import _read_bytes, load_model

    raw = _read_bytes(src, max_bytes)
    if safetensors.looks_like(raw):
        return load_safetensors(raw, vocab, max_bytes)
    return load_model(raw, max_bytes)
