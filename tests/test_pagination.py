"""Keyset cursors: the pure encode/decode, and paging through HTTP."""

import base64
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import column

from backend.errors import Unprocessable
from backend.pagination import SortKey, encode_cursor, make_keyset
from tests import factories
from tests.conftest import Api

KEYS = {
    "name": SortKey(column("name")),
    "when": SortKey(column("when"), kind=datetime),
    "day": SortKey(column("day"), kind=date, nullable=True),
    "n": SortKey(column("n"), kind=int, nullable=True),
}
ID = column("id")
ROW_ID = uuid.UUID("01900000-0000-7000-8000-0000000000cc")
CONTACTS = "/api/v1/contacts"


def raw_cursor(payload: Any) -> str:
    """A cursor as a client could forge it: any JSON, base64url without padding."""
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def assert_cursor_refused(sort: str, cursor: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        make_keyset(sort, KEYS, ID, cursor)
    error = caught.value
    assert error.status == 422
    assert error.errors is not None
    assert len(error.errors) == 1
    issue = error.errors[0]
    assert (issue.field, issue.location, issue.code) == ("cursor", "query", "invalid_cursor")


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ("name", "Ada Lovelace ☃"),
        ("-name", ""),
        ("when", datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=UTC)),
        ("-when", datetime(1999, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("day", date(2026, 12, 1)),
        ("-day", None),
        ("n", 3),
        ("-n", None),
    ],
)
def test_cursor_round_trips(sort: str, value: Any) -> None:
    cursor = encode_cursor(sort, value, ROW_ID)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor), "URL-safe, no padding"
    keyset = make_keyset(sort, KEYS, ID, cursor)
    assert keyset.after == (value, ROW_ID)
    assert type(keyset.after[0]) is type(value)
    assert keyset.sort_name == sort
    assert keyset.descending is sort.startswith("-")
    assert keyset.key is KEYS[sort.removeprefix("-")]


def test_aware_datetime_survives_the_round_trip_as_the_same_instant() -> None:
    value = datetime.fromisoformat("2026-12-01T10:00:00+01:00")
    keyset = make_keyset("when", KEYS, ID, encode_cursor("when", value, ROW_ID))
    assert keyset.after is not None
    assert keyset.after[0] == value
    assert keyset.after[0].utcoffset() is not None


def test_no_cursor_starts_at_the_beginning() -> None:
    keyset = make_keyset("-when", KEYS, ID, None)
    assert keyset.after is None
    assert keyset.condition() is None
    assert keyset.descending is True
    assert make_keyset("name", KEYS, ID, "").after is None


def test_cursor_of_another_sort_order_is_refused() -> None:
    by_name = encode_cursor("name", "Ada", ROW_ID)
    assert_cursor_refused("-name", by_name)
    assert_cursor_refused("when", by_name)
    assert_cursor_refused("n", encode_cursor("-n", 3, ROW_ID))


TAMPERED = {
    "not-base64": ("name", "not-a-cursor"),
    "bad-padding": ("name", "A"),
    "no-alphabet": ("name", "!!!!"),
    "flipped-char": ("name", "X" + encode_cursor("name", "Ada", ROW_ID)[1:]),
    "truncated": ("name", encode_cursor("name", "Ada", ROW_ID)[:-6]),
    "not-utf8": ("name", base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode()),
    "json-string": ("name", raw_cursor("just a string")),
    "json-number": ("name", raw_cursor(5)),
    "json-object": ("name", raw_cursor({"sort": "name", "value": "Ada", "id": str(ROW_ID)})),
    "too-short": ("name", raw_cursor(["name", "Ada"])),
    "too-long": ("name", raw_cursor(["name", "Ada", str(ROW_ID), "extra"])),
    "id-not-uuid": ("name", raw_cursor(["name", "Ada", "not-a-uuid"])),
    "id-null": ("name", raw_cursor(["name", "Ada", None])),
    "id-number": ("name", raw_cursor(["name", "Ada", 5])),
    "id-list": ("name", raw_cursor(["name", "Ada", ["x"]])),
    "int-from-word": ("n", raw_cursor(["n", "three", str(ROW_ID)])),
    "int-from-list": ("n", raw_cursor(["n", [3], str(ROW_ID)])),
    "datetime-from-word": ("when", raw_cursor(["when", "yesterday", str(ROW_ID)])),
    "datetime-from-number": ("when", raw_cursor(["when", 1_700_000_000, str(ROW_ID)])),
    "impossible-date": ("day", raw_cursor(["day", "2026-13-45", str(ROW_ID)])),
}


@pytest.mark.parametrize(("sort", "cursor"), list(TAMPERED.values()), ids=list(TAMPERED))
def test_tampered_cursor_is_refused(sort: str, cursor: str) -> None:
    assert_cursor_refused(sort, cursor)


# Through HTTP


def test_forged_cursor_is_a_422_not_a_server_error(api: Api) -> None:
    factories.contact(api)
    forged = [
        # A timestamp without an offset cannot be compared with stored instants.
        ("created_at", raw_cursor(["created_at", "2026-12-01T09:00:00", str(ROW_ID)])),
        ("-updated_at", raw_cursor(["-updated_at", "2026-12-01T09:00:00", str(ROW_ID)])),
        ("name", raw_cursor(["name", "Ada", 12345])),
    ]
    for sort, cursor in forged:
        response = api.get(CONTACTS, params={"sort": sort, "cursor": cursor})
        assert response.status_code == 422, (sort, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "cursor"


def test_cursor_from_another_sort_is_refused_over_http(api: Api) -> None:
    for name in ("A", "B", "C"):
        factories.contact(api, full_name=name)
    cursor = api.get(CONTACTS, params={"limit": 1}).json()["next_cursor"]
    assert cursor is not None
    assert api.get(CONTACTS, params={"limit": 1, "cursor": cursor}).status_code == 200
    response = api.get(CONTACTS, params={"limit": 1, "cursor": cursor, "sort": "-name"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
    assert response.json()["errors"][0]["location"] == "query"


def test_paging_newest_first_visits_every_row_once(api: Api) -> None:
    created = [factories.contact(api, full_name=f"Person {i}")["id"] for i in range(7)]
    for limit in (1, 3, 7, 50):
        seen = [c["id"] for c in factories.walk(api, CONTACTS, limit=limit, sort="-created_at")]
        assert seen == created[::-1], limit
    oldest_first = factories.walk(api, CONTACTS, limit=2, sort="created_at")
    assert [c["id"] for c in oldest_first] == created


def test_every_page_reports_the_same_total(api: Api) -> None:
    for i in range(5):
        factories.contact(api, full_name=f"P{i}")
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "-created_at"}
        if cursor:
            params["cursor"] = cursor
        page = api.get(CONTACTS, params=params).json()
        assert page["total"] == 5
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3


def test_paging_on_a_nullable_key_visits_every_row_once(api: Api) -> None:
    follow_ups = ["2026-12-03", None, "2026-12-01", "2026-12-03", None, "2026-12-02", None]
    follow_ups += ["2026-12-03"]
    ids = {}
    for i, day in enumerate(follow_ups):
        ids[factories.contact(api, full_name=f"P{i}", next_follow_up=day)["id"]] = day
    dated = sorted(d for d in follow_ups if d)

    for sort, expected_days in (("next_follow_up", dated), ("-next_follow_up", dated[::-1])):
        whole = factories.listing(api, CONTACTS, sort=sort)
        for limit in (1, 2, 3):
            paged = factories.walk(api, CONTACTS, limit=limit, sort=sort)
            assert [c["id"] for c in paged] == [c["id"] for c in whole], (sort, limit)
            assert sorted(c["id"] for c in paged) == sorted(ids)
            assert [c["next_follow_up"] for c in paged] == [*expected_days, None, None, None]


EVERY_STATUS = ["identified", "reached_out", "scheduled", "met", "keep_in_touch", "dormant"]


@pytest.mark.parametrize("sort", ["name", "-created_at", "next_follow_up", "-next_follow_up"])
def test_an_unfiltered_page_reads_the_same_as_a_filter_that_keeps_everything(
    api: Api, sort: str
) -> None:
    """An unfiltered list runs a statement kept from one request to the next, a filtered one a
    statement built for it (backend.pagination.read_page): the same rows must give the very
    same bytes, page after page, cursors included."""
    for i, day in enumerate(
        [None, "2031-02-03", None, "2031-01-01", "2031-02-03", None, "2030-12-31"]
    ):
        factories.contact(api, full_name=f"Person {i % 3}", next_follow_up=day)
    cursors: dict[str, str | None] = {"kept": None, "built": None}
    for _ in range(4):  # 7 rows, 2 a page
        pages = {}
        for path, extra in (("kept", {}), ("built", {"status": EVERY_STATUS})):
            params: dict[str, Any] = {"limit": 2, "sort": sort, **extra}
            if cursors[path] is not None:
                params["cursor"] = cursors[path]
            response = api.get(CONTACTS, params=params)
            assert response.status_code == 200, response.text
            pages[path] = response.content
            cursors[path] = response.json()["next_cursor"]
        assert pages["kept"] == pages["built"]
    assert cursors == {"kept": None, "built": None}


def test_an_empty_unfiltered_list_still_counts(api: Api) -> None:
    assert api.get(CONTACTS).json() == {"items": [], "next_cursor": None, "total": 0}
    factories.contact(api, full_name="Only one")
    page = api.get(
        CONTACTS,
        params={"cursor": api.get(CONTACTS, params={"limit": 1}).json()["next_cursor"] or ""},
    )
    assert page.status_code == 200
