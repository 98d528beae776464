"""Step through's frames: one sentence's trace as tidy DataFrames."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import token_labels


def hidden_frame(hidden: np.ndarray, tokens: list[str]) -> pd.DataFrame:
    """(T, H) hidden states -> long frame: step (1-based), token, label, unit, value."""
    T, H = hidden.shape
    return pd.DataFrame({
        "step": np.repeat(np.arange(1, T + 1), H),
        "token": np.repeat(tokens, H),
        "label": np.repeat(token_labels(tokens), H),
        "unit": np.tile(np.arange(H), T),
        "value": hidden.reshape(-1).astype(float),
    })


def frame_to_grid(df: pd.DataFrame, value: str = "value") -> tuple[np.ndarray, list[str], np.ndarray]:
    """Long (step, label, unit, value) frame -> (H, T) grid, x labels, unit ids."""
    if df.empty:
        return np.zeros((0, 0)), [], np.zeros(0, int)
    df = df.sort_values(["step", "unit"], kind="stable")
    steps, units = df["step"].to_numpy(), df["unit"].to_numpy()
    T, H = int(np.unique(steps).size), int(np.unique(units).size)
    if T * H != len(df):
        raise ValueError("each (step, unit) pair must appear exactly once")
    grid = df[value].to_numpy().reshape(T, H).T
    return grid, df["label"].to_numpy()[::H].tolist(), units[:H]


def pieces_frame(model, trace, ids: np.ndarray, t: int, h_prev: np.ndarray) -> pd.DataFrame:
    """The terms of a_t = W_xh x_t + W_hh h_{t-1} + b_h and h_t, per hidden unit (RNN), step t 0-based."""
    P = model.params
    H = model.hidden_size
    return pd.DataFrame({
        "unit": np.arange(H),
        "W_xh x_t": P["W_xh"][:H, ids[t]].astype(float),
        "W_hh h_t-1": (P["W_hh"][:H] @ h_prev).astype(float),
        "b_h": P[model.in_bias][:H].astype(float),
        "a_t": trace.pre_activation[t, :H].astype(float),
        "h_t": trace.hidden[t].astype(float),
    })


def unit_terms_frame(model, h_prev: np.ndarray, unit: int) -> pd.DataFrame:
    """The recurrent sum of one unit written out: k, W_hh[unit, k], h_{t-1}[k], their product."""
    w = model.params["W_hh"][unit].astype(float)
    h = h_prev.astype(float)
    df = pd.DataFrame({"k": np.arange(h.size), "W_hh[j,k]": w, "h_t-1[k]": h, "product": w * h})
    return df.reindex(df["product"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def gradient_frame(grad_norm: np.ndarray, jac_norm: np.ndarray, tokens: list[str],
                   last_step: np.ndarray | None = None, untrained: np.ndarray | None = None) -> pd.DataFrame:
    """Per step: ||dL/dh_t|| and ||d s_T / d s_t|| (and ||de_T/dh_t|| when the loss has every step, and an untrained
    RNN's ||de_T/dh_t|| on the same sentence and target)."""
    df = pd.DataFrame({"step": np.arange(1, len(tokens) + 1), "label": token_labels(tokens),
                       "grad_norm": grad_norm.astype(float), "jacobian_norm": jac_norm.astype(float)})
    if last_step is not None:
        df["last_step"] = np.asarray(last_step, float)
    if untrained is not None:
        df["untrained"] = np.asarray(untrained, float)
    return df


def backward_frame(dh: np.ndarray, dh_local: np.ndarray, t: int) -> pd.DataFrame:
    """dL/dh_t = the loss's own part at t + what flows back from t+1, per unit (t 0-based)."""
    total, local = dh[t].astype(float), dh_local[t].astype(float)
    return pd.DataFrame({"unit": np.arange(total.size), "from the loss at t": local,
                         "flowing back from t+1": total - local, "dL/dh_t": total})


def gates_frames(trace, tokens: list[str]) -> dict[str, pd.DataFrame]:
    """Each gate (and the LSTM's cell state) as a long hidden-style frame."""
    out = {name: hidden_frame(v, tokens) for name, v in trace.gates.items()}
    if trace.cell_state is not None:
        out["cell state c_t"] = hidden_frame(trace.cell_state, tokens)
    return out


def probe_frame(hidden_a: np.ndarray, hidden_b: np.ndarray, tokens_a: list[str], tokens_b: list[str]) -> pd.DataFrame:
    """||h_t - h'_t|| per step for two sentences of equal length."""
    d = np.linalg.norm(hidden_a.astype(float) - hidden_b.astype(float), axis=1)
    return pd.DataFrame({"step": np.arange(1, len(tokens_a) + 1), "original": tokens_a, "swapped": tokens_b,
                         "distance": d})
