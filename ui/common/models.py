"""The models a session can show: the demo models the package ships (assets/models), uploads, and the Train
page's."""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from rnn_core import Vocab
from rnn_core.export import load_any, read_vocab_json
from rnn_core.io import ModelFileError, load_model
from rnn_core.resources import asset_bytes, asset_path

from .i18n import N_
from .i18n import LANGUAGES
from .limits import MAX_MODEL_BYTES, MAX_VOCAB_JSON_MB
from .memory import UPLOADED_MODELS_BUDGET, held_bytes

DEMO_DIR = asset_path("models")     # a checkout's assets/models, or the installed package's copy
DEMOS = {"Demo RNN": "demo_rnn.npz", "Demo LSTM": "demo_lstm.npz", "Demo GRU": "demo_gru.npz",
         "Demo sonnets (LSTM, characters)": "demo_sonnets.npz",
         # the tutorials' other languages: a demo RNN trained on each one's cuisine corpus (state.demo_model names it)
         **{f"Demo RNN ({name})": f"demo_rnn_{code}.npz" for code, name in LANGUAGES.items() if code != "en"}}


@dataclass
class LoadedModel:
    """A model with its vocabulary, and a key that changes whenever its weights do."""

    name: str
    model: object
    vocab: Vocab
    version: int = 0
    _digest: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> tuple:
        return (self.name, self.version)

    @property
    def digest(self) -> str:
        """A digest of the weights, the cell and the vocabulary, computed on first use: a LoadedModel's weights
        never change (a changed model is a new LoadedModel), so figures cached under it stay true."""
        if self._digest is None:
            from .specs import digest
            m, v = self.model, self.vocab
            names = sorted(m.params)
            text = "|".join([m.cell, str(getattr(m, "activation", "")), *names, v.level, "\n".join(v.tokens)])
            self._digest = digest(*(m.params[k] for k in names), text=text)
        return self._digest


@st.cache_data(show_spinner=False)
def _demo(filename: str) -> tuple:
    """A demo file, read and checked once per server; st.cache_data hands every call its own copy
    (about 0.2 ms for the four demos, where checking them again would take about 19 ms per session)."""
    return load_model(asset_bytes("models", filename))


def demo_models() -> dict[str, LoadedModel]:
    """Fresh per-session model objects: each session gets its own copy of the weights."""
    return {name: LoadedModel(name, *_demo(filename)) for name, filename in DEMOS.items()}


# said by every model picker (translated where shown: _(THIS_TAB)): a model trained or uploaded lives in this browser
# session only
THIS_TAB = N_("A model trained or uploaded here belongs to this browser tab: another browser tab is a session of "
              "its own and does not see it (download the model here, then upload it there).")
# why an uploaded linear-head model cannot be stepped through: the ModelFileError's message, read by the person who
# uploaded it (marked here; the page that shows the error translates it)
NO_TOKENS = N_("it is a model of numbers (a linear head): it reads values, not words, so it has no tokens to step "
               "through")

UPLOADED = "Uploaded: "           # how an uploaded model's name begins
SHARED = "Shared: "               # ... and a model opened from a model link (ui/common/runlinks.py)


def drop_oldest(entries: dict, budget: int, keep: str, counts=lambda name: True) -> list[str]:
    """Drop the oldest of ``entries`` (insertion order) that ``counts`` picks, never ``keep``, while those picked
    hold more than ``budget`` bytes; returns the names dropped."""
    picked = [n for n in entries if counts(n)]
    dropped = []
    while sum(held_bytes(entries[n]) for n in picked) > budget and any(n != keep for n in picked):
        name = next(n for n in picked if n != keep)
        picked.remove(name)
        del entries[name]
        dropped.append(name)
    return dropped


def add_upload(models: dict[str, LoadedModel], entry: LoadedModel,
               budget: int = UPLOADED_MODELS_BUDGET) -> list[str]:
    """Put ``entry`` among ``models``; past ``budget`` bytes of uploaded weights (and models opened from model
    links) the oldest go (never ``entry``). Returns the names let go."""
    models.pop(entry.name, None)                     # the same name again: it becomes the newest
    models[entry.name] = entry
    return drop_oldest(models, budget, entry.name, lambda n: n.startswith((UPLOADED, SHARED)))


def load_upload(name: str, raw: bytes, vocab_raw: bytes | None = None) -> LoadedModel:
    """An uploaded model as a LoadedModel: an .npz, or a .safetensors file (exported here, or a PyTorch
    state_dict with ``vocab_raw``, its vocabulary's JSON). ModelFileError with a plain message if it is unusable."""
    vocab = read_vocab_json(vocab_raw, MAX_VOCAB_JSON_MB * 1_000_000) if vocab_raw is not None else None
    model, vocab = load_any(raw, vocab, max_bytes=MAX_MODEL_BYTES)
    if vocab is None:
        raise ModelFileError(NO_TOKENS)
    return LoadedModel(f"{UPLOADED}{name}", model, vocab)
