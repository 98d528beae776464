"""Arrays from rnn_core -> tidy DataFrames that more than one page draws."""
from __future__ import annotations

import numpy as np
import pandas as pd


def token_labels(tokens: list[str]) -> list[str]:
    """'1 my', '2 favourite', ...: unique axis labels even when a word repeats."""
    return [f"{t + 1} {tok}" for t, tok in enumerate(tokens)]


def top_k_frame(probs: np.ndarray, vocab_tokens: list[str], k: int = 10, logits: np.ndarray | None = None
                ) -> pd.DataFrame:
    """The k most likely next tokens, most likely first: columns token, probability, rank (and logit, the softmax's
    input z, with its log-probability log p = z - logsumexp(z), when ``logits`` are given)."""
    k = min(k, probs.size)
    order = np.argsort(-probs, kind="stable")[:k]
    df = pd.DataFrame({"token": [vocab_tokens[i] for i in order], "probability": probs[order].astype(float),
                       "rank": np.arange(1, k + 1)})
    if logits is not None:
        z = logits.astype(float)
        top = z.max()
        df["logit"] = z[order]
        df["log-probability"] = z[order] - (top + np.log(np.sum(np.exp(z - top))))
    return df


def pca_basis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean (H,), two components (2, H) with a fixed sign, explained variance share (2,)) of rows X."""
    X = X.astype(float)
    mean = X.mean(axis=0)
    comps, explained = np.zeros((2, X.shape[1])), np.zeros(2)
    if X.shape[0] >= 2:
        _, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
        k = min(2, Vt.shape[0])
        comps[:k] = Vt[:k]
        var = S ** 2
        if var.sum() > 0:
            explained[:k] = var[:k] / var.sum()
    # fix each component's sign so the picture does not flip between reruns
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])
    comps *= np.where(signs == 0, 1, signs)[:, None]
    return mean, comps, explained


def _pca_df(Z: np.ndarray, tokens: list[str], explained: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"step": np.arange(1, len(tokens) + 1), "token": tokens, "pc1": Z[:, 0], "pc2": Z[:, 1],
                         "explained1": explained[0], "explained2": explained[1]})


def pca_frame(hidden: np.ndarray, tokens: list[str]) -> pd.DataFrame:
    """2-D PCA of h_1..h_T (fitted on this sentence): step, token, pc1, pc2, and explained variance."""
    mean, comps, explained = pca_basis(hidden)
    return _pca_df((hidden.astype(float) - mean) @ comps.T, tokens, explained)


def pca_frame_fixed(hidden: np.ndarray, reference: np.ndarray, tokens: list[str]) -> pd.DataFrame:
    """``hidden`` projected on the PCA axes of ``reference`` (e.g. the final model's path)."""
    mean, comps, explained = pca_basis(reference)
    return _pca_df((hidden.astype(float) - mean) @ comps.T, tokens, explained)


def pca_range(reference: np.ndarray, paths: list[np.ndarray]) -> tuple[tuple, tuple]:
    """Axis ranges that hold every path in ``reference``'s PCA axes: fixed while replaying history."""
    mean, comps, _ = pca_basis(reference)
    Z = np.vstack([(p.astype(float) - mean) @ comps.T for p in paths])
    lo, hi = Z.min(axis=0), Z.max(axis=0)
    pad = 0.1 * (hi - lo) + 1e-6
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


MAX_CURVE_POINTS = 2_000   # points a drawn curve sends at most (a chart is about 600 pixels wide)
MAX_HEATMAP_ROWS = 400     # rows a drawn heatmap sends at most


def decimate(x: np.ndarray, y: np.ndarray, max_points: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` of a curve: the whole curve when it is short enough, else the lowest and the
    highest point of each of ``(max_points - 2) // 2`` equal stretches, in order, and the first and the last
    point, so a spike or a dip one iteration wide still shows (an evenly spaced sample would drop it) and
    the curve ends where the run does."""
    x, y = np.asarray(x), np.asarray(y, float)
    n = y.size
    if n <= max_points:
        return x, y
    buckets = max(1, (max_points - 2) // 2)
    size = -(-n // buckets)
    pad = buckets * size - n
    low = np.concatenate([np.where(np.isnan(y), np.inf, y), np.full(pad, np.inf)]).reshape(buckets, size)
    high = np.concatenate([np.where(np.isnan(y), -np.inf, y), np.full(pad, -np.inf)]).reshape(buckets, size)
    start = np.arange(buckets) * size
    idx = np.unique(np.concatenate([[0, n - 1], start + low.argmin(1), start + high.argmax(1)]))
    idx = idx[idx < n]
    return x[idx], y[idx]


def thin_rows(matrix: np.ndarray, rows, max_rows: int = MAX_HEATMAP_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_rows`` evenly spaced rows of ``matrix`` (the last always among them) and their labels."""
    rows = np.asarray(rows)
    n = len(matrix)
    if n <= max_rows:
        return matrix, rows
    idx = np.unique(np.linspace(0, n - 1, max_rows).round().astype(int))
    return matrix[idx], rows[idx]
