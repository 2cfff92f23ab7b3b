"""Accounts: first-run set-up, sign-up, sign-in sessions, password changes, deletion."""

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from backend.accounts import passwords, throttle
from backend.accounts.models import Invite, UserSession
from backend.auth import Forbidden, Unauthorized, new_secret, secret_hash
from backend.config import Settings
from backend.counts import RowCount
from backend.errors import Conflict, FieldIssue, NotFound, ProblemError, Unprocessable
from backend.fields import utcnow, uuid7
from backend.tokens import service as tokens
from backend.users.models import User

log = logging.getLogger("nexthop.auth")

users = User.__table__  # type: ignore[attr-defined]
sessions = UserSession.__table__  # type: ignore[attr-defined]
invites = Invite.__table__  # type: ignore[attr-defined]

# The user Nexthop served before accounts existed; set-up adopts it so its data is kept.
LEGACY_LOCAL_EMAIL = "local@nexthop.invalid"


class TooManyAttempts(ProblemError):
    status, code = 429, "too_many_attempts"


class AccountDisabled(Forbidden):
    code = "account_disabled"


def public_user(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "email": row.email, "display_name": row.display_name,
        "is_admin": row.is_admin, "created_at": row.created_at, "disabled_at": row.disabled_at,
    }  # fmt: skip


def get_user(session: Session, user_id: uuid.UUID) -> Any:
    row = session.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound("No such user.")
    return row


def needs_setup(session: Session) -> bool:
    stmt = select(func.count()).select_from(users).where(users.c.password_hash.is_not(None))
    return session.execute(stmt).scalar_one() == 0


def _checked_password(password: str, email: str, field: str = "password") -> str:
    problem = passwords.password_problem(password, email)
    if problem:
        raise Unprocessable.field(field, problem, "weak_password")
    return passwords.hash_password(password)


def _email_free(session: Session, email: str, except_id: uuid.UUID | None = None) -> None:
    stmt = select(users.c.id).where(users.c.email == email)
    taken = session.execute(stmt).scalar()
    if taken is not None and taken != except_id:
        reason = "An account with this email already exists."
        raise Conflict(
            reason, errors=[FieldIssue(field="email", location="body", reason=reason, code="taken")]
        )


def create_user(
    session: Session, *, email: str, password: str, display_name: str, is_admin: bool = False
) -> Any:
    email = email.strip().lower()
    _email_free(session, email)
    values = {
        "id": uuid7(), "email": email, "display_name": display_name, "is_admin": is_admin,
        "password_hash": _checked_password(password, email), "created_at": utcnow(),
    }  # fmt: skip
    session.execute(insert(users).values(values))
    log.info("account created: user=%s admin=%s", values["id"], is_admin)
    return get_user(session, values["id"])


def _lock_users(session: Session) -> None:
    """On PostgreSQL, one change of who is an administrator at a time (two set-ups must not
    make two administrators, two demotions must not leave none); SQLite writers are serial."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def _admin_count(session: Session) -> int:
    """Administrators who can sign in: a disabled one runs nothing."""
    enabled = users.c.is_admin.is_(True) & users.c.disabled_at.is_(None)
    stmt = select(func.count()).select_from(users).where(enabled)
    return int(session.execute(stmt).scalar_one())


def set_up_first_admin(session: Session, *, email: str, password: str, display_name: str) -> Any:
    _lock_users(session)
    if not needs_setup(session):
        raise Conflict("Nexthop is already set up; sign in instead.")
    legacy = session.execute(select(users.c.id).where(users.c.email == LEGACY_LOCAL_EMAIL)).scalar()
    if legacy is None:
        return create_user(
            session, email=email, password=password, display_name=display_name, is_admin=True
        )
    email = email.strip().lower()
    _email_free(session, email, except_id=legacy)
    session.execute(
        update(users).where(users.c.id == legacy).values(
            email=email, display_name=display_name, is_admin=True,
            password_hash=_checked_password(password, email),
        )
    )  # fmt: skip
    log.info("account created from the local user: user=%s", legacy)
    return get_user(session, legacy)


def create_user_at_console(
    session: Session, *, email: str, password: str, display_name: str, is_admin: bool
) -> tuple[Any, bool]:
    """`create-user` on the command line. An instance always has an administrator: the first
    account is it, as with `POST /setup` (a pre-accounts local user's data adopted alike),
    and so is an account made while there is none, whatever `is_admin` says. Answers the
    user and whether it was made an administrator without being asked to.

    (Only here: sign-up and the admin API never grant it unasked; whoever runs this already
    holds the server.)"""
    if needs_setup(session):
        user = set_up_first_admin(
            session, email=email, password=password, display_name=display_name
        )
    else:
        _lock_users(session)
        make_admin = is_admin or _admin_count(session) == 0
        user = create_user(
            session, email=email, password=password, display_name=display_name,
            is_admin=make_admin,
        )  # fmt: skip
    return user, user.is_admin and not is_admin


def set_admin(session: Session, *, email: str, is_admin: bool) -> Any:
    """Promotes or demotes an account; the last administrator stays one."""
    _lock_users(session)
    user = find_user_by_email(session, email)
    if user.is_admin and not is_admin and _admin_count(session) == 1:
        raise Conflict(f"{user.email} is the only administrator; promote another account first.")
    session.execute(update(users).where(users.c.id == user.id).values(is_admin=is_admin))
    log.info("administrator %s: user=%s", "granted" if is_admin else "revoked", user.id)
    return get_user(session, user.id)


INVITE_UNUSABLE = (
    "This invite cannot be used: the code is unknown, used or expired, or the email already "
    "has an account (then sign in instead)."
)


class InviteRefused(Unprocessable):
    """Sign-up with an invite that cannot be used. `spent`: the code was valid and is used
    up by this refusal, which the caller must commit."""

    def __init__(self, *, spent: bool) -> None:
        issue = FieldIssue(
            field="invite", location="body", reason=INVITE_UNUSABLE, code="invalid_invite"
        )
        super().__init__(INVITE_UNUSABLE, errors=[issue])
        self.spent = spent


def sign_up_with_invite(
    session: Session, *, code: str, email: str, password: str, display_name: str
) -> Any:
    """An account from a single-use invite, or InviteRefused.

    An invite must not tell whether an email has an account. A valid code given with an
    email that has one is spent and answered exactly as an unknown code is (status, body,
    and no password hashing before the answer, as for an unknown code), so a code answers
    at most one such question, and whoever holds it was trusted by the administrator. The
    password policy is checked first, as it does not depend on the account: a weak password
    leaves the code unused whatever the email."""
    email = email.strip().lower()
    problem = passwords.password_problem(password, email)
    if problem:
        raise Unprocessable.field("password", problem, "weak_password")
    now = utcnow()
    redeemed = (
        update(invites)
        .where(invites.c.token_hash == secret_hash(code), invites.c.used_at.is_(None),
               invites.c.expires_at > now)
        .values(used_at=now)
    )  # fmt: skip
    if session.execute(redeemed).rowcount != 1:
        raise InviteRefused(spent=False)
    if session.execute(select(users.c.id).where(users.c.email == email)).first() is not None:
        log.info("invite spent on an email that has an account")
        raise InviteRefused(spent=True)
    return create_user(session, email=email, password=password, display_name=display_name)


def create_invite(
    session: Session, *, created_by: uuid.UUID, valid_for: timedelta
) -> tuple[uuid.UUID, str, datetime]:
    code = new_secret()
    invite_id, expires_at = uuid7(), utcnow() + valid_for
    session.execute(
        insert(invites).values(
            id=invite_id, token_hash=secret_hash(code), created_by=created_by,
            created_at=utcnow(), expires_at=expires_at,
        )
    )  # fmt: skip
    return invite_id, code, expires_at


def sign_in(
    session: Session,
    *,
    write_engine: Engine,
    email: str,
    password: str,
    client: str,
    settings: Settings,
) -> Any:
    """Checks the password, minding the throttle; answers the user row or raises.

    The attempt is counted before the password is checked (see backend.accounts.throttle),
    and the slow check runs with no transaction open: a write lock held through it would let
    anyone stall every writer by guessing passwords."""
    keys = throttle.keys_for(email, client)
    allowed = settings.login_failures_before_lockout
    # Already locked: answered from a read, so a flood of refused attempts writes nothing.
    until = throttle.locked_until(session, keys)
    session.rollback()  # its connection back to the pool before another is taken
    if until is None:
        with Session(write_engine) as write:
            until = throttle.admit(write, keys, allowed)
            if until is None:
                write.commit()
    if until is not None:
        retry = max(1, int((until - utcnow()).total_seconds()) + 1)
        log.warning("sign-in refused, throttled: client=%s", client)
        raise TooManyAttempts(
            "Too many failed sign-ins; wait before trying again.",
            headers={"Retry-After": str(retry)},
        )
    row = session.execute(select(users).where(users.c.email == email.strip().lower())).first()
    session.rollback()
    if not passwords.verify_password(row.password_hash if row else None, password):
        log.warning("sign-in failed: client=%s", client)
        raise Unauthorized("The email or the password is wrong.")
    with Session(write_engine) as write:
        throttle.succeeded(write, keys, allowed)
        if passwords.needs_rehash(row.password_hash):
            write.execute(
                update(users).where(users.c.id == row.id)
                .values(password_hash=passwords.hash_password(password))
            )  # fmt: skip
        write.commit()
    if row.disabled_at is not None:
        # Said only to whoever proved the password: it tells an outsider nothing.
        log.warning("sign-in refused, account disabled: user=%s client=%s", row.id, client)
        raise AccountDisabled("This account is disabled: ask the administrator.")
    log.info("signed in: user=%s client=%s", row.id, client)
    return row


def start_session(session: Session, user_id: uuid.UUID, settings: Settings) -> tuple[str, str]:
    """Records a browser session; answers (cookie secret, CSRF token)."""
    secret, csrf = new_secret(), new_secret()
    now = utcnow()
    session.execute(
        insert(sessions).values(
            id=secret_hash(secret), user_id=user_id, csrf_token=csrf, created_at=now,
            last_seen_at=now, expires_at=now + timedelta(days=settings.session_max_days),
        )
    )  # fmt: skip
    return secret, csrf


def end_sessions(
    session: Session, user_id: uuid.UUID, *, only: str | None = None, keep: str | None = None
) -> None:
    stmt = delete(sessions).where(sessions.c.user_id == user_id)
    if only is not None:
        stmt = stmt.where(sessions.c.id == only)
    if keep is not None:
        stmt = stmt.where(sessions.c.id != keep)
    session.execute(stmt)


def _confirm_password(
    session: Session, row: Any, password: str, field: str, settings: Settings
) -> None:
    """Re-entering the password for a sensitive change is throttled like a sign-in: a stolen
    session or token must not be a free password-guessing oracle. The attempt is counted
    first, in the request's own transaction (its row stays locked until that ends, so
    parallel attempts take turns), and kept when the password is wrong."""
    keys = throttle.keys_for(row.email, "confirm")[:1]
    allowed = settings.login_failures_before_lockout
    if throttle.admit(session, keys, allowed) is not None:
        session.rollback()
        raise TooManyAttempts("Too many wrong passwords; wait before trying again.")
    if not passwords.verify_password(row.password_hash, password):
        session.commit()  # the failure must outlive the refusal
        raise _wrong_password(field)
    throttle.succeeded(session, keys, allowed)


def change_password(
    session: Session,
    *,
    user_id: uuid.UUID,
    current: str,
    new: str,
    keep_session: str | None,
    revoke_tokens: bool,
    settings: Settings,
) -> None:
    row = get_user(session, user_id)
    _confirm_password(session, row, current, "current_password", settings)
    set_password(session, user_id=user_id, new=new, email=row.email)
    # Anyone signed in elsewhere with the old password is signed out, and unless told
    # otherwise loses the tokens they may have made with it.
    end_sessions(session, user_id, keep=keep_session)
    if revoke_tokens:
        tokens.revoke_all(session, user_id=user_id)
    log.info("password changed: user=%s tokens_revoked=%s", user_id, revoke_tokens)


def sign_out_everywhere(session: Session, *, user_id: uuid.UUID, revoke_tokens: bool) -> None:
    end_sessions(session, user_id)
    if revoke_tokens:
        tokens.revoke_all(session, user_id=user_id)
    log.info("signed out everywhere: user=%s tokens_revoked=%s", user_id, revoke_tokens)


def _wrong_password(field: str) -> Forbidden:
    # 403, not 422: the request is well formed; the caller failed to prove who they are.
    reason = "The password is wrong."
    return Forbidden(
        reason, errors=[FieldIssue(field=field, location="body", reason=reason, code="wrong")]
    )


def set_password(session: Session, *, user_id: uuid.UUID, new: str, email: str) -> None:
    hashed = _checked_password(new, email, field="new_password")
    session.execute(update(users).where(users.c.id == user_id).values(password_hash=hashed))


def delete_account(
    session: Session, *, user_id: uuid.UUID, password: str, settings: Settings
) -> None:
    row = get_user(session, user_id)
    _confirm_password(session, row, password, "password", settings)
    delete_all_data(session, user_id)
    log.info("account deleted: user=%s", user_id)


def delete_all_data(session: Session, user_id: uuid.UUID) -> None:
    # Dependents first, so no foreign key is ever left pointing at a deleted row.
    from backend.models import (
        Contact,
        IdempotencyRecord,
        Interview,
        NoteItem,
        Organization,
        Referral,
    )  # fmt: skip

    for model in (NoteItem, Referral, Interview, Contact, Organization, IdempotencyRecord):
        table = model.__table__  # type: ignore[attr-defined]
        session.execute(delete(table).where(table.c.owner_id == user_id))
    counts = RowCount.__table__  # type: ignore[attr-defined]
    session.execute(delete(counts).where(counts.c.owner_id == user_id))
    session.execute(delete(users).where(users.c.id == user_id))


def list_users(session: Session) -> list[Any]:
    return list(session.execute(select(users).order_by(users.c.created_at)).all())


def find_user_by_email(session: Session, email: str) -> Any:
    row = session.execute(select(users).where(users.c.email == email.strip().lower())).first()
    if row is None:
        raise NotFound(f"No account with email {email}.")
    return row
