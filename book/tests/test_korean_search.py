"""The Korean search language of the web book: how the index and the query split Korean text."""

from chapter_book import JS_SPLITTER, SearchKorean, split_korean


def test_a_word_before_a_particle_is_indexed_with_its_stem():
    terms = split_korean("역전파는 연쇄 법칙을 쓴다")
    assert {"역전파는", "역전파", "연쇄", "법칙을", "법칙"} <= set(terms)


def test_a_word_before_parentheses_and_a_latin_word_before_a_particle_are_split_apart():
    assert split_korean("역전파(backpropagation)") == ["역전파", "역전", "역", "backpropagation"]
    assert split_korean("ReLU는") == ["ReLU", "는"]
    assert split_korean("torch.optim과 같다") == ["torch", "optim", "과", "같다", "같"]


def test_latin_words_are_stemmed_as_in_english():
    search = SearchKorean({})
    assert search.stem("gradients") == search.stem("gradient") == "gradient"
    assert search.stem("역전파") == "역전파"


def test_the_browser_splits_a_query_where_hangul_meets_another_script():
    assert "function splitQuery" in JS_SPLITTER
    assert r"[\uAC00-\uD7A3\u3131-\u318E]+|[^\uAC00-\uD7A3\u3131-\u318E]+" in JS_SPLITTER
