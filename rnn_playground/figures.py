"""The app's figures in a notebook: the very builders its pages draw with, fed from rnn_core objects.

    from rnn_playground import figures
    sentence = "My favourite dish is sushi. So, my favourite cuisine is"
    figures.next_token(model, vocab, sentence)                      # Step through's Next-token probabilities
    figures.hidden_states(model, vocab, sentence, step=5)           # Hidden state over time, step 5 boxed
    figures.gradient_per_step(model, vocab, sentence, "japanese")   # the Backward view's gradient chart
    figures.training_loss(records)                                  # Train's loss curve from Trainer records
    figures.step_norms(records[-1], clip=5.0)                       # Train's Gradient norm per time step

Each returns a ``plotly.graph_objects.Figure``, finished as the app finishes its charts (log axes in powers of
ten, whole-number ticks). Needs plotly and pandas: ``pip install "rnn-playground[plot]"``. Importing this module
makes the app's Plotly template (palette, margins, number format) the process's default, as in the app.

The builders live with the app (``ui/``, at a checkout's top level or in the installed package's
``rnn_playground/app``); this module puts that folder at the end of ``sys.path`` to import them, and refuses to
if another module named ``ui`` is already imported.
"""
from __future__ import annotations

import sys

import numpy as np

from .paths import app_dir


def _import_ui():
    folder = str(app_dir())
    other = sys.modules.get("ui")
    if other is not None and not str(getattr(other, "__file__", "") or "").startswith(folder):
        raise ImportError(f"another module named 'ui' is imported ({getattr(other, '__file__', other)}); "
                          "rnn_playground.figures needs the app's own")
    if folder not in sys.path:
        sys.path.append(folder)
    from ui.common import figures as common
    from ui.common import frames, style
    from ui.common import step_figures as step
    from ui.common import step_frames as step_frames
    from ui.train import figures as train
    return common, frames, style, step, step_frames, train


_common, _frames, _style, _step, _step_frames, _train = _import_ui()


def finish(fig):
    """What the app does to every chart before it shows it (ui.common.charts.show, without Streamlit)."""
    _style.log_ticks(fig)
    _style.count_ticks(fig)
    return fig


def _ids(vocab, sentence: str) -> np.ndarray:
    ids = vocab.encode(sentence)
    if ids.size == 0:
        raise ValueError("the sentence holds no tokens")
    return ids


def next_token(model, vocab, sentence: str, k: int = 8):
    """The model's next-token probabilities after ``sentence``: the top ``k`` as bars, the top one highlighted."""
    probs = model.forward(_ids(vocab, sentence)).probs[-1]
    return finish(_common.next_token_figure(_frames.top_k_frame(probs, vocab.tokens, k=k)))


def hidden_states(model, vocab, sentence: str, step: int | None = None):
    """Every hidden unit (rows) at every time step (columns), step ``step`` (1-based) boxed."""
    ids = _ids(vocab, sentence)
    hidden = model.forward(ids).hidden
    df = _step_frames.hidden_frame(hidden, vocab.id_to_token(ids))
    return finish(_step.hidden_heatmap(df, step, selectable=False))


def gradient_per_step(model, vocab, sentence: str, target: str, loss: str = "many_to_one"):
    """Step through's Backward view: ||dL/dh_t|| at every step for the loss of predicting ``target`` after the
    sentence (``"many_to_many"``: every step predicts the next word, the target after the last), with
    ||dh_T/dh_t|| and the last step's loss alone going back. Float64, as the app computes it."""
    ids = _ids(vocab, sentence)
    if target not in vocab:
        raise ValueError(f"{target!r} is not in the model's vocabulary")
    t = vocab.encode([target])[0]
    targets = np.int64(t) if loss == "many_to_one" else np.append(ids[1:], t)
    m64 = model.astype(np.float64)
    _, _, diag = m64.loss_and_grads(ids, targets, loss=loss, last_step=True)
    df = _step_frames.gradient_frame(diag.grad_norm_per_step, m64.jacobian_norms(ids), vocab.id_to_token(ids),
                                     diag.last_step_grad_norm_per_step if loss == "many_to_many" else None)
    return finish(_step.gradient_figure(df))


def training_loss(records, window: int = 20):
    """Train's Training loss: every iteration's loss (thin) and its running mean over ``window`` iterations, from
    the ``TrainRecord``s a ``Trainer.run`` gave."""
    import pandas as pd

    df = pd.DataFrame({"iteration": [r.iteration for r in records], "loss": [r.loss for r in records]})
    return finish(_train.training_loss_figure(df, window))


def step_norms(record, clip: float | None = None, clipped: int | None = None, total: int | None = None):
    """Train's Gradient norm per time step for one iteration's ``TrainRecord``: ||dL/dh_t|| along the chunk on
    a log axis, the clipping threshold drawn."""
    norms = np.asarray(record.grad_norm_per_step, float)
    return finish(_common.step_norm_figure(norms, clip, int(clipped if clipped is not None else record.clipped),
                                           int(total if total is not None else 1), record.iteration))


style = _style           # the palette and template (style.CELL_COLORS, style.TEMPLATE, ...)
