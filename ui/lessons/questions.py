"""Predict, then see: a lesson's question, asked before its figure is shown, and the check of an answer.

Pure (no Streamlit): a question is built from the numbers of the model on screen, so its expected answer
changes with the model, and ``check`` says whether an answer is right, with the reason (the numbers) when it
is and a hint, not the answer, when it is not.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import reduce

from ui.common.i18n import _, num


@dataclass(frozen=True)
class Verdict:
    right: bool
    message: str                    # the reason with its numbers when right, a hint when wrong


@dataclass(frozen=True)
class Question:
    """One question: ``kind`` is "choice" (one of ``options``), "number" (within ``tolerance`` of ``answer``)
    or "step" (a time step, 1-based, one of ``answer`` when it is a tuple)."""

    prompt: str
    kind: str
    answer: object
    reason: str                     # why the answer is what it is, with the numbers (shown once answered)
    hint: str                       # what to think about after a wrong answer (never the answer itself)
    options: tuple = ()             # "choice": the choices; "step": the step labels (tokens), one per step
    tolerance: float = 0.0          # "number": absolute tolerance
    unit: str = ""                  # "number": what the number counts, shown beside the box
    facts: dict = field(default_factory=dict)   # the computed numbers behind it (for the answer key and tests)

    def __post_init__(self):
        if self.kind not in ("choice", "number", "step"):
            raise ValueError(f"unknown question kind {self.kind!r}")
        if self.kind == "choice" and self.answer not in self.options:
            raise ValueError(f"the answer {self.answer!r} is not among the options")

    def accepts(self, given) -> bool:
        """Whether ``given`` (a choice, a number or a 1-based step) is right."""
        if given is None:
            return False
        if self.kind == "choice":
            return given == self.answer
        if self.kind == "step":
            right = self.answer if isinstance(self.answer, tuple) else (self.answer,)
            return int(given) in right
        try:
            x = float(given)
        except (TypeError, ValueError):
            return False
        return math.isfinite(x) and abs(x - float(self.answer)) <= self.tolerance

    def check(self, given) -> Verdict:
        if self.accepts(given):
            return Verdict(True, self.reason)
        return Verdict(False, self.hint)

    def answer_text(self) -> str:
        """The expected answer in words (the worksheet's key, "Show me")."""
        if self.kind == "number":
            tol = f" (± {num(self.tolerance, 'g')})" if self.tolerance else ""
            return f"{_plain(self.answer)}{(' ' + self.unit) if self.unit else ''}{tol}"
        if self.kind == "step":
            steps = self.answer if isinstance(self.answer, tuple) else (self.answer,)
            named = self.options and not self.options[0].isdigit()
            said = [_("step {n} ({token})").format(n=s, token=self.options[s - 1]) if named
                    else _("step {n}").format(n=s) for s in steps]
            return reduce(lambda a, b: _("{first} or {second}").format(first=a, second=b), said)
        return _(str(self.answer))


def _plain(x) -> str:
    """A number as people write it: 0.0099, 12, 1.3e-05 (never 22 zeros)."""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return num(int(x), ",")
    return num(x, ".3g") if 1e-3 <= abs(x) < 1e6 else num(x, ".2e")


def plain(x) -> str:
    return _plain(x)
