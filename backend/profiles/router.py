from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import NotFound, problem_doc
from backend.preconditions import IfMatchFromZeroDep
from backend.profiles import service
from backend.profiles.models import ProfilePublic, ProfileUpdate, SharedProfile
from backend.profiles.page import PUBLIC_HEADERS, not_found_page, render_page
from backend.responses import JSONBytesResponse, etag_of
from backend.routing import UPDATE_RESPONSES

profile_router = APIRouter(prefix="/api/v1/profile", tags=["profile"])
shared_router = APIRouter(prefix="/api/v1/shared", tags=["profile"])
page_router = APIRouter()

_WRITE_RESPONSES = {code: UPDATE_RESPONSES[code] for code in (400, 412, 413)}
_SHARED_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: problem_doc("No profile is shared at this link (unknown, or sharing was turned off).")
}
PUBLIC: dict[str, Any] = {"openapi_extra": {"security": []}}


def _profile_response(request: Request, profile: dict[str, Any]) -> Response:
    public = service.public_of(profile, str(request.base_url))
    return JSONBytesResponse(public.model_dump(), headers={"ETag": etag_of(public.version)})


@profile_router.get(
    "",
    name="get",
    summary="Your profile: focus areas, situation, ask and share link",
    description="Always answers: before the first write, empty values at version 0.",
    response_model=ProfilePublic,
)
def get_profile(request: Request, session: SessionDep, owner: OwnerDep) -> Response:
    return _profile_response(request, service.get_profile(session=session, owner=owner))


@profile_router.patch(
    "",
    name="update",
    summary="Change some fields of your profile",
    description='The first write makes the profile; If-Match `"0"` says none should exist yet.',
    response_model=ProfilePublic,
    responses=_WRITE_RESPONSES,
)
def update_profile(
    request: Request,
    data: ProfileUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchFromZeroDep,
) -> Response:
    profile = service.update_profile(
        session=session, owner=owner, data=data, expected_version=expected_version
    )
    return _profile_response(request, profile)


@profile_router.post(
    "/share-link",
    name="share",
    summary="Create, or replace, the link that shows your ask to anyone who has it",
    description="Each call makes a new unguessable link; the previous one stops working. "
    "The page shows your display name, ask, situation, focus areas and who you want to learn "
    "from; never your email.",
    response_model=ProfilePublic,
    responses={412: UPDATE_RESPONSES[412]},
)
def create_share_link(
    request: Request,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchFromZeroDep,
) -> Response:
    profile = service.create_share_link(
        session=session, owner=owner, expected_version=expected_version
    )
    return _profile_response(request, profile)


@profile_router.delete(
    "/share-link",
    name="unshare",
    summary="Turn the share link off",
    description="The link answers 404 from now on. Harmless when nothing is shared.",
    status_code=204,
    responses={412: UPDATE_RESPONSES[412]},
)
def revoke_share_link(
    session: WriteSessionDep, owner: OwnerDep, expected_version: IfMatchFromZeroDep
) -> Response:
    service.revoke_share_link(session=session, owner=owner, expected_version=expected_version)
    return Response(status_code=204)


@shared_router.get(
    "/{share_token}",
    name="shared",
    summary="What a share link shows (no sign-in needed)",
    response_model=SharedProfile,
    responses=_SHARED_RESPONSES,
    **PUBLIC,
)
def shared_profile(share_token: str, session: SessionDep) -> Response:
    shared = service.shared_profile(session=session, share_token=share_token)
    return JSONBytesResponse(shared.model_dump(), headers=PUBLIC_HEADERS)


@page_router.get("/share/{share_token}", include_in_schema=False)
def shared_page(share_token: str, session: SessionDep) -> HTMLResponse:
    """The read-only page a share link opens, rendered here (no script needed)."""
    try:
        shared = service.shared_profile(session=session, share_token=share_token)
    except NotFound:
        return HTMLResponse(not_found_page(), 404, headers=PUBLIC_HEADERS)
    return HTMLResponse(render_page(shared), headers=PUBLIC_HEADERS)


router = APIRouter()
router.include_router(profile_router)
router.include_router(shared_router)
router.include_router(page_router)
