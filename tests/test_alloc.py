"""The allocator setting (rnn_core/_alloc.py) is the entry points' choice: importing rnn_core leaves the
process's allocator as it was; keep_freed_memory(), which the CLI and the app call, keeps freed memory."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# RSS (MB) after a 64 MB array is freed, minus RSS before it was made: glibc unmaps a block that size at once
# unless its mmap threshold was raised, in which case the block stays in the heap for the next step
PROBE = """
import os, sys
import numpy as np
{setup}
page = os.sysconf("SC_PAGE_SIZE")
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * page / 2**20
before = rss()
a = np.ones(64 * 2**20 // 8)
del a
print(round(rss() - before))
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only")


def _kept_mb(setup: str) -> int:
    r = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup)], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


def test_importing_rnn_core_leaves_the_allocator_alone():
    assert _kept_mb("import rnn_core, rnn_core.train, rnn_core.cli") < 16         # the freed block went back


def test_keep_freed_memory_keeps_a_freed_block_for_reuse():
    assert _kept_mb("import rnn_core; assert rnn_core.keep_freed_memory()") > 48


def test_the_environment_variables_say_the_same_to_glibc_at_start():
    import os

    from rnn_core._alloc import ENVIRONMENT

    r = subprocess.run([sys.executable, "-c", PROBE.format(setup="")], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, **ENVIRONMENT}, timeout=60)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) > 48


def test_the_cli_and_the_app_call_it():
    from rnn_core import cli

    assert "keep_freed_memory()" in Path(cli.__file__).read_text().split("def main", 1)[1]
    assert "keep_freed_memory()" in (ROOT / "app.py").read_text()
