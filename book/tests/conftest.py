"""The web book served on 127.0.0.1 and opened in Debian's chromium, driven by Playwright.

``make test-book`` builds ``build/book/`` first. Each page is opened once, in one browser, and the
tests read what it showed: the console, every request, the rendered text, the images.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent
ROOT = BOOK.parent
SITE = ROOT / "build" / "book"
SCREENS = ROOT / "build" / "book-screens"
# Debian's chromium by default; CHROMIUM=/path/to/chrome names another Chromium-based browser.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root in a container, with no network beyond the loopback: no sandbox, no GPU, and none of the
# connections chromium makes by itself (updates, sync, metrics), which the closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LANGUAGES = ("en", "ko")
CHAPTER = tomllib.loads((BOOK / "chapter.toml").read_text(encoding="utf-8"))
NOTEBOOKS = [Path(nb["name"]).stem for nb in CHAPTER["notebook"]]
PAGES = [(language, stem) for language in LANGUAGES for stem in ["index", *NOTEBOOKS]]

sys.path.insert(0, str(BOOK / "_ext"))


def page_id(page: tuple[str, str]) -> str:
    """Return a test id such as ``ko-03_optimizers``."""
    return "-".join(page)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's signature
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site, ``build/book/``."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no index.html: run `make book` (or `make test-book`, which builds it)")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path):
    """The site served by a local HTTP server on 127.0.0.1 (a free port), for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, started by Playwright (whose own browser download is not used)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context (window size of a laptop, light colour scheme) for all the pages."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme="light")
    yield context
    context.close()


@dataclass
class Visit:
    """A page as the browser showed it: the page itself, and what went wrong while it loaded."""

    url: str
    page: object
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    other_hosts: list[str] = field(default_factory=list)


def open_page(context, base_url: str, path: str) -> Visit:
    """Open ``base_url + path`` in a new tab and wait until it has loaded and MathJax has typeset it."""
    page = context.new_page()
    visit = Visit(url=base_url + path, page=page)
    page.on("console", lambda message: visit.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: visit.failed_requests.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: visit.failed_requests.append(f"{response.url}: HTTP {response.status}")
            if response.status >= 400 else None)
    page.on("request", lambda request: visit.other_hosts.append(request.url)
            if not request.url.startswith((base_url, "data:", "blob:")) else None)
    page.goto(visit.url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")
    return visit


@pytest.fixture(scope="session")
def visit(context, base_url):
    """``visit(language, stem)``: the page ``<language>/<stem>.html``, opened once for the session."""
    visits: dict[tuple[str, str], Visit] = {}

    def _visit(language: str, stem: str) -> Visit:
        if (language, stem) not in visits:
            visits[language, stem] = open_page(context, base_url, f"{language}/{stem}.html")
        return visits[language, stem]

    return _visit


@pytest.fixture(scope="session")
def committed_notebook():
    """``committed_notebook(language, stem)``: the committed notebook of that edition, as text."""

    def _read(language: str, stem: str) -> str:
        folder = ROOT / "notebooks" / ("ko" if language == "ko" else "")
        return (folder / f"{stem}.ipynb").read_text(encoding="utf-8")

    return _read


