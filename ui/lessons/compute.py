"""Each lesson's question and the numbers behind it, computed from the model and settings on screen (pure: no
Streamlit), so a question is never stale: another model or another setting gives another expected answer."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.cuisines import dish_answers
from rnn_core.model import softmax
from rnn_core.sampling import generate

from ui.common.i18n import N_, _, language, ngettext, num
from ui.common.text import SATURATED, sig

from .questions import Question, plain

# Every text here is shown (the question, its reason, its hint): a message in the session's language, numbers written
# its way (num, _sig). Where a count sits in a message, ngettext's two English forms are the same text, so the English
# stays exactly as it always was for every count (a translation takes the plural form its language needs).

# choices whose value is the English text (compared with the answer, kept in the record): the page shows them through
# _() (format_func), the value stays English
YES, NO = N_("yes"), N_("no")
YES_NO = (YES, NO)


@dataclass(frozen=True)
class Reading:
    """A sentence read by one model: its tokens, ids and forward trace."""

    tokens: list[str]
    ids: np.ndarray
    trace: object

    @property
    def T(self) -> int:
        return len(self.tokens)

    def h_prev(self, t: int) -> np.ndarray:
        """h_{t-1} of 0-based step t (zeros before the first)."""
        return self.trace.hidden[t - 1] if t > 0 else np.zeros_like(self.trace.hidden[0])


def read(model, vocab, sentence: str) -> Reading:
    ids = vocab.encode(sentence)
    return Reading(vocab.id_to_token(ids), ids, model.forward(ids))


def _sig(x: float, digits: int = 2) -> str:
    """``ui.common.text.sig(x)`` (0.14, 34, 1.6e-12) written the language's way (0,14 in da, de, fr, ru)."""
    return sig(x, digits, local=True)


def _options(answer: str, candidates, n: int = 5) -> tuple:
    """``answer`` among up to ``n`` distinct candidates, in a fixed (sorted) order."""
    out = [answer]
    for c in candidates:
        if c not in out:
            out.append(c)
        if len(out) == n:
            break
    return tuple(sorted(out))


def _top(probs: np.ndarray, vocab, k: int) -> list[str]:
    return [vocab.tokens[i] for i in np.argsort(-probs)[:k]]


# ----- 1. memory -------------------------------------------------------------------------------------------
def _dish_tokens(lang: str) -> dict[tuple[str, ...], str]:
    """The session language's dishes as token tuples (a Chinese dish is two or three characters) -> the token
    that names its cuisine."""
    from rnn_core.vocab import tokenize
    return {tuple(tokenize(d)): c for d, c in dish_answers(lang).items()}


def dish_span(tokens: list[str], lang: str | None = None) -> tuple[int, int] | None:
    """(0-based start, length) of the first dish in ``tokens`` (what a memory lesson swaps), a dish of ``lang``
    (default: the session's language)."""
    dishes = _dish_tokens(lang or language())
    for i in range(len(tokens)):
        for d in sorted(dishes, key=len, reverse=True):
            if tuple(tokens[i:i + len(d)]) == d:
                return i, len(d)
    return None


def _words(tokens: list[str]) -> str:
    """Tokens written as text: spaced, or run together in Chinese."""
    return ("" if language() == "zh" else " ").join(tokens)


def dish_position(tokens: list[str], lang: str | None = None) -> int | None:
    """0-based position of the first dish in ``tokens`` (the word a memory lesson swaps)."""
    span = dish_span(tokens, lang)
    return None if span is None else span[0]


@dataclass(frozen=True)
class Memory:
    question: Question
    original: Reading
    swapped: Reading
    position: int                     # 0-based


def memory(model, vocab, sentence: str, dish: str, lang: str | None = None) -> Memory:
    """Swap the sentence's dish (of ``lang``, default the session's language) for ``dish``."""
    lang = lang or language()
    a = read(model, vocab, sentence)
    pos, length = dish_span(a.tokens, lang) or (0, 1)
    words = [*a.tokens[:pos], *vocab.tokenize(dish), *a.tokens[pos + length:]]
    b = read(model, vocab, " ".join(words))
    pa, pb = a.trace.probs[-1], b.trace.probs[-1]
    said_a, said_b = vocab.tokens[int(pa.argmax())], vocab.tokens[int(pb.argmax())]
    gap = a.T - pos - 1
    answers = dish_answers(lang)
    cuisines = sorted(set(answers.values()))
    candidates = [said_a, answers.get(dish, said_b), *(w for w in _top(pb, vocab, 6) if w in cuisines), *cuisines]
    q = Question(
        prompt=_("Replace “{old}” with “{dish}”: what will the model say after “… {end}”?").format(
            old=_words(a.tokens[pos:pos + length]), dish=dish, end=_words(a.tokens[-3:])),
        kind="choice", answer=said_b, options=_options(said_b, candidates),
        reason=ngettext("It says “{said}” ({p}); with “{old}” it said “{before}” ({p_before}). Only the word at "
                        "step {step} differs, so everything the last step knows about it was carried {gap} steps in "
                        "the hidden state: the distance between the two paths (the chart) is {distance} at the last "
                        "step.",
                        "It says “{said}” ({p}); with “{old}” it said “{before}” ({p_before}). Only the word at "
                        "step {step} differs, so everything the last step knows about it was carried {gap} steps in "
                        "the hidden state: the distance between the two paths (the chart) is {distance} at the last "
                        "step.", gap).format(
            said=said_b, p=num(pb.max(), ".0%"), old=_words(a.tokens[pos:pos + length]), before=said_a,
            p_before=num(pa.max(), ".0%"),
            step=pos + 1, gap=gap, distance=_sig(np.linalg.norm(a.trace.hidden[-1] - b.trace.hidden[-1]))),
        hint=_("The network reads one word at a time; at the end it only has h_t. What did h_t carry from "
               "“{dish}”? Which cuisine goes with it?").format(dish=dish),
        facts={"said": said_b, "before": said_a})
    return Memory(q, a, b, pos)


# ----- 2. one input per step ------------------------------------------------------------------------------
def state_changes(r: Reading) -> np.ndarray:
    """(T,) ||h_t - h_{t-1}||: how far each token moves the hidden state (h_0 = 0)."""
    h = r.trace.hidden.astype(float)
    prev = np.vstack([np.zeros((1, h.shape[1])), h[:-1]])
    return np.linalg.norm(h - prev, axis=1)


def one_input_per_step(r: Reading) -> Question:
    d = state_changes(r)
    k = int(np.argmax(d[1:])) + 2 if r.T > 1 else 1          # the first step always moves from h_0 = 0
    low = int(np.argmin(d[1:])) + 2 if r.T > 1 else 1
    return Question(
        prompt=_("The network reads one token per step and changes h_t from h_t−1. After the first step, at which "
                 "step does the hidden state change the most (the largest ||h_t − h_t−1||)?"),
        kind="step", answer=k, options=tuple(r.tokens),
        reason=_("||h_{k} − h_{previous}|| = {change}; after the first step the least is step {low} (“{word}”) with "
                 "{least} (the first step, from h_0 = 0, moves it {first}). Each column of the heatmap is h_t after "
                 "one more token: the same cell, the same weights, a new input each step.").format(
            k=k, previous=k - 1, change=num(d[k - 1], ".2f"), low=low, word=r.tokens[low - 1],
            least=num(d[low - 1], ".2f"), first=num(d[0], ".2f")),
        hint=_("Compare neighbouring columns of the heatmap: where does the colour pattern change most from the one "
               "before it?"),
        facts={"changes": d})


# ----- 3. the forward equations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Forward:
    question: Question
    x_in: float
    rec: float
    bias: float
    a: float
    h: float


_F = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0), "sigmoid": lambda a: 1 / (1 + np.exp(-a))}


def forward_step(model, r: Reading, step: int, unit: int) -> Forward:
    """One RNN unit's h_t = f(W_xh x_t + W_hh h_t-1 + b_h) at 1-based ``step``."""
    P, t = model.params, step - 1
    x_in = float(P["W_xh"][unit, r.ids[t]])
    rec = float(P["W_hh"][unit] @ r.h_prev(t))
    b = float(P["b_h"][unit])
    a = x_in + rec + b
    h = float(r.trace.hidden[t, unit])
    f = model.activation
    q = Question(
        prompt=_("Unit {unit} at step {step} (“{word}”): W_xh x_t = {x_in}, W_hh h_t−1 = {rec}, b_h = {b}. What is "
                 "h_t = {f}(a_t)? (to 2 decimals)").format(
            unit=unit, step=step, word=r.tokens[t], x_in=num(x_in, "+.3f"), rec=num(rec, "+.3f"), b=num(b, "+.3f"),
            f=f),
        kind="number", answer=round(float(_F[f](a)), 4), tolerance=0.01,
        reason=_("a_t = {x_in} {rec} {b} = {a}, and h_t = {f}({a}) = {h}. x_t is one-hot, so W_xh x_t is one "
                 "column of W_xh: the token's own column.").format(
            x_in=num(x_in, "+.3f"), rec=num(rec, "+.3f"), b=num(b, "+.3f"), a=num(a, ".3f"), f=f, h=num(h, ".3f")),
        hint=_("Add the three pieces to get a_t, then apply {f} (tanh squashes any number into (−1, 1)).").format(
            f=f),
        facts={"a": a, "h": h})
    return Forward(q, x_in, rec, b, a, h)


# ----- 4. softmax -----------------------------------------------------------------------------------------
def least_certain_step(r: Reading) -> int:
    """1-based step whose top next-token probability is lowest."""
    return int(np.argmin(r.trace.probs.max(axis=1))) + 1


def softmax_question(vocab, r: Reading, step: int) -> Question:
    z = r.trace.logits[step - 1].astype(float)
    p = softmax(z)
    top = int(np.argmax(z))
    hot = softmax(2 * z)
    word = vocab.tokens[top]
    return Question(
        prompt=_("After step {step} (“{at}”) the top word is “{word}” with p = {p} (logit z = {z}). Double every "
                 "logit (softmax at temperature 0.5): what will p(“{word}”) be?").format(
            step=step, at=r.tokens[step - 1], word=word, p=num(p[top], ".3f"), z=num(z[top], ".2f")),
        kind="number", answer=round(float(hot[top]), 4), tolerance=0.02,
        reason=_("softmax(2z) gives p(“{word}”) = {hot} (from {p}). The ratio of two probabilities is e^(z_i − z_j); "
                 "doubling every z squares every ratio, so the top word takes more of the total and the rest shrink. "
                 "The logits are the numbers behind the bars: y_t = softmax(W_hy h_t + b_y).").format(
            word=word, hot=num(hot[top], ".3f"), p=num(p[top], ".3f")),
        hint=_("p_i = e^{z_i} / Σ_j e^{z_j}. Doubling every logit doubles every gap z_top − z_j: does the top word's "
               "share grow or shrink, and by how much for the runner-up?"),
        facts={"p": float(p[top]), "p_hot": float(hot[top])})


# ----- 5. unrolling and W_hh = 0 --------------------------------------------------------------------------
def without_recurrence(model):
    m = model.copy()
    m.params["W_hh"][...] = 0.0
    return m


def no_recurrence_question(model, vocab, sentence: str) -> Question:
    a = read(model, vocab, sentence)
    b = read(without_recurrence(model), vocab, sentence)
    pa, pb = a.trace.probs[-1], b.trace.probs[-1]
    said_a, said_b = vocab.tokens[int(pa.argmax())], vocab.tokens[int(pb.argmax())]
    same_words = [w for w in set(a.tokens) if a.tokens.count(w) > 1]
    reason = _("Without recurrence it says “{said}” ({p}); with it, “{before}” ({p_before}). Each h_t now depends on "
               "x_t alone, so the last step sees only “{last}”.").format(
        said=said_b, p=num(pb.max(), ".0%"), before=said_a, p_before=num(pa.max(), ".0%"), last=a.tokens[-1])
    if same_words:
        w = same_words[0]
        i, j = [k for k, x in enumerate(a.tokens) if x == w][:2]
        reason += " " + _("Without W_hh, “{word}” at steps {i} and {j} gives the same h_t (distance {distance}): a "
                          "feed-forward network reading one token at a time.").format(
            word=w, i=i + 1, j=j + 1, distance=num(np.linalg.norm(b.trace.hidden[i] - b.trace.hidden[j]), ".1g"))
    return Question(
        prompt=_("Set W_hh = 0 (the arrows from one step to the next carry nothing): what will the model say after "
                 "“… {end}”?").format(end=" ".join(a.tokens[-3:])),
        kind="choice", answer=said_b, options=_options(said_b, [said_a, *_top(pb, vocab, 4), *_top(pa, vocab, 4)]),
        reason=reason,
        hint=_("With W_hh = 0, h_t = f(W_xh x_t + b_h): what is the only word the last step can see?"),
        facts={"said": said_b, "with": said_a})


# ----- 6. why not a plain feed-forward network ------------------------------------------------------------
def weight_counts(model, T: int) -> dict[str, int]:
    """The recurrent layer's weights: one shared cell, T separate layers of the same size, and a feed-forward layer
    that reads the whole sentence at once (T one-hot inputs side by side), in that order. The keys are what the
    figure and its caption show, in the session's language: read the counts by position, not by name."""
    H, V = model.hidden_size, model.vocab_size
    cell = sum(p.size for k, p in model.params.items() if k not in ("W_hy", "b_y"))
    return {_("one shared cell"): cell,
            ngettext("{T} separate layers", "{T} separate layers", T).format(T=T): cell * T,
            ngettext("one layer reading all {T} tokens", "one layer reading all {T} tokens", T).format(T=T):
                T * V * H + H}


def feed_forward_question(model, T: int) -> Question:
    H, V = model.hidden_size, model.vocab_size
    counts = weight_counts(model, T)
    cell, separate, whole = counts.values()
    if model.cell != "rnn":                                 # gated
        prompt = _("The {cell} has H = {H} hidden units and reads one-hot words from a vocabulary of V = {V}. How "
                   "many weights are in its recurrent cell (W_xh, W_hh and the biases)? (Its gates stack their "
                   "matrices: W_xh and W_hh have one block of H rows per gate.)")
    else:
        prompt = _("The {cell} has H = {H} hidden units and reads one-hot words from a vocabulary of V = {V}. How "
                   "many weights are in its recurrent cell (W_xh, W_hh and the biases)?")
    return Question(
        prompt=prompt.format(cell=model.cell.upper(), H=H, V=V),
        kind="number", answer=cell, tolerance=0,
        reason=ngettext("{cell}: W_xh is {rows_xh}×{V}, W_hh {rows_hh}×{H}, plus the biases, and every step reuses "
                        "them. {T} separate layers would need {separate}; a feed-forward layer reading all {T} words "
                        "at once {whole}, and a sentence of {longer} words would not fit its input at all. Sharing "
                        "one cell across time is what lets an RNN read a sequence of any length (a convolution "
                        "shares weights too, but sees only its window).",
                        "{cell}: W_xh is {rows_xh}×{V}, W_hh {rows_hh}×{H}, plus the biases, and every step reuses "
                        "them. {T} separate layers would need {separate}; a feed-forward layer reading all {T} words "
                        "at once {whole}, and a sentence of {longer} words would not fit its input at all. Sharing "
                        "one cell across time is what lets an RNN read a sequence of any length (a convolution "
                        "shares weights too, but sees only its window).", T).format(
            cell=num(cell, ","), rows_xh=model.params["W_xh"].shape[0], V=V, rows_hh=model.params["W_hh"].shape[0],
            H=H, T=T, separate=num(separate, ","), whole=num(whole, ","), longer=T + 1),
        hint=_("W_xh maps a V-long one-hot vector to H units (H×V); W_hh maps H to H (H×H); b_h has H entries."),
        facts=counts)


# ----- 7. the loss over time ------------------------------------------------------------------------------
def losses(model, r: Reading, target_id: int, shape: str) -> np.ndarray:
    """e_t for the sentence: each step's next word (and ``target_id`` after the last) for "many_to_many", the
    last step's alone for "many_to_one"."""
    m64 = model.astype(np.float64)
    targets = np.int64(target_id) if shape == "many_to_one" else np.append(r.ids[1:], target_id)
    diag = m64.loss_and_grads(r.ids, targets, loss=shape)[2]              # (loss, grads, diag)
    return np.asarray(diag.loss_per_step, float)


def loss_question(model, r: Reading, target_id: int) -> Question:
    e_all = losses(model, r, target_id, "many_to_many")
    e_one = losses(model, r, target_id, "many_to_one")
    kept = tuple(int(i) + 1 for i in np.flatnonzero(e_one > 0))
    k = int(np.argmax(e_all)) + 1
    return Question(
        prompt=_("The bars are e_t, many-to-many: every step predicts the next word. Switch to many-to-one (only the "
                 "sentence's last step has a target): at which step is there still a loss e_t?"),
        kind="step", answer=kept if len(kept) > 1 else kept[0], options=tuple(r.tokens),
        reason=_("Only the last step, e_{T} = {last}. Many-to-many, E = Σ e_t = {E} (the tutorials' sum; the app "
                 "trains on the mean, E / {T} = {mean}), and the hardest word was at step {k} (“{word}”) with e_t = "
                 "{hardest}.").format(
            T=r.T, last=_sig(e_one[-1]), E=num(e_all.sum(), ".3f"), mean=num(e_all.mean(), ".3f"), k=k,
            word=r.tokens[k - 1], hardest=num(e_all[k - 1], ".3f")),
        hint=_("Many-to-one reads the whole sentence and predicts once: where is that one prediction made?"),
        facts={"e": e_all, "E": float(e_all.sum())})


# ----- 8. BPTT step by step -------------------------------------------------------------------------------
# the choices are the answers' values (compared, stored): shown through _() where drawn
BPTT_ANSWERS = (N_("at every step"), N_("only at the first step"), N_("only at the last step T"))


def bptt_question(model, r: Reading, target_id: int) -> tuple[Question, object]:
    m64 = model.astype(np.float64)
    diag = m64.loss_and_grads(r.ids, np.int64(target_id), loss="many_to_one", last_step=True)[2]
    own = np.linalg.norm(diag.dh_local, axis=-1)
    where = np.flatnonzero(own > 0)
    answer = BPTT_ANSWERS[2] if list(where) == [r.T - 1] else (
        BPTT_ANSWERS[0] if len(where) == r.T else N_("at some steps"))
    total = np.linalg.norm(diag.dh, axis=-1)
    return Question(
        prompt=_("BPTT walks back from the last step: dL/dh_t = (the loss's own part at t) + (what flows back from "
                 "t+1). With a many-to-one loss, at which steps does dL/dh_t have a part of its own?"),
        kind="choice", answer=answer, options=BPTT_ANSWERS,
        reason=_("Only at step {T}: ||W_hy^T (y_T − ŷ_T)|| = {own}. Every earlier dL/dh_t is only what flows back "
                 "through W_hh and f': ||dL/dh_{previous}|| = {before_last}, ||dL/dh_1|| = {first}.").format(
            T=r.T, own=num(own[-1], ".3g"), previous=r.T - 1, before_last=num(total[-2], ".3g"),
            first=num(total[0], ".3g")),
        hint=_("The loss's own part at t is W_hy^T (y_t − ŷ_t): it exists only where step t has a target."),
        facts={"own": own}), diag


# ----- 9. dE/dW as a sum over steps, dE/dV without it -----------------------------------------------------
WEIGHT_NAMES = {"W_xh": "W_xh (U)", "W_hh": "W_hh (W)", "W_hy": "W_hy (V)"}
NONE_OF_THEM = N_("none of them")           # a choice's value (compared, stored): shown through _() where drawn


def weight_terms(model, r: Reading, target_id: int, shape: str) -> dict[str, np.ndarray]:
    m64 = model.astype(np.float64)
    targets = np.int64(target_id) if shape == "many_to_one" else np.append(r.ids[1:], target_id)
    diag = m64.loss_and_grads(r.ids, targets, loss=shape)[2]              # (loss, grads, diag)
    return {name: np.asarray(diag.terms_along_total(name), float) for name in WEIGHT_NAMES}


def sum_over_steps_question(model, r: Reading, target_id: int) -> Question:
    one = weight_terms(model, r, target_id, "many_to_one")
    scale = {k: max(np.abs(v).max(), 1e-300) for k, v in one.items()}
    last_only = [k for k, v in one.items() if np.all(np.abs(v[:-1]) <= 1e-9 * scale[k])]
    answer = WEIGHT_NAMES[last_only[0]] if len(last_only) == 1 else NONE_OF_THEM
    w = one["W_hh"]
    return Question(
        prompt=_("The bars split dE/dU, dE/dW and dE/dV into one term per time step (many-to-many here). Switch to "
                 "many-to-one: which weight's gradient then has a term at the last step only?"),
        kind="choice", answer=answer, options=(*WEIGHT_NAMES.values(), NONE_OF_THEM),
        reason=_("{answer}: dE/dV = Σ_t (y_t − ŷ_t) h_t^T needs no backpropagation through time, so it has a term "
                 "only where there is a loss. dE/dW and dE/dU are sums over every step the gradient reached: W_hh's "
                 "terms here run from {first} at step 1 to {last} at step {T}.").format(
            answer=_(answer), first=_sig(abs(w[0])), last=_sig(abs(w[-1])), T=r.T),
        hint=_("Which weight sits between h_t and the output y_t, outside the loop from one step to the next?"),
        facts={"terms": one})


# ----- 10. the chain of Jacobians --------------------------------------------------------------------------
def chain_question(model, r: Reading) -> Question:
    factors = model.astype(np.float64).step_jacobian_norms(r.ids)
    return Question(
        prompt=_("∂h_T/∂h_1 for this {T}-token sentence is a product of one Jacobian ∂h_t+1/∂h_t per step. How "
                 "many factors does it have?").format(T=r.T),
        kind="number", answer=r.T - 1, tolerance=0,
        reason=_("{factors}: one per step from 1 to {T}. Here their norms run from {low} to {high}; the product of "
                 "the norms, {product}, bounds how much of the last step's gradient can reach step 1: factors below "
                 "1 shrink it geometrically, above 1 they can grow it.").format(
            factors=r.T - 1, T=r.T, low=num(factors.min(), ".2f"), high=num(factors.max(), ".2f"),
            product=_sig(float(np.prod(factors)))),
        hint=_("Count the arrows from h_1 to h_T in the unrolled network."),
        facts={"factors": factors})


# ----- 11. vanishing and exploding -----------------------------------------------------------------------
def vanishing_question(table, T: int) -> Question:
    """From the Gradient lab's first chart: where the RNN's ||ds_T/ds_t|| first falls below 1% of its value at T."""
    rnn = table[table["cell"] == "RNN"].sort_values("t")["norm"].to_numpy()
    rel = rnn / rnn[-1]
    below = np.flatnonzero(rel < 0.01)
    if below.size:
        k = int(below.max()) + 1                          # going back from T: the latest step already below
        return Question(
            prompt=_("The RNN's line is ||ds_T/ds_t||, the share of the last step's gradient that reaches step t. "
                     "Going back from T, at which step does it first fall below 1% of its value at T?"),
            kind="step", answer=tuple(t for t in (k - 1, k, k + 1) if 1 <= t <= T),
            options=tuple(str(t) for t in range(1, T + 1)),
            reason=_("Step {k} (a step either side counts: the log axis is hard to read closer): {share} of its "
                     "value at T (step {next}: {next_share}). Each step back multiplies by W_hh^T diag(f'(a_t)); "
                     "with a spectral radius below 1 and |f'| ≤ 1 the product shrinks geometrically, to {first} at "
                     "step 1.").format(
                k=k, share=_sig(rel[k - 1]), next=k + 1, next_share=_sig(rel[k]), first=_sig(rel[0])),
            hint=_("Read the RNN's line on the log axis: 1% is two powers of ten below its value at the right end."),
            facts={"relative": rel})
    return Question(
        prompt=_("Going back from T, does the RNN's ||ds_T/ds_t|| fall below 1% of its value at T within these "
                 "steps?"),
        kind="choice", answer=NO, options=YES_NO,
        reason=_("No: at step 1 it is {first} of its value at T. A spectral radius of 1 or more lets the product of "
                 "Jacobians hold up or grow (exploding), until tanh saturates and f' caps it.").format(
            first=_sig(rel[0])),
        hint=_("Look at the left end of the RNN's line against its right end."),
        facts={"relative": rel})


# ----- 12. saturation ---------------------------------------------------------------------------------------
SLOPES = (N_("about 1 (all of it)"), N_("about 0.5"), N_("about 0.1"), N_("less than 0.01"))   # values: _() where drawn


def slope_band(s: float) -> str:
    return SLOPES[0] if s > 0.75 else SLOPES[1] if s > 0.25 else SLOPES[2] if s > 0.03 else SLOPES[3]


def saturation_question(model, r: Reading) -> Question:
    h = r.trace.hidden.astype(float)
    t, u = np.unravel_index(int(np.argmax(np.abs(h))), h.shape)
    a = float(r.trace.pre_activation[t, u])
    slope = 1.0 - h[t, u] ** 2
    share = float(np.mean(np.abs(h) > SATURATED))
    hv = float(h[t, u])
    gap = 1.0 - abs(hv)
    shown = num(hv, ".4f") if gap >= 5e-5 else f"{'−' if hv < 0 else ''}(1 − {_sig(gap)})"   # never "1.0000"
    return Question(
        prompt=_("Unit {unit} at step {step} (“{word}”) has a_t = {a}, so h_t = tanh({a}) = {h}. How much of a "
                 "gradient passes back through this unit here (f'(a_t) = 1 − h_t²)?").format(
            unit=u, step=t + 1, word=r.tokens[t], a=num(a, ".2f"), h=shown),
        kind="choice", answer=slope_band(slope), options=SLOPES,
        reason=_("f'(a_t) = 1 − h_t² = {slope} with h_t = {h}: tanh is flat out there, so this unit passes back "
                 "almost nothing. {share} of this sentence's hidden values have |h| > {saturated} (marked above the "
                 "heatmap's columns): every one multiplies the gradient going back by a small f'. That is one of the "
                 "two reasons gradients vanish; the other is W_hh's size.").format(
            slope=_sig(slope), h=shown, share=num(share, ".0%"), saturated=num(SATURATED, "")),
        hint=_("tanh(a) approaches ±1 as |a| grows, and its slope is 1 − tanh(a)²: what is that when h is 0.999?"),
        facts={"slope": slope, "share": share})


# ----- 13. clipping -------------------------------------------------------------------------------------------
LOWER = (N_("lower"), N_("not lower"))              # values: _() where drawn


def clipping_question(df, clip: float) -> Question:
    runs = {name: g["loss"].to_numpy(float) for name, g in df.groupby("run", sort=False)}
    free, clipped = runs["without clipping"], runs[f"clipped at {clip:g}"]
    peak = lambda v: float(np.nanmax(v)) if np.isfinite(v).any() else float("inf")    # noqa: E731
    diverged = not np.isfinite(free).all()
    answer = LOWER[0] if peak(clipped) < peak(free) or diverged else LOWER[1]
    if diverged:
        highest = _("Highest loss without clipping: it diverged (NaN); clipped: {clipped}.")
    else:
        highest = _("Highest loss without clipping: {free}; clipped: {clipped}.")
    return Question(
        prompt=_("The chart shows plain SGD on this RNN. Clip the global gradient norm at {clip} (scale the whole "
                 "gradient down whenever its norm is above that): will the clipped run's highest loss be "
                 "lower?").format(clip=num(clip, "g")),
        kind="choice", answer=answer, options=LOWER,
        reason=(highest.format(free=num(peak(free), ".2f"), clipped=num(peak(clipped), ".2f")) + " "
                + _("An exploding gradient makes one giant step; clipping keeps its direction and caps its length, so "
                    "one bad batch cannot throw the weights far. It does nothing for vanishing.")),
        hint=_("Clipping changes only the length of the steps that were longer than the threshold."),
        facts={"free": peak(free), "clipped": peak(clipped)})


# ----- 14. truncation --------------------------------------------------------------------------------------
def truncated(norms: np.ndarray, k: int) -> np.ndarray:
    """The last step's ||de_T/dh_t|| when BPTT is truncated to ``k`` steps: zero before step T - k + 1."""
    out = np.asarray(norms, float).copy()
    out[: max(0, len(out) - k)] = 0.0
    return out


def truncation_question(r: Reading, k: int, position: int) -> Question:
    """``position``: 0-based step the question asks about (the dish)."""
    reached = position + 1 >= r.T - k + 1
    first, n = max(1, r.T - k + 1), r.T - k + 1 - (position + 1)      # n: how many steps before them
    if reached:
        reason = _("It reaches steps {first} to {T}; step {step} is inside, so the weights can learn to carry that "
                   "word to the end.")
    else:
        reason = ngettext("It reaches steps {first} to {T}; step {step} is {n} step(s) before them: the last loss "
                          "never tells the weights to keep that word, however long the network could remember it. "
                          "Truncation buys speed and bounded memory with a shorter reach.",
                          "It reaches steps {first} to {T}; step {step} is {n} step(s) before them: the last loss "
                          "never tells the weights to keep that word, however long the network could remember it. "
                          "Truncation buys speed and bounded memory with a shorter reach.", n)
    return Question(
        prompt=ngettext("Truncated BPTT with k = {k}: the gradient of the last step's loss stays inside the last k "
                        "steps (it goes back at most k − 1 = {back} steps from step {T}). Does it reach step {step} "
                        "(“{word}”)?",
                        "Truncated BPTT with k = {k}: the gradient of the last step's loss stays inside the last k "
                        "steps (it goes back at most k − 1 = {back} steps from step {T}). Does it reach step {step} "
                        "(“{word}”)?", k - 1).format(
            k=k, back=k - 1, T=r.T, step=position + 1, word=r.tokens[position]),
        kind="choice", answer=YES if reached else NO, options=YES_NO,
        reason=reason.format(first=first, T=r.T, step=position + 1, n=n),
        hint=_("The last k = {k} steps are steps {first} to {T}.").format(k=k, first=first, T=r.T),
        facts={"reached": reached})


# ----- 15, 16. gates ----------------------------------------------------------------------------------------
def lstm_question(r: Reading, step: int, unit: int) -> Question:
    t = step - 1
    g = {k: float(v[t, unit]) for k, v in r.trace.gates.items()}
    c_prev = float(r.trace.cell_state[t - 1, unit]) if t > 0 else 0.0
    c = float(r.trace.cell_state[t, unit])
    return Question(
        prompt=_("LSTM unit {unit} at step {step} (“{word}”): forget gate f = {f}, c_t−1 = {c_prev}, input gate i = "
                 "{i}, candidate g = {g}. What is c_t = f·c_t−1 + i·g? (to 2 decimals)").format(
            unit=unit, step=step, word=r.tokens[t], f=num(g["forget"], ".3f"), c_prev=num(c_prev, ".3f"),
            i=num(g["input"], ".3f"), g=num(g["cell candidate"], ".3f")),
        kind="number", answer=round(c, 4), tolerance=0.01,
        reason=_("c_t = {f}·{c_prev} + {i}·{g} = {c}. Going back, ∂c_t/∂c_t−1 = f: the gradient on the cell state is "
                 "multiplied by the forget gate alone, elementwise, with no W_hh and no tanh' in between. A forget "
                 "gate near 1 keeps both the memory and its gradient.").format(
            f=num(g["forget"], ".3f"), c_prev=num(c_prev, ".3f"), i=num(g["input"], ".3f"),
            g=num(g["cell candidate"], ".3f"), c=num(c, ".3f")),
        hint=_("Multiply what is kept (f times the old cell) and add what is written (i times the candidate)."),
        facts={"c": c})


def gru_question(r: Reading, step: int, unit: int) -> Question:
    t = step - 1
    z, n = float(r.trace.gates["update"][t, unit]), float(r.trace.gates["new"][t, unit])
    h_prev = float(r.h_prev(t)[unit])
    h = float(r.trace.hidden[t, unit])
    return Question(
        prompt=_("GRU unit {unit} at step {step} (“{word}”): update gate z = {z}, new candidate n = {n}, h_t−1 = "
                 "{h_prev}. What is h_t = (1 − z)·n + z·h_t−1? (to 2 decimals)").format(
            unit=unit, step=step, word=r.tokens[t], z=num(z, ".3f"), n=num(n, ".3f"), h_prev=num(h_prev, ".3f")),
        kind="number", answer=round(h, 4), tolerance=0.01,
        reason=_("h_t = {one_minus_z}·{n} + {z}·{h_prev} = {h}. In this app's convention z is the share of h_t−1 "
                 "kept: the direct path z·h_t−1 passes the gradient back multiplied by z alone, so a z near 1 carries "
                 "memory and gradient across many steps.").format(
            one_minus_z=num(1 - z, ".3f"), n=num(n, ".3f"), z=num(z, ".3f"), h_prev=num(h_prev, ".3f"),
            h=num(h, ".3f")),
        hint=_("It is a weighted average: the share z of the old state plus the share 1 − z of the new candidate."),
        facts={"h": h})


# ----- 17. why gates help ------------------------------------------------------------------------------------
GATE_PATHS = (N_("the RNN's path: W_hh and tanh' at every step"), N_("the LSTM's forget gates alone"),
              N_("both keep about the same"))                                        # values: _() where drawn


def gates_help_question(numbers) -> Question:
    """From the Gradient lab's first chart (``numbers``: its JacobianLab): which path back keeps more of the last
    step's gradient at step 1, the RNN's product of Jacobians or the LSTM's forget-gate product."""
    table = numbers.table
    at1 = {c: float(g.sort_values("t")["norm"].iloc[0] / g.sort_values("t")["norm"].iloc[-1])
           for c, g in table.groupby("cell") if c in ("RNN", "LSTM", "GRU")}
    T = int(table["t"].max())
    rnn, gate = at1["RNN"], float(numbers.forget_path)
    ratio = max(rnn, gate) / max(min(rnn, gate), 1e-300)
    answer = GATE_PATHS[2] if ratio < 2 else GATE_PATHS[1] if gate > rnn else GATE_PATHS[0]
    grows = [c for c in ("LSTM", "GRU") if at1[c] > 1]
    reason = [ngettext("At step 1 the RNN keeps {rnn} of the value at T; the forget-gate path keeps {gate} (forget "
                       "gate ≈ {forget}, multiplied {n} times), and the GRU's path through its update gates {update} "
                       "(z ≈ {z}). The gate's path is elementwise, with no W_hh and no f' on it: a gate near 1 passes "
                       "the gradient on almost whole, whatever W_hh is, while the RNN's factor W_hh^T diag(f') "
                       "shrinks it at every step.",
                       "At step 1 the RNN keeps {rnn} of the value at T; the forget-gate path keeps {gate} (forget "
                       "gate ≈ {forget}, multiplied {n} times), and the GRU's path through its update gates {update} "
                       "(z ≈ {z}). The gate's path is elementwise, with no W_hh and no f' on it: a gate near 1 passes "
                       "the gradient on almost whole, whatever W_hh is, while the RNN's factor W_hh^T diag(f') "
                       "shrinks it at every step.", T - 1).format(
        rnn=_sig(rnn), gate=_sig(gate), forget=num(numbers.forget, ".2f"), n=T - 1,
        update=_sig(numbers.update_path), z=num(numbers.update, ".2f"))]
    if len(grows) == 1:
        reason.append(_("The whole norm of the {cell} ({norm}) also counts the path through h_t and W_hh, which can "
                        "grow like the RNN's exploding case; the gate's path is what cannot vanish.").format(
            cell=grows[0], norm=_sig(at1[grows[0]])))
    elif grows:
        reason.append(_("The whole norms of the {cell} ({norm}) and {other} ({other_norm}) also count the path "
                        "through h_t and W_hh, which can grow like the RNN's exploding case; the gate's path is what "
                        "cannot vanish.").format(
            cell=grows[0], norm=_sig(at1[grows[0]]), other=grows[1], other_norm=_sig(at1[grows[1]])))
    reason.append(_("Close the gates with a negative bias (try −3) and that path vanishes too."))
    return Question(
        prompt=ngettext("Fresh cells read the same {T} steps. Going back to step 1, which keeps more of the last "
                        "step's gradient: the RNN's path, or the path through the LSTM's cell state, which is "
                        "multiplied only by its forget gates?",
                        "Fresh cells read the same {T} steps. Going back to step 1, which keeps more of the last "
                        "step's gradient: the RNN's path, or the path through the LSTM's cell state, which is "
                        "multiplied only by its forget gates?", T).format(T=T),
        kind="choice", answer=answer, options=GATE_PATHS,
        reason=" ".join(reason),
        hint=_("Which path back has no W_hh and no tanh' on it, and how open does its gate start?"),
        facts={"at_step_1": at1, "forget_path": gate})


# ----- 18. the lag sweep ------------------------------------------------------------------------------------
SWEEP_ANSWERS = (NONE_OF_THEM, N_("RNN only"), N_("LSTM and GRU"), N_("all three"))       # values: _() where drawn
# every other set of cells that can answer right (their value as it always was: the names joined by " and ")
_SWEEP_OTHERS = {("GRU", "RNN"): N_("GRU and RNN"), ("LSTM", "RNN"): N_("LSTM and RNN")}


def lag_sweep_question(df, solved: float = 0.9) -> Question:
    gap = int(df["gap"].max())
    acc = {c.upper(): float(g.loc[g["gap"] == gap, "accuracy"].iloc[0]) for c, g in df.groupby("cell")}
    keep = sorted(c for c, a in acc.items() if a >= solved)
    answer = {(): SWEEP_ANSWERS[0], ("RNN",): SWEEP_ANSWERS[1], ("GRU", "LSTM"): SWEEP_ANSWERS[2],
              ("GRU", "LSTM", "RNN"): SWEEP_ANSWERS[3], **_SWEEP_OTHERS}.get(tuple(keep), " and ".join(keep))
    options = SWEEP_ANSWERS if answer in SWEEP_ANSWERS else (*SWEEP_ANSWERS, answer)
    return Question(
        prompt=ngettext("“My favourite dish is sushi.” + {gap} filler words + “So, my favourite cuisine is” → "
                        "japanese. Each cell trained on it: which still answer right at gap {gap} (accuracy ≥ "
                        "{solved})?",
                        "“My favourite dish is sushi.” + {gap} filler words + “So, my favourite cuisine is” → "
                        "japanese. Each cell trained on it: which still answer right at gap {gap} (accuracy ≥ "
                        "{solved})?", gap).format(gap=gap, solved=num(solved, ".0%")),
        kind="choice", answer=answer, options=options,
        reason=_("Accuracy at gap {gap}: {accuracies}. The RNN's gradient from “is” back to “sushi” vanishes across "
                 "the filler words, so training never teaches it to keep the dish; the gated cells' forget and update "
                 "gates keep a path open.").format(
            gap=gap, accuracies=", ".join(f"{c} {num(a, '.2f')}" for c, a in sorted(acc.items()))),
        hint=_("Read the accuracy chart at the right end; chance is one cuisine in fourteen."),
        facts={"accuracy": acc})


# ----- 19. generation ---------------------------------------------------------------------------------------
def generation_question(model, vocab, prompt: str) -> Question:
    out = generate(model, vocab, prompt, 2, "greedy")
    first, second = out[0].token, out[1].token
    return Question(
        prompt=_("Greedy decoding after “{prompt}”: the network writes the most likely word (the chart), reads it "
                 "back as its next input, and writes again. What is its second word?").format(prompt=prompt),
        kind="choice", answer=second,
        options=_options(second, [*_top(out[1].probs, vocab, 4), *_top(out[0].probs, vocab, 4)]),
        reason=_("First “{first}” ({p_first}), then, reading it back, “{second}” ({p_second}). One-to-many: each "
                 "output becomes the next input, so an early choice shapes everything after it.").format(
            first=first, p_first=num(out[0].probs.max(), ".0%"), second=second,
            p_second=num(out[1].probs.max(), ".0%")),
        hint=_("Append the chart's top word to the prompt and ask what usually follows it in sentences about food."),
        facts={"first": first, "second": second})


# ----- 20, 21. numbers ---------------------------------------------------------------------------------------
def _signed(x: float, bracket: bool = False) -> str:
    """x as written in arithmetic: a true minus sign, in brackets after an operator."""
    text = num(x, ".4g").replace("-", "−")
    return f"({text})" if bracket and x < 0 else text


def squared_error_question(values: np.ndarray, pred: np.ndarray, split: int, unit: str = "") -> Question:
    """The squared error at the held-out step where the prediction is furthest off, from the two numbers as
    shown (rounded to 3 decimals), so the expected answer is what a learner computes from the screen; right
    within 5% of it."""
    known = np.flatnonzero(np.isfinite(pred[split:])) + split
    t = int(known[np.argmax(np.abs(pred[known] - values[known]))])
    p, y = round(float(pred[t]), 3), round(float(values[t]), 3)
    if p == y:                                      # (a perfect fit to 3 decimals: ask with more of them)
        p, y = float(pred[t]), float(values[t])
    e = (p - y) ** 2
    if unit:
        prompt = _("At step {t} (held out) the network predicts {p} {unit}; the true value is {y} {unit}. What is "
                   "that step's squared error (p − y)²?")
    else:
        prompt = _("At step {t} (held out) the network predicts {p}; the true value is {y}. What is that step's "
                   "squared error (p − y)²?")
    return Question(
        prompt=prompt.format(t=t, p=num(p, "g"), y=num(y, "g"), unit=unit),
        kind="number", answer=e, tolerance=0.05 * e,
        reason=_("({p} − {y})² = ({difference})² = {e}. With numbers the output is a linear head, y_t = W_hy h_t + "
                 "b_y (no softmax), and the loss is the squared error at every step: everything else, BPTT included, "
                 "is the same.").format(p=_signed(p), y=_signed(y, True), difference=_signed(p - y), e=plain(e)),
        hint=_("Subtract, then square (the sign does not matter); keep every decimal."),
        facts={"step": t, "e": e})


LARGER = (N_("larger"), N_("smaller"))              # values: _() where drawn


def forecast_question(values: np.ndarray, start: int, fc: np.ndarray) -> Question:
    truth = values[start:start + fc.size]
    n = truth.size
    q = max(1, n // 4)
    first = float(np.sqrt(np.mean((fc[:q] - truth[:q]) ** 2)))
    last = float(np.sqrt(np.mean((fc[n - q:n] - truth[n - q:]) ** 2)))
    answer = LARGER[0] if last > first else LARGER[1]
    if last > first:
        reason = _("Root mean squared error {first} over the first quarter, {last} over the last: errors compound, "
                   "because each input is now the network's own slightly wrong output.")
    else:
        reason = _("Root mean squared error {first} over the first quarter, {last} over the last: here it does not "
                   "drift: its own outputs stay close enough to the curve.")
    return Question(
        prompt=ngettext("From step {start} the network reads its own predictions back, {n} steps. Will its error over "
                        "the last quarter of the forecast be larger or smaller than over the first quarter?",
                        "From step {start} the network reads its own predictions back, {n} steps. Will its error "
                        "over the last quarter of the forecast be larger or smaller than over the first quarter?",
                        fc.size).format(start=start, n=fc.size),
        kind="choice", answer=answer, options=LARGER,
        reason=reason.format(first=num(first, ".3g"), last=num(last, ".3g")),
        hint=_("After the first step, what does the network read as input, and what happens to a small error fed "
               "back?"),
        facts={"first": first, "last": last})
