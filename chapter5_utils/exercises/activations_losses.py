"""Exercises of notebook 02 · activation and loss functions."""
