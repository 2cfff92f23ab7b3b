"""First-run set-up, sign-in and sign-out, as a person does them in the browser."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, User, sign_in


def test_first_run_set_up_then_sign_out_and_in(fresh_server: str, fresh_page: Page) -> None:
    page = fresh_page
    page.goto("/app/contacts")
    expect(page).to_have_url(f"{fresh_server}/app/setup")
    expect(page.get_by_role("heading", name="Welcome to Nexthop")).to_be_visible()

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    # The API's reason appears under the field it concerns.
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(
        page.locator(".field", has=page.get_by_label("Password")).locator(".field-error")
    ).to_contain_text("10")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page).to_have_url(f"{fresh_server}/app")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{fresh_server}/app/setup")  # set-up is over: it sends you to sign in
    expect(page).to_have_url(f"{fresh_server}/app/sign-in")

    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_text("Hello Ada.")).to_be_visible()


def test_a_deep_link_asks_to_sign_in_then_lands_there(page: Page, user: User) -> None:
    contact = user.api("POST", "/contacts", json={"full_name": "Grace Hopper"})
    page.goto(f"/app/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page).to_have_url(f"{user.base}/app/contacts/{contact['id']}")


def test_sign_in_never_redirects_off_site(page: Page, user: User) -> None:
    page.goto("/app/sign-in?next=//evil.example/app")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    assert page.url == f"{user.base}/app"


def test_signed_in_session_survives_reload(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_text(user.email)).to_be_visible()
