"""The app's limits on what a user can give it, in one place (the README's limits section quotes them).

`.streamlit/config.toml` sets the server's upload limit to the same 50 MB, so a larger file is
refused by the browser before it is sent.
"""
MAX_MODEL_BYTES = 50_000_000     # an uploaded model (.npz), on Step through and Train, and what its arrays unpack to
MAX_VOCAB_JSON_MB = 10           # the vocabulary (.json) uploaded with a PyTorch model (.safetensors) on Step through
MAX_SENTENCE_CHARS = 20_000      # a typed or linked sentence
MAX_SENTENCE_TOKENS = 200        # what Step through reads
MAX_TRAIN_TEXT_BYTES = 2_000_000  # pasted or uploaded training text (Train)
MAX_TRAIN_TOKENS = 60_000        # ... its tokens
MAX_TRAIN_VOCAB = 3_000          # ... and its vocabulary (the most frequent tokens are kept)
MAX_SERIES_CSV_BYTES = 5_000_000  # an uploaded series (.csv, Time series)
MAX_SERIES_VALUES = 20_000       # ... its rows: every redraw predicts each value from its window
MAX_HIDDEN_COLUMNS = 2_000       # the hidden-state heatmap shows at most this many time steps (a stride beyond)

# what the sentence boxes' tooltips say (Home, Step through, Gradient lab, Generate), in English; a page shows
# sentence_limits(), the same in the session's language
SENTENCE_LIMITS = f"At most {MAX_SENTENCE_TOKENS} tokens and {MAX_SENTENCE_CHARS:,} characters."


def sentence_limits() -> str:
    """SENTENCE_LIMITS in the session's language, for a tooltip (i18n is imported here, not at the top: the training
    workers import this module without Streamlit)."""
    from .i18n import _, num
    return _("At most {tokens} tokens and {chars} characters.").format(tokens=MAX_SENTENCE_TOKENS,
                                                                       chars=num(MAX_SENTENCE_CHARS, ","))
