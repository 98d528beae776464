"""The Gradient lab's computations: pure functions of their settings, so st.cache_data may keep them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import CELLS, Vocab, make_model
from rnn_core.cells import spectral_radius_of
from rnn_core.data import CORPORA, TokenStream
from rnn_core.train import Trainer

LAB_V, LAB_H = 16, 64


@st.cache_data(show_spinner=False, max_entries=64)
def jacobian_table(rho: float, activation: str, T: int, seed: int = 0) -> pd.DataFrame:
    """||dh_T/dh_t|| for fresh RNN, LSTM and GRU with W_hh at spectral radius rho, one random sequence."""
    ids = np.random.default_rng(seed).integers(0, LAB_V, T)
    rows = []
    for cell in CELLS:
        m = make_model(cell, LAB_V, LAB_H, activation if cell == "rnn" else "tanh", seed=seed, spectral_radius=rho)
        for t, v in enumerate(m.jacobian_norms(ids)):
            rows.append({"cell": cell.upper(), "t": t + 1, "norm": float(v)})
    for t in range(T):
        rows.append({"cell": "rho^(T-t)", "t": t + 1, "norm": float(rho ** (T - 1 - t))})
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=64)
def w_hh_spectrum(rho: float, seed: int = 0) -> tuple[np.ndarray, float, float]:
    """Eigenvalues of the RNN's initial W_hh, its spectral radius and largest singular value."""
    W = make_model("rnn", LAB_V, LAB_H, seed=seed, spectral_radius=rho).params["W_hh"]
    return np.linalg.eigvals(W), spectral_radius_of(W), float(np.linalg.norm(W, 2))


@st.cache_data(show_spinner=False, max_entries=16)
def clipping_runs(lr: float, rho: float, clip: float, iterations: int, seed: int = 0) -> pd.DataFrame:
    """The same RNN run on the cuisine corpus with and without clipping: loss per iteration."""
    text = CORPORA["cuisine"].read()
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    rows = []
    for label, c in (("without clipping", None), (f"clipped at {clip:g}", clip)):
        m = make_model("rnn", len(vocab), 64, seed=seed, dtype=np.float32, spectral_radius=rho)
        tr = Trainer(m, TokenStream(ids, 16, 25), "sgd", lr, c)
        with np.errstate(all="ignore"):
            for r in tr.run(iterations):
                rows.append({"run": label, "iteration": r.iteration, "loss": r.loss if not r.diverged else np.nan,
                             "grad_norm": r.grad_norm, "diverged": bool(r.diverged)})
    return pd.DataFrame(rows)


def forget_products(forget: np.ndarray) -> np.ndarray:
    """(T, H) forget gates -> (T, H) products f_{t+1} ... f_T: how much of c_t survives to the last step."""
    T = forget.shape[0]
    out = np.ones_like(forget, dtype=float)
    for t in range(T - 2, -1, -1):
        out[t] = out[t + 1] * forget[t + 1]
    return out


def sweep_summary(df: pd.DataFrame, solved: float | None = None) -> str:
    """What the lag sweep shows, read from its numbers: how far back each cell remembers, and how much of
    the gradient reaches the remembered token at the longest gap. ``solved``: the accuracy that counts
    as remembering (0.9 for the delay task; 0.8 for the adding problem, whose answers must be within 0.04)."""
    adding = df.attrs.get("task") == "adding"
    if solved is None:
        solved = 0.8 if adding else 0.9
    longest = int(df["gap"].max())
    parts = []
    for cell, rows in df.groupby("cell", sort=False):
        ok = rows.loc[rows["accuracy"] >= solved, "gap"]
        reach = f"up to gap {int(ok.max())}" if len(ok) else "at no gap"
        ratio = float(rows.loc[rows["gap"] == longest, "grad_ratio_first_last"].iloc[0])
        parts.append(f"{cell.upper()} remembers {reach} (gradient reaching the token at gap {longest}: {ratio:.1e} "
                     "of the last step's)")
    chance = float(df["chance"].iloc[0])
    within = " within 0.04 of the sum" if adding else ""
    return (f"Accuracy of at least {solved:.0%}{within} counts as remembering (chance is {chance:.2f}). "
            + "; ".join(parts) + ".")


def jacobian_summary(df: pd.DataFrame) -> str:
    """What the ||dh_T/dh_t|| chart shows at its first step, read from its numbers."""
    first = df[df["t"] == df["t"].min()].set_index("cell")["norm"]
    T = int(df["t"].max())
    parts = [f"{cell} {first[cell]:.1e}" for cell in ("RNN", "LSTM", "GRU") if cell in first]
    return (f"Of the gradient at step {T}, this much reaches step 1: " + ", ".join(parts)
            + f"; rho^(T-1) is {first['rho^(T-t)']:.1e}.")


def clipping_summary(df: pd.DataFrame) -> str:
    """What the clipping chart shows, read from its numbers: how high each run's loss went."""
    parts = []
    for run, rows in df.groupby("run", sort=False):
        loss = rows["loss"]
        end = "it diverged" if rows["diverged"].any() else f"it ends at {loss.iloc[-1]:.2f}"
        parts.append(f"{run}, the loss starts at {loss.iloc[0]:.2f}, peaks at {loss.max():.2f} and {end}")
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]              # it starts a sentence of the caption
