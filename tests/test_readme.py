"""The README's Python API block runs as written (in a scratch folder: it saves model.npz)."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _api_block() -> str:
    text = README.read_text()
    section = text[text.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_python_api_block_runs_as_written(tmp_path, monkeypatch):
    code = _api_block()
    assert "from rnn_core import Vocab, make_model, save_model, load_model" in code
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(README) + ":Python API", "exec"), scope)
    assert (tmp_path / "model.npz").exists()
    model, vocab, loss = scope["model"], scope["vocab"], scope["loss"]
    assert model.cell == "rnn" and model.metadata == {"lr": 0.005} and len(vocab) == model.vocab_size
    assert loss > 0 and scope["diag"].grad_norm_per_step.shape == scope["inputs"].shape
