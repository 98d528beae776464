"""Vocabulary and tokenizing: text <-> token ids, at word or character level."""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

UNK = "<unk>"
LEVELS = ("word", "char")

# Scripts written without spaces between words (Chinese characters, Japanese kana): at word level each
# character is a token of its own, since nothing in the text marks where a word ends (a dictionary segmenter
# would guess, and would make the vocabulary depend on its dictionary). Other scripts split at spaces.
UNSPACED = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a word (letters/digits of any spaced script, with an inner apostrophe), one unspaced-script character,
# or one other visible character
_WORD_RE = re.compile(rf"[^\W{UNSPACED}]+(?:'[^\W{UNSPACED}]+)*|[{UNSPACED}]|[^\w\s]")
_NO_SPACE_BEFORE = set(".,!?;:)]}'\"")
# CJK punctuation and full-width forms: written without spaces around them
_CLOSE_UP = re.compile(rf"[{UNSPACED}\u3000-\u303f\uff00-\uffef]")


def tokenize(text: str, level: str = "word") -> list[str]:
    """Split text into tokens: lower-cased words with punctuation split off, or characters."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if level == "word":
        return _WORD_RE.findall(text.lower())
    if level == "char":
        return list(text)
    raise ValueError(f"unknown level {level!r}: choose 'word' or 'char'")


class Vocab:
    """A fixed token list; id 0 is always ``<unk>``, the id of every token it never saw."""

    def __init__(self, tokens: Iterable[str], level: str = "word"):
        if not isinstance(level, str) or level not in LEVELS:
            raise ValueError(f"unknown level {level!r}: choose 'word' or 'char'")
        if isinstance(tokens, (str, bytes)) or not hasattr(tokens, "__iter__"):
            raise ValueError("tokens must be a list of str")
        tokens = list(tokens)
        if not all(isinstance(t, str) for t in tokens):
            raise ValueError("tokens must be a list of str")
        tokens = [t for t in tokens if t != UNK]
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocabulary tokens must be unique")
        self.level = level
        self.tokens: list[str] = [UNK, *tokens]
        self._index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def from_text(cls, text: str, level: str = "word", max_size: int | None = None) -> "Vocab":
        """Every distinct token of ``text`` (the ``max_size - 1`` most frequent if capped), sorted."""
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1):
            raise ValueError(f"max_size must be None or a whole number >= 1, got {max_size!r}")
        toks = tokenize(text, level)
        counts: dict[str, int] = {}
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
        kept = sorted(counts)
        if max_size is not None and len(kept) > max_size - 1:
            kept = sorted(sorted(counts, key=lambda t: (-counts[t], t))[: max_size - 1])
        return cls(kept, level)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self._index

    @property
    def unk_id(self) -> int:
        return 0

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text, self.level)

    def encode(self, text_or_tokens: str | Iterable[str]) -> np.ndarray:
        """Token ids, shape (T,); unknown tokens map to the ``<unk>`` id."""
        toks = self.tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else list(text_or_tokens)
        if not all(isinstance(t, str) for t in toks):
            raise ValueError("encode takes a str or a list of str tokens")
        return np.fromiter((self._index.get(t, 0) for t in toks), dtype=np.int64, count=len(toks))

    def unknown_tokens(self, text: str) -> list[str]:
        """The tokens of ``text`` this vocabulary does not hold, in order of appearance, once each."""
        seen: dict[str, None] = {}
        for t in self.tokenize(text):
            if t not in self._index:
                seen.setdefault(t, None)
        return list(seen)

    def id_to_token(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[int(i)] for i in ids]

    def decode(self, ids: Iterable[int]) -> str:
        """Text for ``ids``: characters joined, or words joined by spaces with punctuation attached."""
        toks = self.id_to_token(ids)
        if self.level == "char":
            return "".join(toks)
        out, prev = "", ""
        for t in toks:
            close = not out or t in _NO_SPACE_BEFORE or _CLOSE_UP.match(t) or _CLOSE_UP.match(prev)
            out += t if close else " " + t
            prev = t
        return out

    def to_dict(self) -> dict:
        return {"level": self.level, "tokens": self.tokens}

    @classmethod
    def from_dict(cls, d: dict) -> "Vocab":
        tokens = d["tokens"]
        if not tokens or tokens[0] != UNK:
            raise ValueError("vocabulary must start with <unk>")
        return cls(tokens[1:], d["level"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.level == other.level and self.tokens == other.tokens

    def __repr__(self) -> str:
        return f"Vocab(level={self.level!r}, size={len(self)})"
