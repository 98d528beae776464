"""The seeds' ideas in their order, each a link to the page, view and settings that show it (pure data)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lesson:
    title: str
    page: str                        # a page file, as st.page_link takes it
    figure: str                      # the title (its start) of the figure the lesson is about
    look_for: str                    # two sentences, true of what the link opens with
    query: dict = field(default_factory=dict)
    icon: str = ":material/arrow_forward:"


STEP, LAB, GEN = "pages/step_through.py", "pages/gradient_lab.py", "pages/generate.py"
SERIES = "pages/time_series.py"

LESSONS = (
    Lesson("Memory", STEP, "Distance between the two hidden-state paths",
           "The hidden state carries the dish across the sentence: after “sushi … cuisine is” the demo RNN says "
           "japanese. In the memory probe, swapping sushi for pizza makes it say italian, and the two hidden-state "
           "paths stay apart to the last word.", {"step": "12", "view": "Forward"}),
    Lesson("The unrolled network and its shared weights", STEP, "Unrolled network",
           "Unrolled in time the network is one cell copied once per token, with the same W_xh, W_hh and W_hy on "
           "every arrow. The caption under the model counts the weights that sharing saves against one layer per "
           "step.", {"step": "6", "view": "Forward"}),
    Lesson("The forward equations", STEP, "The pieces of h_t",
           "At step 5 the formula is written out with the real numbers of one hidden unit: W_xh x_t, W_hh h_t-1 and "
           "b_h add up to a_t, and h_t = tanh(a_t). The bars show the same pieces for 32 units.",
           {"step": "5", "view": "Forward"}),
    Lesson("Softmax: the next-token probabilities", STEP, "Next-token probabilities",
           "y_t = softmax(W_hy h_t + b_y) turns the last hidden state into a probability for every word of the "
           "vocabulary. After the last token the tallest bar is japanese.", {"step": "12", "view": "Forward"}),
    Lesson("The loss over time", STEP, "Loss at each time step e_t",
           "With a many-to-many loss every step predicts its next word: E = e_1 + ... + e_T, and the app trains on "
           "their mean. Switch the Loss to many-to-one and only the last step keeps a loss.",
           {"step": "12", "view": "Backward", "loss": "many_to_many"}),
    Lesson("Backpropagation through time", STEP, "How dL/dh_t is built",
           "BPTT starts at the last step and walks back: Back to t-1 moves one step earlier. At each step dL/dh_t is "
           "the loss's own part plus what flows back from step t+1, split per unit in the bars.",
           {"step": "12", "view": "Backward", "loss": "many_to_one"}),
    Lesson("Vanishing and exploding gradients", LAB, "How much gradient survives",
           "BPTT multiplies one Jacobian per step, W_hh^T diag(f'(a_t)) for the RNN, so the gradient that survives "
           "from the last step falls or grows geometrically: with W_hh's spectral radius at 0.9 the RNN's line runs "
           "beside rho^(T-t), down the log axis. The gated cells' own paths multiply by a gate near 1 instead.",
           {}),
    Lesson("Gradient clipping", LAB, "Training loss with and without clipping",
           "The same RNN trained with SGD at learning rate 2, with and without clipping the gradient's global norm "
           "at 1. Without clipping the loss jumps; clipped, it stays low.", {}),
    Lesson("Gates: the LSTM", STEP, "Gates over time",
           "The LSTM's input, forget and output gates and its cell state, per unit and step: a forget gate near 1 "
           "keeps the cell state, near 0 erases it. The formula writes c_t = f c_t-1 + i g with the step's numbers.",
           {"step": "6", "view": "Forward", "model": "Demo LSTM"}),
    Lesson("Why gates help: the lag sweep", LAB, "Lag sweep: what each cell remembers",
           "The seeds' sentence with N filler words between the dish and “So, my favourite cuisine is”, each cell "
           "trained on each N with the same budget: the RNN answers at chance from N = 10 on, while the LSTM and "
           "the GRU still name the cuisine at N = 30. The result is stored with the app and shows at once.", {}),
    Lesson("Generation: one-to-many", GEN, "Next-token probabilities",
           "After the prompt, each token the network writes is read back as its next input. Click a generated token "
           "to see the distribution it was drawn from.", {}),
    Lesson("Numbers: a time series and the squared error", SERIES, "Prediction over the series",
           "The same recurrence reads one number per step instead of a word, and its loss is the squared error of "
           "the next number. Press Train: within a few hundred iterations the one-step prediction lies on the sine, "
           "and the forecast shows how errors compound when the model reads its own outputs.", {}),
)
