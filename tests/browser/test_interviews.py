"""Interviews in the browser: planning, the lifecycle's reasons, notes in six sections, quick
capture on a phone, and a note typed during a network failure that is neither lost nor doubled."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import (
    User,
    allow_console_error,
    assert_no_horizontal_scroll,
    sign_in,
)

SECTIONS = ("To Connect", "To Follow Up", "To Read", "To Look Up", "To Do", "To Think About")


def an_hour_ago() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat()


def notes_in(page: Page, section: str) -> list[str]:
    heading = page.get_by_role("heading", name=section)
    block = page.locator(".note-section", has=heading)
    return block.locator(".note-text").all_inner_texts()


def test_plan_an_interview_and_see_the_lifecycle_reasons(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    sign_in(page, user)
    page.goto(f"/app/contacts/{contact['id']}")
    page.get_by_role("link", name="Plan an interview").click()
    expect(page.get_by_label("With")).to_have_value(contact["id"])

    # Scheduled without a time: the API's 409 reason appears under the status field.
    page.get_by_label("Where it stands").select_option(label="Scheduled")
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_label("Where it stands")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("needs scheduled_at")).to_be_visible()

    page.get_by_label("Where it stands").select_option(label="Idea")
    page.get_by_label("Agenda").fill("How did you start?\nWhat does a week look like?")
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_role("heading", name="Interview with Maya Okafor")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="What does a week look like?")
    ).to_be_visible()

    # idea → completed is not a step of the lifecycle: the reason is shown, nothing changes.
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_label("Status")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("cannot go from idea to completed")).to_be_visible()

    page.get_by_label("Status").select_option(label="Outreach sent")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Status is now Outreach sent.")).to_be_visible()
    expect(page.locator(".subtitle .badge")).to_have_text("Outreach sent")
    (interview,) = user.api("GET", "/interviews")["items"]
    assert interview["status"] == "outreach_sent"
    assert interview["agenda"] == ["How did you start?", "What does a week look like?"]

    page.goto("/app/interviews")
    column = page.locator(".column", has=page.get_by_role("heading", name="Outreach sent"))
    expect(column.get_by_role("link", name="Maya Okafor")).to_be_visible()


def test_notes_go_into_six_labelled_sections(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": contact["id"], "status": "completed", "scheduled_at": an_hour_ago()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()

    note = page.get_by_label("Note", exact=True)
    entries = [
        ("To Read", "The Grid by Gretchen Bakke"),
        ("To Connect", "Sam Lee at Tidewater"),
        ("To Read", "IEA storage report"),
        ("To Think About", "Do I want a field role?"),
    ]
    for category, text in entries:
        page.get_by_role("radio", name=category).check()
        note.fill(text)
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_role("status").filter(has_text=f"Saved in {category}")).to_be_visible()
        expect(note).to_have_value("")

    assert notes_in(page, "To Read") == ["The Grid by Gretchen Bakke", "IEA storage report"]
    assert notes_in(page, "To Connect") == ["Sam Lee at Tidewater"]
    assert notes_in(page, "To Do") == []
    stored = user.api("GET", "/note-items", params={"interview_id": interview["id"]})["items"]
    assert sorted((n["category"], n["text"]) for n in stored) == sorted([
        ("to_read", "The Grid by Gretchen Bakke"), ("to_connect", "Sam Lee at Tidewater"),
        ("to_read", "IEA storage report"), ("to_think_about", "Do I want a field role?"),
    ])  # fmt: skip

    # Ticking a note marks it done, and it stays done after a reload.
    page.get_by_label("Done: IEA storage report").check()
    expect(page.locator(".note.done")).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Done: IEA storage report")).to_be_checked()

    # An empty note is refused where it would be typed.
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Write the note first.")).to_be_visible()


def test_a_note_whose_answer_is_lost_waits_on_the_phone_and_is_saved_once(
    page: Page, user: User
) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": contact["id"], "status": "scheduled", "scheduled_at": an_hour_ago()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}/capture")

    # The server receives the note but the answer never reaches the phone (twice: the
    # outbox's immediate retry is lost too).
    def lose_the_answer(route: Route) -> None:
        route.fetch()
        route.abort("internetdisconnected")

    allow_console_error(page, "net::ERR_INTERNET_DISCONNECTED")
    page.route("**/api/v1/note-items", lose_the_answer)
    page.get_by_role("radio", name="To Follow Up").check()
    page.get_by_label("Note", exact=True).fill("Send her the deck")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status").filter(has_text="kept on this phone")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="1 waiting to sync")).to_be_visible()
    expect(page.get_by_label("Note", exact=True)).to_have_value("")
    assert notes_in(page, "To Follow Up") == ["Send her the deck"]
    expect(page.locator(".note.pending")).to_contain_text("waiting to sync")

    # Back on a good connection, the app sends what waits when it starts: the same id again,
    # which the API answers with the note it already has.
    page.unroute("**/api/v1/note-items")
    page.reload()
    expect(page.get_by_role("heading", name="Notes: Maya Okafor")).to_be_visible()
    expect(page.locator(".note.pending")).to_have_count(0)
    expect(page.locator(".sync-badge")).to_be_hidden()
    assert notes_in(page, "To Follow Up") == ["Send her the deck"]
    stored = user.api("GET", "/note-items", params={"interview_id": interview["id"]})
    assert stored["total"] == 1


def test_quick_capture_after_a_meeting_on_a_phone(phone: Page, user: User) -> None:
    page = phone
    maya = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    other = user.api("POST", "/contacts", json={"full_name": "Old Friend"})
    user.api(
        "POST", "/interviews",
        json={"contact_id": other["id"], "status": "scheduled",
              "scheduled_at": (datetime.now(UTC) - timedelta(days=3)).isoformat()},
    )  # fmt: skip
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": maya["id"], "status": "scheduled", "scheduled_at": an_hour_ago()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto("/app")
    assert_no_horizontal_scroll(page)

    # One tap from home to the interview that just happened.
    page.get_by_role("link", name="Capture notes: Maya Okafor").click()
    expect(page.get_by_role("heading", name="Notes: Maya Okafor")).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("radio", name="To Connect").tap()
    page.get_by_label("Note", exact=True).fill("Sam Lee, her old team lead")
    page.get_by_role("button", name="Add note").tap()
    expect(page.get_by_role("status").filter(has_text="Saved in To Connect")).to_be_visible()
    page.get_by_role("radio", name="To Do").tap()
    page.get_by_label("Note", exact=True).fill("Update my CV summary")
    page.get_by_role("button", name="Add note").tap()
    expect(page.get_by_role("status").filter(has_text="Saved in To Do")).to_be_visible()
    assert notes_in(page, "To Connect") == ["Sam Lee, her old team lead"]

    page.get_by_role("button", name="Mark completed").tap()
    expect(page.get_by_text("Completed. Next: a short thank-you")).to_be_visible()
    assert user.api("GET", f"/interviews/{interview['id']}")["status"] == "completed"
    assert_no_horizontal_scroll(page)

    # Back on Today: the meeting has its To Connect, so no reminder asks for one.
    page.get_by_role("link", name="Today").tap()
    expect(page.get_by_role("heading", name="To do next")).to_be_visible()
    expect(page.locator('[data-kind="missing_connection"]')).to_have_count(0)
    expect(page.get_by_text("To Connect: 1")).to_be_visible()


def test_today_reminds_of_a_conversation_without_a_to_connect(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": contact["id"], "status": "completed", "scheduled_at": an_hour_ago()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto("/app")
    reminder = page.locator('[data-kind="missing_connection"]')
    expect(reminder).to_have_count(1)
    reminder.get_by_role("link").click()
    expect(page).to_have_url(f"{user.base}/app/interviews/{interview['id']}")


def test_paste_many_notes_then_turn_a_to_connect_into_a_contact(page: Page, user: User) -> None:
    maya = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api(
        "POST", "/interviews",
        json={"contact_id": maya["id"], "status": "completed", "scheduled_at": an_hour_ago()},
    )  # fmt: skip
    sign_in(page, user)
    page.goto(f"/app/interviews/{interview['id']}")
    page.get_by_text("Paste many at once").click()
    box = page.get_by_label("Paste many notes")
    box.fill("Sam Lee\nread: Thinking in Systems by Donella Meadows")
    page.get_by_role("button", name="Add all").click()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Line 1:")).to_be_visible()
    assert user.api("GET", "/note-items", params={"interview_id": interview["id"]})["total"] == 0

    box.fill("connect: Sam Lee\nread: Thinking in Systems by Donella Meadows\ntodo: update CV")
    page.get_by_role("button", name="Add all").click()
    expect(page.get_by_role("status").filter(has_text="Saved 3 notes")).to_be_visible()
    expect(box).to_have_value("")
    assert notes_in(page, "To Connect") == ["Sam Lee"]
    assert notes_in(page, "To Do") == ["update CV"]

    page.get_by_role("button", name="Add as contact: Sam Lee").click()
    page.get_by_role("link", name="Open contact").click()
    expect(page.get_by_role("heading", name="Sam Lee")).to_be_visible()
    by = page.locator("section", has=page.get_by_role("heading", name="Introduced by"))
    expect(by.get_by_role("link", name="Maya Okafor")).to_be_visible()
    assert user.api("GET", "/contacts")["total"] == 2


def test_mark_completed_shows_why_not(phone: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Maya Okafor"})
    interview = user.api("POST", "/interviews", json={"contact_id": contact["id"]})
    sign_in(phone, user)
    phone.goto(f"/app/interviews/{interview['id']}/capture")
    phone.get_by_role("button", name="Mark completed").tap()
    expect(phone.get_by_role("alert")).to_contain_text("cannot go from idea to completed")
    assert user.api("GET", f"/interviews/{interview['id']}")["status"] == "idea"
