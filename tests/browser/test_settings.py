"""Settings in the browser: API tokens (secret shown once, then revoked), the password, and
signing out everywhere (both revoke the tokens unless the box is unticked)."""

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, User, sign_in


def test_create_a_token_see_it_once_use_it_and_revoke_it(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/settings")
    expect(page.get_by_text("No tokens.")).to_be_visible()
    page.get_by_role("textbox", name="Name", exact=True).fill("calendar sync")
    page.get_by_label("Access").select_option(label="Read only")
    page.get_by_role("button", name="Create token").click()

    secret_box = page.get_by_label("Secret")
    expect(secret_box).to_be_focused()
    secret = secret_box.input_value()
    assert len(secret) > 20
    expect(page.get_by_text("this is the only time Nexthop shows it")).to_be_visible()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("")

    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{user.base}/api/v1/contacts", headers=headers).status_code == 200
    denied = httpx.post(f"{user.base}/api/v1/contacts", headers=headers, json={"full_name": "X"})
    assert denied.status_code == 403  # read only

    page.reload()
    expect(page.get_by_text("calendar sync", exact=True)).to_be_visible()
    expect(page.get_by_text("read only", exact=True)).to_be_visible()
    assert secret not in page.content()

    page.get_by_role("button", name="Revoke calendar sync").click()
    page.get_by_role("button", name="Revoke now").click()
    expect(page.get_by_text("No tokens.")).to_be_visible()
    assert httpx.get(f"{user.base}/api/v1/contacts", headers=headers).status_code == 401


def test_change_password_with_reasons_at_the_fields(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/app/settings")
    current = page.get_by_role("textbox", name="Current password")
    new = page.get_by_role("textbox", name="New password", exact=True)
    again = page.get_by_role("textbox", name="New password again")
    change = page.get_by_role("button", name="Change password")

    current.fill(PASSWORD)
    new.fill("a much better passphrase")
    again.fill("a different passphrase")
    change.click()
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The two new passwords differ.")).to_be_visible()

    current.fill("not my password")
    again.fill("a much better passphrase")
    change.click()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The password is wrong.")).to_be_visible()

    current.fill(PASSWORD)
    new.fill("password123")
    again.fill("password123")
    change.click()
    expect(new).to_have_attribute("aria-invalid", "true")
    expect(current).not_to_have_attribute("aria-invalid", "true")

    # Whoever knew the old password may have made a token: by default, they all go.
    token = user.api("POST", "/tokens", json={"name": "old script"})["secret"]
    page.reload()
    expect(page.get_by_text("old script", exact=True)).to_be_visible()
    form = page.get_by_role("form", name="Change password")
    revoke = form.get_by_role("checkbox", name="Also revoke my API tokens")
    expect(revoke).to_be_checked()
    page.get_by_role("textbox", name="Current password").fill(PASSWORD)
    new.fill("a much better passphrase")
    again.fill("a much better passphrase")
    change.click()
    expect(
        page.get_by_role("alert").filter(has_text="Password changed").filter(has_text="revoked")
    ).to_be_visible()
    expect(page.get_by_text("No tokens.")).to_be_visible()
    expect(revoke).to_be_checked()  # back to the default for the next change
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{user.base}/api/v1/contacts", headers=headers).status_code == 401
    login = {"email": user.email, "password": "a much better passphrase"}
    assert httpx.post(f"{user.base}/api/v1/auth/login", json=login).status_code == 200


def test_sign_out_everywhere_may_keep_the_tokens(page: Page, user: User) -> None:
    token = user.api("POST", "/tokens", json={"name": "backup job"})["secret"]
    sign_in(page, user)
    page.goto("/app/settings")
    sessions = page.get_by_role("region", name="Sessions")
    revoke = sessions.get_by_role("checkbox", name="Also revoke my API tokens")
    expect(revoke).to_be_checked()
    revoke.uncheck()
    sessions.get_by_role("button", name="Sign out everywhere").click()
    sessions.get_by_role("button", name="Sign out of every browser").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{user.base}/api/v1/contacts", headers=headers).status_code == 200


def test_sign_out_everywhere_revokes_the_tokens_by_default(page: Page, user: User) -> None:
    token = user.api("POST", "/tokens", json={"name": "backup job"})["secret"]
    sign_in(page, user)
    page.goto("/app/settings")
    sessions = page.get_by_role("region", name="Sessions")
    sessions.get_by_role("button", name="Sign out everywhere").click()
    sessions.get_by_role("button", name="Sign out of every browser").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{user.base}/api/v1/contacts", headers=headers).status_code == 401
