"""The chapter's MLP (the one network that notebooks 01 and 05 and their exercises train and inspect)."""

from __future__ import annotations

import torch
from torch import nn

from chapter5_utils._validation import check_real_number, is_int


class ChapterMLP(nn.Module):
    """The chapter's MLP: ``n_features -> 50 -> 30 -> 1``, ReLU and dropout after each hidden layer.

    The output layer is linear. The textbook's code also puts a ReLU on the output; a regression
    output must be able to take any value (a standardised target is negative half of the time), so
    this network leaves it out. ``dropout`` is the probability that dropout zeroes a hidden output.
    """

    def __init__(self, n_features: int = 10, dropout: float = 0.2) -> None:
        super().__init__()
        if not is_int(n_features) or n_features < 1:
            raise ValueError(f"n_features must be a positive int (the number of input columns), got {n_features!r}")
        p = check_real_number("dropout", dropout, non_negative=True)
        if p >= 1:
            raise ValueError(f"dropout must be in [0, 1) (the probability of zeroing a hidden output), got {dropout!r}")
        self.fc1 = nn.Linear(int(n_features), 50)
        self.fc2 = nn.Linear(50, 30)
        self.fc3 = nn.Linear(30, 1)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the predictions, shape ``(n, 1)``, for the rows of ``x``, shape ``(n, n_features)``."""
        x = self.dropout(self.relu(self.fc1(x)))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)
