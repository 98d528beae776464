"""Divergence loses nothing: a run pushed to NaN stops where it broke, keeps weights that can train on, and
lowering the learning rate continues from there (the engine, the Train page's session, AppTest)."""
from dataclasses import replace

import numpy as np

from ui.common.config import TrainConfig
from ui.train.session import TrainSession, build_data

from helpers import click, finish_run, open_page

PUSHED = TrainConfig(activation="relu", lr=100.0, optimizer="sgd", clip=0.0, hidden=128, iterations=200)


def _run(sess, n):
    sess.start(n)
    while sess.running:
        sess.train_for(1.0)


def test_lowering_the_rate_after_a_nan_trains_on():
    data = build_data(PUSHED)
    sess = TrainSession()
    sess.reset_weights(PUSHED, data)
    _run(sess, 200)
    assert sess.diverged and "Training diverged at iteration" in sess.diverged
    kept = sess.iteration
    assert kept < 200 and len(sess.records) == kept
    assert all(np.isfinite(p).all() for p in sess.model.params.values())
    calm = replace(PUSHED, lr=0.001)
    sess.apply_live(calm, data)
    _run(sess, 100)
    assert sess.diverged is None, sess.diverged
    assert sess.iteration == kept + 100 and len(sess.records) == kept + 100
    assert np.isfinite([r["loss"] for r in sess.records]).all()


def test_weights_that_explode_by_themselves_are_named():
    """relu with W_hh's spectral radius 2.5: even the fresh weights overflow on some batches, so a lower rate
    cannot save the run, and the message says what to change instead."""
    cfg = replace(PUSHED, spectral_radius=2.5)
    data = build_data(cfg)
    sess = TrainSession()
    sess.reset_weights(cfg, data)
    _run(sess, 50)
    assert sess.diverged
    sess.apply_live(replace(cfg, lr=0.001), data)
    _run(sess, 50)
    if sess.diverged:                                   # (float32 sums decide on which batch it overflows)
        assert "lower the spectral radius or use tanh, then press Reset weights" in sess.diverged, sess.diverged
    assert all(np.isfinite(p).all() for p in sess.model.params.values())


def test_the_train_page_continues_after_a_nan_at_a_lower_rate():
    at = open_page("pages/train.py")
    at.selectbox(key="tr_activation").set_value("relu").run()
    at.select_slider(key="tr_lr").set_value(100.0).run()
    at.selectbox(key="tr_optimizer").set_value("sgd").run()
    at.select_slider(key="tr_clip").set_value(0.0).run()
    at.number_input(key="tr_iterations").set_value(200).run()
    click(at, "Reset weights")
    click(at, "Train")
    sess = finish_run(at)
    assert sess.diverged and any("Training diverged" in e.value for e in at.error)
    kept = sess.iteration
    at.select_slider(key="tr_lr").set_value(0.001).run()
    at.number_input(key="tr_iterations").set_value(50).run()
    click(at, "Train")
    finish_run(at)
    assert sess.diverged is None and sess.iteration == kept + 50
    assert not any("Training diverged" in e.value for e in at.error)
