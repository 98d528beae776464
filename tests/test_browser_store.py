"""Nothing lost, something shared, in a real headless Chromium: a trained run comes back after a reload and after
a server restart, a model link opens as a copy in another browser, a class of three hands in and the board shows
them, and two app processes behind the proxy share one PostgreSQL store. Every wait is for something that comes
(a line of text, a chart), with generous limits for a slow 2-core machine."""
import os
import re
import signal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from test_browser import (KNOWN_VIOLATIONS, _audit, _free_port, _start_server, _stop_server, figure,
                          snapshot)

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
SLOW = 180_000              # a first page of a cold server, or training while the browser draws, on a busy box


def _context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 2600})
    errors = []
    ctx.on("page", lambda p: p.on("pageerror", lambda e: errors.append(str(e))))
    return ctx, errors


def wait_idle(pg):
    """Wait for Streamlit to finish the current run (its status widget goes), as long as a busy box needs."""
    pg.wait_for_timeout(150)
    expect(pg.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)


def _no_exception(pg):
    expect(pg.get_by_test_id("stException")).to_have_count(0)


def _sidebar_link(pg, name):
    return pg.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def _train(pg, iterations: int, total: int | None = None):
    """On Train: set Iterations, press Train, wait until the run ended at ``total`` iterations (``iterations`` from
    a fresh model) and its last save landed."""
    total = total or iterations
    figure(pg, "Training loss", timeout=SLOW)
    wait_idle(pg)
    box = pg.get_by_role("spinbutton", name="Iterations")
    box.fill(str(iterations))
    box.press("Enter")
    wait_idle(pg)
    pg.get_by_role("button", name="Train", exact=True).click()
    expect(pg.get_by_text(f", {total} iterations so far", exact=False)).to_be_visible(timeout=SLOW)
    expect(pg.get_by_text(f"Saved: this page's address restores the model at iteration {total},",
                          exact=False)).to_be_visible(timeout=SLOW)
    wait_idle(pg)


def _run_id(pg) -> str:
    m = re.search(r"[?&]run=([A-Za-z0-9_-]{32})", pg.url)
    assert m, pg.url
    return m[1]


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "store"


def test_a_run_survives_a_reload_and_a_server_restart_and_a_model_link_opens_as_a_copy(browser, data_dir):
    env = {"RNN_PLAYGROUND_DATA_DIR": str(data_dir)}
    url, proc, log = _start_server(env=env)
    try:
        ctx, errors = _context(browser)
        pg = ctx.new_page()
        pg.goto(url + "/train")
        _train(pg, 20)
        run = _run_id(pg)
        pg.wait_for_function("() => window.rnnPlaygroundUnsaved() === false", timeout=60_000)   # saved: no question
        pg.reload()                                                              # a refresh: a new session
        expect(pg.get_by_text("Model: RNN, H=128, 20 iterations so far.", exact=False)).to_be_visible(timeout=SLOW)
        expect(pg.get_by_text("Restored the saved run", exact=False)).to_be_visible()
        expect(pg.get_by_text("Run history", exact=True)).to_be_visible(timeout=SLOW)
        wait_idle(pg)
        assert len(figure(pg, "Training loss")[0]["y"]) == 20                   # the metrics came back too
        assert _run_id(pg) == run
        _no_exception(pg)

        # a model link, opened in another browser (a context of its own: its own cookies and session)
        pg.get_by_role("button", name="Make a link to the model as it is now").click()
        link = pg.get_by_test_id("stCode").filter(has_text="shared=")
        expect(link.first).to_be_visible(timeout=60_000)
        shared, train_copy = (x.strip() for x in link.all_inner_texts())
        assert "/step_through?shared=" in shared and "/train?shared=" in train_copy
        other, other_errors = _context(browser)
        op = other.new_page()
        op.goto(shared)
        expect(op.get_by_role("combobox", name="Model")).to_have_value(re.compile("^Shared: RNN, H=128, 20 iter"),
                                                                          timeout=SLOW)
        figure(op, "Next-token probabilities", timeout=SLOW)
        op.goto(train_copy)                                                      # on Train: their own copy
        expect(op.get_by_text("your own copy", exact=False)).to_be_visible(timeout=SLOW)
        expect(op.get_by_text("H=128, 20 iterations so far", exact=False)).to_be_visible()
        _train(op, 5, total=25)
        assert _run_id(op) != run                                                # saved as theirs, not over ours
        _no_exception(op)
        other.close()
        assert not other_errors, other_errors
        ctx.close()
        assert not errors, errors
    finally:
        _stop_server(proc, log)

    url, proc, log = _start_server(env=env)                                     # the server restarts
    try:
        ctx, errors = _context(browser)
        pg = ctx.new_page()
        pg.goto(f"{url}/train?run={run}")
        expect(pg.get_by_text("Model: RNN, H=128, 20 iterations so far.", exact=False)).to_be_visible(timeout=SLOW)
        expect(pg.get_by_text("Run history", exact=True)).to_be_visible(timeout=SLOW)
        _no_exception(pg)
        ctx.close()
        assert not errors, errors
    finally:
        _stop_server(proc, log)


def test_a_class_of_three_hands_in_and_the_board_shows_three_rows_and_three_curves(browser, data_dir):
    url, proc, log = _start_server(env={"RNN_PLAYGROUND_DATA_DIR": str(data_dir)})
    try:
        teacher, errors = _context(browser)
        tp = teacher.new_page()
        tp.goto(url + "/class")
        expect(tp.get_by_role("textbox", name="Class name")).to_be_editable(timeout=SLOW)
        wait_idle(tp)
        tp.get_by_role("textbox", name="Class name").fill("Period 3")
        tp.get_by_role("button", name="Create a class").click()
        expect(tp.get_by_text("Board of Period 3")).to_be_visible(timeout=SLOW)
        said = tp.get_by_text("Students open the Class page").inner_text()
        code = re.search(r"join with the code ([A-Z0-9]{6})", said)[1]
        assert "board=" in tp.url
        board_url = tp.url
        students = []
        for i, nick in enumerate(["ada", "bo", "<b>cy</b>"]):
            ctx, errs = _context(browser)
            sp = ctx.new_page()
            sp.goto(url + "/train")
            _train(sp, 5 + i)
            _sidebar_link(sp, "Class").click()                                  # same session: the run comes along
            expect(sp.get_by_role("textbox", name="Class code")).to_be_editable(timeout=SLOW)
            wait_idle(sp)
            sp.get_by_role("textbox", name="Class code").fill(code.lower())
            sp.get_by_role("textbox", name="Nickname").fill(nick)
            sp.get_by_role("button", name="Join").click()
            expect(sp.get_by_text(f"you are {nick}", exact=False)).to_be_visible(timeout=SLOW)
            sp.get_by_role("button", name="Hand in my Train run").click()
            expect(sp.get_by_text("Handed in your Train run", exact=False)).to_be_visible(timeout=SLOW)
            expect(sp.get_by_text("Board of")).to_have_count(0)                   # a student never sees the board
            _no_exception(sp)
            students.append((ctx, errs))
        tp.goto(board_url)                                                       # the board, fresh
        expect(tp.get_by_text("Board of Period 3")).to_be_visible(timeout=SLOW)
        curves = figure(tp, "The class's loss curves", timeout=SLOW)
        assert len(curves) == 3 and [len(c["y"]) for c in curves] == [5, 6, 7]
        names = tp.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(
            gd => (gd.layout.title.text || '').includes('loss curves') ? gd._fullData.map(t => t.name) : [])""")
        assert names == ["ada", "bo", "&lt;b&gt;cy&lt;/b&gt;"]                   # shown as the text typed
        legend = tp.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)")
        assert "<b>cy</b>" in legend
        for label in ("Students", "Runs handed in"):                            # the tables' row counts
            expect(tp.get_by_test_id("stMetric").filter(has_text=label)).to_contain_text("3")
        wait_idle(tp)
        snapshot(tp, "class_board.png")
        bad = [f"{v['id']}: {n['html'][:150]}" for v in _audit(tp) if v["impact"] in ("serious", "critical")
               for n in v["nodes"] if not any(rule == v["id"] and scheme == "light" for rule, scheme, *_ in
                                              KNOWN_VIOLATIONS)]
        assert not bad, bad                                                      # axe-core on the board
        _no_exception(tp)
        for ctx, errs in students:
            ctx.close()
            assert not errs, errs
        teacher.close()
        assert not errors, errors
    finally:
        _stop_server(proc, log)


def test_two_app_processes_behind_the_proxy_share_a_postgresql_store(browser, postgres, tmp_path):
    from test_deploy import NGINX, _proxy_config, _start_nginx

    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx-light"
    env = {"RNN_PLAYGROUND_DATABASE_URL": postgres.create_database("proxy_store")}
    servers = [_start_server(env=env), _start_server(env=env)]
    listen = _free_port()
    conf = _proxy_config(tmp_path, listen, [int(u.rsplit(":", 1)[1]) for u, _, _ in servers], debug=True)
    proxy, nginx = f"http://127.0.0.1:{listen}", None
    try:
        nginx = _start_nginx(tmp_path, conf, proxy)
        ctx, errors = _context(browser)
        pg = ctx.new_page()
        first = pg.goto(proxy + "/train").headers["x-rnnp-backend"]
        _train(pg, 20)
        link = pg.url
        assert "run=" in link
        ctx.close()
        assert not errors, errors
        for _ in range(12):                                                      # browsers until the other process
            other, errors = _context(browser)
            op = other.new_page()
            backend = op.goto(link).headers["x-rnnp-backend"]
            if backend != first:
                break
            other.close()
        assert backend != first, f"every browser went to {first}"
        expect(op.get_by_text("Model: RNN, H=128, 20 iterations so far.", exact=False)).to_be_visible(timeout=SLOW)
        expect(op.get_by_text("Restored the saved run", exact=False)).to_be_visible()
        _no_exception(op)
        other.close()
        assert not errors, errors
    finally:
        if nginx is not None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=10)
        for s in servers:
            _stop_server(*s[1:])

