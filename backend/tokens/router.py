import uuid

from fastapi import APIRouter, Response

from backend.auth import Forbidden, PrincipalDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.routing import READ_RESPONSES
from backend.tokens import service
from backend.tokens.models import TokenCreate, TokenCreated, TokenPublic

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.get("", name="list", summary="Your personal access tokens (never their secrets)")
def list_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenPublic]:
    rows = service.list_tokens(session, user_id=principal.user_id)
    return [TokenPublic.model_validate(row) for row in rows]


class SessionRequired(Forbidden):
    code = "session_required"


@router.post(
    "", name="create", summary="Create a personal access token", status_code=201,
    description="From a signed-in browser session only: a token cannot make tokens, so a "
    "leaked one cannot make itself a successor that outlives its revocation. On a server, "
    "`python -m backend create-token` makes one too.",
    responses={403: problem_doc(
        "Sent with a token (`session_required`), or a session without its CSRF token."
    )},
)  # fmt: skip
def create_token(
    data: TokenCreate, session: WriteSessionDep, principal: PrincipalDep
) -> TokenCreated:
    if principal.via != "session":
        raise SessionRequired(
            "A token cannot create tokens: create one while signed in (Settings), or on the "
            "server with `python -m backend create-token`."
        )
    created = service.issue_token(
        session, user_id=principal.user_id, name=data.name, scope=data.scope,
        expires_at=data.expires_at,
    )  # fmt: skip
    session.commit()
    return TokenCreated.model_validate(created)


@router.delete(
    "/{token_id}", name="delete", summary="Revoke a token", status_code=204,
    responses=READ_RESPONSES,
)  # fmt: skip
def revoke_token(
    token_id: uuid.UUID, session: WriteSessionDep, principal: PrincipalDep
) -> Response:
    service.revoke_token(session, user_id=principal.user_id, token_id=token_id)
    session.commit()
    return Response(status_code=204)
