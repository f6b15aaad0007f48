"""The web book as a learner's browser shows it: every page loads cleanly, math is typeset, figures have
alt text in the page's language, each page links to its counterpart, search finds Korean stems,
Korean pages are set as Korean, and text meets WCAG AA contrast."""

from __future__ import annotations

import re

import pytest
from conftest import LANGUAGES, NOTEBOOKS, PAGES, SCREENS, open_page, page_id

from chapter5_utils import colab

HANGUL = re.compile(r"[\uac00-\ud7a3]")
FILE_NAME = re.compile(r"^\S*\.(png|jpe?g|gif|svg|webp)$|^\S*/\S*$", re.IGNORECASE)
OTHER = {"en": "ko", "ko": "en"}
RAW_TEX = ["$$", "\\frac", "\\(", "\\)", "\\[", "\\]", "\\begin{", "\\mathrm", "\\sum"]

# The text of the page's article, without code and outputs (where "$" and "\frac" can be Python).
ARTICLE_TEXT = """() => {
  const article = document.querySelector("article.bd-article").cloneNode(true);
  article.querySelectorAll("pre, code, .highlight, .cell_output, mjx-container, script, style")
    .forEach((e) => e.remove());
  return article.textContent;
}"""

IMAGES = """() => [...document.querySelectorAll("img")].map((img) => ({
  src: img.getAttribute("src"), alt: img.getAttribute("alt"), loaded: img.complete && img.naturalWidth > 0,
}))"""

# WCAG 2.1 contrast of every visible piece of text against the background it is drawn on (the
# backgrounds of its ancestors composed): 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
# Resolves when every finite animation and CSS transition on the page has finished.
SETTLED = """() => Promise.all(document.getAnimations()
  .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
  .map((a) => a.finished.catch(() => null)))"""
CONTRAST = """() => {
  const parse = (c) => {
    const m = c.match(/^rgba?\\(([^)]+)\\)$/);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;  // text on a picture: not measured here
      const color = parse(style.backgroundColor);
      if (color && color.a > 0) { layers.push(color); if (color.a >= 1) break; }
    }
    return layers.reverse().reduce((bottom, top) => over(top, bottom), { r: 255, g: 255, b: 255, a: 1 });
  };
  const problems = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    if (element.closest("mjx-container, script, style, noscript, .visually-hidden, .sr-only")) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility !== "visible") continue;
    const bg = background(element);
    if (bg === null) continue;
    const fg = parse(style.color);
    const text = walker.currentNode.textContent.trim().slice(0, 40);
    if (fg === null) { problems.push(`unreadable colour ${style.color}: "${text}"`); continue; }
    const [a, b] = [luminance(over(fg, bg)), luminance(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5) - 0.005)
      problems.push(`${ratio.toFixed(2)}:1 ${style.color} on rgb(${bg.r | 0}, ${bg.g | 0}, ${bg.b | 0}) ` +
                    `${element.tagName.toLowerCase()}.${element.className}: "${text}"`);
  }
  return problems;
}"""


@pytest.fixture(scope="session", autouse=True)
def screens():
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_loads_with_no_console_error_and_no_failed_request(visit, page):
    shown = visit(*page)
    assert shown.page.title(), "the page has no title"
    assert shown.console_errors == []
    assert shown.failed_requests == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_asks_no_other_host_for_anything(visit, page):
    assert visit(*page).other_hosts == [], "everything, MathJax and the badge included, is served by the site"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_math_is_typeset_and_no_raw_tex_is_left(visit, page):
    shown = visit(*page).page
    text = shown.evaluate(ARTICLE_TEXT)
    left = [tex for tex in RAW_TEX if tex in text]
    assert left == [], f"raw TeX in the rendered text: {left}"
    errors = shown.locator("mjx-merror, mjx-container [data-mjx-error]").count()
    assert errors == 0, "MathJax could not typeset some math"
    if page[1] in ("01_linear_regression_and_mlp", "03_optimizers"):
        assert shown.locator("mjx-container").count() > 10, "these pages have formulas: MathJax did not run"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_image_has_alt_text_in_the_language_of_the_page(visit, page):
    language, stem = page
    images = visit(*page).page.evaluate(IMAGES)
    if stem != "index":
        assert images, "a notebook page shows its Colab badge"
    for image in images:
        alt = (image["alt"] or "").strip()
        assert image["loaded"], f"{image['src']} did not load"
        assert alt, f"{image['src']} has no alt text"
        assert not FILE_NAME.match(alt) and alt not in image["src"], f"{image['src']}: the alt text is a file name"
        if language == "ko":
            assert HANGUL.search(alt), f"{image['src']}: the alt text on a Korean page is not Korean: {alt!r}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_the_page_says_its_language(visit, page):
    assert visit(*page).page.evaluate("document.documentElement.lang") == page[0]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_the_language_link_lands_on_the_same_page_in_the_other_language(context, base_url, page):
    language, stem = page
    shown = open_page(context, base_url, f"{language}/{stem}.html")
    try:
        link = shown.page.locator("a.language-switch")
        assert link.count() == 1 and link.is_visible()
        link.click()
        shown.page.wait_for_url(f"{base_url}{OTHER[language]}/{stem}.html")
        assert shown.page.evaluate("document.documentElement.lang") == OTHER[language]
        assert shown.console_errors == [] and shown.failed_requests == []
    finally:
        shown.page.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_landing_page_lists_every_notebook_with_what_it_teaches_and_its_run_time(visit, language):
    shown = visit(language, "index").page
    rows = shown.locator("article table tbody tr")
    assert rows.count() == len(NOTEBOOKS)
    for row, stem in zip(rows.all(), NOTEBOOKS):
        cells = row.locator("td")
        assert cells.nth(0).locator("a").get_attribute("href") == f"{stem}.html"
        assert len(cells.nth(1).inner_text()) > 40, "what the notebook teaches"
        assert re.search(r"\d+ ?(s|초)", cells.nth(2).inner_text()), "how long it takes to run"
    choice = shown.locator(".language-choice a")
    assert choice.get_attribute("href") == f"../{OTHER[language]}/index.html"


@pytest.mark.parametrize("page", [p for p in PAGES if p[1] != "index"], ids=page_id)
def test_a_notebook_page_has_the_colab_badge_of_its_edition_and_downloads_the_committed_notebook(
        visit, committed_notebook, page):
    language, stem = page
    shown = visit(*page).page
    badge = shown.locator(".chapter-links a.colab-badge")
    assert badge.get_attribute("href") == colab.colab_link(f"{stem}.ipynb", language)
    download = shown.locator(".chapter-links a.download-notebook")
    assert download.get_attribute("download") == f"{stem}.ipynb"
    response = shown.request.get(shown.url.rsplit("/", 1)[0] + "/" + download.get_attribute("href"))
    assert response.ok and response.text() == committed_notebook(language, stem)


def _search(context, base_url: str, language: str, query: str) -> list[str]:
    shown = open_page(context, base_url, f"{language}/search.html?q={query}")
    try:
        # Sphinx writes the summary ("Search finished, found 3 pages ...") once every result is listed.
        summary = shown.page.locator("#search-results p.search-summary")
        shown.page.wait_for_function(
            "() => document.querySelector('#search-results p.search-summary')?.textContent.trim()", timeout=10_000)
        hrefs = shown.page.locator("#search-results ul.search li > a").evaluate_all(
            "(links) => links.map((a) => a.href)")
        count = "one" if len(hrefs) == 1 and language == "en" else str(len(hrefs))
        assert count in summary.inner_text(), "the summary says how many pages were found"
        assert shown.console_errors == [] and shown.failed_requests == []
        return sorted({href.split("#")[0].split("?")[0].removeprefix(f"{base_url}{language}/") for href in hrefs})
    finally:
        shown.page.close()


def _pages_containing(visit, language: str, word: str) -> list[str]:
    stems = ["index", *NOTEBOOKS]
    return sorted(f"{stem}.html" for stem in stems if word in visit(language, stem).page.evaluate(ARTICLE_TEXT))


def test_a_korean_search_finds_the_word_before_a_particle_and_before_parentheses(context, base_url, visit):
    word = "역전파"
    expected = _pages_containing(visit, "ko", word)
    # The word is there as "역전파는", "역전파와" and "역전파(backpropagation)": what a plain split misses.
    texts = " ".join(visit("ko", stem).page.evaluate(ARTICLE_TEXT) for stem in ["index", *NOTEBOOKS])
    assert all(form in texts for form in ("역전파는", "역전파와", "역전파(backpropagation)"))
    assert "01_linear_regression_and_mlp.html" in expected and "index.html" in expected
    assert _search(context, base_url, "ko", word) == expected


def test_a_korean_search_for_the_whole_word_with_its_particle(context, base_url):
    assert "01_linear_regression_and_mlp.html" in _search(context, base_url, "ko", "역전파는")


def test_an_english_search_finds_the_page(context, base_url):
    assert "01_linear_regression_and_mlp.html" in _search(context, base_url, "en", "backpropagation")
    assert "03_optimizers.html" in _search(context, base_url, "en", "RMSProp")


@pytest.mark.parametrize("stem", ["index", *NOTEBOOKS])
def test_korean_typography(visit, stem):
    shown = visit("ko", stem).page
    body = shown.evaluate("() => { const s = getComputedStyle(document.body); return [s.wordBreak, s.fontFamily]; }")
    assert body[0] == "keep-all", "Hangul must not break inside a word"
    assert body[1].startswith('"Noto Sans KR"'), body[1]
    # Emphasis is bold, never a slanted Hangul, both for the page's own <em> and for a new one.
    styles = shown.evaluate("""() => {
      const probe = document.createElement("em");
      probe.textContent = "역전파";
      document.querySelector("article").appendChild(probe);
      const styles = [...document.querySelectorAll("article em, article i")].map((e) => {
        const s = getComputedStyle(e); return [s.fontStyle, parseInt(s.fontWeight)];
      });
      probe.remove();
      return styles;
    }""")
    assert all(style == "normal" and weight >= 700 for style, weight in styles), styles


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_text_meets_wcag_aa_contrast(visit, page):
    assert visit(*page).page.evaluate(CONTRAST) == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_text_meets_wcag_aa_contrast_in_dark_mode_too(browser, base_url, page):
    """The site follows the reader's system into dark mode: the text must stay readable there."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme="dark")
    try:
        shown = open_page(context, base_url, "/".join(page) + ".html")
        assert shown.page.evaluate("document.documentElement.dataset.theme") == "dark"
        shown.page.evaluate(SETTLED)  # the switch to dark colours is a CSS transition: measure after it
        assert shown.page.evaluate(CONTRAST) == []
        assert shown.console_errors == []
    finally:
        context.close()


def test_the_root_page_offers_both_languages(context, base_url):
    shown = open_page(context, base_url, "")
    try:
        hrefs = shown.page.locator("a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        assert hrefs == ["en/index.html", "ko/index.html"]
        assert shown.console_errors == [] and shown.failed_requests == [] and shown.other_hosts == []
        assert shown.page.evaluate(CONTRAST) == []
        shown.page.screenshot(path=SCREENS / "root.png")
    finally:
        shown.page.close()


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_a_screenshot_of_each_page(visit, screens, page):
    """The top of each page, and for a notebook its first figure: look at them as a learner would."""
    shown = visit(*page).page
    top = screens / f"{page_id(page)}.png"
    shown.evaluate("window.scrollTo(0, 0)")
    shown.screenshot(path=top)
    assert top.stat().st_size > 10_000
    figure = shown.locator("article .cell_output img").first
    if figure.count():
        figure.scroll_into_view_if_needed()
        shown.evaluate("window.scrollBy(0, -120)")
        shown.screenshot(path=screens / f"{page_id(page)}-figure.png")
