"""Who is asking. Until accounts exist every request acts as the default local user; real
authentication will replace `current_owner` and nothing else."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.users.models import User

DEFAULT_EMAIL = "local@nexthop.invalid"


def ensure_default_user(engine: Engine) -> uuid.UUID:
    lookup = select(User.id).where(User.email == DEFAULT_EMAIL)
    with Session(engine) as session:
        existing = session.execute(lookup).scalar()
        if existing is not None:
            return existing
        user = User(email=DEFAULT_EMAIL, display_name="Me")
        session.add(user)
        try:
            session.commit()
        except IntegrityError:
            # Several workers starting on an empty database: one of them created it first.
            session.rollback()
            return session.execute(lookup).scalar_one()
        return user.id


async def current_owner(request: Request) -> uuid.UUID:
    owner: uuid.UUID = request.app.state.default_user_id
    return owner


OwnerDep = Annotated[uuid.UUID, Depends(current_owner)]
