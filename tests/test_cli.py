"""The command line end to end: train on the cuisine corpus, complete the sushi sentence."""
import subprocess
import sys

import pytest

SUSHI = "My favourite dish is sushi. So, my favourite cuisine is"


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "rnn_core", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model.npz"
    r = cli("train", "--corpus", "assets/corpora/cuisine.txt", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out, r


def test_train_with_defaults_then_complete_says_japanese(trained):
    out, r = trained
    assert "final loss" in r.stdout
    assert "\r" not in r.stderr and "it/s" not in r.stderr         # off a terminal (a pipe, a CI log): no bar
    c = cli("complete", "--model", str(out), SUSHI)
    assert c.returncode == 0, c.stderr
    assert c.stdout.strip().splitlines()[-1] == "japanese"


def test_the_progress_bar_appears_on_a_terminal(tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    main, sub = pty.openpty()
    fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))      # a 100-column terminal
    try:
        r = subprocess.run([sys.executable, "-m", "rnn_core", "train", "--corpus", "assets/corpora/cuisine.txt",
                            "--steps", "30", "--hidden", "16", "--out", str(tmp_path / "m.npz")],
                           stdout=subprocess.PIPE, stderr=sub, timeout=120)
        os.close(sub)
        chunks = []
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:                          # the terminal's other end closed: all read
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
    assert r.returncode == 0
    err = b"".join(chunks).decode()
    assert "it/s" in err and "30/30" in err


def test_complete_other_dishes_and_several_tokens(trained):
    out, _ = trained
    c = cli("complete", "--model", str(out), "My favourite dish is pizza. So, my favourite cuisine is")
    assert c.stdout.strip().splitlines()[-1] == "italian"
    c = cli("complete", "--model", str(out), "--tokens", "3", "My favourite dish is tacos. So, my favourite")
    assert c.stdout.strip().splitlines()[-1] == "cuisine is mexican"


def test_unknown_words_are_noted(trained):
    out, _ = trained
    c = cli("complete", "--model", str(out), "My favourite dish is zorblax. So, my favourite cuisine is")
    assert c.returncode == 0 and "never saw zorblax" in c.stderr


def test_info(trained):
    out, _ = trained
    r = cli("info", str(out))
    assert r.returncode == 0
    for text in ("cell: rnn", "hidden size: 128", "vocabulary: 101 word tokens", "lr: 0.005", "steps: 2000"):
        assert text in r.stdout


def test_gradcheck_prints_worst_error():
    r = cli("gradcheck")
    assert r.returncode == 0, r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert "worst relative error" in last
    assert float(last.split("worst relative error ")[1].split()[0]) < 1e-6


@pytest.mark.parametrize("args", [
    ("train", "--corpus", "assets/corpora/cuisine.txt"),                       # no --out
    ("train", "--corpus", "assets/corpora/cuisine.txt", "--out", "x.npz", "--lr", "-1"),
    ("train", "--corpus", "assets/corpora/cuisine.txt", "--out", "x.npz", "--hidden", "lots"),
    ("train", "--corpus", "assets/corpora/cuisine.txt", "--out", "x.npz", "--cell", "transformer"),
    ("train", "--corpus", "no/such/file.txt", "--out", "x.npz"),
    ("complete", "--model", "no/such/model.npz", "hello"),
    ("info", "README.md"),
    ("frobnicate",),
    (),
])
def test_bad_arguments_one_line_exit_2(args):
    r = cli(*args)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("rnn-core: error:")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_train_save_and_describe(cell, tmp_path):
    out = tmp_path / f"{cell}.npz"
    r = cli("train", "--corpus", "assets/corpora/sonnets.txt", "--level", "char", "--cell", cell,
            "--hidden", "16", "--steps", "30", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    info = cli("info", str(out)).stdout
    assert f"cell: {cell}" in info and "char tokens" in info
    c = cli("complete", "--model", str(out), "--tokens", "5", "--strategy", "sample", "Shall I")
    assert c.returncode == 0 and len(c.stdout.rstrip("\n").splitlines()[-1]) >= 1


def test_train_on_a_task_and_complete(tmp_path):
    out = tmp_path / "delay.npz"
    r = cli("train", "--task", "delay", "--gap", "3", "--cell", "gru", "--hidden", "16", "--steps", "300",
            "--lr", "0.01", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    assert cli("complete", "--model", str(out), "c x1 x0 x3 ?").stdout.strip().splitlines()[-1] == "c"


def test_memory_table():
    r = cli("memory", "--cells", "rnn,gru", "--gaps", "2,3", "--budget", "20", "--hidden", "8")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["cell", "gap", "accuracy"] and len(lines) == 6
    assert "4 runs" in lines[-1]


def test_memory_bad_cells():
    r = cli("memory", "--cells", "rnn,transformer")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_a_run_too_big_for_memory_is_refused_before_training(tmp_path):
    """In range for every flag, but one BPTT step would need thousands of GiB: exit 2, one line, nothing written."""
    out = tmp_path / "m.npz"
    r = cli("train", "--task", "delay", "--gap", "10000", "--batch", "4096", "--hidden", "4096",
             "--out", str(out))
    assert r.returncode == 2 and not out.exists()
    assert r.stderr.count("\n") == 1 and "GiB of memory" in r.stderr and "Traceback" not in r.stderr
    r = cli("memory", "--gaps", "9000", "--hidden", "4096")
    assert r.returncode == 2 and "GiB of memory" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("meta_change", ['"hidden_size": "abc"', '"hidden_size": null', '"hidden_size": Infinity'])
def test_info_on_odd_model_files_says_what_is_wrong(tmp_path, meta_change):
    import io
    import json

    import numpy as np

    with np.load("assets/models/demo_rnn.npz", allow_pickle=False) as z:
        arrays = {n: z[n] for n in z.files}
    meta = json.loads(str(arrays["__meta__"]))
    text = json.dumps(meta).replace(f'"hidden_size": {meta["hidden_size"]}', meta_change)
    arrays["__meta__"] = np.array(text)
    path = tmp_path / "odd.npz"
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    r = cli("info", str(path))
    assert r.returncode == 2 and "hidden_size" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1


def test_the_adding_problem_trains_a_regression_model(tmp_path):
    out = tmp_path / "adding.npz"
    r = cli("train", "--task", "adding", "--gap", "3", "--steps", "20", "--cell", "gru", "--hidden", "8",
            "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "real inputs, squared error" in r.stderr and "final loss" in r.stdout and "nats" not in r.stdout
    info = cli("info", str(out))
    assert info.returncode == 0, info.stderr
    assert "inputs: 2 numbers per step; outputs: 1 (linear head, squared error)" in info.stdout
    c = cli("complete", "--model", str(out), "hello")
    assert c.returncode == 2 and "is a regression model" in c.stderr and "Traceback" not in c.stderr


def test_memory_experiment_runs_the_adding_problem():
    r = cli("memory", "--task", "adding", "--cells", "rnn", "--gaps", "2", "--budget", "5")
    assert r.returncode == 0, r.stderr
    assert "chance accuracy 0.078" in r.stdout


def test_ctrl_c_during_train_saves_the_weights_so_far(tmp_path):
    import signal
    import time

    from rnn_core import load_model

    out = tmp_path / "interrupted.npz"
    proc = subprocess.Popen([sys.executable, "-m", "rnn_core", "train", "--corpus", "assets/corpora/cuisine.txt",
                             "--steps", "1000000", "--hidden", "16", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()                  # "training a rnn ...": printed as the first iteration starts
    assert first.startswith("training a rnn"), first
    time.sleep(2.0)                                 # off a terminal there is no progress bar to wait for
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted after" in err and f"saved the weights so far to {out}" in err and "Traceback" not in err
    model, _ = load_model(out)
    assert 0 < model.metadata["iterations"] < 1_000_000


def test_version_and_help_show_defaults():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("rnn-core ")
    h = cli("memory", "--help")
    assert "(default: 1000;" in h.stdout and "(default: delay)" in h.stdout and "(default: 0)" in h.stdout


def test_memory_writes_its_settings_and_runs_to_json(tmp_path):
    """The Gradient lab's stored sweeps are made this way: the file names every setting the runs depend on."""
    import json

    out = tmp_path / "sweep.json"
    r = cli("memory", "--task", "cuisine", "--cells", "gru", "--gaps", "0", "--budget", "3", "--update-bias", "2",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    s = data["settings"]
    assert s["task"] == "cuisine" and s["gaps"] == [0] and s["budget"] == 3 and s["update_bias"] == 2.0
    assert s["forget_bias"] == 5.0 and s["lr"] == 0.01 and s["seed"] == 0 and s["cells"] == ["gru"]
    assert [rec["cell"] for rec in data["records"]] == ["gru"] and data["records"][0]["steps"] == 3
