"""The whole method from the UI, on a desktop and on a 375×667 phone, from a brand-new
installation: set-up, profile and ask, an organization, a contact introduced by someone you
know, outreach drafted and marked sent, a time offered and picked, prep ticked, notes in all
six categories (the category picker and the paste-many box), completed, the To Connect note
converted in place, the thank-you listing the follow-ups, an opportunity linked to the
conversation, and the new person in the network picture with a warm path through the
interviewee. Every main screen is screenshotted into test-artifacts/ and checked with axe-core.
Only the last step reads the API, to check that the screens told the truth."""

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    PASSWORD,
    Axe,
    assert_no_horizontal_scroll,
    check_accessibility,
    screenshot,
)

ASK = "Twenty minutes on how you moved from utilities into grid storage."
FOLLOW_UPS = ["Send Maya the Tidewater deck", "Ask Ana about the storage meetup"]
PASTED = f"""follow up: {FOLLOW_UPS[1]}
read: The Grid by Gretchen Bakke
look up: Long-duration storage
todo: Update my CV with the battery project
think: A utility or a start-up?"""

# Wall-clock time in the browser's own zone, as a datetime-local field wants it.
LOCAL_INPUT = """(minutes) => {
  const d = new Date(Date.now() + minutes * 60000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
    + `T${p(d.getHours())}:${p(d.getMinutes())}`;
}"""


def notes_in(page: Page, section: str) -> list[str]:
    heading = page.get_by_role("heading", name=re.compile(f"^{section}"), level=3)
    return page.locator("section.note-section", has=heading).locator(".note-text").all_inner_texts()


@pytest.mark.parametrize("device", ["fresh_page", "fresh_phone"])
def test_the_whole_method_from_the_ui(
    device: str, request: pytest.FixtureRequest, fresh_server: str, axe: Axe
) -> None:
    page: Page = request.getfixturevalue(device)
    prefix = "desktop" if device == "fresh_page" else "phone"
    shots = iter(range(1, 100))

    def screen(name: str) -> None:
        """A main screen, settled: saved as an artifact, no sideways scroll, accessible."""
        expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"method-{prefix}-{next(shots):02}-{name}")
        axe(page, name)

    def nav(name: str) -> Locator:
        main_nav = page.get_by_role("navigation", name="Main")
        return main_nav.get_by_role("link", name=name, exact=True)

    def part(title: str | re.Pattern[str], css: str = "section") -> Locator:
        """The section (or `css`) that a heading names."""
        return page.locator(css, has=page.get_by_role("heading", name=title))

    def heading(text: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(text)

    # First run: the installation has no account; the first one is its administrator.
    page.goto("/")
    heading("Welcome to Nexthop")
    screen("setup")
    page.get_by_label("Your name").fill("Pat Doe")
    page.get_by_label("Email").fill("pat@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    heading("Today")
    expect(page.get_by_text("Nothing scheduled.")).to_be_visible()  # the empty state teaches
    screen("today-empty")

    # Profile: focus areas and the ask (the outreach quotes it).
    page.get_by_role("link", name="Profile", exact=True).click()
    heading("Your profile")
    page.get_by_label("Focus areas").fill("grid storage, climate")
    page.get_by_role("textbox", name="Your ask").fill(ASK)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert").filter(has_text="Profile saved.")).to_be_visible()
    screen("profile")

    # An organization you would like to learn about.
    nav("Organizations").click()
    heading("Organizations")
    page.get_by_role("link", name="Add organization").click()
    heading("Add an organization")
    page.get_by_label("Name").fill("Tidewater Energy")
    page.get_by_label("Interest").select_option(label="5 · top target")
    page.get_by_label("Tags").fill("grid storage")
    page.get_by_role("button", name="Add organization").click()
    heading("Tidewater Energy")
    screen("organization")

    # Someone you know, then the person they introduce you to.
    nav("Contacts").click()
    heading("Contacts")
    page.get_by_role("link", name="Add contact").click()
    heading("Add a contact")
    page.get_by_label("Name").fill("Ana Reyes")
    page.get_by_label("Introduced by").select_option(label="Nobody: you know them yourself")
    page.get_by_role("button", name="Add contact").click()
    heading("Ana Reyes")

    nav("Contacts").click()
    heading("Contacts")
    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Maya Okafor")
    page.get_by_label("Organization").select_option(label="Tidewater Energy")
    page.get_by_label("Title").fill("Head of Grid Storage")
    page.get_by_label("Email").fill("maya@tidewater.example")
    page.get_by_label("Tags").fill("grid storage")
    page.get_by_label("Introduced by").select_option(label="Ana Reyes")
    screen("contact-new")
    page.get_by_role("button", name="Add contact").click()
    heading("Maya Okafor")
    expect(part("Introduced by").get_by_role("link", name="Ana Reyes")).to_be_visible()
    expect(part("Warm path").locator(".chain")).to_have_text(
        [re.compile(r"^You → Ana Reyes Met → Maya Okafor Introduced$")]
    )
    expect(part("Alignment")).to_contain_text("grid storage")
    screen("contact")

    # Plan the conversation; draft the outreach and send it.
    page.get_by_role("link", name="Plan an interview").click()
    heading("Plan an interview")
    expect(page.get_by_label("With")).to_have_value(re.compile(".+"))  # Maya, from her page
    page.get_by_role("button", name="Save interview").click()
    heading("Interview with Maya Okafor")
    subtitle = page.locator("main .subtitle").first
    expect(subtitle).to_contain_text("Idea")

    outreach = page.locator("details.message[data-kind=outreach]")
    outreach.locator("summary").click()
    body = outreach.get_by_label("Message")
    expect(body).to_have_value(re.compile("Ana suggested I reach out to you"))
    expect(body).to_have_value(re.compile(re.escape(ASK)))
    expect(outreach.get_by_role("link", name="Open in mail app")).to_have_attribute(
        "href", re.compile(r"^mailto:maya@tidewater\.example\?subject=")
    )
    body.fill(body.input_value().replace("Dear Maya,", "Dear Maya, hello from Pat!"))
    screen("outreach")
    outreach.get_by_role("button", name="Mark sent").click()
    expect(outreach.get_by_role("alert")).to_have_text("Outreach marked sent.")
    expect(subtitle).to_contain_text("Outreach sent")

    # Offer two times; they pick the first (half an hour ago: the meeting just happened).
    scheduling = part("Scheduling")
    for minutes in (-30, 24 * 60):
        scheduling.get_by_label("Offer a time").fill(page.evaluate(LOCAL_INPUT, minutes))
        scheduling.get_by_label("Minutes").fill("30")
        scheduling.get_by_role("button", name="Add time").click()
        expect(scheduling.get_by_role("status")).to_have_text("Saved")
    expect(scheduling.get_by_role("button", name=re.compile("^Pick "))).to_have_count(2)
    scheduling.get_by_role("button", name=re.compile("^Pick ")).first.click()
    expect(scheduling.get_by_role("status")).to_have_text(re.compile("^Scheduled for "))
    expect(subtitle).to_contain_text("Scheduled")

    # Prepare: a checklist item, ticked; the time confirmed.
    page.get_by_label("New checklist item").fill("Read Tidewater's annual report")
    page.get_by_role("button", name="Add item").click()
    page.get_by_label("Read Tidewater's annual report").check()
    page.get_by_label("Bring a notebook and pen").check()  # one of the built-in items
    page.get_by_label("They confirmed how much time they have").check()
    expect(part("Preparation").get_by_role("status")).to_have_text("Saved")
    check_accessibility(page)
    screen("interview-prep")

    # After the meeting: one tap from Today to the notes.
    nav("Today").click()
    heading("Today")
    screen("today")
    page.get_by_role("link", name="Capture notes: Maya Okafor").click()
    heading("Notes: Maya Okafor")
    note = page.get_by_label("Note", exact=True)
    for category, text in (("To Connect", "Sam Lee"), ("To Follow Up", FOLLOW_UPS[0])):
        page.get_by_role("radio", name=category).check()
        note.fill(text)
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_role("status").filter(has_text=f"Saved in {category}")).to_be_visible()
    page.get_by_text("Paste many at once").click()
    page.get_by_label("Paste many notes").fill(PASTED)
    page.get_by_role("button", name="Add all").click()
    expect(page.get_by_role("status").filter(has_text="Saved 5 notes")).to_be_visible()
    assert notes_in(page, "To Connect") == ["Sam Lee"]
    assert notes_in(page, "To Follow Up") == FOLLOW_UPS
    assert notes_in(page, "To Read") == ["The Grid"]  # by Gretchen Bakke: its author
    assert notes_in(page, "To Look Up") == ["Long-duration storage"]
    assert notes_in(page, "To Do") == ["Update my CV with the battery project"]
    assert notes_in(page, "To Think About") == ["A utility or a start-up?"]

    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("Completed. Next: a short thank-you")).to_be_visible()
    # The person they suggested becomes a contact, introduced by Maya, right here.
    page.get_by_role("button", name="Add as contact: Sam Lee").click()
    connect = part(re.compile("^To Connect"), "section.note-section")
    expect(connect.get_by_role("link", name="Open contact")).to_be_visible()
    expect(connect.get_by_role("checkbox", name="Done: Sam Lee")).to_be_checked()
    screen("capture")

    # The thank-you lists what was promised.
    page.get_by_role("link", name="Open the whole interview").click()
    heading("Interview with Maya Okafor")
    thanks = page.locator("details.message[data-kind=thank_you]")
    thanks.locator("summary").click()
    body = thanks.get_by_label("Message")
    expect(body).to_have_value(re.compile("As promised, I will follow up on:"))
    for text in FOLLOW_UPS:
        expect(body).to_have_value(re.compile(re.escape(text)))
    expect(body).to_have_value(re.compile("I'll let Ana know how helpful the introduction was"))
    screen("thank-you")
    thanks.get_by_role("button", name="Mark sent").click()
    expect(thanks.get_by_role("alert")).to_have_text("Thank-you marked sent.")
    expect(page.locator("main .subtitle").first).to_contain_text("Thanked")

    # Where it leads: an opportunity that came out of this conversation.
    nav("Opportunities").click()
    heading("Opportunities")
    page.get_by_role("link", name="Add opportunity").click()
    heading("Add an opportunity")
    page.get_by_label("Title").fill("Storage analyst role")
    page.get_by_label("Came through").select_option(label="Maya Okafor")
    page.get_by_label("Organization").select_option(label="Tidewater Energy")
    conversations = page.get_by_label("Conversations it came out of")
    maya_talk = conversations.locator("option", has_text="Maya Okafor").get_attribute("value")
    conversations.select_option(maya_talk)
    page.get_by_role("button", name="Add opportunity").click()
    heading("Storage analyst role")
    came_from = part("How you got here")
    expect(came_from.get_by_role("heading", name="Conversations it came out of")).to_be_visible()
    expect(came_from.locator(".item-main")).to_have_text(["Maya Okafor"])
    screen("opportunity")

    # The network picture: Sam, three introductions out, opens his page with the warm path.
    nav("Network").click()
    heading("Network")
    sam = page.get_by_role("link", name=re.compile("^Sam Lee, "))
    expect(sam).to_have_attribute("aria-label", "Sam Lee, identified, 3 steps away")
    screen("network")
    sam.click()
    heading("Sam Lee")
    expect(part("Warm path").locator(".chain")).to_have_text(
        [re.compile(r"^You → Ana Reyes Met → Maya Okafor Introduced → Sam Lee Offered$")]
    )
    expect(part("Introduced by").get_by_role("link", name="Maya Okafor")).to_be_visible()
    screen("new-contact")

    # The lists gather the notes across conversations.
    nav("Lists").click()
    heading("Lists")
    reading = page.locator("main .note")
    expect(reading).to_have_count(1)
    expect(reading.locator(".note-text")).to_have_text("The Grid")
    expect(reading).to_contain_text("by Gretchen Bakke")
    screen("lists")

    # The screens told the truth: exactly this is stored.
    with httpx.Client(base_url=fresh_server) as client:
        session = client.post(
            "/api/v1/auth/login", json={"email": "pat@example.test", "password": PASSWORD}
        ).json()
        client.headers["X-CSRF-Token"] = session["csrf_token"]
        get = lambda path, **params: client.get(f"/api/v1{path}", params=params).json()  # noqa: E731
        contacts = {c["full_name"]: c for c in get("/contacts", limit=50)["items"]}
        assert sorted(contacts) == ["Ana Reyes", "Maya Okafor", "Sam Lee"]
        names = {c["id"]: name for name, c in contacts.items()} | {None: "you"}
        referrals = get("/referrals", limit=50)["items"]
        assert sorted(
            (names[r["from_contact_id"]], names[r["to_contact_id"]], r["status"]) for r in referrals
        ) == [
            ("Ana Reyes", "Maya Okafor", "introduced"),
            ("Maya Okafor", "Sam Lee", "offered"),
            ("you", "Ana Reyes", "met"),
        ]
        interviews = get("/interviews", limit=50)["items"]
        by_name = {names[i["contact_id"]]: i for i in interviews}
        assert sorted(by_name) == ["Maya Okafor", "Sam Lee"]
        maya = get(f"/interviews/{by_name['Maya Okafor']['id']}")
        assert maya["status"] == "thanked"
        assert maya["outreach_sent_at"] is not None
        assert maya["thank_you_sent_at"] is not None
        assert maya["time_confirmed"] is True
        ticked = [item["text"] for item in maya["checklist"] if item["done"]]
        assert ticked == ["Bring a notebook and pen", "Read Tidewater's annual report"]
        assert len(maya["proposed_slots"]) == 2
        assert sorted(n["category"] for n in maya["note_items"]) == sorted(
            ["to_connect", "to_follow_up", "to_follow_up", "to_read", "to_look_up", "to_do",
             "to_think_about"]
        )  # fmt: skip
        assert by_name["Sam Lee"]["status"] == "idea"  # planned by the conversion
        opportunity = get("/opportunities")["items"][0]
        assert opportunity["interview_ids"] == [maya["id"]]
        assert get("/profile")["ask"] == ASK
