"""rnn_core is the engine: it imports no UI or table library, and nothing it ships is pickled."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rnn_core_imports_no_ui_library():
    code = ("import sys, rnn_core, rnn_core.cli, rnn_core.train, rnn_core.io, rnn_core.sampling, rnn_core.gradcheck; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', 'plotly', 'pandas', 'torch'}); "
            "print(','.join(bad))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_no_pickle_or_eval_in_the_project():
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text()
        for bad in ("allow_pickle=True", "pickle.load", "eval(", "exec("):
            assert bad not in text, f"{path}: {bad}"
