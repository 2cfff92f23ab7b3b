"""The profile in the browser: focus areas and the ask, the share link (create, copy, replace,
turn off) and the message templates with the API's reasons at the field."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import User, sign_in


def test_profile_and_its_share_link(page: Page, user: User) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, user)
    page.goto("/app")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()

    page.get_by_label("Focus areas").fill("grid storage, " + "x" * 60)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_label("Focus areas")).to_have_attribute("aria-invalid", "true")
    assert user.api("GET", "/profile")["version"] == 0

    page.get_by_label("Focus areas").fill("grid storage, policy")
    page.get_by_label("Who you want to learn from").fill("Engineers who moved into policy")
    page.get_by_label("Your situation").fill("Leaving a utility after eight years.")
    page.get_by_label("Your ask", exact=True).fill("Twenty minutes on how you made the move.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    saved = user.api("GET", "/profile")
    assert saved["focus_areas"] == ["grid storage", "policy"]
    assert saved["ask"] == "Twenty minutes on how you made the move."

    page.get_by_role("button", name="Create share link").click()
    link = page.get_by_label("Share link")
    expect(link).to_have_value(re.compile("/share/"))
    url = link.input_value()
    assert url == user.api("GET", "/profile")["share_url"]
    shared = httpx.get(url)
    assert shared.status_code == 200
    assert "Twenty minutes on how you made the move." in shared.text
    assert user.email not in shared.text
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url

    page.get_by_role("button", name="Replace with a new link").click()
    expect(link).not_to_have_value(url)
    assert httpx.get(url).status_code == 404
    url = link.input_value()
    page.get_by_role("button", name="Turn off sharing").click()
    page.get_by_role("button", name="Turn it off now").click()
    expect(page.get_by_role("button", name="Create share link")).to_be_visible()
    assert httpx.get(url).status_code == 404
    assert user.api("GET", "/profile")["share_url"] is None


def test_message_templates_with_placeholder_help(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/profile")
    page.get_by_text("Placeholders you can use").click()
    expect(page.locator(".placeholders dl").get_by_text("{{ contact.first_name }}")).to_be_visible()

    form = page.get_by_role("form", name="Outreach template")
    expect(form).to_contain_text("The built-in wording.")
    subject = form.get_by_label("Outreach subject")
    subject.fill("Hello {{ contact.nickname }}")
    form.get_by_role("button", name="Save outreach template").click()
    expect(subject).to_have_attribute("aria-invalid", "true")
    error_id = subject.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("nickname")
    assert user.api("GET", "/message-templates/outreach")["is_default"] is True

    subject.fill("Hello {{ contact.first_name }}")
    form.get_by_role("button", name="Save outreach template").click()
    expect(form.get_by_text("Outreach template saved.")).to_be_visible()
    expect(form).to_contain_text("Your own wording.")
    assert (
        user.api("GET", "/message-templates/outreach")["subject"]
        == "Hello {{ contact.first_name }}"
    )

    form.get_by_role("button", name="Reset to default").click()
    form.get_by_role("button", name="Use the built-in wording").click()
    expect(form).to_contain_text("The built-in wording.")
    expect(subject).not_to_have_value("Hello {{ contact.first_name }}")
    assert user.api("GET", "/message-templates/outreach")["is_default"] is True
