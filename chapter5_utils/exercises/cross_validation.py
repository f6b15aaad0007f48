"""Exercises of notebook 04 · cross-validation.

04.1 weight decay against overfitting, 04.2 how steady K-fold is next to hold-out (the fold mean or
the pooled MSE, with ``kfold_splits`` or scikit-learn's ``KFold``), 04.3 choosing the weight decay by
K-fold and the one-standard-error rule, then one final test, 04.4 leave-one-out residuals of least
squares from one fit (no refits, no scikit-learn, not the notebook's ``loocv_residuals_linear``: the
check watches the calls), 04.5 forward splits for time-ordered data, written by hand and checked
against scikit-learn's ``TimeSeriesSplit``, and the error they estimate.

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
    NotYet,
    as_numbers,
    correct,
    describe,
    learner_code,
    not_attempted,
    precision,
    read_int,
    read_number,
    read_numbers,
    register,
    same_setting,
    show,
    watch_calls,
)
from chapter5_utils.exercises.korean import attach as josa
from chapter5_utils.training import History, fit

TRAIN_CFG = dict(lr=0.05, epochs=20, batch_size=64)  # the notebook's train_cfg
DECAYS_04_1 = (1e-2, 1e-1)
DECAYS_04_3 = (0, 1e-2, 1e-1, 0.3, 1)


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
        with torch.enable_grad():
            return fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=epochs,
                       X_val=Xv, y_val=yv, seed=0)

    return _float64(run)


def _close(a: Any, b: Any, rtol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(b)))


def _solution(code: str, en: str, ko: str) -> dict[str, str]:
    return {"en": code + "\n" + en, "ko": code + "\n" + ko}


# --------------------------------------------------------------------------- 04.1 weight decay


PREFIX = 3  # epochs the check trains to recognise a run


@functools.cache
def _prefix(weight_decay: float) -> tuple[float, ...]:
    return tuple(_train_big(weight_decay, PREFIX).val_loss)


def _check_run(wd: float, run: Any) -> np.ndarray:
    """Return the validation losses of ``run``, or raise NotYet if it is not the 60-epoch History of ``wd``."""
    losses = getattr(run, "val_loss", None)
    if not isinstance(losses, list) or not losses:
        raise NotYet(
            f"runs[{show(wd, 'g')}] should be the History that train_big returns (with .val_loss), got "
            f"{describe(run)}.",
            f"runs[{show(wd, 'g')}]에는 train_big이 돌려주는 History(.val_loss가 있는 객체)가 와야 한다. "
            f"받은 것: {describe(run, 'ko')}.",
        )
    values = read_numbers(f"runs[{show(wd, 'g')}].val_loss", losses)
    if len(values) != 60:
        raise NotYet(
            f"runs[{show(wd, 'g')}] has {len(values)} epochs, not 60: did you pass patience? Train the full 60 "
            "epochs here, without early stopping, to see whether the validation loss turns up.",
            f"runs[{show(wd, 'g')}]의 에포크는 60개가 아니라 {len(values)}개다. patience를 넘기지 않았는가? 검증 "
            "손실이 다시 오르는지 보려면 여기서는 조기 종료 없이 60 에포크를 모두 학습하라.",
        )
    head = values[:PREFIX]
    if _close(head, _prefix(wd), rtol=1e-7):
        return values
    if _close(head, _prefix(0.0), rtol=1e-7):
        raise NotYet(
            f"runs[{show(wd, 'g')}] is the run without weight decay: its validation losses equal section 1's. "
            "Does train_big pass its weight_decay to torch.optim.Adam?",
            f"{josa('runs[' + show(wd, 'g') + ']', '은/는')} 가중치 감쇠 없이 학습한 결과다. 검증 손실이 1절과 같다. "
            "train_big이 weight_decay를 torch.optim.Adam에 넘기는지 확인하라.",
        )
    other = [w for w in DECAYS_04_1 if w != wd][0]
    if _close(head, _prefix(other), rtol=1e-7):
        raise NotYet(
            f"runs[{show(wd, 'g')}] is the run with weight decay {show(other, 'g')}: the two entries are swapped.",
            f"{josa('runs[' + show(wd, 'g') + ']', '은/는')} 가중치 감쇠 {josa(show(other, 'g'), '으로/로')} "
            "학습한 결과다. 두 항목이 뒤바뀌었다.",
        )
    shown = ", ".join(show(v, ".4f") for v in head)
    raise NotYet(
        f"The first validation losses of runs[{show(wd, 'g')}] ({shown}) are not those of train_big with "
        f"Adam(lr=1e-3, weight_decay={show(wd, 'g')}). Keep everything else as in section 1: big_mlp, set_seed(0), "
        "lr=1e-3, the same data and fit(..., seed=0).",
        f"runs[{show(wd, 'g')}]의 처음 검증 손실({shown})이 "
        f"{josa('Adam(lr=1e-3, weight_decay=' + show(wd, 'g') + ')', '으로/로')} 학습한 train_big의 값과 "
        "다르다. 나머지는 1절 그대로 두어라: big_mlp, set_seed(0), lr=1e-3, 같은 데이터와 "
        "fit(..., seed=0).",
    )


def _decay_dict(name: str, value: Any) -> dict[float, Any]:
    if isinstance(value, dict):
        keys = {}
        for key, item in value.items():
            number = as_numbers(key)
            if number is not None and number.size == 1 and np.isfinite(number[0]):
                keys[float(number[0])] = item
        if len(keys) == len(value) and all(any(same_setting(k, wd) for k in keys) for wd in DECAYS_04_1) \
                and len(keys) == len(DECAYS_04_1):
            return {wd: next(v for k, v in keys.items() if same_setting(k, wd)) for wd in DECAYS_04_1}
    raise NotYet(
        f"`{name}` should be a dict with the keys 1e-2 and 1e-1 (one entry per weight decay), got {describe(value)}.",
        f"`{name}`에는 키가 1e-2와 1e-1인 딕셔너리(가중치 감쇠마다 한 항목)가 와야 한다. 받은 것: "
        f"{describe(value, 'ko')}.",
    )


def _check_04_1(runs: Any, best_epoch: Any) -> Feedback:
    runs = _decay_dict("runs", runs)
    best_epoch = _decay_dict("best_epoch", best_epoch)
    summary_en, summary_ko = [], []
    for wd in DECAYS_04_1:
        losses = _check_run(wd, runs[wd])
        lowest = int(np.argmin(losses)) + 1
        wd_text = show(wd, "g")
        answer = read_int(f"best_epoch[{wd_text}]", best_epoch[wd])
        if answer == lowest - 1:
            raise NotYet(
                f"best_epoch[{wd_text}] = {answer} is one too small: count epochs from 1 (history.best_epoch counts "
                "from 0).",
                f"best_epoch[{wd_text}] = {josa(answer, '은/는')} 하나 작다. 에포크는 1부터 센다"
                "(history.best_epoch는 0부터 센다).",
            )
        if answer != lowest:
            if 1 <= answer <= 60:
                loss = show(losses[answer - 1], ".4f")
                where_en = f"at epoch {answer} the validation loss is {loss}, and it is lower elsewhere"
                where_ko = f"{answer}번째 에포크의 검증 손실({loss})보다 더 낮은 에포크가 있다"
            else:
                where_en, where_ko = "there is no such epoch in a 60-epoch run", "60 에포크 학습에는 그런 에포크가 없다"
            raise NotYet(
                f"best_epoch[{wd_text}] = {answer}, but {where_en}. Look for the smallest entry of "
                f"runs[{wd_text}].val_loss (epochs counted from 1).",
                f"best_epoch[{wd_text}] = {answer}이지만 {where_ko}. runs[{wd_text}].val_loss에서 가장 작은 값을 "
                "찾아라(에포크는 1부터 센다).",
            )
        rise = losses[-1] - losses.min()
        low, last = show(losses.min(), ".3f"), show(losses[-1], ".3f")
        summary_en.append(f"With {wd_text} the validation loss is lowest at epoch {lowest} ({low}) and "
                          f"{'climbs to' if rise > 0.05 else 'stays near it, at'} {last} by epoch 60")
        end_ko = f"{last}까지 오른다" if rise > 0.05 else f"{josa(last, '으로/로')} 거의 그대로다"
        summary_ko.append(f"{josa(wd_text, '이면/면')} 검증 손실이 {lowest}번째 에포크에서 가장 낮고({low}) 60번째 "
                          f"에포크에는 {end_ko}")
    return correct(
        ". ".join(summary_en) + ". A weak penalty only slows the overfit; a strong enough one prevents it.",
        ". ".join(summary_ko) + ". 약한 규제는 과적합을 늦출 뿐이고, 충분히 강한 규제는 과적합을 막는다.",
    )


def _reference_04_1() -> tuple[tuple, dict]:
    runs = {wd: _train_big(wd, 60) for wd in DECAYS_04_1}
    best_epoch = {wd: run.best_epoch + 1 for wd, run in runs.items()}
    return (runs, best_epoch), {}


_CODE_04_1 = """\
def train_big(patience=None, weight_decay=0.0):
    set_seed(0)
    model = big_mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay)
    return fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=60,
               X_val=Xv, y_val=yv, seed=0, patience=patience)


runs = {wd: train_big(weight_decay=wd) for wd in (1e-2, 1e-1)}
best_epoch = {wd: run.best_epoch + 1 for wd, run in runs.items()}
check("04.1", runs, best_epoch)
"""

register(Exercise(
    id="04.1",
    check=_check_04_1,
    hints={
        "en": [
            "The optimizer is built inside train_big, so that is where the weight decay must go in.",
            "Give train_big a parameter weight_decay=0.0 and pass it on: torch.optim.Adam(model.parameters(), "
            "lr=1e-3, weight_decay=weight_decay). Call it without patience, so that all 60 epochs run.",
            "A History's val_loss is a list with one loss per epoch; its index starts at 0, the epoch number at 1.",
        ],
        "ko": [
            "옵티마이저는 train_big 안에서 만들어진다. 그러니 가중치 감쇠도 거기에 넣어야 한다.",
            "train_big에 weight_decay=0.0 인자를 더하고 torch.optim.Adam(model.parameters(), lr=1e-3, "
            "weight_decay=weight_decay)로 넘겨라. 60 에포크를 모두 돌도록 patience 없이 호출하라.",
            "History의 val_loss는 에포크마다 손실 하나가 든 리스트다. 인덱스는 0부터, 에포크 번호는 1부터 시작한다.",
        ],
    },
    solution=_solution(
        _CODE_04_1,
        "Weight decay adds weight_decay × w to every gradient, which pulls the weights toward 0. With 1e-2 the "
        "pull is too weak: the validation loss still bottoms out at epoch 9 and turns up, only more slowly, and "
        "early stopping (patience=15) stops after 24 epochs, as without decay. With 1e-1 the validation loss keeps "
        "edging down until epoch 41, stays nearly flat to epoch 60 and ends below the best of section 1's "
        "early-stopped run; early stopping runs to epoch 56. A penalty strong enough prevents overfitting, where "
        "validation alone only measures it.",
        "가중치 감쇠는 모든 기울기에 weight_decay × w를 더해 가중치를 0 쪽으로 당긴다. 1e-2는 그 힘이 너무 약하다. "
        "검증 손실은 여전히 9번째 에포크에서 가장 낮고 다시 오르며, 오르는 속도만 느려진다. 조기 종료"
        "(patience=15)도 감쇠가 없을 때처럼 24 에포크 뒤에 멈춘다. 1e-1이면 검증 손실이 41번째 에포크까지 조금씩 "
        "내려가고 60번째 에포크까지 거의 평평하며, 1절에서 조기 종료한 실행의 최저값보다 낮게 끝난다. 조기 종료는 "
        "56번째 에포크까지 간다. 충분히 강한 규제는 과적합을 막는다. 검증은 과적합을 잴 뿐이다.",
    ),
    reference=_reference_04_1,
    task=(
        "Give `train_big` a `weight_decay` argument and pass it to `torch.optim.Adam`. Train 60 epochs, without "
        "early stopping, with weight decay `1e-2` and with `1e-1`. Put the two histories in `runs` and, for each, "
        "the epoch (counted from 1) with the lowest validation loss in `best_epoch`. Does the validation loss still "
        "turn up? Then try `patience=15` with each: when does early stopping stop?"
    ),
))


# --------------------------------------------------------------------------- 04.2 K-fold vs hold-out


def _mse_linear(X: np.ndarray, y: np.ndarray, train: np.ndarray, val: np.ndarray) -> tuple[float, float]:
    """Return (validation MSE, validation sum of squared errors) of least squares fitted on ``train``."""
    A = np.column_stack([np.ones(len(X)), X])
    coef, *_ = np.linalg.lstsq(A[train], y[train], rcond=None)
    errors = (A[val] @ coef - y[val]) ** 2
    return float(np.mean(errors)), float(np.sum(errors))


def _folds(n: int, seed: int, splitter: str) -> list[tuple[np.ndarray, np.ndarray]]:
    if splitter == "kfold_splits":
        return list(kfold_splits(n, 5, shuffle=True, seed=seed))
    from sklearn.model_selection import KFold

    return list(KFold(n_splits=5, shuffle=True, random_state=seed).split(np.zeros(n)))


def _cv_linear(rows: np.ndarray, seed: int, splitter: str = "kfold_splits") -> tuple[list[float], float]:
    """Return (fold MSEs, pooled MSE) of 5-fold CV of least squares over ``rows``."""
    X, y, _, _ = _diabetes()
    results = [_mse_linear(X, y[:, 0], rows[a], rows[b]) for a, b in _folds(len(rows), seed, splitter)]
    return [r[0] for r in results], sum(r[1] for r in results) / len(rows)


@functools.cache
def _reference_04_2_values() -> dict[str, Any]:
    X, y, train_idx, _ = _diabetes()
    holdout = []
    for seed in range(10):
        tr, va = holdout_split(len(train_idx), 0.25, seed=seed)
        holdout.append(_mse_linear(X, y[:, 0], train_idx[tr], train_idx[va])[0])
    accepted = {}
    for splitter in ("kfold_splits", "KFold"):
        runs = [_cv_linear(train_idx, s, splitter) for s in range(5)]
        accepted[(splitter, "mean")] = np.array([np.mean(folds) for folds, _ in runs])
        accepted[(splitter, "pooled")] = np.array([pooled for _, pooled in runs])
    every_row = np.array([np.mean(_cv_linear(np.arange(len(X)), s)[0]) for s in range(5)])
    return {"accepted": accepted, "holdout_range": float(np.ptp(holdout)), "every_row": every_row,
            "folds_seed0": np.array(_cv_linear(train_idx, 0)[0])}


_DEFINITIONS = {
    ("kfold_splits", "mean"): ("the mean of the fold MSEs, kfold_splits folds", "폴드 MSE의 평균, kfold_splits 폴드"),
    ("kfold_splits", "pooled"): ("the pooled MSE, kfold_splits folds", "합친 MSE, kfold_splits 폴드"),
    ("KFold", "mean"): ("the mean of the fold MSEs, KFold folds", "폴드 MSE의 평균, KFold 폴드"),
    ("KFold", "pooled"): ("the pooled MSE, KFold folds", "합친 MSE, KFold 폴드"),
}


def _check_04_2(cv_mse: Any, ratio: Any) -> Feedback:
    ref = _reference_04_2_values()
    got = read_numbers("cv_mse", cv_mse, length=5)
    rtol = max(1e-6, 100 * precision(cv_mse))
    matched = [key for key, values in ref["accepted"].items() if _close(got, values, rtol)]
    if not matched:
        first = ref["accepted"][("kfold_splits", "mean")]
        if not np.ptp(got) > 1e-9 * abs(got.mean()):
            en = (f"Your five CV MSEs are all {show(got[0], '.1f')}: the folds did not change with the seed. Pass "
                  "shuffle=True, seed=s to kfold_splits (or shuffle=True, random_state=s to KFold).")
            ko = (f"CV MSE 다섯 개가 모두 {josa(show(got[0], '.1f'), '이다/다')}. 시드를 바꿔도 폴드가 그대로였다. "
                  "kfold_splits에 shuffle=True, seed=s를(KFold라면 shuffle=True, random_state=s를) 넘겨라.")
        elif _close(np.sort(got), np.sort(ref["folds_seed0"])):
            en = ("These are the five fold scores of one CV run. Each entry should be one seed's CV MSE (seeds 0, "
                  "1, 2, 3, 4).")
            ko = ("이 값은 교차검증 한 번에서 나온 폴드 점수 다섯 개다. 각 항목은 시드(0, 1, 2, 3, 4) 하나의 "
                  "CV MSE여야 한다.")
        elif _close(got, ref["every_row"]):
            en = ("These are CV MSEs over all 442 rows. The exercise asks for the training part only: split "
                  "range(len(train_idx)) and index the rows through train_idx, as section 2 does.")
            ko = ("이 값은 442행 전체로 구한 CV MSE다. 이 문제는 학습 부분만 쓴다. range(len(train_idx))를 나누고 "
                  "2절처럼 train_idx로 행을 골라라.")
        elif _close(got**2, first) or any(_close(got**2, v) for v in ref["accepted"].values()):
            en = "These look like root mean squared errors; the exercise asks for the MSE (no square root)."
            ko = "이 값은 RMSE로 보인다. 이 문제는 제곱근을 씌우지 않은 MSE를 묻는다."
        else:
            low, high = show(got.min(), ".1f"), show(got.max(), ".1f")
            en = (f"Your CV MSEs span {low} … {high}; 5-fold CV of least squares on the training part with seeds 0–4 "
                  "gives other values (checked to 1e-6 relative). Check k=5, shuffle=True with seed s, and that each "
                  "fold is fitted on its own training rows.")
            ko = (f"CV MSE가 {low} … {high}에 걸쳐 있는데, 학습 부분에서 시드 0–4로 최소제곱을 5겹 교차검증하면 다른 "
                  "값이 나온다(상대 오차 1e-6까지 확인). k=5인지, shuffle=True와 시드 s를 썼는지, 폴드마다 그 폴드의 "
                  "학습 행으로 적합했는지 확인하라.")
        raise NotYet(en, ko)
    value = read_number("ratio", ratio)
    holdout = ref["holdout_range"]
    expected = holdout / float(np.ptp(got))
    if not abs(value - expected) <= 1e-3 * expected:
        if abs(value * expected - 1) < 1e-2:
            en = "Your ratio is upside down: divide the hold-out range by the CV range."
            ko = "`ratio`의 분자와 분모가 뒤바뀌었다. 홀드아웃 점수의 범위를 CV 범위로 나누어라."
        else:
            shown = f"`ratio = {show(value, '.4g')}`"
            en = (f"ratio = {show(value, '.4g')} is not (max − min of the ten hold-out scores) / (max − min of your "
                  f"cv_mse) = {show(expected, '.4g')}. Use np.ptp or max() − min() on both lists.")
            ko = (f"{josa(shown, '은/는')} (홀드아웃 점수 열 개의 최댓값 − 최솟값) / (여러분의 "
                  f"cv_mse의 최댓값 − 최솟값) = {josa(show(expected, '.4g'), '과/와')} 다르다. 두 리스트 모두에 "
                  "np.ptp나 max() − min()을 써라.")
        raise NotYet(en, ko)
    definition_en, definition_ko = _DEFINITIONS[matched[0]]
    return correct(
        f"The five 5-fold estimates ({definition_en}) span {show(np.ptp(got), '.0f')}, single hold-out splits "
        f"{show(holdout, '.0f')}: about {show(expected, '.0f')}× narrower. Averaging over five folds steadies the "
        "estimate against the choice of split (not against new data: the same 353 rows are reused).",
        f"5겹 추정값 다섯 개({definition_ko})의 범위는 {josa(show(np.ptp(got), '.0f'), '으로/로')}, 홀드아웃 한 번의 "
        f"점수 범위 {show(holdout, '.0f')}보다 약 {show(expected, '.0f')}배 좁다. 다섯 폴드를 평균하면 추정값이 분할 "
        "선택에 덜 흔들린다(같은 353행을 다시 쓰므로 새 데이터에 대해서까지 안정적이라는 뜻은 아니다).",
    )


def _reference_04_2() -> tuple[tuple, dict]:
    ref = _reference_04_2_values()
    cv = ref["accepted"][("kfold_splits", "mean")]
    return (list(cv), ref["holdout_range"] / float(np.ptp(cv))), {}


_CODE_04_2 = """\
cv_mse = []
for s in range(5):
    fold_mse = []
    for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=s):
        tr, va = train_idx[a], train_idx[b]
        fitted = LinearRegression().fit(X[tr], y[tr])
        fold_mse.append(np.mean((fitted.predict(X[va]) - y[va]) ** 2))
    cv_mse.append(np.mean(fold_mse))
ratio = (max(scores) - min(scores)) / (max(cv_mse) - min(cv_mse))
check("04.2", cv_mse, ratio)
"""

register(Exercise(
    id="04.2",
    check=_check_04_2,
    hints={
        "en": [
            "Section 2's loop fits LinearRegression on one split per seed; here every seed gives five splits, and "
            "one CV MSE.",
            "The folds of seed s: kfold_splits(len(train_idx), 5, shuffle=True, seed=s). They index train_idx, "
            "like holdout_split's parts do in section 2. One seed's CV MSE is the mean of its five fold MSEs.",
            "The ten hold-out scores are still in the list `scores` of section 2; np.ptp(values) is max − min.",
        ],
        "ko": [
            "2절의 반복문은 시드마다 분할 하나에 LinearRegression을 적합한다. 여기서는 시드마다 분할 다섯 개와 CV MSE "
            "하나가 나온다.",
            "시드 s의 폴드는 kfold_splits(len(train_idx), 5, shuffle=True, seed=s)다. 폴드는 2절의 holdout_split처럼 "
            "train_idx의 위치를 가리킨다. 시드 하나의 CV MSE는 다섯 폴드 MSE의 평균이다.",
            "홀드아웃 점수 열 개는 2절의 리스트 `scores`에 남아 있다. np.ptp(values)는 최댓값 − 최솟값이다.",
        ],
    },
    solution=_solution(
        _CODE_04_2,
        "A single hold-out score depends on which 89 rows happen to be validated; a 5-fold estimate averages five "
        "fold scores and validates every row once, so reshuffling moves it about ten times less. (Scaling the "
        "features does not change least squares' predictions, so it is left out here.)",
        "홀드아웃 점수 하나는 어느 89행이 검증에 뽑혔는지에 달려 있다. 5겹 추정값은 폴드 점수 다섯 개를 평균하고 모든 "
        "행을 한 번씩 검증하므로, 다시 섞어도 약 10분의 1만큼만 움직인다. (특성을 표준화해도 최소제곱의 예측은 바뀌지 "
        "않으므로 여기서는 생략했다.)",
    ),
    reference=_reference_04_2,
    task=(
        "Section 2 scored linear regression on ten hold-out splits of the training part. Now run 5-fold CV of "
        "`LinearRegression` on the same training part (`train_idx`), once for each shuffling seed 0, 1, 2, 3 and 4, "
        "and put the five CV MSEs in `cv_mse`. A seed's CV MSE may be the mean of its five fold MSEs or the MSE of "
        "all its validation predictions pooled, and its folds may come from `kfold_splits(len(train_idx), 5, "
        "shuffle=True, seed=s)` or from scikit-learn's `KFold(5, shuffle=True, random_state=s)`: the check accepts "
        "each of these four, one for all five seeds. How many times wider is the range (max − min) of the ten "
        "hold-out scores than the range of your five CV MSEs? Put that number in `ratio`."
    ),
))


# --------------------------------------------------------------------------- 04.3 weight decay by CV


def _five() -> list[tuple[np.ndarray, np.ndarray]]:
    _, _, train_idx, _ = _diabetes()
    return [(train_idx[a], train_idx[b]) for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=0)]


@functools.cache
def _cv_04_3(weight_decay: float, hidden: int = 64, every_row: bool = False) -> CVResult:
    X, y, _, _ = _diabetes()
    splits = list(kfold_splits(len(X), 5, shuffle=True, seed=0)) if every_row else _five()

    def run() -> CVResult:
        with torch.enable_grad():
            return cross_validate(lambda: _small_mlp(hidden), X, y, splits, weight_decay=weight_decay, **TRAIN_CFG)

    return _float64(run)


@functools.cache
def _test_04_3(weight_decay: float) -> float:
    """The test MSE of small_mlp(64) trained on the whole training part with ``weight_decay``."""
    X, y, train_idx, test_idx = _diabetes()

    def run() -> CVResult:
        with torch.enable_grad():
            return cross_validate(lambda: _small_mlp(64), X, y, [(train_idx, test_idx)], weight_decay=weight_decay,
                                  **TRAIN_CFG)

    return float(_float64(run).mean)


def _standard_error(result: CVResult) -> float:
    return float(np.std(result.scores, ddof=1) / np.sqrt(result.k))


def _one_se_choice() -> tuple[float, float, float]:
    """Return (the decay with the lowest CV MSE, the one-standard-error limit, the decay the rule chooses)."""
    means = [_cv_04_3(wd).mean for wd in DECAYS_04_3]
    best = DECAYS_04_3[int(np.argmin(means))]
    limit = _cv_04_3(best).mean + _standard_error(_cv_04_3(best))
    chosen = max(wd for wd, m in zip(DECAYS_04_3, means) if m <= limit)
    return best, limit, chosen


def _check_04_3(cv_mse: Any, chosen_wd: Any, test_mse: Any) -> Feedback:
    decays = "[" + ", ".join(show(d, "g") for d in DECAYS_04_3) + "]"
    got = read_numbers("cv_mse", cv_mse, length=len(DECAYS_04_3))
    if not np.ptp(got) > 1e-9 * abs(got.mean()):
        raise NotYet(
            f"All {len(got)} CV MSEs are {show(got[0], '.1f')}: the weight decay had no effect. Pass weight_decay=wd "
            "to cross_validate.",
            f"CV MSE {len(got)}개가 모두 {josa(show(got[0], '.1f'), '이다/다')}. 가중치 감쇠가 아무 효과가 없었다. "
            "cross_validate에 weight_decay=wd를 넘겨라.",
        )
    if not _close(got[0], _cv_04_3(0).mean):
        if _close(got[0], _cv_04_3(0, hidden=8).mean):
            en = "cv_mse[0] is the CV MSE of small_mlp() with 8 hidden units; the exercise asks for small_mlp(64)."
            ko = "cv_mse[0]은 은닉 유닛이 8개인 small_mlp()의 CV MSE다. 이 문제는 small_mlp(64)를 묻는다."
        elif _close(got[0], _cv_04_3(0, every_row=True).mean):
            en = ("cv_mse[0] comes from folds over all 442 rows. Use the folds `five` of the training part, as in "
                  "the section on model selection: the test rows must stay unseen.")
            ko = ("cv_mse[0]은 442행 전체를 나눈 폴드에서 나왔다. 모델 선택 절처럼 학습 부분의 폴드 `five`를 써라. "
                  "테스트 행은 보지 않은 채로 남아야 한다.")
        else:
            value = show(got[0], ".1f")
            en = (f"cv_mse[0] (weight decay 0) is {value}, but with no weight decay the result must equal the CV MSE "
                  "that the model-selection section printed for 64 hidden units. Use small_mlp(64), the folds "
                  "`five` and **train_cfg.")
            ko = (f"cv_mse[0](가중치 감쇠 0)의 값이 {josa(value, '이다/다')}. 가중치 감쇠가 0이면 모델 선택 절에서 "
                  "은닉 유닛 64개로 출력한 CV MSE와 같아야 한다. small_mlp(64), 폴드 `five`, **train_cfg를 써라.")
        raise NotYet(en, ko)
    expected = np.array([_cv_04_3(wd).mean for wd in DECAYS_04_3])
    if not _close(got, expected):
        if _close(np.sort(got), np.sort(expected)):
            en = f"These are the right numbers in another order: list them for weight decay {decays}."
            ko = f"값은 맞지만 순서가 다르다. 가중치 감쇠 {decays}의 순서로 적어라."
        else:
            wrong = ", ".join(show(wd, "g") for wd, g, e in zip(DECAYS_04_3, got, expected) if not _close(g, e))
            en = (f"The entries for weight decay {wrong} differ from 5-fold CV of small_mlp(64) with that weight "
                  "decay (checked to 1e-6 relative). Is each entry the .mean of its own CVResult?")
            ko = (f"가중치 감쇠 {wrong}의 항목이 그 가중치 감쇠로 small_mlp(64)를 5겹 교차검증한 값과 다르다(상대 오차 "
                  "1e-6까지 확인). 각 항목이 자기 CVResult의 .mean인지 확인하라.")
        raise NotYet(en, ko)
    best, limit, chosen = _one_se_choice()
    answer = read_number("chosen_wd", chosen_wd)
    if not same_setting(answer, chosen):
        text = show(answer, "g")
        if same_setting(answer, best):
            en = (f"Weight decay {text} has the lowest CV MSE, but the one-standard-error rule asks for more: among "
                  f"the decays whose CV MSE is at most the lowest plus its standard error ({show(limit, '.0f')}), take "
                  "the largest, the most regularised model.")
            ko = (f"가중치 감쇠 {josa(text, '은/는')} CV MSE가 가장 낮지만, 1-표준오차 규칙은 여기서 멈추지 않는다. "
                  f"CV MSE가 최솟값에 그 표준오차를 더한 값({show(limit, '.0f')}) 이하인 감쇠 가운데 가장 큰 것, 즉 "
                  "규제가 가장 강한 모델을 골라라.")
        elif answer in DECAYS_04_3 and _cv_04_3(answer).mean <= limit:
            en = (f"Weight decay {text} is within one standard error of the best, but so is a larger one: the rule "
                  "takes the largest decay within the limit, the simplest model.")
            ko = (f"가중치 감쇠 {josa(text, '은/는')} 최적값에서 표준오차 하나 안에 들지만, 더 큰 감쇠도 그렇다. 이 "
                  "규칙은 한계 안에서 가장 큰 감쇠, 즉 가장 단순한 모델을 고른다.")
        elif answer.is_integer() and 0 <= answer < len(DECAYS_04_3) and DECAYS_04_3[int(answer)] == chosen:
            en = "chosen_wd looks like a position in the list; give the weight decay itself."
            ko = "chosen_wd는 리스트 안의 위치(인덱스)로 보인다. 가중치 감쇠 값 자체를 적어라."
        else:
            en = (f"chosen_wd = {text} is not within one standard error of the lowest CV MSE (limit "
                  f"{show(limit, '.0f')}), or not one of {decays}.")
            ko = (f"chosen_wd = {josa(text, '은/는')} 가장 낮은 CV MSE에서 표준오차 하나 안(한계 "
                  f"{show(limit, '.0f')})에 들지 않거나, {decays} 가운데 하나가 아니다.")
        raise NotYet(en, ko)
    value = read_number("test_mse", test_mse)
    truth = _test_04_3(chosen)
    setting = f"weight_decay={show(chosen, 'g')}"
    if not _close(value, truth):
        if _close(value, _cv_04_3(chosen).mean):
            en = ("test_mse is the CV estimate of the chosen model. The final evaluation trains one model on the whole "
                  "training part and scores it on the test part: cross_validate(..., [(train_idx, test_idx)], ...).")
            ko = ("test_mse는 고른 모델의 CV 추정값이다. 최종 평가에서는 학습 부분 전체로 모델 하나를 학습하고 테스트 "
                  "부분에서 점수를 낸다. 즉 cross_validate(..., [(train_idx, test_idx)], ...)다.")
        elif any(_close(value, _test_04_3(wd)) for wd in DECAYS_04_3 if wd != chosen):
            en = ("test_mse belongs to another weight decay: train the final model with "
                  f"weight_decay={show(chosen, 'g')}.")
            ko = f"test_mse는 다른 가중치 감쇠의 값이다. 최종 모델을 {josa(setting, '으로/로')} 학습하라."
        else:
            en = (f"test_mse = {show(value, '.1f')} is not the test MSE of small_mlp(64) trained on train_idx with "
                  f"weight_decay={show(chosen, 'g')} and **train_cfg, scored on test_idx.")
            ko = (f"test_mse = {josa(show(value, '.1f'), '은/는')} train_idx로 {josa(setting, '과/와')} "
                  "**train_cfg를 써서 학습하고 test_idx에서 점수를 낸 small_mlp(64)의 테스트 MSE가 아니다.")
        raise NotYet(en, ko)
    cv_chosen, se = _cv_04_3(chosen).mean, _standard_error(_cv_04_3(chosen))
    inside = abs(truth - cv_chosen) <= se
    return correct(
        f"The lowest CV MSE is weight decay {show(best, 'g')}'s ({show(_cv_04_3(best).mean, '.0f')}); the "
        f"one-standard-error rule takes the strongest decay under {show(limit, '.0f')}, {show(chosen, 'g')}. Its test "
        f"MSE, {show(truth, '.0f')}, is {'within' if inside else 'outside'} one standard error ({show(se, '.0f')}) of "
        f"its CV estimate {show(cv_chosen, '.0f')}: the test part, opened once, confirms the choice rather than "
        "making it.",
        f"CV MSE가 가장 낮은 것은 가중치 감쇠 "
        f"{josa(show(best, 'g') + '(' + show(_cv_04_3(best).mean, '.0f') + ')', '이다/다')}. 1-표준오차 "
        f"규칙은 {show(limit, '.0f')} 아래에서 가장 강한 감쇠 {josa(show(chosen, 'g'), '을/를')} 고른다. 그 테스트 MSE "
        f"{josa(show(truth, '.0f'), '은/는')} CV 추정값 {show(cv_chosen, '.0f')}에서 표준오차 하나"
        f"({show(se, '.0f')}) {'안에' if inside else '밖에'} 있다. 한 번만 연 테스트 부분은 선택을 내리지 않고 선택을 "
        "확인할 뿐이다.",
    )


def _reference_04_3() -> tuple[tuple, dict]:
    cv_mse = [_cv_04_3(wd).mean for wd in DECAYS_04_3]
    _, _, chosen = _one_se_choice()
    return (cv_mse, chosen, _test_04_3(chosen)), {}


_CODE_04_3 = """\
decays = [0, 1e-2, 1e-1, 0.3, 1]
by_decay = {wd: cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **train_cfg)
            for wd in decays}
cv_mse = [by_decay[wd].mean for wd in decays]
best_wd = decays[int(np.argmin(cv_mse))]
limit = by_decay[best_wd].mean + standard_error(by_decay[best_wd])
chosen_wd = max(wd for wd in decays if by_decay[wd].mean <= limit)
final = cross_validate(lambda: small_mlp(64), X, y, [(train_idx, test_idx)], weight_decay=chosen_wd, **train_cfg)
test_mse = final.mean
print(f"lowest CV MSE: {best_wd}; one-SE rule: {chosen_wd}; test MSE {test_mse:.1f}")
check("04.3", cv_mse, chosen_wd, test_mse)
"""

register(Exercise(
    id="04.3",
    check=_check_04_3,
    hints={
        "en": [
            "Three steps, in the order of the model-selection section: CV scores for every candidate, a choice by the "
            "one-standard-error rule, and only then one look at the test part.",
            "cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **train_cfg) gives one CVResult per "
            "weight decay; standard_error(result) is its error bar.",
            "The limit is the lowest CV MSE plus that model's standard error; among the decays under it, the largest "
            "is the simplest model. The final evaluation is the cell of the same name, with weight_decay=chosen_wd.",
        ],
        "ko": [
            "모델 선택 절의 순서대로 세 단계를 밟는다. 모든 후보의 CV 점수를 구하고, 1-표준오차 규칙으로 하나를 고른 "
            "다음, 그제야 테스트 부분을 한 번 본다.",
            "cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **train_cfg)는 가중치 감쇠마다 "
            "CVResult 하나를 준다. standard_error(result)가 그 오차 막대다.",
            "한계는 가장 낮은 CV MSE에 그 모델의 표준오차를 더한 값이다. 한계 아래에 드는 감쇠 가운데 가장 큰 것이 "
            "가장 "
            "단순한 "
            "모델이다. 최종 평가는 같은 이름의 셀을 weight_decay=chosen_wd로 다시 실행하면 된다.",
        ],
    },
    solution=_solution(
        _CODE_04_3,
        "Weight decay 0.1 gives the lowest CV MSE, and weight decay 1 is far worse: so strong a penalty underfits. "
        "But 0, 0.01 and 0.3 all lie within one standard error of 0.1: CV cannot tell them apart. The rule then "
        "prefers the most regularised of them, 0.3. Only after that choice is the test part opened, once.",
        "가중치 감쇠 0.1의 CV MSE가 가장 낮고, 가중치 감쇠 1은 훨씬 나쁘다. 규제가 그렇게 강하면 과소적합"
        "(underfitting)이 된다. 그러나 0, 0.01, 0.3은 모두 0.1에서 표준오차 하나 안에 있어서 교차검증으로는 구별할 수 "
        "없다. 그러면 1-표준오차 규칙은 그 가운데 규제가 가장 강한 0.3을 고른다. 이렇게 고른 뒤에야 테스트 부분을 한 "
        "번 연다.",
    ),
    reference=_reference_04_3,
    task=(
        "Choose the weight decay of `small_mlp(64)` as the model-selection section chose the hidden size: 5-fold CV "
        "with the folds `five` and `train_cfg` for each weight decay in `decays`, into `cv_mse`; then the "
        "one-standard-error rule into `chosen_wd`: take the decay with the lowest CV MSE, add its `standard_error` "
        "to that MSE, and choose the largest decay whose CV MSE is at most this sum; then, and only then, the final "
        "evaluation: train "
        "`small_mlp(64)` with `chosen_wd` on the whole training part and put its MSE on the test part in "
        "`test_mse`."
    ),
))


# --------------------------------------------------------------------------- 04.4 LOOCV from one fit


@functools.cache
def _data_04_4() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    rng = np.random.default_rng(4)
    sets = []
    for n, d in ((12, 3), (40, 5)):
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(size=d)
        y = X @ rng.normal(size=d) + 2.0 + rng.normal(size=n)
        sets.append((X, y))
    return tuple(sets)


def _brute_loo(X: np.ndarray, y: np.ndarray, intercept: bool = True) -> np.ndarray:
    """Return y_i minus the prediction of least squares refitted without row i, for every row."""
    A = np.column_stack([np.ones(len(X)), X]) if intercept else X
    out = np.empty(len(X))
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        coef, *_ = np.linalg.lstsq(A[keep], y[keep], rcond=None)
        out[i] = y[i] - A[i] @ coef
    return out


@functools.cache
def _brute_cached(index: int, intercept: bool = True) -> np.ndarray:
    X, y = _data_04_4()[index]
    return _brute_loo(X, y, intercept)


def _residuals_and_leverage(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    A = np.column_stack([np.ones(len(X)), X])
    H = A @ np.linalg.solve(A.T @ A, A.T)
    return y - H @ y, np.diag(H)


_SOLVES = {"lstsq", "solve", "inv", "pinv", "svd", "qr", "cholesky", "tensorsolve", "tensorinv", "lu_factor",
           "lu_solve", "cho_factor", "cho_solve", "solve_triangular", "lu"}


def _is_solve(subject: Any) -> bool:
    """A matrix solve, inversion or factorisation of NumPy, SciPy or torch (a call the learner's code made)."""
    if hasattr(subject, "co_name"):
        filename = subject.co_filename.replace("\\", "/")
        return subject.co_name in _SOLVES and ("/numpy/" in filename or "/scipy/" in filename)
    name = getattr(subject, "__name__", "")
    return name.startswith("linalg_") or name in {"inverse", "pinverse", "cholesky_solve", "lstsq"}


def _is_sklearn(subject: Any) -> bool:
    return hasattr(subject, "co_filename") and "/sklearn/" in subject.co_filename.replace("\\", "/")


def _is_notebook_helper(subject: Any) -> bool:
    from chapter5_utils import cv

    return subject in (cv.loocv_residuals_linear.__code__, cv.loocv_mse_linear.__code__)


def _run_loo(loo_residuals: Callable[..., Any], X: np.ndarray, y: np.ndarray) -> tuple[Any, dict[str, int]]:
    targets = {"solves": _is_solve, "sklearn": _is_sklearn, "helper": _is_notebook_helper}
    with learner_code(), watch_calls(targets) as counts:
        result = loo_residuals(X.copy(), y.copy())
    return result, dict(counts)


def _check_04_4(loo_residuals: Any) -> Feedback:
    if not callable(loo_residuals) or isinstance(loo_residuals, type):
        raise NotYet(
            f"Pass the function itself, loo_residuals (without parentheses), got {describe(loo_residuals)}.",
            f"함수 자체를 괄호 없이 loo_residuals로 넘겨라. 받은 것: {describe(loo_residuals, 'ko')}.",
        )
    solves = []
    for index, (X, y) in enumerate(_data_04_4()):
        shape = f"X of shape {X.shape} and y of shape {y.shape}"
        shape_ko = f"모양이 {X.shape}인 X와 {y.shape}인 y"
        result, counts = _run_loo(loo_residuals, X, y)
        if result is Ellipsis:
            return not_attempted("04.4")
        if counts["helper"]:
            raise NotYet(
                "Your function calls the notebook's loocv_residuals_linear (or loocv_mse_linear): the exercise "
                "asks you to write that computation yourself.",
                "함수가 노트북의 loocv_residuals_linear(또는 loocv_mse_linear)를 호출한다. 이 문제는 그 계산을 직접 "
                "쓰라고 한다.",
            )
        if counts["sklearn"]:
            raise NotYet(
                "Your function uses scikit-learn (LeaveOneOut, cross_val_predict or LinearRegression): the exercise "
                "asks for the residuals from your own least-squares fit, with NumPy.",
                "함수가 scikit-learn(LeaveOneOut, cross_val_predict, LinearRegression)을 쓴다. 이 문제는 NumPy로 직접 "
                "구한 최소제곱 적합에서 잔차를 구하라고 한다.",
            )
        solves.append(counts["solves"])
        got = as_numbers(result.detach() if isinstance(result, torch.Tensor) else result)
        if got is None or got.shape != (len(X),):
            if result is None:
                seen_en, seen_ko = "nothing (None)", "아무것도 돌려주지 않았다(None)"
            elif got is None:
                seen_en, seen_ko = describe(result), f"{josa(describe(result, 'ko'), '을/를')} 돌려주었다"
            elif got.shape == (len(X), len(X)):
                seen_en = f"shape {got.shape} (an (n,) array combined with an (n, 1) array broadcasts to (n, n))"
                seen_ko = (f"모양이 {got.shape}인 배열을 돌려주었다((n,) 배열과 (n, 1) 배열을 함께 계산하면 "
                           "브로드캐스팅으로 (n, n)이 된다)")
            else:
                seen_en, seen_ko = f"shape {got.shape}", f"모양이 {got.shape}인 배열을 돌려주었다"
            raise NotYet(
                f"On {shape} your function returned {seen_en}; it should return a 1-D array of {len(X)} residuals, "
                "one per row.",
                f"{shape_ko}에 대해 함수가 {seen_ko}. 행마다 잔차 하나, 길이가 {len(X)}인 1차원 배열을 돌려주어야 "
                "한다.",
            )
        got = read_numbers("loo_residuals(X, y)", got)
        brute = _brute_cached(index)
        scale = float(np.abs(brute).max())
        tol = max(1e-8, 1000 * precision(result)) * scale
        if np.abs(got - brute).max() < tol:
            continue
        e, h = _residuals_and_leverage(X, y)

        def close(candidate: np.ndarray, got: np.ndarray = got, tol: float = tol) -> bool:
            return bool(np.abs(got - candidate).max() < tol)

        if close(-brute):
            en, ko = ("The signs are flipped: the residual is y_i minus the prediction.",
                      "부호가 반대다. 잔차는 y_i에서 예측값을 뺀 것이다.")
        elif close(e):
            en, ko = ("These are the ordinary residuals e_i of the fit on all rows; the leave-one-out residual is "
                      "larger for rows with high leverage h_ii.",
                      "이 값은 모든 행으로 적합한 보통의 잔차 e_i다. 한 행을 뺀 잔차는 지렛값(leverage) h_ii가 큰 "
                      "행에서 더 크다.")
        elif close(_brute_cached(index, intercept=False)):
            en, ko = ("These are leave-one-out residuals of a line through the origin: add a column of ones to X "
                      "for the intercept.",
                      "이 값은 원점을 지나는 직선의 LOOCV 잔차다. 절편을 위해 X에 1로 된 열을 더하라.")
        elif close(e / (1 - h) ** 2):
            en, ko = "You divided by (1 − h_ii) twice; once is enough.", "(1 − h_ii)로 두 번 나누었다. 한 번이면 된다."
        elif close(e * (1 - h)) or close(e / h):
            en, ko = ("The residuals e_i are right, but the factor is not: work out which factor of h_ii "
                      "Sherman–Morrison gives.",
                      "e_i는 맞지만 곱한 배율이 틀렸다. Sherman–Morrison 공식에서 h_ii로 된 어떤 배율이 나오는지 "
                      "유도해 보라.")
        else:
            worst = int(np.argmax(np.abs(got - brute)))
            gap = show(abs(got - brute)[worst], ".3g")
            en = (f"On {shape}, row {worst} differs from the refit without it by {gap}. Check the hat matrix "
                  "H = A (AᵀA)⁻¹ Aᵀ and its diagonal h_ii.")
            ko = (f"{shape_ko}에서 {worst}번 행의 잔차가 그 행을 빼고 다시 적합한 값과 {gap}만큼 다르다. 모자 행렬 "
                  "H = A (AᵀA)⁻¹ Aᵀ와 그 대각 원소 h_ii를 확인하라.")
        raise NotYet(en, ko)
    if solves[1] > solves[0]:
        raise NotYet(
            f"Your residuals are right, but your function solves {solves[0]} systems for 12 rows and {solves[1]} for "
            "40: it refits once per row (brute force). The exercise asks for one fit: the number of solves, "
            "inversions and least-squares calls must not grow with the number of rows.",
            f"잔차는 맞지만, 함수가 12행에서는 연립방정식을 {solves[0]}번, 40행에서는 {solves[1]}번 푼다. 행마다 다시 "
            "적합하는 무차별 대입이다. 이 문제는 적합을 한 번만 하라고 한다. 연립방정식 풀이, 역행렬, 최소제곱 호출의 "
            "수가 행 수와 함께 늘어나면 안 된다.",
        )
    n = sum(len(X) for X, _ in _data_04_4())
    return correct(
        f"Your residuals match {n} refits, one without each row, on two data sets (max |diff| < 1e-8 of the "
        "largest), from one fit per data set: the hat matrix gives every leave-one-out residual.",
        f"잔차가 두 데이터셋에서 한 행씩 빼고 다시 적합해 구한 값 {n}개와 일치한다(최대 차이 < 가장 큰 값의 1e-8). "
        "데이터셋마다 적합은 한 번뿐이다. 모자 행렬이 모든 LOOCV 잔차를 준다.",
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

_DERIVATION_KO = """유도: G = AᵀA라 하자. 행 i를 빼면 정규방정식의 행렬은 G − a_i a_iᵀ이고, Sherman–Morrison 공식에 따라
(G − a_i a_iᵀ)⁻¹ = G⁻¹ + G⁻¹ a_i a_iᵀ G⁻¹ / (1 − h_ii)이다(h_ii = a_iᵀ G⁻¹ a_i). 행 i 없이 구한 계수는
β₍₋ᵢ₎ = β − G⁻¹ a_i e_i / (1 − h_ii)이므로 행 i의 예측은 a_iᵀ β₍₋ᵢ₎ = ŷ_i − h_ii e_i / (1 − h_ii)이고,
y_i − a_iᵀ β₍₋ᵢ₎ = e_i + h_ii e_i / (1 − h_ii) = e_i / (1 − h_ii)이다."""

_SOLUTION_CODE = """\
def loo_residuals(X, y):
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
            "Everything comes from the one fit on all rows: its residuals e_i and the diagonal h_ii of its hat "
            "matrix. No row needs a fit of its own.",
            "A = np.column_stack([np.ones(len(X)), X]); the hat matrix H = A (AᵀA)⁻¹ Aᵀ maps y to the fitted "
            "values, so e = y − H @ y, and h_ii is np.diag(H).",
            "On paper: the coefficients without row i solve (AᵀA − a_i a_iᵀ) β = Aᵀy − a_i y_i. Sherman–Morrison "
            "inverts AᵀA − a_i a_iᵀ from (AᵀA)⁻¹.",
        ],
        "ko": [
            "필요한 것은 모두 전체 행으로 한 번 적합한 결과에서 나온다. 그 잔차 e_i와 모자 행렬의 대각 원소 h_ii다. "
            "행마다 "
            "따로 적합할 필요는 없다.",
            "A = np.column_stack([np.ones(len(X)), X]). 모자 행렬 H = A (AᵀA)⁻¹ Aᵀ는 y를 적합값으로 보내므로 "
            "e = y − H @ y이고, h_ii는 np.diag(H)다.",
            "손으로 유도하려면: 행 i 없이 구한 계수는 (AᵀA − a_i a_iᵀ) β = Aᵀy − a_i y_i의 해다. Sherman–Morrison "
            "공식은 "
            "(AᵀA)⁻¹로부터 AᵀA − a_i a_iᵀ의 역행렬을 준다.",
        ],
    },
    solution={"en": _SOLUTION_CODE + "\n" + _DERIVATION_EN, "ko": _SOLUTION_CODE + "\n" + _DERIVATION_KO},
    reference=lambda: ((_solution_loo,), {}),
    task=(
        "On paper: derive $e_i / (1 - h_{ii})$. Write the coefficients fitted without row $i$ with the "
        "Sherman–Morrison formula for $(A^\\top A - a_i a_i^\\top)^{-1}$. Then in code: complete "
        "`loo_residuals(X, y)` so that it returns $e_i / (1 - h_{ii})$ for every row, from one least-squares fit "
        "with an intercept: no refitting (the number of solves and inversions may not grow with the number of "
        "rows), no scikit-learn, and not the notebook's `loocv_residuals_linear`. The check compares it with "
        "fits that leave each row out."
    ),
))


# --------------------------------------------------------------------------- 04.5 forward splits for time-ordered data

FORWARD_CASES = ((200, 5, 20, 0), (200, 4, 25, 0), (30, 3, 5, 2), (11, 2, 3, 1), (12, 4, 2, 0))
FORWARD_K, FORWARD_TEST_SIZE = 4, 25  # the estimate the exercise asks for: 4 forward splits of 25 days


@functools.cache
def _series() -> np.ndarray:
    """The notebook's 1000 random-walk series of 220 days plus noise."""
    rng = np.random.default_rng(0)
    return np.cumsum(rng.normal(0, 0.3, (1000, 220)), axis=1) + rng.normal(0, 1, (1000, 220))


def _nearest_days(train: np.ndarray, val: np.ndarray, m: int = 10) -> np.ndarray:
    distance = np.abs(val[:, None] - train[None, :])
    return train[np.argsort(distance, axis=1, kind="stable")[:, :m]]


def _mse_of(train: np.ndarray, val: np.ndarray) -> np.ndarray:
    series = _series()
    return np.mean((series[:, val] - series[:, _nearest_days(train, val)].mean(axis=2)) ** 2, axis=1)


def _sklearn_forward(n: int, k: int, test_size: int, gap: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import TimeSeriesSplit

    return list(TimeSeriesSplit(n_splits=k, test_size=test_size, gap=gap).split(np.zeros(n)))


@functools.cache
def _forward_estimates() -> dict[str, float]:
    past = np.arange(200)
    return {
        "forward": float(np.mean([_mse_of(tr, va) for tr, va in _sklearn_forward(200, FORWARD_K, FORWARD_TEST_SIZE,
                                                                                   0)])),
        "notebook": float(np.mean([_mse_of(tr, va) for tr, va in _sklearn_forward(200, 5, 20, 0)])),
        "shuffled": float(np.mean([_mse_of(past[a], past[b]) for a, b in kfold_splits(200, FORWARD_K, shuffle=True,
                                                                                       seed=0)])),
        "truth": float(np.mean(_mse_of(past, np.arange(200, 220)))),
    }


def _read_split(value: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise NotYet(
            f"{where}: each split should be a pair (training days, validation days), got {describe(value)}.",
            f"{where}: 분할마다 (학습 날짜, 검증 날짜) 쌍이어야 한다. 받은 것: {describe(value, 'ko')}.",
        )
    train = read_numbers("train", value[0], whole=True).astype(int).reshape(-1)
    val = read_numbers("val", value[1], whole=True).astype(int).reshape(-1)
    return train, val


def _forward_problem(got: list[tuple[np.ndarray, np.ndarray]], n: int, k: int, test_size: int, gap: int) -> None:
    call = f"forward_splits({n}, {k}, {test_size}, gap={gap})"
    want = _sklearn_forward(n, k, test_size, gap)
    if len(got) != len(want):
        raise NotYet(
            f"{call} returned {len(got)} splits; it should return k = {k}.",
            f"{josa(call, '이/가')} 분할 {len(got)}개를 돌려주었다. k = {k}개여야 한다.",
        )
    for index, ((train, val), (want_train, want_val)) in enumerate(zip(got, want)):
        label = f"{call}, split {index + 1}"
        label_ko = f"{call}의 {'첫 번째' if index == 0 else f'{index + 1}번째'} 분할"
        if train.size and val.size and train.max() >= val.min():
            raise NotYet(
                f"{label} trains on day {int(train.max())}, which comes after its first validation day "
                f"{int(val.min())}: a forward split trains only on the past.",
                f"{josa(label_ko, '은/는')} {int(train.max())}일로 학습하는데, 이 날은 첫 검증일 "
                f"{int(val.min())}일보다 뒤다. 전진 분할은 과거로만 학습한다.",
            )
        if not np.array_equal(val, want_val):
            raise NotYet(
                f"{label} validates days {_days(val)}; it should validate the {test_size} days {_days(want_val)}: the "
                f"k validation blocks are the last k × test_size days, in order.",
                f"{josa(label_ko, '은/는')} {_days(val)}일을 검증하는데, {_days(want_val)}일({test_size}일)을 "
                "검증해야 한다. 검증 블록 k개는 마지막 k × test_size일을 차례로 나눈 것이다.",
            )
        if not np.array_equal(train, want_train):
            if gap and train.size and val.size and train.max() >= val.min() - gap:
                raise NotYet(
                    f"{label} trains on day {int(train.max())}, inside the gap of {gap} days before the validation "
                    f"days: leave out the {gap} days before day {int(val.min())}.",
                    f"{josa(label_ko, '은/는')} 검증일 바로 앞의 간격 {gap}일 안에 있는 {int(train.max())}일로 "
                    f"학습한다. {int(val.min())}일 앞의 {gap}일은 빼라.",
                )
            raise NotYet(
                f"{label} trains on days {_days(train)}; it should train on every day before its validation days "
                f"except the gap: {_days(want_train)}.",
                f"{josa(label_ko, '은/는')} {_days(train)}일로 학습하는데, 간격을 뺀 검증일 이전의 모든 날, 즉 "
                f"{_days(want_train)}일로 학습해야 한다.",
            )


def _days(days: np.ndarray) -> str:
    if not days.size:
        return "(none)"
    if np.array_equal(days, np.arange(days.min(), days.max() + 1)):
        return f"{int(days.min())}–{int(days.max())}"
    shown = ", ".join(str(int(d)) for d in days[:6])
    return f"[{shown}{', …' if days.size > 6 else ''}]"


def _check_04_5(forward_splits: Any, forward_mse: Any) -> Feedback:
    if not callable(forward_splits) or isinstance(forward_splits, type):
        raise NotYet(
            f"Pass the function itself, forward_splits (without parentheses), got {describe(forward_splits)}.",
            f"함수 자체를 괄호 없이 forward_splits로 넘겨라. 받은 것: {describe(forward_splits, 'ko')}.",
        )
    for n, k, test_size, gap in FORWARD_CASES:
        with learner_code(), watch_calls({"sklearn": _is_sklearn}) as counts:
            result = forward_splits(n, k, test_size, gap=gap)
            splits = list(result) if result is not None and not isinstance(result, str | bytes) else result
        if splits is Ellipsis or result is Ellipsis:
            return not_attempted("04.5")
        if counts["sklearn"]:
            raise NotYet(
                "forward_splits uses scikit-learn (TimeSeriesSplit): write the splits yourself; the check compares "
                "them with TimeSeriesSplit's.",
                "forward_splits가 scikit-learn(TimeSeriesSplit)을 쓴다. 분할을 직접 만들어라. 채점 코드가 "
                "TimeSeriesSplit의 분할과 비교한다.",
            )
        if not isinstance(splits, list):
            raise NotYet(
                f"forward_splits({n}, {k}, {test_size}, gap={gap}) should return a list of (training days, validation "
                f"days) pairs, got {describe(result)}.",
                f"{josa(f'forward_splits({n}, {k}, {test_size}, gap={gap})', '은/는')} (학습 날짜, 검증 날짜) 쌍의 "
                f"리스트를 돌려주어야 한다. 받은 것: {describe(result, 'ko')}.",
            )
        got = [_read_split(split, f"forward_splits({n}, {k}, {test_size}, gap={gap})") for split in splits]
        _forward_problem(got, n, k, test_size, gap)
    value = read_number("forward_mse", forward_mse)
    estimates = _forward_estimates()
    if not _close(value, estimates["forward"]):
        for key, en, ko in (
            ("notebook", "forward_mse is the notebook's estimate with 5 splits of 20 days; the exercise asks for "
                         f"{FORWARD_K} splits of {FORWARD_TEST_SIZE} days.",
             f"forward_mse는 노트북에서 20일짜리 분할 5개로 구한 추정값이다. 이 문제는 {FORWARD_TEST_SIZE}일짜리 분할 "
             f"{FORWARD_K}개를 묻는다."),
            ("shuffled", "forward_mse is what shuffled folds estimate: with training days on both sides of each "
                         "validation day, it is far too optimistic. Use your forward splits.",
             "forward_mse는 섞은 폴드로 구한 추정값이다. 검증일 양쪽에 학습일이 있어서 지나치게 낙관적이다. 여러분이 "
             "만든 전진 분할을 써라."),
            ("truth", "forward_mse is the error on days 200–219, the truth the estimate tries to predict: estimate it "
                      "from days 0–199 only.",
             "forward_mse는 추정하려는 참값, 즉 200–219일의 오차다. 0–199일만으로 추정하라."),
        ):
            if _close(value, estimates[key]):
                raise NotYet(en, ko)
        raise NotYet(
            f"forward_mse = {show(value, '.3f')} is not the mean, over your {FORWARD_K} forward splits of "
            f"{FORWARD_TEST_SIZE} days on days 0–199 and over the 1000 series, of mse_of(train, val).",
            f"forward_mse = {josa(show(value, '.3f'), '은/는')} 0–199일에서 만든 {FORWARD_TEST_SIZE}일짜리 전진 "
            f"분할 {FORWARD_K}개와 계열 1000개에 걸쳐 `mse_of(train, val)`을 평균한 값이 아니다.",
        )
    forward, truth, shuffled = (show(estimates[key], ".2f") for key in ("forward", "truth", "shuffled"))
    return correct(
        f"Your splits equal TimeSeriesSplit's in {len(FORWARD_CASES)} cases, gaps included. With {FORWARD_K} splits "
        f"of {FORWARD_TEST_SIZE} days the forward estimate is {forward}, close to the truth {truth}, while shuffled "
        f"folds promise {shuffled}: a validation day must not have training days after it.",
        f"간격을 둔 경우를 포함해 {len(FORWARD_CASES)}가지 경우 모두에서 분할이 TimeSeriesSplit과 같다. "
        f"{FORWARD_TEST_SIZE}일짜리 전진 분할 {FORWARD_K}개로 구한 추정값은 {josa(forward, '으로/로')} 참값 "
        f"{josa(truth, '과/와')} 가깝지만, 섞은 폴드는 {josa(shuffled, '이라는/라는')} 지나치게 낮은 값을 내놓는다. "
        "검증일 뒤에 학습일이 있어서는 안 된다.",
    )


def forward_splits_reference(n: int, k: int, test_size: int, gap: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return k forward splits of range(n): validation blocks of test_size days at the end, training on all days
    before each block except the ``gap`` days right before it."""
    splits = []
    for start in range(n - k * test_size, n, test_size):
        splits.append((np.arange(0, start - gap), np.arange(start, start + test_size)))
    return splits


def _reference_04_5() -> tuple[tuple, dict]:
    return (forward_splits_reference, _forward_estimates()["forward"]), {}


_CODE_04_5 = """\
def forward_splits(n, k, test_size, gap=0):
    splits = []
    for start in range(n - k * test_size, n, test_size):  # the last k blocks of test_size days
        splits.append((np.arange(0, start - gap), np.arange(start, start + test_size)))
    return splits


for n, k, size, gap in [(200, 5, 20, 0), (30, 3, 5, 2)]:  # the same splits as scikit-learn's
    ours = forward_splits(n, k, size, gap)
    theirs = TimeSeriesSplit(k, test_size=size, gap=gap).split(np.zeros(n))
    assert all(np.array_equal(a, c) and np.array_equal(b, d) for (a, b), (c, d) in zip(ours, theirs))
forward_mse = np.mean([mse_of(tr, va) for tr, va in forward_splits(200, 4, 25)])
print(f"4 forward splits of 25 days: MSE {forward_mse:.2f}")
check("04.5", forward_splits, forward_mse)
"""

register(Exercise(
    id="04.5",
    check=_check_04_5,
    hints={
        "en": [
            "A forward split never trains on a day after the days it validates: the validation blocks are at the end, "
            "and each one trains on everything before it.",
            "The k validation blocks are the last k × test_size days, one block of test_size consecutive days each; "
            "block j starts at day n − (k − j) × test_size.",
            "The gap leaves out the gap days right before each block from its training days: train on days 0 to "
            "start − gap − 1. Then average mse_of(train, val) over the splits, as the time-ordered section does.",
        ],
        "ko": [
            "전진 분할은 검증하는 날보다 뒤의 날로는 절대 학습하지 않는다. 검증 블록은 끝에 있고, 블록마다 그 앞의 "
            "모든 날로 학습한다.",
            "검증 블록 k개는 마지막 k × test_size일이고, 블록마다 연속된 test_size일이다. j번째 블록은 "
            "n − (k − j) × test_size일에서 시작한다.",
            "간격(gap)은 각 블록 바로 앞의 `gap`일을 학습일에서 뺀다. 0일부터 `start − gap − 1`일까지로 학습한다. "
            "그다음 시계열 절에서처럼 분할마다 `mse_of(train, val)`을 구해 평균하라.",
        ],
    },
    solution=_solution(
        _CODE_04_5,
        "Each validation block is predicted from days before it only, as the future will be, so the forward "
        "estimate lands near the error on the days that really follow (days 200–219). Shuffled folds let most "
        "validation days borrow from neighbours on both sides, which the future never offers: they promise an error "
        "about half the true one. The gap leaves out the days right before a block, for a prediction that is made "
        "some days ahead.",
        "검증 블록마다 그 앞의 날로만 예측하므로(미래를 예측할 때와 같다), 전진 분할의 추정값은 실제로 이어지는 "
        "날(200–219일)의 오차 가까이에 놓인다. 섞은 폴드에서는 대부분의 검증일이 양쪽 이웃의 도움을 받는데, 미래를 "
        "예측할 때는 그런 이웃이 없다. 그래서 섞은 폴드의 추정값은 참 오차의 절반쯤밖에 되지 않는다. 간격은 블록 바로 "
        "앞의 날을 빼서, 며칠 앞을 내다보는 예측을 흉내 낸다.",
    ),
    reference=_reference_04_5,
    task=(
        "Write `forward_splits(n, k, test_size, gap=0)`, the forward splits of `TimeSeriesSplit` without "
        "scikit-learn: a list of `k` pairs (training days, validation days) of `range(n)`, whose validation blocks "
        "are the last `k × test_size` days, `test_size` consecutive days each, and whose training days are every day "
        "before the block except the `gap` days right before it. The check compares them with "
        "`TimeSeriesSplit(k, test_size=test_size, gap=gap)` in five cases. Then estimate the error of "
        "`nearest_days` with 4 forward splits of 25 days on days 0–199: `forward_mse` is the mean of "
        "`mse_of(train, val)` over the splits (and the series)."
    ),
))
