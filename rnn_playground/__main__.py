"""``python -m rnn_playground``: the same as the ``rnn-playground`` command."""
import sys

from .launch import main

sys.exit(main())
