"""The Class page's figures and tables, pure (no Streamlit): built from a store's Board (rnn_core/store.py)."""
from __future__ import annotations

import time

import pandas as pd
import plotly.graph_objects as go

from rnn_core.store import Board, HandIn

from ui.common.i18n import _, N_
from ui.common.style import PALETTE, layout
from ui.common.text import plotly_text

# the tables' columns: English in the CSV downloads (a data format), translated where the page shows them
RUN_COLUMNS = [N_("student"), N_("handed in"), N_("final loss"), N_("iterations"), N_("page"), N_("source"), N_("cell"),
               N_("hidden"), N_("activation"), N_("optimizer"), N_("lr"), N_("clip"), N_("seq_len"),
               N_("spectral_radius"), N_("loss"), N_("batch"), N_("seed")]
LESSON_COLUMNS = [N_("student"), N_("handed in"), N_("lesson"), N_("status"), N_("right at first try"),
                  N_("answers given"), N_("expected"), N_("question")]
STUDENT_COLUMNS = [N_("student"), N_("joined"), N_("runs handed in"), N_("lesson records handed in"),
                   N_("latest final loss")]


def when(t: float) -> str:
    """A hand-in's time as the instructor reads it (the server's local time)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def students_and_runs(students: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Every student with each run they handed in, one row a run (a student with none: one row, no run)."""
    return students.merge(runs, on="student", how="left")


def run_handins(board: Board) -> list[HandIn]:
    return [h for h in board.handins if h.kind == "run"]


def runs_frame(board: Board) -> pd.DataFrame:
    """One row per run handed in: who, when, its settings and final loss (nicknames as plain text)."""
    rows = [{"student": h.nickname, "handed in": when(h.created), **{c: h.summary.get(c) for c in RUN_COLUMNS[2:]}}
            for h in run_handins(board)]
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def students_frame(board: Board) -> pd.DataFrame:
    """One row per student: when they joined, what they handed in, their latest run's final loss."""
    rows = []
    for name, joined in board.members:
        mine = [h for h in board.handins if h.nickname == name]
        runs = [h for h in mine if h.kind == "run"]
        rows.append({"student": name, "joined": when(joined), "runs handed in": len(runs),
                     "lesson records handed in": sum(h.kind == "lessons" for h in mine),
                     "latest final loss": runs[-1].summary.get("final loss") if runs else None})
    return pd.DataFrame(rows, columns=STUDENT_COLUMNS)


def curve_names(board: Board) -> list[str]:
    """Each run's legend name: the nickname, numbered when one student handed in several."""
    runs = run_handins(board)
    counts: dict[str, int] = {}
    names = []
    for h in runs:
        counts[h.nickname] = counts.get(h.nickname, 0) + 1
        total = sum(r.nickname == h.nickname for r in runs)
        names.append(h.nickname if total == 1 else f"{h.nickname} #{counts[h.nickname]}")
    return names


def curves_figure(board: Board) -> go.Figure:
    """Every run's loss curve handed in, overlaid (x: iteration), one trace a run named by its student."""
    fig = go.Figure()
    dashes = ("solid", "dash", "dot", "dashdot")
    for i, (h, name) in enumerate(zip(run_handins(board), curve_names(board))):
        curve = h.summary.get("curve", {})
        line = dict(color=PALETTE[i % len(PALETTE)], dash=dashes[i // len(PALETTE) % len(dashes)])  # a class > 7
        fig.add_trace(go.Scatter(x=curve.get("iteration", []), y=curve.get("loss", []), mode="lines", line=line,
                                 name=plotly_text(name)))
    fig.update_xaxes(title=_("iteration"))
    fig.update_yaxes(title=_("loss"), rangemode="tozero")
    return layout(fig, _("The class's loss curves"), legend=dict(orientation="h", y=-0.25))


def curves_frame(board: Board) -> pd.DataFrame:
    """The curves as rows (student, run, iteration, loss): the CSV download."""
    rows = []
    for h, name in zip(run_handins(board), curve_names(board)):
        curve = h.summary.get("curve", {})
        rows += [{"student": h.nickname, "run": name, "iteration": i, "loss": v}
                 for i, v in zip(curve.get("iteration", []), curve.get("loss", []))]
    return pd.DataFrame(rows, columns=["student", "run", "iteration", "loss"])


def lessons_frame(board: Board) -> pd.DataFrame:
    """Every lesson answer handed in: one row per student and lesson (the latest record of each student)."""
    latest: dict[str, HandIn] = {}
    for h in board.handins:
        if h.kind == "lessons":
            latest[h.nickname] = h
    rows = [{"student": h.nickname, "handed in": when(h.created), **{c: r.get(c) for c in LESSON_COLUMNS[2:]}}
            for h in latest.values() for r in h.summary.get("rows", [])]
    return pd.DataFrame(rows, columns=LESSON_COLUMNS)


def lessons_grid(lessons: pd.DataFrame) -> pd.DataFrame:
    """Students by lessons, each cell the answer's status: the class at a glance."""
    if lessons.empty:
        return pd.DataFrame()
    return lessons.pivot_table(index="student", columns="lesson", values="status", aggfunc="last", sort=False)


def _formula(v) -> bool:
    """Whether a spreadsheet would run this cell as a formula: text that starts with = + - @ and is not a number."""
    if not (isinstance(v, str) and v[:1] and v[:1] in "=+-@"):
        return False
    try:
        float(v)
    except ValueError:
        return True
    return False


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV, each text cell that a spreadsheet would run as a formula (= + - @) quoted as text."""
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object or str(safe[c].dtype).startswith("str"):
            safe[c] = safe[c].map(lambda v: "'" + v if _formula(v) else v)
    return safe.to_csv(index=False).encode("utf-8")
