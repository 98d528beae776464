"""Gradient lab: vanishing and exploding gradients, clipping, and what gates do about them."""
