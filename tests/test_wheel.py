"""The package as someone installs it: a wheel built from the checkout, installed (not editable) in a fresh venv
with the locked dependencies, used from a folder that is not the checkout. The data files come along, the
README's Python blocks run, and `rnn-playground` serves the app."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from test_browser import CHROMIUM, FLAGS, SUSHI, _free_port, figure, uncaught_errors, wait_idle
from test_readme import _blocks

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _pip(python: Path, *args, timeout=900):
    r = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args], capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout's files (what a clone holds, not this folder's build leftovers)."""
    tmp = tmp_path_factory.mktemp("wheel")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    src = tmp / "src"
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _pip(Path(sys.executable), "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"), str(src))
    (found,) = (tmp / "dist").glob("rnn_playground-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv: the locked runtime set (hash-checked), then the wheel with its [app] extra; returns bin/."""
    env = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    _pip(python, "install", "--quiet", "--require-hashes", "-r", str(ROOT / "requirements.lock"))
    r = _pip(python, "install", f"{wheel}[app]")
    assert "Collecting" not in r.stdout.replace(f"Processing {wheel}", ""), r.stdout   # the lock had it all
    return env / "bin"


def test_the_wheel_carries_the_app_the_data_and_the_launcher(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in (ROOT / "assets").rglob("*"):
        rel = data.relative_to(ROOT / "assets")
        if data.is_file() and rel.parts[0] != "images":             # the README's screenshots stay behind
            assert f"rnn_core/assets/{rel.as_posix()}" in names, rel
    assert not any(n.startswith("rnn_core/assets/images/") for n in names)
    app = {n.removeprefix("rnn_playground/app/") for n in names if n.startswith("rnn_playground/app/")}
    expected = {"app.py", ".streamlit/config.toml", ".streamlit/production.toml",
                *(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")),
                *(p.relative_to(ROOT).as_posix() for p in (ROOT / "ui").rglob("*.py")),
                *(p.relative_to(ROOT).as_posix() for p in (ROOT / "ui" / "locales").rglob("messages.*"))}   # languages
    assert app == expected, app ^ expected                           # the app's files, and nothing else from the top
    assert {"rnn_playground/launch.py", "rnn_core/cli.py"} <= names
    assert not any(n.startswith(("ui/", "pages/", "tests/", "bench/", "assets/")) for n in names)   # no stray top level
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "rnn-playground = rnn_playground.launch:main" in entry and "rnn-core = rnn_core.cli:main" in entry
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "streamlit<1.68,>=1.67; extra == \"app\"" in meta


def test_the_installed_package_reads_its_data_outside_a_checkout(installed, tmp_path):
    code = ("import rnn_core, rnn_core.resources as r\n"
            "from rnn_core.data import CORPORA\n"
            "from rnn_core.series import make_series\n"
            "from rnn_core import load_model\n"
            "print(rnn_core.__file__)\n"
            "print(len(CORPORA['cuisine'].read()), len(CORPORA['sonnets'].read()), make_series('Sunspots (yearly, "
            "1700-2008)').size)\n"
            "print(load_model(r.asset_bytes('models', 'demo_rnn.npz'))[0].cell, r.in_checkout())\n")
    r = subprocess.run([str(installed / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    where, sizes, demo = r.stdout.splitlines()
    assert "site-packages" in where and not Path(where).is_relative_to(ROOT)
    cuisine, sonnets, sunspots = map(int, sizes.split())
    assert cuisine == len((ROOT / "assets/corpora/cuisine.txt").read_text(encoding="utf-8")) and sonnets > 1000
    assert sunspots == 309 and demo == "rnn False"


def test_the_apps_figures_import_from_the_installed_package(installed, tmp_path):
    code = ("from rnn_core import load_model\n"
            "from rnn_core.resources import asset_bytes\n"
            "from rnn_playground import figures\n"
            "import ui\n"
            "m, v = load_model(asset_bytes('models', 'demo_rnn.npz'))\n"
            "fig = figures.next_token(m, v, 'My favourite dish is sushi. So, my favourite cuisine is')\n"
            "print(ui.__file__)\n"
            "print(fig.data[0].y[0])\n")
    r = subprocess.run([str(installed / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    where, top = r.stdout.split()
    assert "site-packages/rnn_playground/app/ui/" in where and top == "japanese"


def test_make_corpus_writes_the_same_corpus_beside_the_user(installed, tmp_path):
    r = subprocess.run([str(installed / "rnn-core"), "make-corpus"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cuisine.txt").read_bytes() == (ROOT / "assets/corpora/cuisine.txt").read_bytes()


def test_the_readmes_python_blocks_run_with_the_installed_package(installed, tmp_path):
    ran = 0
    for i, block in enumerate(_blocks()):
        if re.search(r"^import torch", block, re.M):
            continue                                   # torch is optional: not in this venv
        script = tmp_path / f"block{i}.py"
        script.write_text(block)
        r = subprocess.run([str(installed / "python"), str(script)], capture_output=True, text=True, cwd=tmp_path,
                           timeout=300)
        assert r.returncode == 0, f"README block {i + 1}:\n{r.stderr[-3000:]}"
        ran += 1
    assert ran >= 2


def test_rnn_playground_help_prints_its_usage(installed, tmp_path):
    r = subprocess.run([str(installed / "rnn-playground"), "--help"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("usage: rnn-playground")
    for option in ("--port", "--address", "--production", "--embedded"):
        assert option in r.stdout
    bad = subprocess.run([str(installed / "rnn-playground"), "--colour", "red"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert bad.returncode == 2 and "unrecognized argument" in bad.stderr


def test_rnn_playground_serves_home_from_the_installed_package(installed, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(installed / "rnn-playground"), "--port", str(port), "--address", "127.0.0.1",
                                 "--server.headless=true"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "PYTHONPATH": ""})
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError("rnn-playground never became healthy:\n" + log_path.read_text()[-3000:])
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 2000})
                page.goto(url + "/")
                expect(page.get_by_role("heading", name="RNN Playground")).to_be_visible(timeout=60_000)
                data = figure(page, "Next-token probabilities", timeout=60_000)
                assert data[0]["y"][0] == "japanese"
                expect(page.get_by_role("textbox", name="Sentence", exact=True)).to_have_value(SUSHI, timeout=20_000)
                wait_idle(page)
                expect(page.get_by_test_id("stException")).to_have_count(0)
                # the package's own .streamlit/config.toml, beside the installed app.py, was read: its primary colour
                page.goto(url + "/step_through")
                value = page.get_by_test_id("stSliderThumbValue").first
                expect(value).to_be_visible(timeout=60_000)
                assert value.evaluate("e => getComputedStyle(e).color") == "rgb(192, 57, 43)"     # primaryColor
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    assert not uncaught_errors(log_path)
    # it ran the installed copy of the app, with the package's own config (its upload limit)
    ps = subprocess.run([str(installed / "rnn-playground"), "--print-command"], capture_output=True, text=True,
                        cwd=tmp_path, timeout=60)
    assert "site-packages/rnn_playground/app/app.py" in ps.stdout
