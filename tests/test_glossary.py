"""One vocabulary beyond the catalogues: README.ko.md uses no forbidden variant of the glossary, and a
bracketed Korean term ("(스텝)") is advice, not a requirement, while its forbidden variants stay errors."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import translate  # noqa: E402

TERMS = translate.read_glossary()


def test_readme_ko_uses_no_forbidden_variant():
    text = translate._prose((ROOT / "README.ko.md").read_text(encoding="utf-8"))
    found = [(variant, term.korean) for term in TERMS for variant in term.forbidden if variant in text]
    assert not found, f"README.ko.md uses forbidden variants (variant, glossary term): {found}"


def test_a_bracketed_term_is_advice_but_its_forbidden_variants_are_errors():
    step = next(term for term in TERMS if term.english == "step")
    assert step.advisory and "걸음" in step.forbidden
    assert translate.glossary_problems("A step function.", "계단 함수.", [step]) == []
    assert translate.glossary_problems("One step.", "한 걸음.", [step]) == [
        "'걸음' is not used: the glossary says '(스텝)'"]


def test_feedforward_network_and_forward_pass_are_two_terms():
    problems = translate.glossary_problems(
        "A feedforward network computes its forward pass.", "순방향 신경망은 순전파를 계산한다.", TERMS)
    assert problems == []
    assert translate.glossary_problems("A feedforward network.", "순전파 신경망.", TERMS)
