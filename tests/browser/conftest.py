"""Real Chromium (Debian's package) driven by Playwright, against a live Django server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from helpwell.mail.tests.smtp import SmtpSink  # noqa: E402

CHROMIUM = os.environ.get("HELPWELL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-GB", timezone_id="Europe/Berlin"
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    # Every context the test opened, not only this one: a context left open keeps its keep-alive
    # connections to the live server until the browser closes, after the server has stopped sharing
    # the in-memory database, and their threads then fail on closing it.
    for opened in browser.contexts:  # this test's, and any other it opened
        opened.close()


class Shooter:
    """Writes numbered full-page screenshots for one journey into test-artifacts/screenshots/."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shoot(request) -> Shooter:
    return Shooter(request.node.name)


@pytest.fixture
def smtp_inbox(settings) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that the live server sends to."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        yield sink
