"""bench/load.py runs end to end at a tiny size: its protocol sessions load a page, click, and train."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.mark.slow
def test_two_protocol_sessions_click_and_one_trains():
    out = subprocess.run([sys.executable, str(BENCH), "--sessions", "2", "--clicks", "3", "--think", "0.3",
                          "--trainers", "1", "--alone", "4"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    row = next(line.split() for line in out.stdout.splitlines() if line.startswith("    2 "))   # the row for N = 2
    users, p50, p95, mx, errors, clicks_per_s, cpu = row[:7]
    assert errors == "0" and 0 < float(p50) <= float(p95) <= float(mx) < 60 and float(cpu) > 0
    alone, now = row[9], row[11].rstrip("(").rstrip()          # "<alone> -> <rate> (<min %>%)"
    assert float(alone) > 0 and float(now) > 0, row
