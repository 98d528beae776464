"""Generate's sections: the settings, the generated tokens, and the distribution each was drawn from."""
from __future__ import annotations

import streamlit as st

from rnn_core import MAX_SEED
from rnn_core.sampling import generate

from ui.common import state
from ui.common.figures import next_token_figure
from ui.common.frames import top_k_frame
from ui.common.i18n import N_, _, num
from ui.common.limits import MAX_SENTENCE_CHARS, sentence_limits
from ui.common.links import Param, known_model, number, one_of, text_up_to
from ui.common.models import THIS_TAB, LoadedModel
from ui.common.charts import show
from ui.common.text import md_escape, shorten, validate_sentence

TEMPERATURES = (0.1, 0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0, 3.0)
STRATEGIES = {"greedy": N_("greedy: always the most likely token"), "sample": N_("sample: draw from the distribution")}
TOKENS, TOP_K, SEEDS = (1, 200), (0, 10_000), (0, MAX_SEED)
# what a link to this page carries (a model this browser tab does not have is named, and the current one stays)
LINK = {"model": Param(state.GEN_MODEL, known_model),
        "prompt": Param(state.GEN_PROMPT, text_up_to(MAX_SENTENCE_CHARS)),
        "tokens": Param(state.GEN_N, number(*TOKENS)), "strategy": Param(state.GEN_STRATEGY, one_of(STRATEGIES)),
        "temperature": Param(state.GEN_TEMPERATURE, one_of(TEMPERATURES)),
        "top_k": Param(state.GEN_TOP_K, number(*TOP_K)), "seed": Param(state.GEN_SEED, number(*SEEDS))}


def visible(token: str) -> str:
    """A token as a label: spaces and line breaks made visible (character-level models)."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(token, token)


def settings() -> tuple[LoadedModel, str]:
    """The model, the prompt and the sampling settings; returns (the model, the prompt)."""
    models = st.session_state[state.MODELS]
    if st.session_state[state.GEN_MODEL] not in models:             # a model is only ever added, but a link may
        st.session_state[state.GEN_MODEL] = state.DEFAULT_MODEL      # name one that is gone
    c1, c2 = st.columns([1, 2])
    name = c1.selectbox(_("Model"), list(models), key=state.GEN_MODEL, format_func=lambda n: shorten(n, 60),
                        **state.KEEP,
                        help=_("The demo models read words; the sonnets model reads characters. A model trained on "
                               "the Train page or uploaded on Step through is here too.") + " " + _(THIS_TAB))
    c2.text_input(_("Prompt"), key=state.GEN_PROMPT, **state.KEEP,
                  help=_("What the network reads before it writes.") + " " + sentence_limits())
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.slider(_("Tokens to generate"), *TOKENS, key=state.GEN_N, **state.KEEP)
    c2.radio(_("Strategy"), list(STRATEGIES), key=state.GEN_STRATEGY, format_func=lambda v: _(STRATEGIES[v]),
             **state.KEEP)
    sampling = st.session_state[state.GEN_STRATEGY] == "sample"
    c3.select_slider(_("Temperature"), TEMPERATURES, key=state.GEN_TEMPERATURE, disabled=not sampling, **state.KEEP,
                     help=_("Divides the logits before the softmax: below 1 sharpens the distribution, "
                            "above 1 flattens it."))
    c4.number_input(_("Top-k (0 = all)"), *TOP_K, key=state.GEN_TOP_K, disabled=not sampling, **state.KEEP,
                    help=_("Draw only among the k most likely tokens."))
    c5.number_input(_("Seed (0 to {max})").format(max=num(SEEDS[1], ",")), *SEEDS, key=state.GEN_SEED,
                    disabled=not sampling, **state.KEEP)
    return models[name], st.session_state[state.GEN_PROMPT]


def _settle_pick(n: int) -> None:
    """The chosen token into range (the first after a shorter generation): the one place it is brought there."""
    if not 0 <= st.session_state[state.GEN_PICK] < n:
        st.session_state[state.GEN_PICK] = 0


def output(entry: LoadedModel, prompt: str) -> None:
    """The generated tokens, each a pill that shows the distribution it was drawn from."""
    problem = validate_sentence(prompt, entry)
    if problem:
        st.warning(problem + " " + _("Nothing generated."))
        return
    ss = st.session_state
    top_k = int(ss[state.GEN_TOP_K]) or None
    out = generate(entry.model, entry.vocab, prompt, int(ss[state.GEN_N]), ss[state.GEN_STRATEGY],
                   float(ss[state.GEN_TEMPERATURE]), top_k, int(ss[state.GEN_SEED]))
    sep = "" if entry.vocab.level == "char" else " "
    text = entry.vocab.decode(entry.vocab.encode([g.token for g in out])) if sep else "".join(g.token for g in out)
    st.markdown(f"**{md_escape(shorten(prompt, 300))}** {md_escape(text)}")
    written = prompt + (sep if text and text[:1] not in ".,!?;:" else "") + text
    st.download_button(_("Download the text (.txt)"), written.encode("utf-8"), "rnn_playground_generated.txt",
                       mime="text/plain", key=state.GEN_DL_TEXT, on_click="ignore",
                       help=_("The prompt and what the network wrote after it, as plain UTF-8 text."))
    unknown = entry.vocab.unknown_tokens(prompt)
    if unknown:
        st.info(_("The model never saw {n} of the prompt's tokens; it reads them as `<unk>`.").format(n=len(unknown)))
    _settle_pick(len(out))
    st.pills(_("Generated tokens: click one to see the distribution it was drawn from"), list(range(len(out))),
             key=state.GEN_PICK, required=True, format_func=lambda i: f"{i + 1} {md_escape(visible(out[i].token))}")
    k = st.session_state[state.GEN_PICK]
    g = out[k]
    show(next_token_figure(top_k_frame(g.probs, [visible(t) for t in entry.vocab.tokens], k=12)),
                    key=state.CHART_GEN_DIST)
    if ss[state.GEN_STRATEGY] == "greedy":
        drawn = _("Token {k}, “{token}”, the most likely token (greedy): it had probability {p} (rank {rank} of "
                  "{possible} possible).")
    elif top_k:
        drawn = _("Token {k}, “{token}”, drawn at temperature {temperature} among the top {top_k}: it had "
                  "probability {p} (rank {rank} of {possible} possible).")
    else:
        drawn = _("Token {k}, “{token}”, drawn at temperature {temperature}: it had probability {p} (rank {rank} of "
                  "{possible} possible).")
    rank = int((g.probs > g.probs[g.id]).sum()) + 1
    st.caption(drawn.format(k=k + 1, token=md_escape(visible(g.token)), p=num(g.probs[g.id], ".3f"), rank=rank,
                            possible=int((g.probs > 0).sum()), top_k=top_k,
                            temperature=num(float(ss[state.GEN_TEMPERATURE]), "g"))
               + " " + _("The network then read it as its next input."))
