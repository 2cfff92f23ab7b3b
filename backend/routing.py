"""Shared route documentation: which problems each kind of operation can answer."""

from typing import Any

from fastapi.routing import APIRoute

from backend.errors import problem_doc

_NOT_FOUND = problem_doc("No such resource for this user.")
_CONFLICT = problem_doc("The change conflicts with existing data or the resource's state.")
_PRECONDITION = problem_doc("If-Match names a version that is no longer current.")
_TOO_LARGE = problem_doc("The request body is over the configured limit.")
_UNPARSABLE = problem_doc("The request body is not valid JSON.")

READ_RESPONSES: dict[int | str, dict[str, Any]] = {404: _NOT_FOUND}
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The body named a client-chosen `id` that already exists: the "
        "resource as it is now, nothing created."
    },
    400: _UNPARSABLE,
    404: problem_doc("A referenced resource does not exist."),
    409: problem_doc(
        "The change conflicts with existing data, or the client-chosen `id` cannot be used "
        "(`errors[0].code` `unusable`: another record holds it; leave `id` out or send "
        "another)."
    ),
    413: _TOO_LARGE,
}
UPDATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _UNPARSABLE,
    404: _NOT_FOUND,
    409: _CONFLICT,
    412: _PRECONDITION,
    413: _TOO_LARGE,
}
DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: _NOT_FOUND,
    409: problem_doc("Other records depend on this one; `dependents` counts them."),
    412: _PRECONDITION,
}


def operation_id(route: APIRoute) -> str:
    """`contacts-list`, `interviews-get`…: stable names for generated clients."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name
