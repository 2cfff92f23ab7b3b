"""Browser fixtures: Debian's Chromium driven by Playwright against a real uvicorn on SQLite.

One browser for the whole session and a fresh context (cookies, storage) per test. The app
server is shared too; each test signs up a user of its own, so no test sees another's data.
A test that needs a brand-new installation (first-run set-up) asks for `fresh_server`.
"""

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path(os.environ.get("NEXTHOP_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
# axe-core, fetched from the npm registry by `make axe` (a step of `make test`) at a pinned
# version; only the tests ever load it, never the app.
AXE = Path(os.environ.get("NEXTHOP_TEST_AXE", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
PASSWORD = "correct horse battery"
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 667}, "has_touch": True, "is_mobile": True,
    "device_scale_factor": 2,
}  # fmt: skip
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None


def _unavailable() -> str | None:
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it
# is started, and the API tests after this package use asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator["Playwright"]:
    reason = _unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}: CI=true requires the browser tests")
        pytest.skip(f"browser tests skipped: {reason}")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: "Playwright") -> Iterator["Browser"]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield browser
    browser.close()


def _server_env(data_dir: Path) -> dict[str, str]:
    return {
        "NEXTHOP_DATA_DIR": str(data_dir),
        "NEXTHOP_DATABASE_URL": "",
        "NEXTHOP_SIGNUP_MODE": "open",
        "NEXTHOP_LOG_LEVEL": "warning",
    }


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, browser: "Browser") -> Iterator[str]:
    """A set-up installation with open sign-up, so each test can make its own account."""
    with live_server(_server_env(tmp_path_factory.mktemp("browser-db"))) as base:
        body = {"email": "admin@example.test", "password": PASSWORD, "display_name": "Admin"}
        httpx.post(f"{base}/api/v1/setup", json=body).raise_for_status()
        yield base


@pytest.fixture
def fresh_server(tmp_path: Path, browser: "Browser") -> Iterator[str]:
    """An installation nobody has set up yet."""
    with live_server(_server_env(tmp_path)) as base:
        yield base


@dataclass
class User:
    """A signed-up account, with an API client that acts as it (session cookie + CSRF)."""

    base: str
    email: str
    password: str
    display_name: str
    client: httpx.Client
    csrf: str

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        response = self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None


def sign_up(base: str, display_name: str = "Pat Doe") -> User:
    email = f"{uuid.uuid4().hex[:12]}@example.test"
    client = httpx.Client(base_url=base)
    body = {"email": email, "password": PASSWORD, "display_name": display_name}
    response = client.post("/api/v1/auth/signup", json=body)
    response.raise_for_status()
    return User(base, email, PASSWORD, display_name, client, response.json()["csrf_token"])


@pytest.fixture
def user(server: str) -> Iterator[User]:
    account = sign_up(server)
    yield account
    account.client.close()


# The app answers API problems (401 before sign-in, 409, 422) in the page itself; Chromium
# still logs each non-2xx fetch. Those are expected; anything else logged as an error is not.
_EXPECTED_API_STATUS = re.compile(r"status of 4\d\d ")


@dataclass
class PageErrors:
    messages: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, text: str) -> None:
        """A test that breaks something on purpose (the network) names the error it expects."""
        self.allowed.append(text)

    def on_console(self, message: "ConsoleMessage") -> None:
        csp_warning = message.type == "warning" and "Content Security Policy" in message.text
        if message.type != "error" and not csp_warning:
            return
        url = message.location.get("url", "") if message.location else ""
        if "/api/" in url and _EXPECTED_API_STATUS.search(message.text):
            return
        if any(text in message.text for text in self.allowed):
            return
        self.messages.append(f"console {message.type}: {message.text} ({url})")


# Runs before any page script; Playwright injects it outside the page's CSP.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _open_page(browser: "Browser", base: str, device: dict[str, Any]) -> Iterator["Page"]:
    context = browser.new_context(base_url=base, **device)
    context.set_default_timeout(5_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    errors = PageErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", lambda exc: errors.messages.append(f"uncaught: {exc}"))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    try:
        violations = page.evaluate("window.__cspViolations || []")
    except Exception:  # the page may have been closed by the test
        violations = []
    context.close()
    assert not violations, f"CSP violations: {violations}"
    assert not errors.messages, "\n".join(errors.messages)


@pytest.fixture
def page(browser: "Browser", server: str) -> Iterator["Page"]:
    """A desktop page in a fresh context; fails the test on console errors or CSP violations."""
    yield from _open_page(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: "Browser", server: str) -> Iterator["Page"]:
    """The same on a 375×667 phone viewport."""
    yield from _open_page(browser, server, PHONE)


@pytest.fixture
def tokyo_page(browser: "Browser", server: str) -> Iterator["Page"]:
    """A desktop page whose clock is set to Tokyo (UTC+9, no daylight saving time)."""
    yield from _open_page(browser, server, {**DESKTOP, "timezone_id": "Asia/Tokyo"})


@pytest.fixture
def browser_dark_page(browser: "Browser", server: str) -> Iterator["Page"]:
    """A desktop page whose system asks for dark mode."""
    yield from _open_page(browser, server, {**DESKTOP, "color_scheme": "dark"})


@pytest.fixture
def fresh_page(browser: "Browser", fresh_server: str) -> Iterator["Page"]:
    """A desktop page on an installation nobody has set up yet."""
    yield from _open_page(browser, fresh_server, DESKTOP)


@pytest.fixture
def fresh_phone(browser: "Browser", fresh_server: str) -> Iterator["Page"]:
    """A phone page on an installation nobody has set up yet."""
    yield from _open_page(browser, fresh_server, PHONE)


def allow_console_error(page: "Page", text: str) -> None:
    page.errors.allow(text)  # type: ignore[attr-defined]


def sign_in(page: "Page", user: User) -> None:
    """Gives `page`'s context the session cookie of `user` (fast: no form typing)."""
    page.context.add_cookies(
        [
            {"name": c.name, "value": c.value or "", "url": user.base}
            for c in user.client.cookies.jar
        ]
    )


# axe's source is evaluated in the page through the DevTools protocol, as `page.evaluate`
# runs any test script: that is not subject to the page's CSP, so the app's policy stays
# exactly as served (no bypass_csp, no inline <script>), and axe itself needs no eval.
_AXE_RUN = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ['violations'] });
  return violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
  }));
}"""
SERIOUS = ("serious", "critical")


class Axe:
    """`axe(page, name)`: the page has no serious or critical axe-core violation."""

    def __init__(self, source: str) -> None:
        self.source = source

    def violations(self, page: "Page") -> list[dict[str, Any]]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result: list[dict[str, Any]] = page.evaluate(_AXE_RUN)
        return result

    def __call__(self, page: "Page", name: str = "") -> None:
        found = [v for v in self.violations(page) if v["impact"] in SERIOUS]
        report = [f"{v['id']} ({v['impact']}): {v['help']}: {v['nodes']}" for v in found]
        assert not report, f"axe on {name or page.url}:\n" + "\n".join(report)


@pytest.fixture(scope="package")
def axe() -> Axe:
    if not AXE.exists():
        reason = f"axe-core not found at {AXE} (`make axe` fetches it with npm)"
        if IN_CI:
            pytest.fail(f"{reason}: CI=true requires the accessibility checks")
        pytest.skip(f"axe-core checks skipped: {reason}")
    return Axe(AXE.read_text())


def screenshot(page: "Page", name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_no_horizontal_scroll(page: "Page") -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    # The bottom navigation is fixed, so it never widens the page: check its links directly.
    clipped = page.evaluate(
        "[...document.querySelectorAll('.site-nav a')]"
        ".filter(a => a.scrollWidth > a.clientWidth).map(a => a.textContent)"
    )
    assert not clipped, f"navigation labels cut off: {clipped}"


# Small accessibility checks of our own, next to axe-core's (they need no download, and axe
# does not judge these strictly): every visible control has a name, headings go down one level
# at a time from a single h1, a status is never colour alone, and the focused element shows
# where it is.
_A11Y_SCRIPT = (Path(__file__).resolve().parent / "a11y.js").read_text()


def check_accessibility(page: "Page", tabs: int = 6) -> None:
    """The page-wide checks, then a few Tab stops from the heading: each must show its focus."""
    problems = page.evaluate(_A11Y_SCRIPT, "page")
    assert not problems, "\n".join(problems)
    page.locator("main h1").first.focus()
    for _ in range(tabs):
        page.keyboard.press("Tab")
        ring = page.evaluate(_A11Y_SCRIPT, "focus")
        assert ring in ("ok", "body"), f"no visible focus on {ring}"
