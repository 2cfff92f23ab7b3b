"""Search in the browser: typed (debounced) into the address, ranked hits with the words found
marked as <mark> text, each opening its own page; a note opens its interview."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Axe,
    User,
    assert_no_horizontal_scroll,
    check_accessibility,
    sign_in,
)


def test_search_finds_a_contact_by_its_notes_and_a_note_opens_its_interview(
    page: Page, user: User
) -> None:
    ada = user.api(
        "POST", "/contacts",
        json={"full_name": "Ada Lovelace", "notes": "Bakes <b>sourdough</b> on Sundays"},
    )  # fmt: skip
    user.api("POST", "/contacts", json={"full_name": "Grace Hopper", "notes": "Sailing"})
    interview = user.api("POST", "/interviews", json={"contact_id": ada["id"]})
    text = "A sourdough starter guide"
    user.api(
        "POST",
        "/note-items",
        json={"interview_id": interview["id"], "category": "to_read", "text": text},
    )
    sign_in(page, user)
    page.goto("/app")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()

    page.get_by_role("searchbox", name="Search").press_sequentially("sourd", delay=20)
    hits = page.locator("main .list .item")
    expect(hits).to_have_count(2)
    expect(page).to_have_url("/app/search?q=sourd")
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("2 found")

    contact = hits.filter(has=page.get_by_role("link", name="Ada Lovelace", exact=True))
    expect(contact).to_contain_text("Contact")
    # The note's text is shown as typed (its tags are text), with what matched marked.
    expect(contact.locator(".snippet")).to_have_text("Bakes <b>sourdough</b> on Sundays")
    expect(contact.locator("mark")).to_have_text("sourd")
    assert contact.locator(".snippet b").count() == 0
    note = hits.filter(has_text="A sourdough starter guide")
    expect(note).to_contain_text("Note")
    expect(note.locator("mark")).to_have_text("sourd")

    page.get_by_role("searchbox", name="Search").fill("sailing")
    expect(hits).to_have_count(1)
    expect(hits.first.get_by_role("link")).to_have_text("Grace Hopper")
    expect(page).to_have_url("/app/search?q=sailing")

    page.get_by_role("searchbox", name="Search").fill("nothing like this")
    expect(page.get_by_text("Nothing found.")).to_be_visible()

    # The query is in the address: a reload (or a shared link) shows the same hits.
    page.goto("/app/search?q=starter")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("starter")
    expect(hits).to_have_count(1)
    hits.first.get_by_role("link").click()
    expect(page).to_have_url(f"/app/interviews/{interview['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interview with Ada Lovelace")
    page.go_back()
    expect(page).to_have_url("/app/search?q=starter")


def test_search_on_a_phone(phone: Page, user: User, axe: Axe) -> None:
    user.api(
        "POST", "/organizations",
        json={"name": "Tidewater Energy Storage Cooperative International",
              "notes": "Storage" + " grid-scale-batteries-and-pumped-hydro" * 8},
    )  # fmt: skip
    sign_in(phone, user)
    phone.goto("/app/search?q=storage")
    expect(phone.locator("main .list .item")).to_have_count(1)
    expect(phone.locator("main mark").first).to_have_text("Storage")
    assert_no_horizontal_scroll(phone)
    check_accessibility(phone)
    axe(phone, "search results")
