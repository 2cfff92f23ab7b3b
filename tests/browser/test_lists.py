"""Lists across every conversation, tickable."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import User, sign_in


def test_reading_list_across_interviews_is_tickable(phone: Page, user: User) -> None:
    page = phone
    for name, book in (("Maya Okafor", "Thinking in Systems"), ("Sam Lee", "The Grid")):
        contact = user.api("POST", "/contacts", json={"full_name": name})
        interview = user.api("POST", "/interviews", json={"contact_id": contact["id"]})
        user.api(
            "POST", "/note-items",
            json={"interview_id": interview["id"], "category": "to_read", "text": book},
        )  # fmt: skip
    user.api(
        "POST", "/note-items",
        json={"interview_id": interview["id"], "category": "to_do", "text": "Update CV"},
    )  # fmt: skip
    sign_in(page, user)
    page.goto("/app")
    page.get_by_role("link", name="To Read: 2").tap()
    expect(page.get_by_role("heading", name="To Read: open")).to_be_visible()
    expect(page.get_by_role("link", name="To Read", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("from Maya Okafor")).to_be_visible()
    expect(page.get_by_text("Update CV")).to_have_count(0)

    page.get_by_label("Done: The Grid").check()
    expect(page.locator(".note.done")).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Done: Thinking in Systems")).to_be_visible()
    expect(page.get_by_label("Done: The Grid")).to_have_count(0)
    page.get_by_role("link", name="Show what is done").tap()
    expect(page.get_by_label("Done: The Grid")).to_be_checked()

    page.get_by_role("link", name="To Do", exact=True).tap()
    expect(page).to_have_url(f"{user.base}/app/lists/to_do?status=done")
    expect(page.get_by_text("Nothing done yet.")).to_be_visible()
