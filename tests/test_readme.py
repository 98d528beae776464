"""Every Python block in the README runs as written (in a scratch folder: they save model files)."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def _run(code: str, tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(README) + ":Python API", "exec"), scope)
    return scope


def test_the_readme_has_a_token_block_a_numbers_block_a_safetensors_block_and_an_export_block():
    blocks = _blocks()
    assert len(blocks) == 4
    assert "from rnn_core import Vocab, make_model, save_model, load_model" in blocks[0]
    assert 'head="linear"' in blocks[1]


def test_the_token_model_block_runs_as_written(tmp_path, monkeypatch):
    scope = _run(_blocks()[0], tmp_path, monkeypatch)
    assert (tmp_path / "model.npz").exists()
    model, vocab, loss = scope["model"], scope["vocab"], scope["loss"]
    assert model.cell == "rnn" and model.metadata == {"lr": 0.005} and len(vocab) == model.vocab_size
    assert loss > 0 and scope["diag"].grad_norm_per_step.shape == scope["inputs"].shape


def test_the_numbers_block_runs_as_written(tmp_path, monkeypatch):
    import numpy as np

    scope = _run(_blocks()[1], tmp_path, monkeypatch)
    model, vocab = scope["model"], scope["vocab"]
    assert vocab is None and model.head == "linear" and model.cell == "lstm"
    assert model.normalisation == scope["norm"].to_dict()
    assert scope["trace"].outputs.shape == (20, 1) and scope["future"].shape == (60,)
    values, pred, split = scope["values"], scope["pred"], scope["split"]
    held = np.mean((pred[split:] - values[split:]) ** 2) / values.var()
    assert held < 0.01, held                          # 300 iterations learn the sine


def test_the_safetensors_block_runs_without_torch(tmp_path, monkeypatch):
    scope = _run(_blocks()[2], tmp_path, monkeypatch)
    assert scope["back"].cell == "lstm" and scope["raw"][8:9] == b"{"


def test_the_export_block_runs_where_torch_is_installed(tmp_path, monkeypatch):
    import pytest

    pytest.importorskip("torch")
    scope = _run(_blocks()[3], tmp_path, monkeypatch)
    assert type(scope["rnn"]).__name__ == "GRU"
