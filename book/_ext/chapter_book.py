"""Sphinx extension of the chapter's web book: Korean search, and the settings that differ by language.

Sphinx has no search language for Korean: it would index "역전파는" as one word, so that a search
for "역전파" misses it. ``SearchKorean`` keeps Sphinx's English stemming for Latin words (the Korean
prose names its terms in English too, "역전파(backpropagation)") and splits every word where Hangul
meets another script ("ReLU는" gives "ReLU" and "는"). It then indexes each Hangul word with every
prefix of it, so the stem of a word followed by a particle (조사) is in the index: "역전파는" is
found by "역전파", "역전파" and "역전파는" alike. The same split runs in the browser on what is typed.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.search import languages
from sphinx.search.en import SearchEnglish

# Hangul syllables and compatibility jamo, written so that Python's re and JavaScript read it alike.
HANGUL = r"\uAC00-\uD7A3\u3131-\u318E"
_RUNS = re.compile(rf"[{HANGUL}]+|[^{HANGUL}]+")
_HANGUL_RUN = re.compile(rf"^[{HANGUL}]+$")

# The browser's half of the split: Sphinx's own query split, then the same split at script changes.
JS_SPLITTER = r"""
function splitQuery(query) {
  return query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .flatMap((word) => word.match(/[HANGUL]+|[^HANGUL]+/gu) || [])
    .filter((term) => term);
}
""".replace("HANGUL", HANGUL)


def split_korean(text: str) -> list[str]:
    """Return the index terms of ``text``: its words split where Hangul meets another script, and
    for every Hangul word also each of its prefixes (so the stem before a particle is a term)."""
    terms: list[str] = []
    for word in SearchEnglish._word_re.findall(text):
        for run in _RUNS.findall(word):
            if _HANGUL_RUN.match(run):
                terms.extend(run[:end] for end in range(len(run), 0, -1))
            else:
                terms.append(run)
    return terms


class SearchKorean(SearchEnglish):
    """Sphinx search language "ko": English stemming for Latin words, prefixes for Hangul words."""

    lang = "ko"
    # Sphinx names the browser's stemmer after this ("EnglishStemmer"): Latin words are stemmed as English.
    language_name = "English"
    js_splitter_code = JS_SPLITTER

    def split(self, input: str) -> list[str]:  # noqa: A002 - Sphinx's signature
        return split_korean(input)


SITE = {
    "en": {
        "html_title": "Artificial neural networks (5장 인공신경망)",
        "other": "ko",
        "nb_code_prompt_show": "Show code cell {type}",
        "nb_code_prompt_hide": "Hide code cell {type}",
    },
    "ko": {
        "html_title": "인공신경망 (5장)",
        "other": "en",
        "nb_code_prompt_show": "코드 셀 보기",
        "nb_code_prompt_hide": "코드 셀 숨기기",
    },
}


def _config_inited(app: Sphinx, config: Config) -> None:
    language = config.language
    if language not in SITE:
        raise ValueError(f"the book is built in English or Korean: language must be 'en' or 'ko', got {language!r}")
    config.html_title = SITE[language]["html_title"]
    config.html_short_title = SITE[language]["html_title"]
    # The label of a folded code cell (the Colab set-up cell).
    config.nb_code_prompt_show = SITE[language]["nb_code_prompt_show"]
    config.nb_code_prompt_hide = SITE[language]["nb_code_prompt_hide"]
    config.html_context = {**config.html_context, "book_other_language": SITE[language]["other"]}


def _builder_inited(app: Sphinx) -> None:
    if app.config.language == "ko":
        # After Sphinx's translations.js, whose Korean search summary is empty.
        app.add_js_file("search-ko.js", priority=600)


def _html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if app.config.language == "ko" and "body" in context:
        # myst-nb labels the button of a folded cell in English whatever the language.
        context["body"] = context["body"].replace('aria-label="Toggle hidden content"', 'aria-label="숨긴 내용 보기"')


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the Korean search language and the per-language settings."""
    languages["ko"] = SearchKorean
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _html_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
