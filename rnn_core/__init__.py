"""rnn_core: a small NumPy library that trains and explains recurrent networks.

Public API::

    from rnn_core import Vocab, make_model, save_model, load_model
"""
__version__ = "0.2.0"

from ._alloc import keep_freed_memory   # not called on import: a process-wide setting, for entry points to choose
from .cells import CELLS, MAX_SEED, make_model, spectral_radius_of
from .io import ModelFileError, load_model, save_model
from .model import LOSSES, Diagnostics, RecurrentModel, Trace, softmax
from .rnn import ACTIVATIONS
from .vocab import UNK, Vocab, tokenize

__all__ = [
    "__version__", "ACTIVATIONS", "CELLS", "LOSSES", "MAX_SEED", "UNK", "Diagnostics", "ModelFileError",
    "RecurrentModel", "Trace", "Vocab",
    "keep_freed_memory", "load_model", "make_model", "save_model", "softmax", "spectral_radius_of", "tokenize",
]
