"""The Gradient lab's pure computations: the lag sweep's caption is read from its numbers."""
import pandas as pd

from ui.lab.compute import sweep_summary


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
