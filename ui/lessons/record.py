"""A learner's record: what each lesson asked, what they answered, whether it was right at the first try, and
the link to the settings they saw. Kept for the session only; downloaded as Markdown or CSV to hand in.

Pure (no Streamlit): the page keeps one ``Record`` in session state. Its rows and CSV are data (English keys and
statuses: the class board reads them); what the learner reads (the table on screen, the Markdown) is in a language
given by its code (``None``: the session's).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ui.common import i18n

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
    def settled(self) -> bool:
        """Answered right, or the answer was shown: only then does the learner's own record show the expected
        answer (predict, then check: a record open beside an unanswered question must not give it away)."""
        return self.right or self.revealed

    def expected_for_learner(self) -> str:
        return self.expected if self.settled else "—"

    @property
    def status(self) -> str:
        """The status as data (English: the CSV, the class board)."""
        return self.status_in(i18n.DEFAULT)

    def status_in(self, lang: str | None = None) -> str:
        """The status in words, in ``lang`` (``None``: the session's language)."""
        _ = i18n.translator(lang)
        ngettext = i18n.catalogue(lang or i18n.language()).ngettext
        n = len(self.attempts)
        if self.right_first:
            return _("right at the first try")
        if self.right:
            return _("right at try {n}").format(n=n)
        if self.revealed:
            return _("answer shown")
        return ngettext("{n} wrong", "{n} wrong", n).format(n=n) if self.attempts else _("not answered")


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

    def shown_rows(self, lang: str | None = None) -> list[dict]:
        """``rows()`` as the page shows them: headers, lesson titles and statuses in ``lang``."""
        _ = i18n.translator(lang)
        return [{_("lesson"): _(e.title), _("question"): e.prompt, _("answers given"): " | ".join(e.attempts),
                 _("expected"): e.expected_for_learner(), _("status"): e.status_in(lang),
                 _("right at first try"): e.right_first,
                 _("link"): e.link} for e in self.values()]

    def to_csv(self) -> str:
        out = io.StringIO()
        cols = ["lesson", "question", "answers given", "expected", "status", "right at first try", "link"]
        w = csv.DictWriter(out, fieldnames=cols)
        w.writeheader()
        for row in self.rows():
            # a cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text
            w.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@" else v) for k, v in row.items()})
        return out.getvalue()

    def to_markdown(self, name: str = "", total: int = 0, lang: str | None = None) -> str:
        """The record as Markdown, in ``lang`` (``None``: the session's language; pass it when this runs outside
        the page's script, as a download's deferred data does)."""
        lang = lang or i18n.language()
        _ = i18n.translator(lang)
        ngettext = i18n.catalogue(lang).ngettext
        total = total or self.lessons
        head = (_("RNN Playground: lesson record of {name}").format(name=_md(name)) if name.strip() else
                _("RNN Playground: lesson record"))
        lines = [f"# {head}", "",
                 ngettext("{answered} of {total} lessons answered right, {first} of them at the first try.",
                          "{answered} of {total} lessons answered right, {first} of them at the first try.",
                          total).format(answered=self.answered, total=total, first=self.first_try), ""]
        for e in self.values():
            lines += [f"## {_md(_(e.title))}", "", "- " + _("Question: {question}").format(question=_md(e.prompt)),
                      "- " + _("Answers given: {answers}").format(
                          answers=_md(" | ".join(e.attempts)) or _("(none)")),
                      "- " + _("Expected: {expected}").format(expected=_md(e.expected_for_learner())),
                      "- " + _("Status: {status}").format(status=e.status_in(lang)),
                      "- " + _("Settings: <{link}>").format(link=e.link), ""]
        return "\n".join(lines)


def _md(text: str) -> str:
    """User text in Markdown: its syntax characters escaped so it reads literally."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in str(text))
