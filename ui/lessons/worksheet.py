"""The instructor's worksheet and answer key, made from the same lesson definitions and computations the Lessons
page draws (every control at its default, the demo models): Markdown, and HTML that prints cleanly."""
from __future__ import annotations

import html as _html
from urllib.parse import urlencode

from ui.common.lessons import LESSONS

from .questions import Question
from .screens import Defaults, SCREENS


def questions(models: dict) -> list[tuple]:
    """(lesson, its question at the default settings) for every lesson, in order."""
    return [(lesson, SCREENS[lesson.slug](Defaults(models)).question) for lesson in LESSONS]


def _link(base: str, slug: str) -> str:
    return f"{base}?{urlencode({'lesson': slug})}"


def _blank(q: Question) -> list[str]:
    """How the learner answers on paper."""
    if q.kind == "choice":
        return [f"- [ ] {o}" for o in q.options]
    if q.kind == "step":
        steps = ", ".join(f"{i} {o}" if not o.isdigit() else o for i, o in enumerate(q.options, 1))
        return [f"Steps: {steps}", "", "Answer: step ______"]
    return [f"Answer: ______________{(' ' + q.unit) if q.unit else ''}"]


def markdown(models: dict, key: bool = False, base: str = "lessons") -> str:
    title = "Answer key" if key else "Worksheet"
    lines = [f"# RNN Playground: lessons {title.lower()}", "",
             "Name: ______________________" if not key else
             "The computed answers at the lessons' default settings, with the demo models.", ""]
    for i, (lesson, q) in enumerate(questions(models), 1):
        lines += [f"## {i}. {lesson.title}", "", lesson.idea, "", f"**Question.** {q.prompt}", ""]
        if key:
            lines += [f"**Answer:** {q.answer_text()}", "", f"Why: {q.reason}", ""]
        else:
            lines += [*_blank(q), ""]
        lines += [f"Open it in the app: <{_link(base, lesson.slug)}>", ""]
    return "\n".join(lines)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.45; color: #141312; }
section { border-top: 1px solid #ccc; padding: 0.6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-bottom: 0.3rem; }
.idea { color: #444; } .answer { background: #eef6ee; padding: 0.4rem 0.6rem; }
.blank { border-bottom: 1px solid #000; display: inline-block; min-width: 14rem; height: 1.2rem; }
ul.choices { list-style: none; padding-left: 0.5rem; } ul.choices li::before { content: "☐ "; }
@media print { a { color: inherit; text-decoration: none; } body { margin: 0; max-width: none; } }
"""


def html(models: dict, key: bool = False, base: str = "lessons") -> str:
    e = _html.escape
    title = "Answer key" if key else "Worksheet"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>RNN Playground: lessons "
             f"{title.lower()}</title><style>{_CSS}</style></head><body>",
             f"<h1>RNN Playground: lessons {title.lower()}</h1>",
             "<p>The computed answers at the lessons' default settings, with the demo models.</p>" if key else
             "<p>Name: <span class='blank'></span></p>"]
    for i, (lesson, q) in enumerate(questions(models), 1):
        parts.append(f"<section><h2>{i}. {e(lesson.title)}</h2><p class='idea'>{e(lesson.idea)}</p>"
                     f"<p><strong>Question.</strong> {e(q.prompt)}</p>")
        if key:
            parts.append(f"<p class='answer'><strong>Answer:</strong> {e(q.answer_text())}<br>"
                         f"<em>Why:</em> {e(q.reason)}</p>")
        elif q.kind == "choice":
            parts.append("<ul class='choices'>" + "".join(f"<li>{e(str(o))}</li>" for o in q.options) + "</ul>")
        elif q.kind == "step":
            steps = ", ".join(f"{i} {o}" if not o.isdigit() else o for i, o in enumerate(q.options, 1))
            parts.append(f"<p>Steps: {e(steps)}</p><p>Answer: step <span class='blank'></span></p>")
        else:
            parts.append("<p>Answer: <span class='blank'></span></p>")
        parts.append(f"<p><a href='{e(_link(base, lesson.slug))}'>Open it in the app</a></p></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
