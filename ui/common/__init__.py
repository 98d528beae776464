"""What several pages share: session state, the models, text and limits, the figure style, shared figures."""
