"""Models that travel: to and from PyTorch (where torch is installed) and as safetensors files (NumPy alone,
checked against the reference safetensors package)."""
import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from rnn_core import Vocab, load_model, make_model
from rnn_core.export import (from_state_dict, load_any, load_safetensors, state_dict, to_safetensors, torch_bundle,
                             vocab_tokens)
from rnn_core.io import ModelFileError
from rnn_core.safetensors import write

ROOT = Path(__file__).resolve().parent.parent
SUSHI = "My favourite dish is sushi. So, my favourite cuisine is"
IDS = np.array([[1, 4, 2, 8, 0, 3], [5, 5, 6, 7, 1, 2]])


def _model(cell, act="tanh", V=9, H=6, dtype=np.float32, **kw):
    m = make_model(cell, V, H, act, seed=3, dtype=dtype, **kw)
    rng = np.random.default_rng(1)
    for p in m.params.values():                                   # non-zero biases, so every copy matters
        p += rng.normal(0, 0.1, p.shape).astype(p.dtype)
    return m


VOCAB = Vocab([f"w{i}" for i in range(8)])


# ----- safetensors, without torch ---------------------------------------------------------------------------
@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "sigmoid"), ("lstm", "tanh"), ("gru", "tanh")])
def test_a_token_model_round_trips_through_safetensors(cell, act):
    m = _model(cell, act)
    m.metadata = {"lr": 0.01, "iterations": 40}
    back, vocab = load_safetensors(to_safetensors(m, VOCAB))
    assert vocab == VOCAB and back.cell == cell and back.activation == act and back.metadata == m.metadata
    assert back.params.keys() == m.params.keys()
    for k in m.params:
        np.testing.assert_array_equal(back.params[k], m.params[k])
    np.testing.assert_array_equal(back.forward(IDS).logits, m.forward(IDS).logits)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_model_of_numbers_round_trips_with_its_normalisation(cell):
    m = make_model(cell, hidden_size=5, input_size=2, output_size=3, head="linear", seed=0)
    m.normalisation = {"mean": [1.5, -2.0], "std": [0.5, 3.0]}
    back, vocab = load_safetensors(to_safetensors(m))
    assert vocab is None and back.head == "linear" and back.normalisation == m.normalisation
    x = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_array_equal(back.forward(x).outputs, m.forward(x).outputs)


def test_the_reference_reader_reads_our_file_under_pytorchs_names(tmp_path):
    from safetensors import safe_open
    from safetensors.numpy import load

    m = _model("lstm")
    raw = to_safetensors(m, VOCAB)
    tensors = load(raw)
    assert set(tensors) == {"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                            "head.weight", "head.bias"}
    np.testing.assert_array_equal(tensors["rnn.weight_hh_l0"], m.params["W_hh"])
    np.testing.assert_array_equal(tensors["rnn.bias_ih_l0"] + tensors["rnn.bias_hh_l0"], m.params["b_h"])
    (tmp_path / "m.safetensors").write_bytes(raw)
    with safe_open(str(tmp_path / "m.safetensors"), "np") as f:
        cfg = json.loads(f.metadata()["config"])
    assert cfg["cell"] == "lstm" and cfg["torch_module"] == "torch.nn.LSTM" and cfg["vocab"] == VOCAB.to_dict()
    assert (cfg["input_size"], cfg["hidden_size"], cfg["output_size"]) == (9, 6, 9)


def test_a_state_dict_saved_by_the_reference_writer_loads_with_a_vocabulary():
    """What `safetensors.torch.save_file(model.state_dict(), ...)` writes for a module with .lstm and .fc: two
    biases, other names, no metadata."""
    from safetensors.numpy import save

    m = _model("lstm")
    rng = np.random.default_rng(5)
    b_ih = rng.normal(size=24).astype(np.float32)
    sd = {"lstm.weight_ih_l0": m.params["W_xh"], "lstm.weight_hh_l0": m.params["W_hh"], "lstm.bias_ih_l0": b_ih,
          "lstm.bias_hh_l0": m.params["b_h"] - b_ih, "fc.weight": m.params["W_hy"], "fc.bias": m.params["b_y"]}
    raw = save(sd)
    with pytest.raises(ModelFileError, match="needs its vocabulary"):
        load_safetensors(raw)
    back, vocab = load_safetensors(raw, vocab=VOCAB.tokens)                       # a plain JSON list of tokens
    assert vocab == VOCAB
    np.testing.assert_allclose(back.forward(IDS).logits, m.forward(IDS).logits, atol=1e-5)
    back, _ = load_safetensors(raw, vocab={t: i for i, t in enumerate(VOCAB.tokens)})   # a {token: id} table
    np.testing.assert_allclose(back.forward(IDS).logits, m.forward(IDS).logits, atol=1e-5)


def test_an_embedding_in_front_is_folded_into_w_xh_exactly():
    """nn.Embedding(V, E) then the cell on E inputs: W_ih E^T on one-hot ids gives the same numbers as W_ih on
    the embedded vectors."""
    V, E, H = 9, 4, 6
    real = make_model("gru", hidden_size=H, input_size=E, output_size=V, head="linear", seed=2)
    emb = np.random.default_rng(3).normal(size=(V, E))
    sd = {"embed.weight": emb, **{k: v for k, v in state_dict(real).items()}}
    folded, _ = from_state_dict(sd, VOCAB)
    np.testing.assert_allclose(folded.forward(IDS).logits, real.forward(emb[IDS]).outputs, atol=1e-10)


def test_a_vocabulary_without_unk_gets_one_that_changes_no_prediction():
    chars = list("abcdefgh")                                      # a fixed alphabet: 8 tokens, no <unk>
    m = make_model("rnn", hidden_size=5, input_size=8, output_size=8, head="linear", seed=1)   # logits as outputs
    model, vocab = from_state_dict(state_dict(m), chars)
    assert vocab.tokens == ["<unk>", *chars] and vocab.level == "char"
    ids = np.array([1, 3, 2, 8])                                  # "a c b h" in the new ids
    logits = model.forward(ids).logits
    np.testing.assert_allclose(logits[:, 1:], m.forward(np.eye(8)[ids - 1]).outputs, atol=1e-12)
    assert (model.forward(ids).probs[:, 0] < 1e-300).all()       # <unk> is never predicted
    np.testing.assert_array_equal(model.forward(np.array([0])).hidden, m.forward(np.zeros((1, 8))).hidden)


def test_an_unk_elsewhere_in_the_list_moves_to_id_0_with_its_weights():
    m = _model("gru")
    tokens = VOCAB.tokens[1:4] + ["<unk>"] + VOCAB.tokens[4:]     # <unk> at id 3 in the PyTorch user's list
    order = [3, 0, 1, 2, 4, 5, 6, 7, 8]                            # new id -> old id
    sd = state_dict(m)
    sd["rnn.weight_ih_l0"] = sd["rnn.weight_ih_l0"][:, np.argsort(order)]
    sd["head.weight"], sd["head.bias"] = sd["head.weight"][np.argsort(order)], sd["head.bias"][np.argsort(order)]
    model, vocab = from_state_dict(sd, tokens)
    assert vocab.tokens[0] == "<unk>"
    np.testing.assert_allclose(model.forward(IDS).logits, m.forward(IDS).logits, atol=1e-6)


def _bad(raw: bytes, match: str, **kw):
    with pytest.raises(ModelFileError, match=match):
        load_safetensors(raw, **kw)


def test_bad_safetensors_files_get_a_message():
    good = to_safetensors(_model("rnn"), VOCAB)
    _bad(good[:40], "header length runs past|too short")
    _bad(good[:-4], "data part is longer or shorter|outside the file")
    _bad(b"", "too short")
    _bad(struct.pack("<Q", 4) + b"[1] ", "not a table")
    _bad(struct.pack("<Q", 3) + b"{x}", "not JSON")
    ints = write({"rnn.weight_ih_l0": np.zeros((2, 2))})
    _bad(ints.replace(b'"F64"', b'"I64"'), "F16, F32 or F64")
    overlap = struct.pack("<Q", 0)
    text = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                       "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode()
    overlap = struct.pack("<Q", len(text)) + text + bytes(12)
    _bad(overlap, "overlaps")
    sd = state_dict(_model("lstm"))
    _bad(write({**sd, "rnn.weight_ih_l1": sd["rnn.weight_ih_l0"]}), "more than one layer")
    _bad(write({**sd, "rnn.weight_ih_l0_reverse": sd["rnn.weight_ih_l0"]}), "more than one layer")
    _bad(write({k: v for k, v in sd.items() if not k.startswith("head")}), "no output layer", vocab=VOCAB)
    _bad(write({**sd, "dropout.mask": np.zeros(3, np.float32)}), "do not use: dropout.mask", vocab=VOCAB)
    nan = dict(sd, **{"head.bias": np.full(9, np.nan, np.float32)})
    _bad(write(nan), "NaN", vocab=VOCAB)
    _bad(write(sd), "vocabulary holds 3 tokens", vocab=["a", "b", "c"])
    _bad(write(sd), "lists a token twice", vocab=["a", "a", "b", "c", "d", "e", "f", "g", "h"])
    _bad(good, "larger than", max_bytes=100)


def test_vocabularies_in_the_shapes_people_save_them():
    assert vocab_tokens({"level": "char", "tokens": ["<unk>", "a"]}) == (["<unk>", "a"], "char")
    assert vocab_tokens({"vocab": {"level": "word", "tokens": ["<unk>", "ab"]}, "cell": "rnn"})[1] == "word"
    assert vocab_tokens(["the", "cat"]) == (["the", "cat"], "word")
    assert vocab_tokens({"b": 1, "a": 0}) == (["a", "b"], "char")
    for bad in ({"a": 0, "b": 2}, [], [1, 2], "abc", {"level": "syllable", "tokens": ["a"]}):
        with pytest.raises(ModelFileError):
            vocab_tokens(bad)


def test_load_any_reads_either_kind(tmp_path):
    npz = ROOT / "assets" / "models" / "demo_gru.npz"
    a, va = load_any(npz)
    b, vb = load_any(to_safetensors(a, va))
    assert va == vb and a.cell == b.cell == "gru"


# ----- the CLI ----------------------------------------------------------------------------------------------
def _cli(*args, python=sys.executable):
    return subprocess.run([python, "-m", "rnn_core", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_rnn_core_export_to_safetensors_then_complete_from_it(tmp_path):
    out = tmp_path / "demo.safetensors"
    r = _cli("export", "assets/models/demo_rnn.npz", "--to", "safetensors", "--out", str(out))
    assert r.returncode == 0 and f"wrote {out}" in r.stdout, r.stderr
    c = _cli("complete", "--model", str(out), SUSHI)
    assert c.returncode == 0 and c.stdout.strip().splitlines()[-1] == "japanese", c.stderr
    info = _cli("info", str(out))
    assert "cell: rnn" in info.stdout and "vocabulary: 101 word tokens" in info.stdout


def test_rnn_core_export_to_torch_without_torch_says_what_to_do(tmp_path):
    try:
        import torch  # noqa: F401
        pytest.skip("torch is installed here: the .pt export is tested below")
    except ImportError:
        pass
    r = _cli("export", "assets/models/demo_rnn.npz", "--to", "torch", "--out", str(tmp_path / "m.pt"))
    assert r.returncode == 2 and "needs PyTorch: pip install torch" in r.stderr and "safetensors" in r.stderr
    assert not (tmp_path / "m.pt").exists()


def test_the_pytorch_bundle_holds_the_state_dict_the_config_and_a_loader():
    model, vocab = load_model(ROOT / "assets" / "models" / "demo_lstm.npz")
    z = zipfile.ZipFile(io.BytesIO(torch_bundle(model, vocab, {"lr": 0.005})))
    names = set(z.namelist())
    assert {"model.safetensors", "config.json", "load_pytorch.py"} <= names
    cfg = json.loads(z.read("config.json"))
    assert cfg["vocab"]["tokens"] == vocab.tokens and cfg["cell"] == "lstm" and cfg["training"] == {"lr": 0.005}
    back, v2 = load_safetensors(z.read("model.safetensors"))
    assert v2 == vocab
    np.testing.assert_array_equal(back.params["W_hh"], model.params["W_hh"])
    compile(z.read("load_pytorch.py").decode(), "load_pytorch.py", "exec")
    with pytest.raises(ValueError, match="tanh and relu only"):
        torch_bundle(_model("rnn", "sigmoid"), VOCAB)


# ----- PyTorch, where it is installed -----------------------------------------------------------------------
@pytest.mark.parametrize("cell, act", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_to_torch_and_back_is_the_same_model(cell, act):
    pytest.importorskip("torch")
    from rnn_core.export import from_torch, to_torch

    m = _model(cell, act, dtype=np.float64)
    rec, head = to_torch(m)
    back, vocab = from_torch(rec, head, VOCAB)
    assert vocab == VOCAB and back.cell == cell and back.activation == act
    for k in m.params:
        np.testing.assert_array_equal(back.params[k], m.params[k])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_model_trained_in_pytorch_steps_through_here(cell):
    """Train an nn.Embedding + cell + nn.Linear in PyTorch for a few steps, bring it in both ways (the modules,
    and its state_dict saved with safetensors.torch), and get PyTorch's logits from rnn_core."""
    torch = pytest.importorskip("torch")
    from safetensors.torch import save

    from rnn_core.export import from_torch

    torch.manual_seed(0)
    V, H = len(VOCAB), 7

    class Net(torch.nn.Module):
        def __init__(self, embed):
            super().__init__()
            self.embed = torch.nn.Embedding(V, 5) if embed else None
            kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
            self.rnn = kind(5 if embed else V, H, batch_first=True)
            self.fc = torch.nn.Linear(H, V)

        def forward(self, ids):
            x = self.embed(ids) if self.embed is not None else torch.nn.functional.one_hot(ids, V).float()
            return self.fc(self.rnn(x)[0])

    ids = torch.randint(0, V, (8, 12))
    for embed in (False, True):
        net = Net(embed)
        opt = torch.optim.Adam(net.parameters(), lr=0.05)
        for _ in range(20):
            loss = torch.nn.functional.cross_entropy(net(ids[:, :-1]).reshape(-1, V), ids[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            want = net(torch.tensor(IDS)).numpy()
        model, _ = load_safetensors(save(net.state_dict()), vocab=VOCAB.tokens)
        np.testing.assert_allclose(model.forward(IDS).logits, want, atol=2e-5)
        if not embed:
            model, vocab = from_torch(net.rnn, net.fc, VOCAB)
            np.testing.assert_allclose(model.forward(IDS).logits, want, atol=2e-5)


def test_the_bundles_loader_runs_in_pytorch_and_answers_japanese(tmp_path):
    torch = pytest.importorskip("torch")
    model, vocab = load_model(ROOT / "assets" / "models" / "demo_gru.npz")
    with zipfile.ZipFile(io.BytesIO(torch_bundle(model, vocab))) as z:
        z.extractall(tmp_path)
    assert (tmp_path / "state_dict.pt").exists()                  # torch is installed here
    state = torch.load(tmp_path / "state_dict.pt", weights_only=True)
    assert set(state) == set(state_dict(model))
    r = subprocess.run([sys.executable, "load_pytorch.py"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("-> japanese")


def test_rnn_core_export_to_torch_writes_a_state_dict_and_its_json(tmp_path):
    torch = pytest.importorskip("torch")
    r = _cli("export", "assets/models/demo_lstm.npz", "--to", "torch", "--out", str(tmp_path / "m.pt"))
    assert r.returncode == 0, r.stderr
    cfg = json.loads((tmp_path / "m.json").read_text())
    rnn = torch.nn.LSTM(cfg["input_size"], cfg["hidden_size"], batch_first=True)
    head = torch.nn.Linear(cfg["hidden_size"], cfg["output_size"])
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    rnn.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    from rnn_core.export import from_torch

    back, vocab = from_torch(rnn, head, cfg["vocab"])
    model, v0 = load_model(ROOT / "assets" / "models" / "demo_lstm.npz")
    assert vocab == v0
    np.testing.assert_array_equal(back.params["W_xh"], model.params["W_xh"])
