"""Entry point for ``python -m rnn_core``."""
import sys

from .cli import main

sys.exit(main())
