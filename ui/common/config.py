"""The training settings (the Train page's sidebar; shared, so other pages can train with the same controls)."""
from __future__ import annotations

from dataclasses import dataclass

from rnn_core.series import SERIES


def N_(message: str) -> str:
    """Marks ``message`` for translation, as ui/common/i18n.py's ``N_`` (this module is read by training workers,
    which load no Streamlit): a page shows it with ``_()``."""
    return message


# the sources are the Data picker's values (stored, compared, in links) and its English labels: a page shows
# them with format_func=_
# the cuisine corpus in each of the tutorials' other languages (rnn_core/cuisines.py): "Cuisine corpus (Français)"
LANGUAGE_CORPORA = {f"Cuisine corpus ({name})": f"cuisine_{code}" for code, name in
                    (("da", "Dansk"), ("de", "Deutsch"), ("fr", "Français"), ("ru", "Русский"), ("zh", "中文"))}
SOURCES = (N_("Cuisine corpus"), *LANGUAGE_CORPORA, N_("Sonnets (characters)"), N_("Delay task"),
           N_("Cuisine sentence with a gap"), N_("Pasted text"), N_("Uploaded .txt"))
TASK_SOURCES = ("Delay task", "Cuisine sentence with a gap")
TEXT_SOURCES = ("Pasted text", "Uploaded .txt")
HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0)
CLIPS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0)
BATCHES = (1, 2, 4, 8, 16, 32, 64)
LOSS_SHAPES = {"many_to_many": N_("many-to-many: the next token at every step"),
               "many_to_one": N_("many-to-one: only the last step's next token")}


@dataclass(frozen=True)
class TrainConfig:
    """Everything the sidebar sets. lr, optimizer and clip apply to a running model at once."""

    source: str = "Cuisine corpus"
    level: str = "word"               # for pasted / uploaded text
    gap: int = 10                     # for the tasks
    cell: str = "rnn"
    hidden: int = 128
    activation: str = "tanh"
    lr: float = 0.005
    optimizer: str = "adam"
    clip: float = 5.0                 # 0 = off
    seq_len: int = 25
    batch: int = 32
    spectral_radius: float = 0.0      # 0 = the default initialisation
    iterations: int = 2000
    seed: int = 0
    loss: str = "many_to_many"        # or "many_to_one": only each chunk's last step has a target (text only)

    def shape(self) -> tuple:
        return (self.cell, self.hidden, self.activation)


SERIES_UPLOAD = N_("Uploaded CSV")      # a source's value and its English label (shown with format_func=_)


SERIES_SOURCES = (*SERIES, SERIES_UPLOAD)


@dataclass(frozen=True)
class SeriesConfig:
    """Everything the Time series page's sidebar sets (the hyperparameters are Train's controls)."""

    source: str = "Sine"
    column: str = ""                  # the uploaded CSV's column
    window: int = 20                  # steps per training window: how far back BPTT reaches
    horizon: int = 60                 # steps the free-running forecast runs
    cell: str = "rnn"
    hidden: int = 16
    activation: str = "tanh"
    lr: float = 0.01
    optimizer: str = "adam"
    clip: float = 1.0                 # 0 = off
    batch: int = 16
    spectral_radius: float = 0.0      # 0 = the default initialisation
    iterations: int = 300
    seed: int = 0

    def shape(self) -> tuple:
        return (self.cell, self.hidden, self.activation)
