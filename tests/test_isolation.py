"""Tenant isolation: no request can see or touch another user's data.

Every operation comes from the app's own OpenAPI document, so an endpoint added later is
covered without anyone editing this file. What the file cannot work out by itself it refuses
to guess: a path parameter or UUID field missing from `KINDS`, a create that A's data set does
not exercise, or a public operation missing from `PUBLIC` fails the test until someone says
what it means.

- User B calls every operation at user A's objects (ids in the path, in the body, in list
  filters, as a client-chosen id, A's Idempotency-Keys and A's page cursors): 404 (403 where
  only an administrator may ask, 409 `unusable` for A's id as a client-chosen id: see
  test_another_users_id_is_unusable_and_says_no_more), lists filtered by A's ids are
  empty, no answer contains A's ids or text, and afterwards everything A can read reads
  exactly as before.
- Without credentials, or with made-up ones, every operation but the public ones is 401.
- A read-only token may read everything its user may, and change nothing.
"""

import itertools
import json
import re
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from backend.accounts import passwords
from backend.accounts.service import start_session
from backend.auth import SESSION_COOKIE
from backend.config import Settings
from backend.users.models import User
from tests import factories
from tests.conftest import Api, new_user

# What a path parameter, list filter or body field of this name points at: a key of
# `Objects.ids`. `id` in a create body is the created resource's own kind (see `own_kind`).
KINDS = {
    "organization_id": "organizations",
    "contact_id": "contacts",
    "from_contact_id": "contacts",
    "to_contact_id": "contacts",
    "interview_id": "interviews",
    "note_id": "note_items",
    "referral_id": "referrals",
    "opportunity_id": "opportunities",
    "webhook_id": "webhooks",
    "object_id": "contacts",
    "interview_ids": "interviews",
    "token_id": "tokens",
    "user_id": "users",
}

# Operations anyone may call: exactly those whose OpenAPI `security` is [] (checked below).
PUBLIC = {
    ("GET", "/healthz"): "liveness probe for the load balancer; says nothing about any user",
    ("GET", "/readyz"): "readiness probe for the load balancer; says nothing about any user",
    ("GET", "/api/v1/setup"): "the sign-in page asks whether first-run set-up is still needed",
    ("POST", "/api/v1/setup"): "creates the first account, before anyone can sign in; 409 after",
    ("POST", "/api/v1/auth/login"): "how a browser gets its session in the first place",
    ("POST", "/api/v1/auth/signup"): "self-service sign-up, when the administrator allows it",
    ("GET", "/api/v1/shared/{share_token}"): "the ask a user chose to publish, by its secret link",
    ("GET", "/api/v1/calendar/{feed_token}.ics"): "a user's calendar by its secret link: "
    "calendar apps cannot sign in",
}

ADMIN_TAG = "admin"  # operations only an administrator may call: 403 for everyone else
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
PROBLEM_JSON = "application/problem+json"
STRONG_PASSWORD = "a strong-enough passphrase 7"
PASSWORD_FIELDS = frozenset({"password", "current_password", "new_password"})

_serial = itertools.count(1)


# --- The OpenAPI document ------------------------------------------------------------------


class Spec:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.operations = []
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method.upper() in HTTP_METHODS:
                    parameters = item.get("parameters", []) + op.get("parameters", [])
                    raw = {**op, "parameters": parameters}
                    self.operations.append(Operation(method.upper(), path, raw, self))

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def concrete(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema without `$ref` and without the `null` branch of an optional value."""
        schema = self.resolve(schema)
        branches = [self.resolve(s) for s in schema.get("anyOf", []) if s.get("type") != "null"]
        if len(branches) == 1:
            return {**branches[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
        return schema

    def is_uuid(self, schema: dict[str, Any]) -> bool:
        schema = self.concrete(schema)
        items = self.concrete(schema.get("items", {})) if schema.get("type") == "array" else {}
        return schema.get("format") == "uuid" or items.get("format") == "uuid"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    raw: dict[str, Any] = field(compare=False, repr=False)
    spec: Spec = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def public(self) -> bool:
        return self.raw.get("security") == []

    @property
    def unsafe(self) -> bool:
        return self.method not in SAFE_METHODS

    @property
    def admin(self) -> bool:
        return ADMIN_TAG in self.raw.get("tags", [])

    def params(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.raw["parameters"] if p["in"] == where]

    def object_params(self) -> list[dict[str, Any]]:
        """Path parameters naming someone's object (not a choice such as a message kind)."""
        return [p for p in self.params("path") if "enum" not in self.spec.concrete(p["schema"])]

    def uuid_query(self) -> list[str]:
        return [p["name"] for p in self.params("query") if self.spec.is_uuid(p["schema"])]

    def flags(self) -> dict[str, str]:
        """Every boolean query parameter of a write set to true (`cascade`): the most a
        broken ownership check could destroy."""
        if not self.unsafe:
            return {}
        return {
            p["name"]: "true"
            for p in self.params("query")
            if self.spec.concrete(p["schema"]).get("type") == "boolean"
        }

    @property
    def body(self) -> dict[str, Any] | None:
        content = self.raw.get("requestBody", {}).get("content")
        if not content:
            return None
        if "application/json" not in content:
            if "multipart/form-data" in content:
                # A file upload (the imports): sent without a file, refused with 422 (401,
                # 403 first) before anything is read. Who an import matches is tested in
                # test_linkedin_import.py, test_contacts_csv.py and test_vcard.py.
                return None
            pytest.fail(f"{self}: the isolation test only knows how to send JSON bodies")
        return self.spec.resolve(content["application/json"]["schema"])

    def uuid_fields(self) -> list[str]:
        props = (self.body or {}).get("properties", {})
        return [name for name, prop in props.items() if self.spec.is_uuid(prop)]

    @property
    def is_page(self) -> bool:
        for status, response in self.raw["responses"].items():
            if status.startswith("2"):
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                props = self.spec.resolve(schema or {}).get("properties", {})
                return {"items", "next_cursor", "total"} <= set(props)
        return False

    def kind(self, name: str, where: str) -> str:
        kind = self.own_kind() if (name, where) == ("id", "body") else KINDS.get(name)
        if kind is None:
            pytest.fail(
                f"{self}: {where} parameter {name!r} names an object the isolation test cannot "
                "map to a user's data; add it to KINDS in tests/test_isolation.py"
            )
        return kind

    def own_kind(self) -> str:
        """The kind a create makes: that of its item path's parameter (`/contacts/{contact_id}`)."""
        for path in self.spec.doc["paths"]:
            found = re.fullmatch(re.escape(self.path) + r"/\{(\w+)\}", path)
            if found:
                return self.kind(found.group(1), "path")
        pytest.fail(f"{self}: a client-chosen `id` but no item path to tell what it is")

    def urls(self, objects: "Objects", *, first_only: bool = False) -> list[str]:
        """The path with every parameter replaced by each of `objects` of its kind (each
        value, for a parameter that is a choice such as a message kind)."""
        names = [p["name"] for p in self.params("path")]
        choices = [
            self.spec.concrete(p["schema"]).get("enum") or objects.all(self.kind(p["name"], "path"))
            for p in self.params("path")
        ]
        if first_only:
            choices = [c[:1] for c in choices]
        urls = []
        for values in itertools.product(*choices):
            url = self.path
            for name, value in zip(names, values, strict=True):
                url = url.replace("{" + name + "}", value)
            urls.append(url)
        return urls


def example(spec: Spec, name: str, schema: dict[str, Any]) -> Any:
    """A value the schema accepts, never one of A's."""
    schema = spec.concrete(schema)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            key: example(spec, key, prop)
            for key, prop in schema.get("properties", {}).items()
            if key in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    fmt, pattern = schema.get("format"), schema.get("pattern", "")
    if fmt == "uuid":
        pytest.fail(f"a nested UUID field {name!r}: teach make_body what it points at")
    if fmt == "date":
        return "2031-02-03"
    if fmt == "date-time":
        return "2031-02-03T04:05:06Z"
    if name in PASSWORD_FIELDS or schema.get("minLength", 0) >= 8:
        return STRONG_PASSWORD
    if "@" in pattern:
        return f"someone-{uuid.uuid4().hex[:10]}@example.test"
    if pattern.startswith("^https?://"):
        return f"https://example.test/other/{next(_serial)}"
    return f"other words {next(_serial)}"


def make_body(op: Operation, uuids: dict[str, Any], *, full: bool = True) -> dict[str, Any] | None:
    """Required fields, the UUID fields given, and (`full`) every plain text field too, so a
    write that got past an ownership check would really change something."""
    schema = op.body
    if schema is None:
        return None
    required = set(schema.get("required", []))
    body: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        concrete = op.spec.concrete(prop)
        if op.spec.is_uuid(prop):
            if name in uuids:
                value = uuids[name]
                body[name] = [value] if concrete.get("type") == "array" else value
            elif name in required:
                pytest.fail(f"{op}: required UUID field {name!r} got no value")
        elif name in required or (
            full and concrete.get("type") == "string" and "enum" not in concrete
            and "format" not in concrete
        ):  # fmt: skip
            body[name] = example(op.spec, name, prop)
    return body


# --- One user's data -----------------------------------------------------------------------


@dataclass
class Objects:
    """Ids by kind (the values of KINDS)."""

    ids: dict[str, list[str]]

    def all(self, kind: str) -> list[str]:
        if not self.ids.get(kind):
            pytest.fail(f"build_graph made no {kind}; add some so operations on them are tested")
        return self.ids[kind]

    def pick(self, kind: str, index: int) -> str:
        objects = self.all(kind)
        return objects[index % len(objects)]

    def refs(
        self, op: Operation, names: Collection[str], *, from_end: bool = False
    ) -> dict[str, str]:
        """A value for each named UUID field; fields of one kind get different objects (a
        referral's two ends)."""
        used: dict[str, int] = {}
        out = {}
        for name in names:
            kind = op.kind(name, "body")
            n = used[kind] = used.get(kind, -1) + 1
            out[name] = self.pick(kind, -1 - n if from_end else n)
        return out


@dataclass
class Owned:
    """One user's data, and what must never reach anybody else."""

    api: Api
    objects: Objects
    secrets: set[str]
    token_prefix: str  # of the token this user's requests carry
    # Create path → (Idempotency-Key, body) of the first create this user sent there.
    keys: dict[str, tuple[str, dict[str, Any]]]


def build_graph(api: Api, label: str) -> Owned:
    """A full set of data, every text carrying `tag` so any trace of it can be found."""
    tag = f"{label}{uuid.uuid4().hex[:10]}"
    keys: dict[str, tuple[str, dict[str, Any]]] = {}

    def create(path: str, body: dict[str, Any]) -> str:
        key = uuid.uuid4().hex
        keys.setdefault(path, (key, body))
        response = api.post(path, json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    orgs, people = "/api/v1/organizations", "/api/v1/contacts"
    org = create(orgs, {
        "name": f"{tag} Analytical Engines", "industry": f"{tag} computing",
        "notes": f"{tag} org notes", "tags": [tag], "website": f"https://{tag}.example.test",
    })  # fmt: skip
    org2 = create(orgs, {"name": f"{tag} Difference Engines", "interest_level": 4})
    ada = create(people, {
        "full_name": f"{tag} Ada", "email": f"ada.{tag}@example.test", "organization_id": org,
        "title": f"{tag} engineer", "notes": f"{tag} contact notes", "tags": [tag],
    })  # fmt: skip
    grace = create(people, {"full_name": f"{tag} Grace", "organization_id": org})
    # Nobody is referred to the last contact: B's creates with A's Idempotency-Keys point
    # there, and must not be refused as duplicates.
    alan = create(people, {"full_name": f"{tag} Alan", "phone": f"{tag} 555"})
    interview = create("/api/v1/interviews", {
        "contact_id": ada, "location": f"{tag} cafe", "research_notes": f"{tag} research",
        "scheduled_at": "2031-04-05T06:07:08Z",
        "agenda": [f"{tag} agenda"], "checklist": [{"text": f"{tag} check"}],
    })  # fmt: skip
    scheduled = create("/api/v1/interviews", {
        "contact_id": grace, "status": "scheduled", "scheduled_at": "2031-05-06T07:08:09Z",
        "summary": f"{tag} summary",
    })  # fmt: skip
    notes = [
        create("/api/v1/note-items", {
            "interview_id": interview, "category": "to_read", "text": f"{tag} read this",
            "url": f"https://{tag}.example.test/read", "due_date": "2031-01-01",
        }),
        create("/api/v1/note-items", {
            "interview_id": interview, "category": "to_connect", "text": f"{tag} meet Grace",
            "contact_id": grace,
        }),
        create("/api/v1/note-items", {
            "interview_id": scheduled, "category": "to_read", "text": f"{tag} read that too",
            "author": f"{tag} author",
        }),
    ]  # fmt: skip
    referrals = [
        create("/api/v1/referrals", {
            "from_contact_id": ada, "to_contact_id": grace, "interview_id": interview,
            "context": f"{tag} worked together",
        }),
        create("/api/v1/referrals", {"to_contact_id": grace, "context": f"{tag} old classmate"}),
    ]  # fmt: skip
    opportunities = [
        create("/api/v1/opportunities", {
            "title": f"{tag} analyst", "contact_id": ada, "organization_id": org,
            "interview_ids": [interview], "notes": f"{tag} opportunity notes",
        }),
        create("/api/v1/opportunities", {"title": f"{tag} consulting", "kind": "consulting"}),
    ]  # fmt: skip
    # Webhook creates take no Idempotency-Key; their secrets are shown once, here.
    webhooks = []
    for n in (1, 2):
        hook = api.post("/api/v1/webhooks", json={
            "url": f"https://{tag}.example.test/hook/{n}", "event_types": ["contact.created"],
            "description": f"{tag} hook",
        })  # fmt: skip
        assert hook.status_code == 201, hook.text
        webhooks.append(hook.json())
    feed = api.post("/api/v1/calendar/feed")
    assert feed.status_code == 200, feed.text
    profile = api.patch("/api/v1/profile", json={
        "focus_areas": [tag], "ask": f"{tag} ask", "situation": f"{tag} situation",
    })  # fmt: skip
    assert profile.status_code == 200, profile.text
    shared = api.post("/api/v1/profile/share-link")
    assert shared.status_code == 200, shared.text
    share_token = shared.json()["share_url"].rstrip("/").rsplit("/", 1)[-1]
    template = api.put("/api/v1/message-templates/outreach", json={
        "subject": f"{tag} subject", "body": f"{tag} hello {{{{ contact.first_name }}}}",
    })  # fmt: skip
    assert template.status_code == 200, template.text
    token = api.create_token(name=f"{tag} laptop")
    assert token.status_code == 201, token.text
    tokens = api.get("/api/v1/tokens").json()
    me = api.get("/api/v1/account").json()
    ids = {
        "organizations": [org, org2],
        "contacts": [ada, grace, alan],
        "interviews": [interview, scheduled],
        "note_items": notes,
        "referrals": referrals,
        "opportunities": opportunities,
        "webhooks": [h["id"] for h in webhooks],
        "tokens": [t["id"] for t in tokens],
        "users": [me["id"]],
    }
    every_id = [i for group in ids.values() for i in group]
    secrets = {tag, me["email"], api.token, token.json()["secret"], share_token}
    secrets |= {t["prefix"] for t in tokens}
    secrets |= {h["secret"] for h in webhooks}
    secrets.add(feed.json()["url"].rsplit("/", 1)[-1].removesuffix(".ics"))
    secrets |= {i.lower() for i in every_id} | {uuid.UUID(i).hex for i in every_id}
    return Owned(api, Objects(ids), {s.lower() for s in secrets}, api.token[:10], keys)


def without_last_used(value: Any, prefixes: Collection[str]) -> Any:
    """A token the snapshot's own requests use moves its `last_used_at`; nothing else may."""
    if isinstance(value, list):
        return [without_last_used(v, prefixes) for v in value]
    if isinstance(value, dict) and value.get("prefix") in prefixes:
        return {k: v for k, v in value.items() if k != "last_used_at"}
    return value


def body_of(response: httpx.Response) -> Any:
    """A read's answer as data to compare: JSON parsed, without a backup's `exported_at`
    (when it was read, not what it holds); anything else (CSV, vCard) as its text."""
    if not response.headers["content-type"].startswith("application/json"):
        return response.text
    body = response.json()
    if isinstance(body, dict):
        body.pop("exported_at", None)
    return body


def snapshot(spec: Spec, owned: Owned, *, prefixes: Collection[str] = ()) -> dict[str, Any]:
    """Everything the owner can read: every GET, at each of their objects, every page."""
    api, prefixes = owned.api, {owned.token_prefix, *prefixes}
    shot: dict[str, Any] = {}
    for op in spec.operations:
        if op.method != "GET" or op.public:
            continue
        for url in op.urls(owned.objects):
            if not op.is_page:
                response = api.get(url)
                status = 403 if op.admin else 200
                assert response.status_code == status, f"reading own {url}: {response.text}"
                shot[url] = without_last_used(body_of(response), prefixes)
                continue
            pages, cursor = [], None
            for _ in range(100):
                params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
                response = api.get(url, params=params)
                assert response.status_code == 200, f"reading own {url}: {response.text}"
                pages.append(response.json())
                cursor = pages[-1]["next_cursor"]
                if cursor is None:
                    break
            # The total counts the owner's rows and nobody else's.
            walked = sum(len(page["items"]) for page in pages)
            assert all(page["total"] == walked for page in pages), (url, pages)
            shot[url] = pages
    return shot


def cursors(shot: dict[str, Any], url: str) -> list[str]:
    return [page["next_cursor"] for page in shot.get(url, []) if page["next_cursor"]]


def browser_session(engine: Engine, settings: Settings, user_id: uuid.UUID) -> str:
    """A signed-in browser of this user (the test users have no password to sign in with)."""
    with Session(engine) as session:
        secret, _csrf = start_session(session, user_id, settings)
        session.commit()
    return secret


def public_plan(op: Operation) -> dict[str, Any]:
    """A public operation called with nothing of anyone's: an empty body, refused before it
    does anything (no first administrator, no sign-up, no failed sign-in counted against the
    shared test client's address), or a made-up secret in the path (a share link): 404."""
    url = op.path
    for p in op.params("path"):
        url = url.replace("{" + p["name"] + "}", "made-up-" + uuid.uuid4().hex)
    if url != op.path:
        return {"url": url, "body": None, "statuses": {404}}
    return {"url": url, "body": {} if op.body else None, "statuses": {422} if op.body else {200}}


# --- Requests and what their answers may be -----------------------------------------------


def send(
    client: TestClient,
    method: str,
    url: str,
    *,
    token: str | None = None,
    params: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request with exactly the credentials given: the shared client's cookie jar (a
    public sign-in may have filled it) is emptied before and after."""
    headers = dict(headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    client.cookies.clear()
    try:
        return client.request(method, url, params=params, json=body, headers=headers)
    finally:
        client.cookies.clear()


class Findings:
    """Every wrong answer, collected so one run reports them all."""

    def __init__(self, secrets: Collection[str] = ()) -> None:
        self.secrets = secrets
        self.problems: list[str] = []

    def check(
        self,
        label: str,
        response: httpx.Response,
        statuses: Collection[int] | None = None,
        *,
        empty_page: bool = False,
        problem_json: bool = False,
    ) -> None:
        request = response.request
        where = f"[{label}] {request.method} {request.url} {request.content.decode()[:200]}"
        answer = f"→ {response.status_code} {response.text[:300]}"
        status = response.status_code
        if statuses is not None and status not in statuses:
            self.problems.append(f"{where} {answer}; expected {sorted(statuses)}")
        elif status >= 500:
            self.problems.append(f"{where} {answer}; a server error")
        if empty_page and status == 200:
            page = response.json()
            if page["items"] or page["total"] != 0 or page["next_cursor"] is not None:
                self.problems.append(f"{where} {answer}; expected an empty page")
        if problem_json and response.headers.get("content-type") != PROBLEM_JSON:
            self.problems.append(f"{where} {answer}; not {PROBLEM_JSON}")
        # What the caller sent may come back (`No contact with id …`); nothing else of A's may.
        sent = f"{request.url} {request.content.decode()} {request.headers}".lower()
        seen = f"{response.text} {response.headers}".lower()
        leaked = sorted(s for s in self.secrets if s in seen and s not in sent)
        if leaked:
            self.problems.append(f"{where} {answer}; shows another user's {leaked}")

    def assert_none(self) -> None:
        assert not self.problems, "\n".join([f"{len(self.problems)} failures:", *self.problems])


# --- B against A ---------------------------------------------------------------------------


def at_a_objects(op: Operation, a: Owned, b: Owned) -> Iterator[tuple[str, dict[str, Any]]]:
    """B's requests that name A's objects (by path, list filter, body field, client-chosen id
    or Idempotency-Key), each with the answers B may get."""
    mine, theirs = b.objects, a.objects
    refused = {403} if op.admin else {404}
    fields = [f for f in op.uuid_fields() if f != "id"]
    filters = op.uuid_query()
    if op.is_page and not op.object_params():
        for name in filters:
            for value in theirs.all(op.kind(name, "query")):
                for url in op.urls(theirs):
                    plan = {"url": url, "params": {name: value}, "statuses": {200}}
                    yield "filter", {**plan, "empty_page": True}
        return
    if op.object_params() or fields or filters:
        params = {name: theirs.pick(op.kind(name, "query"), 0) for name in filters}
        body = make_body(op, theirs.refs(op, fields))
        expect: dict[str, Any] = {"statuses": refused}
        if op.is_page:  # a list under one of A's objects: not found, or nothing in it
            expect = {"statuses": refused | {200}, "empty_page": True}
        for url in op.urls(theirs):
            plan = {"url": url, "params": params | op.flags(), "body": body, **expect}
            yield "A's ids", plan
    # B's own object in the path and B's own references but one, which is A's: refused, so
    # B can neither link its data to A's nor learn anything of A's through the link.
    for name in fields:
        refs = mine.refs(op, fields) | {name: theirs.pick(op.kind(name, "body"), 0)}
        for url in op.urls(mine, first_only=True):
            yield f"{name} A's", {"url": url, "body": make_body(op, refs), "statuses": refused}
    # A create whose client-chosen id is one of A's: taken, and nothing of it shown.
    if op.method == "POST" and "id" in op.uuid_fields() and not op.object_params():
        for value in theirs.all(op.own_kind()):
            body = make_body(op, mine.refs(op, fields) | {"id": value})
            yield "A's id as client id", {"url": op.path, "body": body, "statuses": {409}}
    # A create sent with the Idempotency-Key A used: B's own new object, never A's reply.
    if any(p["name"].lower() == "idempotency-key" for p in op.params("header")):
        if op.path not in a.keys:
            pytest.fail(f"{op}: build_graph creates nothing here; add it so B can reuse A's key")
        required = set((op.body or {}).get("required", []))
        # The last of B's objects: nothing refers to them yet, so this create is not a duplicate.
        refs = mine.refs(op, [f for f in fields if f in required], from_end=True)
        yield "A's Idempotency-Key", {
            "url": op.path, "body": make_body(op, refs, full=False), "statuses": {201},
            "headers": {"Idempotency-Key": a.keys[op.path][0]}, "fresh": True,
        }  # fmt: skip


def test_another_user_can_neither_see_nor_touch_anything(
    app: FastAPI, api: Api, other_api: Api, engine: Engine, settings: Settings
) -> None:
    spec = Spec(app.openapi())
    client = api.client
    a = build_graph(api, "alpha")
    a_browser = browser_session(engine, settings, api.user_id)
    before = snapshot(spec, a)
    b = build_graph(other_api, "bravo")
    found = Findings(a.secrets)
    called: dict[tuple[str, str], int] = {}

    def call(label: str, op: Operation, plan: dict[str, Any]) -> None:
        called[op.key] = called.get(op.key, 0) + 1
        response = send(
            client, op.method, plan["url"], token=other_api.token, params=plan.get("params"),
            body=plan.get("body"), headers=plan.get("headers"),
        )  # fmt: skip
        empty_page = plan.get("empty_page", False)
        found.check(f"{label}: {op}", response, plan.get("statuses"), empty_page=empty_page)
        if plan.get("fresh") and response.headers.get("idempotent-replayed"):
            found.problems.append(f"[{label}: {op}] replayed A's answer: {response.text[:300]}")

    for op in spec.operations:
        if op.public:
            continue
        for label, plan in at_a_objects(op, a, b):
            call(label, op, plan)
        # A's page cursors say where to resume in *A's* list; they are no way into it.
        if op.is_page and not op.object_params():
            replayable = [(u, c) for u in op.urls(a.objects) for c in cursors(before, u)]
            if not replayable:
                pytest.fail(f"{op}: build_graph must make two or more, for a cursor to replay")
            for url, cursor in replayable:
                params = {"limit": "1", "cursor": cursor}
                call("A's cursor", op, {"url": url, "params": params, "statuses": {200}})
    targeted = set(called)

    found.assert_none()
    # Everything B reads of its own (including what it just created) has no trace of A's.
    b_reads = json.dumps(snapshot(spec, b)).lower()
    leaked = sorted(s for s in a.secrets if s in b_reads)
    if leaked:
        found.problems.append(f"B's own data shows A's {leaked}")

    # The rest name nothing of A's: B's own account and tokens, admin and public operations.
    # Reads first; writes (logout everywhere, deleting the account with a wrong password…) last.
    for op in sorted(spec.operations, key=lambda op: op.unsafe):
        if op.key in targeted:
            continue
        if op.public:
            call("public", op, public_plan(op))
            continue
        refs = b.objects.refs(op, [f for f in op.uuid_fields() if f != "id"])
        statuses = {403} if op.admin else None if op.unsafe else {200}
        body = make_body(op, refs)
        if body is not None and "revoke_tokens" in (op.body or {}).get("properties", {}):
            body["revoke_tokens"] = False  # B's token makes the requests below
        for url in op.urls(b.objects):
            plan = {"url": url, "params": op.flags(), "body": body}
            call("B's own", op, {**plan, "statuses": statuses})

    # B deletes all its own data, cascading; nothing of A's goes with it.
    tokens = other_api.get("/api/v1/tokens").json()
    in_use = {t["id"] for t in tokens if t["prefix"] == b.token_prefix}
    disposable = Objects(
        {**b.objects.ids, "tokens": [t["id"] for t in tokens if t["id"] not in in_use]}
    )
    for op in spec.operations:
        if op.method == "DELETE" and op.params("path") and not (op.public or op.admin):
            for url in op.urls(disposable):
                plan = {"url": url, "params": op.flags(), "statuses": {204, 404}}
                call("B deletes its own", op, plan)

    throwaway_account(client, engine, found)

    found.assert_none()
    assert set(called) == {op.key for op in spec.operations}
    assert snapshot(spec, a) == before, "another user's requests changed what A reads"
    # A's browser session outlived every other user's signing out.
    cookie = {"Cookie": f"{SESSION_COOKIE}={a_browser}"}
    session = send(client, "GET", "/api/v1/auth/session", headers=cookie)
    assert session.status_code == 200, session.text
    assert session.json()["user"]["id"] == str(api.user_id)
    # A's Idempotency-Keys still replay A's own first answers.
    for path, (key, body) in a.keys.items():
        replay = api.post(path, json=body, headers={"Idempotency-Key": key})
        assert replay.status_code == 201, replay.text
        assert replay.headers.get("idempotent-replayed") == "true", (path, replay.headers)
    assert snapshot(spec, a) == before


def throwaway_account(client: TestClient, engine: Engine, found: Findings) -> None:
    """A third user with a password changes it, signs out everywhere and deletes the account:
    the account operations done for real, by someone whose loss the test does not mind."""
    user = new_user(engine)
    users = User.__table__  # type: ignore[attr-defined]
    with Session(engine) as session:
        hashed = passwords.hash_password(STRONG_PASSWORD)
        session.execute(update(users).where(users.c.id == user.id).values(password_hash=hashed))
        session.commit()
    build_graph(Api(client, user), "delta")
    new = STRONG_PASSWORD + "!"
    # Its token makes all three requests, so the first two keep the account's tokens.
    kept = {"revoke_tokens": False}
    for url, body in [
        ("/api/v1/account/password",
         {"current_password": STRONG_PASSWORD, "new_password": new, **kept}),
        ("/api/v1/auth/logout-everywhere", kept),
        ("/api/v1/account/delete", {"password": new}),
    ]:  # fmt: skip
        response = send(client, "POST", url, token=user.token, body=body)
        found.check("a third user's own account", response, {204})
    gone = send(client, "GET", "/api/v1/account", token=user.token)
    found.check("a deleted account", gone, {401})


# --- Without credentials -------------------------------------------------------------------


def test_public_operations_are_exactly_those_without_security(app: FastAPI) -> None:
    spec = Spec(app.openapi())
    unsecured = {op.key for op in spec.operations if op.public}
    assert unsecured == set(PUBLIC), "PUBLIC must list exactly the operations with security []"
    for op in spec.operations:
        assert op.public or op.raw.get("security"), f"{op} declares no security requirement"


FORGED = {
    "no credentials": {},
    "a made-up bearer token": {"Authorization": "Bearer nh_" + "x" * 43},
    "another scheme": {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
    "a made-up session": {"Cookie": f"{SESSION_COOKIE}=made-up"},
}


def test_every_operation_but_the_public_ones_needs_credentials(
    app: FastAPI, test_client: TestClient
) -> None:
    spec = Spec(app.openapi())
    found = Findings()
    anything = Objects({kind: [str(uuid.uuid4())] for kind in set(KINDS.values())})
    for op in spec.operations:
        if op.public:
            plan = public_plan(op)
            response = send(test_client, op.method, plan["url"], body=plan["body"])
            found.check(f"public {op}", response, plan["statuses"])
            continue
        url = op.urls(anything)[0]
        body = make_body(op, anything.refs(op, op.uuid_fields()))
        for label, headers in FORGED.items():
            response = send(
                test_client, op.method, url, params=op.flags(), body=body, headers=headers
            )
            found.check(label, response, {401}, problem_json=True)
            if "Bearer" not in response.headers.get("www-authenticate", ""):
                found.problems.append(f"[{label}] {op}: no WWW-Authenticate: Bearer")
    found.assert_none()


# --- A read-only token ---------------------------------------------------------------------


def test_a_read_only_token_reads_everything_and_changes_nothing(app: FastAPI, api: Api) -> None:
    spec = Spec(app.openapi())
    a = build_graph(api, "romeo")
    created = api.create_token(name="ro", scope="read")
    assert created.status_code == 201, created.text
    read_only = created.json()
    a.objects.ids["tokens"].append(read_only["id"])
    before = snapshot(spec, a, prefixes={read_only["prefix"]})
    found = Findings()
    for op in spec.operations:
        if op.public:
            continue
        body = make_body(op, a.objects.refs(op, [f for f in op.uuid_fields() if f != "id"]))
        for url in op.urls(a.objects):
            response = send(
                api.client, op.method, url, token=read_only["secret"], params=op.flags(),
                body=body,
            )  # fmt: skip
            if op.unsafe or op.admin:
                found.check(f"read-only {op}", response, {403}, problem_json=True)
            else:
                found.check(f"read-only {op}", response, {200})
    found.assert_none()
    assert snapshot(spec, a, prefixes={read_only["prefix"]}) == before


UNUSABLE = "This id cannot be used for a new record; leave `id` out, or send another."


def test_another_users_id_is_unusable_and_says_no_more(api: Api, other_api: Api) -> None:
    """Ids are unique across accounts, so B cannot have one of A's: B's create is refused.
    The refusal is one answer for every kind of record, which names neither an owner nor
    that the id is "in use" (it said so, with code `taken`); a fresh id is created and a
    repeat of B's own answers 200, as ever. (Whoever already holds one of A's ids can still
    tell it from a fresh one; only ids scoped per owner would hide that: README, API.)"""
    a_contact = factories.contact(api)
    a_interview = factories.interview(api, a_contact["id"])
    theirs = {
        "/api/v1/organizations": factories.organization(api),
        "/api/v1/contacts": a_contact,
        "/api/v1/interviews": a_interview,
        "/api/v1/note-items": factories.note_item(api, a_interview["id"]),
        "/api/v1/referrals": factories.referral(api, a_contact["id"]),
        "/api/v1/opportunities": api.post("/api/v1/opportunities", json={"title": "Job"}).json(),
    }
    b_contacts = [factories.contact(other_api)["id"] for _ in range(2)]
    b_interview = factories.interview(other_api, b_contacts[0])
    bodies = {
        "/api/v1/organizations": {"name": "Globex"},
        "/api/v1/contacts": {"full_name": "Grace Hopper"},
        "/api/v1/interviews": {"contact_id": b_contacts[0]},
        "/api/v1/note-items": {
            "interview_id": b_interview["id"], "category": "to_do", "text": "Call"
        },
        "/api/v1/referrals": {"to_contact_id": b_contacts[1]},
        "/api/v1/opportunities": {"title": "Job"},
    }  # fmt: skip
    expected = {
        "type": "https://nexthop.invalid/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": UNUSABLE,
        "errors": [{"field": "id", "location": "body", "reason": UNUSABLE, "code": "unusable"}],
    }
    for url, body in bodies.items():
        refused = other_api.post(url, json={**body, "id": theirs[url]["id"]})
        assert (refused.status_code, refused.json()) == (409, expected), url
        fresh = {**body, "id": str(uuid.uuid4())}
        assert other_api.post(url, json=fresh).status_code == 201, url
        assert other_api.post(url, json=fresh).status_code == 200, url
