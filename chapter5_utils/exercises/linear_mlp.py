"""Exercises of notebook 01 · linear regression, perceptron and MLP."""
