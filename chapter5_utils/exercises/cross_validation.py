"""Exercises of notebook 04 · cross-validation.

04.1 weight decay against overfitting, 04.2 how steady K-fold is next to hold-out, 04.3 choosing
the weight decay by K-fold, 04.4 leave-one-out residuals of least squares from one fit.

The checks rebuild the notebook's data (the diabetes table and its seeded splits) and train only
what they must: a few epochs, or a few vectorised cross-validations, cached after the first call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from chapter5_utils.cv import CVResult, cross_validate, holdout_split, kfold_splits
from chapter5_utils.data import as_tensors, load_diabetes, standardize
from chapter5_utils.exercises.core import (
    Exercise,
    Feedback,
    correct,
    not_attempted,
    not_yet,
    register,
)
from chapter5_utils.training import History, fit

TRAIN_CFG = dict(lr=0.05, epochs=20, batch_size=64)  # the notebook's train_cfg
DECAYS_04_1 = (1e-2, 1e-1)
DECAYS_04_3 = (0, 1e-2, 1e-1, 1)


# --------------------------------------------------------------------------- the notebook's data


@functools.cache
def _diabetes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(X, y, train_idx, test_idx)`` exactly as the notebook builds them (y a column)."""
    data = load_diabetes()
    X, y = data.X, data.y[:, None]
    train_idx, test_idx = holdout_split(len(X), 0.2, seed=0)
    return X, y, train_idx, test_idx


def _float64(function: Callable[[], Any]) -> Any:
    """Return ``function()`` run with float64 as torch's default dtype and the global RNG untouched."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        with torch.random.fork_rng(devices=[]):
            return function()
    finally:
        torch.set_default_dtype(old)


def _big_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))


def _small_mlp(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(10, hidden), nn.ReLU(), nn.Linear(hidden, 1))


def _train_big(weight_decay: float, epochs: int) -> History:
    """Return the History of the notebook's ``train_big`` with Adam's ``weight_decay``, for ``epochs`` epochs."""
    X, y, train_idx, _ = _diabetes()
    fit_part, val_part = holdout_split(len(train_idx), 0.25, seed=1)
    fit_idx, val_idx = train_idx[fit_part], train_idx[val_part]
    Xf, Xv = standardize(X[fit_idx], X[val_idx])
    yf, yv = standardize(y[fit_idx], y[val_idx])
    Xf, Xv, yf, yv = as_tensors(Xf, Xv, yf, yv, dtype=torch.float64)

    def run() -> History:
        torch.manual_seed(0)
        model = _big_mlp()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)
        return fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=epochs,
                   X_val=Xv, y_val=yv, seed=0)

    return _float64(run)


def _close(a: Any, b: Any, rtol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=0.0))


def _numbers(value: Any, length: int) -> np.ndarray | None:
    """Return ``value`` as a 1-D float array of ``length`` entries, or None if it is not one."""
    if isinstance(value, (str, bytes, dict)):
        return None
    try:
        array = np.asarray([float(v) for v in value], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.shape == (length,) and np.all(np.isfinite(array)) else None


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:120]


# --------------------------------------------------------------------------- 04.1 weight decay


PREFIX = 3  # epochs the check trains to recognise a run


@functools.cache
def _prefix(weight_decay: float) -> tuple[float, ...]:
    return tuple(_train_big(weight_decay, PREFIX).val_loss)


def _check_run(wd: float, run: Any) -> Feedback | None:
    """Return a not_yet Feedback if ``run`` is not the 60-epoch History of weight decay ``wd``."""
    losses = getattr(run, "val_loss", None)
    if not isinstance(losses, list) or not losses:
        return not_yet(
            f"runs[{wd:g}] should be the History that train_big returns (with .val_loss), got {_describe(run)}.",
            f"runs[{wd:g}]에는 train_big이 돌려주는 History(.val_loss가 있는 객체)가 와야 한다. "
            f"받은 것: {_describe(run)}.",
        )
    if len(losses) != 60:
        return not_yet(
            f"runs[{wd:g}] has {len(losses)} epochs, not 60: did you pass patience? Train the full 60 epochs "
            "here, without early stopping, to see whether the validation loss turns up.",
            f"runs[{wd:g}]는 60 에폭이 아니라 {len(losses)} 에폭이다. patience를 넘기지 않았는가? "
            "검증 손실이 다시 오르는지 보려면 조기 종료 없이 60 에폭을 모두 학습하라.",
        )
    head = losses[:PREFIX]
    if _close(head, _prefix(wd), rtol=1e-7):
        return None
    if _close(head, _prefix(0.0), rtol=1e-7):
        return not_yet(
            f"runs[{wd:g}] is the run without weight decay: its validation losses equal section 1's. "
            "Does train_big pass its weight_decay to torch.optim.Adam?",
            f"runs[{wd:g}]는 가중치 감쇠(weight decay)가 없는 실행이다. 검증 손실이 1절의 것과 같다. "
            "train_big이 weight_decay를 torch.optim.Adam에 넘기는지 확인하라.",
        )
    other = [w for w in DECAYS_04_1 if w != wd][0]
    if _close(head, _prefix(other), rtol=1e-7):
        return not_yet(
            f"runs[{wd:g}] is the run with weight decay {other:g}: the two entries are swapped.",
            f"runs[{wd:g}]는 weight decay {other:g}로 학습한 결과다. 두 항목이 뒤바뀌었다.",
        )
    return not_yet(
        f"The first validation losses of runs[{wd:g}] ({', '.join(f'{v:.4f}' for v in head)}) are not those of "
        f"train_big with Adam(lr=1e-3, weight_decay={wd:g}). Keep everything else as in section 1: big_mlp, "
        "set_seed(0), lr=1e-3, the same data and fit(..., seed=0).",
        f"runs[{wd:g}]의 처음 검증 손실({', '.join(f'{v:.4f}' for v in head)})이 Adam(lr=1e-3, "
        f"weight_decay={wd:g})로 학습한 train_big의 값과 다르다. 나머지는 1절 그대로 두라: big_mlp, set_seed(0), "
        "lr=1e-3, 같은 데이터와 fit(..., seed=0).",
    )


def _check_04_1(runs: Any, best_epoch: Any) -> Feedback:
    for name, value in (("runs", runs), ("best_epoch", best_epoch)):
        if not isinstance(value, dict) or set(value) != set(DECAYS_04_1):
            return not_yet(
                f"{name} should be a dict with the keys 1e-2 and 1e-1 (one entry per weight decay), "
                f"got {_describe(value)}.",
                f"{name}은(는) 키가 1e-2와 1e-1인 딕셔너리(weight decay마다 한 항목)여야 한다. "
                f"받은 것: {_describe(value)}.",
            )
    for wd in DECAYS_04_1:
        problem = _check_run(wd, runs[wd])
        if problem is not None:
            return problem
    summary_en, summary_ko = [], []
    for wd in DECAYS_04_1:
        losses = np.asarray(runs[wd].val_loss)
        lowest = int(np.argmin(losses)) + 1
        answer = best_epoch[wd]
        if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
            return not_yet(
                f"best_epoch[{wd:g}] should be a whole number of epochs, got {_describe(answer)}.",
                f"best_epoch[{wd:g}]은(는) 에폭 수(정수)여야 한다. 받은 것: {_describe(answer)}.",
            )
        if answer == lowest - 1:
            return not_yet(
                f"best_epoch[{wd:g}] = {answer} is one too small: count epochs from 1 "
                "(history.best_epoch counts from 0).",
                f"best_epoch[{wd:g}] = {answer}은(는) 하나 작다. 에폭은 1부터 센다 "
                "(history.best_epoch는 0부터 센다).",
            )
        if answer != lowest:
            where = (f"at epoch {answer} the validation loss is {losses[answer - 1]:.4f}, and it is lower elsewhere"
                     if 1 <= answer <= 60 else "there is no such epoch in a 60-epoch run")
            where_ko = (f"{answer} 에폭의 검증 손실은 {losses[answer - 1]:.4f}이고, 더 낮은 에폭이 있다"
                        if 1 <= answer <= 60 else "60 에폭 학습에는 그런 에폭이 없다")
            return not_yet(
                f"best_epoch[{wd:g}] = {answer}, but {where}. Look for the smallest entry of "
                f"runs[{wd:g}].val_loss (epochs counted from 1).",
                f"best_epoch[{wd:g}] = {answer}이지만, {where_ko}. runs[{wd:g}].val_loss에서 가장 작은 값을 찾아라 "
                "(에폭은 1부터 센다).",
            )
        rise = losses[-1] - losses.min()
        summary_en.append(f"With {wd:g} the validation loss is lowest at epoch {lowest} ({losses.min():.3f}) and "
                          f"{'climbs to' if rise > 0.05 else 'stays near it, at'} {losses[-1]:.3f} by epoch 60")
        summary_ko.append(f"{wd:g}이면 검증 손실이 {lowest} 에폭에서 가장 낮고({losses.min():.3f}) 60 에폭에는 "
                          f"{losses[-1]:.3f}{'까지 오른다' if rise > 0.05 else '로 거의 그대로다'}")
    return correct(
        ". ".join(summary_en) + ". A weak penalty only slows the overfit; a strong enough one prevents it.",
        ". ".join(summary_ko) + ". 약한 벌점은 과적합을 늦출 뿐이고, 충분히 강한 벌점은 과적합을 막는다.",
    )


def _reference_04_1() -> tuple[tuple, dict]:
    runs = {wd: _train_big(wd, 60) for wd in DECAYS_04_1}
    best_epoch = {wd: run.best_epoch + 1 for wd, run in runs.items()}
    return (runs, best_epoch), {}


register(Exercise(
    id="04.1",
    check=_check_04_1,
    hints={
        "en": [
            "train_big builds the optimizer: give it a parameter weight_decay=0.0 and pass it on, "
            "torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay).",
            "Call it without patience, so that all 60 epochs run. A History's val_loss is a list with one "
            "loss per epoch; its index starts at 0, the epoch number at 1.",
        ],
        "ko": [
            "옵티마이저는 train_big 안에서 만든다. weight_decay=0.0 매개변수를 더하고 "
            "torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)로 넘겨라.",
            "60 에폭을 모두 돌도록 patience 없이 호출하라. History의 val_loss는 에폭마다 손실 하나가 든 리스트다. "
            "인덱스는 0부터, 에폭 번호는 1부터 시작한다.",
        ],
    },
    solution={
        "en": """def train_big(patience=None, weight_decay=0.0):
    set_seed(0)
    model = big_mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)
    return fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=60,
               X_val=Xv, y_val=yv, seed=0, patience=patience)


runs = {wd: train_big(weight_decay=wd) for wd in (1e-2, 1e-1)}
best_epoch = {wd: run.best_epoch + 1 for wd, run in runs.items()}
check("04.1", runs, best_epoch)

Weight decay adds weight_decay × w to every gradient, which pulls the weights toward 0. With 1e-2 the
pull is too weak: the validation loss still bottoms out at epoch 9 and turns up, only more slowly,
and early stopping (patience=15) stops after 24 epochs, as without decay. With 1e-1 the validation
loss keeps edging down until epoch 41, stays nearly flat to epoch 60 and ends below the best of
section 1's early-stopped run; early stopping runs to epoch 56. A penalty strong enough prevents overfitting, where
validation alone only measures it.""",
        "ko": """def train_big(patience=None, weight_decay=0.0):
    set_seed(0)
    model = big_mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)
    return fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=60,
               X_val=Xv, y_val=yv, seed=0, patience=patience)


runs = {wd: train_big(weight_decay=wd) for wd in (1e-2, 1e-1)}
best_epoch = {wd: run.best_epoch + 1 for wd, run in runs.items()}
check("04.1", runs, best_epoch)

가중치 감쇠(weight decay)는 모든 기울기에 weight_decay × w를 더해 가중치를 0 쪽으로 당긴다. 1e-2는 그 힘이
너무 약하다. 검증 손실은 여전히 9 에폭에서 가장 낮고 다시 오르며, 오르는 속도만 느려진다. 조기 종료
(patience=15)도 감쇠가 없을 때처럼 24 에폭 뒤에 멈춘다. 1e-1이면 검증 손실이 41 에폭까지 조금씩 내려가고
60 에폭까지 거의 평평하며, 1절에서 조기 종료한 실행의 최저값보다 낮게 끝난다. 조기 종료는 56 에폭까지 간다.
충분히 강한 벌점은 과적합을 막는다. 검증은 과적합을 잴 뿐이다.""",
    },
    reference=_reference_04_1,
))


# --------------------------------------------------------------------------- 04.2 K-fold vs hold-out


def _mse_linear(X: np.ndarray, y: np.ndarray, train: np.ndarray, val: np.ndarray) -> float:
    """Return the validation MSE of least squares (with intercept) fitted on ``train``."""
    A = np.column_stack([np.ones(len(X)), X])
    coef, *_ = np.linalg.lstsq(A[train], y[train], rcond=None)
    return float(np.mean((A[val] @ coef - y[val]) ** 2))


def _cv_linear(rows: np.ndarray, seed: int, k: int = 5) -> list[float]:
    """Return the fold MSEs of K-fold CV of least squares over ``rows``, shuffled with ``seed``."""
    X, y, _, _ = _diabetes()
    return [_mse_linear(X, y[:, 0], rows[a], rows[b]) for a, b in kfold_splits(len(rows), k, shuffle=True, seed=seed)]


@functools.cache
def _reference_04_2_values() -> dict[str, Any]:
    X, y, train_idx, _ = _diabetes()
    holdout = []
    for seed in range(10):
        tr, va = holdout_split(len(train_idx), 0.25, seed=seed)
        holdout.append(_mse_linear(X, y[:, 0], train_idx[tr], train_idx[va]))
    cv = np.array([np.mean(_cv_linear(train_idx, s)) for s in range(5)])
    every_row = np.array([np.mean(_cv_linear(np.arange(len(X)), s)) for s in range(5)])
    return {"cv": cv, "ratio": float(np.ptp(holdout) / np.ptp(cv)), "holdout_range": float(np.ptp(holdout)),
            "every_row": every_row, "folds_seed0": np.array(_cv_linear(train_idx, 0))}


def _check_04_2(cv_mse: Any, ratio: Any) -> Feedback:
    ref = _reference_04_2_values()
    got = _numbers(cv_mse, 5)
    if got is None:
        return not_yet(
            f"cv_mse should be a list of five numbers (one CV MSE per seed 0–4), got {_describe(cv_mse)}.",
            f"cv_mse는 숫자 다섯 개(시드 0–4마다 CV MSE 하나)의 리스트여야 한다. 받은 것: {_describe(cv_mse)}.",
        )
    if not _close(got, ref["cv"]):
        if np.ptp(got) <= 1e-9 * abs(got.mean()):
            en = (f"Your five CV MSEs are all {got[0]:.1f}: the folds did not change with the seed. "
                  "Pass shuffle=True, seed=s to kfold_splits.")
            ko = (f"다섯 CV MSE가 모두 {got[0]:.1f}이다. 시드를 바꿔도 폴드가 그대로였다. "
                  "kfold_splits에 shuffle=True, seed=s를 넘겨라.")
        elif _close(np.sort(got), np.sort(ref["folds_seed0"])):
            en = ("These are the five fold scores of one CV run. Each entry should be the mean over the five "
                  "folds of one seed (0, 1, 2, 3, 4).")
            ko = ("이 값은 CV 한 번의 폴드 점수 다섯 개다. "
                  "각 항목은 시드 하나(0, 1, 2, 3, 4)의 다섯 폴드 평균이어야 한다.")
        elif _close(got, ref["every_row"]):
            en = ("These are CV MSEs over all 442 rows. The exercise asks for the training part only: split "
                  "range(len(train_idx)) and index the rows through train_idx, as section 2 does.")
            ko = ("이 값은 442행 전체에 대한 CV MSE다. 이 문제는 학습 부분만 쓴다. range(len(train_idx))를 나누고 "
                  "2절처럼 train_idx를 거쳐 행을 고르라.")
        elif _close(got**2, ref["cv"]):
            en = "These look like root mean squared errors; the exercise asks for the MSE (no square root)."
            ko = "이 값은 RMSE로 보인다. 이 문제는 제곱근을 씌우지 않은 MSE를 묻는다."
        else:
            en = (f"Your CV MSEs span {got.min():.1f} … {got.max():.1f}; 5-fold CV of LinearRegression on the "
                  "training part with seeds 0–4 gives other values (checked to 1e-6 relative). Check k=5, "
                  "shuffle=True, seed=s, and that each fold is fitted on its own training rows.")
            ko = (f"CV MSE가 {got.min():.1f} … {got.max():.1f}에 있는데, 학습 부분에서 시드 0–4로 LinearRegression을 "
                  "5겹 교차검증하면 다른 값이 나온다(상대 오차 1e-6까지 확인). k=5, shuffle=True, seed=s, 그리고 "
                  "폴드마다 그 폴드의 학습 행으로 적합했는지 확인하라.")
        return not_yet(en, ko)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, np.integer, np.floating)):
        return not_yet(
            f"ratio should be one number, got {_describe(ratio)}.",
            f"ratio는 숫자 하나여야 한다. 받은 것: {_describe(ratio)}.",
        )
    expected = ref["ratio"]
    if abs(ratio - expected) > 0.05 * expected:
        if expected > 1 and abs(ratio * expected - 1) < 0.05:
            en = "Your ratio is upside down: divide the hold-out range by the CV range."
            ko = "ratio가 뒤집혔다. 홀드아웃 점수의 범위를 CV 범위로 나누어라."
        else:
            en = (f"ratio = {float(ratio):.3g} is more than 5% away from (max − min of the ten hold-out scores) / "
                  "(max − min of cv_mse). Use np.ptp or max() − min() on both lists.")
            ko = (f"ratio = {float(ratio):.3g}이(가) (홀드아웃 점수 열 개의 최댓값 − 최솟값) / (cv_mse의 최댓값 − "
                  "최솟값)에서 5% 넘게 벗어난다. 두 리스트 모두에 np.ptp나 max() − min()을 쓰라.")
        return not_yet(en, ko)
    return correct(
        f"The five 5-fold estimates span {np.ptp(got):.0f}, single hold-out splits {ref['holdout_range']:.0f}: "
        f"about {expected:.0f}× narrower. Averaging over five folds steadies the estimate against the choice "
        "of split (not against new data: the same 353 rows are reused).",
        f"5겹 추정값 다섯 개의 범위는 {np.ptp(got):.0f}, 홀드아웃 한 번의 점수 범위는 {ref['holdout_range']:.0f}로 "
        f"약 {expected:.0f}배 좁다. 다섯 폴드를 평균하면 분할 선택에 덜 흔들린다(같은 353행을 다시 쓰므로 새 "
        "데이터에 대해서까지 안정적이라는 뜻은 아니다).",
    )


def _reference_04_2() -> tuple[tuple, dict]:
    ref = _reference_04_2_values()
    return (list(ref["cv"]), ref["ratio"]), {}


register(Exercise(
    id="04.2",
    check=_check_04_2,
    hints={
        "en": [
            "Section 2's loop fits LinearRegression on one split; here every seed gives five splits: "
            "kfold_splits(len(train_idx), 5, shuffle=True, seed=s). The folds index train_idx, like "
            "holdout_split's parts do there.",
            "One CV MSE per seed is the mean of its five fold MSEs. The ten hold-out scores are still "
            "in the list `scores` of section 2.",
        ],
        "ko": [
            "2절의 반복문은 분할 하나에 LinearRegression을 적합한다. 여기서는 시드마다 분할이 다섯 개다: "
            "kfold_splits(len(train_idx), 5, shuffle=True, seed=s). 폴드는 2절의 holdout_split처럼 "
            "train_idx의 위치를 가리킨다.",
            "시드 하나의 CV MSE는 다섯 폴드 MSE의 평균이다. 홀드아웃 점수 열 개는 2절의 리스트 `scores`에 남아 있다.",
        ],
    },
    solution={
        "en": """cv_mse = []
for s in range(5):
    fold_mse = []
    for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=s):
        tr, va = train_idx[a], train_idx[b]
        fitted = LinearRegression().fit(X[tr], y[tr])
        fold_mse.append(np.mean((fitted.predict(X[va]) - y[va]) ** 2))
    cv_mse.append(np.mean(fold_mse))
ratio = (max(scores) - min(scores)) / (max(cv_mse) - min(cv_mse))
check("04.2", cv_mse, ratio)

A single hold-out score depends on which 89 rows happen to be validated; a 5-fold estimate
averages five fold scores and validates every row once, so reshuffling moves it about ten times
less. (Scaling the features does not change least squares' predictions, so it is left out here.)""",
        "ko": """cv_mse = []
for s in range(5):
    fold_mse = []
    for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=s):
        tr, va = train_idx[a], train_idx[b]
        fitted = LinearRegression().fit(X[tr], y[tr])
        fold_mse.append(np.mean((fitted.predict(X[va]) - y[va]) ** 2))
    cv_mse.append(np.mean(fold_mse))
ratio = (max(scores) - min(scores)) / (max(cv_mse) - min(cv_mse))
check("04.2", cv_mse, ratio)

홀드아웃 점수 하나는 어느 89행이 검증에 뽑혔는지에 달려 있다. 5겹 추정값은 폴드 점수 다섯 개를 평균하고 모든 행을
한 번씩 검증하므로, 다시 섞어도 약 10분의 1만큼만 움직인다. (특성을 표준화해도 최소제곱의 예측은 바뀌지 않으므로
여기서는 생략했다.)""",
    },
    reference=_reference_04_2,
))


# --------------------------------------------------------------------------- 04.3 weight decay by CV


def _five() -> list[tuple[np.ndarray, np.ndarray]]:
    _, _, train_idx, _ = _diabetes()
    return [(train_idx[a], train_idx[b]) for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=0)]


@functools.cache
def _cv_04_3(weight_decay: float, hidden: int = 64, every_row: bool = False) -> CVResult:
    X, y, _, _ = _diabetes()
    splits = list(kfold_splits(len(X), 5, shuffle=True, seed=0)) if every_row else _five()
    return _float64(lambda: cross_validate(lambda: _small_mlp(hidden), X, y, splits,
                                           weight_decay=weight_decay, **TRAIN_CFG))


def _check_04_3(cv_mse: Any, best_wd: Any) -> Feedback:
    got = _numbers(cv_mse, len(DECAYS_04_3))
    if got is None:
        return not_yet(
            f"cv_mse should be a list of four numbers, one CV MSE per weight decay in {list(DECAYS_04_3)}, "
            f"got {_describe(cv_mse)}.",
            f"cv_mse는 {list(DECAYS_04_3)}의 weight decay마다 CV MSE 하나씩, 숫자 네 개의 리스트여야 한다. "
            f"받은 것: {_describe(cv_mse)}.",
        )
    if np.ptp(got) <= 1e-9 * abs(got.mean()):
        return not_yet(
            f"All four CV MSEs are {got[0]:.1f}: the weight decay had no effect. Pass weight_decay=wd to "
            "cross_validate.",
            f"CV MSE 네 개가 모두 {got[0]:.1f}이다. weight decay가 아무 효과가 없었다. cross_validate에 "
            "weight_decay=wd를 넘겨라.",
        )
    if not _close(got[0], _cv_04_3(0).mean):
        if _close(got[0], _cv_04_3(0, hidden=8).mean):
            en = "cv_mse[0] is the CV MSE of small_mlp() with 8 hidden units; the exercise asks for small_mlp(64)."
            ko = "cv_mse[0]은 은닉 유닛 8개인 small_mlp()의 CV MSE다. 이 문제는 small_mlp(64)를 묻는다."
        elif _close(got[0], _cv_04_3(0, every_row=True).mean):
            en = ("cv_mse[0] comes from folds over all 442 rows. Use the folds `five` of the training part, "
                  "as in the section on model selection: the test rows must stay unseen.")
            ko = ("cv_mse[0]은 442행 전체를 나눈 폴드에서 나왔다. 모델 선택 절처럼 학습 부분의 폴드 `five`를 쓰라. "
                  "테스트 행은 보지 않은 채로 남아야 한다.")
        else:
            en = (f"cv_mse[0] (weight decay 0) is {got[0]:.1f}, but with no weight decay the result must equal "
                  "the CV MSE that the model-selection section printed for hidden 64. Use small_mlp(64), the "
                  "folds `five` and **train_cfg.")
            ko = (f"cv_mse[0](weight decay 0)이 {got[0]:.1f}이다. weight decay가 0이면 모델 선택 절에서 hidden 64에 "
                  "대해 출력한 CV MSE와 같아야 한다. small_mlp(64), 폴드 `five`, **train_cfg를 쓰라.")
        return not_yet(en, ko)
    expected = np.array([_cv_04_3(wd).mean for wd in DECAYS_04_3])
    if not _close(got, expected):
        if _close(np.sort(got), np.sort(expected)):
            en = f"These are the right numbers in another order: list them for weight decay {list(DECAYS_04_3)}."
            ko = f"숫자는 맞지만 순서가 다르다. weight decay {list(DECAYS_04_3)} 순서로 적어라."
        else:
            wrong = [f"{wd:g}" for wd, g, e in zip(DECAYS_04_3, got, expected) if not _close(g, e)]
            en = (f"The entries for weight decay {', '.join(wrong)} differ from 5-fold CV of small_mlp(64) with "
                  "that weight decay (checked to 1e-6 relative). Is each entry the .mean of its own CVResult?")
            ko = (f"weight decay {', '.join(wrong)}의 항목이 그 weight decay로 small_mlp(64)를 5겹 교차검증한 값과 "
                  "다르다(상대 오차 1e-6까지 확인). 각 항목이 자기 CVResult의 .mean인지 확인하라.")
        return not_yet(en, ko)
    lowest = DECAYS_04_3[int(np.argmin(expected))]
    if isinstance(best_wd, bool) or not isinstance(best_wd, (int, float, np.integer, np.floating)):
        return not_yet(
            f"best_wd should be one weight decay value, got {_describe(best_wd)}.",
            f"best_wd는 weight decay 값 하나여야 한다. 받은 것: {_describe(best_wd)}.",
        )
    if not np.isclose(best_wd, lowest, rtol=1e-9, atol=0):
        if best_wd == DECAYS_04_3[int(np.argmax(expected))]:
            en = f"Weight decay {best_wd:g} has the highest CV MSE, not the lowest."
            ko = f"weight decay {best_wd:g}은(는) CV MSE가 가장 낮은 값이 아니라 가장 높은 값이다."
        elif isinstance(best_wd, (int, np.integer)) and 0 <= best_wd < len(DECAYS_04_3) \
                and DECAYS_04_3[best_wd] == lowest:
            en = "best_wd looks like a position in the list; give the weight decay itself."
            ko = "best_wd가 리스트의 위치로 보인다. weight decay 값 자체를 적어라."
        else:
            en = f"best_wd = {best_wd:g} is not the weight decay with the lowest CV MSE in your cv_mse."
            ko = f"best_wd = {best_wd:g}은(는) cv_mse에서 CV MSE가 가장 낮은 weight decay가 아니다."
        return not_yet(en, ko)
    best, none = _cv_04_3(lowest), _cv_04_3(0)
    se = np.std(best.scores, ddof=1) / np.sqrt(best.k)
    gap = none.mean - best.mean
    verdict_en = "less than" if gap < se else "more than"
    verdict_ko = "보다 작다" if gap < se else "보다 크다"
    return correct(
        f"Weight decay {lowest:g} has the lowest CV MSE ({best.mean:.0f}), {gap:.0f} below no decay, "
        f"{verdict_en} one standard error ({se:.0f}); weight decay 1 is clearly too strong "
        f"({_cv_04_3(1).mean:.0f}).",
        f"weight decay {lowest:g}의 CV MSE({best.mean:.0f})가 가장 낮다. 감쇠가 없을 때보다 {gap:.0f} 낮은데, "
        f"이는 표준오차 하나({se:.0f}){verdict_ko}. weight decay 1은 분명히 너무 강하다({_cv_04_3(1).mean:.0f}).",
    )


def _reference_04_3() -> tuple[tuple, dict]:
    cv_mse = [_cv_04_3(wd).mean for wd in DECAYS_04_3]
    return (cv_mse, DECAYS_04_3[int(np.argmin(cv_mse))]), {}


register(Exercise(
    id="04.3",
    check=_check_04_3,
    hints={
        "en": [
            "The model-selection section already has what you need: the folds `five`, `train_cfg`, and "
            "cross_validate(lambda: small_mlp(64), X, y, five, **train_cfg). cross_validate takes weight_decay=...",
            "cv_mse holds the .mean of each CVResult, in the order of `decays`; best_wd is the entry of `decays` "
            "at the smallest of them.",
        ],
        "ko": [
            "필요한 것은 모델 선택 절에 이미 있다: 폴드 `five`, `train_cfg`, 그리고 "
            "cross_validate(lambda: small_mlp(64), X, y, five, **train_cfg). "
            "cross_validate는 weight_decay=...를 받는다.",
            "cv_mse에는 각 CVResult의 .mean을 `decays` 순서대로 담는다. best_wd는 그중 가장 작은 값에 해당하는 "
            "`decays`의 원소다.",
        ],
    },
    solution={
        "en": """by_decay = {wd: cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **train_cfg)
            for wd in decays}
cv_mse = [by_decay[wd].mean for wd in decays]
best_wd = decays[int(np.argmin(cv_mse))]
check("04.3", cv_mse, best_wd)

Weight decay 0.1 gives the lowest CV MSE, and weight decay 1 is far worse: so strong a penalty
underfits. But 0.1 beats no decay, and the best hidden size (16), by less than one standard error
of the fold scores, and those errors are already too narrow: CV does not show that it is better.
By the one-standard-error rule the simplest model is the one with the most decay within one standard
error of the best, which here is 0.1 itself.""",
        "ko": """by_decay = {wd: cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **train_cfg)
            for wd in decays}
cv_mse = [by_decay[wd].mean for wd in decays]
best_wd = decays[int(np.argmin(cv_mse))]
check("04.3", cv_mse, best_wd)

weight decay 0.1의 CV MSE가 가장 낮고, weight decay 1은 훨씬 나쁘다. 벌점이 그렇게 강하면 과소적합(underfitting)이
된다. 그러나 0.1이 감쇠 없음이나 가장 좋은 은닉 크기(16)보다 낮은 폭은 폴드 점수의 표준오차 하나보다 작고, 그
표준오차마저 너무 좁다. 교차검증은 0.1이 더 낫다는 것을 보여 주지 못한다. 1-표준오차 규칙(one-standard-error rule)으로는
최적에서 표준오차 하나 안에 드는 것 가운데 감쇠가 가장 큰, 즉 가장 단순한 모델을 고르는데, 여기서는 0.1 자신이다.""",
    },
    reference=_reference_04_3,
))


# --------------------------------------------------------------------------- 04.4 LOOCV from one fit


@functools.cache
def _data_04_4() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(4)
    sets = []
    for n, d in ((12, 3), (40, 5)):
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(size=d)
        y = X @ rng.normal(size=d) + 2.0 + rng.normal(size=n)
        sets.append((X, y))
    return sets


def _brute_loo(X: np.ndarray, y: np.ndarray, intercept: bool = True) -> np.ndarray:
    """Return y_i minus the prediction of least squares refitted without row i, for every row."""
    A = np.column_stack([np.ones(len(X)), X]) if intercept else X
    out = np.empty(len(X))
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        coef, *_ = np.linalg.lstsq(A[keep], y[keep], rcond=None)
        out[i] = y[i] - A[i] @ coef
    return out


def _residuals_and_leverage(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    A = np.column_stack([np.ones(len(X)), X])
    H = A @ np.linalg.solve(A.T @ A, A.T)
    return y - H @ y, np.diag(H)


def _check_04_4(loo_residuals: Any) -> Feedback:
    if not callable(loo_residuals):
        return not_yet(
            f"Pass the function itself, loo_residuals (without parentheses), got {_describe(loo_residuals)}.",
            f"함수 자체를 괄호 없이 loo_residuals로 넘겨라. 받은 것: {_describe(loo_residuals)}.",
        )
    for X, y in _data_04_4():
        shape = f"X of shape {X.shape} and y of shape {y.shape}"
        shape_ko = f"모양이 {X.shape}인 X와 {y.shape}인 y"
        result = loo_residuals(X.copy(), y.copy())
        if result is Ellipsis:
            return not_attempted("04.4")
        try:
            got = np.asarray(result.detach() if isinstance(result, torch.Tensor) else result, dtype=np.float64)
        except (TypeError, ValueError):
            got = None
        if got is None or got.shape != (len(X),):
            if result is None:
                seen = "nothing (None)"
            elif got is None:
                seen = _describe(result)
            elif got.shape == (len(X), len(X)):
                seen = f"shape {got.shape} (an (n,) array combined with an (n, 1) array broadcasts to (n, n))"
            else:
                seen = f"shape {got.shape}"
            return not_yet(
                f"On {shape} your function returned {seen}; it should return a 1-D array of {len(X)} residuals, "
                "one per row.",
                f"{shape_ko}에 대해 함수가 {seen}을(를) 돌려주었다. 행마다 잔차 하나, 길이 {len(X)}인 1차원 배열을 "
                "돌려주어야 한다.",
            )
        brute = _brute_loo(X, y)
        scale = np.abs(brute).max()
        if np.abs(got - brute).max() < 1e-8 * scale:
            continue
        e, h = _residuals_and_leverage(X, y)

        def close(candidate: np.ndarray, got: np.ndarray = got, scale: float = scale) -> bool:
            return bool(np.abs(got - candidate).max() < 1e-8 * scale)

        if close(-brute):
            en, ko = ("The signs are flipped: the residual is y_i minus the prediction.",
                      "부호가 반대다. 잔차는 y_i에서 예측값을 뺀 것이다.")
        elif close(e):
            en, ko = ("These are the ordinary residuals e_i of the fit on all rows; the leave-one-out residual is "
                      "larger for rows with high leverage h_ii.",
                      "이 값은 모든 행으로 적합한 보통의 잔차 e_i다. "
                      "한 행을 뺀 잔차는 지렛값(leverage) h_ii가 큰 행에서 더 크다.")
        elif close(_brute_loo(X, y, intercept=False)):
            en, ko = ("These are leave-one-out residuals of a line through the origin: add a column of ones to X "
                      "for the intercept.",
                      "이 값은 원점을 지나는 모형의 LOOCV 잔차다. 절편을 위해 X에 1로 된 열을 더하라.")
        elif close(e / (1 - h) ** 2):
            en, ko = ("You divided by (1 − h_ii) twice; once is enough.",
                      "(1 − h_ii)로 두 번 나누었다. 한 번이면 된다.")
        elif close(e * (1 - h)) or close(e / h):
            en, ko = ("The residuals e_i are right, but the factor is not: work out which factor of h_ii "
                      "Sherman–Morrison gives.",
                      "e_i는 맞지만 곱하는 인수가 틀렸다. "
                      "Sherman–Morrison 공식이 h_ii의 어떤 인수를 주는지 유도해 보라.")
        else:
            worst = int(np.argmax(np.abs(got - brute)))
            en = (f"On {shape}, row {worst} differs from the brute-force refit by {abs(got - brute)[worst]:.3g}. "
                  "Check the hat matrix H = A (AᵀA)⁻¹ Aᵀ and its diagonal h_ii.")
            ko = (f"{shape_ko}에서 {worst}번 행이 다시 적합한 값과 {abs(got - brute)[worst]:.3g}만큼 다르다. "
                  "모자 행렬(hat matrix) H = A (AᵀA)⁻¹ Aᵀ와 그 대각 원소 h_ii를 확인하라.")
        return not_yet(en, ko)
    n = sum(len(X) for X, _ in _data_04_4())
    return correct(
        f"Your residuals match {n} brute-force refits on two data sets (max |diff| < 1e-8 of the largest): "
        "one fit gives every leave-one-out residual.",
        f"잔차가 두 데이터 세트에서 {n}번 다시 적합한 값과 일치한다(최대 차이 < 가장 큰 값의 1e-8). "
        "적합 한 번으로 모든 LOOCV 잔차를 얻는다.",
    )


def _solution_loo(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    A = np.column_stack([np.ones(len(X)), X])
    H = A @ np.linalg.inv(A.T @ A) @ A.T
    e = y - H @ y
    return e / (1 - np.diag(H))


_DERIVATION_EN = """Why: write G = AᵀA. Without row i the normal matrix is G − a_i a_iᵀ and, by Sherman–Morrison,
(G − a_i a_iᵀ)⁻¹ = G⁻¹ + G⁻¹ a_i a_iᵀ G⁻¹ / (1 − h_ii), with h_ii = a_iᵀ G⁻¹ a_i. The coefficients
without row i are β₍₋ᵢ₎ = β − G⁻¹ a_i e_i / (1 − h_ii), so the prediction for row i is
a_iᵀ β₍₋ᵢ₎ = ŷ_i − h_ii e_i / (1 − h_ii), and y_i − a_iᵀ β₍₋ᵢ₎ = e_i + h_ii e_i / (1 − h_ii) = e_i / (1 − h_ii)."""

_DERIVATION_KO = """이유: G = AᵀA라 하자. 행 i를 빼면 정규방정식의 행렬은 G − a_i a_iᵀ이고, Sherman–Morrison 공식에 따라
(G − a_i a_iᵀ)⁻¹ = G⁻¹ + G⁻¹ a_i a_iᵀ G⁻¹ / (1 − h_ii)이다(h_ii = a_iᵀ G⁻¹ a_i). 행 i 없이 구한 계수는
β₍₋ᵢ₎ = β − G⁻¹ a_i e_i / (1 − h_ii)이므로 행 i의 예측은 a_iᵀ β₍₋ᵢ₎ = ŷ_i − h_ii e_i / (1 − h_ii)이고,
y_i − a_iᵀ β₍₋ᵢ₎ = e_i + h_ii e_i / (1 − h_ii) = e_i / (1 − h_ii)이다."""

_SOLUTION_CODE = """def loo_residuals(X, y):
    A = np.column_stack([np.ones(len(X)), X])  # features plus a column of ones
    H = A @ np.linalg.inv(A.T @ A) @ A.T  # hat matrix: predictions = H @ y
    e = y - H @ y  # residuals of the fit on all rows
    return e / (1 - np.diag(H))


check("04.4", loo_residuals)
"""

register(Exercise(
    id="04.4",
    check=_check_04_4,
    hints={
        "en": [
            "A = np.column_stack([np.ones(len(X)), X]); the hat matrix H maps y to the fitted values, "
            "so e = y − H @ y, and h_ii is np.diag(H).",
            "On paper: the coefficients without row i solve (AᵀA − a_i a_iᵀ) β = Aᵀy − a_i y_i. "
            "Sherman–Morrison inverts AᵀA − a_i a_iᵀ from (AᵀA)⁻¹.",
        ],
        "ko": [
            "A = np.column_stack([np.ones(len(X)), X]). 모자 행렬 H는 y를 적합값으로 보내므로 e = y − H @ y이고, "
            "h_ii는 np.diag(H)다.",
            "종이 위에서: 행 i 없이 구한 계수는 (AᵀA − a_i a_iᵀ) β = Aᵀy − a_i y_i를 푼다. "
            "Sherman–Morrison 공식은 (AᵀA)⁻¹로부터 AᵀA − a_i a_iᵀ의 역행렬을 준다.",
        ],
    },
    solution={"en": _SOLUTION_CODE + "\n" + _DERIVATION_EN, "ko": _SOLUTION_CODE + "\n" + _DERIVATION_KO},
    reference=lambda: ((_solution_loo,), {}),
))
