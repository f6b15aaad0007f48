"""Exercises of notebook 05 · model structure and parameters."""
