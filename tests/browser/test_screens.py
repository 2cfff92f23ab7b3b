"""Every screen, on a desktop and on a 375 px phone: it renders its heading, logs no error,
breaks no CSP rule (the `page`/`phone` fixtures check both), never scrolls sideways, has no
serious or critical axe-core violation, and leaves a screenshot in test-artifacts/."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Axe,
    User,
    assert_no_horizontal_scroll,
    check_accessibility,
    screenshot,
    sign_in,
)

LONG = "Maximilian Alexandros Papadopoulos-Featherstonehaugh"


def seed(user: User) -> dict[str, str]:
    """A little of everything, with long words where a narrow screen could overflow."""
    org = user.api(
        "POST", "/organizations",
        json={"name": "Tidewater Energy Storage Cooperative International", "interest_level": 5,
              "industry": "Storage", "website": "https://tidewater.example/a/very/long/path/here"},
    )  # fmt: skip
    maya = user.api(
        "POST", "/contacts",
        json={"full_name": LONG, "organization_id": org["id"], "title": "Head of Grid Storage",
              "tags": ["climate", "storage"], "notes": "Met at the meetup.\nLikes trains.",
              "email": "maximilian.featherstonehaugh@tidewater.example"},
    )  # fmt: skip
    sam = user.api("POST", "/contacts", json={"full_name": "Sam Lee"})
    user.api("POST", "/referrals", json={"from_contact_id": None, "to_contact_id": maya["id"],
                                         "status": "met"})  # fmt: skip
    user.api("POST", "/referrals", json={"from_contact_id": maya["id"], "to_contact_id": sam["id"]})
    user.api("PATCH", "/profile", json={"focus_areas": ["storage"], "ask": "Advice on grid roles"})
    user.api("POST", "/profile/share-link")
    opportunity = user.api(
        "POST", "/opportunities", json={"title": "Storage analyst role", "contact_id": sam["id"]}
    )
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": maya["id"], "status": "scheduled",
              "scheduled_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
              "agenda": ["How did you start?"], "checklist": [{"text": "Read the annual report"}]},
    )  # fmt: skip
    user.api(
        "POST", "/note-items",
        json={"interview_id": interview["id"], "category": "to_read", "text": "The Grid " * 20},
    )  # fmt: skip
    return {
        "org": org["id"], "contact": maya["id"], "interview": interview["id"],
        "opportunity": opportunity["id"],
    }  # fmt: skip


def screens(ids: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        ("today", "/app", "Today"),
        ("contacts", "/app/contacts", "Contacts"),
        ("contact", f"/app/contacts/{ids['contact']}", LONG),
        ("contact-new", "/app/contacts/new", "Add a contact"),
        ("contact-edit", f"/app/contacts/{ids['contact']}/edit", f"Edit {LONG}"),
        ("organizations", "/app/organizations", "Organizations"),
        ("organization", f"/app/organizations/{ids['org']}", "Tidewater Energy"),
        ("organization-new", "/app/organizations/new", "Add an organization"),
        ("interviews", "/app/interviews", "Interviews"),
        ("interview", f"/app/interviews/{ids['interview']}", "Interview with"),
        ("interview-new", "/app/interviews/new", "Plan an interview"),
        ("interview-edit", f"/app/interviews/{ids['interview']}/edit", "Edit interview"),
        ("capture", f"/app/interviews/{ids['interview']}/capture", f"Notes: {LONG}"),
        ("lists", "/app/lists", "Lists"),
        ("settings", "/app/settings", "Settings"),
        ("data", "/app/data", "Your data"),
        ("search", "/app/search?q=grid", "Search"),
        ("profile", "/app/profile", "Your profile"),
        ("network", "/app/network", "Network"),
        ("opportunities", "/app/opportunities", "Opportunities"),
        ("opportunity", f"/app/opportunities/{ids['opportunity']}", "Storage analyst role"),
        ("opportunity-new", "/app/opportunities/new", "Add an opportunity"),
        ("not-found", "/app/nowhere", "Not found"),
    ]


@pytest.mark.parametrize("device", ["page", "phone"])
def test_every_screen_renders_cleanly(
    device: str, request: pytest.FixtureRequest, user: User, axe: Axe
) -> None:
    page: Page = request.getfixturevalue(device)
    ids = seed(user)
    sign_in(page, user)
    for name, path, heading in screens(ids):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
        assert page.title().endswith("· Nexthop")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{device}-{name}")
        check_accessibility(page)
        axe(page, name)


def test_signed_out_screens_render_cleanly(phone: Page, axe: Axe) -> None:
    phone.goto("/app/sign-in")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "phone-sign-in")
    axe(phone, "sign-in")


def test_keyboard_skip_link_and_visible_focus(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/contacts")
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is inside the main content, past the navigation.
    assert page.evaluate("document.activeElement.closest('main') !== null")

    # Moving to another screen puts focus on its heading, for screen reader users.
    page.get_by_role("link", name="Organizations").click()
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_focused()


def test_dark_mode_follows_the_system(browser_dark_page: Page, user: User, axe: Axe) -> None:
    page = browser_dark_page
    ids = seed(user)
    sign_in(page, user)
    page.goto("/app")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 23)"
    # Contrast holds in the dark palette too (axe checks the colours as shown).
    for name, path, heading in screens(ids):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
        axe(page, f"{name} (dark)")


def test_an_ended_session_sends_you_to_sign_in_and_back(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Grace Hopper"})
    sign_in(page, user)
    page.goto("/app/contacts")
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    user.api("POST", "/auth/logout-everywhere")  # e.g. from another device

    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    assert page.url.endswith(f"/app/contacts/{contact['id']}")
