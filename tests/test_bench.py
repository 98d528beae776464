"""The PyTorch comparison benchmark runs end to end at a tiny size (with or without PyTorch)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bptt_vs_pytorch.py"


@pytest.mark.parametrize("impl", ["numpy", "gemms"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_worker_prints_a_time(impl, cell):
    out = subprocess.run([sys.executable, str(BENCH), "--worker", impl, "--cell", cell, "--V", "7", "--H", "5",
                          "--B", "3", "--T", "4", "--repeats", "2"], capture_output=True, text=True, check=True)
    seconds = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    assert 0 < seconds < 1


def test_table_has_one_row_per_cell_and_size():
    out = subprocess.run([sys.executable, str(BENCH), "--cells", "rnn,lstm", "--sizes", "7:5:3:4,7:6:1:2",
                          "--rounds", "1", "--repeats", "2"], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["rnn"], ["lstm"])]
    assert [r[:5] for r in rows] == [["rnn", "7", "5", "3", "4"], ["rnn", "7", "6", "1", "2"],
                                     ["lstm", "7", "5", "3", "4"], ["lstm", "7", "6", "1", "2"]]
    assert all(float(r[5]) > 0 and float(r[8]) > 0 for r in rows)     # rnn_core ms, GEMMs alone ms


def test_compare_revisions_prints_a_row_per_size():
    script = BENCH.parent / "compare_revisions.py"
    out = subprocess.run([sys.executable, str(script), "HEAD", "--cells", "rnn", "--rounds", "1"],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.startswith("rnn")]
    assert [r[1:5] for r in rows] == [["64", "64", "1", "25"], ["64", "128", "32", "64"], ["64", "512", "32", "64"]]
    assert all(float(r[5]) > 0 and float(r[6]) > 0 and float(r[7]) > 0 for r in rows)


def test_the_store_bench_prints_a_row_per_run():
    script = BENCH.parent / "store.py"
    out = subprocess.run([sys.executable, str(script), "--quick", "--repeats", "1"], capture_output=True, text=True,
                         check=True, timeout=600).stdout
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()
            if line.startswith("| ") and "run file MB" not in line]
    assert [r[0].split(":")[0] for r in rows] == ["Train default", "Train largest", "Time series default"]
    assert all(float(x) > 0 for r in rows for x in r[1:5])          # size, checkpoint, save, open + restore
