"""The network in the browser: contacts filtered by degree, warm paths and alignment on a
contact and an organization, the referral graph (mouse, keyboard, phone) with its stats, and
opportunities with the chain that led to them."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import User, assert_no_horizontal_scroll, check_accessibility, sign_in


def seed(user: User) -> dict[str, dict]:
    """You know Ana (met); Ana offered Ben at Tidewater; Cleo is on no referral at all."""
    user.api("PATCH", "/profile", json={"focus_areas": ["storage"]})
    org = user.api("POST", "/organizations", json={"name": "Tidewater", "tags": ["storage"]})
    ana = user.api("POST", "/contacts", json={"full_name": "Ana Reyes", "status": "met"})
    ben = user.api(
        "POST", "/contacts",
        json={"full_name": "Ben Okafor", "organization_id": org["id"], "tags": ["storage"]},
    )  # fmt: skip
    cleo = user.api("POST", "/contacts", json={"full_name": "Cleo Park"})
    user.api("POST", "/referrals", json={"to_contact_id": ana["id"], "status": "met"})
    user.api(
        "POST", "/referrals",
        json={"from_contact_id": ana["id"], "to_contact_id": ben["id"], "context": "Old team"},
    )  # fmt: skip
    return {"org": org, "ana": ana, "ben": ben, "cleo": cleo}


def test_degree_filter_warm_path_and_alignment(page: Page, user: User) -> None:
    people = seed(user)
    sign_in(page, user)
    page.goto("/app/contacts")
    expect(page.get_by_text("3 contacts")).to_be_visible()
    page.get_by_label("Degree").select_option(label="1st: you know them")
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()
    expect(page.locator("main .item-main")).to_have_text(["Ana Reyes"])
    expect(page).to_have_url(f"{user.base}/app/contacts?degree=1")
    page.get_by_label("Degree").select_option(label="2nd: through someone")
    expect(page.locator("main .item-main")).to_have_text(["Ben Okafor"])
    page.reload()
    expect(page.get_by_label("Degree")).to_have_value("2")
    expect(page.locator("main .item-main")).to_have_text(["Ben Okafor"])

    page.get_by_role("link", name="Ben Okafor").click()
    path = page.locator("section", has=page.get_by_role("heading", name="Warm path"))
    expect(path.locator(".chain")).to_have_text("You → Ana Reyes Met → Ben Okafor Offered")
    expect(path).to_contain_text("2 steps")
    alignment = page.locator("section", has=page.get_by_role("heading", name="Alignment"))
    score = user.api("GET", f"/contacts/{people['ben']['id']}/alignment")
    assert score["score"] > 0
    expect(alignment.get_by_role("meter")).to_have_attribute("value", str(score["score"]))
    expect(alignment.locator("li")).to_have_count(len(score["reasons"]))
    expect(alignment.locator("li").first).to_contain_text(score["reasons"][0]["detail"])

    page.goto(f"/app/organizations/{people['org']['id']}")
    there = page.locator("section", has=page.get_by_role("heading", name="People there"))
    expect(there.get_by_role("heading", name="2nd degree")).to_be_visible()
    expect(there.locator(".item")).to_contain_text("Ben Okafor")
    expect(there.locator(".item")).to_contain_text("Through Ana Reyes")
    warm = page.locator("section", has=page.get_by_role("heading", name="Warm paths in"))
    expect(warm.get_by_role("link", name="Ben Okafor")).to_be_visible()


def test_the_network_picture_by_mouse_keyboard_and_phone(phone: Page, user: User) -> None:
    people = seed(user)
    sign_in(phone, user)
    phone.goto("/app/network")
    graph = phone.locator("svg.graph")
    expect(graph).to_be_visible()
    nodes = graph.locator(".node[role=link]")
    expect(nodes).to_have_count(2)  # Cleo is on no referral, so not in the picture
    ana = graph.get_by_role("link", name="Ana Reyes, met, 1 step away")
    ben = graph.get_by_role("link", name="Ben Okafor, identified, 2 steps away")
    expect(ben).to_have_class("node s-identified")
    assert_no_horizontal_scroll(phone)
    box = graph.bounding_box()
    assert box is not None
    assert box["width"] <= 375

    # Keyboard: Tab reaches the people, the focus is drawn, Enter opens them.
    ana.focus()
    phone.keyboard.press("Tab")
    expect(ben).to_be_focused()
    ring = ben.locator("circle").evaluate("c => getComputedStyle(c).strokeWidth")
    assert ring == "5px"
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Ben Okafor")).to_be_visible()
    phone.go_back()
    phone.get_by_role("link", name="Ana Reyes, met, 1 step away").tap()
    expect(phone).to_have_url(f"{user.base}/app/contacts/{people['ana']['id']}")

    phone.goto("/app/network")
    stats = phone.locator("section", has=phone.get_by_role("heading", name="How it grows"))
    expect(stats.locator("figure")).to_have_count(5)
    expect(stats.locator("figure", has_text="Longest chain").locator(".big")).to_have_text("2")
    weeks = stats.get_by_role("img", name="Conversations per week")
    expect(weeks.locator("rect")).to_have_count(12)
    expect(stats.get_by_role("img", name="Open notes by category")).to_be_visible()
    check_accessibility(phone)


def test_opportunities_and_the_chain_that_led_there(page: Page, user: User) -> None:
    people = seed(user)
    sign_in(page, user)
    page.goto("/app/opportunities")
    expect(page.get_by_text("No opportunities yet.")).to_be_visible()
    page.get_by_role("link", name="Add opportunity").click()
    page.get_by_role("button", name="Add opportunity").click()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Title").fill("Grid storage analyst")
    page.get_by_label("Came through").select_option(label="Ben Okafor")
    page.get_by_label("Organization").select_option(label="Tidewater")
    page.get_by_label("Next step").fill("Send CV to Ben")
    page.get_by_role("button", name="Add opportunity").click()

    expect(page.get_by_role("heading", name="Grid storage analyst")).to_be_visible()
    chain = page.locator("section", has=page.get_by_role("heading", name="How you got here"))
    expect(chain.locator("li")).to_have_text(
        ["You → Ana Reyes Met", "Ana Reyes → Ben Okafor Offered Old team"]
    )

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Status").select_option(label="In discussion")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".subtitle .badge")).to_have_text("In discussion")
    (saved,) = user.api("GET", "/opportunities")["items"]
    assert (saved["status"], saved["contact_id"]) == ("in_discussion", people["ben"]["id"])

    page.get_by_role("link", name="Opportunities", exact=True).first.click()
    expect(page.get_by_role("link", name="Grid storage analyst")).to_be_visible()
    page.get_by_role("link", name="Grid storage analyst").click()
    page.get_by_role("button", name="Delete opportunity").click()
    page.get_by_role("button", name="Really delete").click()
    expect(page.get_by_text("No opportunities yet.")).to_be_visible()
    assert user.api("GET", "/opportunities")["total"] == 0
