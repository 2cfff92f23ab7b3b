import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from backend.auth import OwnerDep

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


class Me(BaseModel):
    id: uuid.UUID


@router.get("/healthz", name="health", summary="Is the process up?")
async def health() -> Health:
    return Health(status="ok")


@router.get("/api/v1/me", name="me", summary="Who the API thinks you are")
async def me(owner: OwnerDep) -> Me:
    return Me(id=owner)
