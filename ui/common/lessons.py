"""The lessons, in the seeds' order: one idea each, what it is called, the two or three sentences that say it, and
the full page that shows it with more controls (pure data; Home lists them, the Lessons page draws them)."""
from __future__ import annotations

from dataclasses import dataclass, field

from rnn_core.cuisines import LANGS, PROMPTS, dish_answers, probe_dishes

from .i18n import N_

STEP, TRAIN, LAB = "pages/step_through.py", "pages/train.py", "pages/gradient_lab.py"
GEN, SERIES, LESSONS_PAGE = "pages/generate.py", "pages/time_series.py", "pages/lessons.py"


@dataclass(frozen=True)
class Lesson:
    slug: str                        # its link: /lessons?lesson=<slug>
    title: str
    idea: str                        # two or three sentences, true whatever the settings
    figure: str                      # the title of the figure the lesson is about (on the Lessons page)
    page: str                        # the full page, as st.page_link takes it
    query: dict = field(default_factory=dict)   # the full page's settings for this idea (the lesson's defaults)
    page_figure: str = ""            # the same figure's title on the full page ("" if it is ``figure``)


LESSONS = (
    Lesson("memory", N_("Memory: the hidden state"),
           N_("A recurrent network reads one word at a time and keeps a hidden state h_t, a vector that summarises "
              "what it has read. Nothing else reaches the last step: if it answers “japanese” after “… cuisine "
              "is”, h_t carried “sushi” there."),
           N_("Distance between the two hidden-state paths"), STEP, {"step": "12", "view": "Forward"}),
    Lesson("one-step-at-a-time", N_("One input per step"),
           N_("At each step t the network takes one input x_t (a one-hot word) and the previous state h_t−1, and "
              "computes h_t with the same cell. The heatmap's columns are h_1 … h_T: the network's whole memory "
              "after each word."),
           N_("Hidden state over time"), STEP, {"step": "5", "view": "Forward"}),
    Lesson("forward", N_("The forward equations, with numbers"),
           N_("h_t = f(W_xh x_t + W_hh h_t−1 + b_h): the input's column of W_xh, the recurrent sum over the "
              "previous state, and a bias add up to a_t, and f (here tanh) squashes it. The bars are those pieces "
              "for 32 units."),
           N_("The pieces of h_t"), STEP, {"step": "5", "view": "Forward"}),
    Lesson("softmax", N_("Softmax: the next word"),
           N_("y_t = softmax(W_hy h_t + b_y): the output layer gives one number z (a logit) per word, and softmax "
              "turns them into probabilities, e^z over the sum of all e^z. Only the differences between logits "
              "matter."),
           N_("Next-token probabilities"), STEP, {"step": "4", "view": "Forward"}),
    Lesson("unrolled", N_("Unrolled in time: one cell, shared weights"),
           N_("Unrolled, the network is one cell copied once per word, with the same W_xh, W_hh and W_hy on every "
              "arrow. W_hh is the only way anything passes from one step to the next: set it to 0 and the network "
              "is a feed-forward layer applied to each word alone."),
           N_("Unrolled network"), STEP, {"step": "12", "view": "Forward"}),
    Lesson("why-not-feed-forward", N_("Why not a plain feed-forward network"),
           N_("A feed-forward network (or one layer per position) needs a weight for every input position, so a "
              "fixed sentence length and many more weights; a convolution shares weights but sees only its window. "
              "The RNN shares one cell across all steps and can read any length."),
           N_("Weights: one shared cell or one layer per position"), STEP, {"step": "12", "view": "Forward"},
           N_("Unrolled network")),
    Lesson("loss-over-time", N_("The loss over time"),
           N_("Every step with a target has a loss e_t = −log p(its target). Many-to-many: every step predicts the "
              "next word, and tutorials write E = Σ e_t (the app trains on the mean). Many-to-one: only the last "
              "step has a target."),
           N_("Loss at each time step e_t"), STEP, {"step": "12", "view": "Backward", "loss": "many_to_many"}),
    Lesson("bptt", N_("Backpropagation through time"),
           N_("BPTT starts at the last step and walks back: dL/dh_t is the loss's own part at t plus what flows "
              "back from t+1 through W_hh^T and f'(a_t+1). (On Step through's Backward view the bars fill from the "
              "end as you step back.)"),
           N_("Gradient norm per time step"), STEP, {"step": "12", "view": "Backward", "loss": "many_to_one"}),
    Lesson("sum-over-steps", N_("dE/dW is a sum over steps; dE/dV is not"),
           N_("The same W is used at every step, so its gradient is the sum of one term per step (∂E/∂W = Σ_t "
              "∂e_t/∂W, likewise U = W_xh). V = W_hy connects h_t to y_t outside the loop: its terms need no "
              "backpropagation through time."),
           N_("dE/dU, dE/dW, dE/dV as sums over time steps"), STEP,
           {"step": "12", "view": "Backward", "loss": "many_to_many"}),
    Lesson("chain", N_("The chain of Jacobians"),
           N_("How much of the last step's gradient reaches step t is ∂h_T/∂h_t, a product of one Jacobian W_hh^T "
              "diag(f'(a)) per step in between. A product of many factors shrinks or grows geometrically."),
           N_("Gradient norm per time step"), STEP, {"step": "1", "view": "Backward", "loss": "many_to_one"}),
    Lesson("vanishing", N_("Vanishing and exploding gradients"),
           N_("Each step back multiplies the gradient by W_hh^T diag(f'(a_t)). With W_hh's spectral radius below 1 "
              "and |f'| ≤ 1 the product falls geometrically (vanishing); far above 1 it can grow (exploding) until "
              "tanh saturates."),
           N_("How much gradient survives: ||ds_T/ds_t||"), LAB, {"rho": "0.7", "T": "40"}),
    Lesson("saturation", N_("Saturation: where tanh is flat"),
           N_("tanh squashes a_t into (−1, 1); its slope f'(a) = 1 − tanh(a)² is 1 at 0 and nearly 0 once |a| is a "
              "few units. A saturated unit (|h| near 1) passes almost no gradient back: the second reason "
              "gradients vanish."),
           N_("Hidden state over time"), STEP, {"step": "3", "view": "Forward"}),
    Lesson("clipping", N_("Gradient clipping"),
           N_("When the gradient explodes, one update can throw the weights far away and the loss jumps. Clipping "
              "scales the whole gradient down whenever its norm passes a threshold: same direction, shorter step."),
           N_("Training loss with and without clipping"), LAB, {"clip_lr": "2", "clip": "1"}),
    Lesson("truncation", N_("Truncated BPTT"),
           N_("Training on a long text, BPTT is cut into chunks of k steps (the truncation length): a loss sends "
              "its gradient back at most k − 1 steps. Cheaper, with bounded memory, but nothing teaches the "
              "network to keep a word longer than k steps."),
           N_("The last step's gradient with truncation"), TRAIN, {"seq_len": "25"},
           N_("The last step's gradient going back")),
    Lesson("lstm", N_("The LSTM's gates"),
           N_("The LSTM keeps a cell state c_t = f·c_t−1 + i·g: the forget gate f keeps part of the old memory, "
              "the input gate i writes part of a new candidate g, and the output gate o decides what h_t = "
              "o·tanh(c_t) shows."),
           N_("Gates over time"), STEP, {"step": "6", "view": "Forward", "model": "Demo LSTM"}),
    Lesson("gru", N_("The GRU's gates"),
           N_("The GRU mixes old and new: h_t = (1 − z)·n + z·h_t−1, where the update gate z is the share of the "
              "old state kept and n a new candidate (its reset gate r decides how much of h_t−1 the candidate "
              "sees)."),
           N_("Gates over time"), STEP, {"step": "6", "view": "Forward", "model": "Demo GRU"}),
    Lesson("why-gates-help", N_("Why gates help"),
           N_("Going back, the LSTM's cell state is multiplied by the forget gate alone (the GRU's state by z): "
              "elementwise, with no W_hh and no tanh'. A gate near 1 keeps memory and gradient across many steps; "
              "a gate near 0 forgets, and then the gated cell vanishes too."),
           N_("How much gradient survives: ||ds_T/ds_t||"), LAB, {"rho": "0.9", "T": "40"}),
    Lesson("lag-sweep", N_("The sushi sentence with a gap"),
           N_("Put N filler words between “sushi” and “cuisine is” and train each cell to answer: the RNN's "
              "gradient across the gap vanishes, so it never learns to keep the dish, while the gated cells do."),
           N_("Lag sweep: what each cell remembers"), LAB, {"task": "cuisine"}),
    Lesson("generation", N_("Generation: one-to-many"),
           N_("To write, the network predicts a word, reads it back as its next input, and predicts again: each "
              "output becomes the next input. Greedy decoding takes the most likely word; sampling draws one."),
           N_("Next-token probabilities"), GEN, {"prompt": "My favourite dish is", "strategy": "greedy"}),
    Lesson("numbers", N_("Numbers and the squared error"),
           N_("The same recurrence can read numbers: x_t is one value of a series, the output is a linear head "
              "W_hy h_t + b_y (no softmax), and the loss is the squared error of the next value. BPTT is unchanged."),
           N_("Prediction over the series"), SERIES, {}),
    Lesson("forecasting", N_("Forecasting on its own outputs"),
           N_("To forecast further than one step, the network reads its own prediction back as the next input. "
              "Every small error is then fed back in, so errors can compound the longer it runs."),
           N_("Forecast"), SERIES, {}),
)

BY_SLUG = {lesson.slug: lesson for lesson in LESSONS}


TOKEN_MODELS = ("Demo RNN", "Demo LSTM", "Demo GRU")      # the lessons' own models (English)
DISHES = ("pizza", "tacos", "curry", "ramen", "paella", "croissants", "borscht", "kimchi", "hummus", "goulash")
# every dish a link's ?dish= may name, in any language
ALL_DISHES = tuple(dict.fromkeys(d for lang in LANGS for d in probe_dishes(lang)))


def _lesson_words(lang: str) -> str:
    answers = dish_answers(lang)
    return " ".join([PROMPTS[lang], *answers, *answers.values()])


def reads_lessons(vocab, lang: str = "en") -> bool:
    """Whether a model with ``vocab`` reads the lessons' sentences word by word: a word-level vocabulary that holds
    every word of the prompt, every dish and every cuisine of ``lang`` (a model trained on that language's cuisine
    corpus, such as Train's default). Such a model opened from a model link can stand in for the demo models on
    the Lessons page."""
    return getattr(vocab, "level", None) == "word" and not vocab.unknown_tokens(_lesson_words(lang))


def token_models(lang: str) -> tuple[str, ...]:
    """The demo models a lesson offers in ``lang``: that language's demo RNN first, then the English demos."""
    from .state import demo_model
    return TOKEN_MODELS if lang == "en" else (demo_model(lang), *TOKEN_MODELS)


def lesson_models(models: dict, lang: str = "en") -> tuple[str, ...]:
    """The model names a lesson offers: the demo models, then each model opened from a model link that reads the
    lessons' sentences (its questions are computed from it as from a demo model)."""
    from .models import SHARED

    return token_models(lang) + tuple(n for n, e in models.items()
                                      if n.startswith(SHARED) and (reads_lessons(e.vocab, lang)
                                                                   or reads_lessons(e.vocab)))
