"""Contacts in the browser: create, deep links, validation shown at the field, text stays text."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import User, sign_in

XSS = '<img src=x onerror="window.__xss = 1">'


def field_error(page: Page, label: str) -> str:
    """The error text shown under the control labelled `label`."""
    control = page.get_by_label(label, exact=True)
    expect(control).to_have_attribute("aria-invalid", "true")
    error_id = control.get_attribute("aria-describedby").split()[-1]
    return page.locator(f"#{error_id}").inner_text()


def test_create_a_contact_then_open_it_by_deep_link_after_reload(page: Page, user: User) -> None:
    org = user.api("POST", "/organizations", json={"name": "Tidewater Energy"})
    sign_in(page, user)
    page.goto("/app/contacts")
    expect(page.get_by_text("No contacts yet.")).to_be_visible()
    page.get_by_role("link", name="Add your first contact").click()

    page.get_by_label("Name").fill("Maya Okafor")
    page.get_by_label("Organization").select_option(label="Tidewater Energy")
    page.get_by_label("Title").fill("Head of Grid Storage")
    page.get_by_label("Tags").fill("climate, storage")
    page.get_by_role("button", name="Add contact").click()

    expect(page.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    url = page.url
    assert "/app/contacts/" in url
    contacts = user.api("GET", "/contacts")
    assert contacts["total"] == 1
    contact = contacts["items"][0]
    assert contact["organization_id"] == org["id"]
    assert contact["tags"] == ["climate", "storage"]
    assert url.endswith(f"/app/contacts/{contact['id']}")

    page.reload()
    expect(page.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Tidewater Energy")).to_be_visible()

    # A deep link opened in a new tab lands on the contact directly.
    tab = page.context.new_page()
    tab.goto(url)
    expect(tab.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    expect(tab).to_have_title("Maya Okafor · Nexthop")
    tab.close()

    # Back in the list, the new contact is there; the browser's Back button works.
    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_role("link", name="Maya Okafor")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Maya Okafor")).to_be_visible()


def test_an_api_validation_error_shows_next_to_its_field(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/contacts/new")
    page.get_by_role("button", name="Add contact").click()
    assert field_error(page, "Name *") == "This is required."

    page.get_by_label("Name").fill("Sam Lee")
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("LinkedIn or web page").fill("javascript:alert(1)")
    page.get_by_role("button", name="Add contact").click()

    assert field_error(page, "Email") == "Enter an email address, like name@example.com."
    assert field_error(page, "LinkedIn or web page").startswith("Enter a full web address")
    expect(page.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_be_focused()
    assert user.api("GET", "/contacts")["total"] == 0

    page.get_by_label("Email").fill("sam@example.test")
    page.get_by_label("LinkedIn or web page").fill("https://example.test/sam")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Sam Lee")).to_be_visible()
    assert user.api("GET", "/contacts")["total"] == 1


def test_markup_typed_as_a_name_renders_as_text(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/contacts/new")
    page.get_by_label("Name").fill(XSS)
    page.get_by_label("Notes").fill("<b>bold?</b>")
    page.get_by_role("button", name="Add contact").click()

    expect(page.get_by_role("heading", name=XSS)).to_be_visible()
    expect(page.get_by_text("<b>bold?</b>")).to_be_visible()
    assert page.locator("main img, main b").count() == 0
    page.goto("/app/contacts")
    expect(page.get_by_role("link", name=XSS)).to_be_visible()
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.title() == "Contacts · Nexthop"


def test_search_and_filters_live_in_the_address(page: Page, user: User) -> None:
    org = user.api("POST", "/organizations", json={"name": "Acme"})
    user.api("POST", "/contacts", json={"full_name": "Ana Acme", "organization_id": org["id"]})
    user.api(
        "POST", "/contacts", json={"full_name": "Ben Met", "status": "met", "tags": ["mentor"]}
    )
    user.api("POST", "/contacts", json={"full_name": "Cleo Other"})
    sign_in(page, user)
    page.goto("/app/contacts")
    expect(page.get_by_text("3 contacts")).to_be_visible()

    page.get_by_label("Search").fill("ben")
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Ben Met")).to_be_visible()
    expect(page).to_have_url(f"{user.base}/app/contacts?q=ben")
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("ben")
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()

    page.get_by_label("Search").fill("")
    page.get_by_label("Organization").select_option(label="Acme")
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Ana Acme")).to_be_visible()

    page.get_by_label("Organization").select_option(label="Any organization")
    page.get_by_label("Status").select_option(label="Met")
    expect(page.get_by_role("link", name="Ben Met")).to_be_visible()
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()

    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_label("Tag").fill("nobody")
    expect(page.get_by_text("No contact matches.")).to_be_visible()


def test_edit_a_contact(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Dana Fox", "title": "Analyst"})
    sign_in(page, user)
    page.goto(f"/app/contacts/{contact['id']}")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Title")).to_have_value("Analyst")
    page.get_by_label("Title").fill("Director")
    page.get_by_label("Status").select_option(label="Keep in touch")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Dana Fox")).to_be_visible()
    expect(page.get_by_text("Director")).to_be_visible()
    saved = user.api("GET", f"/contacts/{contact['id']}")
    assert (saved["title"], saved["status"], saved["version"]) == ("Director", "keep_in_touch", 2)
