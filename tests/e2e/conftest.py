"""A real browser: Debian's chromium driven by Playwright against a live server.

Without chromium the tests skip on a developer's machine and fail in CI
(`SHEQUTONG_REQUIRE_BROWSER=1`), so a missing browser can never pass for a green run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make here
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SHEQUTONG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# No background traffic: this machine, like a government intranet, has no internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("SHEQUTONG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[object]:
    """`new_page(**context_options)` → (context, page): a fresh browser context (a second
    user, a phone), each watched for off-platform requests and CSP refusals, checked when the
    test ends."""
    made: list[tuple[object, tuple[list[str], list[str]]]] = []

    def make(**options: object) -> tuple[object, object]:
        context = browser.new_context(**{"locale": "zh-CN", **options})
        page = context.new_page()
        page.set_default_timeout(15_000)
        made.append((context, watch(page, live_server.url)))
        return context, page

    yield make
    for context, _ in made:
        context.close()
    for _, (outside, refused) in made:
        assert outside == [], f"the page fetched from outside the platform: {outside}"
        assert refused == [], f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def page(new_page) -> object:
    return new_page(viewport={"width": 1280, "height": 860})[1]


def watch(page, base_url: str) -> tuple[list[str], list[str]]:
    """What a page fetched from outside the platform (nothing may come from a CDN) and what
    the Content-Security-Policy refused (an inline script or style left in a template)."""
    outside: list[str] = []
    refused: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((base_url, "data:", "blob:"))
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return outside, refused


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w-]", "_", name)  # \w keeps Chinese page names readable
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_nav(page, label: str) -> None:
    """Follow a link of the console's side navigation (breadcrumbs may repeat its name); on a
    phone the navigation is folded behind 菜单 first."""
    nav = page.locator("aside nav")
    toggle = page.get_by_role("button", name="菜单")
    if toggle.is_visible() and nav.is_hidden():  # a phone: the menu is folded
        toggle.click()
    with page.expect_navigation():  # the new page, not the one the click left
        nav.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def open_care_profile(page, name: str) -> None:
    """照护档案 in the navigation, then the elder's name in the list."""
    open_nav(page, "照护档案")
    page.locator("table.data").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()
