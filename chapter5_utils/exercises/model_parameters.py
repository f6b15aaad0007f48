"""Exercises of notebook 05 · model structure and parameters (모델 구조 및 가중치 확인).

05.1 batch norm's parameters and buffers (a BatchNorm1d(50) between fc1 and its ReLU, checked by
what the model computes), 05.2 weight tying (the weight only, each layer keeps its bias), 05.3 the
30-layer experiment with tanh, 05.4 fine-tuning the last layer (fc1 and fc2 frozen, an SGD optimizer
over what still trains, from a model whose .grad tensors hold zeros), 05.5 saving a checkpoint and
resuming from it exactly, loading with weights_only=True. The network is the chapter's MLP,
``chapter5_utils.models.ChapterMLP``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import torch
from torch import nn

from chapter5_utils.exercises.core import (
    Exercise,
    Feedback,
    NotYet,
    as_number,
    as_numbers,
    correct,
    describe,
    learner_code,
    not_attempted,
    read_int,
    read_number,
    read_numbers,
    register,
    same_setting,
    show,
)
from chapter5_utils.exercises.korean import attach as josa
from chapter5_utils.inspection import activation_stds
from chapter5_utils.models import ChapterMLP

N_FEATURES = 10
MLP_PARAMS = N_FEATURES * 50 + 50 + 50 * 30 + 30 + 30 * 1 + 1  # 2,111


def _solution(code: str, en: str, ko: str) -> dict[str, str]:
    return {"en": code + "\n" + en, "ko": code + "\n" + ko}


def _module(name: str, value: Any, what_en: str, what_ko: str) -> nn.Module:
    if not isinstance(value, nn.Module):
        raise NotYet(
            f"`{name}` should be a torch.nn.Module ({what_en}), got {describe(value)}.",
            f"`{name}`에는 torch.nn.Module({what_ko})이 와야 한다. 받은 것: {describe(value, 'ko')}.",
        )
    if any(p.is_meta for p in value.parameters()):
        raise NotYet(
            f"`{name}` is on the meta device: its parameters have shapes but no values. Build it on the CPU.",
            f"{josa(f'`{name}`', '이/가')} meta 장치에 있어서 파라미터에 모양만 있고 값이 없다. CPU에서 만들어라.",
        )
    return value


def _layers(name: str, model: nn.Module) -> dict[str, nn.Linear]:
    layers = {key: getattr(model, key, None) for key in ("fc1", "fc2", "fc3")}
    if not all(isinstance(layer, nn.Linear) for layer in layers.values()):
        raise NotYet(
            f"`{name}` should be the chapter's MLP (ChapterMLP or a subclass), with the linear layers fc1, fc2 "
            "and fc3.",
            f"`{name}`에는 선형 층 fc1, fc2, fc3을 가진 이 장의 MLP(ChapterMLP 또는 그 하위 클래스)가 와야 한다.",
        )
    shapes = [(layers[k].in_features, layers[k].out_features) for k in ("fc1", "fc2", "fc3")]
    if shapes != [(N_FEATURES, 50), (50, 30), (30, 1)]:
        raise NotYet(
            f"`{name}`'s layers have (in, out) sizes {shapes}; the chapter's MLP has [(10, 50), (50, 30), (30, 1)]: "
            "build it with ChapterMLP(n_features=10).",
            f"`{name}`의 층 크기(in, out)는 {shapes}, 이 장의 MLP는 [(10, 50), (50, 30), (30, 1)]이다. "
            "ChapterMLP(n_features=10)로 만들어라.",
        )
    return layers


# ----------------------------------------------------------------------------------------------
# 05.1 · batch normalisation: parameters and buffers


class _MLPWithBatchNorm(ChapterMLP):
    """The chapter's MLP with BatchNorm1d(50) between fc1 and its ReLU (the solution of 05.1)."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.relu(self.bn(self.fc1(x))))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


def _buffer_keys(model: nn.Module) -> set[str]:
    return set(model.state_dict()) - {name for name, _ in model.named_parameters()}


def _placement(probe: nn.Module, norm: nn.BatchNorm1d, x: torch.Tensor, out: torch.Tensor) -> str | None:
    """Return where the batch norm sits, judged from what the model computes: "right", "after", or None."""
    layers = {k: getattr(probe, k) for k in ("fc1", "fc2", "fc3")}
    relu = torch.relu
    with torch.no_grad():
        candidates = {
            "right": layers["fc3"](relu(layers["fc2"](relu(norm(layers["fc1"](x)))))),
            "after": layers["fc3"](relu(layers["fc2"](norm(relu(layers["fc1"](x)))))),
        }
    for where, expected in candidates.items():
        if (out - expected).abs().max().item() < 1e-4 * max(1.0, expected.abs().max().item()):
            return where
    return None


def check_batch_norm(bn_model: Any, added_params: Any, buffer_keys: Any) -> Feedback:
    """Return the feedback on 05.1: a BatchNorm1d(50) between fc1 and its ReLU, the parameters it adds, the
    buffer keys."""
    bn_model = _module("bn_model", bn_model, "the chapter's MLP with batch norm", "배치 정규화를 넣은 이 장의 MLP")
    _layers("bn_model", bn_model)
    norms = [m for m in bn_model.modules() if isinstance(m, nn.BatchNorm1d)]
    if not norms:
        raise NotYet(
            "bn_model has no nn.BatchNorm1d layer: create one in __init__ and assign it to an attribute.",
            "bn_model에 nn.BatchNorm1d 층이 없다. __init__에서 만들어 속성(attribute)에 넣어야 한다.",
        )
    norm = norms[0]
    if norm.num_features != 50:
        raise NotYet(
            f"The batch-norm layer normalises {norm.num_features} features, but fc1 produces 50: use "
            "nn.BatchNorm1d(50).",
            f"배치 정규화 층의 특성 수는 {norm.num_features}개이고 fc1의 출력은 50개다. nn.BatchNorm1d(50)을 써야 "
            "한다.",
        )
    if not norm.affine or not norm.track_running_stats:
        what_en = ("affine=False, so it has no scale γ and no shift β to learn" if not norm.affine
                   else "track_running_stats=False, so it keeps no running statistics")
        what_ko = ("affine=False로 만들어서 학습할 스케일 γ와 이동 β가 없다" if not norm.affine
                   else "track_running_stats=False로 만들어서 이동 통계(running statistics)를 두지 않는다")
        raise NotYet(
            f"The batch-norm layer was made with {what_en}: use nn.BatchNorm1d(50) with its defaults, as the task "
            "says.",
            f"배치 정규화 층을 {what_ko}. 문제대로 기본값 그대로 nn.BatchNorm1d(50)을 써라.",
        )
    calls: list[int] = []
    with learner_code():
        probe = copy.deepcopy(bn_model).eval()  # a copy in eval mode: the learner's statistics stay as they are
        probe_norm = [m for m in probe.modules() if isinstance(m, nn.BatchNorm1d)][0]
        gen = torch.Generator().manual_seed(0)
        dtype = probe.fc1.weight.dtype
        with torch.no_grad():  # statistics and an affine map far from the identity, so that positions differ
            probe_norm.running_mean.copy_(torch.randn(50, generator=gen))
            probe_norm.running_var.copy_(torch.rand(50, generator=gen) + 0.5)
            if probe_norm.affine:
                probe_norm.weight.copy_(torch.randn(50, generator=gen))
                probe_norm.bias.copy_(torch.randn(50, generator=gen))
        probe_norm.register_forward_hook(lambda module, inputs, output: calls.append(1))
        x = torch.randn(16, N_FEATURES, generator=gen).to(dtype)
        with torch.no_grad():
            out = probe(x)
    if not calls:
        raise NotYet(
            "Your forward() never calls the batch-norm layer: creating it in __init__ is not enough, forward must "
            "pass fc1's output through it.",
            "forward()가 배치 정규화 층을 한 번도 호출하지 않는다. __init__에서 만들기만 해서는 안 되고, forward에서 "
            "fc1의 출력을 이 층에 통과시켜야 한다.",
        )
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (16, 1):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else describe(out)
        raise NotYet(
            f"For a batch of 16 rows of {N_FEATURES} features bn_model returned {shape}, not (16, 1): keep fc2 and "
            "fc3 as they were.",
            f"특성 {N_FEATURES}개짜리 16행 배치에 대해 bn_model이 (16, 1)이 아니라 {josa(shape, '을/를')} "
            "돌려준다. fc2와 fc3는 그대로 두어야 한다.",
        )
    where = _placement(probe, probe_norm, x, out)
    if where == "after":
        raise NotYet(
            "The batch norm sits after fc1's ReLU; the task puts it between fc1 and its ReLU, so that it "
            "normalises the net inputs and the ReLU cuts the normalised values.",
            "배치 정규화가 fc1의 ReLU 뒤에 있다. 문제는 fc1과 그 ReLU 사이에 두라고 한다. 그래야 순입력을 정규화하고, "
            "ReLU가 정규화된 값을 자른다.",
        )
    if where is None:
        raise NotYet(
            "bn_model does not compute fc3(relu(fc2(relu(bn(fc1(x)))))) in eval mode: put the batch norm right "
            "after fc1, before its ReLU, and keep the rest of the chapter's MLP as it is.",
            "bn_model이 평가 모드에서 fc3(relu(fc2(relu(bn(fc1(x))))))를 계산하지 않는다. 배치 정규화를 fc1 바로 "
            "뒤, ReLU 앞에 두고 나머지는 이 장의 MLP 그대로 두어라.",
        )
    total = sum(p.numel() for p in bn_model.parameters())
    bn_params = sum(p.numel() for p in norm.parameters())
    if total != MLP_PARAMS + bn_params:
        raise NotYet(
            f"bn_model has {total:,} parameters, but the chapter's MLP ({MLP_PARAMS:,}) plus the batch-norm layer "
            f"has {MLP_PARAMS + bn_params:,}: start from ChapterMLP and only add the layer.",
            f"bn_model의 파라미터는 {total:,}개인데, 이 장의 MLP({MLP_PARAMS:,}개)에 배치 정규화 층을 더하면 "
            f"{MLP_PARAMS + bn_params:,}개여야 한다. ChapterMLP에서 시작해 층 하나만 더하라.",
        )
    added = read_int("added_params", added_params)
    buffers = _buffer_keys(bn_model)
    buffer_values = sum(t.numel() for k, t in bn_model.state_dict().items() if k in buffers)
    if added != bn_params:
        if added in (bn_params + buffer_values, bn_params + buffer_values - 1):
            en = (f"{added} also counts the running statistics. They are buffers: saved in state_dict(), but not "
                  "parameters, so the optimizer never updates them.")
            ko = (f"{added}개에는 이동 통계(running statistics)까지 들어 있다. 이동 통계는 버퍼(buffer)다. "
                  "state_dict()에 저장되지만 파라미터가 아니므로 옵티마이저가 갱신하지 않는다.")
        elif added == norm.num_features:
            en = ("BatchNorm1d learns two vectors, not one: a scale (weight, γ) and a shift (bias, β), one value "
                  "per feature each.")
            ko = ("BatchNorm1d는 벡터 하나가 아니라 둘을 학습한다. 특성마다 값 하나씩인 스케일(weight, γ)과 "
                  "이동(bias, β)이다.")
        elif added == total:
            en = f"{added:,} is the whole model's count; the question asks how many the new layer adds."
            ko = f"{added:,}개는 모델 전체의 파라미터 수다. 문제는 새 층이 더하는 개수를 묻는다."
        else:
            en = (f"The batch-norm layer adds a different number than {added}: count the values in its "
                  "parameters() (not in its state_dict()).")
            ko = (f"배치 정규화 층이 더하는 개수는 {added}개가 아니다. state_dict()가 아니라 parameters()의 값 "
                  "개수를 세라.")
        raise NotYet(en, ko)
    if isinstance(buffer_keys, str) or not isinstance(buffer_keys, list | tuple | set):
        raise NotYet(
            f"buffer_keys should be a list of state_dict keys (strings), got {describe(buffer_keys)}.",
            f"buffer_keys에는 state_dict 키(문자열)의 리스트가 와야 한다. 받은 것: {describe(buffer_keys, 'ko')}.",
        )
    given = {str(k) for k in buffer_keys}
    params = {name for name, _ in bn_model.named_parameters()}
    if given & params:
        name = sorted(given & params)[0]
        raise NotYet(
            f"{name!r} is a parameter (named_parameters() lists it): list only the state_dict keys that are not "
            "parameters.",
            f"{name!r} 키는 파라미터다(named_parameters()에 있다). 파라미터가 아닌 state_dict 키만 적어라.",
        )
    if given != buffers:
        missing, extra = sorted(buffers - given), sorted(given - buffers)
        short = {k.rsplit(".", 1)[-1] for k in buffers}
        if extra and all(k in short for k in extra):
            raise NotYet(
                "Write the full keys as state_dict() shows them, with the layer's name in front (e.g. "
                f"{sorted(buffers)[0]!r}).",
                f"state_dict()에 나오는 그대로, 앞에 층 이름을 붙인 전체 키를 적어라(예: {sorted(buffers)[0]!r}).",
            )
        if extra:
            raise NotYet(
                f"{extra[0]!r} is not a key of bn_model.state_dict(): copy the keys from what state_dict() prints.",
                f"{josa(repr(extra[0]), '이라는/라는')} 키는 bn_model.state_dict()에 없다. state_dict()가 출력하는 "
                "키를 옮겨 적어라.",
            )
        raise NotYet(
            f"You listed {len(given)} of the {len(buffers)} keys that are not parameters; {missing[0]!r} is missing.",
            f"파라미터가 아닌 키 {len(buffers)}개 가운데 {len(given)}개만 적었다. 빠진 키: {missing[0]!r}.",
        )
    return correct(
        f"BatchNorm1d(50) adds {bn_params} parameters (a scale γ and a shift β per feature) and {len(buffers)} "
        "buffers: running_mean and running_var, used in eval mode instead of the batch's statistics, and "
        "num_batches_tracked. state_dict() saves them, the optimizer never updates them.",
        f"BatchNorm1d(50)은 파라미터 {bn_params}개(특성마다 스케일 γ와 이동 β)와 버퍼 {len(buffers)}개를 더한다. "
        "버퍼는 평가 모드에서 배치 통계 대신 쓰는 running_mean과 running_var, 그리고 num_batches_tracked다. "
        "state_dict()는 버퍼를 저장하지만 옵티마이저는 갱신하지 않는다.",
    )


def _batch_norm_reference() -> tuple[tuple, dict]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        bn_model = _MLPWithBatchNorm()
    added_params = sum(p.numel() for p in bn_model.bn.parameters())
    buffer_keys = [k for k in bn_model.state_dict() if k not in dict(bn_model.named_parameters())]
    return (bn_model, added_params, buffer_keys), {}


_BATCH_NORM_SOLUTION_CODE = """\
class BNMLP(ChapterMLP):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x):
        x = self.dropout(self.relu(self.bn(self.fc1(x))))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


bn_model = BNMLP()
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
                "Subclass ChapterMLP: call super().__init__(), add the layer as an attribute, and write a forward "
                "that passes fc1's output through it before the ReLU.",
                "Compare [name for name, p in bn_model.named_parameters()] with list(bn_model.state_dict()).",
                "Parameters are what the optimizer trains; buffers are state that is saved with the model but not "
                "trained.",
            ],
            "ko": [
                "ChapterMLP를 상속하라. super().__init__()을 호출하고 층을 속성으로 더한 뒤, fc1의 출력을 ReLU 앞에서 "
                "그 층에 통과시키는 forward를 쓴다.",
                "`[name for name, p in bn_model.named_parameters()]`와 `list(bn_model.state_dict())`를 비교해 보라.",
                "파라미터는 옵티마이저가 학습하는 값이고, 버퍼(buffer)는 모델과 함께 저장되지만 학습되지 않는 상태다.",
            ],
        },
        solution=_solution(
            _BATCH_NORM_SOLUTION_CODE,
            "The layer learns a scale and a shift per feature (2 × 50 = 100 parameters). Its running mean "
            "and variance are buffers: updated by forward passes in training mode, used in eval mode, saved in "
            "state_dict(), but never touched by the optimizer.",
            "이 층은 특성마다 스케일 γ와 이동 β를 하나씩 학습한다(2 × 50 = 100개의 파라미터). 배치 통계의 이동 "
            "평균과 이동 분산은 버퍼다. 학습 모드의 순전파가 갱신하고 평가 모드에서 쓰이며 state_dict()에 "
            "저장되지만, 옵티마이저는 건드리지 않는다.",
        ),
        reference=_batch_norm_reference,
        task=(
            "Build the chapter's MLP with a batch-normalisation layer `nn.BatchNorm1d(50)` between `fc1` and its "
            "ReLU (subclass `ChapterMLP`). How many parameters does the new layer add? Which keys of its "
            "`state_dict()` are not parameters? (Those are *buffers*: saved with the model, but not trained.) The "
            "check runs your model and tells where the layer sits from what it computes."
        ),
    )
)


# ----------------------------------------------------------------------------------------------
# 05.2 · weight tying


def check_weight_tying(tied: Any, predicted_params: Any) -> Feedback:
    """Return the feedback on 05.2: two linear layers share one weight (not the bias), and the predicted count."""
    tied = _module("tied", tied, "the Sequential with a shared weight", "가중치를 공유하는 Sequential")
    linears = [m for m in tied.modules() if isinstance(m, nn.Linear)]
    pairs = [(a, b) for i, a in enumerate(linears) for b in linears[i + 1:]]
    shared = next((a.weight for a, b in pairs if a.weight is b.weight), None)
    if shared is None:
        if any(a.weight.data_ptr() == b.weight.data_ptr() for a, b in pairs):
            raise NotYet(
                "Your two layers share storage but are still two Parameter objects, so parameters() counts both: "
                "assign the Parameter object itself, not its .data.",
                "두 층이 저장 공간은 공유하지만 여전히 서로 다른 Parameter 객체라서 parameters()가 둘 다 센다. "
                ".data가 아니라 Parameter 객체 자체를 대입하라.",
            )
        raise NotYet(
            "No two linear layers in `tied` hold the same weight: after tying, tied[0].weight is tied[2].weight "
            "should be True.",
            "`tied`에는 같은 가중치를 가진 선형 층이 없다. 묶은 뒤에는 `tied[0].weight is tied[2].weight`가 True여야 "
            "한다.",
        )
    if any(a.bias is not None and a.bias is b.bias for a, b in pairs):
        raise NotYet(
            "You tied the biases as well: the task shares the weight only, and each layer keeps its own bias.",
            "편향까지 묶었다. 문제는 가중치만 공유하고, 편향은 층마다 따로 두라고 한다.",
        )
    predicted = read_int("predicted_params", predicted_params)
    unique = list(tied.parameters())
    count = sum(p.numel() for p in unique)
    if predicted == count:
        rows, cols = shared.shape
        return correct(
            f"tied has {count:,} parameters: the shared {rows} × {cols} weight counts once, each layer's bias "
            "separately. parameters(), summary() and an optimizer all see the shared tensor once.",
            f"`tied`의 파라미터는 {count:,}개다. 공유된 {rows} × {cols} 가중치는 한 번만 세고, 편향은 층마다 따로 "
            "센다. parameters()와 summary(), 옵티마이저 모두 공유된 텐서를 한 번만 본다.",
        )
    biases = sum(m.bias.numel() for m in linears if m.bias is not None)
    if predicted == count + shared.numel():
        raise NotYet(
            f"{predicted:,} counts the shared weight twice: two layers use it, but it is one tensor.",
            f"{predicted:,}개는 공유된 가중치를 두 번 센 값이다. 두 층이 쓰지만 텐서는 하나다.",
        )
    if predicted in (count - biases, count - biases // 2, count + shared.numel() - biases):
        raise NotYet(
            f"{predicted:,} leaves out a bias: tying shares the weight only, each layer keeps its own bias.",
            f"{predicted:,}개에는 편향이 빠졌다. 묶이는 것은 가중치뿐이고, 편향은 층마다 따로 있다.",
        )
    raise NotYet(
        f"tied does not have {predicted:,} parameters: count each distinct tensor once (the shared weight, then "
        "every bias), and compare with summary(tied, (20,)).",
        f"`tied`의 파라미터는 {predicted:,}개가 아니다. 서로 다른 텐서를 한 번씩만 세고(공유 가중치, 그리고 각 편향) "
        "summary(tied, (20,))와 비교해 보라.",
    )


def _weight_tying_reference() -> tuple[tuple, dict]:
    with torch.random.fork_rng(devices=[]):
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
                "parameters() yields each tensor once, however many modules hold it; tying shares the weight, not "
                "the bias.",
            ],
            "ko": [
                "nn.Linear의 `weight`는 속성이다. 다른 층의 nn.Parameter를 그대로 대입할 수 있다.",
                "parameters()는 여러 모듈이 가진 텐서라도 한 번만 내놓는다. 묶이는 것은 가중치이고 편향은 아니다.",
            ],
        },
        solution=_solution(
            _WEIGHT_TYING_SOLUTION_CODE,
            "Both layers now hold one Parameter: 400 weights counted once, plus 20 + 20 biases = 440. The summary "
            "table counts the shared weight in the first row and notes the sharing in the last.",
            "두 층이 이제 Parameter 하나를 함께 가진다. 가중치 400개를 한 번 세고 편향 20 + 20개를 더해 440개다. "
            "요약 표는 공유된 가중치를 첫 행에서 세고, 마지막 행에 공유했다고 적는다.",
        ),
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
    with torch.random.fork_rng(devices=[]):
        return tuple(activation_stds(_INITS[init], activation=_ACTIVATIONS[activation]))


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= TANH_TOLERANCE


def _diagnose_tanh(value: float, own: str, other: str, label_en: str, label_ko: str) -> None:
    if _near(value, _stds(own, "tanh")[-1]):
        return
    relu = _stds(own, "relu")[-1]
    shown = show(value, ".3g")
    if _near(value, relu) or (relu > 1 and abs(value / relu - 1) < 0.05) or (relu < 1e-3 and abs(value) < 1e-3):
        raise NotYet(
            f"Your {label_en} number {shown} is what ReLU gives: pass activation=torch.tanh.",
            f"{label_ko}의 값({shown})은 ReLU의 결과다. activation=torch.tanh를 넘겨라.",
        )
    if _near(value, _stds(own, "tanh")[0]):
        raise NotYet(
            f"Your {label_en} number {show(value, '.2f')} is the std after layer 1: take the last entry of the "
            "list, stds[-1].",
            f"{label_ko}의 값({show(value, '.2f')})은 1층 뒤의 표준편차다. 리스트의 마지막 값 stds[-1]을 써라.",
        )
    if _near(value, _stds(other, "tanh")[-1]):
        raise NotYet(
            "Your two numbers look swapped: the first is for Xavier as it is, the second for Xavier with the tanh "
            "gain.",
            "두 수가 뒤바뀐 것 같다. 첫째는 기본 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
        )
    raise NotYet(
        f"Your {label_en} number {shown} is not within ±{TANH_TOLERANCE} of the std after layer 30 that the "
        "experiment gives: did you keep seed=0, depth=30 and width=256, and read stds[-1]?",
        f"{label_ko}의 값({shown})은 실험이 주는 30층 뒤 표준편차와 ±{TANH_TOLERANCE} 안에서 맞지 않는다. "
        "seed=0, depth=30, width=256을 그대로 두고 stds[-1]을 읽었는가?",
    )


def _read_std(name: str, value: Any) -> float:
    if as_number(value) is None:
        many = as_numbers(value)
        if many is not None and many.size > 1:
            raise NotYet(
                f"`{name}` should be one number, the std after layer 30; got {many.size} numbers: take the last "
                "entry.",
                f"`{name}`에는 30층 뒤의 표준편차 하나가 와야 한다. 받은 것은 수 {many.size}개다. 마지막 값을 골라라.",
            )
    return read_number(name, value)


def check_tanh_spread(xavier_std_30: Any, xavier_gain_std_30: Any) -> Feedback:
    """Return the feedback on 05.3: the two stds after layer 30 with tanh, each within ``TANH_TOLERANCE``."""
    values = [_read_std("xavier_std_30", xavier_std_30), _read_std("xavier_gain_std_30", xavier_gain_std_30)]
    plain, gain = _stds("plain", "tanh"), _stds("gain", "tanh")
    if _near(values[0], gain[-1]) and _near(values[1], plain[-1]) and not _near(values[0], plain[-1]):
        raise NotYet(
            "Your two numbers look swapped: the first is for Xavier as it is, the second for Xavier with the tanh "
            "gain.",
            "두 수가 뒤바뀐 것 같다. 첫째는 기본 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
        )
    _diagnose_tanh(values[0], "plain", "gain", "plain Xavier", "기본 Xavier")
    _diagnose_tanh(values[1], "gain", "plain", "Xavier-with-gain", "이득을 준 Xavier")
    p0, p30, g0, g30 = (show(v, ".2f") for v in (plain[0], plain[-1], gain[0], gain[-1]))
    return correct(
        f"With tanh, plain Xavier lets the std fall from {p0} after layer 1 to {p30} after layer 30, because tanh's "
        f"slope is below 1 away from 0; the gain 5/3 makes up for that: from {g0} after layer 1 it settles near "
        f"{g30} and stays there (tolerance ±{TANH_TOLERANCE}).",
        f"tanh에서 기본 Xavier는 표준편차가 1층 뒤 {p0}에서 30층 뒤 {p30}까지 줄어든다. tanh의 기울기가 0에서 "
        f"멀어지면 1보다 작기 때문이다. 이득 5/3은 그만큼을 메운다. 표준편차는 1층 뒤 {g0}에서 {g30} 근처로 자리 "
        f"잡고 그대로 유지된다(허용 오차 ±{TANH_TOLERANCE}).",
    )


def _tanh_reference() -> tuple[tuple, dict]:
    return (_stds("plain", "tanh")[-1], _stds("gain", "tanh")[-1]), {}


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
                "activation_stds는 활성화 함수를 인자로 받는다. activation=torch.tanh를 넘겨라.",
                '이득(gain)을 주려면 w를 받아 gain=nn.init.calculate_gain("tanh")로 nn.init.xavier_uniform_을 '
                "호출하는 작은 함수를 만들어 init으로 넘겨라.",
                "리스트에는 층마다 표준편차가 하나씩 있다. 30층 뒤의 값은 마지막 값이다.",
            ],
        },
        solution=_solution(
            _TANH_SOLUTION_CODE,
            "Xavier's Var(w) = 1/in keeps the variance only where tanh is linear; tanh's slope is below 1 "
            'elsewhere, so the std shrinks slowly, layer after layer. calculate_gain("tanh") = 5/3 scales the '
            "weights up just enough to make up for that, and the spread stays flat (near 0.65). Kaiming's ReLU "
            "scale (gain √2 ≈ 1.41, a little below 5/3) also keeps it flat, at a lower level (about 0.55).",
            "Xavier의 Var(w) = 1/in은 tanh가 선형인 곳에서만 분산을 지킨다. 그 밖에서는 tanh의 기울기가 1보다 "
            '작아서 표준편차가 층마다 조금씩 줄어든다. calculate_gain("tanh") = 5/3은 가중치를 그만큼 키워 이를 '
            "메우고, 퍼짐은 평평하게(0.65 근처) 유지된다. ReLU용 Kaiming 스케일(이득 √2 ≈ 1.41, 5/3보다 "
            "조금 작다)도 퍼짐을 평평하게 유지하지만, 그 높이는 더 낮다(0.55 근처).",
        ),
        reference=_tanh_reference,
    )
)


# ----------------------------------------------------------------------------------------------
# 05.4 · fine-tune the last layer: freeze fc1 and fc2, train fc3 with an optimizer over what still trains

FINE_TUNE_STEPS = 20
FINE_TUNE_SETTINGS = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}


@functools.cache
def _diabetes_all() -> tuple[torch.Tensor, torch.Tensor]:
    """All 442 patients, features and target standardised, float32: notebook 05's X_all and y_all."""
    from chapter5_utils.data import as_tensors, load_diabetes, standardize

    diabetes = load_diabetes()
    features, target = standardize(diabetes.X)[0], standardize(diabetes.y[:, None])[0]
    X, y = as_tensors(features, target, dtype=torch.float32)
    return X, y


def _train(net: nn.Module, optimizer: torch.optim.Optimizer, steps: int) -> list[float]:
    X, y = _diabetes_all()
    net.train()
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(net(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@functools.cache
def _pretrained_state() -> dict[str, torch.Tensor]:
    """A chapter MLP after 5 Adam steps on every layer: where fine-tuning starts."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = ChapterMLP()
        _train(net, torch.optim.Adam(net.parameters(), lr=0.01), 5)
    return {k: v.clone() for k, v in net.state_dict().items()}


def _pretrained() -> ChapterMLP:
    net = ChapterMLP()
    net.load_state_dict(_pretrained_state())
    for p in net.parameters():  # what a training loop leaves behind: zeros in every .grad
        p.grad = torch.zeros_like(p)
    return net.eval()  # and eval mode, as fit leaves a model: fine_tune must switch training mode on itself


def fine_tune_reference(model: nn.Module, X: torch.Tensor, y: torch.Tensor, steps: int
                        ) -> tuple[torch.optim.Optimizer, list[float]]:
    """Freeze fc1 and fc2, train fc3 with SGD (lr 0.1, momentum 0.9, weight decay 0.01); return it and the losses."""
    model.fc1.requires_grad_(False)
    model.fc2.requires_grad_(False)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], **FINE_TUNE_SETTINGS)
    model.train()
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return optimizer, losses


@functools.cache
def _fine_tune_losses(variant: str) -> tuple[float, ...]:
    """The losses of the reference fine-tuning, and of typical mistakes ("eval", "reseeded")."""
    X, y = _diabetes_all()
    with torch.random.fork_rng(devices=[]):
        model = _pretrained()
        torch.manual_seed(1)
        if variant == "reseeded":
            torch.manual_seed(0)
        if variant == "eval":
            model.fc1.requires_grad_(False)
            model.fc2.requires_grad_(False)
            optimizer = torch.optim.SGD(model.fc3.parameters(), **FINE_TUNE_SETTINGS)
            model.eval()
            losses = []
            with torch.enable_grad():
                for _ in range(FINE_TUNE_STEPS):
                    optimizer.zero_grad()
                    loss = nn.functional.mse_loss(model(X), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
            return tuple(losses)
        _, losses = fine_tune_reference(model, X, y, FINE_TUNE_STEPS)
    return tuple(losses)


def check_fine_tune(fine_tune: Any) -> Feedback:
    """Return the feedback on 05.4: ``fine_tune(model, X, y, steps)`` freezes fc1 and fc2, trains fc3 with
    SGD(lr=0.1, momentum=0.9, weight_decay=0.01) over what still trains, and returns (optimizer, losses)."""
    if not callable(fine_tune) or isinstance(fine_tune, type):
        raise NotYet(
            f"Pass your function itself, fine_tune (without parentheses), got {describe(fine_tune)}.",
            f"함수 자체를 괄호 없이 fine_tune으로 넘겨라. 받은 것: {describe(fine_tune, 'ko')}.",
        )
    X, y = _diabetes_all()
    model = _pretrained()
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    torch.manual_seed(1)  # dropout's masks: the same as the reference's
    with learner_code():
        result = fine_tune(model, X.clone(), y.clone(), FINE_TUNE_STEPS)
    if result is None or result is Ellipsis:
        return not_attempted("05.4")
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise NotYet(
            f"fine_tune should return two things, (optimizer, losses), got {describe(result)}.",
            f"fine_tune은 `(optimizer, losses)` 두 가지를 돌려줘야 한다. 받은 것: {describe(result, 'ko')}.",
        )
    optimizer, losses = result
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise NotYet(
            f"The first thing fine_tune returns should be the optimizer it built, got {describe(optimizer)}.",
            f"fine_tune이 돌려주는 첫째 값은 함수가 만든 옵티마이저여야 한다. 받은 것: {describe(optimizer, 'ko')}.",
        )
    if not isinstance(optimizer, torch.optim.SGD):
        raise NotYet(
            f"fine_tune's optimizer is {type(optimizer).__name__}; the task asks for torch.optim.SGD with lr=0.1, "
            "momentum=0.9 and weight_decay=0.01.",
            f"fine_tune의 옵티마이저가 {josa(type(optimizer).__name__, '이다/다')}. 문제는 lr=0.1, momentum=0.9, "
            "weight_decay=0.01인 torch.optim.SGD를 묻는다.",
        )
    for key, want in FINE_TUNE_SETTINGS.items():
        values = {float(group.get(key, 0.0)) for group in optimizer.param_groups}
        if len(values) != 1 or not same_setting(values.pop(), want):
            raise NotYet(
                f"The optimizer's {key} is not {show(want, 'g')}: build torch.optim.SGD(..., lr=0.1, momentum=0.9, "
                "weight_decay=0.01).",
                f"옵티마이저의 `{key}` 값이 {josa(show(want, 'g'), '이/가')} 아니다. "
                "torch.optim.SGD(..., lr=0.1, momentum=0.9, weight_decay=0.01)로 만들어라.",
            )
    names = {id(p): name for name, p in model.named_parameters()}
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if any(id(p) not in names for p in held):
        raise NotYet(
            "The optimizer holds tensors that are not the model's: build it from the model that fine_tune received.",
            "옵티마이저에 모델의 것이 아닌 텐서가 들어 있다. fine_tune이 받은 모델로 옵티마이저를 만들어라.",
        )
    held_names = sorted(names[id(p)] for p in held)
    for name in ("fc1", "fc2"):
        if any(p.requires_grad for p in getattr(model, name).parameters()):
            raise NotYet(
                f"After fine_tune, {name}'s parameters still have requires_grad=True: freeze {name} with "
                f"model.{name}.requires_grad_(False).",
                f"fine_tune 뒤에도 {name}의 파라미터가 requires_grad=True다. model.{name}.requires_grad_(False)로 "
                f"{name}도 동결하라.",
            )
    if held_names != ["fc3.bias", "fc3.weight"]:
        frozen = [n for n in held_names if not n.startswith("fc3.")]
        if frozen:
            raise NotYet(
                f"The optimizer also holds frozen tensors ({', '.join(frozen)}). With momentum and weight decay it "
                "can still move a frozen tensor whose .grad is a tensor of zeros: give it only what still trains.",
                f"옵티마이저에 동결된 텐서({', '.join(frozen)})도 들어 있다. 모멘텀과 가중치 감쇠가 있으면 .grad가 "
                "0으로 채워진 동결된 텐서도 움직일 수 있다. 학습할 파라미터만 넘겨라.",
            )
        raise NotYet(
            f"The optimizer holds {', '.join(held_names) or 'nothing'}; it should hold fc3.weight and fc3.bias.",
            f"옵티마이저가 가진 것: {', '.join(held_names) or '없음'}. fc3.weight와 fc3.bias를 가져야 한다.",
        )
    moved = [n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])]
    if any(n.startswith(("fc1.", "fc2.")) for n in moved):
        raise NotYet(
            f"fine_tune changed {', '.join(n for n in moved if not n.startswith('fc3.'))}: a frozen layer must keep "
            "every value.",
            f"fine_tune이 {josa(', '.join(n for n in moved if not n.startswith('fc3.')), '을/를')} 바꾸었다. 동결된 "
            "층은 값을 하나도 바꾸면 안 된다.",
        )
    values = read_numbers("losses", losses)
    if values.shape != (FINE_TUNE_STEPS,):
        raise NotYet(
            f"`losses` holds {values.size} numbers, but fine_tune(model, X, y, steps={FINE_TUNE_STEPS}) takes "
            f"{FINE_TUNE_STEPS} steps: one loss per step.",
            f"`losses`에는 수가 {values.size}개 있는데, fine_tune(model, X, y, steps={FINE_TUNE_STEPS})은 "
            f"{FINE_TUNE_STEPS}스텝을 간다. 스텝마다 손실 하나여야 한다.",
        )
    reference = np.asarray(_fine_tune_losses("reference"))
    tol = 1e-5 * float(np.abs(reference).max())
    if not np.abs(values - reference).max() < tol:
        for variant, en, ko in (
            ("eval", "These are the losses with dropout off: keep the model in training mode (model.train()) while "
                     "it trains.",
             "드롭아웃을 끈 손실이다. 학습하는 동안에는 모델을 학습 모드(model.train())로 두어라."),
            ("reseeded", "Your function sets the seed itself: leave the random state as it is (the check seeds it "
                         "before calling fine_tune).",
             "함수가 시드를 직접 정한다. 난수 상태는 그대로 두어라(채점 코드가 fine_tune을 호출하기 전에 시드를 "
             "정한다)."),
        ):
            if np.abs(values - np.asarray(_fine_tune_losses(variant))).max() < tol:
                raise NotYet(en, ko)
        first, last = show(values[0], ".4f"), show(values[-1], ".4f")
        raise NotYet(
            f"Your losses ({first} … {last}) are not what {FINE_TUNE_STEPS} steps of full-batch MSE training give: "
            "in each step optimizer.zero_grad(), loss = mse_loss(model(X), y), loss.backward(), optimizer.step(), "
            "and keep loss.item().",
            f"손실({first} … {last})이 전체 배치 MSE 학습 {FINE_TUNE_STEPS}스텝의 결과와 다르다. 스텝마다 "
            "`optimizer.zero_grad()`, `loss = mse_loss(model(X), y)`, `loss.backward()`, `optimizer.step()`을 하고 "
            "`loss.item()`을 남겨라.",
        )
    n_values = sum(p.numel() for p in held)
    return correct(
        f"Only fc3's {n_values} values trained; fc1 and fc2 kept every value although their .grad held zeros, "
        f"because the optimizer does not hold them. The training loss went from {show(values[0], '.3f')} to "
        f"{show(values[-1], '.3f')} in {FINE_TUNE_STEPS} steps: a frozen feature extractor, a trained head.",
        f"fc3의 값 {n_values}개만 학습했다. fc1과 fc2는 .grad에 0이 들어 있었지만 옵티마이저가 그 텐서를 가지고 있지 "
        f"않으므로 값을 하나도 바꾸지 않았다. 학습 손실은 {FINE_TUNE_STEPS}스텝 동안 {show(values[0], '.3f')}에서 "
        f"{josa(show(values[-1], '.3f'), '으로/로')} 내려갔다. 특성 추출기는 동결하고 마지막 층만 학습한 것이다.",
    )


_FINE_TUNE_CODE = """\
def fine_tune(model, X, y, steps):
    model.fc1.requires_grad_(False)
    model.fc2.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=0.1, momentum=0.9, weight_decay=0.01)
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return optimizer, losses


check("05.4", fine_tune)
"""

register(
    Exercise(
        id="05.4",
        check=check_fine_tune,
        hints={
            "en": [
                "Two things make a layer frozen: its parameters stop requiring a gradient, and the optimizer does "
                "not hold them.",
                "requires_grad_(False) works on a whole module. An optimizer takes any list of parameters: give "
                "torch.optim.SGD only those whose requires_grad is still True.",
                "The loop is the notebook's train_steps with the losses kept: zero_grad, forward in training mode, "
                "MSE, backward, step, then loss.item().",
            ],
            "ko": [
                "층을 동결하려면 두 가지가 필요하다. 파라미터가 더는 기울기를 요구하지 않아야 하고, 옵티마이저가 그 "
                "파라미터를 가지지 않아야 한다.",
                "requires_grad_(False)는 모듈 전체에 쓸 수 있다. 옵티마이저는 어떤 파라미터 리스트든 받는다. "
                "torch.optim.SGD에는 requires_grad가 아직 True인 것만 넘겨라.",
                "반복문은 노트북의 train_steps에 손실 기록을 더한 것이다. 순서는 `zero_grad`, 학습 모드의 순전파, MSE, "
                "`backward`, `step`, 그리고 `loss.item()`이다.",
            ],
        },
        solution=_solution(
            _FINE_TUNE_CODE,
            "The check starts from a model whose every .grad holds zeros, as a training loop leaves it. An optimizer "
            "that held fc1 and fc2 would skip them only while their .grad is None; with momentum and weight decay, a "
            "tensor whose .grad is a tensor of zeros still moves (weight decay adds 0.01·θ to its gradient). An "
            "optimizer over what still trains cannot touch a frozen layer.",
            "채점 코드는 학습 반복문이 남기는 것처럼 모든 .grad에 0이 든 모델에서 시작한다. fc1과 fc2를 가진 "
            "옵티마이저는 .grad가 None일 때만 그 텐서를 건너뛴다. 모멘텀과 가중치 감쇠가 있으면 .grad가 0으로 "
            "채워진 텐서도 움직인다(가중치 감쇠가 기울기에 0.01·θ를 더한다). 학습할 파라미터만 가진 옵티마이저는 "
            "동결된 층을 건드릴 수 없다.",
        ),
        reference=lambda: ((fine_tune_reference,), {}),
        task=(
            "Write `fine_tune(model, X, y, steps)`: it freezes `fc1` and `fc2` of the chapter MLP `model`, builds "
            "`torch.optim.SGD(..., lr=0.1, momentum=0.9, weight_decay=0.01)` over the parameters that still train, "
            "trains `steps` full-batch steps of MSE on `(X, y)` in training mode, and returns the optimizer and "
            "the list of the losses (one per step, before its update). The check runs it on a trained model in eval "
            "mode, as `fit` leaves it, whose `.grad` tensors hold zeros, and checks that `fc1` and `fc2` keep every "
            "value."
        ),
    )
)


# ----------------------------------------------------------------------------------------------
# 05.5 · save and resume a checkpoint, exactly and safely

RESUME_TOTAL, RESUME_AT, RESUME_LATER = 30, 12, 20
RESUME_SETTINGS = {"lr": 0.05, "momentum": 0.9}


def _resume_model(seed: int) -> tuple[ChapterMLP, torch.optim.SGD]:
    torch.manual_seed(seed)
    net = ChapterMLP()
    return net, torch.optim.SGD(net.parameters(), **RESUME_SETTINGS)


@functools.cache
def _never_stopped() -> dict[str, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        net, optimizer = _resume_model(7)
        _train(net, optimizer, RESUME_TOTAL)
    return {k: v.clone() for k, v in net.state_dict().items()}


def _state_equal(a: dict, b: dict) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape \
            and torch.equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_state_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_state_equal(x, z) for x, z in zip(a, b))
    return a == b


class _LoadRecorder:
    """Replaces torch.load inside the block and records the weights_only argument of every call."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.original = torch.load

    def __enter__(self) -> _LoadRecorder:
        def load(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(kwargs.get("weights_only", "missing"))
            return self.original(*args, **kwargs)

        torch.load = load
        return self

    def __exit__(self, *exc: Any) -> None:
        torch.load = self.original


def check_checkpoint(save_checkpoint: Any, load_checkpoint: Any) -> Feedback:
    """Return the feedback on 05.5: a run stopped after 12 of 30 steps and resumed in a new session from the
    learner's checkpoint ends exactly where the run that never stopped ends, loading with weights_only=True."""
    import pickle
    import shutil
    import tempfile
    from pathlib import Path

    for name, value in (("save_checkpoint", save_checkpoint), ("load_checkpoint", load_checkpoint)):
        if not callable(value) or isinstance(value, type):
            raise NotYet(
                f"Pass your function {name} itself (without parentheses), got {describe(value)}.",
                f"함수 {name} 자체를 괄호 없이 넘겨라. 받은 것: {describe(value, 'ko')}.",
            )
    with torch.random.fork_rng(devices=[]), tempfile.TemporaryDirectory() as folder:
        net, optimizer = _resume_model(7)
        _train(net, optimizer, RESUME_AT)
        saved_model = {k: v.clone() for k, v in net.state_dict().items()}
        saved_optimizer = copy.deepcopy(optimizer.state_dict())
        saved_rng = torch.get_rng_state()
        first = Path(folder) / "checkpoint.pt"
        with learner_code():
            returned = save_checkpoint(first, net, optimizer, RESUME_AT)
        if returned is Ellipsis:
            return not_attempted("05.5")
        if not first.is_file():
            raise NotYet(
                "save_checkpoint(path, model, optimizer, step) wrote no file at path: save the checkpoint with "
                "torch.save(..., path).",
                "`save_checkpoint(path, model, optimizer, step)`가 `path`에 파일을 쓰지 않았다. `torch.save(..., "
                "path)`로 "
                "체크포인트를 저장하라.",
            )
        _train(net, optimizer, RESUME_LATER - RESUME_AT)  # a later checkpoint too: the load must read its file
        with learner_code():
            save_checkpoint(Path(folder) / "later.pt", net, optimizer, RESUME_LATER)
        moved = Path(folder) / "moved.pt"  # the new session reads the file, and only the file
        shutil.move(first, moved)
        try:
            content = torch.load(moved, weights_only=True)
        except pickle.UnpicklingError as error:
            raise NotYet(
                "Your checkpoint holds Python objects that torch.load(..., weights_only=True) refuses, such as the "
                "model or the optimizer object itself: save model.state_dict() and optimizer.state_dict(), which "
                "hold only tensors, numbers and strings.",
                "체크포인트에 torch.load(..., weights_only=True)가 거부하는 파이썬 객체(모델이나 옵티마이저 객체 "
                "자체)가 들어 있다. 텐서와 수와 문자열만 담긴 model.state_dict()와 optimizer.state_dict()를 저장하라.",
            ) from error
        del content
        fresh, fresh_optimizer = _resume_model(123)  # a new session: other weights, another random state
        with _LoadRecorder() as recorder, learner_code():
            step = load_checkpoint(moved, fresh, fresh_optimizer)
        if step is Ellipsis:
            return not_attempted("05.5")
        if not recorder.calls:
            raise NotYet(
                "load_checkpoint did not call torch.load: it must read the checkpoint from the file at path, with "
                "torch.load(path, weights_only=True).",
                "load_checkpoint가 torch.load를 호출하지 않았다. `path`의 파일에서 `torch.load(path, "
                "weights_only=True)`로 "
                "체크포인트를 읽어야 한다.",
            )
        if any(flag is not True for flag in recorder.calls):
            raise NotYet(
                "load_checkpoint calls torch.load without weights_only=True. A checkpoint can come from anywhere, "
                "and weights_only=True refuses a file that asks to run code: write torch.load(path, "
                "weights_only=True).",
                "load_checkpoint가 weights_only=True 없이 torch.load를 호출한다. 체크포인트는 어디서든 올 수 있고, "
                "weights_only=True는 코드를 실행하게 만드는 파일을 거부한다. "
                "torch.load(path, weights_only=True)로 써라.",
            )
        if not _state_equal(fresh.state_dict(), saved_model):
            raise NotYet(
                "After load_checkpoint the model's weights are not the saved ones: load them with "
                "model.load_state_dict(...).",
                "load_checkpoint 뒤에도 모델의 가중치가 저장한 값이 아니다. model.load_state_dict(...)로 불러와라.",
            )
        if not _state_equal(fresh_optimizer.state_dict(), saved_optimizer):
            raise NotYet(
                "After load_checkpoint the optimizer's state is not the saved one: SGD's momentum buffers start "
                "from zero again, and the resumed run takes other steps. Save optimizer.state_dict() and load it "
                "with optimizer.load_state_dict(...).",
                "load_checkpoint 뒤에도 옵티마이저의 상태가 저장한 상태로 돌아오지 않았다. SGD의 모멘텀 버퍼가 다시 "
                "0에서 "
                "시작하므로 이어 간 학습이 다른 스텝을 밟는다. optimizer.state_dict()를 저장하고 "
                "optimizer.load_state_dict(...)로 불러와라.",
            )
        if not torch.equal(torch.get_rng_state(), saved_rng):
            raise NotYet(
                "After load_checkpoint the random state is not the saved one, so dropout would draw other masks: "
                "save torch.get_rng_state() and restore it with torch.set_rng_state(...).",
                "load_checkpoint 뒤에도 난수 상태가 저장한 상태로 돌아오지 않아서 드롭아웃이 다른 마스크를 뽑게 된다. "
                "torch.get_rng_state()를 저장하고 torch.set_rng_state(...)로 되돌려라.",
            )
        if as_number(step) is None:
            raise NotYet(
                f"load_checkpoint should return the step saved in the checkpoint (a number), got {describe(step)}: "
                "save the step with the rest and return it.",
                f"load_checkpoint는 체크포인트에 저장한 스텝(수)을 돌려줘야 한다. 받은 것: {describe(step, 'ko')}. "
                "스텝도 함께 저장했다가 돌려주어라.",
            )
        done = read_int("load_checkpoint(...)", step)
        if done != RESUME_AT:
            raise NotYet(
                f"load_checkpoint returned step {done}, but the checkpoint was saved after {RESUME_AT} steps: return "
                "the step that save_checkpoint stored.",
                f"load_checkpoint가 스텝 {josa(done, '을/를')} 돌려주었는데, 체크포인트는 {RESUME_AT}스텝 뒤에 "
                "저장되었다. save_checkpoint가 저장한 스텝을 돌려주어라.",
            )
        _train(fresh, fresh_optimizer, RESUME_TOTAL - done)
    if not _state_equal(fresh.state_dict(), _never_stopped()):
        raise NotYet(
            "Everything was restored, but the resumed run does not end where the run that never stopped ends: "
            "does save_checkpoint change the model, the optimizer or the random state?",
            "모든 것을 되돌렸는데도 이어 간 학습이 멈추지 않은 학습과 같은 곳에서 끝나지 않는다. save_checkpoint가 "
            "모델이나 옵티마이저, 난수 상태를 바꾸지 않는가?",
        )
    return correct(
        f"Stopped after {RESUME_AT} of {RESUME_TOTAL} SGD steps and resumed in a new session, the run ends with "
        "exactly the weights of the run that never stopped: the checkpoint holds the model's and the optimizer's "
        "state_dict, the random state and the step, and it loads with weights_only=True.",
        f"SGD {RESUME_TOTAL}스텝 가운데 {RESUME_AT}스텝 뒤에 멈추었다가 새 세션에서 이어 간 학습이, 멈추지 않은 학습과 "
        "정확히 같은 가중치로 끝난다. 체크포인트에 모델과 옵티마이저의 state_dict, 난수 상태, 스텝 수가 들어 있고, "
        "weights_only=True로 불러온다.",
    )


def save_checkpoint_reference(path: Any, model: nn.Module, optimizer: torch.optim.Optimizer, step: int) -> None:
    """Save what resuming needs: the model's and the optimizer's state_dict, the random state and the step."""
    torch.save({"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "rng": torch.get_rng_state()}, path)


def load_checkpoint_reference(path: Any, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Load a checkpoint saved by ``save_checkpoint_reference`` into model and optimizer; return its step."""
    saved = torch.load(path, weights_only=True)
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    torch.set_rng_state(saved["rng"])
    return saved["step"]


_CHECKPOINT_CODE = """\
def save_checkpoint(path, model, optimizer, step):
    torch.save({"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "rng": torch.get_rng_state()}, path)


def load_checkpoint(path, model, optimizer):
    saved = torch.load(path, weights_only=True)
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    torch.set_rng_state(saved["rng"])
    return saved["step"]


check("05.5", save_checkpoint, load_checkpoint)
"""

register(
    Exercise(
        id="05.5",
        check=check_checkpoint,
        hints={
            "en": [
                "A resumed run repeats the run that never stopped only if everything that decides the next steps is "
                "restored: the weights, the optimizer's buffers, the random numbers dropout will draw, and where "
                "training was.",
                "save_checkpoint puts a dict of model.state_dict(), optimizer.state_dict(), torch.get_rng_state() "
                "and step into torch.save(..., path). Only tensors, numbers and strings: then it loads with "
                "weights_only=True.",
                "load_checkpoint reads the dict with torch.load(path, weights_only=True), hands each part to "
                "load_state_dict (model and optimizer) or torch.set_rng_state, and returns the step.",
            ],
            "ko": [
                "이어 간 학습이 멈추지 않은 학습을 그대로 되풀이하려면, 다음 스텝을 정하는 것을 모두 되살려야 한다. "
                "가중치, 옵티마이저의 버퍼, 드롭아웃이 뽑을 난수, 그리고 학습이 어디까지 진행되었는지다.",
                "save_checkpoint는 model.state_dict(), optimizer.state_dict(), torch.get_rng_state(), step을 담은 "
                "딕셔너리를 `torch.save(..., path)`로 저장한다. 텐서와 수와 문자열만 담아야 weights_only=True로 "
                "불러올 수 있다.",
                "load_checkpoint는 torch.load(path, weights_only=True)로 딕셔너리를 읽고, 각 부분을 "
                "load_state_dict(모델과 옵티마이저)나 torch.set_rng_state에 넘긴 뒤 step을 돌려준다.",
            ],
        },
        solution=_solution(
            _CHECKPOINT_CODE,
            "The momentum buffers are part of SGD's state: without them the resumed run restarts its velocity "
            "from zero. The random state decides dropout's next masks. A dict of state_dicts holds only tensors, "
            "numbers and strings, which weights_only=True loads and which cannot ask torch.load to run code.",
            "모멘텀 버퍼는 SGD 상태의 일부다. 버퍼가 없으면 이어 간 학습은 속도를 다시 0에서 시작한다. 난수 상태는 "
            "드롭아웃의 다음 마스크를 정한다. state_dict를 담은 딕셔너리에는 텐서와 수와 문자열만 있으므로 "
            "weights_only=True로 불러올 수 있고, torch.load가 코드를 실행하게 만들 수도 없다.",
        ),
        reference=lambda: ((save_checkpoint_reference, load_checkpoint_reference), {}),
        task=(
            "Write `save_checkpoint(path, model, optimizer, step)` and `load_checkpoint(path, model, optimizer)` "
            "(which returns the step). The check trains a chapter MLP with SGD (momentum 0.9) for 12 of 30 steps, "
            "saves with your function (and again after 20 steps, to another file), moves the first file, and resumes "
            "from it in a new session: a fresh model and optimizer "
            "and another random state, loaded with your function. The resumed run must end with exactly the "
            "weights of a run that never stopped, and the file must load with `torch.load(path, "
            "weights_only=True)`, which your `load_checkpoint` must use."
        ),
    )
)
