"""Set-up, sign-up, sign-in and the signed-in user's own account; the admin's user list."""

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from sqlmodel import Session

from backend.accounts import admin, service
from backend.accounts.models import (
    AdminNewUser,
    Credentials,
    InviteCreated,
    NewAccount,
    PasswordChange,
    PasswordConfirmation,
    PasswordReset,
    SessionInfo,
    SetupState,
    SignOutEverywhere,
    Signup,
)
from backend.auth import SESSION_COOKIE, AdminDep, Forbidden, Principal, PrincipalDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.signup_mode import SignupMode
from backend.tokens.models import TokenPublic
from backend.users.models import UserAdminUpdate, UserAdminView, UserPublic

router = APIRouter(prefix="/api/v1", tags=["accounts"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

_SIGNED_IN = {
    401: problem_doc("The email or the password is wrong."),
    403: problem_doc("The password is right but the account is disabled (`account_disabled`)."),
    429: problem_doc("Too many failed attempts; see Retry-After."),
}
PUBLIC: dict[str, Any] = {"openapi_extra": {"security": []}}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in(request: Request, response: Response, session: Session, user: Any) -> SessionInfo:
    """Starts a browser session for `user` and sets its cookie."""
    settings = request.app.state.settings
    secret, csrf = service.start_session(session, user.id, settings)
    session.commit()
    max_age = int(timedelta(days=settings.session_max_days).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=max_age, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    return SessionInfo(
        user=UserPublic.model_validate(service.public_user(user)), csrf_token=csrf, via="session"
    )


@router.get("/setup", name="setup-state", summary="Does Nexthop need its first account?", **PUBLIC)
def setup_state(request: Request, session: SessionDep) -> SetupState:
    return SetupState(
        needs_setup=service.needs_setup(session),
        signup_mode=request.app.state.settings.signup_mode,
    )


@router.post(
    "/setup", name="setup", summary="Create the first account, the administrator", status_code=201,
    responses={409: problem_doc("Already set up.")}, **PUBLIC,
)  # fmt: skip
def set_up(
    data: NewAccount, request: Request, response: Response, session: WriteSessionDep
) -> SessionInfo:
    user = service.set_up_first_admin(
        session, email=data.email, password=data.password, display_name=data.display_name
    )
    return _signed_in(request, response, session, user)


@router.post(
    "/auth/signup", name="signup", summary="Create an account (when sign-up is open or by invite)",
    status_code=201,
    responses={
        403: problem_doc("Sign-up is closed."),
        409: problem_doc("Email taken (open sign-up only)."),
        422: problem_doc(
            "Invalid input; by invite, also an invite that cannot be used: unknown, used, "
            "expired, or given with an email that has an account (the same answer for each)."
        ),
    },
    **PUBLIC,
)  # fmt: skip
def sign_up(
    data: Signup, request: Request, response: Response, session: WriteSessionDep
) -> SessionInfo:
    mode = request.app.state.settings.signup_mode
    if service.needs_setup(session):
        raise Forbidden("Nexthop is not set up yet: create the first account with /setup.")
    if mode == SignupMode.closed:
        raise Forbidden("Sign-up is closed: ask the administrator for an account.")
    if mode == SignupMode.open:
        user = service.create_user(
            session, email=data.email, password=data.password, display_name=data.display_name
        )
        return _signed_in(request, response, session, user)
    try:
        user = service.sign_up_with_invite(
            session, code=data.invite or "", email=data.email, password=data.password,
            display_name=data.display_name,
        )  # fmt: skip
    except service.InviteRefused as refused:
        if refused.spent:
            session.commit()
        raise
    return _signed_in(request, response, session, user)


@router.post(
    "/auth/login", name="login", summary="Sign in with email and password",
    responses=_SIGNED_IN, **PUBLIC,
)  # fmt: skip
def log_in(
    data: Credentials, request: Request, response: Response, session: SessionDep
) -> SessionInfo:
    state = request.app.state
    user = service.sign_in(
        session, write_engine=state.write_engine, email=data.email, password=data.password,
        client=_client(request), settings=state.settings,
    )  # fmt: skip
    with Session(state.write_engine) as write:
        return _signed_in(request, response, write, user)


@router.get("/auth/session", name="session", summary="Who is signed in, and the CSRF token")
def current_session(principal: PrincipalDep, session: SessionDep) -> SessionInfo:
    user = service.get_user(session, principal.user_id)
    return SessionInfo(
        user=UserPublic.model_validate(service.public_user(user)),
        csrf_token=principal.csrf_token, via=principal.via,
    )  # fmt: skip


@router.post("/auth/logout", name="logout", summary="Sign out this browser", status_code=204)
def log_out(principal: PrincipalDep, session: WriteSessionDep) -> Response:
    if principal.session_id is not None:
        service.end_sessions(session, principal.user_id, only=principal.session_id)
        session.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


_NO_BODY = SignOutEverywhere()  # the defaults, when no body is sent


@router.post(
    "/auth/logout-everywhere", name="logout-everywhere", status_code=204,
    summary="Sign out every browser session of this account, and revoke its API tokens",
    description="The body is optional: without it, or without `revoke_tokens: false`, every "
    "API token of the account is revoked too.",
)  # fmt: skip
def log_out_everywhere(
    principal: PrincipalDep,
    session: WriteSessionDep,
    data: Annotated[SignOutEverywhere, Body()] = _NO_BODY,
) -> Response:
    service.sign_out_everywhere(
        session, user_id=principal.user_id, revoke_tokens=data.revoke_tokens
    )
    session.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", name="account", summary="Your account")
def account(principal: PrincipalDep, session: SessionDep) -> UserPublic:
    return UserPublic.model_validate(
        service.public_user(service.get_user(session, principal.user_id))
    )


@router.post(
    "/account/password", name="change-password", status_code=204,
    summary="Change your password (signs out your other sessions; revokes your API tokens "
    "unless `revoke_tokens` is false)",
    responses={429: problem_doc("Too many wrong passwords; wait and retry.")},
)  # fmt: skip
def change_password(
    data: PasswordChange, request: Request, principal: PrincipalDep, session: WriteSessionDep
) -> Response:
    service.change_password(
        session, user_id=principal.user_id, current=data.current_password,
        new=data.new_password, keep_session=principal.session_id,
        revoke_tokens=data.revoke_tokens, settings=request.app.state.settings,
    )  # fmt: skip
    session.commit()
    return Response(status_code=204)


@router.post(
    "/account/delete", name="delete-account", status_code=204,
    summary="Delete your account and everything in it (asks for your password)",
    responses={429: problem_doc("Too many wrong passwords; wait and retry.")},
)  # fmt: skip
def delete_account(
    data: PasswordConfirmation,
    request: Request,
    principal: PrincipalDep,
    session: WriteSessionDep,
) -> Response:
    _require_session_or_full_token(principal)
    service.delete_account(
        session, user_id=principal.user_id, password=data.password,
        settings=request.app.state.settings,
    )  # fmt: skip
    session.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _require_session_or_full_token(principal: Principal) -> None:
    if principal.via == "token" and principal.scope != "read_write":
        raise Forbidden("This token is read-only.")


def _admin_view(row: Any) -> UserAdminView:
    return UserAdminView.model_validate(service.public_user(row))


@admin_router.get("/users", name="list-users", summary="Every account")
def list_users(_admin: AdminDep, session: SessionDep) -> list[UserAdminView]:
    return [_admin_view(row) for row in service.list_users(session)]


@admin_router.post("/users", name="create-user", summary="Create an account", status_code=201)
def create_user(data: AdminNewUser, _admin: AdminDep, session: WriteSessionDep) -> UserAdminView:
    user = service.create_user(
        session, email=data.email, password=data.password, display_name=data.display_name,
        is_admin=data.is_admin,
    )  # fmt: skip
    session.commit()
    return _admin_view(user)


@admin_router.patch(
    "/users/{user_id}", name="update-user",
    summary="Disable or enable an account; make or unmake an administrator",
    description="Disabling ends the account's sessions and refuses its API tokens at once; "
    "signing in with the right password then answers 403 `account_disabled`. Recorded in "
    "the user's history (kind `accounts`).",
    responses={
        404: problem_doc("No such user."),
        409: problem_doc("It would leave no enabled administrator."),
    },
)  # fmt: skip
def update_user(
    user_id: uuid.UUID, data: UserAdminUpdate, _admin: AdminDep, session: WriteSessionDep
) -> UserAdminView:
    user = admin.update_user(
        session, user_id=user_id, disabled=data.disabled, is_admin=data.is_admin
    )
    session.commit()
    return _admin_view(user)


@admin_router.get(
    "/users/{user_id}/tokens", name="list-user-tokens",
    summary="A user's API tokens (never their secrets)",
    responses={404: problem_doc("No such user.")},
)  # fmt: skip
def list_user_tokens(
    user_id: uuid.UUID, _admin: AdminDep, session: SessionDep
) -> list[TokenPublic]:
    return [TokenPublic.model_validate(row) for row in admin.list_tokens(session, user_id=user_id)]


@admin_router.delete(
    "/users/{user_id}/tokens", name="revoke-user-tokens", status_code=204,
    summary="Revoke every API token of a user",
    description="Recorded in the user's history (kind `tokens`).",
    responses={404: problem_doc("No such user.")},
)  # fmt: skip
def revoke_user_tokens(user_id: uuid.UUID, _admin: AdminDep, session: WriteSessionDep) -> Response:
    admin.revoke_tokens(session, user_id=user_id)
    session.commit()
    return Response(status_code=204)


@admin_router.delete(
    "/users/{user_id}/tokens/{token_id}", name="revoke-user-token", status_code=204,
    summary="Revoke one API token of a user",
    description="Recorded in the user's history (kind `tokens`).",
    responses={404: problem_doc("No such user, or no such token of theirs.")},
)  # fmt: skip
def revoke_user_token(
    user_id: uuid.UUID, token_id: uuid.UUID, _admin: AdminDep, session: WriteSessionDep
) -> Response:
    admin.revoke_token(session, user_id=user_id, token_id=token_id)
    session.commit()
    return Response(status_code=204)


@admin_router.post(
    "/users/{user_id}/password", name="reset-password", status_code=204,
    summary="Set a user's password (signs them out everywhere and revokes their API tokens)",
    description="Recorded in the user's history (kinds `accounts` and `tokens`).",
    responses={404: problem_doc("No such user.")},
)  # fmt: skip
def reset_password(
    user_id: uuid.UUID, data: PasswordReset, _admin: AdminDep, session: WriteSessionDep
) -> Response:
    admin.reset_password(session, user_id=user_id, new=data.new_password)
    session.commit()
    return Response(status_code=204)


@admin_router.post(
    "/invites", name="create-invite", status_code=201,
    summary="A single-use invite code, valid for a week",
)  # fmt: skip
def create_invite(admin: AdminDep, session: WriteSessionDep) -> InviteCreated:
    invite_id, code, expires_at = service.create_invite(
        session, created_by=admin.user_id, valid_for=timedelta(days=7)
    )
    session.commit()
    return InviteCreated(id=invite_id, code=code, expires_at=expires_at)
