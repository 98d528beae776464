"""The Train page's session logic, driven directly: live settings, stop, snapshots, runs, bad data."""
import numpy as np
import pytest

from rnn_core.io import load_model
from ui.common.config import TrainConfig
from ui.train.session import TrainSession, build_data


@pytest.fixture
def sess():
    cfg = TrainConfig(hidden=16, iterations=40, batch=8, seq_len=12)
    s = TrainSession()
    s.reset_weights(cfg, build_data(cfg))
    return s, cfg


def test_a_run_records_every_iteration_and_its_step_norms(sess):
    s, cfg = sess
    s.start(40)
    while s.running:
        s.train_for(10.0)
    df = s.metrics_frame()
    assert df["iteration"].tolist() == list(range(1, 41))
    assert s.step_norm_matrix().shape == (40, 12)
    np.testing.assert_allclose(s.step_norm_matrix()[-1], s.step_norms[-1])
    assert len(s.runs) == 1 and s.runs[0]["to iteration"] == 40 and len(s.runs[0]["losses"]) == 40
    assert 0 in s.snapshots and 40 in s.snapshots


def test_stop_keeps_weights_and_live_settings_apply(sess):
    s, cfg = sess
    s.start(10_000)
    s.train_for(0.05)
    n = s.iteration
    assert 0 < n < 10_000 and s.running
    w = s.model.params["W_hh"].copy()
    s.stop()
    assert not s.running and np.array_equal(s.model.params["W_hh"], w) and s.runs[-1]["to iteration"] == n
    s.apply_live(TrainConfig(hidden=16, batch=8, seq_len=12, lr=0.123, optimizer="sgd", clip=0.0), s.data)
    assert s.trainer.optimizer.name == "sgd" and s.trainer.optimizer.lr == 0.123 and s.trainer.clip is None
    assert np.array_equal(s.model.params["W_hh"], w)                # no reset


def test_shape_changes_are_named(sess):
    s, cfg = sess
    assert s.needs_new_weights(cfg, s.data) == []
    lstm = TrainConfig(cell="lstm", hidden=32, batch=8, seq_len=12)
    assert s.needs_new_weights(lstm, s.data) == ["cell", "hidden size"]
    other = build_data(TrainConfig(source="Sonnets (characters)"))
    assert "vocabulary (the data changed)" in s.needs_new_weights(cfg, other)


def test_history_replays_snapshots(sess):
    s, cfg = sess
    s.start(40)
    while s.running:
        s.train_for(10.0)
    early, k = s.model_at(0)
    assert k == 0 and not np.array_equal(early.params["W_hh"], s.model.params["W_hh"])
    late, k = s.model_at(10_000)
    assert k == 40 and np.array_equal(late.params["W_hh"], s.model.params["W_hh"])


def test_divergence_pauses_and_keeps_finite_weights():
    cfg = TrainConfig(hidden=16, activation="relu", lr=100.0, optimizer="sgd", clip=0.0, spectral_radius=2.5,
                      batch=8, seq_len=20, iterations=100)
    s = TrainSession()
    s.reset_weights(cfg, build_data(cfg))
    s.start(100)
    s.train_for(10.0)
    assert s.diverged and "iteration" in s.diverged and not s.running
    assert all(np.isfinite(p).all() for p in s.model.params.values())
    assert s.runs[-1]["diverged"]


@pytest.mark.parametrize("text, message", [("", "empty"), ("  \n ", "empty"), ("w " * 100_000, "at most 60,000"),
                                           ("hi", "too short")])
def test_bad_pasted_text(text, message):
    with pytest.raises(ValueError, match=message):
        build_data(TrainConfig(source="Pasted text"), text)


def test_other_scripts_and_tasks_train():
    cfg = TrainConfig(source="Pasted text", level="char", hidden=8, batch=2, seq_len=5)
    d = build_data(cfg, "猫が好きです。犬も好きです。" * 5)
    assert len(d.vocab) > 5
    task = build_data(TrainConfig(source="Delay task", gap=3, batch=4))
    s = TrainSession()
    s.reset_weights(TrainConfig(source="Delay task", hidden=8, cell="gru"), task)
    s.start(5)
    s.train_for(5.0)
    assert s.iteration == 5 and s.completion() in {"a", "b", "c", "d", "x0", "x1", "x2", "x3", "?", "<unk>"}


def test_model_bytes_round_trip(sess):
    s, _ = sess
    model, vocab = load_model(s.model_bytes())
    assert vocab == s.vocab and model.metadata["hidden"] == 16
    np.testing.assert_array_equal(model.params["W_hh"], s.model.params["W_hh"])


def test_continue_from_a_saved_model(sess):
    s, cfg = sess
    s.start(10)
    s.train_for(5.0)
    saved = s.model_bytes()
    other = TrainSession()
    other.reset_weights(TrainConfig(hidden=8, batch=4, seq_len=10), build_data(TrainConfig(batch=4, seq_len=10)))
    what = other.continue_from(saved, TrainConfig(batch=4, seq_len=10))
    assert "H=16" in what and other.model.hidden_size == 16 and other.iteration == 0
    np.testing.assert_array_equal(other.model.params["W_hh"], s.model.params["W_hh"])
    other.start(3)
    other.train_for(5.0)
    assert other.iteration == 3                                     # it trains on


def test_continue_from_refuses_a_foreign_task_and_corrupt_files(sess):
    s, cfg = sess
    saved = s.model_bytes()                                          # trained on the cuisine corpus
    from rnn_core.io import ModelFileError
    w = s.model.params["W_hh"].copy()
    with pytest.raises(ModelFileError, match="vocabulary"):
        s.continue_from(saved, TrainConfig(source="Delay task", batch=4))
    with pytest.raises(ModelFileError):
        s.continue_from(b"not a model", cfg)
    assert np.array_equal(s.model.params["W_hh"], w)                 # the current model stays


def test_a_saved_run_keeps_its_snapshots_only_once_it_has_ended(sess):
    """The saves every few seconds during a run leave the History snapshots out; the run's end writes them (evenly
    spread, at most SAVED_SNAPSHOTS_BYTES) and a restored session has them, with the current weights at its end."""
    from ui.common.runfile import read_run
    from ui.train import session as ts

    s, cfg = sess
    s.start(40)
    s.train_for(0.02)
    assert s.running and s.iteration < 40
    mid = read_run(s.checkpoint()[2], "train")
    assert not [k for k in mid.arrays if k.startswith("snap/")]
    while s.running:
        s.train_for(10.0)
    kept = sorted(s.snapshots)
    assert len(kept) > 2 and kept[-1] == 40
    r = TrainSession()
    r.restore(s.checkpoint()[2])
    assert sorted(r.snapshots) == kept and r.iteration == 40
    for k in kept:
        for name, w in s.snapshots[k].items():
            np.testing.assert_array_equal(r.snapshots[k][name], w)
    size = sum(w.nbytes for w in s.model.params.values())
    budget = ts.SAVED_SNAPSHOTS_BYTES
    try:
        ts.SAVED_SNAPSHOTS_BYTES = 3 * size                           # room for three: the first and two spread out
        r = TrainSession()
        r.restore(s.checkpoint()[2])
    finally:
        ts.SAVED_SNAPSHOTS_BYTES = budget
    assert len(r.snapshots) == 4 and min(r.snapshots) == kept[0] and max(r.snapshots) == 40
