"""The Gradient lab's pure computations: the lag sweep's caption is read from its numbers."""
import pandas as pd

from ui.common.text import sig
from ui.common.lab_compute import sweep_summary


def _sweep(acc: dict[str, list[float]], gaps=(5, 10, 40)) -> pd.DataFrame:
    rows = [{"cell": c, "gap": g, "accuracy": a, "grad_ratio_first_last": 10.0 ** -(g * (c == "rnn")), "chance": 0.25}
            for c, accs in acc.items() for g, a in zip(gaps, accs)]
    return pd.DataFrame(rows)


def test_the_sweep_caption_says_how_far_back_each_cell_remembers():
    text = sweep_summary(_sweep({"rnn": [1.0, 0.25, 0.24], "lstm": [1.0, 1.0, 0.93], "gru": [0.3, 0.26, 0.25]}))
    assert "RNN remembers up to gap 5" in text and "LSTM remembers up to gap 40" in text
    assert "GRU remembers at no gap" in text and "chance is 0.25" in text
    assert "RNN remembers up to gap 5 (gradient reaching the token at gap 40: 1.0e-40" in text


def test_the_caption_follows_other_numbers():
    text = sweep_summary(_sweep({"rnn": [1.0, 1.0, 1.0], "lstm": [0.25, 0.25, 0.25]}))
    assert "RNN remembers up to gap 40" in text and "LSTM remembers at no gap" in text


def test_the_jacobian_and_clipping_captions_read_their_numbers():
    from ui.common.lab_compute import clipping_summary, jacobian_lab, jacobian_summary

    lab = jacobian_lab(0.9, "tanh", 40, 3.0, 3.0)
    first = lab.table[lab.table.t == 1].set_index("cell")["norm"]
    text = jacobian_summary(lab)
    assert "step 40" in text and f"RNN {sig(first['RNN'])}" in text and f"GRU {sig(first['GRU'])}" in text
    assert f"rho^(T-1) is {sig(0.9 ** 39)}" in text and "sigmoid(3) = 0.95" in text
    clip = pd.DataFrame([{"run": "without clipping", "loss": v, "diverged": False} for v in (4.6, 50.0, 30.0)]
                        + [{"run": "clipped at 1", "loss": v, "diverged": False} for v in (4.6, 4.7, 1.2)])
    text = clipping_summary(clip)
    assert text.startswith("Without clipping, the loss starts at 4.60, peaks at 50.00 and it ends at 30.00")
    assert "clipped at 1, the loss starts at 4.60, peaks at 4.70 and it ends at 1.20" in text
