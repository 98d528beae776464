import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# the app's run store (rnn_core/store.py) is SQLite in a folder of this test session, never the user's store: the app
# processes the tests start inherit it
for _name in ("RNN_PLAYGROUND_DATABASE_URL", "RNN_PLAYGROUND_STORE"):
    os.environ.pop(_name, None)
os.environ["RNN_PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="rnnp-store-")
atexit.register(shutil.rmtree, os.environ["RNN_PLAYGROUND_DATA_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for this test session (tests/pg_server.py), started on first use. Its folder is one of
    its own right under the temporary directory, not under pytest's: as root the server runs as the postgres user,
    who must pass through every parent folder, and each pytest session that starts sets pytest's own root
    folder (/tmp/pytest-of-root) back to owner-only."""
    from pg_server import PostgresServer

    folder = Path(tempfile.mkdtemp(prefix="rnnp-postgres-"))
    try:
        server = PostgresServer(folder).start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Debian's Chromium, driven by Playwright, for the browser tests (tests/test_browser*.py)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
