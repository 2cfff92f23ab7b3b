"""The interview page in the browser: the prep sheet (agenda reordered, checklist ticked,
research), scheduling in the browser's own time zone, the three drafts (edit, copy, mailto,
mark sent with the API's reason) and the no-connection warning after completing."""

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from playwright.sync_api import Page, expect

from tests.browser.conftest import User, sign_in


def seed(user: User, **interview: object) -> tuple[dict, dict]:
    org = user.api("POST", "/organizations", json={"name": "Tidewater", "industry": "Storage"})
    ana = user.api("POST", "/contacts", json={"full_name": "Ana Reyes"})
    maya = user.api(
        "POST", "/contacts",
        json={"full_name": "Maya Okafor", "email": "maya@tidewater.example",
              "organization_id": org["id"], "title": "Head of Grid Storage"},
    )  # fmt: skip
    user.api(
        "POST", "/referrals",
        json={"from_contact_id": ana["id"], "to_contact_id": maya["id"], "status": "introduced",
              "context": "They worked together at Vattenfall"},
    )  # fmt: skip
    return maya, user.api("POST", "/interviews", json={"contact_id": maya["id"], **interview})


def test_prep_sheet_agenda_checklist_and_research(page: Page, user: User) -> None:
    _, interview = seed(user, checklist=[{"text": "Read their annual report"}])
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    who = page.locator("section", has=page.get_by_role("heading", name="Who they are"))
    expect(who.get_by_role("link", name="Tidewater")).to_be_visible()
    expect(who).to_contain_text("Head of Grid Storage")
    expect(who.get_by_role("link", name="Ana Reyes")).to_be_visible()
    expect(who).to_contain_text("They worked together at Vattenfall")
    expect(who).to_contain_text("Introduced")

    topic = page.get_by_label("New topic")
    for text in ("How did you start?", "What does a week look like?", "Who should I meet?"):
        topic.fill(text)
        topic.press("Enter")
        expect(page.locator(".agenda-edit li").last).to_contain_text(text)
    items = page.locator(".agenda-edit li")
    page.get_by_role("button", name="Move up: Who should I meet?").click()
    expect(items.nth(1)).to_contain_text("Who should I meet?")
    # Focus follows the moved topic, so a keyboard user can keep moving it.
    expect(page.get_by_role("button", name="Move up: Who should I meet?")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.first).to_contain_text("Who should I meet?")
    page.get_by_role("button", name="Remove: What does a week look like?").click()
    expect(page.locator(".agenda-edit li")).to_have_count(2)
    saved = user.api("GET", f"/interviews/{interview['id']}")
    assert saved["agenda"] == ["Who should I meet?", "How did you start?"]

    page.get_by_label("Read their annual report").check()
    page.get_by_label("New checklist item").fill("Prepare three questions")
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_label("Prepare three questions")).not_to_be_checked()
    page.get_by_label("Research notes").fill("Tidewater builds 4-hour batteries.")
    page.get_by_role("button", name="Save research").click()
    research = page.locator("section", has=page.get_by_role("heading", name="Research"))
    expect(research.get_by_role("status")).to_have_text("Saved")
    saved = user.api("GET", f"/interviews/{interview['id']}")
    assert saved["checklist"] == [
        {"text": "Read their annual report", "done": True},
        {"text": "Prepare three questions", "done": False},
    ]
    assert saved["research_notes"] == "Tidewater builds 4-hour batteries."

    page.reload()  # all of it is on the server, not just on the screen
    expect(page.get_by_label("Read their annual report")).to_be_checked()
    expect(page.get_by_label("Research notes")).to_have_value("Tidewater builds 4-hour batteries.")


def test_offer_times_in_the_browsers_zone_and_pick_one(tokyo_page: Page, user: User) -> None:
    page = tokyo_page
    _, interview = seed(user)
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    expect(page.get_by_text("Times are in your time zone, Asia/Tokyo.")).to_be_visible()
    for when in ("2030-05-06T10:30", "2030-05-07T18:00"):
        page.get_by_label("Offer a time").fill(when)
        page.get_by_role("button", name="Add time").click()
        expect(page.locator("section", has_text="Scheduling").locator("time")).to_have_count(
            1 if when.endswith("10:30") else 2
        )
    slots = user.api("GET", f"/interviews/{interview['id']}")["proposed_slots"]
    starts = [datetime.fromisoformat(s["starts_at"]) for s in slots]
    assert starts == [
        datetime(2030, 5, 6, 1, 30, tzinfo=UTC),
        datetime(2030, 5, 7, 9, 0, tzinfo=UTC),
    ]
    assert [s["duration_minutes"] for s in slots] == [45, 45]
    first = page.locator("time").first
    expect(first).to_contain_text("10:30")  # Tokyo's wall time, not UTC's 01:30

    page.get_by_role("button", name="Pick").last.click()  # "Pick this slot: Tue, May 7, 06:00 PM"
    expect(page.get_by_role("status").filter(has_text="Scheduled for")).to_contain_text("06:00")
    expect(page.locator(".subtitle .badge")).to_have_text("Scheduled")
    saved = user.api("GET", f"/interviews/{interview['id']}")
    assert saved["status"] == "scheduled"
    assert datetime.fromisoformat(saved["scheduled_at"]) == datetime(2030, 5, 7, 9, 0, tzinfo=UTC)
    expect(page.get_by_text("(chosen)")).to_be_visible()


def test_drafts_edit_copy_mailto_and_mark_sent(page: Page, user: User) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _, interview = seed(user)
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    page.get_by_text("Outreach message").click()
    subject = page.get_by_label("Subject")
    expect(subject).not_to_have_value("")
    body = page.get_by_label("Message", exact=True)
    expect(body).to_contain_text("Ana")  # the referrer's name, from the default template
    subject.fill("Coffee & a question?")
    body.fill("Hi Maya,\nAna suggested I write.")
    mail = page.get_by_role("link", name="Open in mail app")
    href = mail.get_attribute("href")
    assert href.startswith("mailto:maya@tidewater.example?")
    assert "subject=Coffee%20%26%20a%20question%3F" in href
    assert unquote(href.split("body=")[1]) == "Hi Maya,\r\nAna suggested I write."

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Coffee & a question?\n\nHi Maya,\nAna suggested I write."

    page.get_by_role("button", name="Mark sent").click()
    expect(page.get_by_text("Outreach marked sent.")).to_be_visible()
    expect(page.locator(".subtitle .badge")).to_have_text("Outreach sent")
    expect(page.get_by_label("Status")).to_have_value("outreach_sent")
    saved = user.api("GET", f"/interviews/{interview['id']}")
    assert saved["status"] == "outreach_sent"
    assert saved["outreach_sent_at"] is not None

    # A thank-you before the conversation: the API's reason, where the button is.
    page.get_by_text("Thank-you message").click()
    thanks = page.locator('details[data-kind="thank_you"]')
    thanks.get_by_role("button", name="Mark sent").click()
    expect(thanks.get_by_role("alert")).to_contain_text("completed")
    assert user.api("GET", f"/interviews/{interview['id']}")["thank_you_sent_at"] is None


def test_completing_without_a_connection_warns_until_dismissed(page: Page, user: User) -> None:
    past = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    _, interview = seed(user, status="scheduled", scheduled_at=past)
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    expect(page.locator(".warning")).to_be_hidden()
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_role("button", name="Change status").click()
    warning = page.locator(".warning")
    expect(warning).to_contain_text("No new connection yet.")
    page.reload()  # still pointed out on the next visit
    expect(warning).to_be_visible()
    warning.get_by_role("button", name="Dismiss: no one this time").click()
    expect(warning).to_be_hidden()
    assert user.api("GET", f"/interviews/{interview['id']}")["no_connection_dismissed"] is True
    page.reload()
    expect(page.get_by_role("heading", name="Interview with Maya Okafor")).to_be_visible()
    expect(warning).to_be_hidden()
