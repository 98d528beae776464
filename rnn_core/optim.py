"""Optimizers and gradient clipping; each optimizer updates a parameter dict in place."""
from __future__ import annotations

import numpy as np

from ._checks import as_number, shorten_repr

OPTIMIZERS = ("sgd", "momentum", "adam", "adagrad")


class Optimizer:
    """Base: ``step(params, grads)`` updates ``params`` in place; ``lr`` may change between steps."""

    name = "base"

    def __init__(self, lr: float):
        self.lr = float(lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0

    def _buf(self, slot: str, name: str, like: np.ndarray) -> np.ndarray:
        bufs = self.state.setdefault(slot, {})
        if name not in bufs or bufs[name].shape != like.shape:
            bufs[name] = np.zeros_like(like)
        return bufs[name]

    def step(self, params: dict, grads: dict) -> None:
        self.t += 1
        for name, p in params.items():
            self._update(name, p, grads[name])

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr g"""

    name = "sgd"

    def _update(self, name, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    """v = beta v + g; p -= lr v (heavy ball)."""

    name = "momentum"

    def __init__(self, lr, beta=0.9):
        super().__init__(lr)
        self.beta = beta

    def _update(self, name, p, g):
        v = self._buf("v", name, p)
        v *= self.beta
        v += g
        p -= self.lr * v


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    name = "adam"

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def _update(self, name, p, g):
        m, v = self._buf("m", name, p), self._buf("v", name, p)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat_scale = 1.0 / (1 - self.beta1 ** self.t)
        v_hat_scale = 1.0 / (1 - self.beta2 ** self.t)
        p -= self.lr * (m * m_hat_scale) / (np.sqrt(v * v_hat_scale) + self.eps)


class Adagrad(Optimizer):
    """mem += g^2; p -= lr g / sqrt(mem + eps) (min-char-rnn's optimizer)."""

    name = "adagrad"

    def __init__(self, lr, eps=1e-8):
        super().__init__(lr)
        self.eps = eps

    def _update(self, name, p, g):
        mem = self._buf("mem", name, p)
        mem += g * g
        p -= self.lr * g / np.sqrt(mem + self.eps)


def make_optimizer(name: str, lr: float) -> Optimizer:
    classes = {"sgd": SGD, "momentum": Momentum, "adam": Adam, "adagrad": Adagrad}
    if name not in classes:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {OPTIMIZERS}")
    return classes[name](check_lr(lr))


def check_lr(lr) -> float:
    """``lr`` as a float, or ValueError naming it: a positive finite number (a huge one is allowed: the
    trainer's NaN guard is there for what it does)."""
    value = as_number(lr)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"lr (the learning rate) must be a positive finite number, got {shorten_repr(lr)}")
    return value


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_global_norm(grads: dict, max_norm: float | None) -> tuple[float, bool]:
    """Scale ``grads`` in place so their global norm is at most ``max_norm``.

    Returns (norm before clipping, whether it clipped). ``max_norm`` None or 0 turns clipping off.
    """
    norm = global_norm(grads)
    if max_norm and np.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
        return norm, True
    return norm, False
