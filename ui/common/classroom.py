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
from .i18n import N_, catalogue, language, num, translator
from .saving import run_store

MAX_CURVE_POINTS = 1_000       # points of a handed-in loss curve (the lowest and highest of each stretch kept)
MEMBER_PARAM = "member"        # the Class page's URL keeps a student's membership (a refresh stays joined)
PAGE_NAMES = {"train": N_("Train"), "series": N_("Time series")}   # kept in English (data); shown translated


def carry_member() -> None:
    """Once per run, on every page: a joined student's ``member=`` stays in the address from page to page, so a
    refresh of any page (Train's restored run with it) stays joined; an address that carries one joins this tab."""
    asked = st.query_params.get(MEMBER_PARAM)
    member = st.session_state.get(state.CLASS_MEMBER)
    if asked and not member:
        st.session_state[state.CLASS_MEMBER] = asked
    elif member and asked != member:
        st.query_params[MEMBER_PARAM] = member


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
    short line of the learner's own (plain text). May run in a widget callback: the language is read first."""
    lang = language()
    tr = translator(lang)
    member, store = membership(), run_store()
    if member is None or store is None:
        return False, tr(N_("Join your class on the Class page first (the code your instructor gives), then hand in "
                            "here."))
    rows = [{str(k): v if isinstance(v, (bool, int, float)) else str(v) for k, v in row.items()}
            for row in record.rows()]
    summary = {"lessons": len(rows), "right": sum(1 for r in rows if str(r.get("status", "")).startswith("right")),
               "rows": rows, "note": " ".join(str(note).split())[:200]}
    try:
        store.hand_in(st.session_state[state.CLASS_MEMBER], "lessons", summary, record.to_csv().encode("utf-8"))
    except (StoreError, ValueError) as e:
        return False, tr(N_("Not handed in: {error}")).format(error=e)
    return True, catalogue(lang).ngettext("Handed in to {name} as {nickname}: {n} lessons.",
                                          "Handed in to {name} as {nickname}: {n} lessons.", len(rows)).format(
        name=member.class_name, nickname=member.nickname, n=len(rows))


def run_summary(handle, lang: str | None = None) -> dict:
    """What a hand-in keeps of a Train or Time series run (the page's ``RunHandle``): its settings, iteration
    count, final loss (the mean of its last 20 iterations) and loss curve (at most MAX_CURVE_POINTS points).
    ValueError (in ``lang``, the session's by default) if there is none to hand in."""
    view = handle.view
    if view.model is None or view.iteration == 0:
        raise ValueError(translator(lang)(N_("There is no trained model to hand in yet: train it first.")))
    df = view.metrics_frame()
    its, losses = df["iteration"].to_numpy(), df["loss"].to_numpy(np.float64)
    at, curve = decimate(its, losses, MAX_CURVE_POINTS)
    cfg = view.config
    settings = {k: getattr(cfg, k) for k in ("source", "cell", "hidden", "activation", "lr", "optimizer", "clip",
                                              "seq_len", "spectral_radius", "loss", "batch", "seed") if hasattr(cfg, k)}
    return {"page": PAGE_NAMES.get(handle.kind, handle.kind), **settings, "iterations": int(view.iteration),
            "final loss": float(np.mean(losses[-20:])) if losses.size else None,
            "curve": {"iteration": [int(i) for i in at], "loss": [float(v) if np.isfinite(v) else None
                                                                  for v in curve]}}


def hand_in_run(handle) -> tuple[bool, str]:
    """Hand in this session's run of a page (its RunHandle) to this session's class."""
    lang = language()
    tr = translator(lang)
    member, store = membership(), run_store()
    if member is None or store is None:
        return False, tr(N_("Join a class first."))
    try:
        summary = run_summary(handle, lang)
        store.hand_in(st.session_state[state.CLASS_MEMBER], "run", summary)
    except (StoreError, ValueError) as e:
        return False, tr(N_("Not handed in: {error}")).format(error=e)
    n = summary["iterations"]
    return True, catalogue(lang).ngettext(
        "Handed in your {page} run ({n} iterations, final loss {loss}) to {name}.",
        "Handed in your {page} run ({n} iterations, final loss {loss}) to {name}.", n).format(
        page=tr(summary["page"]), n=num(n, ",", lang), loss=num(summary["final loss"], ".3f", lang),
        name=member.class_name)
