"""A class on one server: this session's class membership, and handing in a run or a lesson record to it.

Any page may hand in (the Class page hands in runs; the Lessons page calls ``hand_in_record``). The store
(rnn_core/store.py) bounds a hand-in's size and how often a student hands in; nicknames are plain text.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_core.store import Member, NotFound, StoreError

from . import state
from .frames import decimate
from .saving import run_store

MAX_CURVE_POINTS = 1_000       # points of a handed-in loss curve (the lowest and highest of each stretch kept)
MEMBER_PARAM = "member"        # the Class page's URL keeps a student's membership (a refresh stays joined)
PAGE_NAMES = {"train": "Train", "series": "Time series"}


def membership() -> Member | None:
    """This session's class (and nickname), or None when it has joined none (or the class expired)."""
    token = st.session_state.get(state.CLASS_MEMBER)
    store = run_store()
    if not token or store is None:
        return None
    try:
        return store.member(token)
    except (NotFound, StoreError):
        return None


def hand_in_record(record, note: str = "") -> tuple[bool, str]:
    """Hand in a lesson record to this session's class: anything with ``rows()`` (a list of dicts, one per
    lesson: "lesson", "status", "answers given", "right at first try" ...) and ``to_csv()`` (its CSV text), as
    ui/lessons/record.py's ``Record``. Returns (handed in?, what to tell the learner, plain text). ``note``: a
    short line of the learner's own (plain text)."""
    member, store = membership(), run_store()
    if member is None or store is None:
        return False, "Join your class on the Class page first (the code your instructor gives), then hand in here."
    rows = [{str(k): v if isinstance(v, (bool, int, float)) else str(v) for k, v in row.items()}
            for row in record.rows()]
    summary = {"lessons": len(rows), "right": sum(1 for r in rows if str(r.get("status", "")).startswith("right")),
               "rows": rows, "note": " ".join(str(note).split())[:200]}
    try:
        store.hand_in(st.session_state[state.CLASS_MEMBER], "lessons", summary, record.to_csv().encode("utf-8"))
    except (StoreError, ValueError) as e:
        return False, f"Not handed in: {e}"
    return True, f"Handed in to {member.class_name} as {member.nickname}: {len(rows)} lessons."


def run_summary(handle) -> dict:
    """What a hand-in keeps of a Train or Time series run (the page's ``RunHandle``): its settings, iteration
    count, final loss (the mean of its last 20 iterations) and loss curve (at most MAX_CURVE_POINTS points)."""
    view = handle.view
    if view.model is None or view.iteration == 0:
        raise ValueError("There is no trained model to hand in yet: train it first.")
    df = view.metrics_frame()
    its, losses = df["iteration"].to_numpy(), df["loss"].to_numpy(np.float64)
    at, curve = decimate(its, losses, MAX_CURVE_POINTS)
    cfg = view.config
    settings = {k: getattr(cfg, k) for k in ("source", "cell", "hidden", "activation", "lr", "optimizer", "clip",
                                              "batch", "seed") if hasattr(cfg, k)}
    return {"page": PAGE_NAMES.get(handle.kind, handle.kind), **settings, "iterations": int(view.iteration),
            "final loss": float(np.mean(losses[-20:])) if losses.size else None,
            "curve": {"iteration": [int(i) for i in at], "loss": [float(v) if np.isfinite(v) else None
                                                                  for v in curve]}}


def hand_in_run(handle) -> tuple[bool, str]:
    """Hand in this session's run of a page (its RunHandle) to this session's class."""
    member, store = membership(), run_store()
    if member is None or store is None:
        return False, "Join a class first."
    try:
        summary = run_summary(handle)
        store.hand_in(st.session_state[state.CLASS_MEMBER], "run", summary)
    except (StoreError, ValueError) as e:
        return False, f"Not handed in: {e}"
    return True, (f"Handed in your {summary['page']} run ({summary['iterations']:,} iterations, final loss "
                  f"{summary['final loss']:.3f}) to {member.class_name}.")
