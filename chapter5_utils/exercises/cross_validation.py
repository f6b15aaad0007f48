"""Exercises of notebook 04 · cross-validation."""
