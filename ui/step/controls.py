"""Widgets that return plain values; their callbacks change session state before the rerun."""
from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_core.cuisine import CUISINE_OF, PROMPT
from rnn_core.cuisines import LANGS, PROBE_DISHES, dish_answers
from rnn_core.vocab import tokenize as vocab_tokenize
from rnn_core.io import ModelFileError

from ui.common import i18n, state
from ui.common.controls import keyboard, step_keys
from ui.common.i18n import N_, _, language
from ui.common.limits import MAX_MODEL_BYTES, MAX_VOCAB_JSON_MB, sentence_limits
from ui.common.memory import SGD_COPIES_BUDGET, UPLOADED_MODELS_BUDGET
from ui.common.models import THIS_TAB, LoadedModel, add_upload, drop_oldest, load_upload
from ui.common.sentences import commit
from ui.common.text import md_escape, shorten, validate_sentence


def current_model() -> LoadedModel:
    """The model Step through shows: the chosen one, or its session copy after SGD steps (a link's model is
    checked on arrival; an upload that lets older ones go becomes the chosen model)."""
    models = st.session_state[state.MODELS]
    name = st.session_state[state.MODEL]
    updated = st.session_state[state.SGD_MODELS].get(name)
    return updated[0] if updated else models.get(name, models[state.DEFAULT_MODEL])


def sgd_steps() -> int:
    """How many SGD steps the shown model has had on this page (0: it is the loaded model)."""
    updated = st.session_state[state.SGD_MODELS].get(st.session_state[state.MODEL])
    return updated[1] if updated else 0


def sgd_start() -> float | None:
    """p(the step's target) under the loaded model, before the first of the steps taken (None before any)."""
    updated = st.session_state[state.SGD_MODELS].get(st.session_state[state.MODEL])
    return updated[2] if updated else None


def _apply_sgd(a) -> None:
    from ui.common import analysis
    entry, name = current_model(), st.session_state[state.MODEL]
    target_id = entry.vocab.tokens.index(st.session_state[state.SGD_TARGET])
    model, record = analysis.sgd_step(entry, a, target_id, st.session_state[state.LOSS_SHAPE],
                                      float(st.session_state[state.SGD_LR]), int(st.session_state[state.UNIT]))
    n = sgd_steps() + 1
    start = record["p_before"] if n == 1 else sgd_start()
    base = st.session_state[state.MODELS][name]
    copies = st.session_state[state.SGD_MODELS]
    copies.pop(name, None)                                  # the newest copy goes last
    copies[name] = (LoadedModel(f"{name} after {n} SGD step(s)", model, base.vocab, base.version), n, start)
    drop_oldest(copies, SGD_COPIES_BUDGET, name)
    st.session_state[state.SGD_LAST] = record
    st.session_state[state.SGD_RERUN] = True                # the whole page then reads the updated copy


def _undo_sgd() -> None:
    st.session_state[state.SGD_MODELS].pop(st.session_state[state.MODEL], None)
    st.session_state[state.SGD_LAST] = None
    st.session_state[state.SGD_RERUN] = True


def rerun_after_sgd() -> None:
    """A step or an Undo clicked inside the time-step fragment reruns the whole page, so that every number on it
    (the loss line, the Forward view, the probe) reads the model now shown."""
    if st.session_state.get(state.SGD_RERUN):
        st.session_state[state.SGD_RERUN] = False
        st.rerun()


def sgd_controls(a, tokens: list[str]) -> None:
    """**Step toward** (the target word), **Learning rate**, **Apply one SGD step** and **Undo** (back to the
    loaded model)."""
    c0, c1, c2, c3 = st.columns([1, 1, 1, 1])
    c0.selectbox(_("Step toward"), tokens, key=state.SGD_TARGET, **state.KEEP,
                 help=_("The word this sentence should end in: the step lowers its loss. The default is the loaded "
                        "model's runner-up after the last token, one it gets wrong, so a step visibly moves p."))
    c1.number_input(_("Learning rate eta"), 0.0, 100.0, step=0.01, key=state.SGD_LR, **state.KEEP,
                    help=_("W := W - eta dL/dW, for every weight, on this sentence and target. One sentence's "
                           "gradient is steep: a large eta overshoots."))
    c2.button(_("Apply one SGD step"), on_click=_apply_sgd, args=(a,), width="stretch")
    c3.button(_("Undo"), on_click=_undo_sgd, disabled=sgd_steps() == 0, width="stretch",
              help=_("Back to the loaded model (the demo models and other sessions never change)."))


def _commit_sentence() -> None:
    if commit(state.SENTENCE_INPUT, state.SENTENCE, state.SENTENCE_ERROR, current_model()):
        st.session_state[state.STEP] = 1
        st.session_state[state.PLAYING] = False
        st.session_state[state.PROBE_POS] = None


def sentence_input() -> str:
    """The **Sentence** box; returns the last good sentence, showing why a bad one was not taken."""
    st.text_input(_("Sentence"), key=state.SENTENCE_INPUT, on_change=_commit_sentence, **state.KEEP,
                  help=_("Press Enter to let the network read it.") + " " + sentence_limits())
    if st.session_state[state.SENTENCE_ERROR]:
        st.warning(_("{problem} Still showing the previous sentence.").format(
            problem=st.session_state[state.SENTENCE_ERROR]))
    sentence = st.session_state[state.SENTENCE]
    problem = validate_sentence(sentence, current_model())
    if problem:                                  # a model that tokenizes differently (characters) cannot read it
        st.warning(_("{model} cannot read the sentence: {problem} Showing the default prompt.").format(
            model=current_model().name, problem=problem))
        sentence = PROMPT
    return sentence


def _on_upload() -> None:
    """A model file arrived, or the vocabulary for the one there: load the model (with that vocabulary)."""
    lang = i18n.language()                              # read before the slow load (see i18n.translator)
    tr, cat = i18n.translator(lang), i18n.catalogue(lang)
    f = st.session_state.get(state.MODEL_UPLOAD)
    if f is None:
        return
    v = st.session_state.get(state.VOCAB_UPLOAD)
    try:
        entry = load_upload(f.name, f.getvalue(), None if v is None else v.getvalue())
    except ModelFileError as e:
        st.session_state[state.UPLOAD_ERROR] = tr("That file cannot be used: {error}. The current model stays."
                                                  ).format(error=tr(str(e)))
        return
    st.session_state[state.UPLOAD_ERROR] = None
    dropped = add_upload(st.session_state[state.MODELS], entry)
    for name in dropped:
        st.session_state[state.SGD_MODELS].pop(name, None)
    st.session_state[state.UPLOAD_NOTE] = dropped and cat.ngettext(
        "Uploaded models hold at most {mb} MB of weights in a session, so {names} was let go (upload it again to "
        "see it).",
        "Uploaded models hold at most {mb} MB of weights in a session, so {names} were let go (upload it again to "
        "see it).", len(dropped)).format(mb=UPLOADED_MODELS_BUDGET // 1_000_000,
                                         names=", ".join(md_escape(shorten(n, 40)) for n in dropped))
    st.session_state[state.MODEL] = entry.name
    st.session_state[state.STEP] = 1


def model_picker() -> LoadedModel:
    """**Model** choice (demo models, the Train page's, uploads) and the upload box."""
    models = st.session_state[state.MODELS]
    names = list(models)
    st.selectbox(_("Model"), names, key=state.MODEL, format_func=lambda n: shorten(n, 60), **state.KEEP,
                 help=_("Demo models were trained on the cuisine corpus; upload a .npz saved by this app or the CLI, "
                        "or a .safetensors file (exported here, or a PyTorch RNN, LSTM or GRU's state_dict).")
                      + " " + _(THIS_TAB))
    with st.expander(_("Upload a model (.npz), or one trained in PyTorch (.safetensors)")):
        st.file_uploader(_("Model file (.npz or .safetensors, at most {mb} MB)").format(
                             mb=MAX_MODEL_BYTES // 1_000_000),
                         type=["npz", "safetensors"], key=state.MODEL_UPLOAD, on_change=_on_upload,
                         max_upload_size=MAX_MODEL_BYTES // 1_000_000)
        st.file_uploader(_("Its vocabulary (.json, at most {mb} MB): for a PyTorch state_dict").format(
                             mb=MAX_VOCAB_JSON_MB),
                         type=["json"], key=state.VOCAB_UPLOAD, on_change=_on_upload,
                         max_upload_size=MAX_VOCAB_JSON_MB,
                         help=_("The tokens in id order: a JSON list [\"<unk>\", \"the\", ...], {\"token\": id, ...}, "
                                "or the config.json of a download for PyTorch. A file exported here carries its own."))
        st.markdown(_("From PyTorch: save a module's state_dict with `safetensors.torch.save_file` (one "
                      "`nn.RNN`/`LSTM`/`GRU` layer, an optional `nn.Embedding` before it, an `nn.Linear` after it) "
                      "and upload it with its vocabulary."))
    if st.session_state[state.UPLOAD_ERROR]:
        st.error(st.session_state[state.UPLOAD_ERROR])
    if st.session_state[state.UPLOAD_NOTE]:
        st.info(st.session_state[state.UPLOAD_NOTE])
    shown = current_model()
    if sgd_steps():
        st.info(_("Showing {model} toward “{word}”: every number on this page reads that copy. **Undo** on the "
                  "Backward view returns to the loaded model.").format(
            model=md_escape(shown.name), word=md_escape(str(st.session_state[state.SGD_TARGET]))))
    return shown


# ----- time stepping --------------------------------------------------------------------------------
VIEW_NAMES = {"Forward": N_("Forward"), "Backward": N_("Backward")}      # state.VIEWS as shown (the values stay)

def _direction() -> int:
    return -1 if st.session_state[state.VIEW] == "Backward" else 1


def _move(delta: int, T: int) -> None:
    st.session_state[state.STEP] = min(T, max(1, st.session_state[state.STEP] + delta))


def _reset(T: int) -> None:
    st.session_state[state.PLAYING] = False
    st.session_state[state.STEP] = T if _direction() < 0 else 1


def _toggle_play(T: int) -> None:
    playing = not st.session_state[state.PLAYING]
    at_end = st.session_state[state.STEP] == (1 if _direction() < 0 else T)
    if playing and at_end:
        _reset(T)
    st.session_state[state.PLAYING] = playing


def advance_if_playing(T: int) -> bool:
    """One timer tick of Play: move one step; returns False when it reached the end (and stops)."""
    if not st.session_state[state.PLAYING]:
        return False
    end = 1 if _direction() < 0 else T
    if st.session_state[state.STEP] == end:
        st.session_state[state.PLAYING] = False
        return False
    _move(_direction(), T)
    return True


def step_controls(T: int) -> int:
    """**Previous step**, **Next step**, **Play**, **Reset** and the **Time step** slider; returns the step."""
    d = _direction()
    c1, c2, c3, c4 = st.columns(4)
    k = step_keys()
    if d > 0:                     # Forward: the network reads on, t -> t+1
        c1.button(_("Previous step"), on_click=_move, args=(-1, T), width="stretch", shortcut=k["previous"],
                  help=_("One step back in time, to t-1{keys}.").format(keys=keyboard(k, "previous")))
        c2.button(_("Next step"), on_click=_move, args=(1, T), width="stretch", type="primary", shortcut=k["next"],
                  help=_("One step on in time, to t+1{keys}.").format(keys=keyboard(k, "next")))
    else:                         # Backward: BPTT walks from the last step to the first, t -> t-1
        c1.button(_("Forward to t+1"), on_click=_move, args=(1, T), width="stretch", shortcut=k["previous"],
                  help=_("One step later in time, back toward the loss{keys}.").format(keys=keyboard(k, "previous")))
        c2.button(_("Back to t-1"), on_click=_move, args=(-1, T), width="stretch", type="primary", shortcut=k["next"],
                  help=_("BPTT's next step: one step earlier in time, to t-1{keys}.").format(keys=keyboard(k, "next")))
    playing = st.session_state[state.PLAYING]
    c3.button(_("Pause") if playing else _("Play"), on_click=_toggle_play, args=(T,), width="stretch",
              shortcut=k["play"], help=(_("Stop stepping{keys}.") if playing else _("Step on by itself{keys}.")).format(
                  keys=keyboard(k, "play")))
    c4.button(_("Reset"), on_click=_reset, args=(T,), width="stretch")
    if T > 1:
        st.slider(_("Time step"), 1, T, key=state.STEP, **state.KEEP)
    else:
        st.caption(_("Time step 1 of 1"))
    return st.session_state[state.STEP]


def _on_view_change(T: int) -> None:
    st.session_state[state.PLAYING] = False
    if st.session_state[state.VIEW] == "Backward":
        st.session_state[state.STEP] = T               # BPTT starts at the last step


def view_choice(T: int) -> str:
    st.segmented_control(_("View"), state.VIEWS, key=state.VIEW, on_change=_on_view_change, args=(T,),
                         required=True, format_func=lambda v: _(VIEW_NAMES.get(v, v)), **state.KEEP,
                         help=_("Forward: read the sentence. Backward: watch BPTT carry the loss's gradient back."))
    return st.session_state[state.VIEW]


def token_strip(tokens: list[str], step: int) -> None:
    """The tokens as pills, the current one selected (``settle`` set it); clicking one jumps there."""

    def on_pick():
        picked = st.session_state.get(state.TOKEN_PILLS)
        if picked is not None:
            st.session_state[state.STEP] = picked + 1

    # labels must be unique (the widget keys options by label): "1 my", "2 favourite", ...
    st.pills(_("Tokens"), list(range(len(tokens))), format_func=lambda i: f"{i + 1} {md_escape(tokens[i])}",
             key=state.TOKEN_PILLS,
             on_change=on_pick, label_visibility="collapsed")


# ----- the one place per rerun that brings the page's values into range --------------------------------
# the dishes of every language's cuisine corpus, as tokens (a Chinese dish's first character): where the probe swaps
_DISH_WORDS = frozenset(CUISINE_OF) | frozenset(vocab_tokenize(d)[0] for lang in LANGS for d in dish_answers(lang))


def settle(entry: LoadedModel, tokens: list[str], last_probs) -> None:
    """Bring every Step-through value into range for this model and sentence before anything draws:
    the time step, the hidden unit, the target word, the probe's word and position, the token pills."""
    ss, T = st.session_state, len(tokens)
    step = state.clamp_step(T)
    ss[state.TOKEN_PILLS] = step - 1
    ss[state.UNIT] = int(min(max(ss[state.UNIT], 0), entry.model.hidden_size - 1))
    if ss[state.TARGET] not in entry.vocab:
        ss[state.TARGET] = entry.vocab.tokens[int(last_probs.argmax())]
    if ss[state.SGD_TARGET] not in entry.vocab:             # the runner-up after the last token: a word it gets wrong
        order = np.argsort(-np.asarray(last_probs), kind="stable")
        ss[state.SGD_TARGET] = entry.vocab.tokens[int(order[1] if order.size > 1 else order[0])]
    positions = range(T - 1)
    if ss[state.PROBE_POS] not in positions:
        dishes = [i for i in positions if tokens[i] in _DISH_WORDS]
        ss[state.PROBE_POS] = dishes[0] if dishes else 0
    words = [w for w in entry.vocab.tokens if w != "<unk>"]
    if ss[state.PROBE_WORD] not in words:
        probe = vocab_tokenize(PROBE_DISHES[language()][1])[0]       # the language's other dish (pizza, risotto ...)
        ss[state.PROBE_WORD] = next((w for w in (probe, "pizza") if w in words), words[0] if words else None)


def recurrence_toggle() -> bool:
    """**Without recurrence**: show the model with W_hh = 0 (each step sees only its own token)."""
    return st.toggle(_("Without recurrence (W_hh = 0)"), key=state.NO_RECURRENCE, **state.KEEP,
                     help=_("Sets W_hh to zero for this view only: the network then reads each token on its own, "
                            "like a feed-forward layer applied T times. The model itself is not changed."))
