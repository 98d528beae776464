"""Each lesson's question and the numbers behind it, computed from the model and settings on screen (pure: no
Streamlit), so a question is never stale: another model or another setting gives another expected answer."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.cuisine import CUISINE_OF, DISHES
from rnn_core.model import softmax
from rnn_core.sampling import generate

from ui.common.text import SATURATED, sig

from .questions import Question, plain

CUISINES = sorted(DISHES)


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


def _label(tokens: list[str], step: int) -> str:
    return f"step {step} (“{tokens[step - 1]}”)"


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
def dish_position(tokens: list[str]) -> int | None:
    """0-based position of the first dish in ``tokens`` (the word a memory lesson swaps)."""
    return next((i for i, w in enumerate(tokens) if w in CUISINE_OF), None)


@dataclass(frozen=True)
class Memory:
    question: Question
    original: Reading
    swapped: Reading
    position: int                     # 0-based


def memory(model, vocab, sentence: str, dish: str) -> Memory:
    a = read(model, vocab, sentence)
    pos = dish_position(a.tokens)
    if pos is None:
        pos = 0
    words = list(a.tokens)
    words[pos] = dish
    b = read(model, vocab, " ".join(words))
    pa, pb = a.trace.probs[-1], b.trace.probs[-1]
    said_a, said_b = vocab.tokens[int(pa.argmax())], vocab.tokens[int(pb.argmax())]
    gap = a.T - pos - 1
    candidates = [said_a, CUISINE_OF.get(dish, said_b), *(w for w in _top(pb, vocab, 6) if w in DISHES), *CUISINES]
    q = Question(
        prompt=f"Replace “{a.tokens[pos]}” with “{dish}”: what will the model say after “… {' '.join(a.tokens[-3:])}”?",
        kind="choice", answer=said_b, options=_options(said_b, candidates),
        reason=(f"It says “{said_b}” ({pb.max():.0%}); with “{a.tokens[pos]}” it said “{said_a}” ({pa.max():.0%}). "
                f"Only the word at step {pos + 1} differs, so everything the last step knows about it was carried "
                f"{gap} steps in the hidden state: the distance between the two paths (the chart) is "
                f"{sig(np.linalg.norm(a.trace.hidden[-1] - b.trace.hidden[-1]))} at the last step."),
        hint=(f"The network reads one word at a time; at the end it only has h_t. What did h_t carry from "
              f"“{dish}”? Which cuisine goes with it?"),
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
        prompt=("The network reads one token per step and changes h_t from h_{t-1}. After the first step, at which "
                "step does the hidden state change the most (the largest ||h_t − h_{t−1}||)?"),
        kind="step", answer=k, options=tuple(r.tokens),
        reason=(f"||h_{k} − h_{k - 1}|| = {d[k - 1]:.2f}; after the first step the least is "
                f"{_label(r.tokens, low)} with {d[low - 1]:.2f} (the first step, from h_0 = 0, moves it "
                f"{d[0]:.2f}). Each column of the heatmap is h_t after one more token: the same cell, the "
                "same weights, a new input each step."),
        hint="Compare neighbouring columns of the heatmap: where does the colour pattern change most from the one "
             "before it?",
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
        prompt=(f"Unit {unit} at step {step} (“{r.tokens[t]}”): W_xh x_t = {x_in:+.3f}, W_hh h_t−1 = {rec:+.3f}, "
                f"b_h = {b:+.3f}. What is h_t = {f}(a_t)? (to 2 decimals)"),
        kind="number", answer=round(float(_F[f](a)), 4), tolerance=0.01,
        reason=(f"a_t = {x_in:+.3f} {rec:+.3f} {b:+.3f} = {a:.3f}, and h_t = {f}({a:.3f}) = {h:.3f}. x_t is one-hot, "
                "so W_xh x_t is one column of W_xh: the token's own column."),
        hint=f"Add the three pieces to get a_t, then apply {f} (tanh squashes any number into (−1, 1)).",
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
        prompt=(f"After {_label(r.tokens, step)} the top word is “{word}” with p = {p[top]:.3f} (logit z = "
                f"{z[top]:.2f}). Double every logit (softmax at temperature 0.5): what will p(“{word}”) be?"),
        kind="number", answer=round(float(hot[top]), 4), tolerance=0.02,
        reason=(f"softmax(2z) gives p(“{word}”) = {hot[top]:.3f} (from {p[top]:.3f}). The ratio of two "
                f"probabilities is e^(z_i − z_j); doubling every z squares every ratio, so the top word takes more of "
                "the total and the rest shrink. The logits are the numbers behind the bars: y_t = softmax(W_hy h_t + "
                "b_y)."),
        hint="p_i = e^{z_i} / Σ_j e^{z_j}. Doubling every logit doubles every gap z_top − z_j: does the top word's "
             "share grow or shrink, and by how much for the runner-up?",
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
    extra = ""
    if same_words:
        w = same_words[0]
        i, j = [k for k, x in enumerate(a.tokens) if x == w][:2]
        extra = (f" Without W_hh, “{w}” at steps {i + 1} and {j + 1} gives the same h_t "
                 f"(distance {np.linalg.norm(b.trace.hidden[i] - b.trace.hidden[j]):.1g}): a feed-forward network "
                 "reading one token at a time.")
    return Question(
        prompt=(f"Set W_hh = 0 (the arrows from one step to the next carry nothing): what will the model say after "
                f"“… {' '.join(a.tokens[-3:])}”?"),
        kind="choice", answer=said_b, options=_options(said_b, [said_a, *_top(pb, vocab, 4), *_top(pa, vocab, 4)]),
        reason=(f"Without recurrence it says “{said_b}” ({pb.max():.0%}); with it, “{said_a}” ({pa.max():.0%}). Each "
                f"h_t now depends on x_t alone, so the last step sees only “{a.tokens[-1]}”." + extra),
        hint="With W_hh = 0, h_t = f(W_xh x_t + b_h): what is the only word the last step can see?",
        facts={"said": said_b, "with": said_a})


# ----- 6. why not a plain feed-forward network ------------------------------------------------------------
def weight_counts(model, T: int) -> dict[str, int]:
    """The recurrent layer's weights: one shared cell, T separate layers of the same size, and a feed-forward layer
    that reads the whole sentence at once (T one-hot inputs side by side)."""
    H, V = model.hidden_size, model.vocab_size
    cell = sum(p.size for k, p in model.params.items() if k not in ("W_hy", "b_y"))
    return {"one shared cell": cell, f"{T} separate layers": cell * T,
            f"one layer reading all {T} tokens": T * V * H + H}


def feed_forward_question(model, T: int) -> Question:
    H, V = model.hidden_size, model.vocab_size
    counts = weight_counts(model, T)
    cell = counts["one shared cell"]
    gated = model.cell != "rnn"
    return Question(
        prompt=(f"The {model.cell.upper()} has H = {H} hidden units and reads one-hot words from a vocabulary of "
                f"V = {V}. How many weights are in its recurrent cell (W_xh, W_hh and the biases)?"
                + (" (Its gates stack their matrices: W_xh and W_hh have one block of H rows per gate.)" if gated
                   else "")),
        kind="number", answer=cell, tolerance=0,
        reason=(f"{cell:,}: W_xh is {model.params['W_xh'].shape[0]}×{V}, W_hh {model.params['W_hh'].shape[0]}×{H}, "
                f"plus the biases, and every step reuses them. {T} separate layers would need {cell * T:,}; a "
                f"feed-forward layer reading all {T} words at once {counts[f'one layer reading all {T} tokens']:,}, "
                f"and a sentence of {T + 1} words would not fit its input at all. Sharing one cell across time is "
                "what lets an RNN read a sequence of any length (a convolution shares weights too, but sees only its "
                "window)."),
        hint="W_xh maps a V-long one-hot vector to H units (H×V); W_hh maps H to H (H×H); b_h has H entries.",
        facts=counts)


# ----- 7. the loss over time ------------------------------------------------------------------------------
def losses(model, r: Reading, target_id: int, shape: str) -> np.ndarray:
    """e_t for the sentence: each step's next word (and ``target_id`` after the last) for "many_to_many", the
    last step's alone for "many_to_one"."""
    m64 = model.astype(np.float64)
    targets = np.int64(target_id) if shape == "many_to_one" else np.append(r.ids[1:], target_id)
    _, _, diag = m64.loss_and_grads(r.ids, targets, loss=shape)
    return np.asarray(diag.loss_per_step, float)


def loss_question(model, r: Reading, target_id: int) -> Question:
    e_all = losses(model, r, target_id, "many_to_many")
    e_one = losses(model, r, target_id, "many_to_one")
    kept = tuple(int(i) + 1 for i in np.flatnonzero(e_one > 0))
    k = int(np.argmax(e_all)) + 1
    return Question(
        prompt=("The bars are e_t, many-to-many: every step predicts the next word. Switch to many-to-one (only the "
                "sentence's last step has a target): at which step is there still a loss e_t?"),
        kind="step", answer=kept if len(kept) > 1 else kept[0], options=tuple(r.tokens),
        reason=(f"Only the last step, e_{r.T} = {sig(e_one[-1])}. Many-to-many, E = Σ e_t = {e_all.sum():.3f} "
                f"(the tutorials' sum; the app trains on the mean, E / {r.T} = {e_all.mean():.3f}), and the hardest "
                f"word was at {_label(r.tokens, k)} with e_t = {e_all[k - 1]:.3f}."),
        hint="Many-to-one reads the whole sentence and predicts once: where is that one prediction made?",
        facts={"e": e_all, "E": float(e_all.sum())})


# ----- 8. BPTT step by step -------------------------------------------------------------------------------
def bptt_question(model, r: Reading, target_id: int) -> tuple[Question, object]:
    m64 = model.astype(np.float64)
    _, _, diag = m64.loss_and_grads(r.ids, np.int64(target_id), loss="many_to_one", last_step=True)
    own = np.linalg.norm(diag.dh_local, axis=-1)
    where = np.flatnonzero(own > 0)
    answer = "only at the last step T" if list(where) == [r.T - 1] else (
        "at every step" if len(where) == r.T else "at some steps")
    total = np.linalg.norm(diag.dh, axis=-1)
    return Question(
        prompt=("BPTT walks back from the last step: dL/dh_t = (the loss's own part at t) + (what flows back from "
                "t+1). With a many-to-one loss, at which steps does dL/dh_t have a part of its own?"),
        kind="choice", answer=answer, options=("at every step", "only at the first step", "only at the last step T"),
        reason=(f"Only at step {r.T}: ||W_hy^T (y_T − ŷ_T)|| = {own[-1]:.3g}. Every earlier dL/dh_t is only what "
                f"flows back through W_hh and f': ||dL/dh_{r.T - 1}|| = {total[-2]:.3g}, ||dL/dh_1|| = "
                f"{total[0]:.3g}."),
        hint="The loss's own part at t is W_hy^T (y_t − ŷ_t): it exists only where step t has a target.",
        facts={"own": own}), diag


# ----- 9. dE/dW as a sum over steps, dE/dV without it -----------------------------------------------------
WEIGHT_NAMES = {"W_xh": "W_xh (U)", "W_hh": "W_hh (W)", "W_hy": "W_hy (V)"}


def weight_terms(model, r: Reading, target_id: int, shape: str) -> dict[str, np.ndarray]:
    m64 = model.astype(np.float64)
    targets = np.int64(target_id) if shape == "many_to_one" else np.append(r.ids[1:], target_id)
    _, _, diag = m64.loss_and_grads(r.ids, targets, loss=shape)
    return {name: np.asarray(diag.terms_along_total(name), float) for name in WEIGHT_NAMES}


def sum_over_steps_question(model, r: Reading, target_id: int) -> Question:
    one = weight_terms(model, r, target_id, "many_to_one")
    scale = {k: max(np.abs(v).max(), 1e-300) for k, v in one.items()}
    last_only = [k for k, v in one.items() if np.all(np.abs(v[:-1]) <= 1e-9 * scale[k])]
    answer = WEIGHT_NAMES[last_only[0]] if len(last_only) == 1 else "none of them"
    w = one["W_hh"]
    return Question(
        prompt=("The bars split dE/dU, dE/dW and dE/dV into one term per time step (many-to-many here). Switch to "
                "many-to-one: which weight's gradient then has a term at the last step only?"),
        kind="choice", answer=answer, options=(*WEIGHT_NAMES.values(), "none of them"),
        reason=(f"{answer}: dE/dV = Σ_t (y_t − ŷ_t) h_t^T needs no backpropagation through time, so it has a term "
                f"only where there is a loss. dE/dW and dE/dU are sums over every step the gradient reached: W_hh's "
                f"terms here run from {sig(abs(w[0]))} at step 1 to {sig(abs(w[-1]))} at step {r.T}."),
        hint="Which weight sits between h_t and the output y_t, outside the loop from one step to the next?",
        facts={"terms": one})


# ----- 10. the chain of Jacobians --------------------------------------------------------------------------
def chain_question(model, r: Reading) -> Question:
    factors = model.astype(np.float64).step_jacobian_norms(r.ids)
    return Question(
        prompt=(f"∂h_T/∂h_1 for this {r.T}-token sentence is a product of one Jacobian ∂h_t+1/∂h_t per step. How "
                "many factors does it have?"),
        kind="number", answer=r.T - 1, tolerance=0,
        reason=(f"{r.T - 1}: one per step from 1 to {r.T}. Here their norms run from {factors.min():.2f} to "
                f"{factors.max():.2f}; the product of the norms, {sig(float(np.prod(factors)))}, bounds how much of "
                "the last step's gradient can reach step 1: factors below 1 shrink it geometrically, above 1 they "
                "can grow it."),
        hint="Count the arrows from h_1 to h_T in the unrolled network.",
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
            prompt=("The RNN's line is ||ds_T/ds_t||, the share of the last step's gradient that reaches step t. "
                    "Going back from T, at which step does it first fall below 1% of its value at T?"),
            kind="step", answer=tuple(t for t in (k - 1, k, k + 1) if 1 <= t <= T),
            options=tuple(str(t) for t in range(1, T + 1)),
            reason=(f"Step {k} (a step either side counts: the log axis is hard to read closer): "
                    f"{sig(rel[k - 1])} of its value at T (step {k + 1}: {sig(rel[k])}). Each step back "
                    "multiplies by W_hh^T diag(f'(a_t)); with a spectral radius below 1 and |f'| ≤ 1 the product "
                    f"shrinks geometrically, to {sig(rel[0])} at step 1."),
            hint="Read the RNN's line on the log axis: 1% is two powers of ten below its value at the right end.",
            facts={"relative": rel})
    return Question(
        prompt="Going back from T, does the RNN's ||ds_T/ds_t|| fall below 1% of its value at T within these steps?",
        kind="choice", answer="no", options=("yes", "no"),
        reason=(f"No: at step 1 it is {sig(rel[0])} of its value at T. A spectral radius of 1 or more lets the "
                "product of Jacobians hold up or grow (exploding), until tanh saturates and f' caps it."),
        hint="Look at the left end of the RNN's line against its right end.",
        facts={"relative": rel})


# ----- 12. saturation ---------------------------------------------------------------------------------------
SLOPES = ("about 1 (all of it)", "about 0.5", "about 0.1", "less than 0.01")


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
    shown = f"{hv:.4f}" if gap >= 5e-5 else f"{'−' if hv < 0 else ''}(1 − {sig(gap)})"   # never "1.0000"
    return Question(
        prompt=(f"Unit {u} at step {t + 1} (“{r.tokens[t]}”) has a_t = {a:.2f}, so h_t = tanh({a:.2f}) = "
                f"{shown}. How much of a gradient passes back through this unit here (f'(a_t) = 1 − h_t²)?"),
        kind="choice", answer=slope_band(slope), options=SLOPES,
        reason=(f"f'(a_t) = 1 − h_t² = {sig(slope)} with h_t = {shown}: tanh is flat out there, so this unit "
                f"passes back almost nothing. {share:.0%} of this sentence's hidden values have |h| > {SATURATED} "
                "(marked above the heatmap's columns): every one multiplies the gradient going back by a small f'. "
                "That is one of the two reasons gradients vanish; the other is W_hh's size."),
        hint="tanh(a) approaches ±1 as |a| grows, and its slope is 1 − tanh(a)²: what is that when h is 0.999?",
        facts={"slope": slope, "share": share})


# ----- 13. clipping -------------------------------------------------------------------------------------------
def clipping_question(df, clip: float) -> Question:
    runs = {name: g["loss"].to_numpy(float) for name, g in df.groupby("run", sort=False)}
    free, clipped = runs["without clipping"], runs[f"clipped at {clip:g}"]
    peak = lambda v: float(np.nanmax(v)) if np.isfinite(v).any() else float("inf")    # noqa: E731
    diverged = not np.isfinite(free).all()
    answer = "lower" if peak(clipped) < peak(free) or diverged else "not lower"
    return Question(
        prompt=(f"The chart shows plain SGD on this RNN. Clip the global gradient norm at {clip:g} (scale the whole "
                "gradient down whenever its norm is above that): will the clipped run's highest loss be lower?"),
        kind="choice", answer=answer, options=("lower", "not lower"),
        reason=(f"Highest loss without clipping: {'it diverged (NaN)' if diverged else f'{peak(free):.2f}'}; clipped: "
                f"{peak(clipped):.2f}. An exploding gradient makes one giant step; clipping keeps its direction and "
                "caps its length, so one bad batch cannot throw the weights far. It does nothing for vanishing."),
        hint="Clipping changes only the length of the steps that were longer than the threshold.",
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
    return Question(
        prompt=(f"Truncated BPTT with k = {k}: the gradient of the last step's loss stays inside the last k steps "
                f"(it goes back at most k − 1 = {k - 1} steps from step {r.T}). Does it reach step {position + 1} "
                f"(“{r.tokens[position]}”)?"),
        kind="choice", answer="yes" if reached else "no", options=("yes", "no"),
        reason=(f"It reaches steps {max(1, r.T - k + 1)} to {r.T}; step {position + 1} is "
                + ("inside, so the weights can learn to carry that word to the end." if reached else
                   f"{r.T - k + 1 - (position + 1)} step(s) before them: the last loss never tells the weights to "
                   "keep that word, however long the network could remember it. Truncation buys speed and bounded "
                   "memory with a shorter reach.")),
        hint=f"The last k = {k} steps are steps {max(1, r.T - k + 1)} to {r.T}.",
        facts={"reached": reached})


# ----- 15, 16. gates ----------------------------------------------------------------------------------------
def lstm_question(r: Reading, step: int, unit: int) -> Question:
    t = step - 1
    g = {k: float(v[t, unit]) for k, v in r.trace.gates.items()}
    c_prev = float(r.trace.cell_state[t - 1, unit]) if t > 0 else 0.0
    c = float(r.trace.cell_state[t, unit])
    return Question(
        prompt=(f"LSTM unit {unit} at step {step} (“{r.tokens[t]}”): forget gate f = {g['forget']:.3f}, c_t−1 = "
                f"{c_prev:.3f}, input gate i = {g['input']:.3f}, candidate g = {g['cell candidate']:.3f}. What is "
                "c_t = f·c_t−1 + i·g? (to 2 decimals)"),
        kind="number", answer=round(c, 4), tolerance=0.01,
        reason=(f"c_t = {g['forget']:.3f}·{c_prev:.3f} + {g['input']:.3f}·{g['cell candidate']:.3f} = {c:.3f}. "
                "Going back, ∂c_t/∂c_t−1 = f: the gradient on the cell state is multiplied by the forget gate alone, "
                "elementwise, with no W_hh and no tanh' in between. A forget gate near 1 keeps both the memory and "
                "its gradient."),
        hint="Multiply what is kept (f times the old cell) and add what is written (i times the candidate).",
        facts={"c": c})


def gru_question(r: Reading, step: int, unit: int) -> Question:
    t = step - 1
    z, n = float(r.trace.gates["update"][t, unit]), float(r.trace.gates["new"][t, unit])
    h_prev = float(r.h_prev(t)[unit])
    h = float(r.trace.hidden[t, unit])
    return Question(
        prompt=(f"GRU unit {unit} at step {step} (“{r.tokens[t]}”): update gate z = {z:.3f}, new candidate n = "
                f"{n:.3f}, h_t−1 = {h_prev:.3f}. What is h_t = (1 − z)·n + z·h_t−1? (to 2 decimals)"),
        kind="number", answer=round(h, 4), tolerance=0.01,
        reason=(f"h_t = {1 - z:.3f}·{n:.3f} + {z:.3f}·{h_prev:.3f} = {h:.3f}. In this app's convention z is the "
                "share of h_t−1 kept: the direct path z·h_t−1 passes the gradient back multiplied by z alone, so a "
                "z near 1 carries memory and gradient across many steps."),
        hint="It is a weighted average: the share z of the old state plus the share 1 − z of the new candidate.",
        facts={"h": h})


# ----- 17. why gates help ------------------------------------------------------------------------------------
GATE_PATHS = ("the RNN's path: W_hh and tanh' at every step", "the LSTM's forget gates alone",
              "both keep about the same")


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
    return Question(
        prompt=(f"Fresh cells read the same {T} steps. Going back to step 1, which keeps more of the last "
                "step's gradient: the RNN's path, or the path through the LSTM's cell state, which is multiplied "
                "only by its forget gates?"),
        kind="choice", answer=answer, options=GATE_PATHS,
        reason=(f"At step 1 the RNN keeps {sig(rnn)} of the value at T; the forget-gate path keeps {sig(gate)} "
                f"(forget gate ≈ {numbers.forget:.2f}, multiplied {T - 1} times), and the GRU's path through "
                f"its update gates {sig(numbers.update_path)} (z ≈ {numbers.update:.2f}). The gate's path is "
                "elementwise, with no W_hh and no f' on it: a gate near 1 passes the gradient on almost whole, "
                "whatever W_hh is, while the RNN's factor W_hh^T diag(f') shrinks it at every step. "
                + (f"The whole norm{'s' if len(grows) > 1 else ''} of the "
                   f"{' and '.join(f'{c} ({sig(at1[c])})' for c in grows)} also count{'' if len(grows) > 1 else 's'} "
                   "the path through h_t and W_hh, which can grow like the RNN's exploding case; the gate's path is "
                   "what cannot vanish. "
                   if grows else "")
                + "Close the gates with a negative bias (try −3) and that path vanishes too."),
        hint="Which path back has no W_hh and no tanh' on it, and how open does its gate start?",
        facts={"at_step_1": at1, "forget_path": gate})


# ----- 18. the lag sweep ------------------------------------------------------------------------------------
SWEEP_ANSWERS = ("none of them", "RNN only", "LSTM and GRU", "all three")


def lag_sweep_question(df, solved: float = 0.9) -> Question:
    gap = int(df["gap"].max())
    acc = {c.upper(): float(g.loc[g["gap"] == gap, "accuracy"].iloc[0]) for c, g in df.groupby("cell")}
    keep = sorted(c for c, a in acc.items() if a >= solved)
    answer = {(): "none of them", ("RNN",): "RNN only", ("GRU", "LSTM"): "LSTM and GRU",
              ("GRU", "LSTM", "RNN"): "all three"}.get(tuple(keep), " and ".join(keep))
    options = SWEEP_ANSWERS if answer in SWEEP_ANSWERS else (*SWEEP_ANSWERS, answer)
    return Question(
        prompt=(f"“My favourite dish is sushi.” + {gap} filler words + “So, my favourite cuisine is” → japanese. "
                f"Each cell trained on it: which still answer right at gap {gap} (accuracy ≥ {solved:.0%})?"),
        kind="choice", answer=answer, options=options,
        reason=("Accuracy at gap " + str(gap) + ": " + ", ".join(f"{c} {a:.2f}" for c, a in sorted(acc.items()))
                + ". The RNN's gradient from “is” back to “sushi” vanishes across the filler words, so training never "
                "teaches it to keep the dish; the gated cells' forget and update gates keep a path open."),
        hint="Read the accuracy chart at the right end; chance is one cuisine in fourteen.",
        facts={"accuracy": acc})


# ----- 19. generation ---------------------------------------------------------------------------------------
def generation_question(model, vocab, prompt: str) -> Question:
    out = generate(model, vocab, prompt, 2, "greedy")
    first, second = out[0].token, out[1].token
    return Question(
        prompt=(f"Greedy decoding after “{prompt}”: the network writes the most likely word (the chart), reads it "
                "back as its next input, and writes again. What is its second word?"),
        kind="choice", answer=second,
        options=_options(second, [*_top(out[1].probs, vocab, 4), *_top(out[0].probs, vocab, 4)]),
        reason=(f"First “{first}” ({out[0].probs.max():.0%}), then, reading it back, “{second}” "
                f"({out[1].probs.max():.0%}). One-to-many: each output becomes the next input, so an early choice "
                "shapes everything after it."),
        hint="Append the chart's top word to the prompt and ask what usually follows it in sentences about food.",
        facts={"first": first, "second": second})


# ----- 20, 21. numbers ---------------------------------------------------------------------------------------
def _signed(x: float, bracket: bool = False) -> str:
    """x as written in arithmetic: a true minus sign, in brackets after an operator."""
    text = f"{x:.4g}".replace("-", "−")
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
    u = f" {unit}" if unit else ""
    return Question(
        prompt=(f"At step {t} (held out) the network predicts {p:g}{u}; the true value is {y:g}{u}. What is "
                "that step's squared error (p − y)²?"),
        kind="number", answer=e, tolerance=0.05 * e,
        reason=(f"({_signed(p)} − {_signed(y, True)})² = ({_signed(p - y)})² = {plain(e)}. With numbers the output "
                "is a linear head, y_t = W_hy h_t + b_y (no softmax), and the loss is the squared error at every "
                "step: everything else, BPTT included, is the same."),
        hint="Subtract, then square (the sign does not matter); keep every decimal.",
        facts={"step": t, "e": e})


def forecast_question(values: np.ndarray, start: int, fc: np.ndarray) -> Question:
    truth = values[start:start + fc.size]
    n = truth.size
    q = max(1, n // 4)
    first = float(np.sqrt(np.mean((fc[:q] - truth[:q]) ** 2)))
    last = float(np.sqrt(np.mean((fc[n - q:n] - truth[n - q:]) ** 2)))
    answer = "larger" if last > first else "smaller"
    return Question(
        prompt=(f"From step {start} the network reads its own predictions back, {fc.size} steps. Will its error over "
                "the last quarter of the forecast be larger or smaller than over the first quarter?"),
        kind="choice", answer=answer, options=("larger", "smaller"),
        reason=(f"Root mean squared error {first:.3g} over the first quarter, {last:.3g} over the last: "
                + ("errors compound, because each input is now the network's own slightly wrong output."
                   if last > first else "here it does not drift: its own outputs stay close enough to the curve.")),
        hint="After the first step, what does the network read as input, and what happens to a small error fed back?",
        facts={"first": first, "last": last})
