"""Exercises of notebook 03 · optimizers."""
