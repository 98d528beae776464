"""The app in the tutorials' languages, in a real headless Chromium: Home, Step through and a lesson in each of
Danish, German, French, Russian and Chinese with no English left on screen and nothing wider than the window,
the language picker, and the README's screenshot of Step through in each language."""
import re

import pytest
from playwright.sync_api import expect

from rnn_core.cuisines import ANSWERS, PROMPTS
from test_browser import WIDEST, _start_server, _stop_server, snapshot

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
SLOW = 120_000
OTHER = ["da", "de", "fr", "ru", "zh"]

# English words that no other of the six languages writes: two of them in one piece of text on a page in another
# language mean an English sentence was left untranslated
ENGLISH = {"the", "and", "with", "from", "each", "this", "that", "which", "your", "what", "after", "before", "of",
           "is", "are", "its", "into", "when", "where", "how", "shows", "every", "would", "than", "then"}
# what may stay English on any page: the app's and the cells' names, the demo models' names, file formats
ALLOWED = re.compile(r"RNN Playground|Demo (RNN|LSTM|GRU|sonnets)[^\n]*|\b(RNN|LSTM|GRU|BPTT|SGD|CSV|PNG|SVG|URL)\b")

TEXTS = """() => {
  const out = [];
  const roots = [document.querySelector('[data-testid="stMain"]'), document.querySelector('[data-testid="stSidebar"]')];
  for (const root of roots) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('svg, code, pre, .katex, [data-testid="stCode"], input, textarea')) continue;
      const t = n.textContent.trim();
      if (t) out.push(t);
    }
  }
  return out;
}"""


TOP_WORD = """() => { for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const t = gd._fullData && gd._fullData[0];
    if (t && t.type === 'bar' && t.orientation === 'h') return Array.from(t.y)[0]; } return null; }"""



@pytest.fixture(scope="module")
def server():
    url, proc, log = _start_server()
    try:
        yield url
    finally:
        _stop_server(proc, log)


def _idle(pg):
    pg.wait_for_timeout(300)
    expect(pg.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)


def english_left(texts: list[str]) -> list[str]:
    """The pieces of text that read as English sentences."""
    left = []
    for t in texts:
        words = set(re.findall(r"[a-z]+", ALLOWED.sub(" ", t).lower()))
        if len(words & ENGLISH) >= 2:
            left.append(t)
    return left


def _check(pg, where: str):
    _idle(pg)
    left = english_left(pg.evaluate(TEXTS))
    assert not left, f"{where}: English left on screen: {left[:5]}"
    w = pg.evaluate(WIDEST)
    assert w["page"] <= w["vw"] and w["main"] <= w["vw"] + 1, f"{where}: wider than the window: {w}"


def test_english_left_finds_an_english_sentence_and_passes_a_translated_one():
    assert english_left(["The gradient of each step", "Le gradient de chaque pas", "Demo RNN (Français)"]) == \
        ["The gradient of each step"]
    assert not english_left(["Градиент на каждом шаге", "每一步的梯度", "LSTM and GRU"])


@pytest.mark.parametrize("code", OTHER)
def test_home_step_through_and_a_lesson_speak_the_language(server, browser, code):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1800})
    errors = []
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{server}/?lang={code}")
    expect(pg.get_by_test_id("stTextInputRootElement").locator("input").first).to_have_value(PROMPTS[code],
                                                                                              timeout=SLOW)
    _check(pg, f"Home ({code})")
    pg.wait_for_function(f"() => ({TOP_WORD})() !== null", timeout=SLOW)
    assert pg.evaluate(TOP_WORD) == ANSWERS[code]                    # the language's demo RNN, after the sentence
    pg.goto(f"{server}/step_through?lang={code}")
    expect(pg.locator(".js-plotly-plot").first).to_be_visible(timeout=SLOW)
    expect(pg.get_by_test_id("stTextInputRootElement").locator("input").first).to_have_value(PROMPTS[code])
    _check(pg, f"Step through ({code})")
    snapshot(pg, f"step_through_{code}.png")
    pg.goto(f"{server}/lessons?lesson=memory&lang={code}")
    expect(pg.locator(".js-plotly-plot").first).to_be_visible(timeout=SLOW)
    _check(pg, f"the memory lesson ({code})")
    ctx.close()
    assert not errors, errors


def test_the_picker_switches_the_language_and_keeps_the_page(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1800})
    pg = ctx.new_page()
    pg.goto(f"{server}/step_through")
    expect(pg.locator(".js-plotly-plot").first).to_be_visible(timeout=SLOW)
    _idle(pg)
    pg.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Language").click()
    pg.get_by_role("option", name="Français").click()
    _idle(pg)
    expect(pg.get_by_role("textbox").first).to_have_value(PROMPTS["fr"], timeout=SLOW)
    assert "lang=fr" in pg.url and "/step_through" in pg.url
    pg.reload()
    expect(pg.get_by_role("textbox").first).to_have_value(PROMPTS["fr"], timeout=SLOW)
    _idle(pg)
    for code, name in (("de", "Deutsch"), ("ru", "Русский"), ("fr", "Français")):   # one switch after another
        pg.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        pg.get_by_role("option", name=name).click()
        _idle(pg)
        expect(pg.get_by_role("textbox").first).to_have_value(PROMPTS[code], timeout=SLOW)
        assert f"lang={code}" in pg.url
        expect(pg.get_by_test_id("stException")).to_have_count(0)
        expect(pg.get_by_text("encountered an error")).to_have_count(0)
        radios = pg.get_by_test_id("stSidebar").get_by_test_id("stRadio").locator("input")
        assert sum(r.is_checked() for r in radios.all()) == 1      # the chart image format kept its choice
    ctx.close()
