"""Long-memory tasks and the memory experiment: the gated cells carry the gradient back."""
import numpy as np
import pytest

from rnn_core.cuisine import CUISINE_OF
from rnn_core.tasks import CuisineGapTask, DelayTask, make_task, memory_experiment


def test_delay_task_sequences():
    tk = DelayTask(gap=7, n_symbols=3, n_distractors=2, batch=5, seed=0)
    b = tk.next_batch()
    assert b.inputs.shape == (5, 9) and b.targets.shape == (5,) and b.loss == "many_to_one" and not b.carry
    toks = [tk.vocab.id_to_token(row) for row in b.inputs]
    for row, target in zip(toks, tk.vocab.id_to_token(b.targets)):
        assert row[0] == target and row[0] in tk.symbols and row[-1] == "?"
        assert all(t in tk.distractors for t in row[1:-1])
    assert tk.chance == pytest.approx(1 / 3)


def test_cuisine_gap_task_sentences():
    tk = CuisineGapTask(gap=3, batch=4, seed=1)
    b = tk.next_batch()
    assert b.inputs.shape == (4, 4 + 1 + 1 + 3 + 6)
    for row, target in zip(b.inputs, b.targets):
        words = tk.vocab.id_to_token(row)
        assert words[:4] == ["my", "favourite", "dish", "is"] and words[-6:] == ["so", ",", "my", "favourite",
                                                                                "cuisine", "is"]
        assert CUISINE_OF[words[4]] == tk.vocab.tokens[target]


def test_tasks_are_seeded():
    a, b = make_task("delay", 5, 8, seed=3).next_batch(), make_task("delay", 5, 8, seed=3).next_batch()
    assert np.array_equal(a.inputs, b.inputs)
    with pytest.raises(ValueError):
        make_task("copy", 5)


@pytest.fixture(scope="module")
def table():
    # the experiment as it was before its defaults changed: 300 steps at lr 0.01, the forget-gate bias at 1
    return memory_experiment(("rnn", "lstm", "gru"), gaps=(5, 40), budget=300, seed=0, lr=0.01, forget_bias=1.0)


def test_memory_experiment_records(table):
    assert [(r["cell"], r["gap"]) for r in table] == [(c, g) for g in (5, 40) for c in ("rnn", "lstm", "gru")]
    for r in table:
        assert set(r) >= {"cell", "gap", "accuracy", "loss", "grad_norm_first_step", "grad_ratio_first_last"}
        assert 0 <= r["accuracy"] <= 1 and r["loss"] > 0 and r["steps"] == 300


def test_short_gap_is_learned_by_every_cell(table):
    assert all(r["accuracy"] >= 0.95 for r in table if r["gap"] == 5)


def test_long_gap_ordering(table):
    """At the longest gap the RNN is at chance, the gated cells at least as good, and the gradient
    that reaches the remembered token is orders of magnitude larger through the gates."""
    at = {r["cell"]: r for r in table if r["gap"] == 40}
    assert at["rnn"]["accuracy"] <= at["rnn"]["chance"] + 0.1
    # with the forget-gate bias at 1 the LSTM has not yet learned gap 40 in 300 steps (measured: both
    # cells at chance), so LSTM >= RNN holds within the evaluation's sampling noise (3 sigma, n = 512)
    assert at["lstm"]["accuracy"] >= at["rnn"]["accuracy"] - 3 * np.sqrt(0.25 * 0.75 / 512)
    assert at["gru"]["accuracy"] >= 0.95
    assert at["lstm"]["grad_ratio_first_last"] > 100 * at["rnn"]["grad_ratio_first_last"]
    assert at["gru"]["grad_ratio_first_last"] > 100 * at["rnn"]["grad_ratio_first_last"]


@pytest.mark.slow
def test_the_experiments_defaults_show_the_textbook_result(table):
    """memory_experiment's defaults (1000 Adam steps at lr 0.005, the LSTM's forget gate open with bias 3):
    at gap 40 the LSTM and the GRU solve the task where the RNN is at chance, for every seed 0-4. At lr 0.01
    and 500 steps the forget-bias-3 result depended on the BLAS kernel and thread count (0.49-1.0 over
    seeds and kernels: training sat on a plateau where two symbols stay merged, and float32 summation
    order picked the basin); with these defaults it was 1.0 for seeds 0-4 on the SkylakeX, Haswell and
    Sandybridge kernels with 1 and 2 threads."""
    for seed in range(5):
        at = {r["cell"]: r for r in memory_experiment(gaps=(40,), seed=seed)}
        assert at["rnn"]["accuracy"] <= at["rnn"]["chance"] + 0.1, seed
        for cell in ("lstm", "gru"):
            assert at[cell]["accuracy"] >= 0.95 and at[cell]["accuracy"] >= at["rnn"]["accuracy"] + 0.5, (seed, cell)


@pytest.mark.parametrize("forget_bias", [1.0, -3.0])
def test_an_lstm_whose_forget_gate_starts_closing_fails_the_long_gap(forget_bias):
    """The knob the lag sweep offers: the same budget with the gate starting at 0.73 or 0.05 stays at chance."""
    r = memory_experiment(("lstm",), gaps=(40,), seed=0, forget_bias=forget_bias)[0]
    assert r["accuracy"] <= r["chance"] + 0.1


def test_progress_callback():
    seen = []
    memory_experiment(("rnn",), gaps=(2, 3), budget=5, progress=lambda d, n, r: seen.append((d, n, r["gap"])))
    assert seen == [(1, 2, 2), (2, 2, 3)]


@pytest.mark.parametrize("seed", [0, 1])
def test_adding_problem_rnn_fails_and_gated_cells_succeed_at_gap_40(seed):
    """The adding problem at the experiment's defaults for it (Adam lr 0.01, 1000 steps, H=32): the RNN stays
    at chance (0.078: guessing the mean sum), the LSTM and the GRU answer within 0.04. Seeds 0-4 on OpenBLAS's
    SkylakeX, Haswell and Sandybridge kernels with 1 and 2 threads: RNN <= 0.09, LSTM >= 0.83, GRU >= 0.94."""
    at = {r["cell"]: r for r in memory_experiment(gaps=(40,), task="adding", seed=seed)}
    assert at["rnn"]["chance"] == pytest.approx(0.0784)
    assert at["rnn"]["accuracy"] < 0.15 and at["rnn"]["loss"] > 0.1
    assert at["lstm"]["accuracy"] > 0.75 and at["gru"]["accuracy"] > 0.75
    assert at["lstm"]["loss"] < 0.01 and at["gru"]["loss"] < 0.01
