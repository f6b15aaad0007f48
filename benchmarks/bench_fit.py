"""Time `fit` against a bare hand-written loop and the textbook's Dataset + DataLoader loop.

    python benchmarks/bench_fit.py [--epochs 100] [--repeats 3]

Same model (10→50→30→1 MLP with ReLU and dropout), same data (standardised diabetes training
part), same optimizer (Adam, lr 1e-3), same number of epochs and batch size 32. Prints the best
time of each over the repeats, the ratios, and the final training loss (full batch, eval mode).
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from chapter5_utils import as_tensors, evaluate_loss, fit, load_diabetes, standardize
from chapter5_utils.cv import holdout_split


class TabularDataset(Dataset):
    """The textbook's pattern: one row at a time through __getitem__."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        self.X, self.y = X, y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X[i], self.y[i]


def make_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(10, 50), nn.ReLU(), nn.Dropout(0.2), nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 1)
    )


def textbook_loop(model, X, y, epochs):
    loader = DataLoader(TabularDataset(X, y), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()


def bare_loop(model, X, y, epochs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), 32):
            idx = order[start : start + 32]
            opt.zero_grad()
            nn.functional.mse_loss(model(X[idx]), y[idx]).backward()
            opt.step()


def with_fit(model, X, y, epochs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    fit(model, X, y, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=epochs, batch_size=32, seed=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    table = load_diabetes()
    train_idx, _ = holdout_split(len(table.y), 0.2, seed=0)
    (X_train,) = standardize(table.X[train_idx])
    y_train = (table.y[train_idx] - table.y[train_idx].mean()) / table.y[train_idx].std()
    X, y = as_tensors(X_train, y_train[:, None])

    results = {}
    for name, loop in [("bare loop", bare_loop), ("fit", with_fit), ("textbook DataLoader", textbook_loop)]:
        best = float("inf")
        for _ in range(args.repeats):
            model = make_model()
            start = time.perf_counter()
            loop(model, X, y, args.epochs)
            best = min(best, time.perf_counter() - start)
        results[name] = (best, evaluate_loss(model, X, y, nn.functional.mse_loss))

    print(f"{len(X)} rows, batch 32, {args.epochs} epochs, best of {args.repeats}; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, (seconds, loss) in results.items():
        print(f"  {name:22s} {seconds:7.3f} s   final training MSE {loss:.4f} (standardised target)")
    bare, fitted, textbook = (results[k][0] for k in ("bare loop", "fit", "textbook DataLoader"))
    print(f"fit / bare loop          = {fitted / bare:.3f}  (overhead {100 * (fitted / bare - 1):+.1f}%)")
    print(f"textbook / fit           = {textbook / fitted:.2f}  (fit is {textbook / fitted:.2f}x faster)")


if __name__ == "__main__":
    main()
