"""The training hyperparameters' widgets, drawn by every page that trains (Train, Time series): one
set of controls, each page passing its own session-state keys."""
from __future__ import annotations

from dataclasses import dataclass, fields

import streamlit as st

from rnn_core import CELLS, MAX_SEED
from rnn_core.optim import OPTIMIZERS
from rnn_core.rnn import ACTIVATIONS

from . import state
from .i18n import _, ngettext, num
from .config import BATCHES, CLIPS, HIDDEN_SIZES, LRS
from .links import Param, number, one_of

# stepping through time from the keyboard, as in a video player: J back, K play or pause, L forward
STEP_KEYS = {"previous": "J", "play": "K", "next": "L"}


def step_keys() -> dict:
    """The single-letter shortcuts, or None for each when the learner turned them off (WCAG 2.1.4: a shortcut of
    one character must be possible to turn off, so speech input and stray keys do not step the page)."""
    return STEP_KEYS if st.session_state[state.SHORTCUTS] else dict.fromkeys(STEP_KEYS)


def keyboard(keys: dict, name: str) -> str:
    """" (keyboard: L)" for a button's tooltip, or nothing while the shortcuts are off."""
    return " " + _("(keyboard: {key})").format(key=keys[name]) if keys[name] else ""


def shortcuts_toggle() -> None:
    """The sidebar's switch for the single-letter shortcuts (kept for the session)."""
    st.sidebar.toggle(_("Single-letter shortcuts (J, K, L)"), key=state.SHORTCUTS, **state.KEEP,
                      help=_("J and L step back and on, K plays or pauses, on Step through and Time series. Turn them "
                             "off if they get in the way (speech input, a screen reader); the buttons stay."))
RHO = (0.0, 3.0, 0.05)              # the W_hh spectral radius slider: lo, hi, step
DEFAULT_RADIUS = 3 ** -0.5          # W_hh uniform in +-1/sqrt(H): eigenvalues fill a disc of radius sqrt(H / (3H))
ITERATIONS = (1, 100_000)
SEEDS = (0, MAX_SEED)                # as the command line's --seed


@dataclass(frozen=True)
class Length:
    """The sequence-length slider: truncation length for text, window length for a series. ``label`` and ``help``
    are shown through ``_()``: define them with ``N_``."""

    label: str
    key: str
    lo: int = 2
    hi: int = 100
    help: str | None = None


def hyperparameters(sb, keys: dict[str, str], length: Length) -> str:
    """Cell, hidden size, activation, learning rate, optimizer, clipping, sequence length, batch, spectral
    radius, iterations and seed, in ``sb`` (the sidebar); ``keys`` maps each setting's name (as in
    TrainConfig) to the page's session-state key. Returns the chosen cell."""
    keep = state.KEEP
    cell = sb.selectbox(_("Cell"), list(CELLS), key=keys["cell"], format_func=str.upper, **keep)
    sizes = sorted({*HIDDEN_SIZES, int(st.session_state[keys["hidden"]])})         # a loaded model's size too
    sb.select_slider(_("Hidden size ({lo} to {hi} units)").format(lo=sizes[0], hi=sizes[-1]), sizes,
                     key=keys["hidden"], **keep)
    sb.selectbox(_("Activation"), ACTIVATIONS, key=keys["activation"], disabled=cell != "rnn", **keep,
                 help=_("The LSTM and GRU use sigmoid gates and tanh."))
    sb.select_slider(_("Learning rate"), LRS, key=keys["lr"], format_func=lambda v: num(v, "g"), **keep)
    sb.selectbox(_("Optimizer"), OPTIMIZERS, key=keys["optimizer"], **keep)
    sb.select_slider(_("Clipping threshold"), CLIPS, key=keys["clip"],
                     format_func=lambda v: _("off") if v == 0 else num(v, "g"), **keep)
    sb.slider(_(length.label), length.lo, length.hi, key=length.key, help=_(length.help), **keep)
    sb.select_slider(_("Batch size"), BATCHES, key=keys["batch"], **keep)
    rho = sb.slider(_("W_hh spectral radius at init (0 = default)"), RHO[0], RHO[1], step=RHO[2],
                    key=keys["spectral_radius"], **keep,
                    help=_("Rescales W_hh when the weights are reset so its largest |eigenvalue| is this; 0 keeps the "
                           "default initialisation."))
    if not rho:
        sb.caption(_("0 keeps the default initialisation, not W_hh = 0: weights uniform in ±1/sqrt(H), a spectral "
                     "radius of about {radius} (sqrt(1/3)) at any hidden size.").format(
                       radius=num(DEFAULT_RADIUS, ".2f")))
    sb.number_input(_("Iterations ({lo} to {hi} a run)").format(lo=ITERATIONS[0], hi=num(ITERATIONS[1], ",")),
                    *ITERATIONS, step=100, key=keys["iterations"], **keep,
                    help=_("Press Train again to go on: the weights and the history carry over from run to run."))
    sb.number_input(_("Seed (0 to {hi})").format(hi=num(SEEDS[1], ",")), *SEEDS, key=keys["seed"],
                    help=_("Applies when the weights are reset."), **keep)
    return cell


def hyperparameter_params(keys: dict[str, str], length: Length, length_name: str) -> dict[str, Param]:
    """The URL parameters of ``hyperparameters``' widgets, read with the widgets' own options and ranges."""
    return {
        "cell": Param(keys["cell"], one_of(CELLS)), "hidden": Param(keys["hidden"], one_of(HIDDEN_SIZES)),
        "activation": Param(keys["activation"], one_of(ACTIVATIONS)), "lr": Param(keys["lr"], one_of(LRS)),
        "optimizer": Param(keys["optimizer"], one_of(OPTIMIZERS)), "clip": Param(keys["clip"], one_of(CLIPS)),
        length_name: Param(length.key, number(length.lo, length.hi)),
        "batch": Param(keys["batch"], one_of(BATCHES)),
        "spectral_radius": Param(keys["spectral_radius"], number(RHO[0], RHO[1], float, RHO[2])),
        "iterations": Param(keys["iterations"], number(*ITERATIONS)), "seed": Param(keys["seed"], number(*SEEDS)),
    }



def read_config(widgets: dict[str, str], cls):
    """The sidebar's settings as a ``cls`` (TrainConfig, SeriesConfig) built by name from the widgets' keys
    (``widgets``: key -> field); usable in callbacks, before the sidebar draws. The gated cells take tanh."""
    types = {f.name: f.type for f in fields(cls)}
    cast = {"int": int, "float": float, "str": str}
    values = {name: st.session_state[key] for key, name in widgets.items()}
    values = {k: cast[types[k]](v if v is not None else "") for k, v in values.items()}
    if values["cell"] != "rnn":
        values["activation"] = "tanh"
    return cls(**values)


def page_session(key: str, factory):
    """This browser session's object under ``key`` (a page's TrainSession, SeriesSession), made on first use."""
    if key not in st.session_state:
        st.session_state[key] = factory()
    return st.session_state[key]


def run_buttons(sess, cfg, data, reasons: list[str], apply_live) -> str | None:
    """**Train**, **Stop** and **Reset weights** in a row for a page's LiveRun ``sess``; Train starts from fresh
    weights when ``reasons`` says the settings need them, else applies the live settings (``apply_live()``)
    first. Returns the button pressed ("train", "stop", "reset") or None."""
    c1, c2, c3 = st.columns(3)
    pressed = None
    if c1.button(_("Train"), type="primary", width="stretch", disabled=data is None):
        if reasons:
            sess.reset_weights(cfg, data)
        else:
            apply_live()
        sess.start(cfg.iterations)
        pressed = "train"
    if c2.button(_("Stop"), width="stretch"):
        sess.stop()
        pressed = "stop"
    if c3.button(_("Reset weights"), width="stretch", disabled=data is None):
        sess.stop()
        sess.reset_weights(cfg, data)
        pressed = "reset"
    return pressed


def live_status(run, ticking: bool, model_line, after_divergence: str = ""):
    """What a live area draws first, from one view of its run (returned, for the rest of the redraw): drop the timer
    once the run has ended, keep the run alive while its page shows it, the model line (``model_line(view)``), the
    progress bar while it runs, and what went wrong (a worker's error, the NaN guard's message)."""
    view = run.view
    if ticking and not view.running:            # the run ended (or was stopped elsewhere): drop the timer
        st.rerun()
    run.touch()                                 # this page shows the run: it goes on
    model_line(view)
    if view.running or ticking:
        progress(view, run.queue)
    if view.error:
        st.error(_(view.error))
    if view.diverged:
        st.error(view.diverged + after_divergence)
    return view


def progress(view, queue) -> None:
    """A LiveView's run as a progress bar, saying where it stands when other runs share its training worker
    (``queue``: a driver.QueueState)."""
    done, total = view.iteration - view.run_start, max(1, view.target - view.run_start)
    text = _("iteration {iteration} ({done} of {total} in this run)").format(iteration=view.iteration, done=done,
                                                                            total=total)
    if queue.running and queue.sharing > 1:
        busy, ahead = queue.busy == queue.workers, queue.position
        if busy and ahead == 0:
            turns = _("every training worker is busy: {n} runs take turns on worker {worker} of {workers}, a tenth "
                      "of a second each, this one training now")
        elif busy:
            turns = ngettext("every training worker is busy: {n} runs take turns on worker {worker} of {workers}, a "
                             "tenth of a second each, this one {ahead} ahead of it in the queue",
                             "every training worker is busy: {n} runs take turns on worker {worker} of {workers}, a "
                             "tenth of a second each, this one {ahead} ahead of it in the queue", ahead)
        elif ahead == 0:
            turns = _("{n} runs take turns on worker {worker} of {workers}, a tenth of a second each, this one "
                      "training now")
        else:
            turns = ngettext("{n} runs take turns on worker {worker} of {workers}, a tenth of a second each, this one "
                             "{ahead} ahead of it in the queue",
                             "{n} runs take turns on worker {worker} of {workers}, a tenth of a second each, this one "
                             "{ahead} ahead of it in the queue", ahead)
        text += "; " + turns.format(n=queue.sharing, worker=queue.worker, workers=queue.workers, ahead=ahead)
    st.progress(min(1.0, done / total), text=text)
