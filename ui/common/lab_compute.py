"""The Gradient lab's computations: pure functions of their settings, so st.cache_data may keep them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import reduce

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core import CELLS, Vocab, make_model
from rnn_core.cells import spectral_radius_of
from rnn_core.data import CORPORA, TokenStream
from rnn_core.resources import asset
from rnn_core.rnn import activation_grad
from rnn_core.tasks import experiment_settings
from rnn_core.train import Trainer

from .i18n import N_, _, ngettext, num
from .text import SATURATED, sig

LAB_V, LAB_H = 16, 64


@dataclass(frozen=True)
class JacobianLab:
    """The first chart's numbers and what its caption explains them with, all from the same fresh networks."""

    table: pd.DataFrame            # cell, t, norm: ||ds_T/ds_t|| per cell, and rho^(T-t)
    rho: float
    activation: str
    forget_bias: float
    update_bias: float
    rnn_saturated: float           # share of the RNN's h_t values with |h| > 0.95 (tanh's flat region)
    rnn_fprime: float              # the RNN's median f'(a_t) over units and steps
    rnn_active: float              # the share of the RNN's f'(a_t) above 0.5 (for relu: the units passing gradient)
    forget: float                  # the LSTM's median forget gate
    forget_path: float             # median over units of f_2 ... f_T: what the cell-state path alone keeps
    update: float                  # the GRU's median update gate z (the share of h_t-1 it keeps)
    update_path: float             # median over units of z_2 ... z_T


FORGET_PATH = N_("LSTM: forget gates f_t+1 ... f_T")     # data keys (English); the legend shows _(name)
UPDATE_PATH = N_("GRU: update gates z_t+1 ... z_T")


def gate_paths(gate: np.ndarray) -> np.ndarray:
    """(T, H) gate values -> (T,) the median over units of gate_{t+1} ... gate_T: what the gate's own elementwise path
    (the LSTM's c_t-1 <- f_t c_t, the GRU's h_t-1 <- z_t h_t) keeps from step T back to step t (1 at T)."""
    g = gate.astype(float)
    prods = np.ones_like(g)
    for t in range(len(g) - 2, -1, -1):
        prods[t] = prods[t + 1] * g[t + 1]
    return np.median(prods, axis=1)


def _gate_path(gate: np.ndarray) -> float:
    """What the gate's own path keeps from step T back to step 1."""
    return float(gate_paths(gate)[0])


@st.cache_data(show_spinner=False, max_entries=64)
def jacobian_lab(rho: float, activation: str, T: int, forget_bias: float, update_bias: float,
                 seed: int = 0) -> JacobianLab:
    """||ds_T/ds_t|| for fresh RNN, LSTM and GRU with W_hh at spectral radius rho reading one random sequence (s = h,
    or (h, c) for the LSTM); the LSTM starts with ``forget_bias``, the GRU with ``update_bias``."""
    ids = np.random.default_rng(seed).integers(0, LAB_V, T)
    rows, traces = [], {}
    for cell in CELLS:
        kw = {"forget_bias": forget_bias} if cell == "lstm" else ({"update_bias": update_bias} if cell == "gru" else {})
        m = make_model(cell, LAB_V, LAB_H, activation if cell == "rnn" else "tanh", seed=seed, spectral_radius=rho,
                       **kw)
        for t, v in enumerate(m.jacobian_norms(ids)):
            rows.append({"cell": cell.upper(), "t": t + 1, "norm": float(v)})
        traces[cell] = (m, m.forward(ids))
    for t in range(T):
        rows.append({"cell": "rho^(T-t)", "t": t + 1, "norm": float(rho ** (T - 1 - t))})
    forget, update = traces["lstm"][1].gates["forget"], traces["gru"][1].gates["update"]
    for name, gate in ((FORGET_PATH, forget), (UPDATE_PATH, update)):
        for t, v in enumerate(gate_paths(gate)):
            rows.append({"cell": name, "t": t + 1, "norm": v})
    rnn, rnn_trace = traces["rnn"]
    fprime = activation_grad(rnn.activation, rnn_trace.pre_activation, rnn_trace.hidden,
                             np.empty_like(rnn_trace.hidden))
    return JacobianLab(pd.DataFrame(rows), rho, activation, forget_bias, update_bias,
                       float(np.mean(np.abs(rnn_trace.hidden) > SATURATED)), float(np.median(fprime)),
                       float(np.mean(fprime > 0.5)),
                       float(np.median(forget)), _gate_path(forget), float(np.median(update)), _gate_path(update))


@st.cache_data(show_spinner=False, max_entries=64)
def w_hh_spectrum(rho: float, seed: int = 0) -> tuple[np.ndarray, float, float]:
    """Eigenvalues of the RNN's initial W_hh, its spectral radius and largest singular value."""
    W = make_model("rnn", LAB_V, LAB_H, seed=seed, spectral_radius=rho).params["W_hh"]
    return np.linalg.eigvals(W), spectral_radius_of(W), float(np.linalg.norm(W, 2))


# a clipping run's name: the frames' key (English, read by the lessons), translated where shown (run_label)
NO_CLIP, CLIPPED = N_("without clipping"), N_("clipped at {clip}")


def run_label(run: str) -> str:
    """A clipping run's name (the frame's English key: "without clipping", "clipped at 0.5") in the session's
    language."""
    prefix = CLIPPED.split("{")[0]
    if run == NO_CLIP:
        return _(NO_CLIP)
    if run.startswith(prefix):
        try:
            return _(CLIPPED).format(clip=num(float(run[len(prefix):]), "g"))
        except ValueError:
            pass
    return run


@st.cache_data(show_spinner=False, max_entries=16)
def clipping_runs(lr: float, rho: float, clip: float, iterations: int, seed: int = 0) -> pd.DataFrame:
    """The same RNN run on the cuisine corpus with and without clipping: loss per iteration."""
    text = CORPORA["cuisine"].read()
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    rows = []
    for label, c in ((NO_CLIP, None), (CLIPPED.format(clip=f"{clip:g}"), clip)):
        m = make_model("rnn", len(vocab), 64, seed=seed, dtype=np.float32, spectral_radius=rho)
        tr = Trainer(m, TokenStream(ids, 16, 25), "sgd", lr, c)
        with np.errstate(all="ignore"):
            for r in tr.run(iterations):
                rows.append({"run": label, "iteration": r.iteration, "loss": r.loss if not r.diverged else np.nan,
                             "grad_norm": r.grad_norm, "diverged": bool(r.diverged)})
    return pd.DataFrame(rows)


STORED_NAME = "assets/lab"


def sweep_settings(task: str, gaps, budget: int, forget_bias: float, update_bias: float) -> dict:
    """What a lag sweep's result depends on, as the stored sweeps record it (seed 0)."""
    e = experiment_settings(task)
    return {"task": task, "gaps": [int(g) for g in gaps], "budget": int(budget), "lr": e["lr"],
            "hidden_size": e["hidden_size"], "batch": e["batch"], "clip": e["clip"],
            "forget_bias": float(forget_bias), "update_bias": float(update_bias), "seed": 0}


@st.cache_data(show_spinner=False)
def _stored_sweeps() -> list[dict]:
    """Every sweep stored with the app (``python -m rnn_core memory ... --out``), read once per server."""
    out = []
    for path in sorted((p for p in asset("lab").iterdir() if p.name.endswith(".json")), key=lambda p: p.name):
        data = json.loads(path.read_text())
        out.append({"file": path.name, "settings": data["settings"], "records": data["records"]})
    return out


def _same(stored: dict, want: dict) -> bool:
    return all(k in stored and (stored[k] == v if not isinstance(v, float) else
                                np.isclose(float(stored[k]), v)) for k, v in want.items())


def stored_sweep(settings: dict, cells) -> pd.DataFrame | None:
    """The stored result of a sweep with these settings for these cells (the same runs, as a frame), or None."""
    for sweep in _stored_sweeps():
        have = set(sweep["settings"].get("cells", []))
        if _same(sweep["settings"], settings) and set(cells) <= have and cells:
            df = pd.DataFrame([r for r in sweep["records"] if r["cell"] in cells])
            df.attrs.update(task=settings["task"], settings=settings, file=sweep["file"])
            return df
    return None


def stored_default_sweep(task: str, cells=("rnn", "lstm", "gru")) -> pd.DataFrame | None:
    """The stored sweep made with ``task``'s defaults (its budget and gate biases): what the lab shows on load."""
    e = experiment_settings(task)
    for sweep in _stored_sweeps():
        s = sweep["settings"]
        if s.get("task") == task and s.get("budget") == e["budget"] and np.isclose(s.get("forget_bias"), e[
                "forget_bias"]) and np.isclose(s.get("update_bias"), e["update_bias"]):
            return stored_sweep({k: s[k] for k in ("task", "gaps", "budget", "lr", "hidden_size", "batch", "clip",
                                                   "forget_bias", "update_bias", "seed")}, cells)
    return None


@dataclass
class LateLoss:
    """One late loss sent back through three demo models: e_T, the loss of ``target`` after the sentence's last
    token, and how much of its gradient reaches each step's state."""

    target: str
    norms: dict[str, np.ndarray]        # cell -> (T,) ||de_T/ds_t||
    forget: np.ndarray                  # (T, H) the LSTM's forget gates
    products: np.ndarray                # (T, H) f_t+1 ... f_T per unit
    c_share: np.ndarray                 # (T,) the share of the LSTM's ||de_T/ds_t||^2 that is in c_t
    probs: dict[str, float]             # cell -> p(target) after the sentence


def late_loss(models: dict, ids_of, target: str) -> LateLoss:
    """``models``: cell -> (model, vocab); ``ids_of(vocab)`` the sentence's ids in that vocabulary."""
    norms, probs = {}, {}
    for cell, (model, vocab) in models.items():
        ids = ids_of(vocab)
        m64 = model.astype(np.float64)
        tid = vocab.tokens.index(target)
        g = m64.state_grads(ids, np.int64(tid))
        norms[cell] = np.linalg.norm(g, axis=1)
        probs[cell] = float(m64.forward(ids).probs[-1, tid])
        if cell == "lstm":
            H = model.hidden_size
            sq = np.sum(g * g, axis=1)
            c_share = np.divide(np.sum(g[:, H:] ** 2, axis=1), sq, out=np.zeros_like(sq), where=sq > 0)
            forget = model.forward(ids).gates["forget"].astype(float)
    return LateLoss(target, norms, forget, forget_products(forget), c_share, probs)


def late_loss_summary(ll: LateLoss, step: int, tokens: list[str], styles: dict[str, str] | None = None) -> str:
    """What the one-late-loss chart shows at the cursor and at step 1, and why the LSTM's curve stays up."""
    styles = styles or {}
    T, t = len(tokens), step - 1
    rel = {c: n / n[-1] if n[-1] > 0 else np.zeros_like(n) for c, n in ll.norms.items()}
    word = tokens[t]
    at = ", ".join(f"{c.upper()} {sig(r[t], local=True)}" for c, r in rel.items())
    first = ", ".join(f"{c.upper()} {sig(r[0], local=True)}" for c, r in rel.items())
    best = max(rel, key=lambda c: rel[c][0])
    out = [_("At step {step} (“{word}”) the gradient of e_T keeps, of its value at step {T}: {at}; at step 1: "
             "{first}, the most in the {best}.").format(step=step, word=word, T=T, at=at, first=first,
                                                       best=best.upper())]
    rnn = rel.get("rnn")
    if rnn is not None:
        if rnn[0] < 0.01:
            msg = ngettext("The RNN's passes through W_hh^T diag(f'(a_t)) at every step: it vanishes over these {T} "
                           "tokens ({first} at step 1).",
                           "The RNN's passes through W_hh^T diag(f'(a_t)) at every step: it vanishes over these {T} "
                           "tokens ({first} at step 1).", T)
        else:
            msg = ngettext("The RNN's passes through W_hh^T diag(f'(a_t)) at every step; this trained W_hh is large "
                           "enough that it does not vanish over {T} tokens ({first} at step 1): the Backward view on "
                           "Step through and the first chart show where it does.",
                           "The RNN's passes through W_hh^T diag(f'(a_t)) at every step; this trained W_hh is large "
                           "enough that it does not vanish over {T} tokens ({first} at step 1): the Backward view on "
                           "Step through and the first chart show where it does.", T)
        out.append(msg.format(T=T, first=sig(rnn[0], local=True)))
    p = ll.products[t]
    line = f" ({styles['LSTM']})" if styles.get("LSTM") else ""
    out.append(_("The LSTM's cell state passes it back through the forget gates alone: elementwise, with no W_hh and "
                 "no squashing derivative."))
    out.append(_("Their product f_{next} ... f_{T} (right) keeps a median {median} of each unit (max {max}) from step "
                 "{step} to the end.").format(next=step + 1, T=T, median=sig(np.median(p), local=True),
                                               max=sig(p.max(), local=True), step=step))
    share, first = float(ll.c_share[t]), float(ll.c_share[0])
    if share >= 0.5:
        out.append(_("{share} of the LSTM's ||de_T/ds_{step}||^2 is in c_{step}: that path is why its curve{line} "
                     "stays up.").format(share=num(share, ".0%"), step=step, line=line))
    else:
        out.append(ngettext("Here, though, only {share} of the LSTM's ||de_T/ds_{step}||^2 is in c_{step} ({first} at "
                            "step 1): over these {T} tokens most of its gradient goes through h_t and W_hh, as the "
                            "trained RNN's does, so its curve{line} stays up for that reason too.",
                            "Here, though, only {share} of the LSTM's ||de_T/ds_{step}||^2 is in c_{step} ({first} at "
                            "step 1): over these {T} tokens most of its gradient goes through h_t and W_hh, as the "
                            "trained RNN's does, so its curve{line} stays up for that reason too.", T).format(
            share=num(share, ".0%"), step=step, first=num(first, ".0%"), T=T, line=line))
        out.append(_("The cell-state path is what is left where that one vanishes: the lag sweep below trains all "
                     "three across longer gaps."))
    return " ".join(out)



def forget_products(forget: np.ndarray) -> np.ndarray:
    """(T, H) forget gates -> (T, H) products f_{t+1} ... f_T: how much of c_t survives to the last step."""
    T = forget.shape[0]
    out = np.ones_like(forget, dtype=float)
    for t in range(T - 2, -1, -1):
        out[t] = out[t + 1] * forget[t + 1]
    return out


def _and(names: list[str]) -> str:
    """"RNN and LSTM", "RNN and LSTM and GRU" in the session's language."""
    return reduce(lambda a, b: _("{a} and {b}").format(a=a, b=b), names)


def sweep_summary(df: pd.DataFrame, solved: float | None = None) -> str:
    """What the lag sweep shows, read from its numbers: how far back each cell remembers, how much of the gradient
    reaches the remembered token at the longest gap, and (token tasks) which cells' loss there is a uniform guess's.
    ``solved``: the accuracy that counts as remembering (0.9; 0.8 for the adding problem, whose answers must be
    within 0.04)."""
    adding = df.attrs.get("task") == "adding"
    if solved is None:
        solved = 0.8 if adding else 0.9
    longest = int(df["gap"].max())
    parts = []
    for cell, rows in df.groupby("cell", sort=False):
        ok = rows.loc[rows["accuracy"] >= solved, "gap"]
        ratio = float(rows.loc[rows["gap"] == longest, "grad_ratio_first_last"].iloc[0])
        values = dict(cell=cell.upper(), longest=longest, ratio=sig(ratio, local=True))
        if len(ok):
            parts.append(_("{cell} remembers up to gap {gap} (gradient reaching the token at gap {longest}: {ratio} "
                           "of the last step's)").format(gap=int(ok.max()), **values))
        else:
            parts.append(_("{cell} remembers at no gap (gradient reaching the token at gap {longest}: {ratio} of the "
                           "last step's)").format(**values))
    chance = float(df["chance"].iloc[0])
    if adding:
        head = _("Accuracy of at least {solved} within 0.04 of the sum counts as remembering (chance is {chance}).")
    else:
        head = _("Accuracy of at least {solved} counts as remembering (chance is {chance}).")
    text = head.format(solved=num(solved, ".0%"), chance=num(chance, ".2f")) + " " + "; ".join(parts) + "."
    if not adding and "loss" in df:
        guess = float(np.log(1 / chance))
        at = df[df["gap"] == longest]
        lost = at[np.abs(at["loss"] - guess) < 0.05 * guess]
        if len(lost):
            who = ", ".join(f"{r.cell.upper()} {num(r.loss, '.2f')}" for r in lost.itertuples())
            text += " " + _("At gap {gap} the loss ({who} nats) is a uniform guess's, ln {k} = {guess}: at chance, "
                            "the remembered token is forgotten.").format(gap=longest, who=who, k=round(1 / chance),
                                                                         guess=num(guess, ".2f"))
    same = df[df["gap"] == longest].groupby("accuracy")["cell"].apply(list)
    for acc, cells in same.items():
        if len(cells) > 1:
            text += " " + _("{cells} reach the same accuracy there ({accuracy}): their points sit side by "
                            "side.").format(cells=_and([c.upper() for c in cells]), accuracy=num(acc, ".3f"))
    return text



def _sigmoid(b: float) -> float:
    return 1.0 / (1.0 + np.exp(-b))


def _line(styles: dict, name: str) -> str:
    return " " + _("(the {style} line)").format(style=styles[name]) if styles.get(name) else ""


def jacobian_summary(lab: JacobianLab, styles: dict[str, str] | None = None) -> str:
    """What the first chart shows and why, read from its numbers: how much reaches step 1 for each cell, what
    shrinks (or caps) the RNN's product, and what each gated cell's own path keeps. ``styles``: trace name -> how
    the figure draws it ("grey long-dash-dot"), so the caption names the lines the figure has."""
    styles = styles or {}
    df = lab.table
    first = df[df["t"] == df["t"].min()].set_index("cell")["norm"]
    T = int(df["t"].max())
    n = T - 1
    parts = [f"{cell} {sig(first[cell], local=True)}" for cell in ("RNN", "LSTM", "GRU") if cell in first]
    out = [_("Of the gradient at step {T}, this much reaches step 1: {parts}; rho^(T-1) is {rho}{line}.").format(
        T=T, parts=", ".join(parts), rho=sig(first["rho^(T-t)"], local=True), line=_line(styles, "rho^(T-t)"))]
    # the RNN: one W_hh^T diag(f'(a_t)) per step
    rnn = first["RNN"]
    if lab.activation == "relu":
        out.append(_("The RNN multiplies by W_hh^T diag(f'(a_t)) once per step; relu's f' is 1 where a_t > 0 and 0 "
                     "elsewhere (here 1 for {active} of the values): it passes the active units' gradient "
                     "unsquashed and stops the rest, so the product follows W_hh on the active units "
                     "({rnn} at step 1).").format(active=num(lab.rnn_active, ".0%"), rnn=sig(rnn, local=True)))
    elif lab.rho <= 1:
        out.append(_("The RNN multiplies by W_hh^T diag(f'(a_t)) once per step: |f'| <= 1 (here the median f' is "
                     "{fprime}) and W_hh's spectral radius is {rho}, so the product shrinks geometrically, about like "
                     "rho^(T-t).").format(fprime=num(lab.rnn_fprime, ".2f"), rho=num(lab.rho, ".2f")))
    else:
        if rnn < 0.01 * lab.rho ** n:
            msg = _("W_hh's spectral radius {rho} > 1 would stretch the gradient {rho}-fold a step ({rho}^{n} = "
                    "{power}), but the state grows until tanh saturates: {saturated} of the RNN's h_t have |h| > "
                    "{flat}, where f'(a) = 1 - h^2 < {bound}, and diag(f'(a_t)) cuts each step back (median f' "
                    "{fprime}): the RNN's product stays far below rho^(T-t).")
        else:
            msg = _("W_hh's spectral radius {rho} > 1 would stretch the gradient {rho}-fold a step ({rho}^{n} = "
                    "{power}), but the state grows until tanh saturates: {saturated} of the RNN's h_t have |h| > "
                    "{flat}, where f'(a) = 1 - h^2 < {bound}, and diag(f'(a_t)) cuts each step back (median f' "
                    "{fprime}): the RNN's product stays near rho^(T-t).")
        out.append(msg.format(rho=num(lab.rho, ".2f"), n=n, power=sig(lab.rho ** n, local=True),
                              saturated=num(lab.rnn_saturated, ".0%"), flat=num(SATURATED, ""),
                              bound=num(1 - SATURATED ** 2, ".2f"), fprime=num(lab.rnn_fprime, ".2f")))
    # the LSTM: the cell state's own path is f_t alone
    lstm = first["LSTM"]
    out.append(_("The LSTM's cell state passes the gradient back through the forget gate alone, c_t-1 <- f_t c_t: "
                 "elementwise, with no W_hh and no squashing derivative."))
    values = dict(bias=num(lab.forget_bias, "g"), f=num(_sigmoid(lab.forget_bias), ".2f"),
                  line=_line(styles, FORGET_PATH), forget=num(lab.forget, ".2f"), n=n,
                  path=sig(lab.forget_path, local=True), lstm=sig(lstm, local=True),
                  near=" " + _("beside a forget gate near 1") if lab.forget > 0.8 else "")
    if lstm < 1e-3:
        msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                "{path} and the LSTM vanishes too ({lstm} at step 1).")
    elif lstm > 3 * lab.forget_path:
        if lab.rho > 1 and lstm > 1:
            msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                    "{path}; the whole LSTM grows to {lstm} at step 1: its cell state also takes in i_t g_t, and g_t "
                    "reads h_t-1 through W_hh, a second loop{near}, which a spectral radius above 1 stretches.")
        elif lab.rho > 1:
            msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                    "{path}; the whole LSTM keeps {lstm} at step 1: its cell state also takes in i_t g_t, and g_t "
                    "reads h_t-1 through W_hh, a second loop{near}, which a spectral radius above 1 stretches.")
        elif lstm > 1:
            msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                    "{path}; the whole LSTM grows to {lstm} at step 1: its cell state also takes in i_t g_t, and g_t "
                    "reads h_t-1 through W_hh, a second loop{near}: their gains add up to more than 1 a step.")
        else:
            msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                    "{path}; the whole LSTM keeps {lstm} at step 1: its cell state also takes in i_t g_t, and g_t "
                    "reads h_t-1 through W_hh, a second loop{near}.")
    else:
        msg = _("Its bias {bias} starts f at sigmoid({bias}) = {f}, so that path{line} keeps about {forget}^{n} = "
                "{path}.")
    out.append(msg.format(**values))
    # the GRU: h_t = (1 - z) n + z h_{t-1}, z the share kept
    gru = first["GRU"]
    values = dict(bias=num(lab.update_bias, "g"), z=num(_sigmoid(lab.update_bias), ".2f"),
                  halves=" " + _("(it halves what is carried each step)") if abs(lab.update - 0.5) < 0.05 else "",
                  line=_line(styles, UPDATE_PATH), update=num(lab.update, ".2f"), n=n,
                  path=sig(lab.update_path, local=True), gru=sig(gru, local=True))
    if lab.update_path < 1e-3 and gru < 1e-3:
        msg = _("The GRU keeps the share z_t of h_t-1 directly, h_t = (1 - z_t) n_t + z_t h_t-1: its update-gate bias "
                "{bias} starts z at sigmoid({bias}) = {z}{halves}, so that path{line} keeps about {update}^{n} = "
                "{path} and the GRU vanishes too.")
    elif lab.update_path < 1e-3:
        msg = _("The GRU keeps the share z_t of h_t-1 directly, h_t = (1 - z_t) n_t + z_t h_t-1: its update-gate bias "
                "{bias} starts z at sigmoid({bias}) = {z}{halves}, so that path{line} keeps about {update}^{n} = "
                "{path} and the GRU vanishes too (its candidate n_t, through W_hh, carries {gru}).")
    elif gru > 3 * lab.update_path:
        msg = _("The GRU keeps the share z_t of h_t-1 directly, h_t = (1 - z_t) n_t + z_t h_t-1: its update-gate bias "
                "{bias} starts z at sigmoid({bias}) = {z}{halves}, so that path{line} keeps about {update}^{n} = "
                "{path}; its candidate n_t, which reads h_t-1 through W_hh, adds to it ({gru} in all).")
    else:
        msg = _("The GRU keeps the share z_t of h_t-1 directly, h_t = (1 - z_t) n_t + z_t h_t-1: its update-gate bias "
                "{bias} starts z at sigmoid({bias}) = {z}{halves}, so that path{line} keeps about {update}^{n} = "
                "{path}.")
    out.append(msg.format(**values))
    return " ".join(out)


def clipping_summary(df: pd.DataFrame) -> str:
    """What the clipping chart shows, read from its numbers: how high each run's loss went."""
    parts = []
    for run, rows in df.groupby("run", sort=False):
        loss = rows["loss"]
        values = dict(run=run_label(run), start=num(loss.iloc[0], ".2f"), peak=num(loss.max(), ".2f"))
        if rows["diverged"].any():
            parts.append(_("{run}, the loss starts at {start}, peaks at {peak} and it diverged").format(**values))
        else:
            parts.append(_("{run}, the loss starts at {start}, peaks at {peak} and it ends at {end}").format(
                end=num(loss.iloc[-1], ".2f"), **values))
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]              # it starts a sentence of the caption
