"""Sphinx settings of the chapter's web book, shared by the English and the Korean site.

``book/build.py`` runs ``sphinx-build -c book -D language=en|ko`` over the sources it stages in
``build/book-sphinx/<language>/src/``; what differs between the two languages is set in
``_ext/chapter_book.py`` once the language is known.
"""

import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
sys.path.insert(0, str(BOOK / "_ext"))

project = "Artificial neural networks (5장 인공신경망)"
author = "dl-course-kr"
copyright = "dl-course-kr, MIT licence"
language = "en"

extensions = ["myst_nb", "chapter_book"]

# The site shows the committed outputs, the ones nbval checks: nothing is executed.
nb_execution_mode = "off"
nb_output_stderr = "show"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
# "$$...$$" inside a paragraph is display math too, as in Jupyter.
myst_dmath_double_inline = True
myst_heading_anchors = 3

exclude_patterns = ["**.ipynb_checkpoints"]
templates_path = [str(BOOK / "templates")]

# MathJax is served from the site itself (build/book-sphinx/static/mathjax/, copied from the npm
# package that book/package-lock.json pins): no page asks any other host for anything.
mathjax_path = "mathjax/tex-chtml.js"
html_static_path = [str(BOOK / "static"), str(ROOT / "build" / "book-sphinx" / "static")]
html_css_files = ["book.css"]
html_favicon = str(BOOK / "static" / "favicon.svg")

html_theme = "sphinx_book_theme"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
# Light or dark as the reader's system says (the theme's switch stays); both meet WCAG AA.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": "https://github.com/dl-course-kr/chapter5-neural-networks",
    "use_repository_button": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    # Pygments styles built for WCAG AA contrast (the theme's default, tango, is below it).
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
    "navigation_with_keys": False,
}
