"""What an audit event says changed: pure functions over rows as the API shows them.

A row is a mapping of field to JSON value (a resource document parsed, or a row turned into
JSON values). What the API shows of an event is `{field: {"old": value, "new": value}}`: a
create lists the fields it set (old null), a delete the fields the row last had (new null),
an update the fields whose value differs. Bookkeeping (`id`, `version`, timestamps, derived
keys) is not shown, and secrets (a webhook's signing secret, a profile's share token) are
never even stored.

What is stored is more compact: a create or a delete keeps the row itself (which a bulk
import's events get straight from the database's own rendering of its rows, with no row
passing through Python), an update its `{field: {"old", "new"}}`. `public` turns the stored
form into the shown one when the history is read.
"""

from collections.abc import Mapping
from typing import Any

import orjson

from backend.responses import json_bytes

Change = dict[str, dict[str, Any]]

BOOKKEEPING = frozenset({"id", "owner_id", "version", "created_at", "updated_at", "name_key"})
SECRETS = frozenset({"secret", "share_token", "password_hash", "token_hash", "csrf_token"})
NOT_SHOWN = BOOKKEEPING | SECRETS


def as_json_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of Python values (UUIDs, datetimes, enums) as the API writes them in JSON."""
    values: dict[str, Any] = orjson.loads(json_bytes(dict(row)))
    return values


def stored_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A created or deleted row as stored: its shown fields that have a value."""
    return {
        name: value for name, value in row.items() if name not in NOT_SHOWN and value is not None
    }


def updated(before: Mapping[str, Any], after: Mapping[str, Any]) -> Change:
    """The fields that differ, old → new (an update's stored and shown form alike)."""
    names = [*before, *(name for name in after if name not in before)]
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in names
        if name not in NOT_SHOWN and before.get(name) != after.get(name)
    }


def public(action: str, stored: Mapping[str, Any]) -> Change:
    """The stored changes of an event as the API shows them."""
    if action == "update":
        return {name: dict(change) for name, change in stored.items() if name not in NOT_SHOWN}
    row = stored_row(stored)
    if action == "create":
        return {name: {"old": None, "new": value} for name, value in row.items()}
    return {name: {"old": value, "new": None} for name, value in row.items()}
