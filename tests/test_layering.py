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


def _imports(path: Path) -> set[str]:
    """The modules a file imports (absolute names; relative ones resolved against its package)."""
    import ast

    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
                out.add(name)
                if not node.module:                          # from . import x: x is a module of the package
                    out.update(f"{base}.{a.name}" for a in node.names)
            else:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_page_folders_depend_only_on_common_and_the_engine():
    pages = {"home", "step", "train", "lab", "generate", "series", "board"}
    for folder in pages:
        for path in (ROOT / "ui" / folder).glob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "ui" and len(parts) > 1:
                    assert parts[1] in {"common", folder}, f"{path.relative_to(ROOT)} imports {name}"
    for path in (ROOT / "ui" / "common").glob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            assert not (parts[0] == "ui" and len(parts) > 1 and parts[1] in pages), \
                f"{path.relative_to(ROOT)} imports the page folder {name}"


def test_no_session_state_key_is_spelled_outside_the_state_module():
    """Widget keys and st.session_state lookups name constants from ui/common/state.py, never a literal."""
    import re

    literal_key = re.compile(r"""(\bkey\s*=\s*["']|session_state(\.get)?[\[(]\s*["'])""")
    for path in [*(ROOT / "ui").glob("**/*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        if path.name == "state.py":
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            assert not literal_key.search(line), f"{path.relative_to(ROOT)}:{i}: {line.strip()}"


def test_every_session_key_is_spelled_once():
    """Two names for one key make two widgets share a value (a chart once took the hidden-size slider's key)."""
    from ui.common import state

    keys = {}
    for name, value in vars(state).items():
        if name.isupper() and isinstance(value, str) and name not in ("DEFAULT_MODEL",):
            keys.setdefault(value, []).append(name)
    shared = {k: v for k, v in keys.items() if len(v) > 1}
    assert not shared, shared
