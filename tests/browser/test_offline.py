"""Offline after a meeting: the app shell is installed (manifest + service worker), notes typed
without a connection wait on the phone with a visible count, survive a reload without a
connection, and reach the API exactly once, in the order typed, when the connection returns."""

from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import User, allow_console_error, sign_in
from tests.browser.test_interviews import notes_in


def test_the_shell_is_installable(user: User) -> None:
    manifest = httpx.get(f"{user.base}/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/"
    worker = httpx.get(f"{user.base}/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in worker.headers["content-security-policy"]


def test_notes_typed_offline_wait_then_sync_exactly_once(phone: Page, user: User) -> None:
    page = phone
    maya = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": maya["id"], "status": "scheduled",
              "scheduled_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}/capture")
    expect(page.get_by_role("heading", name="Notes: Maya Okafor")).to_be_visible()
    controlled = page.evaluate(
        """() => navigator.serviceWorker.controller !== null || new Promise((done) =>
            navigator.serviceWorker.addEventListener('controllerchange', () => done(true)))"""
    )
    assert controlled

    allow_console_error(page, "net::ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    typed = [
        ("To Connect", "Sam Lee at Tidewater"),
        ("To Read", "The Grid"),
        ("To Do", "Update CV"),
    ]
    badge = page.locator(".sync-badge")
    for n, (category, text) in enumerate(typed, 1):
        page.get_by_role("radio", name=category).tap()
        page.get_by_label("Note", exact=True).fill(text)
        page.get_by_role("button", name="Add note").tap()
        expect(page.get_by_role("status").filter(has_text="kept on this phone")).to_be_visible()
        expect(badge).to_have_text(f"{n} waiting to sync")
    assert notes_in(page, "To Read") == ["The Grid"]
    assert user.api("GET", "/note-items", params={"interview_id": interview["id"]})["total"] == 0

    # Still offline, the app opens again from the phone: the shell from the service worker,
    # the interview from the last visit, the waiting notes from IndexedDB.
    response = page.reload()
    assert response is not None
    assert response.from_service_worker
    expect(page.get_by_role("heading", name="Notes: Maya Okafor")).to_be_visible()
    expect(page.get_by_text("Offline: showing what this phone kept.")).to_be_visible()
    expect(badge).to_have_text("3 waiting to sync")
    expect(page.locator(".note.pending")).to_have_count(3)
    assert notes_in(page, "To Connect") == ["Sam Lee at Tidewater"]

    page.context.set_offline(False)
    expect(badge).to_be_hidden()
    expect(page.locator(".note.pending")).to_have_count(0)
    assert notes_in(page, "To Do") == ["Update CV"]
    stored = user.api("GET", "/note-items", params={"interview_id": interview["id"]})["items"]
    stored.sort(key=lambda n: n["created_at"])
    assert [n["text"] for n in stored] == [text for _, text in typed]

    # A second "online" (a flaky connection) finds nothing left to send: still exactly once.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    expect(page.get_by_role("heading", name="Notes: Maya Okafor")).to_be_visible()
    expect(badge).to_be_hidden()
    assert user.api("GET", "/note-items", params={"interview_id": interview["id"]})["total"] == 3
