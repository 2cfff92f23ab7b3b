"""Find people and see the journey, through the HTTP API: warm paths, people at an
organization, alignment, the graph and the stats."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, insert

from backend.fields import utcnow
from backend.profiles.models import Profile
from tests import factories
from tests.conftest import Api

MISSING = "01900000-0000-7000-8000-000000000000"
CATEGORIES = ["to_connect", "to_follow_up", "to_read", "to_look_up", "to_do", "to_think_about"]
YOU = {"id": None, "full_name": "you"}


def ok(api: Api, url: str, **params: Any) -> Any:
    response = api.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def person(contact: dict[str, Any]) -> dict[str, Any]:
    return {"id": contact["id"], "full_name": contact["full_name"]}


def summary(contact: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "full_name", "title", "organization_id", "status")
    return {key: contact[key] for key in keys}


def hop(
    edge: dict[str, Any], source: dict[str, Any] | None, target: dict[str, Any]
) -> dict[str, Any]:
    return {
        "referral_id": edge["id"],
        "from": YOU if source is None else person(source),
        "to": person(target),
        "status": edge["status"],
        "context": edge["context"],
        "interview_id": edge["interview_id"],
    }


def set_focus_areas(engine: Engine, api: Api, areas: list[str]) -> None:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Profile.__table__).values(  # type: ignore[attr-defined]
                owner_id=api.user_id, focus_areas=areas, version=1, created_at=now, updated_at=now
            )
        )


class Network(NamedTuple):
    """me -> Ann (met) -> Cat (contacted, in an interview with Ann) -> Dan (introduced)
    me -> Ben (offered) -> Cat (met)
    Ann -> Dan declined; Eve -> Dan offered, nobody reaches Eve; Cat and Dan work at Acme,
    Ivy too but with no referral at all."""

    acme: dict[str, Any]
    c: dict[str, dict[str, Any]]
    e: dict[str, dict[str, Any]]
    chat: dict[str, Any]


def network(api: Api) -> Network:
    acme = factories.organization(api, name="Acme", tags=["Grid storage"], interest_level=4)
    c = {
        "ann": factories.contact(api, full_name="Ann", status="met"),
        "ben": factories.contact(api, full_name="Ben", title="Engineer"),
        "cat": factories.contact(
            api, full_name="Cat", organization_id=acme["id"], tags=["climate"]
        ),
        "dan": factories.contact(api, full_name="Dan", organization_id=acme["id"]),
        "eve": factories.contact(api, full_name="Eve", tags=["CLIMATE", "python"]),
        "ivy": factories.contact(api, full_name="Ivy", organization_id=acme["id"]),
    }
    chat = factories.interview(
        api, c["ann"]["id"], status="completed", scheduled_at="2026-01-05T10:00:00Z"
    )

    def edge(source: str | None, target: str, status: str, **fields: Any) -> dict[str, Any]:
        if source:
            fields["from_contact_id"] = c[source]["id"]
        return factories.referral(api, c[target]["id"], status=status, **fields)

    e = {
        "me>ann": edge(None, "ann", "met", context="Old colleague"),
        "me>ben": edge(None, "ben", "offered"),
        "ann>cat": edge(
            "ann", "cat", "contacted", context="Worked together", interview_id=chat["id"]
        ),
        "ben>cat": edge("ben", "cat", "met"),
        "cat>dan": edge("cat", "dan", "introduced"),
        "ann>dan": edge("ann", "dan", "declined"),
        "eve>dan": edge("eve", "dan", "offered"),
    }
    return Network(acme, c, e, chat)


# --- Warm paths -----------------------------------------------------------------------------


def test_warm_paths_to_a_contact_are_shortest_then_warmest(api: Api) -> None:
    n = network(api)
    c, e = n.c, n.e
    body = ok(api, f"/api/v1/contacts/{c['dan']['id']}/warm-paths")
    via_ann = [
        hop(e["me>ann"], None, c["ann"]),
        hop(e["ann>cat"], c["ann"], c["cat"]),
        hop(e["cat>dan"], c["cat"], c["dan"]),
    ]
    via_ben = [
        hop(e["me>ben"], None, c["ben"]),
        hop(e["ben>cat"], c["ben"], c["cat"]),
        hop(e["cat>dan"], c["cat"], c["dan"]),
    ]
    assert body == {
        "target_ids": [c["dan"]["id"]],
        "paths": [
            {
                "length": 3,
                "quality": {"weakest": "introduced", "strength": 6},
                "hops": via_ann,
            },
            {"length": 3, "quality": {"weakest": "offered", "strength": 4}, "hops": via_ben},
        ],
    }
    assert via_ann[1]["interview_id"] == n.chat["id"]
    assert via_ann[1]["context"] == "Worked together"
    assert ok(api, f"/api/v1/contacts/{c['dan']['id']}/warm-paths", limit=1)["paths"] == [
        body["paths"][0]
    ]


def test_someone_the_user_knows_is_one_hop_and_the_unreachable_have_none(api: Api) -> None:
    n = network(api)
    direct = ok(api, f"/api/v1/contacts/{n.c['ann']['id']}/warm-paths")
    assert direct["paths"] == [
        {
            "length": 1,
            "quality": {"weakest": "met", "strength": 3},
            "hops": [hop(n.e["me>ann"], None, n.c["ann"])],
        }
    ]
    for name in ("eve", "ivy"):
        body = ok(api, f"/api/v1/contacts/{n.c[name]['id']}/warm-paths")
        assert body == {"target_ids": [n.c[name]["id"]], "paths": []}


def test_a_declined_referral_is_never_a_path(api: Api) -> None:
    n = network(api)
    response = api.patch(f"/api/v1/referrals/{n.e['cat>dan']['id']}", json={"status": "declined"})
    assert response.status_code == 200, response.text
    assert ok(api, f"/api/v1/contacts/{n.c['dan']['id']}/warm-paths")["paths"] == []


def test_warm_paths_to_an_organization_reach_each_of_its_people(api: Api) -> None:
    n = network(api)
    c, e = n.c, n.e
    body = ok(api, f"/api/v1/organizations/{n.acme['id']}/warm-paths")
    assert body["target_ids"] == sorted([c["cat"]["id"], c["dan"]["id"], c["ivy"]["id"]])
    assert [[h["referral_id"] for h in p["hops"]] for p in body["paths"]] == [
        [e["me>ann"]["id"], e["ann>cat"]["id"]],
        [e["me>ben"]["id"], e["ben>cat"]["id"]],
        [e["me>ann"]["id"], e["ann>cat"]["id"], e["cat>dan"]["id"]],
        [e["me>ben"]["id"], e["ben>cat"]["id"], e["cat>dan"]["id"]],
    ]
    assert [p["quality"] for p in body["paths"]] == [
        {"weakest": "contacted", "strength": 5},
        {"weakest": "offered", "strength": 3},
        {"weakest": "introduced", "strength": 6},
        {"weakest": "offered", "strength": 4},
    ]
    two = ok(api, f"/api/v1/organizations/{n.acme['id']}/warm-paths", limit=2)
    assert two["paths"] == body["paths"][:2]
    empty = factories.organization(api, name="Nobody Inc")
    assert ok(api, f"/api/v1/organizations/{empty['id']}/warm-paths") == {
        "target_ids": [],
        "paths": [],
    }


def test_warm_path_limits_are_checked_and_clamped(api: Api) -> None:
    n = network(api)
    url = f"/api/v1/contacts/{n.c['dan']['id']}/warm-paths"
    assert api.get(url, params={"limit": 0}).status_code == 422
    assert len(ok(api, url, limit=10_000)["paths"]) == 2


# --- People at an organization --------------------------------------------------------------


def test_people_at_an_organization_by_degree(api: Api) -> None:
    n = network(api)
    c, e = n.c, n.e
    acme = n.acme["id"]
    gus = factories.contact(api, full_name="Gus", organization_id=acme, status="keep_in_touch")
    hal = factories.contact(api, full_name="Hal")
    ann_at_acme = api.patch(f"/api/v1/contacts/{c['ann']['id']}", json={"organization_id": acme})
    assert ann_at_acme.status_code == 200, ann_at_acme.text
    ann = ann_at_acme.json()
    # Hal is first degree through a referral that reached met, wherever it came from.
    factories.referral(api, hal["id"], from_contact_id=c["eve"]["id"], status="met")
    hal_to_dan = factories.referral(
        api, c["dan"]["id"], from_contact_id=hal["id"], context="Neighbours"
    )
    # Someone the user knows only through a declined direct referral is not first degree.
    zed = factories.contact(api, full_name="Zed", organization_id=acme)
    factories.referral(api, zed["id"], status="declined")

    body = ok(api, f"/api/v1/organizations/{acme}/people")
    # Ann: met, and known directly; Cat: Ben's referral to her reached met; Gus: keep in touch.
    # Dan: Cat and Hal can introduce him (Ann declined to); Ivy and Zed: nobody can.
    assert body == {
        "first_degree": [summary(ann), summary(c["cat"]), summary(gus)],
        "second_degree": [
            {
                "contact": summary(c["dan"]),
                "introducers": [
                    {
                        "contact": summary(c["cat"]),
                        "referral_id": e["cat>dan"]["id"],
                        "status": "introduced",
                        "context": None,
                    },
                    {
                        "contact": summary(hal),
                        "referral_id": hal_to_dan["id"],
                        "status": "offered",
                        "context": "Neighbours",
                    },
                ],
            },
        ],
    }
    ben_to_cat = api.patch(f"/api/v1/referrals/{e['ben>cat']['id']}", json={"status": "contacted"})
    assert ben_to_cat.status_code == 200, ben_to_cat.text
    body = ok(api, f"/api/v1/organizations/{acme}/people")
    assert body["first_degree"] == [summary(ann), summary(gus)]
    assert [
        (entry["contact"]["full_name"], [i["contact"]["full_name"] for i in entry["introducers"]])
        for entry in body["second_degree"]
    ] == [("Cat", ["Ann", "Ben"]), ("Dan", ["Hal"])]
    assert body["second_degree"][0]["introducers"][0] == {
        "contact": summary(ann),
        "referral_id": e["ann>cat"]["id"],
        "status": "contacted",
        "context": "Worked together",
    }
    empty = factories.organization(api, name="Nobody Inc")
    assert ok(api, f"/api/v1/organizations/{empty['id']}/people") == {
        "first_degree": [],
        "second_degree": [],
    }


# --- Alignment ------------------------------------------------------------------------------


def test_alignment_of_a_contact_explains_its_score(api: Api, engine: Engine) -> None:
    n = network(api)
    set_focus_areas(engine, api, ["Climate", "grid storage"])
    body = ok(api, f"/api/v1/contacts/{n.c['cat']['id']}/alignment")
    assert body == {
        "contact_id": n.c["cat"]["id"],
        "score": 60,
        "reasons": [
            {
                "factor": "contact_tags",
                "points": 15,
                "detail": "Tagged Climate, like your focus areas.",
            },
            {
                "factor": "organization_tags",
                "points": 10,
                "detail": "Works at an organization tagged grid storage.",
            },
            {
                "factor": "interest_level",
                "points": 20,
                "detail": "You rated their organization 4 of 5.",
            },
            {
                "factor": "nearness",
                "points": 15,
                "detail": "2 hops from you: 1 introduction away.",
            },
        ],
    }


def test_alignment_ranking_shows_who_matters_most(api: Api, engine: Engine) -> None:
    n = network(api)
    set_focus_areas(engine, api, ["Climate", "grid storage"])
    body = ok(api, "/api/v1/network/alignment")
    assert body["focus_areas"] == ["Climate", "grid storage"]
    ranked = [
        (item["contact"]["full_name"], item["score"], item["depth"]) for item in body["items"]
    ]
    # Cat 15+10+20+15; Dan 10+20+10; Ivy 10+20; Ann 20+5 (met); Ben 20; Eve 15 (unreachable).
    assert ranked == [
        ("Cat", 60, 2),
        ("Dan", 40, 3),
        ("Ivy", 30, None),
        ("Ann", 25, 1),
        ("Ben", 20, 1),
        ("Eve", 15, None),
    ]
    ann = body["items"][3]
    assert ann == {
        "contact_id": n.c["ann"]["id"],
        "score": 25,
        "reasons": [
            {"factor": "nearness", "points": 20, "detail": "You know them directly."},
            {"factor": "met", "points": 5, "detail": "You have met them."},
        ],
        "contact": summary(n.c["ann"]),
        "depth": 1,
    }
    for item in body["items"]:
        assert sum(r["points"] for r in item["reasons"]) == item["score"]
        alone = ok(api, f"/api/v1/contacts/{item['contact_id']}/alignment")
        assert alone == {k: item[k] for k in ("contact_id", "score", "reasons")}
    top = ok(api, "/api/v1/network/alignment", limit=2)
    assert [item["contact"]["full_name"] for item in top["items"]] == ["Cat", "Dan"]
    assert len(ok(api, "/api/v1/network/alignment", limit=5000)["items"]) == 6
    assert api.get("/api/v1/network/alignment", params={"limit": 0}).status_code == 422


def test_alignment_without_a_profile_uses_no_focus_areas(api: Api) -> None:
    n = network(api)
    body = ok(api, f"/api/v1/contacts/{n.c['eve']['id']}/alignment")
    assert body == {"contact_id": n.c["eve"]["id"], "score": 0, "reasons": []}
    ranking = ok(api, "/api/v1/network/alignment")
    assert ranking["focus_areas"] == []
    assert [(i["contact"]["full_name"], i["score"]) for i in ranking["items"]] == [
        ("Cat", 35),
        ("Dan", 30),
        ("Ann", 25),
        ("Ben", 20),
        ("Ivy", 20),
        ("Eve", 0),
    ]


# --- Graph ----------------------------------------------------------------------------------


def test_the_graph_holds_everyone_on_a_referral_nearest_first(api: Api) -> None:
    n = network(api)
    c, e = n.c, n.e
    factories.contact(api, full_name="Loner")  # on no referral: not in the graph

    def node(name: str, depth: int | None) -> dict[str, Any]:
        contact = c[name]
        return {
            "id": contact["id"],
            "kind": "contact",
            "label": contact["full_name"],
            "status": contact["status"],
            "depth": depth,
            "organization_id": contact["organization_id"],
        }

    body = ok(api, "/api/v1/network/graph")
    me = {
        "id": "me",
        "kind": "user",
        "label": "You",
        "status": None,
        "depth": 0,
        "organization_id": None,
    }
    assert body["nodes"] == [
        me,
        node("ann", 1),
        node("ben", 1),
        node("cat", 2),
        node("dan", 3),
        node("eve", None),
    ]
    assert body["edges"] == [
        {
            "id": edge["id"],
            "from": "me" if edge["from_contact_id"] is None else edge["from_contact_id"],
            "to": edge["to_contact_id"],
            "status": edge["status"],
            "interview_id": edge["interview_id"],
        }
        for edge in e.values()
    ]
    assert body["edges"][2]["interview_id"] == n.chat["id"]


# --- Stats ----------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_stats_of_a_new_user_are_zero(api: Api) -> None:
    body = ok(api, "/api/v1/network/stats", weeks=2)
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    assert body == {
        "conversations_per_week": [
            {"week": iso_week(day), "starts_on": day.isoformat(), "conversations": 0}
            for day in (monday - timedelta(weeks=1), monday)
        ],
        "connections_per_interview": {"referrals": 0, "interviews": 0, "ratio": None},
        "longest_chain": 0,
        "longest_met_chain": 0,
        "introductions": {"offered": 0, "met": 0, "share": None},
        "open_note_items": dict.fromkeys(CATEGORIES, 0),
    }


def test_stats_show_how_the_network_grows(api: Api) -> None:
    n = network(api)  # one completed interview, long ago; ann>cat came out of it
    now = datetime.now(UTC).replace(microsecond=0)
    held = [now, now - timedelta(weeks=1), now - timedelta(weeks=1, days=1)]
    made = [
        factories.interview(
            api, n.c["cat"]["id"], status="completed", scheduled_at=when.isoformat()
        )
        for when in held
    ]
    thanked = api.patch(f"/api/v1/interviews/{made[0]['id']}", json={"status": "thanked"})
    assert thanked.status_code == 200, thanked.text
    # Not held yet, or never: not conversations.
    factories.interview(api, n.c["dan"]["id"], status="scheduled", scheduled_at=now.isoformat())
    factories.interview(api, n.c["dan"]["id"])
    # Two more referrals out of conversations: one met, one declined.
    factories.referral(
        api,
        n.c["ivy"]["id"],
        from_contact_id=n.c["cat"]["id"],
        interview_id=made[0]["id"],
        status="met",
    )
    factories.referral(
        api,
        n.c["eve"]["id"],
        from_contact_id=n.c["cat"]["id"],
        interview_id=made[1]["id"],
        status="declined",
    )
    for category, status in [
        ("to_read", "open"),
        ("to_read", "open"),
        ("to_connect", "open"),
        ("to_do", "done"),
    ]:
        factories.note_item(api, n.chat["id"], category=category, status=status)

    body = ok(api, "/api/v1/network/stats")
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    mondays = [monday - timedelta(weeks=w) for w in range(11, -1, -1)]
    per_week = Counter(iso_week(when.date()) for when in held)
    assert body["conversations_per_week"] == [
        {
            "week": iso_week(day),
            "starts_on": day.isoformat(),
            "conversations": per_week[iso_week(day)],
        }
        for day in mondays
    ]
    assert sum(w["conversations"] for w in body["conversations_per_week"]) == 3
    # 3 referrals came out of an interview, over 4 held conversations.
    assert body["connections_per_interview"] == {"referrals": 3, "interviews": 4, "ratio": 0.75}
    # me>ann>cat>dan; over met referrals only: me>ann, then ben>cat is met but Ben is not.
    assert body["longest_chain"] == 3
    assert body["longest_met_chain"] == 1
    assert body["introductions"] == {"offered": 3, "met": 1, "share": 0.33}
    assert body["open_note_items"] == {
        **dict.fromkeys(CATEGORIES, 0),
        "to_read": 2,
        "to_connect": 1,
    }


@pytest.mark.parametrize(("weeks", "expected"), [(1, 1), (104, 104), (1000, 104)])
def test_stats_weeks_are_clamped(api: Api, weeks: int, expected: int) -> None:
    assert len(ok(api, "/api/v1/network/stats", weeks=weeks)["conversations_per_week"]) == expected


def test_stats_weeks_must_be_positive(api: Api) -> None:
    response = api.get("/api/v1/network/stats", params={"weeks": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "weeks"


# --- Isolation ------------------------------------------------------------------------------


def test_another_user_sees_nothing_of_the_network(api: Api, other_api: Api) -> None:
    n = network(api)
    for url in (
        f"/api/v1/contacts/{n.c['dan']['id']}/warm-paths",
        f"/api/v1/contacts/{n.c['dan']['id']}/alignment",
        f"/api/v1/organizations/{n.acme['id']}/warm-paths",
        f"/api/v1/organizations/{n.acme['id']}/people",
        f"/api/v1/contacts/{MISSING}/warm-paths",
        f"/api/v1/contacts/{MISSING}/alignment",
        f"/api/v1/organizations/{MISSING}/warm-paths",
        f"/api/v1/organizations/{MISSING}/people",
    ):
        response = other_api.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
    graph = ok(other_api, "/api/v1/network/graph")
    assert [node["id"] for node in graph["nodes"]] == ["me"]
    assert graph["edges"] == []
    assert ok(other_api, "/api/v1/network/alignment")["items"] == []
    stats = ok(other_api, "/api/v1/network/stats")
    assert stats["longest_chain"] == 0
    assert stats["connections_per_interview"]["interviews"] == 0
    # The other user's own network never reaches into the first user's.
    mine = factories.contact(other_api, full_name="Mine", organization_id=None)
    factories.referral(other_api, mine["id"])
    assert ok(other_api, f"/api/v1/contacts/{mine['id']}/warm-paths")["paths"][0]["length"] == 1
    assert len(ok(api, "/api/v1/network/graph")["nodes"]) == 6
