"""Korean particles chosen from the word they follow: ``attach("0.927", "이다/다") == "0.927이다"``.

A Korean particle has two forms, one after a final consonant (받침) and one after a vowel:
이/가, 은/는, 을/를, 과/와, 이다/다, (으)로 (which takes 로 after ㄹ as well). The exercise messages
put numbers, names and code in front of particles, so the form is chosen here from how the word is
read aloud:

- a Hangul syllable by its final consonant;
- a number by the Korean reading of its end: "0.927" ends in 칠 (ㄹ), "(1.00, 2.00)" in 영 (ㅇ),
  "10" is 십 (ㅂ), "300" 삼백 (ㄱ), "5,000" 오천 (ㄴ), "2" 이 (a vowel);
- a Latin word by its usual Korean pronunciation: a small dictionary of the words the messages use,
  the letter names for acronyms ("MSE" ends in 이, "RMSprop" in 롭), and a rule of thumb otherwise
  ("model" 모델, "line" 라인, "norms" 놈스).

Closing brackets, quotes and backticks at the end are skipped: "`mistakes`" is read as "mistakes". A
closing parenthetical after a word is a gloss, and the particle follows the word: "수(number)" takes
이; a parenthesis that stands alone, "(1.00, 2.00)", is read inside.
"""

from __future__ import annotations

import re

VOWEL, RIEUL, CONSONANT = "vowel", "rieul", "consonant"

# Two forms of each particle: (after a final consonant, after a vowel). (으)로 also takes 로 after ㄹ.
_FORMS: dict[frozenset[str], tuple[str, str]] = {}
for _consonant, _vowel in (
    ("이", "가"), ("은", "는"), ("을", "를"), ("과", "와"), ("이다", "다"), ("이고", "고"), ("이며", "며"),
    ("이면", "면"), ("이라", "라"), ("이라는", "라는"), ("이어야", "여야"), ("이나", "나"), ("이므로", "므로"),
    ("이지만", "지만"), ("이었다", "였다"), ("으로", "로"), ("으로는", "로는"), ("으로서", "로서"),
):
    _FORMS[frozenset((_consonant, _vowel))] = (_consonant, _vowel)
_WITH_RO = {"으로", "으로는", "으로서"}

# The reading of each digit: 영, 일, 이, 삼, 사, 오, 육, 칠, 팔, 구.
_DIGIT = {"0": CONSONANT, "1": RIEUL, "2": VOWEL, "3": CONSONANT, "4": VOWEL, "5": VOWEL, "6": CONSONANT,
          "7": RIEUL, "8": RIEUL, "9": VOWEL}

# Words of the messages whose usual Korean pronunciation the rule of thumb below would get wrong,
# and a few it gets right, kept here so that the tests pin them.
_WORDS = {
    "adam": CONSONANT,  # 아담
    "adamw": VOWEL,  # 아담더블유
    "relu": VOWEL,  # 렐루
    "elu": VOWEL,  # 엘루
    "tanh": VOWEL,  # 탄에이치
    "nan": CONSONANT,  # 난
    "inf": VOWEL,  # 인프
    "none": CONSONANT,  # 논
    "true": VOWEL,  # 트루
    "false": VOWEL,  # 폴스
    "dict": VOWEL,  # 딕트
    "list": VOWEL,  # 리스트
    "dropout": CONSONANT,  # 드롭아웃
    "out": CONSONANT,  # 아웃
    "input": CONSONANT,  # 인풋
    "output": CONSONANT,  # 아웃풋
    "rmsprop": CONSONANT,  # 알엠에스프롭
    "adagrad": VOWEL,  # 아다그라드
    "norm": CONSONANT,  # 노름
    "batchnorm": CONSONANT,  # 배치노름
    "xavier": VOWEL,  # 자비에
    "kaiming": CONSONANT,  # 카이밍
    "huber": VOWEL,  # 후버
    "softmax": VOWEL,  # 소프트맥스
    "logsumexp": VOWEL,  # 로그섬익스프
    "sigmoid": VOWEL,  # 시그모이드
    "momentum": CONSONANT,  # 모멘텀
    "nesterov": VOWEL,  # 네스테로프
    "step": CONSONANT,  # 스텝
    "stack": CONSONANT,  # 스택
    "torch": VOWEL,  # 토치
    "numpy": VOWEL,  # 넘파이
    "pytorch": VOWEL,  # 파이토치
    "autograd": VOWEL,  # 오토그래드
    "lambda": VOWEL,  # 람다
    "sklearn": CONSONANT,  # 사이킷런
    "checkpoint": VOWEL,  # 체크포인트
    "state": VOWEL,  # 스테이트
    "sequential": RIEUL,  # 시퀀셜
    "module": RIEUL,  # 모듈
    "model": RIEUL,  # 모델
    "parameter": VOWEL,  # 파라미터
    "tensor": VOWEL,  # 텐서
    "array": VOWEL,  # 어레이
    "kfold": VOWEL,  # 케이폴드
    "fold": VOWEL,  # 폴드
    "loocv": VOWEL,  # 엘오오시브이
    "xor": VOWEL,  # 엑스오어, as the notebooks write it: XOR를, XOR는
    "or": VOWEL,  # 오어: OR는
    "and": VOWEL,  # 앤드: AND와
}

# Acronyms are read letter by letter: the names of L, M, N and R end in a consonant (엘, 엠, 엔, 알).
_LETTER = {"l": RIEUL, "m": CONSONANT, "n": CONSONANT, "r": RIEUL}

# Greek letters and a few symbols, by their Korean names.
_SYMBOLS = {
    "η": VOWEL, "λ": VOWEL, "δ": VOWEL, "μ": VOWEL, "σ": VOWEL, "θ": VOWEL, "β": VOWEL, "γ": VOWEL,
    "α": VOWEL, "π": VOWEL, "ε": CONSONANT, "%": VOWEL, "²": CONSONANT, "∞": VOWEL,
}

_TRAILING = " \t\n.,;:!?)]}>'\"`’”»"
_NUMBER = re.compile(r"(\d[\d,]*)(?:\.(\d+))?$")
_LATIN = re.compile(r"[A-Za-z]+$")


def _syllable(char: str) -> str | None:
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    return VOWEL if final == 0 else RIEUL if final == 8 else CONSONANT


def _number(integer: str, fraction: str | None) -> str:
    if fraction:  # after the point each digit is read on its own: 0.927 → 영 점 구 이 칠
        return _DIGIT[fraction[-1]]
    digits = integer.replace(",", "").lstrip("0") or "0"
    if digits == "0":
        return CONSONANT  # 영
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return _DIGIT[digits[-1]]
    if zeros == 1:
        return CONSONANT  # 십
    if zeros == 2:
        return CONSONANT  # 백
    if zeros <= 7:
        return CONSONANT  # 천, 만, 십만, 백만, 천만
    if zeros <= 11:
        return CONSONANT  # 억
    return VOWEL  # 조


def _english(word: str) -> str:
    lower = word.lower()
    if lower in _WORDS:
        return _WORDS[lower]
    if word.isupper() and len(word) <= 5 or len(word) == 1:  # an acronym or a letter: MSE, CV, SGD, W
        return _LETTER.get(lower[-1], VOWEL)
    if lower.endswith("le"):
        return RIEUL  # module, table: 모듈, 테이블
    if len(lower) > 2 and lower[-1] == "e" and lower[-2] not in "aeiou":
        lower = lower[:-1]  # a silent e: line → lin (라인)
    if lower.endswith("ng"):
        return CONSONANT  # ㅇ
    if lower[-1] in "mn":
        return CONSONANT  # ㅁ, ㄴ
    if lower[-1] == "l":
        return RIEUL
    if lower[-1] == "p" or lower.endswith(("ck", "ak", "ek", "ik", "ok", "uk")):
        return CONSONANT  # step 스텝, back 백
    return VOWEL  # t, d, s, k, x, r, y, vowels: 트, 드, 스, 크, 스, 어, 이 …


def _without_gloss(text: str) -> str:
    """Return ``text`` without a closing parenthetical that glosses the word before it: the particle follows
    that word ("역전파(backpropagation)" → "역전파"). A parenthesis that stands alone is read inside."""
    stripped = text.rstrip(" `'\"")
    if not stripped.endswith(")"):
        return text
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        if stripped[index] == ")":
            depth += 1
        elif stripped[index] == "(":
            depth -= 1
            if depth == 0:
                before = stripped[:index]
                if not before.strip() or before[-1].isspace():
                    return stripped[index + 1 : -1]
                return before
    return text


def final_sound(text: str) -> str | None:
    """Return how ``text`` ends when read aloud in Korean: "vowel", "rieul" (ㄹ) or "consonant", or None.

    None means the ending could not be read (an empty string, or an unknown symbol).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    stripped = _without_gloss(text).rstrip(_TRAILING)
    if not stripped:
        return None
    last = stripped[-1]
    syllable = _syllable(last)
    if syllable is not None:
        return syllable
    if last in _SYMBOLS:
        return _SYMBOLS[last]
    number = _NUMBER.search(stripped)
    if number:
        return _number(number.group(1), number.group(2))
    latin = _LATIN.search(stripped)
    if latin:
        return _english(latin.group(0))
    return None


def particle(text: str, pair: str) -> str:
    """Return the form of the particle ``pair`` (e.g. "이/가", "으로/로", "이다/다") that follows ``text``.

    An ending that cannot be read takes the form used after a vowel.
    """
    forms = frozenset(pair.replace("(", "").replace(")", "").split("/"))
    if pair in ("(으)로", "으로/로", "로/으로"):
        forms = frozenset(("으로", "로"))
    if forms not in _FORMS:
        known = ", ".join("/".join(f) for f in _FORMS.values())
        raise ValueError(f"pair must be one of {known}; got {pair!r}")
    after_consonant, after_vowel = _FORMS[forms]
    sound = final_sound(text)
    if sound == RIEUL and after_consonant in _WITH_RO:
        return after_vowel
    return after_consonant if sound in (CONSONANT, RIEUL) else after_vowel


def attach(text: object, pair: str) -> str:
    """Return ``str(text)`` followed by the right form of the particle ``pair``: ``attach(10, "이/가") == "10이"``."""
    word = str(text)
    return word + particle(word, pair)
