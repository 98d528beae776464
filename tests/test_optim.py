"""Optimizers recomputed by hand; clipping by global norm."""
import numpy as np
import pytest

from rnn_core.optim import clip_by_global_norm, global_norm, make_optimizer


def _run(name, lr, grads_seq, p0):
    opt = make_optimizer(name, lr)
    p = {"w": p0.copy()}
    for g in grads_seq:
        opt.step(p, {"w": g.copy()})
    return p["w"]


G = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.2]), np.array([-1.0, 0.0, 0.5])]
P0 = np.array([1.0, 2.0, -3.0])


def test_sgd():
    np.testing.assert_allclose(_run("sgd", 0.1, G, P0), P0 - 0.1 * sum(G))


def test_momentum():
    v, p = np.zeros(3), P0.copy()
    for g in G:
        v = 0.9 * v + g
        p = p - 0.05 * v
    np.testing.assert_allclose(_run("momentum", 0.05, G, P0), p)


def test_adam():
    m = v = np.zeros(3)
    p = P0.copy()
    for t, g in enumerate(G, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(_run("adam", 0.01, G, P0), p)
    # Adam's first step moves every coordinate by about lr, whatever the gradient's scale
    np.testing.assert_allclose(np.abs(_run("adam", 0.01, G[:1], P0) - P0), 0.01, rtol=1e-6)


def test_adagrad():
    mem, p = np.zeros(3), P0.copy()
    for g in G:
        mem = mem + g * g
        p = p - 0.1 * g / np.sqrt(mem + 1e-8)
    np.testing.assert_allclose(_run("adagrad", 0.1, G, P0), p)


def test_bad_optimizer_and_rate():
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("lbfgs", 0.1)
    for lr in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning rate"):
            make_optimizer("sgd", lr)


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}
    norm, clipped = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0) and clipped
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    norm, clipped = clip_by_global_norm(grads, 10.0)
    assert not clipped and norm == pytest.approx(1.0)
    norm, clipped = clip_by_global_norm({"a": np.array([30.0])}, None)
    assert not clipped and norm == 30.0
