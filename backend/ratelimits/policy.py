"""Which requests count against which per-user limit: a pure function of the operation."""

from enum import StrEnum

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Bucket(StrEnum):
    writes = "writes"  # any change
    transfer = "transfer"  # imports (files, backups) and exports of everything
    search = "search"  # searching: the search endpoint and lists filtered by `q`
    network = "network"  # warm paths, the graph, alignment: the user's whole network
    messages = "messages"  # composing a message from a template


# Operations that cost more than a look-up: by tag (the first part of an operation id,
# `<tag>-<name>`), and single operations, which override their tag's (None: just a look-up).
_EXPENSIVE_TAGS = {"imports": Bucket.transfer, "exports": Bucket.transfer,
                   "search": Bucket.search, "network": Bucket.network}  # fmt: skip
_OPERATIONS: dict[str, Bucket | None] = {
    "opportunities-chain": Bucket.network,
    "messages-compose": Bucket.messages,
    "exports-contact-vcard": None,  # one contact
}


def bucket_for(method: str, operation_id: str, *, searching: bool = False) -> Bucket | None:
    """The limit a request counts against, if any: an expensive operation's own (an import
    counts as a transfer, not also as a write), else `writes` for any change, else `search`
    for a list asked for text (`searching`), else none (a plain read costs a look-up)."""
    if operation_id in _OPERATIONS:
        expensive = _OPERATIONS[operation_id]
    else:
        expensive = _EXPENSIVE_TAGS.get(operation_id.split("-", 1)[0])
    if expensive is not None:
        return expensive
    if method.upper() not in SAFE_METHODS:
        return Bucket.writes
    return Bucket.search if searching else None
