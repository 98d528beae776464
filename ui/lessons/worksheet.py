"""The instructor's worksheet and answer key, made from the same lesson definitions and computations the Lessons
page draws (every control at its default, the demo models): Markdown, and HTML that prints cleanly; in a language
given by its code (``None``: the session's; the page passes it, since a download's deferred data is made outside
the page's script)."""
from __future__ import annotations

import html as _html
from urllib.parse import urlencode

from ui.common import i18n
from ui.common.lessons import LESSONS

from .questions import Question
from .screens import Defaults, SCREENS


def questions(models: dict) -> list[tuple]:
    """(lesson, its question at the default settings) for every lesson, in order."""
    return [(lesson, SCREENS[lesson.slug](Defaults(models)).question) for lesson in LESSONS]


def _link(base: str, slug: str) -> str:
    return f"{base}?{urlencode({'lesson': slug})}"


def _steps(q: Question) -> str:
    return ", ".join(f"{i} {o}" if not o.isdigit() else o for i, o in enumerate(q.options, 1))


def _blank(q: Question, _) -> list[str]:
    """How the learner answers on paper (``_``: the document's translator)."""
    if q.kind == "choice":
        return [f"- [ ] {_(o)}" for o in q.options]
    if q.kind == "step":
        return [_("Steps: {steps}").format(steps=_steps(q)), "", _("Answer: step {blank}").format(blank="______")]
    return [_("Answer: {blank}").format(blank="______________") + ((" " + q.unit) if q.unit else "")]


def _title(key: bool, _) -> str:
    return _("RNN Playground: lessons answer key") if key else _("RNN Playground: lessons worksheet")


def markdown(models: dict, key: bool = False, base: str = "lessons", lang: str | None = None) -> str:
    """The worksheet (or its key) as Markdown, in ``lang`` (the questions too: a download is built after its
    click, where the session's language cannot be read)."""
    with i18n.using(lang or i18n.language()):
        return _markdown(models, key, base, lang)


def _markdown(models: dict, key: bool, base: str, lang: str | None) -> str:
    _ = i18n.translator(lang)
    question, answer, why = _("Question."), _("Answer:"), _("Why:")
    lines = [f"# {_title(key, _)}", "",
             _("Name: {blank}").format(blank="______________________") if not key else
             _("The computed answers at the lessons' default settings, with the demo models."), ""]
    for i, (lesson, q) in enumerate(questions(models), 1):
        lines += [f"## {i}. {_(lesson.title)}", "", _(lesson.idea), "", f"**{question}** {q.prompt}", ""]
        if key:
            lines += [f"**{answer}** {q.answer_text()}", "", f"{why} {q.reason}", ""]
        else:
            lines += [*_blank(q, _), ""]
        lines += [_("Open it in the app: <{link}>").format(link=_link(base, lesson.slug)), ""]
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


def html(models: dict, key: bool = False, base: str = "lessons", lang: str | None = None) -> str:
    """The worksheet (or its key) as a printable HTML page, in ``lang``."""
    lang = lang or i18n.language()
    with i18n.using(lang):
        return _html_page(models, key, base, lang)


def _html_page(models: dict, key: bool, base: str, lang: str) -> str:
    _ = i18n.translator(lang)
    e = _html.escape

    def t(text: str) -> str:                        # a message as HTML text
        return _html.escape(text, quote=False)

    title = t(_title(key, _))
    blank = "<span class='blank'></span>"
    question, answer, why, open_it = t(_("Question.")), t(_("Answer:")), t(_("Why:")), t(_("Open it in the app"))
    head = (t(_("The computed answers at the lessons' default settings, with the demo models.")) if key else
            t(_("Name: {blank}")).format(blank=blank))
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{title}</h1>", f"<p>{head}</p>"]
    for i, (lesson, q) in enumerate(questions(models), 1):
        parts.append(f"<section><h2>{i}. {e(_(lesson.title))}</h2><p class='idea'>{e(_(lesson.idea))}</p>"
                     f"<p><strong>{question}</strong> {e(q.prompt)}</p>")
        if key:
            parts.append(f"<p class='answer'><strong>{answer}</strong> {e(q.answer_text())}<br>"
                         f"<em>{why}</em> {e(q.reason)}</p>")
        elif q.kind == "choice":
            parts.append("<ul class='choices'>" + "".join(f"<li>{e(_(str(o)))}</li>" for o in q.options) + "</ul>")
        elif q.kind == "step":
            steps = e(_("Steps: {steps}").format(steps=_steps(q)))
            said = t(_("Answer: step {blank}")).format(blank=blank)
            parts.append(f"<p>{steps}</p><p>{said}</p>")
        else:
            said = t(_("Answer: {blank}")).format(blank=blank)
            parts.append(f"<p>{said}</p>")
        parts.append(f"<p><a href='{e(_link(base, lesson.slug))}'>{open_it}</a></p></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
