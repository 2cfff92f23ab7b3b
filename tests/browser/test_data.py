"""Your data in the browser: a LinkedIn import previewed (with upload progress) then saved,
unreadable and refused files, exports, restoring a backup, and the calendar feed."""

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PASSWORD,
    Axe,
    User,
    _open_page,
    _server_env,
    allow_console_error,
    assert_no_horizontal_scroll,
    check_accessibility,
    sign_in,
    sign_up,
)
from tests.live_server import live_server

LINKEDIN_NOTES = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n\n'
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"

# Records every state the upload's <progress> shows, and what the live line says.
WATCH_PROGRESS = """() => {
  window.__bar = []; window.__said = [];
  new MutationObserver(() => {
    const bar = document.querySelector('main progress');
    if (bar && !bar.hidden) {
      window.__bar.push(bar.hasAttribute('value') ? bar.value : 'indeterminate');
    }
    const said = document.querySelector('main .progress').textContent;
    if (said && !window.__said.includes(said)) window.__said.push(said);
  }).observe(document.querySelector('main'),
             { subtree: true, attributes: true, childList: true, characterData: true });
}"""


def connections(people: int, invalid: int = 0, duplicates: int = 0) -> str:
    """LinkedIn's Connections.csv: `people` distinct ones, then rows without a name, then
    repeats of earlier people (same profile URL)."""
    rows = [
        f"Person{i},Tester,https://www.linkedin.com/in/person-{i:05d},,Company {i % 40},"
        f"Engineer {i},15 Mar 2024\n"
        for i in range(people)
    ]
    rows += [",,,,Nowhere Inc,Ghost,15 Mar 2024\n"] * invalid
    rows += [
        f"Person{i},Again,https://www.linkedin.com/in/person-{i:05d},,,,15 Mar 2024\n"
        for i in range(duplicates)
    ]
    return LINKEDIN_NOTES + HEADER + "".join(rows)


def upload_file(page: Page, label: str, name: str, text: str, mime: str = "text/csv") -> None:
    page.get_by_label(label).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": text.encode()}]
    )


def count(page: Page, term: str) -> str:
    """The number shown for `term` in the preview's counts."""
    row = page.locator("main .details div").filter(has=page.get_by_text(term, exact=True))
    return row.locator("dd").inner_text()


def total_contacts(user: User) -> int:
    total: int = user.api("GET", "/contacts", params={"limit": 1})["total"]
    return total


def test_linkedin_import_shows_progress_previews_then_saves(page: Page, user: User) -> None:
    user.api(
        "POST", "/contacts",
        json={"full_name": "Person0 Tester", "linkedin_url": "https://www.linkedin.com/in/person-00000"},
    )  # fmt: skip
    text = connections(2995, invalid=3, duplicates=2)
    sign_in(page, user)
    page.goto("/app/settings")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    page.evaluate(WATCH_PROGRESS)
    # A slow uplink (about 2 s for these 280 kB), so the bar has something to show.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 150_000},
    )
    page.get_by_label("Format").select_option(label="LinkedIn (Connections.csv)")
    upload_file(page, "File to import", "Connections.csv", text)
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("form", name="Import contacts").locator("progress")).to_be_visible()
    preview = page.get_by_role("heading", name="Preview: nothing saved yet")
    expect(preview).to_be_visible(timeout=20_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    bar: list[object] = page.evaluate("window.__bar")
    said: list[str] = page.evaluate("window.__said")
    assert any(isinstance(v, int | float) and 0 < v < 100 for v in bar), bar
    assert "indeterminate" in bar, bar
    lines = len(text.rstrip().split("\n"))
    assert f"Reading {lines:,} rows…" in said, said
    assert any(re.fullmatch(r"Uploading… \d0%", s) for s in said), said
    expect(page.get_by_role("form", name="Import contacts").locator("progress")).to_be_hidden()

    assert count(page, "New") == "2,994"
    assert count(page, "Matched") == "1"
    assert count(page, "Skipped") == "2"
    assert count(page, "Invalid") == "3"
    problems = page.locator("main .list .item")
    expect(problems).to_have_count(5)
    expect(problems.first).to_contain_text("First Name and Last Name are both empty")
    expect(problems.last).to_contain_text("The same person as row")
    assert total_contacts(user) == 1  # a preview saves nothing

    page.get_by_role("button", name="Import 2,995 contacts").click()
    alert = page.get_by_role("alert").filter(has_text="Imported")
    expect(alert).to_contain_text("2,994 new contacts", timeout=20_000)
    expect(alert).to_contain_text("1 updated")
    expect(preview).to_be_hidden()
    assert total_contacts(user) == 2995
    found = user.api("GET", "/contacts", params={"q": "Person2994"})["items"]
    assert [c["title"] for c in found] == ["Engineer 2994"]


def test_many_problem_rows_are_capped_and_cancel_saves_nothing(
    phone: Page, user: User, axe: Axe
) -> None:
    sign_in(phone, user)
    phone.goto("/app/data")
    upload_file(phone, "File to import", "Connections.csv", connections(1, invalid=25))
    phone.get_by_role("button", name="Preview import").click()
    expect(phone.get_by_text("and 5 more")).to_be_visible()
    expect(phone.locator("main .list .item")).to_have_count(20)
    assert_no_horizontal_scroll(phone)
    axe(phone, "data: import preview")
    phone.get_by_role("button", name="Cancel").click()
    expect(phone.get_by_role("heading", name="Preview: nothing saved yet")).to_be_hidden()
    expect(phone.get_by_label("File to import")).to_be_focused()
    assert total_contacts(user) == 0


def test_an_unreadable_file_says_why_at_the_file(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/data")
    page.get_by_role("button", name="Preview import").click()
    file_input = page.get_by_label("File to import")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This is required.")).to_be_visible()

    upload_file(page, "File to import", "notes.csv", "just,some\nnotes,here\n")
    page.get_by_role("button", name="Preview import").click()
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("No header row with First Name and Last Name")).to_be_visible()

    page.get_by_label("Format").select_option(label="Contacts CSV")
    latin1 = "full_name\nJos\xe9\n".encode("latin-1")
    file_input.set_input_files(files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": latin1}])
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text(re.compile("Line 2 is not UTF-8"))).to_be_visible()
    assert total_contacts(user) == 0


def test_rate_limits_and_lost_connections_are_explained(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/data")
    upload_file(page, "File to import", "Connections.csv", connections(3))
    problem = {"title": "Too Many Requests", "status": 429, "detail": "Too many imports."}
    page.route(
        "**/api/v1/imports/linkedin*",
        lambda route: route.fulfill(
            status=429, headers={"Retry-After": "30"}, content_type="application/problem+json",
            body=json.dumps(problem),
        ),
    )  # fmt: skip
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("alert")).to_have_text("Too many imports. Try again in 30 s.")

    page.unroute("**/api/v1/imports/linkedin*")
    page.route("**/api/v1/imports/linkedin*", lambda route: route.abort())
    allow_console_error(page, "net::ERR_FAILED")
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("alert")).to_contain_text("Could not reach Nexthop")
    expect(page.get_by_role("button", name="Preview import")).to_be_enabled()


@pytest.fixture
def small_limit(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Page, User]]:
    """A server whose uploads may be at most 4 kB, and a signed-in page on it."""
    env = {**_server_env(tmp_path_factory.mktemp("small")), "NEXTHOP_MAX_IMPORT_BYTES": "4096"}
    with live_server(env) as base:
        body = {"email": "admin@example.test", "password": PASSWORD, "display_name": "Admin"}
        httpx.post(f"{base}/api/v1/setup", json=body).raise_for_status()
        account = sign_up(base)
        for page in _open_page(browser, base, DESKTOP):
            sign_in(page, account)
            yield page, account


def test_a_file_over_the_limit_is_refused_clearly(small_limit: tuple[Page, User]) -> None:
    page, user = small_limit
    page.goto("/app/data")
    upload_file(page, "File to import", "Connections.csv", connections(200))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("alert")).to_contain_text("over the limit of 4096 bytes")
    assert total_contacts(user) == 0


def test_exports_download(page: Page, user: User) -> None:
    user.api("POST", "/contacts", json={"full_name": "Grace Hopper", "email": "grace@example.test"})
    sign_in(page, user)
    page.goto("/app/data")
    got = {}
    for name in ("Contacts (CSV)", "Contacts (vCards)", "Everything (JSON backup)"):
        with page.expect_download() as info:
            page.get_by_role("link", name=name).click()
        download = info.value
        got[name] = (download.suggested_filename, download.path().read_text("utf-8-sig"))
    name, text = got["Contacts (CSV)"]
    assert name.endswith(".csv")
    assert "Grace Hopper,grace@example.test" in text
    name, text = got["Contacts (vCards)"]
    assert name.endswith(".vcf")
    assert "FN:Grace Hopper" in text
    name, text = got["Everything (JSON backup)"]
    backup = json.loads(text)
    assert name.endswith(".json")
    assert backup["format"] == "nexthop-backup"
    assert [c["full_name"] for c in backup["contacts"]] == ["Grace Hopper"]


def test_restore_a_backup_into_an_empty_account(page: Page, user: User, server: str) -> None:
    old = sign_up(server, "Old Me")
    org = old.api("POST", "/organizations", json={"name": "Analytical Engines"})
    old.api("POST", "/contacts", json={"full_name": "Ada Lovelace", "organization_id": org["id"]})
    backup = old.client.get("/api/v1/exports/backup").text

    user.api("POST", "/contacts", json={"full_name": "Already Here"})
    sign_in(page, user)
    page.goto("/app/data")
    upload_file(page, "Backup file", "contacts.csv", "full_name\nAda\n", "text/csv")
    page.get_by_role("button", name="Preview restore").click()
    expect(page.get_by_label("Backup file")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("JSON decode error")).to_be_visible()
    upload_file(page, "Backup file", "nexthop-backup.json", backup, "application/json")
    page.get_by_role("button", name="Preview restore").click()
    expect(page.get_by_role("alert")).to_contain_text("already has data")

    fresh = sign_up(server, "New Me")
    page.context.clear_cookies()
    sign_in(page, fresh)
    page.goto("/app/data")
    upload_file(page, "Backup file", "nexthop-backup.json", backup, "application/json")
    page.get_by_role("button", name="Preview restore").click()
    expect(page.get_by_role("heading", name="Preview: nothing saved yet")).to_be_visible()
    assert count(page, "Contacts") == "1"
    assert count(page, "Organizations") == "1"
    assert total_contacts(fresh) == 0
    page.get_by_role("button", name="Restore everything").click()
    expect(page.get_by_role("alert").filter(has_text="Restored")).to_be_visible()
    assert [c["full_name"] for c in fresh.api("GET", "/contacts")["items"]] == ["Ada Lovelace"]


def test_calendar_feed_create_replace_and_turn_off(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/data")
    expect(page.get_by_text("No calendar link yet.")).to_be_visible()
    page.get_by_role("button", name="Create calendar link").click()
    link = page.get_by_label("Calendar link")
    expect(link).to_have_value(re.compile(r"/api/v1/calendar/.+\.ics$"))
    url = link.input_value()
    assert url == user.api("GET", "/calendar/feed")["url"]
    feed = httpx.get(url)
    assert feed.status_code == 200
    assert feed.text.startswith("BEGIN:VCALENDAR")
    webcal = page.get_by_role("link", name="Open in calendar app")
    expect(webcal).to_have_attribute("href", url.replace("http:", "webcal:"))

    page.get_by_role("button", name="Replace with a new link").click()
    expect(link).not_to_have_value(url)
    assert httpx.get(url).status_code == 404
    url = link.input_value()

    page.get_by_role("button", name="Turn off the feed").click()
    page.get_by_role("button", name="Turn it off now").click()
    expect(page.get_by_text("No calendar link yet.")).to_be_visible()
    assert httpx.get(url).status_code == 404
    assert user.api("GET", "/calendar/feed")["url"] is None


def test_the_data_page_on_a_phone(phone: Page, user: User, axe: Axe) -> None:
    user.api("POST", "/calendar/feed")
    sign_in(phone, user)
    phone.goto("/app/data")
    expect(phone.get_by_label("Calendar link")).to_have_value(re.compile(r"\.ics$"))
    assert_no_horizontal_scroll(phone)
    check_accessibility(phone)
    axe(phone, "data with a feed")
