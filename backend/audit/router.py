"""The audit trail, read-only: no operation can write, change or delete an event."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from backend.audit import service
from backend.audit.models import HistoryEvent, HistoryKind
from backend.auth import OwnerDep
from backend.contacts.models import Contact
from backend.crud import table_of
from backend.db import SessionDep
from backend.interviews.models import Interview
from backend.pagination import Page, PageDep
from backend.responses import page_response
from backend.routing import READ_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["history"])

_HOW = (
    " Every create, change and delete of your data is recorded, with who made it (signed "
    "in or which token), when, and each field's old and new value, in the same transaction "
    "as the change. Events are kept until the account is deleted."
)


@router.get(
    "/history",
    name="list",
    summary="Changes to your data, newest first",
    description="All events, or one kind's, or one object's (`object_id`, which stays "
    "valid after the object is deleted)." + _HOW,
    response_model=Page[HistoryEvent],
)
def list_history(
    session: SessionDep,
    owner: OwnerDep,
    page: PageDep,
    kind: Annotated[HistoryKind | None, Query(description="Only objects of this kind.")] = None,
    object_id: Annotated[uuid.UUID | None, Query(description="Only this object.")] = None,
) -> Response:
    body = service.list_history(
        session=session,
        owner=owner,
        kind=kind,
        object_id=object_id,
        cursor=page.cursor,
        limit=page.limit,
    )
    return page_response(body)


def _object_history_route(kind: HistoryKind, model: Any, label: str) -> None:
    """GET /<kind>/{id}/history: one object's events, also after it was deleted."""
    table = table_of(model)

    def object_history(
        object_id: Annotated[uuid.UUID, Path(alias=f"{label}_id")],
        session: SessionDep,
        owner: OwnerDep,
        page: PageDep,
    ) -> Response:
        body = service.object_history(
            session=session,
            owner=owner,
            kind=kind,
            table=table,
            label=label,
            object_id=object_id,
            cursor=page.cursor,
            limit=page.limit,
        )
        return page_response(body)

    router.add_api_route(
        f"/{kind.value}/{{{label}_id}}/history",
        object_history,
        methods=["GET"],
        name=label,
        summary=f"A{'n' if label[0] in 'aeiou' else ''} {label}'s changes, newest first",
        description=f"Also after the {label} was deleted: its last event is the deletion." + _HOW,
        response_model=Page[HistoryEvent],
        responses=READ_RESPONSES,
    )


_object_history_route(HistoryKind.contacts, Contact, "contact")
_object_history_route(HistoryKind.interviews, Interview, "interview")
