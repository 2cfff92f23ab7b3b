"""Safe retries for creates: the first response to an Idempotency-Key is stored in the same
transaction as the row it created, and replayed for every retry of the same request."""

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request, Response
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.crud import CreateResult
from backend.documents import Doc
from backend.errors import Conflict
from backend.fields import utcnow
from backend.idempotency.models import IdempotencyRecord
from backend.responses import etag_of

table = IdempotencyRecord.__table__


async def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Any unique string; a retried create with the same key and body returns "
            "the first response instead of creating a duplicate.",
        ),
    ] = None,
) -> str | None:
    return key


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


def fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + body)
    return digest.hexdigest()


def _created_response(doc: Doc, created: bool, location: str) -> Response:
    headers = {"ETag": etag_of(doc.version), "Location": location}
    return Response(doc.json, 201 if created else 200, headers, "application/json")


def _replay(record: Any, fp: str) -> Response:
    if record.fingerprint != fp:
        raise Conflict(
            "This Idempotency-Key was already used for a different request; use a new key.",
        )
    headers = {"Idempotent-Replayed": "true", "ETag": etag_of(orjson.loads(record.body)["version"])}
    if record.location:
        headers["Location"] = record.location
    return Response(record.body, record.status_code, headers, "application/json")


def run_create(
    session: Session,
    *,
    owner: uuid.UUID,
    key: str | None,
    request_fingerprint: str,
    location_prefix: str,
    create: Callable[[], CreateResult],
    ttl: timedelta,
) -> Response:
    """Runs `create` once per key, commits, and answers 201 (or 200 for a replay)."""
    if key is None:
        doc, created = create()
        session.commit()
        return _created_response(doc, created, f"{location_prefix}/{doc.id}")

    cutoff = utcnow() - ttl
    session.execute(delete(table).where(table.c.owner_id == owner, table.c.created_at < cutoff))
    lookup = select(table).where(table.c.owner_id == owner, table.c.key == key)
    record = session.execute(lookup).first()
    if record is not None:
        session.rollback()
        return _replay(record, request_fingerprint)

    doc, created = create()
    location = f"{location_prefix}/{doc.id}"
    response = _created_response(doc, created, location)
    try:
        session.execute(
            insert(table).values(
                owner_id=owner,
                key=key,
                fingerprint=request_fingerprint,
                status_code=response.status_code,
                location=location,
                body=response.body,
                created_at=utcnow(),
            )
        )
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the race: undo ours, answer with theirs.
        session.rollback()
        record = session.execute(lookup).first()
        if record is None:
            raise
        return _replay(record, request_fingerprint)
    return response
