"""Browser fixtures: the real app served on loopback, Debian's Chromium driven by Playwright (sync API).

The served app is the test's ``app`` (from tests/conftest.py, built by ``make_app`` on this test's database,
SQLite or PostgreSQL), so the factories ``make_compte`` and ``make_apprenant`` seed rows the browser then sees.
CSRF and the Content-Security-Policy stay on: journeys go through the real forms. A test fails when the page
logs a console error (Chromium reports CSP violations there), throws an uncaught error, or when a request
raises on the server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import got_request_exception
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Runs before any page script; a CDP-injected script is not subject to the page's CSP. Chromium already logs
# violations to the console; this makes sure every one of them reaches the console listener, named as such.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the ``page`` fixture knows at teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass
class LiveServer:
    url: str
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """Serve the test's app on 127.0.0.1 (free port) from a background thread; stop it at teardown."""
    server = LiveServer(url="")

    def record(_sender, exception, **_extra):
        server.errors.append(f"{type(exception).__name__}: {exception}")

    got_request_exception.connect(record, app)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        got_request_exception.disconnect(record, app)
    assert not server.errors, f"the server raised while serving the journey: {server.errors}"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleWatch:
    """Console errors and uncaught page errors seen during a test; a test may allow a precise, expected one."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (e.g. the browser's note about a 403 the test asked for)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"page error: {error}")

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(pattern.search(p) for pattern in self.allowed)]


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(chromium: Browser, live_server: LiveServer, console: ConsoleWatch, request) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the served app; ``page.goto("/connexion")`` works."""
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    browser_page = context.new_page()
    browser_page.on("console", console.on_console)
    browser_page.on("pageerror", console.on_page_error)
    yield browser_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        browser_page.screenshot(path=ARTIFACTS / f"echec-{request.node.name}.png", full_page=True)
    context.close()
    unexpected = console.unexpected()
    if unexpected:
        pytest.fail("the page reported errors:\n" + "\n".join(unexpected), pytrace=False)


@dataclass
class Journey:
    """Steps every journey shares, done as a person would: through the visible form."""

    page: Page

    def login(self, email: str, password: str) -> None:
        self.page.goto("/connexion")
        self.page.get_by_label("Adresse électronique").fill(email)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def journey(page: Page) -> Journey:
    return Journey(page)
