from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


@router.get("/healthz", name="health", summary="Is the process up?", openapi_extra={"security": []})
async def health() -> Health:
    return Health(status="ok")
