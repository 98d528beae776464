"""Step through: read a sentence token by token, forward and backward in time."""
