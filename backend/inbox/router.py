from fastapi import APIRouter

from backend.auth import OwnerDep
from backend.db import SessionDep
from backend.fields import utcnow
from backend.inbox import service
from backend.inbox.models import Inbox

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])


@router.get(
    "",
    name="get",
    summary="What to do next: open note items, reminders, upcoming interviews",
    description="Open note items of every interview by category (each capped at 100, with "
    "the total); reminders the method calls for (thank-yous, stale introductions, overdue "
    "follow-ups, unconfirmed times, missing preparation, conversations without a new "
    "connection), oldest first; and the next 10 scheduled interviews.",
    response_model=Inbox,
)
def get_inbox(session: SessionDep, owner: OwnerDep) -> Inbox:
    return service.get_inbox(session=session, owner=owner, now=utcnow())
