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


def test_every_glossary_ok_names_a_term_that_the_entry_would_break_without_it():
    """A ``# glossary-ok: term`` comment names a glossary term exactly (the tool reads the whole text after
    the colon as the term), and the entry still needs it: an exemption that a later edit made useless goes."""
    by_english = {term.english: term for term in TERMS}
    problems = []
    for path in sorted((ROOT / "translations" / "ko").glob("*.po")):
        for message in translate.read_catalogue(path):
            for english in translate._allowed_terms(message):
                where = f"{path.name} {str(message.id)[:50]!r}"
                if english not in by_english:
                    problems.append(f"{where}: glossary-ok {english!r} is not a glossary term")
                elif not translate.glossary_problems(message.id, message.string, [by_english[english]]):
                    problems.append(f"{where}: glossary-ok {english!r} is not needed any more")
    assert not problems, "\n".join(problems)


def test_the_new_terms_have_their_rows():
    rows = {term.english: term for term in TERMS}
    expected = {"optimizer": "옵티마이저", "dropout": "드롭아웃", "recurrent neural network": "순환 신경망",
                "RNN": "순환 신경망", "closed form": "닫힌 형태", "closed-form": "닫힌 형태",
                "bias correction": "편향 보정", "eval mode": "평가 모드"}
    assert {english: rows[english].korean for english in expected} == expected
    assert "최적화기" in rows["optimizer"].forbidden and "최적화" not in rows["optimizer"].forbidden
    assert translate.glossary_problems("The optimizer.", "최적화기.", TERMS)
    assert translate.glossary_problems("A closed-form answer.", "닫힌 형태의 해.", TERMS) == []
