"""Exercises of notebook 05 · model structure and parameters (모델 구조 및 가중치 확인).

05.1 batch norm's parameters and buffers (a BatchNorm1d(50) between fc1 and its ReLU, checked by
what the model computes), 05.2 weight tying (the weight only, each layer keeps its bias), 05.3 the
30-layer experiment with tanh, 05.4 freezing two layers and building an SGD optimizer (lr 0.1) over
what still trains. The network is the chapter's MLP, ``chapter5_utils.models.ChapterMLP``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

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
    read_int,
    read_number,
    register,
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
            f"`{name}`에는 선형 층 fc1, fc2, fc3를 가진 이 장의 MLP(ChapterMLP 또는 그 하위 클래스)가 와야 한다.",
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
            "forward()가 배치 정규화 층을 한 번도 부르지 않는다. __init__에서 만들기만 해서는 안 되고, forward에서 "
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
            ko = (f"{added}개에는 이동 통계(running statistics)까지 들어 있다. 그것은 버퍼(buffer)다. state_dict()에 "
                  "저장되지만 파라미터가 아니므로 옵티마이저가 갱신하지 않는다.")
        elif added == norm.num_features:
            en = ("BatchNorm1d learns two vectors, not one: a scale (weight, γ) and a shift (bias, β), one value "
                  "per feature each.")
            ko = ("BatchNorm1d는 벡터 하나가 아니라 둘을 학습한다. 특성마다 값 하나씩인 스케일(weight, γ)과 "
                  "이동(bias, β)이다.")
        elif added == total:
            en = f"{added:,} is the whole model's count; the question asks how many the new layer adds."
            ko = f"{added:,}개는 모델 전체의 개수다. 새 층이 더하는 개수를 묻고 있다."
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
                f"{extra[0]!r}라는 키는 bn_model.state_dict()에 없다. state_dict()가 출력하는 키를 옮겨 적어라.",
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
                "ChapterMLP를 상속하라. super().__init__()을 부르고 층을 속성으로 더한 뒤, fc1의 출력을 ReLU 앞에서 "
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
            "이 층은 특성마다 스케일과 이동을 하나씩 학습한다(2 × 50 = 100개의 파라미터). 이동 평균과 분산은 "
            "버퍼다. 학습 모드의 순전파가 갱신하고 평가 모드에서 쓰이며 state_dict()에 저장되지만, 옵티마이저는 "
            "건드리지 않는다.",
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
            "두 수가 뒤바뀐 것 같다. 첫째는 그대로의 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
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
            "두 수가 뒤바뀐 것 같다. 첫째는 그대로의 Xavier, 둘째는 tanh 이득(gain)을 준 Xavier의 값이다.",
        )
    _diagnose_tanh(values[0], "plain", "gain", "plain Xavier", "그대로의 Xavier")
    _diagnose_tanh(values[1], "gain", "plain", "Xavier-with-gain", "이득을 준 Xavier")
    p0, p30, g0, g30 = (show(v, ".2f") for v in (plain[0], plain[-1], gain[0], gain[-1]))
    return correct(
        f"With tanh, plain Xavier lets the std fall from {p0} after layer 1 to {p30} after layer 30, because tanh's "
        f"slope is below 1 away from 0; the gain 5/3 makes up for that: from {g0} after layer 1 it settles near "
        f"{g30} and stays there (tolerance ±{TANH_TOLERANCE}).",
        f"tanh에서 그대로의 Xavier는 표준편차가 1층 뒤 {p0}에서 30층 뒤 {p30}까지 줄어든다. tanh의 기울기가 0에서 "
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
                "부르는 작은 함수를 만들어 init으로 넘겨라.",
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
# 05.4 · freeze fc1 and fc2, optimize what still trains

LR_05_4 = 0.1


def check_freezing(partly_frozen: Any, optimizer: Any) -> Feedback:
    """Return the feedback on 05.4: fc1 and fc2 frozen, fc3 trains, an SGD optimizer (lr 0.1) holds fc3's
    tensors only."""
    partly_frozen = _module("partly_frozen", partly_frozen, "the chapter's MLP", "이 장의 MLP")
    layers = _layers("partly_frozen", partly_frozen)
    if isinstance(optimizer, type):
        raise NotYet(
            f"optimizer_4 is the class {optimizer.__name__}, not an optimizer: call it with the parameters and "
            "lr=0.1.",
            f"optimizer_4는 옵티마이저가 아니라 클래스 {josa(optimizer.__name__, '이다/다')}. 파라미터와 lr=0.1을 "
            "넣어 호출하라.",
        )
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise NotYet(
            f"optimizer_4 should be a torch.optim.SGD optimizer, got {describe(optimizer)}.",
            f"optimizer_4에는 torch.optim.SGD 옵티마이저가 와야 한다. 받은 것: {describe(optimizer, 'ko')}.",
        )
    if not isinstance(optimizer, torch.optim.SGD):
        raise NotYet(
            f"optimizer_4 is a {type(optimizer).__name__}; the task asks for plain SGD: torch.optim.SGD(..., lr=0.1).",
            f"optimizer_4가 {josa(type(optimizer).__name__, '이다/다')}. 문제는 보통의 SGD, 즉 "
            "torch.optim.SGD(..., lr=0.1)를 묻는다.",
        )
    rates = {float(group["lr"]) for group in optimizer.param_groups}
    if rates != {LR_05_4}:
        shown = ", ".join(show(r, "g") for r in sorted(rates))
        raise NotYet(
            f"optimizer_4's learning rate is {shown}; the task asks for lr=0.1.",
            f"optimizer_4의 학습률은 {josa(shown, '이다/다')}. 문제는 lr=0.1을 묻는다.",
        )
    names = {id(p): name for name, p in partly_frozen.named_parameters()}
    for name in ("fc1", "fc2"):
        if any(p.requires_grad for p in layers[name].parameters()):
            raise NotYet(
                f"{name}'s parameters still have requires_grad=True: freeze {name} as well.",
                f"{name}의 파라미터가 아직 requires_grad=True다. {name}도 동결하라.",
            )
    if not all(p.requires_grad for p in layers["fc3"].parameters()):
        raise NotYet(
            "fc3's parameters have requires_grad=False: only fc1 and fc2 should be frozen, fc3 keeps training.",
            "fc3의 파라미터가 requires_grad=False다. fc1과 fc2만 동결하고 fc3는 계속 학습해야 한다.",
        )
    held = [p for group in optimizer.param_groups for p in group["params"]]
    foreign = [p for p in held if id(p) not in names]
    if foreign:
        raise NotYet(
            f"{len(foreign)} of the optimizer's {len(held)} tensors are not partly_frozen's: did you build it from "
            "another model's parameters?",
            f"옵티마이저의 텐서 {len(held)}개 가운데 {len(foreign)}개가 partly_frozen의 것이 아니다. 다른 모델의 "
            "파라미터로 만들지 않았는가?",
        )
    frozen_held = [names[id(p)] for p in held if not p.requires_grad]
    if frozen_held:
        raise NotYet(
            f"The optimizer holds {len(held)} tensors, {len(frozen_held)} of them frozen ({', '.join(frozen_held)}): "
            "give it only the parameters whose requires_grad is True.",
            f"옵티마이저가 텐서 {len(held)}개를 가지고 있고 그 가운데 {len(frozen_held)}개는 동결된 것이다"
            f"({', '.join(frozen_held)}). requires_grad가 True인 파라미터만 넘겨라.",
        )
    missing = [name for name, p in partly_frozen.named_parameters()
               if p.requires_grad and all(p is not q for q in held)]
    if missing:
        raise NotYet(
            f"The optimizer lacks {', '.join(missing)}: it would never update them.",
            f"옵티마이저에 없는 파라미터: {', '.join(missing)}. 그러면 이것들은 갱신되지 않는다.",
        )
    # One step on a copy (the copy keeps the optimizer pointing at the copied model's tensors).
    with learner_code():
        model_copy, optimizer_copy = copy.deepcopy((partly_frozen, optimizer))
        model_copy.eval()  # no dropout: the learner's random state is left alone
        before = {name: p.detach().clone() for name, p in model_copy.named_parameters()}
        generator = torch.Generator().manual_seed(0)
        dtype = model_copy.fc1.weight.dtype
        x, y = torch.randn(8, N_FEATURES, generator=generator), torch.randn(8, 1, generator=generator)
        optimizer_copy.zero_grad()
        with torch.enable_grad():
            nn.functional.mse_loss(model_copy(x.to(dtype)), y.to(dtype)).backward()
        optimizer_copy.step()
    moved = [name for name, p in model_copy.named_parameters() if not torch.equal(p.detach(), before[name])]
    if any(name.startswith(("fc1.", "fc2.")) for name in moved) or not any(n.startswith("fc3.") for n in moved):
        changed = ", ".join(moved) or "nothing"
        changed_ko = ", ".join(moved) or "없음"
        raise NotYet(
            f"One optimizer step on a copy changed {changed}, not fc3 alone: check the optimizer's settings.",
            f"복사본에서 한 번 갱신했을 때 바뀐 것: {changed_ko}. fc3만 바뀌어야 한다. 옵티마이저 설정을 확인하라.",
        )
    values = sum(p.numel() for p in held)
    return correct(
        f"The SGD optimizer holds fc3's {len(held)} tensors ({values} values) and nothing frozen; one step on a copy "
        "changed fc3 and left fc1 and fc2 exactly as they were.",
        f"SGD 옵티마이저는 fc3의 텐서 {len(held)}개(값 {values}개)만 가지고 동결된 것은 없다. 복사본에서 한 번 "
        "갱신하면 fc3만 바뀌고 fc1과 fc2는 그대로다.",
    )


def _freezing_reference() -> tuple[tuple, dict]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        partly_frozen = ChapterMLP()
    partly_frozen.fc1.requires_grad_(False)
    partly_frozen.fc2.requires_grad_(False)
    trainable = [p for p in partly_frozen.parameters() if p.requires_grad]
    optimizer_4 = torch.optim.SGD(trainable, lr=LR_05_4)
    return (partly_frozen, optimizer_4), {}


_FREEZING_SOLUTION_CODE = """\
set_seed(0)
partly_frozen = ChapterMLP()
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
        solution=_solution(
            _FREEZING_SOLUTION_CODE,
            "The optimizer now holds only fc3's weight and bias. PyTorch's optimizers skip a tensor whose .grad is "
            "None, so handing them the frozen ones usually does no harm; but a tensor frozen after some training "
            "keeps its old .grad (zeros after zero_grad(set_to_none=False)), and weight decay still moves it. An "
            "optimizer that only holds what trains cannot do that, and says what you mean.",
            "이제 옵티마이저는 fc3의 가중치와 편향만 가진다. PyTorch의 옵티마이저는 .grad가 None인 텐서를 "
            "건너뛰므로, 동결된 텐서를 넘겨도 대개는 해가 없다. 그러나 얼마간 학습한 뒤에 동결한 텐서는 예전의 "
            ".grad를 그대로 가지고 있고(zero_grad(set_to_none=False) 뒤에는 0), 가중치 감쇠가 여전히 그 텐서를 "
            "움직인다. 학습할 것만 가진 옵티마이저에서는 그런 일이 없고, 의도도 분명히 드러난다.",
        ),
        reference=_freezing_reference,
        task=(
            "Freeze `fc1` and `fc2` of a fresh chapter MLP, then create a `torch.optim.SGD` optimizer with "
            "`lr=0.1` that holds only the parameters that still train."
        ),
    )
)
