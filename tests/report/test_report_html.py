"""The HTML report, opened in a real headless Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import TOOL_VERSION, sample_posture

from pytest_apiposture.model import Posture
from pytest_apiposture.report.html import CSS, SCRIPT, csp_hash, render_html, write_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_PATH = "/search/<img src=x onerror=alert(1)>"


def hostile_posture() -> Posture:
    """Strings an attacker controls (paths, response bodies) end up in the report."""
    posture = sample_posture()
    first = posture.findings[0]
    posture.findings[0] = replace(
        first,
        path=HOSTILE_PATH,
        message='reflected "<script>alert(2)</script>" & more',
        evidence="< 200 OK\n< </pre><script>alert(3)</script>",
    )
    posture.routes[0] = replace(
        posture.routes[0], path=HOSTILE_PATH, handler="x:'\"><svg onload=alert(4)>"
    )
    return posture


def test_render_escapes_and_pins_the_script_by_hash() -> None:
    page = render_html(hostile_posture(), tool_version=TOOL_VERSION)
    assert "<img" not in page and "<script>alert" not in page and "<svg onload" not in page
    assert "/search/&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<script>") == 1
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert csp.group(1) == (
        f"default-src &#x27;none&#x27;; style-src {csp_hash(CSS)}; script-src {csp_hash(SCRIPT)}; "
        "img-src data:; base-uri &#x27;none&#x27;; form-action &#x27;none&#x27;".replace(
            "'", "&#x27;"
        )
    )


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # CI installs both (.ci/run); there a missing browser is a failure, not a skip
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install playwright)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class Page:
    """A page on a written report, recording what a person would not want to see."""

    def __init__(self, context: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.url = path.as_uri()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visible_paths(self) -> list[str]:
        rows = self.page.locator("#endpoints tbody tr:visible td.path")
        return [
            text.split("\n")[0].replace(" not in schema", "").strip()
            for text in rows.all_inner_texts()
        ]

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def report_page(browser_context: Any, tmp_path: Path) -> Iterator[Page]:
    path = tmp_path / "apiposture.html"
    write_html(path, sample_posture(), tool_version=TOOL_VERSION)
    page = Page(browser_context, path)
    yield page
    page.close()


def test_report_renders_offline_without_errors(report_page: Page, tmp_path: Path) -> None:
    page = report_page.page
    assert page.title() == "API posture: shop.main:app"
    assert report_page.visible_paths() == [
        "/admin/users/{user_id}",
        "/auth/token",
        "/health",
        "/internal/debug/config",
        "/orders",
        "/users/me",
        "/users/{user_id}",
        "/users/{user_id}",
    ]
    assert page.inner_text("#shown") == "8 of 8 endpoints"
    # one bar segment per (category, severity) with open findings
    bars = page.locator("svg[aria-label^='Open findings'] rect title").all_text_contents()
    assert bars == [
        "API1 critical: 1",
        "API1 high: 1",
        "API2 high: 2",
        "API3 high: 2",
        "API4 medium: 1",
        "API8 high: 1",
        "API9 info: 1",
    ]
    slices = page.locator("svg[aria-label='Routes by auth class'] circle title").all_text_contents()
    assert slices == ["authenticated: 4", "optional: 1", "public: 2", "none: 1"]
    assert page.locator("details.finding").count() == 12
    screenshot = Path(os.environ.get("APIPOSTURE_SCREENSHOT") or tmp_path / "apiposture-report.png")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    assert report_page.errors == []
    assert report_page.requests == [report_page.url]


def test_filter_box_filters_the_table_and_findings(report_page: Page) -> None:
    page = report_page.page
    page.fill("#filter", "admin")
    assert report_page.visible_paths() == ["/admin/users/{user_id}", "/internal/debug/config"]
    assert page.inner_text("#shown") == "2 of 8 endpoints"
    page.fill("#filter", "APS202")
    assert report_page.visible_paths() == ["/orders"]
    visible = page.locator("details.finding:visible summary .code").all_inner_texts()
    assert visible == ["APS202"]
    page.fill("#filter", "optional")
    assert report_page.visible_paths() == ["/orders"]
    page.fill("#filter", "")
    assert page.inner_text("#shown") == "8 of 8 endpoints"
    assert report_page.errors == []


def test_a_finding_expands_to_evidence_and_fix(report_page: Page) -> None:
    page = report_page.page
    first = page.locator("details#f-0")
    evidence = first.locator("pre")
    assert not evidence.is_visible()
    first.locator("summary").click()
    assert first.evaluate("d => d.open") is True
    assert evidence.inner_text().startswith("> GET /users/1 (as bob)")
    assert first.locator("p.fix").inner_text().startswith("Load the object filtered by the caller")
    # the code badge in the endpoints table opens its finding
    page.locator("#endpoints a.code", has_text="APS202").click()
    opened = page.locator("details.finding[open] summary .code").all_inner_texts()
    assert opened == ["APS151", "APS202"]
    page.click("#collapse")
    assert page.locator("details.finding[open]").count() == 0
    assert report_page.errors == []


def test_hostile_strings_stay_text(browser_context: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    write_html(path, hostile_posture(), tool_version=TOOL_VERSION)
    report_page = Page(browser_context, path)
    page = report_page.page
    page.locator("details#f-0 summary").click()
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert report_page.visible_paths()[4] == HOSTILE_PATH
    assert (
        page.locator("details#f-0 pre").inner_text()
        == "< 200 OK\n< </pre><script>alert(3)</script>"
    )
    assert report_page.dialogs == []
    assert report_page.errors == []
    report_page.close()


def test_a_conditional_route_renders_with_its_reason() -> None:
    """Issue 15: every auth class has a colour; the badge carries the reason."""
    from pytest_apiposture.model import Auth

    posture = sample_posture()
    first = replace(posture.routes[0], auth=Auth.CONDITIONAL, auth_reason="SERVER_MODE (guard g)")
    page = render_html(
        replace(posture, routes=[first, *posture.routes[1:]]), tool_version=TOOL_VERSION
    )
    assert 'class="badge auth-conditional" title="SERVER_MODE (guard g)"' in page
