"""Training data: a token stream cut into parallel rows and truncated-BPTT chunks; built-in corpora."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cuisines import BY_LANG, LANGUAGE_NAMES
from .resources import asset, asset_path


@dataclass
class Batch:
    """One optimizer step's data. ``carry``: continue from the previous batch's final state."""

    inputs: np.ndarray      # (B, T) token ids
    targets: np.ndarray     # (B, T) for many_to_many, (B,) for many_to_one
    loss: str = "many_to_many"
    carry: bool = False


class TokenStream:
    """B parallel streams over one token sequence, read k steps at a time (truncated BPTT).

    The sequence is split into ``batch`` contiguous rows; each call returns the next (B, k) chunk
    and its targets (the same tokens shifted by one). The hidden state is carried from chunk to
    chunk and reset when the rows wrap around to their start.
    """

    def __init__(self, ids: np.ndarray, batch: int = 16, seq_len: int = 25, loss: str = "many_to_many"):
        """``loss="many_to_one"``: each chunk predicts only the token after its last one."""
        if loss not in ("many_to_many", "many_to_one"):
            raise ValueError(f"unknown loss {loss!r}: choose 'many_to_many' or 'many_to_one'")
        self.loss = loss
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1 or ids.size < 2:
            raise ValueError("the training text needs at least two tokens")
        if batch < 1 or seq_len < 1:
            raise ValueError("batch and sequence length must be at least 1")
        batch = min(batch, ids.size - 1)
        row_len = (ids.size - 1) // batch                       # inputs per row
        self.seq_len = min(seq_len, row_len)
        self.n_chunks = row_len // self.seq_len
        used = self.n_chunks * self.seq_len
        starts = np.arange(batch) * row_len
        cols = np.arange(used)
        self.inputs = ids[starts[:, None] + cols]               # (B, used)
        self.targets = ids[starts[:, None] + cols + 1]          # (B, used)
        self.batch = batch
        self.chunk = 0

    @property
    def tokens_per_batch(self) -> int:
        return self.batch * self.seq_len

    def next_batch(self) -> Batch:
        carry = self.chunk != 0
        s = slice(self.chunk * self.seq_len, (self.chunk + 1) * self.seq_len)
        self.chunk = (self.chunk + 1) % self.n_chunks
        targets = self.targets[:, s] if self.loss == "many_to_many" else self.targets[:, s.stop - 1]
        return Batch(self.inputs[:, s], targets, self.loss, carry)


@dataclass(frozen=True)
class Corpus:
    """A built-in text: where it lives, its level, and the prompt that shows what the model learned."""

    name: str
    filename: str
    level: str
    probe: str
    expected: str | None = None
    description: str = ""

    @property
    def path(self) -> Path:
        """The file on disk (in a checkout: assets/corpora; installed: the package's data)."""
        return asset_path("corpora", self.filename)

    def read(self) -> str:
        return asset("corpora", self.filename).read_text(encoding="utf-8")


CORPORA = {
    "cuisine": Corpus(
        "cuisine", "cuisine.txt", "word",
        probe="My favourite dish is sushi. So, my favourite cuisine is", expected="japanese",
        description="Dishes and their cuisines in varied sentences: the model must remember the dish.",
    ),
    "sonnets": Corpus(
        "sonnets", "sonnets.txt", "char",
        probe="Shall I compare thee to a summer",
        description="Public-domain English verse for character-level training.",
    ),
    **{f"cuisine_{code}": Corpus(
        f"cuisine_{code}", f"cuisine_{code}.txt", "word", probe=_lang.prompt, expected=_lang.answer,
        description=f"The cuisine corpus in {name}: the model must remember the dish.",
    ) for code, _lang in BY_LANG.items() for name in [LANGUAGE_NAMES[code]]},
}


def read_text_file(path: str | Path, max_bytes: int = 20_000_000) -> str:
    """Read a UTF-8 text file with clear errors for missing, huge, binary or empty files."""
    p = Path(path)
    if not p.exists():
        raise ValueError(f"no such file: {p}")
    if p.is_dir():
        raise ValueError(f"{p} is a folder, not a text file")
    if not p.is_file():                         # /dev/null, a pipe: reading one may never end
        raise ValueError(f"{p} is a device or a pipe, not a text file")
    size = p.stat().st_size
    if size > max_bytes:
        raise ValueError(f"{p} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    return decode_text(p.read_bytes(), str(p))


def decode_text(raw: bytes, name: str = "the text") -> str:
    if b"\x00" in raw:
        raise ValueError(f"{name} looks binary (it holds NUL bytes), not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{name} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    if not text.strip():
        raise ValueError(f"{name} is empty")
    return text
