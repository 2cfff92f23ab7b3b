"""Find people and see the journey: the network read as a graph of introductions.

Warm paths: a recursive CTE walks back from the target(s) and returns only the referrals that
can lie on a chain of at most `paths.DEFAULT_MAX_DEPTH` hops to them (usually tens or hundreds
of a big network's 20,000); the pure `paths.warm_paths` ranks the chains in memory. Measured
on 10,000 contacts and 20,000 referrals (tests/bench/warm_paths.py): 2-5 ms median for a
contact on SQLite and PostgreSQL, where loading every edge and searching them all took
75-200 ms. The alignment of one contact prunes the same way.

The graph, the alignment ranking, the people at an organization and the stats need the
whole network and load the owner's edges with one SELECT of the few columns they use.

Ids are read as text in the database's own form (32 hex digits on SQLite, with dashes on
PostgreSQL): building a UUID object per value would cost more than the query. Only the few
ids that go out become UUIDs again.
"""

import uuid
from collections import Counter
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    Text,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import dialect_of
from backend.errors import NotFound
from backend.fields import name_key, utcnow
from backend.interviews.lifecycle import CLOCK_SKEW, InterviewStatus
from backend.interviews.models import Interview
from backend.network import paths, stats
from backend.network.alignment import MET_STATUSES, NEAREST, alignment
from backend.network.models import (
    ME,
    AlignmentRanking,
    AlignmentReason,
    ConnectionsPerInterview,
    ContactAlignment,
    ContactSummary,
    Hop,
    HopFrom,
    HopTo,
    Introducer,
    IntroductionsMet,
    NetworkStats,
    OpenNoteItems,
    OrganizationPeople,
    PathQuality,
    RankedContact,
    SecondDegree,
    WarmPath,
    WarmPaths,
    WeekConversations,
)
from backend.notes.models import NoteItem, NoteStatus
from backend.organizations.models import Organization
from backend.profiles.models import Profile
from backend.referrals.models import Referral, ReferralStatus

referrals = crud.table_of(Referral)
contacts = crud.table_of(Contact)
organizations = crud.table_of(Organization)
interviews = crud.table_of(Interview)
notes = crud.table_of(NoteItem)
profiles = crud.table_of(Profile)

MAX_PATHS = 20
MAX_RANKED = 200
CONVERSATIONS = (InterviewStatus.completed.value, InterviewStatus.thanked.value)
DECLINED = ReferralStatus.declined.value
USABLE = referrals.c.status != DECLINED
YOU = "you"
MET = ReferralStatus.met.value


# --- Loading --------------------------------------------------------------------------------


def _key_of(session: Session, column: Any) -> ColumnElement[str]:
    """A UUID column read as text, in the database's own form."""
    if dialect_of(session) == "sqlite":
        return type_coerce(column, String)
    return cast(column, Text)


def _key(session: Session, value: uuid.UUID) -> str:
    """A UUID in the form `_key_of` reads."""
    return value.hex if dialect_of(session) == "sqlite" else str(value)


def _uuid(key: str | None) -> uuid.UUID | None:
    return None if key is None else uuid.UUID(key)


def _dashed(key: str) -> str:
    """The canonical text of a UUID key (SQLite's has no dashes)."""
    if len(key) == 32:
        return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"
    return key


def _edge_columns(session: Session, *, details: bool) -> list[ColumnElement[Any]]:
    c = referrals.c
    columns = [
        _key_of(session, c.id),
        _key_of(session, c.from_contact_id),
        _key_of(session, c.to_contact_id),
        c.status,
    ]
    if details:
        columns += [c.context, _key_of(session, c.interview_id)]
    return columns


def _edges(
    session: Session, owner: uuid.UUID, *where: ColumnElement[bool], details: bool = False
) -> list[paths.Edge]:
    """The owner's referrals that meet every condition of `where`."""
    stmt = select(*_edge_columns(session, details=details)).where(
        crud.owned(referrals, owner), *where
    )
    Edge = paths.Edge
    return [Edge(*row) for row in session.execute(stmt).all()]


def _owned_not_indexed(session: Session, table: Any, owner: uuid.UUID) -> ColumnElement[bool]:
    """The owner filter, kept out of SQLite's choice of index. Without statistics SQLite
    prefers an index on owner_id (which on a one-user database holds every referral) over
    ix_referrals_to; `likely(...)` is the same condition, which it then checks row by row."""
    condition = crud.owned(table, owner)
    if dialect_of(session) == "sqlite":
        return func.likely(condition, type_=Boolean)
    return condition


def _edges_towards(
    session: Session, owner: uuid.UUID, targets: Select[Any], max_depth: int
) -> list[paths.Edge]:
    """The non-declined referrals that can lie on a chain of at most `max_depth` hops to one
    of `targets` (a select of contact ids): those into a contact from which a target is at
    most `max_depth - 1` hops away. Shortest chains through them are the whole graph's."""
    step = referrals.alias("step")
    # The 0 is written into the SQL so that both halves of the CTE are plain integers.
    back = select(targets.subquery().c[0].label("node"), literal_column("0").label("hops")).cte(
        "back", recursive=True
    )
    back = back.union(
        select(step.c.from_contact_id, back.c.hops + 1)
        .join(back, step.c.to_contact_id == back.c.node)
        .where(
            _owned_not_indexed(session, step, owner),
            step.c.status != DECLINED,
            step.c.from_contact_id.is_not(None),
            back.c.hops < max_depth - 1,
        )
    )
    stmt = select(*_edge_columns(session, details=True)).where(
        _owned_not_indexed(session, referrals, owner),
        USABLE,
        referrals.c.to_contact_id.in_(select(back.c.node)),
    )
    Edge = paths.Edge
    return [Edge(*row) for row in session.execute(stmt).all()]


def _contact_row(session: Session, owner: uuid.UUID, contact_id: uuid.UUID) -> dict[str, Any]:
    return crud.get_row(session, contacts, owner=owner, row_id=contact_id, label="contact")


def _ensure_organization(session: Session, owner: uuid.UUID, organization_id: uuid.UUID) -> None:
    found = select(organizations.c.id).where(
        crud.owned(organizations, owner), organizations.c.id == organization_id
    )
    if session.execute(found).first() is None:
        raise NotFound(f"No organization with id {organization_id}.")


def _organization_contacts(owner: uuid.UUID, organization_id: uuid.UUID) -> Select[Any]:
    return select(contacts.c.id).where(
        crud.owned(contacts, owner), contacts.c.organization_id == organization_id
    )


def _organization_contact_ids(
    session: Session, owner: uuid.UUID, organization_id: uuid.UUID
) -> list[str]:
    at_org = _organization_contacts(owner, organization_id).subquery()
    return sorted(session.execute(select(_key_of(session, at_org.c.id))).scalars())


def _summary_columns(session: Session) -> list[ColumnElement[Any]]:
    c = contacts.c
    return [
        _key_of(session, c.id),
        c.full_name,
        c.title,
        _key_of(session, c.organization_id),
        c.status,
    ]


def _summaries(
    session: Session, owner: uuid.UUID, contact_ids: Collection[str]
) -> dict[str, ContactSummary]:
    if not contact_ids:
        return {}
    stmt = select(*_summary_columns(session)).where(
        crud.owned(contacts, owner), contacts.c.id.in_([uuid.UUID(i) for i in contact_ids])
    )
    return {row[0]: _summary(row) for row in session.execute(stmt).all()}


def _summary(row: Any) -> ContactSummary:
    return ContactSummary(
        id=row[0], full_name=row[1], title=row[2], organization_id=row[3], status=row[4]
    )


def _by_name(summary: ContactSummary) -> tuple[str, str]:
    return (name_key(summary.full_name), str(summary.id))


# --- Warm paths -----------------------------------------------------------------------------


def contact_warm_paths(
    *, session: Session, owner: uuid.UUID, contact_id: uuid.UUID, limit: int
) -> WarmPaths:
    target = select(contacts.c.id).where(crud.owned(contacts, owner), contacts.c.id == contact_id)
    if session.execute(target).first() is None:
        raise NotFound(f"No contact with id {contact_id}.")
    return _warm_paths(session, owner, [_key(session, contact_id)], target, limit)


def organization_warm_paths(
    *, session: Session, owner: uuid.UUID, organization_id: uuid.UUID, limit: int
) -> WarmPaths:
    _ensure_organization(session, owner, organization_id)
    targets = _organization_contact_ids(session, owner, organization_id)
    at_org = _organization_contacts(owner, organization_id)
    return _warm_paths(session, owner, targets, at_org, limit)


def _warm_paths(
    session: Session, owner: uuid.UUID, targets: list[str], select_targets: Select[Any], limit: int
) -> WarmPaths:
    found: list[paths.Path] = []
    if targets:
        depth = paths.DEFAULT_MAX_DEPTH
        edges = _edges_towards(session, owner, select_targets, depth)
        found = paths.warm_paths(edges, targets, limit=min(limit, MAX_PATHS), max_depth=depth)
    names = _names(session, owner, {hop.to_id for path in found for hop in path.hops})
    return WarmPaths(
        target_ids=[uuid.UUID(t) for t in targets],
        paths=[_warm_path(path, names) for path in found],
    )


def _names(session: Session, owner: uuid.UUID, contact_ids: Collection[str]) -> dict[str, str]:
    if not contact_ids:
        return {}
    stmt = select(_key_of(session, contacts.c.id), contacts.c.full_name).where(
        crud.owned(contacts, owner), contacts.c.id.in_([uuid.UUID(i) for i in contact_ids])
    )
    return dict(session.execute(stmt).all())


def _warm_path(path: paths.Path, names: dict[str, str]) -> WarmPath:
    hops = [
        Hop(
            referral_id=uuid.UUID(edge.id),
            from_=HopFrom(
                id=_uuid(edge.from_id),
                full_name=YOU if edge.from_id is None else names[edge.from_id],
            ),
            to=HopTo(id=uuid.UUID(edge.to_id), full_name=names[edge.to_id]),
            status=ReferralStatus(edge.status),
            context=edge.context,
            interview_id=_uuid(edge.interview_id),
        )
        for edge in path.hops
    ]
    quality = PathQuality(weakest=ReferralStatus(path.weakest), strength=path.strength)
    return WarmPath(length=path.length, quality=quality, hops=hops)


# --- People at an organization --------------------------------------------------------------


def _met_contact_ids(session: Session, owner: uuid.UUID) -> list[str]:
    stmt = select(_key_of(session, contacts.c.id)).where(
        crud.owned(contacts, owner), contacts.c.status.in_(sorted(MET_STATUSES))
    )
    return list(session.execute(stmt).scalars())


def organization_people(
    *, session: Session, owner: uuid.UUID, organization_id: uuid.UUID
) -> OrganizationPeople:
    _ensure_organization(session, owner, organization_id)
    at_org = _organization_contact_ids(session, owner, organization_id)
    if not at_org:
        return OrganizationPeople(first_degree=[], second_degree=[])
    r = referrals.c
    # Only the referrals that can make someone first degree, and those into the organization.
    known = _edges(session, owner, or_(r.from_contact_id.is_(None), r.status == MET))
    first = paths.first_degree(known, _met_contact_ids(session, owner))
    into_org = _edges(
        session,
        owner,
        USABLE,
        r.from_contact_id.is_not(None),
        r.to_contact_id.in_(_organization_contacts(owner, organization_id)),
        details=True,
    )
    second = paths.introducers(into_org, first, at_org)
    introducing = {edge.from_id for into in second.values() for edge in into if edge.from_id}
    people = _summaries(session, owner, set(at_org) | introducing)
    first_here = sorted((people[i] for i in at_org if i in first), key=_by_name)
    second_here = [
        SecondDegree(
            contact=people[target],
            introducers=sorted(
                (
                    Introducer(
                        contact=people[edge.from_id],
                        referral_id=uuid.UUID(edge.id),
                        status=ReferralStatus(edge.status),
                        context=edge.context,
                    )
                    for edge in into
                    if edge.from_id is not None
                ),
                key=lambda introducer: _by_name(introducer.contact),
            ),
        )
        for target, into in second.items()
    ]
    second_here.sort(key=lambda entry: _by_name(entry.contact))
    return OrganizationPeople(first_degree=first_here, second_degree=second_here)


# --- Alignment ------------------------------------------------------------------------------


def _focus_areas(session: Session, owner: uuid.UUID) -> list[str]:
    stmt = select(profiles.c.focus_areas).where(profiles.c.owner_id == owner)
    found = session.execute(stmt).scalar()
    return list(found or [])


def _reasons(result: Any) -> list[AlignmentReason]:
    return [AlignmentReason(factor=r.factor, points=r.points, detail=r.detail) for r in result]


def contact_alignment(
    *, session: Session, owner: uuid.UUID, contact_id: uuid.UUID
) -> ContactAlignment:
    contact = _contact_row(session, owner, contact_id)
    org_tags: list[str] = []
    interest: int | None = None
    if contact["organization_id"] is not None:
        org = crud.find_row(session, organizations, owner=owner, row_id=contact["organization_id"])
        if org is not None:
            org_tags, interest = org["tags"], org["interest_level"]
    # Nearness counts up to NEAREST hops: only the referrals that can lie on such a chain.
    target = select(contacts.c.id).where(crud.owned(contacts, owner), contacts.c.id == contact_id)
    towards = _edges_towards(session, owner, target, NEAREST)
    depth = paths.depths(towards, max_depth=NEAREST).get(_key(session, contact_id))
    result = alignment(
        focus_areas=_focus_areas(session, owner),
        contact_tags=contact["tags"],
        organization_tags=org_tags,
        interest_level=interest,
        depth=depth,
        status=contact["status"],
    )
    return ContactAlignment(
        contact_id=contact_id, score=result.score, reasons=_reasons(result.reasons)
    )


def ranked_alignment(*, session: Session, owner: uuid.UUID, limit: int) -> AlignmentRanking:
    focus = _focus_areas(session, owner)
    org_stmt = select(
        _key_of(session, organizations.c.id), organizations.c.tags, organizations.c.interest_level
    ).where(crud.owned(organizations, owner))
    orgs = {row[0]: (row[1], row[2]) for row in session.execute(org_stmt).all()}
    depth = paths.depths(_edges(session, owner, USABLE))
    contact_stmt = select(*_summary_columns(session), contacts.c.tags, contacts.c.name_key).where(
        crud.owned(contacts, owner)
    )
    scored = []
    for row in session.execute(contact_stmt).all():
        contact_id, org_id, status, tags = row[0], row[3], row[4], row[5]
        org_tags, interest = orgs.get(org_id, ((), None)) if org_id else ((), None)
        result = alignment(
            focus_areas=focus,
            contact_tags=tags,
            organization_tags=org_tags,
            interest_level=interest,
            depth=depth.get(contact_id),
            status=status,
        )
        scored.append((-result.score, row[6], contact_id, result, row))
    scored.sort(key=lambda entry: entry[:3])
    items = [
        RankedContact(
            contact_id=row[0],
            score=result.score,
            reasons=_reasons(result.reasons),
            contact=_summary(row),
            depth=depth.get(row[0]),
        )
        for _, _, _, result, row in scored[: min(limit, MAX_RANKED)]
    ]
    return AlignmentRanking(focus_areas=focus, items=items)


# --- Graph ----------------------------------------------------------------------------------


def graph(*, session: Session, owner: uuid.UUID) -> dict[str, Any]:
    """The graph as plain dicts: it can hold every contact, so it skips model validation."""
    c = referrals.c
    edge_stmt = (
        select(*_edge_columns(session, details=False), _key_of(session, c.interview_id))
        .where(crud.owned(referrals, owner))
        .order_by(c.created_at, c.id)
    )
    rows = session.execute(edge_stmt).all()
    depth = paths.depths([paths.Edge(i, f, t, s) for i, f, t, s, _ in rows])
    on_an_edge = or_(
        contacts.c.id.in_(select(c.to_contact_id).where(crud.owned(referrals, owner))),
        contacts.c.id.in_(select(c.from_contact_id).where(crud.owned(referrals, owner))),
    )
    node_stmt = select(*_summary_columns(session), contacts.c.name_key).where(
        crud.owned(contacts, owner), on_an_edge
    )
    public: dict[str | None, str] = {None: ME}
    people = []
    for contact_id, full_name, _title, org_id, status, key in session.execute(node_stmt).all():
        d = depth.get(contact_id)
        public[contact_id] = _dashed(contact_id)
        node = {
            "id": public[contact_id],
            "kind": "contact",
            "label": full_name,
            "status": status,
            "depth": d,
            "organization_id": org_id and _dashed(org_id),
        }
        people.append(((d is None, d or 0, key, contact_id), node))
    people.sort(key=lambda entry: entry[0])
    me = {
        "id": ME,
        "kind": "user",
        "label": "You",
        "status": None,
        "depth": 0,
        "organization_id": None,
    }
    edges = [
        {
            "id": _dashed(i),
            "from": public.get(f) or _dashed(str(f)),
            "to": public.get(t) or _dashed(t),
            "status": s,
            "interview_id": iv and _dashed(iv),
        }
        for i, f, t, s, iv in rows
    ]
    return {"nodes": [me, *(node for _, node in people)], "edges": edges}


# --- Stats ----------------------------------------------------------------------------------


def network_stats(
    *, session: Session, owner: uuid.UUID, weeks: int, today: date | None = None
) -> NetworkStats:
    weeks = max(1, min(weeks, stats.MAX_WEEKS))
    today = today or utcnow().date()
    start, end = stats.window(today, weeks)
    i = interviews.c
    # A conversation counts once its time has come: a row from before future ones were
    # refused (lifecycle.future_problem) may say it happened in 2031.
    held = [
        crud.owned(interviews, owner),
        i.status.in_(CONVERSATIONS),
        i.scheduled_at <= utcnow() + CLOCK_SKEW,
    ]
    when = select(i.scheduled_at).where(*held, i.scheduled_at >= start, i.scheduled_at < end)
    per_week = stats.conversations_per_week(
        session.execute(when).scalars(), today=today, weeks=weeks
    )
    conversations = crud.count_where(session, interviews, *held)

    r = referrals.c
    from_interviews = select(r.status, func.count()).where(
        crud.owned(referrals, owner), r.interview_id.is_not(None)
    )
    by_status = Counter(dict(session.execute(from_interviews.group_by(r.status)).all()))
    offered = sum(by_status.values())
    met = by_status[MET]

    edges = _edges(session, owner, USABLE)
    open_notes = select(notes.c.category, func.count()).where(
        crud.owned(notes, owner), notes.c.status == NoteStatus.open.value
    )
    open_counts = dict(session.execute(open_notes.group_by(notes.c.category)).all())
    return NetworkStats(
        conversations_per_week=[
            WeekConversations(week=w.week, starts_on=w.starts_on, conversations=w.conversations)
            for w in per_week
        ],
        connections_per_interview=ConnectionsPerInterview(
            referrals=offered, interviews=conversations, ratio=stats.ratio(offered, conversations)
        ),
        longest_chain=stats.longest_chain(paths.depths(edges)),
        longest_met_chain=stats.longest_chain(paths.depths(edges, statuses=(MET,))),
        introductions=IntroductionsMet(offered=offered, met=met, share=stats.ratio(met, offered)),
        open_note_items=OpenNoteItems(**stats.by_category(open_counts)),
    )
