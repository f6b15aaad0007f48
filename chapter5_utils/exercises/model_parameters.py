"""Exercises of notebook 05 · model structure and parameters (모델 구조 및 가중치 확인).

05.1 batch norm's parameters and buffers, 05.2 weight tying, 05.3 the 30-layer experiment with
tanh, 05.4 freezing two layers and building the optimizer over what still trains.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import torch
from torch import nn

from chapter5_utils.exercises.core import Exercise, Feedback, as_number, correct, not_yet, register
from chapter5_utils.inspection import activation_stds

REGRESSOR_PARAMS = 13 * 50 + 50 + 50 * 30 + 30 + 30 * 1 + 1  # 2,261


def _as_int(value: Any) -> int | None:
    """Return ``value`` as an int if it is a whole number (int, integral float, 1-element tensor), else None."""
    number = as_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)



def _type_name(value: Any) -> str:
    return type(value).__name__


def _not_a_module(name: str, value: Any, what_en: str, what_ko: str) -> Feedback:
    return not_yet(
        f"`{name}` should be a torch.nn.Module ({what_en}); got a {_type_name(value)}.",
        f"`{name}` 자리에는 torch.nn.Module({what_ko})이 와야 한다. 받은 것은 {_type_name(value)} 형(type)이다.",
    )


# ----------------------------------------------------------------------------------------------
# 05.1 · batch normalisation: parameters and buffers


class _Regressor(nn.Module):
    """The notebook's regressor: 13 -> 50 -> 30 -> 1 with ReLU and dropout after each hidden layer."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(13, 50)
        self.fc2 = nn.Linear(50, 30)
        self.fc3 = nn.Linear(30, 1)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(p=0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.relu(self.fc1(x)))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


class _RegressorWithBatchNorm(_Regressor):
    """The regressor with BatchNorm1d(50) between fc1 and its ReLU (the solution of 05.1)."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.relu(self.bn(self.fc1(x))))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


def _buffer_keys(model: nn.Module) -> set[str]:
    return set(model.state_dict()) - {name for name, _ in model.named_parameters()}


def check_batch_norm(bn_model: Any, added_params: Any, buffer_keys: Any) -> Feedback:
    """Return the feedback on 05.1: a BatchNorm1d(50) after fc1, the parameters it adds, the buffer keys."""
    if not isinstance(bn_model, nn.Module):
        return _not_a_module("bn_model", bn_model, "the regressor with batch norm", "배치 정규화를 넣은 회귀 모델")
    norms = [m for m in bn_model.modules() if isinstance(m, nn.BatchNorm1d)]
    if not norms:
        return not_yet(
            "bn_model has no nn.BatchNorm1d layer: create one in __init__ and assign it to an attribute.",
            "bn_model에 nn.BatchNorm1d 층이 없다. __init__에서 만들어 속성(attribute)에 넣어야 한다.",
        )
    norm = norms[0]
    if norm.num_features != 50:
        return not_yet(
            f"The batch-norm layer normalises {norm.num_features} "
            "features, but fc1 produces 50: use nn.BatchNorm1d(50).",
            f"배치 정규화 층의 특성 수가 {norm.num_features}인데 fc1의 출력은 50개다. nn.BatchNorm1d(50)을 써야 한다.",
        )
    calls: list[tuple[int, ...]] = []
    probe = copy.deepcopy(bn_model).eval()  # eval mode on a copy: the learner's running statistics stay as they are
    probe_norm = [m for m in probe.modules() if isinstance(m, nn.BatchNorm1d)][0]
    probe_norm.register_forward_hook(lambda module, inputs, output: calls.append(tuple(inputs[0].shape)))
    try:
        with torch.no_grad():
            out = probe(torch.zeros(4, 13))
    except Exception as error:  # the learner's forward failed: say so, no traceback
        return not_yet(
            f"Calling bn_model on a batch of 4 rows of 13 features raised {type(error).__name__}: {error}",
            f"13개 특성의 4행 배치로 bn_model을 호출하자 {type(error).__name__} 오류가 났다: {error}",
        )
    if not calls:
        return not_yet(
            "Your forward() never calls the batch-norm layer: creating it in __init__ is not enough, "
            "forward must pass fc1's output through it.",
            "forward()가 배치 정규화 층을 한 번도 부르지 않는다. __init__에서 만들기만 해서는 안 되고, "
            "forward에서 fc1의 출력을 이 층에 통과시켜야 한다.",
        )
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (4, 1):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else _type_name(out)
        return not_yet(
            "For a batch of 4 rows of 13 features bn_model returned "
            f"{shape}, not (4, 1): keep fc2 and fc3 as they were.",
            "13개 특성의 4행 배치에 대해 bn_model이 (4, 1)이 아니라 "
            f"{shape} 모양을 돌려준다. fc2와 fc3는 그대로 두어야 한다.",
        )
    total = sum(p.numel() for p in bn_model.parameters())
    bn_params = sum(p.numel() for p in norm.parameters())
    if total != REGRESSOR_PARAMS + bn_params:
        return not_yet(
            f"bn_model has {total:,} parameters, but the regressor ({REGRESSOR_PARAMS:,}) plus the batch-norm layer "
            f"has {REGRESSOR_PARAMS + bn_params:,}: start from the notebook's Regressor and only add the layer.",
            f"bn_model의 파라미터는 {total:,}개인데 회귀 모델({REGRESSOR_PARAMS:,}개)에 배치 정규화 층을 더하면 "
            f"{REGRESSOR_PARAMS + bn_params:,}개여야 한다. 노트북의 Regressor에서 시작해 층 하나만 더하라.",
        )

    added = _as_int(added_params)
    if added is None:
        return not_yet(
            f"added_params should be a whole number (the parameters the layer adds); got {added_params!r}.",
            f"added_params는 정수(층이 더하는 파라미터 개수)여야 한다. 받은 값: {added_params!r}.",
        )
    buffers = _buffer_keys(bn_model)
    buffer_values = sum(t.numel() for k, t in bn_model.state_dict().items() if k in buffers)
    if added != bn_params:
        if added in (bn_params + buffer_values, bn_params + buffer_values - 1):
            en = (
                f"{added} also counts the running statistics. They are buffers: saved in state_dict(), "
                "but not parameters, so the optimizer never updates them."
            )
            ko = (
                f"{added}에는 이동 통계(running statistics)까지 들어 있다. 그것은 버퍼(buffer)다. "
                "state_dict()에 저장되지만 파라미터가 아니므로 옵티마이저가 갱신하지 않는다."
            )
        elif added == norm.num_features:
            en = (
                "BatchNorm1d learns two vectors, not one: a scale (weight, γ) and a shift (bias, β), "
                "one value per feature each."
            )
            ko = (
                "BatchNorm1d는 벡터 하나가 아니라 둘을 학습한다. 특성마다 "
                "값 하나씩인 스케일(weight, γ)과 이동(bias, β)이다."
            )
        elif added == total:
            en = f"{added:,} is the whole model's count; the question asks how many the new layer adds."
            ko = f"{added:,}개는 모델 전체의 개수다. 새 층이 더하는 개수를 묻고 있다."
        else:
            en = (
                f"The batch-norm layer adds a different number than {added}: "
                "count the values in its parameters() (not in its state_dict())."
            )
            ko = (
                f"배치 정규화 층이 더하는 개수는 {added}개가 아니다. "
                "state_dict()가 아니라 parameters()의 값 개수를 세라."
            )
        return not_yet(en, ko)

    if isinstance(buffer_keys, str) or not isinstance(buffer_keys, list | tuple | set):
        return not_yet(
            f"buffer_keys should be a list of state_dict keys (strings); got a {_type_name(buffer_keys)}.",
            f"buffer_keys는 state_dict 키(문자열)의 리스트여야 한다. 받은 것은 {_type_name(buffer_keys)} 형(type)이다.",
        )
    given = {str(k) for k in buffer_keys}
    params = {name for name, _ in bn_model.named_parameters()}
    if given & params:
        name = sorted(given & params)[0]
        return not_yet(
            f"{name!r} is a parameter (named_parameters() lists it): "
            "list only the state_dict keys that are not parameters.",
            f"{name!r} 키는 파라미터다(named_parameters()에 있다). 파라미터가 아닌 state_dict 키만 적어라.",
        )
    if given != buffers:
        missing, extra = sorted(buffers - given), sorted(given - buffers)
        short = {k.rsplit(".", 1)[-1] for k in buffers}
        if extra and all(k in short for k in extra):
            return not_yet(
                "Write the full keys as state_dict() shows them, with "
                f"the layer's name in front (e.g. {sorted(buffers)[0]!r}).",
                f"state_dict()에 나오는 그대로, 앞에 층 이름을 붙인 전체 키를 적어라(예: {sorted(buffers)[0]!r}).",
            )
        if extra:
            return not_yet(
                f"{extra[0]!r} is not a key of bn_model.state_dict(): copy the keys from what state_dict() prints.",
                f"{extra[0]!r}라는 키는 bn_model.state_dict()에 없다. state_dict()가 출력하는 키를 옮겨 적어라.",
            )
        return not_yet(
            f"You listed {len(given)} of the {len(buffers)} keys that are not parameters; {missing[0]!r} is missing.",
            f"파라미터가 아닌 키 {len(buffers)}개 중 {len(given)}개만 적었다. 빠진 키: {missing[0]!r}.",
        )
    return correct(
        f"BatchNorm1d(50) adds {bn_params} parameters (a scale γ and a shift β per feature) and "
        f"{len(buffers)} buffers: running_mean and running_var, used in eval mode instead of the batch's "
        "statistics, and num_batches_tracked. state_dict() saves them, the optimizer never updates them.",
        f"BatchNorm1d(50)는 파라미터 {bn_params}개(특성마다 스케일 γ와 이동 β)와 버퍼 {len(buffers)}개를 더한다. "
        "버퍼는 평가 모드에서 배치 통계 대신 쓰는 running_mean과 running_var, 그리고 num_batches_tracked다. "
        "state_dict()는 버퍼를 저장하지만 옵티마이저는 갱신하지 않는다.",
    )


def _batch_norm_reference() -> tuple[tuple, dict]:
    torch.manual_seed(0)
    bn_model = _RegressorWithBatchNorm()
    added_params = sum(p.numel() for p in bn_model.bn.parameters())
    buffer_keys = [k for k in bn_model.state_dict() if k not in dict(bn_model.named_parameters())]
    return (bn_model, added_params, buffer_keys), {}


_BATCH_NORM_SOLUTION_CODE = """\
class BNRegressor(Regressor):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x):
        x = self.dropout(self.relu(self.bn(self.fc1(x))))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


bn_model = BNRegressor()
added_params = sum(p.numel() for p in bn_model.bn.parameters())  # 100
buffer_keys = [k for k in bn_model.state_dict() if k not in dict(bn_model.named_parameters())]
print(buffer_keys)  # ['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']
check("05.1", bn_model, added_params, buffer_keys)
"""

register(
    Exercise(
        id="05.1",
        check=check_batch_norm,
        hints={
            "en": [
                "Subclass Regressor: call super().__init__(), add the layer as an attribute, and write a forward "
                "that passes fc1's output through it before the ReLU.",
                "Compare [name for name, p in bn_model.named_parameters()] with list(bn_model.state_dict()).",
                "Parameters are what the optimizer trains; buffers are "
                "state that is saved with the model but not trained.",
            ],
            "ko": [
                "Regressor를 상속하라. super().__init__()을 부르고 층을 속성으로 더한 뒤, fc1의 출력을 ReLU 앞에서 "
                "그 층에 통과시키는 forward를 쓴다.",
                "[name for name, p in bn_model.named_parameters()]와 list(bn_model.state_dict())를 비교해 보라.",
                "파라미터는 옵티마이저가 학습하는 값이고, 버퍼(buffer)는 모델과 함께 저장되지만 학습되지 않는 상태다.",
            ],
        },
        solution={
            "en": _BATCH_NORM_SOLUTION_CODE
            + "\nThe layer learns a scale and a shift per feature (2 × 50 = 100 parameters). Its running mean "
            "and variance are buffers: updated by forward passes in training mode, used in eval mode, saved in "
            "state_dict(), but never touched by the optimizer.",
            "ko": _BATCH_NORM_SOLUTION_CODE
            + "\n이 층은 특성마다 스케일과 이동을 하나씩 학습한다(2 × 50 = 100개의 파라미터). 이동 평균과 분산은 "
            "버퍼다. 학습 모드의 순전파가 갱신하고 평가 모드에서 쓰이며 state_dict()에 저장되지만, 옵티마이저는 "
            "건드리지 않는다.",
        },
        reference=_batch_norm_reference,
    )
)


# ----------------------------------------------------------------------------------------------
# 05.2 · weight tying


def check_weight_tying(tied: Any, predicted_params: Any) -> Feedback:
    """Return the feedback on 05.2: two linear layers share one weight, and the predicted count is right."""
    if not isinstance(tied, nn.Module):
        return _not_a_module("tied", tied, "the Sequential with a shared weight", "가중치를 공유하는 Sequential")
    linears = [m for m in tied.modules() if isinstance(m, nn.Linear)]
    shared = None
    for i, first in enumerate(linears):
        for second in linears[i + 1 :]:
            if first.weight is second.weight:
                shared = first.weight
    if shared is None:
        same_storage = any(
            a.weight.data_ptr() == b.weight.data_ptr() for i, a in enumerate(linears) for b in linears[i + 1 :]
        )
        if same_storage:
            return not_yet(
                "Your two layers share storage but are still two Parameter objects, so parameters() counts both: "
                "assign the Parameter object itself, not its .data.",
                "두 층이 저장 공간은 공유하지만 여전히 서로 다른 Parameter 객체라서 parameters()가 둘 다 센다. "
                ".data가 아니라 Parameter 객체 자체를 대입하라.",
            )
        return not_yet(
            "No two linear layers in `tied` hold the same weight: after tying, tied[0].weight is tied[2].weight "
            "should be True.",
            "`tied`에서 같은 가중치를 가진 선형 층이 없다. 묶은 뒤에는 "
            "tied[0].weight is tied[2].weight가 True여야 한다.",
        )
    predicted = _as_int(predicted_params)
    if predicted is None:
        return not_yet(
            f"predicted_params should be a whole number; got {predicted_params!r}.",
            f"predicted_params는 정수여야 한다. 받은 값: {predicted_params!r}.",
        )
    unique = list(tied.parameters())
    count = sum(p.numel() for p in unique)
    if predicted == count:
        return correct(
            f"tied has {count:,} parameters: the shared {shared.shape[0]} × {shared.shape[1]} weight counts once, "
            "each layer's bias separately. parameters(), summary() and an optimizer all see the shared tensor once.",
            f"tied의 파라미터는 {count:,}개다. 공유된 {shared.shape[0]} × {shared.shape[1]} 가중치는 한 번만 세고, "
            "편향은 층마다 따로 센다. parameters()와 summary(), 옵티마이저 모두 공유된 텐서를 한 번만 본다.",
        )
    biases = sum(m.bias.numel() for m in linears if m.bias is not None)
    if predicted == count + shared.numel():
        return not_yet(
            f"{predicted:,} counts the shared weight twice: two layers use it, but it is one tensor.",
            f"{predicted:,}개는 공유된 가중치를 두 번 센 값이다. 두 층이 쓰지만 텐서는 하나다.",
        )
    if predicted in (count - biases, count - biases // 2, count + shared.numel() - biases):
        return not_yet(
            f"{predicted:,} leaves out a bias: tying shares the weight only, each layer keeps its own bias.",
            f"{predicted:,}에는 편향이 빠졌다. 묶이는 것은 가중치뿐이고, 편향은 층마다 따로 있다.",
        )
    return not_yet(
        f"tied does not have {predicted:,} parameters: count each distinct tensor once "
        "(the shared weight, then every bias), and compare with summary(tied, (20,)).",
        f"tied의 파라미터는 {predicted:,}개가 아니다. 서로 다른 텐서를 한 번씩만 세고(공유 가중치, 그리고 각 편향) "
        "summary(tied, (20,))와 비교해 보라.",
    )


def _weight_tying_reference() -> tuple[tuple, dict]:
    torch.manual_seed(0)
    tied = nn.Sequential(nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 20))
    tied[2].weight = tied[0].weight
    predicted_params = 20 * 20 + 20 + 20
    return (tied, predicted_params), {}


_WEIGHT_TYING_SOLUTION_CODE = """\
tied = nn.Sequential(nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 20))
tied[2].weight = tied[0].weight  # the same Parameter object, not a copy
predicted_params = 20 * 20 + 20 + 20  # one shared weight, two biases: 440
print(summary(tied, (20,)))
check("05.2", tied, predicted_params)
"""

register(
    Exercise(
        id="05.2",
        check=check_weight_tying,
        hints={
            "en": [
                "An nn.Linear's weight is an attribute: you can assign another layer's nn.Parameter to it.",
                "parameters() yields each tensor once, however many "
                "modules hold it; tying shares the weight, not the bias.",
            ],
            "ko": [
                "nn.Linear의 weight는 속성이다. 다른 층의 nn.Parameter를 그대로 대입할 수 있다.",
                "parameters()는 여러 모듈이 가진 텐서라도 한 번만 내놓는다. 묶이는 것은 가중치이고 편향은 아니다.",
            ],
        },
        solution={
            "en": _WEIGHT_TYING_SOLUTION_CODE
            + "\nBoth layers now hold one Parameter: 400 weights counted once, plus 20 + 20 biases = 440. "
            "The summary table counts the shared weight in the first row and notes the sharing in the last.",
            "ko": _WEIGHT_TYING_SOLUTION_CODE
            + "\n두 층이 이제 Parameter 하나를 함께 가진다. 가중치 400개를 한 번 세고 편향 20 + 20개를 더해 440개다. "
            "요약 표는 공유된 가중치를 첫 행에서 세고, 마지막 행에 공유했다고 적는다.",
        },
        reference=_weight_tying_reference,
    )
)


# ----------------------------------------------------------------------------------------------
# 05.3 · the 30-layer experiment with tanh

TANH_TOLERANCE = 0.01



def _xavier(weight: torch.Tensor) -> None:
    nn.init.xavier_uniform_(weight)


def _xavier_tanh_gain(weight: torch.Tensor) -> None:
    nn.init.xavier_uniform_(weight, gain=nn.init.calculate_gain("tanh"))


_INITS = {"plain": _xavier, "gain": _xavier_tanh_gain}
_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


@functools.cache
def _stds(init: str, activation: str) -> tuple[float, ...]:
    """Return the reference stds for ``init`` ("plain" or "gain") and ``activation`` ("tanh" or "relu"), cached."""
    return tuple(activation_stds(_INITS[init], activation=_ACTIVATIONS[activation]))


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= TANH_TOLERANCE


def _diagnose_tanh(value: float, own: str, other: str, label_en: str, label_ko: str) -> Feedback | None:
    if _near(value, _stds(own, "tanh")[-1]):
        return None
    relu = _stds(own, "relu")[-1]
    if _near(value, relu) or (relu > 1 and abs(value / relu - 1) < 0.05) or (relu < 1e-3 and abs(value) < 1e-3):
        return not_yet(
            f"Your {label_en} number {value:.3g} is what ReLU gives: pass activation=torch.tanh.",
            f"{label_ko}의 값({value:.3g})은 ReLU의 결과다. activation=torch.tanh를 넘겨라.",
        )
    if _near(value, _stds(own, "tanh")[0]):
        return not_yet(
            f"Your {label_en} number {value:.2f} is the std after layer 1: take the last entry of the list, stds[-1].",
            f"{label_ko}의 값({value:.2f})은 1층 뒤의 표준편차다. 리스트의 마지막 값 stds[-1]을 써라.",
        )
    if _near(value, _stds(other, "tanh")[-1]):
        return not_yet(
            "Your two numbers look swapped: the first is for Xavier "
            "as it is, the second for Xavier with the tanh gain.",
            "두 수가 뒤바뀐 것 같다. 첫째는 그대로의 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
        )
    return not_yet(
        f"Your {label_en} number {value:.3g} is not within ±{TANH_TOLERANCE} of the std after layer 30 that the "
        "experiment gives: did you keep seed=0, depth=30 and width=256, and read stds[-1]?",
        f"{label_ko}의 값({value:.3g})은 실험이 주는 30층 뒤 표준편차와 ±{TANH_TOLERANCE} 안에서 맞지 않는다. "
        "seed=0, depth=30, width=256을 그대로 두고 stds[-1]을 읽었는가?",
    )


def check_tanh_spread(xavier_std_30: Any, xavier_gain_std_30: Any) -> Feedback:
    """Return the feedback on 05.3: the two stds after layer 30 with tanh, each within ``TANH_TOLERANCE``."""
    values = []
    for name, value in (("xavier_std_30", xavier_std_30), ("xavier_gain_std_30", xavier_gain_std_30)):
        number = as_number(value)
        if number is None:
            if isinstance(value, list | tuple) or (isinstance(value, torch.Tensor) and value.numel() > 1):
                return not_yet(
                    f"{name} should be one number, the std after layer 30; got a sequence: take its last entry.",
                    f"{name}에는 30층 뒤의 표준편차 하나가 와야 한다. 받은 것은 여러 값이다. 마지막 값을 골라라.",
                )
            return not_yet(
                f"{name} should be a number (the std after layer 30); got {value!r}.",
                f"{name}에는 수(30층 뒤의 표준편차)가 와야 한다. 받은 값: {value!r}.",
            )
        values.append(number)
    plain, gain = _stds("plain", "tanh"), _stds("gain", "tanh")
    if _near(values[0], gain[-1]) and _near(values[1], plain[-1]) and not _near(values[0], plain[-1]):
        return not_yet(
            "Your two numbers look swapped: the first is for Xavier "
            "as it is, the second for Xavier with the tanh gain.",
            "두 수가 뒤바뀐 것 같다. 첫째는 그대로의 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
        )
    for value, own, other, en, ko in (
        (values[0], "plain", "gain", "plain Xavier", "그대로의 Xavier"),
        (values[1], "gain", "plain", "Xavier-with-gain", "이득을 준 Xavier"),
    ):
        feedback = _diagnose_tanh(value, own, other, en, ko)
        if feedback is not None:
            return feedback
    return correct(
        f"With tanh, plain Xavier lets the std fall from {plain[0]:.2f} after layer 1 to {plain[-1]:.2f} after "
        f"layer 30, because tanh's slope is below 1 away from 0; the gain 5/3 makes up for that: from "
        f"{gain[0]:.2f} after layer 1 it settles near {gain[-1]:.2f} and stays there (tolerance ±{TANH_TOLERANCE}).",
        f"tanh에서 그대로의 Xavier는 표준편차가 1층 뒤 {plain[0]:.2f}에서 30층 뒤 {plain[-1]:.2f}까지 줄어든다. "
        f"tanh의 기울기가 0에서 멀어지면 1보다 작기 때문이다. 이득 5/3은 그만큼을 메운다. 표준편차는 1층 뒤 "
        f"{gain[0]:.2f}에서 {gain[-1]:.2f} 근처로 자리 잡고 그대로 유지된다(허용 오차 ±{TANH_TOLERANCE}).",
    )


def _tanh_reference() -> tuple[tuple, dict]:
    xavier_std_30 = activation_stds(_xavier, activation=torch.tanh)[-1]
    xavier_gain_std_30 = activation_stds(_xavier_tanh_gain, activation=torch.tanh)[-1]
    return (xavier_std_30, xavier_gain_std_30), {}


_TANH_SOLUTION_CODE = """\
def xavier_tanh(w):
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh"))


plain = activation_stds(nn.init.xavier_uniform_, activation=torch.tanh)
gain = activation_stds(xavier_tanh, activation=torch.tanh)
print(f"plain Xavier: {plain[0]:.2f} -> {plain[-1]:.2f}   with tanh gain: {gain[0]:.2f} -> {gain[-1]:.2f}")
xavier_std_30, xavier_gain_std_30 = plain[-1], gain[-1]
check("05.3", xavier_std_30, xavier_gain_std_30)
"""

register(
    Exercise(
        id="05.3",
        check=check_tanh_spread,
        hints={
            "en": [
                "activation_stds takes the activation as a parameter: activation=torch.tanh.",
                "For the gain, write a small function of w that calls nn.init.xavier_uniform_ with "
                'gain=nn.init.calculate_gain("tanh"), and pass that function as init.',
                "The list has one std per layer; the value after layer 30 is its last entry.",
            ],
            "ko": [
                "activation_stds는 활성화 함수를 매개변수로 받는다. activation=torch.tanh를 넘겨라.",
                '이득(gain)을 주려면 w를 받아 gain=nn.init.calculate_gain("tanh")로 nn.init.xavier_uniform_을 '
                "부르는 작은 함수를 만들어 init으로 넘겨라.",
                "리스트에는 층마다 표준편차가 하나씩 있다. 30층 뒤의 값은 마지막 값이다.",
            ],
        },
        solution={
            "en": _TANH_SOLUTION_CODE
            + "\nXavier's Var(w) = 1/in keeps the variance only where tanh is linear; tanh's slope is below 1 "
            'elsewhere, so the std shrinks slowly, layer after layer. calculate_gain("tanh") = 5/3 scales the '
            "weights up just enough to make up for that, and the spread stays flat (near 0.65). Kaiming's ReLU "
            "scale (gain √2 ≈ 1.41, a little below 5/3) also keeps it flat, at a lower level (about 0.55).",
            "ko": _TANH_SOLUTION_CODE
            + "\nXavier의 Var(w) = 1/in은 tanh가 선형인 곳에서만 분산을 지킨다. 그 밖에서는 tanh의 기울기가 1보다 "
            '작아서 표준편차가 층마다 조금씩 줄어든다. calculate_gain("tanh") = 5/3은 가중치를 그만큼 키워 이를 '
            "메우고, 퍼짐은 평평하게(0.65 근처) 유지된다. ReLU용 Kaiming 스케일(이득 √2 ≈ 1.41, 5/3보다 "
            "조금 작다)도 퍼짐을 평평하게 유지하지만, 그 높이는 더 낮다(0.55 근처).",
        },
        reference=_tanh_reference,
    )
)


# ----------------------------------------------------------------------------------------------
# 05.4 · freeze fc1 and fc2, optimize what still trains


def check_freezing(partly_frozen: Any, optimizer: Any) -> Feedback:
    """Return the feedback on 05.4: fc1 and fc2 frozen, fc3 trains, the optimizer holds fc3's tensors only."""
    if not isinstance(partly_frozen, nn.Module):
        return _not_a_module("partly_frozen", partly_frozen, "the Regressor", "Regressor")
    layers = {name: getattr(partly_frozen, name, None) for name in ("fc1", "fc2", "fc3")}
    if not all(isinstance(layer, nn.Linear) for layer in layers.values()):
        return not_yet(
            "partly_frozen should be the notebook's Regressor, with linear layers fc1, fc2 and fc3.",
            "partly_frozen은 선형 층 fc1, fc2, fc3를 가진 노트북의 Regressor여야 한다.",
        )
    if isinstance(optimizer, type):
        return not_yet(
            f"optimizer_4 is the class {optimizer.__name__}, not an optimizer: call it with the parameters and lr=0.1.",
            f"optimizer_4는 옵티마이저가 아니라 클래스({optimizer.__name__})다. 파라미터와 lr=0.1을 넣어 호출하라.",
        )
    if not isinstance(optimizer, torch.optim.Optimizer):
        return not_yet(
            f"optimizer_4 should be a torch.optim optimizer (e.g. torch.optim.SGD); got a {_type_name(optimizer)}.",
            "optimizer_4는 torch.optim의 옵티마이저(예: torch.optim.SGD)여야 "
            f"한다. 받은 것은 {_type_name(optimizer)} 형(type)이다.",
        )
    names = {id(p): name for name, p in partly_frozen.named_parameters()}
    for name in ("fc1", "fc2"):
        if any(p.requires_grad for p in layers[name].parameters()):
            return not_yet(
                f"{name}'s parameters still have requires_grad=True: freeze {name} as well.",
                f"{name}의 파라미터가 아직 requires_grad=True다. {name}도 동결하라.",
            )
    if not all(p.requires_grad for p in layers["fc3"].parameters()):
        return not_yet(
            "fc3's parameters have requires_grad=False: only fc1 and fc2 should be frozen, fc3 keeps training.",
            "fc3의 파라미터가 requires_grad=False다. fc1과 fc2만 동결하고 fc3는 계속 학습해야 한다.",
        )
    held = [p for group in optimizer.param_groups for p in group["params"]]
    foreign = [p for p in held if id(p) not in names]
    if foreign:
        return not_yet(
            f"{len(foreign)} of the optimizer's {len(held)} tensors are not partly_frozen's: "
            "did you build it from another model's parameters?",
            f"옵티마이저의 텐서 {len(held)}개 중 {len(foreign)}개가 partly_frozen의 것이 아니다. "
            "다른 모델의 파라미터로 만들지 않았는가?",
        )
    frozen_held = [names[id(p)] for p in held if not p.requires_grad]
    if frozen_held:
        return not_yet(
            f"The optimizer holds {len(held)} tensors, {len(frozen_held)} of them frozen ({', '.join(frozen_held)}): "
            "give it only the parameters whose requires_grad is True.",
            f"옵티마이저가 텐서 {len(held)}개를 가지고 있고 그중 {len(frozen_held)}개는 동결된 것이다"
            f"({', '.join(frozen_held)}). requires_grad가 True인 파라미터만 넘겨라.",
        )
    missing = [
        name for name, p in partly_frozen.named_parameters() if p.requires_grad and all(p is not q for q in held)
    ]
    if missing:
        return not_yet(
            f"The optimizer lacks {', '.join(missing)}: it would never update them.",
            f"옵티마이저에 없는 파라미터: {', '.join(missing)}. 그러면 이것들은 갱신되지 않는다.",
        )
    # One step on a copy (the copy keeps the optimizer pointing at the copied model's tensors).
    model_copy, optimizer_copy = copy.deepcopy((partly_frozen, optimizer))
    model_copy.eval()  # no dropout: the learner's random state is left alone
    before = {name: p.detach().clone() for name, p in model_copy.named_parameters()}
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 13, generator=generator), torch.randn(8, 1, generator=generator)
    optimizer_copy.zero_grad()
    nn.functional.mse_loss(model_copy(x), y).backward()
    optimizer_copy.step()
    moved = [name for name, p in model_copy.named_parameters() if not torch.equal(p.detach(), before[name])]
    if any(name.startswith(("fc1.", "fc2.")) for name in moved) or not any(n.startswith("fc3.") for n in moved):
        return not_yet(
            f"One optimizer step on a copy changed {', '.join(moved) or 'nothing'}, not fc3 alone: check the "
            "optimizer's settings, such as lr.",
            f"복사본에서 한 번 갱신했을 때 바뀐 것: {', '.join(moved) or '없음'}. fc3만 바뀌어야 한다. "
            "학습률(lr) 같은 옵티마이저 설정을 확인하라.",
        )
    values = sum(p.numel() for p in held)
    return correct(
        f"The optimizer holds fc3's {len(held)} tensors ({values} values) and nothing frozen; one step on a copy "
        "changed fc3 and left fc1 and fc2 exactly as they were.",
        f"옵티마이저는 fc3의 텐서 {len(held)}개(값 {values}개)만 가지고 동결된 것은 없다. 복사본에서 한 번 갱신하면 "
        "fc3만 바뀌고 fc1과 fc2는 그대로다.",
    )


def _freezing_reference() -> tuple[tuple, dict]:
    torch.manual_seed(0)
    partly_frozen = _Regressor()
    partly_frozen.fc1.requires_grad_(False)
    partly_frozen.fc2.requires_grad_(False)
    trainable = [p for p in partly_frozen.parameters() if p.requires_grad]
    optimizer_4 = torch.optim.SGD(trainable, lr=0.1)
    return (partly_frozen, optimizer_4), {}


_FREEZING_SOLUTION_CODE = """\
set_seed(0)
partly_frozen = Regressor()
partly_frozen.fc1.requires_grad_(False)
partly_frozen.fc2.requires_grad_(False)
trainable = [p for p in partly_frozen.parameters() if p.requires_grad]
optimizer_4 = torch.optim.SGD(trainable, lr=0.1)
print([len(group["params"]) for group in optimizer_4.param_groups])  # [2]: fc3.weight and fc3.bias
check("05.4", partly_frozen, optimizer_4)
"""

register(
    Exercise(
        id="05.4",
        check=check_freezing,
        hints={
            "en": [
                "requires_grad_(False) works on a whole module: it freezes every parameter the layer holds.",
                "An optimizer takes any list of parameters, not only model.parameters(): keep those that still "
                "require a gradient.",
                'optimizer_4.param_groups[0]["params"] shows which tensors the optimizer holds.',
            ],
            "ko": [
                "requires_grad_(False)는 모듈 전체에 쓸 수 있다. 그 층이 가진 모든 파라미터를 동결한다.",
                "옵티마이저는 model.parameters()만이 아니라 어떤 파라미터 리스트든 받는다. 아직 기울기가 필요한 것만 "
                "남겨라.",
                'optimizer_4.param_groups[0]["params"]를 보면 옵티마이저가 가진 텐서를 알 수 있다.',
            ],
        },
        solution={
            "en": _FREEZING_SOLUTION_CODE
            + "\nThe optimizer now holds only fc3's weight and bias. PyTorch's optimizers skip a tensor whose "
            ".grad is None, so handing them the frozen ones usually does no harm; but a tensor frozen after some "
            "training keeps its old .grad (zeros after zero_grad(set_to_none=False)), and weight decay still moves "
            "it. An optimizer that only holds what trains cannot do that, and says what you mean.",
            "ko": _FREEZING_SOLUTION_CODE
            + "\n이제 옵티마이저는 fc3의 가중치와 편향만 가진다. PyTorch의 옵티마이저는 .grad가 None인 텐서를 "
            "건너뛰므로, 동결된 텐서를 넘겨도 대개는 해가 없다. 그러나 얼마간 학습한 뒤에 동결한 텐서는 예전의 "
            ".grad를 그대로 가지고 있고(zero_grad(set_to_none=False) 뒤에는 0), 가중치 감쇠(weight decay)가 "
            "여전히 그 텐서를 움직인다. 학습할 것만 가진 옵티마이저에서는 그런 일이 없고, 의도도 분명히 드러난다.",
        },
        reference=_freezing_reference,
    )
)
