import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth import OwnerDep
from backend.db import SessionDep
from backend.network import service, stats
from backend.network.models import (
    AlignmentRanking,
    ContactAlignment,
    NetworkGraph,
    NetworkStats,
    OrganizationPeople,
    WarmPaths,
)
from backend.responses import JSONBytesResponse
from backend.routing import READ_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["network"])

PathLimit = Annotated[
    int,
    Query(
        ge=1,
        description=f"How many chains at most; values above {service.MAX_PATHS} are clamped.",
    ),
]


@router.get(
    "/contacts/{contact_id}/warm-paths",
    name="contact-warm-paths",
    summary="The best chains of introductions to a contact",
    response_model=WarmPaths,
    responses=READ_RESPONSES,
)
def contact_warm_paths(
    contact_id: uuid.UUID, session: SessionDep, owner: OwnerDep, limit: PathLimit = 5
) -> WarmPaths:
    return service.contact_warm_paths(
        session=session, owner=owner, contact_id=contact_id, limit=limit
    )


@router.get(
    "/organizations/{organization_id}/warm-paths",
    name="organization-warm-paths",
    summary="The best chains of introductions to anyone at an organization",
    response_model=WarmPaths,
    responses=READ_RESPONSES,
)
def organization_warm_paths(
    organization_id: uuid.UUID, session: SessionDep, owner: OwnerDep, limit: PathLimit = 5
) -> WarmPaths:
    return service.organization_warm_paths(
        session=session, owner=owner, organization_id=organization_id, limit=limit
    )


@router.get(
    "/organizations/{organization_id}/people",
    name="organization-people",
    summary="Who at an organization the user knows, and who could introduce the others",
    response_model=OrganizationPeople,
    responses=READ_RESPONSES,
)
def organization_people(
    organization_id: uuid.UUID, session: SessionDep, owner: OwnerDep
) -> OrganizationPeople:
    return service.organization_people(
        session=session, owner=owner, organization_id=organization_id
    )


@router.get(
    "/contacts/{contact_id}/alignment",
    name="contact-alignment",
    summary="How well a contact matches the user's focus areas, and why",
    response_model=ContactAlignment,
    responses=READ_RESPONSES,
)
def contact_alignment(
    contact_id: uuid.UUID, session: SessionDep, owner: OwnerDep
) -> ContactAlignment:
    return service.contact_alignment(session=session, owner=owner, contact_id=contact_id)


@router.get(
    "/network/alignment",
    name="alignment",
    summary="Contacts ranked by how well they match the user's focus areas",
    description="Shows whether the chain of introductions is getting closer to the people "
    "the user most wants to meet: each contact with its score, reasons and distance.",
    response_model=AlignmentRanking,
)
def ranked_alignment(
    session: SessionDep,
    owner: OwnerDep,
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"How many contacts; values above {service.MAX_RANKED} are clamped.",
        ),
    ] = 50,
) -> AlignmentRanking:
    return service.ranked_alignment(session=session, owner=owner, limit=limit)


@router.get(
    "/network/graph",
    name="graph",
    summary="The user's network of introductions, as nodes and edges",
    response_model=NetworkGraph,
)
def network_graph(session: SessionDep, owner: OwnerDep) -> JSONBytesResponse:
    return JSONBytesResponse(service.graph(session=session, owner=owner))


@router.get(
    "/network/stats",
    name="stats",
    summary="How the network grows: conversations, introductions, chain length, open notes",
    response_model=NetworkStats,
)
def network_stats(
    session: SessionDep,
    owner: OwnerDep,
    weeks: Annotated[
        int,
        Query(
            ge=1,
            description=f"Weeks of conversations to count; values above {stats.MAX_WEEKS} "
            "are clamped.",
        ),
    ] = 12,
) -> NetworkStats:
    return service.network_stats(session=session, owner=owner, weeks=weeks)
