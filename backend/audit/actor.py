"""Who is making the current request's changes, for the audit trail.

`backend.auth` sets it when it has resolved the request's principal. Each request runs in a
task of its own and sync endpoints run in threads that copy the task's context, so whatever
writes during a request (crud, a service's own statements) sees that request's actor, and
never another's. Outside a request (the command line, background workers) there is none and
changes are recorded as made by the system.
"""

import uuid
from contextvars import ContextVar
from typing import NamedTuple


class Actor(NamedTuple):
    user_id: uuid.UUID
    via: str  # "session" or "token"
    token_id: uuid.UUID | None = None


CURRENT_ACTOR: ContextVar[Actor | None] = ContextVar("nexthop_actor", default=None)
