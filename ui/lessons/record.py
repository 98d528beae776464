"""A learner's record: what each lesson asked, what they answered, whether it was right at the first try, and
the link to the settings they saw. Kept for the session only; downloaded as Markdown or CSV to hand in.

Pure (no Streamlit): the page keeps one ``Record`` in session state.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

MAX_ATTEMPTS = 20                  # answers kept per lesson (a learner clicking on and on keeps bounded memory)
MAX_TEXT = 200                     # characters kept of an answer or a prompt


@dataclass
class Entry:
    slug: str
    title: str
    prompt: str
    expected: str
    link: str
    attempts: list[str] = field(default_factory=list)
    right: bool = False             # answered right (at any try)
    right_first: bool = False       # right at the first try
    revealed: bool = False          # "Show me" before a right answer

    @property
    def status(self) -> str:
        if self.right_first:
            return "right at the first try"
        if self.right:
            return f"right at try {len(self.attempts)}"
        if self.revealed:
            return "answer shown"
        return f"{len(self.attempts)} wrong" if self.attempts else "not answered"


def _cut(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


class Record(dict):
    """slug -> Entry, in the order the lessons were first answered (and "slug#n" -> an earlier question of that
    lesson, answered under other settings)."""

    def entry(self, slug: str, title: str, prompt: str, expected: str, link: str) -> Entry:
        """The lesson's entry; a question that changed (another model, other settings) starts a new one, and the
        one it replaces stays in the record if it was answered or shown (moving a slider after answering loses
        nothing)."""
        e = self.get(slug)
        if e is None or e.prompt != _cut(prompt) or e.expected != _cut(expected):
            if e is not None and (e.attempts or e.revealed):
                self[f"{slug}#{len(self)}"] = e
            e = self[slug] = Entry(slug, title, _cut(prompt), _cut(expected), link)
        e.link = link
        return e

    def answer(self, entry: Entry, given: str, right: bool) -> None:
        if entry.right:
            return                                      # answered already: later clicks change nothing
        if len(entry.attempts) < MAX_ATTEMPTS:
            entry.attempts.append(_cut(given))
        entry.right = right
        entry.right_first = right and len(entry.attempts) == 1 and not entry.revealed

    def reveal(self, entry: Entry) -> None:
        if not entry.right:
            entry.revealed = True

    @property
    def answered(self) -> int:
        """Lessons answered right (a lesson answered again under other settings counts once)."""
        return len({e.slug for e in self.values() if e.right})

    @property
    def first_try(self) -> int:
        return len({e.slug for e in self.values() if e.right_first})

    @property
    def lessons(self) -> int:
        return len({e.slug for e in self.values()})

    def rows(self) -> list[dict]:
        return [{"lesson": e.title, "question": e.prompt, "answers given": " | ".join(e.attempts),
                 "expected": e.expected, "status": e.status, "right at first try": e.right_first,
                 "link": e.link} for e in self.values()]

    def to_csv(self) -> str:
        out = io.StringIO()
        cols = ["lesson", "question", "answers given", "expected", "status", "right at first try", "link"]
        w = csv.DictWriter(out, fieldnames=cols)
        w.writeheader()
        for row in self.rows():
            # a cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text
            w.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@" else v) for k, v in row.items()})
        return out.getvalue()

    def to_markdown(self, name: str = "", total: int = 0) -> str:
        who = f" of {_md(name)}" if name.strip() else ""
        lines = [f"# RNN Playground: lesson record{who}", "",
                 f"{self.answered} of {total or self.lessons} lessons answered right, "
                 f"{self.first_try} of them at the first try.", ""]
        for e in self.values():
            lines += [f"## {_md(e.title)}", "", f"- Question: {_md(e.prompt)}",
                      f"- Answers given: {_md(' | '.join(e.attempts)) or '(none)'}",
                      f"- Expected: {_md(e.expected)}", f"- Status: {e.status}",
                      f"- Settings: <{e.link}>", ""]
        return "\n".join(lines)


def _md(text: str) -> str:
    """User text in Markdown: its syntax characters escaped so it reads literally."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in str(text))
